//! One app per data folder: a second launch shows the running window and exits, instead of a
//! second process writing the same cache and outbox.
//!
//! tauri-plugin-single-instance finds the running app through a D-Bus name on Linux, a named
//! mutex on Windows and a socket on macOS. On Linux the name carries a digest of the data
//! folder, so one user's app is one process while apps with different data folders (another
//! `XDG_DATA_HOME`, as the end-to-end tests give each launch) stay independent. Without a
//! session bus the plugin cannot look and the app starts normally (logged).

use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Manager, Runtime};

/// The plugin, to register before any other.
pub fn plugin<R: Runtime>(identifier: &str) -> TauriPlugin<R> {
    tauri_plugin_single_instance::Builder::new()
        .dbus_id(dbus_id(identifier, &data_home()))
        .callback(|app, _args, _cwd| show_running_window(app))
        .build()
}

fn show_running_window<R: Runtime>(app: &AppHandle<R>) {
    tracing::info!("a second launch: showing the running window instead");
    bring_to_front(app);
}

/// Shows the window in front (un-minimised, focused).
pub fn bring_to_front<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// The folder the OS keeps app data in (`XDG_DATA_HOME`, else `~/.local/share`), as Tauri
/// resolves it on Linux.
fn data_home() -> String {
    dirs::data_dir()
        .map(|d| d.display().to_string())
        .unwrap_or_default()
}

/// `identifier` with a digest of `data_home`: a valid D-Bus name element (it starts with a
/// letter), the same for every launch with that data folder.
fn dbus_id(identifier: &str, data_home: &str) -> String {
    format!("{identifier}.data{:016x}", fnv1a(data_home.as_bytes()))
}

/// FNV-1a, 64 bits: stable across builds (unlike `DefaultHasher`), so an updated app finds
/// the instance an older build started.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_name_per_data_folder() {
        let a = dbus_id("io.scriptix.reseller", "/home/ann/.local/share");
        assert_eq!(a, dbus_id("io.scriptix.reseller", "/home/ann/.local/share"));
        assert_ne!(a, dbus_id("io.scriptix.reseller", "/tmp/e2e-1/data"));
        assert!(a.starts_with("io.scriptix.reseller.data"));
        // D-Bus name elements: letters, digits, '_' and '-', not starting with a digit.
        let last = a.rsplit('.').next().unwrap();
        assert!(last.chars().next().unwrap().is_ascii_alphabetic());
        assert!(last.chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn fnv1a_matches_its_reference_values() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
