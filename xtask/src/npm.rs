//! Pinned tools from the npm registry, each installed under `target/tools/<name>` (npm checks
//! the registry's integrity hashes). Node and npm come from the system packages (`setup`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Installs `package` at `version` under `tools` unless that version is there already, and
/// answers its folder (`tools/node_modules/<package>`).
pub fn ensure(tools: &Path, package: &str, version: &str) -> Result<PathBuf, String> {
    let dir = tools.join("node_modules").join(package);
    let manifest = std::fs::read_to_string(dir.join("package.json")).unwrap_or_default();
    if manifest.contains(&format!("\"version\": \"{version}\"")) {
        return Ok(dir);
    }
    std::fs::create_dir_all(tools).map_err(|e| format!("{}: {e}", tools.display()))?;
    let status = Command::new("npm")
        .args([
            "install",
            "--no-save",
            "--no-audit",
            "--no-fund",
            "--prefix",
        ])
        .arg(tools)
        .arg(format!("{package}@{version}"))
        .status()
        .map_err(|e| format!("could not run npm: {e}"))?;
    if status.success() {
        Ok(dir)
    } else {
        Err(format!("npm could not install {package}@{version}"))
    }
}
