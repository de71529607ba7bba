//! Replaying customer operations (the contract is `outbox::entity`'s).
//!
//! Before an operation is sent it is marked in flight and its attempt counted, in a committed
//! transaction; its outcome is applied in another. Whatever stops the process in between (a
//! lost answer, a crash, a kill), the next replay finds the operation in flight and first finds
//! out what the server did: a create looks its customer up by email before any resend, an
//! update re-reads the record and merges (a PUT that landed merges to "already applied"), a
//! delete that finds nothing is done.
//!
//! The decisions are `super::merge`'s (pure); this module does the I/O and keeps the
//! cache lock only between awaits.

use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use rusqlite::Connection;
use scriptix_api::{ApiError, Client, Customer, CustomerInput, CustomerQuery};

use super::change::{describe, CustomerChange, CustomerFields, Customers};
use super::merge::{adopt_created, plan_update, Candidate, UpdatePlan};
use crate::cache::customers::{delete_rows, get_row, upsert_rows};
use crate::cache::outbox::{
    created_ids, delete_op, entity_sync_state, insert_conflict, ops_for_entity, record_created,
    remap_entity, set_payload, set_state,
};
use crate::cache::{
    Cache, ConflictRow, CustomerRow, OutboxEntity, OutboxKind, OutboxOp, OutboxState, SyncState,
};
use crate::outbox::entity::lock;
use crate::outbox::{Entity, Replay, ReplayReport, Step};
use crate::remote::customer_map::{customer_row, normalize_phone};
use crate::remote::{classify, Outcome, SyncError};

/// How long the ids of created customers are remembered for create reconciliation.
const CREATED_MEMORY_DAYS: i64 = 30;

fn fields_of(c: &Customer) -> CustomerFields {
    CustomerFields {
        name: c.name.clone(),
        email: c.email.clone(),
        phone: c
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(normalize_phone),
        is_active: c.is_active,
    }
}

fn input_of(f: &CustomerFields) -> CustomerInput {
    CustomerInput {
        name: f.name.clone(),
        email: f.email.clone(),
        phone: f.phone.clone(),
        is_active: f.is_active,
    }
}

/// The server's record as a cache row, or the reason it cannot be one (an answer the cache
/// refuses is treated like an unreadable answer: the outcome is checked again next time).
fn server_row(c: &Customer) -> Result<CustomerRow, SyncError> {
    let mut row = customer_row(c).map_err(|reason| {
        SyncError::Api(ApiError::Malformed {
            reason: format!("customer {}: {reason}", c.id),
        })
    })?;
    row.phone = row.phone.as_deref().map(normalize_phone);
    Ok(row)
}

/// Writes the server's version of a customer unless later local operations are waiting on it
/// (then the local fields stay, with the server's dates).
fn apply_server(conn: &Connection, id: i64, server: CustomerRow) -> Result<(), SyncError> {
    let later = ops_for_entity(conn, OutboxEntity::Customer, id)?;
    let row = if later.is_empty() {
        server
    } else {
        match get_row(conn, id)? {
            Some(mut local) => {
                local.registration_date = server.registration_date;
                local.last_modified = server.last_modified;
                local
            }
            // Deleted locally meanwhile: the queued delete will remove it from the server.
            None => return Ok(()),
        }
    };
    let mut row = row;
    row.sync_state = entity_sync_state(conn, OutboxEntity::Customer, id)?;
    upsert_rows(conn, &[row])?;
    Ok(())
}

/// Marks an operation failed with the server's words; its row shows it. A failed delete puts
/// the customer back, so the user sees what was not deleted and why.
fn fail(
    conn: &Connection,
    op: &OutboxOp,
    change: &CustomerChange,
    reason: &str,
) -> Result<(), SyncError> {
    set_state(conn, op.op_id, OutboxState::Failed, Some(reason), false)?;
    let row = match (get_row(conn, op.entity_id)?, change) {
        (Some(row), _) => Some(row),
        (
            None,
            CustomerChange::Delete {
                base,
                registration_date,
            },
        ) => Some(base.row(
            op.entity_id,
            *registration_date,
            op.base_last_modified.unwrap_or(op.created_at),
            SyncState::Failed,
        )),
        (None, _) => None,
    };
    if let Some(mut row) = row {
        row.sync_state = entity_sync_state(conn, OutboxEntity::Customer, op.entity_id)?;
        upsert_rows(conn, &[row])?;
    }
    Ok(())
}

impl Entity for Customers {
    const ENTITY: OutboxEntity = OutboxEntity::Customer;
    type Change = CustomerChange;

    fn kind(change: &CustomerChange) -> OutboxKind {
        change.kind()
    }

    fn describe(change: &CustomerChange) -> String {
        describe(change)
    }

    /// A refused customer operation fails with the server's words and its row shows it (a
    /// refused delete puts the customer back).
    async fn replay(
        r: &Replay<'_>,
        op: &OutboxOp,
        change: CustomerChange,
        report: &mut ReplayReport,
    ) -> Result<Step, SyncError> {
        let (client, cache, now) = (r.client, r.cache, r.now);
        let result = match &change {
            CustomerChange::Create { fields } => {
                replay_create(client, cache, op, fields, now, report).await
            }
            CustomerChange::Update { base, mine } => {
                replay_update(client, cache, op, base, mine).await
            }
            CustomerChange::Delete { .. } => replay_delete(client, cache, op).await,
            CustomerChange::Refresh => replay_refresh(client, cache, op).await,
        };
        let step = match result {
            Ok(step) => step,
            Err(ApiFailure::Refused(reason)) => {
                let cache = lock(cache)?;
                let tx = cache.conn().unchecked_transaction()?;
                fail(&tx, op, &change, &reason)?;
                tx.commit()?;
                Step::Failed
            }
            Err(ApiFailure::Stop(e)) => return Err(e),
        };
        report.touched.push(op.entity_id);
        Ok(step)
    }
}

enum ApiFailure {
    Refused(String),
    Stop(SyncError),
}

impl From<SyncError> for ApiFailure {
    fn from(e: SyncError) -> Self {
        ApiFailure::Stop(e)
    }
}

impl From<ApiError> for ApiFailure {
    fn from(e: ApiError) -> Self {
        match classify(e) {
            Outcome::Refused(reason) => ApiFailure::Refused(reason),
            Outcome::Stop(e) => ApiFailure::Stop(SyncError::Api(e)),
        }
    }
}

impl From<crate::cache::CacheError> for ApiFailure {
    fn from(e: crate::cache::CacheError) -> Self {
        ApiFailure::Stop(SyncError::Cache(e))
    }
}

impl From<rusqlite::Error> for ApiFailure {
    fn from(e: rusqlite::Error) -> Self {
        ApiFailure::Stop(SyncError::Cache(e.into()))
    }
}

async fn replay_create(
    client: &Client,
    cache: &Mutex<Cache>,
    op: &OutboxOp,
    fields: &CustomerFields,
    now: DateTime<Utc>,
    report: &mut ReplayReport,
) -> Result<Step, ApiFailure> {
    // Sent before with no known outcome: the server may have it already.
    if op.state == OutboxState::InFlight || op.attempts > 0 {
        let listed = client
            .list_customers(&CustomerQuery {
                limit: Some(100),
                filters: vec![("email".into(), fields.email.clone())],
                ..CustomerQuery::default()
            })
            .await?;
        let candidates: Vec<Candidate> = listed
            .items
            .iter()
            .map(|c| Candidate {
                id: c.id,
                fields: fields_of(c),
            })
            .collect();
        let claimed = created_ids(
            lock(cache)?.conn(),
            &(now - Duration::days(CREATED_MEMORY_DAYS)),
        )?;
        if let Some(id) = adopt_created(fields, &candidates, &claimed) {
            let found = listed
                .items
                .iter()
                .find(|c| c.id == id)
                .expect("candidate listed");
            complete_create(cache, op, found, now, report)?;
            report.adopted += 1;
            return Ok(Step::Done);
        }
    }
    let created = client.create_customer(&input_of(fields)).await?;
    complete_create(cache, op, &created, now, report)?;
    Ok(Step::Done)
}

/// The create is on the server as `server`: the local row takes its id, later operations
/// follow it, and the id is remembered so no other create adopts it.
fn complete_create(
    cache: &Mutex<Cache>,
    op: &OutboxOp,
    server: &Customer,
    now: DateTime<Utc>,
    report: &mut ReplayReport,
) -> Result<(), SyncError> {
    let row = server_row(server)?;
    let cache = lock(cache)?;
    let tx = cache.conn().unchecked_transaction()?;
    let local_id = op.entity_id;
    record_created(&tx, server.id, &now)?;
    delete_op(&tx, op.op_id)?;
    let local = get_row(&tx, local_id)?;
    if local_id != server.id {
        remap_entity(&tx, OutboxEntity::Customer, local_id, server.id)?;
        delete_rows(&tx, &[local_id])?;
        if let Some(mut local) = local {
            // Keep what is local until later operations settle; take the server's id and dates.
            local.id = server.id;
            upsert_rows(&tx, &[local])?;
        }
    }
    apply_server(&tx, server.id, row)?;
    tx.commit()?;
    if local_id != server.id {
        report.remapped.push((local_id, server.id));
    }
    report.touched.push(server.id);
    Ok(())
}

async fn replay_update(
    client: &Client,
    cache: &Mutex<Cache>,
    op: &OutboxOp,
    base: &CustomerFields,
    mine: &CustomerFields,
) -> Result<Step, ApiFailure> {
    let server = match client.get_customer(op.entity_id).await {
        Ok(c) => c,
        Err(ApiError::NotFound { .. }) => {
            return Err(ApiFailure::Refused(
                "This organisation was deleted on the server. Discard your change to remove it here too."
                    .into(),
            ))
        }
        Err(e) => return Err(e.into()),
    };
    let theirs = fields_of(&server);
    match plan_update(
        base,
        op.base_last_modified,
        mine,
        &theirs,
        server.last_modified,
    ) {
        UpdatePlan::AlreadyApplied => {
            finish(cache, op, &server)?;
            Ok(Step::Done)
        }
        UpdatePlan::Send(fields) => {
            let answer = client
                .update_customer(op.entity_id, &input_of(&fields))
                .await?;
            finish(cache, op, &answer)?;
            Ok(Step::Done)
        }
        UpdatePlan::Conflict { merged, fields } => {
            let row = server_row(&server)?;
            let cache = lock(cache)?;
            let tx = cache.conn().unchecked_transaction()?;
            // From now on the edit is based on the server version it was compared with; the
            // conflicting fields wait for the user.
            let change = CustomerChange::Update {
                base: theirs.clone(),
                mine: merged.clone(),
            };
            set_payload(
                &tx,
                op.op_id,
                &change.to_json(),
                Some(&server.last_modified),
            )?;
            for f in &fields {
                insert_conflict(
                    &tx,
                    &ConflictRow {
                        op_id: op.op_id,
                        field: f.as_str().into(),
                        mine: merged.get(*f),
                        theirs: theirs.get(*f),
                    },
                )?;
            }
            set_state(&tx, op.op_id, OutboxState::Conflict, None, false)?;
            if let Some(mut local) = get_row(&tx, op.entity_id)? {
                merged.apply_to(&mut local);
                local.last_modified = row.last_modified;
                local.sync_state = entity_sync_state(&tx, OutboxEntity::Customer, op.entity_id)?;
                upsert_rows(&tx, &[local])?;
            }
            tx.commit()?;
            Ok(Step::Conflict)
        }
    }
}

/// Finishes an update or refresh with the server's record.
fn finish(cache: &Mutex<Cache>, op: &OutboxOp, server: &Customer) -> Result<(), SyncError> {
    let row = server_row(server)?;
    let cache = lock(cache)?;
    let tx = cache.conn().unchecked_transaction()?;
    delete_op(&tx, op.op_id)?;
    apply_server(&tx, op.entity_id, row)?;
    tx.commit()?;
    Ok(())
}

async fn replay_delete(
    client: &Client,
    cache: &Mutex<Cache>,
    op: &OutboxOp,
) -> Result<Step, ApiFailure> {
    match client.delete_customer(op.entity_id).await {
        // Gone either way: deleted now, or by an earlier attempt whose answer was lost.
        Ok(()) | Err(ApiError::NotFound { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    finish_gone(cache, op)?;
    Ok(Step::Done)
}

/// Finishes an operation whose customer is no longer on the server: the row goes too, unless
/// later operations still need it.
fn finish_gone(cache: &Mutex<Cache>, op: &OutboxOp) -> Result<(), SyncError> {
    let cache = lock(cache)?;
    let tx = cache.conn().unchecked_transaction()?;
    delete_op(&tx, op.op_id)?;
    if ops_for_entity(&tx, OutboxEntity::Customer, op.entity_id)?.is_empty() {
        delete_rows(&tx, &[op.entity_id])?;
    }
    tx.commit()?;
    Ok(())
}

async fn replay_refresh(
    client: &Client,
    cache: &Mutex<Cache>,
    op: &OutboxOp,
) -> Result<Step, ApiFailure> {
    match client.get_customer(op.entity_id).await {
        Ok(server) => finish(cache, op, &server)?,
        Err(ApiError::NotFound { .. }) => finish_gone(cache, op)?,
        Err(e) => return Err(e.into()),
    }
    Ok(Step::Done)
}
