//! The customer page's five tabs as the UI reads them: the cached rows (with pending outbox
//! operations written into them, each touched row marked: `outbox::shown`), and how fresh they
//! are. One module per tab.

pub mod live;
pub mod transcriptions;
pub mod usage;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::cache::freshness::{freshness, Freshness, GapFeature};
use crate::cache::{Cache, CacheResult, Scope};

mod discard;
pub(crate) mod gap;
pub mod subscriptions;
pub(crate) mod subscriptions_replay;
pub mod tokens;
pub(crate) mod tokens_replay;
pub mod users;
pub(crate) mod users_replay;

/// How fresh what a screen shows is, for its "as of ..." line. Serialised with
/// `fetchedAtText` too: the time display-ready (`crate::format`, the system's locale and the
/// computer's time zone), so the line agrees with the figures under it; and `fetchedAgoText`
/// ("3 min ago"), worked out when the view is sent: screens re-read on every change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AsOf {
    /// When the shown data was fetched; `None`: never (nothing cached yet).
    pub fetched_at: Option<DateTime<Utc>>,
    /// `fresh`, `stale` (shown while a refresh runs in the background) or `missing`.
    pub state: FreshnessState,
    /// The server does not offer this feature (a gap endpoint answered 404/405).
    pub unsupported: bool,
}

impl Serialize for AsOf {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = s.serialize_struct("AsOf", 5)?;
        out.serialize_field("fetchedAt", &self.fetched_at)?;
        out.serialize_field("state", &self.state)?;
        out.serialize_field("unsupported", &self.unsupported)?;
        out.serialize_field(
            "fetchedAtText",
            &self.fetched_at.map(|t| crate::format::sys().date_time(t)),
        )?;
        out.serialize_field(
            "fetchedAgoText",
            &self
                .fetched_at
                .map(|t| crate::format::sys().relative(t, Utc::now())),
        )?;
        out.end()
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_as_of_line_comes_with_its_time_and_how_long_ago() {
        let at = Utc::now() - chrono::Duration::minutes(3);
        let v = serde_json::to_value(AsOf {
            fetched_at: Some(at),
            state: FreshnessState::Fresh,
            unsupported: false,
        })
        .unwrap();
        assert_eq!(v["fetchedAgoText"], "3 min ago");
        assert_eq!(v["fetchedAtText"], crate::format::sys().date_time(at));
        let never = serde_json::to_value(AsOf {
            fetched_at: None,
            state: FreshnessState::Missing,
            unsupported: false,
        })
        .unwrap();
        assert!(never["fetchedAgoText"].is_null());
        assert!(never["fetchedAtText"].is_null());
    }
}
