//! Signing in and out, and the demo: adapters over the core's `Accounts`.

use reseller_core::account::{AccountEntry, Accounts, OfflineCopy, SignInDefaults, SignedIn};
use reseller_core::secrets::TokenKeeping;
use reseller_core::SignInRequest;
use serde::Serialize;
use tauri::{AppHandle, Manager, State};

use crate::active::Host;
use crate::error::IpcError;
use crate::state::AppState;

/// What the sign-in form starts with, and whether this build offers the demo.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInScreen {
    #[serde(flatten)]
    defaults: SignInDefaults,
    demo_available: bool,
}

/// Off the main thread (`async`): asked at start, while the main thread builds the window.
#[tauri::command(async)]
pub fn sign_in_defaults(handle: AppHandle) -> SignInScreen {
    let state = handle.state::<AppState>();
    SignInScreen {
        defaults: Accounts::sign_in_defaults(&Host::new(&handle), &state.defaults),
        demo_available: crate::demo::AVAILABLE,
    }
}

/// Who is signed in, if anyone. Waits for a sign-in the command line started, and reports its
/// failure (once) so the sign-in screen can show it.
#[tauri::command]
pub async fn session_info(state: State<'_, AppState>) -> Result<Option<SignedIn>, IpcError> {
    state.settle_startup().await?;
    Ok(state.accounts.signed_in().await)
}

/// Signs in and keeps the token as `keep` says (default: the keychain). A keychain that cannot
/// take it ends the command with `keychain_unavailable` before anything is written or the
/// session starts; the UI asks, then calls again with `keep` "file" or "notRemembered".
#[tauri::command]
pub async fn sign_in(
    handle: AppHandle,
    state: State<'_, AppState>,
    request: SignInRequest,
    keep: Option<TokenKeeping>,
) -> Result<SignedIn, IpcError> {
    // A launch sign-in still running would otherwise overwrite this one when it finishes.
    let _ = state.settle_startup().await;
    let keep = keep.unwrap_or_default();
    Ok(state
        .accounts
        .sign_in(&Host::new(&handle), request, keep)
        .await?)
}

#[tauri::command]
pub async fn start_demo(
    handle: AppHandle,
    state: State<'_, AppState>,
) -> Result<SignedIn, IpcError> {
    let _ = state.settle_startup().await;
    let session = state.demo.sign_in().await?;
    Ok(state
        .accounts
        .open_demo(&Host::new(&handle), session)
        .await?)
}

/// Signs out of the shown account. With `keep_cache` false its offline copy is deleted too.
/// Answers the account shown now (another one still signed in), or null.
#[tauri::command]
pub async fn sign_out(
    handle: AppHandle,
    state: State<'_, AppState>,
    keep_cache: Option<bool>,
) -> Result<Option<SignedIn>, IpcError> {
    let copy = match keep_cache {
        Some(false) => OfflineCopy::Remove,
        _ => OfflineCopy::Keep,
    };
    Ok(state.accounts.sign_out(&Host::new(&handle), copy).await?)
}

/// The signed-in accounts, for the account menu.
#[tauri::command]
pub async fn list_accounts(state: State<'_, AppState>) -> Result<Vec<AccountEntry>, IpcError> {
    Ok(state.accounts.list().await)
}

/// Shows another signed-in account (the window then reads everything again).
#[tauri::command]
pub async fn switch_account(
    handle: AppHandle,
    state: State<'_, AppState>,
    key: String,
) -> Result<SignedIn, IpcError> {
    Ok(state.accounts.switch(&Host::new(&handle), &key).await?)
}

/// Asks the servers whether the accounts resumed at start still have reseller access; a
/// refusal ends that session (the offline copy stays) and says why.
#[tauri::command]
pub async fn verify_session(handle: AppHandle, state: State<'_, AppState>) -> Result<(), IpcError> {
    Ok(state.accounts.verify(&Host::new(&handle)).await?)
}
