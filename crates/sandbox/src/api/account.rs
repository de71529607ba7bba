//! G1 `GET /api/v3/account/me`: who the caller is.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use rusqlite::OptionalExtension;
use serde_json::{json, Value};

use super::{one, App, Principal};
use crate::error::ApiError;
use crate::seed::FIRST_CUSTOMER_ID;

pub const RESELLER_ORG_ID: i64 = 1000;
pub const RESELLER_ORG_NAME: &str = "Northwind Speech Partners";

pub async fn me(
    State(app): State<App>,
    Extension(who): Extension<Principal>,
) -> Result<Response, ApiError> {
    let body = match who {
        Principal::Reseller => json!({
            "id": 1,
            "email": "partners@northwind-speech.example",
            "first_name": "Noor",
            "last_name": "Jansen",
            "roles": ["RESELLER", "ORGADMIN"],
            "organization": {"id": RESELLER_ORG_ID, "name": app.reseller_name, "is_reseller": true, "is_active": true},
        }),
        Principal::Resellee => app.db.call(|conn| resellee(conn)).await?,
    };
    Ok(one(StatusCode::OK, body))
}

/// The resellee token belongs to the first user of the first seeded customer.
fn resellee(conn: &rusqlite::Connection) -> Result<Value, ApiError> {
    let org: Option<Value> = conn
        .query_row(
            "SELECT id, name, is_active FROM customers WHERE id = ?1",
            [FIRST_CUSTOMER_ID],
            |r| {
                Ok(
                    json!({"id": r.get::<_, i64>(0)?, "name": r.get::<_, String>(1)?,
                          "is_reseller": false, "is_active": r.get::<_, bool>(2)?}),
                )
            },
        )
        .optional()?;
    let user: Option<(i64, String, Option<String>, Option<String>)> = conn
        .query_row(
            "SELECT id, email, first_name, last_name FROM users WHERE customer_id = ?1 ORDER BY id LIMIT 1",
            [FIRST_CUSTOMER_ID],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let (id, email, first, last) = user.unwrap_or((
        49_999,
        "resellee@sandbox.invalid".to_string(),
        Some("Sandbox".to_string()),
        Some("Resellee".to_string()),
    ));
    Ok(json!({
        "id": id,
        "email": email,
        "first_name": first,
        "last_name": last,
        "roles": ["RESELLEE", "CONTRIBUTOR"],
        "organization": org,
    }))
}
