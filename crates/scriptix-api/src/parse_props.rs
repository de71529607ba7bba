//! Property tests of every parser the client runs on a server's answer: the envelope readers
//! for each model the endpoints fetch (`parse_one`, `parse_page`), the error-body reader and
//! the rate-limit headers. Fed arbitrary bytes, arbitrary JSON, and the contract's example
//! payloads mutated (a field deleted, its type changed, its value made huge, negative, odd
//! unicode, null or deeply nested), none may panic; a list's records are each read or rejected
//! with a short non-empty reason; whatever the error, its text stays short.
//!
//! The inputs are generated here, anew on every run (proptest prints the smallest failing
//! input). Case counts are kept moderate so the whole file runs in seconds in a debug build.

use std::time::Duration;

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::test_runner::Config;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{json, Number, Value};

use crate::envelope::{parse_one, parse_page};
use crate::error::ApiError;
use crate::models::account::Account;
use crate::models::branding::Branding;
use crate::models::customer::Customer;
use crate::models::dashboard::Dashboard;
use crate::models::subscription::{Plan, Subscription};
use crate::models::token::{CreatedToken, CustomerToken};
use crate::models::transcript::Transcript;
use crate::models::usage::{UsageRow, UsageSummary};
use crate::models::user::CustomerUser;
use crate::page::{Page, Record, MAX_REASON_CHARS};
use crate::transport::http::{retry_after, server_hint};

/// Longest error text any parser may produce: the reason plus a short prefix of our own.
const MAX_ERROR_CHARS: usize = MAX_REASON_CHARS + 120;

fn config(cases: u32) -> Config {
    Config {
        cases,
        // Failures are printed (with the smallest input); nothing is written into the tree.
        failure_persistence: None,
        ..Config::default()
    }
}

fn short(text: &str) -> bool {
    text.chars().count() <= MAX_ERROR_CHARS
}

fn check_error(parser: &str, e: &ApiError) -> Result<(), TestCaseError> {
    prop_assert_eq!(e.code(), "malformed", "{}: {:?}", parser, e);
    let text = e.to_string();
    prop_assert!(short(&text), "{}: error of {} chars", parser, text.len());
    Ok(())
}

/// Records the body's list holds, as the contract reads it: `result` when present, else the body.
fn raw_records(body: &[u8]) -> Option<usize> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let list = match v {
        Value::Object(mut m) if m.contains_key("result") => m.remove("result")?,
        other => other,
    };
    list.as_array().map(Vec::len)
}

fn check_one<T: Record>(parser: &str, body: &[u8]) -> Result<(), TestCaseError> {
    match parse_one::<T>(body) {
        Ok(item) => prop_assert!(
            item.check().is_ok(),
            "{}: an implausible record read",
            parser
        ),
        Err(e) => check_error(parser, &e)?,
    }
    Ok(())
}

fn check_page<T: Record>(parser: &str, body: &[u8]) -> Result<(), TestCaseError> {
    let page: Page<T> = match parse_page::<T>(body) {
        Ok(page) => page,
        Err(e) => return check_error(parser, &e),
    };
    // Every record is read or rejected, none lost, none counted twice.
    if let Some(n) = raw_records(body) {
        prop_assert_eq!(page.raw_len(), n, "{}: records lost", parser);
    }
    let mut last = None;
    for r in &page.rejected {
        prop_assert!(
            !r.reason.trim().is_empty(),
            "{}: rejected without a reason",
            parser
        );
        prop_assert!(
            r.reason.chars().count() <= MAX_REASON_CHARS + 1,
            "{}: a reason of {} chars",
            parser,
            r.reason.len()
        );
        prop_assert!(
            r.index < page.raw_len(),
            "{}: index out of the page",
            parser
        );
        prop_assert!(
            last.is_none_or(|l| l < r.index),
            "{}: indexes out of order",
            parser
        );
        last = Some(r.index);
    }
    for item in &page.items {
        prop_assert!(
            item.check().is_ok(),
            "{}: an implausible record read",
            parser
        );
    }
    Ok(())
}

fn check_error_body(body: &[u8]) -> Result<(), TestCaseError> {
    let info = crate::error_body::parse(body);
    if let Some(m) = &info.message {
        prop_assert!(
            !m.is_empty() && m.chars().count() <= 301,
            "message {}",
            m.len()
        );
    }
    if let Some(f) = &info.field {
        prop_assert!(f.chars().count() <= 101, "field {}", f.len());
    }
    if let Some(wait) = info.retry_after {
        prop_assert!(wait <= Duration::from_secs(86_400));
    }
    Ok(())
}

/// Every parser the endpoints use on a body, on the same bytes.
fn every_parser(body: &[u8]) -> Result<(), TestCaseError> {
    // `parse_one`: account_me; branding (get, colours, logo upload); customer get/create/update;
    // dashboard; subscription create and auto-renew; token create; user create/update; usage summary.
    check_one::<Account>("one Account", body)?;
    check_one::<Branding>("one Branding", body)?;
    check_one::<Customer>("one Customer", body)?;
    check_one::<Dashboard>("one Dashboard", body)?;
    check_one::<Subscription>("one Subscription", body)?;
    check_one::<CreatedToken>("one CreatedToken", body)?;
    check_one::<CustomerUser>("one CustomerUser", body)?;
    check_one::<UsageSummary>("one UsageSummary", body)?;
    // `parse_page` (directly, or page by page in `fetch_all`): customers, transcripts, usage
    // rows, subscriptions, plans, tokens, users.
    check_page::<Customer>("page Customer", body)?;
    check_page::<Transcript>("page Transcript", body)?;
    check_page::<UsageRow>("page UsageRow", body)?;
    check_page::<Subscription>("page Subscription", body)?;
    check_page::<Plan>("page Plan", body)?;
    check_page::<CustomerToken>("page CustomerToken", body)?;
    check_page::<CustomerUser>("page CustomerUser", body)?;
    // Every answer that is not a success.
    check_error_body(body)
}

// ---- generators ----

/// Names the parsers look for, so generated objects often hit a real field.
const KEYS: &[&str] = &[
    "result",
    "count",
    "total_results",
    "id",
    "name",
    "email",
    "phone",
    "is_active",
    "registration_date",
    "last_modified",
    "roles",
    "organization",
    "is_reseller",
    "first_name",
    "last_name",
    "units_used",
    "usage_period_start",
    "usage_period_end",
    "language",
    "token_name",
    "subscription_id",
    "cost",
    "unit",
    "hours_processed",
    "sessions",
    "finished_sessions",
    "error_sessions",
    "error_rate",
    "total_users",
    "active_users",
    "sku",
    "description",
    "billing_channel",
    "payment_model",
    "start_date",
    "end_date",
    "available",
    "stt_units",
    "type",
    "created_at",
    "expires_at",
    "key",
    "session_id",
    "filename",
    "date_session_start",
    "status",
    "duration",
    "customers",
    "customer_id",
    "customer_name",
    "recent_transcriptions",
    "brand_color",
    "logo_url",
    "error",
    "message",
    "details",
    "field",
    "detail",
    "msg",
    "loc",
    "retry_after",
    "error_description",
    "error_message",
    "err",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,24}",
        Just(String::new()),
        Just("2025-01-17T10:00:00Z".to_string()),
        Just("2021-01-25T10:31:46.960411+00:00".to_string()),
        Just("2025-13-45".to_string()),
        Just("+00:00".to_string()),
        Just("é漢字🙂\u{0}\u{202e}\u{feff}\u{fffd}".to_string()),
        (1usize..30_000).prop_map(|n| "x".repeat(n)),
        any::<i64>().prop_map(|n| n.to_string()),
    ]
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("JSON has no NaN or infinity", |f| {
            Number::from_f64(f).map(Value::Number)
        }),
        Just(json!(-1)),
        Just(json!(0)),
        Just(json!(i64::MIN)),
        Just(json!(u64::MAX)),
        Just(json!(1e308)),
        Just(json!(-0.0)),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 96, 8, |inner| {
        let key = prop_oneof![
            3 => proptest::sample::select(KEYS).prop_map(str::to_string),
            1 => ".{0,12}",
        ];
        prop_oneof![
            vec(inner.clone(), 0..8).prop_map(Value::Array),
            btree_map(key, inner, 0..10).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// The contract's example answers (the same payloads as the models' unit tests).
fn examples() -> Vec<Value> {
    let customer = json!({"id": 42, "name": "Voorbeeld BV", "email": "it@voorbeeld.nl",
        "phone": "+31 20 1234567", "is_active": true,
        "registration_date": "2025-03-01T09:00:00.000000+00:00",
        "last_modified": "2025-03-01T09:00:00.000000+00:00"});
    let envelope = |result: Value| {
        let n = result.as_array().map_or(1, Vec::len);
        json!({"result": result, "count": n, "total_results": n})
    };
    vec![
        envelope(customer.clone()),
        envelope(
            json!([customer, {"id": 1, "name": "N", "email": "e@x.nl", "phone": null,
            "is_active": false, "registration_date": "2025-01-25T10:31:46.960Z",
            "last_modified": "2025-01-17T10:00:00Z"}]),
        ),
        json!({"id": 1, "email": "ops@northwind.example", "first_name": "Ada", "last_name": "Lovelace",
            "roles": ["RESELLER", "ORGADMIN"],
            "organization": {"id": 9, "name": "Northwind Speech Partners", "is_reseller": true, "is_active": true}}),
        envelope(json!([
            {"units_used": 840000, "usage_period_start": "2020-12-01", "usage_period_end": "2021-01-01",
             "subscription_id": 1182, "cost": 10000.01},
            {"units_used": 5926, "usage_period_start": "2020-12-22", "usage_period_end": "2020-12-24",
             "language": "fr-fr", "subscription_id": 1414},
            {"units_used": 12, "usage_period_start": "2020-12-22", "usage_period_end": "2020-12-23",
             "token_name": "TV"}])),
        envelope(
            json!({"units_used": 7200, "unit": "second", "hours_processed": 2.0, "sessions": 10,
            "finished_sessions": 9, "error_sessions": 1, "error_rate": 0.1, "total_users": 4,
            "active_users": 2}),
        ),
        envelope(json!([
            {"id": 1414, "sku": "STT-BUNDLE-100H", "description": "100 hours", "billing_channel": "scriptix",
             "payment_model": "bundle", "start_date": "2025-01-01", "end_date": null, "cancel_date": null,
             "is_suspended": false, "auto_renew": true,
             "available": {"stt_units": 360000, "alignment_units": 0, "translation_budget": 12.5, "credits": null}}])),
        envelope(
            json!([{"sku": "PAYG", "description": "Pay as you go", "payment_model": "pay_as_you_go"}]),
        ),
        envelope(
            json!({"id": 5, "name": "CI", "type": "batch", "created_at": "2025-01-17T10:00:00Z",
            "expires_at": "2026-01-17T10:00:00Z", "key": "sk_batch_example"}),
        ),
        envelope(json!([
            {"id": 1, "name": "a", "type": "realtime", "created_at": "2025-01-17T10:00:00Z", "expires_at": null},
            {"id": 2, "name": "b", "type": "live", "created_at": "2025-01-17T10:00:00Z"}])),
        envelope(json!([
            {"session_id": "49b5b257000004000006ccdfc8", "filename": "interview.mp3",
             "date_session_start": "2021-01-25T10:31:46.960411+00:00", "status": 2, "status_label": "finished",
             "language": "nl-nl", "duration": 592.5, "last_update": "2021-01-25T10:41:00.000000+00:00",
             "is_deleted": false},
            {"session_id": "s3", "filename": "c.wav", "date_session_start": "2025-01-17T10:00:00Z", "status": "1"}])),
        envelope(json!([
            {"id": 2, "first_name": "Jan", "last_name": "Jansen", "email": "j@b.nl", "is_active": false,
             "roles": ["CONTRIBUTOR", "DEVELOPER"], "last_login": "2025-01-17T10:00:00Z",
             "created_at": "2025-01-17T10:00:00Z", "reactivation_sent_at": "2025-01-18T10:00:00Z"}])),
        envelope(json!({"brand_color": "#0A7B83", "secondary_color": null,
            "logo_url": "http://127.0.0.1:1/api/v3/reseller/branding/logo", "logo_content_type": "image/png"})),
        envelope(
            json!({"total_organizations": 250, "active_organizations": 230, "total_users": 900,
            "units_used": 360000, "hours_processed": 100.0, "sessions": 50, "finished_sessions": 45,
            "error_rate": 0.04,
            "recent_transcriptions": [{"customer_id": 1, "customer_name": "Acme", "session_id": "s1",
                "filename": "a.mp3", "status": 7, "duration": 12.5, "date_session_start": "2025-01-17T10:00:00Z"}],
            "customers": [{"customer_id": 1, "customer_name": "Acme", "is_active": true, "units_used": 10,
                "hours_processed": 0.01, "sessions": 2, "finished_sessions": 1, "error_sessions": 1,
                "error_rate": 0.5, "available_units": 3600}]}),
        ),
        json!({"error": {"code": 422, "message": "Missing required field: language",
            "details": {"field": "language", "issue": "This field cannot be null."}}}),
        json!({"error": "Rate Limit Exceeded", "message": "...", "error_code": "RATE_LIMIT_EXCEEDED",
            "retry_after": 60}),
        json!({"detail": [{"loc": ["body", "email"], "msg": "not an email"}]}),
    ]
}

/// One change to one place of a payload.
#[derive(Clone, Debug)]
enum Mutation {
    Delete,
    Replace(Value),
    /// The value wrapped in this many lists (past serde_json's recursion limit of 128 too;
    /// not so deep that serialising the test's own input would exhaust a test thread's stack).
    Nest(usize),
    /// A string becomes a number and anything else becomes its JSON text.
    ChangeType,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => Just(Mutation::Delete),
        1 => Just(Mutation::ChangeType),
        1 => prop_oneof![Just(3usize), Just(127), Just(129), Just(300)].prop_map(Mutation::Nest),
        4 => prop_oneof![
            Just(Value::Null),
            Just(json!("x".repeat(100_000))),
            Just(json!("é漢字🙂\u{0}\u{202e}")),
            Just(json!(-1)),
            Just(json!(i64::MIN)),
            Just(json!(u64::MAX)),
            Just(json!(-1e308)),
            Just(json!([])),
            Just(json!({})),
            Just(json!(true)),
            Just(json!("")),
            json_value(),
        ]
        .prop_map(Mutation::Replace),
    ]
}

/// Every place in `v`: object keys and list positions, as paths from the root.
fn paths(v: &Value, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                at.push(Step::Key(k.clone()));
                out.push(at.clone());
                paths(child, at, out);
                at.pop();
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                at.push(Step::Index(i));
                out.push(at.clone());
                paths(child, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn apply(root: &mut Value, path: &[Step], m: &Mutation) {
    let Some((last, parent_path)) = path.split_last() else {
        return;
    };
    let mut parent = &mut *root;
    for step in parent_path {
        parent = match (step, parent) {
            (Step::Key(k), Value::Object(map)) => map.get_mut(k).expect("path exists"),
            (Step::Index(i), Value::Array(a)) => &mut a[*i],
            _ => unreachable!("paths follow the value"),
        };
    }
    let slot = match (last, &mut *parent) {
        (Step::Key(k), Value::Object(map)) => {
            if let Mutation::Delete = m {
                map.remove(k);
                return;
            }
            map.get_mut(k).expect("path exists")
        }
        (Step::Index(i), Value::Array(a)) => {
            if let Mutation::Delete = m {
                a.remove(*i);
                return;
            }
            &mut a[*i]
        }
        _ => unreachable!("paths follow the value"),
    };
    *slot = match m {
        Mutation::Delete => unreachable!("handled above"),
        Mutation::Replace(v) => v.clone(),
        Mutation::Nest(depth) => {
            let mut v = slot.take();
            for _ in 0..*depth {
                v = Value::Array(vec![v]);
            }
            v
        }
        Mutation::ChangeType => match slot.take() {
            Value::String(s) => s.parse::<f64>().map_or(json!(s.len()), |f| json!(f)),
            other => Value::String(other.to_string()),
        },
    };
}

/// `example` with `changes` applied one after the other, each at a place picked among those
/// the value has by then; as bytes.
fn mutated(example: &Value, changes: &[(prop::sample::Index, Mutation)]) -> Vec<u8> {
    let mut v = example.clone();
    for (pick, m) in changes {
        let mut all = Vec::new();
        paths(&v, &mut Vec::new(), &mut all);
        if all.is_empty() {
            break;
        }
        let path = all[pick.index(all.len())].clone();
        apply(&mut v, &path, m);
    }
    serde_json::to_vec(&v).expect("a Value serialises")
}

fn header_map() -> impl Strategy<Value = HeaderMap> {
    let name = proptest::sample::select(
        &[
            "retry-after",
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
            "date",
        ][..],
    );
    let value = prop_oneof![
        "[ -~]{0,40}",
        any::<f64>().prop_map(|f| f.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        Just("Wed, 21 Oct 2015 07:28:00 GMT".to_string()),
        Just("Fri, 31 Dec 9999 23:59:59 GMT".to_string()),
        Just("1e400".to_string()),
        Just("-0".to_string()),
    ];
    vec((name, value), 0..6).prop_map(|pairs| {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            if let Ok(v) = HeaderValue::from_str(&v) {
                h.append(HeaderName::from_static(k), v);
            }
        }
        h
    })
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn arbitrary_bytes(body in vec(any::<u8>(), 0..512)) {
        every_parser(&body)?;
    }

    #[test]
    fn arbitrary_json(v in json_value(), wrap in any::<bool>()) {
        let v = if wrap { json!({"result": v, "count": 1, "total_results": 1}) } else { v };
        every_parser(&serde_json::to_vec(&v).unwrap())?;
    }

    #[test]
    fn arbitrary_json_lists(records in vec(json_value(), 0..20)) {
        // Lists of arbitrary records: each read or rejected with a reason.
        let body = serde_json::to_vec(&json!({"result": records, "count": 20})).unwrap();
        every_parser(&body)?;
    }

    #[test]
    fn rate_limit_headers(headers in header_map()) {
        let hint = server_hint(&headers);
        prop_assert!(hint.reset_in.is_none_or(|d| d <= Duration::from_secs(86_400)));
        prop_assert!(retry_after(&headers).is_none_or(|d| d <= Duration::from_secs(86_400)));
    }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn mutated_contract_examples(
        pick in any::<prop::sample::Index>(),
        changes in vec((any::<prop::sample::Index>(), mutation()), 1..5),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let all = examples();
        let example = &all[pick.index(all.len())];
        let mut body = mutated(example, &changes);
        // Now and then the answer is cut short too, anywhere.
        if let Some(cut) = cut {
            body.truncate(cut.index(body.len() + 1));
        }
        every_parser(&body)?;
    }
}

/// The examples as they are: every one reads (so the mutations start from answers that work).
#[test]
fn the_examples_read_unmutated() {
    for (i, e) in examples().iter().enumerate() {
        let body = serde_json::to_vec(e).unwrap();
        let read = parse_one::<Customer>(&body).is_ok()
            || parse_one::<Account>(&body).is_ok()
            || parse_one::<UsageSummary>(&body).is_ok()
            || parse_one::<CreatedToken>(&body).is_ok()
            || parse_one::<Branding>(&body).is_ok()
            || parse_one::<Dashboard>(&body).is_ok()
            || crate::error_body::parse(&body).message.is_some()
            || [
                parse_page::<Customer>(&body).map(|p| p.rejected.is_empty()),
                parse_page::<UsageRow>(&body).map(|p| p.rejected.is_empty()),
                parse_page::<Subscription>(&body).map(|p| p.rejected.is_empty()),
                parse_page::<Plan>(&body).map(|p| p.rejected.is_empty()),
                parse_page::<CustomerToken>(&body).map(|p| p.rejected.is_empty()),
                parse_page::<Transcript>(&body).map(|p| p.rejected.is_empty()),
                parse_page::<CustomerUser>(&body).map(|p| p.rejected.is_empty()),
            ]
            .into_iter()
            .any(|r| r == Ok(true));
        assert!(read, "example {i} does not read: {e}");
    }
}

/// A mutation nesting past serde_json's recursion limit is refused, not followed down the stack.
#[test]
fn nesting_past_the_limit_is_malformed() {
    let mut v = examples()[0].clone();
    apply(
        &mut v,
        &[Step::Key("result".into()), Step::Key("name".into())],
        &Mutation::Nest(300),
    );
    let body = serde_json::to_vec(&v).unwrap();
    assert_eq!(
        parse_one::<Customer>(&body).unwrap_err().code(),
        "malformed"
    );
    // Nothing disabled the limit: serde_json itself refuses 129 levels.
    let deep = format!("{}{}", "[".repeat(129), "]".repeat(129));
    assert!(serde_json::from_str::<Value>(&deep).is_err());
}
