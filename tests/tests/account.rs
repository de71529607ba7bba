//! What the app remembers of an account across restarts, through the real binary: the token
//! in a private file (no keychain service here) and nowhere else, a restart that signs in by
//! itself, a restart without network that opens the cached data, and a sign-out that forgets
//! the token and (when asked) the offline copy.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use e2e::{App, Launch};
use scriptix_sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Value};

const APP_ID: &str = "io.scriptix.reseller";

async fn sandbox_at(addr: std::net::SocketAddr, db: &Path) -> Sandbox {
    scriptix_sandbox::start(SandboxConfig {
        addr,
        customers: 20,
        db_path: Some(db.to_path_buf()),
        ..Default::default()
    })
    .await
    .expect("start the sandbox")
}

/// Every file below `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

async fn poll<T>(what: &str, mut f: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + e2e::UI_TIMEOUT;
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn signed_in(app: &App) -> Value {
    app.invoke("session_info", json!({}))
        .await
        .expect("session_info")
}

async fn cached_rows(app: &App) -> u64 {
    let window = app
        .invoke(
            "list_customers",
            json!({"request": {"search": "", "status": null, "sort": "id", "direction": "asc", "offset": 0, "limit": 50}}),
        )
        .await
        .expect("list_customers");
    window["total"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_is_remembered_offline_and_forgotten_on_sign_out() {
    let home = tempfile::tempdir().unwrap();
    let db_dir = tempfile::tempdir().unwrap();
    let db = db_dir.path().join("sandbox.sqlite3");
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let sandbox = sandbox_at(addr, &db).await;
    let token = sandbox.reseller_token().to_string();
    let base_url = sandbox.base_url().to_string();

    // First start: sign in through the same command the form uses.
    let app = App::launch(Launch::new().home(home.path())).await;
    app.wait_for("#sign-in-form").await;
    let me = app
        .invoke(
            "sign_in",
            json!({"request": {"baseUrl": base_url, "token": token, "authStyle": "zoomKey"}}),
        )
        .await
        .expect("sign in");
    assert_eq!(me["tokenStorage"], "file", "no keychain service here: {me}");
    poll("the first sync", async || {
        (cached_rows(&app).await == 20).then_some(())
    })
    .await;
    app.close().await;

    // The token is in one private file and nowhere else (settings, caches, logs).
    let all = files(home.path());
    let token_files: Vec<&PathBuf> = all
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "token"))
        .collect();
    assert_eq!(token_files.len(), 1, "{all:?}");
    assert!(token_files[0].starts_with(home.path().join("config").join(APP_ID)));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = token_files[0].metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    for f in all
        .iter()
        .filter(|p| p.extension().is_none_or(|e| e != "token"))
    {
        let bytes = std::fs::read(f).unwrap();
        assert!(
            !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
            "the token leaked into {}",
            f.display()
        );
    }
    let caches = home.path().join("data").join(APP_ID).join("caches");
    assert!(files(&caches)
        .iter()
        .any(|p| p.extension().is_some_and(|e| e == "sqlite3")));

    // Second start: signed in by itself.
    let app = App::launch(Launch::new().home(home.path())).await;
    let again = poll("the resumed session", async || {
        let s = signed_in(&app).await;
        (!s.is_null()).then_some(s)
    })
    .await;
    assert_eq!(again["baseUrl"], base_url.as_str());
    app.close().await;

    // Third start, no network: the remembered account opens on its cached data, offline.
    sandbox.kill();
    drop(sandbox);
    let app = App::launch(Launch::new().home(home.path())).await;
    let offline = poll("the offline session", async || {
        let s = signed_in(&app).await;
        (!s.is_null()).then_some(s)
    })
    .await;
    assert_eq!(offline["organizationName"], me["organizationName"]);
    assert_eq!(cached_rows(&app).await, 20, "the cached list is browsable");
    poll("the offline status", async || {
        let s = app.invoke("sync_status", json!({})).await.ok()?;
        (s["connectivity"] == "offline").then_some(())
    })
    .await;

    // Sign out without keeping the offline copy: token, account and cache are gone.
    app.invoke("sign_out", json!({"keepCache": false}))
        .await
        .expect("sign out");
    app.close().await;
    let left = files(home.path());
    assert!(
        !left
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "token")),
        "{left:?}"
    );
    assert!(
        !files(&caches)
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "sqlite3")),
        "{left:?}"
    );
    let app = App::launch(Launch::new().home(home.path())).await;
    app.wait_for("#sign-in-form").await;
    assert!(signed_in(&app).await.is_null(), "nothing to resume");
    // The form starts with the address used last time (the token is gone).
    let defaults = app.invoke("sign_in_defaults", json!({})).await.unwrap();
    assert_eq!(defaults["baseUrl"], base_url.as_str());
    assert_eq!(app.value("#token").await, "");
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remembered_account_opens_at_once_and_a_revoked_token_then_returns_to_sign_in() {
    let home = tempfile::tempdir().unwrap();
    let db_dir = tempfile::tempdir().unwrap();
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let sandbox = sandbox_at(addr, &db_dir.path().join("sandbox.sqlite3")).await;
    let base_url = sandbox.base_url().to_string();

    let app = App::launch(Launch::new().home(home.path())).await;
    app.wait_for("#sign-in-form").await;
    app.invoke(
        "sign_in",
        json!({"request": {"baseUrl": base_url, "token": sandbox.reseller_token(), "authStyle": "zoomKey"}}),
    )
    .await
    .expect("sign in");
    poll("the first sync", async || {
        (cached_rows(&app).await == 20).then_some(())
    })
    .await;
    app.close().await;

    // The token is revoked while the app is closed: the server no longer knows the one kept.
    let token_file = files(home.path())
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "token"))
        .expect("the kept token");
    std::fs::write(&token_file, "tok-revokedrevoked").unwrap();

    // Next start: the cached list opens (from memory, not waiting on the server)...
    let app = App::launch(Launch::new().home(home.path())).await;
    // ...then the server refuses the token: back to sign-in, saying why.
    app.wait_for("#sign-in-form").await;
    let said = app.wait_for_text("[data-code=\"unauthorized\"]").await;
    assert!(
        said.to_lowercase().contains("token"),
        "the refusal names the token: {said}"
    );
    assert!(signed_in(&app).await.is_null(), "the session ended");
    app.close().await;

    // The refused token is forgotten; the offline copy is kept (nothing lost).
    let left = files(home.path());
    assert!(
        !left
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "token")),
        "{left:?}"
    );
    assert!(
        left.iter()
            .any(|p| p.extension().is_some_and(|e| e == "sqlite3")),
        "{left:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_size_is_restored_at_the_next_start() {
    let home = tempfile::tempdir().unwrap();
    let size = async |app: &App| -> (i64, i64) {
        let v = app
            .eval("return [window.outerWidth, window.outerHeight];", vec![])
            .await;
        (v[0].as_i64().unwrap(), v[1].as_i64().unwrap())
    };

    let app = App::launch(Launch::new().home(home.path())).await;
    app.wait_for("#sign-in-form").await;
    let first = size(&app).await;
    let wanted = (first.0 - 150, first.1 - 100);
    app.client()
        .set_window_size(wanted.0 as u32, wanted.1 as u32)
        .await
        .expect("resize the window");
    let resized = poll("the window to take its new size", async || {
        let now = size(&app).await;
        (now != first).then_some(now)
    })
    .await;
    // Saved once the resize has settled, not only at a clean exit: the test ends the app the
    // hard way.
    poll("the window state to be saved", async || {
        files(home.path()).into_iter().find(|p| {
            p.file_name().is_some_and(|n| n == ".window-state.json")
                && std::fs::read_to_string(p).is_ok_and(|t| t.contains(&resized.1.to_string()))
        })
    })
    .await;
    app.close().await;

    let app = App::launch(Launch::new().home(home.path())).await;
    app.wait_for("#sign-in-form").await;
    assert_eq!(
        size(&app).await,
        resized,
        "restored; first start was {first:?}"
    );
    app.close().await;
}
