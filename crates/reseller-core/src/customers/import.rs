//! Importing organisations from a CSV file: read it (`read_import`: UTF-8 with or without a
//! BOM, comma or semicolon, headers matched case-insensitively), mark each row valid, invalid
//! (with the field's message) or a duplicate of an organisation already here or of an earlier
//! row (`preview`), then queue the valid rows as ordinary creates under one batch
//! (`import_rows`). Duplicates are decided again inside the import's transaction, by email,
//! so importing the same file twice (or pressing Import twice) creates nothing twice.

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::Serialize;

use super::change::CustomerFields;
use super::queue::{create_in, CustomerForm};
use crate::cache::batches::{delete_batch, insert_batch, set_queued, tag_op};
use crate::cache::{BatchKind, Cache};
use crate::context::Context;
use crate::CoreError;

/// The largest file read (a CSV of 50 000 organisations is about 5 MB).
pub const MAX_IMPORT_BYTES: u64 = 20 * 1024 * 1024;
/// The most rows one import takes.
pub const MAX_IMPORT_ROWS: usize = 50_000;
/// Rows a preview lists (problems first); its counts are always of the whole file.
pub const PREVIEW_ROWS: usize = 500;

/// The columns an import reads; any other is listed as ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Name,
    Email,
    Phone,
    Status,
}

/// A header cell as a column: case, spaces, `-` and `_` do not matter.
fn column_of(header: &str) -> Option<Column> {
    let key: String = header
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_' | '.'))
        .flat_map(char::to_lowercase)
        .collect();
    Some(match key.as_str() {
        "name" | "organisation" | "organization" | "organisationname" | "organizationname"
        | "company" | "companyname" | "customer" | "customername" => Column::Name,
        "email" | "emailaddress" | "mail" => Column::Email,
        "phone" | "phonenumber" | "telephone" | "tel" | "mobile" => Column::Phone,
        "status" | "active" | "isactive" => Column::Status,
        _ => return None,
    })
}

/// One data row of the file, as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportLine {
    /// The line it starts on (the header is line 1).
    pub line: u64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub status: String,
}

/// A file read for import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportFile {
    pub lines: Vec<ImportLine>,
    /// Header cells no column is read from, as the file spells them.
    pub ignored_columns: Vec<String>,
    pub delimiter: u8,
}

fn unreadable(message: impl Into<String>) -> CoreError {
    CoreError::ImportFile {
        message: message.into(),
    }
}

/// The delimiter of the header line: a semicolon when it has more of those than commas
/// (spreadsheets in locales with a decimal comma write those), else a comma.
fn delimiter_of(header_line: &str) -> u8 {
    let count = |d: char| header_line.chars().filter(|c| *c == d).count();
    if count(';') > count(',') {
        b';'
    } else {
        b','
    }
}

/// A cell as written, without the `'` an export put before a formula-like start
/// (`crate::export::neutralise_cell`), trimmed.
fn cell_text(cell: &str) -> String {
    let cell = cell.trim();
    let mut chars = cell.chars();
    if chars.next() == Some('\'') && chars.next().is_some_and(|c| "=+-@\t\r".contains(c)) {
        return cell[1..].trim().to_string();
    }
    cell.to_string()
}

/// Reads a CSV file's bytes. Refuses, with what to do, a file that is not UTF-8 text, has no
/// Name or Email column, or holds more than `MAX_IMPORT_ROWS` rows.
pub fn read_import(bytes: &[u8]) -> Result<ImportFile, CoreError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| {
        unreadable(
            "This file is not UTF-8 text. Save it from your spreadsheet as \"CSV UTF-8\" and choose it again.",
        )
    })?;
    if text.trim().is_empty() {
        return Err(unreadable("This file is empty."));
    }
    let header_line = text.lines().next().unwrap_or_default();
    let delimiter = delimiter_of(header_line);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| {
            unreadable(format!(
                "The first line cannot be read as CSV headers: {e}."
            ))
        })?
        .clone();
    let mut at: [Option<usize>; 4] = [None; 4];
    let mut ignored_columns = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        match column_of(h) {
            Some(c) if at[c as usize].is_none() => at[c as usize] = Some(i),
            _ => {
                let h = h.trim();
                if !h.is_empty() {
                    ignored_columns.push(h.to_string());
                }
            }
        }
    }
    if at[Column::Name as usize].is_none() || at[Column::Email as usize].is_none() {
        let found: Vec<&str> = headers
            .iter()
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .collect();
        return Err(unreadable(format!(
            "The file needs a Name and an Email column in its first line (Phone and Status are optional); its first line has: {}.",
            if found.is_empty() { "nothing".to_string() } else { found.join(", ") }
        )));
    }
    let get = |record: &csv::StringRecord, c: Column| {
        at[c as usize]
            .and_then(|i| record.get(i))
            .map(cell_text)
            .unwrap_or_default()
    };
    // csv's own line count lags a line after a CRLF (it takes the `\n` with the next
    // record), so lines are counted here from each record's byte offset.
    let mut lines = Vec::new();
    let mut counted = (0usize, 1u64); // (byte, line at that byte)
    let mut line_at = |byte: usize| {
        let bytes = text.as_bytes();
        let mut at = byte.min(bytes.len());
        while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
            at += 1;
        }
        let (from, line) = counted;
        let more = bytes[from.min(at)..at]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        counted = (at, line + more);
        line + more
    };
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, csv::Position::line);
            unreadable(format!("Line {line} cannot be read as CSV: {e}."))
        })?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if lines.len() == MAX_IMPORT_ROWS {
            return Err(unreadable(format!(
                "This file has more than {} rows; split it into smaller files.",
                crate::format::sys().count_u64(MAX_IMPORT_ROWS as u64)
            )));
        }
        let byte = record.position().map_or(0, |p| p.byte() as usize);
        lines.push(ImportLine {
            line: line_at(byte),
            name: get(&record, Column::Name),
            email: get(&record, Column::Email),
            phone: get(&record, Column::Phone),
            status: get(&record, Column::Status),
        });
    }
    Ok(ImportFile {
        lines,
        ignored_columns,
        delimiter,
    })
}

/// A status cell: empty is Active; words and yes/no, true/false, 1/0 are read.
fn status_of(cell: &str) -> Option<bool> {
    match cell.trim().to_lowercase().as_str() {
        "" | "active" | "yes" | "y" | "true" | "1" | "enabled" => Some(true),
        "inactive" | "no" | "n" | "false" | "0" | "disabled" => Some(false),
        _ => None,
    }
}

/// What became of a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowOutcome {
    Valid,
    Invalid,
    Duplicate,
}

/// A row as the preview shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewRow {
    pub line: u64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub status: String,
    pub outcome: RowOutcome,
    /// Why it is invalid or a duplicate.
    pub message: Option<String>,
    /// The field an invalid row is refused for.
    pub field: Option<&'static str>,
}

/// Every row of a file judged: what the preview shows and what an import would create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Judged {
    pub rows: Vec<PreviewRow>,
    /// The valid rows' fields, in file order.
    pub valid: Vec<CustomerFields>,
}

/// Judges every row: validated like a form, and a duplicate when its email (any case) is one
/// of `existing` or of an earlier valid row.
pub fn judge(file: &ImportFile, existing: &HashSet<String>) -> Judged {
    let mut seen: HashSet<String> = HashSet::new();
    let mut first_line: std::collections::HashMap<String, u64> = Default::default();
    let mut out = Judged {
        rows: Vec::with_capacity(file.lines.len()),
        valid: Vec::new(),
    };
    for l in &file.lines {
        let mut row = PreviewRow {
            line: l.line,
            name: l.name.clone(),
            email: l.email.clone(),
            phone: l.phone.clone(),
            status: l.status.clone(),
            outcome: RowOutcome::Valid,
            message: None,
            field: None,
        };
        let Some(is_active) = status_of(&l.status) else {
            row.outcome = RowOutcome::Invalid;
            row.message = Some("Status must be Active or Inactive.".into());
            row.field = Some("status");
            out.rows.push(row);
            continue;
        };
        let form = CustomerForm {
            name: l.name.clone(),
            email: l.email.clone(),
            phone: l.phone.clone(),
            is_active,
        };
        match form.validated() {
            Err(CoreError::Invalid { errors }) => {
                row.outcome = RowOutcome::Invalid;
                row.field = errors.first().map(|e| e.field);
                row.message = Some(
                    errors
                        .iter()
                        .map(|e| e.message.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                );
            }
            Err(e) => {
                row.outcome = RowOutcome::Invalid;
                row.message = Some(e.to_string());
            }
            Ok(fields) => {
                let key = fields.email.to_lowercase();
                if existing.contains(&key) {
                    row.outcome = RowOutcome::Duplicate;
                    row.message = Some("An organisation with this email is already here.".into());
                } else if !seen.insert(key.clone()) {
                    row.outcome = RowOutcome::Duplicate;
                    row.message = Some(format!(
                        "Same email as line {}.",
                        first_line.get(&key).copied().unwrap_or_default()
                    ));
                } else {
                    first_line.insert(key, l.line);
                    out.valid.push(fields);
                }
            }
        }
        out.rows.push(row);
    }
    out
}

/// The emails of every organisation here (lowercased), pending creates included.
fn emails_here(conn: &Connection) -> Result<HashSet<String>, CoreError> {
    let mut stmt = conn.prepare_cached("SELECT email FROM customers")?;
    let mut rows = stmt.query([])?;
    let mut out = HashSet::new();
    while let Some(r) = rows.next()? {
        let email: String = r.get(0)?;
        out.insert(email.to_lowercase());
    }
    Ok(out)
}

/// What an import queued.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub batch_id: Option<i64>,
    pub created: u64,
    /// Valid rows found to be duplicates at import time (already imported, say).
    pub duplicates: u64,
    pub message: String,
}

/// Queues a create for each of `rows` whose email is not here yet, in one transaction, under
/// one batch labelled with `file_name`.
pub fn import_rows(
    cache: &Cache,
    rows: &[CustomerFields],
    file_name: &str,
    now: DateTime<Utc>,
) -> Result<ImportReport, CoreError> {
    let locale = crate::format::sys();
    let tx = cache.conn().unchecked_transaction()?;
    let mut here = emails_here(&tx)?;
    let label = format!(
        "Import {} from {file_name}",
        locale.count_of(rows.len() as u64, "organisation", "organisations")
    );
    let batch = insert_batch(&tx, BatchKind::Import, &label, &now)?;
    let mut report = ImportReport::default();
    for fields in rows {
        if !here.insert(fields.email.to_lowercase()) {
            report.duplicates += 1;
            continue;
        }
        let (_, op_id) = create_in(&tx, fields, now)?;
        tag_op(&tx, op_id, Some(batch))?;
        report.created += 1;
    }
    if report.created == 0 {
        delete_batch(&tx, batch)?;
    } else {
        set_queued(&tx, batch, report.created)?;
        report.batch_id = Some(batch);
    }
    tx.commit()?;
    let orgs = |n| locale.count_of(n, "organisation", "organisations");
    report.message = match (report.created, report.duplicates) {
        (0, 0) => "Nothing to import.".into(),
        (0, d) => format!("Nothing imported: {} already here.", orgs(d)),
        (n, 0) => format!("Importing {}.", orgs(n)),
        (n, d) => format!(
            "Importing {}; {} already here.",
            orgs(n),
            locale.count_u64(d)
        ),
    };
    Ok(report)
}

/// A file read and judged, waiting for the user to import it from its preview.
#[derive(Clone, Debug)]
struct Draft {
    id: u64,
    file_name: String,
    valid: Vec<CustomerFields>,
}

/// The preview the screen shows.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportPreview {
    /// Pass to `import_previewed` to import the valid rows.
    pub draft_id: u64,
    pub file_name: String,
    /// Up to `PREVIEW_ROWS` rows: the invalid and duplicate ones first, then valid ones, each
    /// in file order.
    pub rows: Vec<PreviewRow>,
    pub total: u64,
    pub valid: u64,
    pub invalid: u64,
    pub duplicates: u64,
    pub ignored_columns: Vec<String>,
    /// "120 rows: 112 valid, 5 invalid, 3 duplicates".
    pub summary_text: String,
    /// "Showing 500 of 10,000 rows, problems first" when not every row is listed.
    pub shown_text: Option<String>,
    /// The import button's words: "Import 112 organisations", "Nothing to import".
    pub import_text: String,
}

/// The one import being previewed (a new preview replaces it; an import takes it).
#[derive(Debug, Default)]
pub struct ImportDrafts {
    draft: Mutex<Option<Draft>>,
    next_id: std::sync::atomic::AtomicU64,
}

impl ImportDrafts {
    fn keep(&self, file_name: String, valid: Vec<CustomerFields>) -> u64 {
        let id = self
            .next_id
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        *self.draft.lock().unwrap_or_else(|p| p.into_inner()) = Some(Draft {
            id,
            file_name,
            valid,
        });
        id
    }

    fn take(&self, id: u64) -> Option<Draft> {
        let mut draft = self.draft.lock().unwrap_or_else(|p| p.into_inner());
        if draft.as_ref().is_some_and(|d| d.id == id) {
            draft.take()
        } else {
            None
        }
    }
}

/// Reads at most `MAX_IMPORT_BYTES` of `path`.
fn read_file(path: &Path) -> Result<Vec<u8>, CoreError> {
    let name = path.display().to_string();
    let io = |e: std::io::Error| unreadable(format!("{name} could not be read: {e}."));
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(MAX_IMPORT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_IMPORT_BYTES {
        return Err(unreadable(format!(
            "This file is larger than {}; split it into smaller files.",
            crate::format::sys().megabytes(MAX_IMPORT_BYTES)
        )));
    }
    Ok(bytes)
}

fn preview_of(
    judged: Judged,
    ignored_columns: Vec<String>,
    id: u64,
    file_name: String,
) -> ImportPreview {
    let locale = crate::format::sys();
    let count = |o: RowOutcome| judged.rows.iter().filter(|r| r.outcome == o).count() as u64;
    let (valid, invalid, duplicates) = (
        count(RowOutcome::Valid),
        count(RowOutcome::Invalid),
        count(RowOutcome::Duplicate),
    );
    let total = judged.rows.len() as u64;
    let summary_text = format!(
        "{}: {} valid, {} invalid, {}",
        locale.count_of(total, "row", "rows"),
        locale.count_u64(valid),
        locale.count_u64(invalid),
        locale.count_of(duplicates, "duplicate", "duplicates")
    );
    let mut rows: Vec<PreviewRow> = judged
        .rows
        .iter()
        .filter(|r| r.outcome != RowOutcome::Valid)
        .take(PREVIEW_ROWS)
        .cloned()
        .collect();
    let room = PREVIEW_ROWS - rows.len();
    rows.extend(
        judged
            .rows
            .iter()
            .filter(|r| r.outcome == RowOutcome::Valid)
            .take(room)
            .cloned(),
    );
    let shown_text = (rows.len() as u64 != total).then(|| {
        format!(
            "Showing {} rows, problems first.",
            locale.of(rows.len() as u64, total)
        )
    });
    let import_text = if valid == 0 {
        "Nothing to import".to_string()
    } else {
        format!(
            "Import {}",
            locale.count_of(valid, "organisation", "organisations")
        )
    };
    ImportPreview {
        import_text,
        draft_id: id,
        file_name,
        rows,
        total,
        valid,
        invalid,
        duplicates,
        ignored_columns,
        summary_text,
        shown_text,
    }
}

impl Context {
    /// Reads and judges a file for import, and keeps its valid rows in `drafts` for
    /// `import_previewed`. Blocking (reads the file).
    pub fn preview_import(
        &self,
        drafts: &ImportDrafts,
        path: &Path,
    ) -> Result<ImportPreview, CoreError> {
        let file = read_import(&read_file(path)?)?;
        let existing = emails_here(self.read()?.conn())?;
        let judged = judge(&file, &existing);
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "the file".into());
        let id = drafts.keep(file_name.clone(), judged.valid.clone());
        Ok(preview_of(judged, file.ignored_columns, id, file_name))
    }

    /// Imports the valid rows of the preview `draft_id` (once: a second call finds nothing).
    pub fn import_previewed(
        &self,
        drafts: &ImportDrafts,
        draft_id: u64,
    ) -> Result<ImportReport, CoreError> {
        let Some(draft) = drafts.take(draft_id) else {
            return Err(CoreError::Busy {
                message: "This preview was imported already, or another file replaced it. Choose the file again to see what is left to import.".into(),
            });
        };
        self.write_outbox(|c| import_rows(c, &draft.valid, &draft.file_name, Utc::now()))
    }
}
