//! The core against a hostile server, scripted here over loopback HTTP: names that are
//! spreadsheet formulas (every CSV export holds them as data), a list that never ends (every
//! paging loop stops with a typed error or a truncation mark), pages of unreadable records
//! (reports stay bounded), giant answers, and searches and filters pasted at any length.

mod support;

use std::ops::ControlFlow;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use chrono::{Datelike, Months, NaiveDate, Utc};
use reseller_core::cache::{Freshness, SortColumn, SortDirection, Tab, MAX_SEARCH_CHARS};
use reseller_core::customers::ListRequest;
use reseller_core::dashboard::{
    DashboardRefresh, DashboardRequest, RangeRequest as DashboardRange, SortDir, SortKey,
};
use reseller_core::export::write_csv;
use reseller_core::sync::{
    prefetch, scan_deletions, sync_customer_list, PlannedFetch, PrefetchPlan, Target, MAX_PAGES,
    MAX_REJECTED_KEPT, PAGE_LIMIT,
};
use reseller_core::tabs::transcriptions::query::{Filters, PageRequest, Sort};
use reseller_core::tabs::transcriptions::TranscriptionRequest;
use reseller_core::tabs::usage::fetch::{fetch, MAX_PAGES as USAGE_MAX_PAGES};
use reseller_core::tabs::usage::range::{DateSpan, Preset, RangeRequest};
use reseller_core::tabs::usage::split::{Split, View};
use reseller_core::tabs::usage::UsageRequest;
use reseller_core::workspace::Workspace;
use scriptix_api::{Client, ClientConfig, Lane, UsageQuery};
use serde_json::{json, Value};
use support::cache;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Cells a spreadsheet would run as a formula, as a hostile server names things.
const FORMULAS: [&str; 6] = [
    "=HYPERLINK(\"http://x\",\"y\")",
    "+1",
    "-cmd",
    "@SUM(1)",
    "\tx",
    "\rx",
];
/// Cells that stay as they are (a plain negative number included).
const PLAIN: [&str; 3] = ["Plain BV", "-3", "Comma, Quote \" BV"];

type Route = dyn Fn(&str) -> (u16, String) + Send + Sync;

struct Scripted {
    base: String,
    /// Request targets (path and query) in the order received.
    seen: Arc<Mutex<Vec<String>>>,
}

/// Answers each request (one per connection) with what `route` says for its target.
async fn scripted(route: impl Fn(&str) -> (u16, String) + Send + Sync + 'static) -> Scripted {
    let route: Arc<Route> = Arc::new(route);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let route = route.clone();
            let log = log.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf);
                let target = head.split(' ').nth(1).unwrap_or("").to_string();
                log.lock().unwrap().push(target.clone());
                let (status, body) = route(&target);
                let head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(body.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    Scripted { base, seen }
}

fn client(base: &str) -> Client {
    let mut config = ClientConfig::new(base, "test-token-0000");
    config.rate_limit_per_minute = 0;
    config.max_retries = 1;
    Client::new(config).unwrap()
}

fn not_found() -> (u16, String) {
    (
        404,
        r#"{"error": {"code": 404, "message": "No such thing"}}"#.into(),
    )
}

fn first_of_month(today: NaiveDate) -> NaiveDate {
    today.with_day(1).unwrap()
}

/// Every name the server gives: the formulas, then the plain ones; customer `i + 1` has name `i`.
fn names() -> Vec<&'static str> {
    FORMULAS.iter().chain(PLAIN.iter()).copied().collect()
}

/// What a CSV cell must read back as: a quote before a formula, anything else untouched.
fn as_data(value: &str) -> String {
    if FORMULAS.contains(&value) {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

/// A server whose customers, dashboard and usage (split by language) are named with formulas.
fn formula_server(target: &str) -> (u16, String) {
    let today = Utc::now().date_naive();
    let from = first_of_month(today);
    let to = from + Months::new(1);
    let path = target.split('?').next().unwrap_or("");
    match path {
        "/api/v3/reseller/customer/" => {
            let customers: Vec<Value> = names()
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    json!({"id": i + 1, "name": name, "email": format!("c{i}@example.org"),
                        "phone": null, "is_active": true,
                        "registration_date": "2025-01-01T10:00:00.000000+00:00",
                        "last_modified": format!("2025-06-01T10:00:{:02}.000000+00:00", i)})
                })
                .collect();
            let n = customers.len();
            (
                200,
                json!({"result": customers, "count": n, "total_results": n}).to_string(),
            )
        }
        "/api/v3/reseller/dashboard" => {
            let rows: Vec<Value> = names()
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    json!({"customer_id": i + 1, "customer_name": name, "is_active": true,
                        "units_used": 3600 * (i + 1), "hours_processed": (i + 1) as f64,
                        "sessions": 2, "finished_sessions": 1, "error_sessions": 1,
                        "error_rate": 0.5, "available_units": 360000})
                })
                .collect();
            let body = json!({"result": {"total_organizations": rows.len(),
                "active_organizations": rows.len(), "total_users": 3, "units_used": 3600,
                "hours_processed": 1.0, "sessions": 2, "finished_sessions": 1, "error_rate": 0.5,
                "recent_transcriptions": [], "customers": rows}, "count": 1, "total_results": 1});
            (200, body.to_string())
        }
        "/api/v3/reseller/customer/1/usage" => {
            let rows: Vec<Value> = names()
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    json!({"units_used": 60 * (i + 1), "usage_period_start": from.to_string(),
                        "usage_period_end": to.to_string(), "language": name})
                })
                .collect();
            let n = rows.len();
            (
                200,
                json!({"result": rows, "count": n, "total_results": n}).to_string(),
            )
        }
        _ => not_found(),
    }
}

async fn workspace(base: &str) -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let c = client(base);
    let ws = Workspace::open(support::reseller_info(base), c.clone(), dir.path()).unwrap();
    sync_customer_list(&c, ws.engine().cache()).await.unwrap();
    (dir, ws)
}

fn read_csv(path: &std::path::Path) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[tokio::test]
async fn csv_exports_hold_formulas_from_the_server_as_data() {
    let server = scripted(formula_server).await;
    let (dir, ws) = workspace(&server.base).await;

    // The dashboard's table, as exported.
    let outcome = ws
        .refresh_dashboard(&DashboardRange::ThisMonth, &AtomicBool::new(false), |_| {})
        .await
        .unwrap();
    assert!(matches!(outcome, DashboardRefresh::Server), "{outcome:?}");
    let req = DashboardRequest {
        range: DashboardRange::ThisMonth,
        sort: SortKey::Hours,
        direction: SortDir::Asc,
        offset: 0,
        limit: 100,
    };
    let path = dir.path().join("dashboard.csv");
    assert_eq!(
        ws.export_dashboard_csv(&req, 80.0, &path).unwrap(),
        names().len()
    );
    let rows = read_csv(&path);
    assert_eq!(rows[0][0], "Organisation");
    // Hours ascending: customer i + 1 (name i) on row i + 1.
    for (i, name) in names().iter().enumerate() {
        let row = &rows[i + 1];
        assert_eq!(row[1], (i + 1).to_string(), "row {i}: {row:?}");
        assert_eq!(row[0], as_data(name), "row {i}: {row:?}");
        // Numbers stay numbers.
        assert!(
            row[2..].iter().all(|c| !c.starts_with('\'')),
            "row {i}: {row:?}"
        );
    }

    // The usage table split by language, exported the way the desktop command does it.
    let usage = UsageRequest {
        customer_id: 1,
        range: RangeRequest {
            preset: Preset::ThisMonth,
            from: None,
            to: None,
        },
        view: View::Month,
        split_by: Some(Split::Language),
    };
    let tab = ws.refresh_usage_tab(&usage).await.unwrap();
    assert_eq!(tab.table.rows.len(), names().len(), "{:?}", tab.table.rows);
    let (_, table) = ws.usage_export(&usage).unwrap();
    let path = dir.path().join("usage.csv");
    write_csv(&path, &table.header(), &table.rows).unwrap();
    let rows = read_csv(&path);
    assert_eq!(rows[0], ["From", "To", "Language", "Units"]);
    let mut languages: Vec<String> = rows[1..].iter().map(|r| r[2].clone()).collect();
    let mut want: Vec<String> = names().iter().map(|n| as_data(n)).collect();
    languages.sort();
    want.sort();
    assert_eq!(languages, want);
    for row in &rows[1..] {
        assert!(
            [&row[0], &row[1], &row[3]]
                .iter()
                .all(|c| !c.starts_with('\'')),
            "{row:?}"
        );
    }
}

/// A page of `PAGE_LIMIT` records no client can read, without `total_results`: "more" for ever.
fn unreadable_page() -> String {
    format!("[{}1]", "1,".repeat(PAGE_LIMIT as usize - 1))
}

#[tokio::test]
async fn a_list_that_never_ends_stops_every_paging_loop() {
    let server = scripted(|_| (200, unreadable_page())).await;
    let c = client(&server.base);
    let (_dir, cache) = cache();

    // The customer-list walk and the deletion scan: a typed error after `MAX_PAGES`.
    let e = sync_customer_list(&c, &cache).await.unwrap_err();
    assert_eq!(e.code(), "sync_runaway", "{e}");
    assert_eq!(c.requests_sent(), u64::from(MAX_PAGES));
    let e = scan_deletions(&c, &cache).await.unwrap_err();
    assert_eq!(e.code(), "sync_runaway", "{e}");
    assert_eq!(c.requests_sent(), 2 * u64::from(MAX_PAGES));
    assert_eq!(cache.lock().unwrap().customer_counts().unwrap().total, 0);

    // Whole lists in the client (users, tokens, subscriptions, plans): malformed.
    for e in [
        c.customer_users(1).await.unwrap_err(),
        c.customer_tokens(1).await.unwrap_err(),
        c.customer_subscriptions(1).await.unwrap_err(),
        c.plans().await.unwrap_err(),
    ] {
        assert_eq!(e.code(), "malformed", "{e}");
        assert!(e.to_string().contains("did not end"), "{e}");
    }

    // The usage tab's fetch: cut at its page limit, and marked so.
    let today = Utc::now().date_naive();
    let span = DateSpan {
        from: first_of_month(today),
        to: first_of_month(today) + Months::new(1),
    };
    let before = c.requests_sent();
    let fetched = fetch(&c, 1, &UsageQuery::default(), span, false)
        .await
        .unwrap();
    assert!(fetched.truncated);
    assert_eq!(fetched.unreadable, USAGE_MAX_PAGES * PAGE_LIMIT as usize);
    assert_eq!(c.requests_sent() - before, USAGE_MAX_PAGES as u64);
}

#[tokio::test]
async fn pages_of_unreadable_records_keep_the_reports_bounded() {
    // Three full pages of unreadable records with readable ids, then the end.
    let server = scripted(|target| {
        let offset: usize = target
            .split(['?', '&'])
            .find_map(|p| p.strip_prefix("offset="))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let n = if offset < 3000 { 1000 } else { 10 };
        let records: Vec<Value> = (0..n)
            .map(|i| json!({"id": offset + i + 1, "name": "z".repeat(100)}))
            .collect();
        (200, json!({"result": records, "count": n}).to_string())
    })
    .await;
    let c = client(&server.base);
    let (_dir, cache) = cache();
    let report = sync_customer_list(&c, &cache).await.unwrap();
    assert_eq!(report.rejected_count, 3010);
    assert_eq!(report.rejected.len(), MAX_REJECTED_KEPT);
    assert!(report
        .rejected
        .iter()
        .all(|(id, why)| id.is_some() && !why.is_empty() && why.chars().count() <= 303));
    let scan = scan_deletions(&c, &cache).await.unwrap();
    assert_eq!(scan.rejected_count, 3010);
    assert_eq!(scan.rejected.len(), MAX_REJECTED_KEPT);
    assert_eq!(scan.server_ids, 3010);
}

#[tokio::test]
async fn a_prefetch_over_many_tabs_of_unreadable_records_keeps_its_report_bounded() {
    // Every customer's transcriptions: a page of 50 records none of which can be read.
    let server = scripted(|target| {
        if target.contains("/transcript") {
            let records: Vec<Value> = (0..50).map(|i| json!({"session_id": i})).collect();
            (200, json!({"result": records, "count": 50}).to_string())
        } else {
            formula_server(target)
        }
    })
    .await;
    let (_dir, ws) = workspace(&server.base).await;
    let fetches: Vec<PlannedFetch> = (1..=names().len() as i64)
        .map(|customer_id| PlannedFetch {
            target: Target::Tab {
                customer_id,
                tab: Tab::Transcriptions,
            },
            lane: Lane::Background,
            why: Freshness::Missing,
            requests: 1,
        })
        .collect();
    let plan = PrefetchPlan {
        requests: fetches.len() as u32,
        fetches,
        ..PrefetchPlan::default()
    };
    let c = client(&server.base);
    let report = prefetch(
        &c,
        ws.engine().cache(),
        &plan,
        |_| ControlFlow::Continue(()),
    )
    .await;
    assert_eq!(report.refreshed, names().len(), "{report:?}");
    assert_eq!(report.rejected_count, 50 * names().len());
    assert_eq!(report.rejected.len(), MAX_REJECTED_KEPT);
}

#[tokio::test]
async fn a_giant_answer_is_refused_and_the_cache_untouched() {
    let giant = format!(
        r#"{{"result": [], "pad": "{}"}}"#,
        "x".repeat(17 * 1024 * 1024)
    );
    let server = scripted(move |_| (200, giant.clone())).await;
    let c = client(&server.base);
    let (_dir, cache) = cache();
    let e = sync_customer_list(&c, &cache).await.unwrap_err();
    assert_eq!(e.code(), "malformed", "{e}");
    assert!(e.to_string().contains("larger than 16 MB"), "{e}");
    assert_eq!(c.requests_sent(), 1);
    assert_eq!(cache.lock().unwrap().customer_counts().unwrap().total, 0);
}

#[tokio::test]
async fn pasted_searches_and_filters_are_cut_at_the_limit() {
    let server = scripted(|target| {
        if target.contains("/transcript") {
            (
                200,
                r#"{"result": [], "count": 0, "total_results": 0}"#.into(),
            )
        } else {
            formula_server(target)
        }
    })
    .await;
    let (_dir, ws) = workspace(&server.base).await;
    let list = |search: String| {
        ws.list(&ListRequest {
            search,
            status: None,
            sort: SortColumn::Name,
            direction: SortDirection::Asc,
            offset: 0,
            limit: 50,
        })
        .unwrap()
    };
    // What lies past the limit is not searched: "Plain" then a megabyte finds "Plain BV".
    let pasted = format!("Plain{}zzz", " ".repeat(1_000_000));
    let found = list(pasted);
    assert_eq!(found.total, 1);
    assert_eq!(found.rows[0].customer.name, "Plain BV");
    // A megabyte of words: answered, with no more terms than the limit allows.
    let words = "plain ".repeat(200_000);
    assert_eq!(list(words).total, 1);
    assert_eq!(list("q".repeat(MAX_SEARCH_CHARS + 1)).total, 0);

    // A transcription filter goes into the server's query string: cut there too.
    let req = TranscriptionRequest {
        customer_id: 1,
        filters: Filters {
            filename: Some("f".repeat(1_000_000)),
            language: Some("l".repeat(1_000_000)),
            ..Filters::default()
        },
        sort: Sort::default(),
        page: PageRequest::default(),
    };
    ws.transcriptions_live(&req).await.unwrap();
    let seen = server.seen.lock().unwrap().clone();
    let asked = seen.iter().find(|t| t.contains("/transcript")).unwrap();
    assert!(asked.len() < 3 * MAX_SEARCH_CHARS, "{}", asked.len());
    let param = |name: &str| {
        asked
            .split(['?', '&'])
            .find_map(|p| p.strip_prefix(name))
            .map(str::to_string)
    };
    assert_eq!(param("q="), Some("f".repeat(MAX_SEARCH_CHARS)));
    assert_eq!(
        param("filter=language%3D"),
        Some("l".repeat(MAX_SEARCH_CHARS))
    );
}
