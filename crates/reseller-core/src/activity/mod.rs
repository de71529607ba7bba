//! The activity log: every change made from this app on this account (who, what, on which
//! organisation and tab, the fields before and after, when, and how the server answered), kept
//! in the account's cache file so it survives restarts and updates, pruned to a retention the
//! user sets. The outbox's triggers write it (`crate::cache::activity`); this module reads it
//! for the Activity screen (`entry`: an entry in words; search, filters, a page) and its CSV.

pub mod entry;

use std::path::Path;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::cache::activity::{
    count_activity, matching_ids, prune, read_by_ids, set_retention_days, set_search_text,
    unindexed,
};
use crate::cache::{ActivityFilter, ActivityOutcome, Cache};
use crate::context::Context;
use crate::export::write_csv;
use crate::CoreError;
pub use entry::{ActivityEntry, Area, FieldChange};

/// Entries a page shows at first; "Show more" asks for the next ones.
pub const PAGE: usize = 200;

/// The retention choices the screen offers, in days (None: keep everything).
pub const RETENTION_CHOICES: [Option<u32>; 5] = [Some(30), Some(90), Some(365), Some(1095), None];

/// What the Activity screen asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ActivityQuery {
    /// Words every shown entry contains (what, organisation, who, values, outcome).
    pub search: String,
    /// Only these areas (none: all).
    pub areas: Vec<Area>,
    /// Only these outcomes (none: all).
    pub outcomes: Vec<ActivityOutcome>,
    /// Made on or after this day, in the computer's time zone.
    pub from: Option<NaiveDate>,
    /// Made on or before this day.
    pub to: Option<NaiveDate>,
    /// One organisation's changes.
    pub customer_id: Option<i64>,
    /// How many entries to answer (0: `PAGE`).
    pub limit: usize,
}

/// A page of the log, newest first.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityPage {
    pub entries: Vec<ActivityEntry>,
    /// Entries the query matches (`entries` are the first of them).
    pub total: usize,
    /// "Showing 200 of 1,204 changes", "3 changes", "No changes match".
    pub summary: String,
    pub retention_days: Option<u32>,
}

/// The CSV's columns.
pub const HEADER: [&str; 10] = [
    "Made at",
    "Who",
    "Organisation",
    "Area",
    "Change",
    "Fields (before → after)",
    "Outcome",
    "Server answered at",
    "Organisation ID",
    "Made at (UTC)",
];

/// Local midnight of `day` in UTC (a day the clock skips starts at its first hour).
fn local_start(day: NaiveDate) -> Option<DateTime<Utc>> {
    let midnight = day.and_hms_opt(0, 0, 0)?;
    chrono::Local
        .from_local_datetime(&midnight)
        .earliest()
        .or_else(|| {
            chrono::Local
                .from_local_datetime(&(midnight + Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
}

impl ActivityQuery {
    fn filter(&self) -> ActivityFilter {
        ActivityFilter {
            entities: self.areas.iter().map(|a| a.entity()).collect(),
            outcomes: self.outcomes.clone(),
            from: self.from.and_then(local_start),
            until: self.to.and_then(|d| d.succ_opt()).and_then(local_start),
            customer_id: self.customer_id,
            words: self.words(),
            limit: None,
        }
    }

    fn limit(&self) -> usize {
        if self.limit == 0 {
            PAGE
        } else {
            self.limit
        }
    }

    fn words(&self) -> Vec<String> {
        crate::cache::bounded_search(&self.search)
            .to_lowercase()
            .split_whitespace()
            .map(String::from)
            .collect()
    }
}

/// Entries whose search text a search writes at a time (one transaction each).
const INDEX_BATCH: usize = 2_000;

/// Writes the search text of the entries that have none (new, or changed since); how many. A
/// search then reads only the text, not every entry's payload. Needs the writer.
pub fn index_search(cache: &Cache) -> Result<usize, CoreError> {
    let locale = crate::format::sys();
    let mut done = 0;
    loop {
        let tx = cache.conn().unchecked_transaction()?;
        let rows = unindexed(&tx, INDEX_BATCH)?;
        for row in &rows {
            set_search_text(
                &tx,
                row.activity_id,
                &ActivityEntry::of(row, locale).search_text(),
            )?;
        }
        tx.commit()?;
        done += rows.len();
        if rows.len() < INDEX_BATCH {
            return Ok(done);
        }
    }
}

/// Every entry `query` matches, newest first.
pub fn matching(cache: &Cache, query: &ActivityQuery) -> Result<Vec<ActivityEntry>, CoreError> {
    let words = query.words();
    let locale = crate::format::sys();
    Ok(cache
        .activity(&query.filter())?
        .iter()
        .map(|row| ActivityEntry::of(row, locale))
        .filter(|e| e.matches(&words))
        .collect())
}

/// The entries of a page of the log and how many match in all: without words, counted and
/// read up to the page by SQL; with words, the ids matched on the stored search texts (an
/// entry without one is judged as it reads), and only the page's entries read and put in
/// words.
fn page_entries(
    cache: &Cache,
    query: &ActivityQuery,
) -> Result<(Vec<ActivityEntry>, usize), CoreError> {
    let locale = crate::format::sys();
    let limit = query.limit();
    let mut filter = query.filter();
    if filter.words.is_empty() {
        let total = count_activity(cache.conn(), &filter)?;
        filter.limit = Some(limit);
        let entries = cache
            .activity(&filter)?
            .iter()
            .map(|row| ActivityEntry::of(row, locale))
            .collect();
        return Ok((entries, total));
    }
    // The ids match on their stored texts; those without one yet are judged as they read.
    let candidates = matching_ids(cache.conn(), &filter)?;
    let unjudged: Vec<i64> = candidates
        .iter()
        .filter(|(_, indexed)| !indexed)
        .map(|(id, _)| *id)
        .collect();
    let rejected: std::collections::HashSet<i64> = read_by_ids(cache.conn(), &unjudged)?
        .iter()
        .filter(|row| !ActivityEntry::of(row, locale).matches(&filter.words))
        .map(|row| row.activity_id)
        .collect();
    let ids: Vec<i64> = candidates
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| !rejected.contains(id))
        .collect();
    let total = ids.len();
    let entries = read_by_ids(cache.conn(), &ids[..limit.min(total)])?
        .iter()
        .map(|row| ActivityEntry::of(row, locale))
        .collect();
    Ok((entries, total))
}

/// The page of the log `query` asks for.
pub fn page(cache: &Cache, query: &ActivityQuery) -> Result<ActivityPage, CoreError> {
    let (entries, total) = page_entries(cache, query)?;
    let locale = crate::format::sys();
    let summary = if total == 0 {
        "No changes match".to_string()
    } else if entries.len() < total {
        format!(
            "Showing {} of {} changes",
            locale.count_u64(entries.len() as u64),
            locale.count_u64(total as u64)
        )
    } else {
        locale.count_of(total as u64, "change", "changes")
    };
    Ok(ActivityPage {
        entries,
        total,
        summary,
        retention_days: cache.activity_retention_days()?,
    })
}

/// Deletes the finished entries older than the retention; how many.
pub fn prune_expired(cache: &Cache, now: DateTime<Utc>) -> Result<usize, CoreError> {
    match cache.activity_retention_days()? {
        Some(days) => Ok(prune(
            cache.conn(),
            &(now - Duration::days(i64::from(days))),
        )?),
        None => Ok(0),
    }
}

/// Writes what `query` matches (all of it, not only the page) to `path`; how many entries.
pub fn export(cache: &Cache, query: &ActivityQuery, path: &Path) -> Result<usize, CoreError> {
    let entries = matching(cache, query)?;
    let lines = entries.iter().map(|e| {
        let fields = e
            .changes
            .iter()
            .map(|c| {
                format!(
                    "{}: {} \u{2192} {}",
                    c.field,
                    c.before.as_deref().unwrap_or("(none)"),
                    c.after.as_deref().unwrap_or("(none)")
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        let outcome = e.outcome_text.clone();
        [
            e.made_text.clone(),
            e.who.clone(),
            e.organisation.clone().unwrap_or_default(),
            e.area_label.clone(),
            e.what.clone(),
            fields,
            outcome,
            e.answered_text.clone(),
            e.customer_id
                .filter(|id| *id > 0)
                .map(|id| id.to_string())
                .unwrap_or_default(),
            e.made_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ]
    });
    Ok(write_csv(path, &HEADER, lines)?)
}

impl Context {
    /// A page of the account's activity log.
    pub fn activity_page(&self, query: &ActivityQuery) -> Result<ActivityPage, CoreError> {
        if !query.words().is_empty() {
            // Entries logged since the last search get their text first (the writer's job;
            // the page is then read on the reader, as every screen is).
            index_search(&*self.write()?)?;
        }
        page(&*self.read()?, query)
    }

    /// Writes the entries `query` matches to a CSV file at `path`.
    pub fn export_activity_csv(
        &self,
        query: &ActivityQuery,
        path: &Path,
    ) -> Result<usize, CoreError> {
        export(&*self.read()?, query, path)
    }

    /// Keeps finished entries for `days` (None: forever) and prunes what is older now;
    /// answers how many entries went.
    pub fn set_activity_retention(&self, days: Option<u32>) -> Result<usize, CoreError> {
        if !RETENTION_CHOICES.contains(&days) {
            return Err(CoreError::InvalidInput {
                field: "retention",
                message: "Choose how long to keep the activity log from the list.".into(),
            });
        }
        let cache = self.write()?;
        set_retention_days(cache.conn(), days)?;
        prune_expired(&cache, Utc::now())
    }
}
