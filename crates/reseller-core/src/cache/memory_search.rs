//! Search pages and counts from the in-memory search index (`search_index`): the matches are a
//! bitmap from the token index, paged through the in-memory list order, so a keystroke costs
//! the same for `k` (7 000 matches) as for `maria jansen`; only the page's rows are read from
//! SQLite. The same two plans as in SQLite, chosen by the number of matches:
//! - `FtsFirst` (at most `fts_first_max`): take the matches' positions in the list order and
//!   select the page among them;
//! - `IndexWalk` (more): walk the list order from the cursor and keep the rows that match;
//!   at least one row in `rows / fts_first_max` matches, so a page is found quickly (and even
//!   a walk over all 100 000 positions takes well under a millisecond).

use std::borrow::Cow;

use super::error::CacheResult;
use super::list::{Cursor, CustomerQuery, MatchCount, SearchPlan, SortDirection};
use super::row_set::RowSet;
use super::search_index::SearchIndex;
use super::Cache;

impl Cache {
    /// The ids of a searched page (`take` rows after `after`, skipping `offset` matches) and
    /// the plan, or None when the cursor's place cannot be found in the index (the caller
    /// falls back to SQLite).
    pub(crate) fn memory_page_ids(
        &self,
        index: &SearchIndex,
        q: &CustomerQuery,
        terms: &[String],
        after: Option<&Cursor>,
        offset: u64,
        take: u64,
    ) -> CacheResult<Option<(SearchPlan, Vec<i64>)>> {
        let matches = self.search_matches(index, terms);
        let set: Cow<'_, RowSet> = match q.status {
            None => Cow::Borrowed(&matches),
            Some(active) => {
                let mut set = (*matches).clone();
                set.filter_by(&index.active, active);
                Cow::Owned(set)
            }
        };
        let order = index.orders.get(q.sort);
        let asc = q.direction == SortDirection::Asc;
        let rows = index.rows() as u32;
        // The positions (in ascending list order) the page may come from.
        let (lo, hi) = match after {
            None => (0, rows),
            Some(cursor) => match self.first_id_after(q, cursor)? {
                // Nothing left after the cursor.
                None if asc => (rows, rows),
                None => (0, 0),
                Some(id) => {
                    let Some(row) = index.row_of(id) else {
                        return Ok(None);
                    };
                    let p = order.position_of(row);
                    if asc {
                        (p, rows)
                    } else {
                        (0, p + 1)
                    }
                }
            },
        };
        let wanted = usize::try_from(offset.saturating_add(take)).unwrap_or(usize::MAX);
        let skip = usize::try_from(offset).unwrap_or(usize::MAX);
        let (plan, positions) = if set.count() <= self.search_tuning.get().fts_first_max {
            let mut positions: Vec<u32> = set
                .iter()
                .map(|row| order.position_of(row))
                .filter(|p| (lo..hi).contains(p))
                .collect();
            // Descending lists take the highest positions first.
            let key = |p: &u32| if asc { i64::from(*p) } else { -i64::from(*p) };
            if positions.len() > wanted {
                positions.select_nth_unstable_by_key(wanted, key);
                positions.truncate(wanted);
            }
            positions.sort_unstable_by_key(key);
            positions.drain(..skip.min(positions.len()));
            (SearchPlan::FtsFirst, positions)
        } else {
            let walk: Box<dyn Iterator<Item = u32>> = if asc {
                Box::new(lo..hi)
            } else {
                Box::new((lo..hi).rev())
            };
            let positions = walk
                .filter(|&p| set.contains(order.row_at(p)))
                .skip(skip)
                .take(usize::try_from(take).unwrap_or(usize::MAX))
                .collect();
            (SearchPlan::IndexWalk, positions)
        };
        let ids = positions
            .into_iter()
            .map(|p| index.id_of(order.row_at(p)))
            .collect();
        Ok(Some((plan, ids)))
    }

    /// The number of matches, counting at most `cap` (as `count_customers`).
    pub(crate) fn memory_count(
        &self,
        index: &SearchIndex,
        terms: &[String],
        status: Option<bool>,
        cap: Option<u64>,
    ) -> MatchCount {
        let matches = self.search_matches(index, terms);
        let n = match status {
            None => matches.count(),
            Some(active) => {
                let mut set = (*matches).clone();
                set.filter_by(&index.active, active);
                set.count()
            }
        };
        MatchCount::capped(n, cap)
    }
}
