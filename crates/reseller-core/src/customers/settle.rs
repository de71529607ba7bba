//! What the user does with an operation that did not go through: settle a conflict field by
//! field (keep mine / take theirs), or discard the customer's local changes, which puts back
//! the server's version (re-read from the server as soon as the network allows).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::change::{CustomerChange, CustomerFields, Field};
use super::queue::{change_of, store_row};
use crate::cache::customers::{delete_rows, get_row};
use crate::cache::outbox::{
    delete_conflict, delete_op, get_op, insert_op, ops_for_entity, read_conflicts, set_payload,
    set_state,
};
use crate::cache::{
    Cache, CustomerRow, NewOutboxOp, OutboxEntity, OutboxKind, OutboxState, SyncState,
};
use crate::CoreError;

/// How one conflicting field is settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    KeepMine,
    TakeTheirs,
}

fn busy() -> CoreError {
    CoreError::Busy {
        message: "This change is being sent right now; try again in a moment.".into(),
    }
}

/// Settles one conflicting field of an operation. When the last field is settled the operation
/// goes back in the queue, and is sent on top of the server version it was compared with.
/// Returns the customer as it now shows.
pub fn settle_conflict(
    cache: &Cache,
    op_id: i64,
    field: &str,
    resolution: Resolution,
) -> Result<Option<CustomerRow>, CoreError> {
    let tx = cache.conn().unchecked_transaction()?;
    let gone = || CoreError::NotFound {
        what: "This conflict".into(),
    };
    let op = get_op(&tx, op_id)?.ok_or_else(gone)?;
    let conflict = read_conflicts(&tx, Some(op_id))?
        .into_iter()
        .find(|c| c.field == field)
        .ok_or_else(gone)?;
    let f = Field::parse(field).ok_or_else(gone)?;
    let CustomerChange::Update { base, mut mine } = change_of(&op)? else {
        return Err(gone());
    };
    if resolution == Resolution::TakeTheirs {
        let theirs: CustomerFields = {
            let mut t = mine.clone();
            set_field(&mut t, f, &conflict.theirs)?;
            t
        };
        mine.take(f, &theirs);
        let change = CustomerChange::Update {
            base,
            mine: mine.clone(),
        };
        set_payload(
            &tx,
            op_id,
            &change.to_json(),
            op.base_last_modified.as_ref(),
        )?;
    }
    delete_conflict(&tx, op_id, field)?;
    if read_conflicts(&tx, Some(op_id))?.is_empty() {
        set_state(&tx, op_id, OutboxState::Pending, None, false)?;
    }
    let row = match get_row(&tx, op.entity_id)? {
        Some(mut row) => {
            mine.apply_to(&mut row);
            Some(store_row(&tx, row)?)
        }
        None => None,
    };
    tx.commit()?;
    Ok(row)
}

/// Sets one field from its JSON form (as conflicts store it).
fn set_field(
    fields: &mut CustomerFields,
    f: Field,
    v: &serde_json::Value,
) -> Result<(), CoreError> {
    let bad = || {
        CoreError::Cache(crate::cache::CacheError::Corrupt(format!(
            "conflict value {v}"
        )))
    };
    match f {
        Field::Name => fields.name = v.as_str().ok_or_else(bad)?.to_string(),
        Field::Email => fields.email = v.as_str().ok_or_else(bad)?.to_string(),
        Field::Phone => fields.phone = v.as_str().map(str::to_string),
        Field::IsActive => fields.is_active = v.as_bool().ok_or_else(bad)?,
    }
    Ok(())
}

/// Drops every unsent local change of a customer and puts back the server's version: a
/// never-sent create disappears, an edit or delete is undone, and a refresh is queued so the
/// row is re-read from the server. Returns the customer as it now shows (None: no longer here).
pub fn discard_customer_changes(
    cache: &Cache,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Option<CustomerRow>, CoreError> {
    let tx = cache.conn().unchecked_transaction()?;
    let ops = ops_for_entity(&tx, OutboxEntity::Customer, id)?;
    let Some(first) = ops.first() else {
        return Ok(get_row(&tx, id)?);
    };
    if ops.iter().any(|o| o.state == OutboxState::InFlight) {
        return Err(busy());
    }
    let first_change = change_of(first)?;
    let base_time = first.base_last_modified;
    for o in &ops {
        delete_op(&tx, o.op_id)?;
    }
    let restored = match first_change {
        CustomerChange::Create { .. } => {
            delete_rows(&tx, &[id])?;
            None
        }
        CustomerChange::Update { base, .. } => get_row(&tx, id)?.map(|mut row| {
            base.apply_to(&mut row);
            row.last_modified = base_time.unwrap_or(row.last_modified);
            row
        }),
        CustomerChange::Delete {
            base,
            registration_date,
        } => Some(base.row(
            id,
            registration_date,
            base_time.unwrap_or(now),
            SyncState::Synced,
        )),
        CustomerChange::Refresh => get_row(&tx, id)?,
    };
    let restored = match restored {
        Some(row) => {
            insert_op(
                &tx,
                &NewOutboxOp {
                    entity: OutboxEntity::Customer,
                    entity_id: id,
                    kind: OutboxKind::Refresh,
                    payload: CustomerChange::Refresh.to_json(),
                    base_last_modified: None,
                    created_at: now,
                },
            )?;
            Some(store_row(&tx, row)?)
        }
        None => None,
    };
    tx.commit()?;
    Ok(restored)
}
