//! Scriptix Reseller Desktop: the Tauri shell. It parses the command line, runs the demo
//! sandbox, gives the core's account lifecycle (`reseller_core::account`) what only a shell
//! can (folders, background tasks, the settings file) and registers the IPC commands; the
//! application itself lives in `reseller-core`.

mod active;
mod cli;
mod commands;
mod demo;
mod error;
mod notices;
mod pick;
mod private_dirs;
mod settings;
mod single_instance;
mod state;
mod updates;
mod window_state;

pub use error::IpcError;

use tauri::{Emitter, Manager, RunEvent};

use reseller_core::account::SignInDefaults;

use crate::active::Host;
use crate::cli::Startup;
use crate::state::AppState;

/// Runs the app and returns the process exit code.
pub fn run() -> i32 {
    // The start's clock: the desktop benchmark reads the later milestones against this one.
    reseller_core::diagnostics::memory::milestone(
        reseller_core::diagnostics::memory::PROCESS_START,
    );
    // Before any thread or file: what the app, its plugins and WebKit create is private.
    reseller_core::private_fs::restrict_umask();
    let token = std::env::var(cli::TOKEN_ENV).ok();
    // WebKit's helper processes inherit the environment; the token has no business there.
    std::env::remove_var(cli::TOKEN_ENV);
    let context = tauri::generate_context!();
    let version = context.package_info().version.to_string();
    let launch = match cli::parse(std::env::args_os(), token, &version, demo::AVAILABLE) {
        Ok(launch) => launch,
        Err(e) => {
            // --help and --version land here too, with exit code 0.
            let _ = e.print();
            return e.exit_code();
        }
    };
    let identifier = context.config().identifier.clone();
    let log_guard = init_logging(&identifier);

    let state = AppState::new(SignInDefaults {
        base_url: launch.base_url,
        auth_style: launch.auth_style,
    });
    let startup = launch.startup;
    let app = tauri::Builder::default()
        // First: a second launch hands over to the running app before anything else starts.
        .plugin(single_instance::plugin(&identifier))
        .plugin(tauri_plugin_store::Builder::default().build())
        // Native open and save dialogs, shown from Rust (`pick`); the webview gets no dialog
        // permission of its own.
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        // Restores the window's size and position at start; saves them as it closes.
        .plugin(tauri_plugin_window_state::Builder::default().build())
        // Verifies and installs signed updates (`updates`); the webview gets none of its
        // commands, only the app's own.
        .plugin(tauri_plugin_updater::Builder::new().build())
        .manage(updates::Updates::default())
        .manage(notices::Recheck::default())
        .on_window_event(|window, event| window_state::on_event(window.app_handle(), event))
        .manage(state)
        .setup(move |app| {
            // Tauri has built the configured window (and started its web process) by now.
            reseller_core::diagnostics::memory::milestone(
                reseller_core::diagnostics::memory::WINDOW_CREATED,
            );
            private_dirs::tighten(app.handle());
            exit_on_signals(app.handle());
            start_launch_sign_in(app.handle(), startup);
            updates::check_after_start(app.handle());
            notices::open_on_click(app.handle());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::about::about,
            commands::about::diagnostics_report,
            commands::updates::update_status,
            commands::updates::check_for_update,
            commands::updates::install_update,
            commands::updates::restart_to_update,
            commands::session::sign_in_defaults,
            commands::session::session_info,
            commands::session::sign_in,
            commands::session::start_demo,
            commands::session::sign_out,
            commands::session::verify_session,
            commands::session::list_accounts,
            commands::session::switch_account,
            commands::branding::get_branding,
            commands::branding::refresh_branding,
            commands::branding::choose_logo,
            commands::branding::cancel_logo,
            commands::branding::remove_logo,
            commands::branding::set_brand_colour,
            commands::branding::preview_brand_colour,
            commands::branding::reset_brand_colour,
            commands::branding::discard_branding_changes,
            commands::customers::validate_customer,
            commands::customers::customer_form_changed,
            commands::customers::list_customers,
            commands::customers::get_customer,
            commands::customers::create_customer,
            commands::customers::update_customer,
            commands::customers::delete_customer,
            commands::customers::discard_changes,
            commands::customers::list_conflicts,
            commands::customers::settle_conflict,
            commands::activity::activity_page,
            commands::activity::export_activity_csv,
            commands::activity::set_activity_retention,
            commands::bulk::bulk_customers,
            commands::bulk::list_batches,
            commands::bulk::undo_batch,
            commands::bulk::dismiss_batch,
            commands::bulk::selection_words,
            commands::customer_csv::export_customers_csv,
            commands::customer_csv::preview_customer_import,
            commands::customer_csv::import_customers,
            commands::customers::open_customer,
            commands::sync::sync_status,
            commands::sync::sync_now,
            commands::settings::get_settings,
            commands::settings::set_theme,
            commands::settings::set_desktop_notifications,
            commands::subscriptions::subscriptions_tab,
            commands::subscriptions::list_plans,
            commands::subscriptions::refresh_plans,
            commands::subscriptions::add_subscription,
            commands::subscriptions::set_auto_renew,
            commands::subscriptions::discard_tab_change,
            commands::tokens::tokens_tab,
            commands::tokens::create_token,
            commands::tokens::revoke_token,
            commands::users::users_tab,
            commands::users::validate_user,
            commands::users::add_user,
            commands::users::update_user,
            commands::users::set_user_active,
            commands::users::delete_user,
            commands::dashboard::dashboard_view,
            commands::dashboard::export_dashboard_csv,
            commands::dashboard::set_alert_threshold,
            commands::dashboard::dashboard_hidden,
            commands::usage::usage_view,
            commands::usage::usage_options,
            commands::usage::dashboard_options,
            commands::usage::refresh_usage,
            commands::usage::export_usage_csv,
            commands::transcriptions::list_transcriptions,
            commands::diagnostics::memory_milestones,
        ])
        .build(context);
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            eprintln!("Scriptix Reseller could not start: {e}");
            return 1;
        }
    };
    // The event loop may end the process without returning: the log is flushed on Exit.
    let mut log_guard = Some(log_guard);
    app.run(move |handle, event| {
        if let RunEvent::Exit = event {
            handle.state::<AppState>().demo.stop();
            drop(log_guard.take());
        }
    });
    0
}

/// Event saying that the remembered accounts not shown at start are open now (to be confirmed
/// with their servers).
pub const ACCOUNTS_OPENED_EVENT: &str = "accounts-opened";

/// Starts the sign-in the command line asked for (or resumes the remembered account), so it
/// runs while the window loads; the UI picks up its result through `session_info`.
fn start_launch_sign_in(handle: &tauri::AppHandle, startup: Startup) {
    let task_handle = handle.clone();
    let job = tauri::async_runtime::spawn(async move {
        let state = task_handle.state::<AppState>();
        let host = Host::new(&task_handle);
        match startup {
            Startup::Demo => {
                let session = state.demo.sign_in().await?;
                state.accounts.open_demo(&host, session).await?;
            }
            Startup::SignIn(request) => {
                state.accounts.sign_in_this_run(&host, request).await?;
            }
            // Opens at once on the cache; the UI then asks `verify_session`. The other
            // remembered accounts open behind it, without holding the window's first answer.
            Startup::SignInScreen => {
                let resumed = state.accounts.resume(&host).await;
                let others = task_handle.clone();
                tauri::async_runtime::spawn(async move {
                    let state = others.state::<AppState>();
                    state.accounts.resume_others(&Host::new(&others)).await;
                    // The window confirms them with their servers (`verify_session`), and says
                    // which one a server refuses.
                    let _ = others.emit(ACCOUNTS_OPENED_EVENT, ());
                });
                resumed?;
            }
        }
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

/// The log: stderr and a daily file in the OS log folder (`reseller_core::logging`).
/// `SCRIPTIX_LOG` sets the detail (default `info`).
fn init_logging(identifier: &str) -> reseller_core::logging::LogGuard {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SCRIPTIX_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let dir = reseller_core::logging::log_dir(identifier);
    reseller_core::logging::init(filter, dir.as_deref())
}
