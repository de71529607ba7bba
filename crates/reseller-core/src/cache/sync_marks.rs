//! Sync bookkeeping stored in the cache: high-water marks and freshness records.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::customers::{from_micros, to_micros};
use super::error::{CacheError, CacheResult};
use super::freshness::{freshness, Freshness, FreshnessRecord, Scope};
use super::Cache;

/// The newest `last_modified` the cache has taken in for a list, and the ids seen at exactly
/// that timestamp: an incremental read `modified_since = mark` returns those rows again, and
/// equal timestamps are common (bulk imports), so the ids say which of them are already known.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HighWaterMark {
    pub last_modified: DateTime<Utc>,
    /// Sorted, no duplicates.
    pub ids_at_mark: Vec<i64>,
}

impl HighWaterMark {
    /// The mark after taking in `seen` (last_modified, id) pairs: moves forward to the newest
    /// timestamp (keeping only the ids at it), and merges ids when the newest equals the mark.
    pub fn advanced(
        current: Option<&HighWaterMark>,
        seen: impl IntoIterator<Item = (DateTime<Utc>, i64)>,
    ) -> Option<HighWaterMark> {
        let mut mark = current.cloned();
        for (t, id) in seen {
            // Stored marks have microsecond precision; compare like with like.
            let t = from_micros(to_micros(&t)).unwrap_or(t);
            match &mut mark {
                Some(m) if t < m.last_modified => {}
                Some(m) if t == m.last_modified => {
                    if let Err(pos) = m.ids_at_mark.binary_search(&id) {
                        m.ids_at_mark.insert(pos, id);
                    }
                }
                _ => {
                    mark = Some(HighWaterMark {
                        last_modified: t,
                        ids_at_mark: vec![id],
                    })
                }
            }
        }
        mark
    }
}

impl Cache {
    pub fn high_water_mark(&self, entity: &str) -> CacheResult<Option<HighWaterMark>> {
        let row: Option<(i64, String)> = self
            .conn()
            .query_row(
                "SELECT last_modified, ids_at_mark FROM high_water_marks WHERE entity = ?1",
                [entity],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(t, ids)| {
            let mut ids_at_mark: Vec<i64> = serde_json::from_str(&ids)
                .map_err(|e| CacheError::Corrupt(format!("high-water ids: {e}")))?;
            ids_at_mark.sort_unstable();
            ids_at_mark.dedup();
            Ok(HighWaterMark {
                last_modified: from_micros(t)?,
                ids_at_mark,
            })
        })
        .transpose()
    }

    pub fn set_high_water_mark(&self, entity: &str, mark: &HighWaterMark) -> CacheResult<()> {
        let ids = serde_json::to_string(&mark.ids_at_mark)
            .map_err(|e| CacheError::Corrupt(format!("high-water ids: {e}")))?;
        self.conn().execute(
            "INSERT INTO high_water_marks (entity, last_modified, ids_at_mark) VALUES (?1, ?2, ?3)
             ON CONFLICT (entity) DO UPDATE SET last_modified = excluded.last_modified,
                                                ids_at_mark = excluded.ids_at_mark",
            params![entity, to_micros(&mark.last_modified), ids],
        )?;
        Ok(())
    }

    pub fn clear_high_water_mark(&self, entity: &str) -> CacheResult<()> {
        self.conn()
            .execute("DELETE FROM high_water_marks WHERE entity = ?1", [entity])?;
        Ok(())
    }

    pub fn freshness_record(&self, scope: &Scope) -> CacheResult<Option<FreshnessRecord>> {
        let (name, customer_id) = scope.key();
        read_freshness(self.conn(), name, customer_id)
    }

    pub fn set_freshness(&self, scope: &Scope, record: &FreshnessRecord) -> CacheResult<()> {
        let (name, customer_id) = scope.key();
        write_freshness(self.conn(), name, customer_id, record)
    }

    /// Marks a scope stale now (after a local write, say) without forgetting when it was fetched.
    pub fn invalidate(&self, scope: &Scope) -> CacheResult<()> {
        let (name, customer_id) = scope.key();
        self.conn().execute(
            "UPDATE freshness SET stale_after = min(stale_after, fetched_at)
             WHERE scope = ?1 AND customer_id = ?2",
            params![name, customer_id],
        )?;
        Ok(())
    }

    /// Fresh, stale or missing at `now`.
    pub fn freshness(&self, scope: &Scope, now: DateTime<Utc>) -> CacheResult<Freshness> {
        Ok(freshness(self.freshness_record(scope)?.as_ref(), now))
    }
}

/// Writes one row of the freshness table (a scope's record, or a gap's "not supported" record).
pub(crate) fn write_freshness(
    conn: &rusqlite::Connection,
    name: &str,
    customer_id: i64,
    record: &FreshnessRecord,
) -> CacheResult<()> {
    conn.prepare_cached(
        "INSERT INTO freshness (scope, customer_id, fetched_at, stale_after)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (scope, customer_id) DO UPDATE SET
             fetched_at = excluded.fetched_at, stale_after = excluded.stale_after",
    )?
    .execute(params![
        name,
        customer_id,
        to_micros(&record.fetched_at),
        to_micros(&record.stale_after)
    ])?;
    Ok(())
}

/// One row of the freshness table (a scope's record, or a gap's "not supported" record).
pub(crate) fn read_freshness(
    conn: &rusqlite::Connection,
    name: &str,
    customer_id: i64,
) -> CacheResult<Option<FreshnessRecord>> {
    let row: Option<(i64, i64)> = conn
        .prepare_cached(
            "SELECT fetched_at, stale_after FROM freshness WHERE scope = ?1 AND customer_id = ?2",
        )?
        .query_row(params![name, customer_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(f, s)| {
        Ok(FreshnessRecord {
            fetched_at: from_micros(f)?,
            stale_after: from_micros(s)?,
        })
    })
    .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000 + s, 0).unwrap()
    }

    #[test]
    fn marks_advance_and_merge_equal_timestamps() {
        let m =
            HighWaterMark::advanced(None, [(t(5), 3), (t(7), 9), (t(7), 2), (t(1), 1)]).unwrap();
        assert_eq!(m.last_modified, t(7));
        assert_eq!(m.ids_at_mark, vec![2, 9]);
        let m2 = HighWaterMark::advanced(Some(&m), [(t(7), 4), (t(6), 8)]).unwrap();
        assert_eq!(m2.ids_at_mark, vec![2, 4, 9]);
        let m3 = HighWaterMark::advanced(Some(&m2), [(t(8), 1)]).unwrap();
        assert_eq!(m3.ids_at_mark, vec![1]);
        assert_eq!(HighWaterMark::advanced(None, []), None);
    }
}
