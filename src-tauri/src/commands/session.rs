//! Signing in and out, and the demo.

use reseller_core::secrets::TokenStorage;
use reseller_core::{SessionInfo, SignInRequest, Verified};
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

#[tauri::command]
pub async fn sign_in(
    handle: AppHandle,
    state: State<'_, AppState>,
    request: SignInRequest,
) -> Result<SignedIn, IpcError> {
    // A launch sign-in still running would otherwise overwrite this one when it finishes.
    let _ = state.settle_startup().await;
    let session = reseller_core::sign_in(request.clone()).await.map_err(|e| {
        tracing::warn!(code = e.code(), "sign-in refused");
        IpcError::from(e)
    })?;
    state.set_token_storage(remember(&handle, &request, session.info()));
    state.replace_session(&handle, session).await
}

/// Keeps the token (keychain, or a private file) and remembers the account for the next start.
/// A failure here does not undo the sign-in: the next start just asks again.
fn remember(
    handle: &AppHandle,
    request: &SignInRequest,
    info: &SessionInfo,
) -> Option<TokenStorage> {
    let stored = settings::token_store(handle)
        .and_then(|store| Ok(store.save(&info.base_url, request.token.trim())?));
    let storage = match stored {
        Ok(storage) => storage,
        Err(e) => {
            tracing::warn!(code = %e.code, "the token could not be kept; it will be asked again");
            return None;
        }
    };
    let saved = settings::update(handle, |s| {
        s.base_url = Some(info.base_url.clone());
        s.auth_style = request.auth_style;
        s.account = Some(info.clone());
        s.account_auth_style = request.auth_style;
    });
    if let Err(e) = saved {
        tracing::warn!(code = %e.code, "the account could not be remembered");
    }
    Some(storage)
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
        for suffix in ["", "-wal", "-shm"] {
            let file = format!("{}{suffix}", path.display());
            match std::fs::remove_file(&file) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(IpcError::new(
                        "cache_io",
                        format!("Signed out, but the offline copy could not be deleted: {e}"),
                    ))
                }
            }
        }
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
                settings::token_store(&handle)?.delete(&remembered.base_url)?;
                settings::update(&handle, |s| s.account = None)?;
            }
            Err(refusal.into())
        }
    }
}
