//! A page of a list, with the records that could not be read set aside.

use serde::de::DeserializeOwned;

/// One page of a list endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Records on this page as the server counted them (readable or not).
    pub count: u64,
    /// Total across all pages (`total_results`), when the server says.
    pub total: Option<u64>,
    /// Records that failed to parse or were implausible; the rest of the page is kept.
    pub rejected: Vec<RejectedRecord>,
}

impl<T> Page<T> {
    /// Records the server sent on this page, readable or not: the paging step.
    pub fn raw_len(&self) -> usize {
        self.items.len() + self.rejected.len()
    }
}

/// A record in a list that failed to parse.
#[derive(Debug, Clone, PartialEq)]
pub struct RejectedRecord {
    /// Position in the page's `result` array.
    pub index: usize,
    /// The record's `id` when it had a readable integer one (so a sync does not mistake an
    /// unreadable record for a deleted one).
    pub id: Option<i64>,
    pub reason: String,
}

/// A type read from the API, with a plausibility check beyond its types.
pub(crate) trait Record: DeserializeOwned {
    fn check(&self) -> Result<(), String> {
        Ok(())
    }
}

/// No text field of the API is anywhere near this long; longer means a broken or hostile server.
pub(crate) const MAX_TEXT_CHARS: usize = 10_000;

/// Records one page may hold. The API's pages hold at most 1000 (`limit` is 1..1000); a page
/// far beyond that is refused whole before its records are read one by one, so a hostile
/// answer of millions of tiny records cannot become millions of rejection reasons in memory.
pub(crate) const MAX_PAGE_RECORDS: usize = 10_000;

/// Longest reason kept for a rejected record or an unreadable answer: a parse error can quote
/// the hostile value it choked on (serde quotes a whole string of the wrong type).
pub(crate) const MAX_REASON_CHARS: usize = 300;

/// `text` cut to `max` characters, with an ellipsis when something was cut.
pub(crate) fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((cut, _)) => format!("{}…", &text[..cut]),
    }
}

/// A reason cut to `MAX_REASON_CHARS`.
pub(crate) fn reason(text: impl AsRef<str>) -> String {
    clip(text.as_ref(), MAX_REASON_CHARS)
}

pub(crate) fn check_text(field: &str, value: &str) -> Result<(), String> {
    // Bytes bound chars from above: only count when it could matter.
    if value.len() > MAX_TEXT_CHARS && value.chars().count() > MAX_TEXT_CHARS {
        return Err(format!(
            "field `{field}` is longer than {MAX_TEXT_CHARS} characters"
        ));
    }
    Ok(())
}

pub(crate) fn check_opt_text(field: &str, value: &Option<String>) -> Result<(), String> {
    value.as_deref().map_or(Ok(()), |v| check_text(field, v))
}

pub(crate) fn check_texts(field: &str, values: &[String]) -> Result<(), String> {
    if values.len() > 1000 {
        return Err(format!("field `{field}` has more than 1000 entries"));
    }
    values.iter().try_for_each(|v| check_text(field, v))
}

/// Counts and amounts must be finite and not negative.
pub(crate) fn check_amount(field: &str, value: f64) -> Result<(), String> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(format!(
            "field `{field}` is not a plausible amount: {value}"
        ))
    }
}
