//! Detail prefetch benchmark: a sandbox at its default rate limit (100 requests a minute) with
//! 250 customers, and a full prefetch of every customer's five tabs plus the dashboard and
//! branding into a real cache file. Prints the requests, the 429s the sandbox refused, the
//! time taken and the floor (requests at 100 a minute); asserts nothing about time. Takes
//! about a quarter of an hour: the rate budget, not the machine, sets the pace.
//!
//! cargo bench -p reseller-core --bench prefetch

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::Mutex;
use std::time::Instant;

use chrono::Utc;
use reseller_core::cache::Cache;
use reseller_core::sync::detail_plan::floor;
use reseller_core::sync::{
    detail_state, plan_prefetch, prefetch, sync_customer_list, Allowance, Target,
};
use scriptix_api::{Client, ClientConfig, Lane};
use scriptix_sandbox::{start, SandboxConfig};

const CUSTOMERS: usize = 250;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(run())
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let config = SandboxConfig {
        customers: CUSTOMERS,
        ..SandboxConfig::default()
    };
    let limit = config.rate_limit_per_minute;
    let sb = start(config).await?;
    let client = Client::new(ClientConfig::new(sb.base_url(), sb.reseller_token()))?;
    let dir = tempfile::tempdir()?;
    let cache = Mutex::new(Cache::open(dir.path().join("bench.sqlite3"))?);
    let list = sync_customer_list(&client, &cache).await?;
    let mut ids: Vec<i64> = cache
        .lock()
        .map_err(|_| "cache lock poisoned")?
        .customer_id_states()?
        .into_iter()
        .map(|s| s.id)
        .collect();
    ids.sort_unstable();
    println!(
        "{} customers cached ({} list request); sandbox limit {limit} requests a minute",
        ids.len(),
        list.requests
    );

    let state = detail_state(
        &*cache.lock().map_err(|_| "cache lock poisoned")?,
        &ids,
        Utc::now(),
    )?;
    let plan = plan_prefetch(&state, None, Allowance::Unbounded);
    let background = plan
        .fetches
        .iter()
        .filter(|f| f.lane == Lane::Background)
        .count();
    println!(
        "plan: {} fetches ({background} in the background lane), about {} requests",
        plan.fetches.len(),
        plan.requests
    );

    sb.reset_stats();
    let t = Instant::now();
    let report = prefetch(&client, &cache, &plan, |p| {
        if p.done % 250 == 0 || p.done == p.total {
            println!(
                "  {:>4}/{} fetches, {:>4} requests, {:>7.1?}",
                p.done,
                p.total,
                p.requests,
                t.elapsed()
            );
        }
        ControlFlow::Continue(())
    })
    .await;
    let elapsed = t.elapsed();
    let stats = sb.stats();
    let floor_time = floor(report.requests, limit);
    let reserve = client.budget().reserve;
    let lane_floor = floor(report.requests, limit.saturating_sub(reserve));
    println!(
        "full prefetch: {} refreshed, {} failed, {} rejected records, stopped: {:?}",
        report.refreshed,
        report.failed.len(),
        report.rejected.len(),
        report.stopped
    );
    println!(
        "requests: {} (sandbox saw {}), 429s: {}",
        report.requests, stats.requests, stats.rate_limited
    );
    println!(
        "elapsed: {elapsed:.1?}; floor at {limit}/min: {floor_time:.1?}; ratio {:.3}",
        elapsed.as_secs_f64() / floor_time.as_secs_f64().max(f64::EPSILON)
    );
    println!(
        "(the background lane leaves {reserve} a minute to interactive requests: its own floor \
         at {}/min is {lane_floor:.1?}, ratio {:.3})",
        limit.saturating_sub(reserve),
        elapsed.as_secs_f64() / lane_floor.as_secs_f64().max(f64::EPSILON)
    );

    // Whatever went stale during the run: tabs whose max age (15 min for transcriptions and
    // the dashboard) is shorter than the run itself.
    let again = detail_state(
        &*cache.lock().map_err(|_| "cache lock poisoned")?,
        &ids,
        Utc::now(),
    )?;
    let replan = plan_prefetch(&again, None, Allowance::Unbounded);
    let mut stale: BTreeMap<String, usize> = BTreeMap::new();
    for f in &replan.fetches {
        let kind = match f.target {
            Target::Tab { tab, .. } => tab.as_str().to_string(),
            other => format!("{other:?}").to_lowercase(),
        };
        *stale.entry(kind).or_default() += 1;
    }
    println!(
        "right after: {} fresh targets, {} stale again already {stale:?}",
        replan.fresh,
        replan.fetches.len()
    );
    Ok(())
}
