//! A user's own action never waits, and the status knows the network at once, against a real
//! sandbox over loopback and a real cache file:
//! - a change made while the detail prefetch runs reaches the server before the rest of that
//!   prefetch (the order is the server's, counted; no timing asserts);
//! - a refused connection makes the status offline, with the reason;
//! - a server that accepts connections and never answers is noticed by the probe, long before
//!   the request's own timeout;
//! - a server that comes back is noticed and what waited is sent.
//!
//! The waits below are bounds on getting stuck, not speed checks.

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use reseller_core::customers::CustomerForm;
use reseller_core::sync::Connectivity;
use reseller_core::workspace::Workspace;
use scriptix_api::{Client, ClientConfig};
use scriptix_sandbox::{start, Sandbox, SandboxConfig};
use tokio::net::{TcpListener, TcpStream};

const LIMIT: u32 = 30;

async fn limited_sandbox(customers: usize) -> Sandbox {
    slow_sandbox(customers, 0).await
}

/// A sandbox at `LIMIT` requests a minute answering each request after `latency_ms`.
async fn slow_sandbox(customers: usize, latency_ms: u64) -> Sandbox {
    start(SandboxConfig {
        customers,
        seed: 41,
        rate_limit_per_minute: LIMIT,
        faults: scriptix_sandbox::FaultConfig {
            latency_ms,
            ..Default::default()
        },
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn client_at(base_url: &str, token: &str, limit: u32) -> Client {
    let mut config = ClientConfig::new(base_url, token);
    config.rate_limit_per_minute = limit;
    Client::new(config).unwrap()
}

/// A workspace on a cache file in a temporary folder, its client at `base` (limit 0: none),
/// with its engine's loops running.
fn running_workspace(base: &str, token: &str, limit: u32) -> (tempfile::TempDir, Arc<Workspace>) {
    let dir = tempfile::tempdir().unwrap();
    let ws = Arc::new(
        Workspace::open(
            support::reseller_info(base),
            client_at(base, token, limit),
            dir.path(),
        )
        .unwrap(),
    );
    tokio::spawn(ws.engine().clone().run(Duration::from_secs(3600), 0));
    (dir, ws)
}

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..600 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("stuck waiting for: {what}");
}

fn is_detail_get(route: &str) -> bool {
    route.starts_with("GET ")
        && ["/subscription", "/usage", "/token", "/user", "/transcript"]
            .iter()
            .any(|part| route.contains(part))
}

/// A running workspace on `sb` whose first round is done and whose prefetch is under way, with
/// its status stream.
async fn prefetch_under_way(
    sb: &Sandbox,
) -> (
    tempfile::TempDir,
    Arc<Workspace>,
    tokio::sync::watch::Receiver<reseller_core::sync::SyncStatus>,
) {
    let (dir, ws) = running_workspace(sb.base_url(), sb.reseller_token(), LIMIT);
    let mut status = ws.engine().subscribe();
    tokio::time::timeout(
        Duration::from_secs(60),
        status.wait_for(|s| s.last_synced.is_some()),
    )
    .await
    .unwrap()
    .unwrap();
    until("the prefetch to be under way", || {
        sb.stats().order.iter().filter(|r| is_detail_get(r)).count() >= 4
    })
    .await;
    (dir, ws, status)
}

#[tokio::test]
async fn a_bulk_change_stops_the_prefetch_and_takes_its_lane() {
    let sb = slow_sandbox(30, 150).await;
    let (_dir, ws, mut status) = prefetch_under_way(&sb).await;
    let ids: Vec<i64> = ws
        .list(&reseller_core::customers::ListRequest {
            search: String::new(),
            status: Some(true),
            sort: reseller_core::cache::SortColumn::Id,
            direction: reseller_core::cache::SortDirection::Asc,
            offset: 0,
            limit: 3,
        })
        .unwrap()
        .rows
        .iter()
        .map(|r| r.customer.id)
        .collect();
    let queued_at = sb.stats().order.len();
    let report = ws
        .bulk_customers(
            reseller_core::customers::BulkAction::Deactivate,
            &reseller_core::customers::Selection {
                ids: ids.clone(),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(report.queued, 3);
    tokio::time::timeout(
        Duration::from_secs(120),
        status.wait_for(|s| s.pending == 0),
    )
    .await
    .expect("the bulk change is sent")
    .unwrap();
    let order = sb.stats().order;
    let put = "PUT /api/v3/reseller/customer/{id}/";
    let puts = order[queued_at..].iter().filter(|r| *r == put).count();
    assert_eq!(puts, 3, "each organisation once");
    // From the moment it was queued, the prefetch finished at most the tab under way; the
    // rest of its plan waited for a later round.
    let last_put = queued_at + order[queued_at..].iter().rposition(|r| r == put).unwrap();
    let details_between = order[queued_at..last_put]
        .iter()
        .filter(|r| is_detail_get(r))
        .count();
    assert!(
        details_between <= 1,
        "the prefetch went on beside the bulk change: {:?}",
        &order[queued_at..=last_put]
    );
}

#[tokio::test]
async fn a_change_goes_out_while_the_prefetch_runs_not_after_it() {
    // Each request takes 150 ms: the first round's prefetch (what the budget leaves of 30
    // customers' tabs) takes seconds, and the change is made in the middle of it.
    let sb = slow_sandbox(30, 150).await;
    let (_dir, ws, mut status) = prefetch_under_way(&sb).await;

    let first = ws
        .list(&reseller_core::customers::ListRequest {
            search: String::new(),
            status: None,
            sort: reseller_core::cache::SortColumn::Id,
            direction: reseller_core::cache::SortDirection::Asc,
            offset: 0,
            limit: 1,
        })
        .unwrap()
        .rows[0]
        .customer
        .clone();
    let form = CustomerForm {
        name: "Renamed while the prefetch runs".into(),
        email: first.email.clone(),
        phone: first.phone.clone().unwrap_or_default(),
        is_active: first.is_active,
    };
    let put = "PUT /api/v3/reseller/customer/{id}/".to_string();
    ws.update_customer(first.id, &form).unwrap();
    until("the change to reach the server", || {
        sb.stats().order.contains(&put)
    })
    .await;
    tokio::time::timeout(Duration::from_secs(60), status.wait_for(|s| s.pending == 0))
        .await
        .expect("the change is settled")
        .unwrap();
    // The round's prefetch goes on after the change (one round only: the interval is an hour).
    until("the prefetch to go on after the change", || {
        let order = sb.stats().order;
        let at = order.iter().position(|r| *r == put).unwrap();
        order[at..].iter().any(|r| is_detail_get(r))
    })
    .await;
    assert_eq!(
        sb.stats().rate_limited,
        0,
        "the reserve was real: no request drew a 429"
    );
}

/// A port where nothing listens.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn a_refused_connection_is_offline_with_its_reason() {
    let sb = limited_sandbox(3).await;
    let base = format!("http://127.0.0.1:{}", closed_port());
    let (_dir, ws) = running_workspace(&base, sb.reseller_token(), 0);
    let engine = ws.engine().clone();
    let mut status = engine.subscribe();
    tokio::time::timeout(
        Duration::from_secs(30),
        status.wait_for(|s| s.connectivity == Connectivity::Offline),
    )
    .await
    .expect("offline is known")
    .unwrap();
    let now = engine.status();
    let reason = now.offline_reason.unwrap();
    assert!(reason.contains("could not connect"), "{reason}");
    assert_eq!(now.last_error, None, "offline is a state, not an error");
    assert_eq!(now.activity, None, "nothing claims to be running");
}

/// Accepts connections and never answers them.
async fn frozen_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    port
}

#[tokio::test]
async fn a_silent_server_is_noticed_by_the_probe_not_the_request_timeout() {
    let base = format!("http://127.0.0.1:{}", frozen_server().await);
    let (_dir, ws) = running_workspace(&base, "token-0000000000", 0);
    let engine = ws.engine().clone();
    let mut status = engine.subscribe();
    // A request that waits for the 30-second request timeout.
    let client = engine.client().lane(scriptix_api::Lane::Background);
    let request = tokio::spawn(async move { client.get_customer(1).await });
    tokio::time::timeout(
        Duration::from_secs(25),
        status.wait_for(|s| s.connectivity == Connectivity::Offline),
    )
    .await
    .expect("the probe noticed the silence")
    .unwrap();
    assert!(!request.is_finished(), "before the request's own timeout");
    let reason = engine.status().offline_reason.unwrap();
    assert!(reason.contains("no answer within"), "{reason}");
    request.abort();
}

/// A loopback proxy to the sandbox that can be cut: while down it resets every connection.
struct Cable {
    port: u16,
    up: Arc<AtomicBool>,
}

async fn cable_to(target: &str) -> Cable {
    let target = target
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let up = Arc::new(AtomicBool::new(true));
    let flag = up.clone();
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            if !flag.load(Ordering::SeqCst) {
                drop(inbound);
                continue;
            }
            let target = target.clone();
            let flag = flag.clone();
            tokio::spawn(async move {
                let Ok(mut outbound) = TcpStream::connect(&target).await else {
                    return;
                };
                // A connection kept alive across a cut is cut too.
                tokio::select! {
                    _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                    _ = async {
                        while flag.load(Ordering::SeqCst) {
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    } => {}
                }
            });
        }
    });
    Cable { port, up }
}

#[tokio::test]
async fn the_server_coming_back_is_noticed_and_what_waited_is_sent() {
    let sb = limited_sandbox(5).await;
    let cable = cable_to(sb.base_url()).await;
    let path = sb
        .base_url()
        .trim_start_matches("http://")
        .split_once('/')
        .map(|(_, p)| format!("/{p}"))
        .unwrap_or_default();
    let base = format!("http://127.0.0.1:{}{path}", cable.port);
    let (_dir, ws) = running_workspace(&base, sb.reseller_token(), 0);
    let engine = ws.engine().clone();
    let mut status = engine.subscribe();
    tokio::time::timeout(
        Duration::from_secs(60),
        status.wait_for(|s| s.last_synced.is_some() && s.connectivity == Connectivity::Online),
    )
    .await
    .unwrap()
    .unwrap();

    cable.up.store(false, Ordering::SeqCst);
    tokio::time::timeout(
        Duration::from_secs(30),
        status.wait_for(|s| s.connectivity == Connectivity::Offline),
    )
    .await
    .expect("the cut is noticed")
    .unwrap();
    let created = ws
        .create_customer(&CustomerForm {
            name: "Made offline BV".into(),
            email: "made.offline@example.org".into(),
            phone: String::new(),
            is_active: true,
        })
        .unwrap();
    assert!(created.customer.id < 0, "not on the server yet");
    assert_eq!(engine.status().pending, 1);
    // While offline nothing claims to be sending.
    assert_eq!(engine.status().activity, None);

    cable.up.store(true, Ordering::SeqCst);
    tokio::time::timeout(
        Duration::from_secs(30),
        status.wait_for(|s| s.connectivity == Connectivity::Online && s.pending == 0),
    )
    .await
    .expect("back online, the change is sent")
    .unwrap();
    let on_server = support::server_customers(&support::client(&sb)).await;
    assert_eq!(
        on_server
            .values()
            .filter(|c| c.email == "made.offline@example.org")
            .count(),
        1
    );
}
