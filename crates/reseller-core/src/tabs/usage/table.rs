//! The usage table: its columns for a view and split, and its rows as the text cells both the
//! screen and the CSV export use, so an export holds exactly what the table shows. Periods
//! show their last day (inclusive), as people read a range; the API's end is exclusive.

use chrono::Days;
use serde::Serialize;

use super::split::{value_of, Split, View};
use crate::cache::UsageRow;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Column {
    pub key: &'static str,
    pub label: &'static str,
    /// Right-aligned and shown with the locale's digit grouping.
    pub numeric: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageTable {
    pub columns: Vec<Column>,
    /// One row of cells per usage row, in the server's order; missing values are "-".
    pub rows: Vec<Vec<String>>,
}

impl UsageTable {
    /// The header as CSV writes it.
    pub fn header(&self) -> Vec<&'static str> {
        self.columns.iter().map(|c| c.label).collect()
    }
}

const fn col(key: &'static str, label: &'static str, numeric: bool) -> Column {
    Column {
        key,
        label,
        numeric,
    }
}

fn columns(view: View, split: Option<Split>) -> Vec<Column> {
    let mut out = vec![col("from", "From", false), col("to", "To", false)];
    let split_column = split.and_then(Split::column);
    if let Some(label) = split_column {
        out.push(col("split", label, false));
    }
    // The invoice view names the subscription billed (unless the split already shows it).
    if view == View::Invoice && split_column != Some("Subscription") {
        out.push(col("subscription", "Subscription", false));
    }
    out.push(col("units", "Units", true));
    if view == View::Invoice {
        out.push(col("cost", "Cost", true));
    }
    out
}

pub fn table(rows: &[UsageRow], view: View, split: Option<Split>) -> UsageTable {
    let columns = columns(view, split);
    let dash = || "-".to_string();
    let rows = rows
        .iter()
        .map(|r| {
            columns
                .iter()
                .map(|c| match c.key {
                    "from" => r.usage_period_start.to_string(),
                    // A one-day period starts and ends on the same day.
                    "to" => (r.usage_period_end - Days::new(1))
                        .max(r.usage_period_start)
                        .to_string(),
                    "split" => value_of(r, split).unwrap_or_else(dash),
                    "subscription" => r.subscription_id.map_or_else(dash, |s| s.to_string()),
                    "units" => r.units_used.to_string(),
                    "cost" => r.cost.map_or_else(dash, |c| format!("{c:.2}")),
                    _ => dash(),
                })
                .collect()
        })
        .collect();
    UsageTable { columns, rows }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn row() -> UsageRow {
        UsageRow {
            units_used: 5926,
            usage_period_start: d(1, 1),
            usage_period_end: d(2, 1),
            language: Some("fr-fr".into()),
            token_name: None,
            subscription_id: Some(1414),
            cost: Some(10000.014),
        }
    }

    #[test]
    fn columns_follow_view_and_split() {
        let t = table(&[row()], View::Month, Some(Split::Language));
        assert_eq!(t.header(), ["From", "To", "Language", "Units"]);
        assert_eq!(
            t.rows,
            vec![vec!["2026-01-01", "2026-01-31", "fr-fr", "5926"]]
        );
        let t = table(&[row()], View::Invoice, Some(Split::Period));
        assert_eq!(t.header(), ["From", "To", "Subscription", "Units", "Cost"]);
        assert_eq!(t.rows[0][2], "1414");
        assert_eq!(t.rows[0][4], "10000.01");
        let t = table(&[row()], View::Day, Some(Split::Token));
        assert_eq!(t.rows[0][2], "-", "a value the server left out");
        let t = table(&[row()], View::Year, None);
        assert_eq!(t.header(), ["From", "To", "Units"]);
        assert!(t.columns[2].numeric);
    }

    #[test]
    fn a_one_day_period_ends_where_it_starts() {
        let r = UsageRow {
            usage_period_start: d(3, 5),
            usage_period_end: d(3, 6),
            ..row()
        };
        let t = table(&[r], View::Day, None);
        assert_eq!(t.rows[0][..2], ["2026-03-05", "2026-03-05"]);
    }
}
