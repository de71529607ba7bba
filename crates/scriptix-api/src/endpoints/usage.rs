use crate::error::{ApiError, RouteKind};
use crate::models::list::DateRange;
use crate::models::usage::{UsageQuery, UsageRow, UsageSummary};
use crate::page::Page;
use crate::transport::Call;
use crate::Client;

impl Client {
    /// Documented; `date_from`/`date_to` are the G4 extension (ignored by a server without it).
    pub async fn customer_usage(
        &self,
        id: i64,
        q: &UsageQuery,
    ) -> Result<Page<UsageRow>, ApiError> {
        let call = Call::get(
            "/api/v3/reseller/customer/{id}/usage",
            format!("/api/v3/reseller/customer/{id}/usage"),
            RouteKind::Documented,
        )
        .with_query(q.to_pairs());
        self.fetch_page(call).await
    }

    /// G4.
    pub async fn customer_usage_summary(
        &self,
        id: i64,
        range: &DateRange,
    ) -> Result<UsageSummary, ApiError> {
        let mut query = Vec::new();
        range.push_pairs(&mut query);
        let call = Call::get(
            "/api/v3/reseller/customer/{id}/usage/summary",
            format!("/api/v3/reseller/customer/{id}/usage/summary"),
            RouteKind::Gap,
        )
        .with_query(query);
        self.fetch_one(call).await
    }
}
