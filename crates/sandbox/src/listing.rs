//! Query strings and list paging: `limit`, `offset`, `sort`, `direction`, repeatable
//! `filter=key=value`, validated as the contract says (400 on anything out of range).

use std::cmp::Ordering;

use serde_json::{Map, Value};

use crate::error::ApiError;

pub const DEFAULT_LIMIT: i64 = 10;
pub const MAX_LIMIT: i64 = 1000;

/// The decoded query string, in order, repeated keys kept.
#[derive(Debug, Default, Clone)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub fn parse(raw: Option<&str>) -> Self {
        let pairs = raw
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Query { pairs }
    }

    /// The last value given for `key`, if any (empty values count as absent).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.as_str())
    }

    pub fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn date(&self, key: &str) -> Result<Option<chrono::NaiveDate>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => crate::clock::parse_date(v).map(Some).ok_or_else(|| {
                ApiError::bad_param(key, format!("'{v}' is not a date (YYYY-MM-DD)"))
            }),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Paging {
    pub limit: i64,
    pub offset: i64,
}

impl Paging {
    pub fn from_query(q: &Query) -> Result<Self, ApiError> {
        let limit = match q.get("limit") {
            None => DEFAULT_LIMIT,
            Some(v) => v
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| {
                    ApiError::bad_param(
                        "limit",
                        format!("must be a whole number from 1 to {MAX_LIMIT}, got '{v}'"),
                    )
                })?,
        };
        let offset = match q.get("offset") {
            None => 0,
            Some(v) => v
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| {
                    ApiError::bad_param(
                        "offset",
                        format!("must be a whole number of 0 or more, got '{v}'"),
                    )
                })?,
        };
        Ok(Paging { limit, offset })
    }

    /// The page of `items` this paging selects.
    pub fn slice<T>(&self, items: Vec<T>) -> Vec<T> {
        items
            .into_iter()
            .skip(self.offset as usize)
            .take(self.limit as usize)
            .collect()
    }
}

/// Paging plus ordering and equality filters, checked against the object's field names.
#[derive(Debug, Clone)]
pub struct ListParams {
    pub paging: Paging,
    pub sort: Option<String>,
    pub descending: bool,
    pub filters: Vec<(String, String)>,
}

impl ListParams {
    pub fn from_query(q: &Query, fields: &[&str]) -> Result<Self, ApiError> {
        let paging = Paging::from_query(q)?;
        let sort = match q.get("sort") {
            None => None,
            Some(s) if fields.contains(&s.trim()) => Some(s.trim().to_string()),
            Some(s) => {
                return Err(ApiError::bad_param(
                    "sort",
                    format!(
                        "'{s}' is not a field you can sort on; use one of {}",
                        fields.join(", ")
                    ),
                ))
            }
        };
        let descending = match q.get("direction").map(|d| d.trim().to_ascii_lowercase()) {
            None => false,
            Some(d) if d == "asc" => false,
            Some(d) if d == "desc" => true,
            Some(d) => {
                return Err(ApiError::bad_param(
                    "direction",
                    format!("must be asc or desc, got '{d}'"),
                ))
            }
        };
        let mut filters = Vec::new();
        for raw in q.all("filter") {
            if raw.trim().is_empty() {
                continue;
            }
            let Some((key, value)) = raw.split_once('=') else {
                return Err(ApiError::bad_param(
                    "filter",
                    format!("'{raw}' is not of the form key=value"),
                ));
            };
            let key = key.trim();
            if !fields.contains(&key) {
                return Err(ApiError::bad_param(
                    "filter",
                    format!(
                        "'{key}' is not a field you can filter on; use one of {}",
                        fields.join(", ")
                    ),
                ));
            }
            filters.push((key.to_string(), value.to_string()));
        }
        Ok(ListParams {
            paging,
            sort,
            descending,
            filters,
        })
    }
}

/// Parses a boolean filter value.
pub fn parse_bool(field: &str, value: &str) -> Result<bool, ApiError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(ApiError::bad_param(
            "filter",
            format!("{field} must be true or false, got '{value}'"),
        )),
    }
}

/// Does a JSON field equal the filter's text? Strings exactly, booleans as true/false,
/// numbers numerically, null as "null" or an empty value.
fn matches(value: Option<&Value>, wanted: &str) -> bool {
    match value {
        None | Some(Value::Null) => wanted.is_empty() || wanted == "null",
        Some(Value::String(s)) => s == wanted,
        Some(Value::Bool(b)) => parse_bool("", wanted).map(|w| w == *b).unwrap_or(false),
        Some(Value::Number(n)) => match (n.as_f64(), wanted.trim().parse::<f64>()) {
            (Some(a), Ok(b)) => a == b,
            _ => false,
        },
        Some(other) => *other == wanted,
    }
}

/// Orders two JSON values: null first, numbers numerically, text case-insensitively.
fn compare(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    fn rank(v: Option<&Value>) -> u8 {
        match v {
            None | Some(Value::Null) => 0,
            Some(Value::Bool(_)) => 1,
            Some(Value::Number(_)) => 2,
            Some(Value::String(_)) => 3,
            Some(_) => 4,
        }
    }
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .unwrap_or(0.0)
            .partial_cmp(&y.as_f64().unwrap_or(0.0))
            .unwrap_or(Ordering::Equal),
        (Some(Value::String(x)), Some(Value::String(y))) => x.to_lowercase().cmp(&y.to_lowercase()),
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// Filters, sorts (ties by `id_key` ascending) and pages JSON rows held in memory.
/// Returns the page and the total after filtering.
pub fn apply(
    rows: Vec<Map<String, Value>>,
    params: &ListParams,
    id_key: &str,
) -> Result<(Vec<Value>, usize), ApiError> {
    let mut rows: Vec<Map<String, Value>> = rows
        .into_iter()
        .filter(|row| params.filters.iter().all(|(k, v)| matches(row.get(k), v)))
        .collect();
    for (k, v) in &params.filters {
        if rows
            .first()
            .and_then(|r| r.get(k))
            .is_some_and(Value::is_boolean)
        {
            parse_bool(k, v)?;
        }
    }
    let sort_key = params.sort.clone().unwrap_or_else(|| id_key.to_string());
    rows.sort_by(|a, b| {
        let primary = compare(a.get(&sort_key), b.get(&sort_key));
        let primary = if params.descending {
            primary.reverse()
        } else {
            primary
        };
        primary.then_with(|| compare(a.get(id_key), b.get(id_key)))
    });
    let total = rows.len();
    let page = params
        .paging
        .slice(rows)
        .into_iter()
        .map(Value::Object)
        .collect();
    Ok((page, total))
}
