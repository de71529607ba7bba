//! The usage table: its columns for a view and split, and its rows as the text cells both the
//! screen and the CSV export use, so an export holds exactly what the table shows. Periods
//! show their last day (inclusive), as people read a range; the API's end is exclusive.

use chrono::Days;
use serde::Serialize;

use super::split::{value_of, Split, View};
use super::summary::seconds_per_unit;
use crate::cache::UsageRow;
use crate::format::Locale;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Column {
    pub key: &'static str,
    /// The header, naming the unit of a figure ("Units (s)").
    pub label: &'static str,
    /// Right-aligned and shown with the locale's digit grouping.
    pub numeric: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageTable {
    pub columns: Vec<Column>,
    /// One row of cells per usage row, in the server's order; missing values are "-". Plain
    /// values (ISO dates, digits): what the CSV export writes.
    pub rows: Vec<Vec<String>>,
    /// The same cells as the screen shows them, in the system's locale ("1 Nov 2026",
    /// "196,489 s").
    pub display_rows: Vec<Vec<String>>,
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

/// The units column's header for the unit the server named.
fn units_header(unit: Option<&str>) -> &'static str {
    match unit.and_then(seconds_per_unit) {
        Some(s) if s < 60.0 => "Units (s)",
        Some(_) => "Units (min)",
        None => "Units",
    }
}

fn columns(view: View, split: Option<Split>, unit: Option<&str>) -> Vec<Column> {
    let mut out = vec![col("from", "From", false), col("to", "To", false)];
    let split_column = split.and_then(Split::column);
    if let Some(label) = split_column {
        out.push(col("split", label, false));
    }
    // The invoice view names the subscription billed (unless the split already shows it).
    if view == View::Invoice && split_column != Some("Subscription") {
        out.push(col("subscription", "Subscription", false));
    }
    out.push(col("units", units_header(unit), true));
    if view == View::Invoice {
        out.push(col("cost", "Cost", true));
    }
    out
}

pub fn table(rows: &[UsageRow], view: View, split: Option<Split>) -> UsageTable {
    table_in(rows, view, split, None, Locale::system())
}

/// The table with the units' unit (as the server named it; `None`: not known) in the header
/// and the cells, and the screen's cells in `locale`.
pub fn table_in(
    rows: &[UsageRow],
    view: View,
    split: Option<Split>,
    unit: Option<&str>,
    locale: &Locale,
) -> UsageTable {
    let unit = unit.filter(|u| seconds_per_unit(u).is_some());
    let columns = columns(view, split, unit);
    let display_rows =
        rows.iter()
            .map(|r| {
                columns
                    .iter()
                    .map(|c| match c.key {
                        "from" => locale.date(r.usage_period_start),
                        "to" => locale
                            .date((r.usage_period_end - Days::new(1)).max(r.usage_period_start)),
                        "split" => value_of(r, split).unwrap_or_else(|| "-".into()),
                        "subscription" => r
                            .subscription_id
                            .map_or_else(|| "-".into(), |s| s.to_string()),
                        "units" => locale.units(r.units_used, unit),
                        "cost" => r.cost.map_or_else(|| "-".into(), |c| locale.decimal(c, 2)),
                        _ => "-".into(),
                    })
                    .collect()
            })
            .collect();
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
    UsageTable {
        columns,
        rows,
        display_rows,
    }
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
    fn headers_name_the_unit_and_screen_cells_follow_the_locale() {
        let en = Locale::from_tag("en-GB");
        let t = table_in(&[row()], View::Month, None, Some("second"), &en);
        assert_eq!(t.header(), ["From", "To", "Units (s)"]);
        assert_eq!(t.rows[0], ["2026-01-01", "2026-01-31", "5926"]);
        assert_eq!(
            t.display_rows[0]
                .iter()
                .map(|c| c.replace('\u{a0}', " "))
                .collect::<Vec<_>>(),
            ["1 Jan 2026", "31 Jan 2026", "5,926 s"]
        );
        let de = Locale::from_tag("de-DE");
        let t = table_in(&[row()], View::Invoice, None, Some("minute"), &de);
        assert_eq!(
            t.header(),
            ["From", "To", "Subscription", "Units (min)", "Cost"]
        );
        assert_eq!(t.display_rows[0][4], "10.000,01");
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
