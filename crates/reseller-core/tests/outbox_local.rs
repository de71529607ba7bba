//! Local edits through the outbox, without a network: validation, one transaction per edit,
//! folding of unsent edits, delete and discard. (Replay against a server: `outbox_replay.rs`.)

mod support;

use chrono::{TimeZone, Utc};
use reseller_core::cache::{Cache, CustomerRow, OutboxKind, OutboxState, SyncState};
use reseller_core::customers::{
    create_customer, delete_customer, discard_customer_changes, update_customer, CustomerChange,
};
use reseller_core::CoreError;
use support::form;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap()
}

fn synced(id: i64) -> CustomerRow {
    CustomerRow {
        id,
        name: format!("Server {id}"),
        email: format!("c{id}@server.test"),
        phone: Some("+31201234567".into()),
        is_active: true,
        registration_date: Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap(),
        last_modified: Utc.with_ymd_and_hms(2025, 6, 7, 8, 9, 10).unwrap(),
        sync_state: SyncState::Synced,
    }
}

fn changes(cache: &Cache) -> Vec<(i64, CustomerChange)> {
    cache
        .outbox(None)
        .unwrap()
        .iter()
        .map(|o| (o.entity_id, CustomerChange::from_json(&o.payload).unwrap()))
        .collect()
}

#[test]
fn an_invalid_form_reports_every_field_and_writes_nothing() {
    let cache = Cache::open_in_memory().unwrap();
    let err =
        create_customer(&cache, &form(" ", "not-an-email", "020 123 4567"), now()).unwrap_err();
    let CoreError::Invalid { errors } = &err else {
        panic!("{err:?}")
    };
    let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
    assert_eq!(fields, ["name", "email", "phone"]);
    assert!(
        errors[2].message.contains("country code"),
        "{}",
        errors[2].message
    );
    assert_eq!(err.code(), "invalid_input");
    assert_eq!(err.field(), Some("name"));
    assert!(cache.outbox(None).unwrap().is_empty());
    assert_eq!(cache.customer_counts().unwrap().total, 0);
}

#[test]
fn a_create_is_a_pending_row_with_a_local_id_and_one_operation() {
    let cache = Cache::open_in_memory().unwrap();
    let a = create_customer(
        &cache,
        &form(" Acme ", "IT@acme.test", "+31 20 123 4567"),
        now(),
    )
    .unwrap();
    let b = create_customer(&cache, &form("Beta", "it@beta.test", ""), now()).unwrap();
    assert_eq!((a.id, b.id), (-1, -2));
    assert_eq!(a.name, "Acme", "trimmed");
    assert_eq!(a.phone.as_deref(), Some("+31201234567"), "stored E.164");
    assert_eq!(b.phone, None);
    assert_eq!(
        cache.get_customer(-1).unwrap().unwrap().sync_state,
        SyncState::Pending
    );
    let ops = cache.outbox(None).unwrap();
    assert_eq!(ops.len(), 2);
    assert!(ops
        .iter()
        .all(|o| o.kind == OutboxKind::Create && o.state == OutboxState::Pending));
    assert_eq!(cache.outbox_counts().unwrap().pending, 2);
}

#[test]
fn edits_of_an_unsent_create_fold_into_it_and_a_delete_cancels_it() {
    let cache = Cache::open_in_memory().unwrap();
    let row = create_customer(&cache, &form("Acme", "it@acme.test", ""), now()).unwrap();
    update_customer(&cache, row.id, &form("Acme BV", "it@acme.test", ""), now()).unwrap();
    let ops = changes(&cache);
    assert_eq!(ops.len(), 1, "still one create");
    let CustomerChange::Create { fields } = &ops[0].1 else {
        panic!("{ops:?}")
    };
    assert_eq!(fields.name, "Acme BV");

    delete_customer(&cache, row.id, now()).unwrap();
    assert!(cache.outbox(None).unwrap().is_empty(), "nothing to send");
    assert!(cache.get_customer(row.id).unwrap().is_none());
}

#[test]
fn an_edit_keeps_its_base_and_later_edits_fold_into_it() {
    let cache = Cache::open_in_memory().unwrap();
    let server = synced(42);
    cache
        .upsert_customers(std::slice::from_ref(&server))
        .unwrap();

    let unchanged = form(&server.name, &server.email, "+31 20 1234567");
    let same = update_customer(&cache, 42, &unchanged, now()).unwrap();
    assert_eq!(
        same.sync_state,
        SyncState::Synced,
        "no change, nothing queued"
    );
    assert!(cache.outbox(None).unwrap().is_empty());

    update_customer(&cache, 42, &form("First", &server.email, ""), now()).unwrap();
    let row = update_customer(&cache, 42, &form("Second", &server.email, ""), now()).unwrap();
    assert_eq!(row.name, "Second");
    assert_eq!(row.phone, None);
    assert_eq!(row.sync_state, SyncState::Pending);
    let ops = cache.outbox(None).unwrap();
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0].base_last_modified, Some(server.last_modified));
    let CustomerChange::Update { base, mine } = CustomerChange::from_json(&ops[0].payload).unwrap()
    else {
        panic!()
    };
    assert_eq!(base.name, server.name, "the base is the server's version");
    assert_eq!(mine.name, "Second");
}

#[test]
fn deleting_an_edited_customer_sends_one_delete_and_discard_restores_the_server_version() {
    let cache = Cache::open_in_memory().unwrap();
    let server = synced(7);
    cache
        .upsert_customers(std::slice::from_ref(&server))
        .unwrap();
    update_customer(&cache, 7, &form("Edited", &server.email, ""), now()).unwrap();
    delete_customer(&cache, 7, now()).unwrap();

    assert!(
        cache.get_customer(7).unwrap().is_none(),
        "gone from the list at once"
    );
    let ops = changes(&cache);
    assert_eq!(ops.len(), 1, "the edit is superseded: {ops:?}");
    let CustomerChange::Delete { base, .. } = &ops[0].1 else {
        panic!("{ops:?}")
    };
    assert_eq!(
        base.name, server.name,
        "restores to the server's version, not the edit"
    );
    let err = update_customer(&cache, 7, &form("Again", &server.email, ""), now()).unwrap_err();
    assert_eq!(err.code(), "not_found");

    let restored = discard_customer_changes(&cache, 7, now()).unwrap().unwrap();
    assert_eq!(restored, server, "the server's row, synced");
    let ops = changes(&cache);
    assert_eq!(
        ops,
        vec![(7, CustomerChange::Refresh)],
        "re-read when online"
    );
    assert_eq!(cache.outbox_counts().unwrap().pending, 1);
}

#[test]
fn discarding_an_edit_puts_the_base_back() {
    let cache = Cache::open_in_memory().unwrap();
    let server = synced(9);
    cache
        .upsert_customers(std::slice::from_ref(&server))
        .unwrap();
    update_customer(&cache, 9, &form("Edited", "new@server.test", ""), now()).unwrap();
    let restored = discard_customer_changes(&cache, 9, now()).unwrap().unwrap();
    assert_eq!(restored, server);
    assert_eq!(cache.get_customer(9).unwrap().unwrap(), server);
}

#[test]
fn local_ids_are_never_reused_while_an_operation_refers_to_them() {
    let cache = Cache::open_in_memory().unwrap();
    let a = create_customer(&cache, &form("A", "a@x.test", ""), now()).unwrap();
    let b = create_customer(&cache, &form("B", "b@x.test", ""), now()).unwrap();
    // b's row goes, but a delete of a pending create removes its operation as well; a's stays.
    delete_customer(&cache, b.id, now()).unwrap();
    let c = create_customer(&cache, &form("C", "c@x.test", ""), now()).unwrap();
    assert_ne!(c.id, a.id);
    assert!(c.id < 0);
}
