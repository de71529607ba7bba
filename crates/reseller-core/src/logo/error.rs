//! Why a file cannot be the logo, in words for the user.

use serde::{Deserialize, Serialize};

use super::limits::{MAX_PIXELS, MAX_SIDE_IN};

/// Why a file cannot be the logo. The messages are for the user. Serializable: the worker
/// process sends it to the app.
#[derive(Debug, thiserror::Error, Serialize, Deserialize)]
pub enum LogoError {
    #[error("The file could not be read: {0}.")]
    Unreadable(String),
    #[error("The file is empty.")]
    Empty,
    #[error("The file is {}; a logo file can be at most {}.", mb(*.bytes), mb(*.limit))]
    FileTooLarge { bytes: u64, limit: u64 },
    #[error("This file is not an image the app can read. Choose a PNG, JPEG, GIF, WebP, BMP, TIFF, ICO or SVG file.")]
    NotAnImage,
    #[error("This {format} image uses something the app cannot read ({detail}). Save it as PNG or JPEG and try again.")]
    Unsupported { format: String, detail: String },
    #[error("The image is {width} × {height} pixels, too large to use as a logo: at most {} megapixels and {MAX_SIDE_IN} pixels a side.", MAX_PIXELS / 1_000_000)]
    TooManyPixels { width: u32, height: u32 },
    #[error("The image file is damaged or incomplete ({0}).")]
    Damaged(String),
    #[error("The SVG file could not be read: {0}.")]
    SvgInvalid(String),
    #[error("The SVG's canvas is {width} × {height}: too large or too thin to be a logo.")]
    SvgCanvas { width: f32, height: f32 },
    #[error("The image is fully transparent: nothing would show as the logo.")]
    Invisible,
    #[error("The logo is still {} after shrinking it, over the 2 MB the server accepts.", mb(*.0 as u64))]
    EncodedTooLarge(usize),
    #[error(
        "This {format} image carries {what}. Save it again without it (or as JPEG) and try again."
    )]
    Metadata { format: String, what: String },
    #[error("This SVG declares entities the app does not expand ({0}). Export it again as plain SVG and try again.")]
    SvgEntities(String),
    #[error("This SVG is too complex to be a logo: {0}. Simplify it, or export it as PNG, and try again.")]
    SvgTooComplex(String),
    #[error("This file could not be processed safely: {0}.")]
    Unsafe(Unsafe),
    #[error("Cancelled: the logo was not changed.")]
    Cancelled,
    #[error("The app could not start its image processor ({0}). Restart the app and try again.")]
    WorkerUnavailable(String),
}

/// What the worker process ran into (its limits, or a crash).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unsafe {
    Memory,
    Time,
    Crashed,
}

impl std::fmt::Display for Unsafe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Unsafe::Memory => "it needed more memory than a logo may use",
            Unsafe::Time => "it took too long",
            Unsafe::Crashed => "the image reader stopped unexpectedly",
        })
    }
}

fn mb(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}
