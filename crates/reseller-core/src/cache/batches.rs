//! The `batches` table (`migrations/0022_batches.sql`, `0023_outbox_batches.sql`): one row per
//! bulk action or import, its operations tagged in the outbox. Only storage; what a batch does
//! and how it is undone are `crate::customers::bulk`'s.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

use super::customers::{from_micros, to_micros};
use super::error::{CacheError, CacheResult};
use super::outbox::OutboxOp;

/// What a batch does to its organisations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchKind {
    Activate,
    Deactivate,
    Delete,
    Import,
}

impl BatchKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BatchKind::Activate => "activate",
            BatchKind::Deactivate => "deactivate",
            BatchKind::Delete => "delete",
            BatchKind::Import => "import",
        }
    }

    fn parse(s: &str) -> CacheResult<BatchKind> {
        Ok(match s {
            "activate" => BatchKind::Activate,
            "deactivate" => BatchKind::Deactivate,
            "delete" => BatchKind::Delete,
            "import" => BatchKind::Import,
            other => return Err(CacheError::Corrupt(format!("batch kind {other:?}"))),
        })
    }
}

/// A batch as stored, with its operations counted from the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchRow {
    pub batch_id: i64,
    pub kind: BatchKind,
    pub label: String,
    /// Operations queued when it was made.
    pub queued: u64,
    /// Accepted by the server.
    pub sent: u64,
    /// Taken back by the user before they were sent.
    pub undone: u64,
    /// Waiting to be sent, or being sent.
    pub waiting: u64,
    /// Refused by the server, or in conflict: waiting for the user.
    pub refused: u64,
    /// Of `waiting` and `refused`, what can still be taken back: never sent, or refused.
    pub undoable: u64,
    pub created_at: DateTime<Utc>,
}

pub(crate) fn insert_batch(
    conn: &Connection,
    kind: BatchKind,
    label: &str,
    created_at: &DateTime<Utc>,
) -> CacheResult<i64> {
    conn.prepare_cached(
        "INSERT INTO batches (kind, label, queued, created_at) VALUES (?1, ?2, 0, ?3)",
    )?
    .execute(params![kind.as_str(), label, to_micros(created_at)])?;
    Ok(conn.last_insert_rowid())
}

pub(crate) fn set_queued(conn: &Connection, batch_id: i64, queued: u64) -> CacheResult<()> {
    conn.prepare_cached("UPDATE batches SET queued = ?2 WHERE batch_id = ?1")?
        .execute(params![batch_id, queued as i64])?;
    Ok(())
}

pub(crate) fn add_undone(conn: &Connection, batch_id: i64, n: u64) -> CacheResult<()> {
    conn.prepare_cached("UPDATE batches SET undone = undone + ?2 WHERE batch_id = ?1")?
        .execute(params![batch_id, n as i64])?;
    Ok(())
}

/// Files an operation under a batch (None: a single change again).
pub(crate) fn tag_op(conn: &Connection, op_id: i64, batch_id: Option<i64>) -> CacheResult<()> {
    conn.prepare_cached("UPDATE outbox SET batch_id = ?2 WHERE op_id = ?1")?
        .execute(params![op_id, batch_id])?;
    Ok(())
}

/// A batch's unfinished operations, oldest first.
pub(crate) fn batch_ops(conn: &Connection, batch_id: i64) -> CacheResult<Vec<OutboxOp>> {
    super::outbox::ops_where(conn, "batch_id = ?1 AND state <> 'done'", [batch_id])
}

/// Forgets a batch; its unfinished operations stay in the outbox as single changes.
pub(crate) fn delete_batch(conn: &Connection, batch_id: i64) -> CacheResult<bool> {
    let n = conn
        .prepare_cached("DELETE FROM batches WHERE batch_id = ?1")?
        .execute([batch_id])?;
    Ok(n == 1)
}

/// Every batch, newest first, with what the outbox still holds of each.
pub(crate) fn read_batches(conn: &Connection) -> CacheResult<Vec<BatchRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT b.batch_id, b.kind, b.label, b.queued, b.sent, b.undone, b.created_at,
                (SELECT count(*) FROM outbox o
                 WHERE o.batch_id = b.batch_id AND o.state IN ('pending', 'in_flight')),
                (SELECT count(*) FROM outbox o
                 WHERE o.batch_id = b.batch_id AND o.state IN ('failed', 'conflict')),
                (SELECT count(*) FROM outbox o
                 WHERE o.batch_id = b.batch_id
                   AND (o.state = 'failed' OR (o.state = 'pending' AND o.attempts = 0)))
         FROM batches b ORDER BY b.batch_id DESC",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    let count = |v: i64| u64::try_from(v).unwrap_or(0);
    while let Some(r) = rows.next()? {
        let kind: String = r.get(1)?;
        out.push(BatchRow {
            batch_id: r.get(0)?,
            kind: BatchKind::parse(&kind)?,
            label: r.get(2)?,
            queued: count(r.get(3)?),
            sent: count(r.get(4)?),
            undone: count(r.get(5)?),
            created_at: from_micros(r.get(6)?)?,
            waiting: count(r.get(7)?),
            refused: count(r.get(8)?),
            undoable: count(r.get(9)?),
        });
    }
    Ok(out)
}

impl super::Cache {
    /// Every batch, newest first, with what the outbox still holds of each.
    pub fn batches(&self) -> CacheResult<Vec<BatchRow>> {
        read_batches(self.conn())
    }

    /// Whether a batch's operation waits to be sent (or is being sent).
    pub fn batch_waiting(&self) -> CacheResult<bool> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM outbox WHERE batch_id IS NOT NULL
                                               AND state IN ('pending', 'in_flight'))",
        )?;
        Ok(stmt.query_row([], |r| r.get(0))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::fixtures::queued_update as op;
    use crate::cache::outbox::{delete_op, set_state};
    use crate::cache::{Cache, OutboxState};

    #[test]
    fn a_batch_counts_sent_only_what_left_the_outbox_in_flight() {
        let cache = Cache::open_in_memory().unwrap();
        let conn = cache.conn();
        let batch = insert_batch(conn, BatchKind::Deactivate, "Deactivate 3", &Utc::now()).unwrap();
        let ops: Vec<i64> = (1..=4).map(|id| op(conn, id)).collect();
        for o in &ops[..3] {
            tag_op(conn, *o, Some(batch)).unwrap();
        }
        set_queued(conn, batch, 3).unwrap();
        // One sent (finished in flight), one dropped while pending, one refused.
        set_state(conn, ops[0], OutboxState::InFlight, None, true).unwrap();
        delete_op(conn, ops[0]).unwrap();
        delete_op(conn, ops[1]).unwrap();
        set_state(conn, ops[2], OutboxState::Failed, Some("no"), true).unwrap();
        // The untagged operation finishing counts for no batch.
        set_state(conn, ops[3], OutboxState::InFlight, None, true).unwrap();
        delete_op(conn, ops[3]).unwrap();

        let rows = read_batches(conn).unwrap();
        assert_eq!(rows.len(), 1);
        let b = &rows[0];
        assert_eq!(
            (b.queued, b.sent, b.waiting, b.refused, b.undoable),
            (3, 1, 0, 1, 1)
        );
        assert_eq!(b.kind, BatchKind::Deactivate);
    }

    #[test]
    fn forgetting_a_batch_keeps_its_operations_as_single_changes() {
        let cache = Cache::open_in_memory().unwrap();
        let conn = cache.conn();
        let batch = insert_batch(conn, BatchKind::Delete, "Delete 1", &Utc::now()).unwrap();
        let o = op(conn, 7);
        tag_op(conn, o, Some(batch)).unwrap();
        assert!(delete_batch(conn, batch).unwrap());
        let left = cache.outbox_op(o).unwrap().expect("kept");
        assert_eq!(left.batch_id, None);
        assert!(read_batches(conn).unwrap().is_empty());
    }
}
