//! G5: a customer's API tokens. Only metadata is stored; the key is shown once, at creation.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use rand::distr::{Alphanumeric, SampleString};
use rusqlite::{params, Row};
use serde_json::{json, Map, Value};

use super::{
    customers, delete_child, json_object, list_children, one, parse_id, required_string, App,
};
use crate::catalog::{TOKEN_TYPES, TOKEN_YEARS};
use crate::clock::format_ts;
use crate::error::ApiError;

const FIELDS: &[&str] = &["id", "name", "type", "created_at", "expires_at"];
const MAX_NAME_CHARS: usize = 100;
const YEAR_MICROS: i64 = 365 * 86_400 * 1_000_000;

fn token_json(r: &Row<'_>) -> rusqlite::Result<Map<String, Value>> {
    let mut m = Map::new();
    m.insert("id".into(), json!(r.get::<_, i64>(0)?));
    m.insert("name".into(), json!(r.get::<_, String>(1)?));
    m.insert("type".into(), json!(r.get::<_, String>(2)?));
    m.insert("created_at".into(), json!(format_ts(r.get(3)?)));
    m.insert(
        "expires_at".into(),
        json!(r.get::<_, Option<i64>>(4)?.map(format_ts)),
    );
    Ok(m)
}

pub async fn list(
    State(app): State<App>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let id = parse_id(&id, "customer")?;
    list_children(
        &app,
        id,
        raw.as_deref(),
        FIELDS,
        "SELECT id, name, type, created_at, expires_at FROM tokens WHERE customer_id = ?1"
            .to_string(),
        token_json,
    )
    .await
}

pub async fn create(
    State(app): State<App>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id = parse_id(&id, "customer")?;
    let body = json_object(&body)?;
    let name = required_string(&body, "name", "The token name", "Give the token a name.")?;
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::validation(
            "name",
            format!("The token name is too long: at most {MAX_NAME_CHARS} characters."),
            format!("longer than {MAX_NAME_CHARS} characters"),
        ));
    }
    let kind = match body.get("type").and_then(Value::as_str) {
        Some(t) if TOKEN_TYPES.contains(&t) => t.to_string(),
        _ => {
            return Err(ApiError::validation(
                "type",
                "The token type must be batch or realtime.",
                "must be batch or realtime",
            ))
        }
    };
    let years = match body.get("expires_in_years").and_then(Value::as_i64) {
        Some(y) if TOKEN_YEARS.contains(&y) => y,
        _ => {
            return Err(ApiError::validation(
                "expires_in_years",
                "A token expires after 1, 2 or 5 years.",
                "must be 1, 2 or 5",
            ))
        }
    };
    // Shown once in this answer and never stored.
    let key = format!(
        "sxk_{kind}_{}",
        Alphanumeric.sample_string(&mut rand::rng(), 40)
    );
    let app2 = app.clone();
    let mut token = app
        .db
        .call(move |conn| {
            customers::require(conn, id)?;
            let now = app2.clock.now_micros();
            conn.execute(
                "INSERT INTO tokens (customer_id, name, type, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, name, kind, now, now + years * YEAR_MICROS],
            )?;
            let row = conn.query_row(
                "SELECT id, name, type, created_at, expires_at FROM tokens WHERE id = ?1",
                [conn.last_insert_rowid()],
                token_json,
            )?;
            Ok(row)
        })
        .await?;
    token.insert("key".into(), json!(key));
    Ok(one(StatusCode::CREATED, Value::Object(token)))
}

pub async fn delete(
    State(app): State<App>,
    Path((id, token)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id, "customer")?;
    let token = parse_id(&token, "token")?;
    delete_child(&app, id, token, "tokens", "token").await
}
