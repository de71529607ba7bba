//! Helpers for the HTTP tests: a sandbox on loopback and a plain reqwest client.
#![allow(dead_code)]

use reqwest::{Client, Method, RequestBuilder, Response};
use scriptix_sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;

pub const ANCHOR: &str = "2026-06-30";
pub const CUSTOMERS: &str = "/api/v3/reseller/customer/";

pub fn config(customers: usize) -> SandboxConfig {
    SandboxConfig {
        customers,
        anchor_date: Some(ANCHOR.parse().unwrap()),
        rate_limit_per_minute: 0,
        ..SandboxConfig::default()
    }
}

pub async fn sandbox(customers: usize) -> Sandbox {
    scriptix_sandbox::start(config(customers))
        .await
        .expect("sandbox starts")
}

pub fn client() -> Client {
    // reqwest is built without a TLS provider of its own (see scriptix_api::tls).
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder()
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .unwrap()
}

pub struct Api<'a> {
    pub sb: &'a Sandbox,
    pub http: Client,
    pub token: String,
}

impl<'a> Api<'a> {
    pub fn new(sb: &'a Sandbox) -> Self {
        Api {
            sb,
            http: client(),
            token: sb.reseller_token().to_string(),
        }
    }

    pub fn req(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{}", self.sb.base_url(), path))
            .header("x-zoom-s2t-key", &self.token)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.req(Method::GET, path).send().await.unwrap()
    }

    pub async fn json(&self, method: Method, path: &str, body: Value) -> Response {
        self.req(method, path).json(&body).send().await.unwrap()
    }

    /// GET, asserting 200, returning the body.
    pub async fn ok(&self, path: &str) -> Value {
        let r = self.get(path).await;
        let status = r.status();
        let body: Value = r.json().await.unwrap();
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// Every customer, paging by 1000.
    pub async fn all_customers(&self) -> Vec<Value> {
        let mut out = Vec::new();
        loop {
            let page = self
                .ok(&format!("{CUSTOMERS}?limit=1000&offset={}", out.len()))
                .await;
            let items = page["result"].as_array().unwrap().clone();
            if items.is_empty() {
                return out;
            }
            out.extend(items);
        }
    }
}

/// Asserts the contract's error shape and returns `details.field` if present.
pub async fn error_of(r: Response, status: u16) -> (String, Option<String>) {
    assert_eq!(r.status().as_u16(), status);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], status, "{body}");
    let message = body["error"]["message"]
        .as_str()
        .expect("message")
        .to_string();
    assert!(!message.is_empty());
    let field = body["error"]["details"]["field"].as_str().map(String::from);
    if field.is_some() {
        assert!(body["error"]["details"]["issue"].is_string());
    }
    (message, field)
}
