//! G5 API tokens of a customer.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::open_enum;
use crate::page::{check_text, Record};

open_enum! {
    TokenType { Batch => "batch", Realtime => "realtime" }
}

/// A token as listed: never with its secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerToken {
    pub id: i64,
    pub name: String,
    #[serde(rename = "type")]
    pub token_type: TokenType,
    #[serde(with = "crate::time::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(default, with = "crate::time::timestamp_opt")]
    pub expires_at: Option<DateTime<Utc>>,
}

impl Record for CustomerToken {
    fn check(&self) -> Result<(), String> {
        check_text("name", &self.name)?;
        check_text("type", self.token_type.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInput {
    pub name: String,
    #[serde(rename = "type")]
    pub token_type: TokenType,
    /// 1, 2 or 5.
    pub expires_in_years: u8,
}

/// A newly created token with its secret, which the server shows this once.
/// `Debug` does not show the secret.
#[derive(Clone, PartialEq, Deserialize)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub token: CustomerToken,
    pub key: String,
}

impl fmt::Debug for CreatedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreatedToken")
            .field("token", &self.token)
            .field("key", &"<redacted>")
            .finish()
    }
}

impl Record for CreatedToken {
    fn check(&self) -> Result<(), String> {
        self.token.check()?;
        if self.key.is_empty() {
            return Err("the new token has an empty key".into());
        }
        check_text("key", &self.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::{parse_one, parse_page};
    use crate::page::Page;

    #[test]
    fn created_token_keeps_its_secret_out_of_debug() {
        let t: CreatedToken = parse_one(
            br#"{"result": {"id": 5, "name": "CI", "type": "batch", "created_at": "2025-01-17T10:00:00Z",
                "expires_at": "2026-01-17T10:00:00Z", "key": "sk_batch_supersecret"}, "count": 1, "total_results": 1}"#,
        )
        .unwrap();
        assert_eq!(t.key, "sk_batch_supersecret");
        assert_eq!(t.token.token_type, TokenType::Batch);
        let shown = format!("{t:?}");
        assert!(!shown.contains("supersecret"), "{shown}");
        assert!(parse_one::<CreatedToken>(
            br#"{"id": 5, "name": "CI", "type": "batch", "created_at": "2025-01-17T10:00:00Z"}"#
        )
        .is_err());
    }

    #[test]
    fn listed_tokens_with_unknown_type() {
        let page: Page<CustomerToken> = parse_page(
            br#"{"result": [
                {"id": 1, "name": "a", "type": "realtime", "created_at": "2025-01-17T10:00:00Z", "expires_at": null},
                {"id": 2, "name": "b", "type": "live", "created_at": "2025-01-17T10:00:00Z"}],
                "count": 2, "total_results": 2}"#,
        )
        .unwrap();
        assert_eq!(page.items[0].token_type, TokenType::Realtime);
        assert_eq!(page.items[1].token_type, TokenType::Other("live".into()));
    }

    #[test]
    fn input_uses_the_wire_names() {
        let v = serde_json::to_value(TokenInput {
            name: "CI".into(),
            token_type: TokenType::Realtime,
            expires_in_years: 2,
        })
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!({"name": "CI", "type": "realtime", "expires_in_years": 2})
        );
    }
}
