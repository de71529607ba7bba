//! Customers (the reseller's customer organisations), `/api/v3/reseller/customer/`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::list::{Direction, Paging};
use crate::page::{check_opt_text, check_text, Record};
use crate::time::format_timestamp;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    pub id: i64,
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub phone: Option<String>,
    /// Documented default: active.
    #[serde(default = "super::default_true")]
    pub is_active: bool,
    #[serde(with = "crate::time::timestamp")]
    pub registration_date: DateTime<Utc>,
    #[serde(with = "crate::time::timestamp")]
    pub last_modified: DateTime<Utc>,
}

impl Record for Customer {
    fn check(&self) -> Result<(), String> {
        check_text("name", &self.name)?;
        check_text("email", &self.email)?;
        check_opt_text("phone", &self.phone)
    }
}

/// The body of create and update. Every field is always sent: PUT replaces the whole record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerInput {
    pub name: String,
    pub email: String,
    /// E.164 (`+31201234567`) or none.
    pub phone: Option<String>,
    pub is_active: bool,
}

impl CustomerInput {
    pub fn new(name: impl Into<String>, email: impl Into<String>) -> Self {
        CustomerInput {
            name: name.into(),
            email: email.into(),
            phone: None,
            is_active: true,
        }
    }
}

/// Query of the customer list. `q` and `modified_since` are the G2 extension: a server
/// without it ignores them (so the caller must not rely on them narrowing the list).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomerQuery {
    pub limit: Option<u32>,
    pub offset: Option<u64>,
    /// A field of the customer object: `registration_date`, `name`, `last_modified`, ...
    pub sort: Option<String>,
    pub direction: Option<Direction>,
    /// Exact-match `filter=key=value`, ANDed; e.g. `("is_active", "true")`.
    pub filters: Vec<(String, String)>,
    pub q: Option<String>,
    pub modified_since: Option<DateTime<Utc>>,
}

impl CustomerQuery {
    pub(crate) fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        Paging {
            limit: self.limit,
            offset: self.offset,
            sort: self.sort.as_deref(),
            direction: self.direction,
            filters: &self.filters,
        }
        .push_pairs(&mut out);
        if let Some(q) = self.q.as_deref().filter(|q| !q.is_empty()) {
            out.push(("q", q.to_string()));
        }
        if let Some(since) = &self.modified_since {
            out.push(("modified_since", format_timestamp(since)));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::parse_one;

    /// The create example of contract 3.1, request and answer.
    #[test]
    fn contract_create_example() {
        let input = CustomerInput {
            name: "Voorbeeld BV".into(),
            email: "it@voorbeeld.nl".into(),
            phone: Some("+31 20 1234567".into()),
            is_active: true,
        };
        let sent = serde_json::to_value(&input).unwrap();
        assert_eq!(sent["name"], "Voorbeeld BV");
        assert_eq!(sent["phone"], "+31 20 1234567");
        assert_eq!(sent["is_active"], true);

        let answer = br#"{"result": {"id": 42, "name": "Voorbeeld BV", "email": "it@voorbeeld.nl", "phone": "+31 20 1234567",
            "is_active": true, "registration_date": "2025-03-01T09:00:00.000000+00:00",
            "last_modified": "2025-03-01T09:00:00.000000+00:00"},
 "count": 1, "total_results": 1}"#;
        let c: Customer = parse_one(answer).unwrap();
        assert_eq!(c.id, 42);
        assert_eq!(c.email, "it@voorbeeld.nl");
        assert_eq!(c.phone.as_deref(), Some("+31 20 1234567"));
        assert!(c.is_active);
        assert_eq!(
            c.registration_date.to_rfc3339(),
            "2025-03-01T09:00:00+00:00"
        );
    }

    #[test]
    fn a_cleared_phone_is_sent_as_null() {
        let sent = serde_json::to_value(CustomerInput::new("A", "a@b.nl")).unwrap();
        assert!(sent["phone"].is_null());
    }

    #[test]
    fn gen_b_timestamps_and_null_phone() {
        let c: Customer = serde_json::from_str(
            r#"{"id": 1, "name": "N", "email": "e@x.nl", "phone": null, "is_active": false,
               "registration_date": "2025-01-25T10:31:46.960Z", "last_modified": "2025-01-17T10:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(c.phone, None);
        assert!(!c.is_active);
    }

    #[test]
    fn query_pairs() {
        let q = CustomerQuery {
            limit: Some(1000),
            offset: Some(2000),
            sort: Some("last_modified".into()),
            direction: Some(Direction::Desc),
            filters: vec![
                ("is_active".into(), "true".into()),
                ("name".into(), "A=B".into()),
            ],
            q: Some("acme".into()),
            modified_since: crate::time::parse_timestamp("2025-01-17T10:00:00Z"),
        };
        let pairs = q.to_pairs();
        let expect: Vec<(&str, String)> = vec![
            ("limit", "1000".into()),
            ("offset", "2000".into()),
            ("sort", "last_modified".into()),
            ("direction", "desc".into()),
            ("filter", "is_active=true".into()),
            ("filter", "name=A=B".into()),
            ("q", "acme".into()),
            ("modified_since", "2025-01-17T10:00:00.000000+00:00".into()),
        ];
        assert_eq!(pairs, expect);
        assert!(CustomerQuery::default().to_pairs().is_empty());
    }
}
