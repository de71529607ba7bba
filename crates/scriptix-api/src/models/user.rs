//! G6 users of a customer organisation.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::page::{check_opt_text, check_text, check_texts, Record};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerUser {
    pub id: i64,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    pub email: String,
    #[serde(default = "super::default_true")]
    pub is_active: bool,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default, with = "crate::time::timestamp_opt")]
    pub last_login: Option<DateTime<Utc>>,
    #[serde(default, with = "crate::time::timestamp_opt")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, with = "crate::time::timestamp_opt")]
    pub reactivation_sent_at: Option<DateTime<Utc>>,
}

impl Record for CustomerUser {
    fn check(&self) -> Result<(), String> {
        check_text("email", &self.email)?;
        check_opt_text("first_name", &self.first_name)?;
        check_opt_text("last_name", &self.last_name)?;
        check_texts("roles", &self.roles)
    }
}

/// A new user. Roles: at least one of ORGADMIN, CONTRIBUTOR, CUSTOMER, DEVELOPER, RESELLEE.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserInput {
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub roles: Vec<String>,
}

/// A changed user: the whole record, as PUT replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserUpdate {
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub roles: Vec<String>,
    pub is_active: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::parse_page;
    use crate::page::Page;

    #[test]
    fn g6_shape() {
        let page: Page<CustomerUser> = parse_page(
            br#"{"result": [
              {"id": 1, "first_name": null, "last_name": null, "email": "a@b.nl", "is_active": true,
               "roles": ["ORGADMIN"], "last_login": null, "created_at": "2021-01-25T10:31:46.960411+00:00",
               "reactivation_sent_at": null},
              {"id": 2, "first_name": "Jan", "last_name": "Jansen", "email": "j@b.nl", "is_active": false,
               "roles": ["CONTRIBUTOR", "DEVELOPER"], "last_login": "2025-01-17T10:00:00Z",
               "created_at": "2025-01-17T10:00:00Z", "reactivation_sent_at": "2025-01-18T10:00:00Z"}],
              "count": 2, "total_results": 2}"#,
        )
        .unwrap();
        assert!(page.rejected.is_empty());
        assert_eq!(page.items[1].roles, vec!["CONTRIBUTOR", "DEVELOPER"]);
        assert!(page.items[1].reactivation_sent_at.is_some());
    }
}
