//! End-to-end harness: the real app binary in a real WebKit window, driven through WebDriver.
//!
//! The chain is Xvfb (started by `cargo xtask test`, or `xvfb-run`), then one `tauri-driver`
//! per test on free ports, which starts `WebKitWebDriver`, which starts the app. Each test gets
//! its own driver so it can give the app its own environment: a temporary HOME, XDG and TMPDIR
//! (so the app's data never mixes with another test's or the user's) and any variables the test
//! adds. [`App`] cleans up on every path, a panic included: it ends the WebDriver session, stops
//! tauri-driver with SIGTERM, and kills by PID whatever of the process tree is left.

mod process;
mod server;

pub use process::started_epoch_ms;
pub use server::{eventually_within, sandbox, sandbox_config, Api};

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use fantoccini::Locator;
use fantoccini::{elements::Element, Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};

/// How long a wait for the UI gives up after. Generous: two cores are shared by builds.
pub const UI_TIMEOUT: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(100);
const STARTUP_TIMEOUT: Duration = Duration::from_secs(20);
/// No test keeps one app this long; past it a WebDriver call has hung (WebDriver calls have no
/// timeout of their own), and the watchdog stops the app so the test fails instead of hanging
/// the whole run. `E2E_APP_TIMEOUT_SECS` overrides it.
const APP_LIFETIME: Duration = Duration::from_secs(8 * 60);

/// What to launch: arguments for the app and extra environment for it.
#[derive(Clone, Debug, Default)]
pub struct Launch {
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    /// The app's home (settings, token file, caches); a fresh temporary one when None. Pass the
    /// same directory to two launches to test what a restart remembers.
    pub home: Option<PathBuf>,
    /// Another Tauri binary to launch instead of the app (the benchmark's empty window).
    pub binary: Option<PathBuf>,
    /// Let the app use the OS keychain as it would for a user: `SCRIPTIX_NO_KEYCHAIN` is not
    /// set. The test must keep the machine's real keychain out of reach itself (e.g.
    /// `DBUS_SESSION_BUS_ADDRESS` pointing at a socket that does not exist).
    pub os_keychain: bool,
}

impl Launch {
    /// Signed in at start through the command line (`--base-url` and `SCRIPTIX_TOKEN`; not
    /// remembered for a restart).
    pub fn signed_in(base_url: &str, token: &str) -> Self {
        Launch::new()
            .arg("--base-url")
            .arg(base_url)
            .env("SCRIPTIX_TOKEN", token)
    }

    pub fn new() -> Self {
        Self::default()
    }

    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn home(mut self, dir: impl Into<PathBuf>) -> Self {
        self.home = Some(dir.into());
        self
    }

    pub fn binary(mut self, path: impl Into<PathBuf>) -> Self {
        self.binary = Some(path.into());
        self
    }

    /// See [`Launch::os_keychain`].
    pub fn os_keychain(mut self) -> Self {
        self.os_keychain = true;
        self
    }
}

/// The app under test, with its WebDriver session.
pub struct App {
    client: Option<Client>,
    session_id: Option<String>,
    driver: Option<Child>,
    driver_port: u16,
    log_path: PathBuf,
    /// Set when the app is closed: the watchdog stands down.
    closed: Arc<AtomicBool>,
    _home: tempfile::TempDir,
}

/// Stops the driver's process tree if `closed` is not set within the app's lifetime.
fn watchdog(driver_pid: u32, closed: Arc<AtomicBool>) {
    let lifetime = std::env::var("E2E_APP_TIMEOUT_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(APP_LIFETIME, Duration::from_secs);
    std::thread::spawn(move || {
        let deadline = Instant::now() + lifetime;
        while Instant::now() < deadline {
            if closed.load(Ordering::SeqCst) {
                return;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        if !closed.load(Ordering::SeqCst) {
            eprintln!(
                "e2e watchdog: the app was still open after {lifetime:?}; a WebDriver call hung. \
                 Stopping its process tree so the test fails instead of hanging."
            );
            process::kill_tree(driver_pid);
        }
    });
}

impl App {
    /// Starts tauri-driver and the app. Panics with an explanation when the machine cannot run
    /// end-to-end tests (no display, no tauri-driver, no app binary).
    pub async fn launch(launch: Launch) -> App {
        // A driver whose session does not start (on a loaded machine its WebKitWebDriver can
        // lose the race for its port) is replaced once by a fresh one on other ports.
        let mut last = String::new();
        for attempt in 1..=2 {
            match Self::try_launch(launch.clone()).await {
                Ok(app) => return app,
                Err(e) => {
                    eprintln!("e2e: attempt {attempt} to start a WebDriver session failed: {e}");
                    last = e;
                }
            }
        }
        panic!("WebDriver session did not start: {last}");
    }

    async fn try_launch(launch: Launch) -> Result<App, String> {
        let display = std::env::var("DISPLAY").unwrap_or_default();
        assert!(
            !display.is_empty(),
            "DISPLAY is not set: the end-to-end tests need an X display. Run them with \
             `cargo xtask test` (starts Xvfb) or `xvfb-run -a cargo test -p scriptix-reseller -p e2e`."
        );
        let app_bin = launch.binary.clone().unwrap_or_else(app_binary);
        let tauri_driver = tauri_driver();
        let home = tempfile::Builder::new()
            .prefix("scriptix-e2e-")
            .tempdir()
            .expect("create a temporary home for the app");
        let home_dir = launch
            .home
            .clone()
            .unwrap_or_else(|| home.path().to_path_buf());
        let (port, native_port) = free_ports();
        let log_path = home.path().join("driver.log");
        let log = std::fs::File::create(&log_path).expect("create the driver log");

        let mut cmd = Command::new(&tauri_driver);
        cmd.args(["--port", &port.to_string()])
            .args(["--native-port", &native_port.to_string()])
            .env("GSETTINGS_BACKEND", "memory")
            .stdin(Stdio::null())
            // The driver's and the app's output only matter when a test fails; Drop prints it then.
            .stdout(Stdio::from(
                log.try_clone().expect("duplicate the log file handle"),
            ))
            .stderr(Stdio::from(log));
        for (key, path) in home_env(&home_dir) {
            cmd.env(key, path);
        }
        if launch.os_keychain {
            cmd.env_remove("SCRIPTIX_NO_KEYCHAIN");
        } else {
            // Tokens go to a private file in the temporary home, never to the keychain of the
            // machine running the tests.
            cmd.env("SCRIPTIX_NO_KEYCHAIN", "1");
        }
        for (key, value) in &launch.env {
            cmd.env(key, value);
        }
        let driver = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {}: {e}", tauri_driver.display()));

        let closed = Arc::new(AtomicBool::new(false));
        watchdog(driver.id(), closed.clone());
        let mut app = App {
            client: None,
            session_id: None,
            driver: Some(driver),
            driver_port: port,
            log_path,
            closed,
            _home: home,
        };
        for p in [port, native_port] {
            app.wait_for_port(p);
        }

        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            json!({ "application": app_bin, "args": launch.args }),
        );
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .map_err(|e| e.to_string())?;
        app.session_id = client.session_id().await.ok().flatten();
        app.client = Some(client);
        Ok(app)
    }

    /// Opens organisation `id`'s page from the list (selected, then Enter) on tab `tab`.
    pub async fn open_tab(&self, id: i64, tab: &str) {
        self.click(&format!("#org-list .org-row[data-id=\"{id}\"] .cell-email"))
            .await;
        self.press("#org-list", keys::ENTER).await;
        self.wait_for(&format!("#org-page[data-id=\"{id}\"]")).await;
        self.click(&format!("#tab-{tab}")).await;
    }

    pub fn client(&self) -> &Client {
        self.client.as_ref().expect("the WebDriver session is open")
    }

    /// Waits until an element matching `css` exists and is displayed.
    pub async fn wait_for(&self, css: &str) -> Element {
        let deadline = Instant::now() + UI_TIMEOUT;
        loop {
            if let Ok(el) = self.client().find(Locator::Css(css)).await {
                if el.is_displayed().await.unwrap_or(false) {
                    return el;
                }
            }
            if Instant::now() > deadline {
                panic!(
                    "no visible {css} after {UI_TIMEOUT:?}; the page shows:\n{}",
                    self.page_text().await
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until the element matching `css` is displayed with a non-empty text, and returns it.
    pub async fn wait_for_text(&self, css: &str) -> String {
        let deadline = Instant::now() + UI_TIMEOUT;
        loop {
            let el = self.wait_for(css).await;
            let text = el.text().await.unwrap_or_default();
            if !text.trim().is_empty() {
                return text;
            }
            if Instant::now() > deadline {
                panic!("{css} stayed empty for {UI_TIMEOUT:?}");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Whether an element matching `css` is displayed right now (no waiting).
    pub async fn is_visible(&self, css: &str) -> bool {
        match self.client().find(Locator::Css(css)).await {
            Ok(el) => el.is_displayed().await.unwrap_or(false),
            Err(_) => false,
        }
    }

    /// Replaces the value of the input matching `css` with `text`.
    pub async fn fill(&self, css: &str, text: &str) {
        let el = self.wait_for(css).await;
        el.clear()
            .await
            .unwrap_or_else(|e| panic!("clear {css}: {e}"));
        el.send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// Clicks the element matching `css`. A live view may rebuild a row between finding it and
    /// clicking it (a sync round changed the rows), or hide it for a moment while an answer is
    /// drawn: then the element is found again and clicked, until the UI timeout.
    pub async fn click(&self, css: &str) {
        let deadline = Instant::now() + UI_TIMEOUT;
        loop {
            match self.wait_for(css).await.click().await {
                Ok(()) => return,
                Err(e) if Instant::now() < deadline && is_transient(&e) => {
                    tokio::time::sleep(POLL).await;
                }
                Err(e) => panic!("click {css}: {}", describe(&e)),
            }
        }
    }

    /// The value property of the input matching `css`.
    pub async fn value(&self, css: &str) -> String {
        self.wait_for(css)
            .await
            .prop("value")
            .await
            .unwrap_or_else(|e| panic!("value of {css}: {e}"))
            .unwrap_or_default()
    }

    /// The visible text of the whole page (for failure messages).
    pub async fn page_text(&self) -> String {
        match self.client().find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(e) => format!("<no page: {e}>"),
        }
    }

    /// Fills in the sign-in form (once it shows) and submits it with the Sign in button.
    pub async fn sign_in_with_form(&self, base_url: &str, token: &str) {
        self.wait_for("#sign-in-form").await;
        self.fill("#base-url", base_url).await;
        self.fill("#token", token).await;
        self.click("#sign-in").await;
    }

    /// The shown account's cached organisations matching `search`, by id, as the list asks
    /// for them (`list_customers`: `rows` and `total`).
    pub async fn list_customers(&self, search: &str, limit: u32) -> Value {
        self.invoke(
            "list_customers",
            json!({"request": {"search": search, "status": null, "sort": "id", "direction": "asc",
                               "offset": 0, "limit": limit}}),
        )
        .await
        .expect("list_customers")
    }

    /// Calls an app command from inside the webview, as the UI does: Ok(answer) or Err(the
    /// `{code, message, field?}` the command failed with).
    pub async fn invoke(&self, command: &str, args: Value) -> Result<Value, Value> {
        let out = self
            .client()
            .execute_async(
                "const [cmd, args, done] = arguments;\
                 window.__TAURI_INTERNALS__.invoke(cmd, args)\
                   .then(ok => done({ ok }), err => done({ err }));",
                vec![Value::from(command), args],
            )
            .await
            .unwrap_or_else(|e| panic!("invoke {command}: {e}"));
        match out.get("err") {
            Some(err) => Err(err.clone()),
            None => Ok(out.get("ok").cloned().unwrap_or(Value::Null)),
        }
    }

    /// Runs `script` (a function body: `arguments` holds `args`; `return` gives the answer) in
    /// the page and returns what it returned.
    pub async fn eval(&self, script: &str, args: Vec<Value>) -> Value {
        self.client()
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Polls `script` (as in [`App::eval`]) until it returns something truthy, and returns
    /// that; panics after `timeout` naming `what`, with the last answer and the page's text. A
    /// script that throws (an element it reads is not on the page yet: the view is still being
    /// built) counts as "not yet"; its error is the last answer if it never succeeds.
    pub async fn wait_js_within(
        &self,
        what: &str,
        timeout: Duration,
        script: &str,
        args: Vec<Value>,
    ) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let (truthy, got) = match self.client().execute(script, args.clone()).await {
                Ok(v) => (is_truthy(&v), v),
                Err(e) => (false, Value::String(format!("the script threw: {e}"))),
            };
            if truthy {
                return got;
            }
            if Instant::now() > deadline {
                panic!(
                    "waited {timeout:?} for {what}; last answer {got}; the page shows:\n{}",
                    self.page_text().await
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// [`App::wait_js_within`] with the usual UI timeout.
    pub async fn wait_js(&self, what: &str, script: &str, args: Vec<Value>) -> Value {
        self.wait_js_within(what, UI_TIMEOUT, script, args).await
    }

    /// Waits until the element matching `css` shows a text for which `ok` holds; returns it.
    pub async fn wait_until_text(&self, css: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + UI_TIMEOUT;
        loop {
            let text = match self.client().find(Locator::Css(css)).await {
                Ok(el) if el.is_displayed().await.unwrap_or(false) => el.text().await.ok(),
                _ => None,
            };
            if let Some(text) = &text {
                if ok(text) {
                    return text.clone();
                }
            }
            if Instant::now() > deadline {
                panic!(
                    "{css} never showed the expected text within {UI_TIMEOUT:?}; last: {text:?}"
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until nothing matching `css` is displayed.
    pub async fn wait_gone(&self, css: &str) {
        let deadline = Instant::now() + UI_TIMEOUT;
        while self.is_visible(css).await {
            if Instant::now() > deadline {
                panic!("{css} still shown after {UI_TIMEOUT:?}");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Types `keys` into the element matching `css` (see [`keys`] for the special keys).
    pub async fn press(&self, css: &str, keys: &str) {
        self.wait_for(css)
            .await
            .send_keys(keys)
            .await
            .unwrap_or_else(|e| panic!("send {keys:?} to {css}: {e}"));
    }

    /// The `textContent` of every element matching `css`, in document order.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let got = self
            .eval(
                "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent);",
                vec![Value::from(css)],
            )
            .await;
        serde_json::from_value(got).expect("a list of texts")
    }

    /// Saves a PNG of the window once the current DOM state has been painted.
    pub async fn screenshot(&self, path: &Path) {
        // A screenshot taken right after a DOM change can show the previous frame.
        self.client()
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                vec![],
            )
            .await
            .expect("wait for a paint");
        let png = self.client().screenshot().await.expect("take a screenshot");
        std::fs::write(path, png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }

    /// Saves a screenshot as `<name>.png` in the directory named by `E2E_SCREENSHOTS`, when
    /// that is set (for looking at what the tests saw, and for the README's pictures).
    pub async fn snap(&self, name: &str) {
        if let Some(dir) = std::env::var_os("E2E_SCREENSHOTS").filter(|d| !d.is_empty()) {
            let dir = PathBuf::from(dir);
            std::fs::create_dir_all(&dir)
                .unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
            self.screenshot(&dir.join(format!("{name}.png"))).await;
        }
    }

    /// The processes the app runs as (the app and its WebKit helpers; not the WebDriver
    /// processes), with their proportional set size in KiB: what the app costs in memory,
    /// shared pages split fairly between the processes sharing them. Linux only (empty elsewhere).
    pub fn process_tree(&self) -> Vec<(u32, String, u64)> {
        let Some(root) = self.driver.as_ref().map(Child::id) else {
            return Vec::new();
        };
        process::descendants(root)
            .into_iter()
            .filter_map(|pid| Some((pid, process::command_name(pid)?)))
            // WebKitWebDriver's name is cut to 15 characters in comm.
            .filter(|(_, comm)| {
                !comm.starts_with("tauri-driver") && !comm.starts_with("WebKitWebDrive")
            })
            .filter_map(|(pid, comm)| Some((pid, comm, process::pss_kib(pid)?)))
            .collect()
    }

    /// Ends the session and stops everything. Dropping the app does the same (without waiting
    /// for the WebDriver answer), so a failing test cleans up too.
    pub async fn close(mut self) {
        if let Some(client) = self.client.take() {
            if client.close().await.is_ok() {
                self.session_id = None;
            }
        }
        // Drop stops the driver and what is left of the tree.
    }

    fn wait_for_port(&mut self, port: u16) {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        while TcpStream::connect_timeout(&addr, POLL).is_err() {
            if let Some(Ok(Some(status))) = self.driver.as_mut().map(Child::try_wait) {
                panic!("tauri-driver exited before it listened on port {port}: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "tauri-driver did not listen on port {port} within {STARTUP_TIMEOUT:?}"
            );
            std::thread::sleep(POLL);
        }
    }
}

impl App {
    /// What tauri-driver and the app printed so far (the app logs to stderr).
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }
}

impl Drop for App {
    fn drop(&mut self) {
        // Still open means the test did not reach close(): most likely it panicked. Ending the
        // session is what makes WebKitWebDriver close the app; a plain HTTP request does it
        // without an async runtime.
        if let Some(id) = self.session_id.take() {
            process::delete_session(self.driver_port, &id);
        }
        self.client.take();
        if let Some(driver) = self.driver.take() {
            process::stop_tree(driver);
        }
        self.closed.store(true, Ordering::SeqCst);
        if std::thread::panicking() {
            let log = std::fs::read_to_string(&self.log_path).unwrap_or_default();
            eprintln!("---- tauri-driver and app output ----\n{log}---- end ----");
        }
    }
}

/// JavaScript's truthiness of a script's answer.
fn is_truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// The environment that makes `home` the app's home: `HOME` and the XDG folders inside it
/// (created), so settings, data, caches, logs and temporary files all land there.
pub fn home_env(home: &Path) -> Vec<(&'static str, PathBuf)> {
    [
        ("HOME", ""),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_STATE_HOME", "state"),
        ("TMPDIR", "tmp"),
    ]
    .into_iter()
    .map(|(key, dir)| {
        let path = home.join(dir);
        std::fs::create_dir_all(&path).expect("create a directory in the app's home");
        (key, path)
    })
    .collect()
}

/// The app binary: `SCRIPTIX_APP_BIN`, else `scriptix-reseller` in the target directory this
/// test executable was built into (`target/debug/deps/<test>` -> `target/debug/`).
pub fn app_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("SCRIPTIX_APP_BIN").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "SCRIPTIX_APP_BIN={} is not a file",
            path.display()
        );
        return path;
    }
    sibling_binary("scriptix-reseller")
}

/// The element was replaced in the DOM after it was found (WebKitWebDriver says "not found").
/// Whether a failed click may succeed on a later try: the element was replaced, or was hidden
/// or covered while the view redrew.
fn is_transient(e: &fantoccini::error::CmdError) -> bool {
    use fantoccini::error::{CmdError, ErrorStatus};
    match e {
        CmdError::Standard(w) => matches!(
            w.error,
            ErrorStatus::StaleElementReference
                | ErrorStatus::NoSuchElement
                | ErrorStatus::ElementNotInteractable
                | ErrorStatus::ElementClickIntercepted
        ),
        _ => false,
    }
}

/// A WebDriver error with its kind: WebKitWebDriver often sends an empty message.
fn describe(e: &fantoccini::error::CmdError) -> String {
    match e {
        fantoccini::error::CmdError::Standard(w) => format!("{:?}: {}", w.error, w.message),
        other => other.to_string(),
    }
}

/// A binary of the workspace built in the same profile as the running test or bench
/// (`target/<profile>/<name>`).
pub fn sibling_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("path of the test executable");
    let name = format!("{name}{}", std::env::consts::EXE_SUFFIX);
    let candidate = exe
        .parent()
        .and_then(Path::parent)
        .map(|profile_dir| profile_dir.join(&name));
    match candidate {
        Some(path) if path.is_file() => path,
        _ => panic!(
            "the binary {name} was not found next to {}. Build it in the same invocation: \
             `cargo test -p scriptix-reseller -p e2e` (or `cargo test --workspace`), or set \
             SCRIPTIX_APP_BIN.",
            exe.display()
        ),
    }
}

/// tauri-driver from PATH, else from ~/.cargo/bin.
pub fn tauri_driver() -> PathBuf {
    let name = format!("tauri-driver{}", std::env::consts::EXE_SUFFIX);
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|dir| dir.join(&name));
    let in_cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|dir| dir.join("bin").join(&name));
    on_path
        .chain(in_cargo_home)
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "tauri-driver not found on PATH or in ~/.cargo/bin: install it with \
                 `cargo install tauri-driver --locked --version 2.1.0` (or run `cargo xtask test`)"
            )
        })
}

/// A port that was free a moment ago (the OS picks it; the listener is closed again).
/// Two distinct free ports (both held until both are known, so they cannot be the same).
fn free_ports() -> (u16, u16) {
    let bind = || TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("find a free port");
    let (a, b) = (bind(), bind());
    let port = |l: &TcpListener| l.local_addr().expect("a bound port").port();
    (port(&a), port(&b))
}

/// A plain HTTP client for a test's own requests to the sandbox. reqwest is built without a TLS
/// provider of its own: the app's is installed first (see `scriptix_api::tls`).
pub fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// `GET {base_url}/api/v3/account/me` with `token`: what the app should show about an account.
pub async fn account_me(base_url: &str, token: &str) -> Value {
    let body: Value = http()
        .get(format!("{base_url}/api/v3/account/me"))
        .header("x-zoom-s2t-key", token)
        .send()
        .await
        .expect("account/me request")
        .error_for_status()
        .expect("account/me status")
        .json()
        .await
        .expect("account/me body");
    body["result"].clone()
}

/// Asks `f` until it answers Some (every 100 ms), and returns that; panics naming `what` after
/// [`UI_TIMEOUT`].
pub async fn poll<T>(what: &str, mut f: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + UI_TIMEOUT;
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// GET `{base_url}/api/v3/reseller/{path}` with the reseller `token` and `query`: the answer's
/// `result` and `total_results` (what a test compares the screen with).
pub async fn reseller_get(
    base_url: &str,
    token: &str,
    path: &str,
    query: &[(&str, &str)],
) -> (Value, u64) {
    let body: Value = http()
        .get(format!("{base_url}/api/v3/reseller/{path}"))
        .header("x-zoom-s2t-key", token)
        .query(query)
        .send()
        .await
        .expect("the sandbox answers")
        .error_for_status()
        .expect("a 200")
        .json()
        .await
        .expect("JSON");
    let total = body["total_results"].as_u64().unwrap_or(0);
    (body["result"].clone(), total)
}

/// WebDriver's codes for keys that are not characters, for [`App::press`]. A modifier stays
/// down until [`keys::NULL`] or the end of the keys sent.
pub mod keys {
    pub const NULL: &str = "\u{E000}";
    pub const BACKSPACE: &str = "\u{E003}";
    pub const TAB: &str = "\u{E004}";
    pub const ENTER: &str = "\u{E007}";
    pub const SHIFT: &str = "\u{E008}";
    pub const CONTROL: &str = "\u{E009}";
    pub const ESCAPE: &str = "\u{E00C}";
    pub const PAGE_DOWN: &str = "\u{E00F}";
    pub const END: &str = "\u{E010}";
    pub const HOME: &str = "\u{E011}";
    pub const ARROW_UP: &str = "\u{E013}";
    pub const ARROW_DOWN: &str = "\u{E015}";
    pub const DELETE: &str = "\u{E017}";
}
