//! The Subscription, Tokens and Users tabs through the real window, against a sandbox: each
//! shows the sandbox's rows with an "as of" line; a subscription added by searching a plan and
//! an auto-renew switch reach the server; a new token's secret is shown once (gone from the
//! page once its dialog closes, and in no file the app wrote), and a token is revoked after a
//! confirmation; a user is validated field by field, added, edited, deactivated, reactivated
//! and deleted after a confirmation; a server without the gap endpoints says "not available".

use std::future::Future;
use std::path::Path;
use std::time::{Duration, Instant};

use e2e::{reseller_get, App, Launch, UI_TIMEOUT};
use scriptix_sandbox::{Gap, Sandbox, SandboxConfig};
use serde_json::Value;

const CUSTOMER: i64 = 1001;

async fn sandbox(gaps: &[Gap]) -> Sandbox {
    scriptix_sandbox::start(SandboxConfig {
        customers: 5,
        // The test's own requests must never be the ones refused.
        rate_limit_per_minute: 0,
        disabled_gaps: gaps.iter().copied().collect(),
        ..Default::default()
    })
    .await
    .expect("start the sandbox")
}

/// A reseller route of the sandbox (`path` after `/api/v3/reseller/`); its `result`.
async fn get(sb: &Sandbox, path: &str) -> Value {
    reseller_get(
        sb.base_url(),
        sb.reseller_token(),
        path,
        &[("limit", "1000")],
    )
    .await
    .0
}

async fn list(sb: &Sandbox, what: &str) -> Vec<Value> {
    get(sb, &format!("customer/{CUSTOMER}/{what}"))
        .await
        .as_array()
        .expect("a list")
        .clone()
}

fn ids(rows: &[Value]) -> Vec<i64> {
    let mut ids: Vec<i64> = rows.iter().map(|r| r["id"].as_i64().unwrap()).collect();
    ids.sort_unstable();
    ids
}

/// Polls `f` until it gives Some, for up to the UI timeout.
async fn eventually<T, F, Fut>(what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + UI_TIMEOUT;
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn launch(sb: &Sandbox, home: Option<&Path>) -> App {
    let mut l = Launch::signed_in(sb.base_url(), sb.reseller_token());
    if let Some(home) = home {
        l = l.home(home);
    }
    let app = App::launch(l).await;
    app.wait_for("#org-list-view").await;
    app
}

/// The row ids a tab's table shows.
async fn shown_ids(app: &App, row: &str) -> Vec<i64> {
    let v = app
        .eval(
            "return [...document.querySelectorAll(arguments[0])].map(r => Number(r.dataset.id));",
            vec![Value::from(row)],
        )
        .await;
    let mut ids: Vec<i64> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

/// Clicks through JavaScript: a styled switch hides its checkbox from WebDriver's clicks.
async fn js_click(app: &App, css: &str) {
    app.wait_js(
        css,
        "const el = document.querySelector(arguments[0]); if (!el) return false; el.click(); return true;",
        vec![Value::from(css)],
    )
    .await;
}

/// Clicks a row's button as a user would, once it is scrolled into the middle of the window
/// (clear of the status bar and of passing notes).
async fn click_row_button(app: &App, css: &str) {
    app.wait_js(
        css,
        "const el = document.querySelector(arguments[0]); if (!el) return false;
         el.scrollIntoView({ block: 'center' }); return true;",
        vec![Value::from(css)],
    )
    .await;
    app.click(css).await;
}

/// Waits until no element matches `css` (saying what the page shows if one stays).
async fn wait_absent(app: &App, css: &str) {
    app.wait_js(
        &format!("{css} to go"),
        "return !document.querySelector(arguments[0]);",
        vec![Value::from(css)],
    )
    .await;
}

/// A screenshot of the tab `prefix`, scrolled into view once passing notes are gone.
async fn snap_tab(app: &App, prefix: &str, name: &str) {
    app.wait_js_within(
        "the notes to go",
        Duration::from_secs(10),
        "return !document.querySelector('.toast');",
        vec![],
    )
    .await;
    app.eval(
        "document.querySelector(`#${arguments[0]}-panel`).scrollIntoView({ block: 'start' });",
        vec![Value::from(prefix)],
    )
    .await;
    app.snap(name).await;
}

/// Sets a select's value as a user's choice would.
async fn choose(app: &App, css: &str, value: &str) {
    app.eval(
        "const s = document.querySelector(arguments[0]); s.value = arguments[1];
         s.dispatchEvent(new Event('change', { bubbles: true }));",
        vec![Value::from(css), Value::from(value)],
    )
    .await;
}

#[tokio::test]
async fn subscription_tab_adds_a_searched_plan_and_switches_auto_renew() {
    let sb = sandbox(&[]).await;
    let app = launch(&sb, None).await;
    app.open_tab(CUSTOMER, "subscription").await;
    app.wait_for("#subs-panel[data-state=\"ready\"]").await;
    let server = list(&sb, "subscription").await;
    assert_eq!(shown_ids(&app, "#subs-table .sub-row").await, ids(&server));
    let as_of = app.wait_for_text("#subs-as-of").await;
    assert!(as_of.starts_with("As of"), "{as_of}");
    // How long ago comes from the core with the time, as of the read.
    assert!(
        as_of.contains("(just now)") || as_of.contains(" min ago)"),
        "{as_of}"
    );

    // Add: search the catalogue by a word of a plan's description, pick it, renew.
    let plans = get(&sb, "plan").await;
    let plan = plans.as_array().unwrap().last().unwrap().clone();
    let sku = plan["sku"].as_str().unwrap().to_string();
    let word = plan["description"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .max_by_key(|w| w.len())
        .unwrap()
        .to_lowercase();
    let before = server.iter().filter(|s| s["sku"] == sku.as_str()).count();
    app.click("#add-subscription").await;
    app.wait_for("#sub-dialog").await;
    app.wait_for(".plan-option").await;
    app.fill("#plan-search", &word).await;
    app.wait_js(
        "the search to narrow the plans",
        "const o = [...document.querySelectorAll('.plan-option')];
         return o.length > 0 && o.length < arguments[1] && o.every(x =>
           x.textContent.toLowerCase().includes(arguments[0]));",
        vec![
            Value::from(word.clone()),
            Value::from(plans.as_array().unwrap().len()),
        ],
    )
    .await;
    app.click(&format!(".plan-option[data-sku=\"{sku}\"]"))
        .await;
    js_click(&app, "#sub-auto-renew").await;
    app.click("#sub-submit").await;
    app.wait_gone("#sub-dialog").await;
    let added = eventually("the subscription on the server", || async {
        let now = list(&sb, "subscription").await;
        let mine: Vec<Value> = now
            .iter()
            .filter(|s| s["sku"] == sku.as_str())
            .cloned()
            .collect();
        (mine.len() > before).then_some(mine)
    })
    .await;
    assert_eq!(added.len(), before + 1, "added exactly once");
    let new = added.iter().max_by_key(|s| s["id"].as_i64()).unwrap();
    assert_eq!(new["auto_renew"], true);
    let new_id = new["id"].as_i64().unwrap();
    app.wait_for(&format!("#subs-table .sub-row[data-id=\"{new_id}\"]"))
        .await;

    // Switch auto-renew of the first subscription.
    let first = &server[0];
    let first_id = first["id"].as_i64().unwrap();
    let was = first["auto_renew"].as_bool().unwrap();
    js_click(
        &app,
        &format!(".sub-row[data-id=\"{first_id}\"] .sub-auto-renew"),
    )
    .await;
    eventually("auto-renew switched on the server", || async {
        let now = list(&sb, "subscription").await;
        now.iter()
            .any(|s| s["id"] == first_id && s["auto_renew"] == !was)
            .then_some(())
    })
    .await;
    // Settled: no badge is left, the switch shows the server's value.
    app.wait_js(
        "the row to settle",
        "const r = document.querySelector(`.sub-row[data-id=\"${arguments[0]}\"]`);
         return r && !r.querySelector('.row-badge') && r.querySelector('.sub-auto-renew').checked === arguments[1];",
        vec![Value::from(first_id), Value::from(!was)],
    )
    .await;
    snap_tab(&app, "subs", "tab-subscription").await;
    app.close().await;
}

#[tokio::test]
async fn tokens_tab_shows_a_new_secret_once_and_revokes_after_confirming() {
    let sb = sandbox(&[]).await;
    let home = tempfile::tempdir().unwrap();
    let app = launch(&sb, Some(home.path())).await;
    app.open_tab(CUSTOMER, "tokens").await;
    app.wait_for("#tokens-panel[data-state=\"ready\"]").await;
    let server = list(&sb, "token").await;
    assert_eq!(
        shown_ids(&app, "#tokens-table .token-row").await,
        ids(&server)
    );
    assert!(app
        .wait_for_text("#tokens-as-of")
        .await
        .starts_with("As of"));
    // The dates come display-ready from the core: the day, with the year the server gave;
    // no expiry reads "Never".
    for t in &server {
        let cells = app
            .texts(&format!(
                "#tokens-table .token-row[data-id=\"{}\"] td",
                t["id"]
            ))
            .await;
        let year = |k: &str| t[k].as_str().map(|s| s[..4].to_string());
        assert!(cells[2].contains(&year("created_at").unwrap()), "{cells:?}");
        match year("expires_at") {
            Some(y) => assert!(cells[3].contains(&y), "{cells:?}"),
            None => assert_eq!(cells[3], "Never", "{cells:?}"),
        }
    }

    // A name is required, per field.
    app.click("#new-token").await;
    app.wait_for("#token-dialog").await;
    app.click("#token-submit").await;
    assert!(app
        .wait_for_text("#token-name-error")
        .await
        .contains("name"));
    app.fill("#token-name", "CI pipeline").await;
    choose(&app, "#token-type", "realtime").await;
    choose(&app, "#token-years", "5").await;
    app.click("#token-submit").await;
    app.wait_for("#secret-dialog").await;
    let secret = app.value("#token-secret").await;
    assert!(secret.starts_with("sxk_realtime_"), "{secret}");
    let warning = app.wait_for_text("#secret-dialog").await;
    assert!(warning.contains("will not be shown again"), "{warning}");
    let made = list(&sb, "token").await;
    let new = made
        .iter()
        .find(|t| t["name"] == "CI pipeline")
        .expect("the token on the server")
        .clone();
    assert_eq!(new["type"], "realtime");
    app.snap("token-secret").await;
    app.click("#copy-secret").await;
    let status = app.wait_for_text("#secret-copy-status").await;
    assert!(
        status.contains("Copied") || status.contains("Ctrl+C"),
        "{status}"
    );
    app.click("#secret-close").await;
    app.wait_gone("#secret-dialog").await;

    // Gone: not in the page (switching tabs and back shows the list only) ...
    let new_id = new["id"].as_i64().unwrap();
    app.click("#tab-users").await;
    app.click("#tab-tokens").await;
    app.wait_for(&format!("#tokens-table .token-row[data-id=\"{new_id}\"]"))
        .await;
    let in_page = app
        .eval(
            "return document.documentElement.outerHTML.includes(arguments[0])
                || [...document.querySelectorAll('input')].some(i => i.value.includes(arguments[0]));",
            vec![Value::from(secret.clone())],
        )
        .await;
    assert_eq!(
        in_page,
        Value::Bool(false),
        "the secret is still in the page"
    );
    // ... and in no file the app wrote (the cache, its journal, settings).
    let mut files = 0;
    let mut stack = vec![home.path().to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                files += 1;
                assert!(
                    !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                    "the secret was written to {}",
                    path.display()
                );
            }
        }
    }
    assert!(files > 0, "the app wrote its cache under the home given");
    snap_tab(&app, "tokens", "tab-tokens").await;

    // Revoke, after a confirmation that names it.
    click_row_button(
        &app,
        &format!("#tokens-table .token-row[data-id=\"{new_id}\"] .revoke-token"),
    )
    .await;
    let question = app.wait_for_text("#confirm-dialog").await;
    assert!(question.contains("CI pipeline"), "{question}");
    app.click("#confirm-revoke").await;
    eventually("the token revoked on the server", || async {
        let now = list(&sb, "token").await;
        now.iter().all(|t| t["id"] != new_id).then_some(())
    })
    .await;
    wait_absent(
        &app,
        &format!("#tokens-table .token-row[data-id=\"{new_id}\"]"),
    )
    .await;
    app.close().await;
}

async fn server_user(sb: &Sandbox, email: &str) -> Option<Value> {
    list(sb, "user")
        .await
        .into_iter()
        .find(|u| u["email"] == email)
}

#[tokio::test]
async fn users_tab_adds_edits_deactivates_reactivates_and_deletes() {
    let sb = sandbox(&[]).await;
    let app = launch(&sb, None).await;
    app.open_tab(CUSTOMER, "users").await;
    app.wait_for("#users-panel[data-state=\"ready\"]").await;
    let server = list(&sb, "user").await;
    assert_eq!(
        shown_ids(&app, "#users-table .user-row").await,
        ids(&server)
    );
    assert!(app.wait_for_text("#users-as-of").await.starts_with("As of"));
    // The last login reads as the core says it: "Never", or how long ago.
    for u in &server {
        let cells = app
            .texts(&format!(
                "#users-table .user-row[data-id=\"{}\"] td",
                u["id"]
            ))
            .await;
        let login = &cells[5];
        match u["last_login"].as_str() {
            None => assert_eq!(login, "Never", "{cells:?}"),
            Some(_) => assert!(
                login.ends_with(" ago")
                    || login.starts_with("on ")
                    || login == "yesterday"
                    || login == "just now",
                "{cells:?}"
            ),
        }
    }

    // Bad input: a message beside each field, nothing queued.
    app.click("#add-user").await;
    app.wait_for("#user-dialog").await;
    app.fill("#user-email", "not-an-email").await;
    app.click("#user-submit").await;
    assert!(app
        .wait_for_text("#user-email-error")
        .await
        .contains("not a valid email"));
    assert!(app
        .wait_for_text("#user-roles-error")
        .await
        .contains("at least one role"));
    assert!(app.is_visible("#user-dialog").await);

    // Add.
    let email = "nina.new@example.org";
    app.fill("#user-email", email).await;
    app.fill("#user-first-name", "Nina").await;
    js_click(&app, "#user-role-DEVELOPER").await;
    app.click("#user-submit").await;
    app.wait_gone("#user-dialog").await;
    let row = format!("#users-table .user-row[data-email=\"{email}\"]");
    app.wait_for(&row).await;
    let added = eventually("the user on the server", || server_user(&sb, email)).await;
    assert_eq!(added["first_name"], "Nina");
    assert_eq!(added["roles"], serde_json::json!(["DEVELOPER"]));

    // Edit.
    click_row_button(&app, &format!("{row} .edit-user")).await;
    app.wait_for("#user-dialog").await;
    assert_eq!(app.value("#user-first-name").await, "Nina");
    app.fill("#user-last-name", "Jansen").await;
    js_click(&app, "#user-role-ORGADMIN").await;
    app.click("#user-submit").await;
    app.wait_gone("#user-dialog").await;
    eventually("the edit on the server", || async {
        server_user(&sb, email).await.filter(|u| {
            u["last_name"] == "Jansen" && u["roles"] == serde_json::json!(["ORGADMIN", "DEVELOPER"])
        })
    })
    .await;

    // Deactivate, after a confirmation.
    click_row_button(&app, &format!("{row} .deactivate-user")).await;
    app.wait_for("#confirm-dialog").await;
    app.click("#confirm-deactivate").await;
    eventually("deactivated on the server", || async {
        server_user(&sb, email)
            .await
            .filter(|u| u["is_active"] == false)
    })
    .await;
    app.wait_for(&format!("{row}[data-active=\"false\"] .reactivate-user"))
        .await;

    // Reactivate: active again, and the reactivation link sent.
    click_row_button(&app, &format!("{row} .reactivate-user")).await;
    eventually("reactivated on the server", || async {
        server_user(&sb, email)
            .await
            .filter(|u| u["is_active"] == true && !u["reactivation_sent_at"].is_null())
    })
    .await;
    app.wait_for(&format!("{row}[data-active=\"true\"]")).await;
    app.wait_js(
        "the user's row to settle",
        "const r = document.querySelector(arguments[0]); return r && !r.querySelector('.row-badge');",
        vec![Value::from(row.clone())],
    )
    .await;
    snap_tab(&app, "users", "tab-users").await;

    // Delete, after a confirmation that names the user.
    click_row_button(&app, &format!("{row} .delete-user")).await;
    let question = app.wait_for_text("#confirm-dialog").await;
    assert!(question.contains(email), "{question}");
    app.click("#confirm-delete-user").await;
    eventually("deleted on the server", || async {
        server_user(&sb, email).await.is_none().then_some(())
    })
    .await;
    wait_absent(&app, &row).await;
    app.close().await;
}

#[tokio::test]
async fn without_the_gap_endpoints_the_tabs_say_not_available() {
    let sb = sandbox(&[Gap::Subscriptions, Gap::Tokens, Gap::Users]).await;
    let app = launch(&sb, None).await;
    app.open_tab(CUSTOMER, "subscription").await;
    for (tab, prefix) in [
        ("subscription", "subs"),
        ("tokens", "tokens"),
        ("users", "users"),
    ] {
        app.click(&format!("#tab-{tab}")).await;
        app.wait_for(&format!("#{prefix}-panel[data-state=\"unsupported\"]"))
            .await;
        let text = app.wait_for_text(&format!("#{prefix}-state")).await;
        assert!(text.contains("Not available for this account"), "{text}");
        // Nothing to add to a feature the server lacks.
        let disabled = app
            .eval(
                "return [...document.querySelectorAll(`#${arguments[0]}-panel .tab-toolbar button`)].every(b => b.disabled);",
                vec![Value::from(prefix)],
            )
            .await;
        assert_eq!(disabled, Value::Bool(true), "{tab}");
    }
    app.close().await;
}
