//! Text normalisation shared by sort keys, the FTS index and the query side.
//!
//! The index and the query are built by the same functions, so what the FTS index finds and
//! what `matches` accepts are the same set: `search_text` is a space-separated list of
//! lower-case, diacritic-folded alphanumeric tokens, indexed by FTS5's `ascii` tokenizer (which
//! splits on ASCII separators only and keeps every non-ASCII character inside a token).

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

/// The indexed text of a customer: tokens of name, email, phone, and the phone's digits.
pub(crate) fn search_text(name: &str, email: &str, phone: Option<&str>) -> String {
    let mut parts: Vec<String> = Vec::new();
    for field in [name, email, phone.unwrap_or("")] {
        let folded = fold(field);
        parts.extend(tokens(&folded).map(str::to_string));
    }
    if let Some(phone) = phone {
        let digits = phone_digits(phone);
        if !digits.is_empty() {
            parts.push(digits);
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

fn quoted_prefix(term: &str) -> String {
    format!("\"{}\"*", term.replace('"', "\"\""))
}

/// The FTS5 MATCH expression for the terms: each one a quoted prefix term, all ANDed (or, for
/// digit groups, their concatenation). Terms hold only alphanumerics; quotes are doubled anyway.
pub(crate) fn fts_query(terms: &[String]) -> String {
    let all = terms
        .iter()
        .map(|t| quoted_prefix(t))
        .collect::<Vec<_>>()
        .join(" AND ");
    match joined_digits(terms) {
        Some(joined) => format!("({all}) OR {}", quoted_prefix(&joined)),
        None => all,
    }
}

/// Whether a customer's `search_text` matches the terms: the same answer the FTS index gives
/// for `fts_query(terms)`.
pub(crate) fn matches(search_text: &str, terms: &[String]) -> bool {
    let has_prefix = |term: &str| search_text.split(' ').any(|tok| tok.starts_with(term));
    terms.iter().all(|term| has_prefix(term))
        || joined_digits(terms).is_some_and(|joined| has_prefix(&joined))
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
            "jansen zn b v info 42 jansen nl 31 20 123 4567 31201234567"
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
}
