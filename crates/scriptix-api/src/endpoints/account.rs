use crate::error::{ApiError, RouteKind};
use crate::models::account::Account;
use crate::transport::Call;
use crate::Client;

impl Client {
    /// G1: who the token belongs to. `NotSupported` on a server without the endpoint.
    pub async fn account_me(&self) -> Result<Account, ApiError> {
        let path = "/api/v3/account/me";
        self.fetch_one(Call::get(path, path.to_string(), RouteKind::Gap))
            .await
    }
}
