//! The sync status the UI shows at all times: online or offline (a state, not an error), when
//! the last sync succeeded, what is running with counts, and the outbox's pending, failed and
//! conflicting operations.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::cache::OutboxCounts;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Connectivity {
    /// Nothing has been tried yet.
    #[default]
    Unknown,
    Online,
    /// The server cannot be reached; everything keeps working from the cache.
    Offline,
}

/// Work in progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    /// What is running, in words ("Sending changes", "Updating organisations").
    pub label: String,
    pub done: u64,
    /// None when the amount is not known in advance.
    pub total: Option<u64>,
}

/// A failure worth showing (not offline, which `connectivity` says).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusError {
    pub code: String,
    pub message: String,
}

/// IPC only (command answer and `sync-status` event): camelCase on the wire.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    pub connectivity: Connectivity,
    /// Why the server cannot be reached, in words, when offline.
    pub offline_reason: Option<String>,
    /// When a full round (outbox and list) last finished without error.
    pub last_synced: Option<DateTime<Utc>>,
    pub activity: Option<Activity>,
    pub pending: u64,
    pub failed: u64,
    pub conflicts: u64,
    /// The last round's error, when it was not being offline.
    pub last_error: Option<StatusError>,
}

impl SyncStatus {
    pub(crate) fn set_counts(&mut self, c: OutboxCounts) {
        self.pending = c.pending;
        self.failed = c.failed;
        self.conflicts = c.conflict;
    }
}

/// The status with its texts, display-ready in the app's locale (`crate::format`): what the
/// command and the `sync-status` event send. "Synced 3 min ago" ages, so the UI asks again
/// now and then rather than counting time itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatusView {
    #[serde(flatten)]
    pub status: SyncStatus,
    pub text: StatusText,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusText {
    /// "Synced 3 min ago", or "Not synced yet".
    pub last_synced: String,
    /// "Last synced 4 Dec 2026, 10:05" (None: never).
    pub last_synced_title: Option<String>,
    /// "1,204 of 10,000" or "1,204" (None: nothing running or nothing counted yet).
    pub progress: Option<String>,
    /// "2 changes waiting to send" (None: none).
    pub pending: Option<String>,
    pub failed: Option<String>,
    pub conflicts: Option<String>,
    /// The conflicts alone, for the navigation's badge: "2".
    pub conflicts_count: String,
    /// "3 changes have" (pending, failed and in conflict together; for the sign-out question).
    pub unsent: Option<String>,
}

impl SyncStatus {
    /// This status with its texts in `locale` at `now`.
    pub fn view_at(&self, locale: &crate::format::Locale, now: DateTime<Utc>) -> SyncStatusView {
        let counted =
            |n: u64, one: &str, many: &str| (n > 0).then(|| locale.count_of(n, one, many));
        let progress = self.activity.as_ref().and_then(|a| match a.total {
            Some(total) => Some(locale.of(a.done, total)),
            None => (a.done > 0).then(|| locale.count_u64(a.done)),
        });
        let unsent = self.pending + self.failed + self.conflicts;
        SyncStatusView {
            text: StatusText {
                last_synced: match self.last_synced {
                    Some(t) => format!("Synced {}", locale.relative(t, now)),
                    None => "Not synced yet".into(),
                },
                last_synced_title: self
                    .last_synced
                    .map(|t| format!("Last synced {}", locale.date_time(t))),
                progress,
                pending: counted(
                    self.pending,
                    "change waiting to send",
                    "changes waiting to send",
                ),
                failed: counted(self.failed, "change refused", "changes refused"),
                conflicts: counted(self.conflicts, "conflict to settle", "conflicts to settle"),
                conflicts_count: locale.count_u64(self.conflicts),
                unsent: counted(unsent, "change has", "changes have"),
            },
            status: self.clone(),
        }
    }

    /// [`SyncStatus::view_at`] in the system's locale, now.
    pub fn view(&self) -> SyncStatusView {
        self.view_at(crate::format::Locale::system(), Utc::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Locale;

    #[test]
    fn the_texts_group_counts_and_say_how_long_ago() {
        let now: DateTime<Utc> = "2026-12-04T10:10:00Z".parse().unwrap();
        let status = SyncStatus {
            last_synced: Some("2026-12-04T10:07:00Z".parse().unwrap()),
            activity: Some(Activity {
                label: "Updating organisations".into(),
                done: 1204,
                total: Some(10_000),
            }),
            pending: 1,
            failed: 0,
            conflicts: 1234,
            ..SyncStatus::default()
        };
        let nl = Locale::from_tag("nl-NL");
        let v = status.view_at(&nl, now);
        assert_eq!(v.text.last_synced, "Synced 3 min ago");
        assert_eq!(v.text.progress.as_deref(), Some("1.204 of 10.000"));
        assert_eq!(v.text.pending.as_deref(), Some("1 change waiting to send"));
        assert_eq!(v.text.failed, None);
        assert_eq!(
            v.text.conflicts.as_deref(),
            Some("1.234 conflicts to settle")
        );
        assert_eq!(v.text.conflicts_count, "1.234");
        assert_eq!(v.text.unsent.as_deref(), Some("1.235 changes have"));
        assert!(v
            .text
            .last_synced_title
            .unwrap()
            .starts_with("Last synced "));

        let never = SyncStatus::default().view_at(&nl, now);
        assert_eq!(never.text.last_synced, "Not synced yet");
        assert_eq!(never.text.last_synced_title, None);
        assert_eq!(never.text.progress, None);
        assert_eq!(never.text.unsent, None);
    }

    #[test]
    fn the_view_keeps_the_status_fields_beside_its_texts() {
        let json = serde_json::to_value(SyncStatus::default().view()).unwrap();
        assert_eq!(json["connectivity"], "unknown");
        assert_eq!(json["pending"], 0);
        assert_eq!(json["text"]["lastSynced"], "Not synced yet");
    }
}
