//! Replaying the outbox against a real sandbox over loopback: exactly-once creates, merges,
//! conflicts settled both ways, server refusals held and fixed, deletes.

mod support;

use std::sync::Mutex;

use chrono::Utc;
use reseller_core::cache::{Cache, NewOutboxOp, OutboxEntity, OutboxState, SyncState};
use reseller_core::customers::{
    create_customer, delete_customer, discard_customer_changes, settle_conflict, update_customer,
    CustomerChange, CustomerFields, CustomerForm, Resolution,
};
use reseller_core::sync::{replay_outbox, sync_customer_list};
use scriptix_api::{Client, CustomerInput, CustomerQuery};
use scriptix_sandbox::FaultConfig;
use support::*;

/// Queues an operation as it is, skipping the app's validation: how a change the server's
/// stricter rules refuse reaches the outbox.
fn queue_unchecked(
    cache: &Cache,
    id: i64,
    change: &CustomerChange,
    base_time: Option<chrono::DateTime<Utc>>,
) {
    cache
        .push_outbox(&NewOutboxOp {
            entity: OutboxEntity::Customer,
            entity_id: id,
            kind: change.kind(),
            payload: change.to_json(),
            base_last_modified: base_time,
            created_at: Utc::now(),
        })
        .unwrap();
}

/// A client for a port where nothing listens: the network is down.
fn offline_client() -> Client {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    client_for(
        &format!("http://127.0.0.1:{port}"),
        "offline-token-0000000000",
    )
}

async fn with_email(client: &Client, email: &str) -> Vec<scriptix_api::Customer> {
    client
        .list_customers(&CustomerQuery {
            limit: Some(100),
            filters: vec![("email".into(), email.into())],
            ..CustomerQuery::default()
        })
        .await
        .unwrap()
        .items
}

fn edit(cache: &Mutex<Cache>, id: i64, f: &CustomerForm) {
    update_customer(&cache.lock().unwrap(), id, f, Utc::now()).unwrap();
}

fn posts(sb: &scriptix_sandbox::Sandbox) -> u64 {
    sb.stats()
        .by_route
        .iter()
        .filter(|(k, _)| k.starts_with("POST") && k.contains("/reseller/customer"))
        .map(|(_, v)| v)
        .sum()
}

#[tokio::test]
async fn an_offline_create_reaches_the_server_once_and_takes_its_id() {
    let sb = sandbox(20, 1).await;
    let online = client(&sb);
    let (_dir, cache) = cache();
    sync_customer_list(&online, &cache).await.unwrap();
    let local = create_customer(
        &cache.lock().unwrap(),
        &form(
            "Offline Create BV",
            "offline@create.test",
            "+44 20 7946 0958",
        ),
        Utc::now(),
    )
    .unwrap();

    let err = replay_outbox(&offline_client(), &cache, Utc::now())
        .await
        .unwrap_err();
    assert!(err.is_offline(), "{err:?}");
    assert_eq!(
        cache.lock().unwrap().outbox(None).unwrap()[0].state,
        OutboxState::InFlight
    );

    let report = replay_outbox(&online, &cache, Utc::now()).await.unwrap();
    assert_eq!(report.completed, 1);
    assert_eq!(report.remapped.len(), 1);
    let (from, to) = report.remapped[0];
    assert_eq!(from, local.id);
    let on_server = with_email(&online, "offline@create.test").await;
    assert_eq!(on_server.len(), 1, "exactly once");
    assert_eq!(on_server[0].id, to);
    assert_eq!(
        on_server[0].phone.as_deref(),
        Some("+442079460958"),
        "sent in E.164"
    );
    {
        let cache = cache.lock().unwrap();
        assert!(cache.get_customer(local.id).unwrap().is_none());
        assert_eq!(
            cache.get_customer(to).unwrap().unwrap().sync_state,
            SyncState::Synced
        );
        assert!(cache.outbox(None).unwrap().is_empty());
    }
    assert_cache_equals_server(&online, &cache).await;
}

#[tokio::test]
async fn a_create_whose_answer_was_lost_is_found_not_sent_again() {
    let sb = sandbox(5, 2).await;
    let online = client(&sb);
    let (_dir, cache) = cache();
    // The server makes the customer, then the connection drops before the answer: the shape of
    // a lost answer. Seeds vary which half of the resets (before or after the handler) hits.
    let mut adopted = 0;
    for round in 0..8u64 {
        let email = format!("lost{round}@answer.test");
        create_customer(
            &cache.lock().unwrap(),
            &form("Lost Answer", &email, ""),
            Utc::now(),
        )
        .unwrap();
        sb.set_faults(FaultConfig {
            reset_rate: 1.0,
            route: Some("/reseller/customer".into()),
            seed: Some(round),
            ..FaultConfig::default()
        });
        assert!(replay_outbox(&online, &cache, Utc::now()).await.is_err());
        let made = with_email_quiet(&sb, &online, &email).await;
        sb.set_faults(FaultConfig::default());
        let report = replay_outbox(&online, &cache, Utc::now()).await.unwrap();
        assert_eq!(report.completed, 1);
        adopted += report.adopted;
        assert_eq!(
            report.adopted, made as u32,
            "adopted exactly when the server had it"
        );
        assert_eq!(
            with_email(&online, &email).await.len(),
            1,
            "round {round}: exactly once"
        );
    }
    assert!(
        adopted > 0,
        "some round lost an answer after the server acted"
    );
    sync_customer_list(&online, &cache).await.unwrap();
    assert_cache_equals_server(&online, &cache).await;
}

/// How many customers with `email` the server holds, read with faults paused.
async fn with_email_quiet(sb: &scriptix_sandbox::Sandbox, client: &Client, email: &str) -> usize {
    let faults = sb.faults();
    sb.set_faults(FaultConfig::default());
    let n = with_email(client, email).await.len();
    sb.set_faults(faults);
    n
}

#[tokio::test]
async fn edits_on_both_sides_merge_field_by_field() {
    let sb = sandbox(10, 3).await;
    let online = client(&sb);
    let other = client(&sb);
    let (_dir, cache) = cache();
    sync_customer_list(&online, &cache).await.unwrap();
    let c = cache.lock().unwrap().get_customer(1003).unwrap().unwrap();

    // Mine: the name. Theirs (another desk): the phone and the status.
    edit(
        &cache,
        c.id,
        &form("Mine Renamed", &c.email, c.phone.as_deref().unwrap_or("")),
    );
    let mut theirs = CustomerInput::new(c.name.clone(), c.email.clone());
    theirs.phone = Some("+4930123456".into());
    theirs.is_active = !c.is_active;
    other.update_customer(c.id, &theirs).await.unwrap();

    let report = replay_outbox(&online, &cache, Utc::now()).await.unwrap();
    assert_eq!((report.completed, report.conflicts), (1, 0));
    let server = online.get_customer(c.id).await.unwrap();
    assert_eq!(server.name, "Mine Renamed");
    assert_eq!(
        server.phone.as_deref(),
        Some("+4930123456"),
        "their phone kept"
    );
    assert_eq!(server.is_active, !c.is_active, "their status kept");
    assert_cache_equals_server(&online, &cache).await;
}

#[tokio::test]
async fn a_conflict_waits_for_the_user_and_is_settled_either_way() {
    let sb = sandbox(10, 4).await;
    let online = client(&sb);
    let (_dir, cache) = cache();
    sync_customer_list(&online, &cache).await.unwrap();
    for (id, resolution) in [(1002, Resolution::KeepMine), (1005, Resolution::TakeTheirs)] {
        let c = cache.lock().unwrap().get_customer(id).unwrap().unwrap();
        let phone = c.phone.clone().unwrap_or_default();
        edit(&cache, id, &form("Mine", &c.email, &phone));
        let mut theirs = CustomerInput::new("Theirs", c.email.clone());
        theirs.phone.clone_from(&c.phone);
        theirs.is_active = c.is_active;
        online.update_customer(id, &theirs).await.unwrap();

        let report = replay_outbox(&online, &cache, Utc::now()).await.unwrap();
        assert_eq!(report.conflicts, 1);
        let op = {
            let cache = cache.lock().unwrap();
            let row = cache.get_customer(id).unwrap().unwrap();
            assert_eq!(row.sync_state, SyncState::Conflict);
            assert_eq!(row.name, "Mine", "mine shows until settled");
            let conflicts = cache.conflicts(None).unwrap();
            assert_eq!(conflicts.len(), 1);
            assert_eq!(conflicts[0].field, "name");
            assert_eq!(conflicts[0].mine, "Mine");
            assert_eq!(conflicts[0].theirs, "Theirs");
            conflicts[0].op_id
        };
        // Held: a replay now sends nothing and overwrites nothing.
        replay_outbox(&online, &cache, Utc::now()).await.unwrap();
        assert_eq!(online.get_customer(id).await.unwrap().name, "Theirs");

        let row = settle_conflict(&cache.lock().unwrap(), op, "name", resolution)
            .unwrap()
            .unwrap();
        assert_eq!(row.sync_state, SyncState::Pending);
        replay_outbox(&online, &cache, Utc::now()).await.unwrap();
        let want = if resolution == Resolution::KeepMine {
            "Mine"
        } else {
            "Theirs"
        };
        assert_eq!(online.get_customer(id).await.unwrap().name, want);
        assert!(cache.lock().unwrap().outbox(None).unwrap().is_empty());
    }
    assert_cache_equals_server(&online, &cache).await;
}

#[tokio::test]
async fn a_server_refusal_fails_the_operation_holds_what_depends_on_it_and_can_be_fixed() {
    let sb = sandbox(5, 5).await;
    let online = client(&sb);
    let (_dir, cache) = cache();
    // A create the server refuses (its rules can be stricter than the app's; here the payload
    // skips the app's validation on purpose), then an edit of the same customer.
    let fields = CustomerFields {
        name: "Refused BV".into(),
        email: "no-at-sign".into(),
        phone: None,
        is_active: true,
    };
    {
        let cache = cache.lock().unwrap();
        let change = CustomerChange::Create {
            fields: fields.clone(),
        };
        queue_unchecked(&cache, -1, &change, None);
        let row = reseller_core::cache::CustomerRow {
            id: -1,
            name: fields.name.clone(),
            email: fields.email.clone(),
            phone: None,
            is_active: true,
            registration_date: Utc::now(),
            last_modified: Utc::now(),
            sync_state: SyncState::Pending,
        };
        cache.upsert_customers(&[row]).unwrap();
    }
    let ok = create_customer(
        &cache.lock().unwrap(),
        &form("Fine BV", "fine@ok.test", ""),
        Utc::now(),
    )
    .unwrap();

    let report = replay_outbox(&online, &cache, Utc::now()).await.unwrap();
    assert_eq!(
        (report.failed, report.completed),
        (1, 1),
        "the other create went on"
    );
    {
        let cache = cache.lock().unwrap();
        let failed = cache.outbox(Some(OutboxState::Failed)).unwrap();
        assert_eq!(failed.len(), 1);
        let msg = failed[0].last_error.clone().unwrap();
        assert!(msg.contains("email"), "the server's words: {msg}");
        assert_eq!(
            cache.get_customer(-1).unwrap().unwrap().sync_state,
            SyncState::Failed
        );
        assert!(cache.get_customer(ok.id).unwrap().is_none(), "remapped");
    }
    // Fix: the user corrects the email; the create goes again, once.
    edit(&cache, -1, &form("Refused BV", "fixed@ok.test", ""));
    assert_eq!(
        cache
            .lock()
            .unwrap()
            .get_customer(-1)
            .unwrap()
            .unwrap()
            .sync_state,
        SyncState::Pending
    );
    let report = replay_outbox(&online, &cache, Utc::now()).await.unwrap();
    assert_eq!(report.completed, 1);
    assert_eq!(with_email(&online, "fixed@ok.test").await.len(), 1);
    assert_eq!(with_email(&online, "no-at-sign").await.len(), 0);
    sync_customer_list(&online, &cache).await.unwrap();
    assert_cache_equals_server(&online, &cache).await;
}

#[tokio::test]
async fn operations_behind_a_failed_one_wait_and_discard_restores_the_server_state() {
    let sb = sandbox(10, 8).await;
    let online = client(&sb);
    let (_dir, cache) = cache();
    sync_customer_list(&online, &cache).await.unwrap();
    let c = cache.lock().unwrap().get_customer(1001).unwrap().unwrap();
    let base = CustomerFields {
        name: c.name.clone(),
        email: c.email.clone(),
        phone: c.phone.clone(),
        is_active: c.is_active,
    };
    // Two queued edits of one customer: the first one the server refuses, the second valid.
    {
        let cache = cache.lock().unwrap();
        for (email, base_time) in [
            ("refused-email", Some(c.last_modified)),
            ("ok@held.test", None),
        ] {
            let mut mine = base.clone();
            mine.email = email.into();
            let change = CustomerChange::Update {
                base: base.clone(),
                mine,
            };
            queue_unchecked(&cache, c.id, &change, base_time);
        }
    }
    let report = replay_outbox(&online, &cache, Utc::now()).await.unwrap();
    assert_eq!(
        (report.failed, report.completed),
        (1, 0),
        "the second waits"
    );
    let states: Vec<OutboxState> = cache
        .lock()
        .unwrap()
        .outbox(None)
        .unwrap()
        .iter()
        .map(|o| o.state)
        .collect();
    assert_eq!(states, [OutboxState::Failed, OutboxState::Pending]);
    assert_eq!(
        online.get_customer(c.id).await.unwrap().email,
        c.email,
        "nothing sent"
    );

    let restored = discard_customer_changes(&cache.lock().unwrap(), c.id, Utc::now())
        .unwrap()
        .unwrap();
    assert_eq!(restored.email, c.email);
    replay_outbox(&online, &cache, Utc::now()).await.unwrap();
    assert!(cache.lock().unwrap().outbox(None).unwrap().is_empty());
    assert_cache_equals_server(&online, &cache).await;
}

#[tokio::test]
async fn deletes_go_once_and_the_list_does_not_bring_them_back_first() {
    let sb = sandbox(10, 6).await;
    let online = client(&sb);
    let (_dir, cache) = cache();
    sync_customer_list(&online, &cache).await.unwrap();
    let c = cache.lock().unwrap().get_customer(1004).unwrap().unwrap();
    edit(&cache, c.id, &form("Edited first", &c.email, ""));
    delete_customer(&cache.lock().unwrap(), c.id, Utc::now()).unwrap();

    // Someone edits it on the server: the list now shows it as newer. It must stay deleted here.
    let mut theirs = CustomerInput::new("Touched", c.email.clone());
    theirs.is_active = c.is_active;
    online.update_customer(c.id, &theirs).await.unwrap();
    sync_customer_list(&online, &cache).await.unwrap();
    assert!(cache.lock().unwrap().get_customer(c.id).unwrap().is_none());

    let puts_before = sb
        .stats()
        .by_route
        .iter()
        .filter(|(k, _)| k.starts_with("PUT"))
        .map(|(_, v)| v)
        .sum::<u64>();
    replay_outbox(&online, &cache, Utc::now()).await.unwrap();
    let puts_after = sb
        .stats()
        .by_route
        .iter()
        .filter(|(k, _)| k.starts_with("PUT"))
        .map(|(_, v)| v)
        .sum::<u64>();
    assert_eq!(
        puts_after, puts_before,
        "the superseded edit was never sent"
    );
    assert!(matches!(
        online.get_customer(c.id).await,
        Err(scriptix_api::ApiError::NotFound { .. })
    ));
    assert_cache_equals_server(&online, &cache).await;
    assert_eq!(posts(&sb), 0);
}

#[tokio::test]
async fn an_edit_of_a_customer_deleted_on_the_server_fails_and_discard_removes_it() {
    let sb = sandbox(10, 7).await;
    let online = client(&sb);
    let (_dir, cache) = cache();
    sync_customer_list(&online, &cache).await.unwrap();
    let c = cache.lock().unwrap().get_customer(1006).unwrap().unwrap();
    edit(&cache, c.id, &form("Edited", &c.email, ""));
    online.delete_customer(c.id).await.unwrap();

    let report = replay_outbox(&online, &cache, Utc::now()).await.unwrap();
    assert_eq!(report.failed, 1);
    let failed = cache
        .lock()
        .unwrap()
        .outbox(Some(OutboxState::Failed))
        .unwrap();
    assert!(failed[0]
        .last_error
        .as_deref()
        .unwrap()
        .contains("deleted on the server"));

    discard_customer_changes(&cache.lock().unwrap(), c.id, Utc::now()).unwrap();
    replay_outbox(&online, &cache, Utc::now()).await.unwrap();
    assert!(cache.lock().unwrap().get_customer(c.id).unwrap().is_none());
    assert_cache_equals_server(&online, &cache).await;
}
