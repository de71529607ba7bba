//! Replaying queued user changes (the contract is `sync::replay_details`'s).
//!
//! A create (POST) that may have reached the server before (in flight, or attempted) first
//! looks the user up by email and adopts it. An update is a PUT of the whole user: sending it
//! again is harmless. A reactivation is a PUT (active again) and the "send reactivation link"
//! POST; when it may have been sent before, a link sent after the change was made means done.
//! A delete that finds nothing is done. A gap route's 404 is "not offered" to the client, so
//! the customer's list tells whether the user is gone or the feature (or customer) is.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use scriptix_api::{ApiError, Client, CustomerUser, UserInput, UserUpdate};

use super::manage::{done, refuse, unreadable, why_missing};
use super::users::{UserChange, UserFields};
use crate::cache::{Cache, CacheResult, OutboxOp, OutboxState};
use crate::sync::detail_map::user_row;
use crate::sync::replay_details::{fail, DetailStep};
use crate::sync::SyncError;

const GONE: &str = "This user is no longer on the server; discard this change.";

pub(crate) async fn replay(
    client: &Client,
    cache: &Mutex<Cache>,
    op: &OutboxOp,
    now: DateTime<Utc>,
) -> Result<DetailStep, SyncError> {
    let change = match UserChange::from_op(op) {
        Ok(c) => c,
        Err(e) => return unreadable(cache, op, e),
    };
    let customer = op.entity_id;
    let maybe_sent = op.state == OutboxState::InFlight || op.attempts > 0;
    match change {
        UserChange::Create { fields } => {
            if maybe_sent {
                let listed = match list(client, cache, op).await? {
                    Ok(l) => l,
                    Err(step) => return Ok(step),
                };
                if let Some(found) = listed
                    .iter()
                    .find(|u| u.email.eq_ignore_ascii_case(&fields.email))
                {
                    tracing::info!(
                        op = op.op_id,
                        id = found.id,
                        "adopted a user whose answer was lost"
                    );
                    return done(cache, op, |c| keep_row(c, customer, found));
                }
            }
            let input = UserInput {
                email: fields.email,
                first_name: fields.first_name,
                last_name: fields.last_name,
                roles: fields.roles,
            };
            match client.create_customer_user(customer, &input).await {
                Ok(u) => done(cache, op, |c| keep_row(c, customer, &u)),
                Err(ApiError::NotSupported { .. }) => not_offered(client, cache, op).await,
                Err(e) => refuse(cache, op, e),
            }
        }
        UserChange::Update {
            user_id,
            fields,
            is_active,
        } => match put(client, customer, user_id, &fields, is_active).await {
            Ok(u) => done(cache, op, |c| keep_row(c, customer, &u)),
            Err(ApiError::NotSupported { .. }) => record_missing(client, cache, op).await,
            Err(e) => refuse(cache, op, e),
        },
        UserChange::Reactivate { user_id, fields } => {
            if maybe_sent {
                let listed = match list(client, cache, op).await? {
                    Ok(l) => l,
                    Err(step) => return Ok(step),
                };
                match listed.iter().find(|u| u.id == user_id) {
                    None => return fail(cache, op, GONE),
                    Some(u)
                        if u.is_active
                            && u.reactivation_sent_at.is_some_and(|t| t >= op.created_at) =>
                    {
                        return done(cache, op, |c| keep_row(c, customer, u));
                    }
                    Some(_) => {}
                }
            }
            let user = match put(client, customer, user_id, &fields, true).await {
                Ok(u) => u,
                Err(ApiError::NotSupported { .. }) => {
                    return record_missing(client, cache, op).await
                }
                Err(e) => return refuse(cache, op, e),
            };
            match client.reactivate_customer_user(customer, user_id).await {
                Ok(()) => done(cache, op, |c| {
                    let mut u = user.clone();
                    u.reactivation_sent_at = Some(now);
                    keep_row(c, customer, &u)
                }),
                Err(ApiError::NotSupported { .. }) => record_missing(client, cache, op).await,
                Err(e) => refuse(cache, op, e),
            }
        }
        UserChange::Delete { user_id, .. } => {
            let forget = |c: &Cache| {
                let mut rows = c.users(customer)?;
                rows.retain(|u| u.id != user_id);
                c.replace_users(customer, &rows)
            };
            match client.delete_customer_user(customer, user_id).await {
                Ok(()) => done(cache, op, forget),
                Err(ApiError::NotSupported { .. } | ApiError::NotFound { .. }) => {
                    let listed = match list(client, cache, op).await? {
                        Ok(l) => l,
                        Err(step) => return Ok(step),
                    };
                    if listed.iter().any(|u| u.id == user_id) {
                        fail(cache, op, "The server did not delete this user; discard this change and try again.")
                    } else {
                        // Gone: deleted by an earlier attempt whose answer was lost, or elsewhere.
                        done(cache, op, forget)
                    }
                }
                Err(e) => refuse(cache, op, e),
            }
        }
    }
}

async fn put(
    client: &Client,
    customer: i64,
    user_id: i64,
    f: &UserFields,
    is_active: bool,
) -> Result<CustomerUser, ApiError> {
    let update = UserUpdate {
        email: f.email.clone(),
        first_name: f.first_name.clone(),
        last_name: f.last_name.clone(),
        roles: f.roles.clone(),
        is_active,
    };
    client
        .update_customer_user(customer, user_id, &update)
        .await
}

/// The customer's users, or the step the operation ended with when they cannot be listed.
async fn list(
    client: &Client,
    cache: &Mutex<Cache>,
    op: &OutboxOp,
) -> Result<Result<Vec<CustomerUser>, DetailStep>, SyncError> {
    match client.customer_users(op.entity_id).await {
        Ok(l) => Ok(Ok(l)),
        Err(ApiError::NotSupported { .. }) => Ok(Err(not_offered(client, cache, op).await?)),
        Err(e) => Ok(Err(refuse(cache, op, e)?)),
    }
}

/// The users route answered 404 as a whole: the feature or the customer is missing.
async fn not_offered(
    client: &Client,
    cache: &Mutex<Cache>,
    op: &OutboxOp,
) -> Result<DetailStep, SyncError> {
    let reason = why_missing(client, op.entity_id, false).await?;
    fail(cache, op, reason.as_deref().unwrap_or("Not available"))
}

/// One user's route answered 404: the user is gone, or the feature or customer is.
async fn record_missing(
    client: &Client,
    cache: &Mutex<Cache>,
    op: &OutboxOp,
) -> Result<DetailStep, SyncError> {
    match list(client, cache, op).await? {
        Ok(_) => fail(cache, op, GONE),
        Err(step) => Ok(step),
    }
}

/// Puts the server's version of one user into the cached rows.
fn keep_row(cache: &Cache, customer: i64, u: &CustomerUser) -> CacheResult<()> {
    let Ok(row) = user_row(u) else {
        return Ok(()); // the next refresh reports it; the server has it either way
    };
    let mut rows = cache.users(customer)?;
    rows.retain(|r| r.id != row.id);
    rows.push(row);
    rows.sort_by_key(|r| r.id);
    cache.replace_users(customer, &rows)
}
