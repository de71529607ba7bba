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
