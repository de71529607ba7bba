//! Why a sync step stopped, and what an API error means for a queued operation.

use scriptix_api::ApiError;

use crate::cache::CacheError;

/// Why a sync stopped. The cache keeps everything applied before the error, and the stored mark
/// is unchanged, so the next sync resumes safely. `Api(Offline)` is expected and shown as a
/// state ("offline"), not as a failure.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Cache(#[from] CacheError),
    /// Another user of the cache panicked while holding it.
    #[error("the local cache is unavailable after an internal error; restart the app")]
    CacheUnavailable,
    #[error("the server's customer list did not end after {pages} pages; sync stopped")]
    Runaway { pages: u32 },
    /// A background task of the sync failed (a bug, not the network).
    #[error("the sync stopped on an internal error: {0}")]
    Internal(String),
}

impl SyncError {
    /// Stable code for the UI and logs: the API's and cache's codes pass through.
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::Api(e) => e.code(),
            SyncError::Cache(e) => e.code(),
            SyncError::CacheUnavailable => "cache_unavailable",
            SyncError::Runaway { .. } => "sync_runaway",
            SyncError::Internal(_) => "sync_internal",
        }
    }

    pub fn is_offline(&self) -> bool {
        matches!(self, SyncError::Api(e) if e.is_offline())
    }
}

/// Longest rejection reason kept: a parse error can quote the hostile value it choked on.
pub(crate) const MAX_REASON_CHARS: usize = 300;

/// A rejection reason cut to `MAX_REASON_CHARS` (list and detail records alike).
pub(crate) fn bounded(reason: &str) -> String {
    if reason.chars().count() <= MAX_REASON_CHARS {
        return reason.to_string();
    }
    let mut cut: String = reason.chars().take(MAX_REASON_CHARS).collect();
    cut.push_str("...");
    cut
}

/// What an API error means for the operation being replayed.
pub enum Outcome {
    /// The server refused this operation: it fails, with the server's words; the replay goes on.
    Refused(String),
    /// The network or the server is not in a state to take it: stop the replay; the operation
    /// stays in flight, so its outcome is checked before anything is sent again.
    Stop(ApiError),
}

pub fn classify(e: ApiError) -> Outcome {
    match e {
        ApiError::Validation { .. }
        | ApiError::BadRequest { .. }
        | ApiError::Rejected { .. }
        | ApiError::NotSupported { .. }
        | ApiError::NotFound { .. } => Outcome::Refused(e.to_string()),
        ApiError::Offline { .. }
        | ApiError::Unauthorized { .. }
        | ApiError::Forbidden { .. }
        | ApiError::RateLimited { .. }
        | ApiError::Server { .. }
        | ApiError::Malformed { .. } => Outcome::Stop(e),
    }
}

/// What an API error means for a queued operation: `Ok(reason)` when the server refused this
/// operation (it fails with those words), `Err` when the replay must stop.
pub fn refusal(e: ApiError) -> Result<String, SyncError> {
    match classify(e) {
        Outcome::Refused(reason) => Ok(reason),
        Outcome::Stop(e) => Err(SyncError::Api(e)),
    }
}
