use crate::error::{ApiError, RouteKind};
use crate::models::dashboard::Dashboard;
use crate::models::list::DateRange;
use crate::transport::Call;
use crate::Client;

impl Client {
    /// G8: the cross-customer dashboard (server default range: this month).
    pub async fn dashboard(&self, range: &DateRange) -> Result<Dashboard, ApiError> {
        let path = "/api/v3/reseller/dashboard";
        let mut query = Vec::new();
        range.push_pairs(&mut query);
        self.fetch_one(Call::get(path, path.to_string(), RouteKind::Gap).with_query(query))
            .await
    }
}
