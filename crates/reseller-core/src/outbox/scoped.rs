//! Operations whose `entity_id` is the customer they belong to (a customer's subscriptions,
//! tokens and users): queueing one, reading a customer's, discarding one. One customer's
//! operations on one entity replay in the order they were made, and a refused one holds back
//! the later ones.

use chrono::Utc;

use super::shown::{rebase, ShownRows};
use crate::cache::outbox::{delete_op, insert_op, set_payload};
use crate::cache::{Cache, CacheError, NewOutboxOp, OutboxEntity, OutboxOp, OutboxState};
use crate::context::Context;
use crate::CoreError;

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

/// Queues an operation of `E` on a customer and writes it into the rows it touches, in one
/// transaction (the caller validated it).
pub fn queue_in<E: ShownRows>(
    cache: &Cache,
    customer_id: i64,
    change: &E::Change,
) -> Result<i64, CoreError> {
    require_server_id(customer_id)?;
    if cache.get_customer(customer_id)?.is_none() {
        return Err(CoreError::NotFound {
            what: "This organisation".into(),
        });
    }
    let payload = payload_of::<E>(change)?;
    let tx = cache.conn().unchecked_transaction()?;
    E::validate(cache, customer_id, change)?;
    let op_id = {
        let op_id = insert_op(
            cache.conn(),
            &NewOutboxOp {
                entity: E::ENTITY,
                entity_id: customer_id,
                kind: E::kind(change),
                payload,
                base_last_modified: None,
                created_at: Utc::now(),
            },
        )?;
        rebase::<E>(cache, customer_id)?;
        op_id
    };
    tx.commit()?;
    Ok(op_id)
}

/// Changes (`Some`) or drops (`None`) an operation of `E` that has not been sent, and rebuilds
/// what its rows show, in one transaction.
pub fn rewrite_in<E: ShownRows>(
    cache: &Cache,
    op: &OutboxOp,
    change: Option<&E::Change>,
) -> Result<(), CoreError> {
    let payload = change.map(payload_of::<E>).transpose()?;
    Ok(cache.in_transaction(|c| {
        match &payload {
            Some(payload) => set_payload(c.conn(), op.op_id, payload, None)?,
            None => delete_op(c.conn(), op.op_id)?,
        }
        rebase::<E>(c, E::scope_of(op))
    })?)
}

fn payload_of<E: ShownRows>(change: &E::Change) -> Result<serde_json::Value, CoreError> {
    serde_json::to_value(change).map_err(|e| {
        CoreError::Cache(CacheError::Corrupt(format!(
            "a change that cannot be stored: {e}"
        )))
    })
}

impl Context {
    /// `queue_in` on the account's cache; then tells the engine.
    pub(crate) fn queue_scoped<E: ShownRows>(
        &self,
        customer_id: i64,
        change: &E::Change,
    ) -> Result<i64, CoreError> {
        let op_id = queue_in::<E>(&*self.write()?, customer_id, change)?;
        self.outbox_changed();
        Ok(op_id)
    }

    /// Drops an operation of `E` that is waiting or was refused (its rows show the server's
    /// version again). One being sent right now cannot be taken back.
    pub(crate) fn discard_scoped<E: ShownRows>(&self, op_id: i64) -> Result<(), CoreError> {
        {
            let cache = self.write()?;
            let Some(op) = cache.outbox_op(op_id)? else {
                return Ok(()); // already finished or discarded
            };
            if op.state == OutboxState::InFlight {
                return Err(CoreError::Busy {
                    message: "This change is being sent right now; it can't be taken back.".into(),
                });
            }
            rewrite_in::<E>(&cache, &op, None)?;
        }
        self.outbox_changed();
        Ok(())
    }
}
