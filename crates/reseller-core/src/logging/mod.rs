//! The app's log: lines to stderr (a terminal, the tests' driver log) and to a file in the OS
//! log folder, a new file each day and the last `KEPT_FILES` kept; and the last warnings and
//! errors in memory for "Copy diagnostics" (`recent`).
//!
//! No secret is logged: the API client never logs headers or tokens, and the token is read
//! from the keychain into the client only. `tests/logging.rs` signs in and reads the file.

pub mod recent;

use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::{EnvFilter, Layer, Registry};

pub use recent::{RecentError, RecentErrors};

/// Log files kept (one a day).
pub const KEPT_FILES: usize = 7;
/// Files are named `scriptix-reseller.YYYY-MM-DD.log`.
pub const FILE_PREFIX: &str = "scriptix-reseller";
pub const FILE_SUFFIX: &str = "log";

/// The OS's log folder for the app `identifier`, as Tauri's `app_log_dir` resolves it:
/// `~/Library/Logs/<id>` on macOS, `<local data>/<id>/logs` elsewhere (`~/.local/share` on
/// Linux, `%LOCALAPPDATA%` on Windows).
pub fn log_dir(identifier: &str) -> Option<PathBuf> {
    if cfg!(target_os = "macos") {
        dirs::home_dir().map(|h| h.join("Library/Logs").join(identifier))
    } else {
        dirs::data_local_dir().map(|d| d.join(identifier).join("logs"))
    }
}

/// Keeps the file writer's thread alive; dropping it flushes the file.
pub struct LogGuard {
    _writer: Option<WorkerGuard>,
}

/// The subscriber: `filter` (e.g. `info`) over stderr and, with `dir`, the rotated file; the
/// recent-errors ring records warnings and errors whatever the filter's detail. A file that
/// cannot be opened leaves the log on stderr only (said there).
pub fn subscriber(
    filter: EnvFilter,
    dir: Option<&Path>,
    recent: &RecentErrors,
) -> (impl tracing::Subscriber + Send + Sync, LogGuard) {
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let mut problem = None;
    let (file, guard) = match dir.map(open_file) {
        Some(Ok(appender)) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let layer = tracing_subscriber::fmt::layer()
                .with_writer(writer)
                .with_ansi(false);
            (Some(layer), Some(guard))
        }
        Some(Err(e)) => {
            problem = Some(e);
            (None, None)
        }
        None => (None, None),
    };
    let subscriber = Registry::default()
        .with(recent.layer())
        .with(stderr.and_then(file).with_filter(filter));
    if let Some(e) = problem {
        eprintln!("the log file could not be opened ({e}); logging to stderr only");
    }
    (subscriber, LogGuard { _writer: guard })
}

fn open_file(dir: &Path) -> Result<RollingFileAppender, String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(FILE_PREFIX)
        .filename_suffix(FILE_SUFFIX)
        .max_log_files(KEPT_FILES)
        .build(dir)
        .map_err(|e| e.to_string())
}

/// Installs `subscriber(..)` for the whole process with the global recent-errors ring. Keep
/// the guard until the process ends.
pub fn init(filter: EnvFilter, dir: Option<&Path>) -> LogGuard {
    let (subscriber, guard) = subscriber(filter, dir, RecentErrors::global());
    // `try_init` also routes the `log` crate's records (rusqlite_migration, some of Tauri's) into
    // it. A second initialisation (there is none) would only keep the first.
    let _ = tracing_subscriber::util::SubscriberInitExt::try_init(subscriber);
    guard
}
