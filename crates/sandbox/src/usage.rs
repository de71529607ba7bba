//! Usage, computed on demand: seconds of audio per (customer, day, language, token,
//! subscription) are a pure function of the seed and the customer's profile, never stored.
//! Every view and split sums the same cells, so totals agree across views and the summary.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use rusqlite::{params, Connection};
use serde_json::{json, Map, Value};

use crate::catalog;
use crate::clock::{format_date, micros_date, parse_date};
use crate::error::ApiError;
use crate::hash::{mix, of_str, unit};
use crate::seed::Frame;

#[derive(Debug, Clone)]
pub struct Span {
    pub id: i64,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub rate: f64,
}

impl Span {
    fn covers(&self, day: NaiveDate) -> bool {
        self.start <= day && self.end.is_none_or(|e| day < e)
    }
}

/// What a customer's usage is computed from.
#[derive(Debug, Clone)]
pub struct Profile {
    seed: u64,
    customer_id: i64,
    languages: Vec<String>,
    lang_weights: Vec<f64>,
    tokens: Vec<String>,
    token_weights: Vec<f64>,
    /// Usage exists on days in [from, until).
    pub from: NaiveDate,
    pub until: NaiveDate,
    subs: Vec<Span>,
    base: f64,
}

fn weights(seed: u64, customer: i64, names: &[String], salt: u64) -> Vec<f64> {
    let raw: Vec<f64> = names
        .iter()
        .map(|n| 0.2 + unit(mix(&[seed, customer as u64, of_str(n), salt])))
        .collect();
    let sum: f64 = raw.iter().sum();
    raw.into_iter().map(|w| w / sum.max(f64::EPSILON)).collect()
}

fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// The columns `Profile::from_row` reads, in order.
pub const PROFILE_COLUMNS: &str = "id, registration_date, languages, usage_tokens, usage_until";

impl Profile {
    /// From a customers row selected with `PROFILE_COLUMNS`, and its subscriptions.
    pub fn from_row(
        row: &rusqlite::Row<'_>,
        seed: u64,
        frame: &Frame,
        subs: Vec<Span>,
    ) -> rusqlite::Result<Self> {
        let customer_id: i64 = row.get(0)?;
        let registration: i64 = row.get(1)?;
        let languages = split_list(&row.get::<_, String>(2)?);
        let tokens = split_list(&row.get::<_, String>(3)?);
        let until: Option<String> = row.get(4)?;
        let end = frame.anchor + Days::new(1);
        let until = until
            .as_deref()
            .and_then(parse_date)
            .map_or(end, |u| u.min(end));
        Ok(Profile {
            seed,
            customer_id,
            lang_weights: weights(seed, customer_id, &languages, 4),
            token_weights: weights(seed, customer_id, &tokens, 5),
            languages,
            tokens,
            from: micros_date(registration).max(frame.history_start),
            until,
            subs,
            // 10 minutes to 10 hours of audio on an ordinary weekday.
            base: 600.0 * 60f64.powf(unit(mix(&[seed, customer_id as u64, 1]))),
        })
    }

    pub fn load(
        conn: &Connection,
        seed: u64,
        frame: &Frame,
        customer_id: i64,
    ) -> Result<Profile, ApiError> {
        let subs = load_spans(conn, Some(customer_id))?
            .remove(&customer_id)
            .unwrap_or_default();
        conn.query_row(
            &format!("SELECT {PROFILE_COLUMNS} FROM customers WHERE id = ?1"),
            params![customer_id],
            |r| Profile::from_row(r, seed, frame, subs),
        )
        .map_err(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => {
                ApiError::not_found(format!("No customer with id {customer_id}."))
            }
            other => other.into(),
        })
    }

    fn day_total(&self, day: NaiveDate) -> f64 {
        let d = day.num_days_from_ce() as u64;
        let h = mix(&[self.seed, self.customer_id as u64, d, 2]);
        if unit(h) < 0.08 {
            return 0.0;
        }
        let weekday = match day.weekday() {
            Weekday::Sat => 0.25,
            Weekday::Sun => 0.15,
            _ => 1.0,
        };
        self.base * weekday * (0.4 + 1.2 * unit(mix(&[h, 3])))
    }

    /// Calls `f(day, language index, token index, subscription, seconds)` for every non-zero
    /// cell on days in [from, to) (clipped to when usage exists).
    pub fn for_each_cell(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        mut f: impl FnMut(NaiveDate, usize, usize, &Span, i64),
    ) {
        let (from, to) = (from.max(self.from), to.min(self.until));
        let mut day = from;
        let mut active: Vec<&Span> = Vec::with_capacity(self.subs.len());
        while day < to {
            active.clear();
            active.extend(self.subs.iter().filter(|s| s.covers(day)));
            if !active.is_empty() {
                let total = self.day_total(day);
                if total > 0.0 {
                    let pick = mix(&[
                        self.seed,
                        self.customer_id as u64,
                        day.num_days_from_ce() as u64,
                        6,
                    ]);
                    let sub = active[(pick % active.len() as u64) as usize];
                    for (li, wl) in self.lang_weights.iter().enumerate() {
                        for (ti, wt) in self.token_weights.iter().enumerate() {
                            let units = (total * wl * wt).floor() as i64;
                            if units > 0 {
                                f(day, li, ti, sub, units);
                            }
                        }
                    }
                }
            }
            day = day + Days::new(1);
        }
    }

    pub fn total(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let mut sum = 0;
        self.for_each_cell(from, to, |_, _, _, _, u| sum += u);
        sum
    }
}

/// Speech-to-text subscriptions per customer (only those carry usage).
pub fn load_spans(
    conn: &Connection,
    customer: Option<i64>,
) -> Result<BTreeMap<i64, Vec<Span>>, ApiError> {
    let mut stmt = conn.prepare(
        "SELECT customer_id, id, sku, start_date, end_date FROM subscriptions
         WHERE (?1 IS NULL OR customer_id = ?1) ORDER BY customer_id, id",
    )?;
    let mut out: BTreeMap<i64, Vec<Span>> = BTreeMap::new();
    let rows = stmt.query_map(params![customer], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, Option<String>>(4)?,
        ))
    })?;
    for row in rows {
        let (cid, id, sku, start, end) = row?;
        let Some(plan) = catalog::plan(&sku).filter(|p| p.carries_stt) else {
            continue;
        };
        let Some(start) = parse_date(&start) else {
            continue;
        };
        out.entry(cid).or_default().push(Span {
            id,
            start,
            end: end.as_deref().and_then(parse_date),
            rate: plan.rate_per_second,
        });
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Invoice,
    Day,
    Week,
    Month,
    Year,
}

impl View {
    pub fn parse(s: &str) -> Option<View> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "invoice" => View::Invoice,
            "day" => View::Day,
            "week" => View::Week,
            "month" => View::Month,
            "year" => View::Year,
            _ => return None,
        })
    }

    /// The calendar period holding `day`, half-open. Invoices are per calendar month.
    fn period(self, day: NaiveDate) -> (NaiveDate, NaiveDate) {
        let first_of_month = day.with_day(1).unwrap_or(day);
        match self {
            View::Day => (day, day + Days::new(1)),
            View::Week => {
                let start = day - Days::new(u64::from(day.weekday().num_days_from_monday()));
                (start, start + Days::new(7))
            }
            View::Month | View::Invoice => {
                (first_of_month, first_of_month + chrono::Months::new(1))
            }
            View::Year => {
                let start = NaiveDate::from_ymd_opt(day.year(), 1, 1).unwrap_or(day);
                (start, start + chrono::Months::new(12))
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    None,
    Language,
    Token,
    Subscription,
    Period,
}

impl Split {
    pub fn parse(s: &str) -> Option<Split> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "language" => Split::Language,
            "token" => Split::Token,
            "subscription" => Split::Subscription,
            "period" => Split::Period,
            _ => return None,
        })
    }
}

/// (period start, split text, split number, invoice subscription): the order rows come in.
type RowKey = (NaiveDate, String, i64, i64);
/// (period end, units, cost).
type RowSum = (NaiveDate, i64, f64);

/// Usage rows of one customer, ordered by period start, then split key. Periods are clipped
/// to [from, to) and to the days usage exists, so rows of any view sum to the same total.
pub fn rows(
    profile: &Profile,
    view: View,
    split: Split,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<Value> {
    let (lo, hi) = (from.max(profile.from), to.min(profile.until));
    let mut acc: BTreeMap<RowKey, RowSum> = BTreeMap::new();
    profile.for_each_cell(lo, hi, |day, li, ti, sub, units| {
        let (start, end) = view.period(day);
        let (text, number) = match split {
            Split::Language => (profile.languages[li].clone(), 0),
            Split::Token => (profile.tokens[ti].clone(), 0),
            Split::Subscription => (String::new(), sub.id),
            Split::None | Split::Period => (String::new(), 0),
        };
        let invoice_sub = if view == View::Invoice { sub.id } else { 0 };
        let entry = acc
            .entry((start.max(lo), text, number, invoice_sub))
            .or_insert((end.min(hi), 0, 0.0));
        entry.1 += units;
        entry.2 += units as f64 * sub.rate;
    });
    acc.into_iter()
        .map(|((start, text, number, invoice_sub), (end, units, cost))| {
            let mut row = Map::new();
            row.insert("units_used".into(), json!(units));
            row.insert("usage_period_start".into(), json!(format_date(start)));
            row.insert("usage_period_end".into(), json!(format_date(end)));
            match split {
                Split::Language => {
                    row.insert("language".into(), json!(text));
                }
                Split::Token => {
                    row.insert("token_name".into(), json!(text));
                }
                Split::Subscription => {
                    row.insert("subscription_id".into(), json!(number));
                }
                Split::None | Split::Period => {}
            }
            if view == View::Invoice {
                row.insert("subscription_id".into(), json!(invoice_sub));
                row.insert("cost".into(), json!((cost * 100.0).round() / 100.0));
            }
            Value::Object(row)
        })
        .collect()
}
