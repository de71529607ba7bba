//! G9: the reseller's branding: two colours and a logo served back at an absolute URL.

use axum::body::{Body, Bytes};
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use rusqlite::{params, Connection};
use serde_json::{json, Map, Value};

use super::{json_object, no_content, one, App};
use crate::error::ApiError;

/// The logo limit (contract: 2 MiB).
pub const MAX_LOGO: usize = 2_097_152;
/// The request body limit on the logo route: above the logo limit, so an oversized logo gets a
/// clear 413 from us rather than a cut-off upload.
pub const MAX_UPLOAD: usize = 8 * 1024 * 1024;

fn logo_url(app: &App) -> String {
    format!("{}/api/v3/reseller/branding/logo", app.base_url)
}

fn load(conn: &Connection, app: &App) -> Result<Value, ApiError> {
    let (brand, secondary, has_logo, content_type): (Option<String>, Option<String>, bool, Option<String>) = conn
        .query_row(
            "SELECT brand_color, secondary_color, logo IS NOT NULL, logo_content_type FROM branding WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
    Ok(json!({
        "brand_color": brand,
        "secondary_color": secondary,
        "logo_url": has_logo.then(|| logo_url(app)),
        "logo_content_type": if has_logo { content_type } else { None },
    }))
}

pub async fn get(State(app): State<App>) -> Result<Response, ApiError> {
    let app2 = app.clone();
    let body = app.db.call(move |conn| load(conn, &app2)).await?;
    Ok(one(StatusCode::OK, body))
}

fn colour(body: &Map<String, Value>, field: &str, label: &str) -> Result<Option<String>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if is_hex_colour(s.trim()) => {
            Ok(Some(s.trim().to_ascii_uppercase()))
        }
        Some(other) => Err(ApiError::validation(
            field,
            format!("The {label} must be a colour written #RRGGBB, e.g. #1A73E8; got {other}."),
            "must be #RRGGBB",
        )),
    }
}

fn is_hex_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// Replaces both colours; a colour left out or null is reset.
pub async fn put_colors(State(app): State<App>, body: Bytes) -> Result<Response, ApiError> {
    let body = json_object(&body)?;
    let brand = colour(&body, "brand_color", "brand colour")?;
    let secondary = colour(&body, "secondary_color", "secondary colour")?;
    let app2 = app.clone();
    let result = app
        .db
        .call(move |conn| {
            conn.execute(
                "UPDATE branding SET brand_color = ?1, secondary_color = ?2 WHERE id = 1",
                params![brand, secondary],
            )?;
            load(conn, &app2)
        })
        .await?;
    Ok(one(StatusCode::CREATED, result))
}

/// The image type by its first bytes; the declared content type is not trusted.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some("image/png");
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some("image/jpeg");
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Some("image/gif");
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some("image/webp");
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]);
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with('<') && head.contains("<svg") {
        return Some("image/svg+xml");
    }
    None
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("The logo is too large: at most {MAX_LOGO} bytes (2 MiB)."),
    )
}

pub async fn put_logo(
    State(app): State<App>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let mut multipart = multipart.map_err(|_| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send the logo as multipart/form-data with the image in the field 'logo'.",
        )
    })?;
    let mut logo: Option<Bytes> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(e) => {
                return Err(ApiError::bad_request(format!(
                    "The multipart body could not be read: {}.",
                    e.body_text()
                )))
            }
        };
        if field.name() != Some("logo") {
            continue;
        }
        logo = Some(field.bytes().await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                ApiError::bad_request(format!("The logo could not be read: {}.", e.body_text()))
            }
        })?);
    }
    let logo = logo.ok_or_else(|| {
        ApiError::validation("logo", "Attach the image in the field 'logo'.", "required")
    })?;
    if logo.len() > MAX_LOGO {
        return Err(too_large());
    }
    let content_type = sniff(&logo).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "The logo must be a PNG, JPEG, GIF, WebP or SVG image.",
        )
    })?;
    let app2 = app.clone();
    let result = app
        .db
        .call(move |conn| {
            conn.execute(
                "UPDATE branding SET logo = ?1, logo_content_type = ?2 WHERE id = 1",
                params![logo.to_vec(), content_type],
            )?;
            load(conn, &app2)
        })
        .await?;
    Ok(one(StatusCode::CREATED, result))
}

pub async fn delete_logo(State(app): State<App>) -> Result<Response, ApiError> {
    app.db
        .call(|conn| {
            conn.execute(
                "UPDATE branding SET logo = NULL, logo_content_type = NULL WHERE id = 1",
                [],
            )?;
            Ok(())
        })
        .await?;
    Ok(no_content())
}

/// The logo's bytes with their content type (what `logo_url` points at).
pub async fn get_logo(State(app): State<App>) -> Result<Response, ApiError> {
    let logo: Option<(Vec<u8>, String)> = app
        .db
        .call(|conn| {
            let row: (Option<Vec<u8>>, Option<String>) = conn.query_row(
                "SELECT logo, logo_content_type FROM branding WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            Ok(match row {
                (Some(bytes), Some(ct)) => Some((bytes, ct)),
                _ => None,
            })
        })
        .await?;
    let (bytes, content_type) =
        logo.ok_or_else(|| ApiError::not_found("No logo has been uploaded."))?;
    Ok(([(header::CONTENT_TYPE, content_type)], Body::from(bytes)).into_response())
}
