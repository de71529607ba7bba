//! The desktop benchmark's baseline: a Tauri window with an empty page and nothing else (no
//! commands, plugins, state or sync), built from the same Tauri version, webview and profile as
//! the app, and measured the same way (`tests/benches/desktop.rs`).

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    if let Err(e) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("empty window: {e}");
        std::process::exit(1);
    }
}
