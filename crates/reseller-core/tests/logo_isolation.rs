//! A logo pipeline that cannot hurt the app: hostile files (each generated here) end in a clear
//! message, in the app's own process (the pre-checks) and in the logo worker, with this test
//! process's peak memory staying low; the worker's limits hold where the pre-checks are defeated
//! on purpose (its `selftest-*` operations); a running job is cancelled and its worker is gone;
//! the server's logo is checked in the worker when synced, stored with its size, and the
//! branding is read without decoding anything.
//!
//! Unix: the process checks (peak memory, whether a worker is gone) use libc.
#![cfg(unix)]

mod support;

use std::io::Write;
use std::time::{Duration, Instant};

use base64::Engine as _;
use chrono::Utc;
use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use reseller_core::logo::worker::{Input, LogoJob, Op, WorkerLimits};
use reseller_core::logo::{process_bytes, LogoError, Unsafe};
use reseller_core::sync::refresh_branding;
use reseller_core::workspace::Workspace;
use support::logo_worker;

// ---- hostile files ----

fn encode(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// An SVG whose one entity (`len` characters) is referenced `refs` times at the top level:
/// each reference within the XML parser's own limits, `len * refs` characters in all.
fn entity_bomb(len: usize, refs: usize) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE svg [<!ENTITY a \"{}\">]>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100\" height=\"100\"><text y=\"50\">{}</text></svg>",
        "A".repeat(len),
        "&a;".repeat(refs)
    )
    .into_bytes()
}

/// A zlib stream that inflates to `blocks` x 16 MiB of zeros in about 16 KB a block: one
/// compressed run, flushed to a byte boundary, repeated (each copy stands on its own).
fn zlib_bomb(blocks: usize) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let zeros = vec![0u8; 16 << 20];
    let mut deflate = Compress::new(Compression::best(), false);
    let mut block = Vec::with_capacity(1 << 20);
    deflate
        .compress_vec(&zeros, &mut block, FlushCompress::Sync)
        .unwrap();
    assert_eq!(deflate.total_in(), zeros.len() as u64);
    let mut out = vec![0x78, 0xDA];
    for _ in 0..blocks {
        out.extend_from_slice(&block);
    }
    out.extend_from_slice(&[0x03, 0x00]); // an empty final block
    let total = blocks as u64 * (16 << 20);
    // Adler-32 of zeros: a stays 1, b adds 1 per byte.
    out.extend_from_slice(&((((total % 65_521) << 16) | 1) as u32).to_be_bytes());
    out
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(data);
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
    out
}

/// A valid `side` x `side` RGBA PNG with `extra` chunks right after its header.
fn png_with(side: u32, extra: &[Vec<u8>]) -> Vec<u8> {
    let img = RgbaImage::from_fn(side, side, |x, y| Rgba([x as u8, y as u8, 120, 255]));
    let plain = encode(&DynamicImage::ImageRgba8(img), ImageFormat::Png);
    let after_header = 8 + 25; // signature, IHDR
    let mut out = plain[..after_header].to_vec();
    for chunk in extra {
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&plain[after_header..]);
    out
}

/// A colour profile that inflates to `blocks` x 16 MiB.
fn iccp_bomb(blocks: usize) -> Vec<u8> {
    let mut data = b"icc\0\0".to_vec();
    data.extend(zlib_bomb(blocks));
    png_chunk(b"iCCP", &data)
}

/// Compressed text that inflates to `blocks` x 16 MiB.
fn ztxt_bomb(blocks: usize) -> Vec<u8> {
    let mut data = b"Comment\0\0".to_vec();
    data.extend(zlib_bomb(blocks));
    png_chunk(b"zTXt", &data)
}

/// An ICO holding one PNG entry.
fn ico_of(png: &[u8], side: u8) -> Vec<u8> {
    let mut out = vec![0, 0, 1, 0, 1, 0];
    out.extend_from_slice(&[side, side, 0, 0]);
    out.extend_from_slice(&1u16.to_le_bytes()); // planes
    out.extend_from_slice(&32u16.to_le_bytes()); // bits per pixel
    out.extend_from_slice(&(png.len() as u32).to_le_bytes());
    out.extend_from_slice(&22u32.to_le_bytes());
    out.extend_from_slice(png);
    out
}

/// A 512x512 square whose filter dilates by `radius` over a region five times the canvas.
fn morphology_svg(radius: u32) -> Vec<u8> {
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512">
  <filter id="f" x="-200%" y="-200%" width="500%" height="500%"><feMorphology operator="dilate" radius="{radius}"/></filter>
  <rect width="512" height="512" fill="#0a7b83" filter="url(#f)"/></svg>"##
    )
    .into_bytes()
}

/// `copies` uses of a blurred square whose filter region is 21 times the canvas a side.
fn blur_svg(copies: usize) -> Vec<u8> {
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512">
  <defs><filter id="b" x="-1000%" y="-1000%" width="2100%" height="2100%"><feGaussianBlur stdDeviation="40"/></filter>
  <rect id="r" width="100" height="100" fill="#0a7b83" filter="url(#b)"/></defs>
  {}</svg>"##,
        r##"<use href="#r"/>"##.repeat(copies)
    )
    .into_bytes()
}

/// `copies` uses of one embedded `side` x `side` PNG.
fn embedded_uses_svg(side: u32, copies: usize) -> Vec<u8> {
    let img = RgbImage::from_fn(side, side, |x, y| Rgb([(x / 8) as u8, (y / 8) as u8, 90]));
    let data = base64::engine::general_purpose::STANDARD
        .encode(encode(&DynamicImage::ImageRgb8(img), ImageFormat::Png));
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512">
  <defs><image id="i" width="512" height="512" href="data:image/png;base64,{data}"/></defs>
  {}</svg>"##,
        r##"<use href="#i"/>"##.repeat(copies)
    )
    .into_bytes()
}

fn svg_embedding(mime: &str, bytes: &[u8]) -> Vec<u8> {
    let data = base64::engine::general_purpose::STANDARD.encode(bytes);
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><rect width="10" height="10"/><image width="100" height="100" href="data:{mime};base64,{data}"/></svg>"#
    )
    .into_bytes()
}

fn peak_rss_mb(who: i32) -> i64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct we own.
    let rc = unsafe { libc::getrusage(who, &mut usage) };
    assert_eq!(rc, 0);
    usage.ru_maxrss / 1024 // kilobytes on Linux
}

/// Whether the process `pid` is gone (killed and reaped).
fn gone(pid: u32) -> bool {
    // SAFETY: signal 0 only checks whether the process exists.
    let rc = unsafe { libc::kill(pid as libc::pid_t, 0) };
    rc == -1 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH)
}

enum Expect {
    Logo(u32, u32),
    Error(fn(&LogoError) -> bool, &'static str),
}

#[test]
fn hostile_files_end_in_a_clear_message_in_the_app_and_in_the_worker() {
    let cases: Vec<(&str, Vec<u8>, Expect)> = vec![
        (
            "SVG whose entity references add 2 GB (quadratic)",
            entity_bomb(50_000, 40_000),
            Expect::Error(
                |e| matches!(e, LogoError::SvgEntities(_)),
                "would add 1 953 125 KB of text",
            ),
        ),
        (
            "ICO holding a PNG whose colour profile and text inflate to 4 GB each",
            ico_of(&png_with(32, &[iccp_bomb(256), ztxt_bomb(256)]), 32),
            Expect::Error(
                |e| matches!(e, LogoError::Metadata { .. }),
                "colour profile that is damaged or far larger",
            ),
        ),
        (
            "PNG whose colour profile inflates to 4 GB",
            png_with(64, &[iccp_bomb(256)]),
            Expect::Error(
                |e| matches!(e, LogoError::Metadata { .. }),
                "colour profile",
            ),
        ),
        (
            // Compressed text is never inflated: the picture is fine, and so is the logo.
            "ICO holding a PNG whose text inflates to 4 GB",
            ico_of(&png_with(32, &[ztxt_bomb(256)]), 32),
            Expect::Logo(32, 32),
        ),
        (
            "SVG embedding a PNG whose colour profile inflates to 2 GB (data:)",
            svg_embedding("image/png", &png_with(64, &[iccp_bomb(128)])),
            Expect::Error(
                |e| matches!(e, LogoError::Metadata { .. }),
                "colour profile",
            ),
        ),
        (
            "SVG embedding an SVG with an entity bomb",
            svg_embedding("image/svg+xml", &entity_bomb(10_000, 10_000)),
            Expect::Error(|e| matches!(e, LogoError::SvgEntities(_)), "entities"),
        ),
        (
            "feMorphology radius 400 over a region 5x the canvas",
            morphology_svg(400),
            Expect::Error(
                |e| matches!(e, LogoError::SvgTooComplex(_)),
                "filter effects",
            ),
        ),
        (
            "feTurbulence with 300 octaves",
            br##"<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512"><filter id="t" x="0" y="0" width="1" height="1"><feTurbulence baseFrequency="0.05" numOctaves="300"/></filter><rect width="512" height="512" filter="url(#t)"/></svg>"##.to_vec(),
            Expect::Error(|e| matches!(e, LogoError::SvgTooComplex(_)), "filter effects"),
        ),
        (
            "40 uses of a blur over a region 21x the canvas",
            blur_svg(40),
            Expect::Error(
                |e| matches!(e, LogoError::SvgTooComplex(_)),
                "filter effects",
            ),
        ),
        (
            "60 uses of one embedded 3000x3000 picture",
            embedded_uses_svg(3000, 60),
            Expect::Error(
                |e| matches!(e, LogoError::SvgTooComplex(_)),
                "embedded pictures of more than 32 megapixels",
            ),
        ),
        (
            "5000 uses of one embedded 1500x1500 picture",
            embedded_uses_svg(1500, 5000),
            Expect::Error(
                |e| matches!(e, LogoError::SvgTooComplex(_)),
                "copied by <use>",
            ),
        ),
        // What an honest logo with the same features looks like: fine.
        (
            "feMorphology radius 2 on the logo",
            morphology_svg(2),
            Expect::Logo(512, 512),
        ),
        (
            "one blur over that region",
            blur_svg(1),
            Expect::Logo(512, 512),
        ),
        (
            "4 uses of one embedded picture",
            embedded_uses_svg(800, 4),
            Expect::Logo(512, 512),
        ),
    ];
    let worker = logo_worker();
    for (name, bytes, expect) in cases {
        let in_app = process_bytes(&bytes);
        let job = LogoJob::new();
        let isolated = worker.process_bytes(&bytes, &job);
        let pid = job.last_worker_pid().expect("a worker ran");
        assert!(gone(pid), "{name}: worker {pid} still there");
        for (where_, got) in [("in the app", in_app), ("in the worker", isolated)] {
            match (&expect, got) {
                (Expect::Logo(w, h), Ok(logo)) => {
                    assert_eq!((logo.width, logo.height), (*w, *h), "{name} {where_}");
                }
                (Expect::Error(kind, words), Err(e)) => {
                    assert!(kind(&e), "{name} {where_}: unexpected error {e:?}");
                    assert!(e.to_string().contains(words), "{name} {where_}: {e}");
                }
                (Expect::Logo(..), Err(e)) => panic!("{name} {where_}: expected a logo, got {e}"),
                (Expect::Error(_, words), Ok(logo)) => panic!(
                    "{name} {where_}: expected {words:?}, got a {}x{} logo",
                    logo.width, logo.height
                ),
            }
        }
    }
    let peak = peak_rss_mb(libc::RUSAGE_SELF);
    let workers = peak_rss_mb(libc::RUSAGE_CHILDREN);
    println!("peak resident size: this process {peak} MB, the largest worker {workers} MB");
    assert!(peak < 400, "peak resident size {peak} MB");
}

// ---- the boundary itself ----

#[cfg(target_os = "linux")]
#[test]
fn a_worker_that_allocates_without_end_is_stopped_by_its_memory_limit() {
    // A smaller limit than the app's 512 MiB: the same mechanism, less of the machine's memory.
    let limits = WorkerLimits {
        memory: 128 * 1024 * 1024,
        ..WorkerLimits::default()
    };
    let job = LogoJob::new();
    let e = logo_worker()
        .with_limits(limits)
        .run(Op::SelftestAlloc, Input::Bytes(b"x"), &job)
        .unwrap_err();
    assert!(matches!(e, LogoError::Unsafe(Unsafe::Memory)), "{e:?}");
    assert_eq!(
        e.to_string(),
        "This file could not be processed safely: it needed more memory than a logo may use."
    );
    assert!(gone(job.last_worker_pid().unwrap()));
    // The app's side of it: nothing.
    assert!(peak_rss_mb(libc::RUSAGE_SELF) < 400);
}

#[test]
fn a_worker_that_spins_is_stopped_by_its_cpu_limit() {
    let limits = WorkerLimits {
        cpu: Duration::from_secs(1),
        // Far beyond the CPU limit: this is about RLIMIT_CPU, not the timeout.
        wall: Duration::from_secs(60),
        ..WorkerLimits::default()
    };
    let job = LogoJob::new();
    let e = logo_worker()
        .with_limits(limits)
        .run(Op::SelftestSpin, Input::Bytes(b"x"), &job)
        .unwrap_err();
    assert!(matches!(e, LogoError::Unsafe(Unsafe::Time)), "{e:?}");
    assert_eq!(
        e.to_string(),
        "This file could not be processed safely: it took too long."
    );
    assert!(gone(job.last_worker_pid().unwrap()));
}

#[test]
fn a_worker_that_waits_is_stopped_by_the_wall_clock() {
    let limits = WorkerLimits {
        wall: Duration::from_millis(500),
        ..WorkerLimits::default()
    };
    let job = LogoJob::new();
    let e = logo_worker()
        .with_limits(limits)
        .run(Op::SelftestSleep, Input::Bytes(b"x"), &job)
        .unwrap_err();
    assert!(matches!(e, LogoError::Unsafe(Unsafe::Time)), "{e:?}");
    assert!(gone(job.last_worker_pid().unwrap()));
}

/// Waits until `job` has started its worker.
fn worker_of(job: &LogoJob) -> u32 {
    let start = Instant::now();
    loop {
        if let Some(pid) = job.last_worker_pid() {
            return pid;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no worker started"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn cancel_kills_a_running_worker() {
    let job = LogoJob::new();
    let running = {
        let job = job.clone();
        std::thread::spawn(move || logo_worker().run(Op::SelftestSleep, Input::Bytes(b"x"), &job))
    };
    let pid = worker_of(&job);
    assert!(!gone(pid));
    job.cancel();
    let e = running.join().unwrap().unwrap_err();
    assert!(matches!(e, LogoError::Cancelled), "{e:?}");
    assert_eq!(e.to_string(), "Cancelled: the logo was not changed.");
    assert!(gone(pid), "worker {pid} still there after the cancel");
}

/// A 6000x6000 PNG: a second or more of work for the worker.
fn big_png() -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, 6000, 6000);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_compression(png::Compression::Fast);
        let mut w = enc.write_header().unwrap();
        let mut s = w.stream_writer().unwrap();
        let row: Vec<u8> = (0..6000u32).map(|x| (x / 24) as u8).collect();
        for _ in 0..6000 {
            s.write_all(&row).unwrap();
        }
        s.finish().unwrap();
    }
    out
}

#[test]
fn a_logo_being_processed_is_cancelled_from_the_workspace_and_the_logo_stays() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let _guard = rt.enter();
    let data = tempfile::tempdir().unwrap();
    let ws = std::sync::Arc::new(
        Workspace::open(
            support::reseller_info("http://127.0.0.1:9"),
            support::client_for("http://127.0.0.1:9", "sbx-reseller-0000000000000000"),
            data.path(),
        )
        .unwrap(),
    );
    ws.set_logo_worker(logo_worker());
    let small = data.path().join("small.png");
    std::fs::write(&small, png_with(40, &[])).unwrap();
    let before = ws.set_logo_from_path(&small).unwrap().logo.unwrap();
    assert_eq!((before.width, before.height), (Some(40), Some(40)));

    let big = data.path().join("big.png");
    std::fs::write(&big, big_png()).unwrap();
    let ticket = ws.begin_logo_job().unwrap();
    let job = ticket.job().clone();
    // One job at a time.
    assert_eq!(ws.begin_logo_job().unwrap_err().code(), "busy");
    let running = {
        let ws = ws.clone();
        std::thread::spawn(move || ws.set_logo_from_file(&big, &ticket))
    };
    let pid = worker_of(&job);
    assert!(ws.cancel_logo());
    let e = running.join().unwrap().unwrap_err();
    assert_eq!(e.field(), Some("logo"));
    assert_eq!(e.to_string(), "Cancelled: the logo was not changed.");
    assert!(gone(pid), "worker {pid} still there after the cancel");
    assert_eq!(ws.branding().unwrap().logo.unwrap(), before);
    // The slot is free again, and nothing is left to cancel.
    assert!(!ws.cancel_logo());
    drop(ws.begin_logo_job().unwrap());
}

// ---- the server's logo ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_servers_logo_is_checked_when_synced_and_never_decoded_when_read() {
    let sb = support::sandbox(1, 5).await;
    let client = support::client(&sb);
    let data = tempfile::tempdir().unwrap();
    let ws = Workspace::open(
        support::reseller_info(sb.base_url()),
        client.clone(),
        data.path(),
    )
    .unwrap();
    ws.set_logo_worker(logo_worker());

    // A hostile SVG on the server, uploaded through the normal route (the sandbox checks what
    // the server checks: under 2 MiB, an SVG): 1500 characters referenced 600 000 times.
    client
        .upload_logo(entity_bomb(1_500, 600_000), "image/svg+xml", "logo.svg")
        .await
        .unwrap();
    ws.engine().sync_now(false).await.unwrap();
    let view = ws.branding().unwrap();
    assert!(view.logo.is_none() && view.logo_missing);
    let why = view.logo_problem.unwrap();
    assert!(
        why.starts_with(
            "The logo on Scriptix is not shown here because it could not be checked safely."
        ),
        "{why}"
    );
    assert!(why.contains("declares entities"), "{why}");
    let row = ws
        .engine()
        .cache()
        .lock()
        .unwrap()
        .branding()
        .unwrap()
        .unwrap();
    assert!(row.logo_url.is_some() && row.logo.is_none());

    // A PNG whose colour profile inflates to 2 GB (the file is under 2 MiB).
    let hostile_png = png_with(64, &[iccp_bomb(128)]);
    assert!(hostile_png.len() < 2 * 1024 * 1024);
    client
        .upload_logo(hostile_png.clone(), "image/png", "logo.png")
        .await
        .unwrap();
    let cache = ws.engine().cache().clone();
    refresh_branding(&client, &cache, ws.engine().logo_worker(), Utc::now())
        .await
        .unwrap();
    let why = ws.branding().unwrap().logo_problem.unwrap();
    assert!(why.contains("colour profile"), "{why}");

    // A good logo: kept as the PNG the worker made, with its size.
    let photo = encode(
        &DynamicImage::ImageRgb8(RgbImage::from_fn(1200, 600, |x, _| {
            Rgb([(x % 256) as u8, 30, 90])
        })),
        ImageFormat::Jpeg,
    );
    client
        .upload_logo(photo, "image/jpeg", "logo.jpg")
        .await
        .unwrap();
    refresh_branding(&client, &cache, ws.engine().logo_worker(), Utc::now())
        .await
        .unwrap();
    let row = cache.lock().unwrap().branding().unwrap().unwrap();
    assert_eq!((row.logo_width, row.logo_height), (Some(512), Some(256)));
    assert_eq!(row.logo_content_type.as_deref(), Some("image/png"));
    assert!(row.logo.as_deref().unwrap().starts_with(b"\x89PNG"));
    let view = ws.branding().unwrap();
    let logo = view.logo.unwrap();
    assert_eq!((logo.width, logo.height), (Some(512), Some(256)));
    assert_eq!(view.logo_problem, None);

    // Reading the branding decodes nothing: with the hostile PNG's bytes in the cache row (as
    // if they had been kept), the read answers the stored size and costs nothing.
    let mut planted = row.clone();
    planted.logo = Some(hostile_png.clone());
    planted.logo_width = Some(7);
    planted.logo_height = Some(9);
    cache.lock().unwrap().set_branding(&planted).unwrap();
    for _ in 0..20 {
        let logo = ws.branding().unwrap().logo.unwrap();
        assert_eq!(
            (logo.width, logo.height, logo.bytes),
            (Some(7), Some(9), hostile_png.len())
        );
    }
    let peak = peak_rss_mb(libc::RUSAGE_SELF);
    assert!(peak < 400, "peak resident size {peak} MB");

    // Without a worker the server's logo is not kept (and not decoded here either).
    let bare_dir = tempfile::tempdir().unwrap();
    let bare = Workspace::open(
        support::reseller_info(sb.base_url()),
        client.clone(),
        bare_dir.path(),
    )
    .unwrap();
    refresh_branding(&client, bare.engine().cache(), None, Utc::now())
        .await
        .unwrap();
    let why = bare.branding().unwrap().logo_problem.unwrap();
    assert!(why.contains("no image processor"), "{why}");
    sb.shutdown().await;
}
