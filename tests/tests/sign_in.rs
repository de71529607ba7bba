//! Signing in, through the real window: a reseller gets in, a resellee is told plainly why not,
//! a wrong token is refused, and the demo works without an account.

use e2e::{account_me, App, Launch};
use scriptix_sandbox::{FaultConfig, Gap, Sandbox, SandboxConfig};

async fn sandbox() -> Sandbox {
    scriptix_sandbox::start(SandboxConfig {
        customers: 20,
        ..Default::default()
    })
    .await
    .expect("start the sandbox")
}

fn full_name(account: &serde_json::Value) -> Vec<String> {
    ["first_name", "last_name"]
        .iter()
        .filter_map(|k| account[*k].as_str())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reseller_token_signs_in_and_shows_the_account() {
    let sandbox = sandbox().await;
    let me = account_me(sandbox.base_url(), sandbox.reseller_token()).await;
    let app = App::launch(Launch::new()).await;

    app.sign_in_with_form(sandbox.base_url(), sandbox.reseller_token())
        .await;

    let name = app.wait_for_text("#signed-in-name").await;
    for part in full_name(&me) {
        assert!(name.contains(&part), "name {name:?} lacks {part:?}");
    }
    let org = app.wait_for_text("#signed-in-org").await;
    assert_eq!(org, me["organization"]["name"].as_str().unwrap());
    assert_eq!(
        app.wait_for_text("#signed-in-email").await,
        me["email"].as_str().unwrap()
    );
    assert_eq!(
        app.wait_for_text("#signed-in-base-url").await,
        sandbox.base_url()
    );
    assert!(
        !app.is_visible("#demo-badge").await,
        "a real sign-in is no demo"
    );
    assert!(!app.is_visible("#sign-in-form").await);

    // Signing out returns to the form, with the address kept and the token gone.
    app.click("#sign-out").await;
    // Signing out asks whether to keep the offline copy of the data.
    app.click("#sign-out-keep").await;
    app.wait_for("#sign-in-form").await;
    assert_eq!(app.value("#base-url").await, sandbox.base_url());
    assert_eq!(app.value("#token").await, "");
    app.close().await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resellee_token_is_told_it_has_no_reseller_access() {
    let sandbox = sandbox().await;
    let me = account_me(sandbox.base_url(), sandbox.resellee_token()).await;
    let app = App::launch(Launch::new()).await;

    app.sign_in_with_form(sandbox.base_url(), sandbox.resellee_token())
        .await;

    let message = app.wait_for_text("#no-access-message").await;
    app.snap("no-access").await;
    assert!(
        message.to_lowercase().contains("no reseller access"),
        "{message:?}"
    );
    for part in full_name(&me) {
        assert!(
            message.contains(&part),
            "{message:?} does not name {part:?}"
        );
    }
    assert!(!app.is_visible("#signed-in").await, "a resellee got in");

    // The way out: back to the form, to try another token.
    app.click("#use-another-token").await;
    app.wait_for("#token").await;
    assert_eq!(app.value("#base-url").await, sandbox.base_url());
    assert_eq!(app.value("#token").await, "");
    app.close().await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_token_is_refused_in_plain_words() {
    let sandbox = sandbox().await;
    let app = App::launch(Launch::new()).await;

    app.sign_in_with_form(sandbox.base_url(), "sbx-not-a-real-token")
        .await;

    // The refusal appears under the token field or above the button, depending on whether the
    // error names the field; either way it carries the code and says what happened.
    let shown = app.wait_for_text("[data-code=\"unauthorized\"]").await;
    app.snap("wrong-token").await;
    assert!(
        shown.to_lowercase().contains("token"),
        "the message should say the token was not accepted: {shown:?}"
    );
    assert!(!app.is_visible("#signed-in").await);
    // The form is usable again for the next attempt.
    let button = app.wait_for("#sign-in").await;
    assert!(button.is_enabled().await.unwrap(), "Sign in stays disabled");
    app.close().await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn try_the_demo_signs_in_to_the_local_sandbox() {
    let app = App::launch(Launch::new()).await;
    app.wait_for("#try-demo").await;
    app.snap("sign-in").await;

    app.click("#try-demo").await;

    app.wait_for("#demo-badge").await;
    assert!(!app.wait_for_text("#signed-in-name").await.trim().is_empty());
    app.snap("signed-in-demo").await;
    assert_eq!(
        app.wait_for_text("#signed-in-org").await,
        "Northwind Speech Partners"
    );
    let base_url = app.wait_for_text("#signed-in-base-url").await;
    assert!(
        base_url.starts_with("http://127.0.0.1:"),
        "the demo runs on loopback: {base_url}"
    );
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_flag_starts_signed_in() {
    let app = App::launch(Launch::new().arg("--demo")).await;
    app.wait_for("#demo-badge").await;
    assert_eq!(
        app.wait_for_text("#signed-in-org").await,
        "Northwind Speech Partners"
    );
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn base_url_flag_signs_in_with_the_token_from_the_environment() {
    let sandbox = sandbox().await;
    let me = account_me(sandbox.base_url(), sandbox.reseller_token()).await;
    let app = App::launch(
        Launch::new()
            .arg("--base-url")
            .arg(sandbox.base_url())
            .env("SCRIPTIX_TOKEN", sandbox.reseller_token()),
    )
    .await;
    assert_eq!(
        app.wait_for_text("#signed-in-email").await,
        me["email"].as_str().unwrap()
    );
    assert!(!app.is_visible("#demo-badge").await);
    app.close().await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_launch_sign_in_shows_its_error_on_the_form() {
    let sandbox = sandbox().await;
    let app = App::launch(
        Launch::new()
            .arg("--base-url")
            .arg(sandbox.base_url())
            .env("SCRIPTIX_TOKEN", sandbox.resellee_token()),
    )
    .await;
    app.wait_for("#no-access").await;
    assert!(!app.is_visible("#signed-in").await);
    app.close().await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enter_submits_and_the_button_shows_progress_while_working() {
    let sandbox = sandbox().await;
    // A slow server keeps the sign-in in flight long enough to look at it.
    sandbox.set_faults(FaultConfig {
        latency_ms: 4000,
        route: Some("/account/me".into()),
        ..Default::default()
    });
    let app = App::launch(Launch::new()).await;
    app.wait_for("#sign-in-form").await;
    app.fill("#base-url", sandbox.base_url()).await;
    // U+E007 is WebDriver's Enter key.
    app.fill("#token", &format!("{}\u{E007}", sandbox.reseller_token()))
        .await;

    let button = app.wait_for("#sign-in[aria-busy=\"true\"]").await;
    assert!(
        !button.is_enabled().await.unwrap(),
        "Sign in clickable twice"
    );
    assert!(button.text().await.unwrap().contains("Signing in"));

    app.wait_for("#signed-in").await;
    app.close().await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_that_would_expose_the_token_is_refused_on_the_field() {
    let app = App::launch(Launch::new()).await;

    // http:// to another computer: the token would cross the network in clear text.
    app.sign_in_with_form("http://example.invalid", "tok-1234567890")
        .await;
    let said = app.wait_for_text("#base-url-error").await;
    app.snap("http-refused").await;
    assert!(said.contains("unencrypted"), "{said}");
    assert!(said.contains("use https://"), "{said}");
    let code = app
        .eval(
            "return document.getElementById('base-url-error').dataset.code;",
            vec![],
        )
        .await;
    assert_eq!(code, "invalid_input");
    assert!(!app.is_visible("#signed-in").await);

    // A user name and password in the address: refused, and not echoed back.
    app.sign_in_with_form("https://ada:s3cret-pw@api.scriptix.io", "tok-1234567890")
        .await;
    let said = app
        .wait_until_text("#base-url-error", |t| t.contains("user:password@"))
        .await;
    assert!(said.contains("only credential"), "{said}");
    assert!(!said.contains("s3cret"), "{said}");

    // Neither address was remembered for the next start.
    let defaults = app
        .invoke("sign_in_defaults", serde_json::json!({}))
        .await
        .unwrap();
    assert!(defaults["baseUrl"].is_null(), "{defaults}");
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_account_details_is_signed_in_through_the_reseller_routes() {
    let sandbox = scriptix_sandbox::start(SandboxConfig {
        customers: 20,
        disabled_gaps: [Gap::AccountMe].into(),
        ..Default::default()
    })
    .await
    .expect("start the sandbox");
    let host = sandbox.base_url().trim_start_matches("http://").to_string();
    let app = App::launch(Launch::new()).await;

    app.sign_in_with_form(sandbox.base_url(), sandbox.reseller_token())
        .await;

    let said = app.wait_for_text("#role-source").await;
    assert_eq!(
        said,
        "Role determined from the reseller routes: this server does not offer account details."
    );
    // What the server did not say is not made up.
    assert_eq!(
        app.wait_for_text("#signed-in-name").await,
        format!("Reseller account at {host}")
    );
    for unknown in ["#signed-in-org", "#signed-in-email", "#signed-in-roles"] {
        assert!(!app.is_visible(unknown).await, "{unknown} is shown");
    }
    let me = app
        .invoke("session_info", serde_json::json!({}))
        .await
        .unwrap();
    assert_eq!(me["roleSource"], "resellerRoutes", "{me}");
    // A working session: the organisations come in and are listed.
    app.wait_for(".org-row[data-id]").await;
    let deadline = std::time::Instant::now() + e2e::UI_TIMEOUT;
    loop {
        let window = app.list_customers("", 50).await;
        if window["total"] == 20 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the 20 organisations never arrived: {window}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    app.snap("role-from-reseller-routes").await;

    // The resellee's token is told it has no reseller access, the same way.
    app.click("#sign-out").await;
    app.click("#sign-out-keep").await;
    app.sign_in_with_form(sandbox.base_url(), sandbox.resellee_token())
        .await;
    let message = app.wait_for_text("#no-access-message").await;
    assert!(message.contains("no reseller access"), "{message}");
    assert!(message.contains(&host), "{message}");
    app.close().await;
    sandbox.shutdown().await;
}
