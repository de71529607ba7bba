//! A customer as the screens show it: list rows and windows, the organisation page with its
//! refusal and conflicts, each value display-ready (phones formatted, field names and values
//! in the user's words).

use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::cache::{CustomerRow, SortColumn, SortDirection};

/// One window of the customer list, as a virtualised list asks for it.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListRequest {
    #[serde(default)]
    pub search: String,
    /// None: all; Some(true): active only; Some(false): inactive only.
    #[serde(default)]
    pub status: Option<bool>,
    pub sort: SortColumn,
    pub direction: SortDirection,
    /// The first row wanted.
    pub offset: u64,
    pub limit: usize,
}

/// A customer as the UI shows it (list rows, the organisation page, the answer to a write): the
/// cached customer and its phone as the user reads it, formatted here so the UI holds no rule;
/// its registration date too (`registrationDateText`, and `registrationDateTitle` with the
/// time), in the system's locale (`crate::format`). Serialised camelCase (IPC only);
/// `CustomerRow` keeps its own serde names.
#[derive(Clone, Debug)]
pub struct ListRow {
    pub customer: CustomerRow,
    /// International format ("+31 20 123 4567") of `phone`.
    pub phone_display: Option<String>,
}

impl Serialize for ListRow {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Shown<'a> {
            id: i64,
            name: &'a str,
            email: &'a str,
            phone: Option<&'a str>,
            phone_display: Option<&'a str>,
            is_active: bool,
            registration_date: &'a chrono::DateTime<Utc>,
            registration_date_text: String,
            registration_date_title: String,
            last_modified: &'a chrono::DateTime<Utc>,
            sync_state: crate::cache::SyncState,
        }
        let c = &self.customer;
        let locale = crate::format::sys();
        Shown {
            id: c.id,
            name: &c.name,
            email: &c.email,
            phone: c.phone.as_deref(),
            phone_display: self.phone_display.as_deref(),
            is_active: c.is_active,
            registration_date: &c.registration_date,
            registration_date_text: locale.date_of(c.registration_date),
            registration_date_title: locale.date_time(c.registration_date),
            last_modified: &c.last_modified,
            sync_state: c.sync_state,
        }
        .serialize(s)
    }
}

impl ListRow {
    pub(crate) fn all(rows: Vec<CustomerRow>) -> Vec<ListRow> {
        let phones: Vec<Option<&str>> = rows.iter().map(|r| r.phone.as_deref()).collect();
        let shown = crate::phone_display::international_all(&phones);
        rows.into_iter()
            .zip(shown)
            .map(|(customer, phone_display)| ListRow {
                customer,
                phone_display,
            })
            .collect()
    }

    /// One customer with its phone as shown.
    pub fn one(customer: CustomerRow) -> ListRow {
        let phone_display = crate::phone_display::international_all(&[customer.phone.as_deref()])
            .pop()
            .flatten();
        ListRow {
            customer,
            phone_display,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListWindow {
    pub offset: u64,
    pub rows: Vec<ListRow>,
    /// Rows the whole list has (exact when `exact`; a search counts at most `MAX_COUNTED`).
    pub total: u64,
    pub exact: bool,
    /// `total` as the list's count line says it ("1,234 organisations": [`count_text`]).
    pub total_text: String,
}

/// The list's count line: "No organisations", "1 organisation", "1,234 organisations", "More
/// than 100,000 organisations" (a search counted up to `MAX_COUNTED`).
pub fn count_text(locale: &crate::format::Locale, total: u64, exact: bool) -> String {
    if !exact {
        return format!(
            "More than {}",
            locale.count_of(total, "organisations", "organisations")
        );
    }
    if total == 0 {
        return "No organisations".into();
    }
    locale.count_of(total, "organisation", "organisations")
}

/// Search matches counted before the list says "more than".
pub const MAX_COUNTED: u64 = 100_000;

/// Longest window a list may ask for at once.
pub const MAX_WINDOW: usize = 500;

/// A customer with what waits in the outbox for it, as the organisation page shows it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerView {
    pub customer: ListRow,
    /// The server's words when the last change failed.
    pub error: Option<String>,
    pub conflicts: Vec<ConflictView>,
}

/// One conflicting field: mine and theirs, to be settled.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConflictView {
    pub op_id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub field: String,
    /// The field's name as the user reads it ("Status" for `is_active`).
    pub field_label: String,
    pub mine: serde_json::Value,
    pub theirs: serde_json::Value,
    /// `mine` and `theirs` as the user reads them ("Active", "+31 20 123 4567", "(empty)").
    pub mine_display: String,
    pub theirs_display: String,
}

impl ConflictView {
    pub(crate) fn new(
        op_id: i64,
        customer_id: i64,
        customer_name: String,
        field: String,
        mine: serde_json::Value,
        theirs: serde_json::Value,
    ) -> ConflictView {
        ConflictView {
            field_label: field_label(&field).to_string(),
            mine_display: field_text(&field, &mine),
            theirs_display: field_text(&field, &theirs),
            op_id,
            customer_id,
            customer_name,
            field,
            mine,
            theirs,
        }
    }
}

/// A customer field's name as the user reads it.
pub fn field_label(field: &str) -> &str {
    match field {
        "name" => "Name",
        "email" => "Email",
        "phone" => "Phone",
        "is_active" => "Status",
        other => other,
    }
}

/// A customer field's value as the user reads it.
pub fn field_text(field: &str, value: &serde_json::Value) -> String {
    use serde_json::Value;
    match (field, value) {
        ("is_active", Value::Bool(true)) => "Active".into(),
        ("is_active", Value::Bool(false)) => "Inactive".into(),
        (_, Value::Null) => "(empty)".into(),
        (_, Value::String(s)) if s.is_empty() => "(empty)".into(),
        ("phone", Value::String(s)) => crate::phone_display::international_all(&[Some(s)])
            .pop()
            .flatten()
            .unwrap_or_else(|| s.clone()),
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn conflict_values_read_as_the_user_reads_them() {
        assert_eq!(field_text("is_active", &json!(true)), "Active");
        assert_eq!(field_text("is_active", &json!(false)), "Inactive");
        assert_eq!(field_text("phone", &json!(null)), "(empty)");
        assert_eq!(field_text("email", &json!("")), "(empty)");
        assert_eq!(
            field_text("phone", &json!("+31201234567")),
            "+31 20 123 4567"
        );
        assert_eq!(field_text("name", &json!("Acme")), "Acme");
        assert_eq!(field_label("is_active"), "Status");
        assert_eq!(field_label("phone"), "Phone");
    }

    #[test]
    fn one_customer_carries_its_phone_as_shown() {
        let at = chrono::DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap();
        let row = CustomerRow {
            id: 7,
            name: "Acme".into(),
            email: "a@example.org".into(),
            phone: Some("+14155550100".into()),
            is_active: true,
            registration_date: at,
            last_modified: at,
            sync_state: crate::cache::SyncState::Synced,
        };
        assert_eq!(
            ListRow::one(row.clone()).phone_display.as_deref(),
            Some("+1 415-555-0100")
        );
        let none = ListRow::one(CustomerRow { phone: None, ..row });
        assert_eq!(none.phone_display, None);
    }

    #[test]
    fn the_count_line_groups_its_total_in_the_locale() {
        let en = crate::format::Locale::from_tag("en-GB");
        let nl = crate::format::Locale::from_tag("nl-NL");
        assert_eq!(count_text(&en, 0, true), "No organisations");
        assert_eq!(count_text(&en, 1, true), "1 organisation");
        assert_eq!(count_text(&en, 12, true), "12 organisations");
        assert_eq!(count_text(&en, 10_000, true), "10,000 organisations");
        assert_eq!(count_text(&nl, 10_000, true), "10.000 organisations");
        assert_eq!(
            count_text(&en, MAX_COUNTED, false),
            "More than 100,000 organisations"
        );
        assert_eq!(
            count_text(&nl, MAX_COUNTED, false),
            "More than 100.000 organisations"
        );
        // "More than 1 organisations": plural, as the JS had it (never reached: MAX_COUNTED).
        assert_eq!(count_text(&en, 1, false), "More than 1 organisations");
    }
}
