//! `cargo xtask <task>`: the project's two commands and their helpers.
//!
//! - `demo`:  install what is missing, then build and open the app in demo mode.
//! - `test`:  install what is missing, then fmt, clippy, unit, contract and end-to-end tests
//!   (under Xvfb when there is no display), then the packaged app installed and driven.
//! - `dist`:  the release app and its installers (`dist.rs`).
//! - `bench [NAME...]`: the benchmarks (all, or the named `benches/` targets), printing their figures.
//! - `soak [MINUTES]`: the long crash soak (SIGKILLs of a syncing process; default 10 minutes).
//! - `setup`: only install what is missing.
//! - `modules [CRATE_DIR]`: a crate's module sizes and the cycles of its import graph.

mod actionlint;
mod cmd;
mod display;
mod dist;
mod installed;
mod manifest;
mod modules;
mod npm;
mod setup;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <demo | test | installed | dist | manifest | bench | soak | setup | modules | actionlint>

  demo    build and open Scriptix Reseller Desktop in demo mode (a local sandbox with seeded data)
  test    everything the project checks: fmt, clippy, unit, contract and end-to-end tests
  dist    the release app and its installers (Linux: .deb and .rpm; Windows: .msi and NSIS;
          macOS: .app and .dmg) under target/dist/bundle: `dist [--bundles a,b] [--profile P]
          [--config JSON]`; signs them for the updater when TAURI_SIGNING_PRIVATE_KEY is set
  installed  only the last stage of `test`: the .deb built, installed, driven, updated, removed
  manifest  the updater's latest.json from a release's signed bundles, one folder per platform:
          `manifest --version V --base-url URL --dir DIR --date RFC3339 [--notes FILE] [--out FILE]`
  bench   the benchmarks (all, or `bench NAME...`: listing, cache, sync, prefetch, logo,
          store, user_first, first_sync_reads, bulk, desktop); prints their figures
  soak    the crash soak: a syncing process killed with SIGKILL again and again for MINUTES
          (`soak [MINUTES]`, default 10), every outcome checked
  setup   install the system packages and tauri-driver the other tasks need
  modules a crate's module sizes and import graph (`use crate::/super::/self::` lines and
          inline `crate::x::y` paths, test modules left out), with its cycles:
          `modules [CRATE_DIR] [--depth N] [--literal] [--check] [--quiet]`; CRATE_DIR defaults to
          crates/reseller-core, --depth to 2 (`sync::replay`; 1 = top-level modules),
          --literal counts `crate::cache::X` as `cache` instead of following `pub use`
          re-exports to X's own module, --check fails when there is a cycle
  actionlint  validate .github/workflows with actionlint (part of `test`)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo(&args[1..]),
        Some("test") => test(&args[1..]),
        Some("dist") => dist::run(&workspace_root(), &args[1..]),
        Some("manifest") => manifest::run(&args[1..]),
        Some("installed") => installed_only(),
        Some("bench") => bench(&args[1..]),
        Some("soak") => soak(&args[1..]),
        Some("setup") => setup::ensure(setup::Need::Test),
        Some("modules") => modules::run(&args[1..]),
        Some("actionlint") => actionlint::run(&workspace_root()),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("unknown task\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The repository's root (xtask lives in `<root>/xtask`).
fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits inside the workspace")
        .to_path_buf()
}

fn demo(extra: &[String]) -> Result<(), String> {
    setup::ensure(setup::Need::Demo)?;
    if cfg!(target_os = "linux")
        && std::env::var_os("DISPLAY").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
    {
        return Err("the demo opens a window, and this session has no display (DISPLAY and WAYLAND_DISPLAY are unset). \
                    Run it from a desktop session, or under `xvfb-run -a cargo xtask demo` to run it headless."
            .into());
    }
    let mut args = vec!["run", "--package", "scriptix-reseller", "--", "--demo"];
    args.extend(extra.iter().map(String::as_str));
    cmd::cargo(&args, &[])
}

fn test(extra: &[String]) -> Result<(), String> {
    setup::ensure(setup::Need::Test)?;
    cmd::step("cargo fmt --check");
    cmd::cargo(&["fmt", "--all", "--", "--check"], &[])?;
    cmd::step("actionlint: the GitHub workflow files");
    actionlint::run(&workspace_root())?;
    // Imports run one way: no cycle between reseller-core's top-level modules, nor its files.
    for depth in ["1", "64"] {
        cmd::step(&format!(
            "import graph of reseller-core, depth {depth}: no cycle"
        ));
        modules::run(&[
            "crates/reseller-core".to_string(),
            "--depth".to_string(),
            depth.to_string(),
            "--check".to_string(),
            "--quiet".to_string(),
        ])?;
    }
    cmd::step("cargo clippy (warnings are errors)");
    cmd::cargo(
        &[
            "clippy",
            "--workspace",
            // The benchmark baseline (a ten-line Tauri main) would compile Tauri a second time,
            // with other features: minutes of CI for nothing to test. `bench desktop` builds it.
            "--exclude",
            "empty-window",
            "--all-targets",
            // The installed-package test exists only with its feature.
            "--features",
            "e2e/installed",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;

    // One `cargo test --workspace` builds every test and the app binary in one go (the app crate
    // has an integration test, so its binary is built with the same features the e2e tests use).
    let display = display::ensure()?;
    let env = gui_env(&display);
    cmd::step(&format!(
        "cargo test --workspace (display {})",
        display.name()
    ));
    let mut args = vec!["test", "--workspace", "--exclude", "empty-window"];
    args.extend(extra.iter().map(String::as_str));
    let env_refs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    cmd::cargo(&args, &env_refs)?;

    // What ships, installed and driven. Extra arguments select tests of the run above, so a
    // partial run (`cargo xtask test -p reseller-core`) stops here.
    if !extra.is_empty() {
        return Ok(());
    }
    match installed::possible() {
        Ok(()) => installed::run(&workspace_root(), INSTALLED_TEST_PROFILE, &env),
        Err(why) => {
            eprintln!(
                "xtask: the installed-package test did not run: {why}. It runs on Debian or Ubuntu as root or with sudo (CI)."
            );
            Ok(())
        }
    }
}

/// Only the last stage of `test`: the package built, installed, driven, updated and removed.
fn installed_only() -> Result<(), String> {
    setup::ensure(setup::Need::Test)?;
    installed::possible()?;
    let display = display::ensure()?;
    installed::run(
        &workspace_root(),
        INSTALLED_TEST_PROFILE,
        &gui_env(&display),
    )
}

/// The profile of the package the test installs. `dev`, not the shipped `dist`: the same code
/// and features (the embedded UI, no demo), built on the dependencies the workspace's test run
/// has just compiled, where a release build would compile all of them again (about ten minutes
/// of CI) and `dist` would add whole-program LTO. Only what depends on Tauri is compiled again,
/// for the embedded UI. `cargo xtask dist` builds what ships.
const INSTALLED_TEST_PROFILE: &str = "dev";

/// The environment a run that opens windows needs: the display, no desktop settings daemon or
/// accessibility bus (absent under Xvfb), and tauri-driver on PATH.
fn gui_env(display: &display::Display) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = vec![
        ("DISPLAY".into(), display.name().to_string()),
        ("GSETTINGS_BACKEND".into(), "memory".into()),
        ("NO_AT_BRIDGE".into(), "1".into()),
    ];
    if let Some(path) = setup::path_with_cargo_bin() {
        env.push(("PATH".into(), path));
    }
    env
}

fn soak(args: &[String]) -> Result<(), String> {
    let minutes = args.first().map_or("10", String::as_str);
    if minutes.parse::<f64>().map_or(true, |m| m <= 0.0) {
        return Err(format!("soak takes a number of minutes, not {minutes:?}"));
    }
    cmd::step(&format!("crash soak: {minutes} minutes (release build)"));
    // Both binaries: the soak starts the worker from its own directory.
    cmd::cargo(
        &["build", "--release", "-p", "reseller-soak", "--bins"],
        &[],
    )?;
    cmd::cargo(
        &[
            "run",
            "--release",
            "-p",
            "reseller-soak",
            "--bin",
            "soak",
            "--",
            minutes,
        ],
        &[],
    )
}

fn bench(names: &[String]) -> Result<(), String> {
    // The desktop bench launches the app as it ships (the `dist` profile, the embedded UI, no
    // demo) and the empty-window baseline (its own crate) built the same way, in one cargo run
    // so both link the same Tauri.
    let desktop = names.is_empty() || names.iter().any(|n| n == "desktop");
    if desktop {
        cmd::step("desktop binaries (dist profile, as shipped)");
        cmd::cargo(
            &[
                "build",
                "--profile",
                "dist",
                "-p",
                "scriptix-reseller",
                "-p",
                "empty-window",
                "--no-default-features",
                "--features",
                "scriptix-reseller/custom-protocol",
            ],
            &[],
        )?;
        setup::ensure(setup::Need::Test)?;
    }
    let display = display::ensure()?;
    let mut env = gui_env(&display);
    if desktop {
        let dist = workspace_root().join("target").join("dist");
        for (var, binary) in [
            ("SCRIPTIX_APP_BIN", "scriptix-reseller"),
            ("SCRIPTIX_EMPTY_WINDOW_BIN", "empty-window"),
        ] {
            let path = dist.join(format!("{binary}{}", std::env::consts::EXE_SUFFIX));
            env.push((var.into(), path.display().to_string()));
        }
    }
    // Every crate's `benches/` (release builds; each prints its own figures), or the named ones.
    let mut args = vec!["bench", "--workspace"];
    if names.is_empty() {
        cmd::step("benchmarks: all (release build)");
        // A glob over bench targets only: `--benches` would also build and run every crate's
        // unit tests in bench mode (and compile the desktop shell in release for nothing).
        args.extend(["--bench", "*"]);
    } else {
        cmd::step(&format!("benchmarks: {} (release build)", names.join(", ")));
        for name in names {
            args.extend(["--bench", name.as_str()]);
        }
    }
    let env_refs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    cmd::cargo(&args, &env_refs)
}
