//! The customer page's five tabs as the UI reads them: the cached server rows, with the pending
//! outbox operations laid over them, and how fresh they are. One module per tab.

pub mod live;
pub mod transcriptions;
pub mod usage;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::cache::freshness::{freshness, Freshness, GapFeature};
use crate::cache::{Cache, CacheResult, Scope};

pub mod manage;
pub mod subscriptions;
pub(crate) mod subscriptions_replay;
pub mod tokens;
pub(crate) mod tokens_replay;
pub mod users;
pub(crate) mod users_replay;

/// How fresh what a screen shows is, for its "as of ..." line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AsOf {
    /// When the shown data was fetched; `None`: never (nothing cached yet).
    pub fetched_at: Option<DateTime<Utc>>,
    /// `fresh`, `stale` (shown while a refresh runs in the background) or `missing`.
    pub state: FreshnessState,
    /// The server does not offer this feature (a gap endpoint answered 404/405).
    pub unsupported: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FreshnessState {
    Fresh,
    Stale,
    Missing,
}

impl From<Freshness> for FreshnessState {
    fn from(f: Freshness) -> Self {
        match f {
            Freshness::Fresh => FreshnessState::Fresh,
            Freshness::Stale => FreshnessState::Stale,
            Freshness::Missing => FreshnessState::Missing,
        }
    }
}

/// The freshness of `scope` at `now`; `gap` (when the scope depends on a gap endpoint) marks it
/// unsupported while the server is known not to offer it.
pub fn as_of(
    cache: &Cache,
    scope: &Scope,
    gap: Option<GapFeature>,
    now: DateTime<Utc>,
) -> CacheResult<AsOf> {
    let record = cache.freshness_record(scope)?;
    let unsupported = match gap {
        Some(gap) => matches!(
            freshness(cache.gap_unsupported(gap)?.as_ref(), now),
            Freshness::Fresh
        ),
        None => false,
    };
    Ok(AsOf {
        fetched_at: record.map(|r| r.fetched_at),
        state: freshness(record.as_ref(), now).into(),
        unsupported,
    })
}
