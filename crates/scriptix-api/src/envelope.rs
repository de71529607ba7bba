//! The `{result, count, total_results}` envelope: unwrapped when present, else the body as-is
//! (Gen C answers some calls with a bare object). Lists are read record by record.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ApiError;
use crate::page::{Page, Record, RejectedRecord};

#[derive(Debug)]
pub(crate) struct Envelope {
    pub result: Value,
    pub count: Option<u64>,
    pub total: Option<u64>,
}

pub(crate) fn parse_body(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::malformed("the answer was empty"));
    }
    serde_json::from_slice(body).map_err(|e| {
        let looks_html = body
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| *b == b'<');
        if looks_html {
            ApiError::malformed("got an HTML page instead of JSON")
        } else if e.is_eof() {
            ApiError::malformed("the JSON answer was cut short")
        } else {
            ApiError::malformed(format!("not valid JSON: {e}"))
        }
    })
}

pub(crate) fn unwrap(body: Value) -> Envelope {
    match body {
        Value::Object(mut map) if map.contains_key("result") => {
            let count = map.get("count").and_then(Value::as_u64);
            let total = map.get("total_results").and_then(Value::as_u64);
            Envelope {
                result: map.remove("result").unwrap_or(Value::Null),
                count,
                total,
            }
        }
        other => Envelope {
            result: other,
            count: None,
            total: None,
        },
    }
}

/// One object (get, create, update).
pub(crate) fn parse_one<T: Record>(body: &[u8]) -> Result<T, ApiError> {
    let env = unwrap(parse_body(body)?);
    let item: T = parse_value(env.result)?;
    item.check().map_err(ApiError::malformed)?;
    Ok(item)
}

pub(crate) fn parse_value<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    serde_json::from_value(value)
        .map_err(|e| ApiError::malformed(format!("unexpected content: {e}")))
}

/// A list page: every record parsed on its own, the unreadable ones set aside.
pub(crate) fn parse_page<T: Record>(body: &[u8]) -> Result<Page<T>, ApiError> {
    let env = unwrap(parse_body(body)?);
    let records = match env.result {
        Value::Array(records) => records,
        Value::Null => Vec::new(),
        other => {
            return Err(ApiError::malformed(format!(
                "expected a list, got {}",
                kind_of(&other)
            )))
        }
    };
    let raw_len = records.len() as u64;
    let mut items = Vec::with_capacity(records.len());
    let mut rejected = Vec::new();
    for (index, record) in records.into_iter().enumerate() {
        let id = record.get("id").and_then(Value::as_i64);
        match serde_json::from_value::<T>(record) {
            Ok(item) => match item.check() {
                Ok(()) => items.push(item),
                Err(reason) => rejected.push(RejectedRecord { index, id, reason }),
            },
            Err(e) => rejected.push(RejectedRecord {
                index,
                id,
                reason: e.to_string(),
            }),
        }
    }
    Ok(Page {
        items,
        count: env.count.unwrap_or(raw_len),
        total: env.total,
        rejected,
    })
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Thing {
        id: i64,
        name: String,
    }
    impl Record for Thing {
        fn check(&self) -> Result<(), String> {
            crate::page::check_text("name", &self.name)
        }
    }

    #[test]
    fn envelope_is_unwrapped() {
        let env = unwrap(serde_json::json!({"result": [1, 2], "count": 2, "total_results": 5}));
        assert_eq!(env.result, serde_json::json!([1, 2]));
        assert_eq!(env.count, Some(2));
        assert_eq!(env.total, Some(5));
    }

    #[test]
    fn bare_body_is_taken_as_is() {
        let t: Thing = parse_one(br#"{"id": 3, "name": "bare"}"#).unwrap();
        assert_eq!(t.name, "bare");
        let t: Thing = parse_one(
            br#"{"result": {"id": 3, "name": "wrapped"}, "count": 1, "total_results": 1}"#,
        )
        .unwrap();
        assert_eq!(t.name, "wrapped");
    }

    #[test]
    fn bad_records_are_set_aside_and_the_rest_kept() {
        let long = "n".repeat(10_001);
        let body = format!(
            r#"{{"result": [{{"id": 1, "name": "ok"}}, {{"id": "two", "name": "x"}}, {{"id": 3}},
                 {{"id": 4, "name": "{long}"}}, 7, {{"id": 5, "name": "fine"}}],
                 "count": 6, "total_results": 60}}"#
        );
        let page: Page<Thing> = parse_page(body.as_bytes()).unwrap();
        assert_eq!(
            page.items.iter().map(|t| t.id).collect::<Vec<_>>(),
            vec![1, 5]
        );
        assert_eq!(page.count, 6);
        assert_eq!(page.total, Some(60));
        let idx: Vec<usize> = page.rejected.iter().map(|r| r.index).collect();
        assert_eq!(idx, vec![1, 2, 3, 4]);
        assert_eq!(page.rejected[1].id, Some(3));
        assert!(
            page.rejected[1].reason.contains("name"),
            "{:?}",
            page.rejected[1]
        );
        assert_eq!(page.rejected[2].id, Some(4));
        assert!(
            page.rejected[2].reason.contains("10000"),
            "{}",
            page.rejected[2].reason
        );
    }

    #[test]
    fn bare_list_without_counts() {
        let page: Page<Thing> = parse_page(br#"[{"id": 1, "name": "a"}]"#).unwrap();
        assert_eq!(page.count, 1);
        assert_eq!(page.total, None);
    }

    #[test]
    fn broken_bodies_are_malformed() {
        let html = parse_page::<Thing>(b"<html>Bad gateway</html>").unwrap_err();
        assert_eq!(html.code(), "malformed");
        assert!(html.to_string().contains("HTML"));
        let cut = parse_page::<Thing>(br#"{"result": [{"id": 1, "na"#).unwrap_err();
        assert!(cut.to_string().contains("cut short"), "{cut}");
        let not_list = parse_page::<Thing>(br#"{"result": {"id": 1}}"#).unwrap_err();
        assert!(not_list.to_string().contains("an object"));
        assert_eq!(parse_page::<Thing>(b"").unwrap_err().code(), "malformed");
        let wrong = parse_one::<Thing>(br#"{"result": {"id": "x", "name": "a"}}"#).unwrap_err();
        assert_eq!(wrong.code(), "malformed");
    }
}
