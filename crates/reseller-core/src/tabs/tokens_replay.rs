//! Replaying queued token revokes (the contract is `sync::replay_details`'s). A revoke is a
//! DELETE: when it finds nothing (a 404, which a gap route reports as "not offered"), the
//! customer's list tells whether the token is gone (done: an earlier attempt's answer was lost,
//! or it was revoked elsewhere) or the feature or the customer is.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use scriptix_api::{ApiError, Client};

use super::manage::{done, refuse, unreadable, why_missing};
use super::tokens::TokenChange;
use crate::cache::{Cache, OutboxOp};
use crate::sync::replay_details::{fail, DetailStep};
use crate::sync::SyncError;

pub(crate) async fn replay(
    client: &Client,
    cache: &Mutex<Cache>,
    op: &OutboxOp,
    _now: DateTime<Utc>,
) -> Result<DetailStep, SyncError> {
    let TokenChange::Revoke { token_id, .. } = match TokenChange::from_op(op) {
        Ok(c) => c,
        Err(e) => return unreadable(cache, op, e),
    };
    let customer = op.entity_id;
    let forget = |c: &Cache| {
        let mut rows = c.tokens(customer)?;
        rows.retain(|t| t.id != token_id);
        c.replace_tokens(customer, &rows)
    };
    match client.revoke_customer_token(customer, token_id).await {
        Ok(()) => done(cache, op, forget),
        Err(ApiError::NotSupported { .. } | ApiError::NotFound { .. }) => {
            match client.customer_tokens(customer).await {
                Ok(listed) if listed.iter().all(|t| t.id != token_id) => done(cache, op, forget),
                Ok(_) => fail(
                    cache,
                    op,
                    "The server did not revoke this token; discard this change and try again.",
                ),
                Err(ApiError::NotSupported { .. }) => {
                    let reason = why_missing(client, customer, false).await?;
                    fail(cache, op, reason.as_deref().unwrap_or("Not available"))
                }
                Err(e) => refuse(cache, op, e),
            }
        }
        Err(e) => refuse(cache, op, e),
    }
}
