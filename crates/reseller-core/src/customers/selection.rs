//! Which organisations a bulk action or an export is about: rows the user picked, or every row
//! the list's search and status filter match (rows never rendered too), less those unpicked.
//! Resolved against the cache when the action runs, through the list's own query, so "all
//! matching" means exactly what the list shows.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::cache::{bounded_search, Cache, CustomerQuery, CustomerRow, SortColumn, SortDirection};
use crate::CoreError;

/// Rows read per step while walking the list.
const STEP: usize = 1000;

/// The list's search and status filter, as on screen.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Matching {
    #[serde(default)]
    pub search: String,
    /// None: all; Some(true): active only; Some(false): inactive only.
    #[serde(default)]
    pub status: Option<bool>,
}

/// A selection: `matching` set means every row it matches except `except`; otherwise `ids`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Selection {
    #[serde(default)]
    pub ids: Vec<i64>,
    #[serde(default)]
    pub matching: Option<Matching>,
    #[serde(default)]
    pub except: Vec<i64>,
}

/// Every row of the list `matching` (None: the whole list) in its order, one step at a time.
pub fn walk_list(
    cache: &Cache,
    matching: Option<&Matching>,
    sort: SortColumn,
    direction: SortDirection,
    mut visit: impl FnMut(CustomerRow) -> Result<(), CoreError>,
) -> Result<(), CoreError> {
    let search = matching
        .map(|m| bounded_search(m.search.trim()).trim_end().to_string())
        .filter(|s| !s.is_empty());
    let mut query = CustomerQuery {
        search,
        status: matching.and_then(|m| m.status),
        sort,
        direction,
        limit: STEP,
        after: None,
    };
    loop {
        let page = cache.customer_page(&query)?;
        for row in page.rows {
            visit(row)?;
        }
        match page.next {
            Some(next) => query.after = Some(next),
            None => return Ok(()),
        }
    }
}

/// The selected rows in the list's order (`sort`, `direction`).
pub fn selected_rows(
    cache: &Cache,
    selection: &Selection,
    sort: SortColumn,
    direction: SortDirection,
) -> Result<Vec<CustomerRow>, CoreError> {
    let mut out = Vec::new();
    match &selection.matching {
        Some(matching) => {
            let except: HashSet<i64> = selection.except.iter().copied().collect();
            walk_list(cache, Some(matching), sort, direction, |row| {
                if !except.contains(&row.id) {
                    out.push(row);
                }
                Ok(())
            })?;
        }
        None => {
            let ids: HashSet<i64> = selection.ids.iter().copied().collect();
            if ids.is_empty() {
                return Ok(out);
            }
            walk_list(cache, None, sort, direction, |row| {
                if ids.contains(&row.id) {
                    out.push(row);
                }
                Ok(())
            })?;
        }
    }
    Ok(out)
}

/// The selected ids (the list's default order; duplicates dropped).
pub fn selected_ids(cache: &Cache, selection: &Selection) -> Result<Vec<i64>, CoreError> {
    if selection.matching.is_none() {
        let mut seen = HashSet::new();
        return Ok(selection
            .ids
            .iter()
            .copied()
            .filter(|id| seen.insert(*id))
            .collect());
    }
    Ok(
        selected_rows(cache, selection, SortColumn::Name, SortDirection::Asc)?
            .into_iter()
            .map(|r| r.id)
            .collect(),
    )
}

/// What the screen says about a selection, in the system's locale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SelectionText {
    /// "3 organisations selected", "All 10,000 matching organisations selected".
    pub picked: String,
    /// "Delete 3 organisations?"
    pub delete_question: String,
    /// After the names a confirmation lists: "and 117 more" (empty when all are named).
    pub more: String,
}

/// The words for `count` organisations picked (`all`: every one the search matches), of which
/// a confirmation names `named`.
pub fn selection_text(count: u64, all: bool, named: u64) -> SelectionText {
    let locale = crate::format::sys();
    let orgs = locale.count_of(count, "organisation", "organisations");
    let picked = if all {
        format!(
            "All {} matching {} selected",
            locale.count_u64(count),
            if count == 1 {
                "organisation"
            } else {
                "organisations"
            }
        )
    } else {
        format!("{orgs} selected")
    };
    let rest = count.saturating_sub(named);
    SelectionText {
        picked,
        delete_question: format!("Delete {orgs}?"),
        more: if rest == 0 {
            String::new()
        } else {
            format!("and {} more", locale.count_u64(rest))
        },
    }
}
