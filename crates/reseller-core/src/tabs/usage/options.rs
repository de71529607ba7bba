//! The choices the usage tab and the dashboard offer, as the UI renders them: each date preset
//! with its label and the days it means today (last day inclusive, as people read a range),
//! and each usage view with the splits it takes. The UI holds no list or rule of its own.

use chrono::NaiveDate;
use serde::Serialize;

use super::range::{preset_span, Preset};
use super::split::{check, Split, View};

/// The usage tab's presets; `Last12Months` first: the range the sync prefetches per customer.
pub const USAGE_PRESETS: [Preset; 6] = [
    Preset::Last12Months,
    Preset::ThisMonth,
    Preset::LastMonth,
    Preset::Last90Days,
    Preset::ThisYear,
    Preset::Custom,
];

/// The dashboard's presets: the usage tab's without the last 12 months, on purpose. The
/// dashboard spans every customer and its prefetched range is this month; a year for every
/// customer is what the computed dashboard would have to fetch customer by customer.
pub const DASHBOARD_PRESETS: [Preset; 5] = [
    Preset::ThisMonth,
    Preset::LastMonth,
    Preset::Last90Days,
    Preset::ThisYear,
    Preset::Custom,
];

const VIEWS: [View; 5] = [
    View::Day,
    View::Week,
    View::Month,
    View::Year,
    View::Invoice,
];
const SPLITS: [Split; 4] = [
    Split::Language,
    Split::Token,
    Split::Subscription,
    Split::Period,
];

/// A date preset as the range picker shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PresetOption {
    pub key: Preset,
    pub label: &'static str,
    /// The first day the preset means today; None for `custom`.
    pub from: Option<NaiveDate>,
    /// Its last day, inclusive; None for `custom`.
    pub last_day: Option<NaiveDate>,
    /// The days by name ("1 Nov – 30 Nov 2026"), in the system's locale; None for `custom`.
    pub range_text: Option<String>,
}

/// A split the view takes; `key` None: no split.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SplitOption {
    pub key: Option<Split>,
    pub label: &'static str,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ViewOption {
    pub key: View,
    pub label: &'static str,
    /// "No split" first, then the splits `split::check` accepts for this view.
    pub splits: Vec<SplitOption>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageOptions {
    pub presets: Vec<PresetOption>,
    pub views: Vec<ViewOption>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DashboardOptions {
    pub presets: Vec<PresetOption>,
}

fn preset_label(p: Preset) -> &'static str {
    match p {
        Preset::Last12Months => "Last 12 months",
        Preset::ThisMonth => "This month",
        Preset::LastMonth => "Last month",
        Preset::Last90Days => "Last 90 days",
        Preset::ThisYear => "This year",
        Preset::Custom => "Custom range",
    }
}

fn view_label(v: View) -> &'static str {
    match v {
        View::Day => "Day",
        View::Week => "Week",
        View::Month => "Month",
        View::Year => "Year",
        View::Invoice => "Invoice",
    }
}

fn split_label(s: Split) -> &'static str {
    s.column().unwrap_or("Period")
}

/// Today as the range queries resolve it (UTC), for the options to agree with them.
pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// `list` as the picker shows it on `today`.
pub fn presets(list: &[Preset], today: NaiveDate) -> Vec<PresetOption> {
    list.iter()
        .map(|&key| {
            let span = preset_span(key, today);
            PresetOption {
                key,
                label: preset_label(key),
                from: span.map(|s| s.from),
                last_day: span.map(|s| s.last_day()),
                range_text: span.map(|s| crate::format::sys().date_range(s.from, s.last_day())),
            }
        })
        .collect()
}

/// The splits `view` takes, by the same rule that checks a request.
pub fn splits(view: View) -> Vec<SplitOption> {
    let mut out = vec![SplitOption {
        key: None,
        label: "No split",
    }];
    out.extend(
        SPLITS
            .into_iter()
            .filter(|&s| check(view, Some(s)).is_ok())
            .map(|s| SplitOption {
                key: Some(s),
                label: split_label(s),
            }),
    );
    out
}

pub fn usage_options(today: NaiveDate) -> UsageOptions {
    UsageOptions {
        presets: presets(&USAGE_PRESETS, today),
        views: VIEWS
            .into_iter()
            .map(|key| ViewOption {
                key,
                label: view_label(key),
                splits: splits(key),
            })
            .collect(),
    }
}

pub fn dashboard_options(today: NaiveDate) -> DashboardOptions {
    DashboardOptions {
        presets: presets(&DASHBOARD_PRESETS, today),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn presets_carry_their_inclusive_last_day() {
        let shown = presets(&USAGE_PRESETS, d(2028, 2, 29));
        let of = |k: Preset| shown.iter().find(|p| p.key == k).unwrap();
        let this_month = of(Preset::ThisMonth);
        assert_eq!(
            (this_month.from, this_month.last_day),
            (Some(d(2028, 2, 1)), Some(d(2028, 2, 29)))
        );
        let last_month = of(Preset::LastMonth);
        assert_eq!(last_month.last_day, Some(d(2028, 1, 31)));
        let last_90 = of(Preset::Last90Days);
        assert_eq!(last_90.last_day, Some(d(2028, 2, 29)), "today included");
        assert_eq!((d(2028, 2, 29) - last_90.from.unwrap()).num_days(), 89);
        assert_eq!(of(Preset::ThisYear).last_day, Some(d(2028, 12, 31)));
        let custom = of(Preset::Custom);
        assert_eq!((custom.from, custom.last_day), (None, None));
        assert_eq!(
            shown[0].key,
            Preset::Last12Months,
            "the tab's default first"
        );
    }

    #[test]
    fn dashboard_presets_are_the_usage_ones_without_the_last_12_months() {
        let usage: Vec<Preset> = USAGE_PRESETS
            .into_iter()
            .filter(|&p| p != Preset::Last12Months)
            .collect();
        assert_eq!(usage, DASHBOARD_PRESETS.to_vec());
    }

    #[test]
    fn views_offer_exactly_the_splits_the_request_check_accepts() {
        let opts = usage_options(d(2026, 3, 15));
        let keys = |v: View| -> Vec<Option<Split>> {
            let view = opts.views.iter().find(|o| o.key == v).unwrap();
            view.splits.iter().map(|s| s.key).collect()
        };
        assert_eq!(keys(View::Invoice), vec![None, Some(Split::Period)]);
        for v in [View::Day, View::Week, View::Month, View::Year] {
            assert_eq!(
                keys(v),
                vec![
                    None,
                    Some(Split::Language),
                    Some(Split::Token),
                    Some(Split::Subscription)
                ]
            );
        }
    }
}
