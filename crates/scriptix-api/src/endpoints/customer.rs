use reqwest::Method;

use crate::error::{ApiError, RouteKind};
use crate::models::customer::{Customer, CustomerInput, CustomerQuery};
use crate::page::Page;
use crate::transport::Call;
use crate::Client;

const LIST: &str = "/api/v3/reseller/customer/";
const ONE: &str = "/api/v3/reseller/customer/{id}/";

fn one(method: Method, id: i64) -> Call {
    Call::new(
        method,
        ONE,
        format!("/api/v3/reseller/customer/{id}/"),
        RouteKind::Documented,
    )
}

impl Client {
    /// One page of customers. `q`/`modified_since` (G2) are ignored by a server without them.
    pub async fn list_customers(&self, q: &CustomerQuery) -> Result<Page<Customer>, ApiError> {
        let call =
            Call::get(LIST, LIST.to_string(), RouteKind::Documented).with_query(q.to_pairs());
        self.fetch_page(call).await
    }

    pub async fn get_customer(&self, id: i64) -> Result<Customer, ApiError> {
        self.fetch_one(one(Method::GET, id)).await
    }

    /// Answers 201. Never re-sent once it may have reached the server: after an `Offline`, `Server`
    /// or `Malformed` error the caller looks the customer up (by email) before trying again.
    pub async fn create_customer(&self, input: &CustomerInput) -> Result<Customer, ApiError> {
        let call = Call::new(Method::POST, LIST, LIST.to_string(), RouteKind::Documented)
            .with_json(input)?;
        self.fetch_one(call).await
    }

    /// PUT replaces the whole record (every field is sent); the server answers 201.
    pub async fn update_customer(
        &self,
        id: i64,
        input: &CustomerInput,
    ) -> Result<Customer, ApiError> {
        self.fetch_one(one(Method::PUT, id).with_json(input)?).await
    }

    /// Answers 204. A retry that finds it gone after a lost answer counts as success.
    pub async fn delete_customer(&self, id: i64) -> Result<(), ApiError> {
        self.send_no_content(one(Method::DELETE, id)).await
    }
}
