//! `/api/v3/reseller/customer/`: list (paging, sort, filter, G2 search), get, create, PUT, DELETE.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};
use serde_json::{json, Map, Value};

use super::{
    json_object, many, no_content, one, opt_bool, opt_string, parse_id, required_email, App,
};
use crate::clock::{format_ts, parse_ts};
use crate::config::Gap;
use crate::error::ApiError;
use crate::listing::{parse_bool, ListParams, Query};
use crate::seed::{is_valid_international, phone_digits};

pub const FIELDS: &[&str] = &[
    "id",
    "name",
    "email",
    "phone",
    "is_active",
    "registration_date",
    "last_modified",
];
const COLUMNS: &str = "id, name, email, phone, is_active, registration_date, last_modified";
pub const MAX_NAME_CHARS: usize = 200;

pub fn customer_json(row: &Row<'_>) -> rusqlite::Result<Value> {
    Ok(json!({
        "id": row.get::<_, i64>(0)?,
        "name": row.get::<_, String>(1)?,
        "email": row.get::<_, String>(2)?,
        "phone": row.get::<_, Option<String>>(3)?,
        "is_active": row.get::<_, bool>(4)?,
        "registration_date": format_ts(row.get(5)?),
        "last_modified": format_ts(row.get(6)?),
    }))
}

pub fn load(conn: &Connection, id: i64) -> Result<Value, ApiError> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM customers WHERE id = ?1"),
        [id],
        customer_json,
    )
    .optional()?
    .ok_or_else(|| ApiError::not_found(format!("No customer with id {id}.")))
}

/// 404 unless the customer exists.
pub fn require(conn: &Connection, id: i64) -> Result<(), ApiError> {
    let found: Option<i64> = conn
        .query_row("SELECT id FROM customers WHERE id = ?1", [id], |r| r.get(0))
        .optional()?;
    found
        .map(|_| ())
        .ok_or_else(|| ApiError::not_found(format!("No customer with id {id}.")))
}

fn sort_column(field: &str) -> &'static str {
    match field {
        "name" => "name_lc",
        "email" => "email_lc",
        "phone" => "phone",
        "is_active" => "is_active",
        "registration_date" => "registration_date",
        "last_modified" => "last_modified",
        _ => "id",
    }
}

pub async fn list(State(app): State<App>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let q = Query::parse(raw.as_deref());
    let params = ListParams::from_query(&q, FIELDS)?;
    let mut clauses: Vec<String> = Vec::new();
    let mut args: Vec<SqlValue> = Vec::new();
    for (field, value) in &params.filters {
        let bad = |what: &str| {
            ApiError::bad_param("filter", format!("{field} must be {what}, got '{value}'"))
        };
        match field.as_str() {
            "id" => {
                clauses.push("id = ?".into());
                args.push(SqlValue::Integer(
                    value.trim().parse().map_err(|_| bad("a whole number"))?,
                ));
            }
            "name" | "email" => {
                clauses.push(format!("{field} = ?"));
                args.push(SqlValue::Text(value.clone()));
            }
            "phone" if value.is_empty() || value == "null" => clauses.push("phone IS NULL".into()),
            "phone" => {
                clauses.push("phone = ?".into());
                args.push(SqlValue::Text(value.clone()));
            }
            "is_active" => {
                clauses.push("is_active = ?".into());
                args.push(SqlValue::Integer(i64::from(parse_bool(field, value)?)));
            }
            _ => {
                clauses.push(format!("{field} = ?"));
                args.push(SqlValue::Integer(
                    parse_ts(value).ok_or_else(|| bad("a timestamp"))?,
                ));
            }
        }
    }
    // G2: free-text search and incremental sync; a server without them ignores the parameters.
    if app.serves(Gap::Search) {
        if let Some(text) = q.get("q") {
            let needle = text.trim().to_lowercase();
            let digits = phone_digits(&needle);
            let phone_like = !digits.is_empty()
                && needle
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-()./".contains(c));
            clauses.push(
                "(instr(name_lc, ?) > 0 OR instr(email_lc, ?) > 0 OR instr(lower(coalesce(phone, '')), ?) > 0 \
                 OR (? AND instr(coalesce(phone_digits, ''), ?) > 0))"
                    .into(),
            );
            args.extend([
                SqlValue::Text(needle.clone()),
                SqlValue::Text(needle.clone()),
                SqlValue::Text(needle),
                SqlValue::Integer(i64::from(phone_like)),
                SqlValue::Text(digits),
            ]);
        }
        if let Some(since) = q.get("modified_since") {
            let micros = parse_ts(since).ok_or_else(|| {
                ApiError::bad_param(
                    "modified_since",
                    format!("'{since}' is not an ISO-8601 timestamp or date"),
                )
            })?;
            clauses.push("last_modified >= ?".into());
            args.push(SqlValue::Integer(micros));
        }
    }
    let where_sql = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    let order = format!(
        "{} {}, id ASC",
        sort_column(params.sort.as_deref().unwrap_or("id")),
        if params.descending { "DESC" } else { "ASC" }
    );
    let (limit, offset) = (params.paging.limit, params.paging.offset);
    let (items, total) = app
        .db
        .call(move |conn| {
            let total: i64 = conn.query_row(
                &format!("SELECT COUNT(*) FROM customers {where_sql}"),
                params_from_iter(args.iter()),
                |r| r.get(0),
            )?;
            let mut page_args = args;
            page_args.push(SqlValue::Integer(limit));
            page_args.push(SqlValue::Integer(offset));
            let mut stmt = conn.prepare(&format!(
                "SELECT {COLUMNS} FROM customers {where_sql} ORDER BY {order} LIMIT ? OFFSET ?"
            ))?;
            let items = stmt
                .query_map(params_from_iter(page_args.iter()), customer_json)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok((items, total as usize))
        })
        .await?;
    Ok(many(items, total))
}

pub async fn get(State(app): State<App>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let id = parse_id(&id, "customer")?;
    let customer = app.db.call(move |conn| load(conn, id)).await?;
    Ok(one(StatusCode::OK, customer))
}

/// A validated create/PUT body.
struct CustomerInput {
    name: String,
    email: String,
    phone: Option<String>,
    is_active: bool,
}

fn parse_input(body: &Map<String, Value>) -> Result<CustomerInput, ApiError> {
    let name = match body.get("name") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Some(_) => {
            return Err(ApiError::validation(
                "name",
                "The name must be text.",
                "must be a string",
            ))
        }
    };
    let name =
        name.ok_or_else(|| ApiError::validation("name", "A name is required.", "required"))?;
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::validation(
            "name",
            format!("The name is too long: at most {MAX_NAME_CHARS} characters."),
            format!("longer than {MAX_NAME_CHARS} characters"),
        ));
    }
    let email = required_email(body)?;
    let phone = opt_string(body, "phone", "The phone number")?;
    if let Some(p) = &phone {
        if !is_valid_international(p) {
            return Err(ApiError::validation(
                "phone",
                format!("'{p}' is not a valid international phone number; start with + and the country code, e.g. +31 20 123 4567."),
                "not a valid international phone number",
            ));
        }
    }
    let is_active = opt_bool(body, "is_active", true)?;
    Ok(CustomerInput {
        name,
        email,
        phone,
        is_active,
    })
}

pub async fn create(State(app): State<App>, body: Bytes) -> Result<Response, ApiError> {
    let input = parse_input(&json_object(&body)?)?;
    let app2 = app.clone();
    let customer = app
        .db
        .call(move |conn| {
            let now = app2.clock.now_micros();
            conn.execute(
                "INSERT INTO customers (name, name_lc, email, email_lc, phone, phone_digits, is_active,
                    registration_date, last_modified, languages, usage_tokens, usage_until)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, 'en-gb', 'Web app', NULL)",
                params![
                    input.name,
                    input.name.to_lowercase(),
                    input.email,
                    input.email.to_lowercase(),
                    input.phone,
                    input.phone.as_deref().map(phone_digits),
                    input.is_active,
                    now,
                ],
            )?;
            load(conn, conn.last_insert_rowid())
        })
        .await?;
    tracing::info!(id = customer["id"].as_i64(), "customer created");
    Ok(one(StatusCode::CREATED, customer))
}

pub async fn update(
    State(app): State<App>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id = parse_id(&id, "customer")?;
    let input = parse_input(&json_object(&body)?)?;
    let app2 = app.clone();
    let customer = app
        .db
        .call(move |conn| {
            require(conn, id)?;
            let now = app2.clock.now_micros();
            conn.execute(
                "UPDATE customers SET name = ?1, name_lc = ?2, email = ?3, email_lc = ?4, phone = ?5,
                    phone_digits = ?6, is_active = ?7, last_modified = ?8 WHERE id = ?9",
                params![
                    input.name,
                    input.name.to_lowercase(),
                    input.email,
                    input.email.to_lowercase(),
                    input.phone,
                    input.phone.as_deref().map(phone_digits),
                    input.is_active,
                    now,
                    id,
                ],
            )?;
            load(conn, id)
        })
        .await?;
    // The documented quirk: an update answers 201.
    Ok(one(StatusCode::CREATED, customer))
}

pub async fn delete(State(app): State<App>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let id = parse_id(&id, "customer")?;
    app.db
        .call(move |conn| {
            let n = conn.execute("DELETE FROM customers WHERE id = ?1", [id])?;
            if n == 0 {
                return Err(ApiError::not_found(format!("No customer with id {id}.")));
            }
            Ok(())
        })
        .await?;
    Ok(no_content())
}
