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
}
