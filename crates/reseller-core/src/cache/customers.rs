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
