//! The Scriptix API as served: shared state, the auth/rate-limit gate, the envelope, routes.

pub(crate) mod account;
mod branding;
mod customers;
mod dashboard;
mod subscriptions;
mod tokens;
mod transcripts;
mod usage;
mod users;

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use crate::clock::Clock;
use crate::config::Gap;
use crate::db::Db;
use crate::error::ApiError;
use crate::faults::FaultState;
use crate::listing::{apply, ListParams, Query};
use crate::ratelimit::RateLimiter;
use crate::seed::Frame;
use crate::stats::{documented_route, StatsCollector};

/// Who is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    Reseller,
    Resellee,
}

pub struct AppState {
    pub db: Db,
    pub clock: Clock,
    pub limiter: RateLimiter,
    pub stats: StatsCollector,
    pub faults: FaultState,
    pub reseller_token: String,
    pub resellee_token: String,
    pub reseller_name: String,
    pub disabled_gaps: BTreeSet<Gap>,
    pub frame: Frame,
    pub seed: u64,
    pub base_url: String,
}

impl AppState {
    pub fn serves(&self, gap: Gap) -> bool {
        !self.disabled_gaps.contains(&gap)
    }

    fn principal(&self, token: &str) -> Option<Principal> {
        if token == self.reseller_token {
            Some(Principal::Reseller)
        } else if token == self.resellee_token {
            Some(Principal::Resellee)
        } else {
            None
        }
    }
}

pub type App = Arc<AppState>;

/// The token from `x-zoom-s2t-key` or `Authorization: Bearer` (header names are
/// case-insensitive by construction; the scheme word is compared case-insensitively).
fn presented_token(headers: &HeaderMap) -> Option<String> {
    if let Some(v) = headers.get("x-zoom-s2t-key").and_then(|v| v.to_str().ok()) {
        if !v.trim().is_empty() {
            return Some(v.trim().to_string());
        }
    }
    let auth = headers.get("authorization")?.to_str().ok()?.trim();
    let (scheme, rest) = auth.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !rest.trim().is_empty())
        .then(|| rest.trim().to_string())
}

/// Runs before every API handler: counts the route, applies the rate limit, checks the token,
/// and puts the rate-limit headers on whatever the answer is.
async fn gate(State(app): State<App>, mut req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| documented_route(m.as_str()))
        .unwrap_or_else(|| "(no route)".to_string());
    app.stats.route(format!("{method} {route}"));
    let path = req.uri().path().to_string();
    let token = presented_token(req.headers());
    let verdict = app.limiter.check(token.as_deref().unwrap_or(""));
    let mut response = match (verdict, token.as_deref().and_then(|t| app.principal(t))) {
        (Some(v), _) if !v.allowed => {
            app.stats.rate_limited();
            ApiError::too_many(v.retry_after).into_response()
        }
        (_, None) if token.is_none() => ApiError::unauthorized(
            "Missing API key: send it in the x-zoom-s2t-key header (or Authorization: Bearer).",
        )
        .into_response(),
        (_, None) => ApiError::unauthorized("The API key is not valid.").into_response(),
        (_, Some(Principal::Resellee)) if path.starts_with("/api/v3/reseller") => ApiError::forbidden(
            "This API key has no reseller access: reseller endpoints need a key of type Reseller.",
        )
        .into_response(),
        (_, Some(p)) => {
            req.extensions_mut().insert(p);
            next.run(req).await
        }
    };
    if let Some(v) = verdict {
        let h = response.headers_mut();
        h.insert("x-ratelimit-limit", HeaderValue::from(v.limit));
        h.insert("x-ratelimit-remaining", HeaderValue::from(v.remaining));
        h.insert("x-ratelimit-reset", HeaderValue::from(v.reset));
    }
    tracing::debug!(%method, %path, status = response.status().as_u16(), "api request");
    response
}

async fn no_route() -> ApiError {
    ApiError::not_found("No such endpoint.")
}

async fn wrong_method() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "This method is not allowed on this endpoint.",
    )
}

/// The API router. Paths are registered without a trailing slash; the connection service strips
/// one before routing, so both forms are answered directly.
pub fn router(app: App) -> Router {
    let mut r = Router::new()
        .route(
            "/api/v3/reseller/customer",
            get(customers::list).post(customers::create),
        )
        .route(
            "/api/v3/reseller/customer/{id}",
            get(customers::get)
                .put(customers::update)
                .delete(customers::delete),
        )
        .route("/api/v3/reseller/customer/{id}/usage", get(usage::list))
        .route(
            "/api/v3/reseller/customer/{id}/transcript",
            get(transcripts::list),
        );
    if app.serves(Gap::AccountMe) {
        r = r.route("/api/v3/account/me", get(account::me));
    }
    if app.serves(Gap::UsageSummary) {
        r = r.route(
            "/api/v3/reseller/customer/{id}/usage/summary",
            get(usage::summary),
        );
    }
    if app.serves(Gap::Subscriptions) {
        r = r
            .route(
                "/api/v3/reseller/customer/{id}/subscription",
                get(subscriptions::list).post(subscriptions::create),
            )
            .route(
                "/api/v3/reseller/customer/{id}/subscription/{sub_id}",
                put(subscriptions::update),
            )
            .route("/api/v3/reseller/plan", get(subscriptions::plans));
    }
    if app.serves(Gap::Tokens) {
        r = r
            .route(
                "/api/v3/reseller/customer/{id}/token",
                get(tokens::list).post(tokens::create),
            )
            .route(
                "/api/v3/reseller/customer/{id}/token/{token_id}",
                axum::routing::delete(tokens::delete),
            );
    }
    if app.serves(Gap::Users) {
        r = r
            .route(
                "/api/v3/reseller/customer/{id}/user",
                get(users::list).post(users::create),
            )
            .route(
                "/api/v3/reseller/customer/{id}/user/{user_id}",
                put(users::update).delete(users::delete),
            )
            .route(
                "/api/v3/reseller/customer/{id}/user/{user_id}/reactivate",
                post(users::reactivate),
            );
    }
    if app.serves(Gap::Dashboard) {
        r = r.route("/api/v3/reseller/dashboard", get(dashboard::get));
    }
    if app.serves(Gap::Branding) {
        r = r
            .route(
                "/api/v3/reseller/branding",
                get(branding::get).put(branding::put_colors),
            )
            .route(
                "/api/v3/reseller/branding/logo",
                get(branding::get_logo)
                    .put(branding::put_logo)
                    .delete(branding::delete_logo)
                    .layer(axum::extract::DefaultBodyLimit::max(branding::MAX_UPLOAD)),
            );
    }
    r.fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(axum::middleware::from_fn_with_state(app.clone(), gate))
        .with_state(app)
}

// ---- envelope and small helpers shared by the handlers ----

pub fn one(status: StatusCode, value: Value) -> Response {
    (
        status,
        Json(json!({"result": value, "count": 1, "total_results": 1})),
    )
        .into_response()
}

pub fn many(items: Vec<Value>, total: usize) -> Response {
    let count = items.len();
    Json(json!({"result": items, "count": count, "total_results": total})).into_response()
}

pub fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

/// A path id; anything that is not a positive integer names nothing, hence 404.
pub fn parse_id(raw: &str, what: &str) -> Result<i64, ApiError> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| ApiError::not_found(format!("No {what} with id '{raw}'.")))
}

/// The request body as a JSON object (400 when it is not one).
pub fn json_object(body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "The request body is empty; expected a JSON object.",
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::bad_request(
            "The request body must be a JSON object.",
        )),
        Err(e) => Err(ApiError::bad_request(format!(
            "The request body is not valid JSON: {e}."
        ))),
    }
}

/// An optional string field: absent, null or blank is `None`; other types are 422.
pub fn opt_string(
    body: &Map<String, Value>,
    field: &str,
    label: &str,
) -> Result<Option<String>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(_) => Err(ApiError::validation(
            field,
            format!("{label} must be text."),
            "must be a string",
        )),
    }
}

/// A required text field: absent, null or blank is 422 with `missing` as the message.
pub fn required_string(
    body: &Map<String, Value>,
    field: &str,
    label: &str,
    missing: &str,
) -> Result<String, ApiError> {
    opt_string(body, field, label)?
        .ok_or_else(|| ApiError::validation(field, missing.to_string(), "required"))
}

/// One customer's child rows (subscriptions, users, tokens) as a paged, sorted, filtered list.
/// `select` reads the rows of customer `?1`.
pub async fn list_children(
    app: &App,
    customer: i64,
    raw_query: Option<&str>,
    fields: &[&str],
    select: String,
    to_json: fn(&rusqlite::Row<'_>) -> rusqlite::Result<Map<String, Value>>,
) -> Result<Response, ApiError> {
    let params = ListParams::from_query(&Query::parse(raw_query), fields)?;
    let rows = app
        .db
        .call(move |conn| {
            customers::require(conn, customer)?;
            let mut stmt = conn.prepare(&select)?;
            let rows = stmt
                .query_map([customer], to_json)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await?;
    let (page, total) = apply(rows, &params, "id")?;
    Ok(many(page, total))
}

/// Deletes row `child` of `table` when it belongs to `customer`; 404 naming the `noun` otherwise.
pub async fn delete_child(
    app: &App,
    customer: i64,
    child: i64,
    table: &'static str,
    noun: &'static str,
) -> Result<Response, ApiError> {
    app.db
        .call(move |conn| {
            customers::require(conn, customer)?;
            let n = conn.execute(
                &format!("DELETE FROM {table} WHERE id = ?1 AND customer_id = ?2"),
                rusqlite::params![child, customer],
            )?;
            if n == 0 {
                return Err(ApiError::not_found(format!(
                    "Customer {customer} has no {noun} with id {child}."
                )));
            }
            Ok(())
        })
        .await?;
    Ok(no_content())
}

/// An optional boolean field (absent or null gives `default`).
pub fn opt_bool(body: &Map<String, Value>, field: &str, default: bool) -> Result<bool, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(ApiError::validation(
            field,
            format!("'{field}' must be true or false."),
            "must be a boolean",
        )),
    }
}

/// A required, well-formed email address.
pub fn required_email(body: &Map<String, Value>) -> Result<String, ApiError> {
    use validator::ValidateEmail;
    match opt_string(body, "email", "The email address")? {
        None => Err(ApiError::validation(
            "email",
            "An email address is required.",
            "required",
        )),
        Some(e) if e.chars().count() > 254 || !e.validate_email() => Err(ApiError::validation(
            "email",
            format!("'{e}' is not a valid email address."),
            "not a valid email address",
        )),
        Some(e) => Ok(e),
    }
}
