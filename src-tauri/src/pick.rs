//! Native file dialogs, shown from Rust: a command asks for a path, the user picks it, the
//! command reads or writes the file itself. The webview never gets a dialog permission.
//!
//! Test seam (debug builds only): native dialogs cannot be driven through WebDriver, so when
//! `SCRIPTIX_TEST_DIALOG` names a file, a dialog is not shown; the file's content at that
//! moment is the path "picked" (empty: the user cancelled). A test writes the file, then clicks.

use std::path::PathBuf;

use tauri::AppHandle;
use tauri_plugin_dialog::{DialogExt, FilePath};

/// The environment variable of the test seam (honoured only in debug builds).
pub const TEST_DIALOG_ENV: &str = "SCRIPTIX_TEST_DIALOG";

/// A file filter: its label and extensions (without dots).
pub struct Filter<'a> {
    pub name: &'a str,
    pub extensions: &'a [&'a str],
}

/// Asks the user for a file to open. `None`: cancelled.
pub async fn open_path(app: &AppHandle, title: &str, filters: &[Filter<'_>]) -> Option<PathBuf> {
    if let Some(seam) = test_seam() {
        return seam;
    }
    let mut dialog = app.dialog().file().set_title(title);
    for f in filters {
        dialog = dialog.add_filter(f.name, f.extensions);
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    dialog.pick_file(move |path| {
        let _ = tx.send(path);
    });
    rx.await.ok().flatten().and_then(local_path)
}

/// Asks the user where to save a file, suggesting `file_name`. `None`: cancelled.
pub async fn save_path(
    app: &AppHandle,
    title: &str,
    file_name: &str,
    filters: &[Filter<'_>],
) -> Option<PathBuf> {
    if let Some(seam) = test_seam() {
        return seam;
    }
    let mut dialog = app
        .dialog()
        .file()
        .set_title(title)
        .set_file_name(file_name);
    for f in filters {
        dialog = dialog.add_filter(f.name, f.extensions);
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    dialog.save_file(move |path| {
        let _ = tx.send(path);
    });
    rx.await.ok().flatten().and_then(local_path)
}

fn local_path(path: FilePath) -> Option<PathBuf> {
    path.into_path().ok()
}

/// `Some(answer)` when the test seam is on (debug builds with `SCRIPTIX_TEST_DIALOG` set).
fn test_seam() -> Option<Option<PathBuf>> {
    if !cfg!(debug_assertions) {
        return None;
    }
    let file = std::env::var_os(TEST_DIALOG_ENV).filter(|v| !v.is_empty())?;
    let picked = std::fs::read_to_string(file).unwrap_or_default();
    let picked = picked.trim();
    Some((!picked.is_empty()).then(|| PathBuf::from(picked)))
}
