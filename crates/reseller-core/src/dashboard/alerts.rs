//! Alerts: organisations whose usage in their subscriptions' current period is at or above a
//! threshold (a percentage the user sets) of that period's allowance. Pure.
//!
//! What is compared, whatever range the dashboard shows:
//! - the period: the current billing period, the calendar month holding today (the API bills
//!   per calendar month: the invoice view's periods are months, each row naming its
//!   subscription), shown by name ("1 Dec – 31 Dec 2026");
//! - the usage: seconds of audio the organisation processed in that month so far (this month's
//!   dashboard figures, as cached);
//! - the allowance: the speech-to-text units (`available.stt_units`, read as seconds) of the
//!   subscriptions current today (started, not ended), summed.
//!
//! Organisations without an allowance (pay-as-you-go, or subscriptions not fetched yet) raise
//! no alert: there is nothing to run out of, or nothing to compare with. Past the allowance an
//! alert says by how much in hours ("over by 32.1 h"); a four-digit percentage says nothing a
//! reseller can act on, so the percentage is shown only below `MAX_SHOWN_PERCENT`.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::Serialize;

use crate::format::Locale;

/// The threshold when the user has not set one.
pub const DEFAULT_THRESHOLD_PERCENT: f64 = 80.0;
/// The range the threshold control accepts.
pub const MIN_THRESHOLD_PERCENT: f64 = 1.0;
pub const MAX_THRESHOLD_PERCENT: f64 = 1000.0;
/// At or above this, the percentage is left out: the overrun in hours says it.
pub const MAX_SHOWN_PERCENT: f64 = 1000.0;

/// The current billing period on `today`: its first and last day (both included).
pub fn current_period(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = today.with_day(1).unwrap_or(today);
    let next = first.checked_add_months(Months::new(1)).unwrap_or(first);
    (first, next.checked_sub_days(Days::new(1)).unwrap_or(first))
}

/// One organisation's usage in the current period against its allowance.
#[derive(Clone, Debug, PartialEq)]
pub struct PeriodUsage {
    pub customer_id: i64,
    pub name: String,
    /// Seconds of audio processed in the period so far.
    pub seconds_used: i64,
    /// The period's allowance in seconds; `None`: not known.
    pub allowance_seconds: Option<f64>,
}

/// `used` as a percentage of `allowance` (seconds); `None` without a positive allowance.
pub fn used_percent(used_seconds: i64, allowance_seconds: Option<f64>) -> Option<f64> {
    allowance_seconds
        .filter(|a| *a > 0.0 && a.is_finite())
        .map(|a| used_seconds as f64 / a * 100.0)
}

/// How far over the allowance, in seconds (`None`: not over, or no allowance).
pub fn over_by_seconds(used_seconds: i64, allowance_seconds: Option<f64>) -> Option<f64> {
    let a = allowance_seconds.filter(|a| *a > 0.0 && a.is_finite())?;
    let over = used_seconds as f64 - a;
    (over >= 0.0 && used_seconds > 0).then_some(over)
}

/// What an alert or the table's "Used" cell says of a used/allowance pair: "over by 32.1 h"
/// at or past the allowance, the percentage below it.
pub fn used_text(
    locale: &Locale,
    used_seconds: i64,
    allowance_seconds: Option<f64>,
) -> Option<String> {
    let percent = used_percent(used_seconds, allowance_seconds)?;
    Some(match over_by_seconds(used_seconds, allowance_seconds) {
        Some(over) => format!("over by {}", locale.hours_from_seconds(over)),
        None => locale.percent(percent),
    })
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    pub customer_id: i64,
    pub name: String,
    /// Seconds processed in the current period so far.
    pub seconds_used: i64,
    /// The period's allowance, seconds.
    pub available_seconds: f64,
    pub used_percent: f64,
    /// At or past 100 %: over the allowance, not only near it.
    pub over: bool,
    /// Seconds past the allowance (0 when not over).
    pub over_by_seconds: f64,
    /// The period compared, both days included.
    pub period_from: NaiveDate,
    pub period_last_day: NaiveDate,
    /// Display-ready: "1 Dec – 31 Dec 2026".
    pub period_text: String,
    /// "34.9 h used of 2.8 h".
    pub usage_text: String,
    /// "over by 32.1 h", or "92.6%" below the allowance.
    pub figure_text: String,
    /// The percentage when over but below `MAX_SHOWN_PERCENT` ("212.0%"); `None` otherwise.
    pub percent_text: Option<String>,
}

/// The threshold if it is usable, else why not (in words for the form).
pub fn check_threshold(percent: f64) -> Result<f64, String> {
    if !percent.is_finite() || !(MIN_THRESHOLD_PERCENT..=MAX_THRESHOLD_PERCENT).contains(&percent) {
        return Err(format!(
            "Choose a threshold from {MIN_THRESHOLD_PERCENT:.0} % to {MAX_THRESHOLD_PERCENT:.0} %."
        ));
    }
    Ok(percent)
}

/// The organisations at or above `threshold` percent of their allowance in `period` (first
/// and last day), highest first (ties by name).
pub fn alerts(
    rows: &[PeriodUsage],
    threshold: f64,
    period: (NaiveDate, NaiveDate),
    locale: &Locale,
) -> Vec<Alert> {
    let period_text = locale.date_range(period.0, period.1);
    let mut out: Vec<Alert> = rows
        .iter()
        .filter_map(|r| {
            let percent = used_percent(r.seconds_used, r.allowance_seconds)?;
            let allowance = r.allowance_seconds.unwrap_or_default();
            if percent < threshold {
                return None;
            }
            let over = over_by_seconds(r.seconds_used, r.allowance_seconds);
            Some(Alert {
                customer_id: r.customer_id,
                name: r.name.clone(),
                seconds_used: r.seconds_used,
                available_seconds: allowance,
                used_percent: percent,
                over: over.is_some(),
                over_by_seconds: over.unwrap_or(0.0),
                period_from: period.0,
                period_last_day: period.1,
                period_text: period_text.clone(),
                usage_text: format!(
                    "{} used of {}",
                    locale.hours_from_seconds(r.seconds_used as f64),
                    locale.hours_from_seconds(allowance)
                ),
                figure_text: used_text(locale, r.seconds_used, r.allowance_seconds)
                    .unwrap_or_default(),
                percent_text: (over.is_some() && percent < MAX_SHOWN_PERCENT)
                    .then(|| locale.percent(percent)),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.used_percent
            .partial_cmp(&a.used_percent)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn usage(id: i64, used: i64, allowance: Option<f64>) -> PeriodUsage {
        PeriodUsage {
            customer_id: id,
            name: format!("c{id}"),
            seconds_used: used,
            allowance_seconds: allowance,
        }
    }

    fn gb() -> Locale {
        Locale::from_tag("en-GB")
    }

    fn plain(s: &str) -> String {
        s.replace('\u{a0}', " ")
    }

    #[test]
    fn the_current_period_is_the_calendar_month_holding_today() {
        assert_eq!(
            current_period(d(2026, 11, 17)),
            (d(2026, 11, 1), d(2026, 11, 30))
        );
        assert_eq!(
            current_period(d(2026, 12, 31)),
            (d(2026, 12, 1), d(2026, 12, 31))
        );
        assert_eq!(
            current_period(d(2028, 2, 1)),
            (d(2028, 2, 1), d(2028, 2, 29))
        );
    }

    #[test]
    fn at_or_above_the_threshold_highest_first() {
        let period = current_period(d(2026, 11, 17));
        let rows = vec![
            usage(1, 79, Some(100.0)),
            usage(2, 80, Some(100.0)),
            usage(3, 150, Some(100.0)),
            usage(4, 1_000, None),
            usage(5, 1_000, Some(0.0)),
        ];
        let found = alerts(&rows, 80.0, period, &gb());
        let ids: Vec<i64> = found.iter().map(|a| a.customer_id).collect();
        assert_eq!(ids, vec![3, 2]);
        assert!(found[0].over);
        assert!(!found[1].over);
        // A higher threshold, fewer alerts; a lower one, more.
        assert_eq!(alerts(&rows, 100.0, period, &gb()).len(), 1);
        assert_eq!(alerts(&rows, 50.0, period, &gb()).len(), 3);
    }

    /// The case users saw: 34.9 h against 2.8 h once read "1269 %".
    #[test]
    fn an_overrun_is_said_in_hours_and_names_the_period() {
        let period = current_period(d(2026, 11, 17));
        let used = 125_640; // 34.9 h
        let allowance = 10_080.0; // 2.8 h
        let a = &alerts(&[usage(7, used, Some(allowance))], 80.0, period, &gb())[0];
        assert_eq!(a.period_text, "1 Nov – 30 Nov 2026");
        assert_eq!(plain(&a.usage_text), "34.9 h used of 2.8 h");
        assert_eq!(plain(&a.figure_text), "over by 32.1 h");
        // 1246 %: not shown, the hours say it.
        assert_eq!(a.percent_text, None);
        assert!(a.over);
        assert!((a.over_by_seconds - 115_560.0).abs() < 1e-6);

        // Over, but by a readable percentage: both.
        let b = &alerts(&[usage(8, 15_000, Some(10_000.0))], 80.0, period, &gb())[0];
        assert_eq!(plain(&b.figure_text), "over by 1.4 h");
        assert_eq!(b.percent_text.as_deref(), Some("150.0%"));

        // Under the allowance: the percentage, no overrun.
        let c = &alerts(&[usage(9, 9_000, Some(10_000.0))], 80.0, period, &gb())[0];
        assert_eq!(c.figure_text, "90.0%");
        assert!(!c.over);
        assert_eq!(c.over_by_seconds, 0.0);
    }

    #[test]
    fn exactly_at_the_allowance_is_over_by_nothing() {
        assert_eq!(over_by_seconds(100, Some(100.0)), Some(0.0));
        assert_eq!(over_by_seconds(99, Some(100.0)), None);
        assert_eq!(over_by_seconds(0, Some(100.0)), None);
        assert_eq!(over_by_seconds(500, None), None);
        assert_eq!(over_by_seconds(500, Some(f64::NAN)), None);
        assert_eq!(used_text(&gb(), 0, Some(100.0)).as_deref(), Some("0.0%"));
        assert_eq!(used_text(&gb(), 10, None), None);
    }

    #[test]
    fn thresholds_outside_the_range_are_refused() {
        assert_eq!(check_threshold(80.0), Ok(80.0));
        assert!(check_threshold(0.0).is_err());
        assert!(check_threshold(f64::NAN).is_err());
        assert!(check_threshold(5000.0).is_err());
    }
}
