//! How a pending change shows: written into the cached rows it touches, each touched row
//! carrying a pending mark (the operation it shows). Every entity does it this way. Customers
//! keep their mark in the row (`customers.sync_state`: the list sorts, filters and pages in
//! SQL); the detail entities (a customer's subscriptions, tokens and users; the branding) keep
//! theirs in `pending_marks` and implement `ShownRows`, so one rule rebuilds them.
//!
//! A detail scope's rows are replaced whole by a refresh, so while the scope has unfinished
//! operations the server's rows are kept beside them (`server_rows`) and what shows is rebuilt
//! from them: `rebase` = the server's rows with the unfinished operations applied, oldest
//! first. It runs whenever either side changes: a change queued, folded or discarded, a
//! finished operation's answer, a refresh. With no operation left the copy goes and the rows are
//! the server's, unmarked.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::entity::Entity;
use crate::cache::outbox::ops_for_entity;
use crate::cache::{Cache, CacheError, CacheResult, OutboxOp, OutboxState};

/// A row as it shows: the row, and the operations written into it, oldest first (none: the
/// server's, untouched).
pub type Marked<R> = (R, Vec<i64>);

/// An entity whose pending changes are written into the cached rows of a scope.
pub trait ShownRows: Entity {
    type Row: Clone + Serialize + DeserializeOwned;

    /// The id a row is marked under.
    fn row_id(row: &Self::Row) -> i64;

    /// The scope's rows as stored.
    fn load(cache: &Cache, scope: i64) -> CacheResult<Vec<Self::Row>>;

    /// Replaces the scope's rows.
    fn store(cache: &Cache, scope: i64, rows: &[Self::Row]) -> CacheResult<()>;

    /// The scope an operation belongs to (default: its entity id, the customer).
    fn scope_of(op: &OutboxOp) -> i64 {
        op.entity_id
    }

    /// The scope's unfinished operations, oldest first.
    fn pending(cache: &Cache, scope: i64) -> CacheResult<Vec<OutboxOp>> {
        ops_for_entity(cache.conn(), Self::ENTITY, scope)
    }

    /// What shows: `server` with `ops` (oldest first) applied, each touched row with the
    /// operations written into it. An operation that cannot be read, or whose row is gone, changes
    /// nothing (it fails on replay, or the user discards it).
    fn apply(
        cache: &Cache,
        server: Vec<Self::Row>,
        ops: &[OutboxOp],
    ) -> CacheResult<Vec<Marked<Self::Row>>>;
}

/// The scope's rows as the server last sent them: the kept copy while local changes are
/// written over them, the stored rows otherwise.
pub fn server_rows<E: ShownRows>(cache: &Cache, scope: i64) -> CacheResult<Vec<E::Row>> {
    let kept: Option<String> = cache
        .conn()
        .prepare_cached("SELECT rows FROM server_rows WHERE entity = ?1 AND scope = ?2")?
        .query_row(params![E::ENTITY, scope], |r| r.get(0))
        .optional()?;
    match kept {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| CacheError::Corrupt(format!("kept server rows: {e}"))),
        None => E::load(cache, scope),
    }
}

/// Takes the server's rows for the scope (a refresh, a finished operation's answer) and
/// rebuilds what shows, in one transaction.
pub fn set_server_rows<E: ShownRows>(
    cache: &Cache,
    scope: i64,
    rows: Vec<E::Row>,
) -> CacheResult<()> {
    cache.in_transaction(|c| rebuild::<E>(c, scope, rows))
}

/// Rebuilds what the scope shows from the server's rows and its unfinished operations (after
/// one was queued, changed or dropped).
pub fn rebase<E: ShownRows>(cache: &Cache, scope: i64) -> CacheResult<()> {
    cache.in_transaction(|c| {
        let server = server_rows::<E>(c, scope)?;
        rebuild::<E>(c, scope, server)
    })
}

fn rebuild<E: ShownRows>(cache: &Cache, scope: i64, server: Vec<E::Row>) -> CacheResult<()> {
    let conn = cache.conn();
    let ops = E::pending(cache, scope)?;
    conn.prepare_cached("DELETE FROM pending_marks WHERE entity = ?1 AND scope = ?2")?
        .execute(params![E::ENTITY, scope])?;
    if ops.is_empty() {
        conn.prepare_cached("DELETE FROM server_rows WHERE entity = ?1 AND scope = ?2")?
            .execute(params![E::ENTITY, scope])?;
        return E::store(cache, scope, &server);
    }
    let json = serde_json::to_string(&server)
        .map_err(|e| CacheError::Corrupt(format!("server rows: {e}")))?;
    conn.prepare_cached(
        "INSERT OR REPLACE INTO server_rows (entity, scope, rows) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![E::ENTITY, scope, json])?;
    let shown = E::apply(cache, server, &ops)?;
    let mut mark = conn.prepare_cached(
        "INSERT OR REPLACE INTO pending_marks (entity, scope, row_id, op_id)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (row, op_ids) in &shown {
        for op_id in op_ids {
            mark.execute(params![E::ENTITY, scope, E::row_id(row), op_id])?;
        }
    }
    let rows: Vec<E::Row> = shown.into_iter().map(|(row, _)| row).collect();
    E::store(cache, scope, &rows)
}

/// The scope's rows as they show, each with the operations written into it.
pub fn shown_rows<E: ShownRows>(cache: &Cache, scope: i64) -> CacheResult<Vec<Marked<E::Row>>> {
    let mut marks: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut stmt = cache.conn().prepare_cached(
        "SELECT row_id, op_id FROM pending_marks WHERE entity = ?1 AND scope = ?2
         ORDER BY row_id, op_id",
    )?;
    let mut rows = stmt.query(params![E::ENTITY, scope])?;
    while let Some(r) = rows.next()? {
        marks.entry(r.get(0)?).or_default().push(r.get(1)?);
    }
    Ok(E::load(cache, scope)?
        .into_iter()
        .map(|row| {
            let ops = marks.remove(&E::row_id(&row)).unwrap_or_default();
            (row, ops)
        })
        .collect())
}

/// Rebuilds every scope of `E` with unfinished operations but no kept server copy: a cache
/// written before pending changes were written into rows (they were laid over them at read
/// time), whose rows are still the server's. Run when an account opens.
pub fn adopt_unwritten<E: ShownRows>(cache: &Cache) -> CacheResult<usize> {
    let mut scopes: Vec<i64> = cache
        .outbox(None)?
        .iter()
        .filter(|o| o.entity == E::ENTITY && o.state != OutboxState::Done)
        .map(E::scope_of)
        .collect();
    scopes.sort_unstable();
    scopes.dedup();
    let mut adopted = 0;
    for scope in scopes {
        let kept: Option<i64> = cache
            .conn()
            .prepare_cached("SELECT 1 FROM server_rows WHERE entity = ?1 AND scope = ?2")?
            .query_row(params![E::ENTITY, scope], |r| r.get(0))
            .optional()?;
        if kept.is_none() {
            rebase::<E>(cache, scope)?;
            adopted += 1;
        }
    }
    Ok(adopted)
}
