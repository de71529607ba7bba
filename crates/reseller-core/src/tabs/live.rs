//! What the read-only tabs (usage, transcriptions) say about their last attempt to reach the
//! server: offline is a calm state (the cached data is shown), any other failure is shown in
//! plain words beside the cached data, never instead of it.

use scriptix_api::ApiError;
use serde::Serialize;

/// A fetch that failed, as the UI shows it next to what the cache had.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FetchProblem {
    /// The error's stable code (`server`, `not_found`, `rate_limited`, ...).
    pub code: String,
    pub message: String,
}

/// How a fetch ended, for the tab's state line.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveState {
    /// The server could not be reached: what is shown is what was cached.
    pub offline: bool,
    pub problem: Option<FetchProblem>,
}

impl LiveState {
    pub fn from_error(e: &ApiError) -> LiveState {
        if e.is_offline() {
            LiveState {
                offline: true,
                problem: None,
            }
        } else {
            LiveState {
                offline: false,
                problem: Some(FetchProblem {
                    code: e.code().to_string(),
                    message: e.to_string(),
                }),
            }
        }
    }
}
