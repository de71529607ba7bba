//! `cargo xtask dist`: the release app and its installers, built by the Tauri CLI of the app's own
//! 2.x line (the `@tauri-apps/cli` npm package, which ships the CLI prebuilt; pinned, installed
//! under `target/tools/tauri-cli`).
//!
//! What ships: the `dist` profile (whole-program LTO, one codegen unit, symbols stripped), the
//! embedded UI (`custom-protocol`) and no demo sandbox (`--no-default-features`: no HTTP server
//! inside the shipped app). Bundles: `.deb` and `.rpm` on Linux (AppImage with `--bundles
//! appimage` where its tools can be downloaded), `.msi` and NSIS on Windows, `.app` and `.dmg`
//! on macOS. With `TAURI_SIGNING_PRIVATE_KEY` set, each bundle also gets its updater
//! signature (`.sig`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd;

/// The Tauri CLI, of the same 2.x line as the `tauri` crate in Cargo.lock.
const TAURI_CLI: &str = "@tauri-apps/cli";
const TAURI_CLI_VERSION: &str = "2.12.6";

/// What to build.
pub struct Build {
    /// The cargo profile: `dist` ships; the installed-package test packages `dev`, whose
    /// dependencies the workspace's test run has already built.
    pub profile: String,
    /// Bundle kinds (`deb`, `rpm`, `appimage`, `msi`, `nsis`, `app`, `dmg`).
    pub bundles: Vec<String>,
    /// JSON merged into tauri.conf.json for this build only (a test's updater key, a version).
    pub config: Vec<String>,
    /// Extra environment for the CLI (a test's signing key).
    pub env: Vec<(String, String)>,
    /// A target triple other than this machine's (`universal-apple-darwin` for one macOS app
    /// for both processors).
    pub target: Option<String>,
}

impl Build {
    /// What `cargo xtask dist` builds by default on this system.
    pub fn shipped() -> Build {
        let bundles: &[&str] = if cfg!(target_os = "windows") {
            &["msi", "nsis"]
        } else if cfg!(target_os = "macos") {
            &["app", "dmg"]
        } else {
            // AppImage needs linuxdeploy, which the bundler downloads from GitHub.
            &["deb", "rpm"]
        };
        Build {
            profile: "dist".into(),
            bundles: bundles.iter().map(|b| b.to_string()).collect(),
            config: Vec::new(),
            env: Vec::new(),
            target: None,
        }
    }
}

/// `cargo xtask dist [--bundles a,b] [--profile P] [--config JSON]... [--target TRIPLE]`
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    crate::setup::ensure(crate::setup::Need::Dist)?;
    let mut build = Build::shipped();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match arg.as_str() {
            "--bundles" => {
                build.bundles = value("--bundles")?
                    .split(',')
                    .map(|b| b.trim().to_string())
                    .filter(|b| !b.is_empty())
                    .collect();
            }
            "--profile" => build.profile = value("--profile")?,
            "--config" => build.config.push(value("--config")?),
            "--target" => build.target = Some(value("--target")?),
            other => return Err(format!("dist: unknown option {other}")),
        }
    }
    let bundles = bundle(root, &build)?;
    println!(
        "dist: {} bundles ({} profile):",
        bundles.len(),
        build.profile
    );
    for path in &bundles {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        println!("  {} ({size} bytes)", path.display());
    }
    let binary = binary_path(root, &build.profile);
    if let Ok(meta) = std::fs::metadata(&binary) {
        println!(
            "  the app binary: {} ({} bytes)",
            binary.display(),
            meta.len()
        );
    }
    Ok(())
}

/// Builds the app and the bundles; answers the bundle files made, newest build only.
pub fn bundle(root: &Path, build: &Build) -> Result<Vec<PathBuf>, String> {
    let cli = ensure_cli(root)?;
    let mut config = build.config.clone();
    let key = "TAURI_SIGNING_PRIVATE_KEY";
    let signing = build.env.iter().any(|(k, v)| k == key && !v.is_empty())
        || std::env::var_os(key).is_some_and(|k| !k.is_empty());
    if signing {
        config.push(r#"{"bundle":{"createUpdaterArtifacts":true}}"#.into());
    } else {
        // The updater's signatures need the private key, which only the release workflow has.
        eprintln!("dist: {key} is not set: bundles without updater signatures");
    }
    let mut out_dir = root.join("target");
    if let Some(target) = &build.target {
        out_dir.push(target);
    }
    let out_dir = out_dir.join(profile_dir(&build.profile)).join("bundle");
    // Old bundles of another version must not be taken for this build's.
    let _ = std::fs::remove_dir_all(&out_dir);
    cmd::step(&format!(
        "tauri build ({} profile; bundles {})",
        build.profile,
        build.bundles.join(", ")
    ));
    let mut command = Command::new("node");
    command.arg(&cli).args(["build", "--ci"]);
    // The CLI looks for the binary of `dev` only under its own flag (target/debug).
    let dev = build.profile == "dev";
    if dev {
        command.arg("--debug");
    }
    command.arg("--bundles").arg(build.bundles.join(","));
    for c in &config {
        command.arg("--config").arg(c);
    }
    if let Some(target) = &build.target {
        command.arg("--target").arg(target);
    }
    // Cargo's own arguments: the profile, the shipped features (no demo sandbox).
    command.arg("--");
    if !dev {
        command.args(["--profile", &build.profile]);
    }
    command.arg("--no-default-features");
    let status = command
        .envs(build.env.iter().map(|(k, v)| (k, v)))
        // The CLI finds tauri.conf.json from here (bench/empty-window has one too).
        .current_dir(root.join("src-tauri"))
        .status()
        .map_err(|e| format!("could not run node: {e}"))?;
    if !status.success() {
        return Err(format!("tauri build failed ({status})"));
    }
    let mut found = Vec::new();
    collect_files(&out_dir, &mut found);
    found.retain(|p| is_bundle(p));
    found.sort();
    if found.is_empty() {
        return Err(format!(
            "tauri build made no bundle under {}",
            out_dir.display()
        ));
    }
    Ok(found)
}

/// An installer, an updater archive or a signature; not the bundler's work files (the .deb's
/// staging folder holds a `control.tar.gz` and a `data.tar.gz`).
fn is_bundle(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    [
        ".deb",
        ".rpm",
        ".AppImage",
        ".msi",
        ".exe",
        ".dmg",
        ".app",
        ".sig",
        ".app.tar.gz",
        ".AppImage.tar.gz",
    ]
    .iter()
    .any(|ext| name.ends_with(ext))
}

/// The app binary a build of `profile` leaves.
pub fn binary_path(root: &Path, profile: &str) -> PathBuf {
    root.join("target")
        .join(profile_dir(profile))
        .join(format!("scriptix-reseller{}", std::env::consts::EXE_SUFFIX))
}

/// The folder under `target/` a profile builds into: cargo names `dev`'s `debug`.
fn profile_dir(profile: &str) -> &str {
    if profile == "dev" {
        "debug"
    } else {
        profile
    }
}

/// The CLI's entry script (`tauri.js`, run by Node).
pub fn ensure_cli(root: &Path) -> Result<PathBuf, String> {
    let tools = root.join("target").join("tools").join("tauri-cli");
    let package = crate::npm::ensure(&tools, TAURI_CLI, TAURI_CLI_VERSION)?;
    Ok(package.join("tauri.js"))
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            // A macOS .app is a folder: the bundle itself, not something to walk into.
            if path.extension().is_some_and(|e| e == "app") {
                out.push(path);
            } else {
                collect_files(&path, out);
            }
        } else {
            out.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundles_are_installers_archives_and_signatures_not_work_files() {
        for bundle in [
            "bundle/deb/Scriptix Reseller_0.1.0_amd64.deb",
            "bundle/deb/Scriptix Reseller_0.1.0_amd64.deb.sig",
            "bundle/rpm/Scriptix Reseller-0.1.0-1.x86_64.rpm",
            "bundle/macos/Scriptix Reseller.app.tar.gz",
            "bundle/macos/Scriptix Reseller.app.tar.gz.sig",
            "bundle/nsis/Scriptix Reseller_0.1.0_x64-setup.exe",
            "bundle/appimage/Scriptix Reseller_0.1.0_amd64.AppImage.tar.gz",
        ] {
            assert!(is_bundle(Path::new(bundle)), "{bundle}");
        }
        for work in [
            "bundle/deb/Scriptix Reseller_0.1.0_amd64/control.tar.gz",
            "bundle/deb/Scriptix Reseller_0.1.0_amd64/data.tar.gz",
            "bundle/rpm/notes.txt",
        ] {
            assert!(!is_bundle(Path::new(work)), "{work}");
        }
    }
}
