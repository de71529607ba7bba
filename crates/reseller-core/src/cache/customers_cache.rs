//! The cache's customer methods (the rows and statements are `customers`').

use rusqlite::params;

use super::customers::{delete_rows, get_row, upsert_rows, CustomerCounts, CustomerRow, SyncState};
use super::db::{commit, Cache};
use super::error::{CacheError, CacheResult};

impl Cache {
    /// Inserts or replaces customers in one transaction (the caller's, when `in_transaction`
    /// is open). Rows equal to what is stored are not rewritten (no index, FTS or generation
    /// churn). Returns how many rows changed.
    pub fn upsert_customers(&self, rows: &[CustomerRow]) -> CacheResult<usize> {
        let tx = self.begin_write()?;
        let changed = upsert_rows(self.conn(), rows)?;
        commit(tx)?;
        Ok(changed)
    }

    /// Deletes customers (and, by cascade, their cached detail rows), in one transaction (the
    /// caller's, when `in_transaction` is open). Returns how many existed.
    pub fn delete_customers(&self, ids: &[i64]) -> CacheResult<usize> {
        let tx = self.begin_write()?;
        let deleted = delete_rows(self.conn(), ids)?;
        commit(tx)?;
        Ok(deleted)
    }

    pub fn get_customer(&self, id: i64) -> CacheResult<Option<CustomerRow>> {
        get_row(self.conn(), id)
    }

    /// Marks one customer's sync state (the outbox does this in its own transaction later).
    pub fn set_customer_sync_state(&self, id: i64, state: SyncState) -> CacheResult<bool> {
        let n = self.conn().execute(
            "UPDATE customers SET sync_state = ?2 WHERE id = ?1",
            params![id, state.as_str()],
        )?;
        Ok(n == 1)
    }

    /// Total, active and inactive customers, from the trigger-maintained counters.
    pub fn customer_counts(&self) -> CacheResult<CustomerCounts> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT (SELECT value FROM customer_counters WHERE name = 'total'),
                    (SELECT value FROM customer_counters WHERE name = 'active')",
        )?;
        let (total, active): (i64, i64) = stmt.query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let total = u64::try_from(total).map_err(|_| CacheError::Corrupt("total".into()))?;
        let active = u64::try_from(active).map_err(|_| CacheError::Corrupt("active".into()))?;
        Ok(CustomerCounts {
            total,
            active,
            inactive: total.saturating_sub(active),
        })
    }

    /// A number that changes whenever any customer row changes (from any connection).
    pub fn customers_generation(&self) -> CacheResult<i64> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT value FROM customer_counters WHERE name = 'generation'")?;
        Ok(stmt.query_row([], |r| r.get(0))?)
    }
}
