//! The window's size and position, saved soon after each change rather than only on a clean
//! exit (what tauri-plugin-window-state does by itself), so a crash or a killed process still
//! reopens the window where the user left it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tauri::{AppHandle, Runtime, WindowEvent};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

/// A drag or a resize sends many events: save once it has settled.
const SETTLE: Duration = Duration::from_millis(400);

static LATEST: AtomicU64 = AtomicU64::new(0);

/// Called for every window event; saves after moves and resizes have settled.
pub fn on_event<R: Runtime>(app: &AppHandle<R>, event: &WindowEvent) {
    if !matches!(event, WindowEvent::Resized(_) | WindowEvent::Moved(_)) {
        return;
    }
    let this = LATEST.fetch_add(1, Ordering::SeqCst) + 1;
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(SETTLE).await;
        if LATEST.load(Ordering::SeqCst) != this {
            return; // a later event will save
        }
        // On the main thread: the plugin holds its cache's lock while it asks the window for
        // its size, which the main thread answers; from here, a resize event arriving meanwhile
        // made the main thread wait for that lock, and the whole app froze.
        // It fails only once the event loop has ended, after the plugin's own save at exit.
        let saver = app.clone();
        let _ = app.run_on_main_thread(move || {
            if let Err(e) = saver.save_window_state(StateFlags::all()) {
                tracing::warn!(error = %e, "the window's size and position could not be saved");
            }
        });
    });
}
