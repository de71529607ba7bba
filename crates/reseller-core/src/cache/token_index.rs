//! The token index: every distinct token of the customers' `search_text`, sorted, each with the
//! rows it occurs in. The tokens starting with a prefix are one contiguous run of the sorted
//! list, so a prefix term's matches are the union of that run's posting lists: two binary
//! searches and one pass over postings, which is what makes a broad term (`k`, `o`) as cheap
//! as a narrow one. It answers exactly what `text::matches` answers (tokens are the
//! space-separated words of `search_text`, and a term matches a row when a token starts with it).
//!
//! Compact layout (flat arrays, no per-token allocation): for 100 000 customers, about 90 000
//! distinct tokens and 800 000 postings, some 6 MB.
//!
//! The marked phone tails of `search_text` (`text::MIN_PHONE_RUN`) are kept apart, in a
//! `TailIndex`: as tokens they would be some 550 000 more distinct ones (phone digits rarely
//! repeat), which made the benchmark's build 1.2 s instead of 0.15 s and the index 22 MB.

use std::ops::Range;

use super::row_set::RowSet;
use super::text;

pub(crate) struct TokenIndex {
    rows: usize,
    tails: TailIndex,
    /// The sorted distinct tokens, concatenated: token `i` is `text[ends[i - 1]..ends[i]]`.
    text: String,
    ends: Vec<u32>,
    /// Token `i` occurs in rows `postings[starts[i]..starts[i + 1]]`, ascending, once each.
    starts: Vec<u32>,
    postings: Vec<u32>,
}

/// Collects rows in row order (0, 1, 2, ...), then lays the index out.
#[derive(Default)]
pub(crate) struct TokenIndexBuilder {
    tokens: Interner,
    /// (token number in first-seen order, row), in row order.
    pairs: Vec<(u32, u32)>,
    rows: u32,
    seen_in_row: Vec<u32>,
    tails: TailIndexBuilder,
}

impl TokenIndexBuilder {
    /// Adds the next row (its number is the count of rows added before it).
    pub(crate) fn add_row(&mut self, search_text: &str) {
        let row = self.rows;
        self.rows += 1;
        self.seen_in_row.clear();
        let mut longest_tail: Option<&str> = None;
        for token in search_text.split(' ').filter(|t| !t.is_empty()) {
            if let Some(tail) = text::tail_digits(token) {
                // Every tail of a phone is a tail of its longest one.
                if longest_tail.is_none_or(|l| l.len() < tail.len()) {
                    longest_tail = Some(tail);
                }
                continue;
            }
            let id = self.tokens.intern(token);
            // A row lists a token once (a phone's digits often repeat its only token).
            if !self.seen_in_row.contains(&id) {
                self.seen_in_row.push(id);
                self.pairs.push((id, row));
            }
        }
        if let Some(tail) = longest_tail {
            self.tails.add(row, tail);
        }
    }

    pub(crate) fn finish(self) -> TokenIndex {
        let tails = self.tails.finish();
        let interned = &self.tokens;
        let mut sorted: Vec<u32> = (0..interned.len() as u32).collect();
        sorted.sort_unstable_by(|&a, &b| interned.token(a).cmp(interned.token(b)));
        let mut rank = vec![0u32; sorted.len()];
        let mut text = String::with_capacity(interned.text.len());
        let mut ends = Vec::with_capacity(sorted.len());
        for (i, &id) in sorted.iter().enumerate() {
            rank[id as usize] = i as u32;
            text.push_str(interned.token(id));
            ends.push(text.len() as u32);
        }
        // Counting sort of the pairs by token rank; rows stay ascending within a token.
        let mut starts = vec![0u32; rank.len() + 1];
        for &(id, _) in &self.pairs {
            starts[rank[id as usize] as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut fill = starts.clone();
        let mut postings = vec![0u32; self.pairs.len()];
        for &(id, row) in &self.pairs {
            let slot = &mut fill[rank[id as usize] as usize];
            postings[*slot as usize] = row;
            *slot += 1;
        }
        TokenIndex {
            rows: self.rows as usize,
            tails,
            text,
            ends,
            starts,
            postings,
        }
    }
}

/// Distinct tokens in first-seen order, concatenated in one string, found again through an
/// open-addressing table of token numbers. A `HashMap<Box<str>, _>` costs an allocation per
/// token and a pointer chase per lookup: three times slower for the 700 000 tokens of a build.
#[derive(Default)]
struct Interner {
    text: String,
    ends: Vec<u32>,
    /// Token number + 1, or 0 for free; a power of two long, at most half full.
    slots: Vec<u32>,
}

impl Interner {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn token(&self, id: u32) -> &str {
        let id = id as usize;
        let start = if id == 0 {
            0
        } else {
            self.ends[id - 1] as usize
        };
        &self.text[start..self.ends[id] as usize]
    }

    fn intern(&mut self, token: &str) -> u32 {
        if (self.len() + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = home(token, self.slots.len());
        loop {
            match self.slots[i] {
                0 => {
                    self.text.push_str(token);
                    self.ends.push(self.text.len() as u32);
                    self.slots[i] = self.len() as u32;
                    return self.len() as u32 - 1;
                }
                slot if self.token(slot - 1) == token => return slot - 1,
                _ => i = (i + 1) & mask,
            }
        }
    }

    fn grow(&mut self) {
        let mut slots = vec![0u32; (self.slots.len() * 2).max(1024)];
        let mask = slots.len() - 1;
        for id in 0..self.len() as u32 {
            let mut i = home(self.token(id), slots.len());
            while slots[i] != 0 {
                i = (i + 1) & mask;
            }
            slots[i] = id + 1;
        }
        self.slots = slots;
    }
}

/// A token's first slot in a table of `slots` (a power of two): rustc's FxHash, eight bytes at a
/// time (fast for short keys; the keys are our own data), whose well-mixed bits are the high ones.
fn home(token: &str, slots: usize) -> usize {
    let mut h: u64 = 0;
    for chunk in token.as_bytes().chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    (h >> (64 - slots.trailing_zeros())) as usize
}

impl TokenIndex {
    fn token(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    /// The sorted tokens that start with `prefix`.
    fn prefix_range(&self, prefix: &str) -> Range<usize> {
        let first_not = |pred: &dyn Fn(&str) -> bool| {
            let (mut lo, mut hi) = (0, self.ends.len());
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if pred(self.token(mid)) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            lo
        };
        let start = first_not(&|t| t < prefix);
        let end = first_not(&|t| t < prefix || t.starts_with(prefix));
        start..end
    }

    /// The rows with a token that starts with `prefix`.
    pub(crate) fn rows_with_prefix(&self, prefix: &str) -> RowSet {
        let mut set = RowSet::empty(self.rows);
        let tokens = self.prefix_range(prefix);
        let postings = self.starts[tokens.start] as usize..self.starts[tokens.end] as usize;
        for &row in &self.postings[postings] {
            set.insert(row);
        }
        set
    }

    /// The rows matching the query terms: the set `text::matches` accepts, and so the set the
    /// FTS query `text::fts_query(terms)` yields. Empty terms match every row.
    pub(crate) fn matching(&self, terms: &[String]) -> RowSet {
        let mut all: Option<RowSet> = None;
        for term in terms {
            let rows = self.rows_with_term(term);
            match all.as_mut() {
                None => all = Some(rows),
                Some(set) => set.intersect(&rows),
            }
        }
        let mut all = all.unwrap_or_else(|| {
            let mut every = RowSet::empty(self.rows);
            (0..self.rows as u32).for_each(|r| every.insert(r));
            every
        });
        if let Some(joined) = text::joined_digits(terms) {
            all.union(&self.rows_with_term(&joined));
        }
        all
    }

    /// The rows a term matches: a token starts with it, or (a digit run) a phone tail does.
    fn rows_with_term(&self, term: &str) -> RowSet {
        let mut rows = self.rows_with_prefix(term);
        if text::is_phone_run(term) {
            self.tails.add_rows_with_prefix(term, &mut rows);
        }
        rows
    }

    /// Distinct tokens, phone tails not counted.
    pub(crate) fn token_count(&self) -> usize {
        self.ends.len()
    }

    /// Postings, and one per indexed phone tail.
    pub(crate) fn posting_count(&self) -> usize {
        self.postings.len() + self.tails.starts.len()
    }

    /// Heap bytes held.
    pub(crate) fn bytes(&self) -> usize {
        self.text.capacity()
            + 4 * (self.ends.capacity() + self.starts.capacity() + self.postings.capacity())
            + self.tails.bytes()
    }
}

/// The phones' digit tails of at least `text::MIN_PHONE_RUN` digits, sorted (a suffix array
/// over each row's longest tail): the tails starting with a digit run are one contiguous range,
/// found by two binary searches, like the tokens with a prefix.
#[derive(Default)]
struct TailIndex {
    /// Each row's longest tail, one after another, each followed by a space.
    digits: Vec<u8>,
    /// Where each tail starts in `digits`, sorted by the tail's text.
    starts: Vec<u32>,
    /// The row of each tail, in the same order.
    rows: Vec<u32>,
}

#[derive(Default)]
struct TailIndexBuilder {
    digits: Vec<u8>,
    /// (first 16 bytes of the tail, big-endian and zero-padded; start; row)
    tails: Vec<(u128, u32, u32)>,
}

impl TailIndexBuilder {
    fn add(&mut self, row: u32, longest: &str) {
        let base = self.digits.len();
        self.digits.extend_from_slice(longest.as_bytes());
        self.digits.push(b' ');
        let bytes = longest.as_bytes();
        for start in 0..=bytes.len().saturating_sub(text::MIN_PHONE_RUN) {
            let mut key = [0u8; 16];
            let head = &bytes[start..bytes.len().min(start + 16)];
            key[..head.len()].copy_from_slice(head);
            self.tails
                .push((u128::from_be_bytes(key), (base + start) as u32, row));
        }
    }

    fn finish(mut self) -> TailIndex {
        let digits = self.digits;
        let tail = |start: u32| {
            let rest = &digits[start as usize..];
            &rest[..rest.iter().position(|&b| b == b' ').unwrap_or(rest.len())]
        };
        // The packed head orders tails of up to 16 digits (a zero pads a shorter one, and sorts
        // before any digit); only heads of 16 digits (last byte not zero) may be longer tails,
        // ordered by their whole text. Equal tails may keep their rows in any order.
        self.tails.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0).then_with(|| {
                if a.0 as u8 == 0 {
                    std::cmp::Ordering::Equal
                } else {
                    tail(a.1).cmp(tail(b.1))
                }
            })
        });
        TailIndex {
            starts: self.tails.iter().map(|t| t.1).collect(),
            rows: self.tails.iter().map(|t| t.2).collect(),
            digits,
        }
    }
}

impl TailIndex {
    fn tail(&self, i: usize) -> &[u8] {
        let rest = &self.digits[self.starts[i] as usize..];
        &rest[..rest.iter().position(|&b| b == b' ').unwrap_or(rest.len())]
    }

    /// Adds to `set` the rows with a tail starting with `prefix`.
    fn add_rows_with_prefix(&self, prefix: &str, set: &mut RowSet) {
        let prefix = prefix.as_bytes();
        let lo = {
            let (mut lo, mut hi) = (0, self.starts.len());
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if self.tail(mid) < prefix {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            lo
        };
        let (mut hi_lo, mut hi) = (lo, self.starts.len());
        while hi_lo < hi {
            let mid = hi_lo + (hi - hi_lo) / 2;
            if self.tail(mid).starts_with(prefix) {
                hi_lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        for &row in &self.rows[lo..hi_lo] {
            set.insert(row);
        }
    }

    fn bytes(&self) -> usize {
        self.digits.capacity() + 4 * (self.starts.capacity() + self.rows.capacity())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(texts: &[String]) -> TokenIndex {
        let mut b = TokenIndexBuilder::default();
        texts.iter().for_each(|t| b.add_row(t));
        b.finish()
    }

    #[test]
    fn prefix_ranges_cover_exactly_the_tokens_with_the_prefix() {
        let idx = index(&[
            "ab abc b".into(),
            "abd a".into(),
            "".into(),
            "ba abc".into(),
        ]);
        assert_eq!(idx.token_count(), 6); // a ab abc abd b ba
        assert_eq!(idx.posting_count(), 7);
        let rows = |p: &str| idx.rows_with_prefix(p).iter().collect::<Vec<_>>();
        assert_eq!(rows("ab"), vec![0, 1, 3]);
        assert_eq!(rows("abc"), vec![0, 3]);
        assert_eq!(rows("a"), vec![0, 1, 3]);
        assert_eq!(rows("b"), vec![0, 3]);
        assert_eq!(rows("ba"), vec![3]);
        assert_eq!(rows("abcd"), Vec::<u32>::new());
        assert_eq!(rows("0"), Vec::<u32>::new());
        assert_eq!(rows("zz"), Vec::<u32>::new());
    }

    #[test]
    fn matching_agrees_with_the_text_matcher() {
        let people = [
            ("Maria Jansen", "maria@example.nl", Some("+31612345678")),
            (
                "Jan de Vries",
                "jan.devries42@kpn.nl",
                Some("+31 20 123 4567"),
            ),
            ("Émile O'Brien", "emile@obrien.ie", None),
            ("Øster 31 BV", "info@oster31.dk", Some("+4531612")),
            ("", "x@y.z", Some("")),
            (
                "Hafen 4075 GmbH",
                "kontakt4075@hafen.de",
                Some("+49 40 75135063"),
            ),
            ("Gracht", "post@gracht.nl", Some("+31201234567")),
            // Tails longer than the 16 digits the sort packs, alike in their first 17.
            ("Lang", "l@lang.nl", Some("+1234567890123456789012")),
            ("Lang", "l@lang.nl", Some("+1234567890123456789000")),
            ("Lang", "l@lang.nl", Some("+1234567890123456789")),
        ];
        let texts: Vec<String> = people
            .iter()
            .map(|(n, e, p)| text::search_text(n, e, *p))
            .collect();
        let idx = index(&texts);
        for query in [
            "mar jan",
            "jan",
            "j",
            "de v",
            "+31 6 1",
            "+31 20",
            "3161",
            "31",
            "o'b",
            "emile",
            "oster 3",
            "45 31",
            "x y z",
            "zzz",
            "a",
            "4",
            "40 75135063",
            "4075135",
            "135063",
            "751350",
            "49407513",
            "040 75135063",
            "(040) 751-350-63",
            "0201234567",
            "1234567",
            "20 123",
            "4075",
            "407",
            "hafen 5063",
            "1612",
            "0612",
            "§1612",
            "234567890123456789012",
            "34567890123456789000",
            "3456789012345678901",
            "3456789012345678",
            "345678901234567890",
            "89012",
            "9000",
            "9012",
        ] {
            let terms = text::query_terms(query);
            let want: Vec<u32> = (0..texts.len() as u32)
                .filter(|&r| text::matches(&texts[r as usize], &terms))
                .collect();
            assert_eq!(
                idx.matching(&terms).iter().collect::<Vec<_>>(),
                want,
                "{query}"
            );
        }
        assert_eq!(idx.matching(&[]).count(), texts.len() as u64);
    }
}
