//! G3: a customer's subscriptions (list, add, toggle auto-renew) and the plan catalogue.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::{json, Map, Value};

use super::{
    customers, json_object, list_children, many, one, opt_bool, parse_id, required_string, App,
};
use crate::catalog::{self, PLANS};
use crate::clock::{format_date, micros_date};
use crate::error::ApiError;
use crate::listing::{apply, ListParams, Query};

const FIELDS: &[&str] = &[
    "id",
    "sku",
    "description",
    "billing_channel",
    "payment_model",
    "start_date",
    "end_date",
    "cancel_date",
    "is_suspended",
    "auto_renew",
];
const COLUMNS: &str =
    "id, sku, description, billing_channel, payment_model, start_date, end_date, cancel_date,
    is_suspended, auto_renew, stt_units, alignment_units, translation_budget, credits";

fn sub_json(r: &Row<'_>) -> rusqlite::Result<Map<String, Value>> {
    let v = json!({
        "id": r.get::<_, i64>(0)?,
        "sku": r.get::<_, String>(1)?,
        "description": r.get::<_, String>(2)?,
        "billing_channel": r.get::<_, String>(3)?,
        "payment_model": r.get::<_, String>(4)?,
        "start_date": r.get::<_, String>(5)?,
        "end_date": r.get::<_, Option<String>>(6)?,
        "cancel_date": r.get::<_, Option<String>>(7)?,
        "is_suspended": r.get::<_, bool>(8)?,
        "auto_renew": r.get::<_, bool>(9)?,
        "available": {
            "stt_units": r.get::<_, f64>(10)?,
            "alignment_units": r.get::<_, f64>(11)?,
            "translation_budget": r.get::<_, f64>(12)?,
            "credits": r.get::<_, Option<f64>>(13)?,
        },
    });
    match v {
        Value::Object(m) => Ok(m),
        _ => Ok(Map::new()),
    }
}

fn load(conn: &Connection, customer: i64, sub: i64) -> Result<Value, ApiError> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM subscriptions WHERE id = ?1 AND customer_id = ?2"),
        params![sub, customer],
        sub_json,
    )
    .optional()?
    .map(Value::Object)
    .ok_or_else(|| {
        ApiError::not_found(format!(
            "Customer {customer} has no subscription with id {sub}."
        ))
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
        format!("SELECT {COLUMNS} FROM subscriptions WHERE customer_id = ?1"),
        sub_json,
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
    let sku = required_string(&body, "sku", "The SKU", "Choose a plan: a SKU is required.")?;
    let plan = catalog::plan(&sku).ok_or_else(|| {
        ApiError::validation(
            "sku",
            format!("There is no plan with SKU '{sku}'."),
            "unknown sku",
        )
    })?;
    let auto_renew = opt_bool(&body, "auto_renew", false)?;
    let channel = if plan.sku.contains("AZURE") {
        "azure"
    } else {
        "scriptix"
    };
    let app2 = app.clone();
    let sub = app
        .db
        .call(move |conn| {
            customers::require(conn, id)?;
            let today = format_date(micros_date(app2.clock.now_micros()));
            conn.execute(
                "INSERT INTO subscriptions (customer_id, sku, description, billing_channel, payment_model, start_date,
                    end_date, cancel_date, is_suspended, auto_renew, stt_units, alignment_units, translation_budget, credits)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, NULL, 0, ?7, ?8, ?9, ?10, ?11)",
                params![
                    id,
                    plan.sku,
                    plan.description,
                    channel,
                    plan.payment_model,
                    today,
                    auto_renew,
                    plan.stt_units,
                    plan.alignment_units,
                    plan.translation_budget,
                    plan.credits,
                ],
            )?;
            load(conn, id, conn.last_insert_rowid())
        })
        .await?;
    Ok(one(StatusCode::CREATED, sub))
}

pub async fn update(
    State(app): State<App>,
    Path((id, sub)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id = parse_id(&id, "customer")?;
    let sub = parse_id(&sub, "subscription")?;
    let body = json_object(&body)?;
    let auto_renew = match body.get("auto_renew") {
        Some(Value::Bool(b)) => *b,
        None | Some(Value::Null) => {
            return Err(ApiError::validation(
                "auto_renew",
                "Say whether the subscription renews: auto_renew is required.",
                "required",
            ))
        }
        Some(_) => {
            return Err(ApiError::validation(
                "auto_renew",
                "'auto_renew' must be true or false.",
                "must be a boolean",
            ))
        }
    };
    let sub = app
        .db
        .call(move |conn| {
            customers::require(conn, id)?;
            load(conn, id, sub)?;
            conn.execute(
                "UPDATE subscriptions SET auto_renew = ?1 WHERE id = ?2",
                params![auto_renew, sub],
            )?;
            load(conn, id, sub)
        })
        .await?;
    Ok(one(StatusCode::CREATED, sub))
}

pub async fn plans(RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let params = ListParams::from_query(
        &Query::parse(raw.as_deref()),
        &["sku", "description", "payment_model"],
    )?;
    let rows = PLANS
        .iter()
        .filter_map(|p| match json!({"sku": p.sku, "description": p.description, "payment_model": p.payment_model}) {
            Value::Object(m) => Some(m),
            _ => None,
        })
        .collect();
    let (page, total) = apply(rows, &params, "sku")?;
    Ok(many(page, total))
}
