//! What the managed tabs' replays (subscriptions, tokens, users) share: finishing an operation
//! with the server's rows, and the "gone or not offered" question a gap route's 404 leaves open.

use std::sync::Mutex;

use scriptix_api::{ApiError, Client};

use crate::cache::outbox::delete_op;
use crate::cache::{Cache, OutboxOp};
use crate::outbox::entity::{lock, Step};
use crate::outbox::{rebase, server_rows, set_server_rows, ShownRows};
use crate::remote::SyncError;

/// Finishes an operation of `E`: it is deleted, the customer's server rows are changed by
/// `apply` (the server's answer), and what the rows show is rebuilt from them, in one
/// transaction.
pub(crate) fn done<E: ShownRows>(
    cache: &Mutex<Cache>,
    op: &OutboxOp,
    apply: impl FnOnce(&mut Vec<E::Row>),
) -> Result<Step, SyncError> {
    let cache = lock(cache)?;
    cache.in_transaction(|c| {
        delete_op(c.conn(), op.op_id)?;
        // The customer may have left the cache meanwhile: then there are no rows to change,
        // and what was kept for them goes once nothing waits for them.
        if c.get_customer(op.entity_id)?.is_some() {
            let mut rows = server_rows::<E>(c, op.entity_id)?;
            apply(&mut rows);
            set_server_rows::<E>(c, op.entity_id, rows)
        } else {
            rebase::<E>(c, op.entity_id)
        }
    })?;
    Ok(Step::Done)
}

/// Puts the server's version of one row into `rows`, in id order.
pub(crate) fn keep<R>(rows: &mut Vec<R>, row: R, id: impl Fn(&R) -> i64) {
    let new = id(&row);
    rows.retain(|r| id(r) != new);
    rows.push(row);
    rows.sort_by_key(|r| id(r));
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
