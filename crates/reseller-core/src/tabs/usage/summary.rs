//! The usage tab's summary figures: the server's (G4 `usage/summary`) when it offers them,
//! otherwise what the usage rows can tell. Rows carry units only: hours need the unit, which
//! only a summary states (the contract says read it, never assume it), and sessions come from
//! transcriptions, not usage; so a computed summary leaves those figures out (`None`: the UI
//! shows "-") and says it was computed. Pure.

use serde::Serialize;

use crate::cache::{UsageRow, UsageSummaryRow};
use crate::format::Locale;

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
    /// The figures as the screen shows them (`None`: not known, shown as "-").
    pub display: SummaryText,
}

/// The summary figures, display-ready in the system's locale.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryText {
    /// "54.6 h".
    pub hours: Option<String>,
    /// The units with their unit: "196,489 s".
    pub units: Option<String>,
    /// What the units are: "Units (seconds of audio)", or "Units (unit not stated)".
    pub units_label: String,
    pub sessions: Option<String>,
    pub finished: Option<String>,
    /// "1.9%".
    pub error_rate: Option<String>,
}

/// The label of a units figure or column: the unit named in words.
pub fn units_label(unit: Option<&str>) -> String {
    match unit.and_then(seconds_per_unit) {
        Some(s) if s < 60.0 => "Units (seconds of audio)".into(),
        Some(_) => "Units (minutes of audio)".into(),
        None => "Units (unit not stated)".into(),
    }
}

impl SummaryView {
    /// Fills `display` in `locale`.
    pub fn displayed(mut self, locale: &Locale) -> SummaryView {
        let unit = self
            .unit
            .as_deref()
            .filter(|u| seconds_per_unit(u).is_some());
        self.display = SummaryText {
            hours: self.hours_processed.map(|h| locale.hours(h)),
            units: self.units_used.map(|u| locale.units(u, unit)),
            units_label: units_label(unit),
            sessions: self.sessions.map(|n| locale.count(n)),
            finished: self.finished_sessions.map(|n| locale.count(n)),
            error_rate: self.error_rate.map(|e| locale.fraction_percent(e)),
        };
        self
    }
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
        display: SummaryText::default(),
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
        display: SummaryText::default(),
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

    /// What users saw: "Units 196489", "54.58", "0%".
    #[test]
    fn figures_show_their_unit() {
        let en = Locale::from_tag("en-GB");
        let s = from_server(&UsageSummaryRow {
            units_used: 196_489,
            unit: "second".into(),
            hours_processed: 54.58,
            sessions: 1234,
            finished_sessions: 1200,
            error_sessions: 0,
            error_rate: 0.0,
            total_users: 4,
            active_users: 2,
        })
        .displayed(&en);
        let d = &s.display;
        assert_eq!(
            d.hours.as_deref().map(|h| h.replace('\u{a0}', " ")),
            Some("54.6 h".into())
        );
        assert_eq!(
            d.units.as_deref().map(|h| h.replace('\u{a0}', " ")),
            Some("196,489 s".into())
        );
        assert_eq!(d.units_label, "Units (seconds of audio)");
        assert_eq!(d.sessions.as_deref(), Some("1,234"));
        assert_eq!(d.error_rate.as_deref(), Some("0.0%"));
        // Computed without a known unit: the count, and the label says the unit is unknown.
        let c = computed(&[row(3600)], None).displayed(&en);
        assert_eq!(c.display.units.as_deref(), Some("3,600"));
        assert_eq!(c.display.units_label, "Units (unit not stated)");
        assert_eq!(c.display.hours, None);
    }
}
