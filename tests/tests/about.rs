//! About and "Copy diagnostics" through the real window: the version, and a report that says
//! how the sync stands and holds neither the token nor any customer's data.

use e2e::{App, Launch};
use scriptix_sandbox::SandboxConfig;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn about_shows_the_version_and_copies_diagnostics_without_secrets() {
    let sb = scriptix_sandbox::start(SandboxConfig {
        customers: 8,
        ..Default::default()
    })
    .await
    .unwrap();
    let app = App::launch(Launch::signed_in(sb.base_url(), sb.reseller_token())).await;
    app.wait_for(".org-row").await;
    app.click("#about").await;
    assert_eq!(
        app.wait_for_text("#about-version").await,
        env!("CARGO_PKG_VERSION")
    );

    let report = app.value("#diagnostics-text").await;
    assert!(
        report.starts_with(&format!(
            "Scriptix Reseller Desktop: {}\n",
            env!("CARGO_PKG_VERSION")
        )),
        "{report}"
    );
    let server = sb.base_url().trim_end_matches('/');
    let host = server.split('/').take(3).collect::<Vec<_>>().join("/");
    assert!(report.contains(&format!("Server: {host}\n")), "{report}");
    assert!(report.contains("Roles: RESELLER"), "{report}");
    assert!(report.contains("Changes waiting: 0 pending"), "{report}");
    assert!(!report.contains(sb.reseller_token()), "the token leaked");
    let customers = app
        .invoke(
            "list_customers",
            json!({"request": {"search": "", "status": null, "sort": "name", "direction": "asc", "offset": 0, "limit": 100}}),
        )
        .await
        .unwrap();
    let rows = customers["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    for c in rows {
        for field in ["name", "email"] {
            let v = c[field].as_str().unwrap();
            assert!(!report.contains(v), "{field} {v} is in the report");
        }
    }

    // Copying says whether it worked, and what it copied is the report shown.
    app.click("#copy-diagnostics").await;
    let status = app.wait_for_text("#copy-status").await;
    assert!(status.starts_with("Copied"), "{status}");
    // The system clipboard holds it (read with xclip, as another program would paste it).
    let pasted = std::process::Command::new("xclip")
        .args(["-selection", "clipboard", "-o"])
        .output()
        .expect("xclip (package xclip; `cargo xtask test` installs it)");
    assert_eq!(String::from_utf8_lossy(&pasted.stdout), report);
    app.close().await;
}
