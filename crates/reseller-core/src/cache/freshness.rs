//! Stale-while-revalidate bookkeeping: when something was fetched and when it goes stale.
//!
//! A screen always shows what the cache has; `Freshness` only tells the sync engine whether to
//! refresh it in the background (`Stale`) or fetch it first (`Missing`).

use chrono::{DateTime, Duration, Utc};

/// What a freshness record is about: a global list or object, or one tab of one customer.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    CustomerList,
    Dashboard,
    Branding,
    /// One tab of a customer's detail view.
    CustomerTab {
        customer_id: i64,
        tab: Tab,
    },
}

/// The detail tabs of a customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tab {
    Subscriptions,
    Usage,
    Tokens,
    Users,
    Transcriptions,
}

impl Tab {
    pub const ALL: [Tab; 5] = [
        Tab::Subscriptions,
        Tab::Usage,
        Tab::Tokens,
        Tab::Users,
        Tab::Transcriptions,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Tab::Subscriptions => "subscriptions",
            Tab::Usage => "usage",
            Tab::Tokens => "tokens",
            Tab::Users => "users",
            Tab::Transcriptions => "transcriptions",
        }
    }
}

/// A proposed endpoint of the contract's gap table that a server may lack. A 404/405 from one
/// means the server does not offer it, for every customer alike (a missing route is missing for
/// all), so it is recorded once (`Cache::set_gap_unsupported`, in the freshness table): the UI
/// says "not available" instead of showing an empty tab, and the sync stops asking until the
/// record goes stale (a server can be upgraded).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GapFeature {
    /// G3, the subscriptions tab.
    Subscriptions,
    /// G4, the usage tab's summary (its rows come from a documented route).
    UsageSummary,
    /// G5, the tokens tab.
    Tokens,
    /// G6, the users tab.
    Users,
    /// G8.
    Dashboard,
    /// G9.
    Branding,
}

impl GapFeature {
    pub const ALL: [GapFeature; 6] = [
        GapFeature::Subscriptions,
        GapFeature::UsageSummary,
        GapFeature::Tokens,
        GapFeature::Users,
        GapFeature::Dashboard,
        GapFeature::Branding,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GapFeature::Subscriptions => "subscriptions",
            GapFeature::UsageSummary => "usage_summary",
            GapFeature::Tokens => "tokens",
            GapFeature::Users => "users",
            GapFeature::Dashboard => "dashboard",
            GapFeature::Branding => "branding",
        }
    }

    /// The gap endpoint a whole tab is read from; `None` for the tabs read from documented
    /// routes (usage rows, transcriptions).
    pub fn of_tab(tab: Tab) -> Option<GapFeature> {
        match tab {
            Tab::Subscriptions => Some(GapFeature::Subscriptions),
            Tab::Tokens => Some(GapFeature::Tokens),
            Tab::Users => Some(GapFeature::Users),
            Tab::Usage | Tab::Transcriptions => None,
        }
    }

    /// The `freshness` table key of the "not offered" record: a scope name no `Scope` uses.
    pub(crate) fn key(self) -> (&'static str, i64) {
        let name = match self {
            GapFeature::Subscriptions => "unsupported:subscriptions",
            GapFeature::UsageSummary => "unsupported:usage_summary",
            GapFeature::Tokens => "unsupported:tokens",
            GapFeature::Users => "unsupported:users",
            GapFeature::Dashboard => "unsupported:dashboard",
            GapFeature::Branding => "unsupported:branding",
        };
        (name, 0)
    }
}

impl Scope {
    /// The (scope, customer_id) key the `freshness` table stores; 0 for global scopes.
    pub(crate) fn key(&self) -> (&'static str, i64) {
        match self {
            Scope::CustomerList => ("customers", 0),
            Scope::Dashboard => ("dashboard", 0),
            Scope::Branding => ("branding", 0),
            Scope::CustomerTab { customer_id, tab } => (tab.as_str(), *customer_id),
        }
    }
}

/// When a scope was fetched and when it becomes stale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FreshnessRecord {
    pub fetched_at: DateTime<Utc>,
    pub stale_after: DateTime<Utc>,
}

impl FreshnessRecord {
    /// A record for data fetched at `fetched_at` that stays fresh for `max_age`.
    pub fn new(fetched_at: DateTime<Utc>, max_age: Duration) -> Self {
        FreshnessRecord {
            fetched_at,
            stale_after: fetched_at + max_age,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Freshness {
    /// Cached and younger than its expiry: show it, fetch nothing.
    Fresh,
    /// Cached but past its expiry: show it and refresh in the background.
    Stale,
    /// Never fetched: there is nothing to show until it is.
    Missing,
}

/// The freshness of a record at `now`. Pure: the caller passes the clock.
/// A record whose `fetched_at` lies in the future (the clock went back) is treated as stale,
/// so a wrong clock can delay a refresh by at most one check, never forever.
pub fn freshness(record: Option<&FreshnessRecord>, now: DateTime<Utc>) -> Freshness {
    match record {
        None => Freshness::Missing,
        Some(r) if now < r.fetched_at || now >= r.stale_after => Freshness::Stale,
        Some(_) => Freshness::Fresh,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn missing_fresh_stale() {
        let r = FreshnessRecord::new(t(0), Duration::seconds(60));
        assert_eq!(freshness(None, t(0)), Freshness::Missing);
        assert_eq!(freshness(Some(&r), t(0)), Freshness::Fresh);
        assert_eq!(freshness(Some(&r), t(59)), Freshness::Fresh);
        assert_eq!(freshness(Some(&r), t(60)), Freshness::Stale);
        assert_eq!(freshness(Some(&r), t(3600)), Freshness::Stale);
    }

    #[test]
    fn a_clock_that_went_back_means_stale() {
        let r = FreshnessRecord::new(t(100), Duration::seconds(60));
        assert_eq!(freshness(Some(&r), t(50)), Freshness::Stale);
    }

    #[test]
    fn scope_keys_are_distinct() {
        let mut keys: Vec<(&str, i64)> = vec![
            Scope::CustomerList.key(),
            Scope::Dashboard.key(),
            Scope::Branding.key(),
        ];
        for tab in Tab::ALL {
            keys.push(
                Scope::CustomerTab {
                    customer_id: 5,
                    tab,
                }
                .key(),
            );
        }
        keys.extend(GapFeature::ALL.map(GapFeature::key));
        let n = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), n);
    }
}
