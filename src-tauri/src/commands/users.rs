//! Users tab commands: thin adapters over `reseller_core::tabs::users`. Reads come from the
//! cache; writes are validated and queued in the outbox.

use reseller_core::tabs::users::{validate_user as check_user, UserForm, UsersTab};
use reseller_core::validation::FieldError;
use tauri::State;

use super::with_workspace;
use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command]
pub async fn users_tab(state: State<'_, AppState>, customer_id: i64) -> Result<UsersTab, IpcError> {
    with_workspace(&state, move |w| w.users_tab(customer_id)).await
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
    with_workspace(&state, move |w| w.add_user(customer_id, &form)).await
}

#[tauri::command]
pub async fn update_user(
    state: State<'_, AppState>,
    customer_id: i64,
    user_id: i64,
    form: UserForm,
) -> Result<(), IpcError> {
    with_workspace(&state, move |w| w.update_user(customer_id, user_id, &form)).await
}

/// `active` false deactivates; true reactivates and sends the reactivation link.
#[tauri::command]
pub async fn set_user_active(
    state: State<'_, AppState>,
    customer_id: i64,
    user_id: i64,
    active: bool,
) -> Result<(), IpcError> {
    with_workspace(&state, move |w| {
        w.set_user_active(customer_id, user_id, active)
    })
    .await
}

#[tauri::command]
pub async fn delete_user(
    state: State<'_, AppState>,
    customer_id: i64,
    user_id: i64,
) -> Result<(), IpcError> {
    with_workspace(&state, move |w| w.delete_user(customer_id, user_id)).await
}
