//! `/customer/{id}/usage` (views, splits, date range) and G4 `/customer/{id}/usage/summary`.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use rusqlite::params;
use serde_json::json;

use super::{many, one, parse_id, App};
use crate::clock::date_micros;
use crate::error::ApiError;
use crate::listing::{Paging, Query};
use crate::usage::{rows, Profile, Split, View};

/// `date_from`/`date_to` as given (400 when malformed or reversed).
pub fn date_range(q: &Query) -> Result<(Option<NaiveDate>, Option<NaiveDate>), ApiError> {
    let (from, to) = (q.date("date_from")?, q.date("date_to")?);
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(ApiError::bad_request(format!(
                "date_from ({f}) is after date_to ({t}); the range is [date_from, date_to)."
            )));
        }
    }
    Ok((from, to))
}

pub async fn list(
    State(app): State<App>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let id = parse_id(&id, "customer")?;
    let q = Query::parse(raw.as_deref());
    let paging = Paging::from_query(&q)?;
    let view = match q.get("view") {
        None => View::Invoice,
        Some(v) => View::parse(v).ok_or_else(|| {
            ApiError::bad_param(
                "view",
                format!("must be one of invoice, day, week, month, year, got '{v}'"),
            )
        })?,
    };
    let split = match q.get("split_by") {
        None => Split::None,
        Some(s) => Split::parse(s).ok_or_else(|| {
            ApiError::bad_param(
                "split_by",
                format!("must be one of language, token, subscription, period, got '{s}'"),
            )
        })?,
    };
    let (from, to) = date_range(&q)?;
    let app2 = app.clone();
    let profile = app
        .db
        .call(move |conn| Profile::load(conn, app2.seed, &app2.frame, id))
        .await?;
    let all = tokio::task::spawn_blocking(move || {
        rows(
            &profile,
            view,
            split,
            from.unwrap_or(profile.from),
            to.unwrap_or(profile.until),
        )
    })
    .await
    .map_err(|_| ApiError::internal("The usage computation was interrupted."))?;
    let total = all.len();
    Ok(many(paging.slice(all), total))
}

pub async fn summary(
    State(app): State<App>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let id = parse_id(&id, "customer")?;
    let q = Query::parse(raw.as_deref());
    let (from, to) = date_range(&q)?;
    let app2 = app.clone();
    let body = app
        .db
        .call(move |conn| {
            let profile = Profile::load(conn, app2.seed, &app2.frame, id)?;
            let units = profile.total(from.unwrap_or(profile.from), to.unwrap_or(profile.until));
            let lo = from.map(date_micros).unwrap_or(i64::MIN);
            let hi = to.map(date_micros).unwrap_or(i64::MAX);
            let (sessions, finished, errors): (i64, i64, i64) = conn.query_row(
                "SELECT COUNT(*), coalesce(SUM(status = ?4), 0), coalesce(SUM(status = ?5), 0) FROM transcripts
                 WHERE customer_id = ?1 AND date_session_start >= ?2 AND date_session_start < ?3",
                params![id, lo, hi, crate::catalog::STATUS_FINISHED, crate::catalog::STATUS_ERROR],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            let (users, active): (i64, i64) = conn.query_row(
                "SELECT COUNT(*), coalesce(SUM(is_active), 0) FROM users WHERE customer_id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            Ok(json!({
                "units_used": units,
                "unit": "second",
                "hours_processed": hours(units),
                "sessions": sessions,
                "finished_sessions": finished,
                "error_sessions": errors,
                "error_rate": ratio(errors, sessions),
                "total_users": users,
                "active_users": active,
            }))
        })
        .await?;
    Ok(one(StatusCode::OK, body))
}

/// Seconds as hours, two decimals.
pub fn hours(seconds: i64) -> f64 {
    (seconds as f64 / 36.0).round() / 100.0
}

/// A fraction 0..1 (4 decimals), 0 when there is nothing to divide.
pub fn ratio(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        0.0
    } else {
        (part as f64 / whole as f64 * 10_000.0).round() / 10_000.0
    }
}
