//! The installed package, driven as a user would: `cargo xtask test` builds the `.deb` of the
//! app as it ships (its features; the dev profile) and a signed next version of it, installs it
//! with dpkg, and runs this against
//! `/usr/bin/scriptix-reseller` (SCRIPTIX_APP_BIN). Built only with the `installed` feature,
//! which only that step turns on: it installs, updates and removes a system package, so it needs
//! a Debian system and root (or sudo).
//!
//! One test in phases, in order: the package's files; the installed app signs in, lists and
//! opens an organisation; its updates (refused when tampered with, signed by another key or an
//! older version announced as newer; then installed, with a change made offline surviving the
//! restart into the new version and reaching the server once); removal leaves the user's data.

use std::path::{Path, PathBuf};
use std::process::Command;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use e2e::{App, Launch};
use scriptix_sandbox::{FaultConfig, Sandbox, SandboxConfig};
use serde_json::{json, Value};

const PACKAGE: &str = "scriptix-reseller";

/// `dpkg -L`: the package's files, or None when it is not installed.
fn package_files() -> Option<Vec<PathBuf>> {
    let out = Command::new("dpkg").args(["-L", PACKAGE]).output().ok()?;
    out.status.success().then(|| {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(PathBuf::from)
            .collect()
    })
}

fn installed_binary() -> PathBuf {
    let bin = e2e::app_binary();
    assert!(
        bin.starts_with("/usr"),
        "SCRIPTIX_APP_BIN must name the installed binary, not {}",
        bin.display()
    );
    bin
}

/// Every file of the app's data in `home` (the cache, settings, the token file), relative.
fn data_files(home: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, base, out);
            } else if let Ok(rel) = path.strip_prefix(base) {
                out.push(rel.to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    for dir in ["data", "config"] {
        walk(&home.join(dir), home, &mut out);
    }
    out.sort();
    out
}

#[tokio::test]
async fn the_installed_package_runs_updates_itself_and_leaves_the_data_on_removal() {
    let bin = installed_binary();
    package_is_complete(&bin);
    let home = signs_in_lists_and_opens(&bin).await;
    updates_itself(&bin).await;
    removal_leaves_the_data(&bin, home.path());
}

fn package_is_complete(bin: &Path) {
    let files = package_files().expect("the package is installed (dpkg -L)");
    assert!(
        files.iter().any(|f| f == bin),
        "the package holds {}",
        bin.display()
    );
    // The desktop entry a launcher shows, and the icon it names.
    let entry_path = files
        .iter()
        .find(|p| {
            p.starts_with("/usr/share/applications")
                && p.extension().is_some_and(|e| e == "desktop")
        })
        .expect("a desktop entry in /usr/share/applications");
    let entry = std::fs::read_to_string(entry_path).expect("the desktop entry");
    for line in [
        "Name=Scriptix Reseller",
        "Exec=scriptix-reseller",
        "Icon=scriptix-reseller",
        "Type=Application",
    ] {
        assert!(
            entry.lines().any(|l| l == line),
            "{} lacks `{line}`:\n{entry}",
            entry_path.display()
        );
    }
    let icons: Vec<&PathBuf> = files
        .iter()
        .filter(|p| {
            p.starts_with("/usr/share/icons/hicolor")
                && p.file_name().is_some_and(|n| n == "scriptix-reseller.png")
        })
        .collect();
    assert!(
        icons.len() >= 2 && icons.iter().all(|p| p.is_file()),
        "the icon in several sizes under /usr/share/icons/hicolor: {icons:?}"
    );
}

/// The installed binary as a user starts it: the sign-in screen, the list, one organisation.
/// Answers the home it used (its data is checked after the package is removed).
async fn signs_in_lists_and_opens(bin: &Path) -> tempfile::TempDir {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().expect("a home for the app");
    let app = launch(bin, home.path(), None).await;
    sign_in(&app, &sandbox).await;
    // The shipped build carries no demo sandbox.
    assert!(
        !app.is_visible("#try-demo").await,
        "the shipped build offers no demo"
    );
    let id: i64 = app
        .eval(
            "return Number(document.querySelector('.org-row:not(.placeholder)').dataset.id);",
            vec![],
        )
        .await
        .as_i64()
        .expect("a row's organisation id");
    app.open_tab(id, "users").await;
    app.wait_for("#org-title").await;
    assert_eq!(version_shown(&app).await, env!("CARGO_PKG_VERSION"));
    app.close().await;
    assert!(
        data_files(home.path())
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "sqlite")),
        "the app kept its cache in the home"
    );
    home
}

async fn updates_itself(bin: &Path) {
    let files = UpdateFiles::from_env();
    let server = UpdateServer::start(&files).await;
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().expect("a home for the app");
    let current = env!("CARGO_PKG_VERSION");

    // An older version announced: the check after start finds nothing to install.
    server.announce(&json!({ "version": "0.0.1", "platforms": {} }));
    let app = launch(bin, home.path(), Some(server.url())).await;
    sign_in(&app, &sandbox).await;
    app.click("#about").await;
    let state = update_state(&app, |s| s == "upToDate").await;
    assert_eq!(state["action"], "check", "{state}");
    assert!(!app.is_visible("#update-available").await);

    // A change made while the server fails: it waits in the outbox through what follows.
    sandbox.set_faults(FaultConfig {
        error_rate: 1.0,
        ..Default::default()
    });
    app.click("#about-close").await;
    create_organisation(&app, "Updatewerk BV", "info@updatewerk.test").await;
    app.click("#about").await;

    // Each refused package: the check offers it, the install refuses it in words, and the
    // installed version stays.
    let refusals = [
        (
            "tampered with",
            server.next_url("next-tampered.deb"),
            files.next_sig.clone(),
            "update_bad_signature",
        ),
        (
            "signed by another key",
            server.next_url("next.deb"),
            files.next_wrong_sig.clone(),
            "update_bad_signature",
        ),
        (
            "an older version announced as newer",
            server.next_url("current.deb"),
            files.current_sig.clone(),
            "update_version_mismatch",
        ),
    ];
    for (what, url, signature, code) in refusals {
        server.announce(&manifest(&files.next_version, &url, &signature));
        app.click("#update-action").await;
        let state = update_state(&app, |s| s == "available").await;
        assert_eq!(
            state["version"],
            files.next_version.as_str(),
            "{what}: {state}"
        );
        assert!(
            app.is_visible("#update-available").await,
            "{what}: the navigation says so"
        );
        app.click("#update-action").await;
        let state = update_state(&app, |s| s == "failed").await;
        assert_eq!(state["error"], code, "{what}: {state}");
        let headline = app.wait_for_text("#update-headline").await;
        assert!(
            headline.contains("Nothing was changed"),
            "{what}: {headline}"
        );
        assert_eq!(
            installed_version().as_deref(),
            Some(current),
            "{what}: still installed"
        );
    }

    // The real one: downloaded with progress, verified, installed; then the restart.
    server.announce(&manifest(
        &files.next_version,
        &server.next_url("next.deb"),
        &files.next_sig,
    ));
    app.click("#update-action").await;
    update_state(&app, |s| s == "available").await;
    let notes = app.wait_for_text("#update-notes").await;
    assert_eq!(notes, "Faster search.\n<b>not markup</b>");
    app.click("#update-action").await;
    let state = update_state(&app, |s| s == "installed").await;
    assert_eq!(state["action"], "restart", "{state}");
    assert_eq!(
        installed_version().as_deref(),
        Some(files.next_version.as_str())
    );
    assert!(
        server.downloads() >= 4,
        "every install downloaded its package"
    );
    let clicked = epoch_ms();
    // The app ends while this click is answered, so WebDriver may report an error for it:
    // what counts is the process that follows.
    let _ = app
        .client()
        .execute(
            "setTimeout(() => document.querySelector('#update-action').click(), 50); return true;",
            vec![],
        )
        .await;
    // The app restarts itself outside WebDriver: the new process runs the new binary.
    let restarted = wait_for_restarted(bin, home.path(), clicked).await;
    let exe = std::fs::read_link(format!("/proc/{restarted}/exe")).expect("its executable");
    assert_eq!(
        exe, bin,
        "the restarted app runs the installed file, not a deleted one"
    );
    drop(app);
    stop_process(restarted);

    // The new version, started again under WebDriver: its version, and the change made
    // before the update reaches the server, once.
    sandbox.set_faults(FaultConfig::default());
    let app = launch(bin, home.path(), Some(server.url())).await;
    app.wait_for("#org-list-view").await;
    assert_eq!(version_shown(&app).await, files.next_version);
    let email = "info@updatewerk.test";
    let created = eventually(
        "the organisation made before the update on the server",
        || async {
            let found = on_server(&sandbox, email).await;
            (found > 0).then_some(found)
        },
    )
    .await;
    // Give a duplicate the time it would take to arrive.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let count = on_server(&sandbox, email).await;
    assert_eq!((created, count), (1, 1), "sent exactly once");
    app.close().await;
}

fn removal_leaves_the_data(bin: &Path, home: &Path) {
    let data = data_files(home);
    assert!(!data.is_empty(), "the app's data before removal");
    // SAFETY: geteuid only reads the process's user id.
    let root = unsafe { libc::geteuid() } == 0;
    let mut remove = if root {
        Command::new("dpkg")
    } else {
        let mut sudo = Command::new("sudo");
        sudo.args(["-n", "dpkg"]);
        sudo
    };
    let status = remove
        .args(["--remove", PACKAGE])
        .status()
        .expect("run dpkg --remove");
    assert!(status.success(), "dpkg --remove {PACKAGE}: {status}");
    assert!(package_files().is_none(), "the package is gone");
    assert!(
        !bin.exists(),
        "{} is removed with the package",
        bin.display()
    );
    assert_eq!(data_files(home), data, "the user's data is untouched");
}

// ---- helpers ----

/// How many organisations with this email the server has.
async fn on_server(sandbox: &Sandbox, email: &str) -> usize {
    let (all, _) = e2e::reseller_get(
        sandbox.base_url(),
        sandbox.reseller_token(),
        "customer/",
        &[("limit", "200")],
    )
    .await;
    all.as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["email"] == email)
        .count()
}

async fn sandbox() -> Sandbox {
    scriptix_sandbox::start(SandboxConfig {
        customers: 40,
        rate_limit_per_minute: 0,
        ..Default::default()
    })
    .await
    .expect("start the sandbox")
}

/// The installed app with its own home; updates from `update_url`, or none.
async fn launch(bin: &Path, home: &Path, update_url: Option<String>) -> App {
    App::launch(
        Launch::new()
            .binary(bin)
            .home(home)
            .env("SCRIPTIX_UPDATE_URL", update_url.unwrap_or_default()),
    )
    .await
}

/// Through the sign-in form, remembered (the token in a private file: no keychain here), as a
/// user signs in; then the list's first rows.
async fn sign_in(app: &App, sandbox: &Sandbox) {
    app.sign_in_with_form(sandbox.base_url(), sandbox.reseller_token())
        .await;
    app.wait_for(".org-row:not(.placeholder)").await;
}

async fn version_shown(app: &App) -> String {
    app.click("#about").await;
    let version = app.wait_for_text("#about-version").await;
    app.click("#about-close").await;
    app.wait_gone("#about-dialog").await;
    version
}

async fn create_organisation(app: &App, name: &str, email: &str) {
    app.click("#new-org").await;
    app.wait_for("#new-org-dialog").await;
    app.fill("#org-form-name", name).await;
    app.fill("#org-form-email", email).await;
    app.click("#org-form-submit").await;
    app.wait_gone("#new-org-dialog").await;
    app.wait_js(
        "the new organisation waiting to be sent",
        "const r = [...document.querySelectorAll('#org-list .org-row')]
           .find((r) => r.querySelector('.org-name')?.textContent === arguments[0]);
         return r && r.dataset.state !== 'synced' && r.dataset.state;",
        vec![json!(name)],
    )
    .await;
}

/// Waits until the About dialog's update section is in a state `ok` accepts; its view.
async fn update_state(app: &App, ok: impl Fn(&str) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let state = app
            .eval(
                "const s = document.querySelector('#update-section');
                 const a = document.querySelector('#update-action');
                 return s && { state: s.dataset.state ?? null, error: s.dataset.error ?? null,
                   action: a && !a.hidden ? { 'Check for updates': 'check', 'Download and install': 'install', 'Restart now': 'restart' }[a.textContent] : null,
                   version: document.querySelector('#update-headline').textContent.match(/[Vv]ersion (\\d+\\.\\d+\\.\\d+)/)?.[1] ?? null,
                   headline: document.querySelector('#update-headline').textContent };",
                vec![],
            )
            .await;
        if state["state"].as_str().is_some_and(&ok) {
            return state;
        }
        assert!(
            Instant::now() < deadline,
            "the update section did not reach the expected state: {state}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

fn installed_version() -> Option<String> {
    let out = Command::new("dpkg-query")
        .args(["-W", "-f", "${Version}", PACKAGE])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The app process that the restart started: the installed binary, with this home, started
/// at or after `since_epoch_ms` (to the kernel's clock tick).
async fn wait_for_restarted(bin: &Path, home: &Path, since_epoch_ms: f64) -> u32 {
    let home_var = format!("HOME={}", home.display());
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let found = std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
            .find(|pid| {
                let runs_bin = std::fs::read_link(format!("/proc/{pid}/exe"))
                    .is_ok_and(|exe| exe.to_string_lossy().starts_with(&*bin.to_string_lossy()));
                let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
                // The harness may give HOME with a trailing slash.
                let same_home = environ.split(|b| *b == 0).any(|kv| {
                    String::from_utf8_lossy(kv).trim_end_matches('/')
                        == home_var.trim_end_matches('/')
                });
                let new = e2e::started_epoch_ms(*pid).is_some_and(|t| t >= since_epoch_ms - 20.0);
                runs_bin && same_home && new
            });
        if let Some(pid) = found {
            return pid;
        }
        assert!(
            Instant::now() < deadline,
            "the app did not restart into the new version"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn epoch_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

fn stop_process(pid: u32) {
    // SAFETY: kill sends a signal to a process id this test found.
    unsafe { libc::kill(pid as i32, libc::SIGTERM) };
    let deadline = Instant::now() + Duration::from_secs(10);
    while Path::new(&format!("/proc/{pid}")).exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    // SAFETY: as above.
    unsafe { libc::kill(pid as i32, libc::SIGKILL) };
}

fn manifest(version: &str, url: &str, signature: &str) -> Value {
    let entry = json!({ "url": url, "signature": signature.trim() });
    json!({
        "version": version,
        "notes": "Faster search.\n<b>not markup</b>",
        "pub_date": "2026-12-05T10:00:00Z",
        "platforms": { "linux-x86_64-deb": entry, "linux-x86_64": entry },
    })
}

/// What `cargo xtask test` built for this test (SCRIPTIX_UPDATE_FILES): the installed version's
/// package and signature, the next version's package, its signature and one by another key.
struct UpdateFiles {
    current: Vec<u8>,
    current_sig: String,
    next: Vec<u8>,
    next_sig: String,
    next_wrong_sig: String,
    next_version: String,
}

impl UpdateFiles {
    fn from_env() -> UpdateFiles {
        let dir = PathBuf::from(
            std::env::var_os("SCRIPTIX_UPDATE_FILES")
                .expect("SCRIPTIX_UPDATE_FILES (set by cargo xtask test)"),
        );
        let read =
            |name: &str| std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let text = |name: &str| String::from_utf8(read(name)).expect("text");
        UpdateFiles {
            current: read("current.deb"),
            current_sig: text("current.deb.sig"),
            next: read("next.deb"),
            next_sig: text("next.deb.sig"),
            next_wrong_sig: text("next.deb.wrong.sig"),
            next_version: text("next.version").trim().to_string(),
        }
    }
}

/// The update source on loopback: `latest.json` (whatever the test announces) and the
/// packages, counting downloads.
struct UpdateServer {
    base: String,
    manifest: Arc<Mutex<Value>>,
    downloads: Arc<Mutex<u32>>,
}

impl UpdateServer {
    async fn start(files: &UpdateFiles) -> UpdateServer {
        use axum::{
            extract::Path as UrlPath, extract::State, http::StatusCode, routing::get, Json, Router,
        };
        let manifest = Arc::new(Mutex::new(json!({})));
        let downloads = Arc::new(Mutex::new(0u32));
        let mut tampered = files.next.clone();
        let middle = tampered.len() / 2;
        tampered[middle] ^= 0xFF;
        let packages: Arc<Vec<(&'static str, Vec<u8>)>> = Arc::new(vec![
            ("current.deb", files.current.clone()),
            ("next.deb", files.next.clone()),
            ("next-tampered.deb", tampered),
        ]);
        type Shared = (
            Arc<Mutex<Value>>,
            Arc<Mutex<u32>>,
            Arc<Vec<(&'static str, Vec<u8>)>>,
        );
        let state: Shared = (manifest.clone(), downloads.clone(), packages);
        let app = Router::new()
            .route(
                "/latest.json",
                get(|State((m, _, _)): State<Shared>| async move { Json(m.lock().unwrap().clone()) }),
            )
            .route(
                "/files/{name}",
                get(|State((_, d, p)): State<Shared>, UrlPath(name): UrlPath<String>| async move {
                    match p.iter().find(|(n, _)| *n == name) {
                        Some((_, bytes)) => {
                            *d.lock().unwrap() += 1;
                            Ok(bytes.clone())
                        }
                        None => Err(StatusCode::NOT_FOUND),
                    }
                }),
            )
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let base = format!("http://{}", listener.local_addr().expect("its address"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        UpdateServer {
            base,
            manifest,
            downloads,
        }
    }

    fn url(&self) -> String {
        format!("{}/latest.json", self.base)
    }

    fn next_url(&self, file: &str) -> String {
        format!("{}/files/{file}", self.base)
    }

    fn announce(&self, manifest: &Value) {
        *self.manifest.lock().unwrap() = manifest.clone();
    }

    fn downloads(&self) -> u32 {
        *self.downloads.lock().unwrap()
    }
}
