//! A crash campaign: a sandbox in this process, the worker in another, killed with SIGKILL at
//! random moments; the cache's integrity checked after every kill; then a last run converges
//! and `verify` checks the outcome.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use reseller_core::cache::{Cache, OutboxState};
use scriptix_api::{Client, ClientConfig};
use scriptix_sandbox::{start, FaultConfig, SandboxConfig};

use crate::journal;
use crate::verify::{self, Verified};

#[derive(Clone, Debug)]
pub struct CampaignConfig {
    /// The `soak-worker` executable.
    pub worker: PathBuf,
    pub seed: u64,
    /// How many times the worker is killed (fewer if `deadline` comes first).
    pub kills: u32,
    /// Stop killing after this long (the soak's time box).
    pub deadline: Option<Duration>,
    /// Customers the sandbox starts with.
    pub customers: usize,
    /// How long the worker lives before each kill: uniform in this range.
    pub alive_ms: (u64, u64),
    /// Inject mixed faults (5xx, resets, truncated bodies, latency) while the worker runs.
    pub faults: bool,
}

impl CampaignConfig {
    pub fn new(worker: PathBuf, seed: u64, kills: u32) -> Self {
        CampaignConfig {
            worker,
            seed,
            kills,
            deadline: None,
            customers: 200,
            alive_ms: (40, 600),
            faults: true,
        }
    }
}

#[derive(Clone, Debug)]
pub struct CampaignReport {
    pub seed: u64,
    pub kills: u32,
    pub integrity_checks: u32,
    /// Kills that left an operation in flight (sent, outcome unknown): the cases where
    /// exactly-once is at stake.
    pub in_flight_at_kill: u32,
    pub elapsed: Duration,
    pub verified: Verified,
}

impl std::fmt::Display for CampaignReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = &self.verified;
        write!(
            f,
            "seed {}: {} kills ({} with an operation in flight), {} integrity checks ok, {} edits \
             ({} surely queued, {} cut by a kill): {} creates, {} updates, {} deletes; server and \
             cache equal ({} customers), no duplicate, nothing lost; {:.1} s",
            self.seed,
            self.kills,
            self.in_flight_at_kill,
            self.integrity_checks,
            v.intents,
            v.committed,
            v.intents - v.committed,
            v.creates,
            v.updates,
            v.deletes,
            v.customers,
            self.elapsed.as_secs_f64()
        )
    }
}

/// Runs a campaign to its verdict: Ok with the figures, or Err saying what went wrong.
pub fn run_campaign(cfg: &CampaignConfig) -> Result<CampaignReport, String> {
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let sandbox = runtime
        .block_on(start(SandboxConfig {
            customers: cfg.customers,
            seed: cfg.seed,
            rate_limit_per_minute: 60_000,
            ..SandboxConfig::default()
        }))
        .map_err(|e| format!("sandbox: {e}"))?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let cache_path = dir.path().join("cache.sqlite3");
    let journal_path = dir.path().join("journal.txt");
    let args = |extra: Option<&str>| {
        let mut a = vec![
            sandbox.base_url().to_string(),
            sandbox.reseller_token().to_string(),
            cache_path.display().to_string(),
            journal_path.display().to_string(),
            cfg.seed.to_string(),
        ];
        a.extend(extra.map(str::to_string));
        a
    };
    if cfg.faults {
        sandbox.set_faults(FaultConfig {
            latency_ms: 1,
            jitter_ms: 8,
            error_rate: 0.05,
            reset_rate: 0.06,
            truncate_rate: 0.04,
            seed: Some(cfg.seed),
            ..FaultConfig::default()
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let mut report = CampaignReport {
        seed: cfg.seed,
        kills: 0,
        integrity_checks: 0,
        in_flight_at_kill: 0,
        elapsed: Duration::ZERO,
        verified: Verified::default(),
    };
    while report.kills < cfg.kills && cfg.deadline.is_none_or(|d| started.elapsed() < d) {
        let mut child = Command::new(&cfg.worker)
            .args(args(None))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("starting {}: {e}", cfg.worker.display()))?;
        std::thread::sleep(Duration::from_millis(
            rng.random_range(cfg.alive_ms.0..=cfg.alive_ms.1),
        ));
        if child.try_wait().map_err(|e| e.to_string())?.is_some() {
            let out = child.wait_with_output().map_err(|e| e.to_string())?;
            return Err(format!(
                "the worker stopped by itself ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        child.kill().map_err(|e| e.to_string())?; // SIGKILL on Unix
        child.wait().map_err(|e| e.to_string())?;
        report.kills += 1;
        // The next open recovers the WAL; the whole file must then be sound.
        let cache =
            Cache::open(&cache_path).map_err(|e| format!("after kill {}: {e}", report.kills))?;
        cache
            .integrity_check()
            .map_err(|e| format!("after kill {}: {e}", report.kills))?;
        report.integrity_checks += 1;
        let in_flight = cache
            .outbox(Some(OutboxState::InFlight))
            .map_err(|e| e.to_string())?;
        report.in_flight_at_kill += u32::from(!in_flight.is_empty());
    }
    sandbox.set_faults(FaultConfig::default());
    let out = Command::new(&cfg.worker)
        .args(args(Some("--converge")))
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "the converging run failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let entries = journal::read(&journal_path).map_err(|e| e.to_string())?;
    let mut client_config = ClientConfig::new(sandbox.base_url(), sandbox.reseller_token());
    client_config.rate_limit_per_minute = 60_000;
    let client = Client::new(client_config).map_err(|e| e.to_string())?;
    let cache = Cache::open(&cache_path).map_err(|e| e.to_string())?;
    cache.integrity_check().map_err(|e| e.to_string())?;
    report.verified = runtime.block_on(verify::check(&client, &cache, &entries))?;
    report.elapsed = started.elapsed();
    Ok(report)
}
