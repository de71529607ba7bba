//! The Usage and Transcriptions tabs through the real window, against a sandbox: the usage
//! table follows range, view and split and equals the sandbox's `/usage` answer for the query
//! shown; the chart has one series per split value; Export CSV (through the dialog seam)
//! writes exactly the rows shown; transcriptions filter, sort and page as the sandbox does,
//! with status badges and "Unknown (n)"; and a server without the usage summary still shows
//! its rows with a summary computed and marked so.

use std::collections::BTreeSet;

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

/// GET `customer/{path}` of the sandbox: its `result` and `total_results`.
async fn get(sb: &Sandbox, path: &str, query: &[(&str, String)]) -> (Value, u64) {
    let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let path = format!("customer/{path}");
    reseller_get(sb.base_url(), sb.reseller_token(), &path, &query).await
}

async fn customer_ids(sb: &Sandbox) -> Vec<i64> {
    let (list, _) = get(
        sb,
        "",
        &[
            ("limit", "1000".into()),
            ("sort", "id".into()),
            ("direction", "asc".into()),
        ],
    )
    .await;
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

/// The UTC date `days_ago` days before today, `YYYY-MM-DD` (the civil-from-days algorithm).
fn date_days_ago(days_ago: i64) -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let z = secs.div_euclid(86_400) - days_ago + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The customer with the most usage over the last 60 days (inside every range the tests use).
async fn busy_customer(sb: &Sandbox) -> i64 {
    let mut best = (0, 0);
    for id in customer_ids(sb).await {
        let (rows, _) = get(
            sb,
            &format!("{id}/usage"),
            &[
                ("view", "year".into()),
                ("date_from", date_days_ago(60)),
                ("date_to", date_days_ago(-1)),
                ("limit", "1000".into()),
            ],
        )
        .await;
        let units: i64 = rows
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["units_used"].as_i64().unwrap())
            .sum();
        if units > best.1 {
            best = (id, units);
        }
    }
    assert!(best.1 > 0, "a customer with recent usage");
    best.0
}

async fn launch(sb: &Sandbox, dialog_seam: Option<&std::path::Path>) -> App {
    let mut l = Launch::signed_in(sb.base_url(), sb.reseller_token());
    if let Some(seam) = dialog_seam {
        l = l.env("SCRIPTIX_TEST_DIALOG", seam.display().to_string());
    }
    let app = App::launch(l).await;
    app.wait_for("#org-list-view").await;
    app
}

/// Sets a select's value as a user's choice would (a `change` event).
async fn choose(app: &App, css: &str, value: &str) {
    app.eval(
        "const s = document.querySelector(arguments[0]); s.value = arguments[1];
         s.dispatchEvent(new Event('change', { bubbles: true }));",
        vec![json!(css), json!(value)],
    )
    .await;
}

/// Waits until the usage tab shows a ready query with this view and split; its dataset.
async fn usage_ready(app: &App, view: &str, split: &str) -> Value {
    app.wait_js(
        &format!("the usage tab to show {view} by '{split}'"),
        "const p = document.querySelector('#usage-panel');
         return p && p.dataset.state === 'ready' && p.dataset.view === arguments[0]
           && p.dataset.split === arguments[1] && !p.querySelector('#usage-as-of').textContent.includes('refreshing')
           && { ...p.dataset };",
        vec![json!(view), json!(split)],
    )
    .await
}

/// The usage table: header labels and each row's raw cell values.
async fn usage_table(app: &App) -> (Vec<String>, Vec<Vec<String>>) {
    let got = app
        .eval(
            "const t = document.querySelector('#usage-table');
             return { head: [...t.querySelectorAll('th')].map(th => th.textContent),
                      rows: [...t.querySelectorAll('tbody tr')].map(tr => [...tr.children].map(td => td.dataset.value)) };",
            vec![],
        )
        .await;
    (
        serde_json::from_value(got["head"].clone()).unwrap(),
        serde_json::from_value(got["rows"].clone()).unwrap(),
    )
}

/// The sandbox's usage rows for the query the tab shows.
async fn server_usage(sb: &Sandbox, id: i64, shown: &Value) -> Vec<Value> {
    let mut q = vec![
        ("view", shown["view"].as_str().unwrap().to_string()),
        ("date_from", shown["from"].as_str().unwrap().to_string()),
        ("date_to", shown["to"].as_str().unwrap().to_string()),
        ("limit", "1000".into()),
    ];
    let split = shown["split"].as_str().unwrap();
    if !split.is_empty() {
        q.push(("split_by", split.to_string()));
    }
    let q: Vec<(&str, &str)> = q.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (rows, _) = reseller_get(
        sb.base_url(),
        sb.reseller_token(),
        &format!("customer/{id}/usage"),
        &q,
    )
    .await;
    rows.as_array().unwrap().clone()
}

/// The table row for a server row: from, [split value], units (as the table's raw cells).
fn expected_cells(r: &Value, split_field: Option<&str>) -> Vec<String> {
    let mut out = vec![r["usage_period_start"].as_str().unwrap().to_string()];
    if let Some(f) = split_field {
        out.push(match &r[f] {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => "-".into(),
        });
    }
    out.push(r["units_used"].as_i64().unwrap().to_string());
    out
}

/// The shown rows without the "To" column (index 1), for comparison with `expected_cells`.
fn without_to(rows: &[Vec<String>]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .filter(|(i, _)| *i != 1)
                .map(|(_, c)| c.clone())
                .collect()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_usage_tab_follows_range_view_and_split_and_exports_what_it_shows() {
    let sb = sandbox(6, &[]).await;
    let id = busy_customer(&sb).await;
    let dir = tempfile::tempdir().unwrap();
    let seam = dir.path().join("dialog-answer");
    std::fs::write(&seam, "").unwrap();
    let app = launch(&sb, Some(&seam)).await;
    app.open_tab(id, "usage").await;

    // The default: the last 12 months by month, the range the sync prefetches.
    let shown = usage_ready(&app, "month", "").await;
    assert!(shown["from"].as_str().unwrap().ends_with("-01"));
    let server = server_usage(&sb, id, &shown).await;
    let (head, rows) = usage_table(&app).await;
    // The server's summary names the unit (seconds): so does the units column.
    assert_eq!(head, ["From", "To", "Units (s)"]);
    let want: Vec<Vec<String>> = server.iter().map(|r| expected_cells(r, None)).collect();
    assert_eq!(without_to(&rows), want);
    // The server's summary: no "computed" note, and hours are known.
    assert!(!app.is_visible("#usage-summary-note").await);
    let figure = |key: &str| format!("#usage-summary .figure[data-figure=\"{key}\"]");
    let hours = app
        .wait_for_text(&format!("{} .figure-value", figure("hours")))
        .await;
    assert_ne!(hours, "-");
    // Every figure with its unit, as the dashboard shows them: "54.6 h", "196,489 s", "1.9%"
    // (no "Units 196489", "54.58" or "0%").
    let nbsp = |t: String| t.replace(['\u{a0}', '\u{202f}'], " ");
    let hours = nbsp(hours);
    assert!(hours.ends_with(" h"), "{hours}");
    let decimals = hours
        .trim_end_matches(" h")
        .rsplit(['.', ','])
        .next()
        .unwrap()
        .len();
    assert_eq!(decimals, 1, "one decimal: {hours}");
    let units = nbsp(
        app.wait_for_text(&format!("{} .figure-value", figure("units")))
            .await,
    );
    assert!(units.ends_with(" s"), "{units}");
    let digits: String = units.chars().filter(char::is_ascii_digit).collect();
    assert!(
        digits.len() < 4 || units.trim_end_matches(" s").len() > digits.len(),
        "grouped: {units}"
    );
    assert_eq!(
        app.wait_for_text(&format!("{} .figure-label", figure("units")))
            .await,
        "Units (seconds of audio)"
    );
    let rate = app
        .wait_for_text(&format!("{} .figure-value", figure("error_rate")))
        .await;
    assert!(
        rate.ends_with('%') && rate.chars().filter(|c| c.is_ascii_digit()).count() >= 2,
        "{rate}"
    );
    // The table's cells too: units with their unit.
    let cells = app.texts("#usage-table tbody td.num").await;
    assert!(
        !cells.is_empty() && cells.iter().all(|c| nbsp(c.clone()).ends_with(" s")),
        "{cells:?}"
    );

    // Last 90 days, by week, split by language.
    app.click("#usage-range-last_90_days").await;
    choose(&app, "#usage-view", "week").await;
    choose(&app, "#usage-split", "language").await;
    let shown = usage_ready(&app, "week", "language").await;
    let server = server_usage(&sb, id, &shown).await;
    assert!(!server.is_empty());
    let (head, rows) = usage_table(&app).await;
    assert_eq!(head, ["From", "To", "Language", "Units (s)"]);
    let want: Vec<Vec<String>> = server
        .iter()
        .map(|r| expected_cells(r, Some("language")))
        .collect();
    assert_eq!(without_to(&rows), want);
    // One chart series per language in the answer.
    let languages: BTreeSet<&str> = server
        .iter()
        .map(|r| r["language"].as_str().unwrap())
        .collect();
    let series = app
        .eval(
            "return [...document.querySelectorAll('#usage-chart .chart-series')].map(g => g.dataset.series);",
            vec![],
        )
        .await;
    let series: BTreeSet<String> = serde_json::from_value(series).unwrap();
    assert_eq!(
        series,
        languages
            .iter()
            .map(|s| s.to_string())
            .collect::<BTreeSet<_>>()
    );
    assert_eq!(
        app.texts("#usage-chart .chart-legend li").await.len(),
        languages.len()
    );
    app.eval(
        "document.querySelector('#usage-panel').scrollIntoView();",
        vec![],
    )
    .await;
    app.snap("tab-usage").await;

    // Export CSV through the dialog seam: exactly the rows shown.
    let csv_path = dir.path().join("usage.csv");
    std::fs::write(&seam, csv_path.display().to_string()).unwrap();
    app.click("#usage-export").await;
    let deadline = std::time::Instant::now() + e2e::UI_TIMEOUT;
    while !csv_path.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the CSV was not written"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let text = std::fs::read_to_string(&csv_path).unwrap();
    // What Excel on Windows reads right: a byte order mark and CRLF records.
    let text = text
        .strip_prefix('\u{feff}')
        .expect("a UTF-8 byte order mark");
    assert!(text.ends_with("\r\n") && !text.replace("\r\n", "").contains('\r'));
    let lines: Vec<Vec<String>> = text
        .lines()
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    assert_eq!(lines[0], head);
    assert_eq!(lines[1..].to_vec(), rows);

    // The invoice view: split by period only, and a cost column.
    choose(&app, "#usage-view", "invoice").await;
    let splits = app
        .eval(
            "return [...document.querySelectorAll('#usage-split option')].map(o => o.value);",
            vec![],
        )
        .await;
    assert_eq!(splits, json!(["", "period"]));
    let shown = usage_ready(&app, "invoice", "").await;
    let (head, rows) = usage_table(&app).await;
    assert_eq!(head, ["From", "To", "Subscription", "Units (s)", "Cost"]);
    let server = server_usage(&sb, id, &shown).await;
    assert_eq!(rows.len(), server.len());
    for (row, s) in rows.iter().zip(&server) {
        assert_eq!(row[2], s["subscription_id"].to_string());
        assert_eq!(row[3], s["units_used"].to_string());
        assert_eq!(row[4], format!("{:.2}", s["cost"].as_f64().unwrap()));
    }

    // A cancelled save dialog writes nothing.
    std::fs::remove_file(&csv_path).unwrap();
    std::fs::write(&seam, "").unwrap();
    app.click("#usage-export").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(!csv_path.exists());
    app.close().await;
    sb.shutdown().await;
}

/// A customer with a transcript whose status is not in the table, and that transcript.
async fn customer_with_unknown_status(sb: &Sandbox) -> (i64, Value) {
    for id in customer_ids(sb).await {
        let (all, _) = reseller_get(
            sb.base_url(),
            sb.reseller_token(),
            &format!("customer/{id}/transcript"),
            &[("limit", "1000")],
        )
        .await;
        if let Some(t) = all
            .as_array()
            .unwrap()
            .iter()
            .find(|t| !(0..=3).contains(&t["status"].as_i64().unwrap()))
        {
            return (id, t.clone());
        }
    }
    panic!("the sandbox seeds an unknown status for customer index 5 (of 23)");
}

/// The session ids the tab shows, once it shows the server's answer with `n` rows.
async fn shown_sessions(app: &App) -> Vec<String> {
    let got = app
        .wait_js(
            "the transcriptions from the server",
            "const p = document.querySelector('#tr-panel');
             const t = document.querySelector('#tr-table');
             return p && p.dataset.source === 'server' && p.dataset.state !== 'loading'
               && !t.hasAttribute('aria-busy')
               && [...t.querySelectorAll('tbody tr.tr-row')].map(r => r.dataset.session);",
            vec![],
        )
        .await;
    serde_json::from_value(got).unwrap()
}

fn sessions(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|t| t["session_id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_transcriptions_tab_filters_sorts_pages_and_shows_badges() {
    let sb = sandbox(6, &[]).await;
    let (id, odd) = customer_with_unknown_status(&sb).await;
    let app = launch(&sb, None).await;
    app.open_tab(id, "transcriptions").await;

    // Newest first, 25 a page, as the server lists them.
    let path = format!("{id}/transcript");
    let (first, total) = get(
        &sb,
        &path,
        &[
            ("limit", "25".into()),
            ("sort", "date_session_start".into()),
            ("direction", "desc".into()),
        ],
    )
    .await;
    assert_eq!(shown_sessions(&app).await, sessions(&first));
    assert!(app
        .wait_for_text("#tr-page-info")
        .await
        .ends_with(&total.to_string()));
    // Every badge reads as the status table says; durations are h:mm:ss.
    let badges = app.texts("#tr-table .status-badge").await;
    assert!(badges
        .iter()
        .all(
            |b| ["Queued", "Processing", "Finished", "Error"].contains(&b.as_str())
                || b.starts_with("Unknown (")
        ));
    for d in app.texts("#tr-table .cell-duration").await {
        assert_eq!(d.split(':').count(), 3, "{d}");
    }
    // Empty date filters look empty: no greyed date drawn in them.
    let drawn = app
        .eval(
            "return ['#tr-from', '#tr-to'].map(s => { const i = document.querySelector(s);
               return [i.value, i.classList.contains('empty'),
                       getComputedStyle(i).color]; });",
            vec![],
        )
        .await;
    for d in drawn.as_array().unwrap() {
        assert_eq!(d[0], json!(""), "{drawn}");
        assert_eq!(d[1], json!(true), "{drawn}");
        assert_eq!(d[2], json!("rgba(0, 0, 0, 0)"), "drawn blank: {drawn}");
    }
    // A date typed in shows (and is empty again once removed).
    let typed = app
        .eval(
            "const i = document.querySelector('#tr-from');
             i.value = '2026-01-02'; i.dispatchEvent(new Event('input'));
             const shown = [i.classList.contains('empty'), getComputedStyle(i).color];
             i.value = ''; i.dispatchEvent(new Event('input'));
             return [...shown, i.classList.contains('empty')];",
            vec![],
        )
        .await;
    assert_eq!(typed[0], json!(false), "{typed}");
    assert_ne!(typed[1], json!("rgba(0, 0, 0, 0)"), "{typed}");
    assert_eq!(typed[2], json!(true), "{typed}");
    app.eval(
        "document.querySelector('#tr-panel').scrollIntoView();",
        vec![],
    )
    .await;
    app.snap("tab-transcriptions").await;

    // The unknown status, found by its filename.
    app.fill("#tr-filename", odd["filename"].as_str().unwrap())
        .await;
    app.wait_js(
        "the unknown status row",
        "return [...document.querySelectorAll('#tr-table tr.tr-row')].some(r => r.dataset.session === arguments[0]);",
        vec![odd["session_id"].clone()],
    )
    .await;
    let badge = app
        .eval(
            "return document.querySelector(`#tr-table tr.tr-row[data-session=\"${arguments[0]}\"] .status-badge`).textContent;",
            vec![odd["session_id"].clone()],
        )
        .await;
    assert_eq!(badge, json!(format!("Unknown ({})", odd["status"])));
    app.click("#tr-clear").await;

    // Finished only, sorted by duration, shortest first.
    choose(&app, "#tr-status", "2").await;
    app.click("#tr-sort-duration").await; // longest first
    app.click("#tr-sort-duration").await; // shortest first
    app.wait_js(
        "duration ascending",
        "return document.querySelector('#tr-sort-duration').closest('th').getAttribute('aria-sort') === 'ascending';",
        vec![],
    )
    .await;
    let (want, total) = get(
        &sb,
        &path,
        &[
            ("limit", "25".into()),
            ("filter", "status=2".into()),
            ("sort", "duration".into()),
            ("direction", "asc".into()),
        ],
    )
    .await;
    let deadline = std::time::Instant::now() + e2e::UI_TIMEOUT;
    loop {
        let got = shown_sessions(&app).await;
        if got == sessions(&want) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{got:?} != {:?}",
            sessions(&want)
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let statuses = app
        .eval(
            "return [...document.querySelectorAll('#tr-table tr.tr-row')].map(r => r.dataset.status);",
            vec![],
        )
        .await;
    assert!(statuses.as_array().unwrap().iter().all(|s| s == "2"));

    // Paging: the next page of 25 when there is one, else Next is off.
    if total > 25 {
        app.click("#tr-next").await;
        let (page2, _) = get(
            &sb,
            &path,
            &[
                ("limit", "25".into()),
                ("offset", "25".into()),
                ("filter", "status=2".into()),
                ("sort", "duration".into()),
                ("direction", "asc".into()),
            ],
        )
        .await;
        app.wait_until_text("#tr-page-info", |t| t.starts_with("26"))
            .await;
        assert_eq!(shown_sessions(&app).await, sessions(&page2));
    } else {
        let disabled = app
            .eval(
                "return document.querySelector('#tr-next').disabled;",
                vec![],
            )
            .await;
        assert_eq!(disabled, json!(true));
    }

    // Offline: the copy on this computer answers the same filters, and the tab says it covers
    // only what was saved. (The organisation's page had the sync fetch its newest
    // transcriptions when it opened.)
    let (cached, _) = get(
        &sb,
        &path,
        &[("limit", "100".into()), ("filter", "status=2".into())],
    )
    .await;
    sb.shutdown().await;
    app.click("#tr-sort-started").await;
    app.wait_js(
        "the cached transcriptions, said so",
        "const p = document.querySelector('#tr-panel');
         const n = document.querySelector('#tr-source-note');
         return p.dataset.source === 'cache' && !n.hidden && n.textContent.includes('saved on this computer');",
        vec![],
    )
    .await;
    let shown = app
        .eval(
            "return [...document.querySelectorAll('#tr-table tr.tr-row')].map(r => r.dataset.status);",
            vec![],
        )
        .await;
    let shown = shown.as_array().unwrap();
    assert!(!shown.is_empty() && shown.iter().all(|s| s == "2"));
    assert!(shown.len() <= cached.as_array().unwrap().len());
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_usage_summary_the_tab_computes_it_and_says_so() {
    let sb = sandbox(6, &[Gap::UsageSummary]).await;
    let id = busy_customer(&sb).await;
    let app = launch(&sb, None).await;
    app.open_tab(id, "usage").await;
    usage_ready(&app, "month", "").await;
    let note = app.wait_for_text("#usage-summary-note").await;
    assert!(note.contains("Computed from usage rows"), "{note}");
    let figure = |key: &str| format!("#usage-summary .figure[data-figure=\"{key}\"] .figure-value");
    assert_eq!(app.wait_for_text(&figure("hours")).await, "-");
    assert_eq!(app.wait_for_text(&figure("sessions")).await, "-");
    let (_, rows) = usage_table(&app).await;
    let units: i64 = rows.iter().map(|r| r[2].parse::<i64>().unwrap()).sum();
    let shown: String = app
        .wait_for_text(&figure("units"))
        .await
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    assert_eq!(shown, units.to_string());
    app.close().await;
    sb.shutdown().await;
}
