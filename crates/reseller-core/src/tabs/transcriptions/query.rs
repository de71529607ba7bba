//! The transcriptions tab's filters, sort and paging: as the server's `/transcript` query
//! (online), and applied to the cached rows (offline) with the same meaning, so the two agree
//! on what they both hold. Pure.
//!
//! Meanings, the server's (the sandbox's, see contract 3.8 and 5): status and language match
//! exactly (`filter=key=value`; languages are lower-case codes, so the typed one is lowered);
//! "filename contains" is the `q` extension, a case-insensitive substring of the filename or
//! the session id; the date range is on the session's start, `[from, last day + 1)`, UTC.
//! Sorting compares text case-insensitively, puts missing values first, and breaks ties by
//! session id ascending, so pages are stable.

use std::cmp::Ordering;

use chrono::{Days, NaiveDate, NaiveTime};
use scriptix_api::{Direction, TranscriptQuery};
use serde::Deserialize;

use crate::cache::{bounded_search, TranscriptionRow};
use crate::CoreError;

/// Rows per page the tab may ask for.
pub const MAX_PAGE: u32 = 100;
pub const DEFAULT_PAGE: u32 = 25;

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Filters {
    #[serde(default)]
    pub status: Option<i64>,
    /// Part of the filename (or session id). Filters are cut to `MAX_SEARCH_CHARS` characters.
    #[serde(default)]
    pub filename: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    /// The first day of sessions started.
    #[serde(default)]
    pub date_from: Option<NaiveDate>,
    /// The last day, inclusive.
    #[serde(default)]
    pub date_to: Option<NaiveDate>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortColumn {
    SessionId,
    Filename,
    Status,
    Language,
    #[default]
    Started,
    LastUpdate,
    Duration,
}

impl SortColumn {
    /// The wire's field name.
    pub fn field(self) -> &'static str {
        match self {
            SortColumn::SessionId => "session_id",
            SortColumn::Filename => "filename",
            SortColumn::Status => "status",
            SortColumn::Language => "language",
            SortColumn::Started => "date_session_start",
            SortColumn::LastUpdate => "last_update",
            SortColumn::Duration => "duration",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortDirection {
    Asc,
    Desc,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sort {
    pub column: SortColumn,
    pub direction: SortDirection,
}

impl Default for Sort {
    /// Newest first, as the server lists without a sort.
    fn default() -> Self {
        Sort {
            column: SortColumn::Started,
            direction: SortDirection::Desc,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageRequest {
    #[serde(default)]
    pub offset: u64,
    #[serde(default = "default_limit")]
    pub limit: u32,
}

fn default_limit() -> u32 {
    DEFAULT_PAGE
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            offset: 0,
            limit: DEFAULT_PAGE,
        }
    }
}

/// Filters with blanks dropped, text trimmed and checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Normalized {
    pub status: Option<i64>,
    pub filename: Option<String>,
    pub language: Option<String>,
    pub from: Option<NaiveDate>,
    /// Exclusive.
    pub to: Option<NaiveDate>,
}

/// Trimmed and cut to `MAX_SEARCH_CHARS` (it goes into the server's query string); blank is none.
fn text(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(|s| bounded_search(s.trim()).trim_end())
        .filter(|s| !s.is_empty())
        .map(String::from)
}

pub fn normalize(f: &Filters) -> Result<Normalized, CoreError> {
    if let (Some(a), Some(b)) = (f.date_from, f.date_to) {
        if b < a {
            return Err(CoreError::InvalidInput {
                field: "dates",
                message: "The last day comes before the first day; swap them.".into(),
            });
        }
    }
    Ok(Normalized {
        status: f.status,
        filename: text(&f.filename),
        language: text(&f.language).map(|l| l.to_lowercase()),
        from: f.date_from,
        to: f.date_to.map(|d| d + Days::new(1)),
    })
}

pub fn clamp_page(p: PageRequest) -> PageRequest {
    PageRequest {
        offset: p.offset,
        limit: p.limit.clamp(1, MAX_PAGE),
    }
}

/// The server query for these filters, sort and page.
pub fn server_query(f: &Normalized, sort: Sort, page: PageRequest) -> TranscriptQuery {
    let mut filters = Vec::new();
    if let Some(s) = f.status {
        filters.push(("status".to_string(), s.to_string()));
    }
    if let Some(l) = &f.language {
        filters.push(("language".to_string(), l.clone()));
    }
    TranscriptQuery {
        limit: Some(page.limit),
        offset: Some(page.offset),
        sort: Some(sort.column.field().to_string()),
        direction: Some(match sort.direction {
            SortDirection::Asc => Direction::Asc,
            SortDirection::Desc => Direction::Desc,
        }),
        filters,
        q: f.filename.clone(),
        date_from: f.from,
        date_to: f.to,
    }
}

fn matches(r: &TranscriptionRow, f: &Normalized) -> bool {
    let day = |d: NaiveDate| d.and_time(NaiveTime::MIN).and_utc();
    f.status.is_none_or(|s| r.status == s)
        && f.language
            .as_ref()
            .is_none_or(|l| r.language.as_deref() == Some(l.as_str()))
        && f.filename.as_ref().is_none_or(|n| {
            let n = n.to_lowercase();
            r.filename.to_lowercase().contains(&n) || r.session_id.to_lowercase().contains(&n)
        })
        && f.from.is_none_or(|d| r.date_session_start >= day(d))
        && f.to.is_none_or(|d| r.date_session_start < day(d))
}

fn text_cmp(a: &str, b: &str) -> Ordering {
    a.to_lowercase().cmp(&b.to_lowercase())
}

fn opt_cmp<T>(a: &Option<T>, b: &Option<T>, cmp: impl Fn(&T, &T) -> Ordering) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => cmp(x, y),
    }
}

fn compare(a: &TranscriptionRow, b: &TranscriptionRow, column: SortColumn) -> Ordering {
    match column {
        SortColumn::SessionId => text_cmp(&a.session_id, &b.session_id),
        SortColumn::Filename => text_cmp(&a.filename, &b.filename),
        SortColumn::Status => a.status.cmp(&b.status),
        SortColumn::Language => opt_cmp(&a.language, &b.language, |x, y| text_cmp(x, y)),
        SortColumn::Started => a.date_session_start.cmp(&b.date_session_start),
        SortColumn::LastUpdate => opt_cmp(&a.last_update, &b.last_update, Ord::cmp),
        SortColumn::Duration => opt_cmp(&a.duration, &b.duration, |x, y| {
            x.partial_cmp(y).unwrap_or(Ordering::Equal)
        }),
    }
}

/// Filters, sorts and pages cached rows; returns the page and how many rows matched.
pub fn apply_local(
    rows: &[TranscriptionRow],
    f: &Normalized,
    sort: Sort,
    page: PageRequest,
) -> (Vec<TranscriptionRow>, u64) {
    let mut hits: Vec<&TranscriptionRow> = rows.iter().filter(|r| matches(r, f)).collect();
    hits.sort_by(|a, b| {
        let primary = compare(a, b, sort.column);
        let primary = match sort.direction {
            SortDirection::Asc => primary,
            SortDirection::Desc => primary.reverse(),
        };
        primary.then_with(|| a.session_id.cmp(&b.session_id))
    });
    let total = hits.len() as u64;
    let page_rows = hits
        .into_iter()
        .skip(usize::try_from(page.offset).unwrap_or(usize::MAX))
        .take(page.limit as usize)
        .cloned()
        .collect();
    (page_rows, total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn row(
        id: &str,
        file: &str,
        status: i64,
        lang: &str,
        day: u32,
        dur: Option<f64>,
    ) -> TranscriptionRow {
        TranscriptionRow {
            session_id: id.into(),
            filename: file.into(),
            date_session_start: Utc.with_ymd_and_hms(2026, 3, day, 12, 0, 0).unwrap(),
            status,
            status_label: None,
            language: Some(lang.into()),
            duration: dur,
            last_update: None,
            is_deleted: false,
        }
    }

    fn rows() -> Vec<TranscriptionRow> {
        vec![
            row("a1", "Interview_Ada.mp3", 2, "nl-nl", 1, Some(30.0)),
            row("b2", "board-meeting.wav", 3, "en-gb", 2, None),
            row("c3", "interview-bob.mp4", 2, "en-gb", 3, Some(10.0)),
            row("d4", "podcast.mp3", 7, "nl-nl", 3, Some(20.0)),
            row("e5", "Zoom call.m4a", 0, "fr-fr", 5, Some(0.0)),
        ]
    }

    fn ids(r: &[TranscriptionRow]) -> Vec<&str> {
        r.iter().map(|r| r.session_id.as_str()).collect()
    }

    fn norm(f: Filters) -> Normalized {
        normalize(&f).unwrap()
    }

    #[test]
    fn filters_combine_and_match_like_the_server() {
        let all = rows();
        let page = PageRequest {
            offset: 0,
            limit: 100,
        };
        let f = norm(Filters {
            filename: Some("  INTERVIEW ".into()),
            ..Filters::default()
        });
        let (got, total) = apply_local(&all, &f, Sort::default(), page);
        assert_eq!(
            ids(&got),
            ["c3", "a1"],
            "case-insensitive part, newest first"
        );
        assert_eq!(total, 2);
        let f = norm(Filters {
            status: Some(2),
            language: Some("EN-GB".into()),
            ..Filters::default()
        });
        assert_eq!(ids(&apply_local(&all, &f, Sort::default(), page).0), ["c3"]);
        // The last day is included; the day after is not.
        let f = norm(Filters {
            date_from: NaiveDate::from_ymd_opt(2026, 3, 2),
            date_to: NaiveDate::from_ymd_opt(2026, 3, 3),
            ..Filters::default()
        });
        let sort = Sort {
            column: SortColumn::SessionId,
            direction: SortDirection::Asc,
        };
        assert_eq!(
            ids(&apply_local(&all, &f, sort, page).0),
            ["b2", "c3", "d4"]
        );
        // A session id part matches too, as `q` does.
        let f = norm(Filters {
            filename: Some("d4".into()),
            ..Filters::default()
        });
        assert_eq!(ids(&apply_local(&all, &f, sort, page).0), ["d4"]);
    }

    #[test]
    fn sorting_is_stable_with_missing_values_first_and_pages_slice() {
        let all = rows();
        let f = Normalized::default();
        let by = |column, direction| Sort { column, direction };
        let page = PageRequest {
            offset: 0,
            limit: 100,
        };
        let (got, _) = apply_local(&all, &f, by(SortColumn::Duration, SortDirection::Asc), page);
        assert_eq!(ids(&got), ["b2", "e5", "c3", "d4", "a1"]);
        let (got, _) = apply_local(&all, &f, by(SortColumn::Filename, SortDirection::Asc), page);
        assert_eq!(
            ids(&got),
            ["b2", "c3", "a1", "d4", "e5"],
            "case-insensitive: \"board\" before \"Interview\""
        );
        // Equal start times: the session id breaks the tie, ascending either way.
        let (got, _) = apply_local(&all, &f, by(SortColumn::Started, SortDirection::Desc), page);
        assert_eq!(ids(&got), ["e5", "c3", "d4", "b2", "a1"]);
        let (got, total) = apply_local(
            &all,
            &f,
            Sort::default(),
            PageRequest {
                offset: 2,
                limit: 2,
            },
        );
        assert_eq!((ids(&got), total), (vec!["d4", "b2"], 5));
        let (got, _) = apply_local(
            &all,
            &f,
            Sort::default(),
            PageRequest {
                offset: 9,
                limit: 2,
            },
        );
        assert!(got.is_empty());
    }

    #[test]
    fn the_server_query_carries_the_same_meaning() {
        let f = norm(Filters {
            status: Some(3),
            filename: Some(" call ".into()),
            language: Some("NL-NL".into()),
            date_from: NaiveDate::from_ymd_opt(2026, 3, 1),
            date_to: NaiveDate::from_ymd_opt(2026, 3, 31),
        });
        let q = server_query(
            &f,
            Sort::default(),
            PageRequest {
                offset: 50,
                limit: 25,
            },
        );
        assert_eq!(
            q.filters,
            vec![
                ("status".into(), "3".into()),
                ("language".into(), "nl-nl".into())
            ]
        );
        assert_eq!(q.q.as_deref(), Some("call"));
        assert_eq!(q.date_to, NaiveDate::from_ymd_opt(2026, 4, 1), "exclusive");
        assert_eq!((q.limit, q.offset), (Some(25), Some(50)));
        assert_eq!(q.sort.as_deref(), Some("date_session_start"));
        assert_eq!(q.direction, Some(Direction::Desc));
        let bad = normalize(&Filters {
            date_from: NaiveDate::from_ymd_opt(2026, 3, 2),
            date_to: NaiveDate::from_ymd_opt(2026, 3, 1),
            ..Filters::default()
        });
        assert_eq!(bad.unwrap_err().field(), Some("dates"));
        assert_eq!(
            clamp_page(PageRequest {
                offset: 0,
                limit: 5000
            })
            .limit,
            MAX_PAGE
        );
    }
}
