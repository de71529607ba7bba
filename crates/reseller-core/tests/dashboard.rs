//! The dashboard against a real sandbox over loopback HTTP, into a real SQLite cache file:
//! with the dashboard endpoint (G8) its totals are the server's; without it they are computed
//! from cached customers and per-customer usage, equal to what the server's own data gives,
//! fetched within the rate budget (never a 429), and still shown offline.

mod support;

use std::sync::atomic::AtomicBool;

use reseller_core::dashboard::{
    DashboardRefresh, DashboardRequest, RangeRequest, SortDir, SortKey, Source, DEFAULT_LIMIT,
};
use reseller_core::sync::sync_customer_list;
use reseller_core::tabs::FreshnessState;
use reseller_core::workspace::Workspace;
use scriptix_api::{Client, ClientConfig, CustomerQuery, Dashboard};
use scriptix_sandbox::{start, Gap, Sandbox, SandboxConfig};

const SEED: u64 = 23;

async fn sandbox(customers: usize, rate_limit: u32, gaps: &[Gap]) -> Sandbox {
    start(SandboxConfig {
        customers,
        seed: SEED,
        rate_limit_per_minute: rate_limit,
        disabled_gaps: gaps.iter().copied().collect(),
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn client(sb: &Sandbox, rate_limit: u32) -> Client {
    let mut config = ClientConfig::new(sb.base_url(), sb.reseller_token());
    config.rate_limit_per_minute = rate_limit;
    // Offline is found after one quick retry rather than four.
    config.max_retries = 1;
    Client::new(config).unwrap()
}

/// A workspace over a cache file holding the sandbox's customers.
async fn workspace(sb: &Sandbox, rate_limit: u32) -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let info = support::reseller_info(sb.base_url());
    let c = client(sb, rate_limit);
    let ws = Workspace::open(info, c.clone(), dir.path()).unwrap();
    sync_customer_list(&c, ws.engine().cache()).await.unwrap();
    (dir, ws)
}

fn request(range: RangeRequest) -> DashboardRequest {
    DashboardRequest {
        range,
        sort: SortKey::Hours,
        direction: SortDir::Desc,
        offset: 0,
        limit: DEFAULT_LIMIT,
    }
}

/// The server's own dashboard for this month (a twin sandbox: same seed, same data).
async fn truth(customers: usize) -> Dashboard {
    let twin = sandbox(customers, 0, &[]).await;
    let c = client(&twin, 0);
    let span = RangeRequest::ThisMonth
        .resolve(chrono::Utc::now().date_naive())
        .unwrap();
    c.dashboard(&span.api()).await.unwrap()
}

/// Customers and active customers, counted over HTTP.
async fn counted(c: &Client) -> (u64, u64) {
    let count = |filters: Vec<(String, String)>| {
        let q = CustomerQuery {
            limit: Some(1),
            filters,
            ..CustomerQuery::default()
        };
        let c = c.clone();
        async move { c.list_customers(&q).await.unwrap().total.unwrap() }
    };
    (
        count(vec![]).await,
        count(vec![("is_active".into(), "true".into())]).await,
    )
}

async fn refresh(ws: &Workspace, range: RangeRequest) -> DashboardRefresh {
    ws.refresh_dashboard(&range, &AtomicBool::new(false), |_| {})
        .await
        .unwrap()
}

#[tokio::test]
async fn with_the_dashboard_endpoint_the_totals_are_the_servers() {
    let sb = sandbox(30, 0, &[]).await;
    let (_dir, ws) = workspace(&sb, 0).await;
    let req = request(RangeRequest::ThisMonth);

    // Nothing fetched yet: the screen says so rather than showing zeros as facts.
    let before = ws.dashboard(&req, 80.0).unwrap();
    assert_eq!(before.source, Source::Pending);
    assert_eq!(before.as_of.state, FreshnessState::Missing);

    assert!(matches!(
        refresh(&ws, RangeRequest::ThisMonth).await,
        DashboardRefresh::Server
    ));
    let server = client(&sb, 0).dashboard(&before.range.api()).await.unwrap();
    let view = ws.dashboard(&req, 80.0).unwrap();
    assert_eq!(view.source, Source::Server);
    assert_eq!(view.as_of.state, FreshnessState::Fresh);
    assert_eq!(view.coverage, None);
    assert_eq!(view.totals.organizations, server.total_organizations as u64);
    assert_eq!(
        view.totals.active_organizations,
        server.active_organizations as u64
    );
    assert_eq!(view.totals.total_users, Some(server.total_users));
    assert_eq!(view.totals.seconds_used, server.units_used);
    assert_eq!(view.totals.sessions, Some(server.sessions));
    assert_eq!(view.customers.len(), 30);
    assert_eq!(
        view.recent
            .iter()
            .map(|r| &r.session_id)
            .collect::<Vec<_>>(),
        server
            .recent_transcriptions
            .iter()
            .map(|r| &r.session_id)
            .collect::<Vec<_>>()
    );
    // Sorted as asked: most hours first; the chart's first bar is the table's first row.
    assert!(view
        .customers
        .windows(2)
        .all(|w| w[0].seconds_used >= w[1].seconds_used));
    assert_eq!(
        view.top.first().map(|t| t.customer_id),
        Some(view.customers[0].customer_id)
    );
    // Alerts follow the threshold: a lower one never gives fewer.
    let strict = ws.dashboard(&req, 1000.0).unwrap().alerts.len();
    let loose = ws.dashboard(&req, 1.0).unwrap().alerts.len();
    assert!(loose >= strict);
    assert!(loose > 0, "the seed gives some usage against allowances");

    // Fresh: a second refresh asks nothing.
    let sent = sb.stats().requests;
    assert!(matches!(
        refresh(&ws, RangeRequest::ThisMonth).await,
        DashboardRefresh::Fresh
    ));
    assert_eq!(sb.stats().requests, sent);

    // The export holds exactly the table's rows, in its order.
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("usage.csv");
    let by_name = request(RangeRequest::ThisMonth);
    let by_name = DashboardRequest {
        sort: SortKey::Name,
        direction: SortDir::Asc,
        ..by_name
    };
    let n = ws.export_dashboard_csv(&by_name, 80.0, &path).unwrap();
    assert_eq!(n, 30);
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let ids: Vec<i64> = reader
        .records()
        .map(|r| r.unwrap()[1].parse().unwrap())
        .collect();
    let shown: Vec<i64> = ws
        .dashboard(&by_name, 80.0)
        .unwrap()
        .customers
        .iter()
        .map(|c| c.customer_id)
        .collect();
    assert_eq!(ids, shown);
}

#[tokio::test]
async fn without_it_the_totals_are_computed_within_the_budget_and_kept_offline() {
    // More customers than the rate limit allows in a minute: the budget must pace them.
    const CUSTOMERS: usize = 45;
    const LIMIT: u32 = 40;
    let expected = truth(CUSTOMERS).await;
    let sb = sandbox(CUSTOMERS, LIMIT, &[Gap::Dashboard]).await;
    let (_dir, ws) = workspace(&sb, LIMIT).await;
    let req = request(RangeRequest::ThisMonth);

    let mut seen = Vec::new();
    let outcome = ws
        .refresh_dashboard(&RangeRequest::ThisMonth, &AtomicBool::new(false), |p| {
            seen.push(p)
        })
        .await
        .unwrap();
    let DashboardRefresh::Computed(report) = outcome else {
        panic!("expected a computed dashboard, got {outcome:?}");
    };
    assert_eq!(report.fetched, CUSTOMERS);
    assert_eq!(
        seen.last().map(|p| (p.done, p.total)),
        Some((CUSTOMERS, CUSTOMERS))
    );
    let stats = sb.stats();
    assert_eq!(
        stats.rate_limited, 0,
        "the budget never let a request be refused"
    );

    let view = ws.dashboard(&req, 80.0).unwrap();
    assert_eq!(view.source, Source::Computed);
    assert!(view.as_of.unsupported);
    let coverage = view.coverage.unwrap();
    assert_eq!(
        (coverage.covered, coverage.total),
        (CUSTOMERS as u64, CUSTOMERS as u64)
    );
    // The same numbers the server's own data gives, counted over HTTP and by its dashboard.
    let (total, active) = counted(&client(&sb, 0)).await;
    assert_eq!(view.totals.organizations, total);
    assert_eq!(view.totals.active_organizations, active);
    assert_eq!(
        view.totals.organizations,
        expected.total_organizations as u64
    );
    assert_eq!(view.totals.total_users, Some(expected.total_users));
    assert_eq!(view.totals.seconds_used, expected.units_used);
    assert_eq!(view.totals.sessions, Some(expected.sessions));
    assert_eq!(
        view.totals.finished_sessions,
        Some(expected.finished_sessions)
    );
    assert!((view.totals.error_rate.unwrap() - expected.error_rate).abs() < 1e-3);

    // Fresh per (customer, range): nothing is fetched again.
    let sent = sb.stats().requests;
    let again = refresh(&ws, RangeRequest::ThisMonth).await;
    assert!(
        matches!(again, DashboardRefresh::Computed(ref r) if r.planned == 0),
        "{again:?}"
    );
    assert_eq!(sb.stats().requests, sent);

    // Offline: the cached numbers stay; a refresh says offline and changes nothing.
    drop(sb);
    let offline = ws
        .refresh_dashboard(&RangeRequest::LastMonth, &AtomicBool::new(false), |_| {})
        .await;
    assert_eq!(offline.unwrap_err().code(), "offline");
    let still = ws.dashboard(&req, 80.0).unwrap();
    assert_eq!(still.totals, view.totals);
    assert_eq!(still.customers.len(), CUSTOMERS);
}

#[tokio::test]
async fn without_the_usage_summary_either_hours_are_summed_from_usage_rows() {
    const CUSTOMERS: usize = 12;
    let expected = truth(CUSTOMERS).await;
    let sb = sandbox(CUSTOMERS, 0, &[Gap::Dashboard, Gap::UsageSummary]).await;
    let (_dir, ws) = workspace(&sb, 0).await;
    let outcome = refresh(&ws, RangeRequest::ThisMonth).await;
    assert!(
        matches!(outcome, DashboardRefresh::Computed(ref r) if r.fetched == CUSTOMERS),
        "{outcome:?}"
    );
    let view = ws
        .dashboard(&request(RangeRequest::ThisMonth), 80.0)
        .unwrap();
    assert!(view.sessions_unavailable);
    assert_eq!(view.totals.seconds_used, expected.units_used);
    assert_eq!(view.totals.sessions, None);
    assert_eq!(view.totals.error_rate, None);
}

/// Alerts compare this month's usage with the current subscriptions' allowance, whichever
/// range is on screen, name the period and say an overrun in hours; the screen's figures come
/// display-ready.
#[tokio::test]
async fn alerts_compare_the_current_period_with_its_allowance() {
    let sb = sandbox(30, 0, &[]).await;
    let (_dir, ws) = workspace(&sb, 0).await;
    refresh(&ws, RangeRequest::ThisMonth).await;
    let today = chrono::Utc::now().date_naive();
    let month = RangeRequest::ThisMonth.resolve(today).unwrap();
    let server = client(&sb, 0).dashboard(&month.api()).await.unwrap();
    // The organisations at or above 80 % of their allowance by the server's own figures.
    let mut expected: Vec<i64> = server
        .customers
        .as_ref()
        .unwrap()
        .iter()
        .filter(|c| {
            let a = c.available_units.unwrap_or(0.0);
            a > 0.0 && c.units_used as f64 / a * 100.0 >= 80.0
        })
        .map(|c| c.customer_id)
        .collect();
    expected.sort_unstable();
    assert!(
        !expected.is_empty(),
        "the seed has organisations near or over their allowance"
    );

    // Another range on screen (not even fetched): the alerts are this month's all the same.
    for range in [RangeRequest::ThisMonth, RangeRequest::ThisYear] {
        let view = ws.dashboard(&request(range), 80.0).unwrap();
        let mut ids: Vec<i64> = view.alerts.iter().map(|a| a.customer_id).collect();
        ids.sort_unstable();
        assert_eq!(ids, expected);
        assert_eq!(
            view.alerts_info.note, None,
            "every organisation's month is cached"
        );
        for a in &view.alerts {
            assert_eq!(
                (a.period_from, a.period_last_day.succ_opt().unwrap()),
                (month.from, month.to)
            );
            assert!(!a.period_text.is_empty());
            let c = server
                .customers
                .as_ref()
                .unwrap()
                .iter()
                .find(|c| c.customer_id == a.customer_id)
                .unwrap();
            assert_eq!(a.seconds_used, c.units_used);
            if a.over {
                assert!(a.figure_text.starts_with("over by "), "{}", a.figure_text);
                assert!(a.figure_text.ends_with('h'), "{}", a.figure_text);
                assert!(
                    (a.over_by_seconds - (c.units_used as f64 - a.available_seconds)).abs() < 1e-6
                );
                // No four-digit percentage anywhere in what the alert says.
                assert!(a.percent_text.is_none() || a.used_percent < 1000.0);
            } else {
                assert!(a.figure_text.ends_with('%'), "{}", a.figure_text);
            }
        }
    }
    // The figures arrive display-ready, hours with their unit.
    let view = ws
        .dashboard(&request(RangeRequest::ThisMonth), 80.0)
        .unwrap();
    assert!(
        view.totals.display.hours.ends_with(" h") || view.totals.display.hours.ends_with("\u{a0}h")
    );
    assert!(view
        .customers
        .iter()
        .all(|r| r.display.hours.ends_with('h')));
}

/// The user's own change moves the dashboard's totals at once, marked pending; once the
/// server has it the figures are fetched again and the mark goes, the total staying moved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_a_user_moves_the_users_total_at_once_and_stays_after_the_server_confirms() {
    use reseller_core::tabs::users::UserForm;
    let sb = sandbox(12, 0, &[]).await;
    let (_dir, ws) = workspace(&sb, 0).await;
    refresh(&ws, RangeRequest::ThisMonth).await;
    let req = request(RangeRequest::ThisMonth);
    let before = ws.dashboard_screen(&req, 80.0).unwrap().view.totals;
    let users = before.total_users.unwrap();
    assert_eq!(before.pending, None);
    let customer = ws.dashboard(&req, 80.0).unwrap().customers[0].customer_id;

    ws.add_user(
        customer,
        &UserForm {
            email: "dashboard.count@example.org".into(),
            first_name: "Dash".into(),
            last_name: "Board".into(),
            roles: vec!["CUSTOMER".into()],
        },
    )
    .unwrap();
    let now = ws.dashboard_screen(&req, 80.0).unwrap().view.totals;
    assert_eq!(now.total_users, Some(users + 1), "shown at once");
    assert_eq!(now.pending.map(|p| (p.users, p.changes)), Some((1, 1)));
    assert!(now.display.pending.unwrap().contains("not yet on Scriptix"));

    // Sent: the server confirms; the total stays, and the dashboard is fetched again.
    ws.engine().sync_now(false).await.unwrap();
    let sent = ws.dashboard_screen(&req, 80.0).unwrap();
    assert_eq!(
        sent.view.totals.total_users,
        Some(users + 1),
        "no step back"
    );
    let mut status = ws.dashboard_refresh_status().unwrap();
    status.wait_for(|s| !s.running).await.unwrap();
    let after = ws.dashboard_screen(&req, 80.0).unwrap().view.totals;
    assert_eq!(
        after.total_users,
        Some(users + 1),
        "the server's own total now"
    );
    assert_eq!(after.pending, None, "confirmed: no longer marked");
    let server = client(&sb, 0)
        .dashboard(
            &req.range
                .resolve(chrono::Utc::now().date_naive())
                .unwrap()
                .api(),
        )
        .await
        .unwrap();
    assert_eq!(server.total_users, users + 1);
}
