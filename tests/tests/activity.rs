//! The activity log through the real window, against a sandbox: an edit the server takes and
//! one it refuses are listed with who made them, the fields before and after and the answer;
//! the log is searched, filtered, exported through the save dialog, opens the organisation an
//! entry names, and is still there after a restart.

use std::time::Duration;

use e2e::{eventually_within as eventually, sandbox, Api, App, Launch, UI_TIMEOUT};
use scriptix_sandbox::{FaultConfig, Sandbox};
use serde_json::{json, Value};

const SENT: Duration = Duration::from_secs(60);

/// The entries the screen shows: [{id, what, outcome, outcomeText, who, org, changes}].
async fn entries(app: &App) -> Vec<Value> {
    let v = app
        .eval(
            "return [...document.querySelectorAll('#activity-list .activity-entry')].map(e => ({
               id: Number(e.dataset.id), outcome: e.dataset.outcome,
               what: e.querySelector('.activity-what').textContent,
               outcomeText: e.querySelector('.activity-outcome').textContent,
               who: e.querySelector('.activity-who').textContent,
               org: e.querySelector('.activity-org')?.textContent ?? null,
               changes: [...e.querySelectorAll('.activity-changes li')].map(li => li.textContent) }));",
            vec![],
        )
        .await;
    serde_json::from_value(v).unwrap()
}

/// Waits until the screen shows `n` entries that `ok` accepts.
async fn shown(app: &App, what: &str, ok: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    eventually(what, SENT, || async {
        let e = entries(app).await;
        ok(&e).then_some(e)
    })
    .await
}

fn launch(sandbox: &Sandbox, home: &std::path::Path, seam: &std::path::Path) -> Launch {
    Launch::signed_in(sandbox.base_url(), sandbox.reseller_token())
        .home(home)
        .env("SCRIPTIX_TEST_DIALOG", seam.display().to_string())
}

/// Edits organisation `id`'s name on its page and saves it.
async fn rename(app: &App, id: i64, name: &str) {
    app.click("#nav-orgs").await;
    app.wait_for(&format!("#org-list .org-row[data-id=\"{id}\"]"))
        .await;
    app.open_tab(id, "subscription").await;
    app.fill("#org-name", name).await;
    app.click("#save-org").await;
    app.wait_gone("#save-org").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_are_logged_with_their_answers_searched_exported_and_kept() {
    let sandbox = sandbox(8).await;
    let api = Api::of(&sandbox);
    let all = api.all().await;
    let (kept, refused) = (&all[0], &all[1]);
    let (kept_id, refused_id) = (
        kept["id"].as_i64().unwrap(),
        refused["id"].as_i64().unwrap(),
    );
    sandbox.set_faults(FaultConfig::refusing_customer(
        "PUT",
        refused_id,
        409,
        "This name is reserved by another reseller.",
    ));
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let seam = dir.path().join("dialog");
    let app = App::launch(launch(&sandbox, &home, &seam)).await;
    app.wait_for("#org-list .org-row[data-id]").await;
    let me = app.wait_for_text("#signed-in-name").await;

    rename(&app, kept_id, "Logbook Renamed BV").await;
    rename(&app, refused_id, "Reserved Name BV").await;
    eventually("the rename to reach the server", SENT, || async {
        api.get(kept_id)
            .await
            .filter(|c| c["name"] == "Logbook Renamed BV")
    })
    .await;

    app.click("#nav-activity").await;
    app.wait_for("#activity-view").await;
    let list = shown(&app, "both answers to show", |e| {
        e.len() == 2
            && e.iter().any(|x| x["outcome"] == "sent")
            && e.iter().any(|x| x["outcome"] == "refused")
    })
    .await;
    let sent = list.iter().find(|x| x["outcome"] == "sent").unwrap();
    assert_eq!(sent["what"], "Edit organisation Logbook Renamed BV");
    assert_eq!(sent["outcomeText"], "Accepted by the server");
    assert!(sent["who"].as_str().unwrap().starts_with(&me), "{sent}");
    assert_eq!(sent["org"], "Logbook Renamed BV");
    assert_eq!(
        sent["changes"],
        json!([format!(
            "Name {} → Logbook Renamed BV",
            kept["name"].as_str().unwrap()
        )])
    );
    let no = list.iter().find(|x| x["outcome"] == "refused").unwrap();
    assert!(
        no["outcomeText"]
            .as_str()
            .unwrap()
            .contains("This name is reserved by another reseller."),
        "{no}"
    );
    assert_eq!(app.wait_for_text("#activity-summary").await, "2 changes");
    app.wait_gone("#toasts .toast").await; // the saves' notes, for the picture
    app.snap("activity-log").await;

    // Searched, then filtered by outcome.
    app.fill("#activity-search", "logbook").await;
    shown(&app, "the search to narrow the list", |e| {
        e.len() == 1 && e[0]["outcome"] == "sent"
    })
    .await;
    app.eval(
        "const q = document.querySelector('#activity-search'); q.value = '';
         q.dispatchEvent(new Event('input'));
         const s = document.querySelector('#activity-outcome'); s.value = 'refused';
         s.dispatchEvent(new Event('change'));",
        vec![],
    )
    .await;
    shown(&app, "the filter to leave the refusal", |e| {
        e.len() == 1 && e[0]["outcome"] == "refused"
    })
    .await;

    // Exported as filtered, through the save dialog.
    let out = dir.path().join("activity.csv");
    std::fs::write(&seam, out.display().to_string()).unwrap();
    app.click("#activity-export").await;
    let csv = eventually("the export to be written", UI_TIMEOUT, || async {
        std::fs::read_to_string(&out).ok()
    })
    .await;
    let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 1, "{csv}");
    assert_eq!(&records[0][4], "Edit organisation Reserved Name BV");
    assert_eq!(&records[0][8], refused_id.to_string());

    // An entry opens its organisation.
    app.click("#activity-list .activity-entry .activity-org")
        .await;
    app.wait_for(&format!("#org-page[data-id=\"{refused_id}\"]"))
        .await;
    app.close().await;

    // A restart keeps the log.
    let app = App::launch(launch(&sandbox, &home, &seam)).await;
    app.wait_for("#org-list .org-row[data-id]").await;
    app.click("#nav-activity").await;
    let again = shown(&app, "the log after a restart", |e| e.len() == 2).await;
    assert!(again
        .iter()
        .any(|x| x["what"] == "Edit organisation Logbook Renamed BV" && x["outcome"] == "sent"));
    app.close().await;
    sandbox.shutdown().await;
}
