//! Replaying queued token revokes (the contract is `outbox::entity`'s). A revoke is a
//! DELETE: when it finds nothing (a 404, which a gap route reports as "not offered"), the
//! customer's list tells whether the token is gone (done: an earlier attempt's answer was lost,
//! or it was revoked elsewhere) or the feature or the customer is.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use scriptix_api::{ApiError, Client};

use super::gap::{done, why_missing};
use super::tokens::{describe, TokenChange, Tokens};
use crate::cache::{Cache, OutboxEntity, OutboxKind, OutboxOp, TokenRow};
use crate::outbox::{fail, refuse, Entity, Replay, ReplayReport, Step};
use crate::remote::SyncError;

impl Entity for Tokens {
    const ENTITY: OutboxEntity = OutboxEntity::CustomerToken;
    type Change = TokenChange;

    fn kind(change: &TokenChange) -> OutboxKind {
        change.kind()
    }

    fn describe(change: &TokenChange) -> String {
        describe(change)
    }

    async fn replay(
        r: &Replay<'_>,
        op: &OutboxOp,
        change: TokenChange,
        _report: &mut ReplayReport,
    ) -> Result<Step, SyncError> {
        send(r.client, r.cache, op, change, r.now).await
    }
}

async fn send(
    client: &Client,
    cache: &Mutex<Cache>,
    op: &OutboxOp,
    change: TokenChange,
    _now: DateTime<Utc>,
) -> Result<Step, SyncError> {
    let TokenChange::Revoke { token_id, .. } = change;
    let customer = op.entity_id;
    let forget = |rows: &mut Vec<TokenRow>| rows.retain(|t| t.id != token_id);
    match client.revoke_customer_token(customer, token_id).await {
        Ok(()) => done::<Tokens>(cache, op, forget),
        Err(ApiError::NotSupported { .. } | ApiError::NotFound { .. }) => {
            match client.customer_tokens(customer).await {
                Ok(listed) if listed.iter().all(|t| t.id != token_id) => {
                    done::<Tokens>(cache, op, forget)
                }
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
