//! Work on many organisations at once: bulk actions filed under a batch (progress, undo, sent
//! after the user's single changes, each exactly once), the list exported to CSV and a CSV
//! imported (preview, duplicates, never twice), against a cache in a file and, where the
//! server answers, a real sandbox over loopback.

mod support;

use std::collections::{BTreeMap, HashSet};

use chrono::{TimeZone, Utc};
use reseller_core::cache::{Cache, CustomerRow, OutboxState, SortColumn, SortDirection, SyncState};
use reseller_core::customers::bulk::{apply_bulk, undo_batch, BatchView, BulkAction};
use reseller_core::customers::import::{import_rows, judge, read_import, RowOutcome};
use reseller_core::customers::list_export::export_customers;
use reseller_core::customers::selection::selected_ids;
use reseller_core::customers::{
    create_customer, update_customer, CustomerFields, Matching, Selection,
};
use reseller_core::sync::{replay_outbox, replay_outbox_with, sync_customer_list, Batches};
use scriptix_sandbox::FaultConfig;
use support::*;

fn row(id: i64, name: &str, active: bool) -> CustomerRow {
    let t = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
    CustomerRow {
        id,
        name: name.into(),
        email: format!("{}@example.com", name.to_lowercase().replace(' ', ".")),
        phone: Some("+31201234567".into()),
        is_active: active,
        registration_date: t,
        last_modified: t,
        sync_state: SyncState::Synced,
    }
}

/// A cache in a file holding `rows`.
fn cache_with(rows: &[CustomerRow]) -> (tempfile::TempDir, Cache) {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path().join("cache.sqlite3")).unwrap();
    cache.upsert_customers(rows).unwrap();
    (dir, cache)
}

fn batches(cache: &Cache) -> Vec<BatchView> {
    cache
        .batches()
        .unwrap()
        .iter()
        .map(|b| BatchView::of(b, 100))
        .collect()
}

#[test]
fn a_bulk_deactivation_is_one_batch_and_undo_puts_every_row_back() {
    let rows: Vec<CustomerRow> = (1..=5)
        .map(|i| row(i, &format!("Org {i}"), i != 3))
        .collect();
    let (_dir, cache) = cache_with(&rows);
    let report = apply_bulk(&cache, BulkAction::Deactivate, &[1, 2, 3, 4, 5], Utc::now()).unwrap();
    assert_eq!((report.queued, report.unchanged, report.skipped), (4, 1, 0));
    assert!(
        report.message.contains("Deactivating 4 organisations"),
        "{}",
        report.message
    );
    assert!(
        report.message.contains("1 already inactive"),
        "{}",
        report.message
    );
    for id in 1..=5 {
        let r = cache.get_customer(id).unwrap().unwrap();
        assert!(!r.is_active, "{id} shows inactive at once");
        let want = if id == 3 {
            SyncState::Synced
        } else {
            SyncState::Pending
        };
        assert_eq!(r.sync_state, want, "{id}");
    }
    let views = batches(&cache);
    assert_eq!(views.len(), 1);
    let b = &views[0];
    assert_eq!((b.sent, b.total, b.waiting, b.undoable), (0, 4, 4, 4));
    assert_eq!(b.progress_text, "0 of 4 sent");
    // Two requests each (the server's version is read first), at 100 a minute.
    assert_eq!(
        b.time_left_text.as_deref(),
        Some("under a minute left at 100 requests a minute")
    );
    assert!(cache
        .outbox(None)
        .unwrap()
        .iter()
        .all(|o| o.batch_id == report.batch_id));

    let undo = undo_batch(&cache, report.batch_id.unwrap(), Utc::now()).unwrap();
    assert_eq!((undo.undone, undo.kept), (4, 0));
    assert!(
        cache.outbox(None).unwrap().is_empty(),
        "nothing left to send"
    );
    for r in &rows {
        let now = cache.get_customer(r.id).unwrap().unwrap();
        assert_eq!(now.is_active, r.is_active, "{} as before", r.id);
        assert_eq!(now.sync_state, SyncState::Synced);
        assert_eq!(now.last_modified, r.last_modified);
    }
    let b = &batches(&cache)[0];
    assert_eq!((b.undone, b.total, b.waiting), (4, 0, 0));
    assert!(b.finished);
}

#[test]
fn undoing_a_bulk_change_keeps_the_users_own_edit_folded_into_it() {
    let (_dir, cache) = cache_with(&[row(1, "Alpha", true), row(2, "Beta", true)]);
    let mut f = form("Alpha Renamed", "alpha@example.com", "+31 20 123 4567");
    f.is_active = true;
    update_customer(&cache, 1, &f, Utc::now()).unwrap();
    let report = apply_bulk(&cache, BulkAction::Deactivate, &[1, 2], Utc::now()).unwrap();
    assert_eq!(report.queued, 2);
    assert_eq!(
        cache.outbox(None).unwrap().len(),
        2,
        "the rename and the deactivation fold"
    );

    undo_batch(&cache, report.batch_id.unwrap(), Utc::now()).unwrap();
    let left = cache.outbox(None).unwrap();
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0].entity_id, 1);
    assert_eq!(left[0].batch_id, None, "a single change again");
    let alpha = cache.get_customer(1).unwrap().unwrap();
    assert_eq!(alpha.name, "Alpha Renamed");
    assert!(alpha.is_active);
    assert_eq!(alpha.sync_state, SyncState::Pending);
    let beta = cache.get_customer(2).unwrap().unwrap();
    assert!(beta.is_active);
    assert_eq!(beta.sync_state, SyncState::Synced);
}

#[test]
fn a_bulk_delete_undone_brings_the_rows_back_and_cancels_never_sent_creates_for_good() {
    let (_dir, cache) = cache_with(&[row(1, "Alpha", true), row(2, "Beta", false)]);
    let local =
        create_customer(&cache, &form("Gamma", "gamma@example.com", ""), Utc::now()).unwrap();
    let report = apply_bulk(&cache, BulkAction::Delete, &[1, 2, local.id], Utc::now()).unwrap();
    assert_eq!((report.queued, report.unchanged), (2, 1));
    assert!(cache.get_customer(1).unwrap().is_none());
    assert!(cache.get_customer(local.id).unwrap().is_none());
    undo_batch(&cache, report.batch_id.unwrap(), Utc::now()).unwrap();
    let back = cache.get_customer(2).unwrap().unwrap();
    assert_eq!((back.name.as_str(), back.is_active), ("Beta", false));
    assert_eq!(back.sync_state, SyncState::Synced);
    assert!(cache.get_customer(1).unwrap().is_some());
    assert!(cache.outbox(None).unwrap().is_empty());
}

#[test]
fn everything_matching_a_search_is_selected_also_rows_never_shown_less_the_unpicked() {
    let mut rows: Vec<CustomerRow> = (1..=2500)
        .map(|i| row(i, &format!("Acme {i}"), true))
        .collect();
    rows.push(row(9001, "Other", true));
    let (_dir, cache) = cache_with(&rows);
    let selection = Selection {
        matching: Some(Matching {
            search: "acme".into(),
            status: Some(true),
        }),
        except: vec![7, 8],
        ..Selection::default()
    };
    let ids: HashSet<i64> = selected_ids(&cache, &selection)
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(ids.len(), 2498);
    assert!(!ids.contains(&7) && !ids.contains(&9001));
    let picked = Selection {
        ids: vec![3, 3, 9001],
        ..Selection::default()
    };
    assert_eq!(selected_ids(&cache, &picked).unwrap(), vec![3, 9001]);
}

#[tokio::test]
async fn a_batch_goes_after_a_later_single_change_each_item_once_and_a_refused_one_waits() {
    let sb = sandbox(20, 5).await;
    let online = client(&sb);
    let (_dir, cache) = support::cache();
    sync_customer_list(&online, &cache).await.unwrap();
    let ids: Vec<i64> = cached_customers(&cache)
        .values()
        .filter(|r| r.is_active)
        .map(|r| r.id)
        .take(6)
        .collect();
    assert_eq!(ids.len(), 6);
    let report = apply_bulk(
        &cache.lock().unwrap(),
        BulkAction::Deactivate,
        &ids,
        Utc::now(),
    )
    .unwrap();
    assert_eq!(report.queued, 6);
    // Made after the bulk action, sent before it.
    let single = create_customer(
        &cache.lock().unwrap(),
        &form("Single Change BV", "single@example.com", ""),
        Utc::now(),
    )
    .unwrap();
    let refused = ids[2];
    sb.set_faults(FaultConfig::refusing_customer(
        "PUT",
        refused,
        409,
        "This organisation has running transcriptions.",
    ));
    sb.reset_stats();
    let done = replay_outbox(&online, &cache, Utc::now()).await.unwrap();
    assert_eq!((done.completed, done.failed), (6, 1));
    let order = sb.stats().order;
    let first_post = order.iter().position(|r| r.starts_with("POST")).unwrap();
    let first_get = order.iter().position(|r| r.starts_with("GET")).unwrap();
    assert!(
        first_post < first_get,
        "the single create went first: {order:?}"
    );
    assert_eq!(order.iter().filter(|r| r.starts_with("POST")).count(), 1);

    let server = server_customers(&online).await;
    for id in &ids {
        assert_eq!(server[id].is_active, *id == refused, "{id} on the server");
    }
    assert!(server.values().any(|c| c.email == "single@example.com"));
    let c = cache.lock().unwrap();
    assert!(
        c.get_customer(single.id).unwrap().is_none(),
        "the create took its server id"
    );
    assert_eq!(
        c.get_customer(refused).unwrap().unwrap().sync_state,
        SyncState::Failed
    );
    let b = &batches(&c)[0];
    assert_eq!((b.sent, b.refused, b.waiting, b.total), (5, 1, 0, 6));
    assert!(b.detail_text.contains("1 refused"), "{}", b.detail_text);
    // Undo takes back only the refused one: it shows the server's version again.
    let undo = undo_batch(&c, b.id, Utc::now()).unwrap();
    assert_eq!(undo.undone, 1);
    let back = c.get_customer(refused).unwrap().unwrap();
    assert!(back.is_active);
    assert_eq!(back.sync_state, SyncState::Synced);
    assert!(c.outbox(Some(OutboxState::Failed)).unwrap().is_empty());
}

#[test]
fn a_csv_with_bom_semicolons_and_odd_headers_is_read_and_each_row_judged() {
    let text = "\u{feff}E-Mail;ORGANISATION NAME;Phone number;Status;Notes\r\n\
                a@x.nl;Alpha BV;+31 20 123 4567;Active;first\r\n\
                not-an-email;Beta BV;;Inactive;\r\n\
                ;;;;\r\n\
                A@X.NL;Alpha again;;;dup in file\r\n\
                here@x.nl;Here BV;;;\r\n\
                c@x.nl;Gamma BV;'+31 20 765 4321;paused;\r\n\
                d@x.nl;\"Delta; Inc\";;inactive;\r\n";
    let file = read_import(text.as_bytes()).unwrap();
    assert_eq!(file.delimiter, b';');
    assert_eq!(file.ignored_columns, vec!["Notes".to_string()]);
    assert_eq!(file.lines.len(), 6, "the blank row is skipped");
    let existing: HashSet<String> = ["here@x.nl".to_string()].into_iter().collect();
    let judged = judge(&file, &existing);
    let outcomes: Vec<(u64, RowOutcome)> =
        judged.rows.iter().map(|r| (r.line, r.outcome)).collect();
    assert_eq!(
        outcomes,
        vec![
            (2, RowOutcome::Valid),
            (3, RowOutcome::Invalid),
            (5, RowOutcome::Duplicate),
            (6, RowOutcome::Duplicate),
            (7, RowOutcome::Invalid),
            (8, RowOutcome::Valid),
        ]
    );
    assert_eq!(judged.rows[1].field, Some("email"));
    assert_eq!(
        judged.rows[2].message.as_deref(),
        Some("Same email as line 2.")
    );
    assert_eq!(judged.rows[4].field, Some("status"));
    assert_eq!(judged.valid.len(), 2);
    assert_eq!(judged.valid[0].phone.as_deref(), Some("+31201234567"));
    assert_eq!(judged.valid[1].name, "Delta; Inc");
    assert!(!judged.valid[1].is_active);
}

#[test]
fn files_that_cannot_be_imported_say_what_to_change() {
    let latin1 = b"Name,Email\nCaf\xe9 BV,cafe@x.nl\n";
    let e = read_import(latin1).unwrap_err();
    assert_eq!(e.code(), "import_unreadable");
    assert!(e.to_string().contains("CSV UTF-8"), "{e}");
    let e = read_import(b"Company,Phone\nAcme,+31201234567\n").unwrap_err();
    assert!(
        e.to_string().contains("needs a Name and an Email column"),
        "{e}"
    );
    assert!(e.to_string().contains("Company, Phone"), "{e}");
    assert!(read_import(b"   \n")
        .unwrap_err()
        .to_string()
        .contains("empty"));
}

#[test]
fn an_export_reads_back_as_the_same_organisations_and_all_duplicates_here() {
    let mut rows = vec![row(1, "Alpha", true), row(2, "=Formula Corp", false)];
    rows[1].phone = None;
    let (dir, cache) = cache_with(&rows);
    let path = dir.path().join("organisations.csv");
    let everything = Selection {
        matching: Some(Matching::default()),
        ..Selection::default()
    };
    let n = export_customers(
        &cache,
        &everything,
        SortColumn::Name,
        SortDirection::Desc,
        &path,
    )
    .unwrap();
    assert_eq!(n, 2);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with("\u{feff}ID,Name,Email,Phone,Status,Registration date\r\n"),
        "{text}"
    );
    assert!(
        text.contains("'=Formula Corp"),
        "a formula is neutralised: {text}"
    );
    let file = read_import(text.as_bytes()).unwrap();
    assert_eq!(file.ignored_columns, vec!["ID", "Registration date"]);
    let fresh = judge(&file, &HashSet::new());
    let by_name: BTreeMap<&str, &CustomerFields> =
        fresh.valid.iter().map(|f| (f.name.as_str(), f)).collect();
    assert_eq!(by_name.len(), 2, "{:?}", fresh.rows);
    assert_eq!(by_name["Alpha"].phone.as_deref(), Some("+31201234567"));
    assert!(!by_name["=Formula Corp"].is_active);
    // The picked rows only (a bulk export).
    let picked = dir.path().join("picked.csv");
    let two = Selection {
        ids: vec![2],
        ..Selection::default()
    };
    let n = export_customers(&cache, &two, SortColumn::Name, SortDirection::Asc, &picked).unwrap();
    assert_eq!(n, 1);
    let picked = std::fs::read_to_string(&picked).unwrap();
    assert!(
        picked.contains("'=Formula Corp") && !picked.contains("Alpha"),
        "{picked}"
    );
    let here: HashSet<String> = rows.iter().map(|r| r.email.clone()).collect();
    assert!(judge(&file, &here)
        .rows
        .iter()
        .all(|r| r.outcome == RowOutcome::Duplicate));
}

#[tokio::test]
async fn importing_the_same_rows_twice_creates_each_organisation_once_on_the_server() {
    let sb = sandbox(5, 3).await;
    let online = client(&sb);
    let (_dir, cache) = support::cache();
    sync_customer_list(&online, &cache).await.unwrap();
    let file = read_import(
        b"name,email,phone\nImport One,one@import.test,+31201234567\nImport Two,two@import.test,\n",
    )
    .unwrap();
    let valid = judge(&file, &HashSet::new()).valid;
    let first = import_rows(&cache.lock().unwrap(), &valid, "orgs.csv", Utc::now()).unwrap();
    assert_eq!((first.created, first.duplicates), (2, 0));
    let again = import_rows(&cache.lock().unwrap(), &valid, "orgs.csv", Utc::now()).unwrap();
    assert_eq!(
        (again.created, again.duplicates, again.batch_id),
        (0, 2, None)
    );
    assert_eq!(
        again.message,
        "Nothing imported: 2 organisations already here."
    );
    sb.reset_stats();
    replay_outbox(&online, &cache, Utc::now()).await.unwrap();
    let server = server_customers(&online).await;
    let imported = server
        .values()
        .filter(|c| c.email.ends_with("@import.test"))
        .count();
    assert_eq!(imported, 2);
    assert_eq!(
        sb.stats()
            .order
            .iter()
            .filter(|r| r.starts_with("POST"))
            .count(),
        2
    );
    let b = &batches(&cache.lock().unwrap())[0];
    assert_eq!((b.sent, b.total), (2, 2));
    assert_eq!(b.label, "Import 2 organisations from orgs.csv");
    assert_cache_equals_server(&online, &cache).await;
}

#[tokio::test]
async fn a_change_made_while_a_batch_waits_for_the_rate_budget_goes_at_once() {
    let sb = sandbox(12, 9).await;
    let mut config = scriptix_api::ClientConfig::new(sb.base_url(), sb.reseller_token());
    // Ten a minute: the background lane may send eight (four deactivations), two are kept.
    config.rate_limit_per_minute = 10;
    let online = scriptix_api::Client::new(config).unwrap();
    let (_dir, cache) = support::cache();
    sync_customer_list(&online, &cache).await.unwrap();
    let ids: Vec<i64> = cached_customers(&cache)
        .values()
        .filter(|r| r.is_active)
        .map(|r| r.id)
        .take(8)
        .collect();
    apply_bulk(
        &cache.lock().unwrap(),
        BulkAction::Deactivate,
        &ids,
        Utc::now(),
    )
    .unwrap();
    // The sync's request holds the background lane back for a moment (the user's quiet time):
    // the first slices send what the budget allows, then say how long the rest waits.
    let mut sent = 0;
    loop {
        let slice = replay_outbox_with(&online, &cache, Utc::now(), Batches::Sliced, &|_| {})
            .await
            .unwrap();
        sent += slice.completed;
        assert!(
            slice.more,
            "the batch cannot finish within this minute's budget"
        );
        match slice.wait {
            Some(_) if sent > 0 => break,
            Some(wait) => tokio::time::sleep(wait).await,
            None => {}
        }
    }
    assert!(
        sent <= 4,
        "the background lane left the reserve: {sent} sent"
    );
    // The batch is held back while the reserve is free for the user.
    assert!(online.background_wait(2).is_some());
    assert!(
        online.budget().remaining_in_window >= 1,
        "{:?}",
        online.budget()
    );
    let single = create_customer(
        &cache.lock().unwrap(),
        &form("Meanwhile BV", "meanwhile@example.com", ""),
        Utc::now(),
    )
    .unwrap();
    let slice = replay_outbox_with(&online, &cache, Utc::now(), Batches::Sliced, &|_| {})
        .await
        .unwrap();
    assert_eq!(slice.completed, 1, "the single change, not a batch's");
    assert!(slice.more, "the batch still waits");
    assert!(cache
        .lock()
        .unwrap()
        .get_customer(single.id)
        .unwrap()
        .is_none());
    assert!(on_server_email(&client(&sb), "meanwhile@example.com").await);
}

async fn on_server_email(client: &scriptix_api::Client, email: &str) -> bool {
    server_customers(client)
        .await
        .values()
        .any(|c| c.email == email)
}
