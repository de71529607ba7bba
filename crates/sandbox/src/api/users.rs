//! G6: the users of a customer organisation.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::{json, Map, Value};

use super::{
    customers, delete_child, json_object, list_children, no_content, one, opt_bool, opt_string,
    parse_id, required_email, App,
};
use crate::catalog::USER_ROLES;
use crate::clock::format_ts;
use crate::error::ApiError;

const FIELDS: &[&str] = &[
    "id",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "roles",
    "last_login",
    "created_at",
    "reactivation_sent_at",
];
const COLUMNS: &str = "id, first_name, last_name, email, is_active, roles, last_login, created_at, reactivation_sent_at";

fn user_json(r: &Row<'_>) -> rusqlite::Result<Map<String, Value>> {
    let roles: String = r.get(5)?;
    let mut m = Map::new();
    m.insert("id".into(), json!(r.get::<_, i64>(0)?));
    m.insert("first_name".into(), json!(r.get::<_, Option<String>>(1)?));
    m.insert("last_name".into(), json!(r.get::<_, Option<String>>(2)?));
    m.insert("email".into(), json!(r.get::<_, String>(3)?));
    m.insert("is_active".into(), json!(r.get::<_, bool>(4)?));
    m.insert(
        "roles".into(),
        json!(roles
            .split(',')
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()),
    );
    m.insert(
        "last_login".into(),
        json!(r.get::<_, Option<i64>>(6)?.map(format_ts)),
    );
    m.insert("created_at".into(), json!(format_ts(r.get(7)?)));
    m.insert(
        "reactivation_sent_at".into(),
        json!(r.get::<_, Option<i64>>(8)?.map(format_ts)),
    );
    Ok(m)
}

fn load(conn: &Connection, customer: i64, user: i64) -> Result<Value, ApiError> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM users WHERE id = ?1 AND customer_id = ?2"),
        params![user, customer],
        user_json,
    )
    .optional()?
    .map(Value::Object)
    .ok_or_else(|| ApiError::not_found(format!("Customer {customer} has no user with id {user}.")))
}

struct UserInput {
    email: String,
    first_name: Option<String>,
    last_name: Option<String>,
    roles: Vec<String>,
    is_active: bool,
}

fn parse_input(body: &Map<String, Value>) -> Result<UserInput, ApiError> {
    let email = required_email(body)?;
    let first_name = opt_string(body, "first_name", "The first name")?;
    let last_name = opt_string(body, "last_name", "The last name")?;
    let allowed = USER_ROLES.join(", ");
    let roles = match body.get("roles") {
        Some(Value::Array(items)) => {
            let mut roles: Vec<String> = Vec::new();
            for item in items {
                let role = item
                    .as_str()
                    .map(|s| s.trim().to_ascii_uppercase())
                    .unwrap_or_default();
                if !USER_ROLES.contains(&role.as_str()) {
                    return Err(ApiError::validation(
                        "roles",
                        format!("{item} is not a role a customer's user can have; use {allowed}."),
                        "unknown role",
                    ));
                }
                if !roles.contains(&role) {
                    roles.push(role);
                }
            }
            roles
        }
        None | Some(Value::Null) => Vec::new(),
        Some(_) => {
            return Err(ApiError::validation(
                "roles",
                "Roles must be a list.",
                "must be an array",
            ))
        }
    };
    if roles.is_empty() {
        return Err(ApiError::validation(
            "roles",
            format!("Give the user at least one role ({allowed})."),
            "at least one role",
        ));
    }
    let is_active = opt_bool(body, "is_active", true)?;
    Ok(UserInput {
        email,
        first_name,
        last_name,
        roles,
        is_active,
    })
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
        format!("SELECT {COLUMNS} FROM users WHERE customer_id = ?1"),
        user_json,
    )
    .await
}

pub async fn create(
    State(app): State<App>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id = parse_id(&id, "customer")?;
    let input = parse_input(&json_object(&body)?)?;
    let app2 = app.clone();
    let user = app
        .db
        .call(move |conn| {
            customers::require(conn, id)?;
            conn.execute(
                "INSERT INTO users (customer_id, first_name, last_name, email, is_active, roles, last_login, created_at,
                    reactivation_sent_at) VALUES (?1, ?2, ?3, ?4, 1, ?5, NULL, ?6, NULL)",
                params![id, input.first_name, input.last_name, input.email, input.roles.join(","), app2.clock.now_micros()],
            )?;
            load(conn, id, conn.last_insert_rowid())
        })
        .await?;
    Ok(one(StatusCode::CREATED, user))
}

pub async fn update(
    State(app): State<App>,
    Path((id, user)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id = parse_id(&id, "customer")?;
    let user = parse_id(&user, "user")?;
    let input = parse_input(&json_object(&body)?)?;
    let user = app
        .db
        .call(move |conn| {
            customers::require(conn, id)?;
            load(conn, id, user)?;
            conn.execute(
                "UPDATE users SET first_name = ?1, last_name = ?2, email = ?3, roles = ?4, is_active = ?5 WHERE id = ?6",
                params![input.first_name, input.last_name, input.email, input.roles.join(","), input.is_active, user],
            )?;
            load(conn, id, user)
        })
        .await?;
    Ok(one(StatusCode::CREATED, user))
}

pub async fn delete(
    State(app): State<App>,
    Path((id, user)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id, "customer")?;
    let user = parse_id(&user, "user")?;
    delete_child(&app, id, user, "users", "user").await
}

/// "Send reactivation link": records when it was sent.
pub async fn reactivate(
    State(app): State<App>,
    Path((id, user)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id, "customer")?;
    let user = parse_id(&user, "user")?;
    let app2 = app.clone();
    app.db
        .call(move |conn| {
            customers::require(conn, id)?;
            load(conn, id, user)?;
            conn.execute(
                "UPDATE users SET reactivation_sent_at = ?1 WHERE id = ?2",
                params![app2.clock.now_micros(), user],
            )?;
            Ok(())
        })
        .await?;
    Ok(no_content())
}
