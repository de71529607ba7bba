//! Dozens of SIGKILLs of a process running outbox replay and list sync (with injected faults):
//! after each, `PRAGMA integrity_check` passes; after convergence, no edit is lost and none is
//! applied twice. The longer soak is `cargo xtask soak`.

use reseller_soak::{run_campaign, CampaignConfig};

fn campaign(seed: u64, kills: u32) {
    let cfg = CampaignConfig::new(env!("CARGO_BIN_EXE_soak-worker").into(), seed, kills);
    let report = run_campaign(&cfg).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    println!("{report}");
    assert_eq!(report.kills, kills);
    assert_eq!(report.integrity_checks, kills);
    let v = &report.verified;
    assert!(
        v.creates > 0 && v.updates > 0 && v.deletes > 0,
        "every kind exercised: {v:?}"
    );
    assert!(v.committed > 0);
}

#[test]
fn killed_twelve_times_seed_1() {
    campaign(1, 12);
}

#[test]
fn killed_twelve_times_seed_2() {
    campaign(2, 12);
}

#[test]
fn killed_twelve_times_seed_3() {
    campaign(3, 12);
}

#[test]
fn killed_twelve_times_seed_4() {
    campaign(4, 12);
}
