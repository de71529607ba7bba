//! The client handle: cheap to clone; clones share the connection pool, the rate budget and
//! the request counter.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION};
use url::Origin;

use crate::budget::{Budget, BudgetSnapshot};
use crate::config::{AuthStyle, ClientConfig, Lane};
use crate::envelope;
use crate::error::ApiError;
use crate::page::{Page, Record};
use crate::reachability::{Reachability, ReachabilityCell};
use crate::retry::RetryPolicy;
use crate::transport::{Answer, Call};

/// Rows asked for per request when a call returns a whole list.
pub(crate) const FULL_PAGE: usize = 1000;

/// Pages one whole list may take (100 000 records): a server that ignores `offset` or keeps
/// saying "more" is stopped here with an error, never followed for ever.
pub(crate) const MAX_PAGES: usize = 100;

/// Bytes one whole list may take, all pages together: what its records cost in memory stays
/// bounded even when every page is as large as a body may be.
pub(crate) const MAX_LIST_BYTES: usize = 64 * 1024 * 1024;

#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    lane: Lane,
}

pub(crate) struct Inner {
    pub http: reqwest::Client,
    /// Normalised: no trailing slash.
    pub base: String,
    pub origin: Origin,
    pub auth_name: HeaderName,
    pub auth_value: HeaderValue,
    pub budget: Budget,
    pub retry: RetryPolicy,
    pub sent: AtomicU64,
    pub timeout: Duration,
    /// What the last attempt (or probe) found out about the server.
    pub reach: ReachabilityCell,
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Client, ApiError> {
        let base_url = config.normalized_base()?;
        let token = config.token.trim();
        let bad_token = |why: &str| ApiError::Validation {
            field: Some("token".into()),
            message: why.to_string(),
        };
        if token.is_empty() {
            return Err(bad_token("the API token is empty"));
        }
        let (auth_name, value) = match config.auth_style {
            AuthStyle::ZoomKey => (HeaderName::from_static("x-zoom-s2t-key"), token.to_string()),
            AuthStyle::Bearer => (AUTHORIZATION, format!("Bearer {token}")),
        };
        let mut auth_value = HeaderValue::from_str(&value)
            .map_err(|_| bad_token("the API token contains characters a header cannot carry"))?;
        auth_value.set_sensitive(true);
        crate::tls::install_provider();
        let http = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .timeout(config.request_timeout)
            .connect_timeout(config.request_timeout.min(Duration::from_secs(10)))
            // Never follow a redirect: it could carry the token to another host.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ApiError::Offline {
                reason: format!("the HTTP client could not start: {e}"),
            })?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base: base_url.as_str().trim_end_matches('/').to_string(),
                origin: base_url.origin(),
                auth_name,
                auth_value,
                budget: Budget::new(config.rate_limit_per_minute),
                retry: RetryPolicy::new(config.max_retries),
                sent: AtomicU64::new(0),
                timeout: config.request_timeout,
                reach: ReachabilityCell::new(),
            }),
            lane: Lane::Interactive,
        })
    }

    /// The same client (same budget), its requests queued in `lane`.
    pub fn lane(&self, lane: Lane) -> Client {
        Client {
            inner: self.inner.clone(),
            lane,
        }
    }

    pub fn current_lane(&self) -> Lane {
        self.lane
    }

    /// The normalised base URL (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    pub fn budget(&self) -> BudgetSnapshot {
        self.inner.budget.snapshot()
    }

    /// How long `need` background-lane requests would wait now (None: they may go at once).
    pub fn background_wait(&self, need: usize) -> Option<std::time::Duration> {
        self.inner.budget.background_wait(need)
    }

    /// Requests that went over the wire, retries included, by this client and all its clones.
    pub fn requests_sent(&self) -> u64 {
        self.inner.sent.load(Ordering::Relaxed)
    }

    /// Whether the server answered the last attempt, and every change from now on.
    pub fn reachability(&self) -> tokio::sync::watch::Receiver<Reachability> {
        self.inner.reach.subscribe()
    }

    /// What the last attempt or probe found.
    pub fn reachable_now(&self) -> Reachability {
        self.inner.reach.now()
    }

    /// Asks whether the server is there: a `HEAD` of the base URL without the token (not a
    /// rate-limited API call), answered within `timeout`. Any HTTP answer means reachable.
    pub async fn probe(&self, timeout: Duration) -> Reachability {
        let found = match self
            .inner
            .http
            .head(&self.inner.base)
            .timeout(timeout)
            .send()
            .await
        {
            Ok(_) => Reachability::Reachable,
            Err(e) if e.is_timeout() => Reachability::Unreachable {
                reason: format!("no answer within {} s", timeout.as_secs_f64()),
            },
            Err(e) => Reachability::Unreachable {
                reason: self.inner.describe_error(&e),
            },
        };
        self.inner.reach.report(found.clone());
        found
    }

    pub(crate) async fn send(&self, call: &Call) -> Result<Answer, ApiError> {
        self.inner.execute(call, self.lane).await
    }

    pub(crate) async fn fetch_one<T: Record>(&self, call: Call) -> Result<T, ApiError> {
        let answer = self.send(&call).await?;
        envelope::parse_one(&answer.body)
    }

    pub(crate) async fn fetch_page<T: Record>(&self, call: Call) -> Result<Page<T>, ApiError> {
        let answer = self.send(&call).await?;
        envelope::parse_page(&answer.body)
    }

    /// A whole list: pages of `FULL_PAGE` until a short page (or `total_results`). Unreadable
    /// records are logged and left out. A list that has not ended after `MAX_PAGES` pages or
    /// `MAX_LIST_BYTES` is `Malformed`: half a list is never handed out as the whole of it
    /// (a replay deciding "not on the server" from it would create a record twice).
    pub(crate) async fn fetch_all<T: Record>(&self, call: Call) -> Result<Vec<T>, ApiError> {
        let mut items = Vec::new();
        let mut offset = 0usize;
        let mut bytes = 0usize;
        for pages in 0.. {
            if pages == MAX_PAGES {
                return Err(ApiError::malformed(format!(
                    "the list {} did not end after {MAX_PAGES} pages",
                    call.template
                )));
            }
            let mut page_call = call.clone();
            page_call.query.push(("limit", FULL_PAGE.to_string()));
            page_call.query.push(("offset", offset.to_string()));
            let answer = self.send(&page_call).await?;
            bytes += answer.body.len();
            if bytes > MAX_LIST_BYTES {
                return Err(ApiError::malformed(format!(
                    "the list {} is larger than {} MB",
                    call.template,
                    MAX_LIST_BYTES / 1024 / 1024
                )));
            }
            let page: Page<T> = envelope::parse_page(&answer.body)?;
            for r in &page.rejected {
                tracing::warn!(route = call.template, index = offset + r.index, id = ?r.id,
                    reason = %r.reason, "unreadable record left out");
            }
            let n = page.raw_len();
            items.extend(page.items);
            offset += n;
            let past_total = page.total.is_some_and(|t| offset as u64 >= t);
            if n < FULL_PAGE || past_total {
                break;
            }
        }
        Ok(items)
    }

    /// A call whose answer carries nothing we need (204).
    pub(crate) async fn send_no_content(&self, call: Call) -> Result<(), ApiError> {
        self.send(&call).await.map(|_| ())
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base)
            .field("lane", &self.lane)
            .field("requests_sent", &self.requests_sent())
            .finish_non_exhaustive()
    }
}
