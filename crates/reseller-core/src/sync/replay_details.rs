//! Replaying outbox operations on detail entities (a customer's subscriptions, tokens and
//! users; the reseller's branding). `replay` (the customer operations) routes every operation
//! whose entity is not a customer here; each entity's own module does its requests and cache
//! writes, and this module only routes and holds what they share.
//!
//! The contract for an entity module's `replay(client, cache, op, now)`:
//! - `Ok(DetailStep::Done)`: the server has it (sent now, or found already applied after a lost
//!   answer); the operation is deleted and the cached server rows updated, in one transaction.
//! - `Ok(DetailStep::Failed)`: the server refused it; the module marked it failed with the
//!   server's words (`fail`), so the user sees why and fixes or discards it.
//! - `Err(SyncError)`: offline, rate-limited, server trouble: the replay stops and the
//!   operation stays in flight, so its outcome is checked first next time.
//!
//! Pending detail changes are not written into the detail tables (a tab refresh replaces those
//! whole): a tab's read lays the customer's pending operations over the cached server rows.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use scriptix_api::{ApiError, Client};

use super::customers::SyncError;
use super::replay::{classify, Outcome};
use crate::cache::{Cache, OutboxEntity, OutboxOp, OutboxState};

/// How one detail operation ended (see the module's contract).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DetailStep {
    Done,
    Failed,
}

/// Routes one claimed (in flight) detail operation to its entity's module.
pub(super) async fn replay_detail(
    client: &Client,
    cache: &Mutex<Cache>,
    op: &OutboxOp,
    now: DateTime<Utc>,
) -> Result<DetailStep, SyncError> {
    use crate::tabs::{subscriptions_replay, tokens_replay, users_replay};
    match op.entity {
        OutboxEntity::Subscription => subscriptions_replay::replay(client, cache, op, now).await,
        OutboxEntity::CustomerToken => tokens_replay::replay(client, cache, op, now).await,
        OutboxEntity::User => users_replay::replay(client, cache, op, now).await,
        OutboxEntity::Branding => crate::branding::replay::replay(client, cache, op, now).await,
        // Customer operations are replayed by `sync::replay` and never routed here.
        other @ OutboxEntity::Customer => fail(
            cache,
            op,
            &format!("operations on {other} are not supported"),
        ),
    }
}

/// What an API error means for a detail operation: `Ok(reason)` when the server refused this
/// operation (it fails with those words), `Err` when the replay must stop.
pub fn refusal(e: ApiError) -> Result<String, SyncError> {
    match classify(e) {
        Outcome::Refused(reason) => Ok(reason),
        Outcome::Stop(e) => Err(SyncError::Api(e)),
    }
}

/// Marks the operation failed with `reason` (kept until the user fixes or discards it).
pub fn fail(cache: &Mutex<Cache>, op: &OutboxOp, reason: &str) -> Result<DetailStep, SyncError> {
    cache
        .lock()
        .map_err(|_| SyncError::CacheUnavailable)?
        .set_outbox_state(op.op_id, OutboxState::Failed, Some(reason), false)?;
    Ok(DetailStep::Failed)
}
