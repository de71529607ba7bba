//! Rate limiting, fault injection, the admin API, kill and shutdown, over real HTTP.

mod common;

use std::time::Duration;

use common::*;
use reqwest::Method;
use scriptix_sandbox::{FaultConfig, SandboxConfig};
use serde_json::{json, Value};

#[tokio::test]
async fn rate_limit_answers_429_with_headers_and_resets_with_the_window() {
    let sb = scriptix_sandbox::start(SandboxConfig {
        rate_limit_per_minute: 3,
        ..config(3)
    })
    .await
    .unwrap();
    let api = Api::new(&sb);
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let r = api.get(CUSTOMERS).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["x-ratelimit-limit"], "3");
        let reset: u64 = r.headers()["x-ratelimit-reset"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(reset > 1_700_000_000);
        remaining.push(
            r.headers()["x-ratelimit-remaining"]
                .to_str()
                .unwrap()
                .to_string(),
        );
    }
    assert_eq!(remaining, ["2", "1", "0"]);
    let r = api.get(CUSTOMERS).await;
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(r.headers()["x-ratelimit-remaining"], "0");
    error_of(r, 429).await;
    // Per token: another key has its own window (and is answered 401, with headers).
    let other = client()
        .get(format!("{}{CUSTOMERS}", sb.base_url()))
        .header("x-zoom-s2t-key", "other")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 401);
    assert!(other.headers().contains_key("x-ratelimit-limit"));
    assert_eq!(sb.stats().rate_limited, 1);

    sb.set_rate_limit(2, Duration::from_millis(1200));
    assert_eq!(api.get(CUSTOMERS).await.status(), 200);
    assert_eq!(api.get(CUSTOMERS).await.status(), 200);
    assert_eq!(api.get(CUSTOMERS).await.status(), 429);
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert_eq!(api.get(CUSTOMERS).await.status(), 200, "a new window");
}

#[tokio::test]
async fn injected_errors_and_429s_come_before_the_handler() {
    let sb = sandbox(3).await;
    let api = Api::new(&sb);
    sb.set_faults(FaultConfig {
        error_rate: 1.0,
        seed: Some(1),
        ..FaultConfig::default()
    });
    for _ in 0..6 {
        let r = api
            .json(
                Method::POST,
                CUSTOMERS,
                json!({"name": "Never", "email": "never@x.nl"}),
            )
            .await;
        let status = r.status().as_u16();
        assert!([500, 502, 503].contains(&status), "{status}");
        error_of(r, status).await;
    }
    sb.set_faults(FaultConfig {
        rate_limit_rate: 1.0,
        ..FaultConfig::default()
    });
    let r = api.get(CUSTOMERS).await;
    assert_eq!(r.headers()["retry-after"], "1");
    error_of(r, 429).await;
    sb.set_faults(FaultConfig::default());
    let page = api
        .ok(&format!("{CUSTOMERS}?filter=email%3Dnever@x.nl"))
        .await;
    assert_eq!(page["total_results"], 0, "nothing was created");
    let stats = sb.stats();
    assert_eq!(stats.faults_injected, 7);
    assert!(stats.requests >= 8);
}

#[tokio::test]
async fn resets_drop_the_connection_and_some_still_apply_the_change() {
    let sb = sandbox(3).await;
    let api = Api::new(&sb);
    sb.set_faults(FaultConfig {
        reset_rate: 1.0,
        route: Some("/reseller/customer/".into()),
        seed: Some(7),
        ..FaultConfig::default()
    });
    for i in 0..12 {
        // A fresh client each time: no pooled connection reused after a drop.
        let r = client()
            .post(format!("{}{CUSTOMERS}", sb.base_url()))
            .header("x-zoom-s2t-key", sb.reseller_token())
            .json(&json!({"name": format!("Lost {i}"), "email": format!("lost{i}@x.nl")}))
            .send()
            .await;
        let err = r.expect_err("the connection is dropped");
        assert!(!err.is_timeout(), "{err}");
    }
    // The route filter: other paths are untouched.
    assert_eq!(api.get("/api/v3/account/me").await.status(), 200);
    sb.set_faults(FaultConfig::default());
    let made = api.ok(&format!("{CUSTOMERS}?q=lost&limit=100")).await;
    let n = made["total_results"].as_u64().unwrap();
    assert!(
        n > 0 && n < 12,
        "some resets came after the handler ran ({n} of 12 created)"
    );
}

#[tokio::test]
async fn truncated_bodies_fail_to_read() {
    let sb = sandbox(30).await;
    sb.set_faults(FaultConfig {
        truncate_rate: 1.0,
        ..FaultConfig::default()
    });
    let r = client()
        .get(format!("{}{CUSTOMERS}?limit=30", sb.base_url()))
        .header("x-zoom-s2t-key", sb.reseller_token())
        .send()
        .await
        .expect("headers arrive");
    assert_eq!(r.status(), 200);
    let promised = r.content_length().unwrap();
    assert!(
        r.bytes().await.is_err(),
        "the body ends before the {promised} bytes promised"
    );
}

#[tokio::test]
async fn admin_api_sets_faults_and_reports_stats() {
    let sb = sandbox(3).await;
    let http = client();
    let admin = sb.admin_url().to_string();
    assert_eq!(
        http.get(format!("{admin}/admin/health"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let faults = json!({"error_rate": 1.0, "route": "/account/me"});
    let r = http
        .put(format!("{admin}/admin/faults"))
        .json(&faults)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let got: Value = http
        .get(format!("{admin}/admin/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["error_rate"], 1.0);
    assert_eq!(sb.faults().route.as_deref(), Some("/account/me"));
    let api = Api::new(&sb);
    assert!(api
        .get("/api/v3/account/me")
        .await
        .status()
        .is_server_error());
    assert_eq!(api.get(CUSTOMERS).await.status(), 200);
    assert_eq!(api.get(&format!("{CUSTOMERS}1001")).await.status(), 200);
    let stats: Value = http
        .get(format!("{admin}/admin/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["requests"], 3);
    assert_eq!(stats["faults_injected"], 1);
    assert_eq!(stats["by_route"]["GET /api/v3/reseller/customer/"], 1);
    assert_eq!(stats["by_route"]["GET /api/v3/reseller/customer/{id}/"], 1);
    let bad = http
        .put(format!("{admin}/admin/faults"))
        .json(&json!({"error_rate": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    http.post(format!("{admin}/admin/stats/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(sb.stats().requests, 0);
}

#[tokio::test]
async fn kill_makes_an_in_flight_request_fail_fast() {
    let sb = sandbox(3).await;
    sb.set_faults(FaultConfig {
        latency_ms: 30_000,
        ..FaultConfig::default()
    });
    let url = format!("{}{CUSTOMERS}", sb.base_url());
    let token = sb.reseller_token().to_string();
    let request = tokio::spawn(async move {
        client()
            .get(url)
            .header("x-zoom-s2t-key", token)
            .timeout(Duration::from_secs(25))
            .send()
            .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = std::time::Instant::now();
    sb.kill();
    let err = request.await.unwrap().expect_err("killed");
    assert!(
        !err.is_timeout(),
        "the request saw the reset, not its timeout: {err}"
    );
    println!(
        "in-flight request failed {:?} after kill()",
        started.elapsed()
    );
    assert!(
        client()
            .get(format!("{}{CUSTOMERS}", sb.base_url()))
            .send()
            .await
            .is_err(),
        "listener closed"
    );
}

#[tokio::test]
async fn shutdown_lets_the_request_in_flight_finish() {
    let sb = sandbox(3).await;
    sb.set_faults(FaultConfig {
        latency_ms: 400,
        ..FaultConfig::default()
    });
    let base = sb.base_url().to_string();
    let token = sb.reseller_token().to_string();
    let url = format!("{base}{CUSTOMERS}");
    let request = tokio::spawn(async move {
        client()
            .get(url)
            .header("x-zoom-s2t-key", token)
            .send()
            .await
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    sb.shutdown().await;
    let r = request.await.unwrap().expect("answered before stopping");
    assert_eq!(r.status(), 200);
    assert!(client()
        .get(format!("{base}{CUSTOMERS}"))
        .send()
        .await
        .is_err());
}

#[tokio::test]
async fn a_database_file_is_reused_for_the_same_seed_and_replaced_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.sqlite");
    let with_db = |seed: u64| SandboxConfig {
        db_path: Some(db.clone()),
        seed,
        ..config(10)
    };
    let sb = scriptix_sandbox::start(with_db(1)).await.unwrap();
    let r = Api::new(&sb)
        .json(
            Method::POST,
            CUSTOMERS,
            json!({"name": "Kept", "email": "kept@x.nl"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    sb.shutdown().await;
    let sb = scriptix_sandbox::start(with_db(1)).await.unwrap();
    assert_eq!(
        Api::new(&sb).ok(CUSTOMERS).await["total_results"],
        11,
        "same seed: edits kept"
    );
    sb.shutdown().await;
    let sb = scriptix_sandbox::start(with_db(2)).await.unwrap();
    assert_eq!(
        Api::new(&sb).ok(CUSTOMERS).await["total_results"],
        10,
        "another seed: seeded afresh"
    );
}

#[test]
fn the_handle_can_be_shared_across_threads() {
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<scriptix_sandbox::Sandbox>();
}

#[tokio::test]
async fn a_refusal_answers_its_client_error_and_changes_nothing() {
    let sb = sandbox(3).await;
    let http = client();
    let admin = sb.admin_url().to_string();
    let refuse = json!({"refusal": {
        "method": "DELETE", "route": "/reseller/customer/", "status": 409,
        "message": "This organisation still has active subscriptions."
    }});
    let r = http
        .put(format!("{admin}/admin/faults"))
        .json(&refuse)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let api = Api::new(&sb);
    let one = format!("{CUSTOMERS}1001");
    let r = api.req(Method::DELETE, &one).send().await.unwrap();
    assert_eq!(r.status(), 409);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["error"]["message"],
        "This organisation still has active subscriptions."
    );
    // Nothing was deleted, and other methods pass.
    assert_eq!(api.get(&one).await.status(), 200);

    // Only client errors can be configured.
    let bad = http
        .put(format!("{admin}/admin/faults"))
        .json(
            &json!({"refusal": {"method": "DELETE", "route": "/", "status": 500, "message": "x"}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);

    sb.set_faults(FaultConfig::default());
    let r = api.req(Method::DELETE, &one).send().await.unwrap();
    assert_eq!(r.status(), 204);
}

#[tokio::test]
async fn a_canned_answer_replaces_an_endpoint_s_body_for_its_method_and_route_only() {
    let sb = sandbox(3).await;
    let http = client();
    let admin = sb.admin_url().to_string();
    let foreign = json!({"user": {"login": "noor", "groups": ["partners"]}});
    let r = http
        .put(format!("{admin}/admin/faults"))
        .json(&json!({"answer": {
            "method": "GET", "route": "/account/me", "status": 200, "body": foreign
        }}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let api = Api::new(&sb);
    let r = api.get("/api/v3/account/me").await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        foreign,
        "as it is, no envelope"
    );
    // Other routes answer as ever.
    assert_eq!(api.get(CUSTOMERS).await.status(), 200);

    // A status outside 200..=599 is refused.
    let bad = http
        .put(format!("{admin}/admin/faults"))
        .json(&json!({"answer": {"method": "GET", "route": "/", "status": 99, "body": null}}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);

    sb.set_faults(FaultConfig::default());
    let me: Value = api.get("/api/v3/account/me").await.json().await.unwrap();
    assert!(me["result"]["email"].is_string(), "{me}");
}
