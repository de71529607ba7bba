//! Customer-list sync benchmark against a real sandbox (10 000 customers, the default rate
//! limit of 100 requests a minute) and a real cache file. Prints figures; asserts nothing
//! about time.
//!
//! cargo bench -p reseller-core --bench sync

use std::sync::Mutex;
use std::time::Instant;

use reseller_core::cache::Cache;
use reseller_core::sync::{scan_deletions, sync_customer_list};
use scriptix_api::{Client, ClientConfig, CustomerInput, CustomerQuery, Direction};
use scriptix_sandbox::{start, SandboxConfig};

const CUSTOMERS: usize = 10_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(run())
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let t = Instant::now();
    let sb = start(SandboxConfig {
        customers: CUSTOMERS,
        ..SandboxConfig::default()
    })
    .await?;
    println!(
        "sandbox with {CUSTOMERS} customers started in {:.2?}",
        t.elapsed()
    );
    let client = Client::new(ClientConfig::new(sb.base_url(), sb.reseller_token()))?;
    let dir = tempfile::tempdir()?;
    let cache = Mutex::new(Cache::open(dir.path().join("bench.sqlite3"))?);

    let before = sb.stats().requests;
    let t = Instant::now();
    let first = sync_customer_list(&client, &cache).await?;
    println!(
        "first sync:            {:>3} requests (sandbox saw {}), {} pages, {} rows written, {} rejected, {:.2?}",
        first.requests,
        sb.stats().requests - before,
        first.pages,
        first.upserted,
        first.rejected.len(),
        t.elapsed()
    );

    let before = sb.stats().requests;
    let t = Instant::now();
    let again = sync_customer_list(&client, &cache).await?;
    println!(
        "resync, nothing new:   {:>3} requests (sandbox saw {}), {} rows written, {:.2?}",
        again.requests,
        sb.stats().requests - before,
        again.upserted,
        t.elapsed()
    );

    // Five edits spread over the list, through the API (5 PUTs, not counted below).
    let page = client
        .list_customers(&CustomerQuery {
            limit: Some(1000),
            sort: Some("id".into()),
            direction: Some(Direction::Asc),
            ..CustomerQuery::default()
        })
        .await?;
    for c in page.items.iter().step_by(200).take(5) {
        let input = CustomerInput {
            name: format!("{} (edited)", c.name),
            email: c.email.clone(),
            phone: c.phone.clone(),
            is_active: c.is_active,
        };
        client.update_customer(c.id, &input).await?;
    }
    let before = sb.stats().requests;
    let t = Instant::now();
    let edited = sync_customer_list(&client, &cache).await?;
    println!(
        "resync after 5 edits:  {:>3} requests (sandbox saw {}), {} rows written, {:.2?}",
        edited.requests,
        sb.stats().requests - before,
        edited.upserted,
        t.elapsed()
    );

    let t = Instant::now();
    let scan = scan_deletions(&client, &cache).await?;
    println!(
        "deletion scan:         {:>3} requests, {} server ids, {} deleted, {:.2?}",
        scan.requests,
        scan.server_ids,
        scan.deleted.len(),
        t.elapsed()
    );
    let b = client.budget();
    println!("rate budget after the run: {b:?}");
    sb.shutdown().await;
    Ok(())
}
