//! Retries, exactly-once creates, rate limits and dead servers, against the real sandbox with
//! injected faults.

mod common;

use std::time::Duration;

use common::*;
use scriptix_api::*;
use scriptix_sandbox::{FaultConfig, SandboxConfig};

/// The sandbox matches fault routes against the path without its trailing slash.
const CUSTOMER_ROUTE: &str = "/api/v3/reseller/customer";

fn faults(route: &str, seed: u64, change: impl FnOnce(&mut FaultConfig)) -> FaultConfig {
    let mut f = FaultConfig {
        route: Some(route.to_string()),
        seed: Some(seed),
        ..FaultConfig::default()
    };
    change(&mut f);
    f
}

async fn first_id(api: &Client) -> i64 {
    api.list_customers(&CustomerQuery::default())
        .await
        .unwrap()
        .items[0]
        .id
}

async fn total(api: &Client) -> u64 {
    api.list_customers(&CustomerQuery::default())
        .await
        .unwrap()
        .total
        .unwrap()
}

#[tokio::test]
async fn gets_are_retried_through_5xx_resets_and_truncations() {
    let sbx = sandbox().await;
    let api = client_with(&sbx, |c| c.max_retries = 10);
    let ids: Vec<i64> = api
        .list_customers(&CustomerQuery {
            limit: Some(30),
            ..Default::default()
        })
        .await
        .unwrap()
        .items
        .iter()
        .map(|c| c.id)
        .collect();
    sbx.reset_stats();
    let sent_before = api.requests_sent();
    sbx.set_faults(faults(CUSTOMER_ROUTE, 11, |f| {
        f.error_rate = 0.15;
        f.reset_rate = 0.15;
        f.truncate_rate = 0.15;
    }));
    for id in &ids {
        let c = within(60, api.get_customer(*id)).await.unwrap();
        assert_eq!(c.id, *id);
    }
    for offset in [0, 100, 200] {
        let page = within(
            60,
            api.list_customers(&CustomerQuery {
                limit: Some(100),
                offset: Some(offset),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
        assert_eq!(page.items.len(), 100.min(250 - offset as usize));
    }
    let stats = sbx.stats();
    assert!(stats.faults_injected >= 5, "{stats:?}");
    let sent = api.requests_sent() - sent_before;
    assert_eq!(sent, stats.requests, "every wire request is counted once");
    assert!(sent > ids.len() as u64 + 3, "faults were retried: {sent}");
}

#[tokio::test]
async fn a_get_whose_retries_run_out_reports_the_last_failure() {
    let sbx = sandbox().await;
    let api = client_with(&sbx, |c| c.max_retries = 2);
    let id = first_id(&api).await;
    sbx.set_faults(faults(CUSTOMER_ROUTE, 1, |f| f.error_rate = 1.0));
    let e = within(30, api.get_customer(id)).await.unwrap_err();
    assert!(
        matches!(
            e,
            ApiError::Server {
                status: 500..=503,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(api.requests_sent(), 4);

    // The sandbox's truncation drops the connection mid-answer: a cut body or a lost answer.
    sbx.set_faults(faults(CUSTOMER_ROUTE, 1, |f| f.truncate_rate = 1.0));
    let e = within(30, api.get_customer(id)).await.unwrap_err();
    assert!(matches!(e.code(), "malformed" | "offline"), "{e:?}");
    assert_eq!(api.requests_sent(), 7);

    sbx.set_faults(faults(CUSTOMER_ROUTE, 1, |f| f.reset_rate = 1.0));
    let e = within(30, api.get_customer(id)).await.unwrap_err();
    assert!(e.is_offline(), "{e:?}");
    assert_eq!(api.requests_sent(), 10);
}

#[tokio::test]
async fn a_post_is_never_re_sent_once_it_may_have_reached_the_server() {
    let sbx = sandbox().await;
    let api = client_with(&sbx, |c| c.max_retries = 5);
    // Sends one create under `fault`; returns the error and how many customers it created.
    // The sandbox counts every request it receives, faulted or not.
    let create_under = |fault: FaultConfig, n: u64| {
        let (sbx, api) = (&sbx, &api);
        async move {
            let before = total(api).await;
            let received = sbx.stats().requests;
            sbx.set_faults(fault);
            let input = CustomerInput::new(format!("Once {n}"), format!("once{n}@example.org"));
            let result = within(30, api.create_customer(&input)).await;
            sbx.set_faults(FaultConfig::default());
            assert_eq!(sbx.stats().requests - received, 1, "sent exactly once");
            (result.unwrap_err(), total(api).await - before)
        }
    };
    let mut applied_but_lost = 0;
    for n in 0..12 {
        let (e, created) =
            create_under(faults(CUSTOMER_ROUTE, 100 + n, |f| f.reset_rate = 1.0), n).await;
        assert!(e.is_offline(), "{e:?}");
        assert!(e.to_string().contains("may have reached the server"), "{e}");
        assert!(created <= 1);
        applied_but_lost += created;
    }
    assert!(
        applied_but_lost >= 1,
        "some resets came after the handler ran"
    );

    // A 5xx is not re-sent either, and says so with its status.
    let (e, created) = create_under(faults(CUSTOMER_ROUTE, 5, |f| f.error_rate = 1.0), 50).await;
    assert!(matches!(e, ApiError::Server { .. }), "{e:?}");
    assert_eq!(created, 0);

    // A truncated answer: created exactly once, and a typed error.
    let (e, created) = create_under(faults(CUSTOMER_ROUTE, 6, |f| f.truncate_rate = 1.0), 60).await;
    // Cut body (malformed) or lost answer (offline), depending on where the cut falls.
    assert!(matches!(e.code(), "malformed" | "offline"), "{e:?}");
    assert!(e.to_string().contains("may have"), "{e}");
    assert_eq!(created, 1, "exactly one created");
}

#[tokio::test]
async fn a_delete_whose_answer_was_lost_succeeds_on_retry() {
    let sbx = sandbox().await;
    let api = client_with(&sbx, |c| c.max_retries = 12);
    let mut ids = Vec::new();
    for i in 0..8 {
        let c = api
            .create_customer(&CustomerInput::new(
                format!("Doomed {i}"),
                format!("d{i}@example.org"),
            ))
            .await
            .unwrap();
        ids.push(c.id);
    }
    sbx.reset_stats();
    sbx.set_faults(faults(CUSTOMER_ROUTE, 21, |f| f.reset_rate = 0.6));
    for id in &ids {
        within(60, api.delete_customer(*id)).await.unwrap();
    }
    sbx.set_faults(FaultConfig::default());
    assert!(
        sbx.stats().requests > ids.len() as u64,
        "some deletes were retried"
    );
    for id in &ids {
        let e = api.get_customer(*id).await.unwrap_err();
        assert_eq!(e.code(), "not_found");
    }
}

#[tokio::test]
async fn retry_after_is_obeyed_for_any_method() {
    let sbx = sandbox().await;
    let api = client_with(&sbx, |c| c.rate_limit_per_minute = 100);
    let before = total(&api).await;
    let id = first_id(&api).await;
    // The sandbox allows 3 per 2 s; the client believes in 100 per minute and sends 6 at once.
    sbx.set_rate_limit(3, Duration::from_secs(2));
    sbx.reset_stats();
    let sent_before = api.requests_sent();
    let mut tasks = Vec::new();
    for i in 0..6 {
        let api = api.clone();
        tasks.push(tokio::spawn(async move {
            if i % 2 == 0 {
                api.get_customer(id).await.map(|_| ())
            } else {
                let input = CustomerInput::new(format!("R{i}"), format!("r{i}@example.org"));
                api.create_customer(&input).await.map(|_| ())
            }
        }));
    }
    for t in tasks {
        within(60, t).await.unwrap().unwrap();
    }
    let stats = sbx.stats();
    assert!(stats.rate_limited >= 3, "{stats:?}");
    assert_eq!(api.requests_sent() - sent_before, 6 + stats.rate_limited);
    // The refused POSTs were re-sent and each created exactly one customer.
    assert_eq!(total(&api).await - before, 3);
}

#[tokio::test]
async fn rate_limited_when_retries_run_out() {
    let sbx = sandbox().await;
    let api = client_with(&sbx, |c| c.max_retries = 2);
    let id = first_id(&api).await;
    sbx.set_faults(faults(CUSTOMER_ROUTE, 3, |f| f.rate_limit_rate = 1.0));
    let e = within(30, api.get_customer(id)).await.unwrap_err();
    match e {
        ApiError::RateLimited { retry_after } => assert_eq!(retry_after, Duration::from_secs(1)),
        other => panic!("{other:?}"),
    }
    assert_eq!(api.requests_sent(), 4);
    assert!(api.budget().blocked_for.is_some());
    assert_eq!(api.budget().remaining_in_window, 0);
}

#[tokio::test]
async fn the_right_budget_never_draws_a_429() {
    let sbx = sandbox().await;
    let ids: Vec<i64> = client(&sbx)
        .list_customers(&CustomerQuery::default())
        .await
        .unwrap()
        .items
        .iter()
        .map(|c| c.id)
        .collect();
    sbx.set_rate_limit(4, Duration::from_secs(2));
    sbx.reset_stats();
    let api = client_with(&sbx, |c| c.rate_limit_per_minute = 4);
    let background = api.lane(Lane::Background);
    let mut tasks = Vec::new();
    for (i, &id) in ids.iter().enumerate().take(6) {
        let (fg, bg) = (api.clone(), background.clone());
        tasks.push(tokio::spawn(async move {
            if i % 2 == 0 {
                fg.get_customer(id).await.map(|_| ())
            } else {
                bg.list_customers(&CustomerQuery::default())
                    .await
                    .map(|_| ())
            }
        }));
    }
    for _ in 0..4 {
        api.get_customer(ids[9]).await.unwrap();
    }
    for t in tasks {
        within(60, t).await.unwrap().unwrap();
    }
    let stats = sbx.stats();
    assert_eq!(stats.rate_limited, 0, "{stats:?}");
    assert_eq!(api.requests_sent(), 10, "more than the limit, no retries");
    assert_eq!(stats.requests, 10);
}

#[tokio::test]
async fn a_server_killed_mid_request_means_offline() {
    let sbx = sandbox_with(SandboxConfig {
        rate_limit_per_minute: 0,
        faults: FaultConfig {
            latency_ms: 5_000,
            ..FaultConfig::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let api = client_with(&sbx, |c| c.max_retries = 2);
    let call = {
        let api = api.clone();
        tokio::spawn(async move { api.list_customers(&CustomerQuery::default()).await })
    };
    // Wait until the sandbox holds the request (it sleeps 5 s before answering).
    within(10, async {
        while sbx.stats().requests == 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(!call.is_finished(), "the request is in flight");
    sbx.kill();
    let e = within(30, call).await.unwrap().unwrap_err();
    assert!(e.is_offline(), "{e:?}");
    assert!(e.to_string().starts_with("Can't reach the server"));

    // A POST in flight: Offline too, and said to have possibly arrived.
    let e = within(
        30,
        api.create_customer(&CustomerInput::new("A", "a@example.org")),
    )
    .await
    .unwrap_err();
    assert!(e.is_offline(), "{e:?}");
}

#[tokio::test]
async fn nothing_listening_means_offline() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut config = ClientConfig::new(format!("http://127.0.0.1:{port}"), "t");
    config.max_retries = 1;
    let api = Client::new(config).unwrap();
    let e = within(30, api.get_customer(1)).await.unwrap_err();
    assert!(e.is_offline(), "{e:?}");
    assert!(e.to_string().contains("could not connect"), "{e}");
    // Connection refused means never sent: even a POST is retried.
    let e = within(
        30,
        api.create_customer(&CustomerInput::new("A", "a@example.org")),
    )
    .await
    .unwrap_err();
    assert!(e.is_offline());
    assert!(!e.to_string().contains("may have reached"), "{e}");
    assert_eq!(api.requests_sent(), 4);
}
