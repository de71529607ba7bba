//! G5: a customer's API tokens. Only metadata is stored; the key is shown once, at creation.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use rand::distr::{Alphanumeric, SampleString};
use rusqlite::{params, Row};
use serde_json::{json, Map, Value};

use super::{customers, json_object, many, no_content, one, parse_id, App};
use crate::catalog::{TOKEN_TYPES, TOKEN_YEARS};
use crate::clock::format_ts;
use crate::error::ApiError;
use crate::listing::{apply, ListParams, Query};

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
    let params = ListParams::from_query(&Query::parse(raw.as_deref()), FIELDS)?;
    let rows = app
        .db
        .call(move |conn| {
            customers::require(conn, id)?;
            let mut stmt = conn.prepare(
                "SELECT id, name, type, created_at, expires_at FROM tokens WHERE customer_id = ?1",
            )?;
            let rows = stmt
                .query_map([id], token_json)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await?;
    let (page, total) = apply(rows, &params, "id")?;
    Ok(many(page, total))
}

pub async fn create(
    State(app): State<App>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id = parse_id(&id, "customer")?;
    let body = json_object(&body)?;
    let name = match body.get("name") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            return Err(ApiError::validation(
                "name",
                "Give the token a name.",
                "required",
            ))
        }
        Some(_) => {
            return Err(ApiError::validation(
                "name",
                "The token name must be text.",
                "must be a string",
            ))
        }
    };
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
    app.db
        .call(move |conn| {
            customers::require(conn, id)?;
            let n = conn.execute(
                "DELETE FROM tokens WHERE id = ?1 AND customer_id = ?2",
                params![token, id],
            )?;
            if n == 0 {
                return Err(ApiError::not_found(format!(
                    "Customer {id} has no token with id {token}."
                )));
            }
            Ok(())
        })
        .await?;
    Ok(no_content())
}
