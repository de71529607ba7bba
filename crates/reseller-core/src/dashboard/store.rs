//! The dashboard's reads and writes of the cache: per-customer usage per range (computed
//! mode, table `dashboard_usage`), allowances from cached subscriptions, recent
//! transcriptions across customers.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::params;
use serde::Serialize;

use crate::cache::{Cache, CacheResult};

/// One customer's usage in a range, as fetched (seconds; counts absent without G4).
#[derive(Clone, Debug, PartialEq)]
pub struct StoredUsage {
    pub customer_id: i64,
    pub seconds_used: i64,
    pub sessions: Option<i64>,
    pub finished_sessions: Option<i64>,
    pub error_sessions: Option<i64>,
    pub total_users: Option<i64>,
    pub active_users: Option<i64>,
    pub fetched_at: DateTime<Utc>,
}

/// A stored row with its customer's name and status, for the table.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedUsage {
    pub name: String,
    pub is_active: bool,
    pub usage: StoredUsage,
}

/// A transcription in the "recent" list.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecentTranscription {
    pub customer_id: i64,
    pub customer_name: String,
    pub session_id: String,
    pub filename: String,
    pub status: i64,
    pub status_label: String,
    /// Seconds.
    pub duration: Option<f64>,
    pub date_session_start: DateTime<Utc>,
    /// Display-ready (filled by the view): "12 min", and the start in the computer's time.
    pub duration_text: Option<String>,
    pub started_text: String,
}

fn micros(t: &DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

fn time(v: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(v).unwrap_or_default()
}

fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub fn put_usage(cache: &Cache, range_key: &str, u: &StoredUsage) -> CacheResult<()> {
    cache.conn().execute(
        "INSERT OR REPLACE INTO dashboard_usage (range_key, customer_id, seconds_used, sessions,
             finished_sessions, error_sessions, total_users, active_users, fetched_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            range_key,
            u.customer_id,
            u.seconds_used,
            u.sessions,
            u.finished_sessions,
            u.error_sessions,
            u.total_users,
            u.active_users,
            micros(&u.fetched_at)
        ],
    )?;
    Ok(())
}

/// Every stored row of a range whose customer is still cached, with its name.
pub fn usage_rows(cache: &Cache, range_key: &str) -> CacheResult<Vec<NamedUsage>> {
    let mut stmt = cache.conn().prepare_cached(
        "SELECT d.customer_id, d.seconds_used, d.sessions, d.finished_sessions, d.error_sessions,
                d.total_users, d.active_users, d.fetched_at, c.name, c.is_active
         FROM dashboard_usage d JOIN customers c ON c.id = d.customer_id
         WHERE d.range_key = ?1",
    )?;
    let rows = stmt.query_map([range_key], |r| {
        Ok(NamedUsage {
            usage: StoredUsage {
                customer_id: r.get(0)?,
                seconds_used: r.get(1)?,
                sessions: r.get(2)?,
                finished_sessions: r.get(3)?,
                error_sessions: r.get(4)?,
                total_users: r.get(5)?,
                active_users: r.get(6)?,
                fetched_at: time(r.get(7)?),
            },
            name: r.get(8)?,
            is_active: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Server-known customers (ids > 0) whose usage for the range is missing or fetched before
/// `stale_before`: missing ones first, then the oldest, so progress is made where nothing shows.
pub fn customers_to_fetch(
    cache: &Cache,
    range_key: &str,
    stale_before: DateTime<Utc>,
) -> CacheResult<Vec<i64>> {
    let mut stmt = cache.conn().prepare_cached(
        "SELECT c.id FROM customers c
         LEFT JOIN dashboard_usage d ON d.range_key = ?1 AND d.customer_id = c.id
         WHERE c.id > 0 AND (d.fetched_at IS NULL OR d.fetched_at < ?2)
         ORDER BY d.fetched_at IS NOT NULL, d.fetched_at, c.id",
    )?;
    let ids = stmt.query_map(params![range_key, micros(&stale_before)], |r| r.get(0))?;
    Ok(ids.collect::<Result<_, _>>()?)
}

/// Makes these customers' per-range figures stale, so the next fill fetches them again (a
/// change of theirs was confirmed: their user counts moved).
pub fn mark_stale(cache: &Cache, customer_ids: &[i64]) -> CacheResult<()> {
    // Two days back: past the longest freshness (a closed range's day), and still a real time
    // for the "as of" line until the fetch lands.
    let mut stmt = cache.conn().prepare_cached(
        "UPDATE dashboard_usage SET fetched_at = fetched_at - 172800000000 WHERE customer_id = ?1",
    )?;
    for id in customer_ids {
        stmt.execute([id])?;
    }
    Ok(())
}

/// Customers the server knows (ids > 0): the denominator of "computed from N of M".
pub fn server_customer_count(cache: &Cache) -> CacheResult<u64> {
    let n: i64 = cache
        .conn()
        .prepare_cached("SELECT COUNT(*) FROM customers WHERE id > 0")?
        .query_row([], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Available speech-to-text units per customer: the sum over the cached subscriptions current
/// on `today` (started, not ended), as the server's dashboard counts them. Customers whose
/// subscriptions were never fetched are absent (unknown, not zero).
pub fn available_units(cache: &Cache, today: NaiveDate) -> CacheResult<HashMap<i64, f64>> {
    let today = date_text(today);
    let mut stmt = cache.conn().prepare_cached(
        "SELECT customer_id, SUM(COALESCE(stt_units, 0)) FROM subscriptions
         WHERE start_date <= ?1 AND (end_date IS NULL OR end_date > ?1)
         GROUP BY customer_id",
    )?;
    let rows = stmt.query_map([&today], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, f64>(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The newest cached transcriptions across customers that started in [from, to).
pub fn recent_transcriptions(
    cache: &Cache,
    from: NaiveDate,
    to: NaiveDate,
    limit: usize,
) -> CacheResult<Vec<RecentTranscription>> {
    let start = |d: NaiveDate| micros(&d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc());
    let mut stmt = cache.conn().prepare_cached(
        "SELECT t.customer_id, c.name, t.session_id, t.filename, t.status, t.status_label,
                t.duration, t.date_session_start
         FROM transcriptions t JOIN customers c ON c.id = t.customer_id
         WHERE t.is_deleted = 0 AND t.date_session_start >= ?1 AND t.date_session_start < ?2
         ORDER BY t.date_session_start DESC, t.session_id LIMIT ?3",
    )?;
    let rows = stmt.query_map(
        params![start(from), start(to), i64::try_from(limit).unwrap_or(10)],
        |r| {
            let status: i64 = r.get(4)?;
            let label: Option<String> = r.get(5)?;
            Ok(RecentTranscription {
                customer_id: r.get(0)?,
                customer_name: r.get(1)?,
                session_id: r.get(2)?,
                filename: r.get(3)?,
                status,
                status_label: label
                    .unwrap_or_else(|| scriptix_api::TranscriptStatus::from_code(status).label()),
                duration: r.get(6)?,
                date_session_start: time(r.get(7)?),
                duration_text: None,
                started_text: String::new(),
            })
        },
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::{CustomerRow, SyncState};
    use chrono::{Duration, TimeZone};

    fn cache_with(ids: &[i64]) -> Cache {
        let cache = Cache::open_in_memory().unwrap();
        let t = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        let rows: Vec<CustomerRow> = ids
            .iter()
            .map(|&id| CustomerRow {
                id,
                name: format!("Org {id}"),
                email: format!("o{id}@example.com"),
                phone: None,
                is_active: id % 2 == 0,
                registration_date: t,
                last_modified: t,
                sync_state: SyncState::Synced,
            })
            .collect();
        cache.upsert_customers(&rows).unwrap();
        cache
    }

    fn usage(id: i64, at: DateTime<Utc>) -> StoredUsage {
        StoredUsage {
            customer_id: id,
            seconds_used: 60 * id,
            sessions: Some(id),
            finished_sessions: Some(id),
            error_sessions: Some(0),
            total_users: Some(2),
            active_users: Some(1),
            fetched_at: at,
        }
    }

    #[test]
    fn missing_then_stale_customers_are_fetched_fresh_ones_are_not() {
        let cache = cache_with(&[1, 2, 3, -4]);
        let now = Utc.timestamp_opt(1_700_100_000, 0).unwrap();
        put_usage(&cache, "r", &usage(1, now - Duration::hours(3))).unwrap();
        put_usage(&cache, "r", &usage(2, now)).unwrap();
        put_usage(&cache, "other", &usage(3, now)).unwrap();
        let ids = customers_to_fetch(&cache, "r", now - Duration::hours(1)).unwrap();
        // 3 has nothing for this range (first); 1 is stale; 2 is fresh; -4 is local only.
        assert_eq!(ids, vec![3, 1]);
        assert_eq!(server_customer_count(&cache).unwrap(), 3);
        let rows = usage_rows(&cache, "r").unwrap();
        assert_eq!(rows.len(), 2);
        let two = rows.iter().find(|r| r.usage.customer_id == 2).unwrap();
        assert_eq!(two.name, "Org 2");
        assert_eq!(two.usage, usage(2, now));
        // A deleted customer's rows go with it.
        cache.delete_customers(&[2]).unwrap();
        assert_eq!(usage_rows(&cache, "r").unwrap().len(), 1);
    }
}
