//! What is remembered of an account between runs: its token (keychain or private file, see
//! `secrets`) and who it is (the settings' `account`), and the sign-in form's last values.

use serde::Serialize;

use super::host::AccountHost;
use crate::secrets::{TokenKeeping, TokenStorage};
use crate::session::{AuthStyleSetting, SessionInfo, SignInRequest};
use crate::settings::{update, Settings};
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

/// The account to resume and its token, when both are remembered.
pub(super) fn remembered(host: &dyn AccountHost) -> Option<Remembered> {
    let settings = host.settings().load();
    let info = settings.account?;
    let store = host.token_store().ok()?;
    let (token, storage) = match store.load(&info.base_url) {
        Ok(found) => found?,
        Err(e) => {
            tracing::warn!(code = e.code(), "the remembered token could not be read");
            return None;
        }
    };
    let request = SignInRequest {
        base_url: info.base_url.clone(),
        token,
        auth_style: settings.account_auth_style,
    };
    Some(Remembered {
        request,
        info,
        storage,
    })
}

/// Keeps the token as `keep` says and remembers the account for the next start when it was
/// kept; says where it went (None: not kept). Only the keychain's refusal stops the sign-in
/// (the user is asked); any other failure here does not undo it: the next start asks again.
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
    let storage = match store.save(&info.base_url, request.token.trim(), keep) {
        Ok(storage) => storage,
        Err(ask @ CoreError::KeychainUnavailable { .. }) => return Err(ask),
        Err(e) => return not_kept(e.code()),
    };
    let saved = update(host.settings(), |s| {
        s.base_url = Some(info.base_url.clone());
        s.auth_style = request.auth_style;
        // Not kept: nothing to resume at the next start.
        s.account = storage.is_some().then(|| info.clone());
        s.account_auth_style = request.auth_style;
    });
    if let Err(e) = saved {
        tracing::warn!(code = e.code(), "the account could not be remembered");
    }
    Ok(storage)
}

/// Forgets a remembered account and its token; the address stays for the form, without any
/// credentials.
pub(super) fn forget(host: &dyn AccountHost, base_url: &str) -> Result<(), CoreError> {
    host.token_store()?.delete(base_url)?;
    update(host.settings(), |s| s.account = None)?;
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
