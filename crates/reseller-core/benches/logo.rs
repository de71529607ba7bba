//! Logo pipeline benchmark: the whole pipeline (limits, decode, EXIF orientation, fit inside
//! 512x512, PNG encode) beside a bare `image` decode and resize of the same file, for a
//! generated 6000x4000 (24-megapixel) JPEG and a 6000x4000 PNG. Prints the median of a few runs
//! of each; asserts nothing about time.
//!
//! cargo bench -p reseller-core --bench logo   (or: cargo xtask bench logo)

use std::io::Cursor;
use std::time::{Duration, Instant};

use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, RgbImage};
use reseller_core::logo::{fit, process_bytes};

const RUNS: usize = 5;

/// A photo-like picture: smooth gradients with some texture, so the codecs work as on a photo
/// (a flat image would compress to nothing and decode unrealistically fast).
fn picture(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        let noise = (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)) >> 27;
        image::Rgb([
            ((x * 255 / w) as u8).wrapping_add(noise as u8),
            ((y * 255 / h) as u8).wrapping_add((noise >> 1) as u8),
            (((x + y) % 256) as u8) / 2 + 60,
        ])
    })
}

fn encode(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format)
        .expect("encode the benchmark image");
    out.into_inner()
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn time(mut f: impl FnMut()) -> Duration {
    f(); // warm-up (page faults, lazy statics)
    median(
        (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect(),
    )
}

fn main() {
    println!("generating a 6000x4000 picture ...");
    let img = DynamicImage::ImageRgb8(picture(6000, 4000));
    let files = [
        ("6000x4000 JPEG (24 MP)", encode(&img, ImageFormat::Jpeg)),
        ("6000x4000 PNG", encode(&img, ImageFormat::Png)),
    ];
    drop(img);
    let (tw, th) = fit(6000, 4000);
    println!("median of {RUNS} runs each; output {tw}x{th}\n");
    println!(
        "{:<24} {:>10} {:>14} {:>16} {:>12}",
        "file", "size", "pipeline", "bare image crate", "logo bytes"
    );
    for (name, bytes) in &files {
        let mut logo_len = 0;
        let pipeline = time(|| {
            let logo = process_bytes(bytes).expect("the pipeline takes the benchmark image");
            assert_eq!((logo.width, logo.height), (tw, th));
            logo_len = logo.png.len();
        });
        // What a straightforward implementation does: decode everything, Lanczos3 resize.
        let bare = time(|| {
            let img = image::load_from_memory(bytes).expect("decode");
            let small = img.resize(tw, th, FilterType::Lanczos3);
            std::hint::black_box(small);
        });
        println!(
            "{:<24} {:>7.1} MB {:>11.0} ms {:>13.0} ms {:>9} KB",
            name,
            bytes.len() as f64 / (1024.0 * 1024.0),
            pipeline.as_secs_f64() * 1000.0,
            bare.as_secs_f64() * 1000.0,
            logo_len / 1024
        );
    }
    println!(
        "\npipeline: limits checked from the header, decode, box-filter to twice the size then \
         Lanczos3, EXIF orientation, PNG (best compression). bare: image::load_from_memory + \
         resize(Lanczos3), no encode."
    );
}
