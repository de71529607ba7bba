//! The reseller dashboard through the real window, against a sandbox: with the dashboard
//! endpoint its totals are the server's; the per-organisation table sorts by its headers,
//! exports exactly the rows it shows (through the dialog seam) and opens an organisation;
//! changing the alert threshold changes the alerts to exactly the organisations at or above
//! it. Without the endpoint the numbers are computed from cached data and the screen says so,
//! with the same totals the server's data gives.

use e2e::{reseller_get, App, Launch};
use scriptix_sandbox::{Gap, Sandbox, SandboxConfig};
use serde_json::{json, Value};

async fn sandbox(customers: usize, gaps: &[Gap]) -> Sandbox {
    scriptix_sandbox::start(SandboxConfig {
        customers,
        // The test's own requests must never be the ones refused.
        rate_limit_per_minute: 0,
        disabled_gaps: gaps.iter().copied().collect(),
        ..Default::default()
    })
    .await
    .expect("start the sandbox")
}

async fn launch(sb: &Sandbox, dialog_seam: &std::path::Path) -> App {
    let app = App::launch(
        Launch::signed_in(sb.base_url(), sb.reseller_token())
            .env("SCRIPTIX_TEST_DIALOG", dialog_seam.display().to_string()),
    )
    .await;
    app.wait_for("#org-list-view").await;
    app
}

/// Waits for the dashboard to show `source` with its table filled and no refresh running
/// (the as-of line says "refreshing" or "Loading" while one does). A computed dashboard shares
/// the rate budget with the sync's own prefetch after sign-in: it may wait out a minute's
/// window before its requests go.
async fn dashboard_ready(app: &App, source: &str, rows: usize) {
    app.wait_js_within(
        &format!("the dashboard from '{source}' with {rows} rows"),
        std::time::Duration::from_secs(180),
        "const d = document.querySelector('#dashboard');
         const asOf = document.querySelector('#dash-as-of').textContent;
         return d && d.dataset.source === arguments[0]
           && document.querySelector('#dash-page').textContent.endsWith(' of ' + arguments[1])
           && !asOf.includes('refreshing') && !asOf.includes('Loading') && asOf.startsWith('As of');",
        vec![json!(source), json!(rows.to_string())],
    )
    .await;
}

/// The raw number a total card carries.
async fn total(app: &App, id: &str) -> f64 {
    let v = app
        .eval(
            "return document.getElementById(arguments[0]).dataset.value;",
            vec![json!(id)],
        )
        .await;
    v.as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("#{id} has no number: {v}"))
}

/// The ids of the table's rows, in order.
async fn shown_ids(app: &App) -> Vec<i64> {
    app.eval(
        "return [...document.querySelectorAll('#dash-table .dash-row')].map(r => Number(r.dataset.id));",
        vec![],
    )
    .await
    .as_array()
    .unwrap()
    .iter()
    .map(|v| v.as_i64().unwrap())
    .collect()
}

async fn shown_names(app: &App) -> Vec<String> {
    app.texts("#dash-table .dash-row .dash-name").await
}

async fn alert_ids(app: &App) -> Vec<i64> {
    let mut ids: Vec<i64> = app
        .eval(
            "return [...document.querySelectorAll('#dash-alerts .alert-row')].map(r => Number(r.dataset.id));",
            vec![],
        )
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

/// The organisations whose usage is at or above `percent` of their available units, by the
/// server's own per-organisation numbers (units are seconds on both sides in the sandbox).
fn expected_alerts(dashboard: &Value, percent: f64) -> Vec<i64> {
    let mut ids: Vec<i64> = dashboard["customers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            let available = c["available_units"].as_f64().unwrap_or(0.0);
            available > 0.0 && c["units_used"].as_f64().unwrap() / available * 100.0 >= percent
        })
        .map(|c| c["customer_id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

/// Waits until the alerts list is the one for `percent` (its empty-state line names it, grouped
/// in the app's locale by the core: "1,000", "1.000").
async fn threshold_shown(app: &App, percent: u32) {
    app.wait_js(
        &format!("the alerts at {percent} %"),
        "const t = document.querySelector('#dash-alerts-empty').textContent;
         const m = t.match(/ at or above ([0-9][0-9.,\\u00a0\\u202f’]*) % /);
         return !!m && m[1].replace(/[^0-9]/g, '') === String(arguments[0]);",
        vec![json!(percent)],
    )
    .await;
}

async fn set_threshold(app: &App, percent: u32) {
    app.eval(
        "const i = document.querySelector('#dash-threshold'); i.value = arguments[0];
         i.dispatchEvent(new Event('input', { bubbles: true }));",
        vec![json!(percent.to_string())],
    )
    .await;
}

/// The export as the csv crate reads it (quotes, line breaks in cells, the BOM), after checking
/// the file is what Excel on Windows reads right: a UTF-8 byte order mark and CRLF records.
fn parse_csv(bytes: &[u8]) -> Vec<Vec<String>> {
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "no UTF-8 byte order mark"
    );
    assert!(bytes.ends_with(b"\r\n"), "records end in CRLF");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

/// Renames the sandbox's first customer to `name` through the API; returns the name.
async fn rename_first(sb: &Sandbox, name: &str) -> String {
    let (first, _) = reseller_get(
        sb.base_url(),
        sb.reseller_token(),
        "customer/",
        &[("limit", "1")],
    )
    .await;
    let c = &first[0];
    e2e::http()
        .put(format!("{}/api/v3/reseller/customer/{}/", sb.base_url(), c["id"]))
        .header("x-zoom-s2t-key", sb.reseller_token())
        .json(&json!({"name": name, "email": c["email"], "phone": c["phone"], "is_active": c["is_active"]}))
        .send()
        .await
        .expect("the sandbox answers")
        .error_for_status()
        .expect("renamed");
    name.to_string()
}

#[tokio::test]
async fn the_dashboard_shows_the_servers_totals_sorts_exports_opens_and_alerts() {
    // More than one page of the table (100 rows).
    const CUSTOMERS: usize = 130;
    const PAGE: usize = 100;
    let sb = sandbox(CUSTOMERS, &[]).await;
    // One organisation named like a spreadsheet formula: the export must hold it as data.
    let formula = rename_first(&sb, "=HYPERLINK(\"http://x\",\"y\")").await;
    // Without dates the sandbox answers this month, the screen's default range.
    let (server, _) = reseller_get(sb.base_url(), sb.reseller_token(), "dashboard", &[]).await;
    let dir = tempfile::tempdir().unwrap();
    let seam = dir.path().join("dialog-answer");
    std::fs::write(&seam, "").unwrap();
    let app = launch(&sb, &seam).await;

    app.click("#nav-dashboard").await;
    dashboard_ready(&app, "server", CUSTOMERS).await;
    assert_eq!(
        total(&app, "dash-total-orgs").await,
        server["total_organizations"].as_f64().unwrap()
    );
    assert_eq!(
        total(&app, "dash-total-active").await,
        server["active_organizations"].as_f64().unwrap()
    );
    assert_eq!(
        total(&app, "dash-total-users").await,
        server["total_users"].as_f64().unwrap()
    );
    assert_eq!(
        total(&app, "dash-total-hours").await,
        server["units_used"].as_f64().unwrap()
    );
    assert_eq!(
        total(&app, "dash-total-sessions").await,
        server["sessions"].as_f64().unwrap()
    );
    assert!(
        (total(&app, "dash-total-error-rate").await - server["error_rate"].as_f64().unwrap()).abs()
            < 1e-9
    );
    // Server mode: no "computed" note; the chart has a bar per organisation with audio (at most 10).
    assert!(!app.is_visible("#dash-source-note").await);
    let bars = app
        .eval(
            "return document.querySelectorAll('#dash-top-chart .top-bar').length;",
            vec![],
        )
        .await;
    let with_audio = server["customers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["units_used"].as_i64().unwrap() > 0)
        .count();
    assert_eq!(bars.as_u64().unwrap() as usize, with_audio.min(10));
    app.snap("dashboard").await;

    // Sorting by clicking the headers: name ascending, then descending.
    app.click("#dash-sort-name").await;
    app.wait_js(
        "the table sorted by name",
        "return document.querySelector('#dash-sort-name').parentElement.getAttribute('aria-sort') === 'ascending';",
        vec![],
    )
    .await;
    let mut sorted: Vec<String> = server["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["customer_name"].as_str().unwrap().to_string())
        .collect();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(shown_names(&app).await, sorted[..PAGE]);
    app.click("#dash-sort-name").await;
    app.wait_js(
        "the table sorted by name, descending",
        "return document.querySelector('#dash-sort-name').parentElement.getAttribute('aria-sort') === 'descending';",
        vec![],
    )
    .await;
    let mut reversed = sorted.clone();
    reversed.reverse();
    assert_eq!(shown_names(&app).await, reversed[..PAGE]);

    // Export: the file's rows are the rows shown, in their order.
    let out = dir.path().join("usage.csv");
    std::fs::write(&seam, out.display().to_string()).unwrap();
    app.click("#dash-export").await;
    let deadline = std::time::Instant::now() + e2e::UI_TIMEOUT;
    while !out.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the export was not written"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let rows = parse_csv(&std::fs::read(&out).unwrap());
    assert_eq!(rows[0][0], "Organisation");
    let file_ids: Vec<i64> = rows[1..].iter().map(|r| r[1].parse().unwrap()).collect();
    let file_names: Vec<String> = rows[1..].iter().map(|r| r[0].clone()).collect();
    // The formula's cell starts with a quote (a spreadsheet shows it as text); others as shown.
    let as_data = |n: &String| {
        if n.starts_with('=') {
            format!("'{n}")
        } else {
            n.clone()
        }
    };
    assert_eq!(file_names, reversed.iter().map(as_data).collect::<Vec<_>>());
    assert!(
        file_names.contains(&format!("'{formula}")),
        "{file_names:?}"
    );
    // Page one, then page two: together, the file.
    let mut shown = shown_ids(&app).await;
    app.click("#dash-next").await;
    app.wait_until_text("#dash-page", |t| t.starts_with("101"))
        .await;
    shown.extend(shown_ids(&app).await);
    assert_eq!(file_ids, shown);
    app.click("#dash-prev").await;
    app.wait_until_text("#dash-page", |t| t.starts_with("1–"))
        .await;

    // Alerts follow the threshold, to exactly the organisations at or above it.
    set_threshold(&app, 1000).await;
    threshold_shown(&app, 1000).await;
    let strict = expected_alerts(&server, 1000.0);
    assert_eq!(alert_ids(&app).await, strict);
    set_threshold(&app, 10).await;
    threshold_shown(&app, 10).await;
    let loose = expected_alerts(&server, 10.0);
    assert!(
        loose.len() > strict.len(),
        "the seed gives alerts at 10 % that 1000 % has not"
    );
    assert_eq!(alert_ids(&app).await, loose);

    // A row opens its organisation.
    let first = shown_ids(&app).await[0];
    // The export's notice sits over the window's bottom for a few seconds: let it go first.
    app.wait_gone("#toasts .toast").await;
    app.click(&format!(
        "#dash-table .dash-row[data-id=\"{first}\"] .dash-name"
    ))
    .await;
    app.wait_for(&format!("#org-page[data-id=\"{first}\"]"))
        .await;

    // The threshold was kept: back on the dashboard it is still 10.
    app.click("#nav-dashboard").await;
    dashboard_ready(&app, "server", CUSTOMERS).await;
    assert_eq!(app.value("#dash-threshold").await, "10");

    // Another range: last month's numbers, the server's for that range.
    app.eval(
        "const s = document.querySelector('#dash-range'); s.value = 'last_month';
         s.dispatchEvent(new Event('change', { bubbles: true }));",
        vec![],
    )
    .await;
    let range = app
        .wait_js(
            "last month's dashboard",
            "const d = document.querySelector('#dashboard');
             return d.dataset.source === 'server' && d.dataset.to.endsWith('-01')
               && d.dataset.to <= new Date().toISOString().slice(0, 10)
               && document.querySelector('#dash-as-of').textContent.startsWith('As of')
               && !document.querySelector('#dash-as-of').textContent.includes('refreshing')
               && [d.dataset.from, d.dataset.to];",
            vec![],
        )
        .await;
    let (from, to) = (range[0].as_str().unwrap(), range[1].as_str().unwrap());
    let (last_month, _) = reseller_get(
        sb.base_url(),
        sb.reseller_token(),
        "dashboard",
        &[("date_from", from), ("date_to", to)],
    )
    .await;
    assert_eq!(
        total(&app, "dash-total-hours").await,
        last_month["units_used"].as_f64().unwrap()
    );
    assert_eq!(
        total(&app, "dash-total-sessions").await,
        last_month["sessions"].as_f64().unwrap()
    );
    app.close().await;
}

#[tokio::test]
async fn without_the_dashboard_endpoint_it_is_computed_from_cached_data_and_says_so() {
    const CUSTOMERS: usize = 20;
    let sb = sandbox(CUSTOMERS, &[Gap::Dashboard]).await;
    // The truth: the same data with the endpoint (same seed, same day).
    let twin = sandbox(CUSTOMERS, &[]).await;
    let (server, _) = reseller_get(twin.base_url(), twin.reseller_token(), "dashboard", &[]).await;
    let (_, active) = reseller_get(
        sb.base_url(),
        sb.reseller_token(),
        "customer/",
        &[("limit", "1"), ("filter", "is_active=true")],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let seam = dir.path().join("dialog-answer");
    std::fs::write(&seam, "").unwrap();
    let app = launch(&sb, &seam).await;

    app.click("#nav-dashboard").await;
    dashboard_ready(&app, "computed", CUSTOMERS).await;
    let note = app
        .wait_until_text("#dash-source-note", |t| {
            t.contains("20 of 20 organisations")
        })
        .await;
    assert!(note.contains("no dashboard endpoint"), "{note}");
    assert!(note.contains("computed"), "{note}");
    assert_eq!(total(&app, "dash-total-orgs").await, CUSTOMERS as f64);
    assert_eq!(total(&app, "dash-total-active").await, active as f64);
    assert_eq!(
        total(&app, "dash-total-users").await,
        server["total_users"].as_f64().unwrap()
    );
    assert_eq!(
        total(&app, "dash-total-hours").await,
        server["units_used"].as_f64().unwrap()
    );
    assert_eq!(
        total(&app, "dash-total-sessions").await,
        server["sessions"].as_f64().unwrap()
    );
    app.snap("dashboard-computed").await;
    assert_eq!(sb.stats().rate_limited, 0);
    app.close().await;
}

/// Numbers that mean what they say, and a dashboard that follows the user's own change: the
/// alerts name the period and say an overrun in hours (never a four-digit percentage); adding a
/// user moves the Users total at once (marked until Scriptix has it) and "Sync now" keeps it.
#[tokio::test]
async fn alerts_name_the_period_and_adding_a_user_moves_the_users_total() {
    const CUSTOMERS: usize = 12;
    let sb = sandbox(CUSTOMERS, &[]).await;
    let dir = tempfile::tempdir().unwrap();
    let seam = dir.path().join("dialog-answer");
    std::fs::write(&seam, "").unwrap();
    let app = launch(&sb, &seam).await;

    app.click("#nav-dashboard").await;
    dashboard_ready(&app, "server", CUSTOMERS).await;
    set_threshold(&app, 10).await;
    threshold_shown(&app, 10).await;
    let figures = app.texts("#dash-alerts .alert-pct").await;
    assert!(!figures.is_empty(), "the seed has organisations past 10 %");
    for f in &figures {
        let f = f.replace(['\u{a0}', '\u{202f}'], " ");
        assert!(
            (f.starts_with("over by ") && f.ends_with(" h")) || f.ends_with('%'),
            "{f}"
        );
        if f.ends_with('%') {
            let whole: String = f.chars().take_while(|c| c.is_ascii_digit()).collect();
            assert!(whole.len() <= 3, "no four-digit percentage: {f}");
        }
    }
    let hint = app.wait_for_text("#dash-threshold-hint").await;
    assert!(hint.contains("current period"), "{hint}");
    let hours = app.wait_for_text("#dash-total-hours").await;
    assert!(hours.replace('\u{a0}', " ").ends_with(" h"), "{hours}");
    let users = total(&app, "dash-total-users").await;

    // Add a user to one organisation, then look at the dashboard again.
    let (first, _) = reseller_get(
        sb.base_url(),
        sb.reseller_token(),
        "customer/",
        &[("limit", "1")],
    )
    .await;
    let id = first[0]["id"].as_i64().unwrap();
    app.click("#nav-orgs").await;
    app.open_tab(id, "users").await;
    app.wait_for("#users-panel[data-state=\"ready\"]").await;
    app.click("#add-user").await;
    app.wait_for("#user-dialog").await;
    app.fill("#user-email", "dashboard.total@example.org").await;
    app.fill("#user-first-name", "Dana").await;
    app.eval(
        "document.querySelector('#user-role-DEVELOPER').click();",
        vec![],
    )
    .await;
    app.click("#user-submit").await;
    app.wait_gone("#user-dialog").await;

    app.click("#nav-dashboard").await;
    // The organisation's form was not edited (adding a user is not): leaving asks nothing.
    let shown = app
        .wait_js(
            "the dashboard, or the question to leave the organisation's form",
            "return document.getElementById('dashboard') ? 'dashboard'
                 : (document.getElementById('confirm-leave') ? 'asked' : false);",
            vec![],
        )
        .await;
    assert_eq!(
        shown,
        json!("dashboard"),
        "leaving an unedited form asked to discard it"
    );
    app.wait_js(
        "the Users total with the new user",
        "return document.getElementById('dash-total-users')?.dataset.value === arguments[0];",
        vec![json!((users + 1.0).to_string())],
    )
    .await;
    // "Sync now" refreshes the dashboard on screen: the server's total holds the user too.
    app.click("#sync-now").await;
    app.wait_js(
        "the server's Users total, no longer marked",
        "const v = document.getElementById('dash-total-users');
         return v?.dataset.value === arguments[0] && v.dataset.pending === ''
           && document.getElementById('dash-pending').hidden;",
        vec![json!((users + 1.0).to_string())],
    )
    .await;
    let (server, _) = reseller_get(sb.base_url(), sb.reseller_token(), "dashboard", &[]).await;
    assert_eq!(server["total_users"].as_f64().unwrap(), users + 1.0);
    app.close().await;
}
