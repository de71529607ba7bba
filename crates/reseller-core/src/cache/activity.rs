//! The `activity` table (`migrations/0024_activity.sql`): the log of every change made from this
//! app on this account, written by the outbox's triggers (and, for a change made at once with no
//! operation, by `insert_direct`). Only storage; how an entry reads is `crate::activity`'s.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use super::customers::{from_micros, to_micros};
use super::error::{CacheError, CacheResult};
use super::outbox::{OutboxEntity, OutboxKind};
use super::Cache;

/// Where a logged change got to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityOutcome {
    /// Queued, not sent yet.
    Waiting,
    /// Sent, with no answer yet (the answer was lost, or the app stopped meanwhile).
    Sending,
    /// The server took it.
    Sent,
    /// The server refused it (`answer` says why); the user fixes or discards it.
    Refused,
    /// Changed on both sides; the user settles it.
    Conflict,
    /// Taken back before it was sent (discarded, undone, or undone by a later edit).
    Discarded,
}

impl ActivityOutcome {
    pub const ALL: [ActivityOutcome; 6] = [
        ActivityOutcome::Waiting,
        ActivityOutcome::Sending,
        ActivityOutcome::Sent,
        ActivityOutcome::Refused,
        ActivityOutcome::Conflict,
        ActivityOutcome::Discarded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActivityOutcome::Waiting => "waiting",
            ActivityOutcome::Sending => "sending",
            ActivityOutcome::Sent => "sent",
            ActivityOutcome::Refused => "refused",
            ActivityOutcome::Conflict => "conflict",
            ActivityOutcome::Discarded => "discarded",
        }
    }

    fn parse(s: &str) -> CacheResult<ActivityOutcome> {
        ActivityOutcome::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| CacheError::Corrupt(format!("activity outcome {s:?}")))
    }

    /// Still in the outbox: never pruned, whatever its age.
    pub fn unfinished(self) -> bool {
        !matches!(self, ActivityOutcome::Sent | ActivityOutcome::Discarded)
    }
}

/// One logged change as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct ActivityRow {
    pub activity_id: i64,
    pub op_id: Option<i64>,
    pub batch_id: Option<i64>,
    pub entity: OutboxEntity,
    /// The customer for every entity but branding (whose id names the part).
    pub entity_id: i64,
    pub kind: OutboxKind,
    pub payload: serde_json::Value,
    /// The organisation's name when the change was made (None: branding, or not cached then).
    pub customer_name: Option<String>,
    /// Who was signed in (None: queued before this log existed).
    pub actor_name: Option<String>,
    pub actor_email: Option<String>,
    pub made_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub outcome: ActivityOutcome,
    /// Went through a conflict the user settled.
    pub conflicted: bool,
    /// The server's words when it refused.
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    /// What a search looks in (None: not written yet, or the entry changed since).
    pub search_text: Option<String>,
}

/// A change made at once, with no outbox operation (a token created online), as it ended.
#[derive(Clone, Debug, PartialEq)]
pub struct NewActivity {
    pub entity: OutboxEntity,
    pub entity_id: i64,
    pub kind: OutboxKind,
    pub payload: serde_json::Value,
    pub made_at: DateTime<Utc>,
    pub outcome: ActivityOutcome,
    pub answer: Option<String>,
    pub answered_at: DateTime<Utc>,
}

/// Which entries to read, newest first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ActivityFilter {
    pub entities: Vec<OutboxEntity>,
    pub outcomes: Vec<ActivityOutcome>,
    /// Made at or after.
    pub from: Option<DateTime<Utc>>,
    /// Made before.
    pub until: Option<DateTime<Utc>>,
    /// One organisation's.
    pub customer_id: Option<i64>,
    /// Words (lower case) each entry's `search_text` holds; an entry without one yet is let
    /// through for the caller to judge.
    pub words: Vec<String>,
    /// At most this many, the newest.
    pub limit: Option<usize>,
}

const COLUMNS: &str = "activity_id, op_id, batch_id, entity, entity_id, kind, payload, \
                       customer_name, actor_name, actor_email, made_at, edited_at, outcome, \
                       conflicted, answer, answered_at, ended_at, search_text";

fn micros(r: &Row<'_>, i: usize) -> CacheResult<Option<DateTime<Utc>>> {
    r.get::<_, Option<i64>>(i)?.map(from_micros).transpose()
}

fn read_row(r: &Row<'_>) -> CacheResult<ActivityRow> {
    let entity: String = r.get(3)?;
    let kind: String = r.get(5)?;
    let payload: String = r.get(6)?;
    let outcome: String = r.get(12)?;
    Ok(ActivityRow {
        activity_id: r.get(0)?,
        op_id: r.get(1)?,
        batch_id: r.get(2)?,
        entity: entity.parse()?,
        entity_id: r.get(4)?,
        kind: kind.parse()?,
        payload: serde_json::from_str(&payload)
            .map_err(|e| CacheError::Corrupt(format!("activity payload: {e}")))?,
        customer_name: r.get(7)?,
        actor_name: r.get(8)?,
        actor_email: r.get(9)?,
        made_at: from_micros(r.get(10)?)?,
        edited_at: micros(r, 11)?,
        outcome: ActivityOutcome::parse(&outcome)?,
        conflicted: r.get(13)?,
        answer: r.get(14)?,
        answered_at: micros(r, 15)?,
        ended_at: micros(r, 16)?,
        search_text: r.get(17)?,
    })
}

/// Who the log names as the maker of the changes queued from now on.
pub(crate) fn set_actor(conn: &Connection, name: &str, email: &str) -> CacheResult<()> {
    conn.prepare_cached(
        "UPDATE activity_meta SET actor_name = ?1, actor_email = NULLIF(?2, '') WHERE only_row = 1",
    )?
    .execute(params![name, email])?;
    Ok(())
}

/// How many days the log keeps a finished entry (None: forever).
pub(crate) fn retention_days(conn: &Connection) -> CacheResult<Option<u32>> {
    let days: Option<i64> = conn
        .prepare_cached("SELECT retention_days FROM activity_meta WHERE only_row = 1")?
        .query_row([], |r| r.get(0))
        .optional()?
        .flatten();
    Ok(days.and_then(|d| u32::try_from(d).ok()))
}

pub(crate) fn set_retention_days(conn: &Connection, days: Option<u32>) -> CacheResult<()> {
    conn.prepare_cached("UPDATE activity_meta SET retention_days = ?1 WHERE only_row = 1")?
        .execute([days])?;
    Ok(())
}

/// Deletes the finished entries made before `before`; how many. Unfinished ones stay.
pub(crate) fn prune(conn: &Connection, before: &DateTime<Utc>) -> CacheResult<usize> {
    Ok(conn
        .prepare_cached(
            "DELETE FROM activity WHERE made_at < ?1 AND outcome IN ('sent', 'discarded')",
        )?
        .execute([to_micros(before)])?)
}

pub(crate) fn insert_direct(conn: &Connection, a: &NewActivity) -> CacheResult<i64> {
    conn.prepare_cached(
        "INSERT INTO activity (entity, entity_id, kind, payload, customer_name, actor_name,
                               actor_email, made_at, outcome, answer, answered_at, ended_at)
         SELECT ?1, ?2, ?3, ?4,
                (SELECT c.name FROM customers c WHERE c.id = ?2 AND ?1 <> 'branding'),
                m.actor_name, m.actor_email, ?5, ?6, ?7, ?8, ?8
         FROM activity_meta m WHERE m.only_row = 1",
    )?
    .execute(params![
        a.entity,
        a.entity_id,
        a.kind,
        a.payload.to_string(),
        to_micros(&a.made_at),
        a.outcome.as_str(),
        a.answer,
        to_micros(&a.answered_at),
    ])?;
    Ok(conn.last_insert_rowid())
}

/// The WHERE clause of `filter` and its arguments.
fn condition(filter: &ActivityFilter) -> (String, Vec<Box<dyn rusqlite::ToSql>>) {
    let mut sql = String::from(" WHERE 1 = 1");
    let mut args: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
    if !filter.entities.is_empty() {
        let list = vec!["?"; filter.entities.len()].join(", ");
        sql.push_str(&format!(" AND entity IN ({list})"));
        for e in &filter.entities {
            args.push(Box::new(e.as_str()));
        }
    }
    if !filter.outcomes.is_empty() {
        let list = vec!["?"; filter.outcomes.len()].join(", ");
        sql.push_str(&format!(" AND outcome IN ({list})"));
        for o in &filter.outcomes {
            args.push(Box::new(o.as_str()));
        }
    }
    if let Some(from) = &filter.from {
        sql.push_str(" AND made_at >= ?");
        args.push(Box::new(to_micros(from)));
    }
    if let Some(until) = &filter.until {
        sql.push_str(" AND made_at < ?");
        args.push(Box::new(to_micros(until)));
    }
    if let Some(id) = filter.customer_id {
        sql.push_str(" AND entity <> 'branding' AND entity_id = ?");
        args.push(Box::new(id));
    }
    if !filter.words.is_empty() {
        sql.push_str(" AND (search_text IS NULL OR (1 = 1");
        for w in &filter.words {
            sql.push_str(" AND instr(search_text, ?) > 0");
            args.push(Box::new(w.clone()));
        }
        sql.push_str("))");
    }
    (sql, args)
}

/// How many entries `filter` lets through (its limit aside).
pub(crate) fn count_activity(conn: &Connection, filter: &ActivityFilter) -> CacheResult<usize> {
    let (cond, args) = condition(filter);
    let n: i64 = conn
        .prepare_cached(&format!("SELECT COUNT(*) FROM activity{cond}"))?
        .query_row(
            rusqlite::params_from_iter(args.iter().map(|a| a.as_ref())),
            |r| r.get(0),
        )?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// The entries `filter` lets through, newest first.
pub(crate) fn read_activity(
    conn: &Connection,
    filter: &ActivityFilter,
) -> CacheResult<Vec<ActivityRow>> {
    let (cond, mut args) = condition(filter);
    let mut sql =
        format!("SELECT {COLUMNS} FROM activity{cond} ORDER BY made_at DESC, activity_id DESC");
    if let Some(limit) = filter.limit {
        sql.push_str(" LIMIT ?");
        args.push(Box::new(i64::try_from(limit).unwrap_or(i64::MAX)));
    }
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(args.iter().map(|a| a.as_ref())))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(read_row(r)?);
    }
    Ok(out)
}

/// The ids of the entries `filter` lets through, newest first, each with whether its search
/// text is written (an entry without one is let through by `filter.words` unjudged).
pub(crate) fn matching_ids(
    conn: &Connection,
    filter: &ActivityFilter,
) -> CacheResult<Vec<(i64, bool)>> {
    let (cond, args) = condition(filter);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT activity_id, search_text IS NOT NULL FROM activity{cond}
         ORDER BY made_at DESC, activity_id DESC"
    ))?;
    let rows = stmt.query_map(
        rusqlite::params_from_iter(args.iter().map(|a| a.as_ref())),
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The entries `ids` names, in that order (ids no longer there are left out).
pub(crate) fn read_by_ids(conn: &Connection, ids: &[i64]) -> CacheResult<Vec<ActivityRow>> {
    let list = serde_json::Value::from(ids.to_vec()).to_string();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM activity WHERE activity_id IN (SELECT value FROM json_each(?1))"
    ))?;
    let mut rows = stmt.query([list])?;
    let mut by_id = std::collections::HashMap::new();
    while let Some(r) = rows.next()? {
        let row = read_row(r)?;
        by_id.insert(row.activity_id, row);
    }
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// Up to `max` entries whose search text is not written yet.
pub(crate) fn unindexed(conn: &Connection, max: usize) -> CacheResult<Vec<ActivityRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM activity WHERE search_text IS NULL LIMIT ?1"
    ))?;
    let mut rows = stmt.query([i64::try_from(max).unwrap_or(i64::MAX)])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(read_row(r)?);
    }
    Ok(out)
}

pub(crate) fn set_search_text(conn: &Connection, activity_id: i64, text: &str) -> CacheResult<()> {
    conn.prepare_cached("UPDATE activity SET search_text = ?2 WHERE activity_id = ?1")?
        .execute(params![activity_id, text])?;
    Ok(())
}

impl Cache {
    pub fn set_activity_actor(&self, name: &str, email: &str) -> CacheResult<()> {
        set_actor(self.conn(), name, email)
    }

    pub fn activity_retention_days(&self) -> CacheResult<Option<u32>> {
        retention_days(self.conn())
    }

    pub fn activity(&self, filter: &ActivityFilter) -> CacheResult<Vec<ActivityRow>> {
        read_activity(self.conn(), filter)
    }

    /// Logs a change made at once, with no outbox operation (a token created online): what it
    /// was and how the server answered. The payload must hold no secret.
    pub fn record_activity(&self, activity: &NewActivity) -> CacheResult<i64> {
        insert_direct(self.conn(), activity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::fixtures::{cache_with_customer, queued_update};
    use crate::cache::outbox::{delete_op, set_state};
    use crate::cache::OutboxState;

    fn only(cache: &Cache) -> ActivityRow {
        let mut rows = cache.activity(&ActivityFilter::default()).unwrap();
        assert_eq!(rows.len(), 1, "{rows:?}");
        rows.pop().unwrap()
    }

    #[test]
    fn a_queued_operation_is_logged_with_who_made_it_and_its_organisation() {
        let cache = cache_with_customer(7);
        cache
            .set_activity_actor("Rita Reseller", "rita@example.com")
            .unwrap();
        queued_update(cache.conn(), 7);
        let row = only(&cache);
        assert_eq!(row.entity, OutboxEntity::Customer);
        assert_eq!(row.entity_id, 7);
        assert_eq!(row.customer_name.as_deref(), Some("Voorbeeld BV"));
        assert_eq!(row.actor_name.as_deref(), Some("Rita Reseller"));
        assert_eq!(row.actor_email.as_deref(), Some("rita@example.com"));
        assert_eq!(row.outcome, ActivityOutcome::Waiting);
        assert!(row.answered_at.is_none());
    }

    #[test]
    fn the_outcome_follows_the_operation_to_the_end() {
        let cache = cache_with_customer(7);
        let op = queued_update(cache.conn(), 7);
        set_state(cache.conn(), op, OutboxState::InFlight, None, true).unwrap();
        assert_eq!(only(&cache).outcome, ActivityOutcome::Sending);
        set_state(
            cache.conn(),
            op,
            OutboxState::Failed,
            Some("Email taken"),
            false,
        )
        .unwrap();
        let refused = only(&cache);
        assert_eq!(refused.outcome, ActivityOutcome::Refused);
        assert_eq!(refused.answer.as_deref(), Some("Email taken"));
        assert!(refused.answered_at.is_some());
        set_state(cache.conn(), op, OutboxState::Conflict, None, false).unwrap();
        set_state(cache.conn(), op, OutboxState::InFlight, None, true).unwrap();
        delete_op(cache.conn(), op).unwrap();
        let sent = only(&cache);
        assert_eq!(sent.outcome, ActivityOutcome::Sent);
        assert!(sent.conflicted);
        assert!(sent.ended_at.is_some());

        let dropped = queued_update(cache.conn(), 7);
        delete_op(cache.conn(), dropped).unwrap();
        let rows = cache.activity(&ActivityFilter::default()).unwrap();
        let discarded = rows.iter().find(|r| r.op_id == Some(dropped)).unwrap();
        assert_eq!(discarded.outcome, ActivityOutcome::Discarded);
        assert!(discarded.answered_at.is_none(), "never answered");
    }

    #[test]
    fn pruning_keeps_what_is_unfinished_and_what_is_recent() {
        let cache = cache_with_customer(7);
        let old_sent = queued_update(cache.conn(), 7);
        set_state(cache.conn(), old_sent, OutboxState::InFlight, None, true).unwrap();
        delete_op(cache.conn(), old_sent).unwrap();
        let old_waiting = queued_update(cache.conn(), 7);
        let cut = Utc::now() + chrono::Duration::seconds(5);
        assert_eq!(prune(cache.conn(), &cut).unwrap(), 1);
        let left = cache.activity(&ActivityFilter::default()).unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].op_id, Some(old_waiting));
        assert_eq!(
            prune(cache.conn(), &(Utc::now() - chrono::Duration::days(1))).unwrap(),
            0
        );
    }

    #[test]
    fn a_search_text_goes_stale_when_its_entry_changes() {
        let cache = cache_with_customer(7);
        let op = queued_update(cache.conn(), 7);
        let id = only(&cache).activity_id;
        set_search_text(cache.conn(), id, "edit organisation waiting").unwrap();
        let words = |w: &str| ActivityFilter {
            words: vec![w.into()],
            ..ActivityFilter::default()
        };
        assert_eq!(count_activity(cache.conn(), &words("waiting")).unwrap(), 1);
        assert_eq!(count_activity(cache.conn(), &words("refused")).unwrap(), 0);
        set_state(cache.conn(), op, OutboxState::Failed, Some("no"), false).unwrap();
        assert_eq!(
            only(&cache).search_text,
            None,
            "stale: written again by the next search"
        );
        assert_eq!(
            count_activity(cache.conn(), &words("refused")).unwrap(),
            1,
            "an entry without a text is let through for the caller to judge"
        );
        assert_eq!(unindexed(cache.conn(), 10).unwrap().len(), 1);
    }

    #[test]
    fn filters_narrow_by_entity_outcome_time_and_organisation() {
        let cache = cache_with_customer(7);
        let a = queued_update(cache.conn(), 7);
        set_state(cache.conn(), a, OutboxState::Failed, Some("no"), false).unwrap();
        insert_direct(
            cache.conn(),
            &NewActivity {
                entity: OutboxEntity::CustomerToken,
                entity_id: 7,
                kind: OutboxKind::Create,
                payload: serde_json::json!({"name": "ci"}),
                made_at: Utc::now(),
                outcome: ActivityOutcome::Sent,
                answer: None,
                answered_at: Utc::now(),
            },
        )
        .unwrap();
        let read = |f: ActivityFilter| cache.activity(&f).unwrap().len();
        assert_eq!(read(ActivityFilter::default()), 2);
        let tokens = ActivityFilter {
            entities: vec![OutboxEntity::CustomerToken],
            ..ActivityFilter::default()
        };
        assert_eq!(read(tokens), 1);
        let refused = ActivityFilter {
            outcomes: vec![ActivityOutcome::Refused],
            ..ActivityFilter::default()
        };
        assert_eq!(read(refused), 1);
        let later = ActivityFilter {
            from: Some(Utc::now() + chrono::Duration::hours(1)),
            ..ActivityFilter::default()
        };
        assert_eq!(read(later), 0);
        let other = ActivityFilter {
            customer_id: Some(8),
            ..ActivityFilter::default()
        };
        assert_eq!(read(other), 0);
        assert_eq!(retention_days(cache.conn()).unwrap(), Some(365));
        set_retention_days(cache.conn(), None).unwrap();
        assert_eq!(retention_days(cache.conn()).unwrap(), None);
    }
}
