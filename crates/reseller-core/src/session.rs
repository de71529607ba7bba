//! Signing in: check the base URL and token, ask the API who we are, and let only resellers in.
//!
//! Who we are comes from `GET /api/v3/account/me` (a proposed endpoint, G1). A server without
//! it, or whose answer is not an account we can read, is asked the one thing that matters
//! instead: does a reseller route (the customer list) answer this token? 200 means reseller
//! access, 403 none, 401 an unknown token. The session then says where its role came from.

use scriptix_api::{Account, ApiError, AuthStyle, Client, ClientConfig, CustomerQuery};
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

/// Where a session's reseller role was learnt (camelCase on the wire).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RoleSource {
    /// `account/me` named the account, its organisation and its roles.
    #[default]
    Account,
    /// The server offers no readable `account/me`; the customer list answering the token
    /// decided. The account's name, email and organisation are then unknown.
    ResellerRoutes,
}

/// Who is signed in, as the UI shows it (and the settings remember it). Holds no secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    pub display_name: String,
    /// Empty when the server did not say (role from the reseller routes).
    pub email: String,
    pub organization_name: Option<String>,
    pub organization_id: Option<i64>,
    pub roles: Vec<String>,
    pub base_url: String,
    pub demo: bool,
    /// Accounts remembered by older versions were all named by `account/me`.
    #[serde(default)]
    pub role_source: RoleSource,
}

impl SessionInfo {
    /// Which account this is among several: its server and organisation (two tokens of one
    /// organisation on one server are the same account, with one offline copy). Also the name
    /// its token is kept under: the server alone for an account whose organisation is unknown,
    /// as every token was before several accounts.
    pub fn account_key(&self) -> String {
        match self.organization_id {
            Some(id) => format!("{}#organisation-{id}", self.base_url),
            None => self.base_url.clone(),
        }
    }

    /// The account as its menu names it: the organisation, else the person.
    pub fn account_label(&self) -> &str {
        self.organization_name
            .as_deref()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or(&self.display_name)
    }
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

/// Checks the input, asks the server who the token belongs to, and admits resellers only.
pub async fn sign_in(req: SignInRequest) -> Result<Session, CoreError> {
    let (client, base_url) = client_for(&req)?;
    let info = identify(&client, &base_url).await?;
    Ok(Session { client, info })
}

/// The signed-in account as the server describes it: through `account/me`, or, when that is
/// missing or unreadable, through what a reseller route answers. `Err` when the token is
/// refused, has no reseller access, or the server could not be asked.
async fn identify(client: &Client, base_url: &str) -> Result<SessionInfo, CoreError> {
    match client.account_me().await {
        Ok(account) if account.is_reseller() => Ok(from_account(&account, base_url)),
        // An account that names no role and no organisation says nothing either way.
        Ok(account) if account.roles.is_empty() && account.organization.is_none() => {
            let refused = CoreError::NoResellerAccess {
                account: describe(&account),
            };
            identify_by_routes(client, base_url, Some(&account), refused).await
        }
        Ok(account) => Err(CoreError::NoResellerAccess {
            account: describe(&account),
        }),
        Err(e @ (ApiError::NotSupported { .. } | ApiError::Malformed { .. })) => {
            tracing::info!(
                code = e.code(),
                "account/me is missing or unreadable; asking the reseller routes"
            );
            identify_by_routes(client, base_url, None, e.into()).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Asks for one customer: the answer tells whether the token has reseller access. `account` is
/// what `account/me` said, if it said anything readable; `original` is returned when the
/// routes' answer decides nothing (a 404, a body of another shape, ...).
async fn identify_by_routes(
    client: &Client,
    base_url: &str,
    account: Option<&Account>,
    original: CoreError,
) -> Result<SessionInfo, CoreError> {
    let host = host_of(base_url);
    let probe = CustomerQuery {
        limit: Some(1),
        ..CustomerQuery::default()
    };
    match client.list_customers(&probe).await {
        Ok(_) => {
            let mut info = match account {
                Some(account) => from_account(account, base_url),
                None => SessionInfo {
                    // The organisation's name is unknown: say what is known, truly.
                    display_name: format!("Reseller account at {host}"),
                    email: String::new(),
                    organization_name: None,
                    organization_id: None,
                    roles: Vec::new(),
                    base_url: base_url.to_string(),
                    demo: false,
                    role_source: RoleSource::ResellerRoutes,
                },
            };
            info.role_source = RoleSource::ResellerRoutes;
            Ok(info)
        }
        Err(e @ ApiError::Unauthorized { .. }) => Err(e.into()),
        Err(ApiError::Forbidden { .. }) => Err(CoreError::NoResellerAccess {
            account: account
                .map(describe)
                .unwrap_or_else(|| format!("This token's account at {host}")),
        }),
        // No answer at all: that, not the earlier one, is what the user can act on.
        Err(
            e @ (ApiError::Offline { .. } | ApiError::RateLimited { .. } | ApiError::Server { .. }),
        ) => Err(e.into()),
        Err(e) => {
            tracing::info!(
                code = e.code(),
                "the reseller routes decided nothing either"
            );
            Err(original)
        }
    }
}

fn from_account(account: &Account, base_url: &str) -> SessionInfo {
    SessionInfo {
        display_name: account.display_name(),
        email: account.email.clone(),
        organization_name: account.organization.as_ref().map(|o| o.name.clone()),
        organization_id: account.organization.as_ref().map(|o| o.id),
        roles: account.roles.clone(),
        base_url: base_url.to_string(),
        demo: false,
        role_source: RoleSource::Account,
    }
}

/// "api.scriptix.io", "127.0.0.1:8080": the server as a person names it.
fn host_of(base_url: &str) -> String {
    match url::Url::parse(base_url) {
        Ok(url) => match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_string(),
            (None, _) => base_url.to_string(),
        },
        Err(_) => base_url.to_string(),
    }
}

/// Resumes a remembered account at start, at once: the session opens with what the account
/// said about itself last time, so its cache is on screen without waiting for the network (a
/// slow or rate-limited server, a train between stations). [`verify`] then asks the server in
/// the background. Fails only on input that cannot make a client, or a base URL that is not
/// the remembered account's.
pub fn resume(req: &SignInRequest, remembered: &SessionInfo) -> Result<Session, CoreError> {
    // An address an older version accepted (http:// to another computer, user:password@) is
    // not used again: back to sign-in, saying why.
    let (client, base_url) = client_for(req).map_err(|e| match e {
        CoreError::InvalidInput { field, message } => CoreError::InvalidInput {
            field,
            message: format!("The remembered account was not opened. {message}"),
        },
        other => other,
    })?;
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

/// Asks the server (as [`sign_in`] does, with the same fallback) whether a resumed session's
/// token still admits a reseller. `Err`: it does not (the token was revoked, or the account lost
/// the RESELLER role): the session ends.
pub async fn verify(client: &Client, remembered: &SessionInfo) -> Result<Verified, CoreError> {
    match identify(client, &remembered.base_url).await {
        Ok(now) if now.role_source == RoleSource::ResellerRoutes => {
            // The routes confirm the role but cannot name the account: what was remembered
            // of it stands (it keys the offline copy too).
            Ok(Verified::Confirmed(SessionInfo {
                role_source: RoleSource::ResellerRoutes,
                ..remembered.clone()
            }))
        }
        Ok(now) => Ok(Verified::Confirmed(SessionInfo {
            base_url: remembered.base_url.clone(),
            demo: remembered.demo,
            ..now
        })),
        Err(
            e @ (CoreError::NoResellerAccess { .. }
            | CoreError::Api(ApiError::Unauthorized { .. } | ApiError::Forbidden { .. })),
        ) => Err(e),
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

/// Accepts what people paste: surrounding spaces, a trailing slash, a missing scheme. Refuses
/// what would expose the token: http:// to another computer (the token would cross the network
/// unencrypted), and a user name or password in the address (never stored; the token is the
/// only credential).
fn normalise_base_url(raw: &str) -> Result<String, CoreError> {
    let typed = raw.trim();
    let refuse = |message: String| CoreError::InvalidInput {
        field: "baseUrl",
        message,
    };
    if typed.is_empty() {
        return Err(refuse(
            "Enter the API address, for example https://api.scriptix.io.".into(),
        ));
    }
    let with_scheme = if typed.contains("://") {
        typed.to_string()
    } else {
        format!("https://{typed}")
    };
    let not_an_address = || {
        // What was typed is echoed back, unless it may hold a password.
        refuse(if typed.contains('@') {
            "This is not a web address; use one like https://api.scriptix.io.".into()
        } else {
            format!("\"{typed}\" is not a web address; use one like https://api.scriptix.io.")
        })
    };
    let parsed = url::Url::parse(&with_scheme).map_err(|_| not_an_address())?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(refuse(
            "The API address must start with https:// (or http:// for a server on this computer)."
                .into(),
        ));
    }
    let Some(host) = parsed.host_str().filter(|h| !h.is_empty()) else {
        return Err(not_an_address());
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(refuse(
            "Remove \u{201c}user:password@\u{201d} from the API address: the API token is the only credential the app sends."
                .into(),
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(refuse(
            "The API address cannot contain \u{201c}?\u{201d} or \u{201c}#\u{201d}; use only the server's address, like https://api.scriptix.io."
                .into(),
        ));
    }
    if parsed.scheme() == "http" && !is_loopback(&parsed) {
        return Err(refuse(format!(
            "http:// would send your token unencrypted to {host}; use https://. (http:// is accepted only for a server on this computer: localhost, 127.0.0.1 or ::1.)"
        )));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_string())
}

/// This computer: `localhost`, 127.0.0.0/8, ::1 (and ::ffff:127.x.y.z).
fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => {
            name.trim_end_matches('.').eq_ignore_ascii_case("localhost")
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        None => false,
    }
}

/// `raw` with any user name and password removed (for settings an older version wrote: a
/// password is not kept, not even in the form's last address). Unchanged when there is none.
pub fn without_credentials(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut url) if !url.username().is_empty() || url.password().is_some() => {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.as_str().trim_end_matches('/').to_string()
        }
        _ => raw.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_organisations_on_one_server_are_two_accounts() {
        let info = |org: Option<i64>, name: Option<&str>| SessionInfo {
            display_name: "Noor Jansen".into(),
            email: String::new(),
            organization_name: name.map(str::to_string),
            organization_id: org,
            roles: vec!["RESELLER".into()],
            base_url: "https://api.scriptix.io".into(),
            demo: false,
            role_source: RoleSource::Account,
        };
        let a = info(Some(1000), Some("Northwind Speech Partners"));
        let b = info(Some(2000), Some("Harbour Transcripts"));
        assert_ne!(a.account_key(), b.account_key());
        assert_eq!(a.account_key(), "https://api.scriptix.io#organisation-1000");
        // Unknown organisation: the server alone, the name older versions kept the token under.
        assert_eq!(info(None, None).account_key(), "https://api.scriptix.io");
        assert_eq!(a.account_label(), "Northwind Speech Partners");
        assert_eq!(info(None, Some("  ")).account_label(), "Noor Jansen");
    }

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
        // http:// to this computer only.
        for local in [
            "http://127.0.0.1:8080",
            "http://127.9.8.7",
            "http://localhost:3000",
            "http://LOCALHOST",
            "http://[::1]:8080",
            "http://[::ffff:127.0.0.1]",
        ] {
            let ok = normalise_base_url(local).unwrap_or_else(|e| panic!("{local}: {e}"));
            assert!(ok.starts_with("http://"), "{local} -> {ok}");
        }
        assert_eq!(
            normalise_base_url("http://127.0.0.1:8080/").unwrap(),
            "http://127.0.0.1:8080"
        );
    }

    #[test]
    fn http_to_another_computer_is_refused_saying_why() {
        for remote in [
            "http://example.invalid",
            "http://api.scriptix.io",
            "http://10.0.0.5:8080",
            "http://192.168.1.2",
            "http://[2001:db8::1]",
            "http://localhost.example.com",
            "http://128.0.0.1",
        ] {
            let err = normalise_base_url(remote).unwrap_err();
            assert_eq!(err.field(), Some("baseUrl"), "{remote}");
            let said = err.to_string();
            assert!(said.contains("unencrypted"), "{remote}: {said}");
            assert!(said.contains("use https://"), "{remote}: {said}");
        }
        let said = normalise_base_url("http://example.invalid")
            .unwrap_err()
            .to_string();
        assert!(said.contains("example.invalid"), "{said}");
    }

    #[test]
    fn credentials_in_the_address_are_refused_and_never_echoed() {
        for with_credentials in [
            "https://ada:s3cret-pw@api.scriptix.io",
            "https://ada@api.scriptix.io",
            "https://:s3cret-pw@api.scriptix.io",
            "ada:s3cret-pw@api.scriptix.io",
            "http://ada:s3cret-pw@127.0.0.1:8080",
        ] {
            let err = normalise_base_url(with_credentials).unwrap_err();
            assert_eq!(err.field(), Some("baseUrl"), "{with_credentials}");
            let said = err.to_string();
            assert!(
                said.contains("user:password@"),
                "{with_credentials}: {said}"
            );
            assert!(said.contains("only credential"), "{said}");
            assert!(!said.contains("s3cret"), "{said}");
        }
        // Not even an address that fails to parse echoes what may be a password.
        let said = normalise_base_url("https://ada:s3cret pw@api.scriptix.io")
            .unwrap_err()
            .to_string();
        assert!(!said.contains("s3cret"), "{said}");
    }

    #[test]
    fn a_query_or_fragment_is_refused() {
        for bad in [
            "https://api.scriptix.io/?key=abc",
            "https://api.scriptix.io#x",
        ] {
            let err = normalise_base_url(bad).unwrap_err();
            assert_eq!(err.field(), Some("baseUrl"), "{bad}");
        }
    }

    #[test]
    fn credentials_are_stripped_from_a_remembered_address() {
        assert_eq!(
            without_credentials("https://ada:s3cret@api.scriptix.io"),
            "https://api.scriptix.io"
        );
        assert_eq!(
            without_credentials("http://ada@127.0.0.1:8080/"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            without_credentials("https://api.scriptix.io"),
            "https://api.scriptix.io"
        );
        assert_eq!(without_credentials("not a url"), "not a url");
    }

    #[test]
    fn a_remembered_account_at_a_refused_address_is_not_resumed() {
        let remembered = SessionInfo {
            display_name: "Ada".into(),
            email: "ada@example.org".into(),
            organization_name: None,
            organization_id: Some(1),
            roles: vec!["RESELLER".into()],
            base_url: "http://example.invalid".into(),
            demo: false,
            role_source: RoleSource::Account,
        };
        let req = SignInRequest {
            base_url: remembered.base_url.clone(),
            token: "tok-1234567890".into(),
            auth_style: AuthStyleSetting::ZoomKey,
        };
        let err = resume(&req, &remembered).err().unwrap();
        assert_eq!(err.field(), Some("baseUrl"));
        let said = err.to_string();
        assert!(
            said.starts_with("The remembered account was not opened."),
            "{said}"
        );
        assert!(said.contains("unencrypted"), "{said}");
    }

    #[test]
    fn remembered_settings_without_a_role_source_read_as_account() {
        let info: SessionInfo = serde_json::from_str(
            r#"{"displayName":"Ada","email":"a@b.c","organizationName":null,"organizationId":1,"roles":["RESELLER"],"baseUrl":"https://api.scriptix.io","demo":false}"#,
        )
        .unwrap();
        assert_eq!(info.role_source, RoleSource::Account);
        let json = serde_json::to_value(SessionInfo {
            role_source: RoleSource::ResellerRoutes,
            ..info
        })
        .unwrap();
        assert_eq!(json["roleSource"], "resellerRoutes");
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
