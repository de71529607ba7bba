//! The dashboard's date range: the presets the screen offers, resolved against "today", and
//! the cache key every per-range record is stored under. Pure.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::CoreError;

/// Longest custom range: five years keeps a computed dashboard's requests bounded by the
/// customer count, not by the range (one request per customer whatever the range).
pub const MAX_RANGE_DAYS: i64 = 5 * 366;

/// What the user picked. `Custom` dates are both inclusive, as a date picker shows them.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case", tag = "preset")]
pub enum RangeRequest {
    ThisMonth,
    LastMonth,
    #[serde(rename = "last_90_days")]
    Last90Days,
    ThisYear,
    Custom {
        from: NaiveDate,
        to: NaiveDate,
    },
}

/// A range of days, end exclusive (as the API's `date_to`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DateSpan {
    pub from: NaiveDate,
    /// Exclusive.
    pub to: NaiveDate,
}

fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

impl RangeRequest {
    /// The days the request covers on `today`. A custom range must not end before it starts
    /// nor span more than `MAX_RANGE_DAYS`.
    pub fn resolve(&self, today: NaiveDate) -> Result<DateSpan, CoreError> {
        let this_month = month_start(today);
        let tomorrow = today + Days::new(1);
        let span = match self {
            RangeRequest::ThisMonth => DateSpan {
                from: this_month,
                to: this_month + Months::new(1),
            },
            RangeRequest::LastMonth => DateSpan {
                from: this_month - Months::new(1),
                to: this_month,
            },
            RangeRequest::Last90Days => DateSpan {
                from: tomorrow - Days::new(90),
                to: tomorrow,
            },
            RangeRequest::ThisYear => DateSpan {
                from: NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(this_month),
                to: NaiveDate::from_ymd_opt(today.year() + 1, 1, 1).unwrap_or(tomorrow),
            },
            RangeRequest::Custom { from, to } => {
                if to < from {
                    return Err(CoreError::InvalidInput {
                        field: "to",
                        message: "The range ends before it starts: pick an end date on or after the start date.".into(),
                    });
                }
                let span = DateSpan {
                    from: *from,
                    to: *to + Days::new(1),
                };
                if (span.to - span.from).num_days() > MAX_RANGE_DAYS {
                    return Err(CoreError::InvalidInput {
                        field: "from",
                        message: "Pick a range of at most five years.".into(),
                    });
                }
                span
            }
        };
        Ok(span)
    }
}

impl DateSpan {
    /// The cache key: the same "from..to" form the sync's `dashboard_range` writes, so a
    /// range the sync fetched is found here.
    pub fn key(&self) -> String {
        format!(
            "{}..{}",
            self.from.format("%Y-%m-%d"),
            self.to.format("%Y-%m-%d")
        )
    }

    /// Whether the range reaches today or later: its numbers still grow.
    pub fn is_open(&self, today: NaiveDate) -> bool {
        self.to > today
    }

    pub fn api(&self) -> scriptix_api::DateRange {
        scriptix_api::DateRange::new(self.from, self.to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn presets_resolve_against_today() {
        let today = d(2026, 1, 15);
        let span = |r: RangeRequest| r.resolve(today).unwrap();
        assert_eq!(
            span(RangeRequest::ThisMonth).key(),
            "2026-01-01..2026-02-01"
        );
        // Across a year boundary.
        assert_eq!(
            span(RangeRequest::LastMonth).key(),
            "2025-12-01..2026-01-01"
        );
        let last90 = span(RangeRequest::Last90Days);
        assert_eq!((last90.to - last90.from).num_days(), 90);
        assert_eq!(last90.to, d(2026, 1, 16));
        assert_eq!(span(RangeRequest::ThisYear).key(), "2026-01-01..2027-01-01");
    }

    #[test]
    fn this_month_matches_the_sync_key() {
        let today = d(2026, 3, 31);
        let (_, key) = crate::sync::detail_plan::dashboard_range(today);
        assert_eq!(RangeRequest::ThisMonth.resolve(today).unwrap().key(), key);
    }

    #[test]
    fn custom_ranges_are_inclusive_and_checked() {
        let today = d(2026, 1, 15);
        let one_day = RangeRequest::Custom {
            from: d(2025, 5, 1),
            to: d(2025, 5, 1),
        };
        assert_eq!(
            one_day.resolve(today).unwrap().key(),
            "2025-05-01..2025-05-02"
        );
        let backwards = RangeRequest::Custom {
            from: d(2025, 5, 2),
            to: d(2025, 5, 1),
        };
        let err = backwards.resolve(today).unwrap_err();
        assert_eq!(err.field(), Some("to"));
        let huge = RangeRequest::Custom {
            from: d(2000, 1, 1),
            to: d(2025, 1, 1),
        };
        assert_eq!(huge.resolve(today).unwrap_err().code(), "invalid_input");
    }

    #[test]
    fn parses_what_the_screen_sends() {
        let r: RangeRequest = serde_json::from_str(r#"{"preset": "last_90_days"}"#).unwrap();
        assert_eq!(r, RangeRequest::Last90Days);
        let r: RangeRequest = serde_json::from_str(
            r#"{"preset": "custom", "from": "2025-01-01", "to": "2025-01-31"}"#,
        )
        .unwrap();
        assert!(matches!(r, RangeRequest::Custom { .. }));
    }
}
