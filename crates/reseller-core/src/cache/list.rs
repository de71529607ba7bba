//! The customer list: sorted, filtered, searched pages with keyset pagination, counts, and
//! random access (jump to row N) for a virtualised list.
//!
//! Every sort walks an index on (sort key, id), so a page costs the same at any depth when it
//! continues from a cursor. Ties are broken by id in the same direction as the sort (descending
//! is the exact reverse of ascending, so one index serves both).
//!
//! Search runs on the in-memory search index when it is current (`search_index`,
//! `memory_search`: a keystroke costs well under a millisecond plus reading the page's rows),
//! and in SQLite otherwise (after opening or a write, until the background build is done).
//! Either way one of two plans is chosen per query by how many rows match:
//! - `FtsFirst` (at most `FTS_FIRST_MAX` matches): take the matches, then order and page them
//!   (in SQLite: the FTS index yields them and SQLite sorts them).
//! - `IndexWalk` (more matches): walk the list order and keep the rows that match; dense
//!   matches fill a page after a few hundred rows (in SQLite: the sort index, testing each
//!   row's `search_text` in Rust).
//!
//! The token index, the Rust matcher and the FTS query accept exactly the same rows (see
//! `text`), so every plan returns the same rows.

use rusqlite::types::Value;
use rusqlite::{params_from_iter, Row};
use serde::{Deserialize, Serialize};

use super::customers::{phone_key, read_customer, to_micros, CustomerRow};
use super::error::{CacheError, CacheResult};
use super::text;
use super::Cache;

/// Search matches at or below which the FTS-first plan is used.
pub const FTS_FIRST_MAX: u64 = 10_000;
/// Rows an index walk in SQLite may examine before it gives up and the FTS-first plan takes
/// over (matches can cluster in sort order: "peter" sorted by name sits under P). In memory a
/// walk needs no budget: a row costs nanoseconds.
pub const WALK_BUDGET: u64 = 2_000;

/// The search plan thresholds (tests lower them to reach every plan with little data).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchTuning {
    /// At most this many matches: FTS-first.
    pub fts_first_max: u64,
    /// Rows an index walk in SQLite may examine before FTS-first takes over.
    pub walk_budget: u64,
}

impl Default for SearchTuning {
    fn default() -> Self {
        SearchTuning {
            fts_first_max: FTS_FIRST_MAX,
            walk_budget: WALK_BUDGET,
        }
    }
}
/// Rows between two page anchors (random access reads at most this many extra index entries).
pub const ANCHOR_STRIDE: u64 = 256;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortColumn {
    Id,
    Name,
    Email,
    Phone,
    Status,
    RegistrationDate,
}

impl SortColumn {
    pub const ALL: [SortColumn; 6] = [
        SortColumn::Id,
        SortColumn::Name,
        SortColumn::Email,
        SortColumn::Phone,
        SortColumn::Status,
        SortColumn::RegistrationDate,
    ];

    fn key_column(self) -> &'static str {
        match self {
            SortColumn::Id => "id",
            SortColumn::Name => "name_key",
            SortColumn::Email => "email_key",
            SortColumn::Phone => "phone_key",
            SortColumn::Status => "is_active",
            SortColumn::RegistrationDate => "registration_date",
        }
    }

    /// The index the list walks; None for id (the table itself is ordered by id).
    fn index(self) -> Option<&'static str> {
        match self {
            SortColumn::Id => None,
            SortColumn::Name => Some("customers_by_name"),
            SortColumn::Email => Some("customers_by_email"),
            SortColumn::Phone => Some("customers_by_phone"),
            SortColumn::Status => Some("customers_by_status"),
            SortColumn::RegistrationDate => Some("customers_by_registered"),
        }
    }

    /// Key column and index of a non-id sort.
    pub(crate) fn key_and_index(self) -> (&'static str, &'static str) {
        (
            self.key_column(),
            self.index().unwrap_or("customers_by_status"),
        )
    }

    fn text_key(self) -> bool {
        matches!(
            self,
            SortColumn::Name | SortColumn::Email | SortColumn::Phone
        )
    }

    /// The sort key of a row, as stored in the key column.
    pub fn key_of(self, row: &CustomerRow) -> CursorKey {
        match self {
            SortColumn::Id => CursorKey::Int(row.id),
            SortColumn::Name => CursorKey::Text(text::sort_key(&row.name)),
            SortColumn::Email => CursorKey::Text(text::sort_key(&row.email)),
            SortColumn::Phone => CursorKey::Text(phone_key(row.phone.as_deref())),
            SortColumn::Status => CursorKey::Int(i64::from(row.is_active)),
            SortColumn::RegistrationDate => CursorKey::Int(to_micros(&row.registration_date)),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortDirection {
    Asc,
    Desc,
}

impl SortDirection {
    fn sql(self) -> &'static str {
        match self {
            SortDirection::Asc => "ASC",
            SortDirection::Desc => "DESC",
        }
    }
    fn after_op(self) -> &'static str {
        match self {
            SortDirection::Asc => ">",
            SortDirection::Desc => "<",
        }
    }
}

/// A sort key. Ordered like SQLite orders the stored key (integers numerically, text by bytes).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum CursorKey {
    Int(i64),
    Text(String),
}

/// Where a page ended: the last row's sort key and id. Opaque to the UI; only valid for the
/// sort and direction it was made with.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cursor {
    pub sort: SortColumn,
    pub direction: SortDirection,
    pub key: CursorKey,
    pub id: i64,
}

impl Cursor {
    pub fn of(row: &CustomerRow, sort: SortColumn, direction: SortDirection) -> Cursor {
        Cursor {
            sort,
            direction,
            key: sort.key_of(row),
            id: row.id,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerQuery {
    /// What the user typed; every token is a prefix term, all must match.
    pub search: Option<String>,
    /// Some(true): active only; Some(false): inactive only.
    pub status: Option<bool>,
    pub sort: SortColumn,
    pub direction: SortDirection,
    pub limit: usize,
    /// Continue after this row (from the previous page's `next`).
    pub after: Option<Cursor>,
}

impl Default for CustomerQuery {
    fn default() -> Self {
        CustomerQuery {
            search: None,
            status: None,
            sort: SortColumn::Name,
            direction: SortDirection::Asc,
            limit: 100,
            after: None,
        }
    }
}

/// Which plan produced a page (diagnostics and benchmarks).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchPlan {
    /// No search: the sort index alone.
    Index,
    /// Few matches: all of them first, then ordered and paged.
    FtsFirst,
    /// Many matches: the list order walked, keeping matching rows.
    IndexWalk,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerPage {
    pub rows: Vec<CustomerRow>,
    /// The cursor for the next page; None at the end.
    pub next: Option<Cursor>,
    pub plan: SearchPlan,
}

/// A count that may stop early: `exact == false` means "at least `count`".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchCount {
    pub count: u64,
    pub exact: bool,
}

impl MatchCount {
    /// `n` matches, said as "more than `cap`" when a cap was given and passed.
    pub(crate) fn capped(n: u64, cap: Option<u64>) -> MatchCount {
        match cap {
            Some(cap) if n > cap => MatchCount {
                count: cap,
                exact: false,
            },
            _ => MatchCount {
                count: n,
                exact: true,
            },
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct AnchorKey {
    sort: SortColumn,
    direction: SortDirection,
    status: Option<bool>,
}

/// Cursors of every `ANCHOR_STRIDE`-th row of one list order, valid for one generation.
pub(crate) struct Anchors {
    generation: i64,
    /// cursors[i] is the cursor of the row at position (i + 1) * ANCHOR_STRIDE - 1.
    cursors: Vec<Cursor>,
}

/// An index walk in progress: matches still to skip, rows wanted, rows found, rows it may
/// still examine.
struct Walk {
    skip: u64,
    take: u64,
    rows: Vec<CustomerRow>,
    budget: u64,
}

impl Walk {
    fn full(&self) -> bool {
        self.rows.len() as u64 >= self.take
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Index,
    Walk,
}

const SELECT_COLUMNS: &str = "c.id, c.name, c.email, c.phone, c.is_active, c.registration_date, \
                              c.last_modified, c.sync_state";

/// How a query continues after a cursor. SQLite seeks an index on (key, id) well for
/// `key = ? AND id > ?` and for `key > ?`, but for the row value `(key, id) > (?, ?)` it may seek
/// on `key` alone and then scan the whole tie group (85 000 rows for "active"); so an index walk
/// continues in two statements: the rest of the cursor's tie group, then the keys beyond it.
#[derive(Clone, Copy)]
enum Keyset<'a> {
    Start,
    /// The rest of the cursor's tie group: `key = cursor.key AND id > cursor.id`.
    Tie(&'a Cursor),
    /// Keys strictly beyond the cursor's (for id sorts: ids beyond it).
    Beyond(&'a Cursor),
}

/// The statements that continue after `after` in an index walk, in order.
fn walk_phases(sort: SortColumn, after: Option<&Cursor>) -> Vec<Keyset<'_>> {
    match after {
        None => vec![Keyset::Start],
        Some(c) if sort == SortColumn::Id => vec![Keyset::Beyond(c)],
        Some(c) => vec![Keyset::Tie(c), Keyset::Beyond(c)],
    }
}

fn key_value(key: &CursorKey) -> Value {
    match key {
        CursorKey::Int(v) => Value::Integer(*v),
        CursorKey::Text(s) => Value::Text(s.clone()),
    }
}

/// Builds the SQL and parameters of a page query.
fn build_sql(
    q: &CustomerQuery,
    keyset: Keyset<'_>,
    mode: Mode,
    limit: Option<(u64, u64)>,
) -> (String, Vec<Value>) {
    let key = q.sort.key_column();
    let dir = q.direction.sql();
    let mut sql = String::from("SELECT ");
    sql.push_str(SELECT_COLUMNS);
    let mut params: Vec<Value> = Vec::new();
    let mut conds: Vec<String> = Vec::new();
    match mode {
        Mode::Index | Mode::Walk => {
            if mode == Mode::Walk {
                sql.push_str(", c.search_text");
            }
            sql.push_str(" FROM customers AS c");
            if let Some(index) = q.sort.index() {
                sql.push_str(" INDEXED BY ");
                sql.push_str(index);
            }
        }
    }
    if let Some(active) = q.status {
        conds.push("c.is_active = ?".into());
        params.push(Value::Integer(i64::from(active)));
    }
    let op = q.direction.after_op();
    match keyset {
        Keyset::Start => {}
        Keyset::Beyond(cursor) if q.sort == SortColumn::Id => {
            conds.push(format!("c.id {op} ?"));
            params.push(Value::Integer(cursor.id));
        }
        Keyset::Tie(cursor) => {
            conds.push(format!("c.{key} = ? AND c.id {op} ?"));
            params.push(key_value(&cursor.key));
            params.push(Value::Integer(cursor.id));
        }
        Keyset::Beyond(cursor) => {
            conds.push(format!("c.{key} {op} ?"));
            params.push(key_value(&cursor.key));
        }
    }
    if !conds.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conds.join(" AND "));
    }
    if q.sort == SortColumn::Id {
        sql.push_str(&format!(" ORDER BY c.id {dir}"));
    } else {
        sql.push_str(&format!(" ORDER BY c.{key} {dir}, c.id {dir}"));
    }
    if let Some((limit, offset)) = limit {
        sql.push_str(" LIMIT ? OFFSET ?");
        params.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
        params.push(Value::Integer(i64::try_from(offset).unwrap_or(i64::MAX)));
    }
    (sql, params)
}

/// The FTS-first statement: matches joined to their rows, filtered, sorted, one page.
fn fts_first_sql(
    q: &CustomerQuery,
    fts: &str,
    after: Option<&Cursor>,
    limit: u64,
    offset: u64,
) -> (String, Vec<Value>) {
    let key = q.sort.key_column();
    let dir = q.direction.sql();
    let mut sql = String::from(
        "SELECT c.id FROM customers_fts CROSS JOIN customers AS c \
         ON c.id = customers_fts.rowid WHERE customers_fts MATCH ?",
    );
    let mut params = vec![Value::Text(fts.to_string())];
    if let Some(active) = q.status {
        sql.push_str(" AND c.is_active = ?");
        params.push(Value::Integer(i64::from(active)));
    }
    let op = q.direction.after_op();
    if let Some(cursor) = after {
        if q.sort == SortColumn::Id {
            sql.push_str(&format!(" AND c.id {op} ?"));
        } else {
            sql.push_str(&format!(" AND (c.{key}, c.id) {op} (?, ?)"));
            params.push(key_value(&cursor.key));
        }
        params.push(Value::Integer(cursor.id));
    }
    if q.sort == SortColumn::Id {
        sql.push_str(&format!(" ORDER BY c.id {dir}"));
    } else {
        sql.push_str(&format!(" ORDER BY c.{key} {dir}, c.id {dir}"));
    }
    sql.push_str(" LIMIT ? OFFSET ?");
    params.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
    params.push(Value::Integer(i64::try_from(offset).unwrap_or(i64::MAX)));
    (sql, params)
}

fn check_cursor(q: &CustomerQuery, cursor: &Cursor) -> CacheResult<()> {
    let key_ok = match cursor.key {
        CursorKey::Text(_) => q.sort.text_key(),
        CursorKey::Int(_) => !q.sort.text_key(),
    };
    if cursor.sort != q.sort || cursor.direction != q.direction || !key_ok {
        return Err(CacheError::InvalidCursor);
    }
    Ok(())
}

fn search_terms(q: &CustomerQuery) -> Vec<String> {
    q.search
        .as_deref()
        .map(text::query_terms)
        .unwrap_or_default()
}

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
            if position % ANCHOR_STRIDE == 0 {
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
pub(crate) fn explain(cache: &Cache, q: &CustomerQuery) -> CacheResult<Vec<String>> {
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
