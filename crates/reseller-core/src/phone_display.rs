//! Phones as the user reads them: the international format ("+31 20 123 4567") of the E.164
//! the cache stores. Formatting parses the number (tens to hundreds of microseconds, more when
//! countries alternate), so results are remembered for the process: scrolling a list formats
//! each number once.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// Remembered numbers before the memory is cleared (a few MB at most).
const MAX_REMEMBERED: usize = 50_000;

fn memory() -> &'static Mutex<HashMap<String, String>> {
    static MEMORY: OnceLock<Mutex<HashMap<String, String>>> = OnceLock::new();
    MEMORY.get_or_init(|| Mutex::new(HashMap::new()))
}

fn format(phone: &str) -> String {
    match phonenumber::parse(None, phone) {
        Ok(n) => n
            .format()
            .mode(phonenumber::Mode::International)
            .to_string(),
        // Not a number the library reads (a server that stored something odd): as it is.
        Err(_) => phone.to_string(),
    }
}

/// The international format of each phone (None stays None), formatting the unknown ones
/// grouped by country code (the library recompiles its patterns when countries alternate).
pub fn international_all(phones: &[Option<&str>]) -> Vec<Option<String>> {
    let mut out: Vec<Option<String>> = vec![None; phones.len()];
    let mut todo: Vec<usize> = Vec::new();
    {
        let memory = memory()
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for (i, phone) in phones.iter().enumerate() {
            if let Some(p) = phone {
                match memory.get(*p) {
                    Some(shown) => out[i] = Some(shown.clone()),
                    None => todo.push(i),
                }
            }
        }
    }
    if todo.is_empty() {
        return out;
    }
    todo.sort_by_key(|&i| phones[i].map(|p| p.chars().take(4).collect::<String>()));
    let formatted: Vec<(usize, String)> = todo
        .into_iter()
        .filter_map(|i| Some((i, format(phones[i]?))))
        .collect();
    let mut memory = memory()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if memory.len() + formatted.len() > MAX_REMEMBERED {
        memory.clear();
    }
    for (i, shown) in formatted {
        if let Some(p) = phones[i] {
            memory.insert(p.to_string(), shown.clone());
        }
        out[i] = Some(shown);
    }
    out
}

/// Of `phones`, those this process has not formatted yet (each once, in order).
pub fn unknown<'a>(phones: &[Option<&'a str>]) -> Vec<&'a str> {
    let memory = memory()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut out: Vec<&str> = Vec::new();
    for phone in phones.iter().flatten() {
        if !memory.contains_key(*phone) && !out.contains(phone) {
            out.push(phone);
        }
    }
    out
}

/// Takes phones formatted earlier (the cache keeps them: `Cache::phones_shown`) into the
/// process's memory, so `international_all` formats none of them again.
pub fn remember(shown: Vec<(String, String)>) {
    if shown.is_empty() {
        return;
    }
    let mut memory = memory()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if memory.len() + shown.len() > MAX_REMEMBERED {
        memory.clear();
    }
    memory.extend(shown);
}

/// The trunk prefix ("0" in Germany and the Netherlands) dialled before a national number in
/// the country with this calling code, if that country has one. Looked up once per process in a
/// table of every code (the library's metadata), so indexing 100 000 phones parses none of them.
fn trunk_prefix(code: u16) -> Option<&'static str> {
    static TABLE: OnceLock<Vec<Option<Box<str>>>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let db = &*phonenumber::metadata::DATABASE;
        (0..1000u16)
            .map(|code| {
                let first = db.by_code(&code)?.into_iter().next()?;
                first.national_prefix().map(Box::from)
            })
            .collect()
    });
    table.get(usize::from(code))?.as_deref()
}

/// Whether this calling code (1 to 3 digits) belongs to a country in the library's metadata.
fn known_code(code: u16) -> bool {
    static CODES: OnceLock<Vec<bool>> = OnceLock::new();
    let codes = CODES.get_or_init(|| {
        let db = &*phonenumber::metadata::DATABASE;
        (0..1000u16)
            .map(|code| db.by_code(&code).is_some())
            .collect()
    });
    codes.get(usize::from(code)).copied().unwrap_or(false)
}

/// The digits a caller in the same country dials for an international number: trunk prefix
/// plus national number (`+49 40 75135063` -> `04075135063`, `+31201234567` -> `0201234567`).
/// None when the phone is not written with `+` and a known calling code, or when its country
/// has no trunk prefix (the national number alone is then a tail of the international digits).
/// Calling codes are prefix-free, so the first known code of 1 to 3 digits is the code.
pub fn national_dialled_digits(phone: &str) -> Option<String> {
    if !phone.trim_start().starts_with('+') {
        return None;
    }
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    (1..=3usize.min(digits.len().saturating_sub(1))).find_map(|len| {
        let code: u16 = digits[..len].parse().ok()?;
        if !known_code(code) {
            return None;
        }
        // The code is found: the answer is this country's, trunk prefix or not.
        Some(trunk_prefix(code).map(|trunk| format!("{trunk}{}", &digits[len..])))
    })?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164_reads_as_international_and_odd_values_stay_as_they_are() {
        let shown = international_all(&[
            Some("+31201234567"),
            None,
            Some("+14155550100"),
            Some("not a phone"),
            Some("+31201234567"),
        ]);
        assert_eq!(
            shown,
            vec![
                Some("+31 20 123 4567".to_string()),
                None,
                Some("+1 415-555-0100".to_string()),
                Some("not a phone".to_string()),
                Some("+31 20 123 4567".to_string()),
            ]
        );
    }

    #[test]
    fn remembered_phones_are_known_and_shown_as_remembered() {
        // Numbers no other test uses (the memory is the process's).
        let a = "+31209990001";
        let b = "+31209990002";
        assert_eq!(unknown(&[Some(a), None, Some(b), Some(a)]), vec![a, b]);
        remember(vec![(a.to_string(), "as the cache keeps it".to_string())]);
        assert_eq!(unknown(&[Some(a), Some(b)]), vec![b]);
        assert_eq!(
            international_all(&[Some(a), Some(b)]),
            vec![
                Some("as the cache keeps it".to_string()),
                Some("+31 20 999 0002".to_string())
            ]
        );
        assert!(unknown(&[Some(b)]).is_empty(), "formatted once, then known");
    }

    #[test]
    fn national_digits_carry_the_trunk_prefix() {
        assert_eq!(
            national_dialled_digits("+49 40 75135063").as_deref(),
            Some("04075135063")
        );
        assert_eq!(
            national_dialled_digits("+31201234567").as_deref(),
            Some("0201234567")
        );
        assert_eq!(
            national_dialled_digits("+32 470 12 34 56").as_deref(),
            Some("0470123456")
        );
        // Italy keeps its leading 0 inside the national number: no trunk prefix to add.
        assert_eq!(national_dialled_digits("+39 06 1234 5678"), None);
        // Not international, or no known calling code.
        assert_eq!(national_dialled_digits("040 75135063"), None);
        assert_eq!(national_dialled_digits("+999 1234"), None);
        assert_eq!(national_dialled_digits("+"), None);
        assert_eq!(national_dialled_digits("not a phone"), None);
    }
}
