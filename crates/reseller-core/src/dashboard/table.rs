//! The per-customer usage table: its row, how it sorts, and the top-10 chart's ranking. Pure.
//!
//! Units, explicitly: usage is held in **seconds of audio** (`seconds_used`), converted from
//! whatever unit the server named (`seconds_from_units`); available units are read as seconds
//! too (`AVAILABLE_UNIT_SECONDS`), which is what the sandbox serves and what the contract's
//! plan descriptions ("10 hours" = 36 000 units) imply.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

/// Seconds one available speech-to-text unit (`available.stt_units`) stands for.
pub const AVAILABLE_UNIT_SECONDS: f64 = 1.0;

/// One organisation's usage in the range.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerUsage {
    pub customer_id: i64,
    pub name: String,
    pub is_active: bool,
    /// Seconds of audio processed in the range.
    pub seconds_used: i64,
    pub hours_processed: f64,
    /// `None`: the server gave no session counts (no usage summary endpoint).
    pub sessions: Option<i64>,
    pub finished_sessions: Option<i64>,
    pub error_sessions: Option<i64>,
    /// A fraction 0..1; `None` without session counts.
    pub error_rate: Option<f64>,
    pub total_users: Option<i64>,
    /// The current subscriptions' allowance (`available.stt_units` as seconds); `None`: not
    /// known.
    pub available_seconds: Option<f64>,
    /// Usage in the current period (this calendar month, whatever the range) as a percentage
    /// of `available_seconds` (`None` without an allowance or without this month's figures).
    pub used_percent: Option<f64>,
    /// The figures as the screen shows them (`crate::format`).
    pub display: RowText,
}

/// A table row's figures, display-ready in the system's locale.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowText {
    /// "54.6 h".
    pub hours: String,
    pub sessions: String,
    /// "1.9%".
    pub error_rate: String,
    /// The allowance in hours: "2.8 h".
    pub available: String,
    /// This period's use of it: "92.6%", or "over by 32.1 h".
    pub used: String,
}

/// Hours from seconds (not rounded: the screen rounds for display).
pub fn hours(seconds: i64) -> f64 {
    seconds as f64 / 3600.0
}

/// `units` in seconds. A server that does not name the unit (the dashboard's rows) is read by
/// its own `hours`: whichever of seconds or minutes agrees with them. Without hours, seconds
/// (the sandbox's and the G4 summary's default).
pub fn seconds_from_units(units: i64, unit: Option<&str>, hours: Option<f64>) -> i64 {
    let minutes = |u: i64| u.saturating_mul(60);
    match unit.map(|u| u.trim().to_ascii_lowercase()) {
        Some(u) if matches!(u.as_str(), "minute" | "minutes" | "min") => minutes(units),
        Some(u) if matches!(u.as_str(), "second" | "seconds" | "s" | "sec") => units,
        _ => match hours {
            Some(h) if h > 0.0 => {
                let as_seconds = (units as f64 - h * 3600.0).abs();
                let as_minutes = (units as f64 * 60.0 - h * 3600.0).abs();
                if as_minutes < as_seconds {
                    minutes(units)
                } else {
                    units
                }
            }
            _ => units,
        },
    }
}

/// `used` as a percentage of `available` (both seconds); `None` without a positive allowance
/// (pay-as-you-go plans have none to run out of).
pub fn used_percent(used_seconds: i64, available_seconds: Option<f64>) -> Option<f64> {
    available_seconds
        .filter(|a| *a > 0.0 && a.is_finite())
        .map(|a| used_seconds as f64 / a * 100.0)
}

/// A sortable column of the table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    Name,
    #[default]
    Hours,
    Sessions,
    ErrorRate,
    UsedPercent,
    Available,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SortDir {
    Asc,
    #[default]
    Desc,
}

fn cmp_opt<T: PartialOrd>(a: Option<T>, b: Option<T>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
        (Some(_), None) => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
        (None, None) => Ordering::Equal,
    }
}

fn by_name(a: &CustomerUsage, b: &CustomerUsage) -> Ordering {
    a.name
        .to_lowercase()
        .cmp(&b.name.to_lowercase())
        .then(a.customer_id.cmp(&b.customer_id))
}

/// Sorts in place. Unknown values (`None`) sort as the smallest; ties go by name, then id, in
/// ascending order whatever the direction, so the order is total and stable between reads.
pub fn sort_rows(rows: &mut [CustomerUsage], key: SortKey, dir: SortDir) {
    rows.sort_by(|a, b| {
        let primary = match key {
            SortKey::Name => by_name(a, b),
            SortKey::Hours => a.seconds_used.cmp(&b.seconds_used),
            SortKey::Sessions => a.sessions.cmp(&b.sessions),
            SortKey::ErrorRate => cmp_opt(a.error_rate, b.error_rate),
            SortKey::UsedPercent => cmp_opt(a.used_percent, b.used_percent),
            SortKey::Available => cmp_opt(a.available_seconds, b.available_seconds),
        };
        let primary = if dir == SortDir::Desc {
            primary.reverse()
        } else {
            primary
        };
        primary.then_with(|| by_name(a, b))
    });
}

/// One bar of the top chart.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TopEntry {
    pub customer_id: i64,
    pub name: String,
    pub hours_processed: f64,
    /// "54.6 h" (filled by the view, in the system's locale).
    pub hours_text: String,
}

/// The `n` organisations that processed the most audio (those with none are left out).
pub fn top_by_hours(rows: &[CustomerUsage], n: usize) -> Vec<TopEntry> {
    let mut ranked: Vec<&CustomerUsage> = rows.iter().filter(|r| r.seconds_used > 0).collect();
    ranked.sort_by(|a, b| {
        b.seconds_used
            .cmp(&a.seconds_used)
            .then_with(|| by_name(a, b))
    });
    ranked
        .into_iter()
        .take(n)
        .map(|r| TopEntry {
            customer_id: r.customer_id,
            name: r.name.clone(),
            hours_processed: r.hours_processed,
            hours_text: r.display.hours.clone(),
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn row(id: i64, name: &str, seconds: i64) -> CustomerUsage {
        CustomerUsage {
            customer_id: id,
            name: name.into(),
            is_active: true,
            seconds_used: seconds,
            hours_processed: hours(seconds),
            sessions: Some(id),
            finished_sessions: Some(id),
            error_sessions: Some(0),
            error_rate: Some(0.0),
            total_users: Some(1),
            available_seconds: None,
            used_percent: None,
            display: RowText::default(),
        }
    }

    fn names(rows: &[CustomerUsage]) -> Vec<&str> {
        rows.iter().map(|r| r.name.as_str()).collect()
    }

    #[test]
    fn sorts_by_each_column_with_a_stable_tie_break() {
        let mut rows = vec![
            row(1, "beta", 100),
            row(2, "Alpha", 100),
            row(3, "gamma", 50),
        ];
        sort_rows(&mut rows, SortKey::Hours, SortDir::Desc);
        assert_eq!(names(&rows), ["Alpha", "beta", "gamma"]);
        sort_rows(&mut rows, SortKey::Hours, SortDir::Asc);
        assert_eq!(names(&rows), ["gamma", "Alpha", "beta"]);
        sort_rows(&mut rows, SortKey::Name, SortDir::Desc);
        assert_eq!(names(&rows), ["gamma", "beta", "Alpha"]);
        sort_rows(&mut rows, SortKey::Sessions, SortDir::Desc);
        assert_eq!(names(&rows), ["gamma", "Alpha", "beta"]);
    }

    #[test]
    fn unknown_values_sort_lowest() {
        let mut rows = vec![row(1, "a", 1), row(2, "b", 1)];
        rows[0].used_percent = Some(50.0);
        sort_rows(&mut rows, SortKey::UsedPercent, SortDir::Asc);
        assert_eq!(names(&rows), ["b", "a"]);
        sort_rows(&mut rows, SortKey::UsedPercent, SortDir::Desc);
        assert_eq!(names(&rows), ["a", "b"]);
    }

    #[test]
    fn top_ranks_the_most_audio_and_leaves_out_none() {
        let rows: Vec<CustomerUsage> = (1..=15)
            .map(|i| row(i, &format!("c{i:02}"), if i == 3 { 0 } else { i * 10 }))
            .collect();
        let top = top_by_hours(&rows, 10);
        assert_eq!(top.len(), 10);
        assert_eq!(top[0].customer_id, 15);
        assert_eq!(top[9].customer_id, 6);
        assert!(top.iter().all(|t| t.customer_id != 3));
        assert_eq!(top_by_hours(&rows[..2], 10).len(), 2);
    }

    #[test]
    fn units_are_read_as_the_server_names_them() {
        assert_eq!(seconds_from_units(2, Some("minute"), None), 120);
        assert_eq!(seconds_from_units(120, Some("Seconds"), None), 120);
        // Unnamed: the hours decide.
        assert_eq!(seconds_from_units(7200, None, Some(2.0)), 7200);
        assert_eq!(seconds_from_units(120, None, Some(2.0)), 7200);
        assert_eq!(seconds_from_units(42, None, None), 42);
    }

    #[test]
    fn used_percent_needs_a_positive_allowance() {
        assert_eq!(used_percent(50, Some(100.0)), Some(50.0));
        assert_eq!(used_percent(50, Some(0.0)), None);
        assert_eq!(used_percent(50, None), None);
    }
}
