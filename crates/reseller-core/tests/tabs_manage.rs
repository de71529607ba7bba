//! The Subscription, Tokens and Users tabs' writes through the workspace, against a real
//! sandbox over loopback HTTP and a real SQLite cache file: changes made offline wait in the
//! outbox and reach the server exactly once when it is back; a lost answer (the server acted,
//! the connection dropped) is found, not sent again; a refused change fails with the server's
//! words and can be discarded; a server without the gap endpoints says "not available"; a new
//! token's secret is returned once and never written to the cache.

mod support;

use std::sync::Mutex;

use chrono::Utc;
use reseller_core::cache::{Cache, OutboxEntity, OutboxKind, Tab};
use reseller_core::outbox::{server_rows, MarkState};
use reseller_core::sync::{refresh_tab, replay_outbox, sync_customer_list, RefreshOutcome};
use reseller_core::tabs::subscriptions::{store_plans, PlanRow, Subscriptions};
use reseller_core::tabs::tokens::TokenForm;
use reseller_core::tabs::users::UserForm;
use reseller_core::workspace::Workspace;
use reseller_core::CoreError;
use scriptix_api::{Client, ClientConfig};
use scriptix_sandbox::{start, FaultConfig, Gap, Sandbox, SandboxConfig};

const CUSTOMER: i64 = 1001;

async fn sandbox(gaps: &[Gap]) -> Sandbox {
    start(SandboxConfig {
        customers: 5,
        seed: 11,
        rate_limit_per_minute: 0,
        disabled_gaps: gaps.iter().copied().collect(),
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn client_at(base_url: &str, token: &str) -> Client {
    let mut config = ClientConfig::new(base_url, token);
    config.rate_limit_per_minute = 0;
    config.max_retries = 1;
    Client::new(config).unwrap()
}

fn client(sb: &Sandbox) -> Client {
    client_at(sb.base_url(), sb.reseller_token())
}

/// A client for a port where nothing listens: the network is down.
fn offline_client() -> Client {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    client_at(&format!("http://127.0.0.1:{port}"), "offline-token-0000")
}

/// A workspace whose own client is `own` (offline or online), over a cache file holding the
/// sandbox's customers, their three managed tabs and the plan catalogue.
async fn workspace(sb: &Sandbox, own: Client) -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let info = support::reseller_info(sb.base_url());
    let ws = Workspace::open(info, own, dir.path()).unwrap();
    let online = client(sb);
    let cache = ws.engine().cache();
    sync_customer_list(&online, cache).await.unwrap();
    for tab in [Tab::Subscriptions, Tab::Tokens, Tab::Users] {
        refresh_tab(&online, cache, CUSTOMER, tab, Utc::now())
            .await
            .unwrap();
    }
    if let Ok(plans) = online.plans().await {
        let rows: Vec<PlanRow> = plans
            .into_iter()
            .map(|p| PlanRow {
                sku: p.sku,
                description: p.description,
                payment_model: p.payment_model.as_str().to_string(),
            })
            .collect();
        store_plans(&cache.lock().unwrap(), &rows, Utc::now()).unwrap();
    }
    (dir, ws)
}

fn cache_of(ws: &Workspace) -> &Mutex<Cache> {
    ws.engine().cache()
}

fn user_form(email: &str, roles: &[&str]) -> UserForm {
    UserForm {
        email: email.into(),
        first_name: "Ada".into(),
        last_name: "Tester".into(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
    }
}

async fn server_users_with(c: &Client, email: &str) -> usize {
    c.customer_users(CUSTOMER)
        .await
        .unwrap()
        .iter()
        .filter(|u| u.email == email)
        .count()
}

async fn server_subs_with(c: &Client, sku: &str) -> usize {
    c.customer_subscriptions(CUSTOMER)
        .await
        .unwrap()
        .iter()
        .filter(|s| s.sku == sku)
        .count()
}

#[tokio::test]
async fn changes_made_offline_reach_the_server_once_when_it_is_back() {
    let sb = sandbox(&[]).await;
    let online = client(&sb);
    let (_dir, ws) = workspace(&sb, offline_client()).await;
    let cache = cache_of(&ws);

    let plan = online.plans().await.unwrap()[0].sku.clone();
    let subs_before = server_subs_with(&online, &plan).await;
    let first_sub = ws.subscriptions_tab(CUSTOMER).unwrap().rows[0].clone();
    let token = online.customer_tokens(CUSTOMER).await.unwrap()[0].clone();
    let user = online.customer_users(CUSTOMER).await.unwrap()[0].clone();

    ws.add_subscription(CUSTOMER, &plan, true).unwrap();
    ws.set_auto_renew(CUSTOMER, first_sub.row.id, !first_sub.row.auto_renew)
        .unwrap();
    ws.revoke_token(CUSTOMER, token.id).unwrap();
    ws.add_user(
        CUSTOMER,
        &user_form("new.person@example.org", &["DEVELOPER"]),
    )
    .unwrap();
    let mut edit = user_form(&user.email, &["ORGADMIN", "CONTRIBUTOR"]);
    edit.first_name = "Renamed".into();
    ws.update_user(CUSTOMER, user.id, &edit).unwrap();

    // Shown at once, marked pending: written into the rows, the server's kept beside them.
    let subs = ws.subscriptions_tab(CUSTOMER).unwrap();
    let new_sub = subs.rows.iter().find(|s| s.local).expect("the queued one");
    assert_eq!(new_sub.row.sku, plan);
    assert_eq!(new_sub.mark.as_ref().unwrap().state, MarkState::Pending);
    let switched = subs
        .rows
        .iter()
        .find(|s| s.row.id == first_sub.row.id)
        .unwrap();
    assert_eq!(switched.row.auto_renew, !first_sub.row.auto_renew);
    assert_eq!(
        cache.lock().unwrap().subscriptions(CUSTOMER).unwrap()[0].auto_renew,
        !first_sub.row.auto_renew,
        "pending changes are written into the rows"
    );
    assert_eq!(
        server_rows::<Subscriptions>(&cache.lock().unwrap(), CUSTOMER).unwrap()[0].auto_renew,
        first_sub.row.auto_renew,
        "the server's rows are kept as they were"
    );
    let users = ws.users_tab(CUSTOMER).unwrap();
    assert!(users
        .rows
        .iter()
        .any(|u| u.local && u.row.email == "new.person@example.org"));
    let edited = users.rows.iter().find(|u| u.row.id == user.id).unwrap();
    assert_eq!(edited.row.first_name.as_deref(), Some("Renamed"));
    let tokens = ws.tokens_tab(CUSTOMER).unwrap();
    let revoking = tokens.rows.iter().find(|t| t.row.id == token.id).unwrap();
    assert_eq!(revoking.mark.as_ref().unwrap().kind, OutboxKind::Revoke);

    // Offline: nothing moves, nothing is lost.
    assert!(replay_outbox(&offline_client(), cache, Utc::now())
        .await
        .is_err());
    assert_eq!(cache.lock().unwrap().outbox(None).unwrap().len(), 5);

    // Online: each reaches the server once.
    let report = replay_outbox(&online, cache, Utc::now()).await.unwrap();
    assert_eq!((report.completed, report.failed), (5, 0));
    assert!(cache.lock().unwrap().outbox(None).unwrap().is_empty());
    assert_eq!(server_subs_with(&online, &plan).await, subs_before + 1);
    let server_sub = online
        .customer_subscriptions(CUSTOMER)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.id == first_sub.row.id)
        .unwrap();
    assert_eq!(server_sub.auto_renew, !first_sub.row.auto_renew);
    assert!(online
        .customer_tokens(CUSTOMER)
        .await
        .unwrap()
        .iter()
        .all(|t| t.id != token.id));
    assert_eq!(
        server_users_with(&online, "new.person@example.org").await,
        1
    );
    let server_user = online
        .customer_users(CUSTOMER)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.id == user.id)
        .unwrap();
    assert_eq!(server_user.first_name.as_deref(), Some("Renamed"));
    assert_eq!(server_user.roles, vec!["ORGADMIN", "CONTRIBUTOR"]);

    // The tabs now read the server's rows, with no marks; a second replay sends nothing.
    let subs = ws.subscriptions_tab(CUSTOMER).unwrap();
    assert!(subs.rows.iter().all(|s| !s.local && s.mark.is_none()));
    assert_eq!(
        subs.rows.iter().filter(|s| s.row.sku == plan).count(),
        subs_before + 1
    );
    assert!(ws
        .tokens_tab(CUSTOMER)
        .unwrap()
        .rows
        .iter()
        .all(|t| t.row.id != token.id));
    let again = replay_outbox(&online, cache, Utc::now()).await.unwrap();
    assert_eq!(again.completed, 0);
    assert_eq!(server_subs_with(&online, &plan).await, subs_before + 1);
}

#[tokio::test]
async fn deactivate_reactivate_and_delete_a_user() {
    let sb = sandbox(&[]).await;
    let online = client(&sb);
    let (_dir, ws) = workspace(&sb, online.clone()).await;
    let cache = cache_of(&ws);
    let user = online.customer_users(CUSTOMER).await.unwrap()[0].clone();

    ws.set_user_active(CUSTOMER, user.id, false).unwrap();
    replay_outbox(&online, cache, Utc::now()).await.unwrap();
    let u = online.customer_users(CUSTOMER).await.unwrap();
    assert!(!u.iter().find(|x| x.id == user.id).unwrap().is_active);

    let before = Utc::now();
    ws.set_user_active(CUSTOMER, user.id, true).unwrap();
    replay_outbox(&online, cache, Utc::now()).await.unwrap();
    let u = online.customer_users(CUSTOMER).await.unwrap();
    let u = u.iter().find(|x| x.id == user.id).unwrap();
    assert!(u.is_active);
    assert!(
        u.reactivation_sent_at
            .is_some_and(|t| t >= before - chrono::Duration::seconds(5)),
        "the reactivation link was sent"
    );

    ws.delete_user(CUSTOMER, user.id).unwrap();
    let report = replay_outbox(&online, cache, Utc::now()).await.unwrap();
    assert_eq!(report.completed, 1);
    assert!(online
        .customer_users(CUSTOMER)
        .await
        .unwrap()
        .iter()
        .all(|x| x.id != user.id));
    assert!(ws
        .users_tab(CUSTOMER)
        .unwrap()
        .rows
        .iter()
        .all(|x| x.row.id != user.id));
}

#[tokio::test]
async fn a_create_whose_answer_was_lost_is_found_not_sent_again() {
    let sb = sandbox(&[]).await;
    let online = client(&sb);
    let (_dir, ws) = workspace(&sb, offline_client()).await;
    let cache = cache_of(&ws);
    let plan = online.plans().await.unwrap()[1].sku.clone();
    let mut subs_expected = server_subs_with(&online, &plan).await;
    // Rounds where the server had made it while the app did not know (the lost answer).
    let (mut users_lost, mut subs_lost) = (0, 0);
    for round in 0..10u64 {
        let email = format!("lost{round}@answer.test");
        ws.add_user(CUSTOMER, &user_form(&email, &["CUSTOMER"]))
            .unwrap();
        ws.add_subscription(CUSTOMER, &plan, false).unwrap();
        // Connections on the route drop, some before the server acts, some after it acted.
        // Seeds vary which; the list read before a POST is dropped at times too.
        for (entity, route) in [
            (OutboxEntity::User, "/user"),
            (OutboxEntity::Subscription, "/subscription"),
        ] {
            sb.set_faults(FaultConfig {
                reset_rate: 0.6,
                route: Some(route.into()),
                seed: Some(round),
                ..FaultConfig::default()
            });
            // One attempt: the next one (with faults paused) must find what this one did.
            let _ = replay_outbox(&online, cache, Utc::now()).await;
            sb.set_faults(FaultConfig::default());
            let waiting = cache
                .lock()
                .unwrap()
                .outbox(None)
                .unwrap()
                .iter()
                .any(|o| o.entity == entity);
            if waiting
                && entity == OutboxEntity::User
                && server_users_with(&online, &email).await == 1
            {
                users_lost += 1;
            }
            if waiting
                && entity == OutboxEntity::Subscription
                && server_subs_with(&online, &plan).await == subs_expected + 1
            {
                subs_lost += 1;
            }
        }
        let report = replay_outbox(&online, cache, Utc::now()).await.unwrap();
        assert_eq!(report.failed, 0);
        assert!(cache.lock().unwrap().outbox(None).unwrap().is_empty());
        assert_eq!(
            server_users_with(&online, &email).await,
            1,
            "round {round}: the user exactly once"
        );
        subs_expected += 1;
        assert_eq!(
            server_subs_with(&online, &plan).await,
            subs_expected,
            "round {round}: the subscription exactly once"
        );
    }
    assert!(users_lost > 0, "some user create lost its answer");
    assert!(subs_lost > 0, "some subscription create lost its answer");
    let cached = ws.subscriptions_tab(CUSTOMER).unwrap();
    assert_eq!(
        cached.rows.iter().filter(|s| s.row.sku == plan).count(),
        subs_expected
    );
}

#[tokio::test]
async fn a_delete_whose_answer_was_lost_is_done() {
    let sb = sandbox(&[]).await;
    let online = client(&sb);
    let (_dir, ws) = workspace(&sb, offline_client()).await;
    let cache = cache_of(&ws);
    let user = online.customer_users(CUSTOMER).await.unwrap()[0].clone();
    let token = online.customer_tokens(CUSTOMER).await.unwrap()[0].clone();
    ws.delete_user(CUSTOMER, user.id).unwrap();
    ws.revoke_token(CUSTOMER, token.id).unwrap();
    for (entity, route) in [
        (OutboxEntity::User, "/user"),
        (OutboxEntity::CustomerToken, "/token"),
    ] {
        sb.set_faults(FaultConfig {
            reset_rate: 1.0,
            route: Some(route.into()),
            seed: Some(3),
            ..FaultConfig::default()
        });
        for _ in 0..4 {
            let _ = replay_outbox(&online, cache, Utc::now()).await;
        }
        sb.set_faults(FaultConfig::default());
        // The server deleted it, but the app never heard so.
        assert!(cache
            .lock()
            .unwrap()
            .outbox(None)
            .unwrap()
            .iter()
            .any(|o| o.entity == entity));
        if entity == OutboxEntity::User {
            assert_eq!(server_users_with(&online, &user.email).await, 0);
        } else {
            assert!(online
                .customer_tokens(CUSTOMER)
                .await
                .unwrap()
                .iter()
                .all(|t| t.id != token.id));
        }
    }
    let report = replay_outbox(&online, cache, Utc::now()).await.unwrap();
    assert_eq!(report.failed, 0, "a delete finding nothing is done");
    assert!(cache.lock().unwrap().outbox(None).unwrap().is_empty());
    assert!(online
        .customer_tokens(CUSTOMER)
        .await
        .unwrap()
        .iter()
        .all(|t| t.id != token.id));
}

#[tokio::test]
async fn a_refused_change_fails_with_the_servers_words_and_can_be_discarded() {
    let sb = sandbox(&[]).await;
    let online = client(&sb);
    let (_dir, ws) = workspace(&sb, offline_client()).await;
    let cache = cache_of(&ws);
    // A plan this cache believes in but the server does not offer (withdrawn meanwhile).
    store_plans(
        &cache.lock().unwrap(),
        &[PlanRow {
            sku: "WITHDRAWN-PLAN".into(),
            description: "Gone".into(),
            payment_model: "bundle".into(),
        }],
        Utc::now(),
    )
    .unwrap();
    ws.add_subscription(CUSTOMER, "WITHDRAWN-PLAN", false)
        .unwrap();
    let report = replay_outbox(&online, cache, Utc::now()).await.unwrap();
    assert_eq!(report.failed, 1);
    let tab = ws.subscriptions_tab(CUSTOMER).unwrap();
    assert_eq!(tab.refused.len(), 1);
    assert!(
        tab.refused[0]
            .error
            .contains("There is no plan with SKU 'WITHDRAWN-PLAN'"),
        "{}",
        tab.refused[0].error
    );
    let row = tab.rows.iter().find(|s| s.local).unwrap();
    assert_eq!(row.mark.as_ref().unwrap().state, MarkState::Failed);

    ws.discard_tab_change(tab.refused[0].op_id).unwrap();
    let tab = ws.subscriptions_tab(CUSTOMER).unwrap();
    assert!(tab.refused.is_empty() && tab.rows.iter().all(|s| !s.local));
    assert_eq!(server_subs_with(&online, "WITHDRAWN-PLAN").await, 0);
}

#[tokio::test]
async fn bad_input_is_refused_here_field_by_field() {
    let sb = sandbox(&[]).await;
    let (_dir, ws) = workspace(&sb, offline_client()).await;
    let Err(CoreError::Invalid { errors }) = ws.add_user(CUSTOMER, &user_form("no-at-sign", &[]))
    else {
        panic!("invalid user accepted");
    };
    let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
    assert_eq!(fields, vec!["email", "roles"]);
    assert!(matches!(
        ws.add_user(CUSTOMER, &user_form("a@b.nl", &["RESELLER"])),
        Err(CoreError::Invalid { .. })
    ));
    let e = ws
        .add_subscription(CUSTOMER, "NOT-A-PLAN", true)
        .unwrap_err();
    assert_eq!(e.field(), Some("sku"));
    // An organisation created here and not yet sent has no server id to address.
    let e = ws
        .add_user(-3, &user_form("a@b.nl", &["CUSTOMER"]))
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("available once this organisation has reached the server"),
        "{e}"
    );
    assert!(cache_of(&ws)
        .lock()
        .unwrap()
        .outbox(None)
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_token_is_created_at_once_and_its_secret_never_stored() {
    let sb = sandbox(&[]).await;
    let online = client(&sb);
    let (dir, ws) = workspace(&sb, online.clone()).await;
    let form = TokenForm {
        name: "Build server".into(),
        token_type: "batch".into(),
        expires_in_years: 2,
    };
    let made = ws.create_token(CUSTOMER, &form).await.unwrap();
    assert!(made.secret.len() > 20);
    assert!(online
        .customer_tokens(CUSTOMER)
        .await
        .unwrap()
        .iter()
        .any(|t| t.id == made.token.id));
    assert!(ws
        .tokens_tab(CUSTOMER)
        .unwrap()
        .rows
        .iter()
        .any(|t| t.row.id == made.token.id && t.mark.is_none()));
    // Not in the cache file, its journal or anything else the app wrote.
    support::assert_not_on_disk(dir.path(), &made.secret);

    // Offline, creating says it needs the network, and creates nothing.
    let (_dir2, offline_ws) = workspace(&sb, offline_client()).await;
    let e = offline_ws.create_token(CUSTOMER, &form).await.unwrap_err();
    assert!(e.to_string().contains("needs a connection"), "{e}");
    assert!(cache_of(&offline_ws)
        .lock()
        .unwrap()
        .outbox(None)
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn without_the_gap_endpoints_the_tabs_say_not_available() {
    let sb = sandbox(&[Gap::Subscriptions, Gap::Tokens, Gap::Users]).await;
    let online = client(&sb);
    let (_dir, ws) = workspace(&sb, offline_client()).await;
    let cache = cache_of(&ws);
    for tab in [Tab::Subscriptions, Tab::Tokens, Tab::Users] {
        let outcome = refresh_tab(&online, cache, CUSTOMER, tab, Utc::now())
            .await
            .unwrap();
        assert!(matches!(outcome, RefreshOutcome::NotSupported { .. }));
    }
    assert!(ws.subscriptions_tab(CUSTOMER).unwrap().as_of.unsupported);
    assert!(ws.tokens_tab(CUSTOMER).unwrap().as_of.unsupported);
    assert!(ws.users_tab(CUSTOMER).unwrap().as_of.unsupported);
    // A change queued before the server was known not to offer it fails, in plain words.
    ws.add_user(CUSTOMER, &user_form("x@y.nl", &["CUSTOMER"]))
        .unwrap();
    let report = replay_outbox(&online, cache, Utc::now()).await.unwrap();
    assert_eq!(report.failed, 1);
    let refused = ws.users_tab(CUSTOMER).unwrap().refused;
    assert!(
        refused[0].error.contains("Not available for this account"),
        "{}",
        refused[0].error
    );
}

// ---- pending changes are written into the rows they touch ----

#[tokio::test]
async fn a_pending_change_is_written_into_its_row_and_survives_a_refresh() {
    let sb = sandbox(&[]).await;
    let online = client(&sb);
    let (_dir, ws) = workspace(&sb, offline_client()).await;
    let cache = cache_of(&ws);
    let sub = ws.subscriptions_tab(CUSTOMER).unwrap().rows[0].row.clone();
    ws.set_auto_renew(CUSTOMER, sub.id, !sub.auto_renew)
        .unwrap();

    // The stored row holds the new value (no overlay at read time).
    let stored = |c: &Mutex<Cache>| {
        c.lock()
            .unwrap()
            .subscriptions(CUSTOMER)
            .unwrap()
            .into_iter()
            .find(|s| s.id == sub.id)
            .unwrap()
    };
    assert_eq!(stored(cache).auto_renew, !sub.auto_renew);

    // A refresh brings the server's rows (still the old value): the change is written over them again.
    refresh_tab(&online, cache, CUSTOMER, Tab::Subscriptions, Utc::now())
        .await
        .unwrap();
    let shown = ws.subscriptions_tab(CUSTOMER).unwrap();
    let row = shown.rows.iter().find(|r| r.row.id == sub.id).unwrap();
    assert_eq!(row.row.auto_renew, !sub.auto_renew);
    assert_eq!(row.mark.as_ref().unwrap().state, MarkState::Pending);
    assert_eq!(row.mark.as_ref().unwrap().kind, OutboxKind::AutoRenew);

    // Sent: the server has it, the row is the server's and unmarked.
    replay_outbox(&online, cache, Utc::now()).await.unwrap();
    let server = online.customer_subscriptions(CUSTOMER).await.unwrap();
    assert_eq!(
        server.iter().find(|s| s.id == sub.id).unwrap().auto_renew,
        !sub.auto_renew
    );
    let shown = ws.subscriptions_tab(CUSTOMER).unwrap();
    let row = shown.rows.iter().find(|r| r.row.id == sub.id).unwrap();
    assert_eq!((row.row.auto_renew, &row.mark), (!sub.auto_renew, &None));
    assert_eq!(stored(cache).auto_renew, !sub.auto_renew);
}

#[tokio::test]
async fn discarding_puts_the_servers_rows_back_without_a_network() {
    let sb = sandbox(&[]).await;
    let online = client(&sb);
    let (_dir, ws) = workspace(&sb, offline_client()).await;
    let cache = cache_of(&ws);
    let before = cache.lock().unwrap().users(CUSTOMER).unwrap();
    let first = before[0].clone();

    ws.add_user(
        CUSTOMER,
        &user_form("new.person@example.org", &["DEVELOPER"]),
    )
    .unwrap();
    let mut edit = user_form(&first.email, &["ORGADMIN"]);
    edit.first_name = "Renamed".into();
    ws.update_user(CUSTOMER, first.id, &edit).unwrap();
    let during = cache.lock().unwrap().users(CUSTOMER).unwrap();
    assert_eq!(during.len(), before.len() + 1, "the new user is a row");
    assert!(during
        .iter()
        .any(|u| u.id < 0 && u.email == "new.person@example.org"));
    assert_eq!(
        during
            .iter()
            .find(|u| u.id == first.id)
            .unwrap()
            .first_name
            .as_deref(),
        Some("Renamed")
    );

    for item in ws.users_tab(CUSTOMER).unwrap().rows {
        if let Some(mark) = item.mark {
            ws.discard_tab_change(mark.op_id).unwrap();
        }
    }
    let after = cache.lock().unwrap().users(CUSTOMER).unwrap();
    assert_eq!(after, before, "the server's rows, as they were");
    assert!(ws
        .users_tab(CUSTOMER)
        .unwrap()
        .rows
        .iter()
        .all(|u| u.mark.is_none()));
    // And nothing reached the server.
    assert_eq!(
        server_users_with(&online, "new.person@example.org").await,
        0
    );
}

#[tokio::test]
async fn a_cache_from_before_has_its_pending_changes_written_in_when_it_opens() {
    let sb = sandbox(&[]).await;
    let info = support::reseller_info(sb.base_url());
    let (dir, ws) = workspace(&sb, offline_client()).await;
    let sub = ws.subscriptions_tab(CUSTOMER).unwrap().rows[0].row.clone();
    ws.set_auto_renew(CUSTOMER, sub.id, !sub.auto_renew)
        .unwrap();
    let path = Workspace::cache_path(ws.info(), dir.path());
    drop(ws);
    // What an earlier version stored: the server's rows, the change only in the outbox.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("DELETE FROM server_rows; DELETE FROM pending_marks;")
            .unwrap();
        conn.execute(
            "UPDATE subscriptions SET auto_renew = ?1 WHERE customer_id = ?2 AND id = ?3",
            rusqlite::params![sub.auto_renew, CUSTOMER, sub.id],
        )
        .unwrap();
    }
    let ws = Workspace::open(info, offline_client(), dir.path()).unwrap();
    let shown = ws.subscriptions_tab(CUSTOMER).unwrap();
    let row = shown.rows.iter().find(|r| r.row.id == sub.id).unwrap();
    assert_eq!(row.row.auto_renew, !sub.auto_renew);
    assert_eq!(row.mark.as_ref().unwrap().kind, OutboxKind::AutoRenew);
}
