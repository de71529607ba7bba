//! Typed async client of Scriptix's reseller API (the contract in
//! `shared/api/scriptix-reseller-api.md`): tolerant parsing, typed errors, retries and a
//! two-lane rate budget shared by every clone of a [`Client`].

mod budget;
mod client;
mod config;
mod endpoints;
mod envelope;
mod error;
mod error_body;
pub mod models;
mod page;
#[cfg(test)]
mod parse_props;
mod reachability;
mod retry;
pub mod time;
pub mod tls;
mod transport;

pub use budget::{background_limit, BudgetSnapshot};
pub use client::Client;
pub use config::{AuthStyle, ClientConfig, Lane, DEFAULT_BASE_URL};
pub use error::ApiError;
pub use models::account::{Account, Organization};
pub use models::branding::{Branding, BrandingColors};
pub use models::customer::{Customer, CustomerInput, CustomerQuery};
pub use models::dashboard::{Dashboard, DashboardCustomer, RecentTranscription};
pub use models::list::{DateRange, Direction};
pub use models::subscription::{
    Available, BillingChannel, PaymentModel, Plan, Subscription, SubscriptionInput,
};
pub use models::token::{CreatedToken, CustomerToken, TokenInput, TokenType};
pub use models::transcript::{Transcript, TranscriptQuery, TranscriptStatus, STATUS_TABLE};
pub use models::usage::{UsageQuery, UsageRow, UsageSplit, UsageSummary, UsageView};
pub use models::user::{CustomerUser, UserInput, UserUpdate};
pub use page::{Page, RejectedRecord};
pub use reachability::{Reachability, PROBE_TIMEOUT};
