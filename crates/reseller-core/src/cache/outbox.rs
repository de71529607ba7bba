//! Outbox and conflict tables: typed insert and list only; the replay logic builds on these.

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::customers::{from_micros, to_micros};
use super::error::{CacheError, CacheResult};
use super::Cache;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    Pending,
    InFlight,
    Failed,
    Conflict,
    Done,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::InFlight => "in_flight",
            OutboxState::Failed => "failed",
            OutboxState::Conflict => "conflict",
            OutboxState::Done => "done",
        }
    }

    fn parse(s: &str) -> CacheResult<OutboxState> {
        Ok(match s {
            "pending" => OutboxState::Pending,
            "in_flight" => OutboxState::InFlight,
            "failed" => OutboxState::Failed,
            "conflict" => OutboxState::Conflict,
            "done" => OutboxState::Done,
            other => return Err(CacheError::Corrupt(format!("outbox state {other:?}"))),
        })
    }
}

/// An operation to append.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewOutboxOp {
    pub entity: String,
    pub entity_id: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    pub base_last_modified: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxOp {
    pub op_id: i64,
    pub entity: String,
    pub entity_id: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    pub base_last_modified: Option<DateTime<Utc>>,
    pub attempts: i64,
    pub state: OutboxState,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConflictRow {
    pub op_id: i64,
    pub field: String,
    pub mine: serde_json::Value,
    pub theirs: serde_json::Value,
}

impl Cache {
    /// Appends an operation (state pending, no attempts); returns its op_id.
    pub fn push_outbox(&self, op: &NewOutboxOp) -> CacheResult<i64> {
        self.conn().execute(
            "INSERT INTO outbox (entity, entity_id, kind, payload, base_last_modified, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                op.entity,
                op.entity_id,
                op.kind,
                op.payload.to_string(),
                op.base_last_modified.as_ref().map(to_micros),
                to_micros(&op.created_at)
            ],
        )?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Operations in replay order, optionally only those in `state`.
    pub fn outbox(&self, state: Option<OutboxState>) -> CacheResult<Vec<OutboxOp>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT op_id, entity, entity_id, kind, payload, base_last_modified, attempts, state,
                    last_error, created_at
             FROM outbox WHERE ?1 IS NULL OR state = ?1 ORDER BY op_id",
        )?;
        let mut rows = stmt.query([state.map(OutboxState::as_str)])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let payload: String = r.get(4)?;
            let state: String = r.get(7)?;
            out.push(OutboxOp {
                op_id: r.get(0)?,
                entity: r.get(1)?,
                entity_id: r.get(2)?,
                kind: r.get(3)?,
                payload: serde_json::from_str(&payload)
                    .map_err(|e| CacheError::Corrupt(format!("outbox payload: {e}")))?,
                base_last_modified: r.get::<_, Option<i64>>(5)?.map(from_micros).transpose()?,
                attempts: r.get(6)?,
                state: OutboxState::parse(&state)?,
                last_error: r.get(8)?,
                created_at: from_micros(r.get(9)?)?,
            });
        }
        Ok(out)
    }

    /// Sets an operation's state and last error, counting an attempt when `attempted`.
    pub fn set_outbox_state(
        &self,
        op_id: i64,
        state: OutboxState,
        last_error: Option<&str>,
        attempted: bool,
    ) -> CacheResult<bool> {
        let n = self.conn().execute(
            "UPDATE outbox SET state = ?2, last_error = ?3, attempts = attempts + ?4
             WHERE op_id = ?1",
            params![op_id, state.as_str(), last_error, i64::from(attempted)],
        )?;
        Ok(n == 1)
    }

    pub fn add_conflict(&self, c: &ConflictRow) -> CacheResult<()> {
        self.conn().execute(
            "INSERT OR REPLACE INTO conflicts (op_id, field, mine, theirs) VALUES (?1, ?2, ?3, ?4)",
            params![c.op_id, c.field, c.mine.to_string(), c.theirs.to_string()],
        )?;
        Ok(())
    }

    /// Conflicts, optionally of one operation, by op then field.
    pub fn conflicts(&self, op_id: Option<i64>) -> CacheResult<Vec<ConflictRow>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT op_id, field, mine, theirs FROM conflicts
             WHERE ?1 IS NULL OR op_id = ?1 ORDER BY op_id, field",
        )?;
        let mut rows = stmt.query([op_id])?;
        let mut out = Vec::new();
        let json = |s: Option<String>| -> CacheResult<serde_json::Value> {
            match s {
                None => Ok(serde_json::Value::Null),
                Some(s) => serde_json::from_str(&s)
                    .map_err(|e| CacheError::Corrupt(format!("conflict value: {e}"))),
            }
        };
        while let Some(r) = rows.next()? {
            out.push(ConflictRow {
                op_id: r.get(0)?,
                field: r.get(1)?,
                mine: json(r.get(2)?)?,
                theirs: json(r.get(3)?)?,
            });
        }
        Ok(out)
    }
}
