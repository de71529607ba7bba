//! What the app remembers of an account across restarts, through the real binary: the token
//! in a private file (no keychain service here) and nowhere else, a restart that signs in by
//! itself, a restart without network that opens the cached data, and a sign-out that forgets
//! the token and (when asked) the offline copy.

use std::path::{Path, PathBuf};
use std::time::Duration;

use e2e::{poll, App, Launch};
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

async fn signed_in(app: &App) -> Value {
    app.invoke("session_info", json!({}))
        .await
        .expect("session_info")
}

async fn cached_rows(app: &App) -> u64 {
    app.list_customers("", 50).await["total"].as_u64().unwrap()
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
    // The log file is in the OS log folder, with this session in it (and no token: above).
    let logs = files(&home.path().join("data").join(APP_ID).join("logs"));
    assert_eq!(logs.len(), 1, "one log file a day: {logs:?}");
    let log = std::fs::read_to_string(&logs[0]).unwrap();
    assert!(log.contains("signed in"), "{log}");
    // Records of the `log` crate land there too (the cache's migrations).
    assert!(log.contains("rusqlite_migration"), "{log}");
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
    assert_eq!(
        defaults["demoAvailable"], true,
        "the default build has the demo"
    );
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
    // A frozen app never answers: fail in a minute with the reason, not at the watchdog.
    let resize = async |app: &App, to: (i64, i64)| {
        tokio::time::timeout(
            Duration::from_secs(60),
            app.client().set_window_size(to.0 as u32, to.1 as u32),
        )
        .await
        .unwrap_or_else(|_| panic!("the app froze while resized to {to:?}"))
        .expect("resize the window");
    };

    let app = App::launch(Launch::new().home(home.path())).await;
    app.wait_for("#sign-in-form").await;
    let first = size(&app).await;
    // A user's drag pauses and goes on: resizes about as far apart as the app waits before it
    // saves (400 ms), so some arrive while a save is under way. The app once froze when one did.
    let mut wanted = first;
    for step in 1..=6 {
        wanted = (first.0 - 25 * step, first.1 - 15 * step);
        resize(&app, wanted).await;
        tokio::time::sleep(Duration::from_millis(340 + 20 * step as u64)).await;
    }
    let resized = poll("the window to take its last size", async || {
        let now = size(&app).await;
        (now == wanted).then_some(now)
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

/// The app's own folders under the test's home: config (window state, tokens), data (settings,
/// the offline caches, WebKit's storage) and cache, each named by the app's identifier. The
/// rest of the home is not the app's: the harness's tmp, the XDG roots, and what libraries keep
/// per user (Mesa's shader cache in `cache/mesa_shader_cache`).
fn app_dirs(home: &Path) -> Vec<PathBuf> {
    ["config", "data", "cache"]
        .iter()
        .map(|root| home.join(root).join(APP_ID))
        .collect()
}

/// Every folder and file below `dir` (itself included), with its permission bits.
#[cfg(unix)]
fn modes(dir: &Path) -> Vec<(PathBuf, bool, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = Vec::new();
    let Ok(meta) = std::fs::symlink_metadata(dir) else {
        return out;
    };
    out.push((
        dir.to_path_buf(),
        meta.is_dir(),
        meta.permissions().mode() & 0o777,
    ));
    if meta.is_dir() {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            out.extend(modes(&e.path()));
        }
    }
    out
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_folder_and_file_the_app_keeps_is_private_to_the_user() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let db_dir = tempfile::tempdir().unwrap();
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let sandbox = sandbox_at(addr, &db_dir.path().join("sandbox.sqlite3")).await;

    // What an older version left: open folders, a readable settings file (tauri-plugin-store
    // keeps it in the data folder) and a readable window state.
    let config = home.path().join("config").join(APP_ID);
    let data = home.path().join("data").join(APP_ID);
    let caches = data.join("caches");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::create_dir_all(&caches).unwrap();
    std::fs::write(
        data.join("settings.json"),
        r#"{"settings":{"theme":"system"}}"#,
    )
    .unwrap();
    std::fs::write(config.join(".window-state.json"), "{}").unwrap();
    for (path, mode) in [
        (config.clone(), 0o755),
        (data.clone(), 0o755),
        (caches.clone(), 0o755),
        (data.join("settings.json"), 0o644),
        (config.join(".window-state.json"), 0o644),
    ] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    let app = App::launch(Launch::new().home(home.path())).await;
    app.wait_for("#sign-in-form").await;
    app.invoke(
        "sign_in",
        json!({"request": {"baseUrl": sandbox.base_url(), "token": sandbox.reseller_token(), "authStyle": "zoomKey"}}),
    )
    .await
    .expect("sign in");
    poll("the first sync", async || {
        (cached_rows(&app).await == 20).then_some(())
    })
    .await;
    // The window state is written too (saved once a resize settles).
    app.client()
        .set_window_size(1000, 700)
        .await
        .expect("resize the window");
    poll("the window state to be saved", async || {
        std::fs::read_to_string(config.join(".window-state.json"))
            .is_ok_and(|t| t.contains("\"width\""))
            .then_some(())
    })
    .await;

    // While the app runs (SQLite's -wal and -shm exist only while the cache is open).
    let all: Vec<(PathBuf, bool, u32)> = app_dirs(home.path())
        .iter()
        .flat_map(|d| modes(d))
        .collect();
    let names: Vec<String> = all
        .iter()
        .map(|(p, _, _)| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for wanted in [
        data.join("settings.json"),
        config.join(".window-state.json"),
    ] {
        assert!(
            all.iter().any(|(p, _, _)| *p == wanted),
            "{wanted:?} in {names:?}"
        );
    }
    for suffix in [".token", ".sqlite3", ".sqlite3-wal", ".sqlite3-shm"] {
        assert!(
            names.iter().any(|n| n.ends_with(suffix)),
            "a *{suffix} in {names:?}"
        );
    }
    let loose: Vec<String> = all
        .iter()
        .filter(|(_, is_dir, mode)| *mode != if *is_dir { 0o700 } else { 0o600 })
        .map(|(p, is_dir, mode)| {
            format!(
                "{} {} {mode:o}",
                if *is_dir { "folder" } else { "file" },
                p.display()
            )
        })
        .collect();
    assert!(
        loose.is_empty(),
        "not private to the user:\n{}",
        loose.join("\n")
    );
    app.close().await;
}

/// A launch that lets the app use the OS keychain, where none can answer: the session bus it
/// would reach the Secret Service through does not exist (so the machine's own keychain is
/// never touched either).
#[cfg(target_os = "linux")]
fn with_a_keychain_that_cannot_answer(home: &Path) -> Launch {
    Launch::new().home(home).os_keychain().env(
        "DBUS_SESSION_BUS_ADDRESS",
        format!("unix:path={}", home.join("no-session-bus").display()),
    )
}

#[cfg(target_os = "linux")]
fn token_files(home: &Path) -> Vec<PathBuf> {
    files(home)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "token"))
        .collect()
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keychain_that_cannot_keep_the_token_asks_before_anything_is_written() {
    use std::os::unix::fs::PermissionsExt;
    let db_dir = tempfile::tempdir().unwrap();
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let sandbox = sandbox_at(addr, &db_dir.path().join("sandbox.sqlite3")).await;
    let sign_in = async |app: &App| {
        app.sign_in_with_form(sandbox.base_url(), sandbox.reseller_token())
            .await;
    };

    // "Keep it in a private file".
    let home = tempfile::tempdir().unwrap();
    let app = App::launch(with_a_keychain_that_cannot_answer(home.path())).await;
    sign_in(&app).await;
    let question = app.wait_for_text("#keychain-message").await;
    app.snap("keychain-question").await;
    assert!(
        question.contains("Your system keychain could not store the token"),
        "{question}"
    );
    assert!(question.contains("no keychain service"), "{question}");
    assert!(app.is_visible("#sign-in-without-remembering").await);
    assert!(
        signed_in(&app).await.is_null(),
        "not signed in before the answer"
    );
    assert!(
        token_files(home.path()).is_empty(),
        "nothing written before the answer: {:?}",
        files(home.path())
    );
    app.click("#keep-token-in-file").await;
    app.wait_for("#signed-in").await;
    app.wait_for("#token-storage").await;
    assert_eq!(signed_in(&app).await["tokenStorage"], "file");
    let kept = token_files(home.path());
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(
        kept[0].metadata().unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        std::fs::read_to_string(&kept[0]).unwrap(),
        sandbox.reseller_token()
    );
    app.close().await;
    // The next start signs in with the file, the keychain still unreachable.
    let app = App::launch(with_a_keychain_that_cannot_answer(home.path())).await;
    let again = poll("the resumed session", async || {
        let s = signed_in(&app).await;
        (!s.is_null()).then_some(s)
    })
    .await;
    assert_eq!(again["tokenStorage"], "file");
    app.close().await;

    // "Sign in without remembering": the session works, nothing is kept, the next start asks.
    let home = tempfile::tempdir().unwrap();
    let app = App::launch(with_a_keychain_that_cannot_answer(home.path())).await;
    sign_in(&app).await;
    app.wait_for("#keychain-question").await;
    app.click("#sign-in-without-remembering").await;
    app.wait_for("#signed-in").await;
    poll("the first sync", async || {
        (cached_rows(&app).await == 20).then_some(())
    })
    .await;
    assert!(signed_in(&app).await["tokenStorage"].is_null());
    assert!(!app.is_visible("#token-storage").await);
    app.close().await;
    assert!(
        token_files(home.path()).is_empty(),
        "{:?}",
        files(home.path())
    );
    for f in files(home.path()) {
        let bytes = std::fs::read(&f).unwrap_or_default();
        let token = sandbox.reseller_token().as_bytes();
        assert!(
            !bytes.windows(token.len()).any(|w| w == token),
            "the token is in {}",
            f.display()
        );
    }
    let app = App::launch(with_a_keychain_that_cannot_answer(home.path())).await;
    app.wait_for("#sign-in-form").await;
    assert!(signed_in(&app).await.is_null(), "nothing to resume");
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remembered_account_at_an_address_now_refused_is_not_resumed_and_is_forgotten() {
    use reseller_core::secrets::{TokenKeeping, TokenStore};
    for (address, shown, words) in [
        (
            "http://example.invalid",
            "http://example.invalid",
            "unencrypted",
        ),
        (
            "https://ada:s3cret-pw@api.scriptix.io",
            "https://api.scriptix.io",
            "user:password@",
        ),
    ] {
        // What an older version kept: the account at that address, and its token in a file.
        let home = tempfile::tempdir().unwrap();
        let config = home.path().join("config").join(APP_ID);
        // tauri-plugin-store keeps its files in the app's data folder.
        let settings_file = home.path().join("data").join(APP_ID).join("settings.json");
        std::fs::create_dir_all(settings_file.parent().unwrap()).unwrap();
        TokenStore::files_only(config.join("tokens"))
            .save(address, "tok-1234567890", TokenKeeping::File)
            .unwrap();
        let account = json!({
            "displayName": "Ada", "email": "ada@example.org", "organizationName": null,
            "organizationId": 1, "roles": ["RESELLER"], "baseUrl": address, "demo": false
        });
        std::fs::write(
            &settings_file,
            json!({"settings": {"baseUrl": address, "authStyle": "zoomKey", "account": account,
                                "accountAuthStyle": "zoomKey"}})
            .to_string(),
        )
        .unwrap();

        let app = App::launch(Launch::new().home(home.path())).await;
        app.wait_for("#sign-in-form").await;
        let said = app.wait_for_text("#base-url-error").await;
        assert!(
            said.starts_with("The remembered account was not opened."),
            "{address}: {said}"
        );
        assert!(said.contains(words), "{address}: {said}");
        assert!(!said.contains("s3cret"), "{said}");
        assert_eq!(app.value("#base-url").await, shown);
        assert!(signed_in(&app).await.is_null(), "{address} was resumed");
        app.close().await;

        // Forgotten: no token, no account, no password anywhere in the settings.
        let left = files(home.path());
        assert!(
            !left
                .iter()
                .any(|p| p.extension().is_some_and(|e| e == "token")),
            "{left:?}"
        );
        let settings: Value =
            serde_json::from_str(&std::fs::read_to_string(&settings_file).unwrap()).unwrap();
        assert!(settings["settings"]["account"].is_null(), "{settings}");
        assert!(!settings.to_string().contains("s3cret"), "{settings}");
    }
}
