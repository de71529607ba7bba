//! Alerts: organisations whose usage is at or above a threshold (a percentage the user sets)
//! of the units still available on their current subscriptions. Pure.
//!
//! What is compared: the seconds of audio processed in the dashboard's range against the
//! subscriptions' available speech-to-text units read as seconds (`AVAILABLE_UNIT_SECONDS`).
//! Organisations without an allowance (pay-as-you-go, or subscriptions not known yet) raise
//! no alert: there is nothing to run out of, or nothing to compare with.

use serde::Serialize;

use super::table::CustomerUsage;

/// The threshold when the user has not set one.
pub const DEFAULT_THRESHOLD_PERCENT: f64 = 80.0;
/// The range the threshold control accepts.
pub const MIN_THRESHOLD_PERCENT: f64 = 1.0;
pub const MAX_THRESHOLD_PERCENT: f64 = 1000.0;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    pub customer_id: i64,
    pub name: String,
    pub seconds_used: i64,
    pub available_seconds: f64,
    pub used_percent: f64,
    /// At or past 100 %: over the allowance, not only near it.
    pub over: bool,
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

/// The organisations at or above `threshold` percent, highest first (ties by name).
pub fn alerts(rows: &[CustomerUsage], threshold: f64) -> Vec<Alert> {
    let mut out: Vec<Alert> = rows
        .iter()
        .filter_map(|r| {
            let percent = r.used_percent?;
            (percent >= threshold).then(|| Alert {
                customer_id: r.customer_id,
                name: r.name.clone(),
                seconds_used: r.seconds_used,
                available_seconds: r.available_seconds.unwrap_or_default(),
                used_percent: percent,
                over: percent >= 100.0,
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
    use crate::dashboard::table::{tests::row, used_percent};

    fn with_allowance(id: i64, used: i64, available: Option<f64>) -> CustomerUsage {
        let mut r = row(id, &format!("c{id}"), used);
        r.available_seconds = available;
        r.used_percent = used_percent(used, available);
        r
    }

    #[test]
    fn at_or_above_the_threshold_highest_first() {
        let rows = vec![
            with_allowance(1, 79, Some(100.0)),
            with_allowance(2, 80, Some(100.0)),
            with_allowance(3, 150, Some(100.0)),
            with_allowance(4, 1_000, None),
            with_allowance(5, 1_000, Some(0.0)),
        ];
        let found = alerts(&rows, 80.0);
        let ids: Vec<i64> = found.iter().map(|a| a.customer_id).collect();
        assert_eq!(ids, vec![3, 2]);
        assert!(found[0].over);
        assert!(!found[1].over);
        // A higher threshold, fewer alerts; a lower one, more.
        assert_eq!(alerts(&rows, 100.0).len(), 1);
        assert_eq!(alerts(&rows, 50.0).len(), 3);
    }

    #[test]
    fn thresholds_outside_the_range_are_refused() {
        assert_eq!(check_threshold(80.0), Ok(80.0));
        assert!(check_threshold(0.0).is_err());
        assert!(check_threshold(f64::NAN).is_err());
        assert!(check_threshold(5000.0).is_err());
    }
}
