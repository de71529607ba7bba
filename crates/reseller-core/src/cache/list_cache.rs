//! The cache's customer list methods: pages and counts for a query, searched in SQLite or in
//! the in-memory index (the query types, plans and SQL are `list`'s).

use rusqlite::types::Value;
use rusqlite::{params_from_iter, Row};

use super::customers::{read_customer, CustomerRow};
use super::db::Cache;
use super::error::{CacheError, CacheResult};
use super::list::*;
use super::text;

impl Cache {
    /// Replaces the search plan thresholds (see `SearchTuning`).
    pub fn set_search_tuning(&self, tuning: SearchTuning) {
        self.search_tuning.set(tuning);
    }

    /// One page of the customer list, continuing after `query.after` when set.
    pub fn customer_page(&self, query: &CustomerQuery) -> CacheResult<CustomerPage> {
        self.page_from(query, query.after.as_ref(), 0)
    }

    /// The page starting at row `offset` of the list (`query.after` is ignored): for a
    /// virtualised list that jumps. Unsearched lists keep anchors (every `ANCHOR_STRIDE`-th
    /// cursor, rebuilt lazily after the customers change), so any depth costs one short index
    /// walk; searched lists skip `offset` matches.
    pub fn customer_page_at(
        &self,
        query: &CustomerQuery,
        offset: u64,
    ) -> CacheResult<CustomerPage> {
        if !search_terms(query).is_empty() || offset < ANCHOR_STRIDE {
            return self.page_from(query, None, offset);
        }
        let key = AnchorKey {
            sort: query.sort,
            direction: query.direction,
            status: query.status,
        };
        let generation = self.customers_generation()?;
        let fresh = self
            .anchors
            .borrow()
            .get(&key)
            .is_some_and(|a| a.generation == generation);
        if !fresh {
            let cursors = self.build_anchors(query)?;
            self.anchors.borrow_mut().insert(
                key,
                Anchors {
                    generation,
                    cursors,
                },
            );
        }
        let anchor = {
            let anchors = self.anchors.borrow();
            let cursors = anchors
                .get(&key)
                .map(|a| a.cursors.as_slice())
                .unwrap_or(&[]);
            let slot = usize::try_from(offset / ANCHOR_STRIDE).unwrap_or(usize::MAX);
            // Past the last anchor: continue from it (the page is then short or empty).
            let index = slot.min(cursors.len());
            index
                .checked_sub(1)
                .and_then(|i| cursors.get(i))
                .map(|cursor| (cursor.clone(), index as u64 * ANCHOR_STRIDE))
        };
        match anchor {
            Some((cursor, position)) => self.page_from(query, Some(&cursor), offset - position),
            None => self.page_from(query, None, offset),
        }
    }

    /// The number of customers a query lists, counting at most `cap` search matches
    /// (None: exact). Without a search this reads the counters: no scan.
    pub fn count_customers(
        &self,
        search: Option<&str>,
        status: Option<bool>,
        cap: Option<u64>,
    ) -> CacheResult<MatchCount> {
        let terms = search.map(text::query_terms).unwrap_or_default();
        if terms.is_empty() {
            let counts = self.customer_counts()?;
            let count = match status {
                None => counts.total,
                Some(true) => counts.active,
                Some(false) => counts.inactive,
            };
            return Ok(MatchCount { count, exact: true });
        }
        let _snapshot = self.read_snapshot()?;
        if let Some(index) = self.fresh_search_index()? {
            return Ok(self.memory_count(&index, &terms, status, cap));
        }
        self.fts_count(&text::fts_query(&terms), status, cap)
    }

    fn fts_count(
        &self,
        fts: &str,
        status: Option<bool>,
        cap: Option<u64>,
    ) -> CacheResult<MatchCount> {
        let limit = cap.map_or(-1, |c| {
            i64::try_from(c.saturating_add(1)).unwrap_or(i64::MAX)
        });
        let n: i64 = match status {
            None => {
                let mut stmt = self.conn().prepare_cached(
                    "SELECT count(*) FROM (SELECT 1 FROM customers_fts
                     WHERE customers_fts MATCH ?1 LIMIT ?2)",
                )?;
                stmt.query_row(rusqlite::params![fts, limit], |r| r.get(0))?
            }
            Some(active) => {
                let mut stmt = self.conn().prepare_cached(
                    "SELECT count(*) FROM (SELECT 1 FROM customers_fts
                     CROSS JOIN customers AS c ON c.id = customers_fts.rowid
                     WHERE customers_fts MATCH ?1 AND c.is_active = ?3 LIMIT ?2)",
                )?;
                stmt.query_row(rusqlite::params![fts, limit, active], |r| r.get(0))?
            }
        };
        Ok(MatchCount::capped(u64::try_from(n).unwrap_or(0), cap))
    }

    fn page_from(
        &self,
        q: &CustomerQuery,
        after: Option<&Cursor>,
        offset: u64,
    ) -> CacheResult<CustomerPage> {
        if let Some(cursor) = after {
            check_cursor(q, cursor)?;
        }
        let _snapshot = self.read_snapshot()?;
        let limit = q.limit as u64;
        let terms = search_terms(q);
        let take = limit + 1;
        if terms.is_empty() {
            self.warm_search_index_once()?;
        } else if let Some(index) = self.fresh_search_index()? {
            if let Some((plan, ids)) =
                self.memory_page_ids(&index, q, &terms, after, offset, take)?
            {
                return Ok(finish_page(q, self.rows_by_ids(&ids)?, plan));
            }
        }
        let (plan, rows) = if terms.is_empty() {
            let mut rows = Vec::new();
            let mut skip = offset;
            for phase in walk_phases(q.sort, after) {
                let want = take - rows.len() as u64;
                if want == 0 {
                    break;
                }
                // Skipping inside a tie group is done here, so a phase's OFFSET never hides
                // how many rows the next phase still has to skip.
                let (sql, params) = build_sql(q, phase, Mode::Index, Some((want + skip, 0)));
                let got = self.query_rows(&sql, params)?;
                let skipped = skip.min(got.len() as u64);
                skip -= skipped;
                rows.extend(got.into_iter().skip(skipped as usize));
            }
            (SearchPlan::Index, rows)
        } else {
            let fts = text::fts_query(&terms);
            let tuning = self.search_tuning.get();
            if self
                .fts_count(&fts, None, Some(tuning.fts_first_max))?
                .exact
            {
                (
                    SearchPlan::FtsFirst,
                    self.fts_first(q, &fts, after, offset, take)?,
                )
            } else {
                let mut walk = Walk {
                    skip: offset,
                    take,
                    rows: Vec::new(),
                    budget: tuning.walk_budget,
                };
                for phase in walk_phases(q.sort, after) {
                    if walk.full() || walk.budget == 0 {
                        break;
                    }
                    let (sql, params) = build_sql(q, phase, Mode::Walk, None);
                    self.walk_rows(&sql, params, &terms, &mut walk)?;
                }
                if walk.full() || walk.budget > 0 {
                    (SearchPlan::IndexWalk, walk.rows)
                } else {
                    (
                        SearchPlan::FtsFirst,
                        self.fts_first(q, &fts, after, offset, take)?,
                    )
                }
            }
        };
        Ok(finish_page(q, rows, plan))
    }

    /// FTS-first in SQLite: the FTS index yields the matches and SQLite sorts their keys (at
    /// most `fts_first_max` of them, one row lookup each), then the page's rows are read.
    fn fts_first(
        &self,
        q: &CustomerQuery,
        fts: &str,
        after: Option<&Cursor>,
        offset: u64,
        take: u64,
    ) -> CacheResult<Vec<CustomerRow>> {
        let (sql, params) = fts_first_sql(q, fts, after, take, offset);
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let ids = stmt
            .query_map(params_from_iter(params), |r| r.get::<_, i64>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        self.rows_by_ids(&ids)
    }

    /// The rows with these ids, in this order (rows that vanished are left out). One statement
    /// per `ID_CHUNK` ids: a statement per id costs five times as much.
    fn rows_by_ids(&self, ids: &[i64]) -> CacheResult<Vec<CustomerRow>> {
        const ID_CHUNK: usize = 64;
        let sql = format!(
            "SELECT {SELECT_COLUMNS} FROM customers AS c WHERE c.id IN ({})",
            vec!["?"; ID_CHUNK].join(", ")
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let mut found = std::collections::HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(ID_CHUNK) {
            // Unused places are NULL, which matches no id.
            let params = (0..ID_CHUNK).map(|i| chunk.get(i).map_or(Value::Null, |&id| id.into()));
            let mut rows = stmt.query(params_from_iter(params))?;
            while let Some(row) = rows.next()? {
                let row = read_customer(row)?;
                found.insert(row.id, row);
            }
        }
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    /// The id of the first row after `cursor` in the query's order, ignoring search and status
    /// (one seek in the sort index), or None at the end of the list.
    pub(crate) fn first_id_after(
        &self,
        q: &CustomerQuery,
        cursor: &Cursor,
    ) -> CacheResult<Option<i64>> {
        let unfiltered = CustomerQuery {
            search: None,
            status: None,
            after: None,
            ..q.clone()
        };
        for phase in walk_phases(q.sort, Some(cursor)) {
            let (sql, params) = build_sql(&unfiltered, phase, Mode::Index, Some((1, 0)));
            if let Some(row) = self.query_rows(&sql, params)?.first() {
                return Ok(Some(row.id));
            }
        }
        Ok(None)
    }

    /// A read transaction unless one is open: the generation check, the in-memory index and the
    /// rows read then all see the same snapshot, whatever other connections write meanwhile.
    fn read_snapshot(&self) -> CacheResult<Option<rusqlite::Transaction<'_>>> {
        Ok(if self.conn().is_autocommit() {
            Some(self.conn().unchecked_transaction()?)
        } else {
            None
        })
    }

    fn query_rows(&self, sql: &str, params: Vec<Value>) -> CacheResult<Vec<CustomerRow>> {
        let mut stmt = self.conn().prepare_cached(sql)?;
        let mut rows = stmt.query(params_from_iter(params))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(read_customer(row)?);
        }
        Ok(out)
    }

    /// Steps the sort index, keeping rows whose search text matches, until the walk is full,
    /// its budget is spent, or the rows run out.
    fn walk_rows(
        &self,
        sql: &str,
        params: Vec<Value>,
        terms: &[String],
        walk: &mut Walk,
    ) -> CacheResult<()> {
        let mut stmt = self.conn().prepare_cached(sql)?;
        let mut rows = stmt.query(params_from_iter(params))?;
        while let Some(row) = rows.next()? {
            if walk.budget == 0 {
                return Ok(());
            }
            walk.budget -= 1;
            let hit = {
                let search_text = row
                    .get_ref(8)?
                    .as_str()
                    .map_err(|e| CacheError::Corrupt(format!("search_text: {e}")))?;
                text::matches(search_text, terms)
            };
            if !hit {
                continue;
            }
            if walk.skip > 0 {
                walk.skip -= 1;
                continue;
            }
            walk.rows.push(read_customer(row)?);
            if walk.full() {
                break;
            }
        }
        Ok(())
    }

    fn build_anchors(&self, q: &CustomerQuery) -> CacheResult<Vec<Cursor>> {
        let key = q.sort.key_column();
        let dir = q.direction.sql();
        let mut sql = format!("SELECT c.{key}, c.id FROM customers AS c");
        if let Some(index) = q.sort.index() {
            sql.push_str(" INDEXED BY ");
            sql.push_str(index);
        }
        let mut params: Vec<Value> = Vec::new();
        if let Some(active) = q.status {
            sql.push_str(" WHERE c.is_active = ?");
            params.push(Value::Integer(i64::from(active)));
        }
        if q.sort == SortColumn::Id {
            sql.push_str(&format!(" ORDER BY c.id {dir}"));
        } else {
            sql.push_str(&format!(" ORDER BY c.{key} {dir}, c.id {dir}"));
        }
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let mut rows = stmt.query(params_from_iter(params))?;
        let mut cursors = Vec::new();
        let mut position: u64 = 0;
        while let Some(row) = rows.next()? {
            position += 1;
            if position.is_multiple_of(ANCHOR_STRIDE) {
                cursors.push(Cursor {
                    sort: q.sort,
                    direction: q.direction,
                    key: read_key(row, q.sort)?,
                    id: row.get(1)?,
                });
            }
        }
        Ok(cursors)
    }

    /// `EXPLAIN QUERY PLAN` details of the SQL a list query runs (tests and diagnostics).
    pub fn explain_customer_query(&self, query: &CustomerQuery) -> CacheResult<Vec<String>> {
        explain(self, query)
    }
}

fn read_key(row: &Row<'_>, sort: SortColumn) -> CacheResult<CursorKey> {
    Ok(if sort.text_key() {
        CursorKey::Text(row.get(0)?)
    } else {
        CursorKey::Int(row.get(0)?)
    })
}

fn finish_page(q: &CustomerQuery, mut rows: Vec<CustomerRow>, plan: SearchPlan) -> CustomerPage {
    let next = if rows.len() > q.limit {
        rows.truncate(q.limit);
        rows.last().map(|r| Cursor::of(r, q.sort, q.direction))
    } else {
        None
    };
    CustomerPage { rows, next, plan }
}

/// EXPLAIN QUERY PLAN of the statements `customer_page` would run for `q`.
fn explain(cache: &Cache, q: &CustomerQuery) -> CacheResult<Vec<String>> {
    let terms = search_terms(q);
    let fts = text::fts_query(&terms);
    let mode = if terms.is_empty() {
        Mode::Index
    } else if cache
        .fts_count(&fts, None, Some(cache.search_tuning.get().fts_first_max))?
        .exact
    {
        let (sql, params) = fts_first_sql(q, &fts, q.after.as_ref(), q.limit as u64 + 1, 0);
        let mut stmt = cache.conn().prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
        let rows = stmt
            .query_map(params_from_iter(params), |r| r.get::<_, String>(3))?
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(rows);
    } else {
        Mode::Walk
    };
    let limit = (mode == Mode::Index).then_some((q.limit as u64 + 1, 0));
    let mut details = Vec::new();
    for phase in walk_phases(q.sort, q.after.as_ref()) {
        let (sql, params) = build_sql(q, phase, mode, limit);
        let mut stmt = cache.conn().prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
        let rows = stmt
            .query_map(params_from_iter(params), |r| r.get::<_, String>(3))?
            .collect::<Result<Vec<_>, _>>()?;
        details.extend(rows);
    }
    Ok(details)
}
