//! Customer commands: thin adapters over `reseller_core::workspace::Workspace`. Reads come from
//! the cache; writes go through the outbox (and nudge the sync engine).

use reseller_core::customers::{ConflictView, CustomerView, ListRequest, ListRow, ListWindow};
use reseller_core::customers::{CustomerForm, Resolution};
use reseller_core::validation::{check_customer, CustomerDraft, CustomerValues, FormCheck};
use tauri::State;

use super::with_workspace;
use crate::error::IpcError;
use crate::state::AppState;

/// Every problem with a customer form, per field, and the phone as it will be shown.
#[tauri::command]
pub fn validate_customer(form: CustomerForm) -> FormCheck {
    check_customer(&CustomerDraft {
        name: &form.name,
        email: &form.email,
        phone: &form.phone,
    })
}

/// Whether the organisation page's form holds a change to the stored values (the page shows
/// Save only then); the core's rules, e.g. a phone typed with other spacing is the same phone.
#[tauri::command]
pub fn customer_form_changed(stored: CustomerValues, form: CustomerValues) -> bool {
    form.differs_from(&stored)
}

/// A window of the organisations list (sorted, searched, filtered) and its row count.
#[tauri::command]
pub async fn list_customers(
    state: State<'_, AppState>,
    request: ListRequest,
) -> Result<ListWindow, IpcError> {
    with_workspace(&state, move |w| w.list(&request)).await
}

#[tauri::command]
pub async fn get_customer(state: State<'_, AppState>, id: i64) -> Result<CustomerView, IpcError> {
    with_workspace(&state, move |w| w.customer(id)).await
}

#[tauri::command]
pub async fn create_customer(
    state: State<'_, AppState>,
    form: CustomerForm,
) -> Result<ListRow, IpcError> {
    with_workspace(&state, move |w| w.create_customer(&form)).await
}

#[tauri::command]
pub async fn update_customer(
    state: State<'_, AppState>,
    id: i64,
    form: CustomerForm,
) -> Result<ListRow, IpcError> {
    with_workspace(&state, move |w| w.update_customer(id, &form)).await
}

#[tauri::command]
pub async fn delete_customer(state: State<'_, AppState>, id: i64) -> Result<(), IpcError> {
    with_workspace(&state, move |w| w.delete_customer(id)).await
}

/// Drops the customer's unsent or refused changes and puts the server's version back.
#[tauri::command]
pub async fn discard_changes(
    state: State<'_, AppState>,
    id: i64,
) -> Result<Option<ListRow>, IpcError> {
    with_workspace(&state, move |w| w.discard_changes(id)).await
}

#[tauri::command]
pub async fn list_conflicts(state: State<'_, AppState>) -> Result<Vec<ConflictView>, IpcError> {
    with_workspace(&state, |w| w.conflicts()).await
}

#[tauri::command]
pub async fn settle_conflict(
    state: State<'_, AppState>,
    op_id: i64,
    field: String,
    resolution: Resolution,
) -> Result<Option<ListRow>, IpcError> {
    with_workspace(&state, move |w| {
        w.settle_conflict(op_id, &field, resolution)
    })
    .await
}

/// The customer page the user has open (None: none): its tabs are refreshed first, now.
#[tauri::command]
pub async fn open_customer(state: State<'_, AppState>, id: Option<i64>) -> Result<(), IpcError> {
    let workspace = state.workspace().await?;
    let engine = workspace.engine().clone();
    engine.set_open_customer(id);
    if id.is_some_and(|id| id > 0) {
        // In the background: the page shows the cache at once and re-reads on `cache-changed`.
        tauri::async_runtime::spawn(async move {
            if let Err(e) = engine.refresh_open_customer().await {
                tracing::debug!(code = e.code(), "open customer not refreshed");
            }
        });
    }
    Ok(())
}
