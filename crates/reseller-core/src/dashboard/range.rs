//! The dashboard's date range: the presets the screen offers, resolved against "today", and
//! the cache key every per-range record is stored under. Pure.

use chrono::{Days, NaiveDate};
use serde::Deserialize;

use crate::tabs::usage::range::{preset_span, Preset};

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

pub use crate::tabs::usage::range::DateSpan;

impl RangeRequest {
    /// The days the request covers on `today` (presets as the usage tab computes them). A
    /// custom range must not end before it starts nor span more than `MAX_RANGE_DAYS`.
    pub fn resolve(&self, today: NaiveDate) -> Result<DateSpan, CoreError> {
        let preset = match self {
            RangeRequest::ThisMonth => Preset::ThisMonth,
            RangeRequest::LastMonth => Preset::LastMonth,
            RangeRequest::Last90Days => Preset::Last90Days,
            RangeRequest::ThisYear => Preset::ThisYear,
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
                return Ok(span);
            }
        };
        Ok(preset_span(preset, today).expect("a preset, not a custom range"))
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
