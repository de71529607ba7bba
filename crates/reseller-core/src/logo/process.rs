//! The logo pipeline: a file the user picked becomes a PNG of at most 512x512 under the API's
//! 2 MB limit, or a `LogoError` that says in plain words why not.
//!
//! A hostile file must cost next to nothing, so every limit is checked as early as it can be:
//! the file's size before it is read (and the read stops there even if the file grows), the
//! pixel dimensions from the header before any pixel is decoded (`image::Limits` make the
//! decoders refuse too), the decoded buffer's size before it is allocated. The format comes from
//! the content, never the extension. SVG goes through resvg with no access to files or the
//! network (`svg_options`), rendered straight at the target size, so a huge canvas costs
//! what 512x512 costs. Large rasters are shrunk before EXIF orientation is applied (a rotation
//! of the small image is cheap; of 24 megapixels it is not).
//!
//! What the decoders leave unbounded is bounded in `raster_limits` (a PNG's metadata, the ICO's
//! inner PNG) and `svg_limits` (entities, elements, `<use>`, filter cost, embedded images).
//! These checks make a hostile file cheap to refuse with a clear message; the boundary that
//! holds even when one of them misses something is `worker`: the app runs this pipeline only
//! in a short-lived child process with memory, CPU and time limits.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::{BufReader, Cursor, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use image::codecs::ico::IcoDecoder;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageError, ImageReader, Limits};
use resvg::{tiny_skia, usvg};

use super::error::LogoError;
use super::limits::*;
use super::raster_limits::{check_png, ico_entry, png_decoder, IcoEntry};
use super::svg_limits;

/// A processed logo: PNG bytes and their size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logo {
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// What the file was ("JPEG", "SVG", ...), for the user.
    pub source_format: String,
}

/// Reads and processes the file at `path`.
pub fn process_path(path: &Path) -> Result<Logo, LogoError> {
    let unreadable = |e: std::io::Error| LogoError::Unreadable(e.to_string());
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let size = file.metadata().map_err(unreadable)?.len();
    if size > MAX_RASTER_FILE {
        return Err(LogoError::FileTooLarge {
            bytes: size,
            limit: MAX_RASTER_FILE,
        });
    }
    // The size may have changed since: never read more than the limit allows.
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(MAX_RASTER_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    process_bytes(&bytes)
}

/// Processes a file's content.
pub fn process_bytes(bytes: &[u8]) -> Result<Logo, LogoError> {
    if bytes.is_empty() {
        return Err(LogoError::Empty);
    }
    if bytes.len() as u64 > MAX_RASTER_FILE {
        return Err(LogoError::FileTooLarge {
            bytes: bytes.len() as u64,
            limit: MAX_RASTER_FILE,
        });
    }
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| LogoError::Unreadable(e.to_string()))?;
    match reader.format() {
        Some(format) => raster(bytes, format),
        None if looks_like_svg(bytes) => svg(bytes),
        None => Err(LogoError::NotAnImage),
    }
}

fn format_name(f: image::ImageFormat) -> String {
    f.extensions_str()
        .first()
        .map(|e| match *e {
            "jpg" => "JPEG".to_string(),
            "tif" => "TIFF".to_string(),
            other => other.to_ascii_uppercase(),
        })
        .unwrap_or_else(|| format!("{f:?}"))
}

/// XML whose first kilobytes open an `<svg` element or declare an `svg` DOCTYPE (whose
/// internal subset may run longer than that; `svg_limits` then has its say).
fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let head = head.trim_start_matches('\u{feff}').trim_start();
    head.starts_with('<') && (head.contains("<svg") || head.contains("<!DOCTYPE svg"))
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE_IN);
    limits.max_image_height = Some(MAX_SIDE_IN);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    limits
}

fn decode_error(format: &str, e: ImageError, dims: Option<(u32, u32)>) -> LogoError {
    match e {
        ImageError::Limits(_) => match dims {
            Some((width, height)) => LogoError::TooManyPixels { width, height },
            None => LogoError::Unsupported {
                format: format.into(),
                detail: "it would need too much memory to open".into(),
            },
        },
        ImageError::Unsupported(u) => LogoError::Unsupported {
            format: format.into(),
            detail: u.to_string(),
        },
        ImageError::IoError(io) => LogoError::Damaged(io.to_string()),
        other => LogoError::Damaged(other.to_string()),
    }
}

/// The size inside `MAX_SIDE_OUT` x `MAX_SIDE_OUT` with the same shape (never enlarged).
pub fn fit(width: u32, height: u32) -> (u32, u32) {
    if width <= MAX_SIDE_OUT && height <= MAX_SIDE_OUT {
        return (width, height);
    }
    let scale = f64::from(MAX_SIDE_OUT) / f64::from(width.max(height));
    let side = |v: u32| ((f64::from(v) * scale).round() as u32).clamp(1, MAX_SIDE_OUT);
    (side(width), side(height))
}

fn swaps_axes(o: Orientation) -> bool {
    matches!(
        o,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

fn raster(bytes: &[u8], image_format: image::ImageFormat) -> Result<Logo, LogoError> {
    let format = format_name(image_format);
    let (image, orientation) = decode(bytes, image_format, &format, limits(), MAX_PIXELS)?;
    let (w, h) = (image.width(), image.height());
    // Fit the image as it will be seen (after orientation), shrinking the stored one.
    let (ow, oh) = if swaps_axes(orientation) {
        (h, w)
    } else {
        (w, h)
    };
    let (tw, th) = fit(ow, oh);
    let (sw, sh) = if swaps_axes(orientation) {
        (th, tw)
    } else {
        (tw, th)
    };
    let mut small = shrink(image, sw, sh);
    small.apply_orientation(orientation);
    encode(small, format)
}

/// Decodes `bytes` within `limits` (sides, and `max_alloc` for the pixels) and `max_pixels`,
/// whichever decoder the format needs, the PNG inside an ICO included. Answers the picture as
/// stored and its EXIF orientation.
fn decode(
    bytes: &[u8],
    image_format: image::ImageFormat,
    format: &str,
    limits: Limits,
    max_pixels: u64,
) -> Result<(DynamicImage, Orientation), LogoError> {
    use image::ImageFormat as F;
    // The JPEG decoder fills what a cut-off file lacks with grey; a half-grey logo is not
    // what the user picked.
    if image_format == F::Jpeg && !jpeg_is_complete(bytes) {
        return Err(LogoError::Damaged(
            "the file ends before the picture does".into(),
        ));
    }
    match image_format {
        F::Png => decode_png(bytes, format, limits, max_pixels),
        // `image` would build the inner PNG's decoder itself, with no limits at all.
        F::Ico => match ico_entry(bytes)? {
            IcoEntry::Png(png) => decode_png(png, format, limits, max_pixels),
            IcoEntry::Bmp(one) => {
                let decoder = IcoDecoder::new(BufReader::new(one))
                    .map_err(|e| decode_error(format, e, None))?;
                finish_decode(decoder, format, limits, max_pixels)
            }
        },
        _ => {
            let mut reader = ImageReader::with_format(Cursor::new(bytes), image_format);
            reader.limits(limits.clone());
            let decoder = reader.into_decoder().map_err(|e| {
                let dims = matches!(e, ImageError::Limits(_))
                    .then(|| header_dims(bytes, image_format))
                    .flatten();
                decode_error(format, e, dims)
            })?;
            finish_decode(decoder, format, limits, max_pixels)
        }
    }
}

fn decode_png(
    bytes: &[u8],
    format: &str,
    limits: Limits,
    max_pixels: u64,
) -> Result<(DynamicImage, Orientation), LogoError> {
    let dims = check_png(bytes)?;
    let decoder = png_decoder(bytes, limits.clone()).map_err(|e| decode_error(format, e, dims))?;
    finish_decode(decoder, format, limits, max_pixels)
}

fn finish_decode(
    mut decoder: impl ImageDecoder,
    format: &str,
    limits: Limits,
    max_pixels: u64,
) -> Result<(DynamicImage, Orientation), LogoError> {
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > max_pixels {
        return Err(LogoError::TooManyPixels {
            width: w,
            height: h,
        });
    }
    if decoder.total_bytes() > limits.max_alloc.unwrap_or(MAX_DECODED_BYTES) {
        return Err(decode_error(
            format,
            ImageError::Limits(image::error::LimitError::from_kind(
                image::error::LimitErrorKind::InsufficientMemory,
            )),
            None,
        ));
    }
    decoder
        .set_limits(limits)
        .map_err(|e| decode_error(format, e, Some((w, h))))?;
    // A missing or unreadable EXIF block means "as stored", not a broken file.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let image = DynamicImage::from_decoder(decoder).map_err(|e| decode_error(format, e, None))?;
    Ok((image, orientation))
}

/// Whether a JPEG's segments run, one after another, up to its end-of-image marker. Walks the
/// marker segments (each with its length) and the scans' entropy-coded data (where a 0xFF byte
/// is always followed by 0x00 or a restart marker), so a thumbnail inside EXIF, with its own
/// end marker, is skipped over like any other segment.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut i = 2; // after SOI
    while i + 1 < bytes.len() {
        if bytes[i] != 0xFF {
            return false;
        }
        let marker = bytes[i + 1];
        match marker {
            0xD9 => return true,
            // Fill bytes, and markers with no length.
            0xFF => i += 1,
            0x01 | 0xD0..=0xD7 => i += 2,
            _ => {
                let Some(len) = bytes.get(i + 2..i + 4) else {
                    return false;
                };
                i += 2 + usize::from(u16::from_be_bytes([len[0], len[1]]));
                if marker == 0xDA {
                    // Entropy-coded data up to the next marker that is not a stuffed byte or
                    // a restart.
                    while i + 1 < bytes.len() && !is_marker(bytes[i], bytes[i + 1]) {
                        i += 1;
                    }
                }
            }
        }
    }
    false
}

/// Whether `a b` in entropy-coded data starts a marker (not a stuffed 0xFF, a restart or fill).
fn is_marker(a: u8, b: u8) -> bool {
    a == 0xFF && !matches!(b, 0x00 | 0xD0..=0xD7 | 0xFF)
}

/// The dimensions the header declares, read without limits and without decoding pixels (for
/// the message when the limits refuse the image). None when they cannot be read. Never for PNG
/// or ICO: their headers are read only within `raster_limits`' budget.
fn header_dims(bytes: &[u8], format: image::ImageFormat) -> Option<(u32, u32)> {
    if matches!(format, image::ImageFormat::Png | image::ImageFormat::Ico) {
        return None;
    }
    let mut probe = ImageReader::with_format(Cursor::new(bytes), format);
    let mut no_limits = Limits::no_limits();
    no_limits.max_alloc = Some(MAX_DECODED_BYTES);
    probe.limits(no_limits);
    probe.into_dimensions().ok()
}

/// Shrinks to exactly `w` x `h`: a cheap box filter down to twice the size first, then
/// Lanczos3, which looks as good as Lanczos3 all the way at a fraction of the time.
fn shrink(image: DynamicImage, w: u32, h: u32) -> DynamicImage {
    if image.width() == w && image.height() == h {
        return image;
    }
    let image = if image.width() > w * 4 && image.height() > h * 4 {
        image.thumbnail_exact(w * 2, h * 2)
    } else {
        image
    };
    image.resize_exact(w, h, FilterType::Lanczos3)
}

/// 8-bit PNG (RGBA when the image has transparency, RGB otherwise), best compression.
fn encode(image: DynamicImage, source_format: String) -> Result<Logo, LogoError> {
    let (width, height) = (image.width(), image.height());
    let (raw, colour) = if image.color().has_alpha() {
        let rgba = image.into_rgba8();
        if rgba.pixels().all(|p| p.0[3] == 0) {
            return Err(LogoError::Invisible);
        }
        (rgba.into_raw(), image::ExtendedColorType::Rgba8)
    } else {
        (image.into_rgb8().into_raw(), image::ExtendedColorType::Rgb8)
    };
    let mut png = Vec::new();
    PngEncoder::new_with_quality(&mut png, CompressionType::Best, PngFilter::Adaptive)
        .write_image(&raw, width, height, colour)
        .map_err(|e| LogoError::Damaged(e.to_string()))?;
    if png.len() > MAX_UPLOAD_BYTES {
        return Err(LogoError::EncodedTooLarge(png.len()));
    }
    Ok(Logo {
        png,
        width,
        height,
        source_format,
    })
}

/// System fonts, loaded once (text in SVG logos is common).
fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = usvg::fontdb::Database::new();
            db.load_system_fonts();
            Arc::new(db)
        })
        .clone()
}

/// What the SVG's embedded (`data:`) images cost so far, and the decoded ones by content:
/// usvg asks again for every `<use>` of an image, and the answer is the same.
#[derive(Default)]
struct Embedded {
    decoded: HashMap<u64, Option<usvg::ImageKind>>,
    pixels: u64,
    /// Why the whole SVG is refused (an embedded image that is hostile, or too many pixels).
    refused: Option<LogoError>,
}

/// Shared by the resolver of the SVG and of SVGs embedded in it.
#[derive(Default)]
struct EmbeddedState {
    inner: Mutex<Embedded>,
    /// How deep in embedded SVGs the parser is now.
    depth: AtomicU32,
}

impl EmbeddedState {
    fn refuse(&self, e: LogoError) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.refused.get_or_insert(e);
        }
    }

    fn refused(&self) -> Option<LogoError> {
        self.inner.lock().ok().and_then(|mut i| i.refused.take())
    }
}

/// Parsing options with no way out: no resources directory, `href`s to files or URLs resolve
/// to nothing, and embedded (data:) images go through `embedded_image`.
fn svg_options(state: Arc<EmbeddedState>) -> usvg::Options<'static> {
    let resolve_data: usvg::ImageHrefDataResolverFn<'static> =
        Box::new(move |mime, data, _| embedded_image(&state, mime, data));
    usvg::Options {
        resources_dir: None,
        fontdb: fonts(),
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data,
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    }
}

fn content_key(mime: &str, data: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    mime.hash(&mut h);
    data.hash(&mut h);
    h.finish()
}

/// An embedded image as the renderer gets it: an SVG checked like the file itself (one level
/// deep); a raster decoded here with limits, shrunk to `MAX_EMBEDDED_SIDE` and handed over as
/// a PNG of our own (so the renderer's decoders only ever see those). A damaged or oversized
/// picture is left out, as a browser leaves it out; a hostile one refuses the whole file.
fn embedded_image(
    state: &Arc<EmbeddedState>,
    mime: &str,
    data: Arc<Vec<u8>>,
) -> Option<usvg::ImageKind> {
    let key = content_key(mime, &data);
    if let Some(known) = state.inner.lock().ok()?.decoded.get(&key) {
        return known.clone();
    }
    let kind = if mime == "image/svg+xml" {
        embedded_svg(state, &data)
    } else {
        embedded_raster(state, &data)
    };
    state.inner.lock().ok()?.decoded.insert(key, kind.clone());
    kind
}

fn embedded_svg(state: &Arc<EmbeddedState>, data: &[u8]) -> Option<usvg::ImageKind> {
    if state.depth.load(Ordering::Relaxed) >= 1 {
        state.refuse(LogoError::SvgTooComplex(
            "it embeds an SVG that embeds another SVG".into(),
        ));
        return None;
    }
    let text = std::str::from_utf8(data).ok()?;
    let doc = match svg_limits::parse(text) {
        Ok(doc) => doc,
        Err(e @ (LogoError::SvgEntities(_) | LogoError::SvgTooComplex(_))) => {
            state.refuse(e);
            return None;
        }
        Err(_) => return None,
    };
    state.depth.fetch_add(1, Ordering::Relaxed);
    let tree = usvg::Tree::from_xmltree(&doc, &svg_options(state.clone()));
    state.depth.fetch_sub(1, Ordering::Relaxed);
    tree.ok().map(usvg::ImageKind::SVG)
}

fn embedded_raster(state: &EmbeddedState, data: &[u8]) -> Option<usvg::ImageKind> {
    use image::ImageFormat as F;
    let format = ImageReader::new(Cursor::new(data))
        .with_guessed_format()
        .ok()?
        .format()?;
    // What SVG renderers take.
    if !matches!(format, F::Png | F::Jpeg | F::Gif | F::WebP) {
        return None;
    }
    let mut limits = limits();
    limits.max_alloc = Some(MAX_EMBEDDED_PIXELS * 8);
    let image = match decode(
        data,
        format,
        &format_name(format),
        limits,
        MAX_EMBEDDED_PIXELS,
    ) {
        Ok((image, _)) => image,
        Err(LogoError::TooManyPixels { width, height }) => {
            tracing::warn!(
                width,
                height,
                "an image embedded in the SVG logo is too large; left out"
            );
            return None;
        }
        Err(e @ LogoError::Metadata { .. }) => {
            state.refuse(e);
            return None;
        }
        Err(_) => return None,
    };
    let pixels = u64::from(image.width()) * u64::from(image.height());
    {
        let mut inner = state.inner.lock().ok()?;
        inner.pixels += pixels;
        if inner.pixels > MAX_EMBEDDED_DECODED {
            inner
                .refused
                .get_or_insert(LogoError::SvgTooComplex(format!(
                    "its embedded pictures add up to more than {} megapixels",
                    MAX_EMBEDDED_DECODED / 1_000_000
                )));
            return None;
        }
    }
    let (w, h) = (image.width(), image.height());
    let scale = (f64::from(MAX_EMBEDDED_SIDE) / f64::from(w.max(h))).min(1.0);
    let side = |v: u32| ((f64::from(v) * scale).round() as u32).max(1);
    let small = shrink(image, side(w), side(h)).into_rgba8();
    let mut png = Vec::new();
    PngEncoder::new_with_quality(&mut png, CompressionType::Fast, PngFilter::Adaptive)
        .write_image(
            small.as_raw(),
            small.width(),
            small.height(),
            image::ExtendedColorType::Rgba8,
        )
        .ok()?;
    Some(usvg::ImageKind::PNG(Arc::new(png)))
}

fn svg(bytes: &[u8]) -> Result<Logo, LogoError> {
    if bytes.len() as u64 > MAX_SVG_FILE {
        return Err(LogoError::FileTooLarge {
            bytes: bytes.len() as u64,
            limit: MAX_SVG_FILE,
        });
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| LogoError::SvgInvalid("it is not UTF-8 text".into()))?;
    // Entities, elements, nesting and what `<use>` would instantiate, before usvg sees it.
    let doc = svg_limits::parse(text)?;
    let state = Arc::new(EmbeddedState::default());
    let tree = usvg::Tree::from_xmltree(&doc, &svg_options(state.clone()))
        .map_err(|e| LogoError::SvgInvalid(e.to_string()))?;
    drop(doc);
    if let Some(e) = state.refused() {
        return Err(e);
    }
    let size = tree.size();
    let (w, h) = (size.width(), size.height());
    let canvas_error = || LogoError::SvgCanvas {
        width: w,
        height: h,
    };
    if !(w.is_finite() && h.is_finite()) || w > MAX_SVG_CANVAS || h > MAX_SVG_CANVAS {
        return Err(canvas_error());
    }
    // Vector art scales cleanly: fit the canvas to 512 on its longer side.
    let scale = MAX_SIDE_OUT as f32 / w.max(h);
    let (tw, th) = ((w * scale).round(), (h * scale).round());
    if tw < 1.0 || th < 1.0 {
        return Err(canvas_error());
    }
    let (tw, th) = (tw as u32, th as u32);
    let transform = tiny_skia::Transform::from_scale(tw as f32 / w, th as f32 / h);
    // What drawing it would cost at this size: nodes after every instantiation, filters,
    // layers, images.
    svg_limits::check_tree(&tree, transform, (tw, th))?;
    let mut pixmap = tiny_skia::Pixmap::new(tw, th).ok_or_else(canvas_error)?;
    resvg::render(&tree, transform, &mut pixmap.as_mut());
    let mut rgba = image::RgbaImage::new(tw, th);
    for (out, px) in rgba.pixels_mut().zip(pixmap.pixels()) {
        let c = px.demultiply();
        *out = image::Rgba([c.red(), c.green(), c.blue(), c.alpha()]);
    }
    encode(DynamicImage::ImageRgba8(rgba), "SVG".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_keeps_the_shape_and_never_enlarges() {
        assert_eq!(fit(6000, 4000), (512, 341));
        assert_eq!(fit(4000, 6000), (341, 512));
        assert_eq!(fit(512, 512), (512, 512));
        assert_eq!(fit(100, 30), (100, 30));
        assert_eq!(fit(100_000, 10), (512, 1));
    }

    #[test]
    fn messages_name_sizes_in_units_people_read() {
        let e = LogoError::FileTooLarge {
            bytes: 150 * 1024 * 1024,
            limit: MAX_RASTER_FILE,
        };
        assert_eq!(
            e.to_string(),
            "The file is 150.0 MB; a logo file can be at most 100.0 MB."
        );
        let e = LogoError::TooManyPixels {
            width: 20000,
            height: 20000,
        };
        assert!(e.to_string().contains("20000 × 20000"), "{e}");
    }

    #[test]
    fn a_jpeg_is_complete_only_up_to_its_end_marker() {
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(64, 48, |x, y| {
            image::Rgb([x as u8 * 4, y as u8 * 5, 128])
        }));
        let mut jpeg = Vec::new();
        img.write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
            .unwrap();
        assert!(jpeg_is_complete(&jpeg));
        // Data after the end (as some cameras append) is fine.
        let mut trailer = jpeg.clone();
        trailer.extend_from_slice(b"MPF trailer");
        assert!(jpeg_is_complete(&trailer));
        for cut in [4, 20, jpeg.len() / 2, jpeg.len() - 2, jpeg.len() - 1] {
            assert!(!jpeg_is_complete(&jpeg[..cut]), "cut at {cut}");
        }
    }

    #[test]
    fn svg_is_recognised_by_content() {
        assert!(looks_like_svg(
            b"\xef\xbb\xbf  <?xml version=\"1.0\"?>\n<svg/>"
        ));
        assert!(!looks_like_svg(b"<html><body>svg</body></html>"));
        let long_subset = format!(
            "<!DOCTYPE svg [<!ENTITY a \"{}\">]><svg/>",
            "x".repeat(5000)
        );
        assert!(looks_like_svg(long_subset.as_bytes()));
        assert!(!looks_like_svg(b"GIF89a"));
    }
}
