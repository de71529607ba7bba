//! Branding through the real window, against a sandbox: a logo picked through the file-dialog
//! seam (`SCRIPTIX_TEST_DIALOG`, see src-tauri/src/pick.rs) shows in the navigation at once,
//! within 512x512; it is replaced; a hostile file gives a clear message and keeps the logo; it is
//! removed after a confirmation. The brand colour from the native picker applies to the CSS
//! variables at once with text on it at 4.5:1 or more; a bad hex value is refused with a
//! message; reset brings the default back. The server gets both, and after a restart without
//! the server both are still there.

use std::path::Path;
use std::time::{Duration, Instant};

use e2e::{keys, App, Launch};
use scriptix_sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Value};

/// A wide SVG logo (800x400: a 512x256 logo).
const WIDE_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="800" height="400" viewBox="0 0 800 400">
  <rect width="800" height="400" rx="60" fill="#1b3a4b"/>
  <circle cx="200" cy="200" r="120" fill="#f2b134"/>
  <rect x="380" y="150" width="340" height="100" rx="20" fill="#ffffff"/>
</svg>"##;

/// A square one (300x300; vector art is scaled to fit: a 512x512 logo).
const SQUARE_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="300" height="300">
  <rect width="300" height="300" rx="40" fill="#6b2fbf"/>
  <path d="M60 220 L150 60 L240 220 Z" fill="#ffffff"/>
</svg>"##;

/// An SVG whose canvas is a billion units a side.
const HUGE_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="1000000000" height="1000000000"><rect width="9" height="9"/></svg>"##;

fn write(dir: &Path, name: &str, content: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path.display().to_string()
}

/// The contrast ratio (WCAG 2.x) of two `rgb(r, g, b)` / `#rrggbb` colours.
fn contrast(a: &str, b: &str) -> f64 {
    fn rgb(s: &str) -> [f64; 3] {
        let s = s.trim();
        let v: Vec<f64> = if let Some(hex) = s.strip_prefix('#') {
            (0..3)
                .map(|i| f64::from(u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16).unwrap()))
                .collect()
        } else {
            s.split(|c: char| !c.is_ascii_digit() && c != '.')
                .filter(|p| !p.is_empty())
                .take(3)
                .map(|p| p.parse().unwrap())
                .collect()
        };
        [v[0], v[1], v[2]]
    }
    let lum = |c: [f64; 3]| {
        let ch = |v: f64| {
            let v = v / 255.0;
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2])
    };
    let (x, y) = (lum(rgb(a)), lum(rgb(b)));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// The navigation logo's [src prefix, natural width, natural height] once it is a loaded image.
async fn nav_logo(app: &App, want: (u64, u64)) -> String {
    let got = app
        .wait_js(
            "the navigation logo",
            "const img = document.querySelector('#nav-logo');
             if (!img || !img.complete || !img.src.startsWith('data:image/png;base64,')) return null;
             if (img.naturalWidth !== arguments[0] || img.naturalHeight !== arguments[1]) return null;
             return img.src;",
            vec![json!(want.0), json!(want.1)],
        )
        .await;
    got.as_str().unwrap().to_string()
}

async fn css_var(app: &App, name: &str) -> String {
    app.eval(
        "return getComputedStyle(document.documentElement).getPropertyValue(arguments[0]).trim();",
        vec![json!(name)],
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_uppercase()
}

async fn wait_var(app: &App, name: &str, want: &str) {
    app.wait_js(
        &format!("{name} to be {want}"),
        "return getComputedStyle(document.documentElement).getPropertyValue(arguments[0]).trim().toUpperCase() === arguments[1];",
        vec![json!(name), json!(want)],
    )
    .await;
}

/// The sample button's background and text colours, as computed.
async fn sample_colours(app: &App) -> (String, String) {
    let v = app
        .eval(
            "const s = getComputedStyle(document.querySelector('#branding-sample'));
             return [s.backgroundColor, s.color];",
            vec![],
        )
        .await;
    (
        v[0].as_str().unwrap().to_string(),
        v[1].as_str().unwrap().to_string(),
    )
}

/// GET /branding and the logo's PNG size from its header, over HTTP.
async fn server_branding(sandbox: &Sandbox) -> (Value, Option<(u32, u32)>) {
    let http = e2e::http();
    let token = sandbox.reseller_token();
    let body: Value = http
        .get(format!("{}/api/v3/reseller/branding", sandbox.base_url()))
        .header("x-zoom-s2t-key", token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let result = body["result"].clone();
    let size = match result["logo_url"].as_str() {
        Some(url) => {
            let png = http
                .get(url)
                .header("x-zoom-s2t-key", token)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            assert!(
                png.starts_with(b"\x89PNG\r\n\x1a\n"),
                "the server's logo is a PNG"
            );
            let be = |i: usize| u32::from_be_bytes([png[i], png[i + 1], png[i + 2], png[i + 3]]);
            Some((be(16), be(20)))
        }
        None => None,
    };
    (result, size)
}

/// Logo workers of this test still running: processes started with `--logo-worker` whose
/// environment names `seam` (so another test's workers do not count). Linux `/proc`.
fn logo_workers(seam: &Path) -> usize {
    let needle = seam.display().to_string();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    dir.flatten()
        .filter(|e| {
            let cmdline = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
            let environ = std::fs::read(e.path().join("environ")).unwrap_or_default();
            String::from_utf8_lossy(&cmdline).contains("--logo-worker")
                && String::from_utf8_lossy(&environ).contains(&needle)
        })
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logo_and_brand_colour_apply_at_once_reach_the_server_and_survive_a_restart() {
    let sandbox = scriptix_sandbox::start(SandboxConfig {
        customers: 12,
        rate_limit_per_minute: 0,
        ..Default::default()
    })
    .await
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let seam = files.path().join("picked");
    std::fs::write(&seam, "").unwrap();
    let wide = write(files.path(), "wide.svg", WIDE_SVG.as_bytes());
    // A square logo saved with the wrong extension: the content decides.
    let square = write(files.path(), "square.png", SQUARE_SVG.as_bytes());
    let huge = write(files.path(), "huge.svg", HUGE_SVG.as_bytes());
    // A PNG cut off inside its header.
    let cut = write(
        files.path(),
        "cut.png",
        b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\x02",
    );
    let pick = |path: &str| std::fs::write(&seam, path).unwrap();
    // Not empty: the logo worker waits instead of working (a slow file, to cancel).
    let slow = files.path().join("slow");
    std::fs::write(&slow, "").unwrap();

    // Signed in through the form, so the account is remembered for the restart below.
    let app = App::launch(
        Launch::new()
            .home(home.path())
            .env("SCRIPTIX_TEST_DIALOG", seam.display().to_string())
            .env("SCRIPTIX_TEST_LOGO_SLOW", slow.display().to_string()),
    )
    .await;
    app.sign_in_with_form(sandbox.base_url(), sandbox.reseller_token())
        .await;
    app.wait_for("#org-list-view").await;
    let default_brand = css_var(&app, "--brand").await;
    app.click("#nav-branding").await;
    app.wait_for("#branding").await;
    app.wait_for("#branding-logo-empty").await;

    // Cancelling the dialog changes nothing.
    app.click("#branding-choose-logo").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(app.is_visible("#branding-logo-empty").await);

    // A logo: in the navigation at once, within 512x512, its shape kept.
    pick(&wide);
    app.click("#branding-choose-logo").await;
    let first = nav_logo(&app, (512, 256)).await;
    app.wait_for("#branding-logo-img").await;
    let info = app.wait_for_text("#branding-logo-info").await;
    assert!(info.contains("512 × 256"), "{info}");

    // Replaced.
    pick(&square);
    app.click("#branding-choose-logo").await;
    let second = nav_logo(&app, (512, 512)).await;
    assert_ne!(first, second);

    // Hostile files: a clear message each, and the logo stays.
    for (path, words) in [
        (&huge, "too large or too thin"),
        (&cut, "damaged or incomplete"),
    ] {
        pick(path);
        app.click("#branding-choose-logo").await;
        let message = app
            .wait_until_text("#branding-logo-error", |t| t.contains(words))
            .await;
        assert!(!message.contains("Error"), "{message}");
        assert_eq!(nav_logo(&app, (512, 512)).await, second);
    }

    // A file that takes long: "Processing…" with Cancel, which stops the worker at once, says
    // so in plain words and keeps the logo.
    assert!(!app.is_visible("#branding-cancel-logo").await);
    std::fs::write(&slow, "1").unwrap();
    pick(&wide);
    app.click("#branding-choose-logo").await;
    app.wait_for("#branding-cancel-logo").await;
    let started = Instant::now();
    while logo_workers(&slow) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no logo worker started"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        app.wait_for_text("#branding-choose-logo").await,
        "Processing…"
    );
    app.click("#branding-cancel-logo").await;
    let message = app
        .wait_until_text("#branding-logo-error", |t| t.contains("Cancelled"))
        .await;
    assert_eq!(message, "Cancelled: the logo was not changed.");
    assert_eq!(logo_workers(&slow), 0, "the worker is still there");
    assert!(!app.is_visible("#branding-cancel-logo").await);
    assert_eq!(nav_logo(&app, (512, 512)).await, second);
    std::fs::write(&slow, "").unwrap();

    // Removing asks first; Cancel keeps the logo.
    app.click("#branding-remove-logo").await;
    app.wait_for("#confirm-dialog").await;
    app.click("#confirm-cancel").await;
    app.wait_gone("#confirm-dialog").await;
    assert_eq!(nav_logo(&app, (512, 512)).await, second);
    app.click("#branding-remove-logo").await;
    app.click("#branding-remove-confirm").await;
    app.wait_js(
        "the mark back in the navigation",
        "return document.querySelector('#nav-logo').src.endsWith('assets/mark.svg');",
        vec![],
    )
    .await;
    app.wait_for("#branding-logo-empty").await;

    // The logo the server ends with.
    pick(&wide);
    app.click("#branding-choose-logo").await;
    nav_logo(&app, (512, 256)).await;

    // The native colour picker: set as GTK's chooser would; a drag step ('input') shows at
    // once, the colour chosen ('change') is kept.
    let picked = |colour: &'static str, event: &'static str| {
        app.eval(
            "const p = document.querySelector('#branding-colour-picker');
             p.value = arguments[0]; p.dispatchEvent(new Event(arguments[1], { bubbles: true }));",
            vec![json!(colour), json!(event)],
        )
    };
    picked("#3a7d44", "input").await;
    wait_var(&app, "--brand", "#3A7D44").await;
    picked("#ffe600", "input").await;
    wait_var(&app, "--brand", "#FFE600").await;
    picked("#ffe600", "change").await;
    app.wait_js(
        "the colour kept",
        "return !document.querySelector('#branding-reset-colour').disabled;",
        vec![],
    )
    .await;
    let on = css_var(&app, "--on-brand").await;
    assert!(contrast("#FFE600", &on) >= 4.5, "{on} on #FFE600");
    // A button in the brand colour (once its 120 ms colour transition is over).
    app.wait_js(
        "the sample button in the brand colour",
        "return getComputedStyle(document.querySelector('#branding-sample')).backgroundColor
             === 'rgb(255, 230, 0)';",
        vec![],
    )
    .await;
    let (bg, fg) = sample_colours(&app).await;
    assert!(contrast(&bg, &fg) >= 4.5, "{fg} on {bg}");
    // The selected navigation entry wears it.
    let nav_bg = app
        .eval(
            "return getComputedStyle(document.querySelector('#nav-branding')).backgroundColor;",
            vec![],
        )
        .await;
    assert_eq!(nav_bg, json!("rgb(255, 230, 0)"));
    let nav_fg = app
        .eval(
            "return getComputedStyle(document.querySelector('#nav-branding')).color;",
            vec![],
        )
        .await;
    let nav_fg = nav_fg.as_str().unwrap();
    assert!(
        contrast(nav_fg, "#FFE600") >= 4.5,
        "{nav_fg} on the selected entry"
    );

    // A bad hex value: a message, the field keeps what was typed, the colour stays.
    app.fill("#branding-colour-hex", "#12345z").await;
    app.press("#branding-colour-hex", keys::ENTER).await;
    let message = app.wait_for_text("#branding-colour-error").await;
    assert!(message.contains("#1A73E8"), "{message}");
    assert_eq!(app.value("#branding-colour-hex").await, "#12345z");
    assert_eq!(css_var(&app, "--brand").await, "#FFE600");

    // Reset: the app's own colour again.
    app.click("#branding-reset-colour").await;
    wait_var(&app, "--brand", &default_brand).await;

    // Typed: a dark purple, so white text.
    app.fill("#branding-colour-hex", "#6b2fbf").await;
    app.press("#branding-colour-hex", keys::ENTER).await;
    wait_var(&app, "--brand", "#6B2FBF").await;
    assert_eq!(css_var(&app, "--on-brand").await, "#FFFFFF");
    assert!(!app.is_visible("#branding-colour-error").await);

    // The server gets both (the engine sends the outbox on its own).
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let (b, size) = server_branding(&sandbox).await;
        if b["brand_color"] == json!("#6B2FBF") && size == Some((512, 256)) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the server has {b} with a logo of {size:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    app.wait_js(
        "nothing waiting any more",
        "return document.querySelector('#branding-logo-pending').hidden
             && document.querySelector('#branding-colour-pending').hidden;",
        vec![],
    )
    .await;
    // The picture without a text cursor in it.
    app.eval("document.activeElement?.blur();", vec![]).await;
    app.snap("branding").await;
    app.click("#nav-orgs").await;
    app.wait_for("#org-list-view").await;
    app.snap("branded-window").await;
    app.close().await;

    // A restart without the server: both still there, from the cache.
    sandbox.shutdown().await;
    let app = App::launch(Launch::new().home(home.path())).await;
    app.wait_for("#signed-in").await;
    nav_logo(&app, (512, 256)).await;
    wait_var(&app, "--brand", "#6B2FBF").await;
    app.click("#nav-branding").await;
    assert_eq!(
        app.value("#branding-colour-hex").await.to_uppercase(),
        "#6B2FBF"
    );
    app.wait_for("#branding-logo-img").await;
    app.close().await;
}
