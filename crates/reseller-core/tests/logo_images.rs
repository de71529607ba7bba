//! The logo pipeline against hostile and unusual files, each generated here, each with its
//! expected outcome: a correct logo (size within 512x512, shape kept, pixels checked where the
//! case is about pixels) or a clear message. None may panic or take more than a few hundred MB
//! (the peak resident size of this whole test process, every case of every test included, is
//! checked after the set).

use std::io::Write;
use std::path::Path;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use reseller_core::logo::{process_bytes, process_path, Logo, LogoError};

fn encode(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// A 600x300 picture: red left half, blue right half.
fn halves(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, _| {
        if x < w / 2 {
            Rgb([220, 20, 20])
        } else {
            Rgb([20, 20, 220])
        }
    })
}

fn decoded(logo: &Logo) -> RgbaImage {
    let img = image::load_from_memory_with_format(&logo.png, ImageFormat::Png).unwrap();
    assert_eq!((img.width(), img.height()), (logo.width, logo.height));
    img.into_rgba8()
}

fn near(a: Rgba<u8>, b: [u8; 4], tolerance: i32) -> bool {
    a.0.iter()
        .zip(b)
        .all(|(x, y)| (i32::from(*x) - i32::from(y)).abs() <= tolerance)
}

/// A valid logo: a PNG within 512x512 and under 2 MB.
fn assert_logo(logo: &Logo, w: u32, h: u32) {
    assert!(logo.png.starts_with(b"\x89PNG"));
    assert!(logo.png.len() <= 2_097_152);
    assert_eq!((logo.width, logo.height), (w, h));
}

/// A 20000x20000 grayscale PNG, streamed (400 MB of pixels, a few hundred KB of file).
fn huge_png() -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, 20_000, 20_000);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        let mut w = enc.write_header().unwrap();
        let mut s = w.stream_writer().unwrap();
        let row = vec![0u8; 20_000];
        for _ in 0..20_000 {
            s.write_all(&row).unwrap();
        }
        s.finish().unwrap();
    }
    out
}

/// EXIF (big-endian TIFF) with one tag: Orientation = `value`.
fn exif_orientation(value: u16) -> Vec<u8> {
    let mut t = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
    t.extend_from_slice(&1u16.to_be_bytes()); // one entry
    t.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    t.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    t.extend_from_slice(&1u32.to_be_bytes()); // one value
    t.extend_from_slice(&value.to_be_bytes());
    t.extend_from_slice(&[0, 0]);
    t.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    t
}

fn jpeg_with_exif(img: &RgbImage, orientation: u16) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = jpeg_encoder::Encoder::new(&mut out, 92);
    enc.add_exif_metadata(&exif_orientation(orientation))
        .unwrap();
    enc.encode(
        img.as_raw(),
        img.width() as u16,
        img.height() as u16,
        jpeg_encoder::ColorType::Rgb,
    )
    .unwrap();
    out
}

/// A CMYK JPEG (Adobe, as print tools write them): pure cyan.
fn cmyk_jpeg() -> Vec<u8> {
    let (w, h) = (640u16, 480u16);
    let data: Vec<u8> = (0..usize::from(w) * usize::from(h))
        .flat_map(|_| [255u8, 0, 0, 0])
        .collect();
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90)
        .encode(&data, w, h, jpeg_encoder::ColorType::Cmyk)
        .unwrap();
    out
}

/// Two frames, red then blue.
fn animated_gif() -> Vec<u8> {
    use image::codecs::gif::{GifEncoder, Repeat};
    use image::{Delay, Frame};
    let mut out = Vec::new();
    {
        let mut enc = GifEncoder::new(&mut out);
        enc.set_repeat(Repeat::Infinite).unwrap();
        for colour in [[255, 0, 0, 255], [0, 0, 255, 255]] {
            let frame = RgbaImage::from_pixel(300, 100, Rgba(colour));
            enc.encode_frame(Frame::from_parts(
                frame,
                0,
                0,
                Delay::from_numer_denom_ms(100, 1),
            ))
            .unwrap();
        }
    }
    out
}

fn rgb16_png() -> Vec<u8> {
    let img = image::ImageBuffer::<Rgb<u16>, Vec<u16>>::from_fn(1000, 500, |x, _| {
        Rgb([(x * 65) as u16, 40_000, 65_535])
    });
    encode(&DynamicImage::ImageRgb16(img), ImageFormat::Png)
}

fn peak_rss_mb() -> i64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct we own.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    assert_eq!(rc, 0);
    usage.ru_maxrss / 1024 // kilobytes on Linux
}

enum Expect {
    /// A logo of this size.
    Logo(u32, u32),
    /// An error of this kind whose message contains these words.
    Error(fn(&LogoError) -> bool, &'static str),
}

#[test]
fn every_hostile_or_unusual_file_ends_in_a_logo_or_a_clear_message() {
    let photo = DynamicImage::ImageRgb8(halves(1200, 800));
    let png = encode(&photo, ImageFormat::Png);
    let jpeg = encode(&photo, ImageFormat::Jpeg);
    let cases: Vec<(&str, Vec<u8>, Expect)> = vec![
        ("empty file", vec![], Expect::Error(|e| matches!(e, LogoError::Empty), "empty")),
        (
            "truncated PNG",
            png[..png.len() / 2].to_vec(),
            Expect::Error(|e| matches!(e, LogoError::Damaged(_)), "damaged or incomplete"),
        ),
        (
            "PNG cut inside its header",
            png[..20].to_vec(),
            Expect::Error(|e| matches!(e, LogoError::Damaged(_)), "damaged or incomplete"),
        ),
        (
            "truncated JPEG",
            jpeg[..jpeg.len() / 3].to_vec(),
            Expect::Error(|e| matches!(e, LogoError::Damaged(_)), "damaged or incomplete"),
        ),
        (
            "20000x20000 PNG",
            huge_png(),
            Expect::Error(
                |e| matches!(e, LogoError::TooManyPixels { width: 20_000, height: 20_000 }),
                "20000 × 20000 pixels",
            ),
        ),
        (
            "SVG with a huge canvas",
            br#"<svg xmlns="http://www.w3.org/2000/svg" width="1000000000" height="1000000000"><rect width="10" height="10"/></svg>"#.to_vec(),
            Expect::Error(|e| matches!(e, LogoError::SvgCanvas { .. }), "too large or too thin"),
        ),
        (
            "SVG with a large but sane canvas",
            br##"<svg xmlns="http://www.w3.org/2000/svg" width="90000" height="45000"><rect width="90000" height="45000" fill="#0a7b83"/></svg>"##.to_vec(),
            Expect::Logo(512, 256),
        ),
        (
            "SVG that is not well-formed",
            br#"<svg xmlns="http://www.w3.org/2000/svg"><rect"#.to_vec(),
            Expect::Error(|e| matches!(e, LogoError::SvgInvalid(_)), "SVG file could not be read"),
        ),
        ("animated GIF", animated_gif(), Expect::Logo(300, 100)),
        ("CMYK JPEG", cmyk_jpeg(), Expect::Logo(512, 384)),
        ("16-bit PNG", rgb16_png(), Expect::Logo(512, 256)),
        ("EXIF-rotated JPEG", jpeg_with_exif(&halves(600, 300), 6), Expect::Logo(256, 512)),
        (
            "a text file",
            b"name,email\nAcme,ops@acme.test\n".to_vec(),
            Expect::Error(|e| matches!(e, LogoError::NotAnImage), "not an image"),
        ),
        (
            "fully transparent PNG",
            encode(&DynamicImage::ImageRgba8(RgbaImage::new(64, 64)), ImageFormat::Png),
            Expect::Error(|e| matches!(e, LogoError::Invisible), "fully transparent"),
        ),
        (
            "WebP",
            encode(&DynamicImage::ImageRgba8(RgbaImage::from_pixel(40, 20, Rgba([1, 2, 3, 255]))), ImageFormat::WebP),
            Expect::Logo(40, 20),
        ),
        ("BMP", encode(&photo, ImageFormat::Bmp), Expect::Logo(512, 341)),
        ("TIFF", encode(&photo, ImageFormat::Tiff), Expect::Logo(512, 341)),
        (
            "ICO",
            encode(&DynamicImage::ImageRgba8(RgbaImage::from_pixel(48, 48, Rgba([9, 9, 9, 255]))), ImageFormat::Ico),
            Expect::Logo(48, 48),
        ),
    ];
    for (name, bytes, expect) in cases {
        let got = process_bytes(&bytes);
        match (expect, got) {
            (Expect::Logo(w, h), Ok(logo)) => assert_logo(&logo, w, h),
            (Expect::Error(kind, words), Err(e)) => {
                assert!(kind(&e), "{name}: unexpected error {e:?}");
                assert!(e.to_string().contains(words), "{name}: {e}");
                // A sentence for people: no debug formatting.
                assert!(!e.to_string().contains("Error {"), "{name}: {e}");
            }
            (Expect::Logo(..), Err(e)) => panic!("{name}: expected a logo, got {e}"),
            (Expect::Error(_, words), Ok(logo)) => {
                panic!(
                    "{name}: expected an error with {words:?}, got a {}x{} logo",
                    logo.width, logo.height
                )
            }
        }
    }
    let peak = peak_rss_mb();
    assert!(peak < 400, "peak resident size {peak} MB");
}

#[test]
fn exif_orientation_is_applied() {
    // Stored 600x300, red left, blue right; orientation 6 = shown turned 90° clockwise: the
    // left (red) edge becomes the top.
    let logo = process_bytes(&jpeg_with_exif(&halves(600, 300), 6)).unwrap();
    let img = decoded(&logo);
    assert_eq!((img.width(), img.height()), (256, 512));
    assert!(
        near(*img.get_pixel(128, 60), [220, 20, 20, 255], 40),
        "{:?}",
        img.get_pixel(128, 60)
    );
    assert!(
        near(*img.get_pixel(128, 450), [20, 20, 220, 255], 40),
        "{:?}",
        img.get_pixel(128, 450)
    );
}

#[test]
fn an_animated_gif_becomes_its_first_frame_and_cmyk_keeps_its_colour() {
    let img = decoded(&process_bytes(&animated_gif()).unwrap());
    assert!(
        near(*img.get_pixel(150, 50), [255, 0, 0, 255], 8),
        "{:?}",
        img.get_pixel(150, 50)
    );
    // Pure cyan ink: no red, full green and blue (within JPEG's rounding).
    let img = decoded(&process_bytes(&cmyk_jpeg()).unwrap());
    let p = img.get_pixel(256, 192);
    assert!(p.0[0] < 40 && p.0[1] > 200 && p.0[2] > 200, "{p:?}");
}

#[test]
fn svg_external_references_are_never_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret.png");
    std::fs::write(
        &secret,
        encode(
            &DynamicImage::ImageRgb8(RgbImage::from_pixel(8, 8, Rgb([255, 0, 0]))),
            ImageFormat::Png,
        ),
    )
    .unwrap();
    let svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="200" height="100">
             <rect x="100" width="100" height="100" fill="#00ff00"/>
             <image x="0" y="0" width="100" height="100" href="{}"/>
             <image x="0" y="0" width="100" height="100" xlink:href="file://{}"/>
             <image x="0" y="0" width="100" height="100" href="http://127.0.0.1:9/x.png"/>
             <image x="0" y="0" width="100" height="100" href="secret.png"/>
           </svg>"##,
        secret.display(),
        secret.display()
    );
    let path = dir.path().join("logo.svg");
    std::fs::write(&path, svg).unwrap();
    let img = decoded(&process_path(&path).unwrap());
    assert_eq!((img.width(), img.height()), (512, 256));
    // Where the referenced file would be: nothing. The rectangle drawn in the SVG: there.
    assert_eq!(
        img.get_pixel(128, 128).0[3],
        0,
        "an external image was loaded"
    );
    assert!(near(*img.get_pixel(384, 128), [0, 255, 0, 255], 2));
}

#[test]
fn embedded_images_render_unless_they_are_huge() {
    use base64::Engine as _;
    let small = encode(
        &DynamicImage::ImageRgb8(RgbImage::from_pixel(8, 8, Rgb([0, 0, 255]))),
        ImageFormat::Png,
    );
    let data = base64::engine::general_purpose::STANDARD.encode(small);
    let svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><image width="100" height="100" href="data:image/png;base64,{data}"/></svg>"#
    );
    let img = decoded(&process_bytes(svg.as_bytes()).unwrap());
    assert!(near(*img.get_pixel(256, 256), [0, 0, 255, 255], 2));
    // A 20000x20000 PNG inside an SVG is left out (its header is read, never its pixels);
    // the logo is then empty, and said to be.
    let data = base64::engine::general_purpose::STANDARD.encode(huge_png());
    let svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><image width="100" height="100" href="data:image/png;base64,{data}"/></svg>"#
    );
    assert!(matches!(
        process_bytes(svg.as_bytes()),
        Err(LogoError::Invisible)
    ));
}

#[test]
fn files_are_read_by_content_and_size_is_checked_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    // A PNG named .jpg: the content decides.
    let wrong = dir.path().join("logo.jpg");
    std::fs::write(
        &wrong,
        encode(&DynamicImage::ImageRgb8(halves(100, 50)), ImageFormat::Png),
    )
    .unwrap();
    assert_logo(&process_path(&wrong).unwrap(), 100, 50);
    // 200 MB (sparse: nothing is written, and nothing may be read).
    let big = dir.path().join("big.png");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(200 * 1024 * 1024)
        .unwrap();
    let e = process_path(&big).unwrap_err();
    assert!(matches!(e, LogoError::FileTooLarge { .. }), "{e:?}");
    assert!(e.to_string().contains("200.0 MB"), "{e}");
    let e = process_path(Path::new("/nonexistent/logo.png")).unwrap_err();
    assert!(matches!(e, LogoError::Unreadable(_)), "{e:?}");
}
