//! The activity log through the workspace, against a real sandbox over loopback and a cache
//! file: every change is logged with who made it, the fields before and after and how the
//! server answered (accepted, refused, discarded), a local create follows its server id, the
//! log is searched, filtered and exported, survives reopening, is pruned to its retention, and
//! never holds a token's key.

mod support;

use std::path::Path;

use chrono::Utc;
use reseller_core::activity::{ActivityEntry, ActivityPage, ActivityQuery, Area};
use reseller_core::cache::{ActivityOutcome, Tab};
use reseller_core::sync::{refresh_tab, replay_outbox, sync_customer_list};
use reseller_core::tabs::tokens::TokenForm;
use reseller_core::tabs::users::UserForm;
use reseller_core::workspace::Workspace;
use scriptix_api::Client;
use scriptix_sandbox::{start, FaultConfig, Sandbox, SandboxConfig};
use support::form;

const CUSTOMER: i64 = 1001;

async fn sandbox() -> Sandbox {
    start(SandboxConfig {
        customers: 5,
        seed: 11,
        rate_limit_per_minute: 0,
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn client(sb: &Sandbox) -> Client {
    support::unlimited_client(sb)
}

/// A workspace (its engine not running: the tests replay) over a cache holding the sandbox's
/// customers and the first one's tabs.
async fn workspace(sb: &Sandbox, dir: &Path) -> Workspace {
    let ws = Workspace::open(support::reseller_info(sb.base_url()), client(sb), dir).unwrap();
    let online = client(sb);
    sync_customer_list(&online, ws.engine().cache())
        .await
        .unwrap();
    for tab in [Tab::Tokens, Tab::Users] {
        refresh_tab(&online, ws.engine().cache(), CUSTOMER, tab, Utc::now())
            .await
            .unwrap();
    }
    ws
}

fn log(ws: &Workspace) -> ActivityPage {
    ws.activity_page(&ActivityQuery::default()).unwrap()
}

fn entry<'a>(page: &'a ActivityPage, what: &str) -> &'a ActivityEntry {
    page.entries
        .iter()
        .find(|e| e.what.contains(what))
        .unwrap_or_else(|| panic!("no entry {what:?} in {:#?}", page.entries))
}

#[tokio::test]
async fn every_change_is_logged_with_who_what_and_how_the_server_answered() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(&sb, dir.path()).await;
    let online = client(&sb);
    let rows = support::cached_customers(ws.engine().cache());
    let (a, b) = {
        let mut it = rows.values();
        (it.next().unwrap().clone(), it.next().unwrap().clone())
    };
    let phone = |r: &reseller_core::cache::CustomerRow| r.phone.clone().unwrap_or_default();
    ws.update_customer(a.id, &form("Renamed Holding", &a.email, &phone(&a)))
        .unwrap();
    ws.update_customer(b.id, &form(&b.name, "new-desk@example.org", &phone(&b)))
        .unwrap();
    ws.create_customer(&form("Fresh Start BV", "hello@fresh.example", ""))
        .unwrap();

    let waiting = log(&ws);
    assert_eq!(waiting.total, 3, "{waiting:#?}");
    assert!(waiting
        .entries
        .iter()
        .all(|e| e.outcome == ActivityOutcome::Waiting && e.outcome_text == "Waiting to be sent"));
    let renamed = entry(&waiting, "Edit organisation Renamed Holding");
    assert_eq!(renamed.who, "Test (test@example.org)");
    assert_eq!(renamed.area, Area::Organisation);
    assert_eq!(
        renamed.changes.len(),
        1,
        "only the name changed: {renamed:?}"
    );
    assert_eq!(renamed.changes[0].field, "Name");
    assert_eq!(renamed.changes[0].before.as_deref(), Some(a.name.as_str()));
    assert_eq!(renamed.changes[0].after.as_deref(), Some("Renamed Holding"));
    assert!(renamed.answered_text.is_empty(), "not answered yet");

    sb.set_faults(FaultConfig::refusing_customer(
        "PUT",
        b.id,
        409,
        "This address is used by another organisation.",
    ));
    replay_outbox(&online, ws.engine().cache(), Utc::now())
        .await
        .unwrap();

    let answered = log(&ws);
    let renamed = entry(&answered, "Renamed Holding");
    assert_eq!(renamed.outcome, ActivityOutcome::Sent);
    assert_eq!(renamed.outcome_text, "Accepted by the server");
    assert!(!renamed.answered_text.is_empty());
    let moved = entry(&answered, &format!("Edit organisation {}", b.name));
    assert_eq!(moved.outcome, ActivityOutcome::Refused);
    assert!(
        moved.outcome_text.contains("used by another organisation"),
        "{}",
        moved.outcome_text
    );
    assert_eq!(moved.changes[0].field, "Email");
    assert_eq!(
        moved.changes[0].after.as_deref(),
        Some("new-desk@example.org")
    );
    let created = entry(&answered, "Add organisation Fresh Start BV");
    assert_eq!(created.outcome, ActivityOutcome::Sent);
    let server_id = created.customer_id.unwrap();
    assert!(
        server_id > 0,
        "the create follows its server id: {server_id}"
    );
    assert!(support::server_customers(&online)
        .await
        .contains_key(&server_id));

    // A search writes what it looks in; a change to an entry afterwards is searched anew.
    let search = |text: &str| {
        ws.activity_page(&ActivityQuery {
            search: text.into(),
            ..ActivityQuery::default()
        })
        .unwrap()
        .total
    };
    assert_eq!(search("used by another organisation"), 1);
    assert_eq!(search("discarded"), 0);

    ws.discard_changes(b.id).unwrap();
    assert_eq!(search("discarded after the server refused"), 1);
    let discarded = log(&ws);
    let moved = entry(&discarded, &format!("Edit organisation {}", b.name));
    assert_eq!(moved.outcome, ActivityOutcome::Discarded);
    assert_eq!(moved.outcome_text, "Discarded after the server refused it");
    assert_eq!(discarded.total, 3, "a discard's re-read is not logged");

    // Searched and filtered.
    let q = |search: &str, outcomes: Vec<ActivityOutcome>, areas: Vec<Area>| {
        ws.activity_page(&ActivityQuery {
            search: search.into(),
            outcomes,
            areas,
            ..ActivityQuery::default()
        })
        .unwrap()
    };
    assert_eq!(q("renamed holding", vec![], vec![]).total, 1);
    assert_eq!(
        q("new-desk", vec![], vec![]).total,
        1,
        "values are searched"
    );
    assert_eq!(q("", vec![ActivityOutcome::Sent], vec![]).total, 2);
    assert_eq!(q("", vec![], vec![Area::Tokens]).total, 0);
    let one_org = ws
        .activity_page(&ActivityQuery {
            customer_id: Some(a.id),
            ..ActivityQuery::default()
        })
        .unwrap();
    assert_eq!(one_org.total, 1);
    let tomorrow = chrono::Local::now().date_naive().succ_opt().unwrap();
    let later = ws
        .activity_page(&ActivityQuery {
            from: Some(tomorrow),
            ..ActivityQuery::default()
        })
        .unwrap();
    assert_eq!(
        (later.total, later.summary.as_str()),
        (0, "No changes match")
    );

    // Exported as filtered, every entry on its own record.
    let csv = dir.path().join("activity.csv");
    let n = ws
        .export_activity_csv(
            &ActivityQuery {
                outcomes: vec![ActivityOutcome::Sent],
                ..ActivityQuery::default()
            },
            &csv,
        )
        .unwrap();
    assert_eq!(n, 2);
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 2);
    let renamed = records
        .iter()
        .find(|r| &r[4] == "Edit organisation Renamed Holding")
        .expect("the rename is exported");
    assert_eq!(&renamed[1], "Test (test@example.org)");
    assert_eq!(
        &renamed[5],
        format!("Name: {} \u{2192} Renamed Holding", a.name)
    );
    assert_eq!(&renamed[6], "Accepted by the server");
    assert_eq!(&renamed[8], a.id.to_string());
}

#[tokio::test]
async fn tab_changes_are_logged_and_a_tokens_key_never_is() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(&sb, dir.path()).await;
    let online = client(&sb);
    let made = ws
        .create_token(
            CUSTOMER,
            &TokenForm {
                name: "Build server".into(),
                token_type: "batch".into(),
                expires_in_years: 2,
            },
        )
        .await
        .unwrap();
    let user = ws.users_tab(CUSTOMER).unwrap().rows[0].row.clone();
    ws.update_user(
        CUSTOMER,
        user.id,
        &UserForm {
            email: "renamed.user@example.org".into(),
            first_name: user.first_name.clone().unwrap_or_default(),
            last_name: user.last_name.clone().unwrap_or_default(),
            roles: user.roles.clone(),
        },
    )
    .unwrap();
    ws.revoke_token(CUSTOMER, made.token.id).unwrap();
    replay_outbox(&online, ws.engine().cache(), Utc::now())
        .await
        .unwrap();

    let page = log(&ws);
    assert_eq!(page.total, 3, "{page:#?}");
    let created = entry(&page, "Create token \u{201c}Build server\u{201d}");
    assert_eq!(created.area, Area::Tokens);
    assert_eq!(created.outcome, ActivityOutcome::Sent);
    assert_eq!(created.customer_id, Some(CUSTOMER));
    assert!(
        created.organisation.is_some(),
        "named after its organisation"
    );
    assert!(created
        .changes
        .iter()
        .any(|c| c.field == "Type" && c.after.as_deref() == Some("Batch")));
    let revoked = entry(&page, "Revoke token \u{201c}Build server\u{201d}");
    assert_eq!(revoked.outcome, ActivityOutcome::Sent);
    let edited = entry(&page, "Edit user renamed.user@example.org");
    assert_eq!(edited.area, Area::Users);
    let email = edited.changes.iter().find(|c| c.field == "Email").unwrap();
    assert_eq!(email.before.as_deref(), Some(user.email.as_str()));
    assert_eq!(email.after.as_deref(), Some("renamed.user@example.org"));

    // The key is in no entry, no export, no file the app wrote.
    let csv = dir.path().join("activity.csv");
    ws.export_activity_csv(&ActivityQuery::default(), &csv)
        .unwrap();
    let shown = serde_json::to_string(&page).unwrap();
    assert!(!shown.contains(&made.secret), "the key reached the screen");
    support::assert_not_on_disk(dir.path(), &made.secret);
}

#[tokio::test]
async fn the_log_survives_reopening_and_keeps_only_what_the_retention_allows() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let online = client(&sb);
    let path = {
        let ws = workspace(&sb, dir.path()).await;
        let rows = support::cached_customers(ws.engine().cache());
        let mut it = rows.values();
        let (a, b) = (it.next().unwrap(), it.next().unwrap());
        ws.update_customer(a.id, &form("Sent Long Ago", &a.email, ""))
            .unwrap();
        replay_outbox(&online, ws.engine().cache(), Utc::now())
            .await
            .unwrap();
        // Queued and never sent: kept whatever its age.
        ws.update_customer(b.id, &form("Still Waiting", &b.email, ""))
            .unwrap();
        assert_eq!(log(&ws).total, 2);
        Workspace::cache_path(ws.info(), dir.path())
    };
    // Both made 400 days ago, as the file says.
    {
        let raw = rusqlite::Connection::open(&path).unwrap();
        raw.execute(
            "UPDATE activity SET made_at = made_at - 400 * 86400 * 1000000",
            [],
        )
        .unwrap();
    }
    let ws = Workspace::open(support::reseller_info(sb.base_url()), online, dir.path()).unwrap();
    let page = log(&ws);
    assert_eq!(page.retention_days, Some(365));
    assert_eq!(
        page.total, 1,
        "the sent one older than a year went: {page:#?}"
    );
    assert_eq!(page.entries[0].what, "Edit organisation Still Waiting");
    assert_eq!(page.entries[0].outcome, ActivityOutcome::Waiting);

    let e = ws.set_activity_retention(Some(7)).unwrap_err();
    assert_eq!(e.code(), "invalid_input");
    assert_eq!(ws.set_activity_retention(None).unwrap(), 0);
    assert_eq!(log(&ws).retention_days, None);
    assert_eq!(ws.set_activity_retention(Some(30)).unwrap(), 0);
    assert_eq!(log(&ws).total, 1, "unfinished: never pruned");
}
