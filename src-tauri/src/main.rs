// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // The logo worker is this same executable, started by the app with `--logo-worker` first:
    // it limits itself, decodes one file and exits, before anything of the app (command line,
    // Tauri, WebKit) starts.
    if let Some(code) = reseller_core::logo::worker::serve_if_asked(std::env::args_os()) {
        std::process::exit(code);
    }
    std::process::exit(scriptix_reseller_lib::run());
}
