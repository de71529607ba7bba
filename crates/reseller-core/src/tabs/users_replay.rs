//! Replaying queued user changes (the contract is `outbox::entity`'s).
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

use super::gap::{done, keep, why_missing};
use super::users::{describe, UserChange, UserFields, Users};
use crate::cache::{Cache, OutboxEntity, OutboxKind, OutboxOp, OutboxState, UserRow};
use crate::outbox::{fail, refuse, Entity, Replay, ReplayReport, Step};
use crate::remote::detail_map::user_row;
use crate::remote::SyncError;
use crate::validation::FieldError;
use crate::CoreError;

const GONE: &str = "This user is no longer on the server; discard this change.";

impl Entity for Users {
    const ENTITY: OutboxEntity = OutboxEntity::User;
    type Change = UserChange;

    fn kind(change: &UserChange) -> OutboxKind {
        change.kind()
    }

    fn describe(change: &UserChange) -> String {
        describe(change)
    }

    /// A new user's email must not be one the organisation's users (as they show) already have.
    fn validate(cache: &Cache, customer: i64, change: &UserChange) -> Result<(), CoreError> {
        let UserChange::Create { fields } = change else {
            return Ok(());
        };
        let taken = cache
            .users(customer)?
            .iter()
            .any(|u| u.email.eq_ignore_ascii_case(&fields.email));
        if taken {
            return Err(CoreError::Invalid {
                errors: vec![FieldError {
                    field: "email",
                    message: "This organisation already has a user with this email.".into(),
                }],
            });
        }
        Ok(())
    }

    async fn replay(
        r: &Replay<'_>,
        op: &OutboxOp,
        change: UserChange,
        _report: &mut ReplayReport,
    ) -> Result<Step, SyncError> {
        send(r.client, r.cache, op, change, r.now).await
    }
}

async fn send(
    client: &Client,
    cache: &Mutex<Cache>,
    op: &OutboxOp,
    change: UserChange,
    now: DateTime<Utc>,
) -> Result<Step, SyncError> {
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
                    return done::<Users>(cache, op, |rows| keep_row(rows, found));
                }
            }
            let input = UserInput {
                email: fields.email,
                first_name: fields.first_name,
                last_name: fields.last_name,
                roles: fields.roles,
            };
            match client.create_customer_user(customer, &input).await {
                Ok(u) => done::<Users>(cache, op, |rows| keep_row(rows, &u)),
                Err(ApiError::NotSupported { .. }) => not_offered(client, cache, op).await,
                Err(e) => refuse(cache, op, e),
            }
        }
        UserChange::Update {
            user_id,
            fields,
            is_active,
            ..
        } => match put(client, customer, user_id, &fields, is_active).await {
            Ok(u) => done::<Users>(cache, op, |rows| keep_row(rows, &u)),
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
                        return done::<Users>(cache, op, |rows| keep_row(rows, u));
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
                Ok(()) => done::<Users>(cache, op, |rows| {
                    let mut u = user.clone();
                    u.reactivation_sent_at = Some(now);
                    keep_row(rows, &u)
                }),
                Err(ApiError::NotSupported { .. }) => record_missing(client, cache, op).await,
                Err(e) => refuse(cache, op, e),
            }
        }
        UserChange::Delete { user_id, .. } => {
            let forget = |rows: &mut Vec<UserRow>| rows.retain(|u| u.id != user_id);
            match client.delete_customer_user(customer, user_id).await {
                Ok(()) => done::<Users>(cache, op, forget),
                Err(ApiError::NotSupported { .. } | ApiError::NotFound { .. }) => {
                    let listed = match list(client, cache, op).await? {
                        Ok(l) => l,
                        Err(step) => return Ok(step),
                    };
                    if listed.iter().any(|u| u.id == user_id) {
                        fail(cache, op, "The server did not delete this user; discard this change and try again.")
                    } else {
                        // Gone: deleted by an earlier attempt whose answer was lost, or elsewhere.
                        done::<Users>(cache, op, forget)
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
) -> Result<Result<Vec<CustomerUser>, Step>, SyncError> {
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
) -> Result<Step, SyncError> {
    let reason = why_missing(client, op.entity_id, false).await?;
    fail(cache, op, reason.as_deref().unwrap_or("Not available"))
}

/// One user's route answered 404: the user is gone, or the feature or customer is.
async fn record_missing(
    client: &Client,
    cache: &Mutex<Cache>,
    op: &OutboxOp,
) -> Result<Step, SyncError> {
    match list(client, cache, op).await? {
        Ok(_) => fail(cache, op, GONE),
        Err(step) => Ok(step),
    }
}

/// Puts the server's version of one user into its server rows.
fn keep_row(rows: &mut Vec<UserRow>, u: &CustomerUser) {
    // One the cache refuses is left out: the next refresh reports it; the server has it either way.
    if let Ok(row) = user_row(u) {
        keep(rows, row, |r| r.id);
    }
}
