//! Users tab commands: thin adapters over `reseller_core::tabs::users`. Reads come from the
//! cache; writes are validated and queued in the outbox.

use reseller_core::tabs::users::{validate_user as check_user, UserForm, UsersTab};
use reseller_core::validation::FieldError;
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command]
pub async fn users_tab(state: State<'_, AppState>, customer_id: i64) -> Result<UsersTab, IpcError> {
    Ok(state.workspace().await?.users_tab(customer_id)?)
}

/// Every problem with a user form, per field (empty when it can be saved).
#[tauri::command]
pub fn validate_user(form: UserForm) -> Vec<FieldError> {
    check_user(&form).err().unwrap_or_default()
}

#[tauri::command]
pub async fn add_user(
    state: State<'_, AppState>,
    customer_id: i64,
    form: UserForm,
) -> Result<(), IpcError> {
    Ok(state.workspace().await?.add_user(customer_id, &form)?)
}

#[tauri::command]
pub async fn update_user(
    state: State<'_, AppState>,
    customer_id: i64,
    user_id: i64,
    form: UserForm,
) -> Result<(), IpcError> {
    Ok(state
        .workspace()
        .await?
        .update_user(customer_id, user_id, &form)?)
}

/// `active` false deactivates; true reactivates and sends the reactivation link.
#[tauri::command]
pub async fn set_user_active(
    state: State<'_, AppState>,
    customer_id: i64,
    user_id: i64,
    active: bool,
) -> Result<(), IpcError> {
    Ok(state
        .workspace()
        .await?
        .set_user_active(customer_id, user_id, active)?)
}

#[tauri::command]
pub async fn delete_user(
    state: State<'_, AppState>,
    customer_id: i64,
    user_id: i64,
) -> Result<(), IpcError> {
    Ok(state.workspace().await?.delete_user(customer_id, user_id)?)
}
