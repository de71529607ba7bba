//! The app's own folders made private at start: config (settings, window state, token files),
//! data (the offline caches) and cache (WebKit's). New files are private already (the umask set
//! in `run`); this tightens what an older version created 0755/0644. Linux and macOS; nothing
//! to do on Windows, where these folders sit in the user's profile, private by its ACLs.

use reseller_core::private_fs;
use tauri::{AppHandle, Manager, Runtime};

pub fn tighten<R: Runtime>(handle: &AppHandle<R>) {
    let paths = handle.path();
    let dirs = [
        paths.app_config_dir(),
        paths.app_data_dir(),
        paths.app_local_data_dir(),
        paths.app_cache_dir(),
    ];
    for dir in dirs.into_iter().flatten() {
        // A folder that cannot be tightened must not keep the app from starting; it is said.
        if let Err(e) = private_fs::tighten_tree(&dir) {
            tracing::warn!(dir = %dir.display(), error = %e, "could not make the folder private");
        }
    }
}
