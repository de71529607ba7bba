//! "Copy diagnostics": the text a reseller pastes into a support ticket. It says which app and
//! system, how the sync stands and what went wrong lately (`logging::recent`), and nothing
//! else: no token, no customer's name, email or phone, not the reseller's own name or email.

use std::fmt::Write as _;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::logging::RecentError;
use crate::sync::status::{Connectivity, SyncStatus};
use crate::workspace::Workspace;

/// What the shell knows of itself (also what About shows).
#[derive(Clone, Debug, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppFacts {
    pub version: String,
    /// The webview's version (WebKitGTK, WebView2, WKWebView), when known.
    pub webview: Option<String>,
    /// Where the log files are.
    pub log_dir: Option<String>,
}

/// An open account's part: server, role, the cache and the sync.
#[derive(Clone, Debug)]
pub struct AccountFacts {
    pub server: String,
    pub demo: bool,
    pub roles: Vec<String>,
    pub customers_cached: Option<u64>,
    pub cache_schema: Option<i64>,
    pub sync: SyncStatus,
}

impl Workspace {
    /// This account's facts for a support ticket (cache reads that fail are left out).
    pub fn account_facts(&self) -> AccountFacts {
        let info = self.info();
        let (customers_cached, cache_schema) = match self.read() {
            Ok(cache) => (
                cache.customer_counts().ok().map(|c| c.total),
                cache.schema_version().ok(),
            ),
            Err(_) => (None, None),
        };
        AccountFacts {
            server: server_of(&info.base_url),
            demo: info.demo,
            roles: info.roles.clone(),
            customers_cached,
            cache_schema,
            sync: self.engine().status(),
        }
    }
}

/// The API's address without path, query or credentials: `https://api.scriptix.io`.
fn server_of(base_url: &str) -> String {
    let Some((scheme, rest)) = base_url.split_once("://") else {
        return "(not a URL)".into();
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    format!("{scheme}://{host}")
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The report, plain text, one fact a line.
pub fn report(app: &AppFacts, account: Option<&AccountFacts>, recent: &[RecentError]) -> String {
    report_at(app, account, recent, Utc::now())
}

/// `report` made at `now`.
pub fn report_at(
    app: &AppFacts,
    account: Option<&AccountFacts>,
    recent: &[RecentError],
    now: DateTime<Utc>,
) -> String {
    let mut out = String::new();
    let mut line = |k: &str, v: &str| {
        let _ = writeln!(out, "{k}: {v}");
    };
    line("Scriptix Reseller Desktop", &app.version);
    line(
        "System",
        &format!(
            "{} {} ({})",
            os_name(),
            std::env::consts::ARCH,
            std::env::consts::FAMILY
        ),
    );
    line("Webview", app.webview.as_deref().unwrap_or("unknown"));
    line("Report made", &time(now));
    if let Some(dir) = &app.log_dir {
        line("Log files", dir);
    }
    match account {
        None => line("Account", "signed out"),
        Some(a) => {
            line("Server", &a.server);
            line("Demo", if a.demo { "yes" } else { "no" });
            line("Roles", &a.roles.join(", "));
            if let Some(n) = a.customers_cached {
                line("Organisations cached", &n.to_string());
            }
            if let Some(v) = a.cache_schema {
                line("Cache schema", &v.to_string());
            }
            let s = &a.sync;
            let connectivity = match s.connectivity {
                Connectivity::Unknown => "not tried yet",
                Connectivity::Online => "online",
                Connectivity::Offline => "offline",
            };
            line("Connection", connectivity);
            if let Some(reason) = &s.offline_reason {
                line("Offline because", reason);
            }
            line("Last synced", &s.last_synced.map_or("never".into(), time));
            line(
                "Changes waiting",
                &format!(
                    "{} pending, {} failed, {} in conflict",
                    s.pending, s.failed, s.conflicts
                ),
            );
            if let Some(e) = &s.last_error {
                line("Last sync error", &format!("{} ({})", e.message, e.code));
            }
        }
    }
    let _ = writeln!(out, "Recent warnings and errors: {}", recent.len());
    for e in recent {
        let code = e
            .code
            .as_deref()
            .map(|c| format!(" [{c}]"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {} {} {}: {}{code}",
            time(e.at),
            e.level,
            e.target,
            e.message
        );
    }
    out
}

/// The OS by name: the distribution's on Linux (`/etc/os-release`), else the family.
fn os_name() -> String {
    if cfg!(target_os = "linux") {
        if let Ok(text) = std::fs::read_to_string("/etc/os-release") {
            if let Some(name) = text
                .lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_string())
            {
                return name;
            }
        }
    }
    std::env::consts::OS.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::status::StatusError;

    fn app() -> AppFacts {
        AppFacts {
            version: "1.2.3".into(),
            webview: Some("2.48.1".into()),
            log_dir: Some("/home/ann/.local/share/io.scriptix.reseller/logs".into()),
        }
    }

    #[test]
    fn a_signed_in_report_says_how_the_sync_stands() {
        let sync = SyncStatus {
            connectivity: Connectivity::Offline,
            offline_reason: Some("The server cannot be reached.".into()),
            last_synced: Some("2026-12-04T10:00:00Z".parse().unwrap()),
            pending: 2,
            failed: 1,
            conflicts: 0,
            last_error: Some(StatusError {
                code: "rate_limited".into(),
                message: "Scriptix asked us to slow down.".into(),
            }),
            ..SyncStatus::default()
        };
        let account = AccountFacts {
            server: server_of("https://user:secret@api.scriptix.io/api/v3?token=abc"),
            demo: false,
            roles: vec!["RESELLER".into()],
            customers_cached: Some(10_000),
            cache_schema: Some(20),
            sync,
        };
        let recent = vec![RecentError {
            at: "2026-12-04T10:05:00Z".parse().unwrap(),
            level: "WARN".into(),
            target: "reseller_core::sync".into(),
            message: "sync round ended early".into(),
            code: Some("offline".into()),
        }];
        let text = report_at(&app(), Some(&account), &recent, Utc::now());
        assert!(text.starts_with("Scriptix Reseller Desktop: 1.2.3\n"));
        assert!(text.contains("Server: https://api.scriptix.io\n"), "{text}");
        assert!(!text.contains("secret") && !text.contains("token=abc"));
        assert!(text.contains("Organisations cached: 10000\n"));
        assert!(text.contains("Connection: offline\n"));
        assert!(text.contains("Last synced: 2026-12-04T10:00:00Z\n"));
        assert!(text.contains("Changes waiting: 2 pending, 1 failed, 0 in conflict\n"));
        assert!(text.contains("Last sync error: Scriptix asked us to slow down. (rate_limited)\n"));
        assert!(text.contains("Recent warnings and errors: 1\n"));
        assert!(text.contains(
            "  2026-12-04T10:05:00Z WARN reseller_core::sync: sync round ended early [offline]\n"
        ));
    }

    #[test]
    fn signed_out_it_says_so() {
        let text = report(&app(), None, &[]);
        assert!(text.contains("Account: signed out\n"));
        assert!(text.contains("Recent warnings and errors: 0\n"));
        assert!(!text.contains("Server:"));
    }
}
