//! The transcriptions tab's command: a page of a customer's transcriptions, filtered and
//! sorted, from the server when `live` (the cache when it cannot be reached), else the cache.

use reseller_core::tabs::transcriptions::{TranscriptionPage, TranscriptionRequest};
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command]
pub async fn list_transcriptions(
    state: State<'_, AppState>,
    request: TranscriptionRequest,
    live: bool,
) -> Result<TranscriptionPage, IpcError> {
    let workspace = state.workspace().await?;
    Ok(if live {
        workspace.transcriptions_live(&request).await?
    } else {
        workspace.transcriptions_cached(&request)?
    })
}
