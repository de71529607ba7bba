//! What the usage tab keeps beside the rows `cache/details.rs` stores per query key: when each
//! query was fetched (table `usage_query_fetches`, migration 0015), and the letting go of the
//! least recently fetched queries, so looking at many ranges does not grow the cache forever.

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{params, OptionalExtension};

use crate::cache::{Cache, CacheError, CacheResult, FreshnessRecord};

/// Queries kept per customer beyond the prefetched default (which the sync keeps itself).
pub const MAX_QUERIES_PER_CUSTOMER: usize = 40;

fn micros(t: &DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

fn time(v: i64) -> CacheResult<DateTime<Utc>> {
    Utc.timestamp_micros(v)
        .single()
        .ok_or_else(|| CacheError::Corrupt(format!("timestamp {v} out of range")))
}

/// When `key` was fetched for the customer, and until when it is fresh.
pub fn fetch_record(
    cache: &Cache,
    customer_id: i64,
    key: &str,
) -> CacheResult<Option<FreshnessRecord>> {
    let row: Option<(i64, i64)> = cache
        .conn()
        .prepare_cached(
            "SELECT fetched_at, stale_after FROM usage_query_fetches
             WHERE customer_id = ?1 AND query_key = ?2",
        )?
        .query_row(params![customer_id, key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(f, s)| {
        Ok(FreshnessRecord {
            fetched_at: time(f)?,
            stale_after: time(s)?,
        })
    })
    .transpose()
}

pub fn set_fetch_record(
    cache: &Cache,
    customer_id: i64,
    key: &str,
    record: &FreshnessRecord,
) -> CacheResult<()> {
    cache
        .conn()
        .prepare_cached(
            "INSERT INTO usage_query_fetches (customer_id, query_key, fetched_at, stale_after)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (customer_id, query_key) DO UPDATE
             SET fetched_at = excluded.fetched_at, stale_after = excluded.stale_after",
        )?
        .execute(params![
            customer_id,
            key,
            micros(&record.fetched_at),
            micros(&record.stale_after)
        ])?;
    Ok(())
}

/// Drops the rows, summaries and records of the customer's least recently fetched queries
/// beyond `keep`, never `protect` (the prefetched default). Returns how many went.
pub fn prune(cache: &Cache, customer_id: i64, keep: usize, protect: &str) -> CacheResult<usize> {
    let conn = cache.conn();
    let old: Vec<String> = conn
        .prepare_cached(
            "SELECT query_key FROM usage_query_fetches
             WHERE customer_id = ?1 AND query_key <> ?2
             ORDER BY fetched_at DESC, query_key LIMIT -1 OFFSET ?3",
        )?
        .query_map(params![customer_id, protect, keep as i64], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for key in &old {
        for sql in [
            "DELETE FROM usage_rows WHERE customer_id = ?1 AND query_key = ?2",
            "DELETE FROM usage_summaries WHERE customer_id = ?1 AND query_key = ?2",
            "DELETE FROM usage_query_fetches WHERE customer_id = ?1 AND query_key = ?2",
        ] {
            conn.prepare_cached(sql)?
                .execute(params![customer_id, key])?;
        }
    }
    Ok(old.len())
}

/// The unit a cached server summary of this account states (the unit of `units_used` does not
/// change between customers or ranges), if any summary is cached.
pub fn known_unit(cache: &Cache) -> CacheResult<Option<String>> {
    Ok(cache
        .conn()
        .prepare_cached("SELECT unit FROM usage_summaries LIMIT 1")?
        .query_row([], |r| r.get(0))
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::fixtures::cache_with_customer;
    use crate::cache::UsageRow;
    use chrono::{Duration, NaiveDate};

    fn rows() -> Vec<UsageRow> {
        let d = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        vec![UsageRow {
            units_used: 1,
            usage_period_start: d,
            usage_period_end: d,
            language: None,
            token_name: None,
            subscription_id: None,
            cost: None,
        }]
    }

    #[test]
    fn records_round_trip_and_old_queries_are_let_go() {
        let cache = cache_with_customer(3);
        let t0 = Utc.timestamp_opt(1_700_000_000, 123_000).unwrap();
        assert_eq!(fetch_record(&cache, 3, "a").unwrap(), None);
        for (i, key) in ["default", "a", "b", "c"].iter().enumerate() {
            let rec = FreshnessRecord::new(t0 + Duration::seconds(i as i64), Duration::hours(1));
            cache.replace_usage_rows(3, key, &rows()).unwrap();
            set_fetch_record(&cache, 3, key, &rec).unwrap();
            assert_eq!(fetch_record(&cache, 3, key).unwrap(), Some(rec));
        }
        // Keep the two newest besides the protected default.
        assert_eq!(prune(&cache, 3, 2, "default").unwrap(), 1);
        assert_eq!(fetch_record(&cache, 3, "a").unwrap(), None);
        assert!(cache.usage_rows(3, "a").unwrap().is_empty());
        for key in ["default", "b", "c"] {
            assert!(fetch_record(&cache, 3, key).unwrap().is_some(), "{key}");
            assert_eq!(cache.usage_rows(3, key).unwrap().len(), 1);
        }
        assert_eq!(known_unit(&cache).unwrap(), None);
    }
}
