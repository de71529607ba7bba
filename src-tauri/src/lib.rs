//! Scriptix Reseller Desktop: the Tauri shell. It parses the command line, holds the session
//! and the demo sandbox, and registers the IPC commands; the application itself lives in
//! `reseller-core`.

mod cli;
mod commands;
mod demo;
mod error;
mod state;

pub use error::IpcError;

use tauri::{Manager, RunEvent};

use crate::cli::Startup;
use crate::state::{AppState, SignInDefaults};

/// Runs the app and returns the process exit code.
pub fn run() -> i32 {
    let token = std::env::var(cli::TOKEN_ENV).ok();
    // WebKit's helper processes inherit the environment; the token has no business there.
    std::env::remove_var(cli::TOKEN_ENV);
    let launch = match cli::parse(std::env::args_os(), token) {
        Ok(launch) => launch,
        Err(e) => {
            // --help and --version land here too, with exit code 0.
            let _ = e.print();
            return e.exit_code();
        }
    };
    init_logging();

    let state = AppState::new(SignInDefaults {
        base_url: launch.base_url,
        auth_style: launch.auth_style,
    });
    let startup = launch.startup;
    let app = tauri::Builder::default()
        .manage(state)
        .setup(move |app| {
            exit_on_signals(app.handle());
            start_launch_sign_in(app.handle(), startup);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::session::sign_in_defaults,
            commands::session::session_info,
            commands::session::sign_in,
            commands::session::start_demo,
            commands::session::sign_out,
            commands::customers::validate_customer,
        ])
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            eprintln!("Scriptix Reseller could not start: {e}");
            return 1;
        }
    };
    app.run(|handle, event| {
        if let RunEvent::Exit = event {
            handle.state::<AppState>().demo.stop();
        }
    });
    0
}

/// Starts the sign-in the command line asked for, so it runs while the window loads; the UI
/// picks up its result through `session_info`.
fn start_launch_sign_in(handle: &tauri::AppHandle, startup: Startup) {
    let request = match startup {
        Startup::SignInScreen => return,
        Startup::Demo => None,
        Startup::SignIn(request) => Some(request),
    };
    let task_handle = handle.clone();
    let job = tauri::async_runtime::spawn(async move {
        let state = task_handle.state::<AppState>();
        let session = match request {
            None => state.demo.sign_in().await?,
            Some(request) => reseller_core::sign_in(request).await.map_err(|e| {
                tracing::warn!(code = e.code(), "sign-in at start refused");
                IpcError::from(e)
            })?,
        };
        state.replace_session(session).await;
        Ok(())
    });
    handle.state::<AppState>().set_startup_job(job);
}

/// Ctrl-C in a terminal and SIGTERM end the app the way closing its window does, so the demo
/// sandbox's temporary database is removed (the default action would just kill the process).
#[cfg(unix)]
fn exit_on_signals(handle: &tauri::AppHandle) {
    let handle = handle.clone();
    tauri::async_runtime::spawn(async move {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
        tracing::info!("stopping on a signal");
        handle.exit(0);
    });
}

#[cfg(not(unix))]
fn exit_on_signals(_handle: &tauri::AppHandle) {}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SCRIPTIX_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // A second initialisation (there is none today) would only mean no new subscriber.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}
