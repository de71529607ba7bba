//! Local edits: validate, then in one transaction apply the change to the cached row and queue
//! it in the outbox. The screen shows the result at once; the replay sends it later.
//!
//! Consecutive edits of one customer that have not been sent yet are folded into one operation
//! (a create edited offline stays one create; a delete of a never-sent create cancels it), so the
//! server sees the user's intent, not every keystroke of it.

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::change::{CustomerChange, CustomerFields};
use crate::cache::customers::{delete_rows, get_row, update_changed, upsert_rows};
use crate::cache::outbox::{
    delete_op, entity_sync_state, insert_op, next_local_id, ops_for_entity, set_payload, set_state,
};
use crate::cache::{
    Cache, CustomerRow, NewOutboxOp, OutboxEntity, OutboxKind, OutboxOp, OutboxState, SyncState,
};
use crate::validation::{validate_customer, CustomerDraft};
use crate::CoreError;

/// A customer form as the user filled it in (raw text; validated here).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerForm {
    pub name: String,
    pub email: String,
    /// Empty for no phone.
    #[serde(default)]
    pub phone: String,
    /// `isActive` on the wire (IPC is camelCase); `is_active` still read.
    #[serde(default = "active", alias = "isActive")]
    pub is_active: bool,
}

fn active() -> bool {
    true
}

impl CustomerForm {
    /// The validated, normalised fields, or every field's problem.
    pub fn validated(&self) -> Result<CustomerFields, CoreError> {
        let valid = validate_customer(&CustomerDraft {
            name: &self.name,
            email: &self.email,
            phone: &self.phone,
        })
        .map_err(|errors| CoreError::Invalid { errors })?;
        Ok(CustomerFields {
            name: valid.name,
            email: valid.email,
            phone: valid.phone.map(|p| p.e164),
            is_active: self.is_active,
        })
    }
}

fn op(
    id: i64,
    change: &CustomerChange,
    base: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> NewOutboxOp {
    NewOutboxOp {
        entity: OutboxEntity::Customer,
        entity_id: id,
        kind: change.kind(),
        payload: change.to_json(),
        base_last_modified: base,
        created_at: now,
    }
}

pub(crate) fn change_of(op: &OutboxOp) -> Result<CustomerChange, CoreError> {
    CustomerChange::from_json(&op.payload).map_err(|e| {
        CoreError::Cache(crate::cache::CacheError::Corrupt(format!(
            "operation {}: {e}",
            op.op_id
        )))
    })
}

fn not_found() -> CoreError {
    CoreError::NotFound {
        what: "This organisation".into(),
    }
}

/// Sets the row's sync state from its unfinished operations and writes it.
pub(crate) fn store_row(conn: &Connection, mut row: CustomerRow) -> Result<CustomerRow, CoreError> {
    row.sync_state = entity_sync_state(conn, OutboxEntity::Customer, row.id)?;
    upsert_rows(conn, std::slice::from_ref(&row))?;
    Ok(row)
}

/// `store_row` for an edit of a stored row (`before`, as read): writes only what changed.
fn store_edit(
    conn: &Connection,
    before: &CustomerRow,
    mut row: CustomerRow,
) -> Result<CustomerRow, CoreError> {
    row.sync_state = entity_sync_state(conn, OutboxEntity::Customer, row.id)?;
    update_changed(conn, before, &row)?;
    Ok(row)
}

/// Creates a customer locally (a negative id until the server assigns one) and queues it.
pub fn create_customer(
    cache: &Cache,
    form: &CustomerForm,
    now: DateTime<Utc>,
) -> Result<CustomerRow, CoreError> {
    let fields = form.validated()?;
    let tx = cache.conn().unchecked_transaction()?;
    let (row, _) = create_in(&tx, &fields, now)?;
    tx.commit()?;
    Ok(row)
}

/// `create_customer`'s writes, inside the caller's transaction: the row and its operation's id.
pub(crate) fn create_in(
    conn: &Connection,
    fields: &CustomerFields,
    now: DateTime<Utc>,
) -> Result<(CustomerRow, i64), CoreError> {
    let id = next_local_id(conn, OutboxEntity::Customer)?;
    let change = CustomerChange::Create {
        fields: fields.clone(),
    };
    let op_id = insert_op(conn, &op(id, &change, None, now))?;
    let mut row = CustomerRow {
        id,
        name: String::new(),
        email: String::new(),
        phone: None,
        is_active: true,
        registration_date: now,
        last_modified: now,
        sync_state: SyncState::Pending,
    };
    fields.apply_to(&mut row);
    Ok((store_row(conn, row)?, op_id))
}

/// Edits a customer locally and queues the edit. Editing a failed operation's customer fixes
/// it (the operation is sent again with the new values). Nothing changes when the form equals
/// what is stored.
pub fn update_customer(
    cache: &Cache,
    id: i64,
    form: &CustomerForm,
    now: DateTime<Utc>,
) -> Result<CustomerRow, CoreError> {
    let fields = form.validated()?;
    let tx = cache.conn().unchecked_transaction()?;
    let (row, _) = update_in(&tx, id, &fields, now)?;
    tx.commit()?;
    Ok(row)
}

/// `update_customer`'s writes, inside the caller's transaction, with validated fields: the row
/// as it now shows and the operation that carries the edit (None: nothing to send, because
/// nothing changed or the edit undid the unsent one).
pub(crate) fn update_in(
    tx: &Connection,
    id: i64,
    fields: &CustomerFields,
    now: DateTime<Utc>,
) -> Result<(CustomerRow, Option<i64>), CoreError> {
    let mut row = get_row(tx, id)?.ok_or_else(not_found)?;
    let current = CustomerFields::of(&row);
    if *fields == current {
        return Ok((row, None));
    }
    let stored = row.clone();
    let ops = ops_for_entity(tx, OutboxEntity::Customer, id)?;
    if ops.iter().any(|o| o.kind == OutboxKind::Delete) {
        return Err(CoreError::Busy {
            message: "This organisation is being deleted; it can no longer be edited.".into(),
        });
    }
    // Fold into the newest operation when it has not been sent yet.
    let mut carried = None;
    let folded = match ops.last() {
        Some(last) if last.state != OutboxState::InFlight => match change_of(last)? {
            CustomerChange::Create { .. } => {
                let change = CustomerChange::Create {
                    fields: fields.clone(),
                };
                set_payload(tx, last.op_id, &change.to_json(), None)?;
                Some(last)
            }
            // Edited back to what the server has: nothing is left to send.
            CustomerChange::Update { base, .. }
                if base == *fields && last.state != OutboxState::Conflict =>
            {
                delete_op(tx, last.op_id)?;
                if let Some(base_time) = last.base_last_modified {
                    row.last_modified = base_time;
                }
                None
            }
            CustomerChange::Update { base, .. } => {
                let change = CustomerChange::Update {
                    base,
                    mine: fields.clone(),
                };
                set_payload(
                    tx,
                    last.op_id,
                    &change.to_json(),
                    last.base_last_modified.as_ref(),
                )?;
                refresh_conflicts(tx, last, fields)?;
                Some(last)
            }
            CustomerChange::Delete { .. } | CustomerChange::Refresh => {
                carried = Some(insert_update(tx, id, &current, fields, &ops, &row, now)?);
                None
            }
        },
        _ => {
            carried = Some(insert_update(tx, id, &current, fields, &ops, &row, now)?);
            None
        }
    };
    match folded {
        // A failed operation edited again is fixed: it goes back in the queue.
        Some(last) if last.state == OutboxState::Failed => {
            set_state(tx, last.op_id, OutboxState::Pending, None, false)?;
            carried = Some(last.op_id);
        }
        Some(last) => carried = Some(last.op_id),
        None => {}
    }
    fields.apply_to(&mut row);
    let row = store_edit(tx, &stored, row)?;
    Ok((row, carried))
}

/// Queues an edit on top of what the row shows. On top of nothing local: based on the server
/// version the row shows. On top of an operation in flight (or a pending refresh): no base
/// time, merged on replay.
fn insert_update(
    tx: &Connection,
    id: i64,
    current: &CustomerFields,
    fields: &CustomerFields,
    ops: &[OutboxOp],
    row: &CustomerRow,
    now: DateTime<Utc>,
) -> Result<i64, CoreError> {
    let base_time = ops.is_empty().then_some(row.last_modified);
    let change = CustomerChange::Update {
        base: current.clone(),
        mine: fields.clone(),
    };
    Ok(insert_op(tx, &op(id, &change, base_time, now))?)
}

/// A conflicting field the user edits again keeps the conflict, showing the new value as mine.
fn refresh_conflicts(
    conn: &Connection,
    op: &OutboxOp,
    mine: &CustomerFields,
) -> Result<(), CoreError> {
    if op.state != OutboxState::Conflict {
        return Ok(());
    }
    for mut c in crate::cache::outbox::read_conflicts(conn, Some(op.op_id))? {
        if let Some(f) = super::change::Field::parse(&c.field) {
            c.mine = mine.get(f);
            crate::cache::outbox::insert_conflict(conn, &c)?;
        }
    }
    Ok(())
}

/// Deletes a customer locally (the row goes at once) and queues the delete. A create that was
/// never sent is simply cancelled; unsent edits are dropped, since the delete supersedes them.
pub fn delete_customer(cache: &Cache, id: i64, now: DateTime<Utc>) -> Result<(), CoreError> {
    let tx = cache.conn().unchecked_transaction()?;
    delete_in(&tx, id, now)?;
    tx.commit()?;
    Ok(())
}

/// `delete_customer`'s writes, inside the caller's transaction: the delete's operation (None: a
/// never-sent create was cancelled, nothing to send).
pub(crate) fn delete_in(
    tx: &Connection,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Option<i64>, CoreError> {
    let row = get_row(tx, id)?.ok_or_else(not_found)?;
    let ops = ops_for_entity(tx, OutboxEntity::Customer, id)?;
    let in_flight = ops.iter().any(|o| o.state == OutboxState::InFlight);
    let unsent_create = ops.first().is_some_and(|o| {
        o.kind == OutboxKind::Create
            && (o.state == OutboxState::Failed
                || (o.state == OutboxState::Pending && o.attempts == 0))
    });
    let op_id = if unsent_create {
        // The server never had it: nothing to send.
        for o in &ops {
            delete_op(tx, o.op_id)?;
        }
        None
    } else {
        // The base to restore if the delete fails: what the server had before local edits.
        let mut base = CustomerFields::of(&row);
        let mut base_time = Some(row.last_modified);
        for o in ops.iter().filter(|o| o.state != OutboxState::InFlight) {
            if o.op_id == ops[0].op_id {
                if let CustomerChange::Update { base: b, .. } = change_of(o)? {
                    base = b;
                    base_time = o.base_last_modified;
                }
            }
            delete_op(tx, o.op_id)?;
        }
        if in_flight {
            base_time = None;
        }
        let change = CustomerChange::Delete {
            base,
            registration_date: row.registration_date,
        };
        Some(insert_op(tx, &op(id, &change, base_time, now))?)
    };
    delete_rows(tx, &[id])?;
    Ok(op_id)
}
