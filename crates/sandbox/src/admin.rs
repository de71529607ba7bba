//! The admin API on its own loopback listener (no auth): faults, stats, health.
//! Bodies are bare JSON (`FaultConfig`, `Stats`), not the Scriptix envelope.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use crate::api::App;
use crate::config::FaultConfig;
use crate::error::ApiError;

pub fn router(app: App) -> Router {
    Router::new()
        .route("/admin/faults", get(get_faults).put(put_faults))
        .route("/admin/stats", get(stats))
        .route("/admin/stats/reset", post(reset_stats))
        .route("/admin/rate-limit", get(get_rate_limit).put(put_rate_limit))
        .route(
            "/admin/health",
            get(|| async { Json(json!({"status": "ok"})) }),
        )
        .fallback(|| async { ApiError::not_found("No such admin endpoint.") })
        .with_state(app)
}

async fn get_faults(State(app): State<App>) -> Json<FaultConfig> {
    Json(app.faults.get())
}

async fn put_faults(State(app): State<App>, body: Bytes) -> Result<Json<FaultConfig>, ApiError> {
    let config: FaultConfig = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("Expected a FaultConfig JSON object: {e}.")))?;
    for (name, rate) in [
        ("error_rate", config.error_rate),
        ("rate_limit_rate", config.rate_limit_rate),
        ("reset_rate", config.reset_rate),
        ("truncate_rate", config.truncate_rate),
    ] {
        if !(0.0..=1.0).contains(&rate) {
            return Err(ApiError::validation(
                name,
                format!("{name} must be between 0 and 1."),
                "out of range",
            ));
        }
    }
    if let Some(r) = &config.refusal {
        if !(400..=499).contains(&r.status) {
            return Err(ApiError::validation(
                "refusal.status",
                "A refusal is a client error: status 400 to 499.",
                "out of range",
            ));
        }
    }
    if let Some(a) = &config.answer {
        if !(200..=599).contains(&a.status) {
            return Err(ApiError::validation(
                "answer.status",
                "A canned answer's status is 200 to 599.",
                "out of range",
            ));
        }
    }
    tracing::info!(?config, "faults changed");
    app.faults.set(config);
    Ok(Json(app.faults.get()))
}

async fn stats(State(app): State<App>) -> Response {
    Json(app.stats.snapshot()).into_response()
}

async fn reset_stats(State(app): State<App>) -> StatusCode {
    app.stats.reset();
    StatusCode::NO_CONTENT
}

#[derive(serde::Serialize, serde::Deserialize)]
struct RateLimitBody {
    per_window: u32,
    window_secs: f64,
}

async fn get_rate_limit(State(app): State<App>) -> Json<RateLimitBody> {
    let (per_window, window) = app.limiter.limit();
    Json(RateLimitBody {
        per_window,
        window_secs: window.as_secs_f64(),
    })
}

async fn put_rate_limit(
    State(app): State<App>,
    body: Bytes,
) -> Result<Json<RateLimitBody>, ApiError> {
    let wanted: RateLimitBody = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!("Expected {{per_window, window_secs}}: {e}."))
    })?;
    if !(wanted.window_secs.is_finite() && wanted.window_secs > 0.0) {
        return Err(ApiError::validation(
            "window_secs",
            "window_secs must be positive.",
            "out of range",
        ));
    }
    app.limiter.configure(
        wanted.per_window,
        Duration::from_secs_f64(wanted.window_secs),
    );
    Ok(Json(wanted))
}
