//! Start-up, the accept loops (our own, so a connection can be dropped on purpose), the
//! fault-injecting connection service, and the `Sandbox` handle.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, HeaderValue, Request, Response, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::Router;
use bytes::Bytes;
use futures_util::{stream, StreamExt};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use crate::api::{self, App, AppState};
use crate::clock::Clock;
use crate::config::{FaultConfig, SandboxConfig, Stats};
use crate::db::{self, Db, SeedKey};
use crate::error::{ApiError, SandboxError};
use crate::faults::{FaultAction, FaultState};
use crate::ratelimit::RateLimiter;
use crate::seed::{self, Frame};
use crate::{admin, RATE_WINDOW};

/// The error that makes hyper drop a connection without answering.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by fault injection")]
struct Dropped;

/// A running sandbox. Dropping it kills it (like `kill()`); `shutdown()` stops it gracefully.
pub struct Sandbox {
    base_url: String,
    admin_url: String,
    app: App,
    kill: CancellationToken,
    graceful: CancellationToken,
    loops: Mutex<Vec<JoinHandle<()>>>,
    seed_time: Duration,
    _temp: Option<tempfile::TempDir>,
}

/// Seeds (or reuses) the database, binds both listeners and starts serving on the caller's
/// tokio runtime.
pub async fn start(config: SandboxConfig) -> Result<Sandbox, SandboxError> {
    let anchor = config
        .anchor_date
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    if config.reseller_token.trim().is_empty() || config.resellee_token.trim().is_empty() {
        return Err(SandboxError::Config("tokens must not be empty".into()));
    }
    if config.reseller_token == config.resellee_token {
        return Err(SandboxError::Config(
            "the reseller and resellee tokens must differ".into(),
        ));
    }
    let (temp, path) = match &config.db_path {
        Some(p) => (None, p.clone()),
        None => {
            let dir = tempfile::Builder::new()
                .prefix("scriptix-sandbox")
                .tempdir()?;
            let path = dir.path().join("sandbox.sqlite");
            (Some(dir), path)
        }
    };
    let frame = Frame::new(anchor);
    let key = SeedKey {
        seed: config.seed,
        customers: config.customers,
        anchor,
    };
    let (seed_value, customers) = (config.seed, config.customers);
    let started = Instant::now();
    let (conn, reused, report) = tokio::task::spawn_blocking(move || -> Result<_, SandboxError> {
        let (mut conn, reused) = db::open(&path, &key)?;
        let report = if reused {
            None
        } else {
            let report = seed::seed(&mut conn, seed_value, customers, frame)?;
            db::mark_seeded(&conn, &key)?;
            Some(report)
        };
        Ok((conn, reused, report))
    })
    .await
    .map_err(|e| SandboxError::Seed(e.to_string()))??;
    let seed_time = started.elapsed();
    match &report {
        Some(r) => tracing::info!(
            customers = r.customers,
            subscriptions = r.subscriptions,
            users = r.users,
            tokens = r.tokens,
            transcripts = r.transcripts,
            phones = r.phones,
            ms = seed_time.as_millis() as u64,
            "seeded"
        ),
        None => tracing::info!(
            reused,
            "reusing the database seeded earlier with the same seed"
        ),
    }
    let floor: i64 = conn.query_row(
        "SELECT coalesce(max(last_modified), 0) FROM customers",
        [],
        |r| r.get(0),
    )?;

    let listener = TcpListener::bind(config.addr)
        .await
        .map_err(|source| SandboxError::Bind {
            addr: config.addr,
            source,
        })?;
    let admin_listener = TcpListener::bind(config.admin_addr)
        .await
        .map_err(|source| SandboxError::Bind {
            addr: config.admin_addr,
            source,
        })?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let admin_url = format!("http://{}", admin_listener.local_addr()?);

    let app: App = Arc::new(AppState {
        db: Db::new(conn),
        clock: Clock::new(floor),
        limiter: RateLimiter::new(config.rate_limit_per_minute, RATE_WINDOW),
        stats: Default::default(),
        faults: FaultState::new(config.faults.clone()),
        reseller_token: config.reseller_token.clone(),
        resellee_token: config.resellee_token.clone(),
        reseller_name: config.reseller_name.clone(),
        disabled_gaps: config.disabled_gaps.clone(),
        frame,
        seed: config.seed,
        base_url: base_url.clone(),
    });
    let kill = CancellationToken::new();
    let graceful = CancellationToken::new();

    let api_router = api::router(app.clone());
    let api_app = app.clone();
    let api_loop = tokio::spawn(accept_loop(
        listener,
        move |stream| {
            let router = api_router.clone();
            let app = api_app.clone();
            (stream, move |req| {
                api_service(app.clone(), router.clone(), req)
            })
        },
        kill.clone(),
        graceful.clone(),
    ));
    let admin_router = admin::router(app.clone());
    let admin_loop = tokio::spawn(accept_loop(
        admin_listener,
        move |stream| {
            let router = admin_router.clone();
            (stream, move |req: Request<Incoming>| {
                let router = router.clone();
                async move {
                    match router.oneshot(req.map(Body::new)).await {
                        Ok(r) => Ok::<_, Dropped>(r),
                        Err(never) => match never {},
                    }
                }
            })
        },
        kill.clone(),
        graceful.clone(),
    ));
    tracing::info!(%base_url, %admin_url, "sandbox listening");
    Ok(Sandbox {
        base_url,
        admin_url,
        app,
        kill,
        graceful,
        loops: Mutex::new(vec![api_loop, admin_loop]),
        seed_time,
        _temp: temp,
    })
}

impl Sandbox {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn admin_url(&self) -> &str {
        &self.admin_url
    }

    pub fn reseller_token(&self) -> &str {
        &self.app.reseller_token
    }

    pub fn resellee_token(&self) -> &str {
        &self.app.resellee_token
    }

    pub fn set_faults(&self, faults: FaultConfig) {
        self.app.faults.set(faults);
    }

    pub fn faults(&self) -> FaultConfig {
        self.app.faults.get()
    }

    pub fn stats(&self) -> Stats {
        self.app.stats.snapshot()
    }

    pub fn reset_stats(&self) {
        self.app.stats.reset();
    }

    /// Changes the rate limit (0 = off) and its window (60 s unless changed); counts restart.
    /// An addition to the interface: lets tests see a window reset without waiting a minute.
    pub fn set_rate_limit(&self, per_window: u32, window: Duration) {
        self.app.limiter.configure(per_window, window);
    }

    /// How long opening and seeding the database took at start.
    pub fn seed_time(&self) -> Duration {
        self.seed_time
    }

    /// Aborts the listeners and every open connection now: in-flight requests see a reset.
    pub fn kill(&self) {
        self.kill.cancel();
        for handle in self.loops.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            handle.abort();
        }
    }

    /// Stops accepting, lets in-flight requests finish, then returns.
    pub async fn shutdown(self) {
        self.graceful.cancel();
        let loops = std::mem::take(&mut *self.loops.lock().unwrap_or_else(|p| p.into_inner()));
        for handle in loops {
            let _ = handle.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Accepts connections until killed (drop everything at once) or shut down gracefully
/// (stop accepting, let each connection finish its current request).
async fn accept_loop<M, F, Fut>(
    listener: TcpListener,
    make: M,
    kill: CancellationToken,
    graceful: CancellationToken,
) where
    M: Fn(TcpStream) -> (TcpStream, F),
    F: Fn(Request<Incoming>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<Response<Body>, Dropped>> + Send + 'static,
{
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            _ = kill.cancelled() => return,
            _ = graceful.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let (stream, handler) = make(stream);
                    conns.spawn(serve_connection(stream, handler, kill.clone(), graceful.clone()));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    drop(listener);
    loop {
        tokio::select! {
            _ = kill.cancelled() => return,
            next = conns.join_next() => if next.is_none() { return },
        }
    }
}

async fn serve_connection<F, Fut>(
    stream: TcpStream,
    handler: F,
    kill: CancellationToken,
    graceful: CancellationToken,
) where
    F: Fn(Request<Incoming>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<Response<Body>, Dropped>> + Send + 'static,
{
    let _ = stream.set_nodelay(true);
    let conn = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service_fn(handler));
    tokio::pin!(conn);
    let mut closing = false;
    loop {
        tokio::select! {
            // Returning drops the connection (and any handler running on it).
            _ = kill.cancelled() => return,
            _ = graceful.cancelled(), if !closing => {
                conn.as_mut().graceful_shutdown();
                closing = true;
            }
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                return;
            }
        }
    }
}

/// Strips one trailing slash so both documented route forms reach the same route.
fn normalize_path(req: &mut Request<Incoming>) {
    let path = req.uri().path();
    if path.len() > 1 && path.ends_with('/') {
        let trimmed = path.trim_end_matches('/');
        let trimmed = if trimmed.is_empty() { "/" } else { trimmed };
        let pq = match req.uri().query() {
            Some(q) => format!("{trimmed}?{q}"),
            None => trimmed.to_string(),
        };
        if let Ok(uri) = pq.parse::<Uri>() {
            *req.uri_mut() = uri;
        }
    }
}

/// One API request: faults first (delay, then maybe fail, drop or truncate), then the router.
async fn api_service(
    app: App,
    router: Router,
    mut req: Request<Incoming>,
) -> Result<Response<Body>, Dropped> {
    app.stats.request();
    // The fault route is matched against the path as sent (before the slash is normalised).
    if let Some((status, message)) = app.faults.refusal(req.method().as_str(), req.uri().path()) {
        app.stats.fault();
        return Ok(ApiError::new(status, message).into_response());
    }
    if let Some((status, body)) = app.faults.answer(req.method().as_str(), req.uri().path()) {
        app.stats.fault();
        return Ok((status, axum::Json(body)).into_response());
    }
    let decision = app.faults.decide(req.uri().path());
    normalize_path(&mut req);
    if !decision.delay.is_zero() {
        tokio::time::sleep(decision.delay).await;
    }
    if decision.action != FaultAction::None {
        app.stats.fault();
        tracing::debug!(path = req.uri().path(), action = ?decision.action, "injecting fault");
    }
    let run = |req: Request<Incoming>| async move {
        match router.oneshot(req.map(Body::new)).await {
            Ok(r) => r,
            Err(never) => match never {},
        }
    };
    match decision.action {
        FaultAction::None => Ok(run(req).await),
        FaultAction::ResetBefore => Err(Dropped),
        FaultAction::ServerError(status) => {
            Ok(ApiError::new(status, injected_message(status)).into_response())
        }
        FaultAction::TooManyRequests => Ok(ApiError::too_many(1).into_response()),
        FaultAction::ResetAfter => {
            let response = run(req).await;
            // The handler ran (the change is made); the answer is lost.
            let _ = response.into_body().collect().await;
            Err(Dropped)
        }
        FaultAction::Truncate => {
            let (mut parts, body) = run(req).await.into_parts();
            let bytes = body
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            if bytes.is_empty() || parts.status == StatusCode::NO_CONTENT {
                return Err(Dropped);
            }
            let sent = bytes.slice(..bytes.len() / 2);
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
            // The first part is flushed before the error, which makes hyper close the connection
            // with the body incomplete.
            let body = stream::once(async move { Ok::<Bytes, std::io::Error>(sent) }).chain(
                stream::once(async {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Err(std::io::Error::new(
                        std::io::ErrorKind::ConnectionAborted,
                        "truncated by fault injection",
                    ))
                }),
            );
            Ok(Response::from_parts(parts, Body::from_stream(body)))
        }
    }
}

fn injected_message(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_GATEWAY => {
            "Bad gateway (injected fault): the upstream service did not answer."
        }
        StatusCode::SERVICE_UNAVAILABLE => {
            "Service unavailable (injected fault): try again shortly."
        }
        _ => "Internal server error (injected fault).",
    }
}
