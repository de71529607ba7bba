//! What one API call is (method, route, query, body) and what came back.

pub(crate) mod http;

use bytes::Bytes;
use reqwest::Method;
use serde::Serialize;
use url::Url;

use crate::error::{ApiError, RouteKind};

/// One API call, independent of how often it goes over the wire.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub method: Method,
    /// The route as documented, e.g. `/api/v3/reseller/customer/{id}/`: names the endpoint in
    /// errors and logs.
    pub template: &'static str,
    /// The path with ids filled in, appended to the base URL.
    pub path: String,
    pub kind: RouteKind,
    pub query: Vec<(&'static str, String)>,
    pub body: CallBody,
    /// Fetch this absolute URL instead of base + path (a `logo_url`).
    pub absolute: Option<Url>,
}

#[derive(Debug, Clone)]
pub(crate) enum CallBody {
    Empty,
    Json(Bytes),
    /// One file part; rebuilt for every attempt (a multipart form cannot be cloned).
    File {
        field: &'static str,
        bytes: Bytes,
        content_type: String,
        file_name: String,
    },
}

impl Call {
    pub fn new(method: Method, template: &'static str, path: String, kind: RouteKind) -> Call {
        Call {
            method,
            template,
            path,
            kind,
            query: Vec::new(),
            body: CallBody::Empty,
            absolute: None,
        }
    }

    pub fn get(template: &'static str, path: String, kind: RouteKind) -> Call {
        Call::new(Method::GET, template, path, kind)
    }

    pub fn with_query(mut self, query: Vec<(&'static str, String)>) -> Call {
        self.query = query;
        self
    }

    pub fn with_json(mut self, body: &impl Serialize) -> Result<Call, ApiError> {
        let bytes = serde_json::to_vec(body).map_err(|e| ApiError::Validation {
            field: None,
            message: format!("the input cannot be encoded: {e}"),
        })?;
        self.body = CallBody::Json(Bytes::from(bytes));
        Ok(self)
    }

    /// How the endpoint is named to the user: `GET /api/v3/reseller/plan`.
    pub fn endpoint(&self) -> String {
        format!("{} {}", self.method, self.template)
    }
}

/// A complete success answer.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub content_type: Option<String>,
    pub body: Bytes,
}
