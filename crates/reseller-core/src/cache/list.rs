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
use serde::{Deserialize, Serialize};

use super::customers::{phone_key, to_micros, CustomerRow};
use super::error::{CacheError, CacheResult};
use super::text;

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

    pub(super) fn key_column(self) -> &'static str {
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
    pub(super) fn index(self) -> Option<&'static str> {
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

    pub(super) fn text_key(self) -> bool {
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
    pub(super) fn sql(self) -> &'static str {
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
    pub(super) sort: SortColumn,
    pub(super) direction: SortDirection,
    pub(super) status: Option<bool>,
}

/// Cursors of every `ANCHOR_STRIDE`-th row of one list order, valid for one generation.
pub(crate) struct Anchors {
    pub(super) generation: i64,
    /// cursors[i] is the cursor of the row at position (i + 1) * ANCHOR_STRIDE - 1.
    pub(super) cursors: Vec<Cursor>,
}

/// An index walk in progress: matches still to skip, rows wanted, rows found, rows it may
/// still examine.
pub(super) struct Walk {
    pub(super) skip: u64,
    pub(super) take: u64,
    pub(super) rows: Vec<CustomerRow>,
    pub(super) budget: u64,
}

impl Walk {
    pub(super) fn full(&self) -> bool {
        self.rows.len() as u64 >= self.take
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Index,
    Walk,
}

pub(super) const SELECT_COLUMNS: &str =
    "c.id, c.name, c.email, c.phone, c.is_active, c.registration_date, \
                              c.last_modified, c.sync_state";

/// How a query continues after a cursor. SQLite seeks an index on (key, id) well for
/// `key = ? AND id > ?` and for `key > ?`, but for the row value `(key, id) > (?, ?)` it may seek
/// on `key` alone and then scan the whole tie group (85 000 rows for "active"); so an index walk
/// continues in two statements: the rest of the cursor's tie group, then the keys beyond it.
#[derive(Clone, Copy)]
pub(super) enum Keyset<'a> {
    Start,
    /// The rest of the cursor's tie group: `key = cursor.key AND id > cursor.id`.
    Tie(&'a Cursor),
    /// Keys strictly beyond the cursor's (for id sorts: ids beyond it).
    Beyond(&'a Cursor),
}

/// The statements that continue after `after` in an index walk, in order.
pub(super) fn walk_phases(sort: SortColumn, after: Option<&Cursor>) -> Vec<Keyset<'_>> {
    match after {
        None => vec![Keyset::Start],
        Some(c) if sort == SortColumn::Id => vec![Keyset::Beyond(c)],
        Some(c) => vec![Keyset::Tie(c), Keyset::Beyond(c)],
    }
}

pub(super) fn key_value(key: &CursorKey) -> Value {
    match key {
        CursorKey::Int(v) => Value::Integer(*v),
        CursorKey::Text(s) => Value::Text(s.clone()),
    }
}

/// Builds the SQL and parameters of a page query.
pub(super) fn build_sql(
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
pub(super) fn fts_first_sql(
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

pub(super) fn check_cursor(q: &CustomerQuery, cursor: &Cursor) -> CacheResult<()> {
    let key_ok = match cursor.key {
        CursorKey::Text(_) => q.sort.text_key(),
        CursorKey::Int(_) => !q.sort.text_key(),
    };
    if cursor.sort != q.sort || cursor.direction != q.direction || !key_ok {
        return Err(CacheError::InvalidCursor);
    }
    Ok(())
}

pub(super) fn search_terms(q: &CustomerQuery) -> Vec<String> {
    q.search
        .as_deref()
        .map(text::query_terms)
        .unwrap_or_default()
}
