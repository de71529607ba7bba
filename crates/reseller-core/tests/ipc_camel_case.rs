//! Every value the desktop shell sends over IPC is camelCase on the wire: serialises
//! representative values of the IPC types and walks every object key. Enum values (sort
//! columns, states) are data, not keys, and may keep their snake_case.

use chrono::{DateTime, NaiveDate, Utc};
use reseller_core::cache::{CustomerRow, SubscriptionRow, SyncState, TokenRow, UserRow};
use reseller_core::customers::{ConflictView, CustomerView, ListRow, ListWindow};
use reseller_core::sync::engine::CacheChange;
use reseller_core::sync::status::SyncStatus;
use reseller_core::tabs::subscriptions::{PlanRow, SubscriptionItem};
use reseller_core::tabs::tokens::TokenItem;
use reseller_core::tabs::usage::options::{dashboard_options, usage_options};
use reseller_core::tabs::usage::range::DateSpan;
use reseller_core::tabs::users::UserItem;
use serde_json::{json, Value};

fn snake_keys(v: &Value, path: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                if k.contains('_') {
                    out.push(format!("{path}.{k}"));
                }
                snake_keys(child, &format!("{path}.{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                snake_keys(child, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

fn assert_camel(name: &str, value: impl serde::Serialize) {
    let v = serde_json::to_value(value).unwrap();
    let mut bad = Vec::new();
    snake_keys(&v, name, &mut bad);
    assert!(bad.is_empty(), "snake_case keys on the wire: {bad:?}");
    assert!(v.is_object(), "{name} is an object");
}

fn at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000, 0).unwrap()
}

fn customer() -> ListRow {
    ListRow::one(CustomerRow {
        id: 1,
        name: "Acme".into(),
        email: "a@example.org".into(),
        phone: Some("+31201234567".into()),
        is_active: true,
        registration_date: at(),
        last_modified: at(),
        sync_state: SyncState::Pending,
    })
}

#[test]
fn customer_payloads_are_camel_case() {
    let row = customer();
    let v = serde_json::to_value(&row).unwrap();
    assert_eq!(v["phoneDisplay"], json!("+31 20 123 4567"));
    assert_eq!(v["isActive"], json!(true));
    assert_camel("ListRow", &row);
    assert_camel(
        "ListWindow",
        ListWindow {
            offset: 0,
            rows: vec![row.clone()],
            total: 1,
            exact: true,
            total_text: "1 organisation".into(),
        },
    );
    let conflict = ConflictView {
        op_id: 3,
        customer_id: 1,
        customer_name: "Acme".into(),
        field: "is_active".into(),
        field_label: "Status".into(),
        mine: json!(true),
        theirs: json!(false),
        mine_display: "Active".into(),
        theirs_display: "Inactive".into(),
    };
    assert_camel(
        "CustomerView",
        CustomerView {
            customer: row,
            error: Some("refused".into()),
            conflicts: vec![conflict],
        },
    );
}

#[test]
fn sync_events_are_camel_case() {
    assert_camel("SyncStatus", SyncStatus::default());
    assert_camel("SyncStatusView", SyncStatus::default().view());
    assert_camel("CacheChange", CacheChange::default());
}

#[test]
fn tab_rows_are_camel_case() {
    let sub = SubscriptionRow {
        id: 1,
        sku: "STT".into(),
        description: None,
        billing_channel: "reseller".into(),
        payment_model: "bundle".into(),
        start_date: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        end_date: None,
        cancel_date: None,
        is_suspended: false,
        auto_renew: true,
        stt_units: Some(10),
        alignment_units: None,
        translation_budget: None,
        credits: None,
    };
    assert_camel(
        "SubscriptionItem",
        SubscriptionItem {
            row: sub,
            local: false,
            mark: None,
            billing_channel_label: "Scriptix".into(),
            payment_model_label: "Bundle".into(),
            start_text: "1 Jan 2026".into(),
            end_text: "-".into(),
        },
    );
    let token = TokenRow {
        id: 2,
        name: "t".into(),
        token_type: "batch".into(),
        created_at: at(),
        expires_at: None,
    };
    let plan = PlanRow {
        sku: "PAYG".into(),
        description: "Pay as you go".into(),
        payment_model: "pay_as_you_go".into(),
    };
    let v = serde_json::to_value(&plan).unwrap();
    assert_eq!(v["paymentModelLabel"], json!("Pay-as-you-go"));
    assert_camel("PlanRow", &plan);
    assert_camel(
        "TokenItem",
        TokenItem {
            row: token,
            mark: None,
            token_type_label: "Batch".into(),
            created_text: "1 Nov 2026".into(),
            created_title: "1 Nov 2026, 14:05".into(),
            expires_text: "Never".into(),
            expires_title: String::new(),
        },
    );
    let user = UserRow {
        id: 3,
        first_name: Some("A".into()),
        last_name: None,
        email: "u@example.org".into(),
        is_active: true,
        roles: vec!["user".into()],
        last_login: None,
        created_at: at(),
        reactivation_sent_at: None,
    };
    assert_camel(
        "UserItem",
        UserItem {
            row: user,
            local: false,
            mark: None,
            last_login_text: "Never".into(),
            last_login_title: String::new(),
            reactivation_sent_text: None,
            reactivation_sent_title: String::new(),
        },
    );
}

#[test]
fn range_choices_are_camel_case_and_carry_the_last_day() {
    let today = NaiveDate::from_ymd_opt(2026, 3, 15).unwrap();
    assert_camel("UsageOptions", usage_options(today));
    assert_camel("DashboardOptions", dashboard_options(today));
    let span = DateSpan {
        from: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        to: NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
    };
    let v = serde_json::to_value(span).unwrap();
    assert_eq!(
        v,
        json!({"from": "2026-03-01", "to": "2026-04-01", "lastDay": "2026-03-31"})
    );
}

/// The dashboard view with its display-ready figures, alerts and pending marks.
#[test]
fn the_dashboard_view_is_camel_case() {
    use reseller_core::dashboard::{read_view, DashboardRequest, RangeRequest, SortDir, SortKey};
    let cache = reseller_core::cache::Cache::open_in_memory().unwrap();
    let req = DashboardRequest {
        range: RangeRequest::ThisMonth,
        sort: SortKey::Hours,
        direction: SortDir::Desc,
        offset: 0,
        limit: 10,
    };
    let view = read_view(&cache, &req, 80.0, Utc::now()).unwrap();
    let v = serde_json::to_value(&view).unwrap();
    assert!(v["totals"]["display"]["hours"].is_string());
    assert!(v["alertsInfo"]["periodText"].is_string());
    assert!(v["rangeText"].is_string());
    assert_camel("DashboardView", view);
}
