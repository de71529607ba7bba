//! Customer commands: thin adapters over `reseller_core::workspace::Workspace`. Reads come from
//! the cache; writes go through the outbox (and nudge the sync engine).

use reseller_core::outbox::{CustomerForm, Resolution};
use reseller_core::validation::{check_customer, CustomerDraft, FormCheck};
use reseller_core::workspace::{ConflictView, CustomerView, ListRequest, ListRow, ListWindow};
use tauri::State;

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

/// A window of the organisations list (sorted, searched, filtered) and its row count.
#[tauri::command]
pub async fn list_customers(
    state: State<'_, AppState>,
    request: ListRequest,
) -> Result<ListWindow, IpcError> {
    Ok(state.workspace().await?.list(&request)?)
}

#[tauri::command]
pub async fn get_customer(state: State<'_, AppState>, id: i64) -> Result<CustomerView, IpcError> {
    Ok(state.workspace().await?.customer(id)?)
}

#[tauri::command]
pub async fn create_customer(
    state: State<'_, AppState>,
    form: CustomerForm,
) -> Result<ListRow, IpcError> {
    Ok(state.workspace().await?.create_customer(&form)?)
}

#[tauri::command]
pub async fn update_customer(
    state: State<'_, AppState>,
    id: i64,
    form: CustomerForm,
) -> Result<ListRow, IpcError> {
    Ok(state.workspace().await?.update_customer(id, &form)?)
}

#[tauri::command]
pub async fn delete_customer(state: State<'_, AppState>, id: i64) -> Result<(), IpcError> {
    Ok(state.workspace().await?.delete_customer(id)?)
}

/// Drops the customer's unsent or refused changes and puts the server's version back.
#[tauri::command]
pub async fn discard_changes(
    state: State<'_, AppState>,
    id: i64,
) -> Result<Option<ListRow>, IpcError> {
    Ok(state.workspace().await?.discard_changes(id)?)
}

#[tauri::command]
pub async fn list_conflicts(state: State<'_, AppState>) -> Result<Vec<ConflictView>, IpcError> {
    Ok(state.workspace().await?.conflicts()?)
}

#[tauri::command]
pub async fn settle_conflict(
    state: State<'_, AppState>,
    op_id: i64,
    field: String,
    resolution: Resolution,
) -> Result<Option<ListRow>, IpcError> {
    Ok(state
        .workspace()
        .await?
        .settle_conflict(op_id, &field, resolution)?)
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
