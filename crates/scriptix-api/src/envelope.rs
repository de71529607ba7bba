//! The `{result, count, total_results}` envelope: unwrapped when present, else the body as-is
//! (Gen C answers some calls with a bare object). Lists are read record by record.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::error::ApiError;
use crate::page::{reason, Page, Record, RejectedRecord, MAX_PAGE_RECORDS};

/// JSON values (each number, string, list, object and key counts one) one answer may hold. A
/// 1000-row page holds about 15 000 and the largest legitimate answer (a dashboard with a row
/// per customer) about 13 a customer. Without a bound, the 16 MiB a body may have of
/// `[0,0,0,...]` would become 8 million values, a quarter of a gigabyte, before any check ran.
pub(crate) const MAX_JSON_VALUES: usize = 2_000_000;

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
    let left = Cell::new(MAX_JSON_VALUES);
    from_slice_counted(body, &left).map_err(|e| {
        if left.get() == 0 {
            return ApiError::malformed(format!(
                "the answer holds more than {MAX_JSON_VALUES} values"
            ));
        }
        let looks_html = body
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| *b == b'<');
        if looks_html {
            ApiError::malformed("got an HTML page instead of JSON")
        } else if e.is_eof() {
            ApiError::malformed("the JSON answer was cut short")
        } else {
            ApiError::malformed(reason(format!("not valid JSON: {e}")))
        }
    })
}

/// `serde_json::from_slice::<Value>`, taking one unit of `left` per value and failing when it
/// runs out. Depth stays bounded by serde_json's recursion limit (128), which this keeps on.
fn from_slice_counted(body: &[u8], left: &Cell<usize>) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = Counted(left).deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// Builds a `Value` as serde_json's own visitor does, counting.
#[derive(Clone, Copy)]
struct Counted<'a>(&'a Cell<usize>);

impl Counted<'_> {
    fn take<E: de::Error>(self) -> Result<(), E> {
        match self.0.get() {
            0 => Err(E::custom("too many values")),
            n => {
                self.0.set(n - 1);
                Ok(())
            }
        }
    }
}

impl<'de> DeserializeSeed<'de> for Counted<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Counted<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        self.take()?;
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        self.take()?;
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        self.take()?;
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        self.take()?;
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        self.take()?;
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        self.take()?;
        Ok(Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.take()?;
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.take()?;
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(self)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.take()?;
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            self.take()?;
            let value = map.next_value_seed(self)?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
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
    item.check().map_err(|e| ApiError::malformed(reason(e)))?;
    Ok(item)
}

pub(crate) fn parse_value<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    serde_json::from_value(value)
        .map_err(|e| ApiError::malformed(reason(format!("unexpected content: {e}"))))
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
    if records.len() > MAX_PAGE_RECORDS {
        return Err(ApiError::malformed(format!(
            "a page of {} records; pages hold at most {MAX_PAGE_RECORDS}",
            records.len()
        )));
    }
    let raw_len = records.len() as u64;
    let mut items = Vec::with_capacity(records.len());
    let mut rejected = Vec::new();
    for (index, record) in records.into_iter().enumerate() {
        let id = record.get("id").and_then(Value::as_i64);
        match serde_json::from_value::<T>(record) {
            Ok(item) => match item.check() {
                Ok(()) => items.push(item),
                Err(why) => rejected.push(RejectedRecord {
                    index,
                    id,
                    reason: reason(why),
                }),
            },
            Err(e) => rejected.push(RejectedRecord {
                index,
                id,
                reason: reason(e.to_string()),
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
    fn parsing_counts_values_like_serde_json_reads_them() {
        let body = br#"{"result": [{"id": 1, "name": "a\u00e9", "x": [1.5, -2, true, null]}], "count": 1}"#;
        let counted = parse_body(body).unwrap();
        let plain: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(counted, plain);
        // 16 values (objects, lists, keys and scalars): a budget of exactly that passes.
        let left = Cell::new(16);
        assert!(from_slice_counted(body, &left).is_ok());
        assert_eq!(left.get(), 0);
        assert!(from_slice_counted(body, &Cell::new(15)).is_err());
        assert!(from_slice_counted(b"[1] x", &Cell::new(10)).is_err());
    }

    #[test]
    fn too_many_values_or_records_are_refused_whole() {
        let mut many = String::from("[");
        for _ in 0..MAX_JSON_VALUES {
            many.push_str("0,");
        }
        many.push_str("0]");
        let e = parse_body(many.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("more than 2000000 values"), "{e}");
        let page = format!("[{}1]", "1,".repeat(MAX_PAGE_RECORDS));
        let e = parse_page::<Thing>(page.as_bytes()).unwrap_err();
        assert_eq!(e.code(), "malformed");
        assert!(e.to_string().contains("at most 10000"), "{e}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(parse_body(deep.as_bytes()).unwrap_err().code(), "malformed");
        let ok = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(parse_body(ok.as_bytes()).is_ok());
    }

    #[test]
    fn a_quoted_hostile_value_is_cut_from_the_reason() {
        let huge = "y".repeat(100_000);
        let body = format!(r#"[{{"id": "{huge}", "name": "n"}}]"#);
        let page: Page<Thing> = parse_page(body.as_bytes()).unwrap();
        let why = &page.rejected[0].reason;
        assert!(
            why.chars().count() <= crate::page::MAX_REASON_CHARS + 1,
            "{}",
            why.len()
        );
        let e = parse_one::<Thing>(
            body.trim_start_matches('[')
                .trim_end_matches(']')
                .as_bytes(),
        )
        .unwrap_err();
        assert!(
            e.to_string().chars().count() < 400,
            "{}",
            e.to_string().len()
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
