//! CSV export of what a screen shows: written to a temporary file beside the target and renamed
//! over it, so a failed export never leaves half a file where the user asked for one.
//!
//! Every cell is data, never a formula: a spreadsheet runs a cell starting with `=`, `+`, `-`
//! or `@` (and some read a leading tab or carriage return the same way), so a customer named
//! `=HYPERLINK(...)` by a server would become a live link or command. Such cells get a leading
//! `'` (OWASP's advice on CSV injection), in `write_csv` itself, for the header and every
//! row, so no export can forget it.

use std::borrow::Cow;
use std::io::Write;
use std::path::Path;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ExportError {
    #[error("Could not write {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("Could not write the CSV: {0}")]
    Csv(#[from] csv::Error),
}

/// Bytes that make a spreadsheet read a cell as a formula when they start it.
const FORMULA_STARTS: &[u8] = b"=+-@\t\r";

/// `cell` as a spreadsheet will read it as data: prefixed with `'` when it starts with one of
/// `= + - @`, a tab or a carriage return. Two cells starting with `-` are kept as they are,
/// because neither can be a formula: a plain negative number (`-12`, `-3.5`: a minus, ASCII
/// digits, at most one point with digits after it), which so stays a number, and a lone `-`
/// (the tables' mark for a missing value). Nothing else is kept: `+1` or `-1+2` get the quote.
pub fn neutralise_cell(cell: &[u8]) -> Cow<'_, [u8]> {
    match cell.first() {
        Some(first)
            if FORMULA_STARTS.contains(first) && cell != b"-" && !is_negative_number(cell) =>
        {
            let mut out = Vec::with_capacity(cell.len() + 1);
            out.push(b'\'');
            out.extend_from_slice(cell);
            Cow::Owned(out)
        }
        _ => Cow::Borrowed(cell),
    }
}

/// `-` then digits, optionally a `.` and more digits: nothing a spreadsheet could evaluate.
fn is_negative_number(cell: &[u8]) -> bool {
    let Some(rest) = cell.strip_prefix(b"-") else {
        return false;
    };
    let (whole, fraction) = match rest.iter().position(|b| *b == b'.') {
        Some(dot) => (&rest[..dot], Some(&rest[dot + 1..])),
        None => (rest, None),
    };
    let digits = |part: &[u8]| !part.is_empty() && part.iter().all(u8::is_ascii_digit);
    digits(whole) && fraction.is_none_or(digits)
}

/// The UTF-8 byte order mark: without it Excel on Windows reads the file in the system's code
/// page and shows "MÃ¼ller" for "Müller". Other spreadsheets and CSV readers skip it.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Writes `header` and `rows` to `path` as CSV (RFC 4180: comma-separated, CRLF between
/// records, the same on every OS; UTF-8 with a byte order mark), every cell passed through
/// [`neutralise_cell`]. Returns the number of data rows written.
pub fn write_csv<I, R>(path: &Path, header: &[&str], rows: I) -> Result<usize, ExportError>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator,
    R::Item: AsRef<[u8]>,
{
    let io = |source| ExportError::Io {
        path: path.display().to_string(),
        source,
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    let mut n = 0;
    {
        tmp.as_file_mut().write_all(UTF8_BOM).map_err(io)?;
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(tmp.as_file_mut());
        w.write_record(header.iter().map(|h| neutralise_cell(h.as_bytes())))?;
        for row in rows {
            for cell in row {
                w.write_field(neutralise_cell(cell.as_ref()))?;
            }
            // An empty iterator ends the record the fields above began.
            w.write_record(None::<&[u8]>)?;
            n += 1;
        }
        w.flush().map_err(io)?;
    }
    tmp.as_file_mut().flush().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_header_and_rows_with_quoting() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let rows = vec![
            vec!["1".to_string(), "Acme, \"Inc\"".to_string()],
            vec!["2".to_string(), "<b>x</b>\nnext".to_string()],
        ];
        let n = write_csv(&path, &["id", "name"], rows).unwrap();
        assert_eq!(n, 2);
        let text = std::fs::read_to_string(&path).unwrap();
        // A line break inside a quoted cell stays as it was; records end in CRLF.
        assert_eq!(
            text,
            "\u{feff}id,name\r\n1,\"Acme, \"\"Inc\"\"\"\r\n2,\"<b>x</b>\nnext\"\r\n"
        );
    }

    #[test]
    fn formula_starts_get_a_quote_and_plain_numbers_do_not() {
        let n = |s: &str| String::from_utf8(neutralise_cell(s.as_bytes()).into_owned()).unwrap();
        for (cell, want) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("+1", "'+1"),
            ("-cmd", "'-cmd"),
            ("@SUM(1)", "'@SUM(1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("=", "'="),
            ("-1+2", "'-1+2"),
            ("-1.", "'-1."),
            ("-.5", "'-.5"),
            ("-1e5", "'-1e5"),
            ("-1.2.3", "'-1.2.3"),
            ("- 1", "'- 1"),
            ("-١", "'-١"), // a digit, but not an ASCII one
            // Kept: plain negative numbers and everything not starting a formula.
            ("-12.5", "-12.5"),
            ("-3", "-3"),
            ("-", "-"),
            ("+", "'+"),
            ("12", "12"),
            ("", ""),
            ("Acme = 1", "Acme = 1"),
            (" =1+1", " =1+1"),
            ("'=already", "'=already"),
            ("ünïcode", "ünïcode"),
        ] {
            assert_eq!(n(cell), want, "{cell:?}");
        }
    }

    #[test]
    fn every_cell_of_every_row_and_the_header_is_neutralised() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let evil = [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+1",
            "-cmd",
            "@SUM(1)",
            "\tx",
            "\rx",
        ];
        let rows = vec![
            evil.to_vec(),
            vec!["plain", "-3", "-12.5", "a,b", "", "x\ny"],
        ];
        write_csv(&path, &["=h", "ok", "-", "@", "\t", "\r"], rows).unwrap();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_path(&path)
            .unwrap();
        let read: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        assert_eq!(read[0], ["'=h", "ok", "-", "'@", "'\t", "'\r"]);
        let quoted: Vec<String> = evil.iter().map(|c| format!("'{c}")).collect();
        assert_eq!(read[1], quoted);
        assert_eq!(read[2], ["plain", "-3", "-12.5", "a,b", "", "x\ny"]);
        assert_eq!(read.len(), 3);
    }

    #[test]
    fn a_failed_export_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing-dir").join("out.csv");
        let err = write_csv(&path, &["a"], Vec::<Vec<String>>::new()).unwrap_err();
        assert!(err.to_string().contains("Could not write"), "{err}");
        assert!(!path.exists());
    }
}
