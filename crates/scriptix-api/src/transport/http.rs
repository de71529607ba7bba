//! The one request executor: budget, send, read, classify, retry.
//!
//! Retry rules:
//! - idempotent methods (GET, PUT, DELETE) are re-sent on 5xx, timeouts, lost connections and
//!   truncated bodies, with capped exponential backoff and full jitter;
//! - a request that never reached the server (connection refused, DNS) is re-sent for any method;
//! - a 429 is re-sent for any method after `Retry-After` (the server refused it unprocessed),
//!   and the wait blocks the whole budget;
//! - a POST is never re-sent once it may have reached the server: the caller gets a typed error
//!   and reconciles (the sync engine looks the record up before creating it again);
//! - a DELETE retried after an attempt whose answer was lost, answered 404, succeeded earlier.

use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::{Bytes, BytesMut};
use reqwest::header::{HeaderMap, ACCEPT, CONTENT_TYPE, RETRY_AFTER};
use reqwest::multipart::{Form, Part};
use reqwest::Method;
use url::Url;

use super::{Answer, Call, CallBody};
use crate::budget::ServerHint;
use crate::client::Inner;
use crate::config::Lane;
use crate::error::{from_status, ApiError};
use crate::error_body;
use crate::reachability::Reachability;
use crate::retry::is_idempotent;

/// The largest answer read. The API's largest are a 1000-row page (~200 KB), a logo (at most
/// 2 MiB) and a dashboard with a row per customer (~200 bytes a customer); 16 MiB leaves room
/// for all of them, and a hostile server streaming more is cut off at this many bytes.
pub(crate) const MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;

/// Of an error answer only the start is read: the message is clipped to 300 characters
/// anyway, and the status alone decides what the error is.
pub(crate) const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;

/// A `Retry-After` longer than this is handed to the caller instead of waited out inside a call.
const MAX_RETRY_AFTER_WAIT: Duration = Duration::from_secs(120);

/// Used when a 429 says nothing about how long to wait.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);

/// What one wire attempt produced.
enum Attempt {
    Answered {
        status: u16,
        headers: HeaderMap,
        body: Bytes,
    },
    /// A success status, but the body could not be read to its end.
    BodyLost { reason: String, timeout: bool },
    /// No answer at all. `sent` is false only when no connection was made.
    NoAnswer { reason: String, sent: bool },
    /// An answer we refuse to read (too big).
    Unusable(ApiError),
}

impl Inner {
    pub(crate) async fn execute(&self, call: &Call, lane: Lane) -> Result<Answer, ApiError> {
        let url = self.url_for(call)?;
        let with_auth = self.same_origin(&url);
        let idempotent = is_idempotent(&call.method);
        let max = self.retry.max_retries;
        let mut retries = 0u32;
        let mut rate_retries = 0u32;
        let mut answer_lost = false;
        loop {
            let permit = self.budget.acquire(lane).await;
            self.sent.fetch_add(1, Ordering::Relaxed);
            let attempt = self.send_once(call, &url, with_auth).await;
            self.reach.report(match &attempt {
                Attempt::NoAnswer { reason, .. }
                | Attempt::BodyLost {
                    reason,
                    timeout: true,
                } => Reachability::Unreachable {
                    reason: reason.clone(),
                },
                _ => Reachability::Reachable,
            });
            match &attempt {
                Attempt::Answered { headers, .. } => {
                    self.budget.observe(permit.seq(), server_hint(headers));
                }
                // Never reached the server: no window counted it.
                Attempt::NoAnswer { sent: false, .. } => self.budget.forget(permit.seq()),
                _ => {}
            }
            drop(permit);
            tracing::debug!(
                method = %call.method,
                route = call.template,
                attempt = retries + rate_retries + 1,
                outcome = attempt.describe(),
                "api request"
            );
            match attempt {
                Attempt::Answered {
                    status,
                    headers,
                    body,
                } => {
                    if (200..300).contains(&status) {
                        let content_type = headers
                            .get(CONTENT_TYPE)
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_string);
                        return Ok(Answer { content_type, body });
                    }
                    let info = error_body::parse(&body);
                    if status == 429 {
                        let wait = retry_after(&headers)
                            .or(info.retry_after)
                            .or_else(|| server_hint(&headers).reset_in)
                            .unwrap_or(DEFAULT_RETRY_AFTER);
                        self.budget.block_for(wait);
                        if rate_retries < max && wait <= MAX_RETRY_AFTER_WAIT {
                            rate_retries += 1;
                            continue;
                        }
                        return Err(ApiError::RateLimited { retry_after: wait });
                    }
                    if status == 404 && call.method == Method::DELETE && answer_lost {
                        // An earlier attempt deleted it; only its answer was lost.
                        return Ok(Answer {
                            content_type: None,
                            body: Bytes::new(),
                        });
                    }
                    if !(status >= 500 && idempotent && retries < max) {
                        return Err(from_status(
                            status,
                            info,
                            call.kind,
                            &call.endpoint(),
                            DEFAULT_RETRY_AFTER,
                        ));
                    }
                }
                Attempt::BodyLost { reason, timeout } => {
                    answer_lost = true;
                    if !(idempotent && retries < max) {
                        let reason = if idempotent {
                            reason
                        } else {
                            format!("{reason}; the change may have been applied")
                        };
                        return Err(if timeout {
                            ApiError::Offline { reason }
                        } else {
                            ApiError::Malformed { reason }
                        });
                    }
                }
                Attempt::NoAnswer { reason, sent } => {
                    answer_lost |= sent;
                    if !((idempotent || !sent) && retries < max) {
                        let reason = if sent && !idempotent {
                            format!("{reason}; the request may have reached the server")
                        } else {
                            reason
                        };
                        return Err(ApiError::Offline { reason });
                    }
                }
                Attempt::Unusable(e) => return Err(e),
            }
            let wait = self.retry.backoff(retries, &mut rand::rng());
            retries += 1;
            tokio::time::sleep(wait).await;
        }
    }

    async fn send_once(&self, call: &Call, url: &Url, with_auth: bool) -> Attempt {
        let mut req = self
            .http
            .request(call.method.clone(), url.clone())
            .header(ACCEPT, "application/json");
        if with_auth {
            req = req.header(self.auth_name.clone(), self.auth_value.clone());
        }
        req = match &call.body {
            CallBody::Empty => req,
            CallBody::Json(bytes) => req
                .header(CONTENT_TYPE, "application/json")
                .body(bytes.clone()),
            CallBody::File {
                field,
                bytes,
                content_type,
                file_name,
            } => {
                let part = || {
                    Part::stream_with_length(reqwest::Body::from(bytes.clone()), bytes.len() as u64)
                        .file_name(file_name.clone())
                };
                // The content type was checked by the caller; fall back to none if it still fails.
                let part = part().mime_str(content_type).unwrap_or_else(|_| part());
                req.multipart(Form::new().part(*field, part))
            }
        };
        let mut resp = match req.send().await {
            Ok(resp) => resp,
            Err(e) => {
                return Attempt::NoAnswer {
                    reason: self.describe_error(&e),
                    sent: !e.is_connect(),
                }
            }
        };
        let status = resp.status().as_u16();
        let success = resp.status().is_success();
        if success && resp.content_length().is_some_and(|n| n > MAX_BODY_BYTES) {
            return Attempt::Unusable(ApiError::malformed(format!(
                "the answer is larger than {} MB",
                MAX_BODY_BYTES / 1024 / 1024
            )));
        }
        let headers = std::mem::take(resp.headers_mut());
        let mut body = BytesMut::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) if !success => {
                    let room = MAX_ERROR_BODY_BYTES - body.len();
                    body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                    if body.len() == MAX_ERROR_BODY_BYTES {
                        break;
                    }
                }
                Ok(Some(chunk)) => {
                    if (body.len() + chunk.len()) as u64 > MAX_BODY_BYTES {
                        return Attempt::Unusable(ApiError::malformed(format!(
                            "the answer is larger than {} MB",
                            MAX_BODY_BYTES / 1024 / 1024
                        )));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                // The status of an error answer is what matters; its body is optional.
                Err(_) if !success => break,
                Err(e) => {
                    let reason = if e.is_timeout() {
                        self.describe_error(&e)
                    } else {
                        format!("the answer was cut short ({})", root_cause(&e))
                    };
                    return Attempt::BodyLost {
                        reason,
                        timeout: e.is_timeout(),
                    };
                }
            }
        }
        Attempt::Answered {
            status,
            headers,
            body: body.freeze(),
        }
    }

    fn url_for(&self, call: &Call) -> Result<Url, ApiError> {
        let mut url = match &call.absolute {
            Some(url) => url.clone(),
            None => Url::parse(&format!("{}{}", self.base, call.path)).map_err(|e| {
                ApiError::Validation {
                    field: None,
                    message: format!("cannot build the address of {}: {e}", call.template),
                }
            })?,
        };
        if !call.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in &call.query {
                pairs.append_pair(k, v);
            }
        }
        Ok(url)
    }

    /// The token goes only to the configured server, never to another origin.
    fn same_origin(&self, url: &Url) -> bool {
        url.origin() == self.origin
    }

    pub(crate) fn describe_error(&self, e: &reqwest::Error) -> String {
        if e.is_timeout() {
            format!(
                "no answer within {} s",
                self.timeout.as_secs_f64().round() as u64
            )
        } else if e.is_connect() {
            format!("could not connect ({})", root_cause(e))
        } else {
            format!("the connection was lost ({})", root_cause(e))
        }
    }
}

impl Attempt {
    fn describe(&self) -> String {
        match self {
            Attempt::Answered { status, .. } => status.to_string(),
            Attempt::BodyLost { reason, .. } | Attempt::NoAnswer { reason, .. } => reason.clone(),
            Attempt::Unusable(e) => e.to_string(),
        }
    }
}

/// The innermost error: "Connection refused (os error 111)" rather than "error sending request".
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

fn header_f64(headers: &HeaderMap, name: &str) -> Option<f64> {
    headers
        .get(name)?
        .to_str()
        .ok()?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
}

fn now_unix() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// `X-RateLimit-*`. `Reset` is unix seconds (the contract); a small number is read as
/// seconds from now, as some servers send. The time left is measured on the server's clock
/// when its `Date` shows ours running ahead, so a skewed clock cannot make us early.
pub(crate) fn server_hint(headers: &HeaderMap) -> ServerHint {
    let clamp = |v: f64| v.min(u32::MAX as f64) as u32;
    let reset = header_f64(headers, "x-ratelimit-reset");
    let reset_in = reset.map(|v| {
        let secs = if v > 1_000_000_000.0 {
            let server_now = server_date(headers).map_or(f64::MAX, |d| d as f64);
            (v - now_unix().min(server_now)).max(0.0)
        } else {
            v
        };
        Duration::from_secs_f64(secs.min(86_400.0))
    });
    // The window's name: its end in unix seconds, as written (or computed from a delta).
    let window = reset.map(|v| {
        if v > 1_000_000_000.0 {
            v.ceil() as u64
        } else {
            (now_unix() + v).ceil() as u64
        }
    });
    ServerHint {
        limit: header_f64(headers, "x-ratelimit-limit").map(clamp),
        remaining: header_f64(headers, "x-ratelimit-remaining").map(clamp),
        reset_in,
        window,
    }
}

/// The server's `Date` (unix seconds, whole: a lower bound of its clock).
fn server_date(headers: &HeaderMap) -> Option<i64> {
    let raw = headers.get(reqwest::header::DATE)?.to_str().ok()?;
    chrono::DateTime::parse_from_rfc2822(raw.trim())
        .ok()
        .map(|d| d.timestamp())
}

/// `Retry-After`: seconds, or an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let raw = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = raw.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0)
            .then(|| Duration::from_secs_f64(secs.min(86_400.0)));
    }
    let at = chrono::DateTime::parse_from_rfc2822(raw).ok()?;
    let secs = (at.timestamp_millis() as f64 / 1000.0 - now_unix()).max(0.0);
    Some(Duration::from_secs_f64(secs.min(86_400.0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        assert_eq!(
            retry_after(&headers(&[("retry-after", "7")])),
            Some(Duration::from_secs(7))
        );
        let soon = chrono::Utc::now() + chrono::Duration::seconds(30);
        let date = soon.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        let wait = retry_after(&headers(&[("retry-after", &date)])).unwrap();
        assert!(
            wait > Duration::from_secs(25) && wait <= Duration::from_secs(31),
            "{wait:?}"
        );
        assert_eq!(
            retry_after(&headers(&[(
                "retry-after",
                "Wed, 21 Oct 2015 07:28:00 GMT"
            )])),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")])), None);
        assert_eq!(retry_after(&headers(&[("retry-after", "-3")])), None);
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }

    #[test]
    fn rate_limit_headers() {
        let reset = (now_unix() as u64 + 42).to_string();
        let h = server_hint(&headers(&[
            ("x-ratelimit-limit", "100"),
            ("x-ratelimit-remaining", "37"),
            ("x-ratelimit-reset", &reset),
        ]));
        assert_eq!(h.limit, Some(100));
        assert_eq!(h.remaining, Some(37));
        assert_eq!(h.window, reset.parse().ok());
        let r = h.reset_in.unwrap();
        assert!(
            r > Duration::from_secs(40) && r <= Duration::from_secs(42),
            "{r:?}"
        );
        // Our clock 100 s ahead of the server's: the server's Date decides.
        let server_now = chrono::Utc::now() - chrono::Duration::seconds(100);
        let date = server_now.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        let reset = (server_now.timestamp() + 10).to_string();
        let skewed = server_hint(&headers(&[("x-ratelimit-reset", &reset), ("date", &date)]));
        assert_eq!(skewed.reset_in, Some(Duration::from_secs(10)));
        let delta = server_hint(&headers(&[("x-ratelimit-reset", "12")]));
        assert_eq!(delta.reset_in, Some(Duration::from_secs(12)));
        assert_eq!(server_hint(&HeaderMap::new()), ServerHint::default());
        assert_eq!(
            server_hint(&headers(&[("x-ratelimit-limit", "lots")])).limit,
            None
        );
    }
}
