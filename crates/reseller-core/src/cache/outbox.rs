//! Outbox and conflict tables: typed rows and the statements the outbox module composes into its
//! transactions. The rules (what an edit queues, how a replay settles it) live in `crate::outbox`
//! and `crate::sync::replay`; this module only stores and reads.

use chrono::{DateTime, Utc};
use rusqlite::types::{ToSql, ToSqlOutput};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use super::customers::{from_micros, to_micros, SyncState};
use super::error::{CacheError, CacheResult};
use super::Cache;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Waiting to be sent.
    Pending,
    /// Sent at least once with no known outcome (the answer was lost, or the app stopped):
    /// the next replay finds out what the server did before it sends anything again.
    InFlight,
    /// The server refused it; the user fixes or discards it. Later operations on the same
    /// entity wait behind it.
    Failed,
    /// Changed on both sides; the user settles each field.
    Conflict,
    /// Finished (kept only by databases of earlier builds; finished operations are deleted).
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

/// A stored entity or kind name this build does not know (a database written by a newer build,
/// or damaged). Reading such a row fails with this instead of guessing.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the outbox holds an unknown {what} {value:?}")]
pub struct UnknownOutboxName {
    pub what: &'static str,
    pub value: String,
}

/// Defines a fieldless enum whose names are the strings stored in the `outbox` table, with
/// `as_str`, `FromStr` and SQLite binding, so the enum and the stored text cannot drift apart.
macro_rules! stored_names {
    ($(#[$m:meta])* $name:ident, $what:literal { $($(#[$vm:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The name stored in the database (and sent over IPC).
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownOutboxName;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(UnknownOutboxName { what: $what, value: other.to_string() }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }
    };
}

stored_names! {
    /// What an outbox operation changes.
    OutboxEntity, "entity" {
        Customer = "customer",
        Subscription = "subscription",
        CustomerToken = "customer_token",
        User = "user",
        /// The reseller's branding; the entity id names the part (colours or logo).
        Branding = "branding",
    }
}

stored_names! {
    /// What an outbox operation does. One enum for all entities: the kinds share names
    /// (create, update, delete) and each entity's change type maps onto its own subset.
    OutboxKind, "operation kind" {
        Create = "create",
        Update = "update",
        Delete = "delete",
        /// A queued re-read of the server copy (customers), not a change.
        Refresh = "refresh",
        AutoRenew = "auto_renew",
        Reactivate = "reactivate",
        Revoke = "revoke",
        SetColour = "set_colour",
        SetLogo = "set_logo",
        DeleteLogo = "delete_logo",
    }
}

impl From<UnknownOutboxName> for CacheError {
    fn from(e: UnknownOutboxName) -> Self {
        CacheError::Corrupt(e.to_string())
    }
}

/// An operation to append.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewOutboxOp {
    pub entity: OutboxEntity,
    pub entity_id: i64,
    pub kind: OutboxKind,
    pub payload: serde_json::Value,
    pub base_last_modified: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxOp {
    pub op_id: i64,
    pub entity: OutboxEntity,
    pub entity_id: i64,
    pub kind: OutboxKind,
    pub payload: serde_json::Value,
    pub base_last_modified: Option<DateTime<Utc>>,
    pub attempts: i64,
    pub state: OutboxState,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The bulk action or import it belongs to (`crate::cache::batches`); None: a single change.
    pub batch_id: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConflictRow {
    pub op_id: i64,
    pub field: String,
    pub mine: serde_json::Value,
    pub theirs: serde_json::Value,
}

/// Unfinished operations by state, for the status line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxCounts {
    /// Waiting or being sent.
    pub pending: u64,
    pub failed: u64,
    pub conflict: u64,
}

const OP_COLUMNS: &str = "op_id, entity, entity_id, kind, payload, base_last_modified, attempts, \
                          state, last_error, created_at, batch_id";

fn read_op(r: &Row<'_>) -> CacheResult<OutboxOp> {
    let payload: String = r.get(4)?;
    let state: String = r.get(7)?;
    let entity: String = r.get(1)?;
    let kind: String = r.get(3)?;
    Ok(OutboxOp {
        op_id: r.get(0)?,
        entity: entity.parse()?,
        entity_id: r.get(2)?,
        kind: kind.parse()?,
        payload: serde_json::from_str(&payload)
            .map_err(|e| CacheError::Corrupt(format!("outbox payload: {e}")))?,
        base_last_modified: r.get::<_, Option<i64>>(5)?.map(from_micros).transpose()?,
        attempts: r.get(6)?,
        state: OutboxState::parse(&state)?,
        last_error: r.get(8)?,
        created_at: from_micros(r.get(9)?)?,
        batch_id: r.get(10)?,
    })
}

fn read_ops(
    conn: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
) -> CacheResult<Vec<OutboxOp>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(args)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(read_op(r)?);
    }
    Ok(out)
}

pub(crate) fn insert_op(conn: &Connection, op: &NewOutboxOp) -> CacheResult<i64> {
    conn.prepare_cached(
        "INSERT INTO outbox (entity, entity_id, kind, payload, base_last_modified, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        op.entity,
        op.entity_id,
        op.kind,
        op.payload.to_string(),
        op.base_last_modified.as_ref().map(to_micros),
        to_micros(&op.created_at)
    ])?;
    Ok(conn.last_insert_rowid())
}

pub(crate) fn get_op(conn: &Connection, op_id: i64) -> CacheResult<Option<OutboxOp>> {
    let sql = format!("SELECT {OP_COLUMNS} FROM outbox WHERE op_id = ?1");
    let mut stmt = conn.prepare_cached(&sql)?;
    stmt.query_row([op_id], |r| Ok(read_op(r)))
        .optional()?
        .transpose()
}

/// The operations a `WHERE` clause picks, oldest first.
pub(crate) fn ops_where(
    conn: &Connection,
    condition: &str,
    args: impl rusqlite::Params,
) -> CacheResult<Vec<OutboxOp>> {
    let sql = format!("SELECT {OP_COLUMNS} FROM outbox WHERE {condition} ORDER BY op_id");
    read_ops(conn, &sql, args)
}

/// An entity's unfinished operations, oldest first.
pub(crate) fn ops_for_entity(
    conn: &Connection,
    entity: OutboxEntity,
    id: i64,
) -> CacheResult<Vec<OutboxOp>> {
    let sql = format!(
        "SELECT {OP_COLUMNS} FROM outbox
         WHERE entity = ?1 AND entity_id = ?2 AND state <> 'done' ORDER BY op_id"
    );
    read_ops(conn, &sql, params![entity, id])
}

/// The next operation to send: one in flight first (a send interrupted: its outcome is found
/// out before anything else goes), then the user's single changes before any batch's (a bulk
/// action or an import of thousands never holds a single change back), oldest first within
/// each, and never ahead of an earlier unfinished operation on the same entity (a failed or
/// conflicting one holds back what depends on it). Without `batches`, batch operations are left
/// to the outbox sender. Walks in `op_id` order that each stop at their first match, so a claim
/// stays cheap with thousands queued.
pub(crate) fn next_runnable(conn: &Connection, batches: bool) -> CacheResult<Option<OutboxOp>> {
    let lanes: &[&str] = if batches {
        &[
            "o.state = 'in_flight'",
            "o.state = 'pending' AND o.batch_id IS NULL",
            "o.state = 'pending' AND o.batch_id IS NOT NULL",
        ]
    } else {
        &[
            "o.state = 'in_flight' AND o.batch_id IS NULL",
            "o.state = 'pending' AND o.batch_id IS NULL",
        ]
    };
    for lane in lanes {
        let sql = format!(
            "SELECT {OP_COLUMNS} FROM outbox o
             WHERE {lane}
               AND NOT EXISTS (SELECT 1 FROM outbox b
                               WHERE b.entity = o.entity AND b.entity_id = o.entity_id
                                 AND b.op_id < o.op_id AND b.state <> 'done')
             ORDER BY o.op_id LIMIT 1"
        );
        if let Some(op) = read_ops(conn, &sql, [])?.into_iter().next() {
            return Ok(Some(op));
        }
    }
    Ok(None)
}

pub(crate) fn set_payload(
    conn: &Connection,
    op_id: i64,
    payload: &serde_json::Value,
    base_last_modified: Option<&DateTime<Utc>>,
) -> CacheResult<()> {
    conn.prepare_cached(
        "UPDATE outbox SET payload = ?2, base_last_modified = ?3 WHERE op_id = ?1",
    )?
    .execute(params![
        op_id,
        payload.to_string(),
        base_last_modified.map(to_micros)
    ])?;
    Ok(())
}

pub(crate) fn set_state(
    conn: &Connection,
    op_id: i64,
    state: OutboxState,
    last_error: Option<&str>,
    attempted: bool,
) -> CacheResult<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE outbox SET state = ?2, last_error = ?3, attempts = attempts + ?4
             WHERE op_id = ?1",
        )?
        .execute(params![
            op_id,
            state.as_str(),
            last_error,
            i64::from(attempted)
        ])?;
    Ok(n == 1)
}

/// Deletes an operation and, by cascade, its conflicts.
pub(crate) fn delete_op(conn: &Connection, op_id: i64) -> CacheResult<()> {
    conn.prepare_cached("DELETE FROM outbox WHERE op_id = ?1")?
        .execute([op_id])?;
    Ok(())
}

/// Points an entity's operations at its new id (a local create got its server id).
pub(crate) fn remap_entity(
    conn: &Connection,
    entity: OutboxEntity,
    from: i64,
    to: i64,
) -> CacheResult<()> {
    conn.prepare_cached("UPDATE outbox SET entity_id = ?3 WHERE entity = ?1 AND entity_id = ?2")?
        .execute(params![entity, from, to])?;
    // The log of the operations already finished (the create itself) follows too.
    conn.prepare_cached("UPDATE activity SET entity_id = ?3 WHERE entity = ?1 AND entity_id = ?2")?
        .execute(params![entity, from, to])?;
    Ok(())
}

/// The sync state a row shows, from its entity's unfinished operations (a queued re-read
/// after a discard is not a change of the user's, so it does not count).
pub(crate) fn entity_sync_state(
    conn: &Connection,
    entity: OutboxEntity,
    id: i64,
) -> CacheResult<SyncState> {
    let mut stmt = conn.prepare_cached(
        "SELECT max(state = 'conflict'), max(state = 'failed'), count(*) FROM outbox
         WHERE entity = ?1 AND entity_id = ?2 AND state <> 'done' AND kind <> ?3",
    )?;
    let (conflict, failed, n): (Option<bool>, Option<bool>, i64) = stmt
        .query_row(params![entity, id, OutboxKind::Refresh], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    Ok(if conflict == Some(true) {
        SyncState::Conflict
    } else if failed == Some(true) {
        SyncState::Failed
    } else if n > 0 {
        SyncState::Pending
    } else {
        SyncState::Synced
    })
}

/// The next id for a local create: below every local id in the customers table and the outbox,
/// so an id is never reused while anything still refers to it.
pub(crate) fn next_local_id(conn: &Connection, entity: OutboxEntity) -> CacheResult<i64> {
    let mut stmt = conn.prepare_cached(
        "SELECT min(0, coalesce((SELECT min(id) FROM customers), 0),
                       coalesce((SELECT min(entity_id) FROM outbox WHERE entity = ?1), 0)) - 1",
    )?;
    Ok(stmt.query_row([entity], |r| r.get(0))?)
}

pub(crate) fn insert_conflict(conn: &Connection, c: &ConflictRow) -> CacheResult<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO conflicts (op_id, field, mine, theirs) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        c.op_id,
        c.field,
        c.mine.to_string(),
        c.theirs.to_string()
    ])?;
    Ok(())
}

pub(crate) fn delete_conflict(conn: &Connection, op_id: i64, field: &str) -> CacheResult<bool> {
    let n = conn
        .prepare_cached("DELETE FROM conflicts WHERE op_id = ?1 AND field = ?2")?
        .execute(params![op_id, field])?;
    Ok(n == 1)
}

pub(crate) fn read_conflicts(
    conn: &Connection,
    op_id: Option<i64>,
) -> CacheResult<Vec<ConflictRow>> {
    let mut stmt = conn.prepare_cached(
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

impl Cache {
    /// Appends an operation (state pending, no attempts); returns its op_id.
    pub fn push_outbox(&self, op: &NewOutboxOp) -> CacheResult<i64> {
        insert_op(self.conn(), op)
    }

    /// Operations in replay order, optionally only those in `state`.
    pub fn outbox(&self, state: Option<OutboxState>) -> CacheResult<Vec<OutboxOp>> {
        let sql = format!(
            "SELECT {OP_COLUMNS} FROM outbox WHERE ?1 IS NULL OR state = ?1 ORDER BY op_id"
        );
        read_ops(self.conn(), &sql, [state.map(OutboxState::as_str)])
    }

    /// One operation by id.
    pub fn outbox_op(&self, op_id: i64) -> CacheResult<Option<OutboxOp>> {
        get_op(self.conn(), op_id)
    }

    /// Sets an operation's state and last error, counting an attempt when `attempted`.
    pub fn set_outbox_state(
        &self,
        op_id: i64,
        state: OutboxState,
        last_error: Option<&str>,
        attempted: bool,
    ) -> CacheResult<bool> {
        set_state(self.conn(), op_id, state, last_error, attempted)
    }

    pub fn add_conflict(&self, c: &ConflictRow) -> CacheResult<()> {
        insert_conflict(self.conn(), c)
    }

    /// Conflicts, optionally of one operation, by op then field.
    pub fn conflicts(&self, op_id: Option<i64>) -> CacheResult<Vec<ConflictRow>> {
        read_conflicts(self.conn(), op_id)
    }

    /// Unfinished operations by state (an index range per state, no table scan).
    pub fn outbox_counts(&self) -> CacheResult<OutboxCounts> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT (SELECT count(*) FROM outbox WHERE state IN ('pending', 'in_flight')),
                    (SELECT count(*) FROM outbox WHERE state = 'failed'),
                    (SELECT count(*) FROM outbox WHERE state = 'conflict')",
        )?;
        let (pending, failed, conflict): (i64, i64, i64) =
            stmt.query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        Ok(OutboxCounts {
            pending: n(pending),
            failed: n(failed),
            conflict: n(conflict),
        })
    }
}

/// Records that a local create produced `server_id`.
pub(crate) fn record_created(
    conn: &Connection,
    server_id: i64,
    at: &DateTime<Utc>,
) -> CacheResult<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO created_customers (server_id, created_at) VALUES (?1, ?2)",
    )?
    .execute(params![server_id, to_micros(at)])?;
    Ok(())
}

/// Server ids local creates produced, after pruning those older than `keep_since`.
pub(crate) fn created_ids(conn: &Connection, keep_since: &DateTime<Utc>) -> CacheResult<Vec<i64>> {
    conn.prepare_cached("DELETE FROM created_customers WHERE created_at < ?1")?
        .execute([to_micros(keep_since)])?;
    let mut stmt = conn.prepare_cached("SELECT server_id FROM created_customers")?;
    let ids = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<Vec<i64>, _>>()?;
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Listed literally: these are the names in users' databases, so renaming a variant's stored
    // name must fail here rather than orphan queued operations.
    const ENTITIES: &[(OutboxEntity, &str)] = &[
        (OutboxEntity::Customer, "customer"),
        (OutboxEntity::Subscription, "subscription"),
        (OutboxEntity::CustomerToken, "customer_token"),
        (OutboxEntity::User, "user"),
        (OutboxEntity::Branding, "branding"),
    ];
    const KINDS: &[(OutboxKind, &str)] = &[
        (OutboxKind::Create, "create"),
        (OutboxKind::Update, "update"),
        (OutboxKind::Delete, "delete"),
        (OutboxKind::Refresh, "refresh"),
        (OutboxKind::AutoRenew, "auto_renew"),
        (OutboxKind::Reactivate, "reactivate"),
        (OutboxKind::Revoke, "revoke"),
        (OutboxKind::SetColour, "set_colour"),
        (OutboxKind::SetLogo, "set_logo"),
        (OutboxKind::DeleteLogo, "delete_logo"),
    ];

    #[test]
    fn stored_names_are_todays_and_round_trip() {
        assert_eq!(OutboxEntity::ALL.len(), ENTITIES.len());
        for &(e, name) in ENTITIES {
            assert!(OutboxEntity::ALL.contains(&e));
            assert_eq!(e.as_str(), name);
            assert_eq!(name.parse::<OutboxEntity>(), Ok(e));
            assert_eq!(serde_json::to_value(e).unwrap(), serde_json::json!(name));
            assert_eq!(
                serde_json::from_value::<OutboxEntity>(name.into()).unwrap(),
                e
            );
        }
        assert_eq!(OutboxKind::ALL.len(), KINDS.len());
        for &(k, name) in KINDS {
            assert!(OutboxKind::ALL.contains(&k));
            assert_eq!(k.as_str(), name);
            assert_eq!(name.parse::<OutboxKind>(), Ok(k));
            assert_eq!(serde_json::to_value(k).unwrap(), serde_json::json!(name));
            assert_eq!(
                serde_json::from_value::<OutboxKind>(name.into()).unwrap(),
                k
            );
        }
    }

    #[test]
    fn unknown_stored_names_are_typed_errors() {
        let e = "invoice".parse::<OutboxEntity>().unwrap_err();
        assert_eq!(
            e,
            UnknownOutboxName {
                what: "entity",
                value: "invoice".into()
            }
        );
        assert_eq!(
            e.to_string(),
            "the outbox holds an unknown entity \"invoice\""
        );
        assert!("Create".parse::<OutboxKind>().is_err());
    }

    #[test]
    fn ops_are_stored_as_todays_strings_and_unknown_ones_fail_to_read() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE outbox (op_id INTEGER PRIMARY KEY, entity TEXT NOT NULL,
                 entity_id INTEGER NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL,
                 base_last_modified INTEGER, attempts INTEGER NOT NULL DEFAULT 0,
                 state TEXT NOT NULL DEFAULT 'pending', last_error TEXT,
                 created_at INTEGER NOT NULL, batch_id INTEGER)",
        )
        .unwrap();
        let id = insert_op(
            &conn,
            &NewOutboxOp {
                entity: OutboxEntity::CustomerToken,
                entity_id: 7,
                kind: OutboxKind::AutoRenew,
                payload: serde_json::json!({}),
                base_last_modified: None,
                created_at: Utc::now(),
            },
        )
        .unwrap();
        let (entity, kind): (String, String) = conn
            .query_row(
                "SELECT entity, kind FROM outbox WHERE op_id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(
            (entity.as_str(), kind.as_str()),
            ("customer_token", "auto_renew")
        );
        let op = get_op(&conn, id).unwrap().unwrap();
        assert_eq!(
            (op.entity, op.kind),
            (OutboxEntity::CustomerToken, OutboxKind::AutoRenew)
        );

        conn.execute("UPDATE outbox SET kind = 'teleport' WHERE op_id = ?1", [id])
            .unwrap();
        match get_op(&conn, id) {
            Err(CacheError::Corrupt(m)) => {
                assert_eq!(m, "the outbox holds an unknown operation kind \"teleport\"")
            }
            other => panic!("expected a corrupt-value error, got {other:?}"),
        }
    }

    #[test]
    fn single_changes_go_before_batches_but_never_ahead_of_their_own_entity() {
        let cache = Cache::open_in_memory().unwrap();
        let conn = cache.conn();
        let batch = crate::cache::batches::insert_batch(
            conn,
            crate::cache::BatchKind::Deactivate,
            "b",
            &Utc::now(),
        )
        .unwrap();
        let op = |id: i64, in_batch: bool| {
            let op_id = crate::cache::fixtures::queued_update(conn, id);
            if in_batch {
                crate::cache::batches::tag_op(conn, op_id, Some(batch)).unwrap();
            }
            op_id
        };
        let batch_1 = op(1, true);
        let batch_2 = op(2, true);
        // A single change on customer 1 waits for the batch's earlier one on it; on 3 it
        // goes first.
        let single_1 = op(1, false);
        let single_3 = op(3, false);
        let next = |batches| next_runnable(conn, batches).unwrap().map(|o| o.op_id);
        assert_eq!(next(true), Some(single_3));
        assert_eq!(next(false), Some(single_3));
        delete_op(conn, single_3).unwrap();
        assert_eq!(next(true), Some(batch_1));
        assert_eq!(next(false), None, "a round leaves the batch to the sender");
        // Interrupted while in flight: found out first.
        set_state(conn, batch_2, OutboxState::InFlight, None, true).unwrap();
        assert_eq!(next(true), Some(batch_2));
        assert_eq!(next(false), None);
        delete_op(conn, batch_2).unwrap();
        delete_op(conn, batch_1).unwrap();
        assert_eq!(next(false), Some(single_1));
    }
}
