//! The `scriptix-sandbox` binary: flags, the start-up banner, serving.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test]
async fn the_binary_prints_its_urls_and_tokens_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scriptix-sandbox"))
        .args([
            "--customers",
            "7",
            "--seed",
            "5",
            "--anchor-date",
            "2026-06-30",
            "--rate-limit",
            "0",
        ])
        .args([
            "--reseller-token",
            "bin-reseller",
            "--disable-gap",
            "g9",
            "--disable-gap",
            "dashboard",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut banner = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done = line.starts_with("Press Ctrl-C");
        banner.push(line);
        if done {
            break;
        }
    }
    let find = |label: &str| {
        banner
            .iter()
            .find_map(|l| l.trim().strip_prefix(label).map(|v| v.trim().to_string()))
            .unwrap_or_else(|| panic!("{label} in {banner:?}"))
    };
    let base = find("base URL:");
    assert!(find("admin URL:").starts_with("http://127.0.0.1:"));
    assert_eq!(find("reseller token:"), "bin-reseller");
    assert_eq!(find("resellee token:"), "sbx-resellee-0000000000000000");
    // reqwest is built without a TLS provider of its own (see scriptix_api::tls).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let get = |path: &str| {
        http.get(format!("{base}{path}"))
            .header("x-zoom-s2t-key", "bin-reseller")
            .send()
    };
    let list: serde_json::Value = get("/api/v3/reseller/customer/")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total_results"], 7);
    assert_eq!(
        get("/api/v3/reseller/branding").await.unwrap().status(),
        404
    );
    assert_eq!(
        get("/api/v3/reseller/dashboard").await.unwrap().status(),
        404
    );
    assert_eq!(get("/api/v3/account/me").await.unwrap().status(), 200);
    child.kill().unwrap();
    child.wait().unwrap();
}
