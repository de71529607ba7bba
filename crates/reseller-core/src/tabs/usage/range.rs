//! The usage tab's date ranges: presets computed from a given "today" (pure, so tested without
//! a clock) and a custom range typed by the user. Every range is half-open, `[from, to)`, as
//! the API's `date_from`/`date_to` are; a custom range is typed with an inclusive last day (how
//! people read "1 to 31 March") and turned half-open here, in one place.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::remote::policy::usage_range;
use crate::CoreError;

/// Longest custom range: ten years of days is already 3650 rows per split value.
pub const MAX_RANGE_DAYS: i64 = 3660;

/// A range as the UI asks for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// This calendar month and the eleven before it: the range the sync prefetches, so the
    /// tab opens on data that is already cached.
    #[serde(rename = "last_12_months")]
    Last12Months,
    ThisMonth,
    LastMonth,
    /// The 90 days ending today (today included).
    #[serde(rename = "last_90_days")]
    Last90Days,
    ThisYear,
    Custom,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RangeRequest {
    pub preset: Preset,
    /// Custom only: the first day.
    #[serde(default)]
    pub from: Option<NaiveDate>,
    /// Custom only: the last day, inclusive.
    #[serde(default)]
    pub to: Option<NaiveDate>,
}

/// A resolved range: `to` is exclusive. Serialised with its `lastDay` too, so a screen shows
/// the inclusive end without date arithmetic of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateSpan {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Serialize for DateSpan {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = s.serialize_struct("DateSpan", 3)?;
        out.serialize_field("from", &self.from)?;
        out.serialize_field("to", &self.to)?;
        out.serialize_field("lastDay", &self.last_day())?;
        out.end()
    }
}

impl DateSpan {
    /// The last day in the range (what a person calls its end).
    pub fn last_day(&self) -> NaiveDate {
        self.to - Days::new(1)
    }

    /// The cache key: the same "from..to" form the sync's `dashboard_range` writes, so a
    /// range the sync fetched is found by the dashboard.
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

fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// The half-open range a preset means on `today` (`None` for `Custom`: the user's dates). The
/// one calendar arithmetic of every screen with a date range (usage tab and dashboard).
pub fn preset_span(preset: Preset, today: NaiveDate) -> Option<DateSpan> {
    let this_month = month_start(today);
    let tomorrow = today + Days::new(1);
    let (from, to) = match preset {
        Preset::Last12Months => usage_range(today),
        Preset::ThisMonth => (this_month, this_month + Months::new(1)),
        Preset::LastMonth => (this_month - Months::new(1), this_month),
        Preset::Last90Days => (tomorrow - Days::new(90), tomorrow),
        Preset::ThisYear => {
            let jan1 = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
            (jan1, jan1 + Months::new(12))
        }
        Preset::Custom => return None,
    };
    Some(DateSpan { from, to })
}

/// The half-open range `req` means on `today`.
pub fn resolve(req: &RangeRequest, today: NaiveDate) -> Result<DateSpan, CoreError> {
    if let Some(span) = preset_span(req.preset, today) {
        return Ok(span);
    }
    let (Some(from), Some(last)) = (req.from, req.to) else {
        return Err(CoreError::InvalidInput {
            field: "range",
            message: "Choose both the first and the last day of the range.".into(),
        });
    };
    if last < from {
        return Err(CoreError::InvalidInput {
            field: "range",
            message: "The last day comes before the first day; swap them.".into(),
        });
    }
    let to = last + Days::new(1);
    if (to - from).num_days() > MAX_RANGE_DAYS {
        return Err(CoreError::InvalidInput {
            field: "range",
            message: "Choose a range of at most ten years.".into(),
        });
    }
    Ok(DateSpan { from, to })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn preset(p: Preset, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        let span = resolve(
            &RangeRequest {
                preset: p,
                from: None,
                to: None,
            },
            today,
        )
        .unwrap();
        (span.from, span.to)
    }

    #[test]
    fn presets_are_half_open_calendar_ranges() {
        let today = d(2026, 3, 15);
        assert_eq!(
            preset(Preset::ThisMonth, today),
            (d(2026, 3, 1), d(2026, 4, 1))
        );
        assert_eq!(
            preset(Preset::LastMonth, today),
            (d(2026, 2, 1), d(2026, 3, 1))
        );
        assert_eq!(
            preset(Preset::ThisYear, today),
            (d(2026, 1, 1), d(2027, 1, 1))
        );
        assert_eq!(
            preset(Preset::Last12Months, today),
            (d(2025, 4, 1), d(2026, 4, 1))
        );
        let (from, to) = preset(Preset::Last90Days, today);
        assert_eq!((from, to), (d(2025, 12, 16), d(2026, 3, 16)));
        assert_eq!((to - from).num_days(), 90, "90 days, today included");
    }

    #[test]
    fn month_and_year_edges() {
        // January: last month is December of the year before.
        assert_eq!(
            preset(Preset::LastMonth, d(2026, 1, 1)),
            (d(2025, 12, 1), d(2026, 1, 1))
        );
        // The last day of a month still belongs to it.
        assert_eq!(
            preset(Preset::ThisMonth, d(2026, 1, 31)),
            (d(2026, 1, 1), d(2026, 2, 1))
        );
        assert_eq!(
            preset(Preset::ThisYear, d(2026, 12, 31)),
            (d(2026, 1, 1), d(2027, 1, 1))
        );
        // A leap day.
        assert_eq!(
            preset(Preset::ThisMonth, d(2028, 2, 29)),
            (d(2028, 2, 1), d(2028, 3, 1))
        );
        // The prefetched default agrees with the sync's own range.
        assert_eq!(
            preset(Preset::Last12Months, d(2026, 1, 10)),
            usage_range(d(2026, 1, 10))
        );
    }

    #[test]
    fn presets_have_the_uis_names() {
        for (name, preset) in [
            ("last_12_months", Preset::Last12Months),
            ("last_90_days", Preset::Last90Days),
            ("this_month", Preset::ThisMonth),
        ] {
            let got: Preset = serde_json::from_value(serde_json::json!(name)).unwrap();
            assert_eq!(got, preset);
        }
    }

    #[test]
    fn a_custom_range_is_typed_inclusive_and_checked() {
        let custom = |from, to| RangeRequest {
            preset: Preset::Custom,
            from,
            to,
        };
        let today = d(2026, 3, 15);
        let span = resolve(&custom(Some(d(2026, 3, 1)), Some(d(2026, 3, 31))), today).unwrap();
        assert_eq!((span.from, span.to), (d(2026, 3, 1), d(2026, 4, 1)));
        assert_eq!(span.last_day(), d(2026, 3, 31));
        // One day.
        let one = resolve(&custom(Some(d(2026, 3, 5)), Some(d(2026, 3, 5))), today).unwrap();
        assert_eq!((one.to - one.from).num_days(), 1);
        for bad in [
            custom(None, Some(d(2026, 3, 5))),
            custom(Some(d(2026, 3, 5)), Some(d(2026, 3, 4))),
            custom(Some(d(2000, 1, 1)), Some(d(2026, 3, 4))),
        ] {
            let err = resolve(&bad, today).unwrap_err();
            assert_eq!(err.code(), "invalid_input");
            assert_eq!(err.field(), Some("range"));
        }
    }
}
