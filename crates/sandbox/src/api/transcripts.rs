//! `/customer/{id}/transcript`: list with sort/filter/paging, `q`, and a start-date range.

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use rusqlite::params;
use serde_json::{json, Map, Value};

use super::usage::date_range;
use super::{customers, many, parse_id, App};
use crate::catalog::status_label;
use crate::clock::{date_micros, format_ts};
use crate::error::ApiError;
use crate::listing::{apply, ListParams, Query};

const FIELDS: &[&str] = &[
    "session_id",
    "filename",
    "date_session_start",
    "status",
    "status_label",
    "language",
    "duration",
    "last_update",
    "is_deleted",
];

pub async fn list(
    State(app): State<App>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let id = parse_id(&id, "customer")?;
    let q = Query::parse(raw.as_deref());
    let mut params = ListParams::from_query(&q, FIELDS)?;
    // Newest first unless a sort is asked for.
    if params.sort.is_none() {
        params.sort = Some("date_session_start".into());
        if q.get("direction").is_none() {
            params.descending = true;
        }
    }
    let (from, to) = date_range(&q)?;
    let needle = q.get("q").map(|s| s.trim().to_lowercase());
    let rows = app
        .db
        .call(move |conn| {
            customers::require(conn, id)?;
            let mut stmt = conn.prepare(
                "SELECT session_id, filename, date_session_start, status, language, duration, last_update, is_deleted
                 FROM transcripts WHERE customer_id = ?1 AND date_session_start >= ?2 AND date_session_start < ?3",
            )?;
            let lo = from.map(date_micros).unwrap_or(i64::MIN);
            let hi = to.map(date_micros).unwrap_or(i64::MAX);
            let rows = stmt
                .query_map(params![id, lo, hi], |r| {
                    let status: i64 = r.get(3)?;
                    Ok(json!({
                        "session_id": r.get::<_, String>(0)?,
                        "filename": r.get::<_, String>(1)?,
                        "date_session_start": format_ts(r.get(2)?),
                        "status": status,
                        "status_label": status_label(status),
                        "language": r.get::<_, String>(4)?,
                        "duration": r.get::<_, f64>(5)?,
                        "last_update": format_ts(r.get(6)?),
                        "is_deleted": r.get::<_, bool>(7)?,
                    }))
                })?
                .collect::<Result<Vec<Value>, _>>()?;
            Ok(rows)
        })
        .await?;
    let rows: Vec<Map<String, Value>> = rows
        .into_iter()
        .filter_map(|v| match v {
            Value::Object(m) => Some(m),
            _ => None,
        })
        .filter(|m| match &needle {
            None => true,
            Some(n) => ["filename", "session_id"].iter().any(|k| {
                m.get(*k)
                    .and_then(Value::as_str)
                    .is_some_and(|s| s.to_lowercase().contains(n.as_str()))
            }),
        })
        .collect();
    let (page, total) = apply(rows, &params, "session_id")?;
    Ok(many(page, total))
}
