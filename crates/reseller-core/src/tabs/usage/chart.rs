//! The usage chart's data: one series per split value over the periods of the answer, so the
//! UI only draws (stacked bars; a period's bar is the sum of its series). Pure.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

use super::split::{value_of, Split};
use crate::cache::UsageRow;

/// The label of the one series a chart without a split (or split by period) has.
pub const TOTAL_SERIES: &str = "Usage";

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChartPeriod {
    pub from: NaiveDate,
    /// Exclusive.
    pub to: NaiveDate,
    /// The period's last day (`to` - 1), as the chart's tooltip reads it.
    pub last_day: NaiveDate,
    /// Display-ready (filled by the tab, in the system's locale): the axis label ("Nov 2026",
    /// "5 Mar") and the tooltip's period ("1 Nov – 30 Nov 2026").
    pub label: String,
    pub title: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChartSeries {
    /// The split value ("nl-nl", a token's name, a subscription id) or `TOTAL_SERIES`.
    pub label: String,
    /// Units per period, in `Chart::periods` order (0 where the series has no row).
    pub values: Vec<i64>,
    pub total: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Chart {
    /// In time order.
    pub periods: Vec<ChartPeriod>,
    /// Largest total first (drawn at the bottom of each stack); ties by label.
    pub series: Vec<ChartSeries>,
    /// The tallest stack: the chart's scale.
    pub max_stack: i64,
    /// Every number the chart writes (axis ticks, bar values, legend totals) with its text in
    /// the system's locale (filled by the tab): the chart only draws.
    pub texts: Vec<NumberText>,
}

/// A number and how the screen writes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NumberText {
    pub value: i64,
    pub text: String,
}

/// The axis ticks for a tallest stack of `max`: 0 up to a round top in about `ticks` steps of
/// 1, 2 or 5 times a power of ten (the rule charts.js draws by).
pub fn axis_ticks(max: i64, ticks: i64) -> Vec<i64> {
    if max <= 0 || ticks <= 0 {
        return vec![0, 1];
    }
    let raw = max as f64 / ticks as f64;
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|st| *st >= raw)
        .unwrap_or(raw);
    let top = (max as f64 / step).ceil() * step;
    let mut out = Vec::new();
    let mut v = 0.0;
    while v <= top + step / 2.0 {
        out.push(v.round() as i64);
        v += step;
    }
    out
}

impl Chart {
    /// Fills `texts` with `write` for every number the chart shows.
    pub fn with_texts(mut self, write: impl Fn(i64) -> String) -> Chart {
        let mut values: Vec<i64> = axis_ticks(self.max_stack, 4);
        for se in &self.series {
            values.extend(se.values.iter().copied());
            values.push(se.total);
        }
        values.sort_unstable();
        values.dedup();
        self.texts = values
            .into_iter()
            .map(|value| NumberText {
                value,
                text: write(value),
            })
            .collect();
        self
    }
}

/// Aggregates rows into series per split value over periods. Rows of one period that share a
/// split value (the invoice view's rows per subscription) are added together. A period is
/// known by its start; its end is the latest end given for that start (a server clips the
/// last period to the range).
pub fn chart(rows: &[UsageRow], split: Option<Split>) -> Chart {
    let mut ends: BTreeMap<NaiveDate, NaiveDate> = BTreeMap::new();
    for r in rows {
        let end = ends
            .entry(r.usage_period_start)
            .or_insert(r.usage_period_end);
        *end = (*end).max(r.usage_period_end);
    }
    let index: HashMap<NaiveDate, usize> = ends.keys().enumerate().map(|(i, d)| (*d, i)).collect();
    let mut by_label: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for r in rows {
        let label = value_of(r, split).unwrap_or_else(|| TOTAL_SERIES.to_string());
        let values = by_label.entry(label).or_insert_with(|| vec![0; ends.len()]);
        values[index[&r.usage_period_start]] += r.units_used;
    }
    let mut series: Vec<ChartSeries> = by_label
        .into_iter()
        .map(|(label, values)| ChartSeries {
            total: values.iter().sum(),
            label,
            values,
        })
        .collect();
    // BTreeMap gave label order; a stable sort keeps it among equal totals.
    series.sort_by_key(|s| std::cmp::Reverse(s.total));
    let max_stack = (0..ends.len())
        .map(|i| series.iter().map(|s| s.values[i]).sum::<i64>())
        .max()
        .unwrap_or(0);
    Chart {
        periods: ends
            .into_iter()
            .map(|(from, to)| ChartPeriod {
                from,
                to,
                last_day: to.pred_opt().unwrap_or(to),
                label: String::new(),
                title: String::new(),
            })
            .collect(),
        series,
        max_stack,
        texts: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn axis_ticks_are_round_and_cover_the_tallest_stack() {
        assert_eq!(super::axis_ticks(145_033, 4), [0, 50_000, 100_000, 150_000]);
        assert_eq!(super::axis_ticks(0, 4), [0, 1]);
        assert_eq!(super::axis_ticks(7, 4), [0, 2, 4, 6, 8]);
        let t = super::axis_ticks(1_565_837, 4);
        assert_eq!(t.first(), Some(&0));
        assert!(*t.last().unwrap() >= 1_565_837);
    }

    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn row(start: NaiveDate, end: NaiveDate, units: i64, lang: Option<&str>) -> UsageRow {
        UsageRow {
            units_used: units,
            usage_period_start: start,
            usage_period_end: end,
            language: lang.map(String::from),
            token_name: None,
            subscription_id: Some(7),
            cost: None,
        }
    }

    #[test]
    fn one_series_per_split_value_over_every_period() {
        let rows = vec![
            row(d(1, 1), d(2, 1), 10, Some("nl-nl")),
            row(d(1, 1), d(2, 1), 30, Some("en-gb")),
            row(d(2, 1), d(3, 1), 5, Some("nl-nl")),
            row(d(3, 1), d(3, 15), 1, Some("fr-fr")),
        ];
        let c = chart(&rows, Some(Split::Language));
        assert_eq!(c.periods.len(), 3);
        assert_eq!(
            c.periods[2],
            ChartPeriod {
                from: d(3, 1),
                to: d(3, 15),
                last_day: d(3, 14),
                label: String::new(),
                title: String::new(),
            }
        );
        let labels: Vec<&str> = c.series.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, ["en-gb", "nl-nl", "fr-fr"], "largest total first");
        assert_eq!(c.series[1].values, vec![10, 5, 0]);
        assert_eq!(c.series[0].values, vec![30, 0, 0]);
        assert_eq!(c.max_stack, 40);
        // Every unit is in exactly one place.
        let sum: i64 = c.series.iter().map(|s| s.total).sum();
        assert_eq!(sum, rows.iter().map(|r| r.units_used).sum::<i64>());
    }

    #[test]
    fn without_a_split_rows_of_a_period_add_up_in_one_series() {
        // The invoice view: one row per subscription in the same month.
        let rows = vec![
            row(d(1, 1), d(2, 1), 10, None),
            row(d(1, 1), d(2, 1), 15, None),
            row(d(2, 1), d(3, 1), 4, None),
        ];
        for split in [None, Some(Split::Period)] {
            let c = chart(&rows, split);
            assert_eq!(c.series.len(), 1);
            assert_eq!(c.series[0].label, TOTAL_SERIES);
            assert_eq!(c.series[0].values, vec![25, 4]);
            assert_eq!(c.max_stack, 25);
        }
    }

    #[test]
    fn a_missing_split_value_is_its_own_series_and_no_rows_no_chart() {
        let rows = vec![
            row(d(1, 1), d(1, 2), 3, None),
            row(d(1, 1), d(1, 2), 4, Some("x")),
        ];
        let c = chart(&rows, Some(Split::Language));
        assert_eq!(c.series.len(), 2);
        assert!(c.series.iter().any(|s| s.label == "-"));
        assert_eq!(chart(&[], Some(Split::Token)), Chart::default());
    }
}
