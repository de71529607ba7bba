//! The transcriptions tab's command: a page of a customer's transcriptions, filtered and
//! sorted, from the server when `live` (the cache when it cannot be reached), else the cache.

use reseller_core::tabs::transcriptions::{TranscriptionPage, TranscriptionRequest};
use tauri::State;

use super::with_workspace;
use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command]
pub async fn list_transcriptions(
    state: State<'_, AppState>,
    request: TranscriptionRequest,
    live: bool,
) -> Result<TranscriptionPage, IpcError> {
    if live {
        Ok(state
            .workspace()
            .await?
            .transcriptions_live(&request)
            .await?)
    } else {
        with_workspace(&state, move |w| w.transcriptions_cached(&request)).await
    }
}
