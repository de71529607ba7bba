//! The log file: lines land in a dated file in the folder given, warnings and errors also in
//! the recent-errors ring, and the detail follows the filter.

use reseller_core::logging::{self, RecentErrors};
use tracing_subscriber::EnvFilter;

#[test]
fn lines_land_in_a_dated_file_and_warnings_in_the_ring() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    let ring = RecentErrors::default();
    let (subscriber, guard) = logging::subscriber(EnvFilter::new("info"), Some(&logs), &ring);
    tracing::subscriber::with_default(subscriber, || {
        tracing::debug!("below the filter");
        tracing::info!("signed in");
        tracing::warn!(code = "offline", "sync round ended early");
    });
    drop(guard); // flushes the writer thread

    let files: Vec<_> = std::fs::read_dir(&logs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().to_string();
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(name, format!("scriptix-reseller.{today}.log"));
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(text.contains("signed in"), "{text}");
    assert!(text.contains("sync round ended early"), "{text}");
    assert!(!text.contains("below the filter"), "{text}");
    // Plain text: no terminal colour codes in a file.
    assert!(!text.contains('\u{1b}'), "{text}");

    let recent = ring.snapshot();
    assert_eq!(recent.len(), 1);
    assert_eq!(recent[0].code.as_deref(), Some("offline"));
}

#[test]
fn a_folder_that_cannot_be_made_leaves_the_log_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, b"not a folder").unwrap();
    let ring = RecentErrors::default();
    let (subscriber, _guard) =
        logging::subscriber(EnvFilter::new("info"), Some(&blocker.join("logs")), &ring);
    tracing::subscriber::with_default(subscriber, || tracing::error!("still recorded"));
    assert_eq!(ring.snapshot().len(), 1);
}

#[test]
fn the_log_folder_is_the_app_data_folders_logs() {
    let dir = logging::log_dir("io.scriptix.reseller").unwrap();
    if cfg!(target_os = "macos") {
        assert!(dir.ends_with("Library/Logs/io.scriptix.reseller"));
    } else {
        assert!(dir.ends_with("io.scriptix.reseller/logs"));
    }
}
