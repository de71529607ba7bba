//! Phone numbers from per-country patterns, each checked with `phonenumber` before use.

use rand::seq::IndexedRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Candidates drawn per customer; nearly every pattern validates on the first try.
pub const CANDIDATES: usize = 6;

/// `CANDIDATES` numbers (E.164) drawn from `patterns`, not yet validated. Drawing a fixed count
/// keeps the caller's random sequence independent of which candidates turn out valid.
pub fn candidates(rng: &mut ChaCha8Rng, patterns: &[&str]) -> Vec<String> {
    (0..CANDIDATES)
        .filter_map(|_| {
            let pattern = patterns.choose(rng)?;
            Some(
                pattern
                    .chars()
                    .filter(|c| *c != ' ')
                    .map(|c| match c {
                        'X' => char::from(b'0' + rng.random_range(0..10u8)),
                        'N' => char::from(b'0' + rng.random_range(2..10u8)),
                        other => other,
                    })
                    .collect(),
            )
        })
        .collect()
}

/// The first candidate that `phonenumber` accepts as valid, in international format or E.164.
/// (Callers validate candidates grouped by country: `phonenumber` keeps a small regex cache,
/// and alternating countries would make it recompile its patterns on every call.)
pub fn first_valid(candidates: &[String], e164: bool) -> Option<String> {
    candidates.iter().find_map(|candidate| {
        let number = phonenumber::parse(None, candidate).ok()?;
        if !phonenumber::is_valid(&number) {
            return None;
        }
        let mode = if e164 {
            phonenumber::Mode::E164
        } else {
            phonenumber::Mode::International
        };
        Some(number.format().mode(mode).to_string())
    })
}

/// A valid number from `patterns`, or `None` when no candidate validated.
#[cfg(test)]
pub fn generate(rng: &mut ChaCha8Rng, patterns: &[&str]) -> Option<String> {
    let e164 = rng.random_bool(0.25);
    first_valid(&candidates(rng, patterns), e164)
}

/// The digits of a phone number (for searching regardless of spacing).
pub fn phone_digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

/// Is `phone` a valid international number? (No default region: it must start with `+`.)
pub fn is_valid_international(phone: &str) -> bool {
    phonenumber::parse(None, phone.trim())
        .map(|n| phonenumber::is_valid(&n))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::super::countries::COUNTRIES;
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn every_country_yields_valid_numbers_for_most_patterns() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for country in COUNTRIES {
            for pattern in country.phones {
                let got = (0..20)
                    .filter_map(|_| generate(&mut rng, &[pattern]))
                    .collect::<Vec<_>>();
                assert!(
                    got.len() >= 18,
                    "{} pattern {pattern} validated only {}/20",
                    country.code,
                    got.len()
                );
                assert!(got.iter().all(|p| is_valid_international(p)));
            }
        }
    }
}
