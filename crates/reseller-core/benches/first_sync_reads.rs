//! The screens' reads while the first sync fills an empty cache (10 000 customers from a
//! sandbox at the API's 100 requests a minute): the core's share of what the desktop bench
//! times through the window ("UI commands during the first sync"), without WebKit or IPC.
//! A thread calls what the list page calls, back to back, as the desktop bench's probe does: a
//! window of 100 rows somewhere in the unsearched list, a searched window, one organisation.
//! Each call is timed, and marked when the customer list changed since the call before (a
//! page of the sync committed in between). Prints figures; asserts nothing about time.
//!
//! cargo bench -p reseller-core --bench first_sync_reads

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reseller_core::cache::{SortColumn, SortDirection};
use reseller_core::customers::ListRequest;
use reseller_core::workspace::Workspace;
use reseller_core::SessionInfo;
use scriptix_api::{Client, ClientConfig};
use scriptix_sandbox::{start, SandboxConfig};

const CUSTOMERS: usize = 10_000;
const SEARCHES: [&str; 5] = ["ma", "maria", "vox", "gmbh", "7513"];

fn info(base_url: &str) -> SessionInfo {
    SessionInfo {
        display_name: "Bench".into(),
        email: "bench@example.org".into(),
        organization_name: None,
        organization_id: Some(1),
        roles: vec!["RESELLER".into()],
        base_url: base_url.to_string(),
        demo: false,
        role_source: Default::default(),
    }
}

fn request(search: &str, offset: u64) -> ListRequest {
    ListRequest {
        search: search.to_string(),
        status: None,
        sort: SortColumn::Name,
        direction: SortDirection::Asc,
        offset,
        limit: 100,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn line(name: &str, samples: &mut [f64]) {
    if samples.is_empty() {
        println!("  {name:<40} no calls");
        return;
    }
    samples.sort_by(f64::total_cmp);
    let p = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "  {name:<40} {:>5} calls, p50 {:>6.2} ms, p99 {:>6.2} ms, max {:>6.2} ms",
        samples.len(),
        p(0.5),
        p(0.99),
        samples[samples.len() - 1]
    );
}

#[tokio::main]
async fn main() {
    let sb = start(SandboxConfig {
        customers: CUSTOMERS,
        rate_limit_per_minute: 100,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let mut config = ClientConfig::new(sb.base_url(), sb.reseller_token());
    config.rate_limit_per_minute = 100;
    let client = Client::new(config).expect("client");
    let dir = tempfile::tempdir().expect("dir");
    let ws = Arc::new(Workspace::open(info(sb.base_url()), client, dir.path()).expect("open"));
    let engine = ws.engine().clone();
    let started = Instant::now();
    tokio::spawn(engine.clone().run(Duration::from_secs(3600), 0));

    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let ws = ws.clone();
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut times: BTreeMap<&'static str, Vec<f64>> = BTreeMap::new();
            let (mut total, mut id) = (0u64, None);
            let mut i = 0u64;
            while !stop.load(Ordering::SeqCst) {
                let offset = ((i * 37) % 100) * total.saturating_sub(100) / 100 / 100 * 100;
                let t = Instant::now();
                let page = ws.list(&request("", offset)).expect("list");
                let took = ms(t.elapsed());
                let changed = page.total != total;
                total = page.total;
                id = page.rows.first().map(|r| r.customer.id).or(id);
                let key = match (changed, offset > 0) {
                    (true, true) => "list, deep, right after a page landed",
                    (true, false) => "list, top, right after a page landed",
                    (false, true) => "list, deep",
                    (false, false) => "list, top",
                };
                times.entry(key).or_default().push(took);
                times.entry("list (all)").or_default().push(took);
                let t = Instant::now();
                ws.list(&request(SEARCHES[(i % 5) as usize], 0))
                    .expect("search");
                times
                    .entry("list, searched")
                    .or_default()
                    .push(ms(t.elapsed()));
                if let Some(id) = id {
                    let t = Instant::now();
                    ws.customer(id).expect("customer");
                    times.entry("customer").or_default().push(ms(t.elapsed()));
                }
                i += 1;
            }
            times
        })
    };
    loop {
        let n = ws.list(&request("", 0)).expect("list").total;
        if n as usize >= CUSTOMERS {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let filled = started.elapsed();
    stop.store(true, Ordering::SeqCst);
    let mut times = reader.join().expect("reader");
    println!(
        "== the screens' reads during the first sync of {CUSTOMERS} customers ({:.1} s to fill the cache; core only, no window)",
        filled.as_secs_f64()
    );
    for (name, samples) in times.iter_mut() {
        line(name, samples);
    }

    // After the sync: a deep window of the unchanged list, and right after one customer
    // changed (every change moves the list's generation: the page anchors are rebuilt).
    let deep = request("", 5_000);
    let id = ws.list(&request("", 0)).expect("top").rows[0].customer.id;
    let mut unchanged = Vec::new();
    let mut after_change = Vec::new();
    for round in 0..20 {
        let t = Instant::now();
        ws.list(&deep).expect("deep");
        unchanged.push(ms(t.elapsed()));
        {
            let cache = engine.cache().lock().expect("cache");
            let mut row = cache.get_customer(id).expect("read").expect("a customer");
            row.name = format!("{} {round}", row.name);
            cache.upsert_customers(&[row]).expect("write");
        }
        let t = Instant::now();
        ws.list(&deep).expect("deep");
        after_change.push(ms(t.elapsed()));
    }
    println!("== a window 5 000 rows down, after the sync");
    line("the list unchanged", &mut unchanged);
    line("right after one customer changed", &mut after_change);
}
