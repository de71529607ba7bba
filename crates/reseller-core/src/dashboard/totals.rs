//! The total cards: as the server's dashboard gives them, or computed from the per-customer
//! rows and the cached customer counts when the server has no dashboard endpoint. Pure.

use serde::Serialize;

use super::pending::PendingTotals;
use super::table::{hours, CustomerUsage};

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    pub organizations: u64,
    pub active_organizations: u64,
    /// `None`: not known (no rows with user counts yet).
    pub total_users: Option<i64>,
    pub seconds_used: i64,
    pub hours_processed: f64,
    /// `None`: the server gave no session counts.
    pub sessions: Option<i64>,
    pub finished_sessions: Option<i64>,
    /// A fraction 0..1 of the sessions that failed.
    pub error_rate: Option<f64>,
    /// The user's changes not yet in the server's figures, already added to the counts above
    /// (`None`: there are none).
    pub pending: Option<PendingTotals>,
    /// The figures as the screen shows them.
    pub display: TotalsText,
}

/// The total cards, display-ready ("—" for a figure not known).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TotalsText {
    pub organizations: String,
    pub active_organizations: String,
    pub total_users: String,
    pub hours: String,
    pub sessions: String,
    pub error_rate: String,
    /// "Includes 1 change not yet on Scriptix."; `None` without pending changes.
    pub pending: Option<String>,
}

fn sum_known(values: impl Iterator<Item = Option<i64>>) -> Option<i64> {
    values.fold(None, |acc, v| match (acc, v) {
        (acc, None) => acc,
        (None, Some(v)) => Some(v),
        (Some(a), Some(v)) => Some(a.saturating_add(v)),
    })
}

/// `part / whole`, 0 when there is nothing to divide.
pub fn ratio(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Totals computed from `rows` (the organisations whose usage is known so far), with the
/// organisation counts taken from the cached customer list (`organizations`, `active`), which
/// holds every organisation whether or not its usage has been fetched yet.
pub fn compute(organizations: u64, active: u64, rows: &[CustomerUsage]) -> Totals {
    let seconds_used = rows.iter().map(|r| r.seconds_used).sum();
    let sessions = sum_known(rows.iter().map(|r| r.sessions));
    let errors = sum_known(rows.iter().map(|r| r.error_sessions));
    Totals {
        organizations,
        active_organizations: active,
        total_users: sum_known(rows.iter().map(|r| r.total_users)),
        seconds_used,
        hours_processed: hours(seconds_used),
        sessions,
        finished_sessions: sum_known(rows.iter().map(|r| r.finished_sessions)),
        error_rate: sessions.map(|s| ratio(errors.unwrap_or(0), s)),
        pending: None,
        display: TotalsText::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::table::tests::row;

    #[test]
    fn sums_the_rows_and_takes_the_counts_from_the_list() {
        let mut a = row(1, "a", 3600);
        a.sessions = Some(10);
        a.error_sessions = Some(1);
        a.total_users = Some(3);
        let mut b = row(2, "b", 1800);
        b.sessions = Some(30);
        b.error_sessions = Some(3);
        b.total_users = None;
        let t = compute(250, 200, &[a, b]);
        assert_eq!(t.organizations, 250);
        assert_eq!(t.active_organizations, 200);
        assert_eq!(t.seconds_used, 5400);
        assert!((t.hours_processed - 1.5).abs() < 1e-9);
        assert_eq!(t.sessions, Some(40));
        assert_eq!(t.total_users, Some(3));
        assert!((t.error_rate.unwrap() - 0.1).abs() < 1e-9);
    }

    #[test]
    fn no_session_counts_means_no_error_rate() {
        let mut a = row(1, "a", 60);
        a.sessions = None;
        a.error_sessions = None;
        a.finished_sessions = None;
        let t = compute(1, 1, &[a]);
        assert_eq!(t.sessions, None);
        assert_eq!(t.error_rate, None);
        let empty = compute(0, 0, &[]);
        assert_eq!(empty.seconds_used, 0);
        assert_eq!(empty.total_users, None);
    }
}
