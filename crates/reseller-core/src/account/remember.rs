//! What is remembered of an account between runs: its token (keychain or private file, see
//! `secrets`, under the account's key) and who it is (the settings' `accounts`, and which is
//! active), and the sign-in form's last values.

use serde::Serialize;

use super::host::AccountHost;
use crate::secrets::{TokenKeeping, TokenStorage, TokenStore};
use crate::session::{AuthStyleSetting, SessionInfo, SignInRequest};
use crate::settings::{update, RememberedAccount, Settings};
use crate::CoreError;

/// What the sign-in form starts with.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInDefaults {
    pub base_url: Option<String>,
    pub auth_style: AuthStyleSetting,
}

impl SignInDefaults {
    /// These (the command line's) when they name an address; otherwise the last used.
    pub fn or_saved(&self, saved: &Settings) -> SignInDefaults {
        match &self.base_url {
            Some(_) => self.clone(),
            None => SignInDefaults {
                base_url: saved.base_url.clone(),
                auth_style: saved.auth_style,
            },
        }
    }
}

/// A remembered account with its token, ready to resume.
pub(super) struct Remembered {
    pub request: SignInRequest,
    pub info: SessionInfo,
    pub storage: TokenStorage,
}

/// The remembered accounts whose tokens are found, the active one first. A token kept by an
/// older version (under the server's address alone) is moved to the account's own name.
pub(super) fn remembered(host: &dyn AccountHost) -> Vec<Remembered> {
    let settings = host.settings().load();
    let Ok(store) = host.token_store() else {
        return Vec::new();
    };
    let active = settings
        .active_account
        .as_deref()
        .and_then(|key| settings.remembered(key));
    let others = settings
        .accounts
        .iter()
        .filter(|a| active.is_none_or(|act| act.info != a.info));
    active
        .into_iter()
        .chain(others)
        .filter_map(|account| {
            let info = &account.info;
            // The server's address alone is another account's name when one has no organisation.
            let may_move = settings.remembered(&info.base_url).is_none();
            let (token, storage) = match token_of(&store, info, may_move) {
                Ok(found) => found?,
                Err(e) => {
                    tracing::warn!(code = e.code(), "a remembered token could not be read");
                    return None;
                }
            };
            Some(Remembered {
                request: SignInRequest {
                    base_url: info.base_url.clone(),
                    token,
                    auth_style: account.auth_style,
                },
                info: info.clone(),
                storage,
            })
        })
        .collect()
}

/// The token kept for the account `info`; one an older version kept under the server's
/// address is moved to the account's name (and then found there).
fn token_of(
    store: &TokenStore,
    info: &SessionInfo,
    may_move: bool,
) -> Result<Option<(String, TokenStorage)>, CoreError> {
    let key = info.account_key();
    if let Some(found) = store.load(&key)? {
        return Ok(Some(found));
    }
    if key == info.base_url || !may_move {
        return Ok(None);
    }
    let Some((token, storage)) = store.load(&info.base_url)? else {
        return Ok(None);
    };
    let keep = match storage {
        TokenStorage::Keychain => TokenKeeping::Keychain,
        TokenStorage::File => TokenKeeping::File,
    };
    match store.save(&key, &token, keep) {
        Ok(_) => {
            if let Err(e) = store.delete(&info.base_url) {
                tracing::warn!(code = e.code(), "an older token copy could not be removed");
            }
        }
        Err(e) => tracing::warn!(code = e.code(), "the token stays under its older name"),
    }
    Ok(Some((token, storage)))
}

/// Keeps the token as `keep` says and remembers the account for the next start (as the active
/// one) when it was kept; says where it went (None: not kept). Only the keychain's refusal
/// stops the sign-in (the user is asked); any other failure here does not undo it: the next
/// start asks again.
pub(super) fn remember(
    host: &dyn AccountHost,
    request: &SignInRequest,
    info: &SessionInfo,
    keep: TokenKeeping,
) -> Result<Option<TokenStorage>, CoreError> {
    let not_kept = |code: &str| {
        tracing::warn!(code, "the token could not be kept; it will be asked again");
        Ok(None)
    };
    let store = match host.token_store() {
        Ok(store) => store,
        Err(e) => return not_kept(e.code()),
    };
    let key = info.account_key();
    let storage = match store.save(&key, request.token.trim(), keep) {
        Ok(storage) => storage,
        Err(ask @ CoreError::KeychainUnavailable { .. }) => return Err(ask),
        Err(e) => return not_kept(e.code()),
    };
    let saved = update(host.settings(), |s| {
        s.base_url = Some(info.base_url.clone());
        s.auth_style = request.auth_style;
        if storage.is_some() {
            s.remember_account(RememberedAccount {
                info: info.clone(),
                auth_style: request.auth_style,
            });
            s.active_account = Some(key.clone());
        } else {
            // Not kept: nothing to resume at the next start.
            s.forget_account(&key);
        }
    });
    if let Err(e) = saved {
        tracing::warn!(code = e.code(), "the account could not be remembered");
    }
    Ok(storage)
}

/// Remembers `info` again (a renamed account or organisation), in its place.
pub(super) fn renamed(host: &dyn AccountHost, info: &SessionInfo) -> Result<(), CoreError> {
    update(host.settings(), |s| {
        if let Some(kept) = s
            .accounts
            .iter_mut()
            .find(|a| a.info.account_key() == info.account_key())
        {
            kept.info = info.clone();
        }
    })?;
    Ok(())
}

/// Remembers which account the next start shows.
pub(super) fn set_active(host: &dyn AccountHost, key: &str) {
    let saved = update(host.settings(), |s| {
        if s.remembered(key).is_some() {
            s.active_account = Some(key.to_string());
        }
    });
    if let Err(e) = saved {
        tracing::warn!(
            code = e.code(),
            "the active account could not be remembered"
        );
    }
}

/// Forgets a remembered account and its token; the address stays for the form, without any
/// credentials.
pub(super) fn forget(host: &dyn AccountHost, info: &SessionInfo) -> Result<(), CoreError> {
    let store = host.token_store()?;
    let key = info.account_key();
    store.delete(&key)?;
    // An older version's copy, when it was never moved (and is not another account's own).
    let shared = host.settings().load().remembered(&info.base_url).is_some();
    if key != info.base_url && !shared {
        store.delete(&info.base_url)?;
    }
    update(host.settings(), |s| s.forget_account(&key))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_lines_address_wins_else_the_last_used() {
        let saved = Settings {
            base_url: Some("https://api.scriptix.io".into()),
            auth_style: AuthStyleSetting::Bearer,
            ..Settings::default()
        };
        let none = SignInDefaults::default();
        assert_eq!(
            none.or_saved(&saved),
            SignInDefaults {
                base_url: Some("https://api.scriptix.io".into()),
                auth_style: AuthStyleSetting::Bearer,
            }
        );
        let cli = SignInDefaults {
            base_url: Some("http://127.0.0.1:8080".into()),
            auth_style: AuthStyleSetting::ZoomKey,
        };
        assert_eq!(cli.or_saved(&saved), cli);
        let json = serde_json::to_value(&cli).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"baseUrl": "http://127.0.0.1:8080", "authStyle": "zoomKey"})
        );
    }
}
