//! The usage tab's summary figures: the server's (G4 `usage/summary`) when it offers them,
//! otherwise what the usage rows can tell. Rows carry units only: hours need the unit, which
//! only a summary states (the contract says read it, never assume it), and sessions come from
//! transcriptions, not usage; so a computed summary leaves those figures out (`None`: the UI
//! shows "-") and says it was computed. Pure.

use serde::Serialize;

use crate::cache::{UsageRow, UsageSummaryRow};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SummarySource {
    /// The server's summary of this range.
    Server,
    /// Computed from the usage rows ("computed from usage rows").
    Computed,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryView {
    pub source: SummarySource,
    pub units_used: Option<i64>,
    /// `second` or `minute`, as the server said; `None`: not known.
    pub unit: Option<String>,
    pub hours_processed: Option<f64>,
    pub sessions: Option<i64>,
    pub finished_sessions: Option<i64>,
    pub error_sessions: Option<i64>,
    /// A fraction 0..1.
    pub error_rate: Option<f64>,
}

/// Seconds in one `unit`, for the units the contract names.
pub fn seconds_per_unit(unit: &str) -> Option<f64> {
    match unit.trim().to_ascii_lowercase().as_str() {
        "second" | "seconds" | "s" => Some(1.0),
        "minute" | "minutes" | "min" => Some(60.0),
        _ => None,
    }
}

pub fn from_server(s: &UsageSummaryRow) -> SummaryView {
    SummaryView {
        source: SummarySource::Server,
        units_used: Some(s.units_used),
        unit: Some(s.unit.clone()),
        hours_processed: Some(s.hours_processed),
        sessions: Some(s.sessions),
        finished_sessions: Some(s.finished_sessions),
        error_sessions: Some(s.error_sessions),
        error_rate: Some(s.error_rate),
    }
}

/// The summary the rows give. `known_unit`: the unit a server summary of this account stated
/// earlier (units mean the same for every range), which makes hours computable.
pub fn computed(rows: &[UsageRow], known_unit: Option<&str>) -> SummaryView {
    let units: i64 = rows.iter().map(|r| r.units_used).sum();
    let hours = known_unit
        .and_then(seconds_per_unit)
        .map(|s| (units as f64 * s / 36.0).round() / 100.0);
    SummaryView {
        source: SummarySource::Computed,
        units_used: Some(units),
        unit: known_unit.filter(|_| hours.is_some()).map(String::from),
        hours_processed: hours,
        sessions: None,
        finished_sessions: None,
        error_sessions: None,
        error_rate: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn row(units: i64) -> UsageRow {
        let d = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        UsageRow {
            units_used: units,
            usage_period_start: d,
            usage_period_end: d,
            language: None,
            token_name: None,
            subscription_id: None,
            cost: None,
        }
    }

    #[test]
    fn computed_from_rows_says_only_what_rows_tell() {
        let s = computed(&[row(3600), row(1800)], None);
        assert_eq!(s.source, SummarySource::Computed);
        assert_eq!(s.units_used, Some(5400));
        assert_eq!(s.hours_processed, None, "the unit is not known");
        assert_eq!(
            (s.sessions, s.finished_sessions, s.error_rate),
            (None, None, None)
        );
        let s = computed(&[row(3600), row(1800)], Some("second"));
        assert_eq!(s.hours_processed, Some(1.5));
        let s = computed(&[row(90)], Some("minute"));
        assert_eq!(s.hours_processed, Some(1.5));
        assert_eq!(computed(&[row(5)], Some("furlong")).hours_processed, None);
        assert_eq!(computed(&[], None).units_used, Some(0));
    }

    #[test]
    fn the_servers_summary_is_taken_whole() {
        let s = from_server(&UsageSummaryRow {
            units_used: 7200,
            unit: "second".into(),
            hours_processed: 2.0,
            sessions: 10,
            finished_sessions: 9,
            error_sessions: 1,
            error_rate: 0.1,
            total_users: 4,
            active_users: 2,
        });
        assert_eq!(s.source, SummarySource::Server);
        assert_eq!(s.sessions, Some(10));
        assert_eq!(s.error_rate, Some(0.1));
    }
}
