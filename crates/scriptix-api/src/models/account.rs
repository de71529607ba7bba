//! G1 `/api/v3/account/me`: who the caller is.

use serde::{Deserialize, Serialize};

use crate::page::{check_opt_text, check_text, check_texts, Record};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: i64,
    pub email: String,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub organization: Option<Organization>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    pub id: i64,
    pub name: String,
    #[serde(default)]
    pub is_reseller: bool,
    #[serde(default = "super::default_true")]
    pub is_active: bool,
}

impl Account {
    /// Reseller features need the RESELLER role or a reseller organisation (contract decision 8).
    pub fn is_reseller(&self) -> bool {
        self.roles
            .iter()
            .any(|r| r.eq_ignore_ascii_case("RESELLER"))
            || self.organization.as_ref().is_some_and(|o| o.is_reseller)
    }

    /// "First Last", or the email when the account has no name.
    pub fn display_name(&self) -> String {
        let parts: Vec<&str> = [&self.first_name, &self.last_name]
            .into_iter()
            .filter_map(|p| p.as_deref().map(str::trim))
            .filter(|p| !p.is_empty())
            .collect();
        if parts.is_empty() {
            self.email.clone()
        } else {
            parts.join(" ")
        }
    }
}

impl Record for Account {
    fn check(&self) -> Result<(), String> {
        check_text("email", &self.email)?;
        check_opt_text("first_name", &self.first_name)?;
        check_opt_text("last_name", &self.last_name)?;
        check_texts("roles", &self.roles)?;
        if let Some(org) = &self.organization {
            check_text("organization.name", &org.name)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reseller_and_resellee() {
        let reseller: Account = serde_json::from_str(
            r#"{"id": 1, "email": "ops@northwind.example", "first_name": "Ada", "last_name": "Lovelace",
                "roles": ["RESELLER", "ORGADMIN"],
                "organization": {"id": 9, "name": "Northwind Speech Partners", "is_reseller": true, "is_active": true}}"#,
        )
        .unwrap();
        assert!(reseller.is_reseller());
        assert_eq!(reseller.display_name(), "Ada Lovelace");

        let resellee: Account = serde_json::from_str(
            r#"{"id": 2, "email": "x@y.example", "first_name": null, "last_name": " ",
                "roles": ["RESELLEE", "CONTRIBUTOR"],
                "organization": {"id": 10, "name": "Acme", "is_reseller": false, "is_active": true}}"#,
        )
        .unwrap();
        assert!(!resellee.is_reseller());
        assert_eq!(resellee.display_name(), "x@y.example");

        let by_org: Account = serde_json::from_str(
            r#"{"id": 3, "email": "a@b.example", "organization": {"id": 1, "name": "R", "is_reseller": true}}"#,
        )
        .unwrap();
        assert!(by_org.is_reseller());
        assert!(by_org.roles.is_empty());
    }
}
