//! The Scriptix reseller application without Tauri.
//!
//! Everything a desktop shell needs that a test can reach without a window: signing in and
//! deciding who may use the app (this module set grows with the cache, sync engine and outbox).

pub mod branding;
pub mod cache;
pub mod dashboard;
pub mod error;
pub mod export;
pub mod outbox;
pub mod phone_display;
pub mod private_fs;
pub mod secrets;
pub mod session;
pub mod settings;
pub mod sync;
pub mod tabs;
pub mod validation;
pub mod workspace;

pub use error::CoreError;
pub use scriptix_api::Client;
pub use session::{
    mark_demo, resume, sign_in, verify, AuthStyleSetting, RoleSource, Session, SessionInfo,
    SignInRequest, Verified,
};
