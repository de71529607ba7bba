//! The packaged app, tested as installed (a stage of `cargo xtask test`): the `.deb` is made by
//! the same path as `cargo xtask dist` (in the profile the caller names), installed with dpkg (then
//! `apt-get -f install` for anything it depends on), and driven through WebDriver by
//! `tests/tests/installed.rs`, which also updates and then removes it. Needs Debian or Ubuntu
//! and root (or sudo).
//!
//! For the update test both packages are signed with a key made for this run (the release key
//! never leaves the release workflow's secrets), whose public half the test builds carry, with
//! plain http allowed for the local update source: the next version is the same code with the
//! patch version raised, and a third signature of it comes from another key.

use std::path::{Path, PathBuf};

use crate::{cmd, dist};

const PACKAGE: &str = "scriptix-reseller";
const INSTALLED_BINARY: &str = "/usr/bin/scriptix-reseller";

/// Whether this machine can install a .deb: dpkg is there, and we are root or have sudo.
pub fn possible() -> Result<(), String> {
    if !cfg!(target_os = "linux") || cmd::output("dpkg-query", &["--version"]).is_none() {
        return Err("not a Debian or Ubuntu system (no dpkg)".into());
    }
    if !is_root() && cmd::output("sudo", &["-n", "true"]).is_none() {
        return Err("neither root nor a password-free sudo".into());
    }
    Ok(())
}

pub fn run(root: &Path, profile: &str, env: &[(String, String)]) -> Result<(), String> {
    let work = root.join("target").join("installed-test");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    cmd::step("update signing keys for this run");
    let cli = dist::ensure_cli(root)?;
    let key = work.join("test.key");
    let wrong_key = work.join("wrong.key");
    for k in [&key, &wrong_key] {
        tauri(
            &cli,
            &[
                "signer",
                "generate",
                "--ci",
                "--force",
                "-p",
                "",
                "-w",
                &path(k),
            ],
            &[],
        )?;
    }
    let public = read(&with_suffix(&key, ".pub"))?;
    let current = env!("CARGO_PKG_VERSION");
    let next = next_patch(current)?;
    let test_config = format!(
        r#"{{"plugins":{{"updater":{{"pubkey":"{}","dangerousInsecureTransportProtocol":true}}}}}}"#,
        public.trim()
    );
    let signing = vec![
        ("TAURI_SIGNING_PRIVATE_KEY".to_string(), path(&key)),
        (
            "TAURI_SIGNING_PRIVATE_KEY_PASSWORD".to_string(),
            String::new(),
        ),
    ];
    // The next version first: the installed one is built last, so the binary the profile's
    // folder holds afterwards is the installed version's.
    for (name, version) in [("next", next.as_str()), ("current", current)] {
        let mut config = vec![test_config.clone()];
        if version != current {
            config.push(format!(r#"{{"version":"{version}"}}"#));
        }
        let bundles = dist::bundle(
            root,
            &dist::Build {
                profile: profile.to_string(),
                bundles: vec!["deb".into()],
                config,
                env: signing.clone(),
                target: None,
            },
        )?;
        let deb = bundles
            .iter()
            .find(|p| p.extension().is_some_and(|e| e == "deb"))
            .ok_or("tauri build made no .deb")?;
        let sig = with_suffix(deb, ".sig");
        copy(deb, &work.join(format!("{name}.deb")))?;
        copy(&sig, &work.join(format!("{name}.deb.sig")))?;
    }
    std::fs::write(work.join("next.version"), &next).map_err(|e| e.to_string())?;
    // The same package signed by another key (the signer writes `<file>.sig` beside a copy).
    let other = work.join("other");
    std::fs::create_dir_all(&other).map_err(|e| e.to_string())?;
    copy(&work.join("next.deb"), &other.join("next.deb"))?;
    tauri(
        &cli,
        &[
            "signer",
            "sign",
            "-f",
            &path(&wrong_key),
            "-p",
            "",
            "--app-version",
            &next,
            &path(&other.join("next.deb")),
        ],
        &[],
    )?;
    copy(
        &other.join("next.deb.sig"),
        &work.join("next.deb.wrong.sig"),
    )?;

    let deb = work.join("current.deb");
    cmd::step(&format!("installing {}", deb.display()));
    let deb_arg = path(&deb);
    if privileged("dpkg", &["--install", &deb_arg]).is_err() {
        // dpkg leaves the package unconfigured when a dependency is missing; apt brings it.
        privileged(
            "apt-get",
            &["-f", "install", "-y", "--no-install-recommends"],
        )?;
    }
    let status = cmd::output("dpkg-query", &["-W", "-f", "${Status}", PACKAGE]);
    if status.as_deref() != Some("install ok installed") {
        return Err(format!("{PACKAGE} is not installed after dpkg: {status:?}"));
    }
    cmd::step("the installed app, driven and updated (tests/tests/installed.rs)");
    let files = path(&work);
    let mut env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    env.push(("SCRIPTIX_APP_BIN", INSTALLED_BINARY));
    env.push(("SCRIPTIX_UPDATE_FILES", &files));
    // Resolved as the workspace run resolves its features, so nothing but e2e is rebuilt.
    let result = cmd::cargo(
        &[
            "test",
            "--workspace",
            "--exclude",
            "empty-window",
            "--features",
            "e2e/installed",
            "--test",
            "installed",
        ],
        &env,
    );
    // The test removes the package itself; after a failure, leave the machine as it was.
    if cmd::output("dpkg-query", &["-W", "-f", "${Status}", PACKAGE])
        .is_some_and(|s| s.contains("installed") && !s.contains("not-installed"))
    {
        let _ = privileged("dpkg", &["--remove", PACKAGE]);
    }
    result
}

/// 1.2.3 -> 1.2.4.
fn next_patch(version: &str) -> Result<String, String> {
    let parts: Vec<u64> = version
        .split('.')
        .map(|p| p.parse().map_err(|_| format!("not a version: {version}")))
        .collect::<Result<_, _>>()?;
    match parts.as_slice() {
        [major, minor, patch] => Ok(format!("{major}.{minor}.{}", patch + 1)),
        _ => Err(format!("not MAJOR.MINOR.PATCH: {version}")),
    }
}

fn tauri(cli: &Path, args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    let mut all = vec![cli.to_str().ok_or("a non-UTF-8 path")?];
    all.extend_from_slice(args);
    cmd::run("node", &all, env)
}

fn path(p: &Path) -> String {
    p.display().to_string()
}

fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn read(p: &Path) -> Result<String, String> {
    std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("{} -> {}: {e}", from.display(), to.display()))
}

fn is_root() -> bool {
    cmd::output("id", &["-u"]).as_deref() == Some("0")
}

/// Runs a system command as root: directly when we are root, else through sudo.
fn privileged(program: &str, args: &[&str]) -> Result<(), String> {
    let env = [("DEBIAN_FRONTEND", "noninteractive")];
    if is_root() {
        return cmd::run(program, args, &env);
    }
    let mut with = vec!["-n", "env", "DEBIAN_FRONTEND=noninteractive", program];
    with.extend_from_slice(args);
    cmd::run("sudo", &with, &[])
}
