//! Customer rows: the types, upserts and deletes the sync engine uses, and the counters.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use super::error::{CacheError, CacheResult};
use super::text;

/// Whether a cached row matches the server, as the list shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    Synced,
    /// A local edit waits in the outbox.
    Pending,
    /// The server refused the local edit; the user fixes or discards it.
    Failed,
    /// Changed on both sides; the user settles it.
    Conflict,
}

impl SyncState {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncState::Synced => "synced",
            SyncState::Pending => "pending",
            SyncState::Failed => "failed",
            SyncState::Conflict => "conflict",
        }
    }

    pub(crate) fn parse(s: &str) -> CacheResult<SyncState> {
        Ok(match s {
            "synced" => SyncState::Synced,
            "pending" => SyncState::Pending,
            "failed" => SyncState::Failed,
            "conflict" => SyncState::Conflict,
            other => return Err(CacheError::Corrupt(format!("sync_state {other:?}"))),
        })
    }
}

/// A customer as the cache holds it (the sync engine maps the API's type onto this).
/// Timestamps keep microsecond precision; anything finer is dropped when stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRow {
    /// The server's id; local-only creates use negative ids until the server assigns one.
    pub id: i64,
    pub name: String,
    pub email: String,
    /// E.164 (or as the server sent it), None for no phone.
    pub phone: Option<String>,
    pub is_active: bool,
    pub registration_date: DateTime<Utc>,
    pub last_modified: DateTime<Utc>,
    pub sync_state: SyncState,
}

/// Row counts, kept by triggers (no table scan).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerCounts {
    pub total: u64,
    pub active: u64,
    pub inactive: u64,
}

pub(crate) const CUSTOMER_COLUMNS: &str =
    "id, name, email, phone, is_active, registration_date, last_modified, sync_state";

pub(crate) fn to_micros(t: &DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

pub(crate) fn from_micros(v: i64) -> CacheResult<DateTime<Utc>> {
    DateTime::from_timestamp_micros(v)
        .ok_or_else(|| CacheError::Corrupt(format!("timestamp {v} out of range")))
}

/// Reads a row selected with `CUSTOMER_COLUMNS` (in that order, from column `offset`).
pub(crate) fn read_customer(row: &Row<'_>) -> CacheResult<CustomerRow> {
    let state: String = row.get(7)?;
    Ok(CustomerRow {
        id: row.get(0)?,
        name: row.get(1)?,
        email: row.get(2)?,
        phone: row.get(3)?,
        is_active: row.get(4)?,
        registration_date: from_micros(row.get(5)?)?,
        last_modified: from_micros(row.get(6)?)?,
        sync_state: SyncState::parse(&state)?,
    })
}

const UPSERT: &str = "
INSERT INTO customers (id, name, email, phone, is_active, registration_date, last_modified,
                       sync_state, name_key, email_key, phone_key, search_text)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
ON CONFLICT (id) DO UPDATE SET
    name = excluded.name, email = excluded.email, phone = excluded.phone,
    is_active = excluded.is_active, registration_date = excluded.registration_date,
    last_modified = excluded.last_modified, sync_state = excluded.sync_state,
    name_key = excluded.name_key, email_key = excluded.email_key,
    phone_key = excluded.phone_key, search_text = excluded.search_text
WHERE (customers.name, customers.email, customers.phone, customers.is_active,
       customers.registration_date, customers.last_modified, customers.sync_state)
   IS NOT (excluded.name, excluded.email, excluded.phone, excluded.is_active,
           excluded.registration_date, excluded.last_modified, excluded.sync_state)";

/// Upserts rows on the caller's connection or transaction (see `Cache::upsert_customers`).
pub(crate) fn upsert_rows(conn: &Connection, rows: &[CustomerRow]) -> CacheResult<usize> {
    let mut stmt = conn.prepare_cached(UPSERT)?;
    let mut changed = 0;
    for c in rows {
        changed += stmt.execute(params![
            c.id,
            c.name,
            c.email,
            c.phone,
            c.is_active,
            to_micros(&c.registration_date),
            to_micros(&c.last_modified),
            c.sync_state.as_str(),
            text::sort_key(&c.name),
            text::sort_key(&c.email),
            phone_key(c.phone.as_deref()),
            text::search_text(&c.name, &c.email, c.phone.as_deref()),
        ])?;
    }
    Ok(changed)
}

/// Writes a stored row's edit: only the columns that differ from `before` (the row as stored).
/// SQLite rewrites the index entries of the columns an UPDATE names, so naming only the changed
/// ones leaves the other indexes alone (the upsert names all and rewrote all six), which a bulk
/// change pays once per row. Returns whether anything was written.
pub(crate) fn update_changed(
    conn: &Connection,
    before: &CustomerRow,
    after: &CustomerRow,
) -> CacheResult<bool> {
    use rusqlite::types::Value;
    debug_assert_eq!(before.id, after.id);
    // (column, value), in the order the statement numbers them.
    let mut sets: Vec<(&str, Value)> = Vec::new();
    let mut set = |column, value: Value| sets.push((column, value));
    if after.name != before.name {
        set("name", after.name.clone().into());
        set("name_key", text::sort_key(&after.name).into());
    }
    if after.email != before.email {
        set("email", after.email.clone().into());
        set("email_key", text::sort_key(&after.email).into());
    }
    if after.phone != before.phone {
        set("phone", after.phone.clone().into());
        set("phone_key", phone_key(after.phone.as_deref()).into());
    }
    if (&after.name, &after.email, &after.phone) != (&before.name, &before.email, &before.phone) {
        let search = text::search_text(&after.name, &after.email, after.phone.as_deref());
        set("search_text", search.into());
    }
    if after.is_active != before.is_active {
        set("is_active", after.is_active.into());
    }
    if after.registration_date != before.registration_date {
        set(
            "registration_date",
            to_micros(&after.registration_date).into(),
        );
    }
    if after.last_modified != before.last_modified {
        set("last_modified", to_micros(&after.last_modified).into());
    }
    if after.sync_state != before.sync_state {
        set("sync_state", after.sync_state.as_str().to_string().into());
    }
    if sets.is_empty() {
        return Ok(false);
    }
    let assignments: Vec<String> = sets
        .iter()
        .enumerate()
        .map(|(i, (column, _))| format!("{column} = ?{}", i + 2))
        .collect();
    let sql = format!(
        "UPDATE customers SET {} WHERE id = ?1",
        assignments.join(", ")
    );
    let args = std::iter::once(Value::from(after.id)).chain(sets.into_iter().map(|(_, v)| v));
    let changed = conn
        .prepare_cached(&sql)?
        .execute(rusqlite::params_from_iter(args))?;
    Ok(changed > 0)
}

/// Deletes rows on the caller's connection or transaction; returns how many existed.
pub(crate) fn delete_rows(conn: &Connection, ids: &[i64]) -> CacheResult<usize> {
    let mut stmt = conn.prepare_cached("DELETE FROM customers WHERE id = ?1")?;
    let mut deleted = 0;
    for id in ids {
        deleted += stmt.execute([id])?;
    }
    Ok(deleted)
}

pub(crate) fn get_row(conn: &Connection, id: i64) -> CacheResult<Option<CustomerRow>> {
    let sql = format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id = ?1");
    let mut stmt = conn.prepare_cached(&sql)?;
    let row = stmt.query_row([id], |r| Ok(read_customer(r))).optional()?;
    row.transpose()
}

pub(crate) fn phone_key(phone: Option<&str>) -> String {
    phone.map(text::sort_key).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::Cache;

    fn row(id: i64, name: &str, phone: Option<&str>, active: bool) -> CustomerRow {
        let t = DateTime::from_timestamp_micros(1_700_000_000_000_000).unwrap();
        CustomerRow {
            id,
            name: name.into(),
            email: format!("{}@example.com", name.to_lowercase().replace(' ', ".")),
            phone: phone.map(Into::into),
            is_active: active,
            registration_date: t,
            last_modified: t,
            sync_state: SyncState::Synced,
        }
    }

    /// Everything the table, its counters and its FTS index hold, as text.
    fn everything(conn: &Connection) -> Vec<String> {
        let mut out = Vec::new();
        let mut rows = conn.prepare("SELECT * FROM customers ORDER BY id").unwrap();
        let n = rows.column_count();
        let mut q = rows.query([]).unwrap();
        while let Some(r) = q.next().unwrap() {
            let cols: Vec<String> = (0..n)
                .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                .collect();
            out.push(cols.join("|"));
        }
        for (name, value) in conn
            .prepare("SELECT name, value FROM customer_counters WHERE name <> 'generation'")
            .unwrap()
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .unwrap()
            .map(Result::unwrap)
        {
            out.push(format!("{name}={value}"));
        }
        for term in ["harbour", "northwind", "75135063", "4075135", "ada"] {
            let ids: Vec<i64> = conn
                .prepare(
                    "SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?1 ORDER BY rowid",
                )
                .unwrap()
                .query_map([format!("\"{term}\"*")], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            out.push(format!("{term}: {ids:?}"));
        }
        out
    }

    #[test]
    fn an_edit_written_column_by_column_leaves_what_the_upsert_would() {
        let before = vec![
            row(1, "Harbour Transcripts", Some("+494075135063"), true),
            row(2, "Ada Media", None, true),
            row(3, "Northwind Speech", Some("+31201234567"), false),
        ];
        let mut after = before.clone();
        after[0].name = "Northwind Harbour".into(); // name, its key and the search text
        after[0].phone = None;
        after[1].is_active = false; // the status alone (a bulk deactivation)
        after[1].sync_state = SyncState::Pending;
        after[2].phone = Some("+494075135063".into());
        after[2].email = "desk@northwind.example".into();
        after[2].last_modified += chrono::Duration::seconds(5);

        let upserted = Cache::open_in_memory().unwrap();
        let edited = Cache::open_in_memory().unwrap();
        for cache in [&upserted, &edited] {
            upsert_rows(cache.conn(), &before).unwrap();
        }
        upsert_rows(upserted.conn(), &after).unwrap();
        for (b, a) in before.iter().zip(&after) {
            assert!(update_changed(edited.conn(), b, a).unwrap());
        }

        assert_eq!(everything(edited.conn()), everything(upserted.conn()));
        assert_eq!(get_row(edited.conn(), 1).unwrap().unwrap(), after[0]);
        assert_eq!(
            edited.customer_counts().unwrap(),
            CustomerCounts {
                total: 3,
                active: 1,
                inactive: 2
            }
        );
        // Nothing differs: nothing written, and the generation readers watch stays.
        let generation = edited.customers_generation().unwrap();
        assert!(!update_changed(edited.conn(), &after[1], &after[1]).unwrap());
        assert_eq!(edited.customers_generation().unwrap(), generation);
    }
}
