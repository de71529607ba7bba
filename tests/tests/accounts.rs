//! Several reseller accounts through the real window: a second account is added from the
//! account menu without signing out of the first, the window title and the navigation name the
//! account shown, switching shows the other account's list, a change made in the first account
//! reaches its own server while the second is shown, and a restart resumes both, the account
//! shown last first.

use e2e::{poll, App, Launch};
use scriptix_sandbox::{FaultConfig, Sandbox, SandboxConfig};
use serde_json::{json, Value};

const FIRST: &str = "Northwind Speech Partners";
const SECOND: &str = "Harbour Transcripts";
const RENAMED: &str = "Renamed While Away";

async fn sandbox(customers: usize, seed: u64, name: &str) -> Sandbox {
    scriptix_sandbox::start(SandboxConfig {
        customers,
        seed,
        reseller_name: name.to_string(),
        // The test reads the server directly while the app syncs.
        rate_limit_per_minute: 0,
        ..Default::default()
    })
    .await
    .expect("start the sandbox")
}

/// How many organisations the shown account has cached.
async fn cached_rows(app: &App) -> u64 {
    app.list_customers("", 50).await["total"].as_u64().unwrap()
}

async fn title(app: &App) -> String {
    app.eval("return document.title", vec![])
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Waits until the window shows `name`'s account: navigation, title and list.
async fn shows(app: &App, name: &str, rows: u64) {
    app.wait_until_text("#nav-account", |t| t == name).await;
    let t = poll("the title", async || {
        let t = title(app).await;
        t.ends_with(&format!(" · {name} · Scriptix Reseller"))
            .then_some(t)
    })
    .await;
    assert!(t.starts_with("Organisations · "), "{t}");
    poll("the account's list", async || {
        (cached_rows(app).await == rows).then_some(())
    })
    .await;
}

async fn names_on(sandbox: &Sandbox) -> Vec<String> {
    let (rows, _) = e2e::reseller_get(
        sandbox.base_url(),
        sandbox.reseller_token(),
        "customer/",
        &[("limit", "100")],
    )
    .await;
    rows.as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_account_is_added_and_switched_to_and_each_keeps_syncing() {
    let home = tempfile::tempdir().unwrap();
    let first = sandbox(20, 3, FIRST).await;
    let second = sandbox(7, 4, SECOND).await;

    let app = App::launch(Launch::new().home(home.path())).await;
    app.wait_for("#sign-in-form").await;
    app.sign_in_with_form(first.base_url(), first.reseller_token())
        .await;
    shows(&app, FIRST, 20).await;

    // The first account's server goes out of reach; a rename waits in its outbox.
    first.set_faults(FaultConfig {
        reset_rate: 1.0,
        ..FaultConfig::default()
    });
    let row: Value = app.list_customers("", 1).await["rows"][0].clone();
    app.invoke(
        "update_customer",
        json!({"id": row["id"], "form": {"name": RENAMED, "email": row["email"], "phone": "", "isActive": true}}),
    )
    .await
    .expect("the rename is queued");

    // Add the second account from the account menu; the first stays signed in.
    app.click("#accounts-menu-button").await;
    app.click("#add-account").await;
    app.wait_until_text("#sign-in-title", |t| t == "Add an account")
        .await;
    let back = app.wait_for_text("#cancel-add-account").await;
    assert_eq!(back, format!("Back to {FIRST}"));
    assert!(
        !app.is_visible("#try-demo").await,
        "no demo while adding an account"
    );
    // Cancel returns to the account shown, still signed in.
    app.click("#cancel-add-account").await;
    shows(&app, FIRST, 20).await;
    app.click("#accounts-menu-button").await;
    app.click("#add-account").await;
    app.sign_in_with_form(second.base_url(), second.reseller_token())
        .await;
    shows(&app, SECOND, 7).await;

    // The menu names the first account, with its change still waiting.
    app.click("#accounts-menu-button").await;
    let other = app
        .wait_until_text(".switch-account", |t| {
            t.contains(FIRST) && t.contains("1 change waiting")
        })
        .await;
    assert!(other.contains(first.base_url()), "{other}");
    app.snap("accounts-menu").await;

    // Its server returns while the second account is shown: the first account's engine sends
    // the rename to the first server, once, and nothing to the second.
    first.set_faults(FaultConfig::default());
    let names = poll("the rename on the first server", async || {
        let names = names_on(&first).await;
        names.iter().any(|n| n == RENAMED).then_some(names)
    })
    .await;
    assert_eq!(names.iter().filter(|n| *n == RENAMED).count(), 1);
    assert!(!names_on(&second).await.iter().any(|n| n == RENAMED));
    assert_eq!(app.wait_for_text("#nav-account").await, SECOND);

    // Switch back from the menu: the first account's list, with its rename.
    app.click(".switch-account").await;
    shows(&app, FIRST, 20).await;
    let found = app.list_customers(RENAMED, 5).await;
    assert_eq!(found["total"], 1, "{found}");
    app.close().await;

    // A restart shows the account shown last, and opens the other behind it.
    let app = App::launch(Launch::new().home(home.path())).await;
    shows(&app, FIRST, 20).await;
    let listed = poll("both accounts", async || {
        let l = app.invoke("list_accounts", json!({})).await.ok()?;
        (l.as_array()?.len() == 2).then_some(l)
    })
    .await;
    let active: Vec<(&str, bool)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["organizationName"].as_str().unwrap(),
                a["active"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(active, [(FIRST, true), (SECOND, false)]);

    // Signing out of the shown account leaves the other one, shown at once.
    app.click("#sign-out").await;
    app.click("#sign-out-keep").await;
    shows(&app, SECOND, 7).await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_revoked_while_the_app_was_closed_is_named_at_the_next_start() {
    let home = tempfile::tempdir().unwrap();
    let first = sandbox(4, 5, FIRST).await;
    let second = sandbox(3, 6, SECOND).await;
    let app = App::launch(Launch::new().home(home.path())).await;
    app.wait_for("#sign-in-form").await;
    // Signed in to both (the first shown last).
    for sb in [&second, &first] {
        app.invoke(
            "sign_in",
            json!({"request": {"baseUrl": sb.base_url(), "token": sb.reseller_token(), "authStyle": "zoomKey"}}),
        )
        .await
        .expect("sign in");
    }
    app.close().await;

    // Meanwhile the second account's token was revoked.
    second.set_faults(FaultConfig::token_revoked());
    let app = App::launch(Launch::new().home(home.path())).await;
    shows(&app, FIRST, 4).await;
    let said = app
        .wait_until_text("#account-notice", |t| t.starts_with(SECOND))
        .await;
    assert!(said.contains("was signed out"), "{said}");
    assert!(said.contains("This API token was revoked."), "{said}");
    let listed = poll("one account left", async || {
        let l = app.invoke("list_accounts", json!({})).await.ok()?;
        (l.as_array()?.len() == 1).then_some(l)
    })
    .await;
    assert_eq!(listed[0]["organizationName"], FIRST);
    app.close().await;
}
