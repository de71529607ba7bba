//! G8 `GET /api/v3/reseller/dashboard`: totals across customers for a date range (default: the
//! anchor's month), recent transcriptions, and the per-customer table (an extension).

use std::collections::HashMap;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;
use rusqlite::params;
use serde_json::{json, Value};

use super::usage::{date_range, hours, ratio};
use super::{one, App};
use crate::catalog::{STATUS_ERROR, STATUS_FINISHED};
use crate::clock::{date_micros, format_date, format_ts};
use crate::error::ApiError;
use crate::listing::Query;
use crate::usage::{load_spans, Profile, PROFILE_COLUMNS};

const RECENT: i64 = 10;

pub async fn get(State(app): State<App>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let q = Query::parse(raw.as_deref());
    let (from, to) = date_range(&q)?;
    let month_start = app.frame.anchor.with_day(1).unwrap_or(app.frame.anchor);
    let from = from.unwrap_or(month_start);
    let to = to.unwrap_or(month_start + chrono::Months::new(1));
    let (lo, hi) = (date_micros(from), date_micros(to));
    let app2 = app.clone();
    let body = app
        .db
        .call(move |conn| {
            let mut spans = load_spans(conn, None)?;
            let mut sessions: HashMap<i64, (i64, i64, i64)> = HashMap::new();
            {
                let mut stmt = conn.prepare(
                    "SELECT customer_id, COUNT(*), SUM(status = ?3), SUM(status = ?4) FROM transcripts
                     WHERE date_session_start >= ?1 AND date_session_start < ?2 GROUP BY customer_id",
                )?;
                let rows = stmt.query_map(params![lo, hi, STATUS_FINISHED, STATUS_ERROR], |r| {
                    Ok((r.get::<_, i64>(0)?, (r.get(1)?, r.get(2)?, r.get(3)?)))
                })?;
                for row in rows {
                    let (cid, counts) = row?;
                    sessions.insert(cid, counts);
                }
            }
            let today = format_date(app2.frame.anchor);
            let mut available: HashMap<i64, f64> = HashMap::new();
            {
                let mut stmt = conn.prepare(
                    "SELECT customer_id, SUM(stt_units) FROM subscriptions
                     WHERE start_date <= ?1 AND (end_date IS NULL OR end_date > ?1) GROUP BY customer_id",
                )?;
                let rows = stmt.query_map([&today], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, f64>(1)?)))?;
                for row in rows {
                    let (cid, units) = row?;
                    available.insert(cid, units);
                }
            }
            let total_users: i64 = conn.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?;
            let mut per_customer = Vec::new();
            let (mut active_orgs, mut units_all, mut sessions_all, mut finished_all, mut errors_all) = (0, 0, 0, 0, 0);
            {
                let mut stmt = conn.prepare(&format!("SELECT {PROFILE_COLUMNS}, name, is_active FROM customers ORDER BY id"))?;
                let mut rows = stmt.query([])?;
                while let Some(row) = rows.next()? {
                    let id: i64 = row.get(0)?;
                    let profile = Profile::from_row(row, app2.seed, &app2.frame, spans.remove(&id).unwrap_or_default())?;
                    let name: String = row.get(5)?;
                    let is_active: bool = row.get(6)?;
                    let units = profile.total(from, to);
                    let (s, f, e) = sessions.get(&id).copied().unwrap_or_default();
                    active_orgs += i64::from(is_active);
                    units_all += units;
                    sessions_all += s;
                    finished_all += f;
                    errors_all += e;
                    per_customer.push(json!({
                        "customer_id": id,
                        "customer_name": name,
                        "is_active": is_active,
                        "units_used": units,
                        "hours_processed": hours(units),
                        "sessions": s,
                        "finished_sessions": f,
                        "error_sessions": e,
                        "error_rate": ratio(e, s),
                        "available_units": available.get(&id).copied().unwrap_or(0.0),
                    }));
                }
            }
            let recent = {
                let mut stmt = conn.prepare(
                    "SELECT t.customer_id, c.name, t.session_id, t.filename, t.status, t.duration, t.date_session_start
                     FROM transcripts t JOIN customers c ON c.id = t.customer_id
                     WHERE t.date_session_start >= ?1 AND t.date_session_start < ?2
                     ORDER BY t.date_session_start DESC, t.session_id LIMIT ?3",
                )?;
                let rows = stmt.query_map(params![lo, hi, RECENT], |r| {
                    Ok(json!({
                        "customer_id": r.get::<_, i64>(0)?,
                        "customer_name": r.get::<_, String>(1)?,
                        "session_id": r.get::<_, String>(2)?,
                        "filename": r.get::<_, String>(3)?,
                        "status": r.get::<_, i64>(4)?,
                        "duration": r.get::<_, f64>(5)?,
                        "date_session_start": format_ts(r.get(6)?),
                    }))
                })?;
                rows.collect::<Result<Vec<Value>, _>>()?
            };
            Ok(json!({
                "total_organizations": per_customer.len(),
                "active_organizations": active_orgs,
                "total_users": total_users,
                "units_used": units_all,
                "hours_processed": hours(units_all),
                "sessions": sessions_all,
                "finished_sessions": finished_all,
                "error_rate": ratio(errors_all, sessions_all),
                "recent_transcriptions": recent,
                "customers": per_customer,
            }))
        })
        .await?;
    Ok(one(StatusCode::OK, body))
}
