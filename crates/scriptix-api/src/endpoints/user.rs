use reqwest::Method;

use crate::error::{ApiError, RouteKind};
use crate::models::user::{CustomerUser, UserInput, UserUpdate};
use crate::transport::Call;
use crate::Client;

const LIST: &str = "/api/v3/reseller/customer/{id}/user";
const ONE: &str = "/api/v3/reseller/customer/{id}/user/{user_id}";

fn one(method: Method, id: i64, user_id: i64) -> Call {
    Call::new(
        method,
        ONE,
        format!("/api/v3/reseller/customer/{id}/user/{user_id}"),
        RouteKind::Gap,
    )
}

impl Client {
    /// G6: every user of a customer organisation.
    pub async fn customer_users(&self, id: i64) -> Result<Vec<CustomerUser>, ApiError> {
        let path = format!("/api/v3/reseller/customer/{id}/user");
        self.fetch_all(Call::get(LIST, path, RouteKind::Gap)).await
    }

    /// G6, answers 201. Not re-sent once it may have reached the server.
    pub async fn create_customer_user(
        &self,
        id: i64,
        input: &UserInput,
    ) -> Result<CustomerUser, ApiError> {
        let path = format!("/api/v3/reseller/customer/{id}/user");
        let call = Call::new(Method::POST, LIST, path, RouteKind::Gap).with_json(input)?;
        self.fetch_one(call).await
    }

    /// G6, PUT of the whole user, 201.
    pub async fn update_customer_user(
        &self,
        id: i64,
        user_id: i64,
        input: &UserUpdate,
    ) -> Result<CustomerUser, ApiError> {
        self.fetch_one(one(Method::PUT, id, user_id).with_json(input)?)
            .await
    }

    /// G6, 204.
    pub async fn delete_customer_user(&self, id: i64, user_id: i64) -> Result<(), ApiError> {
        self.send_no_content(one(Method::DELETE, id, user_id)).await
    }

    /// G6, 204: sends the user a reactivation link.
    pub async fn reactivate_customer_user(&self, id: i64, user_id: i64) -> Result<(), ApiError> {
        let call = Call::new(
            Method::POST,
            "/api/v3/reseller/customer/{id}/user/{user_id}/reactivate",
            format!("/api/v3/reseller/customer/{id}/user/{user_id}/reactivate"),
            RouteKind::Gap,
        );
        self.send_no_content(call).await
    }
}
