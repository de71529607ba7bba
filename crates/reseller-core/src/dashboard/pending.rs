//! The user's own changes in the dashboard's totals, at once. The server's totals (or this
//! month's per-customer figures) are fetched now and then; a change the user just made is in
//! the outbox and in the cached rows it touches, not in those totals yet. So the view adjusts
//! the server's totals by the changes not yet confirmed, and says so ("includes 1 change not yet
//! on Scriptix"), instead of counting 10 000 organisations' users from cache rows that are
//! mostly not fetched.
//!
//! Adjusting (rather than counting the cache) keeps the server's numbers as the base, which
//! are right for everything the user did not touch. A confirmed change leaves the outbox before
//! the next dashboard fetch brings it: `Carried` keeps its adjustment (still marked pending)
//! until a dashboard fetched after the confirmation is in the cache. Pure but for reading the
//! outbox.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::cache::{Cache, CacheResult, OutboxEntity, OutboxKind, OutboxOp, OutboxState};
use crate::customers::change::CustomerChange;
use crate::tabs::users::UserChange;

/// What one change does to the totals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Delta {
    pub organizations: i64,
    pub active: i64,
    pub users: i64,
    /// The organisation whose users it changes (computed mode re-reads its figures).
    pub customer_id: i64,
}

impl Delta {
    fn is_zero(&self) -> bool {
        self.organizations == 0 && self.active == 0 && self.users == 0
    }
}

/// What an outbox operation does to the totals (`None`: nothing they count).
pub fn delta_of(op: &OutboxOp) -> Option<Delta> {
    let base = Delta {
        customer_id: op.entity_id,
        ..Delta::default()
    };
    let d = match op.entity {
        OutboxEntity::Customer => match CustomerChange::from_json(&op.payload).ok()? {
            CustomerChange::Create { fields } => Delta {
                organizations: 1,
                active: i64::from(fields.is_active),
                ..base
            },
            CustomerChange::Delete { base: was, .. } => Delta {
                organizations: -1,
                active: -i64::from(was.is_active),
                ..base
            },
            CustomerChange::Update { base: was, mine } => Delta {
                active: i64::from(mine.is_active) - i64::from(was.is_active),
                ..base
            },
            CustomerChange::Refresh => return None,
        },
        OutboxEntity::User => match UserChange::from_op(op).ok()? {
            UserChange::Create { .. } => Delta { users: 1, ..base },
            UserChange::Delete { .. } => Delta { users: -1, ..base },
            UserChange::Update { .. } | UserChange::Reactivate { .. } => return None,
        },
        _ => return None,
    };
    (!d.is_zero()).then_some(d)
}

/// The highest operation id the outbox ever gave (ids are never reused): a change made and
/// confirmed while the dashboard was not on screen shows as this having moved.
pub fn last_issued(cache: &Cache) -> CacheResult<i64> {
    use rusqlite::OptionalExtension;
    Ok(cache
        .conn()
        .prepare_cached("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'")?
        .query_row([], |r| r.get::<_, i64>(0))
        .optional()?
        .unwrap_or(0))
}

/// The unfinished changes that move a total, by operation id. Refused ones count too: their
/// rows still show them (marked), and the totals agree with the rows until the user discards
/// them.
pub fn unfinished(cache: &Cache) -> CacheResult<BTreeMap<i64, Delta>> {
    Ok(cache
        .outbox(None)?
        .into_iter()
        .filter(|op| op.state != OutboxState::Done && op.kind != OutboxKind::Refresh)
        .filter_map(|op| delta_of(&op).map(|d| (op.op_id, d)))
        .collect())
}

/// The adjustment shown on the totals, marked pending.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingTotals {
    pub organizations: i64,
    pub active: i64,
    pub users: i64,
    /// Changes behind it (waiting, or confirmed but not in the fetched totals yet).
    pub changes: usize,
}

impl PendingTotals {
    pub fn add(&mut self, d: &Delta) {
        self.organizations += d.organizations;
        self.active += d.active;
        self.users += d.users;
        self.changes += 1;
    }

    pub fn is_empty(&self) -> bool {
        self.changes == 0
    }
}

/// Changes confirmed after the last look whose effect the cached totals do not hold yet.
#[derive(Debug, Default)]
pub struct Carried {
    /// The unfinished changes seen at the last read.
    seen: BTreeMap<i64, Delta>,
    /// Gone from the outbox at `.0`, with what they did (nothing known for a change made and
    /// finished between two looks: the figures are fetched again all the same).
    gone: Vec<(DateTime<Utc>, Delta)>,
    /// The outbox's last issued id at the last look.
    issued: Option<i64>,
}

impl Carried {
    /// Takes the unfinished changes `now` and the outbox's last issued id; those seen before
    /// and gone since are carried, and so is (as nothing more than "fetch again") any change
    /// made and finished since the last look. Returns whether any went (the totals must be
    /// fetched again).
    pub fn observe(
        &mut self,
        current: &BTreeMap<i64, Delta>,
        issued: i64,
        now: DateTime<Utc>,
    ) -> bool {
        let mut went = false;
        for (id, d) in &self.seen {
            if !current.contains_key(id) {
                self.gone.push((now, *d));
                went = true;
            }
        }
        if let Some(before) = self.issued {
            // Issued since the last look and already gone: made and finished unseen.
            let unseen = (before + 1..=issued)
                .any(|id| !current.contains_key(&id) && !self.seen.contains_key(&id));
            if unseen {
                self.gone.push((now, Delta::default()));
                went = true;
            }
        }
        self.issued = Some(issued);
        self.seen = current.clone();
        went
    }

    /// Drops what the figures hold: a change whose figures (`fetched_at(change)`: when what
    /// it affects was last fetched) were fetched after it went. Returns what is still carried.
    pub fn still_carried(
        &mut self,
        fetched_at: impl Fn(&Delta) -> Option<DateTime<Utc>>,
    ) -> Vec<Delta> {
        self.gone
            .retain(|(went, d)| fetched_at(d).is_none_or(|fetched| fetched <= *went));
        self.gone
            .iter()
            .map(|(_, d)| *d)
            .filter(|d| !d.is_zero())
            .collect()
    }

    /// Whether a change went that the cached figures may not hold yet.
    pub fn pending_fetch(&self) -> bool {
        !self.gone.is_empty()
    }

    /// The organisations whose users a carried change moved.
    pub fn customers_with_user_changes(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .gone
            .iter()
            .filter(|(_, d)| d.users != 0)
            .map(|(_, d)| d.customer_id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// When the oldest carried change went (a fetch must start after it).
    pub fn oldest(&self) -> Option<DateTime<Utc>> {
        self.gone.iter().map(|(t, _)| *t).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customers::change::CustomerFields;
    use crate::tabs::users::UserFields;
    use chrono::{Duration, TimeZone};

    fn op(
        id: i64,
        entity: OutboxEntity,
        entity_id: i64,
        kind: OutboxKind,
        payload: serde_json::Value,
    ) -> OutboxOp {
        OutboxOp {
            op_id: id,
            entity,
            entity_id,
            kind,
            payload,
            base_last_modified: None,
            attempts: 0,
            state: OutboxState::Pending,
            last_error: None,
            created_at: Utc.timestamp_opt(1_700_000_000, 0).unwrap(),
            batch_id: None,
        }
    }

    fn fields(active: bool) -> CustomerFields {
        CustomerFields {
            name: "Acme".into(),
            email: "a@example.com".into(),
            phone: None,
            is_active: active,
        }
    }

    fn user_fields() -> UserFields {
        serde_json::from_value(serde_json::json!({
            "email": "u@example.com", "first_name": "U", "last_name": "Ser", "roles": []
        }))
        .unwrap()
    }

    #[test]
    fn each_change_moves_the_totals_it_affects() {
        let create = op(
            1,
            OutboxEntity::Customer,
            -1,
            OutboxKind::Create,
            CustomerChange::Create {
                fields: fields(true),
            }
            .to_json(),
        );
        assert_eq!(
            delta_of(&create).map(|d| (d.organizations, d.active, d.users)),
            Some((1, 1, 0))
        );
        let delete = op(
            2,
            OutboxEntity::Customer,
            5,
            OutboxKind::Delete,
            CustomerChange::Delete {
                base: fields(false),
                registration_date: Utc::now(),
            }
            .to_json(),
        );
        assert_eq!(
            delta_of(&delete).map(|d| (d.organizations, d.active)),
            Some((-1, 0))
        );
        let deactivate = op(
            3,
            OutboxEntity::Customer,
            5,
            OutboxKind::Update,
            CustomerChange::Update {
                base: fields(true),
                mine: fields(false),
            }
            .to_json(),
        );
        assert_eq!(delta_of(&deactivate).map(|d| d.active), Some(-1));
        let rename = op(
            4,
            OutboxEntity::Customer,
            5,
            OutboxKind::Update,
            CustomerChange::Update {
                base: fields(true),
                mine: fields(true),
            }
            .to_json(),
        );
        assert_eq!(delta_of(&rename), None);
        let add_user = op(
            5,
            OutboxEntity::User,
            7,
            OutboxKind::Create,
            serde_json::to_value(UserChange::Create {
                fields: user_fields(),
            })
            .unwrap(),
        );
        let d = delta_of(&add_user).unwrap();
        assert_eq!((d.users, d.customer_id), (1, 7));
        let remove_user = op(
            6,
            OutboxEntity::User,
            7,
            OutboxKind::Delete,
            serde_json::to_value(UserChange::Delete {
                user_id: 3,
                email: "u@example.com".into(),
            })
            .unwrap(),
        );
        assert_eq!(delta_of(&remove_user).map(|d| d.users), Some(-1));
        // Unreadable payloads and other entities change nothing.
        assert_eq!(
            delta_of(&op(
                7,
                OutboxEntity::User,
                7,
                OutboxKind::Create,
                serde_json::json!(1)
            )),
            None
        );
        assert_eq!(
            delta_of(&op(
                8,
                OutboxEntity::Subscription,
                7,
                OutboxKind::Create,
                serde_json::json!({})
            )),
            None
        );
    }

    #[test]
    fn a_confirmed_change_is_carried_until_a_later_fetch() {
        let t0 = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        let d = Delta {
            users: 1,
            customer_id: 7,
            ..Delta::default()
        };
        let mut carried = Carried::default();
        let mut now = BTreeMap::from([(5, d)]);
        assert!(!carried.observe(&now, 5, t0));
        assert!(carried.still_carried(|_| Some(t0)).is_empty());
        // Confirmed: gone from the outbox; the totals fetched before still lack it.
        now.clear();
        let went = t0 + Duration::seconds(10);
        assert!(carried.observe(&now, 5, went));
        assert_eq!(carried.oldest(), Some(went));
        assert_eq!(carried.still_carried(|_| Some(t0)), vec![d]);
        assert_eq!(carried.still_carried(|_| None), vec![d]);
        assert_eq!(carried.customers_with_user_changes(), vec![7]);
        // A fetch after it holds it: no longer carried.
        assert!(carried
            .still_carried(|_| Some(went + Duration::seconds(1)))
            .is_empty());
        assert_eq!(carried.oldest(), None);
        assert!(!carried.pending_fetch());

        // A change made and finished between two looks (ids 6 and 7 issued, neither seen):
        // nothing to add, but the figures must be fetched again.
        let later = went + Duration::seconds(20);
        assert!(carried.observe(&now, 7, later));
        assert!(carried.pending_fetch());
        assert_eq!(carried.oldest(), Some(later));
        assert!(
            carried.still_carried(|_| Some(went)).is_empty(),
            "nothing added"
        );
        assert!(carried.pending_fetch(), "still to fetch");
        carried.still_carried(|_| Some(later + Duration::seconds(1)));
        assert!(!carried.pending_fetch());
        // Nothing issued since: nothing to do.
        assert!(!carried.observe(&now, 7, later + Duration::seconds(5)));
    }
}
