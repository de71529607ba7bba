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
use scriptix_api::{Client, Lane};

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

/// The most requests one batch operation sends (an edit reads the server's version first).
const MAX_BATCH_REQUESTS: usize = 2;

/// Whether a batch's operation could be sent (it waits for the budget, not for an earlier
/// operation on its organisation).
fn batch_waiting(cache: &Mutex<Cache>) -> Result<bool, SyncError> {
    Ok(next_runnable(lock(cache)?.conn(), true)?.is_some())
}

/// How long one replay sends a batch's operations before it hands the round lock back (a bulk
/// change of thousands takes hours at the rate limit; the list sync, "Sync now" and the
/// deletion scan go in between). The user's single changes go first in any case.
pub const BATCH_SLICE: Duration = Duration::from_secs(20);

/// Replays every operation to the end, a batch's too (waiting for the budget between its
/// slices). Stops at the first error that is not this operation's fault (offline, rate limit,
/// server trouble) and returns it; everything finished before stays finished. `now` stamps
/// what the replay records.
pub async fn replay_outbox(
    client: &Client,
    cache: &Mutex<Cache>,
    now: DateTime<Utc>,
) -> Result<ReplayReport, SyncError> {
    // To the end: batches too, each slice after the budget has room for it.
    let mut report = ReplayReport::default();
    loop {
        let slice = replay_outbox_with(client, cache, now, Batches::Sliced, &|_| {}).await?;
        let wait = slice.wait;
        let more = slice.more;
        report.absorb(slice);
        if !more {
            break;
        }
        if let Some(wait) = wait {
            tokio::time::sleep(wait).await;
        }
    }
    report.touched.sort_unstable();
    report.touched.dedup();
    Ok(report)
}

/// Whether a replay sends batch operations (bulk changes, imports).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Batches {
    /// Yes, for at most `BATCH_SLICE` (the outbox sender).
    Sliced,
    /// No: only the user's single changes (a sync round, which must not wait hours).
    Skip,
}

/// Replays what can go now: the single changes, then (`Batches::Sliced`) a batch's operations
/// while the background lane has room, for at most `BATCH_SLICE`; `more` (and `wait`) say
/// that batch operations are left. Calls `on_done` with the number settled so far.
pub async fn replay_outbox_with(
    client: &Client,
    cache: &Mutex<Cache>,
    now: DateTime<Utc>,
    batches: Batches,
    on_done: &(dyn Fn(u64) + Send + Sync),
) -> Result<ReplayReport, SyncError> {
    // A batch's operations go in the background lane, which leaves a fifth of the rate limit
    // to the user's single changes: a bulk change of thousands never uses up the minute.
    let background = client.lane(Lane::Background);
    let mut report = ReplayReport::default();
    let started = Instant::now();
    loop {
        // A batch's operation is taken only when its lane may send all its requests now (an
        // edit: two): one that waited for the budget would hold every single change made
        // meanwhile behind it.
        let mut batch_room = batches == Batches::Sliced;
        let mut wait = None;
        if batch_room {
            wait = client.background_wait(MAX_BATCH_REQUESTS);
            batch_room = wait.is_none();
        }
        let Some(op) = claim_next(cache, batch_room)? else {
            if batches == Batches::Sliced && !batch_room && batch_waiting(cache)? {
                report.more = true;
                report.wait = wait;
            }
            break;
        };
        let client = if op.batch_id.is_some() {
            &background
        } else {
            client
        };
        let r = Replay { client, cache, now };
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
