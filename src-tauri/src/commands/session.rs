//! Signing in and out, and the demo.

use reseller_core::secrets::{TokenKeeping, TokenStorage};
use reseller_core::{CoreError, SessionInfo, SignInRequest, Verified};
use tauri::{AppHandle, State};

use crate::error::IpcError;
use crate::settings;
use crate::state::{AppState, SignInDefaults, SignedIn};

/// What the sign-in form starts with.
#[tauri::command]
pub fn sign_in_defaults(handle: AppHandle, state: State<'_, AppState>) -> SignInDefaults {
    // The command line wins; otherwise the address and header style used last time.
    let saved = settings::load(&handle);
    let cli = &state.defaults;
    SignInDefaults {
        base_url: cli.base_url.clone().or(saved.base_url),
        auth_style: if cli.base_url.is_some() {
            cli.auth_style
        } else {
            saved.auth_style
        },
    }
}

/// Who is signed in, if anyone. Waits for a sign-in the command line started, and reports its
/// failure (once) so the sign-in screen can show it.
#[tauri::command]
pub async fn session_info(state: State<'_, AppState>) -> Result<Option<SignedIn>, IpcError> {
    state.settle_startup().await?;
    Ok(state.session_info().await)
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
    let session = reseller_core::sign_in(request.clone()).await.map_err(|e| {
        tracing::warn!(code = e.code(), "sign-in refused");
        IpcError::from(e)
    })?;
    let storage = remember(&handle, &request, session.info(), keep.unwrap_or_default())?;
    state.set_token_storage(storage);
    state.replace_session(&handle, session).await
}

/// Keeps the token (keychain, or a private file) and remembers the account for the next start
/// when it was kept. Only the keychain's refusal stops the sign-in (the user is asked); any
/// other failure here does not undo it: the next start just asks again.
fn remember(
    handle: &AppHandle,
    request: &SignInRequest,
    info: &SessionInfo,
    keep: TokenKeeping,
) -> Result<Option<TokenStorage>, IpcError> {
    let not_kept = |code: &str| {
        tracing::warn!(code, "the token could not be kept; it will be asked again");
        Ok(None)
    };
    let store = match settings::token_store(handle) {
        Ok(store) => store,
        Err(e) => return not_kept(&e.code),
    };
    let storage = match store.save(&info.base_url, request.token.trim(), keep) {
        Ok(storage) => storage,
        Err(ask @ CoreError::KeychainUnavailable { .. }) => return Err(ask.into()),
        Err(e) => return not_kept(e.code()),
    };
    let saved = settings::update(handle, |s| {
        s.base_url = Some(info.base_url.clone());
        s.auth_style = request.auth_style;
        // Not kept: nothing to resume at the next start.
        s.account = storage.is_some().then(|| info.clone());
        s.account_auth_style = request.auth_style;
    });
    if let Err(e) = saved {
        tracing::warn!(code = %e.code, "the account could not be remembered");
    }
    Ok(storage)
}

/// Forgets a remembered account and its token (the address stays for the form, without any
/// credentials). Used when the server refuses it, or its address is refused.
pub(crate) fn forget_account(handle: &AppHandle, base_url: &str) -> Result<(), IpcError> {
    settings::token_store(handle)?.delete(base_url)?;
    settings::update(handle, |s| s.account = None)?;
    Ok(())
}

#[tauri::command]
pub async fn start_demo(
    handle: AppHandle,
    state: State<'_, AppState>,
) -> Result<SignedIn, IpcError> {
    let _ = state.settle_startup().await;
    let session = state.demo.sign_in().await?;
    state.set_token_storage(None);
    state.replace_session(&handle, session).await
}

/// Signs out. With `keep_cache` false the account's offline copy is deleted too.
#[tauri::command]
pub async fn sign_out(
    handle: AppHandle,
    state: State<'_, AppState>,
    keep_cache: Option<bool>,
) -> Result<(), IpcError> {
    let Some(active) = state.clear_session().await else {
        return Ok(());
    };
    state.set_token_storage(None);
    if !active.workspace.info().demo {
        // Signing out forgets the token and the account; the address stays for the form.
        let base_url = active.workspace.info().base_url.clone();
        settings::token_store(&handle)?.delete(&base_url)?;
        settings::update(&handle, |s| s.account = None)?;
    }
    let path = active.cache_path(&handle);
    drop(active);
    if let (Some(path), false) = (path, keep_cache.unwrap_or(true)) {
        reseller_core::cache::remove_cache_files(&path).map_err(|e| {
            IpcError::new(
                "cache_io",
                format!("Signed out, but the offline copy could not be deleted: {e}"),
            )
        })?;
        tracing::info!("signed out; offline copy deleted");
    }
    Ok(())
}

/// Asks the server whether the account resumed at start (opened at once, from memory) still has
/// reseller access. Nothing to do when the session was not resumed, or is already confirmed.
/// Offline or rate-limited: `Ok`, still unconfirmed (the UI asks again when back online). A
/// refusal (token revoked, role taken away) ends the session, keeping the offline copy, and
/// forgets the token; the error says why, for the sign-in screen.
#[tauri::command]
pub async fn verify_session(handle: AppHandle, state: State<'_, AppState>) -> Result<(), IpcError> {
    let Some((client, remembered)) = state.unverified_session().await else {
        return Ok(());
    };
    match reseller_core::verify(&client, &remembered).await {
        Ok(Verified::Unknown) => Ok(()),
        Ok(Verified::Confirmed(now)) => {
            state.set_unverified(false);
            if now != remembered {
                // A renamed account or organisation: remembered for the next start.
                settings::update(&handle, |s| s.account = Some(now))?;
            }
            Ok(())
        }
        Err(refusal) => {
            tracing::warn!(code = refusal.code(), "the resumed account was refused");
            if state.unverified_session().await.is_some() {
                // Still the session that was checked (not signed out or replaced meanwhile).
                drop(state.clear_session().await);
                state.set_token_storage(None);
                forget_account(&handle, &remembered.base_url)?;
            }
            Err(refusal.into())
        }
    }
}
