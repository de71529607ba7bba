//! Replaying queued subscription changes (the contract is `sync::replay_details`'s).
//!
//! A create is a POST, which must not reach the server twice. Before its first send the
//! customer's subscription ids are listed and recorded in the payload (committed); the POST
//! follows. Whenever the payload already has that record, an earlier attempt may have created
//! it: a subscription with its SKU that was not there before is adopted instead of sending
//! again. An auto-renew switch is a PUT of one field: sending it again is harmless.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use scriptix_api::{ApiError, Client, Subscription, SubscriptionInput};

use super::manage::{done, lock, refuse, unreadable, why_missing};
use super::subscriptions::SubscriptionChange;
use crate::cache::outbox::set_payload;
use crate::cache::{Cache, CacheResult, OutboxOp};
use crate::sync::detail_map::subscription_row;
use crate::sync::replay_details::{fail, DetailStep};
use crate::sync::SyncError;

pub(crate) async fn replay(
    client: &Client,
    cache: &Mutex<Cache>,
    op: &OutboxOp,
    _now: DateTime<Utc>,
) -> Result<DetailStep, SyncError> {
    let change = match SubscriptionChange::from_op(op) {
        Ok(c) => c,
        Err(e) => return unreadable(cache, op, e),
    };
    let customer = op.entity_id;
    match change {
        SubscriptionChange::Create {
            sku,
            description,
            payment_model,
            auto_renew,
            before,
        } => {
            let listed = match client.customer_subscriptions(customer).await {
                Ok(l) => l,
                Err(e) => return list_failed(client, cache, op, e).await,
            };
            match before {
                Some(before) => {
                    let adopted = listed
                        .iter()
                        .filter(|s| s.sku == sku && !before.contains(&s.id))
                        .max_by_key(|s| s.id);
                    if let Some(found) = adopted {
                        tracing::info!(
                            op = op.op_id,
                            id = found.id,
                            "adopted a subscription whose answer was lost"
                        );
                        return done(cache, op, |c| keep_row(c, customer, found));
                    }
                }
                None => {
                    let record = SubscriptionChange::Create {
                        sku: sku.clone(),
                        description,
                        payment_model,
                        auto_renew,
                        before: Some(listed.iter().map(|s| s.id).collect()),
                    };
                    set_payload(lock(cache)?.conn(), op.op_id, &record.to_json(), None)?;
                }
            }
            let input = SubscriptionInput { sku, auto_renew };
            match client.create_subscription(customer, &input).await {
                Ok(created) => done(cache, op, |c| keep_row(c, customer, &created)),
                Err(ApiError::NotSupported { .. }) => {
                    let reason = why_missing(client, customer, false).await?;
                    fail(cache, op, reason.as_deref().unwrap_or("Not available"))
                }
                Err(e) => refuse(cache, op, e),
            }
        }
        SubscriptionChange::AutoRenew {
            subscription_id,
            auto_renew,
        } => match client
            .set_subscription_auto_renew(customer, subscription_id, auto_renew)
            .await
        {
            Ok(s) => done(cache, op, |c| keep_row(c, customer, &s)),
            Err(ApiError::NotSupported { .. }) => {
                let list_ok = client.customer_subscriptions(customer).await.is_ok();
                let reason = why_missing(client, customer, list_ok)
                    .await?
                    .unwrap_or_else(|| {
                        "This subscription is no longer on the server; discard this change.".into()
                    });
                fail(cache, op, &reason)
            }
            Err(e) => refuse(cache, op, e),
        },
    }
}

async fn list_failed(
    client: &Client,
    cache: &Mutex<Cache>,
    op: &OutboxOp,
    e: ApiError,
) -> Result<DetailStep, SyncError> {
    match e {
        ApiError::NotSupported { .. } => {
            let reason = why_missing(client, op.entity_id, false).await?;
            fail(cache, op, reason.as_deref().unwrap_or("Not available"))
        }
        e => refuse(cache, op, e),
    }
}

/// Puts the server's version of one subscription into the cached rows.
fn keep_row(cache: &Cache, customer: i64, s: &Subscription) -> CacheResult<()> {
    let Ok(row) = subscription_row(s) else {
        return Ok(()); // the next refresh reports it; the server has it either way
    };
    let mut rows = cache.subscriptions(customer)?;
    rows.retain(|r| r.id != row.id);
    rows.push(row);
    rows.sort_by_key(|r| r.id);
    cache.replace_subscriptions(customer, &rows)
}
