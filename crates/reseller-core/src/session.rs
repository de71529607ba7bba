//! Signing in: check the base URL and token, ask the API who we are, and let only resellers in.

use scriptix_api::{Account, ApiError, AuthStyle, Client, ClientConfig};
use serde::{Deserialize, Serialize};

use crate::error::CoreError;

/// The header style as the sign-in form and the settings name it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AuthStyleSetting {
    /// `x-zoom-s2t-key: <token>`, the documented reseller header.
    #[default]
    ZoomKey,
    /// `Authorization: Bearer <token>`, the newer documentation's header.
    Bearer,
}

impl From<AuthStyleSetting> for AuthStyle {
    fn from(s: AuthStyleSetting) -> Self {
        match s {
            AuthStyleSetting::ZoomKey => AuthStyle::ZoomKey,
            AuthStyleSetting::Bearer => AuthStyle::Bearer,
        }
    }
}

#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInRequest {
    pub base_url: String,
    pub token: String,
    #[serde(default)]
    pub auth_style: AuthStyleSetting,
}

// Hand-written so the token never reaches a log through `{:?}`.
impl std::fmt::Debug for SignInRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInRequest")
            .field("base_url", &self.base_url)
            .field("token", &"<redacted>")
            .field("auth_style", &self.auth_style)
            .finish()
    }
}

/// Who is signed in, as the UI shows it (and the settings remember it). Holds no secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    pub display_name: String,
    pub email: String,
    pub organization_name: Option<String>,
    pub organization_id: Option<i64>,
    pub roles: Vec<String>,
    pub base_url: String,
    pub demo: bool,
}

/// A signed-in reseller: the API client and what the account said about itself.
pub struct Session {
    client: Client,
    info: SessionInfo,
}

impl Session {
    pub fn info(&self) -> &SessionInfo {
        &self.info
    }

    pub fn client(&self) -> &Client {
        &self.client
    }
}

/// Marks a session as the in-process demo, so the UI can say so.
pub fn mark_demo(session: &mut Session) {
    session.info.demo = true;
}

/// Checks the input, asks `account/me` who the token belongs to, and admits resellers only.
pub async fn sign_in(req: SignInRequest) -> Result<Session, CoreError> {
    let (client, base_url) = client_for(&req)?;
    let account = client.account_me().await?;
    if !account.is_reseller() {
        return Err(CoreError::NoResellerAccess {
            account: describe(&account),
        });
    }
    let info = SessionInfo {
        display_name: account.display_name(),
        email: account.email.clone(),
        organization_name: account.organization.as_ref().map(|o| o.name.clone()),
        organization_id: account.organization.as_ref().map(|o| o.id),
        roles: account.roles.clone(),
        base_url,
        demo: false,
    };
    Ok(Session { client, info })
}

/// Resumes a remembered account at start, at once: the session opens with what the account
/// said about itself last time, so its cache is on screen without waiting for the network (a
/// slow or rate-limited server, a train between stations). [`verify`] then asks the server in
/// the background. Fails only on input that cannot make a client, or a base URL that is not
/// the remembered account's.
pub fn resume(req: &SignInRequest, remembered: &SessionInfo) -> Result<Session, CoreError> {
    let (client, base_url) = client_for(req)?;
    if base_url != remembered.base_url {
        return Err(CoreError::InvalidInput {
            field: "baseUrl",
            message: format!(
                "The remembered account belongs to {}; sign in again for {base_url}.",
                remembered.base_url
            ),
        });
    }
    Ok(Session {
        client,
        info: remembered.clone(),
    })
}

/// What the server says now of a resumed session's account.
#[derive(Debug)]
pub enum Verified {
    /// Still a reseller: what the account says about itself now (a name may have changed).
    Confirmed(SessionInfo),
    /// The server could not be asked (offline, rate-limited, unwell): the session goes on, on
    /// its cache, and the sync engine keeps trying.
    Unknown,
}

/// Asks `account/me` whether a resumed session's token still admits a reseller. `Err`: it
/// does not (the token was revoked, or the account lost the RESELLER role): the session ends.
pub async fn verify(client: &Client, remembered: &SessionInfo) -> Result<Verified, CoreError> {
    match client.account_me().await {
        Ok(account) if account.is_reseller() => Ok(Verified::Confirmed(SessionInfo {
            display_name: account.display_name(),
            email: account.email.clone(),
            organization_name: account.organization.as_ref().map(|o| o.name.clone()),
            organization_id: account.organization.as_ref().map(|o| o.id),
            roles: account.roles.clone(),
            ..remembered.clone()
        })),
        Ok(account) => Err(CoreError::NoResellerAccess {
            account: describe(&account),
        }),
        Err(e @ (ApiError::Unauthorized { .. } | ApiError::Forbidden { .. })) => Err(e.into()),
        Err(e) => {
            tracing::info!(
                code = e.code(),
                "the account could not be checked now; going on"
            );
            Ok(Verified::Unknown)
        }
    }
}

/// The API client for a sign-in request, after checking the address and the token's form.
fn client_for(req: &SignInRequest) -> Result<(Client, String), CoreError> {
    let base_url = normalise_base_url(&req.base_url)?;
    let token = req.token.trim();
    if token.is_empty() {
        return Err(CoreError::InvalidInput {
            field: "token",
            message: "Enter your Scriptix API token.".into(),
        });
    }
    if token.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(CoreError::InvalidInput {
            field: "token",
            message: "The API token cannot contain spaces or line breaks; paste it again.".into(),
        });
    }

    let mut config = ClientConfig::new(base_url.clone(), token);
    config.auth_style = req.auth_style.into();
    Ok((Client::new(config)?, base_url))
}

/// "Ada Lovelace (Acme BV)": how an account is named in messages.
fn describe(account: &Account) -> String {
    match &account.organization {
        Some(org) => format!("{} ({})", account.display_name(), org.name),
        None => account.display_name(),
    }
}

/// Accepts what people paste: surrounding spaces, a trailing slash, a missing scheme.
fn normalise_base_url(raw: &str) -> Result<String, CoreError> {
    let typed = raw.trim();
    if typed.is_empty() {
        return Err(CoreError::InvalidInput {
            field: "baseUrl",
            message: "Enter the API address, for example https://api.scriptix.io.".into(),
        });
    }
    let with_scheme = if typed.contains("://") {
        typed.to_string()
    } else {
        format!("https://{typed}")
    };
    let not_an_address = || CoreError::InvalidInput {
        field: "baseUrl",
        message: format!("\"{typed}\" is not a web address; use one like https://api.scriptix.io."),
    };
    let parsed = url::Url::parse(&with_scheme).map_err(|_| not_an_address())?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(CoreError::InvalidInput {
            field: "baseUrl",
            message: "The API address must start with https:// (or http:// for a local server)."
                .into(),
        });
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(not_an_address());
    }
    Ok(parsed.as_str().trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_is_normalised() {
        assert_eq!(
            normalise_base_url(" https://api.scriptix.io/ ").unwrap(),
            "https://api.scriptix.io"
        );
        assert_eq!(
            normalise_base_url("api.scriptix.io").unwrap(),
            "https://api.scriptix.io"
        );
        assert_eq!(
            normalise_base_url("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
    }

    #[test]
    fn bad_base_urls_name_the_field() {
        for bad in [
            "",
            "   ",
            "ftp://example.com",
            "https://",
            "http://exa mple.com",
        ] {
            let err = normalise_base_url(bad).unwrap_err();
            assert_eq!(err.code(), "invalid_input", "{bad:?}");
            assert_eq!(err.field(), Some("baseUrl"), "{bad:?}");
        }
    }

    #[test]
    fn debug_never_shows_the_token() {
        let req = SignInRequest {
            base_url: "https://api.scriptix.io".into(),
            token: "secret-token-value".into(),
            auth_style: AuthStyleSetting::ZoomKey,
        };
        assert!(!format!("{req:?}").contains("secret-token-value"));
    }

    #[test]
    fn auth_style_setting_reads_camel_case() {
        let req: SignInRequest =
            serde_json::from_str(r#"{"baseUrl":"x","token":"t","authStyle":"bearer"}"#).unwrap();
        assert_eq!(req.auth_style, AuthStyleSetting::Bearer);
        let req: SignInRequest = serde_json::from_str(r#"{"baseUrl":"x","token":"t"}"#).unwrap();
        assert_eq!(req.auth_style, AuthStyleSetting::ZoomKey);
    }
}
