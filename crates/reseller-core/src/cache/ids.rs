//! Cached customer ids with what the sync engine needs to know about each: when it last
//! changed and whether it carries local work. Read by the deletion scan and the list walk.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::customers::{from_micros, SyncState};
use super::error::CacheResult;
use super::outbox::OutboxEntity;
use super::Cache;

/// One cached customer as the sync engine plans with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CustomerIdState {
    pub id: i64,
    pub last_modified: DateTime<Utc>,
    pub sync_state: SyncState,
}

impl Cache {
    /// Every cached customer's id, last_modified and sync state (one pass over the table).
    pub fn customer_id_states(&self) -> CacheResult<Vec<CustomerIdState>> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT id, last_modified, sync_state FROM customers")?;
        let raw: Vec<(i64, i64, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        raw.into_iter()
            .map(|(id, t, state)| {
                Ok(CustomerIdState {
                    id,
                    last_modified: from_micros(t)?,
                    sync_state: SyncState::parse(&state)?,
                })
            })
            .collect()
    }

    /// The states of those of `ids` that are cached (lookups by primary key: a page costs
    /// about a millisecond, so it can run under the same lock as the page's upsert).
    pub fn customer_id_states_among(
        &self,
        ids: &[i64],
    ) -> CacheResult<HashMap<i64, CustomerIdState>> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT last_modified, sync_state FROM customers WHERE id = ?1")?;
        let mut out = HashMap::new();
        for &id in ids {
            let mut rows = stmt.query([id])?;
            if let Some(r) = rows.next()? {
                let t: i64 = r.get(0)?;
                let state: String = r.get(1)?;
                out.insert(
                    id,
                    CustomerIdState {
                        id,
                        last_modified: from_micros(t)?,
                        sync_state: SyncState::parse(&state)?,
                    },
                );
            }
        }
        Ok(out)
    }

    /// Those of `ids` that carry local work: a cached row marked pending, failed or conflict,
    /// or an unfinished outbox operation (a customer deleted locally has no row, but the list
    /// must not bring it back before the delete reaches the server).
    pub fn customers_with_local_work(&self, ids: &[i64]) -> CacheResult<HashSet<i64>> {
        let mut out: HashSet<i64> = self
            .customer_id_states_among(ids)?
            .into_values()
            .filter(|c| c.sync_state != SyncState::Synced)
            .map(|c| c.id)
            .collect();
        let mut stmt = self.conn().prepare_cached(
            "SELECT 1 FROM outbox WHERE entity = ?2 AND entity_id = ?1 AND state <> 'done'
             LIMIT 1",
        )?;
        for &id in ids {
            if !out.contains(&id) && stmt.exists(rusqlite::params![id, OutboxEntity::Customer])? {
                out.insert(id);
            }
        }
        Ok(out)
    }

    /// Up to `limit` server ids, most recently modified first (an index walk).
    pub fn recently_modified_ids(&self, limit: usize) -> CacheResult<Vec<i64>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id FROM customers WHERE id > 0 ORDER BY last_modified DESC, id DESC LIMIT ?1",
        )?;
        let ids = stmt
            .query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| r.get(0))?
            .collect::<Result<Vec<i64>, _>>()?;
        Ok(ids)
    }
}
