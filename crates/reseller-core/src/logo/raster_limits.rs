//! Limits the `image` crate leaves out, applied here.
//!
//! - A PNG's metadata: the colour profile (iCCP) is inflated while the header is read, before
//!   any pixel, bounded only by the decoder's byte budget. `image` gives that budget the whole
//!   `max_alloc` when we build the decoder, and none at all when it builds one itself (the PNG
//!   inside an ICO). Here every PNG decoder gets `MAX_PNG_METADATA` for its own allocations
//!   (profile, text chunks, row buffers) and the caller's limits for the image buffers, and a
//!   profile that does not fit refuses the file instead of being silently dropped.
//! - The ICO: its directory is read here, and the chosen entry is decoded with limits (a PNG
//!   entry as above; a BMP entry through `image`'s ICO decoder, shown a directory that holds
//!   only that entry, so it cannot pick a PNG of its own).

use std::io::{self, BufRead, Cursor, Read, Seek, SeekFrom};

use image::codecs::png::PngDecoder;
use image::{ImageDecoder, ImageResult, Limits};

use super::error::LogoError;

/// The most bytes a PNG decoder may allocate for itself: chunks before the pixels, the inflated
/// colour profile, text, row buffers. Profiles are kilobytes, rarely a few megabytes.
pub const MAX_PNG_METADATA: u64 = 16 * 1024 * 1024;

const PNG_SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";

/// Reads a PNG's chunks up to its pixels within `MAX_PNG_METADATA`. Answers the header's
/// dimensions (None when the header cannot be read: the decoder then says why, in its words).
pub(crate) fn check_png(bytes: &[u8]) -> Result<Option<(u32, u32)>, LogoError> {
    let decoder = png::Decoder::new_with_limits(
        Cursor::new(bytes),
        png::Limits {
            bytes: MAX_PNG_METADATA as usize,
        },
    );
    match decoder.read_info() {
        Ok(reader) => {
            let info = reader.info();
            // The png crate drops a profile that does not inflate within the budget (or not
            // at all) and goes on; a file carrying one is refused instead, in plain words.
            if info.icc_profile.is_none() && has_chunk_before_pixels(bytes, b"iCCP") {
                return Err(LogoError::Metadata {
                    format: "PNG".into(),
                    what: "a colour profile that is damaged or far larger than any real one".into(),
                });
            }
            Ok(Some((info.width, info.height)))
        }
        Err(png::DecodingError::LimitsExceeded) => Err(LogoError::Metadata {
            format: "PNG".into(),
            what: format!(
                "more than {} MB of metadata before its pixels",
                MAX_PNG_METADATA / (1024 * 1024)
            ),
        }),
        Err(_) => Ok(None),
    }
}

/// Whether a chunk of `kind` comes before the first IDAT (walks the chunk headers only).
fn has_chunk_before_pixels(bytes: &[u8], kind: &[u8; 4]) -> bool {
    let mut at = PNG_SIGNATURE.len();
    while let Some(header) = bytes.get(at..at + 8) {
        let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let chunk = &header[4..8];
        if chunk == kind {
            return true;
        }
        if chunk == b"IDAT" || chunk == b"IEND" {
            return false;
        }
        at = match at.checked_add(12).and_then(|a| a.checked_add(len)) {
            Some(next) => next,
            None => return false,
        };
    }
    false
}

/// A PNG decoder whose own allocations stay within `MAX_PNG_METADATA` and whose image buffers
/// stay within `limits`.
pub(crate) fn png_decoder(bytes: &[u8], limits: Limits) -> ImageResult<PngDecoder<Cursor<&[u8]>>> {
    // `with_limits` hands `max_alloc` to the png crate's own budget; `set_limits` afterwards
    // changes only what `image` reserves for the pixels.
    let mut own = limits.clone();
    own.max_alloc = Some(MAX_PNG_METADATA);
    let mut decoder = PngDecoder::with_limits(Cursor::new(bytes), own)?;
    decoder.set_limits(limits)?;
    Ok(decoder)
}

/// The ICO entry to decode.
pub(crate) enum IcoEntry<'a> {
    /// A PNG stored whole inside the ICO.
    Png(&'a [u8]),
    /// A BMP entry: the ICO as `image`'s decoder should see it.
    Bmp(OneEntryIco<'a>),
}

const ICO_HEADER: usize = 6;
const ICO_ENTRY: usize = 16;

fn ico_damaged(why: &str) -> LogoError {
    LogoError::Damaged(format!("the icon's {why}"))
}

/// Reads the ICO's directory and picks its best entry: the highest bit depth, then the most
/// pixels (what `image` would pick, give or take a tie).
pub(crate) fn ico_entry(bytes: &[u8]) -> Result<IcoEntry<'_>, LogoError> {
    let u16_at = |at: usize| {
        bytes
            .get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    let u32_at = |at: usize| {
        bytes
            .get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let count = u16_at(4).ok_or_else(|| ico_damaged("header is cut off"))? as usize;
    if count == 0 {
        return Err(ico_damaged("directory is empty"));
    }
    let mut best: Option<(usize, (u16, u32))> = None;
    for i in 0..count {
        let at = ICO_HEADER + i * ICO_ENTRY;
        let entry = bytes
            .get(at..at + ICO_ENTRY)
            .ok_or_else(|| ico_damaged("directory is cut off"))?;
        let side = |b: u8| if b == 0 { 256u32 } else { u32::from(b) };
        let bits = u16::from_le_bytes([entry[6], entry[7]]);
        let score = (bits, side(entry[0]) * side(entry[1]));
        if best.is_none_or(|(_, s)| score >= s) {
            best = Some((at, score));
        }
    }
    let (at, _) = best.ok_or_else(|| ico_damaged("directory is empty"))?;
    let len = u32_at(at + 8).unwrap_or(0) as usize;
    let offset = u32_at(at + 12).unwrap_or(0) as usize;
    let data = offset
        .checked_add(len)
        .and_then(|end| bytes.get(offset..end))
        .ok_or_else(|| ico_damaged("directory points past the end of the file"))?;
    if data.starts_with(PNG_SIGNATURE) {
        return Ok(IcoEntry::Png(data));
    }
    if offset < ICO_HEADER + ICO_ENTRY {
        return Err(ico_damaged("directory overlaps its pictures"));
    }
    let mut head = [0u8; ICO_HEADER + ICO_ENTRY];
    head[..ICO_HEADER].copy_from_slice(&bytes[..ICO_HEADER]);
    head[4..6].copy_from_slice(&1u16.to_le_bytes());
    head[ICO_HEADER..].copy_from_slice(&bytes[at..at + ICO_ENTRY]);
    Ok(IcoEntry::Bmp(OneEntryIco {
        head,
        bytes,
        pos: 0,
    }))
}

/// The ICO's bytes with its first 22 (header and first directory entry) replaced by a directory
/// of one entry: the one chosen. Nothing is copied but those 22 bytes.
pub(crate) struct OneEntryIco<'a> {
    head: [u8; ICO_HEADER + ICO_ENTRY],
    bytes: &'a [u8],
    pos: u64,
}

impl OneEntryIco<'_> {
    fn rest(&self) -> &[u8] {
        let pos = usize::try_from(self.pos).unwrap_or(usize::MAX);
        if pos < self.head.len() {
            &self.head[pos..]
        } else {
            self.bytes.get(pos..).unwrap_or(&[])
        }
    }
}

impl Read for OneEntryIco<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let rest = self.rest();
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl BufRead for OneEntryIco<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        Ok(self.rest())
    }

    fn consume(&mut self, amt: usize) {
        self.pos += amt as u64;
    }
}

impl Seek for OneEntryIco<'_> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let len = self.bytes.len() as i128;
        let target = match to {
            SeekFrom::Start(p) => i128::from(p),
            SeekFrom::End(d) => len + i128::from(d),
            SeekFrom::Current(d) => i128::from(self.pos) + i128::from(d),
        };
        self.pos = u64::try_from(target)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&[0; 4]); // CRC: not checked by the walk
        out
    }

    #[test]
    fn the_chunk_walk_stops_at_the_pixels() {
        let mut png = PNG_SIGNATURE.to_vec();
        png.extend(chunk(b"IHDR", &[0; 13]));
        png.extend(chunk(b"iCCP", b"x"));
        png.extend(chunk(b"IDAT", b""));
        assert!(has_chunk_before_pixels(&png, b"iCCP"));
        let mut late = PNG_SIGNATURE.to_vec();
        late.extend(chunk(b"IHDR", &[0; 13]));
        late.extend(chunk(b"IDAT", b""));
        late.extend(chunk(b"iCCP", b"x"));
        assert!(!has_chunk_before_pixels(&late, b"iCCP"));
        // A length running past the end is the end.
        let mut cut = PNG_SIGNATURE.to_vec();
        cut.extend_from_slice(&u32::MAX.to_be_bytes());
        cut.extend_from_slice(b"tEXt");
        assert!(!has_chunk_before_pixels(&cut, b"iCCP"));
    }

    #[test]
    fn the_one_entry_view_reads_and_seeks_like_the_file() {
        let mut bytes: Vec<u8> = (0..64u8).collect();
        bytes[4..6].copy_from_slice(&3u16.to_le_bytes());
        let mut view = OneEntryIco {
            head: [7; 22],
            bytes: &bytes,
            pos: 0,
        };
        let mut all = Vec::new();
        view.read_to_end(&mut all).unwrap();
        assert_eq!(&all[..22], &[7; 22]);
        assert_eq!(&all[22..], &bytes[22..]);
        view.seek(SeekFrom::Start(20)).unwrap();
        let mut two = [0; 4];
        view.read_exact(&mut two).unwrap();
        assert_eq!(two, [7, 7, 22, 23]);
        assert_eq!(view.seek(SeekFrom::End(-1)).unwrap(), 63);
        assert!(view.seek(SeekFrom::Current(-100)).is_err());
    }
}
