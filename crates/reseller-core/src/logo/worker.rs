//! The boundary no file can cross: the app decodes and renders logos only in a short-lived
//! child process that limits itself before it reads a byte, and that the app kills when it
//! runs out of time or the user cancels. Whatever a file does to a decoder there (allocating
//! without bound, spinning, crashing) ends as a clear `LogoError`; the app's own memory and
//! threads never see it.
//!
//! - The child (`serve`): the app's own executable started again with `WORKER_FLAG` first (see
//!   src-tauri/src/main.rs), or this crate's `logo-worker` binary in tests. It sets, on Unix,
//!   RLIMIT_CORE 0 and RLIMIT_CPU (soft `cpu`, SIGXCPU; hard 2 s later), on Linux also
//!   RLIMIT_AS at its address space at start plus `memory`, and PR_SET_PDEATHSIG (it dies with
//!   the app; elsewhere a worker that outlives the app ends at its CPU limit or its closed
//!   pipes). Then it reads the input (8-byte little-endian length, then the bytes) from stdin,
//!   runs `process::process_bytes` (with all its own pre-checks) and writes one JSON line,
//!   followed by the PNG's bytes for a logo.
//! - The parent (`LogoWorker`): spawns the child, streams the input, waits with a wall-clock
//!   timeout, kills it on timeout or cancel, and maps the way it ended to a `LogoError`.
//!
//! Platforms: Linux has all three limits. macOS has the CPU limit and the timeout, but does not
//! enforce RLIMIT_AS, so memory there is bounded only by the pre-checks and the timeout.
//! Windows has the timeout and kill only (a Job Object memory limit would need the windows-sys
//! bindings; not done).

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{self, Read, Write};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::error::{LogoError, Unsafe};
use super::limits::{MAX_RASTER_FILE, MAX_SIDE_OUT, MAX_UPLOAD_BYTES};
use super::process::{process_bytes, Logo};

/// The first argument that makes the app's executable a logo worker (handled before anything
/// else in its `main`).
pub const WORKER_FLAG: &str = "--logo-worker";

/// Test seam, debug builds only: when this names a file that is not empty, the worker waits
/// (without using CPU) instead of processing, so an end-to-end test can cancel a running job.
pub const TEST_SLOW_ENV: &str = "SCRIPTIX_TEST_LOGO_SLOW";

const MIB: u64 = 1024 * 1024;
/// The worker could not limit itself, so it did nothing.
const EXIT_NO_LIMITS: i32 = 3;
/// The input did not arrive whole.
const EXIT_BAD_INPUT: i32 = 2;
/// The most the app reads of the worker's answer: a logo and its JSON line.
const MAX_ANSWER: usize = MAX_UPLOAD_BYTES + 64 * 1024;
const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// What the worker is asked to do. The `selftest-*` operations defeat every pre-check on
/// purpose (tests prove the limits with them); they only ever hurt the worker itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// File content in, a `Logo` out.
    Process,
    /// Allocates and touches memory until a limit stops it.
    SelftestAlloc,
    /// Uses CPU until a limit stops it.
    SelftestSpin,
    /// Waits without using CPU until it is killed.
    SelftestSleep,
}

impl Op {
    pub fn name(self) -> &'static str {
        match self {
            Op::Process => "process",
            Op::SelftestAlloc => "selftest-alloc",
            Op::SelftestSpin => "selftest-spin",
            Op::SelftestSleep => "selftest-sleep",
        }
    }

    fn from_name(name: &str) -> Option<Op> {
        [
            Op::Process,
            Op::SelftestAlloc,
            Op::SelftestSpin,
            Op::SelftestSleep,
        ]
        .into_iter()
        .find(|op| op.name() == name)
    }
}

/// What a worker may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkerLimits {
    /// Address space above what the worker has mapped when it starts (Linux).
    pub memory: u64,
    /// CPU time (Unix).
    pub cpu: Duration,
    /// Wall-clock time, counted by the app (everywhere).
    pub wall: Duration,
}

impl Default for WorkerLimits {
    /// Measured in a debug build (release is several times faster): a 24-megapixel JPEG takes
    /// 0.75 s of CPU and 85 MB, a 40-megapixel PNG 1.1 s and 160 MB; an SVG at the filter cap
    /// about 2 s.
    fn default() -> Self {
        WorkerLimits {
            memory: 512 * MIB,
            cpu: Duration::from_secs(6),
            wall: Duration::from_secs(12),
        }
    }
}

// ---- the child ----

/// The worker's `main`: `args` are what follows `WORKER_FLAG` (the operation, then
/// `--memory-mib N` and `--cpu-secs N`). Returns the exit code.
pub fn serve(args: impl IntoIterator<Item = OsString>) -> i32 {
    let mut args = args.into_iter();
    let Some(op) = args.next().and_then(|a| a.to_str().and_then(Op::from_name)) else {
        eprintln!("logo worker: name an operation");
        return EXIT_BAD_INPUT;
    };
    let mut limits = WorkerLimits::default();
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .and_then(|v| v.to_str().and_then(|v| v.parse::<u64>().ok()));
        match (flag.to_str(), value) {
            (Some("--memory-mib"), Some(v)) => limits.memory = v.saturating_mul(MIB),
            (Some("--cpu-secs"), Some(v)) => limits.cpu = Duration::from_secs(v),
            _ => {
                eprintln!("logo worker: unknown argument {flag:?}");
                return EXIT_BAD_INPUT;
            }
        }
    }
    if let Err(e) = limit_self(&limits) {
        eprintln!("logo worker: could not limit itself: {e}");
        return EXIT_NO_LIMITS;
    }
    let input = match read_input(&mut io::stdin().lock()) {
        Ok(input) => input,
        Err(e) => {
            eprintln!("logo worker: the input did not arrive whole: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    let answer = match op {
        Op::Process => {
            if slow_for_a_test() {
                sleep_forever();
            }
            std::panic::catch_unwind(AssertUnwindSafe(|| process_bytes(&input)))
                .unwrap_or(Err(LogoError::Unsafe(Unsafe::Crashed)))
        }
        Op::SelftestAlloc => selftest_alloc(),
        Op::SelftestSpin => selftest_spin(),
        Op::SelftestSleep => sleep_forever(),
    };
    match write_answer(&mut io::stdout().lock(), answer) {
        Ok(()) => 0,
        Err(_) => EXIT_BAD_INPUT,
    }
}

/// `Some(exit code)` when `args` (the whole command line) start the worker; the caller exits
/// with it. `None`: start the app as usual.
pub fn serve_if_asked(args: impl IntoIterator<Item = OsString>) -> Option<i32> {
    let mut args = args.into_iter().skip(1).peekable();
    if args.peek().map(OsString::as_os_str) != Some(OsStr::new(WORKER_FLAG)) {
        return None;
    }
    args.next();
    Some(serve(args))
}

fn read_input(r: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut len = [0u8; 8];
    r.read_exact(&mut len)?;
    let len = u64::from_le_bytes(len);
    if len > MAX_RASTER_FILE {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "too long"));
    }
    let mut bytes = Vec::new();
    bytes
        .try_reserve_exact(len as usize)
        .map_err(|e| io::Error::new(io::ErrorKind::OutOfMemory, e.to_string()))?;
    r.take(len).read_to_end(&mut bytes)?;
    if bytes.len() as u64 != len {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(bytes)
}

/// The worker's answer: this JSON line, then `png_bytes` bytes of PNG for a logo.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Answer {
    Logo {
        width: u32,
        height: u32,
        source_format: String,
        png_bytes: usize,
    },
    Refused(LogoError),
}

fn write_answer(w: &mut impl Write, answer: Result<Logo, LogoError>) -> io::Result<()> {
    let (line, png) = match answer {
        Ok(logo) => (
            Answer::Logo {
                width: logo.width,
                height: logo.height,
                source_format: logo.source_format,
                png_bytes: logo.png.len(),
            },
            logo.png,
        ),
        Err(e) => (Answer::Refused(e), Vec::new()),
    };
    serde_json::to_writer(&mut *w, &line)?;
    w.write_all(b"\n")?;
    w.write_all(&png)?;
    w.flush()
}

/// Reads an answer, trusting nothing about it: a logo must be a PNG of the size it says.
fn read_answer(out: &[u8]) -> Option<Result<Logo, LogoError>> {
    let nl = out.iter().position(|&b| b == b'\n')?;
    let answer: Answer = serde_json::from_slice(&out[..nl]).ok()?;
    let png = &out[nl + 1..];
    match answer {
        Answer::Refused(e) => Some(Err(e)),
        Answer::Logo {
            width,
            height,
            source_format,
            png_bytes,
        } => {
            let plausible = png.len() == png_bytes
                && png.len() <= MAX_UPLOAD_BYTES
                && png.starts_with(PNG_SIGNATURE)
                && (1..=MAX_SIDE_OUT).contains(&width)
                && (1..=MAX_SIDE_OUT).contains(&height);
            plausible.then(|| {
                Ok(Logo {
                    png: png.to_vec(),
                    width,
                    height,
                    source_format,
                })
            })
        }
    }
}

fn slow_for_a_test() -> bool {
    cfg!(debug_assertions)
        && std::env::var_os(TEST_SLOW_ENV)
            .and_then(|file| std::fs::metadata(file).ok())
            .is_some_and(|m| m.len() > 0)
}

fn selftest_alloc() -> ! {
    let mut hoard: Vec<Vec<u8>> = Vec::new();
    loop {
        let mut block = vec![0u8; 16 * MIB as usize];
        for b in block.iter_mut().step_by(4096) {
            *b = 1;
        }
        hoard.push(block);
        std::hint::black_box(&hoard);
    }
}

fn selftest_spin() -> ! {
    let mut x = 1u64;
    loop {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        std::hint::black_box(x);
    }
}

fn sleep_forever() -> ! {
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
type Resource = libc::__rlimit_resource_t;
#[cfg(all(unix, not(all(target_os = "linux", target_env = "gnu"))))]
type Resource = libc::c_int;

/// Lowers a limit to `soft`/`hard`, never above what is already allowed.
#[cfg(unix)]
fn lower_limit(resource: Resource, soft: u64, hard: u64) -> io::Result<()> {
    let mut now = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we own.
    if unsafe { libc::getrlimit(resource, &mut now) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let hard = (hard as libc::rlim_t).min(now.rlim_max);
    let new = libc::rlimit {
        rlim_cur: (soft as libc::rlim_t).min(hard),
        rlim_max: hard,
    };
    // SAFETY: setrlimit reads the struct we own.
    if unsafe { libc::setrlimit(resource, &new) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The address space mapped now (the executable and its libraries, which for the app are large).
#[cfg(target_os = "linux")]
fn address_space() -> io::Result<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm")?;
    let pages: u64 = statm
        .split_whitespace()
        .next()
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "unreadable /proc/self/statm"))?;
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    Ok(pages * u64::try_from(page).unwrap_or(4096))
}

#[cfg(unix)]
fn limit_self(limits: &WorkerLimits) -> io::Result<()> {
    lower_limit(libc::RLIMIT_CORE, 0, 0)?;
    let cpu = limits.cpu.as_secs().max(1);
    lower_limit(libc::RLIMIT_CPU, cpu, cpu + 2)?;
    #[cfg(target_os = "linux")]
    {
        let cap = address_space()?.saturating_add(limits.memory);
        lower_limit(libc::RLIMIT_AS, cap, cap)?;
        // Gone with the app's thread that waits for it, should the app end first.
        // SAFETY: prctl with PR_SET_PDEATHSIG takes a signal number and nothing else.
        if unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) } != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn limit_self(_limits: &WorkerLimits) -> io::Result<()> {
    Ok(())
}

// ---- the parent ----

/// A job's handle: cancel it from another thread; the worker it runs is killed within
/// milliseconds.
#[derive(Clone, Debug, Default)]
pub struct LogoJob(Arc<JobState>);

#[derive(Debug, Default)]
struct JobState {
    cancelled: AtomicBool,
    pid: AtomicU32,
}

impl LogoJob {
    pub fn new() -> LogoJob {
        LogoJob::default()
    }

    pub fn cancel(&self) {
        self.0.cancelled.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.load(Ordering::SeqCst)
    }

    /// The process id of the worker this job last started.
    pub fn last_worker_pid(&self) -> Option<u32> {
        Some(self.0.pid.load(Ordering::SeqCst)).filter(|p| *p != 0)
    }

    fn same(&self, other: &LogoJob) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// One logo job at a time (per workspace), cancellable by whoever holds this.
#[derive(Debug, Default)]
pub struct LogoJobs(Arc<Mutex<Option<LogoJob>>>);

impl LogoJobs {
    /// Starts a job, or None while another runs. It ends when the ticket is dropped.
    pub fn begin(&self) -> Option<JobTicket> {
        let mut slot = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if slot.is_some() {
            return None;
        }
        let job = LogoJob::new();
        *slot = Some(job.clone());
        Some(JobTicket {
            job,
            slot: self.0.clone(),
        })
    }

    /// Cancels the running job; false when there is none.
    pub fn cancel(&self) -> bool {
        let slot = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match slot.as_ref() {
            Some(job) => {
                job.cancel();
                true
            }
            None => false,
        }
    }
}

/// The running job; dropping it frees the slot.
#[derive(Debug)]
pub struct JobTicket {
    job: LogoJob,
    slot: Arc<Mutex<Option<LogoJob>>>,
}

impl JobTicket {
    pub fn job(&self) -> &LogoJob {
        &self.job
    }
}

impl Drop for JobTicket {
    fn drop(&mut self) {
        let mut slot = self
            .slot
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if slot.as_ref().is_some_and(|j| j.same(&self.job)) {
            *slot = None;
        }
    }
}

/// What the worker reads.
pub enum Input<'a> {
    Bytes(&'a [u8]),
    /// An open file and the size it had when it was checked (no more is sent).
    File(File, u64),
}

impl Input<'_> {
    fn len(&self) -> u64 {
        match self {
            Input::Bytes(b) => b.len() as u64,
            Input::File(_, len) => *len,
        }
    }
}

/// How to start a worker: the program, the arguments before the operation, and its limits.
#[derive(Clone, Debug)]
pub struct LogoWorker {
    program: PathBuf,
    args: Vec<OsString>,
    limits: WorkerLimits,
}

/// A started worker, killed if the app stops waiting for it for any reason.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

enum Ended {
    Exited(ExitStatus),
    TimedOut,
    Cancelled,
}

impl LogoWorker {
    pub fn new(
        program: impl Into<PathBuf>,
        args: impl IntoIterator<Item = impl Into<OsString>>,
    ) -> LogoWorker {
        LogoWorker {
            program: program.into(),
            args: args.into_iter().map(Into::into).collect(),
            limits: WorkerLimits::default(),
        }
    }

    /// The app's own executable, started with `WORKER_FLAG`.
    pub fn current_exe() -> io::Result<LogoWorker> {
        Ok(LogoWorker::new(std::env::current_exe()?, [WORKER_FLAG]))
    }

    pub fn with_limits(mut self, limits: WorkerLimits) -> LogoWorker {
        self.limits = limits;
        self
    }

    pub fn limits(&self) -> WorkerLimits {
        self.limits
    }

    /// Processes the file at `path` in a worker (the file is streamed to it, never held here).
    pub fn process_file(&self, path: &Path, job: &LogoJob) -> Result<Logo, LogoError> {
        let unreadable = |e: io::Error| LogoError::Unreadable(e.to_string());
        let file = File::open(path).map_err(unreadable)?;
        let size = file.metadata().map_err(unreadable)?.len();
        self.run(Op::Process, Input::File(file, size), job)
    }

    /// Processes file content (a server's logo) in a worker.
    pub fn process_bytes(&self, bytes: &[u8], job: &LogoJob) -> Result<Logo, LogoError> {
        self.run(Op::Process, Input::Bytes(bytes), job)
    }

    /// Runs `op` on `input` in a new worker and waits for its answer, its limits or `job`'s
    /// cancel, whichever comes first. The worker is gone when this returns.
    pub fn run(&self, op: Op, input: Input<'_>, job: &LogoJob) -> Result<Logo, LogoError> {
        let len = input.len();
        if op == Op::Process {
            if len == 0 {
                return Err(LogoError::Empty);
            }
            if len > MAX_RASTER_FILE {
                return Err(LogoError::FileTooLarge {
                    bytes: len,
                    limit: MAX_RASTER_FILE,
                });
            }
        }
        if job.is_cancelled() {
            return Err(LogoError::Cancelled);
        }
        let mut command = Command::new(&self.program);
        #[cfg(windows)]
        {
            // No console window flashing up for a worker of a console-subsystem (debug) build.
            use std::os::windows::process::CommandExt;
            const CREATE_NO_WINDOW: u32 = 0x0800_0000;
            command.creation_flags(CREATE_NO_WINDOW);
        }
        let child = command
            .args(&self.args)
            .arg(op.name())
            .arg("--memory-mib")
            .arg((self.limits.memory / MIB).max(1).to_string())
            .arg("--cpu-secs")
            .arg(self.limits.cpu.as_secs().max(1).to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| LogoError::WorkerUnavailable(e.to_string()))?;
        let mut running = Running(child);
        job.0.pid.store(running.0.id(), Ordering::SeqCst);
        let (Some(stdin), Some(stdout), Some(stderr)) = (
            running.0.stdin.take(),
            running.0.stdout.take(),
            running.0.stderr.take(),
        ) else {
            return Err(LogoError::WorkerUnavailable("no pipes to it".into()));
        };
        let deadline = Instant::now() + self.limits.wall;
        std::thread::scope(|s| {
            let writer = s.spawn(move || send(stdin, input));
            let out = s.spawn(move || read_capped(stdout, MAX_ANSWER));
            let err = s.spawn(move || read_capped(stderr, 64 * 1024));
            let ended = wait(&mut running.0, deadline, job);
            // The worker is gone, so its pipes are closed and these end.
            let sent = writer.join().unwrap_or(Ok(0));
            let out = out.join().unwrap_or_default();
            let err = err.join().unwrap_or_default();
            outcome(ended, sent, len, &out, &err)
        })
    }
}

/// Streams the input; answers how many bytes of it went out.
fn send(mut stdin: std::process::ChildStdin, input: Input<'_>) -> io::Result<u64> {
    stdin.write_all(&input.len().to_le_bytes())?;
    match input {
        Input::Bytes(b) => {
            stdin.write_all(b)?;
            Ok(b.len() as u64)
        }
        Input::File(file, len) => io::copy(&mut file.take(len), &mut stdin),
    }
}

/// Reads all of `r`, keeping at most `cap` bytes (the rest is drained so the writer never
/// blocks).
fn read_capped(mut r: impl Read, cap: usize) -> Vec<u8> {
    let mut kept = Vec::new();
    let _ = (&mut r).take(cap as u64).read_to_end(&mut kept);
    let _ = io::copy(&mut r, &mut io::sink());
    kept
}

fn wait(child: &mut Child, deadline: Instant, job: &LogoJob) -> Ended {
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ended::Exited(status),
            Ok(None) => {}
            // Cannot be watched: stop it rather than wait blind.
            Err(e) => {
                tracing::warn!(error = %e, "the logo worker cannot be watched; stopped");
                let _ = child.kill();
                let _ = child.wait();
                return Ended::TimedOut;
            }
        }
        let stop = if job.is_cancelled() {
            Some(Ended::Cancelled)
        } else if Instant::now() >= deadline {
            Some(Ended::TimedOut)
        } else {
            None
        };
        if let Some(why) = stop {
            let _ = child.kill();
            let _ = child.wait();
            return why;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn outcome(
    ended: Ended,
    sent: io::Result<u64>,
    len: u64,
    out: &[u8],
    err: &[u8],
) -> Result<Logo, LogoError> {
    let status = match ended {
        Ended::Cancelled => return Err(LogoError::Cancelled),
        Ended::TimedOut => return Err(LogoError::Unsafe(Unsafe::Time)),
        Ended::Exited(status) => status,
    };
    let stderr = String::from_utf8_lossy(err);
    if status.success() {
        if let Some(answer) = read_answer(out) {
            return answer;
        }
        tracing::warn!(stderr = %stderr, "the logo worker's answer was unreadable");
        return Err(LogoError::Unsafe(Unsafe::Crashed));
    }
    // Allocation failures under RLIMIT_AS abort with Rust's message.
    if stderr.contains("memory allocation of") || stderr.contains("out of memory") {
        return Err(LogoError::Unsafe(Unsafe::Memory));
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        match status.signal() {
            Some(libc::SIGXCPU) => return Err(LogoError::Unsafe(Unsafe::Time)),
            // Not ours (we only kill on timeout or cancel): the kernel's out-of-memory killer.
            Some(libc::SIGKILL) => return Err(LogoError::Unsafe(Unsafe::Memory)),
            _ => {}
        }
    }
    match status.code() {
        Some(EXIT_NO_LIMITS) => Err(LogoError::WorkerUnavailable(
            "it could not limit its own memory and time".into(),
        )),
        Some(EXIT_BAD_INPUT) if !matches!(sent, Ok(n) if n == len) => Err(LogoError::Unreadable(
            "it changed or could not be read while it was being processed".into(),
        )),
        _ => {
            tracing::warn!(?status, stderr = %stderr, "the logo worker stopped");
            Err(LogoError::Unsafe(Unsafe::Crashed))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_round_trips_and_lies_are_refused() {
        let mut png = PNG_SIGNATURE.to_vec();
        png.extend_from_slice(b"rest");
        let logo = Logo {
            png: png.clone(),
            width: 512,
            height: 256,
            source_format: "SVG".into(),
        };
        let mut out = Vec::new();
        write_answer(&mut out, Ok(logo.clone())).unwrap();
        assert_eq!(read_answer(&out).unwrap().unwrap(), logo);
        let mut out = Vec::new();
        write_answer(
            &mut out,
            Err(LogoError::TooManyPixels {
                width: 9,
                height: 8,
            }),
        )
        .unwrap();
        let e = read_answer(&out).unwrap().unwrap_err();
        assert!(matches!(
            e,
            LogoError::TooManyPixels {
                width: 9,
                height: 8
            }
        ));
        // A size that is not a logo's, a length that does not match, no PNG: no answer.
        for bad in [
            Logo {
                width: 513,
                ..logo.clone()
            },
            Logo {
                png: b"GIF89a".to_vec(),
                ..logo.clone()
            },
        ] {
            let mut out = Vec::new();
            write_answer(&mut out, Ok(bad)).unwrap();
            assert!(read_answer(&out).is_none());
        }
        let mut out = Vec::new();
        write_answer(&mut out, Ok(logo)).unwrap();
        out.push(0);
        assert!(read_answer(&out).is_none());
        assert!(read_answer(b"not json\n").is_none());
    }

    #[test]
    fn input_arrives_whole_or_not_at_all() {
        let mut framed = 5u64.to_le_bytes().to_vec();
        framed.extend_from_slice(b"hello");
        assert_eq!(read_input(&mut &framed[..]).unwrap(), b"hello");
        assert!(read_input(&mut &framed[..10]).is_err());
        let huge = (MAX_RASTER_FILE + 1).to_le_bytes();
        assert!(read_input(&mut &huge[..]).is_err());
    }

    #[test]
    fn only_the_worker_flag_starts_a_worker() {
        let args = |a: &[&str]| a.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(serve_if_asked(args(&["app", "--base-url", "x"])), None);
        assert_eq!(serve_if_asked(args(&["app"])), None);
        // The flag with no operation: the worker refuses (and limits nothing).
        assert_eq!(
            serve_if_asked(args(&["app", WORKER_FLAG])),
            Some(EXIT_BAD_INPUT)
        );
        assert_eq!(
            serve_if_asked(args(&["app", WORKER_FLAG, "nonsense"])),
            Some(EXIT_BAD_INPUT)
        );
    }

    #[test]
    fn one_job_at_a_time_and_cancel_reaches_it() {
        let jobs = LogoJobs::default();
        assert!(!jobs.cancel());
        let ticket = jobs.begin().unwrap();
        assert!(jobs.begin().is_none());
        assert!(jobs.cancel());
        assert!(ticket.job().is_cancelled());
        drop(ticket);
        let next = jobs.begin().unwrap();
        assert!(!next.job().is_cancelled());
    }
}
