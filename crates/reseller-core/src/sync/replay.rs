//! Replaying the outbox against the server, oldest operation first, exactly once: each claimed
//! operation goes to its entity through `outbox::Entity` (the one contract every entity keeps).
//!
//! Before an operation is sent it is marked in flight and its attempt counted, in a committed
//! transaction; its outcome is applied in another. Whatever stops the process in between (a
//! lost answer, a crash, a kill), the next replay finds the operation in flight, and its entity
//! first finds out what the server did before it sends anything again.

use std::sync::Mutex;

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

/// Takes the next operation and marks it in flight (one transaction, so an edit cannot fold
/// into it between the read and the mark). Returns it as it was before the mark.
fn claim_next(cache: &Mutex<Cache>) -> Result<Option<OutboxOp>, SyncError> {
    let cache = lock(cache)?;
    let tx = cache.conn().unchecked_transaction()?;
    let Some(op) = next_runnable(&tx)? else {
        return Ok(None);
    };
    set_state(&tx, op.op_id, OutboxState::InFlight, None, true)?;
    tx.commit()?;
    Ok(Some(op))
}

/// Replays every operation that can go now. Stops at the first error that is not this
/// operation's fault (offline, rate limit, server trouble) and returns it; everything finished
/// before stays finished. `now` stamps what the replay records.
pub async fn replay_outbox(
    client: &Client,
    cache: &Mutex<Cache>,
    now: DateTime<Utc>,
) -> Result<ReplayReport, SyncError> {
    replay_outbox_with(client, cache, now, &|_| {}).await
}

/// `replay_outbox`, calling `on_done` with the number of operations settled so far.
pub async fn replay_outbox_with(
    client: &Client,
    cache: &Mutex<Cache>,
    now: DateTime<Utc>,
    on_done: &(dyn Fn(u64) + Send + Sync),
) -> Result<ReplayReport, SyncError> {
    let r = Replay { client, cache, now };
    let mut report = ReplayReport::default();
    while let Some(op) = claim_next(cache)? {
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
