use reqwest::Method;

use crate::error::{ApiError, RouteKind};
use crate::models::token::{CreatedToken, CustomerToken, TokenInput};
use crate::transport::Call;
use crate::Client;

const LIST: &str = "/api/v3/reseller/customer/{id}/token";

impl Client {
    /// G5: the customer's tokens, never with their secrets.
    pub async fn customer_tokens(&self, id: i64) -> Result<Vec<CustomerToken>, ApiError> {
        let path = format!("/api/v3/reseller/customer/{id}/token");
        self.fetch_all(Call::get(LIST, path, RouteKind::Gap)).await
    }

    /// G5, answers 201: the secret (`key`) is returned this once. Not re-sent once it may have
    /// reached the server (a second token would be created).
    pub async fn create_customer_token(
        &self,
        id: i64,
        input: &TokenInput,
    ) -> Result<CreatedToken, ApiError> {
        let path = format!("/api/v3/reseller/customer/{id}/token");
        let call = Call::new(Method::POST, LIST, path, RouteKind::Gap).with_json(input)?;
        self.fetch_one(call).await
    }

    /// G5, 204.
    pub async fn revoke_customer_token(&self, id: i64, token_id: i64) -> Result<(), ApiError> {
        let call = Call::new(
            Method::DELETE,
            "/api/v3/reseller/customer/{id}/token/{token_id}",
            format!("/api/v3/reseller/customer/{id}/token/{token_id}"),
            RouteKind::Gap,
        );
        self.send_no_content(call).await
    }
}
