//! Updates of the app itself: what an update source answers and what the user is told.
//!
//! The app's updater (tauri-plugin-updater, in the shell) verifies a package's minisign
//! signature against the public key built into the app and installs it. What reaches it goes
//! through here first: the update description (`latest.json`) and the package are fetched with
//! limits (size, time), as every other server answer is, so a broken or hostile update server
//! can neither fill the memory nor hang the app; every outcome has a sentence for the user.

mod error;
mod fetch;
mod status;

pub use error::UpdateError;
pub use fetch::{UpdateClient, MANIFEST_LIMIT, PACKAGE_LIMIT};
pub use status::{UpdateAction, UpdateStatus, UpdateView};
