//! The transcriptions tab: filters, sort and paging over the server's `/transcript` list when
//! online, over the cached first page(s) when not (the sync keeps the newest
//! `TRANSCRIPTION_PAGE_LIMIT` per customer), and says which it shows.
//!
//! Two calls, so a screen never waits for the network: `transcriptions_cached` reads the cache
//! only; `transcriptions_live` asks the server (interactive lane) and falls back to the cache
//! when it cannot be reached.

pub mod present;
pub mod query;

use chrono::Utc;
use scriptix_api::Lane;
use serde::{Deserialize, Serialize};

use self::present::{status_options, StatusOption, TranscriptionView};
use self::query::{apply_local, clamp_page, normalize, server_query, Filters, PageRequest, Sort};
use super::live::LiveState;
use super::{as_of, AsOf, FreshnessState};
use crate::cache::{Scope, Tab};
use crate::context::Context;
use crate::remote::detail_map::transcription_rows;
use crate::CoreError;

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TranscriptionRequest {
    pub customer_id: i64,
    #[serde(default)]
    pub filters: Filters,
    #[serde(default)]
    pub sort: Sort,
    #[serde(default)]
    pub page: PageRequest,
}

/// Where the rows shown come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The server's answer to this very query.
    Server,
    /// The cached transcriptions: only the most recent ones (`cached` says how many).
    Cache,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TranscriptionPage {
    pub rows: Vec<TranscriptionView>,
    /// Rows matching the filters (the server's `total_results`, or the cache's count).
    pub total: u64,
    pub offset: u64,
    pub limit: u32,
    pub source: Source,
    /// How fresh what is shown is: now for a server answer, the cache's record otherwise.
    pub as_of: AsOf,
    /// Transcriptions the cache holds for this organisation.
    pub cached: usize,
    pub live: LiveState,
    /// The status filter's choices (the one status table).
    pub statuses: Vec<StatusOption>,
    pub local_only: bool,
    /// The page as its pager says it ("1–25 of 1,204"), and `cached` ("1,000"), in the
    /// system's locale (`crate::format`).
    pub page_text: String,
    pub cached_text: String,
}

/// "1–25 of 1,204" for `shown` rows from `offset` of `total`; "0–0 of 0" for none.
fn page_text(locale: &crate::format::Locale, offset: u64, shown: usize, total: u64) -> String {
    let first = if total == 0 { 0 } else { offset + 1 };
    locale.range_of(first, offset + shown as u64, total)
}

impl Context {
    /// The request answered from the cache.
    pub fn transcriptions_cached(
        &self,
        req: &TranscriptionRequest,
    ) -> Result<TranscriptionPage, CoreError> {
        self.transcriptions_from_cache(req, LiveState::default())
    }

    /// The request answered by the server; from the cache (and saying why) when the server
    /// cannot be reached or fails.
    pub async fn transcriptions_live(
        &self,
        req: &TranscriptionRequest,
    ) -> Result<TranscriptionPage, CoreError> {
        let filters = normalize(&req.filters)?;
        let page = clamp_page(req.page);
        if req.customer_id <= 0 {
            return self.transcriptions_cached(req);
        }
        let client = self.client().lane(Lane::Interactive);
        let query = server_query(&filters, req.sort, page);
        let answer = match client.customer_transcripts(req.customer_id, &query).await {
            Ok(answer) => answer,
            Err(e) => {
                tracing::debug!(code = e.code(), "transcriptions answered from the cache");
                return self.transcriptions_from_cache(req, LiveState::from_error(&e));
            }
        };
        let count = answer.raw_len() as u64;
        // A server answering more rows than asked for is not followed past the page.
        let shown = answer.items.len().min(page.limit as usize);
        let mapped = transcription_rows(&answer.items[..shown]);
        for r in &mapped.rejected {
            tracing::warn!(id = ?r.id, reason = %r.reason, "transcription left out");
        }
        let cached = self.read()?.transcriptions(req.customer_id)?.len();
        let total = answer.total.unwrap_or(page.offset + count);
        let locale = crate::format::sys();
        Ok(TranscriptionPage {
            page_text: page_text(locale, page.offset, mapped.rows.len(), total),
            cached_text: locale.count_u64(cached as u64),
            rows: mapped.rows.iter().map(present::view).collect(),
            total,
            offset: page.offset,
            limit: page.limit,
            source: Source::Server,
            as_of: AsOf {
                fetched_at: Some(Utc::now()),
                state: FreshnessState::Fresh,
                unsupported: false,
            },
            cached,
            live: LiveState::default(),
            statuses: status_options(),
            local_only: false,
        })
    }

    fn transcriptions_from_cache(
        &self,
        req: &TranscriptionRequest,
        live: LiveState,
    ) -> Result<TranscriptionPage, CoreError> {
        let filters = normalize(&req.filters)?;
        let page = clamp_page(req.page);
        let scope = Scope::CustomerTab {
            customer_id: req.customer_id,
            tab: Tab::Transcriptions,
        };
        let (all, as_of) = {
            let cache = self.read()?;
            (
                cache.transcriptions(req.customer_id)?,
                as_of(&cache, &scope, None, Utc::now())?,
            )
        };
        let (rows, total) = apply_local(&all, &filters, req.sort, page);
        let locale = crate::format::sys();
        Ok(TranscriptionPage {
            page_text: page_text(locale, page.offset, rows.len(), total),
            cached_text: locale.count_u64(all.len() as u64),
            rows: rows.iter().map(present::view).collect(),
            total,
            offset: page.offset,
            limit: page.limit,
            source: Source::Cache,
            as_of,
            cached: all.len(),
            live,
            statuses: status_options(),
            local_only: req.customer_id <= 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Locale;

    #[test]
    fn the_pager_counts_from_one_and_groups_in_the_locale() {
        let en = Locale::from_tag("en-GB");
        assert_eq!(page_text(&en, 0, 12, 12), "1–12 of 12");
        assert_eq!(page_text(&en, 0, 0, 0), "0–0 of 0");
        assert_eq!(page_text(&en, 1000, 25, 1204), "1,001–1,025 of 1,204");
        let de = Locale::from_tag("de-DE");
        assert_eq!(page_text(&de, 1000, 25, 1204), "1.001–1.025 of 1.204");
    }
}
