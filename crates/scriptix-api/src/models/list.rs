//! Query parts shared by the list endpoints: sort direction, filters, date ranges.

use chrono::NaiveDate;

use crate::time::format_date;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Asc,
    Desc,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Asc => "asc",
            Direction::Desc => "desc",
        }
    }
}

/// `date_from` / `date_to` (`YYYY-MM-DD`; the end is exclusive).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DateRange {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl DateRange {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Self {
        DateRange {
            from: Some(from),
            to: Some(to),
        }
    }

    pub(crate) fn push_pairs(&self, out: &mut Vec<(&'static str, String)>) {
        if let Some(from) = &self.from {
            out.push(("date_from", format_date(from)));
        }
        if let Some(to) = &self.to {
            out.push(("date_to", format_date(to)));
        }
    }
}

/// `limit`, `offset`, `sort`, `direction` and repeatable `filter=key=value`, as every
/// documented list takes them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Paging<'a> {
    pub limit: Option<u32>,
    pub offset: Option<u64>,
    pub sort: Option<&'a str>,
    pub direction: Option<Direction>,
    pub filters: &'a [(String, String)],
}

impl Paging<'_> {
    pub fn push_pairs(&self, out: &mut Vec<(&'static str, String)>) {
        if let Some(limit) = self.limit {
            out.push(("limit", limit.to_string()));
        }
        if let Some(offset) = self.offset {
            out.push(("offset", offset.to_string()));
        }
        if let Some(sort) = self.sort {
            out.push(("sort", sort.to_string()));
        }
        if let Some(direction) = self.direction {
            out.push(("direction", direction.as_str().to_string()));
        }
        for (key, value) in self.filters {
            // The query encoder percent-encodes the inner `=`; the server accepts both forms.
            out.push(("filter", format!("{key}={value}")));
        }
    }
}
