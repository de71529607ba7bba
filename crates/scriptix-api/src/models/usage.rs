//! Usage of a customer: `/customer/{id}/usage` (documented) and `/usage/summary` (G4).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::list::{DateRange, Paging};
use crate::page::{check_amount, check_opt_text, check_text, Record};

/// How usage rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsageView {
    Invoice,
    Day,
    Week,
    Month,
    Year,
}

impl UsageView {
    pub fn as_str(self) -> &'static str {
        match self {
            UsageView::Invoice => "invoice",
            UsageView::Day => "day",
            UsageView::Week => "week",
            UsageView::Month => "month",
            UsageView::Year => "year",
        }
    }
}

/// How usage rows are split within a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsageSplit {
    Language,
    Token,
    Subscription,
    Period,
}

impl UsageSplit {
    pub fn as_str(self) -> &'static str {
        match self {
            UsageSplit::Language => "language",
            UsageSplit::Token => "token",
            UsageSplit::Subscription => "subscription",
            UsageSplit::Period => "period",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct UsageQuery {
    pub view: Option<UsageView>,
    pub split_by: Option<UsageSplit>,
    pub date_from: Option<NaiveDate>,
    /// Exclusive.
    pub date_to: Option<NaiveDate>,
    pub limit: Option<u32>,
    pub offset: Option<u64>,
}

impl UsageQuery {
    pub(crate) fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        Paging {
            limit: self.limit,
            offset: self.offset,
            ..Paging::default()
        }
        .push_pairs(&mut out);
        if let Some(view) = self.view {
            out.push(("view", view.as_str().to_string()));
        }
        if let Some(split) = self.split_by {
            out.push(("split_by", split.as_str().to_string()));
        }
        DateRange {
            from: self.date_from,
            to: self.date_to,
        }
        .push_pairs(&mut out);
        out
    }
}

/// One usage row. Fields a view or split does not bring are `None`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageRow {
    /// Seconds of audio in the sandbox; the unit is undocumented upstream (see the summary's `unit`).
    pub units_used: i64,
    #[serde(with = "crate::time::date")]
    pub usage_period_start: NaiveDate,
    /// Exclusive.
    #[serde(with = "crate::time::date")]
    pub usage_period_end: NaiveDate,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub token_name: Option<String>,
    #[serde(default)]
    pub subscription_id: Option<i64>,
    #[serde(default)]
    pub cost: Option<f64>,
}

impl Record for UsageRow {
    fn check(&self) -> Result<(), String> {
        if self.units_used < 0 {
            return Err(format!(
                "field `units_used` is negative: {}",
                self.units_used
            ));
        }
        if self.usage_period_end < self.usage_period_start {
            return Err("the usage period ends before it starts".into());
        }
        check_opt_text("language", &self.language)?;
        check_opt_text("token_name", &self.token_name)?;
        if let Some(cost) = self.cost {
            check_amount("cost", cost)?;
        }
        Ok(())
    }
}

/// G4 summary of a date range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageSummary {
    pub units_used: i64,
    /// `second` or `minute`: read it, do not assume it.
    #[serde(default = "default_unit")]
    pub unit: String,
    pub hours_processed: f64,
    pub sessions: i64,
    pub finished_sessions: i64,
    pub error_sessions: i64,
    /// A fraction 0..1.
    pub error_rate: f64,
    pub total_users: i64,
    pub active_users: i64,
}

fn default_unit() -> String {
    "second".into()
}

impl UsageSummary {
    /// `units_used` in seconds, when the unit is one we know.
    pub fn seconds_used(&self) -> Option<i64> {
        match self.unit.to_ascii_lowercase().as_str() {
            "second" | "seconds" | "s" => Some(self.units_used),
            "minute" | "minutes" | "min" => self.units_used.checked_mul(60),
            _ => None,
        }
    }
}

impl Record for UsageSummary {
    fn check(&self) -> Result<(), String> {
        check_text("unit", &self.unit)?;
        check_amount("hours_processed", self.hours_processed)?;
        check_amount("error_rate", self.error_rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::{parse_one, parse_page};
    use crate::page::Page;

    /// Rows as the field table of contract 3.5 describes them (its example values).
    #[test]
    fn contract_usage_rows() {
        let body = br#"{"result": [
            {"units_used": 840000, "usage_period_start": "2020-12-01", "usage_period_end": "2021-01-01",
             "subscription_id": 1182, "cost": 10000.01},
            {"units_used": 5926, "usage_period_start": "2020-12-22", "usage_period_end": "2020-12-24",
             "language": "fr-fr", "subscription_id": 1414},
            {"units_used": 12, "usage_period_start": "2020-12-22", "usage_period_end": "2020-12-23",
             "token_name": "TV"}
        ], "count": 3, "total_results": 3}"#;
        let page: Page<UsageRow> = parse_page(body).unwrap();
        assert!(page.rejected.is_empty(), "{:?}", page.rejected);
        assert_eq!(page.items.len(), 3);
        let invoice = &page.items[0];
        assert_eq!(invoice.cost, Some(10000.01));
        assert_eq!(
            invoice.usage_period_end,
            NaiveDate::from_ymd_opt(2021, 1, 1).unwrap()
        );
        assert_eq!(invoice.language, None);
        assert_eq!(page.items[1].language.as_deref(), Some("fr-fr"));
        assert_eq!(page.items[2].token_name.as_deref(), Some("TV"));
        assert_eq!(page.items[2].subscription_id, None);
    }

    #[test]
    fn implausible_rows_are_rejected() {
        let body = br#"[{"units_used": -5, "usage_period_start": "2020-12-01", "usage_period_end": "2021-01-01"},
                        {"units_used": 5, "usage_period_start": "2020-12-02", "usage_period_end": "2020-12-01"},
                        {"units_used": "5", "usage_period_start": "2020-12-01", "usage_period_end": "2021-01-01"},
                        {"units_used": 5, "usage_period_start": "2020-12-01", "usage_period_end": "2021-01-01"}]"#;
        let page: Page<UsageRow> = parse_page(body).unwrap();
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.rejected.len(), 3);
    }

    #[test]
    fn summary() {
        let s: UsageSummary = parse_one(
            br#"{"result": {"units_used": 7200, "unit": "second", "hours_processed": 2.0, "sessions": 10,
                "finished_sessions": 9, "error_sessions": 1, "error_rate": 0.1, "total_users": 4, "active_users": 2},
                "count": 1, "total_results": 1}"#,
        )
        .unwrap();
        assert_eq!(s.seconds_used(), Some(7200));
        let m = UsageSummary {
            unit: "minute".into(),
            units_used: 2,
            ..s
        };
        assert_eq!(m.seconds_used(), Some(120));
    }

    #[test]
    fn query_pairs() {
        let q = UsageQuery {
            view: Some(UsageView::Month),
            split_by: Some(UsageSplit::Language),
            date_from: NaiveDate::from_ymd_opt(2025, 1, 1),
            date_to: NaiveDate::from_ymd_opt(2025, 2, 1),
            limit: Some(100),
            offset: None,
        };
        let pairs = q.to_pairs();
        assert!(pairs.contains(&("view", "month".into())));
        assert!(pairs.contains(&("split_by", "language".into())));
        assert!(pairs.contains(&("date_from", "2025-01-01".into())));
        assert!(pairs.contains(&("date_to", "2025-02-01".into())));
        assert!(pairs.contains(&("limit", "100".into())));
        assert_eq!(pairs.len(), 5);
    }
}
