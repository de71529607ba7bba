//! Replaying queued subscription changes (the contract is `outbox::entity`'s).
//!
//! A create is a POST, which must not reach the server twice. Before its first send the
//! customer's subscription ids are listed and recorded in the payload (committed); the POST
//! follows. Whenever the payload already has that record, an earlier attempt may have created
//! it: a subscription with its SKU that was not there before is adopted instead of sending
//! again. An auto-renew switch is a PUT of one field: sending it again is harmless.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use scriptix_api::{ApiError, Client, Subscription, SubscriptionInput};

use super::gap::{done, keep, why_missing};
use super::subscriptions::{describe, SubscriptionChange, Subscriptions};
use crate::cache::outbox::set_payload;
use crate::cache::{Cache, OutboxEntity, OutboxKind, OutboxOp, SubscriptionRow};
use crate::outbox::entity::lock;
use crate::outbox::{fail, refuse, Entity, Replay, ReplayReport, Step};
use crate::remote::detail_map::subscription_row;
use crate::remote::SyncError;

impl Entity for Subscriptions {
    const ENTITY: OutboxEntity = OutboxEntity::Subscription;
    type Change = SubscriptionChange;

    fn kind(change: &SubscriptionChange) -> OutboxKind {
        change.kind()
    }

    fn describe(change: &SubscriptionChange) -> String {
        describe(change)
    }

    async fn replay(
        r: &Replay<'_>,
        op: &OutboxOp,
        change: SubscriptionChange,
        _report: &mut ReplayReport,
    ) -> Result<Step, SyncError> {
        send(r.client, r.cache, op, change, r.now).await
    }
}

async fn send(
    client: &Client,
    cache: &Mutex<Cache>,
    op: &OutboxOp,
    change: SubscriptionChange,
    _now: DateTime<Utc>,
) -> Result<Step, SyncError> {
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
                        return done::<Subscriptions>(cache, op, |rows| keep_row(rows, found));
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
                Ok(created) => done::<Subscriptions>(cache, op, |rows| keep_row(rows, &created)),
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
            Ok(s) => done::<Subscriptions>(cache, op, |rows| keep_row(rows, &s)),
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
) -> Result<Step, SyncError> {
    match e {
        ApiError::NotSupported { .. } => {
            let reason = why_missing(client, op.entity_id, false).await?;
            fail(cache, op, reason.as_deref().unwrap_or("Not available"))
        }
        e => refuse(cache, op, e),
    }
}

/// Puts the server's version of one subscription into its server rows.
fn keep_row(rows: &mut Vec<SubscriptionRow>, s: &Subscription) {
    // One the cache refuses is left out: the next refresh reports it; the server has it either way.
    if let Ok(row) = subscription_row(s) {
        keep(rows, row, |r| r.id);
    }
}
