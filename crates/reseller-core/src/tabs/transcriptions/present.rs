//! A transcription as the tab shows it: the status's label and badge kind from the client's
//! one status table (`scriptix_api::STATUS_TABLE`; an integer not in it is "Unknown (n)"), and
//! the duration as h:mm:ss. Pure.

use chrono::{DateTime, Utc};
use scriptix_api::{TranscriptStatus, STATUS_TABLE};
use serde::Serialize;

use crate::cache::TranscriptionRow;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TranscriptionView {
    pub session_id: String,
    pub filename: String,
    pub status: i64,
    /// "Finished", or "Unknown (7)".
    pub status_label: String,
    /// The badge's kind: the label in lower case for known statuses, `unknown` otherwise.
    pub status_kind: String,
    pub language: Option<String>,
    pub started: DateTime<Utc>,
    pub last_update: Option<DateTime<Utc>>,
    pub duration_seconds: Option<f64>,
    /// "1:02:05"; "-" when the server gave none.
    pub duration: String,
    pub is_deleted: bool,
    /// The times as the screen shows them, in the computer's time zone and the system's
    /// locale ("1 Nov 2026, 14:05"); "-" for no last update.
    pub started_text: String,
    pub last_update_text: String,
}

/// A status filter choice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatusOption {
    pub code: i64,
    pub label: String,
}

/// The statuses a filter offers: the table's, in its order.
pub fn status_options() -> Vec<StatusOption> {
    STATUS_TABLE
        .iter()
        .map(|(code, _, label)| StatusOption {
            code: *code,
            label: label.to_string(),
        })
        .collect()
}

pub fn status_kind(status: TranscriptStatus) -> String {
    match status {
        TranscriptStatus::Unknown(_) => "unknown".into(),
        known => known.label().to_ascii_lowercase(),
    }
}

/// Seconds as h:mm:ss (hours unbounded, rounded to the nearest second); "-" for no duration
/// or one that is not a plausible number.
pub fn format_duration(seconds: Option<f64>) -> String {
    let Some(s) = seconds.filter(|s| s.is_finite() && *s >= 0.0) else {
        return "-".into();
    };
    let total = s.round() as u64;
    format!("{}:{:02}:{:02}", total / 3600, total / 60 % 60, total % 60)
}

pub fn view(row: &TranscriptionRow) -> TranscriptionView {
    let status = TranscriptStatus::from_code(row.status);
    TranscriptionView {
        session_id: row.session_id.clone(),
        filename: row.filename.clone(),
        status: row.status,
        status_label: status.label(),
        status_kind: status_kind(status),
        language: row.language.clone(),
        started: row.date_session_start,
        last_update: row.last_update,
        duration_seconds: row.duration,
        duration: format_duration(row.duration),
        is_deleted: row.is_deleted,
        started_text: crate::format::sys().date_time(row.date_session_start),
        last_update_text: row
            .last_update
            .map_or_else(|| "-".into(), |t| crate::format::sys().date_time(t)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_as_h_mm_ss() {
        assert_eq!(format_duration(Some(0.0)), "0:00:00");
        assert_eq!(format_duration(Some(59.4)), "0:00:59");
        assert_eq!(format_duration(Some(59.5)), "0:01:00");
        assert_eq!(format_duration(Some(592.5)), "0:09:53");
        assert_eq!(format_duration(Some(3725.0)), "1:02:05");
        assert_eq!(format_duration(Some(36_000.0 * 10.0)), "100:00:00");
        assert_eq!(format_duration(None), "-");
        assert_eq!(format_duration(Some(-3.0)), "-");
        assert_eq!(format_duration(Some(f64::NAN)), "-");
    }

    #[test]
    fn statuses_come_from_the_one_table() {
        let options = status_options();
        assert_eq!(options.len(), STATUS_TABLE.len());
        assert_eq!(
            options[2],
            StatusOption {
                code: 2,
                label: "Finished".into()
            }
        );
        assert_eq!(status_kind(TranscriptStatus::from_code(3)), "error");
        assert_eq!(status_kind(TranscriptStatus::from_code(7)), "unknown");
        let row = TranscriptionRow {
            session_id: "s".into(),
            filename: "f.mp3".into(),
            date_session_start: Utc::now(),
            status: 7,
            status_label: Some("weird".into()),
            language: None,
            duration: Some(61.0),
            last_update: None,
            is_deleted: false,
        };
        let v = view(&row);
        assert_eq!(
            v.status_label, "Unknown (7)",
            "the server's own label is not shown"
        );
        assert_eq!(v.duration, "0:01:01");
    }
}
