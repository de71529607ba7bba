//! Listing benchmark: plain figures, printed (run: `cargo bench -p scriptix-api --bench listing`).
//!
//! 1. The sandbox answering a 1000-row customer page on loopback: raw HTTP round trip (request to
//!    last body byte) and the client's full call (budget, HTTP, parse), median and p95.
//! 2. The client listing 10 000 customers end to end in 1000-row pages, with the sandbox's rate
//!    limit left at its default 100/min and the client's budget at its default 100/min.

use std::time::{Duration, Instant};

use scriptix_api::{Client, ClientConfig, CustomerQuery};
use scriptix_sandbox::SandboxConfig;

const ROUNDS: usize = 60;
const PAGE: u32 = 1000;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn report(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "  {label}: median {}, p95 {}, min {}, max {} (n = {})",
        ms(percentile(&samples, 0.5)),
        ms(percentile(&samples, 0.95)),
        ms(samples[0]),
        ms(samples[samples.len() - 1]),
        samples.len()
    );
}

async fn one_page_figures() {
    let started = Instant::now();
    let sbx = scriptix_sandbox::start(SandboxConfig {
        customers: 10_000,
        rate_limit_per_minute: 0,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    println!(
        "sandbox with 10 000 customers started (seeded) in {}",
        ms(started.elapsed())
    );
    println!("1) one 1000-row customer page on loopback, sandbox rate limit off:");

    let http = scriptix_api::tls::http_client();
    let url = format!("{}/api/v3/reseller/customer/", sbx.base_url());
    let mut raw = Vec::with_capacity(ROUNDS);
    let mut bytes = 0usize;
    sbx.reset_stats();
    for i in 0..ROUNDS + 5 {
        let offset = (i % 10) * PAGE as usize;
        let t = Instant::now();
        let body = http
            .get(&url)
            .header("x-zoom-s2t-key", sbx.reseller_token())
            .query(&[("limit", PAGE.to_string()), ("offset", offset.to_string())])
            .send()
            .await
            .expect("send")
            .bytes()
            .await
            .expect("body");
        if i >= 5 {
            raw.push(t.elapsed()); // the first 5 warm up connections and caches
        }
        bytes = body.len();
    }
    report("raw HTTP, request to last byte", raw);
    println!(
        "  body size {:.1} KB; raw requests received by the sandbox: {}",
        bytes as f64 / 1024.0,
        sbx.stats().requests
    );

    let mut config = ClientConfig::new(sbx.base_url(), sbx.reseller_token());
    config.rate_limit_per_minute = 0;
    let api = Client::new(config).expect("client");
    let mut full = Vec::with_capacity(ROUNDS);
    sbx.reset_stats();
    for i in 0..ROUNDS + 5 {
        let q = CustomerQuery {
            limit: Some(PAGE),
            offset: Some(((i % 10) * PAGE as usize) as u64),
            ..Default::default()
        };
        let t = Instant::now();
        let page = api.list_customers(&q).await.expect("page");
        if i >= 5 {
            full.push(t.elapsed());
        }
        assert_eq!(page.items.len(), PAGE as usize);
    }
    report("client list_customers (HTTP + parse of 1000 records)", full);
    println!(
        "  client requests_sent {}, sandbox stats().requests {}",
        api.requests_sent(),
        sbx.stats().requests
    );
    sbx.shutdown().await;
}

async fn full_listing_figures() {
    let sbx = scriptix_sandbox::start(SandboxConfig {
        customers: 10_000,
        ..SandboxConfig::default() // rate limit: the default 100 per minute
    })
    .await
    .expect("sandbox");
    println!("2) the client listing all 10 000 customers, 1000 per page; sandbox rate limit 100/min (default, not raised), client budget 100/min (default):");
    let api = Client::new(ClientConfig::new(sbx.base_url(), sbx.reseller_token())).expect("client");
    sbx.reset_stats();
    let t = Instant::now();
    let mut customers = Vec::new();
    let mut offset = 0u64;
    loop {
        let page = api
            .list_customers(&CustomerQuery {
                limit: Some(PAGE),
                offset: Some(offset),
                ..Default::default()
            })
            .await
            .expect("page");
        offset += page.count;
        let done = page.count < u64::from(PAGE) || page.total.is_some_and(|t| offset >= t);
        customers.extend(page.items);
        if done {
            break;
        }
    }
    let wall = t.elapsed();
    let stats = sbx.stats();
    println!(
        "  {} customers in {} wall time ({:.0} customers/s)",
        customers.len(),
        ms(wall),
        customers.len() as f64 / wall.as_secs_f64()
    );
    println!(
        "  client requests_sent {}, sandbox stats().requests {}, rate-limited {}",
        api.requests_sent(),
        stats.requests,
        stats.rate_limited
    );
    let b = api.budget();
    println!(
        "  budget afterwards: limit {}, remaining in window {}",
        b.limit, b.remaining_in_window
    );
    sbx.shutdown().await;
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    println!(
        "scriptix-api listing benchmark ({} logical cores)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    runtime.block_on(async {
        one_page_figures().await;
        full_listing_figures().await;
    });
}
