//! Bulk actions on the organisations list and the batches they make: thin adapters over
//! `reseller_core::customers::bulk`.

use reseller_core::customers::selection::{selection_text, SelectionText};
use reseller_core::customers::{BatchView, BulkAction, BulkReport, Selection, UndoReport};
use tauri::State;

use super::with_workspace;
use crate::error::IpcError;
use crate::state::AppState;

/// Queues `action` for every selected organisation (one batch).
#[tauri::command]
pub async fn bulk_customers(
    state: State<'_, AppState>,
    action: BulkAction,
    selection: Selection,
) -> Result<BulkReport, IpcError> {
    with_workspace(&state, move |w| w.bulk_customers(action, &selection)).await
}

/// Every bulk change and import with its progress, newest first.
#[tauri::command]
pub async fn list_batches(state: State<'_, AppState>) -> Result<Vec<BatchView>, IpcError> {
    with_workspace(&state, |w| w.batches()).await
}

/// Takes back what a batch has not sent yet.
#[tauri::command]
pub async fn undo_batch(state: State<'_, AppState>, batch_id: i64) -> Result<UndoReport, IpcError> {
    with_workspace(&state, move |w| w.undo_batch(batch_id)).await
}

/// Stops showing a batch with nothing left to send.
#[tauri::command]
pub async fn dismiss_batch(state: State<'_, AppState>, batch_id: i64) -> Result<(), IpcError> {
    with_workspace(&state, move |w| w.dismiss_batch(batch_id)).await
}

/// What the screen says about `count` picked organisations (`all`: every one matching), of
/// which a confirmation names `named`.
#[tauri::command]
pub fn selection_words(count: u64, all: bool, named: u64) -> SelectionText {
    selection_text(count, all, named)
}
