//! The desktop app against an empty Tauri window, on the same machine, measured the same way
//! (a WebDriver session through tauri-driver; the release builds of both binaries):
//!
//! - start to the organisations list visible, with 10 000 customers cached (the app resumes
//!   the remembered account) / start to the empty page's element present;
//! - keystroke to the filtered rows rendered, timed in the page (the list marks the search it
//!   has on screen);
//! - memory of the whole process tree (the app and its WebKit processes), PSS.
//!
//! `cargo xtask bench desktop` builds both binaries in release mode and runs this. Prints
//! figures; asserts nothing about time.

use std::time::{Duration, Instant};

use e2e::{sibling_binary, App, Launch};
use fantoccini::Locator;
use scriptix_sandbox::SandboxConfig;
use serde_json::json;

const CUSTOMERS: usize = 10_000;
const RUNS: usize = 5;
const QUERY: &str = "maria";

/// Types `arguments[0]` into the search box and answers the milliseconds until the frame after
/// the list view names that search as the one on screen, and until its rows were in the DOM.
const KEYSTROKE_JS: &str = "
    const [query, done] = arguments;
    const input = document.querySelector('#org-search');
    const view = document.querySelector('#org-list-view');
    const t0 = performance.now();
    let inDom = 0;
    const shown = () => requestAnimationFrame(() => done([performance.now() - t0, inDom]));
    const watch = new MutationObserver(() => {
        // Runs after the task that swapped the rows in: they are in the DOM, not yet painted.
        if (view.dataset.search === query) { inDom = performance.now() - t0; watch.disconnect(); shown(); }
    });
    watch.observe(view, { attributes: true });
    input.value = query;
    input.dispatchEvent(new Event('input', { bubbles: true }));
";

/// The `list_customers` command alone for search `arguments[0]` (first window of 100 rows, as
/// the list asks): IPC there and back plus the query, without the debounce or rendering.
const COMMAND_JS: &str = "
    const [search, done] = arguments;
    const request = { search, status: null, sort: 'name', direction: 'asc', offset: 0, limit: 100 };
    const t0 = performance.now();
    window.__TAURI__.core.invoke('list_customers', { request })
        .then(() => done(performance.now() - t0), (e) => done(-1));
";

fn main() {
    if std::env::var_os("DISPLAY").is_none() {
        eprintln!(
            "desktop bench: no DISPLAY; run it through `cargo xtask bench desktop` (starts Xvfb)"
        );
        std::process::exit(2);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    rt.block_on(run());
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Sum of PSS over the app's processes, once the window has settled.
async fn memory(app: &App) -> (usize, u64) {
    tokio::time::sleep(Duration::from_secs(2)).await;
    let tree = app.process_tree();
    (tree.len(), tree.iter().map(|(_, _, kib)| kib).sum())
}

async fn run() {
    let sandbox = scriptix_sandbox::start(SandboxConfig {
        customers: CUSTOMERS,
        // The real API's limit: the background prefetch paces itself as it would in use.
        // (A faster sandbox makes the prefetch compete with the keystrokes for both cores.)
        rate_limit_per_minute: 100,
        ..Default::default()
    })
    .await
    .expect("sandbox");
    let home = tempfile::tempdir().expect("home");

    // Once: sign in (the account and token are remembered) and let the first sync fill the cache.
    let app = App::launch(Launch::new().home(home.path())).await;
    app.wait_for("#sign-in-form").await;
    app.invoke(
        "sign_in",
        json!({"request": {"baseUrl": sandbox.base_url(), "token": sandbox.reseller_token(), "authStyle": "zoomKey"}}),
    )
    .await
    .expect("sign in");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let window = app
            .invoke(
                "list_customers",
                json!({"request": {"search": "", "status": null, "sort": "name", "direction": "asc", "offset": 0, "limit": 1}}),
            )
            .await
            .expect("list");
        if window["total"].as_u64() == Some(CUSTOMERS as u64) {
            break;
        }
        assert!(Instant::now() < deadline, "the first sync did not finish");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.close().await;
    println!("desktop bench: {CUSTOMERS} customers cached; {RUNS} launches of each binary");

    let (mut app_start, mut app_mem, mut keystrokes) = (Vec::new(), Vec::new(), Vec::new());
    let (mut commands, mut in_dom) = (Vec::new(), Vec::new());
    let mut processes = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        let app = App::launch(Launch::new().home(home.path())).await;
        app.wait_for(".org-row").await;
        app_start.push(t.elapsed().as_secs_f64() * 1000.0);
        app.wait_for("#org-search").await;
        for i in 1..=QUERY.len() {
            let ms = app
                .client()
                .execute_async(COMMAND_JS, vec![json!(&QUERY[..i])])
                .await
                .expect("a timed command");
            let ms = ms.as_f64().expect("milliseconds");
            assert!(ms >= 0.0, "list_customers failed");
            commands.push(ms);
        }
        for i in 1..=QUERY.len() {
            // Timed inside the page (WebDriver's round trips and polling would swamp it): from
            // the input event to the frame after the list shows that search's rows. The UI's
            // 50 ms debounce is part of it.
            let ms = app
                .client()
                .execute_async(KEYSTROKE_JS, vec![json!(&QUERY[..i])])
                .await
                .expect("a timed keystroke");
            keystrokes.push(ms[0].as_f64().expect("milliseconds"));
            in_dom.push(ms[1].as_f64().expect("milliseconds"));
        }
        let (n, kib) = memory(&app).await;
        processes = n;
        app_mem.push(mib(kib));
        app.close().await;
    }

    let empty = sibling_binary("empty-window");
    let (mut empty_start, mut empty_mem) = (Vec::new(), Vec::new());
    let mut empty_processes = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        let win = App::launch(Launch::new().binary(&empty)).await;
        win.client()
            .wait()
            .for_element(Locator::Css("#empty"))
            .await
            .expect("the empty page");
        empty_start.push(t.elapsed().as_secs_f64() * 1000.0);
        let (n, kib) = memory(&win).await;
        empty_processes = n;
        empty_mem.push(mib(kib));
        win.close().await;
    }

    println!(
        "start to list visible:      app {:>7.0} ms (median of {RUNS})   empty window {:>7.0} ms",
        median(app_start.clone()),
        median(empty_start.clone())
    );
    println!(
        "keystroke to rows rendered: app p50 {:.1} ms, max {:.1} ms over {} keystrokes",
        median(keystrokes.clone()),
        keystrokes.iter().copied().fold(0.0, f64::max),
        keystrokes.len()
    );
    println!(
        "  of which to rows in DOM:  p50 {:.1} ms (the rest is waiting for the next frame)",
        median(in_dom.clone()),
    );
    println!(
        "  list_customers alone:     p50 {:.1} ms, max {:.1} ms (IPC and query, no debounce or render; timed first, as the list opens)",
        median(commands.clone()),
        commands.iter().copied().fold(0.0, f64::max),
    );
    println!(
        "memory (PSS, process tree): app {:>6.1} MiB in {processes} processes   empty window {:>6.1} MiB in {empty_processes} processes",
        median(app_mem),
        median(empty_mem)
    );
    println!("raw start times, ms: app {app_start:.0?}, empty {empty_start:.0?}");
}
