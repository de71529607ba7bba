//! Pure decisions of a replay: what to send for an edit given the server's current record, and
//! which server record a create with a lost answer became. No I/O; unit-tested below.

use chrono::{DateTime, Utc};

use super::change::{CustomerFields, Field};

/// What replaying an update does, given the server's record now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UpdatePlan {
    /// Send these fields (a PUT replaces the whole record).
    Send(CustomerFields),
    /// The server already holds what the edit wants (e.g. an earlier PUT whose answer was
    /// lost): nothing is sent.
    AlreadyApplied,
    /// Fields changed on both sides to different values. `merged` has the clean merge of the
    /// other fields (and mine in the conflicting ones, which is what the user sees meanwhile).
    Conflict {
        merged: CustomerFields,
        fields: Vec<Field>,
    },
}

/// Plans an update: `mine` was made on `base`, the server's record at `base_last_modified`;
/// the server now holds `theirs` at `theirs_last_modified`.
///
/// Unchanged on the server: send mine. Changed: a three-way merge per field. A field only I
/// changed takes mine, a field only they changed keeps theirs, a field both changed to the
/// same value is settled, a field both changed differently is a conflict.
pub fn plan_update(
    base: &CustomerFields,
    base_last_modified: Option<DateTime<Utc>>,
    mine: &CustomerFields,
    theirs: &CustomerFields,
    theirs_last_modified: DateTime<Utc>,
) -> UpdatePlan {
    // No base time: the edit was made on top of an earlier local operation (then in flight),
    // so which server version it builds on is unknown and it is always merged: a change the
    // server took from someone else meanwhile is kept, not overwritten with the local copy.
    let unchanged_there = base_last_modified == Some(theirs_last_modified);
    let merged = if unchanged_there {
        mine.clone()
    } else {
        let mut merged = theirs.clone();
        let mut conflicts = Vec::new();
        for f in Field::ALL {
            let i_changed = !mine.same(base, f);
            let they_changed = !theirs.same(base, f);
            match (i_changed, they_changed) {
                (true, false) => merged.take(f, mine),
                (true, true) if !mine.same(theirs, f) => {
                    merged.take(f, mine);
                    conflicts.push(f);
                }
                _ => {}
            }
        }
        if !conflicts.is_empty() {
            return UpdatePlan::Conflict {
                merged,
                fields: conflicts,
            };
        }
        merged
    };
    if &merged == theirs {
        UpdatePlan::AlreadyApplied
    } else {
        UpdatePlan::Send(merged)
    }
}

/// A server customer as the create reconciliation compares it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub id: i64,
    pub fields: CustomerFields,
}

/// Which server customer a create whose answer was lost became: among the customers the server
/// lists with the create's email, the oldest (lowest id) whose fields are exactly the create's
/// and that no other local create has claimed. None: the create never reached the server,
/// and it is safe to send it.
pub fn adopt_created(
    fields: &CustomerFields,
    candidates: &[Candidate],
    claimed: &[i64],
) -> Option<i64> {
    candidates
        .iter()
        .filter(|c| &c.fields == fields && !claimed.contains(&c.id))
        .map(|c| c.id)
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn fields(name: &str, email: &str, phone: Option<&str>, active: bool) -> CustomerFields {
        CustomerFields {
            name: name.into(),
            email: email.into(),
            phone: phone.map(Into::into),
            is_active: active,
        }
    }

    fn t(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000 + s, 0).unwrap()
    }

    fn base() -> CustomerFields {
        fields("Acme", "it@acme.test", Some("+31201234567"), true)
    }

    #[test]
    fn unchanged_server_gets_mine() {
        let mut mine = base();
        mine.name = "Acme BV".into();
        assert_eq!(
            plan_update(&base(), Some(t(1)), &mine, &base(), t(1)),
            UpdatePlan::Send(mine)
        );
    }

    #[test]
    fn unchanged_server_and_no_change_sends_nothing() {
        assert_eq!(
            plan_update(&base(), Some(t(1)), &base(), &base(), t(1)),
            UpdatePlan::AlreadyApplied
        );
    }

    #[test]
    fn disjoint_changes_merge_field_by_field() {
        let mut mine = base();
        mine.name = "Acme BV".into();
        let mut theirs = base();
        theirs.phone = None;
        theirs.is_active = false;
        let mut want = theirs.clone();
        want.name = "Acme BV".into();
        assert_eq!(
            plan_update(&base(), Some(t(1)), &mine, &theirs, t(2)),
            UpdatePlan::Send(want)
        );
    }

    #[test]
    fn same_change_on_both_sides_is_already_applied() {
        // The shape of a PUT whose answer was lost: the server moved on to exactly mine.
        let mut mine = base();
        mine.email = "ops@acme.test".into();
        assert_eq!(
            plan_update(&base(), Some(t(1)), &mine, &mine.clone(), t(2)),
            UpdatePlan::AlreadyApplied
        );
    }

    #[test]
    fn only_their_changes_need_nothing_sent() {
        let mut theirs = base();
        theirs.name = "Acme Group".into();
        assert_eq!(
            plan_update(&base(), Some(t(1)), &base(), &theirs, t(2)),
            UpdatePlan::AlreadyApplied
        );
    }

    #[test]
    fn same_field_changed_differently_is_a_conflict_and_the_rest_merges() {
        let mut mine = base();
        mine.name = "Mine".into();
        mine.is_active = false;
        let mut theirs = base();
        theirs.name = "Theirs".into();
        theirs.phone = None;
        let plan = plan_update(&base(), Some(t(1)), &mine, &theirs, t(2));
        let mut merged = theirs.clone();
        merged.name = "Mine".into();
        merged.is_active = false;
        assert_eq!(
            plan,
            UpdatePlan::Conflict {
                merged,
                fields: vec![Field::Name]
            }
        );
    }

    #[test]
    fn no_base_time_merges_against_the_server() {
        // Edit 2 (email) was made while edit 1 (name) was in flight; the server merged edit 1
        // with someone else's phone change. Edit 2 must not put the old phone back.
        let mut first = base();
        first.name = "First edit".into();
        let mut mine = first.clone();
        mine.email = "second@acme.test".into();
        let mut theirs = first.clone();
        theirs.phone = Some("+442071234567".into());
        let mut want = theirs.clone();
        want.email = "second@acme.test".into();
        assert_eq!(
            plan_update(&first, None, &mine, &theirs, t(5)),
            UpdatePlan::Send(want)
        );
    }

    #[test]
    fn adoption_takes_the_oldest_exact_unclaimed_match() {
        let f = base();
        let mut other = base();
        other.name = "Acme (other)".into();
        let c = |id, fields: &CustomerFields| Candidate {
            id,
            fields: fields.clone(),
        };
        let candidates = [c(30, &f), c(12, &other), c(20, &f)];
        assert_eq!(adopt_created(&f, &candidates, &[]), Some(20));
        assert_eq!(adopt_created(&f, &candidates, &[20]), Some(30));
        assert_eq!(adopt_created(&f, &candidates, &[20, 30]), None);
        assert_eq!(adopt_created(&f, &[], &[]), None);
    }
}
