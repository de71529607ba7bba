//! Subscription tab commands: thin adapters over `reseller_core::tabs::subscriptions`. Reads
//! come from the cache; writes go through the outbox (and nudge the sync engine).

use reseller_core::tabs::subscriptions::{PlanCatalog, SubscriptionsTab};
use tauri::State;

use super::with_workspace;
use crate::error::IpcError;
use crate::state::AppState;

/// The customer's subscriptions as cached, queued changes laid over, and how fresh they are.
#[tauri::command]
pub async fn subscriptions_tab(
    state: State<'_, AppState>,
    customer_id: i64,
) -> Result<SubscriptionsTab, IpcError> {
    with_workspace(&state, move |w| w.subscriptions_tab(customer_id)).await
}

/// The cached plans whose SKU or description contains `search`.
#[tauri::command]
pub async fn list_plans(
    state: State<'_, AppState>,
    search: String,
) -> Result<PlanCatalog, IpcError> {
    with_workspace(&state, move |w| w.plans(&search)).await
}

/// Fetches the plan catalogue now and answers as `list_plans`.
#[tauri::command]
pub async fn refresh_plans(
    state: State<'_, AppState>,
    search: String,
) -> Result<PlanCatalog, IpcError> {
    Ok(state.workspace().await?.refresh_plans(&search).await?)
}

#[tauri::command]
pub async fn add_subscription(
    state: State<'_, AppState>,
    customer_id: i64,
    sku: String,
    auto_renew: bool,
) -> Result<(), IpcError> {
    with_workspace(&state, move |w| {
        w.add_subscription(customer_id, &sku, auto_renew)
    })
    .await
}

#[tauri::command]
pub async fn set_auto_renew(
    state: State<'_, AppState>,
    customer_id: i64,
    subscription_id: i64,
    auto_renew: bool,
) -> Result<(), IpcError> {
    with_workspace(&state, move |w| {
        w.set_auto_renew(customer_id, subscription_id, auto_renew)
    })
    .await
}

/// Drops a waiting or refused change of the Subscription, Tokens or Users tab.
#[tauri::command]
pub async fn discard_tab_change(state: State<'_, AppState>, op_id: i64) -> Result<(), IpcError> {
    with_workspace(&state, move |w| w.discard_tab_change(op_id)).await
}
