//! What a queued customer operation carries: the fields, and for edits the server version they
//! were made on (the base), so a replay can merge field by field instead of overwriting.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::cache::{CustomerRow, OutboxKind};

/// A customer's editable fields; the phone in E.164 (or None).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerFields {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub is_active: bool,
}

/// One editable field, by the name the API and the UI use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Name,
    Email,
    Phone,
    IsActive,
}

impl Field {
    pub const ALL: [Field; 4] = [Field::Name, Field::Email, Field::Phone, Field::IsActive];

    pub fn as_str(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::IsActive => "is_active",
        }
    }

    pub fn parse(s: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

impl CustomerFields {
    pub fn of(row: &CustomerRow) -> CustomerFields {
        CustomerFields {
            name: row.name.clone(),
            email: row.email.clone(),
            phone: row.phone.clone(),
            is_active: row.is_active,
        }
    }

    /// One field as JSON (how conflicts store both sides).
    pub fn get(&self, f: Field) -> serde_json::Value {
        match f {
            Field::Name => self.name.clone().into(),
            Field::Email => self.email.clone().into(),
            Field::Phone => self.phone.clone().into(),
            Field::IsActive => self.is_active.into(),
        }
    }

    /// Copies one field from `other`.
    pub fn take(&mut self, f: Field, other: &CustomerFields) {
        match f {
            Field::Name => self.name.clone_from(&other.name),
            Field::Email => self.email.clone_from(&other.email),
            Field::Phone => self.phone.clone_from(&other.phone),
            Field::IsActive => self.is_active = other.is_active,
        }
    }

    pub fn same(&self, other: &CustomerFields, f: Field) -> bool {
        match f {
            Field::Name => self.name == other.name,
            Field::Email => self.email == other.email,
            Field::Phone => self.phone == other.phone,
            Field::IsActive => self.is_active == other.is_active,
        }
    }

    /// A row showing these fields: what a failed or taken-back delete puts back.
    pub fn row(
        &self,
        id: i64,
        registration_date: DateTime<Utc>,
        last_modified: DateTime<Utc>,
        sync_state: crate::cache::SyncState,
    ) -> CustomerRow {
        CustomerRow {
            id,
            name: self.name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            is_active: self.is_active,
            registration_date,
            last_modified,
            sync_state,
        }
    }

    /// Writes the fields onto a row, keeping its id and dates.
    pub fn apply_to(&self, row: &mut CustomerRow) {
        row.name.clone_from(&self.name);
        row.email.clone_from(&self.email);
        row.phone.clone_from(&self.phone);
        row.is_active = self.is_active;
    }
}

/// A queued customer operation, stored as the outbox row's payload (kind = the variant name).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CustomerChange {
    /// A new customer, known locally by a negative id until the server assigns one.
    Create { fields: CustomerFields },
    /// An edit: `mine` made on `base` (the server's fields at the outbox row's
    /// `base_last_modified`; no base time = made on top of an earlier local operation).
    Update {
        base: CustomerFields,
        mine: CustomerFields,
    },
    /// A delete; `base` (and the registration date) is what is put back if the delete fails
    /// or is discarded.
    Delete {
        base: CustomerFields,
        registration_date: DateTime<Utc>,
    },
    /// Re-read the customer from the server and replace the cached row (after a discard: the
    /// server's state is restored when the network allows).
    Refresh,
}

impl CustomerChange {
    pub fn kind(&self) -> OutboxKind {
        match self {
            CustomerChange::Create { .. } => OutboxKind::Create,
            CustomerChange::Update { .. } => OutboxKind::Update,
            CustomerChange::Delete { .. } => OutboxKind::Delete,
            CustomerChange::Refresh => OutboxKind::Refresh,
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a customer change always serialises")
    }

    pub fn from_json(v: &serde_json::Value) -> Result<CustomerChange, String> {
        serde_json::from_value(v.clone()).map_err(|e| format!("unreadable outbox payload: {e}"))
    }
}

/// The customer entity of the outbox (its replay is in `super::replay`).
pub struct Customers;

/// What a customer change is, in words.
pub fn describe(change: &CustomerChange) -> String {
    match change {
        CustomerChange::Create { fields } => format!("Add organisation {}", fields.name),
        CustomerChange::Update { mine, .. } => format!("Edit organisation {}", mine.name),
        CustomerChange::Delete { base, .. } => format!("Delete organisation {}", base.name),
        CustomerChange::Refresh => "Re-read the organisation from the server".into(),
    }
}
