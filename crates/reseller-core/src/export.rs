//! CSV export of what a screen shows: written to a temporary file beside the target and renamed
//! over it, so a failed export never leaves half a file where the user asked for one.

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

/// Writes `header` and `rows` to `path` as CSV (RFC 4180, UTF-8, comma-separated). Returns the
/// number of data rows written.
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
        let mut w = csv::Writer::from_writer(tmp.as_file_mut());
        w.write_record(header)?;
        for row in rows {
            w.write_record(row)?;
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
        assert_eq!(
            text,
            "id,name\n1,\"Acme, \"\"Inc\"\"\"\n2,\"<b>x</b>\nnext\"\n"
        );
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
