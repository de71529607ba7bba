//! `scriptix-sandbox`: runs the sandbox API server until Ctrl-C.

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use clap::Parser;
use scriptix_sandbox::{FaultConfig, Gap, SandboxConfig};

/// A Scriptix-compatible local API server with seeded data, rate limiting and fault injection.
#[derive(Parser, Debug)]
#[command(name = "scriptix-sandbox", version)]
struct Args {
    /// Address to listen on (API and admin).
    #[arg(long, default_value = "127.0.0.1")]
    addr: IpAddr,
    /// API port (0 = a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Admin API port (0 = a free one).
    #[arg(long, default_value_t = 0)]
    admin_port: u16,
    /// Number of customers to seed.
    #[arg(long, default_value_t = 250)]
    customers: usize,
    /// Seed of all generated data.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// "Today" for generated data (YYYY-MM-DD); default: today (UTC).
    #[arg(long)]
    anchor_date: Option<chrono::NaiveDate>,
    /// Requests per minute per token (0 = unlimited).
    #[arg(long, default_value_t = 100)]
    rate_limit: u32,
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    #[arg(long, default_value_t = 0)]
    jitter_ms: u64,
    /// Share of requests answered 500/502/503.
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
    /// Share of requests answered 429.
    #[arg(long, default_value_t = 0.0)]
    rate_limit_rate: f64,
    /// Share of connections dropped (half before, half after the handler ran).
    #[arg(long, default_value_t = 0.0)]
    reset_rate: f64,
    /// Share of answers with a truncated body.
    #[arg(long, default_value_t = 0.0)]
    truncate_rate: f64,
    /// Only paths containing this substring get faults.
    #[arg(long)]
    fault_route: Option<String>,
    #[arg(long)]
    fault_seed: Option<u64>,
    /// SQLite file (reused when it holds the same seed; otherwise replaced). Default: a temp file.
    #[arg(long)]
    db: Option<PathBuf>,
    #[arg(long)]
    reseller_token: Option<String>,
    #[arg(long)]
    resellee_token: Option<String>,
    /// The reseller organisation's name (a second sandbox with another name stands for a
    /// second reseller account).
    #[arg(long)]
    reseller_name: Option<String>,
    /// Disable a gap endpoint (g1..g9 or account_me, search, ...); repeatable.
    #[arg(long = "disable-gap")]
    disable_gap: Vec<Gap>,
    /// Serve only the documented API (disables every gap endpoint).
    #[arg(long)]
    documented_only: bool,
}

fn rate(name: &str, value: f64) -> Result<f64, String> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("--{name} must be between 0 and 1"))
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let faults = match (|| -> Result<FaultConfig, String> {
        Ok(FaultConfig {
            latency_ms: args.latency_ms,
            jitter_ms: args.jitter_ms,
            error_rate: rate("error-rate", args.error_rate)?,
            rate_limit_rate: rate("rate-limit-rate", args.rate_limit_rate)?,
            reset_rate: rate("reset-rate", args.reset_rate)?,
            truncate_rate: rate("truncate-rate", args.truncate_rate)?,
            route: args.fault_route.clone(),
            seed: args.fault_seed,
            // Set at run time through the admin API (PUT /admin/faults).
            refusal: None,
            answer: None,
        })
    })() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let defaults = SandboxConfig::default();
    let mut disabled_gaps: BTreeSet<Gap> = args.disable_gap.iter().copied().collect();
    if args.documented_only {
        disabled_gaps.extend(Gap::ALL);
    }
    let config = SandboxConfig {
        addr: SocketAddr::new(args.addr, args.port),
        admin_addr: SocketAddr::new(args.addr, args.admin_port),
        customers: args.customers,
        seed: args.seed,
        anchor_date: args.anchor_date,
        rate_limit_per_minute: args.rate_limit,
        faults,
        db_path: args.db,
        reseller_token: args.reseller_token.unwrap_or(defaults.reseller_token),
        resellee_token: args.resellee_token.unwrap_or(defaults.resellee_token),
        reseller_name: args.reseller_name.unwrap_or(defaults.reseller_name),
        disabled_gaps,
    };
    let sandbox = match scriptix_sandbox::start(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    // The tokens are printed for the person starting it, on stdout; they never go to the log.
    println!(
        "Scriptix sandbox ready (seeded in {} ms)",
        sandbox.seed_time().as_millis()
    );
    println!("  base URL:       {}", sandbox.base_url());
    println!("  admin URL:      {}", sandbox.admin_url());
    println!("  reseller token: {}", sandbox.reseller_token());
    println!("  resellee token: {}", sandbox.resellee_token());
    println!("Press Ctrl-C to stop.");
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("error: cannot wait for Ctrl-C: {e}");
    }
    eprintln!("stopping...");
    sandbox.shutdown().await;
    std::process::ExitCode::SUCCESS
}
