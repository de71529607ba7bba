//! Planning the detail sync: a pure function of what the cache holds (freshness per customer
//! tab, the dashboard, branding, the gap endpoints known missing), the open customer and what
//! the rate budget allows. No I/O; `details.rs` executes the plan.
//!
//! Stale-while-revalidate: a screen always shows what the cache has; the plan only decides what
//! to fetch and in which order. Fresh data is never fetched. The open customer's missing and
//! stale tabs come first, in the interactive lane (the user is looking at them); everything
//! else follows in the background lane, which the client's rate budget paces and which always
//! leaves a reserve to interactive requests. So no plan can make the client exceed the budget:
//! a long plan only takes longer.

use std::collections::HashSet;
use std::time::Duration as StdDuration;

use scriptix_api::{BudgetSnapshot, Lane};

use crate::cache::freshness::GapFeature;
use crate::cache::{Freshness, Tab};
pub use crate::remote::policy::{
    dashboard_range, default_usage_query, effective_freshness, max_age, month_start,
    usage_query_key, usage_range, Target, TRANSCRIPTION_PAGE_LIMIT, UNSUPPORTED_MAX_AGE,
    USAGE_MONTHS, USAGE_PAGE_LIMIT,
};

/// What the planner knows from the cache (see `details::detail_state`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DetailState {
    /// Every (customer, tab) to consider, in the order they should be fetched when equally
    /// urgent (the caller's: e.g. the customer list as the user sorted it).
    pub tabs: Vec<(i64, Tab, Freshness)>,
    /// `None`: not part of this plan.
    pub dashboard: Option<Freshness>,
    pub branding: Option<Freshness>,
    /// Gap endpoints the server was recently found not to offer.
    pub unsupported: Vec<GapFeature>,
}

/// How many requests the background part of a plan may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Allowance {
    /// All of it: the client's budget paces the requests, so a long plan takes long (a full
    /// prefetch) but never draws a 429.
    Unbounded,
    /// At most this many (a round that must not hold the budget up beyond now).
    Requests(u32),
}

impl Allowance {
    /// What the background lane could send right now without waiting: the budget's remainder
    /// less the reserve it keeps for interactive requests. Unbounded when the client has no
    /// limit.
    pub fn left_now(budget: &BudgetSnapshot) -> Allowance {
        if budget.limit == 0 {
            return Allowance::Unbounded;
        }
        Allowance::Requests(budget.remaining_in_window.saturating_sub(budget.reserve))
    }
}

/// One fetch of a plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlannedFetch {
    pub target: Target,
    pub lane: Lane,
    /// `Missing` or `Stale`: why it is fetched.
    pub why: Freshness,
    /// Estimated requests (`Target::requests`).
    pub requests: u32,
}

/// An ordered list of fetches.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PrefetchPlan {
    pub fetches: Vec<PlannedFetch>,
    /// Sum of the fetches' estimated requests.
    pub requests: u32,
    /// Targets left out because their data is fresh.
    pub fresh: usize,
    /// Targets left out because the server does not offer their endpoint.
    pub unsupported: usize,
    /// Background targets left for a later round: the allowance was spent.
    pub deferred: usize,
    /// The gaps known missing when planning (the executor skips them too).
    pub missing_gaps: Vec<GapFeature>,
}

impl PrefetchPlan {
    /// The least time the plan can take at `limit_per_minute`: its requests spread evenly over
    /// whole minutes. Zero without a limit.
    pub fn floor(&self, limit_per_minute: u32) -> StdDuration {
        floor(u64::from(self.requests), limit_per_minute)
    }
}

/// `requests` at `limit_per_minute`: the time no client can beat. Zero without a limit.
pub fn floor(requests: u64, limit_per_minute: u32) -> StdDuration {
    if limit_per_minute == 0 {
        return StdDuration::ZERO;
    }
    StdDuration::from_secs_f64(requests as f64 * 60.0 / f64::from(limit_per_minute))
}

fn rank(f: Freshness) -> u8 {
    // Missing first: there is nothing to show until it is fetched.
    match f {
        Freshness::Missing => 0,
        Freshness::Stale => 1,
        Freshness::Fresh => 2,
    }
}

/// Orders the fetches: the open customer's missing then stale tabs (interactive lane, tab
/// order), then in the background lane branding and the dashboard (small and on screen
/// everywhere), then every missing tab, then every stale tab, in the caller's customer order.
/// Fresh targets, local-only customers (ids <= 0: the server does not know them yet) and
/// targets whose gap endpoint the server lacks are left out. The open customer's fetches are
/// always planned; the background ones only while `allowance` lasts.
pub fn plan_prefetch(
    state: &DetailState,
    open_customer: Option<i64>,
    allowance: Allowance,
) -> PrefetchPlan {
    let missing_gaps: HashSet<GapFeature> = state.unsupported.iter().copied().collect();
    let mut plan = PrefetchPlan {
        missing_gaps: {
            let mut gaps: Vec<GapFeature> = missing_gaps.iter().copied().collect();
            gaps.sort();
            gaps
        },
        ..PrefetchPlan::default()
    };
    let mut seen: HashSet<Target> = HashSet::new();
    let mut open: Vec<(Target, Freshness)> = Vec::new();
    let mut background: Vec<(Target, Freshness)> = Vec::new();
    let globals = [
        (Target::Branding, state.branding),
        (Target::Dashboard, state.dashboard),
    ];
    let tabs = state
        .tabs
        .iter()
        .filter(|(id, _, _)| *id > 0)
        .map(|&(customer_id, tab, f)| (Target::Tab { customer_id, tab }, Some(f)));
    for (target, f) in globals.into_iter().chain(tabs) {
        let Some(f) = f else { continue };
        if !seen.insert(target) {
            continue;
        }
        if f == Freshness::Fresh {
            plan.fresh += 1;
            continue;
        }
        if target.gap().is_some_and(|g| missing_gaps.contains(&g)) {
            plan.unsupported += 1;
            continue;
        }
        match target {
            Target::Tab { customer_id, .. } if Some(customer_id) == open_customer => {
                open.push((target, f))
            }
            _ => background.push((target, f)),
        }
    }
    // Stable sorts: tab order and the caller's customer order survive within a rank.
    open.sort_by_key(|(_, f)| rank(*f));
    let (globals, mut tabs): (Vec<_>, Vec<_>) = background
        .into_iter()
        .partition(|(t, _)| !matches!(t, Target::Tab { .. }));
    tabs.sort_by_key(|(_, f)| rank(*f));

    let push = |plan: &mut PrefetchPlan, target: Target, why: Freshness, lane: Lane| {
        let requests = target.requests();
        plan.requests += requests;
        plan.fetches.push(PlannedFetch {
            target,
            lane,
            why,
            requests,
        });
    };
    for (target, why) in open {
        push(&mut plan, target, why, Lane::Interactive);
    }
    let mut left = match allowance {
        Allowance::Unbounded => u32::MAX,
        Allowance::Requests(n) => n,
    };
    let rest: Vec<(Target, Freshness)> = globals.into_iter().chain(tabs).collect();
    let total = rest.len();
    for (i, (target, why)) in rest.into_iter().enumerate() {
        let cost = target.requests();
        if cost > left {
            // Stop rather than skip ahead to something cheaper: the order is the priority.
            plan.deferred = total - i;
            break;
        }
        left -= cost;
        push(&mut plan, target, why, Lane::Background);
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::{FreshnessRecord, Scope};
    use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
    use scriptix_api::UsageView;

    fn t(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0).unwrap()
    }

    fn tab(id: i64, tab: Tab) -> Target {
        Target::Tab {
            customer_id: id,
            tab,
        }
    }

    fn all_tabs(ids: &[i64], f: Freshness) -> Vec<(i64, Tab, Freshness)> {
        ids.iter()
            .flat_map(|&id| Tab::ALL.map(|t| (id, t, f)))
            .collect()
    }

    #[test]
    fn the_open_customer_goes_first_in_the_interactive_lane() {
        let mut tabs = all_tabs(&[1, 2, 3], Freshness::Stale);
        // The open customer's users tab is missing: it leads, ahead of its stale tabs.
        tabs[5 + 3].2 = Freshness::Missing;
        // Another customer's missing tab goes before every stale background tab.
        tabs[10].2 = Freshness::Missing;
        let state = DetailState {
            tabs,
            dashboard: Some(Freshness::Stale),
            branding: Some(Freshness::Missing),
            unsupported: vec![],
        };
        let plan = plan_prefetch(&state, Some(2), Allowance::Unbounded);
        let targets: Vec<Target> = plan.fetches.iter().map(|f| f.target).collect();
        assert_eq!(targets[0], tab(2, Tab::Users));
        assert_eq!(
            &targets[1..5],
            &[
                tab(2, Tab::Subscriptions),
                tab(2, Tab::Usage),
                tab(2, Tab::Tokens),
                tab(2, Tab::Transcriptions)
            ]
        );
        assert!(plan.fetches[..5]
            .iter()
            .all(|f| f.lane == Lane::Interactive));
        assert!(plan.fetches[5..].iter().all(|f| f.lane == Lane::Background));
        assert_eq!(targets[5], Target::Branding);
        assert_eq!(targets[6], Target::Dashboard);
        assert_eq!(targets[7], tab(3, Tab::Subscriptions));
        assert_eq!(plan.fetches[7].why, Freshness::Missing);
        assert_eq!(targets[8], tab(1, Tab::Subscriptions));
        assert_eq!(targets.len(), 17);
        // 15 tabs (one request each: usage is its rows only), branding (2), dashboard (1).
        assert_eq!(plan.requests, 15 + 2 + 1);
        assert_eq!(plan.deferred, 0);
    }

    #[test]
    fn fresh_local_duplicate_and_unsupported_targets_are_left_out() {
        let mut tabs = all_tabs(&[7], Freshness::Fresh);
        tabs[4].2 = Freshness::Stale; // transcriptions
        tabs[3].2 = Freshness::Missing; // users, but the server lacks G6
        tabs.push((7, Tab::Transcriptions, Freshness::Stale)); // listed twice
        tabs.extend(all_tabs(&[-3, 0], Freshness::Missing)); // local creates
        let state = DetailState {
            tabs,
            dashboard: None,
            branding: Some(Freshness::Fresh),
            unsupported: vec![GapFeature::Users, GapFeature::UsageSummary],
        };
        let plan = plan_prefetch(&state, None, Allowance::Unbounded);
        assert_eq!(
            plan.fetches,
            vec![PlannedFetch {
                target: tab(7, Tab::Transcriptions),
                lane: Lane::Background,
                why: Freshness::Stale,
                requests: 1,
            }]
        );
        assert_eq!(plan.fresh, 4); // three tabs and branding
        assert_eq!(plan.unsupported, 1);
        assert_eq!(
            plan.missing_gaps,
            vec![GapFeature::UsageSummary, GapFeature::Users]
        );
    }

    #[test]
    fn the_allowance_bounds_the_background_but_never_the_open_customer() {
        let state = DetailState {
            tabs: all_tabs(&[1, 2, 3], Freshness::Missing),
            ..DetailState::default()
        };
        let plan = plan_prefetch(&state, Some(1), Allowance::Requests(4));
        // Customer 1: 5 requests (one a tab), interactive, whatever the allowance. Then 4
        // background requests: customer 2's subscriptions, usage, tokens and users.
        let interactive: u32 = plan
            .fetches
            .iter()
            .filter(|f| f.lane == Lane::Interactive)
            .map(|f| f.requests)
            .sum();
        assert_eq!(interactive, 5);
        let background: Vec<Target> = plan
            .fetches
            .iter()
            .filter(|f| f.lane == Lane::Background)
            .map(|f| f.target)
            .collect();
        assert_eq!(
            background,
            vec![
                tab(2, Tab::Subscriptions),
                tab(2, Tab::Usage),
                tab(2, Tab::Tokens),
                tab(2, Tab::Users)
            ]
        );
        assert_eq!(plan.requests, 9);
        assert_eq!(plan.deferred, 6);
        let none = plan_prefetch(&state, None, Allowance::Requests(0));
        assert!(none.fetches.is_empty());
        assert_eq!(none.deferred, 15);
    }

    #[test]
    fn allowance_from_the_budget_keeps_the_reserve() {
        let snap = BudgetSnapshot {
            limit: 100,
            remaining_in_window: 37,
            reserve: 10,
            in_flight: 0,
            waiting_interactive: 0,
            waiting_background: 0,
            blocked_for: None,
            server_remaining: None,
        };
        assert_eq!(Allowance::left_now(&snap), Allowance::Requests(27));
        let spent = BudgetSnapshot {
            remaining_in_window: 4,
            ..snap.clone()
        };
        assert_eq!(Allowance::left_now(&spent), Allowance::Requests(0));
        let unlimited = BudgetSnapshot { limit: 0, ..snap };
        assert_eq!(Allowance::left_now(&unlimited), Allowance::Unbounded);
    }

    #[test]
    fn floor_is_requests_over_the_rate() {
        assert_eq!(floor(1500, 100), StdDuration::from_secs(900));
        assert_eq!(floor(50, 100), StdDuration::from_secs(30));
        assert_eq!(floor(50, 0), StdDuration::ZERO);
        let plan = PrefetchPlan {
            requests: 10,
            ..PrefetchPlan::default()
        };
        assert_eq!(plan.floor(60), StdDuration::from_secs(10));
    }

    #[test]
    fn a_new_month_makes_usage_and_the_dashboard_missing() {
        let usage = tab(1, Tab::Usage);
        let users = tab(1, Tab::Users);
        let fetched = FreshnessRecord::new(t(31, 23), Duration::hours(1));
        let april = Utc.with_ymd_and_hms(2026, 4, 1, 0, 10, 0).unwrap();
        assert_eq!(
            effective_freshness(usage, Some(&fetched), t(31, 23)),
            Freshness::Fresh
        );
        assert_eq!(
            effective_freshness(usage, Some(&fetched), april),
            Freshness::Missing
        );
        assert_eq!(
            effective_freshness(Target::Dashboard, Some(&fetched), april),
            Freshness::Missing
        );
        // Other tabs keep their own range-free rule: stale, still shown.
        assert_eq!(
            effective_freshness(users, Some(&fetched), april),
            Freshness::Stale
        );
        assert_eq!(effective_freshness(usage, None, april), Freshness::Missing);
    }

    #[test]
    fn the_usage_query_covers_twelve_months() {
        let (q, key) = default_usage_query(NaiveDate::from_ymd_opt(2026, 3, 17).unwrap());
        assert_eq!(q.date_from, NaiveDate::from_ymd_opt(2025, 4, 1));
        assert_eq!(q.date_to, NaiveDate::from_ymd_opt(2026, 4, 1));
        assert_eq!(q.view, Some(UsageView::Month));
        assert_eq!(q.split_by, None);
        assert_eq!(q.limit, Some(USAGE_PAGE_LIMIT));
        assert_eq!(key, "view=month&date_from=2025-04-01&date_to=2026-04-01");
        // The same key from any day of the month; a new one the next month.
        let (_, same) = default_usage_query(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap());
        let (_, next) = default_usage_query(NaiveDate::from_ymd_opt(2026, 4, 1).unwrap());
        assert_eq!(same, key);
        assert_ne!(next, key);
        let (range, key) = dashboard_range(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
        assert_eq!(key, "2026-12-01..2027-01-01");
        assert_eq!(range.to, NaiveDate::from_ymd_opt(2027, 1, 1));
    }

    #[test]
    fn every_scope_has_a_positive_max_age() {
        let scopes = Tab::ALL
            .map(|tab| Scope::CustomerTab {
                customer_id: 1,
                tab,
            })
            .into_iter()
            .chain([Scope::Dashboard, Scope::Branding, Scope::CustomerList]);
        for s in scopes {
            assert!(max_age(&s) > Duration::zero(), "{s:?}");
        }
        assert!(UNSUPPORTED_MAX_AGE > max_age(&Scope::Dashboard));
    }
}
