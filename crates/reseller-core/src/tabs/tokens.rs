//! The Tokens tab: a customer's API tokens (metadata only: a secret never enters the cache),
//! creating one and revoking one.
//!
//! Creating is deliberately not queued: the secret exists only in the server's answer, shown
//! once and never stored, so a create queued offline could only end with a secret nobody can
//! see. It is sent at once in the interactive lane and needs the network; the answer's
//! metadata goes into the cache, its secret only back to the caller. Revoking goes through the
//! outbox (entity `customer_token`, `entity_id` the customer) like every other change. A create
//! is logged (the activity log, `crate::cache::activity`) with its name and type and the server's answer, never its key.

use std::fmt;

use chrono::Utc;
use scriptix_api::{ApiError, Lane, TokenInput, TokenType};
use serde::{Deserialize, Serialize};

use super::{as_of, AsOf};
use crate::cache::freshness::GapFeature;
use crate::cache::{
    ActivityOutcome, Cache, CacheResult, NewActivity, OutboxEntity, OutboxKind, OutboxOp, Scope,
    Tab, TokenRow,
};
use crate::context::Context;
use crate::outbox::{
    ops_of, refused, server_rows, set_server_rows, shown_rows, Marked, RefusedOp, RowMark,
    ShownRows,
};
use crate::validation::FieldError;
use crate::CoreError;

/// Longest token name the server takes.
pub const TOKEN_NAME_MAX_CHARS: usize = 100;

/// A queued token change (the outbox payload; `kind` is `revoke`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum TokenChange {
    Revoke { token_id: i64, name: String },
}

impl TokenChange {
    pub fn kind(&self) -> OutboxKind {
        match self {
            TokenChange::Revoke { .. } => OutboxKind::Revoke,
        }
    }

    pub fn from_op(op: &OutboxOp) -> Result<TokenChange, serde_json::Error> {
        serde_json::from_value(op.payload.clone())
    }
}

/// A token as the tab shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenItem {
    #[serde(flatten)]
    pub row: TokenRow,
    pub mark: Option<RowMark>,
    /// `token_type` as the user reads it ("Batch", "Realtime").
    pub token_type_label: String,
    /// The dates as the tab shows them, in the system's locale (`crate::format`): the day
    /// ("1 Nov 2026"; "Never" for no expiry) and, for a tooltip, the day and time ("" for none).
    pub created_text: String,
    pub created_title: String,
    pub expires_text: String,
    pub expires_title: String,
}

/// A token type as the tab names it (an unknown one as it came).
pub fn token_type_label(v: &str) -> String {
    match v {
        "batch" => "Batch".into(),
        "realtime" => "Realtime".into(),
        other => other.into(),
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokensTab {
    pub rows: Vec<TokenItem>,
    pub refused: Vec<RefusedOp>,
    pub as_of: AsOf,
}

/// The create form as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenForm {
    pub name: String,
    /// batch | realtime
    pub token_type: String,
    pub expires_in_years: u8,
}

/// A token just created, with its secret: for the one dialog that shows it, never stored.
/// `Debug` does not show the secret.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewToken {
    pub token: TokenRow,
    pub secret: String,
}

impl fmt::Debug for NewToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewToken")
            .field("token", &self.token)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// Every problem with the form, per field.
pub fn validate_token(form: &TokenForm) -> Result<TokenInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = form.name.trim();
    if name.is_empty() {
        errors.push(FieldError {
            field: "name",
            message: "Give the token a name.".into(),
        });
    } else if name.chars().count() > TOKEN_NAME_MAX_CHARS {
        errors.push(FieldError {
            field: "name",
            message: format!("The name is too long: at most {TOKEN_NAME_MAX_CHARS} characters."),
        });
    }
    let token_type = match form.token_type.as_str() {
        "batch" => Some(TokenType::Batch),
        "realtime" => Some(TokenType::Realtime),
        _ => {
            errors.push(FieldError {
                field: "tokenType",
                message: "Choose batch or realtime.".into(),
            });
            None
        }
    };
    if ![1, 2, 5].contains(&form.expires_in_years) {
        errors.push(FieldError {
            field: "expiresInYears",
            message: "A token expires after 1, 2 or 5 years.".into(),
        });
    }
    match token_type {
        Some(token_type) if errors.is_empty() => Ok(TokenInput {
            name: name.to_string(),
            token_type,
            expires_in_years: form.expires_in_years,
        }),
        _ => Err(errors),
    }
}

/// The tokens as they show: a queued revoke marks its token (it stays listed until the server
/// has revoked it).
pub fn apply_revokes(server: Vec<TokenRow>, ops: &[OutboxOp]) -> Vec<Marked<TokenRow>> {
    let mut rows: Vec<Marked<TokenRow>> = server.into_iter().map(|r| (r, Vec::new())).collect();
    for op in ops {
        let Ok(TokenChange::Revoke { token_id, .. }) = TokenChange::from_op(op) else {
            continue;
        };
        if let Some((_, marks)) = rows.iter_mut().find(|(r, _)| r.id == token_id) {
            marks.push(op.op_id);
        }
    }
    rows
}

/// The tab's items: the shown rows with their marks read from `ops`.
pub fn items(rows: Vec<Marked<TokenRow>>, ops: &[OutboxOp]) -> Vec<TokenItem> {
    let locale = crate::format::sys();
    rows.into_iter()
        .map(|(row, op_ids)| TokenItem {
            token_type_label: token_type_label(&row.token_type),
            mark: RowMark::of_ops(&op_ids, ops),
            created_text: locale.date_of(row.created_at),
            created_title: locale.date_time(row.created_at),
            expires_text: row
                .expires_at
                .map_or_else(|| "Never".into(), |t| locale.date_of(t)),
            expires_title: row
                .expires_at
                .map(|t| locale.date_time(t))
                .unwrap_or_default(),
            row,
        })
        .collect()
}

/// What a token change is, in words.
pub fn describe(change: &TokenChange) -> String {
    match change {
        TokenChange::Revoke { name, .. } => format!("Revoke token \u{201c}{name}\u{201d}"),
    }
}

/// The customer token entity of the outbox (its replay is in `tokens_replay`).
pub struct Tokens;

impl ShownRows for Tokens {
    type Row = TokenRow;

    fn row_id(row: &TokenRow) -> i64 {
        row.id
    }

    fn load(cache: &Cache, scope: i64) -> CacheResult<Vec<TokenRow>> {
        cache.tokens(scope)
    }

    fn store(cache: &Cache, scope: i64, rows: &[TokenRow]) -> CacheResult<()> {
        // A customer gone from the cache has no rows (they went with it).
        if cache.get_customer(scope)?.is_none() {
            return Ok(());
        }
        cache.replace_tokens(scope, rows)
    }

    fn apply(
        _: &Cache,
        server: Vec<TokenRow>,
        ops: &[OutboxOp],
    ) -> CacheResult<Vec<Marked<TokenRow>>> {
        Ok(apply_revokes(server, ops))
    }
}

impl Context {
    pub fn tokens_tab(&self, customer_id: i64) -> Result<TokensTab, CoreError> {
        let now = Utc::now();
        let cache = self.read()?;
        let ops = ops_of(&cache, OutboxEntity::CustomerToken, customer_id)?;
        let scope = Scope::CustomerTab {
            customer_id,
            tab: Tab::Tokens,
        };
        Ok(TokensTab {
            rows: items(shown_rows::<Tokens>(&cache, customer_id)?, &ops),
            refused: refused::<Tokens>(&ops),
            as_of: as_of(&cache, &scope, Some(GapFeature::Tokens), now)?,
        })
    }

    /// Creates a token now (not queued: see the module doc). Offline this fails with the
    /// `offline` code and nothing is created.
    pub async fn create_token(
        &self,
        customer_id: i64,
        form: &TokenForm,
    ) -> Result<NewToken, CoreError> {
        crate::outbox::require_server_id(customer_id)?;
        let input = validate_token(form).map_err(|errors| CoreError::Invalid { errors })?;
        let client = self.client().lane(Lane::Interactive);
        let made_at = Utc::now();
        // The log keeps what was asked for and how the server answered; never the key.
        let log = |outcome, answer: Option<String>| -> Result<(), CoreError> {
            self.write()?.record_activity(&NewActivity {
                entity: OutboxEntity::CustomerToken,
                entity_id: customer_id,
                kind: OutboxKind::Create,
                payload: serde_json::json!({
                    "name": input.name,
                    "tokenType": input.token_type.as_str(),
                    "expiresInYears": input.expires_in_years,
                }),
                made_at,
                outcome,
                answer,
                answered_at: Utc::now(),
            })?;
            Ok(())
        };
        let created = match client.create_customer_token(customer_id, &input).await {
            Ok(c) => c,
            Err(ApiError::Offline { .. }) => {
                return Err(CoreError::Busy {
                    message: "Creating a token needs a connection to Scriptix: its secret is shown only once, when it is made. Try again when you are online.".into(),
                })
            }
            Err(e) => {
                if let crate::remote::Outcome::Refused(reason) = crate::remote::classify(e.clone()) {
                    log(ActivityOutcome::Refused, Some(reason))?;
                }
                return Err(e.into());
            }
        };
        log(ActivityOutcome::Sent, None)?;
        let row = TokenRow {
            id: created.token.id,
            name: created.token.name.clone(),
            token_type: created.token.token_type.as_str().to_string(),
            created_at: created.token.created_at,
            expires_at: created.token.expires_at,
        };
        {
            let cache = self.write()?;
            if cache.get_customer(customer_id)?.is_some() {
                let mut rows = server_rows::<Tokens>(&cache, customer_id)?;
                rows.retain(|r| r.id != row.id);
                rows.push(row.clone());
                set_server_rows::<Tokens>(&cache, customer_id, rows)?;
            }
        }
        Ok(NewToken {
            token: row,
            secret: created.key,
        })
    }

    /// Queues revoking a token.
    pub fn revoke_token(&self, customer_id: i64, token_id: i64) -> Result<(), CoreError> {
        crate::outbox::require_server_id(customer_id)?;
        let name = {
            let cache = self.read()?;
            let ops = ops_of(&cache, OutboxEntity::CustomerToken, customer_id)?;
            if ops.iter().any(|o| {
                matches!(TokenChange::from_op(o), Ok(TokenChange::Revoke { token_id: t, .. }) if t == token_id)
            }) {
                return Ok(()); // already queued
            }
            cache
                .tokens(customer_id)?
                .into_iter()
                .find(|t| t.id == token_id)
                .map(|t| t.name)
                .ok_or_else(|| CoreError::NotFound {
                    what: "This token".into(),
                })?
        };
        self.queue_scoped::<Tokens>(customer_id, &TokenChange::Revoke { token_id, name })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::fixtures::token;
    use crate::cache::OutboxState;
    use crate::outbox::MarkState;
    use chrono::TimeZone;

    #[test]
    fn a_queued_revoke_marks_its_token() {
        let change = TokenChange::Revoke {
            token_id: 2,
            name: "t2".into(),
        };
        let op = OutboxOp {
            op_id: 4,
            entity: OutboxEntity::CustomerToken,
            entity_id: 9,
            kind: OutboxKind::Revoke,
            payload: serde_json::to_value(&change).unwrap(),
            base_last_modified: None,
            attempts: 1,
            state: OutboxState::InFlight,
            last_error: None,
            created_at: Utc.timestamp_opt(1_700_000_000, 0).unwrap(),
            batch_id: None,
        };
        let ops = std::slice::from_ref(&op);
        let items = items(apply_revokes(vec![token(1), token(2)], ops), ops);
        assert_eq!(items[0].mark, None);
        let mark = items[1].mark.as_ref().unwrap();
        assert_eq!((mark.op_id, mark.state), (4, MarkState::Pending));
        assert_eq!(mark.kind, OutboxKind::Revoke);
        assert_eq!(
            describe(&TokenChange::from_op(&op).unwrap()),
            "Revoke token \u{201c}t2\u{201d}"
        );
    }

    #[test]
    fn the_form_is_checked_field_by_field() {
        let errors = validate_token(&TokenForm {
            name: "  ".into(),
            token_type: "live".into(),
            expires_in_years: 3,
        })
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["name", "tokenType", "expiresInYears"]);
        let ok = validate_token(&TokenForm {
            name: " CI ".into(),
            token_type: "realtime".into(),
            expires_in_years: 5,
        })
        .unwrap();
        assert_eq!(ok.name, "CI");
        assert_eq!(ok.token_type, TokenType::Realtime);
    }

    #[test]
    fn a_new_tokens_debug_hides_its_secret() {
        let t = NewToken {
            token: token(1),
            secret: "sxk_batch_topsecret".into(),
        };
        assert!(!format!("{t:?}").contains("topsecret"));
    }
}
