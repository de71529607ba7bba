use bytes::Bytes;
use reqwest::Method;
use url::Url;

use crate::error::{ApiError, RouteKind};
use crate::models::branding::{Branding, BrandingColors};
use crate::transport::{Call, CallBody};
use crate::Client;

const BRANDING: &str = "/api/v3/reseller/branding";
const LOGO: &str = "/api/v3/reseller/branding/logo";

fn call(method: Method, path: &'static str) -> Call {
    Call::new(method, path, path.to_string(), RouteKind::Gap)
}

/// `type/subtype`, as a header can carry it.
fn plausible_mime(s: &str) -> bool {
    let mut parts = s.splitn(2, '/');
    let ok = |p: Option<&str>| {
        p.is_some_and(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+-.;= ".contains(&b))
        })
    };
    ok(parts.next()) && ok(parts.next())
}

impl Client {
    /// G9.
    pub async fn branding(&self) -> Result<Branding, ApiError> {
        self.fetch_one(call(Method::GET, BRANDING)).await
    }

    /// G9: replaces both colours (`None` resets one); 201.
    pub async fn update_branding_colors(
        &self,
        colors: &BrandingColors,
    ) -> Result<Branding, ApiError> {
        self.fetch_one(call(Method::PUT, BRANDING).with_json(colors)?)
            .await
    }

    /// G9: multipart field `logo`; 201 with the new branding. 413 (too large) and 415 (not an
    /// image) come back as `Rejected`.
    pub async fn upload_logo(
        &self,
        bytes: Vec<u8>,
        content_type: &str,
        file_name: &str,
    ) -> Result<Branding, ApiError> {
        if !plausible_mime(content_type) {
            return Err(ApiError::Validation {
                field: Some("content_type".into()),
                message: format!("{content_type:?} is not a media type"),
            });
        }
        let mut upload = call(Method::PUT, LOGO);
        upload.body = CallBody::File {
            field: "logo",
            bytes: Bytes::from(bytes),
            content_type: content_type.to_string(),
            file_name: file_name.to_string(),
        };
        self.fetch_one(upload).await
    }

    /// G9, 204.
    pub async fn delete_logo(&self) -> Result<(), ApiError> {
        self.send_no_content(call(Method::DELETE, LOGO)).await
    }

    /// The logo's bytes and content type. `logo_url` may be absolute (as the server gives it)
    /// or relative to the base URL; the token is only sent to the configured server.
    pub async fn fetch_logo(&self, logo_url: &str) -> Result<(Vec<u8>, String), ApiError> {
        let base =
            Url::parse(&format!("{}/", self.base_url())).map_err(|e| ApiError::Validation {
                field: Some("base_url".into()),
                message: e.to_string(),
            })?;
        let url = base.join(logo_url).map_err(|e| ApiError::Validation {
            field: Some("logo_url".into()),
            message: format!("not a usable address: {e}"),
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ApiError::Validation {
                field: Some("logo_url".into()),
                message: "only http(s) addresses are fetched".into(),
            });
        }
        let mut fetch = call(Method::GET, LOGO);
        fetch.absolute = Some(url);
        let answer = self.send(&fetch).await?;
        let content_type = answer
            .content_type
            .unwrap_or_else(|| "application/octet-stream".to_string());
        Ok((answer.body.to_vec(), content_type))
    }
}

#[cfg(test)]
mod tests {
    use super::plausible_mime;

    #[test]
    fn media_types() {
        assert!(plausible_mime("image/png"));
        assert!(plausible_mime("image/svg+xml"));
        assert!(!plausible_mime("png"));
        assert!(!plausible_mime("image/"));
        assert!(!plausible_mime("image/png\r\nX-Evil: 1"));
    }
}
