//! The sync engine as the app runs it: the status stream (offline is a state), the change
//! feed, and the background loop woken by a nudge.

mod support;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use reseller_core::customers::{create_customer, CustomerForm};
use reseller_core::sync::{Connectivity, SyncEngine};
use support::*;

fn form(email: &str) -> CustomerForm {
    CustomerForm {
        name: "Engine Test BV".into(),
        email: email.into(),
        phone: String::new(),
        is_active: true,
    }
}

#[tokio::test]
async fn offline_is_a_state_and_the_next_online_round_clears_it() {
    let sb = sandbox(30, 21).await;
    let (_dir, cache) = cache();
    let cache = Arc::new(cache);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let offline = SyncEngine::new(
        client_for(&format!("http://127.0.0.1:{port}"), sb.reseller_token()),
        cache.clone(),
    );
    let local = create_customer(
        &cache.lock().unwrap(),
        &form("engine@offline.test"),
        Utc::now(),
    )
    .unwrap();
    offline.refresh_counts();
    assert_eq!(offline.status().pending, 1);

    let err = offline.sync_now(false).await.unwrap_err();
    assert!(err.is_offline());
    let status = offline.status();
    assert_eq!(status.connectivity, Connectivity::Offline);
    assert!(
        status.offline_reason.as_deref().unwrap().contains("reach"),
        "{status:?}"
    );
    assert_eq!(status.last_error, None, "offline is not an error");
    assert_eq!(status.last_synced, None);
    assert_eq!(status.pending, 1, "still waiting");
    assert_eq!(status.activity, None);
    let budget = offline.client().budget();
    assert_eq!(
        budget.remaining_in_window, budget.limit,
        "attempts that never connected cost no budget, so reconnecting does not stall"
    );

    let online = SyncEngine::new(client(&sb), cache.clone());
    let mut changes = online.changes();
    let round = online.sync_now(false).await.unwrap();
    assert_eq!(round.replay.completed, 1);
    let status = online.status();
    assert_eq!(status.connectivity, Connectivity::Online);
    assert!(status.last_synced.is_some());
    assert_eq!((status.pending, status.failed, status.conflicts), (0, 0, 0));
    let change = changes.try_recv().unwrap();
    assert_eq!(change.remapped.len(), 1);
    assert_eq!(change.remapped[0].0, local.id);
    assert_cache_equals_server(online.client(), &cache).await;
}

#[tokio::test]
async fn the_background_loop_sends_an_edit_when_nudged() {
    let sb = sandbox(30, 22).await;
    let (_dir, cache) = cache();
    let cache = Arc::new(cache);
    let engine = SyncEngine::new(client(&sb), cache.clone());
    let mut status = engine.subscribe();
    // A long interval: only the nudge can make the second round happen in time.
    tokio::spawn(engine.clone().run(Duration::from_secs(3600), 0));
    tokio::time::timeout(
        Duration::from_secs(10),
        status.wait_for(|s| s.last_synced.is_some()),
    )
    .await
    .unwrap()
    .unwrap();

    create_customer(
        &cache.lock().unwrap(),
        &form("engine@nudge.test"),
        Utc::now(),
    )
    .unwrap();
    engine.refresh_counts();
    assert_eq!(engine.status().pending, 1);
    engine.nudge();
    tokio::time::timeout(Duration::from_secs(10), status.wait_for(|s| s.pending == 0))
        .await
        .expect("the nudged round sent the edit")
        .unwrap();
    let on_server = engine
        .client()
        .list_customers(&scriptix_api::CustomerQuery {
            filters: vec![("email".into(), "engine@nudge.test".into())],
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(on_server.items.len(), 1);
}

#[tokio::test]
async fn the_open_customer_is_fetched_first_and_rounds_prefetch_within_the_budget() {
    use reseller_core::cache::{Freshness, Scope, Tab};
    let sb = sandbox(40, 23).await; // the default 100 requests a minute
    let (_dir, cache) = cache();
    let cache = Arc::new(cache);
    let engine = SyncEngine::new(client(&sb), cache.clone());
    let freshness = |id: i64, tab: Tab| {
        cache
            .lock()
            .unwrap()
            .freshness(
                &Scope::CustomerTab {
                    customer_id: id,
                    tab,
                },
                Utc::now(),
            )
            .unwrap()
    };
    reseller_core::sync::sync_customer_list(engine.client(), &cache)
        .await
        .unwrap();

    engine.set_open_customer(Some(1007));
    let opened = engine.refresh_open_customer().await.unwrap();
    assert_eq!(opened.refreshed, 5, "the five tabs of the open customer");
    for tab in Tab::ALL {
        assert_eq!(freshness(1007, tab), Freshness::Fresh, "{tab:?}");
        assert_eq!(
            freshness(1008, tab),
            Freshness::Missing,
            "only the open one"
        );
    }

    // A round prefetches the rest with what the budget leaves, and never draws a 429.
    let round = engine.sync_now(false).await.unwrap();
    let prefetch = round.prefetch.expect("the round prefetched");
    assert!(prefetch.refreshed > 0, "{prefetch:?}");
    assert_eq!(sb.stats().rate_limited, 0);
    let budget = engine.client().budget();
    assert!(
        budget.remaining_in_window >= budget.reserve,
        "the interactive reserve is kept: {budget:?}"
    );
}

/// "Sync now" on an organisation's page costs one request per tab, whether the round it runs
/// first finds the tabs stale (and fetches them) or fresh (then "Sync now" fetches them again).
#[tokio::test]
async fn sync_now_fetches_each_tab_of_the_open_organisation_once() {
    use reseller_core::workspace::Workspace;
    // One organisation: every detail request the sandbox counts is about it.
    let sb = sandbox(1, 24).await;
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open(reseller_info(sb.base_url()), client(&sb), dir.path()).unwrap();
    let engine = ws.engine().clone();
    engine.sync_now(false).await.unwrap();
    let id = *cached_customers(engine.cache()).keys().next().unwrap();
    engine.set_open_customer(Some(id));
    for stale in [true, false] {
        if stale {
            make_tabs_stale(&engine, id);
        }
        let before = sb.stats().by_route;
        ws.sync_now().await;
        let sent = tab_requests_since(&sb, &before);
        assert_eq!(sent.len(), 5, "stale {stale}: every tab's route: {sent:?}");
        assert!(
            sent.iter().all(|(_, n)| *n == 1),
            "stale {stale}: each route once: {sent:?}"
        );
    }
}

/// "Sync now" pressed while the prefetch is fetching the open organisation's stale tabs (the
/// prefetch puts it first): each tab is fetched once between them, not once by each.
#[tokio::test]
async fn sync_now_during_the_prefetch_of_the_open_organisation_fetches_each_tab_once() {
    let sb = sandbox(1, 25).await;
    let (_dir, cache) = cache();
    let engine = SyncEngine::new(client(&sb), Arc::new(cache));
    engine.sync_now(false).await.unwrap();
    let id = *cached_customers(engine.cache()).keys().next().unwrap();
    engine.set_open_customer(Some(id));
    make_tabs_stale(&engine, id);
    // Every request takes a while, so the prefetch's fetch is under way when Sync now asks.
    sb.set_faults(scriptix_sandbox::FaultConfig {
        latency_ms: 300,
        ..Default::default()
    });
    let before = sb.stats().by_route;
    let arrived = sb.stats().requests;
    let prefetch = {
        let engine = engine.clone();
        tokio::spawn(async move { engine.refresh_open_customer().await })
    };
    while sb.stats().requests == arrived {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let refreshed = engine.refresh_open_customer_now(Utc::now()).await.unwrap();
    let report = prefetch.await.unwrap().unwrap();
    assert_eq!(refreshed, 5, "Sync now has every tab");
    let sent = tab_requests_since(&sb, &before);
    assert_eq!(sent.len(), 5, "every tab's route: {sent:?}");
    assert!(
        sent.iter().all(|(_, n)| *n == 1),
        "each route once between the two: {sent:?} (prefetch {report:?})"
    );
}

/// Every tab of organisation `id` marked stale in the engine's cache.
fn make_tabs_stale(engine: &SyncEngine, id: i64) {
    use reseller_core::cache::{Scope, Tab};
    let cache = engine.cache().lock().unwrap();
    for tab in Tab::ALL {
        cache
            .invalidate(&Scope::CustomerTab {
                customer_id: id,
                tab,
            })
            .unwrap();
    }
}

/// The requests to an organisation's tab routes (not the organisation's own, `…/customer/{id}/`)
/// since the sandbox's counts were `before`, by route.
fn tab_requests_since(
    sb: &scriptix_sandbox::Sandbox,
    before: &std::collections::BTreeMap<String, u64>,
) -> Vec<(String, u64)> {
    sb.stats()
        .by_route
        .into_iter()
        .filter(|(route, _)| {
            route.starts_with("GET ")
                && route.contains("/customer/{id}/")
                && !route.ends_with("/customer/{id}/")
        })
        .map(|(route, n)| {
            let was = before.get(&route).copied().unwrap_or(0);
            (route, n - was)
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}
