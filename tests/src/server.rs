//! The sandbox as the end-to-end tests start it, the reseller API as "another desk" uses it
//! over HTTP, and polling the server or the window until something holds.

use std::future::Future;
use std::time::{Duration, Instant};

use scriptix_sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Value};

/// A sandbox of `customers` with no rate limit: the test's own requests are never the ones
/// refused (the app keeps its own budget of 100 a minute).
pub fn sandbox_config(customers: usize) -> SandboxConfig {
    SandboxConfig {
        customers,
        rate_limit_per_minute: 0,
        ..Default::default()
    }
}

/// Starts `sandbox_config(customers)` on a free port.
pub async fn sandbox(customers: usize) -> Sandbox {
    scriptix_sandbox::start(sandbox_config(customers))
        .await
        .expect("start the sandbox")
}

/// The reseller API over HTTP, as another desk (or Scriptix's own site) would use it.
pub struct Api {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl Api {
    pub fn of(sandbox: &Sandbox) -> Api {
        Api {
            base: sandbox.base_url().to_string(),
            token: sandbox.reseller_token().to_string(),
            http: crate::http(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v3/reseller/customer/{path}", self.base)
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> (u16, Value) {
        let resp = req
            .header("x-zoom-s2t-key", &self.token)
            .send()
            .await
            .expect("the sandbox answers");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        (status, body)
    }

    /// Every customer, in id order.
    pub async fn all(&self) -> Vec<Value> {
        let mut out = Vec::new();
        loop {
            let (status, body) = self
                .send(self.http.get(self.url("")).query(&[
                    ("limit", "1000".to_string()),
                    ("offset", out.len().to_string()),
                    ("sort", "id".into()),
                    ("direction", "asc".into()),
                ]))
                .await;
            assert_eq!(status, 200, "list: {body}");
            let page = body["result"].as_array().expect("a list").clone();
            let total = body["total_results"].as_u64().expect("total_results") as usize;
            let done = page.is_empty();
            out.extend(page);
            if done || out.len() >= total {
                return out;
            }
        }
    }

    pub async fn get(&self, id: i64) -> Option<Value> {
        let (status, body) = self.send(self.http.get(self.url(&format!("{id}/")))).await;
        match status {
            200 => Some(body["result"].clone()),
            404 => None,
            other => panic!("get {id}: {other} {body}"),
        }
    }

    pub async fn create(&self, name: &str, email: &str) -> Value {
        let (status, body) = self
            .send(
                self.http
                    .post(self.url(""))
                    .json(&json!({"name": name, "email": email})),
            )
            .await;
        assert_eq!(status, 201, "create: {body}");
        body["result"].clone()
    }

    /// Changes some fields (the rest as the server has them).
    pub async fn update(&self, id: i64, changes: Value) -> Value {
        let mut c = self.get(id).await.expect("the customer to update");
        for (k, v) in changes.as_object().unwrap() {
            c[k] = v.clone();
        }
        let body = json!({"name": c["name"], "email": c["email"], "phone": c["phone"], "is_active": c["is_active"]});
        let (status, body) = self
            .send(self.http.put(self.url(&format!("{id}/"))).json(&body))
            .await;
        assert_eq!(status, 201, "update: {body}");
        body["result"].clone()
    }

    pub async fn delete(&self, id: i64) {
        let (status, body) = self
            .send(self.http.delete(self.url(&format!("{id}/"))))
            .await;
        assert_eq!(status, 204, "delete: {body}");
    }
}

/// Polls `f` until it gives Some, for up to `timeout`.
pub async fn eventually_within<T, F, Fut>(what: &str, timeout: Duration, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
