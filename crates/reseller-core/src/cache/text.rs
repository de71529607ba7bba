//! Text normalisation shared by sort keys, the FTS index and the query side.
//!
//! The index and the query are built by the same functions, so what the FTS index finds and
//! what `matches` accepts are the same set: `search_text` is a space-separated list of
//! lower-case, diacritic-folded alphanumeric tokens, indexed by FTS5's `ascii` tokenizer (which
//! splits on ASCII separators only and keeps every non-ASCII character inside a token).
//!
//! Phones are also found by any run of their digits (`135063` in `+49 40 75135063`): every tail
//! of the phone's digits at least `MIN_PHONE_RUN` long is indexed as a token marked with
//! `TAIL_MARK`, so "a run of digits" is "a prefix of a marked tail", found like any other prefix
//! (by FTS5; in memory, by the token index's sorted tails).
//! The mark keeps tails apart from ordinary tokens: a short digit term (`4`) or any word
//! (`p`) never reaches them, and digits inside names and e-mail addresses get no tails.

/// Longest search or filter text taken, in characters. A search box (or a command called with
/// a pasted document) is cut here rather than refused: a browser's `maxlength` cuts a paste the
/// same way, and the UI's inputs say the same number. 200 characters are more than any name,
/// email or phone typed to find a customer, and bound a query's terms to about a hundred.
pub const MAX_SEARCH_CHARS: usize = 200;

/// `text` cut to `MAX_SEARCH_CHARS` characters (at a character boundary).
pub fn bounded_search(text: &str) -> &str {
    match text.char_indices().nth(MAX_SEARCH_CHARS) {
        Some((cut, _)) => &text[..cut],
        None => text,
    }
}

/// Lower case with Latin diacritics folded (`Émile Øster` -> `emile oster`).
pub(crate) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        match fold_char(c) {
            Some(f) => out.push_str(f),
            None => out.push(c),
        }
    }
    out
}

/// The case-insensitive sort key of a text column.
pub(crate) fn sort_key(s: &str) -> String {
    fold(s)
}

/// The tokens of already-folded text: maximal runs of letters, and of digits
/// (`jansen42@kpn.nl` -> `jansen`, `42`, `kpn`, `nl`). Splitting letters from digits keeps the
/// number of distinct terms small (e-mail addresses often end in a number), which is what makes a
/// prefix query cheap: FTS5 merges one doclist per distinct term that has the prefix.
fn tokens(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .flat_map(split_digits)
        .filter(|t| !t.is_empty())
}

/// Splits an alphanumeric run where it switches between digits and non-digits.
fn split_digits(run: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut prev: Option<bool> = None;
    for (i, c) in run.char_indices() {
        let digit = c.is_numeric();
        if prev.is_some_and(|p| p != digit) {
            parts.push(&run[start..i]);
            start = i;
        }
        prev = Some(digit);
    }
    parts.push(&run[start..]);
    parts
}

/// The digits of a phone number, so `0612` typed without `+` or spaces still finds it.
pub(crate) fn phone_digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

/// The fewest digits a search term needs to be looked for anywhere inside a phone number
/// (shorter terms match from the start of a token only, as words do). A run of 3 digits occurs in
/// about one phone number in a hundred (a 12-digit number has 10 places for it), so it would list
/// some 1 000 of 100 000 customers; 4 digits narrow that tenfold, and are still fewer than anyone
/// remembers of a number. Area codes typed with their trunk prefix (`040`, `020`) are found from
/// the start of the national form, at any length.
pub const MIN_PHONE_RUN: usize = 4;

/// Marks an indexed tail of a phone's digits. Not alphanumeric, so no query term can contain
/// it (`query_terms` splits on it); not ASCII, so FTS5's `ascii` tokenizer keeps it inside the
/// token.
const TAIL_MARK: char = '\u{a7}'; // §

/// The indexed text of a customer: tokens of name, email, phone, the phone's digits, the digits
/// a caller dials inside its country (`040...` for `+49 40 ...`), and the marked tails of the
/// phone's digits (see `MIN_PHONE_RUN`).
pub(crate) fn search_text(name: &str, email: &str, phone: Option<&str>) -> String {
    let mut parts: Vec<String> = Vec::new();
    for field in [name, email, phone.unwrap_or("")] {
        let folded = fold(field);
        parts.extend(tokens(&folded).map(str::to_string));
    }
    if let Some(phone) = phone {
        let digits = phone_digits(phone);
        if !digits.is_empty() {
            // Tails from the second digit on (the whole number is found from its start anyway);
            // digits are ASCII, so byte offsets are digit offsets.
            let tails: Vec<String> = (1..=digits.len().saturating_sub(MIN_PHONE_RUN))
                .map(|start| format!("{TAIL_MARK}{}", &digits[start..]))
                .collect();
            parts.push(digits);
            // The national form's tails are the international tails after the calling code.
            parts.extend(crate::phone_display::national_dialled_digits(phone));
            parts.extend(tails);
        }
    }
    parts.join(" ")
}

/// The prefix terms of what a user typed (its first `MAX_SEARCH_CHARS` characters): every
/// token, folded. FTS syntax in the input (quotes, `*`, `OR`, `NEAR(`, `^`, `:`) is not syntax
/// here: punctuation separates tokens and words are just words.
pub(crate) fn query_terms(input: &str) -> Vec<String> {
    tokens(&fold(bounded_search(input)))
        .map(str::to_string)
        .collect()
}

/// A phone number typed in groups (`+31 6 12`): when every term is digits and there are several,
/// their concatenation is also tried as a prefix of the stored digits-only phone.
pub(crate) fn joined_digits(terms: &[String]) -> Option<String> {
    (terms.len() > 1 && terms.iter().all(|t| t.chars().all(char::is_numeric)))
        .then(|| terms.concat())
}

/// For a term of at least `MIN_PHONE_RUN` ASCII digits, the prefix that finds it inside a
/// phone number (a marked tail starting with it); None for any other term.
pub(crate) fn tail_prefix(term: &str) -> Option<String> {
    is_phone_run(term).then(|| format!("{TAIL_MARK}{term}"))
}

/// Whether a term is looked for inside phone numbers (at least `MIN_PHONE_RUN` ASCII digits).
pub(crate) fn is_phone_run(term: &str) -> bool {
    term.len() >= MIN_PHONE_RUN && term.bytes().all(|b| b.is_ascii_digit())
}

/// The digits of a marked phone tail token; None for any other token.
pub(crate) fn tail_digits(token: &str) -> Option<&str> {
    token.strip_prefix(TAIL_MARK)
}

fn quoted_prefix(term: &str) -> String {
    format!("\"{}\"*", term.replace('"', "\"\""))
}

/// One term's FTS expression: its prefix, or for a digit run also a phone tail it starts.
fn term_query(term: &str) -> String {
    match tail_prefix(term) {
        Some(tail) => format!("({} OR {})", quoted_prefix(term), quoted_prefix(&tail)),
        None => quoted_prefix(term),
    }
}

/// The FTS5 MATCH expression for the terms: each one a quoted prefix term (or a digit run's
/// two, see `term_query`), all ANDed (or, for digit groups, their concatenation). Terms hold
/// only alphanumerics; quotes are doubled anyway.
pub(crate) fn fts_query(terms: &[String]) -> String {
    let all = terms
        .iter()
        .map(|t| term_query(t))
        .collect::<Vec<_>>()
        .join(" AND ");
    match joined_digits(terms) {
        Some(joined) => format!("({all}) OR {}", term_query(&joined)),
        None => all,
    }
}

/// Whether a customer's `search_text` matches the terms: the same answer the FTS index gives
/// for `fts_query(terms)`.
pub(crate) fn matches(search_text: &str, terms: &[String]) -> bool {
    let has = |term: &str| {
        let run = is_phone_run(term);
        search_text.split(' ').any(|tok| {
            tok.starts_with(term)
                || (run
                    && tok
                        .strip_prefix(TAIL_MARK)
                        .is_some_and(|tail| tail.starts_with(term)))
        })
    };
    terms.iter().all(|term| has(term)) || joined_digits(terms).is_some_and(|joined| has(&joined))
}

fn fold_char(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĳ' => "ij",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searches_are_cut_at_the_limit_on_a_character_boundary() {
        assert_eq!(bounded_search("short"), "short");
        let long = "é".repeat(MAX_SEARCH_CHARS + 50);
        assert_eq!(bounded_search(&long).chars().count(), MAX_SEARCH_CHARS);
        let exact = "a".repeat(MAX_SEARCH_CHARS);
        assert_eq!(bounded_search(&exact), exact);
        // A pasted document: a bounded number of terms.
        let paste = "word ".repeat(1_000_000);
        assert_eq!(query_terms(&paste).len(), MAX_SEARCH_CHARS / 5);
    }

    #[test]
    fn folding() {
        assert_eq!(fold("Émile ØSTER-Straße"), "emile oster-strasse");
        assert_eq!(sort_key("ABC"), sort_key("abc"));
    }

    #[test]
    fn search_text_has_tokens_and_phone_digits() {
        let s = search_text(
            "Jansen & Zn. B.V.",
            "Info42@Jansen.NL",
            Some("+31 20 123 4567"),
        );
        assert_eq!(
            s,
            "jansen zn b v info 42 jansen nl 31 20 123 4567 31201234567 0201234567 \
             §1201234567 §201234567 §01234567 §1234567 §234567 §34567 §4567"
        );
        assert_eq!(search_text("A", "b@c.d", None), "a b c d");
    }

    #[test]
    fn hostile_queries_become_plain_terms() {
        assert_eq!(query_terms("\"a\" OR b*"), vec!["a", "or", "b"]);
        assert_eq!(query_terms("NEAR("), vec!["near"]);
        assert_eq!(query_terms("  ^:*\"() "), Vec::<String>::new());
        assert_eq!(fts_query(&query_terms("jan.dev")), "\"jan\"* AND \"dev\"*");
    }

    #[test]
    fn matching_is_token_prefix() {
        let s = search_text("Maria Jansen", "maria@example.nl", Some("+31612345678"));
        assert!(matches(&s, &query_terms("mar jan")));
        assert!(matches(&s, &query_terms("3161234")));
        assert!(matches(&s, &query_terms("+31 6 1234")));
        assert!(!matches(&s, &query_terms("+31 7 1234")));
        assert_eq!(
            fts_query(&query_terms("+31 6")),
            "(\"31\"* AND \"6\"*) OR \"316\"*"
        );
        assert!(!matches(&s, &query_terms("aria")));
        assert!(!matches(&s, &query_terms("maria x")));
        assert!(matches(&s, &[]));
    }

    #[test]
    fn phone_tails_are_marked_and_at_least_the_minimum_long() {
        let s = search_text("Hafen GmbH", "info@hafen.de", Some("+49 40 75135063"));
        let tokens: Vec<&str> = s.split(' ').collect();
        // Plain: the phone's groups, its digits, the national form with the trunk prefix.
        for plain in ["49", "40", "75135063", "494075135063", "04075135063"] {
            assert!(tokens.contains(&plain), "{plain} in {s}");
        }
        let tails: Vec<&str> = tokens
            .iter()
            .filter_map(|t| t.strip_prefix(TAIL_MARK))
            .collect();
        assert_eq!(
            tails,
            vec![
                "94075135063",
                "4075135063",
                "075135063",
                "75135063",
                "5135063",
                "135063",
                "35063",
                "5063"
            ]
        );
        // A phone shorter than a run has no tails; a phone as typed nationally keeps its 0.
        assert_eq!(search_text("A", "b@c.d", Some("112")), "a b c d 112 112");
        let national = search_text("A", "b@c.d", Some("020-123 4567"));
        assert!(national.contains("0201234567 §201234567"), "{national}");
    }

    #[test]
    fn phones_match_by_any_run_of_their_digits() {
        let de = search_text("Hafen GmbH", "info@hafen.de", Some("+494075135063"));
        for query in [
            "40 75135063",
            "4075135",
            "135063",
            "751350",
            "49407513",
            "+49 40 75135063",
            "040 75135063",
            "(040) 751-350-63",
            "040/75135063",
            "040",
            "5063",
            "hafen 135063",
        ] {
            assert!(matches(&de, &query_terms(query)), "{query}");
        }
        // Too short to be looked for inside the number, not in it, or the words do not match.
        for query in [
            "063",
            "75",
            "4076",
            "135064",
            "hafen 135064",
            "other 135063",
        ] {
            assert!(!matches(&de, &query_terms(query)), "{query}");
        }
        // The mark cannot be typed: it separates words like any punctuation.
        assert_eq!(query_terms("§5063"), vec!["5063"]);
        let nl = search_text("Gracht", "post@gracht.nl", Some("+31201234567"));
        for query in [
            "0201234567",
            "1234567",
            "20 123",
            "020 123 45",
            "+31 20 123 4567",
        ] {
            assert!(matches(&nl, &query_terms(query)), "{query}");
        }
        assert!(!matches(&nl, &query_terms("0201234568")));
    }

    #[test]
    fn digits_in_names_and_emails_match_from_their_start_only() {
        let s = search_text("Studio 2024", "jan.devries1975@kpn.nl", None);
        assert!(matches(&s, &query_terms("2024")));
        assert!(matches(&s, &query_terms("1975")));
        assert!(matches(&s, &query_terms("197")));
        // No tails outside phones: a run inside a name's or an address's number is no match.
        assert!(!matches(&s, &query_terms("0245")));
        assert!(!matches(&s, &query_terms("9751")));
        assert!(!matches(&s, &query_terms("975")));
        assert!(!s.contains(TAIL_MARK));
    }

    #[test]
    fn digit_runs_look_for_phone_tails_in_fts() {
        assert_eq!(fts_query(&query_terms("135")), "\"135\"*");
        assert_eq!(fts_query(&query_terms("1350")), "(\"1350\"* OR \"§1350\"*)");
        assert_eq!(
            fts_query(&query_terms("40 7513")),
            "(\"40\"* AND (\"7513\"* OR \"§7513\"*)) OR (\"407513\"* OR \"§407513\"*)"
        );
        assert_eq!(tail_prefix("abcd"), None);
        assert_eq!(tail_prefix("١٢٣٤"), None);
    }
}
