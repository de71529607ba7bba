//! The limits a logo file is held to (sizes, pixels, the server's upload limit).

/// The logo's largest side, in pixels.
pub const MAX_SIDE_OUT: u32 = 512;
/// The API's upload limit (contract G9: 2 MiB).
pub const MAX_UPLOAD_BYTES: usize = 2_097_152;
/// The largest raster file read (a 24-megapixel photo as PNG is about 40 MB).
pub const MAX_RASTER_FILE: u64 = 100 * 1024 * 1024;
/// The largest SVG file read (logos are kilobytes; a big one is a few hundred).
pub const MAX_SVG_FILE: u64 = 5 * 1024 * 1024;
/// The most pixels decoded (a 40-megapixel camera still fits; 20000x20000 does not).
pub const MAX_PIXELS: u64 = 40_000_000;
/// The longest side decoded.
pub const MAX_SIDE_IN: u32 = 16_384;
/// The most bytes a decoded image may take (40 MP of 16-bit RGB is 240 MB).
pub const MAX_DECODED_BYTES: u64 = 256 * 1024 * 1024;
/// The largest SVG canvas accepted, in user units a side.
pub const MAX_SVG_CANVAS: f32 = 100_000.0;
/// The most pixels an image embedded in an SVG may have (it is decoded at full size once).
pub(crate) const MAX_EMBEDDED_PIXELS: u64 = 16_000_000;
/// The most pixels of embedded images decoded for one SVG, all of them together.
pub const MAX_EMBEDDED_DECODED: u64 = 48_000_000;
/// An embedded image is handed to the renderer shrunk to this side at most (the renderer decodes
/// it again wherever it is drawn; the logo is 512 pixels).
pub(crate) const MAX_EMBEDDED_SIDE: u32 = 1024;
