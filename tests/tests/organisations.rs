//! The organisations screens through the real window, against a sandbox: the list (as the
//! server has it; search, sort, status filter, count; virtualised at 10 000 rows), creating
//! with per-field validation, editing with Save shown only for a change, discarding, deleting
//! with a confirmation that names the organisation, names with markup staying text, working
//! offline with the edit reaching the server exactly once, a failed change discarded, and a
//! conflict made on both sides settled in the conflicts view.

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::time::{Duration, Instant};

use e2e::{eventually_within, keys, sandbox, Api, App, Launch, UI_TIMEOUT};
use scriptix_sandbox::{FaultConfig, Refusal, Sandbox, SandboxConfig};
use serde_json::{json, Value};

// ---- the sandbox and its API, as a test sees them ----

/// A sandbox that can be stopped and started again on the same port with the same data.
struct Restartable {
    addr: SocketAddr,
    customers: usize,
    dir: tempfile::TempDir,
}

impl Restartable {
    fn new(customers: usize) -> Self {
        Restartable {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, free_port())),
            customers,
            dir: tempfile::tempdir().expect("a directory for the sandbox database"),
        }
    }

    fn db(&self) -> std::path::PathBuf {
        self.dir.path().join("sandbox.sqlite")
    }

    /// Starts on the fixed address (retrying while the old listener lets go of the port).
    async fn start(&self) -> Sandbox {
        self.start_at(self.addr).await
    }

    /// Starts on another free port over the same data: "another desk" editing while the
    /// app cannot reach the server.
    async fn start_elsewhere(&self) -> Sandbox {
        self.start_at(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
    }

    async fn start_at(&self, addr: SocketAddr) -> Sandbox {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let cfg = SandboxConfig {
                addr,
                db_path: Some(self.db()),
                ..e2e::sandbox_config(self.customers)
            };
            match scriptix_sandbox::start(cfg).await {
                Ok(s) => return s,
                Err(e) if Instant::now() < deadline => {
                    eprintln!("sandbox not started yet ({e}); trying again");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("the sandbox did not start again on {addr}: {e}"),
            }
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// How long the app may take to reach a server that came back. Requests that failed while
/// offline hold a place in the client's rate budget for up to a minute, so the first round
/// after a reconnection can wait that long before it sends anything.
const RECONNECT: Duration = Duration::from_secs(150);

/// Polls `f` until it gives Some, for up to the UI timeout.
async fn eventually<T, F, Fut>(what: &str, f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    eventually_within(what, UI_TIMEOUT, f).await
}

/// Requests the sandbox counted whose method and route contain `method` and `route`.
fn requests(sandbox: &Sandbox, method: &str, route: &str) -> u64 {
    sandbox
        .stats()
        .by_route
        .iter()
        .filter(|(k, _)| k.starts_with(method) && k.contains(route))
        .map(|(_, n)| n)
        .sum()
}

// ---- the app ----

/// The app signed in to `sandbox` from the command line, showing the list.
async fn launch(sandbox: &Sandbox) -> App {
    launch_at(sandbox.base_url(), sandbox.reseller_token()).await
}

async fn launch_at(base_url: &str, token: &str) -> App {
    let app = App::launch(
        Launch::new()
            .arg("--base-url")
            .arg(base_url)
            .env("SCRIPTIX_TOKEN", token),
    )
    .await;
    app.wait_for("#org-list-view").await;
    app
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Waits until the list's count says `n`.
async fn wait_for_count(app: &App, n: usize) {
    let want = n.to_string();
    app.wait_until_text("#org-count", |t| {
        digits(t) == want && !t.starts_with("More")
    })
    .await;
}

/// The rows the list has built, in list order.
async fn rows(app: &App) -> Vec<Value> {
    let got = app
        .eval(
            "return [...document.querySelectorAll('#org-list .org-row[data-id]')]
               .map(r => ({
                 id: Number(r.dataset.id),
                 index: Number(r.dataset.index),
                 name: r.querySelector('.org-name').textContent,
                 email: r.querySelector('.cell-email').textContent,
                 phone: r.querySelector('.cell-phone').textContent,
                 status: r.querySelector('.cell-status').textContent,
                 registered: r.querySelector('.cell-registered').textContent,
                 state: r.dataset.state,
                 badge: r.querySelector('.sync-badge')?.textContent ?? null,
                 selected: r.getAttribute('aria-selected') === 'true',
               }))
               .sort((a, b) => a.index - b.index);",
            vec![],
        )
        .await;
    serde_json::from_value(got).unwrap()
}

/// Waits until the row at `index` is built with data, and returns it.
async fn row_at(app: &App, index: usize) -> Value {
    app.wait_js(
        &format!("row {index} to show"),
        "const r = document.querySelector(`#org-list .org-row[data-index=\"${arguments[0]}\"][data-id]`);
         return r && { id: Number(r.dataset.id), name: r.querySelector('.org-name').textContent,
                       selected: r.getAttribute('aria-selected') === 'true', state: r.dataset.state };",
        vec![json!(index)],
    )
    .await
}

/// Waits until the list's first row is the customer `id`.
async fn wait_first_row(app: &App, id: i64) {
    app.wait_js(
        &format!("row 0 to be customer {id}"),
        "return document.querySelector('#org-list .org-row[data-index=\"0\"]')?.dataset.id === String(arguments[0]);",
        vec![json!(id)],
    )
    .await;
}

/// Clicks a column header until the list is sorted by it in `direction`.
async fn sort_by(app: &App, button: &str, direction: &str) {
    let want = if direction == "asc" {
        "ascending"
    } else {
        "descending"
    };
    for _ in 0..2 {
        let now = app
            .eval(
                "return document.querySelector(arguments[0]).closest('[role=columnheader]').getAttribute('aria-sort');",
                vec![json!(button)],
            )
            .await;
        if now == want {
            return;
        }
        app.click(button).await;
    }
    let now = app
        .eval(
            "return document.querySelector(arguments[0]).closest('[role=columnheader]').getAttribute('aria-sort');",
            vec![json!(button)],
        )
        .await;
    assert_eq!(now, want, "{button} does not sort {direction}");
}

fn id_of(v: &Value) -> i64 {
    v["id"].as_i64().expect("an id")
}

/// Selects the row of customer `id` (it must be built) and opens its page with Enter.
async fn open_with_keyboard(app: &App, id: i64) {
    app.click(&format!("#org-list .org-row[data-id=\"{id}\"] .cell-email"))
        .await;
    app.press("#org-list", keys::ENTER).await;
    app.wait_for(&format!("#org-page[data-id=\"{id}\"]")).await;
}

/// Waits (up to `timeout`) until an element matching `css` is rendered and not hidden.
async fn wait_css_within(app: &App, css: &str, timeout: Duration) {
    app.wait_js_within(
        css,
        timeout,
        "const e = document.querySelector(arguments[0]); return !!e && e.getClientRects().length > 0;",
        vec![json!(css)],
    )
    .await;
}

/// Waits (up to `timeout`) until nothing matching `css` is rendered.
async fn wait_css_gone_within(app: &App, css: &str, timeout: Duration) {
    app.wait_js_within(
        &format!("{css} to go"),
        timeout,
        "const e = document.querySelector(arguments[0]); return !e || e.getClientRects().length === 0;",
        vec![json!(css)],
    )
    .await;
}

/// The list is signed in and shows `n` rows sorted by id, ascending.
async fn list_by_id(app: &App, n: usize, first_id: i64) {
    wait_for_count(app, n).await;
    sort_by(app, "#sort-id", "asc").await;
    wait_first_row(app, first_id).await;
}

// ---- the tests ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_shows_the_organisations_as_the_server_has_them() {
    let sandbox = sandbox(40).await;
    let api = Api::of(&sandbox);
    let server = api.all().await;
    assert_eq!(server.len(), 40);
    let app = launch(&sandbox).await;

    // The account stays in reach beside the list.
    assert!(!app.wait_for_text("#signed-in-name").await.trim().is_empty());
    assert!(app.is_visible("#sign-out").await);

    wait_for_count(&app, 40).await;
    assert_eq!(
        app.wait_for_text("#org-count").await,
        "40 organisations",
        "the count names every organisation"
    );
    list_by_id(&app, 40, id_of(&server[0])).await;
    app.snap("organisations-list").await;

    let shown = rows(&app).await;
    assert!(shown.len() >= 10, "only {} rows built", shown.len());
    for (k, row) in shown.iter().enumerate() {
        assert_eq!(row["index"], json!(k), "rows are contiguous from the top");
        let c = &server[k];
        assert_eq!(row["id"], c["id"]);
        assert_eq!(row["name"], c["name"]);
        assert_eq!(row["email"], c["email"]);
        let status = if c["is_active"].as_bool().unwrap() {
            "Active"
        } else {
            "Inactive"
        };
        assert_eq!(row["status"], status, "status of {}", c["id"]);
        assert_eq!(
            digits(row["phone"].as_str().unwrap()),
            digits(c["phone"].as_str().unwrap_or("")),
            "phone of {}",
            c["id"]
        );
        assert!(
            !row["registered"].as_str().unwrap().is_empty(),
            "registration date of {}",
            c["id"]
        );
        assert_eq!(row["badge"], Value::Null, "{} is in step", c["id"]);
    }

    // The status bar says the list is in step, without an error.
    app.wait_for("#sync-status[data-connectivity=\"online\"]")
        .await;
    app.wait_until_text("#sync-last", |t| t.starts_with("Synced"))
        .await;
    assert!(!app.is_visible("#sync-error").await);
    assert!(!app.is_visible("#sync-pending").await);
    app.close().await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_sort_and_the_status_filter_narrow_and_order_the_list() {
    let sandbox = sandbox(40).await;
    let api = Api::of(&sandbox);
    let server = api.all().await;
    let app = launch(&sandbox).await;
    wait_for_count(&app, 40).await;

    // Sort by id, both ways, with the direction shown.
    sort_by(&app, "#sort-id", "asc").await;
    wait_first_row(&app, id_of(&server[0])).await;
    assert_eq!(app.wait_for_text("#sort-id .sort-arrow").await, "▲");
    let ids: Vec<i64> = rows(&app).await.iter().map(id_of).collect();
    let want: Vec<i64> = server.iter().take(ids.len()).map(id_of).collect();
    assert_eq!(ids, want);

    app.click("#sort-id").await;
    wait_first_row(&app, id_of(&server[39])).await;
    assert_eq!(app.wait_for_text("#sort-id .sort-arrow").await, "▼");
    let ids: Vec<i64> = rows(&app).await.iter().map(id_of).collect();
    let want: Vec<i64> = server.iter().rev().take(ids.len()).map(id_of).collect();
    assert_eq!(ids, want);

    // By name: the last row ascending is the first descending, and the reverse.
    app.click("#sort-name").await;
    let first_asc = app
        .wait_js(
            "the list sorted by name",
            "const h = document.querySelector('#sort-name').closest('[role=columnheader]');
             const r = document.querySelector('#org-list .org-row[data-index=\"0\"][data-id]');
             return h.getAttribute('aria-sort') === 'ascending' && r && r.querySelector('.org-name').textContent;",
            vec![],
        )
        .await;
    app.click("#org-list .org-row[data-index=\"0\"] .cell-email")
        .await;
    app.press("#org-list", keys::END).await;
    let last_asc = app
        .wait_js(
            "the last row to be selected",
            "const r = document.querySelector('#org-list .org-row[aria-selected=\"true\"][data-id]');
             return r && r.dataset.index === '39' && r.querySelector('.org-name').textContent;",
            vec![],
        )
        .await;
    assert_ne!(first_asc, last_asc);
    app.click("#sort-name").await;
    app.wait_js(
        "the list sorted by name, descending",
        "const h = document.querySelector('#sort-name').closest('[role=columnheader]');
         const r = document.querySelector('#org-list .org-row[data-index=\"0\"][data-id]');
         return h.getAttribute('aria-sort') === 'descending' && r && r.querySelector('.org-name').textContent === arguments[0];",
        vec![last_asc.clone()],
    )
    .await;

    // The status filter, with its count.
    let active = server
        .iter()
        .filter(|c| c["is_active"].as_bool().unwrap())
        .count();
    assert!(active > 0 && active < 40, "the seed mixes statuses");
    app.click("#org-status-active").await;
    wait_for_count(&app, active).await;
    let statuses: Vec<String> = app.texts("#org-list .org-row[data-id] .cell-status").await;
    assert!(!statuses.is_empty());
    assert!(statuses.iter().all(|s| s == "Active"), "{statuses:?}");
    app.click("#org-status-inactive").await;
    wait_for_count(&app, 40 - active).await;
    let statuses: Vec<String> = app.texts("#org-list .org-row[data-id] .cell-status").await;
    assert!(statuses.iter().all(|s| s == "Inactive"), "{statuses:?}");
    app.click("#org-status-all").await;
    wait_for_count(&app, 40).await;

    // Ctrl+K reaches the search box from the list; typing filters as it goes.
    app.press("#org-list", &format!("{}k{}", keys::CONTROL, keys::NULL))
        .await;
    app.wait_js(
        "Ctrl+K to focus the search box",
        "return document.activeElement?.id === 'org-search';",
        vec![],
    )
    .await;
    let target = &server[17];
    let email = target["email"].as_str().unwrap();
    app.press("#org-search", email).await;
    app.wait_js(
        "the search to narrow the list to the customer",
        "const rows = document.querySelectorAll('#org-list .org-row[data-id]');
         return document.querySelector('#org-list-view').dataset.search === arguments[1]
           && rows.length > 0 && rows.length < 40
           && [...rows].some(r => r.dataset.id === String(arguments[0]));",
        vec![target["id"].clone(), json!(email)],
    )
    .await;
    let matches = app.texts("#org-list .org-row[data-id]").await.len();
    let count = app.wait_for_text("#org-count").await;
    assert_eq!(digits(&count), matches.to_string(), "{count}");

    // A search that matches nothing says so; Escape clears it.
    app.fill("#org-search", "zzqx-no-such-organisation").await;
    app.wait_until_text("#org-empty", |t| t.contains("No organisations match"))
        .await;
    assert_eq!(app.wait_for_text("#org-count").await, "No organisations");
    app.press("#org-search", keys::ESCAPE).await;
    wait_for_count(&app, 40).await;
    assert!(!app.is_visible("#org-empty").await);
    app.close().await;
    sandbox.shutdown().await;
}

/// Types `typed` into the cleared search box and waits until the list is searched for it and
/// shows customer `id`; the count says as many as the rows shown.
async fn search_shows(app: &App, typed: &str, id: i64) {
    app.press("#org-search", keys::ESCAPE).await;
    app.wait_js(
        "the search box to be cleared",
        "return document.querySelector('#org-search').value === '';",
        vec![],
    )
    .await;
    app.press("#org-search", typed).await;
    app.wait_js(
        &format!("the search {typed:?} to show customer {id}"),
        "const rows = document.querySelectorAll('#org-list .org-row[data-id]');
         return document.querySelector('#org-list-view').dataset.search === arguments[1]
           && [...rows].some(r => r.dataset.id === String(arguments[0]));",
        vec![json!(id), json!(typed)],
    )
    .await;
    assert!(!app.is_visible("#org-empty").await, "{typed}");
    let shown = app.texts("#org-list .org-row[data-id]").await.len();
    let count = app.wait_for_text("#org-count").await;
    assert_eq!(digits(&count), shown.to_string(), "{typed}: {count}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_is_found_by_the_digits_a_user_remembers() {
    let sandbox = sandbox(30).await;
    let api = Api::of(&sandbox);
    let server = api.all().await;
    let hamburg = id_of(&server[7]);
    let amsterdam = id_of(&server[19]);
    api.update(hamburg, json!({"phone": "+494075135063"})).await;
    api.update(amsterdam, json!({"phone": "+31201234567"}))
        .await;
    let app = launch(&sandbox).await;
    wait_for_count(&app, 30).await;

    // +49 40 75135063: a run from the middle, national with the trunk prefix, in groups.
    for typed in ["135063", "751350", "4075135", "40 75135063", "040 75135063"] {
        search_shows(&app, typed, hamburg).await;
    }
    // +31 20 123 4567.
    for typed in ["0201234567", "1234567", "20 123"] {
        search_shows(&app, typed, amsterdam).await;
    }
    app.close().await;
    sandbox.shutdown().await;
}

/// "1 nov 2026": a day, a Dutch month abbreviation and a year.
fn is_dutch_date(s: &str) -> bool {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
    ];
    let parts: Vec<&str> = s.split(' ').collect();
    matches!(parts.as_slice(), [d, m, y]
        if (1..=2).contains(&d.len()) && d.chars().all(|c| c.is_ascii_digit())
            && MONTHS.contains(m)
            && y.len() == 4 && y.chars().all(|c| c.is_ascii_digit()))
}

/// Counts and dates come from the core in the app's locale, not from WebKit (which groups
/// no thousands itself): with SCRIPTIX_LOCALE=nl-NL the count line groups with a dot and the
/// list and the organisation page name the month in Dutch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dutch_locale_groups_the_count_and_names_months_in_dutch() {
    let sandbox = sandbox(1_234).await;
    let server = Api::of(&sandbox).all().await;
    let app = App::launch(
        Launch::new()
            .arg("--base-url")
            .arg(sandbox.base_url())
            .env("SCRIPTIX_TOKEN", sandbox.reseller_token())
            .env("SCRIPTIX_LOCALE", "nl-NL"),
    )
    .await;
    app.wait_for("#org-list-view").await;
    let count = app
        .wait_until_text("#org-count", |t| digits(t) == "1234")
        .await;
    assert_eq!(count, "1.234 organisations");

    sort_by(&app, "#sort-id", "asc").await;
    wait_first_row(&app, id_of(&server[0])).await;
    let dates = app
        .texts("#org-list .org-row[data-id] .cell-registered")
        .await;
    assert!(!dates.is_empty());
    for d in &dates {
        assert!(is_dutch_date(d), "{d:?} in {dates:?}");
    }

    open_with_keyboard(&app, id_of(&server[0])).await;
    let registered = app.wait_for_text("#org-registered").await;
    let day = registered
        .strip_prefix("Registered ")
        .unwrap_or_else(|| panic!("{registered:?}"));
    assert!(is_dutch_date(day), "{registered:?}");
    assert_eq!(day, dates[0]);
    app.close().await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_organisations_open_at_once_and_scroll_with_few_rows_built() {
    let sandbox = sandbox(10_000).await;
    let api = Api::of(&sandbox);
    let server = api.all().await;
    assert_eq!(server.len(), 10_000);
    let app = launch(&sandbox).await;
    app.wait_until_text("#org-count", |t| digits(t) == "10000")
        .await;
    sort_by(&app, "#sort-id", "asc").await;
    wait_first_row(&app, id_of(&server[0])).await;

    let built = || async {
        app.eval(
            "return document.querySelectorAll('#org-list .org-row').length;",
            vec![],
        )
        .await
        .as_u64()
        .unwrap()
    };
    let at_top = built().await;
    assert!(at_top < 80, "{at_top} rows built for one screen");
    let height = app
        .eval(
            "return document.querySelector('#org-list .grid-spacer').offsetHeight;",
            vec![],
        )
        .await;
    assert_eq!(
        height,
        json!(10_000 * 40),
        "the scroll area holds every row"
    );

    // End goes to the last organisation; only the rows around it are built.
    app.click("#org-list .org-row[data-index=\"0\"] .cell-email")
        .await;
    app.press("#org-list", keys::END).await;
    let last = row_at(&app, 9_999).await;
    assert_eq!(last["id"], server[9_999]["id"]);
    assert_eq!(last["selected"], json!(true));
    assert!(built().await < 80);

    // Jumping into the middle fetches that window by offset.
    app.eval(
        "document.querySelector('#org-list').scrollTop = 5000 * 40;",
        vec![],
    )
    .await;
    let middle = row_at(&app, 5_000).await;
    assert_eq!(middle["id"], server[5_000]["id"]);
    assert!(built().await < 80);

    app.press("#org-list", keys::HOME).await;
    let first = row_at(&app, 0).await;
    assert_eq!(first["selected"], json!(true));
    assert_eq!(first["id"], server[0]["id"]);
    app.close().await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_organisation_is_checked_field_by_field_and_created() {
    let sandbox = sandbox(20).await;
    let api = Api::of(&sandbox);
    let app = launch(&sandbox).await;
    wait_for_count(&app, 20).await;

    app.click("#new-org").await;
    app.wait_for("#new-org-dialog").await;
    app.wait_js(
        "the name field to have the focus",
        "return document.activeElement?.id === 'org-form-name';",
        vec![],
    )
    .await;

    // Nothing filled in: the required fields say so, the optional phone does not.
    app.click("#org-form-submit").await;
    let name_error = app.wait_for_text("#org-form-name-error").await;
    let email_error = app.wait_for_text("#org-form-email-error").await;
    assert!(name_error.to_lowercase().contains("name"), "{name_error}");
    assert!(!email_error.is_empty());
    assert!(!app.is_visible("#org-form-phone-error").await);
    app.snap("new-organisation-invalid").await;

    // The messages follow the typing once shown.
    app.fill("#org-form-phone", "020 123 4567").await;
    let phone_error = app
        .wait_until_text("#org-form-phone-error", |t| !t.is_empty())
        .await;
    assert!(phone_error.contains("country code"), "{phone_error}");
    app.fill("#org-form-email", "it@").await;
    app.fill("#org-form-name", "Zuiderzee Vertaalbureau BV")
        .await;
    app.wait_gone("#org-form-name-error").await;
    assert!(app.is_visible("#org-form-email-error").await);
    // Still invalid: submitting keeps the dialog open and sends nothing.
    app.click("#org-form-submit").await;
    assert!(app.is_visible("#new-org-dialog").await);

    app.fill("#org-form-email", "info@zuiderzee-vertaal.nl")
        .await;
    app.fill("#org-form-phone", "+31 20 123 4567").await;
    app.wait_gone("#org-form-email-error").await;
    app.wait_gone("#org-form-phone-error").await;
    app.wait_until_text("#org-form-phone-hint", |t| t.contains("+31 20 123 4567"))
        .await;
    app.click("#org-form-submit").await;
    app.wait_gone("#new-org-dialog").await;

    // The row is there at once, selected; then Scriptix has it, once, and the row its id.
    let row = app
        .wait_js(
            "the new row to be selected",
            "const r = document.querySelector('#org-list .org-row.selected[data-id]');
             return r && r.querySelector('.org-name').textContent === 'Zuiderzee Vertaalbureau BV'
               && { id: Number(r.dataset.id), state: r.dataset.state };",
            vec![],
        )
        .await;
    assert!(
        row["state"] == "pending" || row["state"] == "synced",
        "{row}"
    );
    wait_for_count(&app, 21).await;
    let created = eventually("the server to have the new organisation", || async {
        let all = api.all().await;
        let found: Vec<Value> = all
            .into_iter()
            .filter(|c| c["email"] == "info@zuiderzee-vertaal.nl")
            .collect();
        (!found.is_empty()).then_some(found)
    })
    .await;
    assert_eq!(created.len(), 1, "created once: {created:?}");
    assert_eq!(created[0]["name"], "Zuiderzee Vertaalbureau BV");
    let id = id_of(&created[0]);
    app.wait_for(&format!(
        "#org-list .org-row[data-id=\"{id}\"][data-state=\"synced\"]"
    ))
    .await;
    assert_eq!(requests(&sandbox, "POST", "/reseller/customer"), 1);
    app.close().await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_organisation_page_saves_only_a_change_and_discards_on_request() {
    let sandbox = sandbox(20).await;
    let api = Api::of(&sandbox);
    let server = api.all().await;
    let target = server
        .iter()
        .find(|c| c["phone"].is_string() && c["is_active"] == true)
        .expect("an active customer with a phone")
        .clone();
    let id = id_of(&target);
    let app = launch(&sandbox).await;
    list_by_id(&app, 20, id_of(&server[0])).await;

    open_with_keyboard(&app, id).await;
    assert_eq!(
        app.wait_for_text("#org-title").await,
        target["name"].as_str().unwrap()
    );
    assert_eq!(
        app.value("#org-email").await,
        target["email"].as_str().unwrap()
    );
    let phone = app.wait_for_text("#org-phone-display").await;
    assert!(phone.starts_with('+') && phone.contains(' '), "{phone}");
    assert_eq!(
        digits(&phone),
        digits(target["phone"].as_str().unwrap()),
        "the header shows the stored phone"
    );
    for tab in ["subscription", "usage", "tokens", "users", "transcriptions"] {
        assert!(app.is_visible(&format!("#tab-{tab}")).await, "tab {tab}");
    }
    // Nothing changed: nothing to save.
    assert!(!app.is_visible("#save-org").await);
    assert!(!app.is_visible("#discard-org").await);
    app.snap("organisation-page").await;

    // A change shows Save and Discard; Discard puts the stored values back.
    app.fill("#org-name", "Temporary name").await;
    app.wait_for("#save-org").await;
    app.click("#discard-org").await;
    app.wait_gone("#save-org").await;
    assert_eq!(
        app.value("#org-name").await,
        target["name"].as_str().unwrap()
    );

    // Typing the same value back is no change either.
    app.fill("#org-email", "x@example.org").await;
    app.wait_for("#save-org").await;
    app.fill("#org-email", target["email"].as_str().unwrap())
        .await;
    app.wait_gone("#save-org").await;

    // The same phone typed with other spacing, or with 00 for +, is the same number: the
    // core says it is no change.
    let shown_phone = app.value("#org-phone").await;
    for same in [
        format!("+{}", digits(&shown_phone)),
        format!("00{}", digits(&shown_phone)),
    ] {
        app.fill("#org-phone", "12345").await;
        app.wait_for("#save-org").await;
        app.fill("#org-phone", &same).await;
        app.wait_gone("#save-org").await;
    }
    app.fill("#org-phone", &shown_phone).await;

    // An invalid value is caught on the page, before anything is sent.
    app.fill("#org-email", "not-an-address").await;
    app.click("#save-org").await;
    app.wait_until_text("#org-email-error", |t| !t.is_empty())
        .await;
    assert_eq!(requests(&sandbox, "PUT", "/reseller/customer"), 0);

    // A valid change and the status switch, saved with the keyboard shortcut.
    app.fill("#org-email", "billing@changed-here.example").await;
    app.wait_gone("#org-email-error").await;
    app.click("label[for=\"org-active\"]").await;
    app.press("#org-email", &format!("{}s{}", keys::CONTROL, keys::NULL))
        .await;
    app.wait_gone("#save-org").await;
    let saved = eventually("the server to have the change", || async {
        api.get(id)
            .await
            .filter(|c| c["email"] == "billing@changed-here.example")
    })
    .await;
    assert_eq!(saved["is_active"], json!(false));
    assert_eq!(saved["name"], target["name"], "only what changed");
    app.wait_gone("#org-sync-state").await;
    assert_eq!(app.wait_for_text("#org-status-pill").await, "Inactive");
    assert_eq!(requests(&sandbox, "PUT", "/reseller/customer"), 1);

    // Back to the list: the same sort, the same row selected, the change shown.
    app.click("#back-to-list").await;
    app.wait_for("#org-list-view").await;
    let sort = app
        .eval(
            "return document.querySelector('#sort-id').closest('[role=columnheader]').getAttribute('aria-sort');",
            vec![],
        )
        .await;
    assert_eq!(sort, "ascending");
    app.wait_js(
        "the row to show the change, still selected",
        "const r = document.querySelector(`#org-list .org-row[data-id=\"${arguments[0]}\"]`);
         return r && r.getAttribute('aria-selected') === 'true'
           && r.querySelector('.cell-email').textContent === 'billing@changed-here.example'
           && r.querySelector('.cell-status').textContent === 'Inactive';",
        vec![json!(id)],
    )
    .await;
    app.close().await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_asks_naming_the_organisation_then_the_row_goes() {
    let sandbox = sandbox(20).await;
    let api = Api::of(&sandbox);
    let server = api.all().await;
    let app = launch(&sandbox).await;
    list_by_id(&app, 20, id_of(&server[0])).await;

    let victim = &server[2];
    let id = id_of(victim);
    let name = victim["name"].as_str().unwrap();
    app.click(&format!("#org-list .org-row[data-id=\"{id}\"] .cell-email"))
        .await;

    // Cancelled: nothing happens.
    app.press("#org-list", keys::DELETE).await;
    let message = app.wait_for_text("#confirm-message").await;
    assert!(message.contains(name), "{message:?} does not name {name:?}");
    app.snap("delete-confirmation").await;
    app.click("#confirm-cancel").await;
    app.wait_gone("#confirm-dialog").await;
    assert!(
        app.is_visible(&format!("#org-list .org-row[data-id=\"{id}\"]"))
            .await
    );

    // Confirmed: the row goes at once, the next one takes its place, Scriptix follows.
    app.press("#org-list", keys::DELETE).await;
    app.wait_for("#confirm-dialog").await;
    app.click("#confirm-ok").await;
    app.wait_gone(&format!("#org-list .org-row[data-id=\"{id}\"]"))
        .await;
    wait_for_count(&app, 19).await;
    let next = row_at(&app, 2).await;
    assert_eq!(next["id"], server[3]["id"]);
    assert_eq!(next["selected"], json!(true));
    eventually("the server to delete it", || async {
        api.get(id).await.is_none().then_some(())
    })
    .await;

    // From the organisation page too.
    let other = id_of(&server[5]);
    open_with_keyboard(&app, other).await;
    app.click("#delete-org").await;
    let message = app.wait_for_text("#confirm-message").await;
    assert!(message.contains(server[5]["name"].as_str().unwrap()));
    app.click("#confirm-ok").await;
    app.wait_for("#org-list-view").await;
    wait_for_count(&app, 18).await;
    app.wait_gone(&format!("#org-list .org-row[data-id=\"{other}\"]"))
        .await;
    eventually("the server to delete the second", || async {
        api.get(other).await.is_none().then_some(())
    })
    .await;
    app.close().await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_delete_brings_the_row_back_with_the_servers_words() {
    let sandbox = sandbox(12).await;
    let api = Api::of(&sandbox);
    let server = api.all().await;
    let app = launch(&sandbox).await;
    list_by_id(&app, 12, id_of(&server[0])).await;
    let victim = &server[4];
    let id = id_of(victim);
    let reason = "This organisation still has active subscriptions; cancel them first.";
    sandbox.set_faults(FaultConfig {
        refusal: Some(Refusal {
            method: "DELETE".into(),
            route: format!("/customer/{id}"),
            exact: false,
            status: 409,
            message: reason.into(),
        }),
        ..FaultConfig::default()
    });

    app.click(&format!("#org-list .org-row[data-id=\"{id}\"] .cell-email"))
        .await;
    app.press("#org-list", keys::DELETE).await;
    app.wait_for("#confirm-dialog").await;
    app.click("#confirm-ok").await;
    // Gone at once (pending; the delete test shows that), then back when Scriptix refuses,
    // marked and saying why.
    let back = eventually("the refused delete to bring the row back", || async {
        rows(&app)
            .await
            .into_iter()
            .find(|r| r["id"] == json!(id) && r["state"] == "failed")
    })
    .await;
    assert_eq!(back["name"], victim["name"]);
    wait_for_count(&app, 12).await;
    app.wait_until_text("#sync-failed", |t| t.starts_with('1'))
        .await;
    open_with_keyboard(&app, id).await;
    let said = app.wait_for_text("#org-error").await;
    assert!(said.contains(reason), "{said:?} does not give the reason");
    assert!(api.get(id).await.is_some(), "Scriptix still has it");

    // Discarding the delete keeps the organisation, as Scriptix has it.
    sandbox.set_faults(FaultConfig::default());
    app.click("#discard-change").await;
    app.wait_gone("#org-sync-banner").await;
    app.wait_gone("#sync-failed").await;
    app.click("#back-to-list").await;
    wait_for_count(&app, 12).await;
    assert!(api.get(id).await.is_some());
    app.close().await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markup_in_a_name_is_shown_as_text() {
    const PAYLOAD: &str = "<img src=x onerror=alert(1)><b>bold</b>";
    let sandbox = sandbox(10).await;
    let api = Api::of(&sandbox);
    let created = api.create(PAYLOAD, "markup@example.org").await;
    let id = id_of(&created);
    let app = launch(&sandbox).await;
    wait_for_count(&app, 11).await;

    app.fill("#org-search", "markup@example.org").await;
    let shown = app
        .wait_js(
            "the row with markup in its name",
            "const r = document.querySelector(`#org-list .org-row[data-id=\"${arguments[0]}\"]`);
             return r && r.querySelector('.org-name').textContent;",
            vec![json!(id)],
        )
        .await;
    assert_eq!(shown, PAYLOAD);
    let elements = app
        .eval(
            "return document.querySelectorAll('#org-list img, #org-list b').length;",
            vec![],
        )
        .await;
    assert_eq!(elements, json!(0), "markup in a name became elements");

    open_with_keyboard(&app, id).await;
    assert_eq!(
        app.eval(
            "return document.querySelector('#org-title').textContent;",
            vec![]
        )
        .await,
        PAYLOAD
    );
    assert_eq!(app.value("#org-name").await, PAYLOAD);
    let elements = app
        .eval(
            "return document.querySelectorAll('#org-page img, #org-page b').length;",
            vec![],
        )
        .await;
    assert_eq!(elements, json!(0));

    // And in the confirmation that names it.
    app.click("#delete-org").await;
    assert!(app
        .wait_for_text("#confirm-message")
        .await
        .contains(PAYLOAD));
    let elements = app
        .eval(
            "return document.querySelectorAll('#confirm-dialog img, #confirm-dialog b').length;",
            vec![],
        )
        .await;
    assert_eq!(elements, json!(0));
    app.click("#confirm-cancel").await;
    app.close().await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_the_cached_list_works_and_edits_reach_the_server_once_back_online() {
    let server_box = Restartable::new(20);
    let first = server_box.start().await;
    let api = Api::of(&first);
    let server = api.all().await;
    let target = server[4].clone();
    let id = id_of(&target);
    let app = launch(&first).await;
    list_by_id(&app, 20, id_of(&server[0])).await;
    app.wait_for("#sync-status[data-connectivity=\"online\"]")
        .await;

    // The server goes away. Offline is said calmly, without an error.
    first.shutdown().await;
    app.click("#sync-now").await;
    let offline = app
        .wait_until_text("#sync-connectivity", |t| t.starts_with("Offline"))
        .await;
    assert!(offline.contains("kept"), "{offline}");
    assert!(!app.is_visible("#sync-error").await);
    app.snap("offline").await;

    // The cached list still searches and opens.
    app.fill("#org-search", target["email"].as_str().unwrap())
        .await;
    app.wait_js(
        "the search to find the customer offline",
        "return document.querySelector(`#org-list .org-row[data-id=\"${arguments[0]}\"]`) !== null
           && document.querySelectorAll('#org-list .org-row[data-id]').length < 20;",
        vec![json!(id)],
    )
    .await;
    open_with_keyboard(&app, id).await;

    // An edit made offline waits, and says so.
    app.fill("#org-email", "offline-edit@example.org").await;
    app.click("#save-org").await;
    app.wait_gone("#save-org").await;
    // (Badges are drawn in capitals; the text is as written.)
    assert!(
        app.wait_for_text("#org-sync-state")
            .await
            .eq_ignore_ascii_case("pending"),
        "the page shows the change waits"
    );
    let banner = app.wait_for_text("#org-sync-banner").await;
    assert!(banner.contains("when the connection returns"), "{banner}");
    app.wait_until_text("#sync-pending", |t| t.starts_with('1'))
        .await;

    // A new organisation made offline waits too, with its badge in the list.
    app.click("#back-to-list").await;
    app.press("#org-search", keys::ESCAPE).await;
    app.wait_for(&format!(
        "#org-list .org-row[data-id=\"{id}\"] .sync-badge[data-state=\"pending\"]"
    ))
    .await;
    app.click("#new-org").await;
    app.fill("#org-form-name", "Trein Notulen BV").await;
    app.fill("#org-form-email", "info@treinnotulen.example")
        .await;
    app.click("#org-form-submit").await;
    app.wait_gone("#new-org-dialog").await;
    app.press("#org-search", keys::ESCAPE).await;
    app.fill("#org-search", "treinnotulen").await;
    let created = app
        .wait_js(
            "the offline create in the list",
            "const r = document.querySelector('#org-list .org-row[data-id]');
             return r && r.querySelector('.org-name').textContent === 'Trein Notulen BV'
               && { id: Number(r.dataset.id), badge: r.querySelector('.sync-badge')?.textContent };",
            vec![],
        )
        .await;
    assert!(created["id"].as_i64().unwrap() < 0, "{created}");
    assert_eq!(created["badge"], "Pending");
    app.wait_until_text("#sync-pending", |t| t.starts_with('2'))
        .await;

    // The server returns (same port, same data); nothing was sent meanwhile.
    // (The first server was down since before the edit: whatever arrives, arrives here.)
    let back = server_box.start().await;
    let api = Api::of(&back);
    app.click("#sync-now").await;
    wait_css_within(
        &app,
        "#sync-status[data-connectivity=\"online\"]",
        RECONNECT,
    )
    .await;
    wait_css_gone_within(&app, "#sync-pending", RECONNECT).await;
    let now = eventually("the edit on the server", || async {
        api.get(id)
            .await
            .filter(|c| c["email"] == "offline-edit@example.org")
    })
    .await;
    assert_eq!(now["name"], target["name"]);
    let all = api.all().await;
    let creates = all
        .iter()
        .filter(|c| c["email"] == "info@treinnotulen.example")
        .count();
    assert_eq!(creates, 1, "the offline create reached the server once");
    assert_eq!(
        requests(&back, "PUT", "/reseller/customer"),
        1,
        "the edit was sent exactly once"
    );
    assert_eq!(requests(&back, "POST", "/reseller/customer"), 1);

    // The list shows both in step; the new one with its server id.
    app.wait_js_within(
        "the new organisation to get its server id",
        RECONNECT,
        "const r = document.querySelector('#org-list .org-row[data-id]');
         return r && Number(r.dataset.id) > 0 && r.dataset.state === 'synced';",
        vec![],
    )
    .await;
    app.close().await;
    back.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_made_on_both_sides_is_settled_in_the_conflicts_view() {
    let server_box = Restartable::new(15);
    let first = server_box.start().await;
    let server = Api::of(&first).all().await;
    let target = server[1].clone();
    let id = id_of(&target);
    let app = launch(&first).await;
    list_by_id(&app, 15, id_of(&server[0])).await;
    assert!(!app.is_visible("#nav-conflicts").await);

    // Offline, this desk changes the name and the email.
    first.shutdown().await;
    app.click("#sync-now").await;
    app.wait_for("#sync-status[data-connectivity=\"offline\"]")
        .await;
    open_with_keyboard(&app, id).await;
    app.fill("#org-name", "Mine Transcripties BV").await;
    app.fill("#org-email", "mine@example.org").await;
    app.click("#save-org").await;
    app.wait_until_text("#org-sync-state", |t| t.eq_ignore_ascii_case("pending"))
        .await;

    // Meanwhile another desk changes the same two fields on Scriptix.
    let elsewhere = server_box.start_elsewhere().await;
    Api::of(&elsewhere)
        .update(
            id,
            json!({"name": "Theirs Transcripties BV", "email": "theirs@example.org"}),
        )
        .await;
    elsewhere.shutdown().await;

    // Back online: the two changes meet.
    let back = server_box.start().await;
    let api = Api::of(&back);
    app.click("#sync-now").await;
    wait_css_within(&app, "#org-sync-state[data-state=\"conflict\"]", RECONNECT).await;
    app.wait_until_text("#sync-conflicts", |t| t.contains("conflict"))
        .await;
    assert_eq!(
        api.get(id).await.unwrap()["name"],
        "Theirs Transcripties BV",
        "nothing is overwritten before the user chooses"
    );

    app.click("#sync-conflicts").await;
    app.wait_for("#conflicts-view").await;
    let name_row = format!(".conflict[data-field=\"name\"][data-customer-id=\"{id}\"]");
    let email_row = format!(".conflict[data-field=\"email\"][data-customer-id=\"{id}\"]");
    assert_eq!(
        app.wait_for_text(&format!("{name_row} .conflict-mine .value"))
            .await,
        "Mine Transcripties BV"
    );
    assert_eq!(
        app.wait_for_text(&format!("{name_row} .conflict-theirs .value"))
            .await,
        "Theirs Transcripties BV"
    );
    assert_eq!(
        app.wait_for_text(&format!("{email_row} .conflict-mine .value"))
            .await,
        "mine@example.org"
    );
    assert_eq!(
        app.wait_for_text(&format!("{email_row} .conflict-theirs .value"))
            .await,
        "theirs@example.org"
    );
    app.snap("conflicts").await;

    app.click(&format!("{name_row} .keep-mine")).await;
    app.wait_gone(&name_row).await;
    app.click(&format!("{email_row} .take-theirs")).await;
    app.wait_for("#conflicts-empty").await;
    app.wait_gone("#sync-conflicts").await;

    let settled = eventually_within("the settled customer on the server", RECONNECT, || async {
        api.get(id)
            .await
            .filter(|c| c["name"] == "Mine Transcripties BV")
    })
    .await;
    assert_eq!(settled["email"], "theirs@example.org");
    app.click("#nav-orgs").await;
    wait_css_within(
        &app,
        &format!("#org-list .org-row[data-id=\"{id}\"][data-state=\"synced\"]"),
        RECONNECT,
    )
    .await;
    let row = rows(&app)
        .await
        .into_iter()
        .find(|r| id_of(r) == id)
        .unwrap();
    assert_eq!(row["name"], "Mine Transcripties BV");
    assert_eq!(row["email"], "theirs@example.org");
    app.close().await;
    back.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_change_shows_the_servers_words_and_can_be_discarded() {
    let server_box = Restartable::new(12);
    let first = server_box.start().await;
    let server = Api::of(&first).all().await;
    let target = server[3].clone();
    let id = id_of(&target);
    let app = launch(&first).await;
    list_by_id(&app, 12, id_of(&server[0])).await;

    // Edited here while offline; deleted on Scriptix meanwhile.
    first.shutdown().await;
    app.click("#sync-now").await;
    app.wait_for("#sync-status[data-connectivity=\"offline\"]")
        .await;
    open_with_keyboard(&app, id).await;
    app.fill("#org-name", "Renamed Too Late BV").await;
    app.click("#save-org").await;
    app.wait_until_text("#org-sync-state", |t| t.eq_ignore_ascii_case("pending"))
        .await;
    let elsewhere = server_box.start_elsewhere().await;
    Api::of(&elsewhere).delete(id).await;
    elsewhere.shutdown().await;

    let back = server_box.start().await;
    app.click("#sync-now").await;
    wait_css_within(&app, "#org-sync-state[data-state=\"failed\"]", RECONNECT).await;
    assert!(app
        .wait_for_text("#org-sync-state")
        .await
        .eq_ignore_ascii_case("not saved"));
    let view = app
        .invoke("get_customer", json!({"id": id}))
        .await
        .expect("the customer is still here");
    let words = view["error"]
        .as_str()
        .expect("the server's words")
        .to_string();
    assert_eq!(app.wait_for_text("#org-error").await, words);
    app.wait_until_text("#sync-failed", |t| t.starts_with('1'))
        .await;
    app.snap("refused-change").await;

    // Discarding gives up the change; the organisation then goes, as on Scriptix.
    app.click("#discard-change").await;
    wait_css_within(&app, "#org-gone", RECONNECT).await;
    app.click("#back-to-list").await;
    wait_for_count(&app, 11).await;
    assert!(
        !app.is_visible(&format!("#org-list .org-row[data-id=\"{id}\"]"))
            .await
    );
    app.wait_gone("#sync-failed").await;
    app.close().await;
    back.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_asks_whether_to_keep_the_offline_copy() {
    let sandbox = sandbox(5).await;
    let app = launch(&sandbox).await;
    wait_for_count(&app, 5).await;

    app.click("#sign-out").await;
    let question = app.wait_for_text("#confirm-message").await;
    assert!(question.contains("offline copy"), "{question}");
    // Cancel stays signed in.
    app.click("#confirm-cancel").await;
    app.wait_gone("#confirm-dialog").await;
    assert!(app.is_visible("#org-list-view").await);

    app.click("#sign-out").await;
    app.click("#sign-out-remove").await;
    app.wait_for("#sign-in-form").await;
    assert!(!app.is_visible("#signed-in").await);
    app.close().await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chosen_theme_applies_at_once_and_at_the_next_start() {
    let sandbox = sandbox(5).await;
    let home = tempfile::tempdir().unwrap();
    let background =
        "return getComputedStyle(document.body).backgroundColor.match(/\\d+/g).slice(0, 3).map(Number);";
    let app = App::launch(
        Launch::new()
            .home(home.path())
            .arg("--base-url")
            .arg(sandbox.base_url())
            .env("SCRIPTIX_TOKEN", sandbox.reseller_token()),
    )
    .await;
    wait_for_count(&app, 5).await;
    // A <select> is set as a user would leave it; the page hears the change.
    let choose = |theme: &'static str| {
        app.eval(
            "const t = document.querySelector('#theme'); t.value = arguments[0]; t.dispatchEvent(new Event('change'));",
            vec![json!(theme)],
        )
    };
    choose("light").await;
    app.wait_js(
        "the light theme",
        "return document.documentElement.dataset.theme === 'light';",
        vec![],
    )
    .await;
    let light: Vec<u8> = serde_json::from_value(app.eval(background, vec![]).await).unwrap();

    choose("dark").await;
    let dark = app
        .wait_js(
            "the dark theme",
            "return document.documentElement.dataset.theme === 'dark'
               && getComputedStyle(document.body).backgroundColor;",
            vec![],
        )
        .await;
    let dark: Vec<u8> = dark
        .as_str()
        .unwrap()
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .take(3)
        .map(|s| s.parse().unwrap())
        .collect();
    let lum = |c: &[u8]| c.iter().map(|&v| u32::from(v)).sum::<u32>();
    assert!(
        lum(&dark) < lum(&light) && lum(&dark) < 200,
        "dark {dark:?} vs light {light:?}"
    );
    app.snap("organisations-dark").await;
    app.close().await;

    // The next start opens dark before anything else shows.
    let app = App::launch(Launch::new().home(home.path())).await;
    app.wait_js(
        "the remembered theme at start",
        "return document.documentElement.dataset.theme === 'dark';",
        vec![],
    )
    .await;
    // Signed in again by itself or not, a theme menu on screen says the same.
    let menu = app
        .eval(
            "return document.querySelector('#theme')?.value ?? null;",
            vec![],
        )
        .await;
    assert!(menu.is_null() || menu == "dark", "{menu}");
    app.close().await;
    sandbox.shutdown().await;
}
