//! A display for the end-to-end tests: the session's own, or an Xvfb started for the run.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub enum Display {
    Existing(String),
    /// Ours: stopped when dropped.
    Xvfb {
        name: String,
        child: Child,
    },
}

impl Display {
    pub fn name(&self) -> &str {
        match self {
            Display::Existing(name) | Display::Xvfb { name, .. } => name,
        }
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        if let Display::Xvfb { child, .. } = self {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Uses `$DISPLAY` when set; otherwise starts Xvfb on a free display number.
pub fn ensure() -> Result<Display, String> {
    if let Ok(name) = std::env::var("DISPLAY") {
        if !name.is_empty() {
            return Ok(Display::Existing(name));
        }
    }
    // -displayfd makes Xvfb pick a free display and print its number once it accepts clients.
    let mut child = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1280x800x24",
            "-nolisten",
            "tcp",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| {
            format!("could not start Xvfb ({e}); install the `xvfb` package or set DISPLAY")
        })?;
    let stdout = child.stdout.take().ok_or("Xvfb gave no output pipe")?;
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| format!("could not read Xvfb's display number: {e}"))?;
    let number = line.trim();
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
        let _ = child.kill();
        return Err(format!(
            "Xvfb did not report a display number (got {line:?})"
        ));
    }
    Ok(Display::Xvfb {
        name: format!(":{number}"),
        child,
    })
}
