//! The cache's methods for the in-memory search index: choosing how it is built, warming it,
//! waiting for it, its figures (the index itself is `search_index`'s).

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::db::Cache;
use super::error::CacheResult;
use super::row_set::RowSet;
use super::search_index::*;

impl Cache {
    /// Chooses how searches get the in-memory index (see `SearchIndexMode`). `Off` drops it.
    pub fn set_search_index_mode(&self, mode: SearchIndexMode) {
        let mut slot = self.search_index.borrow_mut();
        slot.mode = mode;
        if mode == SearchIndexMode::Off {
            *slot = SearchIndexSlot {
                mode,
                ..SearchIndexSlot::default()
            };
        }
    }

    /// Starts a background build when the index is missing or stale: for the app to call when
    /// a search is likely soon (a sync round has ended, the search box got focus). Inline mode
    /// builds only when a search needs it.
    pub fn warm_search_index(&self) -> CacheResult<()> {
        if self.search_index.borrow().mode == SearchIndexMode::Background {
            self.search_index_for(self.customers_generation()?, false)?;
        }
        Ok(())
    }

    /// The first list read of a cache starts the first build, so the index is usually in before
    /// the first keystroke. Later rebuilds wait for a search (or `warm_search_index`): a sync
    /// writing batch after batch under an open list would otherwise rebuild after every batch.
    pub(crate) fn warm_search_index_once(&self) -> CacheResult<()> {
        let never_built = {
            let slot = self.search_index.borrow();
            slot.ready.is_none() && slot.building.is_none() && slot.failed_at.is_none()
        };
        if never_built {
            self.warm_search_index()?;
        }
        Ok(())
    }

    /// Waits up to `timeout` for a current index (building one as the mode allows); whether
    /// one is ready. For tests and benchmarks.
    pub fn wait_for_search_index(&self, timeout: Duration) -> CacheResult<bool> {
        let start = Instant::now();
        loop {
            if self.fresh_search_index()?.is_some() {
                return Ok(true);
            }
            let building = self.search_index.borrow().building.is_some();
            if !building || start.elapsed() >= timeout {
                return Ok(false);
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Figures of the index held (current or not), if any.
    pub fn search_index_stats(&self) -> Option<SearchIndexStats> {
        let mut slot = self.search_index.borrow_mut();
        slot.collect();
        slot.ready.as_ref().map(|index| index.stats())
    }

    /// The index if it reflects the customers as they are now; otherwise None (a background
    /// build is started) or, inline, a new index.
    pub(crate) fn fresh_search_index(&self) -> CacheResult<Option<Arc<SearchIndex>>> {
        self.search_index_for(self.customers_generation()?, true)
    }

    fn search_index_for(
        &self,
        generation: i64,
        inline_ok: bool,
    ) -> CacheResult<Option<Arc<SearchIndex>>> {
        let mut slot = self.search_index.borrow_mut();
        slot.collect();
        if let Some(index) = slot.ready.as_ref().filter(|i| i.generation == generation) {
            return Ok(Some(Arc::clone(index)));
        }
        let background = match (slot.mode, self.path()) {
            (SearchIndexMode::Off, _) => return Ok(None),
            (SearchIndexMode::Background, Some(path)) => Some(path),
            _ => None,
        };
        if slot.building.is_some() || slot.failed_at == Some(generation) {
            return Ok(None);
        }
        match background {
            Some(path) => {
                match spawn_build(path, generation) {
                    Ok(build) => slot.building = Some(build),
                    Err(e) => {
                        tracing::warn!("search index build not started, searching in SQLite: {e}");
                        slot.failed_at = Some(generation);
                    }
                }
                Ok(None)
            }
            None if inline_ok => {
                let index = Arc::new(SearchIndex::build(self.conn())?);
                slot.ready = Some(Arc::clone(&index));
                Ok((index.generation == generation).then_some(index))
            }
            None => Ok(None),
        }
    }

    /// The rows matching `terms` (memoised for the last terms: a keystroke asks twice).
    pub(crate) fn search_matches(&self, index: &SearchIndex, terms: &[String]) -> Arc<RowSet> {
        let mut slot = self.search_index.borrow_mut();
        if let Some((generation, last_terms, set)) = &slot.last_match {
            if *generation == index.generation && last_terms == terms {
                return Arc::clone(set);
            }
        }
        let set = Arc::new(index.tokens.matching(terms));
        slot.last_match = Some((index.generation, terms.to_vec(), Arc::clone(&set)));
        set
    }
}
