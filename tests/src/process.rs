//! Stopping what a test started: the WebDriver session, tauri-driver, and every process below it.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::process::Child;
use std::time::{Duration, Instant};

const GRACE: Duration = Duration::from_secs(5);

/// `DELETE /session/{id}` with a plain socket: usable from `Drop`, where no runtime is at hand.
pub fn delete_session(port: u16, session_id: &str) {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let request = format!(
        "DELETE /session/{session_id} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_ok() {
        // Reading the answer (or its end) means the driver has acted on it.
        let mut sink = Vec::new();
        let _ = stream.read_to_end(&mut sink);
    }
}

/// SIGTERM to tauri-driver (SIGKILL would leave WebKitWebDriver behind), then SIGKILL to any of
/// its descendants still running: the process tree is recorded first, because orphans are
/// re-parented and cannot be found from the driver afterwards.
pub fn stop_tree(mut driver: Child) {
    let pid = driver.id();
    let tree = descendants(pid);
    terminate(pid);
    let deadline = Instant::now() + GRACE;
    while Instant::now() < deadline {
        if matches!(driver.try_wait(), Ok(Some(_))) {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    if !matches!(driver.try_wait(), Ok(Some(_))) {
        let _ = driver.kill();
        let _ = driver.wait();
    }
    for child in tree {
        if is_running(child) {
            kill(child);
        }
    }
}

/// SIGKILL to `root` and everything below it (the watchdog's last resort: no grace, since what
/// it stops has already stopped answering).
pub fn kill_tree(root: u32) {
    let tree = descendants(root);
    kill(root);
    for child in tree {
        if is_running(child) {
            kill(child);
        }
    }
}

#[cfg(unix)]
fn terminate(pid: u32) {
    if let Ok(pid) = libc::pid_t::try_from(pid) {
        // SAFETY: kill(2) with a pid of our own child and a valid signal number.
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
    }
}

#[cfg(unix)]
fn kill(pid: u32) {
    if let Ok(pid) = libc::pid_t::try_from(pid) {
        // SAFETY: kill(2) with a pid recorded from our own process tree and a valid signal.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
    }
}

#[cfg(not(unix))]
fn terminate(_pid: u32) {}

#[cfg(not(unix))]
fn kill(_pid: u32) {}

/// Every process below `root`, from /proc (empty where there is no /proc).
pub fn descendants(root: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .map(|dir| {
            dir.filter_map(Result::ok)
                .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
                .filter_map(|pid| Some((pid, parent_of(pid)?)))
                .collect()
        })
        .unwrap_or_default();
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            parents
                .iter()
                .filter(|(_, ppid)| *ppid == parent)
                .map(|(pid, _)| *pid),
        );
        i += 1;
    }
    found.remove(0);
    found
}

/// /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses.
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    Some(rest.split_whitespace().map(str::to_string).collect())
}

fn parent_of(pid: u32) -> Option<u32> {
    stat_fields(pid)?.get(1)?.parse().ok()
}

fn is_running(pid: u32) -> bool {
    match stat_fields(pid) {
        Some(fields) => fields
            .first()
            .is_some_and(|state| state != "Z" && state != "X"),
        None => false,
    }
}

/// A process's command name (`/proc/PID/comm`).
pub fn command_name(pid: u32) -> Option<String> {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .ok()
        .map(|c| c.trim().to_string())
}

/// When a process started, in milliseconds since the Unix epoch, to the kernel's clock tick
/// (10 ms): its start time since boot (/proc/PID/stat) against the time since boot now
/// (/proc/uptime), both read at once.
#[cfg(unix)]
pub fn started_epoch_ms(pid: u32) -> Option<f64> {
    // Field 22 of stat; the fields after the command name start at field 3.
    let ticks: f64 = stat_fields(pid)?.get(19)?.parse().ok()?;
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs_f64();
    // SAFETY: sysconf only reads a system constant.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    (hz > 0.0).then(|| (now - (uptime - ticks / hz)) * 1000.0)
}

#[cfg(not(unix))]
pub fn started_epoch_ms(_pid: u32) -> Option<f64> {
    None
}

/// A process's proportional set size in KiB (`/proc/<pid>/smaps_rollup`).
pub fn pss_kib(pid: u32) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("Pss:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_started_just_now_says_so() {
        let before = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64()
            * 1000.0;
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let started = started_epoch_ms(child.id()).expect("a start time");
        let _ = child.kill();
        let _ = child.wait();
        // Within two clock ticks and /proc/uptime's hundredths either side.
        assert!(
            (started - before).abs() < 50.0,
            "started {started:.0}, spawned at {before:.0}"
        );
    }

    #[test]
    fn finds_and_stops_a_grandchild() {
        // sh starts a sleep and waits for it: the sleep is a grandchild of this test's child.
        let child = std::process::Command::new("sh")
            .args(["-c", "sleep 30 & wait"])
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut tree = descendants(child.id());
        while tree.is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
            tree = descendants(child.id());
        }
        assert_eq!(tree.len(), 1, "the sleep below sh");
        stop_tree(child);
        // SIGKILL is delivered asynchronously; give the kernel a moment to act on it.
        let deadline = Instant::now() + Duration::from_secs(5);
        while is_running(tree[0]) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(!is_running(tree[0]), "the grandchild survived");
    }
}
