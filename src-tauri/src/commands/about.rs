//! About and "Copy diagnostics": the version, and the report a support ticket gets
//! (`reseller_core::support`).

use reseller_core::logging::RecentErrors;
use reseller_core::support::{self, AppFacts};
use tauri::{AppHandle, Runtime, State};

use super::blocking;
use crate::error::IpcError;
use crate::state::AppState;

fn facts<R: Runtime>(app: &AppHandle<R>) -> AppFacts {
    AppFacts {
        version: app.package_info().version.to_string(),
        webview: tauri::webview_version().ok(),
        log_dir: reseller_core::logging::log_dir(&app.config().identifier)
            .map(|d| d.display().to_string()),
    }
}

/// `{version, webview, logDir}`.
#[tauri::command]
pub fn about<R: Runtime>(app: AppHandle<R>) -> AppFacts {
    facts(&app)
}

/// The report as text; signed out it says so.
#[tauri::command]
pub async fn diagnostics_report<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<String, IpcError> {
    let facts = facts(&app);
    let account = match state.workspace().await {
        Ok(ws) => Some(blocking(move || Ok::<_, IpcError>(ws.account_facts())).await?),
        Err(_) => None,
    };
    Ok(support::report(
        &facts,
        account.as_ref(),
        &RecentErrors::global().snapshot(),
    ))
}
