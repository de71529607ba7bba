//! Branding through the outbox against the sandbox over HTTP: changes made offline show at once,
//! survive reopening the cache, reach the server exactly once when the network returns, and a
//! refusal is shown with the server's words until discarded.

mod support;

use chrono::Utc;
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use reseller_core::cache::Cache;
use reseller_core::session::SessionInfo;
use reseller_core::sync::replay_outbox;
use reseller_core::workspace::Workspace;
use scriptix_api::Client;
use scriptix_sandbox::{start, Gap, SandboxConfig};
use support::{client, client_for, logo_worker};

fn info(base_url: &str) -> SessionInfo {
    SessionInfo {
        display_name: "Reseller".into(),
        email: "reseller@example.test".into(),
        organization_name: Some("Reseller BV".into()),
        organization_id: Some(1),
        roles: vec!["RESELLER".into()],
        base_url: base_url.into(),
        demo: false,
        role_source: Default::default(),
    }
}

/// A client whose server is not there (nothing listens on port 9 of loopback).
fn offline() -> Client {
    client_for("http://127.0.0.1:9", "sbx-reseller-0000000000000000")
}

fn photo_file(dir: &std::path::Path) -> std::path::PathBuf {
    let img = RgbImage::from_fn(1600, 900, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let path = dir.join("photo.jpg");
    DynamicImage::ImageRgb8(img)
        .save_with_format(&path, ImageFormat::Jpeg)
        .unwrap();
    path
}

fn routes(sb: &scriptix_sandbox::Sandbox, key: &str) -> u64 {
    sb.stats().by_route.get(key).copied().unwrap_or(0)
}

const PUT_COLOURS: &str = "PUT /api/v3/reseller/branding";
const PUT_LOGO: &str = "PUT /api/v3/reseller/branding/logo";
const DELETE_LOGO: &str = "DELETE /api/v3/reseller/branding/logo";

#[tokio::test]
async fn offline_changes_reach_the_server_exactly_once() {
    let sb = start(SandboxConfig {
        customers: 3,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let online = client(&sb);
    let data = tempfile::tempdir().unwrap();
    let ws = Workspace::open(info(sb.base_url()), offline(), data.path()).unwrap();
    ws.set_logo_worker(logo_worker());

    // Offline: both changes show at once, pending, with the colours the interface takes.
    ws.set_brand_colour("#ffe600").unwrap();
    let view = ws.set_logo_from_path(&photo_file(data.path())).unwrap();
    assert_eq!(view.brand_color.as_deref(), Some("#FFE600"));
    let theme = view.theme.as_ref().unwrap();
    assert!(theme.contrast >= 4.5);
    assert_eq!(theme.on_brand, "#0B1215");
    let logo = view.logo.as_ref().unwrap();
    assert_eq!((logo.width, logo.height), (Some(512), Some(288)));
    assert!(logo.data_url.starts_with("data:image/png;base64,"));
    assert!(view.colour_pending && view.logo_pending);

    // A replay while offline stops and keeps both.
    let cache = ws.engine().cache().clone();
    assert!(replay_outbox(&offline(), &cache, Utc::now()).await.is_err());
    drop(ws);

    // A restart: the same cache file, the changes still there.
    let ws = Workspace::open(info(sb.base_url()), offline(), data.path()).unwrap();
    let before = ws.branding().unwrap();
    assert_eq!(before.brand_color.as_deref(), Some("#FFE600"));
    assert_eq!(before.logo, view.logo);
    let our_png = {
        use base64::Engine as _;
        let b64 = before
            .logo
            .as_ref()
            .unwrap()
            .data_url
            .split(',')
            .nth(1)
            .unwrap();
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap()
    };

    // Online: sent, once each.
    sb.reset_stats();
    let cache = ws.engine().cache().clone();
    let report = replay_outbox(&online, &cache, Utc::now()).await.unwrap();
    assert_eq!((report.completed, report.failed), (2, 0));
    assert_eq!(routes(&sb, PUT_COLOURS), 1);
    assert_eq!(routes(&sb, PUT_LOGO), 1);
    let server = online.branding().await.unwrap();
    assert_eq!(server.brand_color.as_deref(), Some("#FFE600"));
    let (bytes, content_type) = online
        .fetch_logo(server.logo_url.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(
        (bytes, content_type.as_str()),
        (our_png.clone(), "image/png")
    );
    // Nothing pending any more; the cached server row holds what was sent.
    let after = ws.branding().unwrap();
    assert!(!after.colour_pending && !after.logo_pending);
    assert_eq!(after.brand_color.as_deref(), Some("#FFE600"));
    assert_eq!(after.logo.as_ref().map(|l| l.bytes), Some(our_png.len()));
    let row = cache.lock().unwrap().branding().unwrap().unwrap();
    assert_eq!(row.logo.as_deref(), Some(&our_png[..]));
    // A second replay sends nothing.
    let report = replay_outbox(&online, &cache, Utc::now()).await.unwrap();
    assert_eq!(report.completed, 0);
    assert_eq!(routes(&sb, PUT_COLOURS) + routes(&sb, PUT_LOGO), 2);

    // Remove the logo and reset the colour, offline, then online.
    ws.remove_logo().unwrap();
    let view = ws.reset_brand_colour().unwrap();
    assert_eq!(
        (view.logo.is_none(), view.brand_color.is_none()),
        (true, true)
    );
    assert!(view.theme.is_none());
    replay_outbox(&online, &cache, Utc::now()).await.unwrap();
    assert_eq!(routes(&sb, DELETE_LOGO), 1);
    let server = online.branding().await.unwrap();
    assert_eq!((server.brand_color, server.logo_url), (None, None));
    let view = ws.branding().unwrap();
    assert!(view.logo.is_none() && !view.logo_pending);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_lost_answer_is_settled_by_sending_the_replacement_again() {
    let sb = start(SandboxConfig {
        customers: 1,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let online = client(&sb);
    let data = tempfile::tempdir().unwrap();
    let ws = Workspace::open(info(sb.base_url()), offline(), data.path()).unwrap();
    ws.set_brand_colour("#123456").unwrap();
    // The app stopped right after sending: the operation is in flight, its outcome unknown.
    let cache = ws.engine().cache().clone();
    {
        let c = cache.lock().unwrap();
        let op = c.outbox(None).unwrap().remove(0);
        c.set_outbox_state(
            op.op_id,
            reseller_core::cache::OutboxState::InFlight,
            None,
            true,
        )
        .unwrap();
    }
    let report = replay_outbox(&online, &cache, Utc::now()).await.unwrap();
    assert_eq!(report.completed, 1);
    assert_eq!(
        online.branding().await.unwrap().brand_color.as_deref(),
        Some("#123456")
    );
    assert!(cache.lock().unwrap().outbox(None).unwrap().is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn a_refused_change_shows_why_until_discarded() {
    // A server without branding (G9 answers 404).
    let sb = start(SandboxConfig {
        customers: 1,
        disabled_gaps: [Gap::Branding].into_iter().collect(),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let online = client(&sb);
    let data = tempfile::tempdir().unwrap();
    let ws = Workspace::open(info(sb.base_url()), online.clone(), data.path()).unwrap();
    ws.set_brand_colour("#0a7b83").unwrap();
    let cache = ws.engine().cache().clone();
    let report = replay_outbox(&online, &cache, Utc::now()).await.unwrap();
    assert_eq!(report.failed, 1);
    let view = ws.branding().unwrap();
    let why = view.colour_error.clone().unwrap();
    assert!(!why.is_empty());
    // Still shown (the user sees what was refused) until discarded.
    assert_eq!(view.brand_color.as_deref(), Some("#0A7B83"));
    let view = ws.discard_branding_changes().unwrap();
    assert_eq!((view.brand_color, view.colour_error), (None, None));
    assert!(Cache::open(Workspace::cache_path(ws.info(), data.path())).is_ok());
    sb.shutdown().await;
}

#[test]
fn bad_input_is_refused_with_a_message_and_changes_nothing() {
    let data = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let _guard = rt.enter();
    let ws = Workspace::open(info("http://127.0.0.1:9"), offline(), data.path()).unwrap();
    ws.set_brand_colour("#123456").unwrap();
    let e = ws.set_brand_colour("#12345g").unwrap_err();
    assert_eq!(e.code(), "invalid_input");
    assert_eq!(e.field(), Some("brand_color"));
    assert!(e.to_string().contains("#1A73E8"), "{e}");
    let empty = data.path().join("empty.png");
    std::fs::write(&empty, b"").unwrap();
    // Without a logo worker nothing is decoded, here or anywhere.
    let e = ws.set_logo_from_path(&empty).unwrap_err();
    assert_eq!(e.field(), Some("logo"));
    assert!(
        e.to_string()
            .contains("could not start its image processor"),
        "{e}"
    );
    ws.set_logo_worker(logo_worker());
    let e = ws.set_logo_from_path(&empty).unwrap_err();
    assert_eq!(e.field(), Some("logo"));
    assert_eq!(e.to_string(), "The file is empty.");
    let view = ws.branding().unwrap();
    assert_eq!(view.brand_color.as_deref(), Some("#123456"));
    assert!(view.logo.is_none());
}

/// The Branding screen's own refresh: never fetched, it is fetched at once in the interactive
/// lane (not behind the prefetch), the cache says when, and every open screen is told.
#[tokio::test]
async fn the_branding_screen_fetches_its_copy_at_once() {
    let sb = start(SandboxConfig {
        customers: 3,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    let ws = Workspace::open(info(sb.base_url()), client(&sb), data.path()).unwrap();
    assert!(ws.branding().unwrap().as_of.fetched_at.is_none());
    let mut changes = ws.engine().changes();
    let before = routes(&sb, "GET /api/v3/reseller/branding");
    assert!(ws.engine().refresh_branding_now().await.unwrap());
    assert_eq!(routes(&sb, "GET /api/v3/reseller/branding"), before + 1);
    assert!(ws.branding().unwrap().as_of.fetched_at.is_some());
    let change = changes.try_recv().expect("a change announced");
    assert!(change.details_changed);
    sb.shutdown().await;
}
