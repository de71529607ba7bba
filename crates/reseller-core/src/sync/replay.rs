//! Replaying the outbox against the server, oldest operation first, exactly once: each claimed
//! operation goes to its entity through `outbox::Entity` (the one contract every entity keeps).
//!
//! Before an operation is sent it is marked in flight and its attempt counted, in a committed
//! transaction; its outcome is applied in another. Whatever stops the process in between (a
//! lost answer, a crash, a kill), the next replay finds the operation in flight, and its entity
//! first finds out what the server did before it sends anything again.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use scriptix_api::Client;

use crate::branding::changes::BrandingEntity;
use crate::cache::outbox::{next_runnable, set_state};
use crate::cache::{Cache, OutboxEntity, OutboxOp, OutboxState};
use crate::customers::Customers;
use crate::outbox::entity::lock;
use crate::outbox::{fail, Entity, Replay, ReplayReport, Step};
use crate::remote::SyncError;
use crate::tabs::subscriptions::Subscriptions;
use crate::tabs::tokens::Tokens;
use crate::tabs::users::Users;

/// Takes the next operation (a batch's only with `batches`) and marks it in flight (one
/// transaction, so an edit cannot fold into it between the read and the mark). Returns it as
/// it was before the mark.
fn claim_next(cache: &Mutex<Cache>, batches: bool) -> Result<Option<OutboxOp>, SyncError> {
    let cache = lock(cache)?;
    let tx = cache.conn().unchecked_transaction()?;
    let Some(op) = next_runnable(&tx, batches)? else {
        return Ok(None);
    };
    set_state(&tx, op.op_id, OutboxState::InFlight, None, true)?;
    tx.commit()?;
    Ok(Some(op))
}

/// How long one replay sends a batch's operations before it hands the round lock back (a bulk
/// change of thousands takes hours at the rate limit; the list sync, "Sync now" and the
/// deletion scan go in between). The user's single changes go first in any case.
pub const BATCH_SLICE: Duration = Duration::from_secs(20);

/// Replays every operation that can go now (a batch's for at most `BATCH_SLICE`, then `more`
/// says so). Stops at the first error that is not this operation's fault (offline, rate limit,
/// server trouble) and returns it; everything finished before stays finished. `now` stamps what the replay records.
pub async fn replay_outbox(
    client: &Client,
    cache: &Mutex<Cache>,
    now: DateTime<Utc>,
) -> Result<ReplayReport, SyncError> {
    replay_outbox_with(client, cache, now, Batches::Sliced, &|_| {}).await
}

/// Whether a replay sends batch operations (bulk changes, imports).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Batches {
    /// Yes, for at most `BATCH_SLICE` (the outbox sender).
    Sliced,
    /// No: only the user's single changes (a sync round, which must not wait hours).
    Skip,
}

/// `replay_outbox` (or only single changes: `Batches::Skip`), calling `on_done` with the
/// number of operations settled so far.
pub async fn replay_outbox_with(
    client: &Client,
    cache: &Mutex<Cache>,
    now: DateTime<Utc>,
    batches: Batches,
    on_done: &(dyn Fn(u64) + Send + Sync),
) -> Result<ReplayReport, SyncError> {
    let r = Replay { client, cache, now };
    let mut report = ReplayReport::default();
    let started = Instant::now();
    while let Some(op) = claim_next(cache, batches == Batches::Sliced)? {
        // Every entity is listed: a new one does not compile until it is driven here.
        let step = match op.entity {
            OutboxEntity::Customer => run::<Customers>(&r, &op, &mut report).await?,
            OutboxEntity::Subscription => run::<Subscriptions>(&r, &op, &mut report).await?,
            OutboxEntity::CustomerToken => run::<Tokens>(&r, &op, &mut report).await?,
            OutboxEntity::User => run::<Users>(&r, &op, &mut report).await?,
            OutboxEntity::Branding => run::<BrandingEntity>(&r, &op, &mut report).await?,
        };
        match step {
            Step::Done => report.completed += 1,
            Step::Failed => report.failed += 1,
            Step::Conflict => report.conflicts += 1,
        }
        if op.entity != OutboxEntity::Customer {
            report.details += 1;
        }
        on_done(u64::from(
            report.completed + report.conflicts + report.failed,
        ));
        if op.batch_id.is_some() && started.elapsed() >= BATCH_SLICE {
            report.more = true;
            break;
        }
    }
    report.touched.sort_unstable();
    report.touched.dedup();
    Ok(report)
}

/// One operation through its entity; one whose change cannot be read fails with the reason
/// (it can never be sent; the user sees why and discards it).
async fn run<E: Entity>(
    r: &Replay<'_>,
    op: &OutboxOp,
    report: &mut ReplayReport,
) -> Result<Step, SyncError> {
    match E::change_of(op) {
        Ok(change) => E::replay(r, op, change, report).await,
        Err(reason) => fail(r.cache, op, &reason),
    }
}
