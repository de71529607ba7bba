//! IPC commands, one file per domain. Each is a thin adapter: arguments in, a call into
//! `reseller-core`, `{code, message, field?}` out on failure.

pub mod about;
pub mod activity;
pub mod branding;
pub mod bulk;
pub mod customer_csv;
pub mod customers;
pub mod dashboard;
pub mod diagnostics;
pub mod session;
pub mod settings;
pub mod subscriptions;
pub mod sync;
pub mod tokens;
pub mod transcriptions;
pub mod updates;
pub mod usage;
pub mod users;

use reseller_core::workspace::Workspace;

use crate::error::IpcError;
use crate::state::AppState;

/// Runs `work` with the signed-in account's workspace on the blocking thread pool. Workspace
/// calls do SQLite work and may wait for a cache connection; on the async runtime's few threads
/// that would hold up every other command and event meanwhile.
pub(crate) async fn with_workspace<T, E>(
    state: &AppState,
    work: impl FnOnce(&Workspace) -> Result<T, E> + Send + 'static,
) -> Result<T, IpcError>
where
    T: Send + 'static,
    E: Into<IpcError> + Send + 'static,
{
    let workspace = state.workspace().await?;
    blocking(move || work(&workspace)).await
}

/// Runs blocking `work` (SQLite, files) on the blocking thread pool.
pub(crate) async fn blocking<T, E>(
    work: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, IpcError>
where
    T: Send + 'static,
    E: Into<IpcError> + Send + 'static,
{
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|e| IpcError::internal(format!("The app could not finish this task: {e}")))?
        .map_err(Into::into)
}
