//! What the managed tabs (subscriptions, tokens, users) share: queueing a tab operation, the
//! marks a tab's rows carry for the operations still waiting, the list of refused operations a
//! tab shows with their server's words, discarding one, and the replay helpers (locking, the
//! "gone or not offered" question a gap route's 404 leaves open).
//!
//! Every tab operation's `entity_id` is the customer id, so one customer's operations on one
//! entity replay in the order they were made, and a refused one holds back the later ones.

use std::sync::{Mutex, MutexGuard};

use chrono::Utc;
use scriptix_api::{ApiError, Client};
use serde::Serialize;

use crate::cache::outbox::{delete_op, insert_op};
use crate::cache::{Cache, NewOutboxOp, OutboxEntity, OutboxKind, OutboxOp, OutboxState};
use crate::sync::replay_details::{fail, refusal, DetailStep};
use crate::sync::SyncError;
use crate::workspace::Workspace;
use crate::CoreError;

/// Where an operation is, as a row's badge shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkState {
    /// Waiting to be sent, or being sent.
    Pending,
    /// The server refused it: its words are in `error`.
    Failed,
}

/// A pending or refused operation on a row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowMark {
    pub op_id: i64,
    /// The operation's kind (`create`, `auto_renew`, `revoke`, `update`, `delete`, ...).
    pub kind: OutboxKind,
    pub state: MarkState,
    pub error: Option<String>,
}

impl RowMark {
    pub fn of(op: &OutboxOp) -> RowMark {
        RowMark {
            op_id: op.op_id,
            kind: op.kind,
            state: match op.state {
                OutboxState::Failed | OutboxState::Conflict => MarkState::Failed,
                _ => MarkState::Pending,
            },
            error: op.last_error.clone(),
        }
    }

    /// A later mark on the same row wins, except that a refusal stays visible.
    pub fn merge(old: Option<RowMark>, new: RowMark) -> RowMark {
        match old {
            Some(old) if old.state == MarkState::Failed => old,
            _ => new,
        }
    }
}

/// A refused operation, listed above a tab so it can be discarded even when its row is gone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefusedOp {
    pub op_id: i64,
    pub kind: OutboxKind,
    /// What it was, in the user's words ("Add subscription STT-BUNDLE-100H").
    pub what: String,
    pub error: String,
}

/// The refused operations among `ops`, each described by `what`.
pub fn refused(ops: &[OutboxOp], what: impl Fn(&OutboxOp) -> String) -> Vec<RefusedOp> {
    ops.iter()
        .filter(|o| matches!(o.state, OutboxState::Failed | OutboxState::Conflict))
        .map(|o| RefusedOp {
            op_id: o.op_id,
            kind: o.kind,
            what: what(o),
            error: o.last_error.clone().unwrap_or_default(),
        })
        .collect()
}

/// Refuses a write on a customer that is not on the server yet (created here, not yet sent):
/// its tabs' endpoints need the server's id.
pub fn require_server_id(customer_id: i64) -> Result<(), CoreError> {
    if customer_id <= 0 {
        return Err(CoreError::Busy {
            message: "This is available once this organisation has reached the server.".into(),
        });
    }
    Ok(())
}

/// One customer's unfinished operations on `entity`, oldest first.
pub fn ops_of(
    cache: &Cache,
    entity: OutboxEntity,
    customer_id: i64,
) -> Result<Vec<OutboxOp>, CoreError> {
    Ok(crate::cache::outbox::ops_for_entity(
        cache.conn(),
        entity,
        customer_id,
    )?)
}

impl Workspace {
    /// Queues a tab operation (after the caller validated it) and tells the engine.
    pub(crate) fn queue_tab_op(
        &self,
        entity: OutboxEntity,
        customer_id: i64,
        kind: OutboxKind,
        payload: serde_json::Value,
    ) -> Result<i64, CoreError> {
        require_server_id(customer_id)?;
        let op_id = {
            let cache = self.cache()?;
            if cache.get_customer(customer_id)?.is_none() {
                return Err(CoreError::NotFound {
                    what: "This organisation".into(),
                });
            }
            insert_op(
                cache.conn(),
                &NewOutboxOp {
                    entity,
                    entity_id: customer_id,
                    kind,
                    payload,
                    base_last_modified: None,
                    created_at: Utc::now(),
                },
            )?
        };
        self.engine.refresh_counts();
        self.engine.nudge();
        Ok(op_id)
    }

    /// Drops a tab operation that is waiting or was refused (the rows show the server's
    /// version again). One being sent right now cannot be taken back.
    pub fn discard_tab_change(&self, op_id: i64) -> Result<(), CoreError> {
        {
            let cache = self.cache()?;
            let Some(op) = cache.outbox_op(op_id)? else {
                return Ok(()); // already finished or discarded
            };
            if !matches!(
                op.entity,
                OutboxEntity::Subscription | OutboxEntity::CustomerToken | OutboxEntity::User
            ) {
                return Err(CoreError::InvalidInput {
                    field: "opId",
                    message: "That change is not one of this tab's.".into(),
                });
            }
            if op.state == OutboxState::InFlight {
                return Err(CoreError::Busy {
                    message: "This change is being sent right now; it can't be taken back.".into(),
                });
            }
            delete_op(cache.conn(), op_id)?;
        }
        self.engine.refresh_counts();
        self.engine.nudge();
        Ok(())
    }
}

// ---- replay helpers ----

pub(crate) fn lock(cache: &Mutex<Cache>) -> Result<MutexGuard<'_, Cache>, SyncError> {
    cache.lock().map_err(|_| SyncError::CacheUnavailable)
}

/// Finishes an operation: its cached server rows are changed by `apply` and the operation is
/// deleted, in one transaction.
pub(crate) fn done(
    cache: &Mutex<Cache>,
    op: &OutboxOp,
    apply: impl FnOnce(&Cache) -> crate::cache::CacheResult<()>,
) -> Result<DetailStep, SyncError> {
    let cache = lock(cache)?;
    cache.in_transaction(|c| {
        // The customer may have left the cache meanwhile: then there are no rows to change.
        if c.get_customer(op.entity_id)?.is_some() {
            apply(c)?;
        }
        delete_op(c.conn(), op.op_id)
    })?;
    Ok(DetailStep::Done)
}

/// An error for this operation: refused (it fails with the server's words) or stop the replay.
pub(crate) fn refuse(
    cache: &Mutex<Cache>,
    op: &OutboxOp,
    e: ApiError,
) -> Result<DetailStep, SyncError> {
    let reason = refusal(e)?;
    fail(cache, op, &reason)
}

/// A gap route answered 404 for one record (`NotSupported`, since gap routes cannot tell): is
/// the server missing the feature, the customer, or only the record? `list_ok` is whether the
/// customer's list on the same route answered. `Ok(None)`: only the record is gone.
pub(crate) async fn why_missing(
    client: &Client,
    customer_id: i64,
    list_ok: bool,
) -> Result<Option<String>, SyncError> {
    if list_ok {
        return Ok(None);
    }
    match client.get_customer(customer_id).await {
        Ok(_) => Ok(Some(
            "Not available for this account: the server does not offer this.".into(),
        )),
        Err(ApiError::NotFound { .. }) => Ok(Some(
            "This organisation is no longer on the server; discard this change.".into(),
        )),
        Err(e) => Err(SyncError::Api(e)),
    }
}

/// A payload that cannot be read: it can never be sent; the user sees why and discards it.
pub(crate) fn unreadable(
    cache: &Mutex<Cache>,
    op: &OutboxOp,
    e: serde_json::Error,
) -> Result<DetailStep, SyncError> {
    fail(
        cache,
        op,
        &format!("This change cannot be read ({e}); discard it."),
    )
}
