//! Fetching the update description and the package, bounded in size and time.

use std::time::Duration;

use futures_util::StreamExt;
use url::Url;

use super::UpdateError;

/// The most an update description may be: a real `latest.json` is about 3 KB.
pub const MANIFEST_LIMIT: u64 = 256 * 1024;
/// The most a package may be: a real one is about 10 MB.
pub const PACKAGE_LIMIT: u64 = 300 * 1_000_000;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// A server that sends nothing for this long has stopped.
const READ_TIMEOUT: Duration = Duration::from_secs(30);
/// The description is small: all of it within this.
const MANIFEST_TIMEOUT: Duration = Duration::from_secs(20);

/// HTTP for updates: its own client (no API token, no rate budget), with limits.
#[derive(Clone)]
pub struct UpdateClient {
    http: reqwest::Client,
}

impl UpdateClient {
    pub fn new(user_agent: &str) -> Result<UpdateClient, UpdateError> {
        scriptix_api::tls::install_provider();
        let http = reqwest::Client::builder()
            .user_agent(user_agent)
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(READ_TIMEOUT)
            .build()
            .map_err(|e| UpdateError::Unreachable(e.to_string()))?;
        Ok(UpdateClient { http })
    }

    /// The update description: a JSON object (what it holds is checked by the updater).
    pub async fn manifest(&self, url: &Url) -> Result<serde_json::Value, UpdateError> {
        let response = self
            .http
            .get(url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .timeout(MANIFEST_TIMEOUT)
            .send()
            .await
            .map_err(unreachable)?;
        let bytes = read_bounded(response, MANIFEST_LIMIT, |_, _| {}).await?;
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| UpdateError::BadManifest(format!("not JSON: {e}")))?;
        match value.get("version") {
            Some(serde_json::Value::String(_)) => Ok(value),
            _ => Err(UpdateError::BadManifest("it names no version".into())),
        }
    }

    /// The package's bytes; `progress(received, total)` after each chunk (total when the server
    /// said it).
    pub async fn package(
        &self,
        url: &Url,
        progress: impl FnMut(u64, Option<u64>),
    ) -> Result<Vec<u8>, UpdateError> {
        let response = self
            .http
            .get(url.clone())
            .header(reqwest::header::ACCEPT, "application/octet-stream")
            .send()
            .await
            .map_err(unreachable)?;
        read_bounded(response, PACKAGE_LIMIT, progress).await
    }
}

fn unreachable(e: reqwest::Error) -> UpdateError {
    let what = if e.is_timeout() {
        "it stopped answering".to_string()
    } else if e.is_connect() {
        "no connection".to_string()
    } else {
        e.without_url().to_string()
    };
    UpdateError::Unreachable(what)
}

/// The body, refused as soon as it is known to pass `limit` (by its Content-Length, or as it
/// arrives when the server does not say or says less than it sends).
async fn read_bounded(
    response: reqwest::Response,
    limit: u64,
    mut progress: impl FnMut(u64, Option<u64>),
) -> Result<Vec<u8>, UpdateError> {
    let status = response.status();
    if !status.is_success() {
        return Err(UpdateError::Server(status.as_u16()));
    }
    let too_large = UpdateError::TooLarge {
        limit_mb: limit.div_ceil(1_000_000),
    };
    let total = response.content_length();
    if total.is_some_and(|t| t > limit) {
        return Err(too_large);
    }
    let mut body = Vec::with_capacity(usize::try_from(total.unwrap_or(0)).unwrap_or(0));
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(unreachable)?;
        if body.len() as u64 + chunk.len() as u64 > limit {
            return Err(too_large);
        }
        body.extend_from_slice(&chunk);
        progress(body.len() as u64, total);
    }
    if total.is_some_and(|t| t != body.len() as u64) {
        return Err(UpdateError::Unreachable(
            "the download ended before it was complete".into(),
        ));
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// A one-request HTTP server on loopback that answers `head` then `body` (as raw bytes, so
    /// a test can lie in its headers) and closes.
    async fn serve_once(head: String, body: Vec<u8>) -> Url {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = [0u8; 4096];
            let _ = socket.read(&mut request).await;
            let _ = socket.write_all(head.as_bytes()).await;
            let _ = socket.write_all(&body).await;
            let _ = socket.shutdown().await;
        });
        Url::parse(&format!("http://{addr}/latest.json")).unwrap()
    }

    fn ok(body: &[u8]) -> String {
        format!(
            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        )
    }

    fn client() -> UpdateClient {
        UpdateClient::new("scriptix-reseller-test").unwrap()
    }

    #[tokio::test]
    async fn a_manifest_with_a_version_is_read() {
        let body = br#"{"version":"1.2.0","platforms":{}}"#.to_vec();
        let url = serve_once(ok(&body), body).await;
        let m = client().manifest(&url).await.unwrap();
        assert_eq!(m["version"], "1.2.0");
    }

    #[tokio::test]
    async fn what_is_no_update_description_is_refused_in_words() {
        for body in [
            &b"<html>not found</html>"[..],
            br#"{"name":"x"}"#,
            br#"[1,2]"#,
        ] {
            let url = serve_once(ok(body), body.to_vec()).await;
            let e = client().manifest(&url).await.unwrap_err();
            assert_eq!(e.code(), "update_bad_manifest", "{body:?}: {e}");
            assert!(e.to_string().contains("Nothing was changed"), "{e}");
        }
    }

    #[tokio::test]
    async fn an_error_status_is_named() {
        let url = serve_once(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                .into(),
            Vec::new(),
        )
        .await;
        assert_eq!(
            client().manifest(&url).await.unwrap_err(),
            UpdateError::Server(503)
        );
    }

    #[tokio::test]
    async fn a_body_larger_than_the_limit_is_refused_by_its_length_or_as_it_comes() {
        // Announced too large: refused before reading.
        let url = serve_once(
            format!(
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                MANIFEST_LIMIT + 1
            ),
            Vec::new(),
        )
        .await;
        let e = client().manifest(&url).await.unwrap_err();
        assert!(matches!(e, UpdateError::TooLarge { .. }), "{e}");
        // No length given, more sent than the limit: stopped at the limit.
        let body = vec![b' '; MANIFEST_LIMIT as usize + 10];
        let url = serve_once("HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n".into(), body).await;
        let e = client().manifest(&url).await.unwrap_err();
        assert!(matches!(e, UpdateError::TooLarge { .. }), "{e}");
    }

    #[tokio::test]
    async fn a_package_reports_progress_and_a_cut_download_is_not_taken() {
        let body = vec![7u8; 100_000];
        let url = serve_once(ok(&body), body.clone()).await;
        let mut seen = Vec::new();
        let got = client()
            .package(&url, |received, total| seen.push((received, total)))
            .await
            .unwrap();
        assert_eq!(got, body);
        assert_eq!(seen.last(), Some(&(100_000, Some(100_000))));
        assert!(
            seen.windows(2).all(|w| w[0].0 < w[1].0),
            "progress only grows"
        );

        // The server promises more than it sends, then closes.
        let url = serve_once(ok(&body), body[..50_000].to_vec()).await;
        let e = client().package(&url, |_, _| {}).await.unwrap_err();
        assert_eq!(e.code(), "update_unreachable", "{e}");
    }

    #[tokio::test]
    async fn no_server_is_unreachable_at_once() {
        // A port nothing listens on (bound, then released).
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = Url::parse(&format!("http://127.0.0.1:{port}/latest.json")).unwrap();
        let e = client().manifest(&url).await.unwrap_err();
        assert_eq!(e.code(), "update_unreachable", "{e}");
    }
}
