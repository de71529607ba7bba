use reqwest::Method;

use crate::error::{ApiError, RouteKind};
use crate::models::subscription::{Plan, Subscription, SubscriptionInput};
use crate::transport::Call;
use crate::Client;

const LIST: &str = "/api/v3/reseller/customer/{id}/subscription";

#[derive(serde::Serialize)]
struct AutoRenew {
    auto_renew: bool,
}

impl Client {
    /// G3: every subscription of a customer.
    pub async fn customer_subscriptions(&self, id: i64) -> Result<Vec<Subscription>, ApiError> {
        let path = format!("/api/v3/reseller/customer/{id}/subscription");
        self.fetch_all(Call::get(LIST, path, RouteKind::Gap)).await
    }

    /// G3, answers 201. Not re-sent once it may have reached the server.
    pub async fn create_subscription(
        &self,
        id: i64,
        input: &SubscriptionInput,
    ) -> Result<Subscription, ApiError> {
        let path = format!("/api/v3/reseller/customer/{id}/subscription");
        let call = Call::new(Method::POST, LIST, path, RouteKind::Gap).with_json(input)?;
        self.fetch_one(call).await
    }

    /// G3, PUT `{auto_renew}`, 201.
    pub async fn set_subscription_auto_renew(
        &self,
        id: i64,
        sub_id: i64,
        auto_renew: bool,
    ) -> Result<Subscription, ApiError> {
        let call = Call::new(
            Method::PUT,
            "/api/v3/reseller/customer/{id}/subscription/{sub_id}",
            format!("/api/v3/reseller/customer/{id}/subscription/{sub_id}"),
            RouteKind::Gap,
        )
        .with_json(&AutoRenew { auto_renew })?;
        self.fetch_one(call).await
    }

    /// G3: the plans a customer can subscribe to.
    pub async fn plans(&self) -> Result<Vec<Plan>, ApiError> {
        let path = "/api/v3/reseller/plan";
        self.fetch_all(Call::get(path, path.to_string(), RouteKind::Gap))
            .await
    }
}
