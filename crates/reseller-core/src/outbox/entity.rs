//! The one shape every queued change has: an entity (customer, subscription, customer token,
//! user, branding) implements `Entity`, and the sync engine drives every operation through it
//! (`crate::sync::replay`), oldest first, exactly once.
//!
//! The contract of `Entity::replay` for one claimed (in flight) operation:
//! - `Ok(Step::Done)`: the server has it (sent now, or found already applied after a lost
//!   answer); the operation is deleted and the cached rows take the server's answer, in one
//!   transaction.
//! - `Ok(Step::Failed)`: the server refused it; the operation is marked failed with the server's
//!   words (`fail`), so the user sees why and fixes or discards it. Later operations on the same
//!   entity wait behind it.
//! - `Ok(Step::Conflict)`: changed on both sides; the user settles it field by field.
//! - `Err(SyncError)`: offline, rate-limited, server trouble: the replay stops and the
//!   operation stays in flight, so its outcome is found out first next time (lost-answer
//!   reconciliation: a create looks for what an earlier attempt made before it sends again).

use std::future::Future;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use scriptix_api::{ApiError, Client};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::cache::{Cache, OutboxEntity, OutboxKind, OutboxOp, OutboxState};
use crate::remote::{refusal, SyncError};
use crate::CoreError;

/// How one replayed operation ended (see the module's contract).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Done,
    Failed,
    Conflict,
}

/// What one replay did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplayReport {
    /// Operations finished (sent, found already applied, or reconciled).
    pub completed: u32,
    /// Creates whose lost answer was found on the server instead of sending them again.
    pub adopted: u32,
    /// Operations the server refused (now failed, waiting for the user).
    pub failed: u32,
    /// Operations that became conflicts.
    pub conflicts: u32,
    /// Local ids that got their server id: (local, server).
    pub remapped: Vec<(i64, i64)>,
    /// Customer ids whose cached row changed (for the UI to re-read).
    pub touched: Vec<i64>,
    /// Detail operations (tabs, branding) settled: open tabs re-read.
    pub details: u32,
    /// Stopped with batch operations still waiting (`replay_outbox_with`): its time slice
    /// was over, or the rate budget has no room for them now. The caller lets other work take
    /// the round lock, then sends on (after `wait`, or at once when a change is made).
    pub more: bool,
    /// How long until the budget has room for a batch's request (with `more`).
    pub wait: Option<std::time::Duration>,
}

impl ReplayReport {
    /// Adds a later replay's outcome to this one (its `more` and `wait` replace these).
    pub fn absorb(&mut self, later: ReplayReport) {
        self.completed += later.completed;
        self.adopted += later.adopted;
        self.failed += later.failed;
        self.conflicts += later.conflicts;
        self.remapped.extend(later.remapped);
        self.touched.extend(later.touched);
        self.details += later.details;
        self.more = later.more;
        self.wait = later.wait;
    }
}

/// What a replay works with.
pub struct Replay<'a> {
    pub client: &'a Client,
    pub cache: &'a Mutex<Cache>,
    /// Stamps what the replay records (created ids, reactivation links).
    pub now: DateTime<Utc>,
}

impl Replay<'_> {
    /// The cache for one short step (never held across an await).
    pub fn lock(&self) -> Result<MutexGuard<'_, Cache>, SyncError> {
        lock(self.cache)
    }
}

pub fn lock(cache: &Mutex<Cache>) -> Result<MutexGuard<'_, Cache>, SyncError> {
    cache.lock().map_err(|_| SyncError::CacheUnavailable)
}

/// An entity whose changes go through the outbox.
pub trait Entity {
    /// The name its operations are stored under.
    const ENTITY: OutboxEntity;
    /// One queued change: the operation's payload.
    type Change: Serialize + DeserializeOwned + Send;

    /// The operation kind a change is filed under.
    fn kind(change: &Self::Change) -> OutboxKind;

    /// The change an operation holds, or why it cannot be read (then it can never be sent: it
    /// fails with that reason and the user discards it).
    fn change_of(op: &OutboxOp) -> Result<Self::Change, String> {
        let change: Self::Change = serde_json::from_value(op.payload.clone())
            .map_err(|e| format!("This change cannot be read ({e}); discard it."))?;
        let kind = Self::kind(&change);
        if kind != op.kind {
            return Err(format!(
                "This change says \u{201c}{kind}\u{201d} but is filed as \u{201c}{}\u{201d}; discard it.",
                op.kind
            ));
        }
        Ok(change)
    }

    /// Checks a change against what the cache holds before it is queued, in the transaction
    /// that queues it (the form was checked field by field before the change was made).
    fn validate(cache: &Cache, scope: i64, change: &Self::Change) -> Result<(), CoreError> {
        let _ = (cache, scope, change);
        Ok(())
    }

    /// What the change is, in the user's words ("Add subscription STT-BUNDLE-100H"), for the
    /// list of refused changes.
    fn describe(change: &Self::Change) -> String;

    /// Sends one claimed operation (see the module's contract).
    fn replay(
        r: &Replay<'_>,
        op: &OutboxOp,
        change: Self::Change,
        report: &mut ReplayReport,
    ) -> impl Future<Output = Result<Step, SyncError>> + Send;
}

/// Marks the operation failed with `reason` (kept until the user fixes or discards it).
pub fn fail(cache: &Mutex<Cache>, op: &OutboxOp, reason: &str) -> Result<Step, SyncError> {
    lock(cache)?.set_outbox_state(op.op_id, OutboxState::Failed, Some(reason), false)?;
    Ok(Step::Failed)
}

/// An API error for this operation: refused (it fails with the server's words) or stop the
/// replay.
pub fn refuse(cache: &Mutex<Cache>, op: &OutboxOp, e: ApiError) -> Result<Step, SyncError> {
    let reason = refusal(e)?;
    fail(cache, op, &reason)
}
