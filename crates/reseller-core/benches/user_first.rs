//! A user's change while the background prefetch runs at the API's limit: the time from the
//! local call (the dialog's Save) to the server having the change, over 20 changes of every
//! kind (rename, add user, revoke token, switch auto-renew, create, delete), with the sandbox at
//! the API's 100 requests a minute and 250 customers to prefetch (several minutes of requests).
//! The clock starts as the local call starts (the user's Save) and stops when the server's
//! request log shows the change's request.
//! Beside it, the floor: the same kind of request sent alone by a bare client (no app, no
//! background work). Prints figures; asserts nothing about time.
//!
//! cargo bench -p reseller-core --bench user_first

use std::sync::Arc;
use std::time::{Duration, Instant};

use reseller_core::cache::{SortColumn, SortDirection};
use reseller_core::customers::{CustomerForm, ListRequest};
use reseller_core::tabs::users::UserForm;
use reseller_core::workspace::Workspace;
use reseller_core::SessionInfo;
use scriptix_api::{Client, ClientConfig};
use scriptix_sandbox::{start, SandboxConfig};

const CHANGES: usize = 20;

fn info(base_url: &str) -> SessionInfo {
    SessionInfo {
        display_name: "Bench".into(),
        email: "bench@example.org".into(),
        organization_name: None,
        organization_id: Some(1),
        roles: vec!["RESELLER".into()],
        base_url: base_url.to_string(),
        demo: false,
        role_source: Default::default(),
    }
}

fn summary(samples: &mut [Duration]) -> String {
    samples.sort();
    let p = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
    format!(
        "p50 {}, p95 {}, max {} ({} changes)",
        ms(p(0.5)),
        ms(p(0.95)),
        ms(*samples.last().unwrap()),
        samples.len()
    )
}

/// Waits until the server's request log holds `count` requests matching `route`.
async fn arrived(sb: &scriptix_sandbox::Sandbox, route: &str, count: usize) {
    loop {
        if sb
            .stats()
            .order
            .iter()
            .filter(|r| r.as_str() == route)
            .count()
            >= count
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::main]
async fn main() {
    let sb = start(SandboxConfig {
        customers: 250,
        seed: 7,
        rate_limit_per_minute: 100,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    // The floor, first (nothing else running): one request of the kind the changes make, alone,
    // from a bare client.
    let floor_client =
        Client::new(ClientConfig::new(sb.base_url(), sb.reseller_token())).expect("client");
    let mut floor = Vec::new();
    for id in 1001..1006 {
        let c = floor_client.get_customer(id).await.expect("customer");
        let t0 = Instant::now();
        floor_client
            .update_customer(
                id,
                &scriptix_api::CustomerInput {
                    name: c.name.clone(),
                    email: c.email.clone(),
                    phone: c.phone.clone(),
                    is_active: c.is_active,
                },
            )
            .await
            .expect("put");
        floor.push(t0.elapsed());
    }
    floor.sort();
    let floor_ms = floor[2].as_secs_f64() * 1000.0;

    let mut config = ClientConfig::new(sb.base_url(), sb.reseller_token());
    config.rate_limit_per_minute = 100;
    let client = Client::new(config).expect("client");
    let dir = tempfile::tempdir().expect("dir");
    let ws = Arc::new(Workspace::open(info(sb.base_url()), client, dir.path()).expect("open"));
    let engine = ws.engine().clone();
    let mut status = engine.subscribe();
    tokio::spawn(engine.clone().run(Duration::from_secs(3600), 0));
    status
        .wait_for(|s| s.last_synced.is_some())
        .await
        .expect("first round");
    // Let the prefetch fill the minute's background share.
    while sb.stats().requests < 80 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let ids: Vec<i64> = ws
        .list(&ListRequest {
            search: String::new(),
            status: None,
            sort: SortColumn::Id,
            direction: SortDirection::Asc,
            offset: 0,
            limit: 50,
        })
        .expect("list")
        .rows
        .iter()
        .map(|r| r.customer.id)
        .collect();

    let mut took = Vec::new();
    let mut kinds = Vec::new();
    // Until 20 changes are measured (a customer without a token or subscription is passed over).
    let mut i = 0;
    while took.len() < CHANGES && i < ids.len() {
        i += 1;
        let i = i - 1;
        let id = ids[i];
        let row = ws.customer(id).expect("customer").customer.customer;
        let route_of = |k: usize| match k {
            0 => "PUT /api/v3/reseller/customer/{id}/",
            1 => "POST /api/v3/reseller/customer/{id}/user",
            2 => "DELETE /api/v3/reseller/customer/{id}/token/{token_id}",
            3 => "PUT /api/v3/reseller/customer/{id}/subscription/{sub_id}",
            4 => "POST /api/v3/reseller/customer/",
            _ => "DELETE /api/v3/reseller/customer/{id}/",
        };
        // Counted before the change is made: it may reach the server before the call returns.
        let before = sb
            .stats()
            .order
            .iter()
            .filter(|r| r.as_str() == route_of(i % 6))
            .count();
        let t0: Instant;
        let (kind, route) = match i % 6 {
            0 => {
                let form = CustomerForm {
                    name: format!("{} (renamed {i})", row.name),
                    email: row.email.clone(),
                    phone: row.phone.clone().unwrap_or_default(),
                    is_active: row.is_active,
                };
                t0 = Instant::now();
                ws.update_customer(id, &form).expect("rename");
                ("rename", "PUT /api/v3/reseller/customer/{id}/")
            }
            1 => {
                t0 = Instant::now();
                ws.add_user(
                    id,
                    &UserForm {
                        email: format!("bench.user{i}@example.org"),
                        first_name: "Bench".into(),
                        last_name: "User".into(),
                        roles: vec!["DEVELOPER".into()],
                    },
                )
                .expect("add user");
                ("add user", "POST /api/v3/reseller/customer/{id}/user")
            }
            2 => {
                let tokens = ws
                    .engine()
                    .client()
                    .customer_tokens(id)
                    .await
                    .unwrap_or_default();
                match tokens.first() {
                    Some(t) => {
                        // The revoke needs the token in the cache: refresh the tab first.
                        reseller_core::sync::refresh_tab(
                            ws.engine().client(),
                            ws.engine().cache(),
                            id,
                            reseller_core::cache::Tab::Tokens,
                            chrono::Utc::now(),
                        )
                        .await
                        .expect("tokens");
                        t0 = Instant::now();
                        ws.revoke_token(id, t.id).expect("revoke");
                        (
                            "revoke token",
                            "DELETE /api/v3/reseller/customer/{id}/token/{token_id}",
                        )
                    }
                    None => continue,
                }
            }
            3 => {
                reseller_core::sync::refresh_tab(
                    ws.engine().client(),
                    ws.engine().cache(),
                    id,
                    reseller_core::cache::Tab::Subscriptions,
                    chrono::Utc::now(),
                )
                .await
                .expect("subscriptions");
                let Some(s) = ws.subscriptions_tab(id).expect("tab").rows.first().cloned() else {
                    continue;
                };
                t0 = Instant::now();
                ws.set_auto_renew(id, s.row.id, !s.row.auto_renew)
                    .expect("auto-renew");
                (
                    "auto-renew",
                    "PUT /api/v3/reseller/customer/{id}/subscription/{sub_id}",
                )
            }
            4 => {
                t0 = Instant::now();
                ws.create_customer(&CustomerForm {
                    name: format!("Bench Created {i} BV"),
                    email: format!("bench.created{i}@example.org"),
                    phone: String::new(),
                    is_active: true,
                })
                .expect("create");
                ("create", "POST /api/v3/reseller/customer/")
            }
            _ => {
                t0 = Instant::now();
                ws.delete_customer(id).expect("delete");
                ("delete", "DELETE /api/v3/reseller/customer/{id}/")
            }
        };
        debug_assert_eq!(route, route_of(i % 6));
        tokio::time::timeout(Duration::from_secs(120), arrived(&sb, route, before + 1))
            .await
            .unwrap_or_else(|_| panic!("{kind} never reached the server (route {route})"));
        took.push(t0.elapsed());
        kinds.push(kind);
        println!("  {kind}: {:.0} ms", t0.elapsed().as_secs_f64() * 1000.0);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let stats = sb.stats();
    println!(
        "user_first: a change while the prefetch runs at 100 requests a minute (250 customers)"
    );
    println!(
        "  local call to the server having it: {}",
        summary(&mut took)
    );
    println!("  kinds: {}", kinds.join(", "));
    println!(
        "  server: {} requests, {} refused by its rate limit",
        stats.requests, stats.rate_limited
    );
    println!("  floor, one PUT alone before the app started: {floor_ms:.1} ms (median of 5)");
}
