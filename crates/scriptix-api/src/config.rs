//! Client settings: where the server is, how to authenticate, how hard to push.

use std::fmt;
use std::time::Duration;

use url::Url;

use crate::error::ApiError;

/// Which header carries the token (contract 1.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AuthStyle {
    /// `x-zoom-s2t-key: <token>` (Gen A/B, the default).
    #[default]
    ZoomKey,
    /// `Authorization: Bearer <token>` (Gen C).
    Bearer,
}

/// The queue a request waits in for the rate budget.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Lane {
    /// What the user is looking at: served first.
    #[default]
    Interactive,
    /// Sync and prefetch: waits for interactive requests and leaves them a reserve.
    Background,
}

pub const DEFAULT_BASE_URL: &str = "https://api.scriptix.io";

#[derive(Clone)]
pub struct ClientConfig {
    /// With or without a trailing slash; may include a path prefix.
    pub base_url: String,
    pub token: String,
    pub auth_style: AuthStyle,
    /// The client's own budget; the server's `X-RateLimit-Limit` lowers it, never raises it.
    pub rate_limit_per_minute: u32,
    /// For one wire request, connect to last body byte.
    pub request_timeout: Duration,
    /// Re-sends after the first attempt (idempotent failures; 429 for any method).
    pub max_retries: u32,
    pub user_agent: String,
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>, token: impl Into<String>) -> Self {
        ClientConfig {
            base_url: base_url.into(),
            token: token.into(),
            auth_style: AuthStyle::ZoomKey,
            rate_limit_per_minute: 100,
            request_timeout: Duration::from_secs(30),
            max_retries: 4,
            user_agent: concat!("ScriptixResellerDesktop/", env!("CARGO_PKG_VERSION")).to_string(),
        }
    }

    /// The base URL without trailing slashes, checked to be http(s) with a host.
    pub(crate) fn normalized_base(&self) -> Result<Url, ApiError> {
        let invalid = |why: &str| ApiError::Validation {
            field: Some("base_url".into()),
            message: format!("the server address is not usable: {why}"),
        };
        let trimmed = self.base_url.trim().trim_end_matches('/');
        let url = Url::parse(trimmed).map_err(|e| invalid(&e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid("it must start with https:// or http://"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(invalid("it has no host name"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("it must not contain ? or #"));
        }
        Ok(url)
    }
}

// The token never appears in logs.
impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("token", &"<redacted>")
            .field("auth_style", &self.auth_style)
            .field("rate_limit_per_minute", &self.rate_limit_per_minute)
            .field("request_timeout", &self.request_timeout)
            .field("max_retries", &self.max_retries)
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let c = ClientConfig::new(DEFAULT_BASE_URL, "t");
        assert_eq!(c.auth_style, AuthStyle::ZoomKey);
        assert_eq!(c.rate_limit_per_minute, 100);
        assert_eq!(c.request_timeout, Duration::from_secs(30));
        assert_eq!(c.max_retries, 4);
        assert!(c.user_agent.starts_with("ScriptixResellerDesktop/"));
    }

    #[test]
    fn debug_redacts_the_token() {
        let c = ClientConfig::new("https://api.scriptix.io", "sk_reseller_secret123");
        let shown = format!("{c:?}");
        assert!(!shown.contains("secret123"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn base_url_with_or_without_slash() {
        let a = ClientConfig::new("https://api.scriptix.io/", "t")
            .normalized_base()
            .unwrap();
        let b = ClientConfig::new("https://api.scriptix.io", "t")
            .normalized_base()
            .unwrap();
        assert_eq!(a, b);
        let p = ClientConfig::new(" http://127.0.0.1:8080/proxy/// ", "t")
            .normalized_base()
            .unwrap();
        assert_eq!(p.as_str(), "http://127.0.0.1:8080/proxy");
    }

    #[test]
    fn unusable_base_urls_are_validation_errors() {
        for bad in [
            "",
            "api.scriptix.io",
            "ftp://x.io",
            "https://x.io/?a=1",
            "http://",
        ] {
            let e = ClientConfig::new(bad, "t").normalized_base().unwrap_err();
            assert_eq!(e.field(), Some("base_url"), "{bad}: {e}");
        }
    }
}
