//! Signing in and out, and the demo.

use reseller_core::{SessionInfo, SignInRequest};
use tauri::State;

use crate::error::IpcError;
use crate::state::{AppState, SignInDefaults};

/// What the sign-in form starts with.
#[tauri::command]
pub fn sign_in_defaults(state: State<'_, AppState>) -> SignInDefaults {
    state.defaults.clone()
}

/// Who is signed in, if anyone. Waits for a sign-in the command line started, and reports its
/// failure (once) so the sign-in screen can show it.
#[tauri::command]
pub async fn session_info(state: State<'_, AppState>) -> Result<Option<SessionInfo>, IpcError> {
    state.settle_startup().await?;
    Ok(state.session_info().await)
}

#[tauri::command]
pub async fn sign_in(
    state: State<'_, AppState>,
    request: SignInRequest,
) -> Result<SessionInfo, IpcError> {
    // A launch sign-in still running would otherwise overwrite this one when it finishes.
    let _ = state.settle_startup().await;
    let session = reseller_core::sign_in(request).await.map_err(|e| {
        tracing::warn!(code = e.code(), "sign-in refused");
        IpcError::from(e)
    })?;
    Ok(state.replace_session(session).await)
}

#[tauri::command]
pub async fn start_demo(state: State<'_, AppState>) -> Result<SessionInfo, IpcError> {
    let _ = state.settle_startup().await;
    let session = state.demo.sign_in().await?;
    Ok(state.replace_session(session).await)
}

#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> Result<(), IpcError> {
    state.clear_session().await;
    Ok(())
}
