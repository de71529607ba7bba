//! The long crash soak: `cargo xtask soak [MINUTES]` runs campaigns of SIGKILLs back to back,
//! one seed after another, for MINUTES (default 10), and prints each verdict.
//!
//! Usage: soak [MINUTES] [FIRST_SEED]

use std::process::ExitCode;
use std::time::{Duration, Instant};

use reseller_soak::{run_campaign, CampaignConfig};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let minutes: f64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(10.0);
    let first_seed: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let worker = std::env::current_exe()
        .expect("the soak's own path")
        .with_file_name(format!("soak-worker{}", std::env::consts::EXE_SUFFIX));
    let total = Duration::from_secs_f64(minutes * 60.0);
    let started = Instant::now();
    let (mut campaigns, mut kills) = (0u32, 0u32);
    let mut seed = first_seed;
    println!("crash soak: {minutes} min, campaigns of up to 100 kills from seed {first_seed}");
    while started.elapsed() < total {
        let mut cfg = CampaignConfig::new(worker.clone(), seed, 100);
        cfg.deadline = Some(
            total
                .saturating_sub(started.elapsed())
                .max(Duration::from_secs(5)),
        );
        match run_campaign(&cfg) {
            Ok(report) => {
                println!("{report}");
                campaigns += 1;
                kills += report.kills;
            }
            Err(e) => {
                println!("seed {seed}: FAILED: {e}");
                return ExitCode::FAILURE;
            }
        }
        seed += 1;
    }
    println!(
        "soak passed: {campaigns} campaigns, {kills} kills, {:.0} s",
        started.elapsed().as_secs_f64()
    );
    ExitCode::SUCCESS
}
