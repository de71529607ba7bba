//! One app per data folder: a second launch with the same data shows the running window and
//! exits at once (it never opens the cache), while an app with another data folder runs beside
//! it. On Linux the running app is found through the D-Bus session bus: the test starts a
//! private one, so it neither needs nor touches the machine's.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use e2e::{app_binary, home_env, App, Launch};
use scriptix_sandbox::SandboxConfig;

/// A private session bus, stopped when dropped.
struct Bus {
    daemon: Child,
    address: String,
}

impl Bus {
    fn start() -> Bus {
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon (package dbus-daemon; `cargo xtask test` installs it)");
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(daemon.stdout.take().unwrap()),
            &mut line,
        )
        .expect("the bus address");
        Bus {
            daemon,
            address: line.trim().to_string(),
        }
    }

    /// The bus names the apps own for their single instance.
    fn instance_names(&self) -> Vec<String> {
        let out = Command::new("dbus-send")
            .args([
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.ListNames",
            ])
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .output()
            .expect("dbus-send");
        String::from_utf8_lossy(&out.stdout)
            .split('"')
            .filter(|s| s.starts_with("io.scriptix.reseller.") && s.ends_with(".SingleInstance"))
            .map(String::from)
            .collect()
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// The app binary started directly (no WebDriver), with `home` as its data folder the way the
/// test harness lays one out, on `bus`.
fn start_directly(home: &Path, bus: &Bus) -> Child {
    let mut cmd = Command::new(app_binary());
    cmd.envs(home_env(home));
    cmd.env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .env("SCRIPTIX_NO_KEYCHAIN", "1")
        .env("GSETTINGS_BACKEND", "memory")
        .env("NO_AT_BRIDGE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the app")
}

async fn poll<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + e2e::UI_TIMEOUT;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_launch_shows_the_running_window_and_exits() {
    let sb = scriptix_sandbox::start(SandboxConfig {
        customers: 5,
        ..Default::default()
    })
    .await
    .unwrap();
    let bus = Bus::start();
    let home = tempfile::tempdir().unwrap();
    let app = App::launch(
        Launch::signed_in(sb.base_url(), sb.reseller_token())
            .home(home.path())
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address),
    )
    .await;
    app.wait_for(".org-row").await;
    let first = poll("the running app's bus name", || {
        let names = bus.instance_names();
        (names.len() == 1).then(|| names[0].clone())
    })
    .await;

    // Same data folder: it hands over and exits successfully, and the running app shows its
    // window.
    let mut second = start_directly(home.path(), &bus);
    let status = poll("the second launch to exit", || second.try_wait().unwrap()).await;
    assert!(status.success(), "{status:?}");
    poll("the running app to be told", || {
        app.output()
            .contains("a second launch: showing the running window instead")
            .then_some(())
    })
    .await;
    app.wait_for(".org-row").await;
    assert_eq!(bus.instance_names(), vec![first.clone()]);

    // Another data folder: another app, running beside the first under its own name.
    let other_home = tempfile::tempdir().unwrap();
    let mut other = start_directly(other_home.path(), &bus);
    let names = poll("a second bus name", || {
        let names = bus.instance_names();
        (names.len() == 2).then_some(names)
    })
    .await;
    assert!(names.contains(&first));
    assert_eq!(other.try_wait().unwrap(), None, "the other app still runs");
    // SIGTERM: the app quits cleanly, and its WebKit processes with it.
    let _ = Command::new("kill").arg(other.id().to_string()).status();
    let _ = other.wait();
    app.close().await;
}
