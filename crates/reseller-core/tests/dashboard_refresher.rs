//! The dashboard's background refresher against a real sandbox over loopback HTTP, into a real
//! SQLite cache file, without Tauri: the screen asks for a refresh on every re-read, so a
//! request for the range being refreshed joins the running job, a finished range is not
//! refreshed again for a while, a new range cancels the old one, and the "re-read" changes it
//! announces are throttled. Requests are counted at the sandbox; changes on the engine's stream.

mod support;

use std::time::{Duration, Instant};

use reseller_core::dashboard::refresher::{RefreshStatus, RefreshTiming};
use reseller_core::dashboard::RangeRequest;
use reseller_core::sync::sync_customer_list;
use reseller_core::workspace::Workspace;
use scriptix_api::{Client, ClientConfig};
use scriptix_sandbox::{start, FaultConfig, Gap, Sandbox, SandboxConfig};
use tokio::sync::broadcast::error::TryRecvError;

/// Far longer than any of these refreshes takes; only a hang reaches it.
const PATIENCE: Duration = Duration::from_secs(120);

async fn sandbox(customers: usize, gaps: &[Gap]) -> Sandbox {
    start(SandboxConfig {
        customers,
        seed: 31,
        disabled_gaps: gaps.iter().copied().collect(),
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

/// A workspace over a cache file holding the sandbox's customers.
async fn workspace(sb: &Sandbox) -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = ClientConfig::new(sb.base_url(), sb.reseller_token());
    config.rate_limit_per_minute = 0;
    let c = Client::new(config).unwrap();
    let ws = Workspace::open(support::reseller_info(sb.base_url()), c.clone(), dir.path()).unwrap();
    sync_customer_list(&c, ws.engine().cache()).await.unwrap();
    (dir, ws)
}

/// Every request from now on is held `ms` at the server (so a job is surely still running).
fn slow(sb: &Sandbox, ms: u64) {
    sb.set_faults(FaultConfig {
        latency_ms: ms,
        ..FaultConfig::default()
    });
}

/// Waits for the current job to end (its task too, so its last announcement is out) and
/// returns how it ended.
async fn finished(ws: &Workspace) -> RefreshStatus {
    let mut rx = ws.dashboard_refresh_status().expect("a job was started");
    let status = tokio::time::timeout(PATIENCE, rx.wait_for(|s| !s.running))
        .await
        .expect("the refresh ended")
        .expect("the job was not dropped")
        .clone();
    // The status stream closes when the task ends.
    tokio::time::timeout(PATIENCE, async { while rx.changed().await.is_ok() {} })
        .await
        .expect("the task ended");
    status
}

/// Waits until the sandbox has received more than `n` requests.
async fn requests_above(sb: &Sandbox, n: u64) {
    let start = Instant::now();
    while sb.stats().requests <= n {
        assert!(start.elapsed() < PATIENCE, "the job never sent a request");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Usage rows cached for a range: how far its computed dashboard got.
fn covered(ws: &Workspace, range: RangeRequest) -> u64 {
    let req = reseller_core::dashboard::DashboardRequest {
        range,
        sort: Default::default(),
        direction: Default::default(),
        offset: 0,
        limit: 1,
    };
    ws.dashboard(&req, 80.0).unwrap().coverage.unwrap().covered
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_request_for_the_same_range_joins_the_running_job() {
    let sb = sandbox(12, &[]).await;
    let (_dir, ws) = workspace(&sb).await;
    let before = sb.stats().requests;
    slow(&sb, 1000);

    let first = ws
        .refresh_dashboard_in_background(&RangeRequest::ThisMonth)
        .unwrap();
    assert!(first.running);
    // The dashboard request is at the server (and held there): the job is running.
    requests_above(&sb, before).await;
    let second = ws
        .refresh_dashboard_in_background(&RangeRequest::ThisMonth)
        .unwrap();
    assert!(second.running, "{second:?}");
    let end = finished(&ws).await;
    assert_eq!(end.error, None);
    assert_eq!(
        sb.stats().requests,
        before + 1,
        "one dashboard request for both asks"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finished_range_is_not_refreshed_again_within_restart_after() {
    let sb = sandbox(12, &[]).await;
    let (_dir, ws) = workspace(&sb).await;
    let before = sb.stats().requests;
    ws.refresh_dashboard_in_background(&RangeRequest::ThisMonth)
        .unwrap();
    assert_eq!(finished(&ws).await.error, None);
    let sent = sb.stats().requests;
    assert_eq!(sent, before + 1);

    // Asked again at once (the window re-reads after the change): the finished job answers.
    let again = ws
        .refresh_dashboard_in_background(&RangeRequest::ThisMonth)
        .unwrap();
    assert!(!again.running, "{again:?}");
    assert_eq!(sb.stats().requests, sent);

    // With no pause between refreshes the same ask starts a new job (so the above was the
    // rule at work, not chance); the dashboard is fresh, so it sends nothing.
    ws.set_dashboard_refresh_timing(RefreshTiming {
        restart_after: Duration::ZERO,
        ..RefreshTiming::default()
    });
    let restarted = ws
        .refresh_dashboard_in_background(&RangeRequest::ThisMonth)
        .unwrap();
    assert!(restarted.running);
    assert_eq!(finished(&ws).await.error, None);
    assert_eq!(sb.stats().requests, sent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_range_cancels_the_old_one() {
    // No dashboard endpoint: each range is computed customer by customer.
    const CUSTOMERS: usize = 20;
    let sb = sandbox(CUSTOMERS, &[Gap::Dashboard]).await;
    let (_dir, ws) = workspace(&sb).await;
    let before = sb.stats().requests;
    slow(&sb, 150);

    ws.refresh_dashboard_in_background(&RangeRequest::ThisMonth)
        .unwrap();
    let mut old = ws.dashboard_refresh_status().unwrap();
    requests_above(&sb, before).await;
    let next = ws
        .refresh_dashboard_in_background(&RangeRequest::LastMonth)
        .unwrap();
    assert!(next.running);
    // The old job is gone: its status stream closes without it finishing.
    let closed = tokio::time::timeout(PATIENCE, old.wait_for(|s| !s.running))
        .await
        .expect("the old job was dropped");
    assert!(closed.is_err(), "the old job ran to its end");

    slow(&sb, 0);
    assert_eq!(finished(&ws).await.error, None);
    assert_eq!(covered(&ws, RangeRequest::LastMonth), CUSTOMERS as u64);
    let this_month = covered(&ws, RangeRequest::ThisMonth);
    assert!(
        this_month < CUSTOMERS as u64,
        "the cancelled range was filled anyway"
    );
    // And stays where it stopped: nothing runs for it any more.
    let sent = sb.stats().requests;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sb.stats().requests, sent);
    assert_eq!(covered(&ws, RangeRequest::ThisMonth), this_month);
}

/// Runs a computed refresh of this month to its end; returns the "re-read" changes announced
/// and how long it took.
async fn count_announcements(timing: RefreshTiming, customers: usize) -> (usize, Duration) {
    let sb = sandbox(customers, &[Gap::Dashboard]).await;
    let (_dir, ws) = workspace(&sb).await;
    ws.set_dashboard_refresh_timing(timing);
    let mut changes = ws.engine().changes();
    let start = Instant::now();
    ws.refresh_dashboard_in_background(&RangeRequest::ThisMonth)
        .unwrap();
    let end = finished(&ws).await;
    let took = start.elapsed();
    assert_eq!(end.error, None);
    assert_eq!((end.done, end.total), (customers, customers));
    let mut count = 0;
    loop {
        match changes.try_recv() {
            Ok(change) => {
                assert!(change.details_changed);
                count += 1;
            }
            Err(TryRecvError::Empty) => break,
            Err(e) => panic!("announcements lost: {e:?}"),
        }
    }
    (count, took)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn re_read_announcements_are_throttled() {
    const CUSTOMERS: usize = 40;
    // Unthrottled, every customer fetched is announced, then the end: the count is real.
    let (every, _) = count_announcements(
        RefreshTiming {
            notify_every: Duration::ZERO,
            ..RefreshTiming::default()
        },
        CUSTOMERS,
    )
    .await;
    assert!(every > CUSTOMERS, "{every} announcements");

    // Throttled: at most one per interval while it runs, plus the end.
    let (throttled, took) = count_announcements(RefreshTiming::default(), CUSTOMERS).await;
    let intervals = took.as_millis() / RefreshTiming::default().notify_every.as_millis();
    println!("{throttled} announcements over {took:?}");
    assert!(throttled >= 1, "the end is always announced");
    assert!(
        throttled as u128 <= intervals + 1,
        "{throttled} announcements over {took:?}"
    );
}
