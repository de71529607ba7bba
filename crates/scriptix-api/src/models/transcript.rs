//! Transcriptions of a customer, `/customer/{id}/transcript`, and the status table.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::list::{DateRange, Direction, Paging};
use crate::page::{check_amount, check_opt_text, check_text, Record};

/// Processing status of a transcription. The wire sends an integer whose meaning is
/// undocumented; the sandbox's mapping (contract decision 5) lives in [`STATUS_TABLE`] and
/// nowhere else. Integers not in the table are kept as `Unknown(n)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TranscriptStatus {
    Queued,
    Processing,
    Finished,
    Error,
    Unknown(i64),
}

/// The one status table: wire code, status, label.
pub const STATUS_TABLE: [(i64, TranscriptStatus, &str); 4] = [
    (0, TranscriptStatus::Queued, "Queued"),
    (1, TranscriptStatus::Processing, "Processing"),
    (2, TranscriptStatus::Finished, "Finished"),
    (3, TranscriptStatus::Error, "Error"),
];

impl TranscriptStatus {
    pub fn from_code(code: i64) -> Self {
        STATUS_TABLE
            .iter()
            .find(|(c, _, _)| *c == code)
            .map_or(TranscriptStatus::Unknown(code), |(_, s, _)| *s)
    }

    pub fn code(self) -> i64 {
        match self {
            TranscriptStatus::Unknown(n) => n,
            known => STATUS_TABLE
                .iter()
                .find(|(_, s, _)| *s == known)
                .map_or(-1, |(c, _, _)| *c),
        }
    }

    /// "Finished", or "Unknown (7)".
    pub fn label(self) -> String {
        STATUS_TABLE
            .iter()
            .find(|(_, s, _)| *s == self)
            .map_or_else(
                || format!("Unknown ({})", self.code()),
                |(_, _, l)| l.to_string(),
            )
    }

    fn from_label(label: &str) -> Option<Self> {
        STATUS_TABLE
            .iter()
            .find(|(_, _, l)| l.eq_ignore_ascii_case(label))
            .map(|(_, s, _)| *s)
    }
}

impl Serialize for TranscriptStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.code())
    }
}

impl<'de> Deserialize<'de> for TranscriptStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Wire<'a> {
            Code(i64),
            #[serde(borrow)]
            Text(Cow<'a, str>),
        }
        match Wire::deserialize(d)? {
            Wire::Code(n) => Ok(TranscriptStatus::from_code(n)),
            Wire::Text(s) => match s.trim().parse::<i64>() {
                Ok(n) => Ok(TranscriptStatus::from_code(n)),
                Err(_) => TranscriptStatus::from_label(s.trim()).ok_or_else(|| {
                    let shown = crate::page::clip(&s, 40);
                    serde::de::Error::custom(format!("unknown transcript status {shown:?}"))
                }),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    pub session_id: String,
    pub filename: String,
    #[serde(with = "crate::time::timestamp")]
    pub date_session_start: DateTime<Utc>,
    pub status: TranscriptStatus,
    /// The server's own label (sandbox extension); prefer `status.label()` for display.
    #[serde(default)]
    pub status_label: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    /// Seconds.
    #[serde(default)]
    pub duration: Option<f64>,
    #[serde(default, with = "crate::time::timestamp_opt")]
    pub last_update: Option<DateTime<Utc>>,
    #[serde(default)]
    pub is_deleted: bool,
}

impl Record for Transcript {
    fn check(&self) -> Result<(), String> {
        check_text("session_id", &self.session_id)?;
        check_text("filename", &self.filename)?;
        check_opt_text("status_label", &self.status_label)?;
        check_opt_text("language", &self.language)?;
        if let Some(d) = self.duration {
            check_amount("duration", d)?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TranscriptQuery {
    pub limit: Option<u32>,
    pub offset: Option<u64>,
    pub sort: Option<String>,
    pub direction: Option<Direction>,
    pub filters: Vec<(String, String)>,
    /// Extension: substring of filename or session id.
    pub q: Option<String>,
    /// Extension: on `date_session_start`, end exclusive.
    pub date_from: Option<NaiveDate>,
    pub date_to: Option<NaiveDate>,
}

impl TranscriptQuery {
    pub(crate) fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        Paging {
            limit: self.limit,
            offset: self.offset,
            sort: self.sort.as_deref(),
            direction: self.direction,
            filters: &self.filters,
        }
        .push_pairs(&mut out);
        if let Some(q) = self.q.as_deref().filter(|q| !q.is_empty()) {
            out.push(("q", q.to_string()));
        }
        DateRange {
            from: self.date_from,
            to: self.date_to,
        }
        .push_pairs(&mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::parse_page;
    use crate::page::Page;

    #[test]
    fn the_status_table() {
        for (code, status, label) in STATUS_TABLE {
            assert_eq!(TranscriptStatus::from_code(code), status);
            assert_eq!(status.code(), code);
            assert_eq!(status.label(), label);
        }
        let seven = TranscriptStatus::from_code(7);
        assert_eq!(seven, TranscriptStatus::Unknown(7));
        assert_eq!(seven.label(), "Unknown (7)");
        assert_eq!(seven.code(), 7);
    }

    /// The fields of contract 3.8, as JSON, including an unknown status.
    #[test]
    fn contract_transcript_rows() {
        let body = br#"{"result": [
            {"session_id": "49b5b257000004000006ccdfc8", "filename": "interview.mp3",
             "date_session_start": "2021-01-25T10:31:46.960411+00:00", "status": 2, "status_label": "finished",
             "language": "nl-nl", "duration": 592.5, "last_update": "2021-01-25T10:41:00.000000+00:00", "is_deleted": false},
            {"session_id": "s2", "filename": "b.wav", "date_session_start": "2025-01-25T10:31:46.960Z",
             "status": 7, "language": "en-gb", "duration": 3, "last_update": "2025-01-17T10:00:00Z", "is_deleted": true},
            {"session_id": "s3", "filename": "c.wav", "date_session_start": "2025-01-17T10:00:00Z", "status": "1"}
        ], "count": 3, "total_results": 3}"#;
        let page: Page<Transcript> = parse_page(body).unwrap();
        assert!(page.rejected.is_empty(), "{:?}", page.rejected);
        assert_eq!(page.items[0].status, TranscriptStatus::Finished);
        assert_eq!(page.items[0].duration, Some(592.5));
        assert_eq!(page.items[1].status.label(), "Unknown (7)");
        assert!(page.items[1].is_deleted);
        assert_eq!(page.items[2].status, TranscriptStatus::Processing);
        assert_eq!(page.items[2].last_update, None);
    }

    #[test]
    fn unreadable_status_rejects_only_that_row() {
        let body = br#"[{"session_id": "a", "filename": "f", "date_session_start": "2025-01-17T10:00:00Z", "status": "weird"},
                        {"session_id": "b", "filename": "f", "date_session_start": "2025-01-17T10:00:00Z", "status": 0}]"#;
        let page: Page<Transcript> = parse_page(body).unwrap();
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.rejected[0].index, 0);
    }
}
