//! Desktop notifications through the real window and a real notification server: a private
//! D-Bus session bus (dbus-daemon) with a stand-in for the desktop's notification daemon
//! (`org.freedesktop.Notifications`, as GNOME's or dunst's), which records what the app shows
//! and reports a click the way a daemon does (`ActionInvoked` with `default`). Nothing is shown
//! until the user turns notifications on; then a change Scriptix refuses is said once, with
//! its words, and a click opens that organisation in the window; a threshold organisations
//! reach is said at once, and its click opens the dashboard or the organisation's usage. With
//! two accounts signed in, a refusal in the one not shown names it, and its click switches.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use e2e::{eventually_within as eventually, sandbox, Api, App, Launch};
use scriptix_sandbox::FaultConfig;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::OwnedValue;

const PATH: &str = "/org/freedesktop/Notifications";
const SAID: Duration = Duration::from_secs(60);

/// One notification as the daemon received it.
#[derive(Clone, Debug)]
struct Shown {
    id: u32,
    summary: String,
    body: String,
    actions: Vec<String>,
}

#[derive(Default)]
struct Daemon {
    shown: Arc<Mutex<Vec<Shown>>>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Daemon {
    fn get_capabilities(&self) -> Vec<String> {
        vec!["actions".into(), "body".into()]
    }

    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        _app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        _hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut shown = self.shown.lock().unwrap();
        let id = shown.len() as u32 + 1;
        shown.push(Shown {
            id,
            summary,
            body,
            actions,
        });
        id
    }

    fn close_notification(&self, _id: u32) {}

    fn get_server_information(&self) -> (String, String, String, String) {
        ("stand-in".into(), "e2e".into(), "1".into(), "1.2".into())
    }

    #[zbus(signal)]
    async fn action_invoked(
        emitter: &SignalEmitter<'_>,
        id: u32,
        action_key: &str,
    ) -> zbus::Result<()>;
}

/// A session bus of its own, stopped when dropped.
struct Bus {
    daemon: Child,
    address: String,
    _dir: tempfile::TempDir,
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

fn session_bus() -> Bus {
    let dir = tempfile::tempdir().unwrap();
    let address = format!("unix:path={}", dir.path().join("bus").display());
    let daemon = Command::new("dbus-daemon")
        .args([
            "--session",
            "--nofork",
            "--nopidfile",
            "--address",
            &address,
        ])
        .stdout(Stdio::null())
        .spawn()
        .expect("dbus-daemon (package dbus) runs the notification server's bus");
    // Ready once its socket exists.
    let socket = dir.path().join("bus");
    for _ in 0..100 {
        if socket.exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(socket.exists(), "dbus-daemon made no socket");
    Bus {
        daemon,
        address,
        _dir: dir,
    }
}

/// The stand-in notification daemon on `bus`, and what it was asked to show.
async fn notification_server(bus: &Bus) -> (zbus::Connection, Arc<Mutex<Vec<Shown>>>) {
    let shown = Arc::new(Mutex::new(Vec::<Shown>::new()));
    let connection = zbus::connection::Builder::address(bus.address.as_str())
        .unwrap()
        .name("org.freedesktop.Notifications")
        .unwrap()
        .serve_at(
            PATH,
            Daemon {
                shown: shown.clone(),
            },
        )
        .unwrap()
        .build()
        .await
        .unwrap();
    (connection, shown)
}

/// Ticks the sidebar's setting and waits until it is saved.
async fn turn_notifications_on(app: &App) {
    app.click("#desktop-notifications").await;
    app.wait_js(
        "the setting to be saved",
        "return document.querySelector('#desktop-notifications').checked;",
        vec![],
    )
    .await;
}

/// Reports a click on notification `id`, as a daemon does.
async fn click(connection: &zbus::Connection, id: u32) {
    let daemon = connection
        .object_server()
        .interface::<_, Daemon>(PATH)
        .await
        .unwrap();
    Daemon::action_invoked(daemon.signal_emitter(), id, "default")
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_change_is_said_once_and_a_click_opens_its_organisation() {
    let bus = session_bus();
    let (connection, shown) = notification_server(&bus).await;

    let sandbox = sandbox(6).await;
    let api = Api::of(&sandbox);
    let all = api.all().await;
    let (first, second) = (&all[0], &all[1]);
    let app = App::launch(
        Launch::signed_in(sandbox.base_url(), sandbox.reseller_token())
            .env("DBUS_SESSION_BUS_ADDRESS", bus.address.clone()),
    )
    .await;
    app.wait_for("#org-list .org-row[data-id]").await;
    let refuse = |id: i64| {
        FaultConfig::refusing_customer("PUT", id, 409, "This name is reserved by another reseller.")
    };
    let rename = |id: i64, name: &'static str| {
        let app = &app;
        async move {
            app.click("#nav-orgs").await;
            app.open_tab(id, "subscription").await;
            app.fill("#org-name", name).await;
            app.click("#save-org").await;
            app.wait_gone("#save-org").await;
            app.wait_for("#org-sync-state[data-state=\"failed\"]").await;
        }
    };

    // Off until turned on: a refusal now is not said (and not saved up for later).
    assert!(!app
        .eval(
            "return document.querySelector('#desktop-notifications').checked;",
            vec![]
        )
        .await
        .as_bool()
        .unwrap());
    sandbox.set_faults(refuse(first["id"].as_i64().unwrap()));
    rename(first["id"].as_i64().unwrap(), "Quietly Refused BV").await;

    turn_notifications_on(&app).await;
    let second_id = second["id"].as_i64().unwrap();
    sandbox.set_faults(refuse(second_id));
    rename(second_id, "Loudly Refused BV").await;

    let said = eventually("the refusal to be said", SAID, || async {
        let s = shown.lock().unwrap().clone();
        (!s.is_empty()).then_some(s)
    })
    .await;
    assert_eq!(
        said.len(),
        1,
        "only the refusal made with them on: {said:#?}"
    );
    assert_eq!(said[0].summary, "Scriptix refused a change");
    assert!(
        said[0]
            .body
            .starts_with("Edit organisation Loudly Refused BV: "),
        "{}",
        said[0].body
    );
    assert!(
        said[0]
            .body
            .contains("This name is reserved by another reseller."),
        "{}",
        said[0].body
    );
    assert!(
        said[0].actions.iter().any(|a| a == "default"),
        "a click is reported: {:?}",
        said[0].actions
    );

    // Elsewhere in the app, the click brings the organisation's page.
    app.click("#nav-dashboard").await;
    app.wait_for("#dashboard").await;
    click(&connection, said[0].id).await;
    app.wait_for(&format!("#org-page[data-id=\"{second_id}\"]"))
        .await;
    app.snap("notification-opened").await;

    // Said once: more sync rounds say nothing new.
    app.click("#sync-now").await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        shown.lock().unwrap().len(),
        1,
        "{:#?}",
        shown.lock().unwrap()
    );

    // The alert threshold: this month's figures fetched, then a threshold organisations reach,
    // said at once (one notification each, or one for several).
    app.click("#nav-dashboard").await;
    app.wait_js(
        "this month's figures from the server",
        "const d = document.querySelector('#dashboard');
         const asOf = document.querySelector('#dash-as-of')?.textContent ?? '';
         return d && d.dataset.source === 'server' && asOf.startsWith('As of')
           && !asOf.includes('refreshing');",
        vec![],
    )
    .await;
    // (Through the command the threshold field saves with: the dashboard's own tests type it.)
    let kept = app
        .invoke("set_alert_threshold", serde_json::json!({ "percent": 1.0 }))
        .await
        .expect("the threshold kept");
    assert_eq!(kept.as_f64(), Some(1.0));
    let threshold = eventually("the threshold to be said", SAID, || async {
        shown
            .lock()
            .unwrap()
            .iter()
            .rev()
            .find(|n| n.summary.contains("alert threshold") || n.summary.contains("allowance"))
            .cloned()
    })
    .await;
    let several = threshold.summary.contains(" organisations reached");
    assert!(
        if several {
            threshold.body.contains("of their allowance in")
        } else {
            threshold.body.contains("used of")
        },
        "{threshold:?}"
    );
    app.click("#nav-activity").await;
    app.wait_for("#activity-view").await;
    click(&connection, threshold.id).await;
    if several {
        app.wait_for("#dashboard").await;
    } else {
        // One organisation: its usage tab.
        app.wait_js(
            "the organisation's usage tab",
            "return document.querySelector('#org-page') !== null
               && document.querySelector('#tab-usage')?.getAttribute('aria-selected') === 'true';",
            vec![],
        )
        .await;
    }
    app.close().await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_not_shown_is_named_and_its_notification_switches_to_it() {
    const FIRST: &str = "Northwind Speech Partners";
    const SECOND: &str = "Harbour Transcripts";
    let bus = session_bus();
    let (connection, shown) = notification_server(&bus).await;
    let start = |name: &str, seed: u64| {
        let mut config = e2e::sandbox_config(5);
        config.reseller_name = name.to_string();
        config.seed = seed;
        scriptix_sandbox::start(config)
    };
    let first = start(FIRST, 5).await.unwrap();
    let second = start(SECOND, 6).await.unwrap();
    let target = Api::of(&first).all().await[0]["id"].as_i64().unwrap();

    let app = App::launch(Launch::new().env("DBUS_SESSION_BUS_ADDRESS", bus.address.clone())).await;
    app.sign_in_with_form(first.base_url(), first.reseller_token())
        .await;
    app.wait_for(&format!("#org-list .org-row[data-id=\"{target}\"]"))
        .await;
    turn_notifications_on(&app).await;

    // The first account's server is out of reach while a rename waits; the second account is
    // added and shown; then the first server comes back and refuses the rename.
    first.set_faults(FaultConfig {
        reset_rate: 1.0,
        ..FaultConfig::default()
    });
    app.open_tab(target, "subscription").await;
    app.fill("#org-name", "Refused Elsewhere BV").await;
    app.click("#save-org").await;
    app.wait_gone("#save-org").await;
    app.click("#accounts-menu-button").await;
    app.click("#add-account").await;
    app.sign_in_with_form(second.base_url(), second.reseller_token())
        .await;
    app.wait_until_text("#nav-account", |t| t == SECOND).await;
    first.set_faults(FaultConfig::refusing_customer(
        "PUT",
        target,
        409,
        "This name is reserved by another reseller.",
    ));

    // (Organisations at the alert threshold may be said too: only the refusal is looked at.)
    let refused = |s: &Shown| s.summary.contains("refused");
    let said = eventually("the first account's refusal to be said", SAID, || async {
        let s: Vec<Shown> = shown
            .lock()
            .unwrap()
            .iter()
            .filter(|s| refused(s))
            .cloned()
            .collect();
        (!s.is_empty()).then_some(s)
    })
    .await;
    assert_eq!(said.len(), 1, "{said:#?}");
    assert_eq!(
        said[0].summary,
        format!("{FIRST}: Scriptix refused a change"),
        "the account not shown is named"
    );
    assert!(
        said[0]
            .body
            .contains("This name is reserved by another reseller."),
        "{}",
        said[0].body
    );
    assert_eq!(app.wait_for_text("#nav-account").await, SECOND);

    // The click shows the first account, on the refused organisation.
    click(&connection, said[0].id).await;
    app.wait_until_text("#nav-account", |t| t == FIRST).await;
    app.wait_for(&format!("#org-page[data-id=\"{target}\"]"))
        .await;
    app.wait_for("#org-sync-state[data-state=\"failed\"]").await;
    app.close().await;
}
