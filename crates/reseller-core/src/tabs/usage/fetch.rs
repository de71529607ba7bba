//! Fetching one usage query: its rows, page by page (a year by day split by token can pass the
//! 1000 rows a page holds), and the range's summary unless the server is known not to offer it.
//! No cache access here: the caller writes what came back, so the lock is never held across an
//! await.

use scriptix_api::{ApiError, Client, DateRange, UsageQuery};

use super::range::DateSpan;
use crate::cache::{UsageRow, UsageSummaryRow};
use crate::remote::detail_map::{usage_rows, usage_summary_row};

/// Rows per request: the most a page may hold.
pub const PAGE_LIMIT: u32 = 1000;

/// Pages read at most (20 000 rows): a server that ignores `offset` stops here.
pub const MAX_PAGES: usize = 20;

pub enum SummaryAnswer {
    Fetched(UsageSummaryRow),
    /// The server answered "not supported" just now.
    Unsupported,
    /// Not asked (known missing).
    Skipped,
}

pub struct Fetched {
    pub rows: Vec<UsageRow>,
    /// Records the client could not read (left out, logged).
    pub unreadable: usize,
    /// Stopped at `MAX_PAGES` with more to come.
    pub truncated: bool,
    pub summary: SummaryAnswer,
}

/// Every row of `query` (its paging is set here) and the summary of `span`.
pub async fn fetch(
    client: &Client,
    customer_id: i64,
    query: &UsageQuery,
    span: DateSpan,
    ask_summary: bool,
) -> Result<Fetched, ApiError> {
    let mut items = Vec::new();
    let mut unreadable = 0;
    let mut offset: u64 = 0;
    let mut truncated = true;
    for _ in 0..MAX_PAGES {
        let page_query = UsageQuery {
            limit: Some(PAGE_LIMIT),
            offset: Some(offset).filter(|o| *o > 0),
            ..query.clone()
        };
        let page = client.customer_usage(customer_id, &page_query).await?;
        for r in &page.rejected {
            tracing::warn!(customer_id, index = offset as usize + r.index, reason = %r.reason,
                "unreadable usage row left out");
        }
        unreadable += page.rejected.len();
        let n = page.raw_len() as u64;
        items.extend(page.items);
        offset += n;
        if n < u64::from(PAGE_LIMIT) || page.total.is_some_and(|t| offset >= t) {
            truncated = false;
            break;
        }
    }
    // Rows first: a documented route, so when it answered, the customer exists and a 404 from
    // the summary means the server lacks the endpoint.
    let summary = if !ask_summary {
        SummaryAnswer::Skipped
    } else {
        match client
            .customer_usage_summary(customer_id, &DateRange::new(span.from, span.to))
            .await
        {
            Ok(s) => SummaryAnswer::Fetched(usage_summary_row(&s)),
            Err(ApiError::NotSupported { .. }) => SummaryAnswer::Unsupported,
            Err(e) => return Err(e),
        }
    };
    Ok(Fetched {
        rows: usage_rows(&items, span.from, span.to),
        unreadable,
        truncated,
        summary,
    })
}
