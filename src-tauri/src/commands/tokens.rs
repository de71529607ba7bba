//! Tokens tab commands. Creating a token is sent at once (its secret is in the answer only,
//! returned to the dialog that shows it and never stored); revoking is queued in the outbox.

use reseller_core::tabs::tokens::{NewToken, TokenForm, TokensTab};
use tauri::State;

use super::with_workspace;
use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command]
pub async fn tokens_tab(
    state: State<'_, AppState>,
    customer_id: i64,
) -> Result<TokensTab, IpcError> {
    with_workspace(&state, move |w| w.tokens_tab(customer_id)).await
}

/// Creates the token on the server now; the answer carries its secret, this once.
#[tauri::command]
pub async fn create_token(
    state: State<'_, AppState>,
    customer_id: i64,
    form: TokenForm,
) -> Result<NewToken, IpcError> {
    Ok(state
        .workspace()
        .await?
        .create_token(customer_id, &form)
        .await?)
}

#[tauri::command]
pub async fn revoke_token(
    state: State<'_, AppState>,
    customer_id: i64,
    token_id: i64,
) -> Result<(), IpcError> {
    with_workspace(&state, move |w| w.revoke_token(customer_id, token_id)).await
}
