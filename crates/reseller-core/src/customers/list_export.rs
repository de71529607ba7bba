//! The organisations list (or a selection of it) to CSV, as the list shows it: its search,
//! status filter and sort, phones as shown, statuses and dates in words. The columns are the
//! list's; an import (`super::import`) reads them back (it ignores ID and Registration date).

use std::collections::HashMap;
use std::path::Path;

use super::selection::{selected_rows, Selection};
use crate::cache::{Cache, SortColumn, SortDirection};
use crate::context::Context;
use crate::export::write_csv;
use crate::CoreError;

/// The header of an organisations export.
pub const HEADER: [&str; 6] = [
    "ID",
    "Name",
    "Email",
    "Phone",
    "Status",
    "Registration date",
];

/// Writes the selected rows in the list's order to `path`; returns how many.
pub fn export_customers(
    cache: &Cache,
    selection: &Selection,
    sort: SortColumn,
    direction: SortDirection,
    path: &Path,
) -> Result<usize, CoreError> {
    let rows = selected_rows(cache, selection, sort, direction)?;
    // Phones as shown: kept by the sync (`phones_shown`), formatted here only when not.
    let phones: Vec<&str> = rows.iter().filter_map(|r| r.phone.as_deref()).collect();
    let mut shown: HashMap<String, String> = cache.phones_shown(&phones)?.into_iter().collect();
    for phone in phones {
        if !shown.contains_key(phone) {
            let text = crate::phone_display::international_all(&[Some(phone)])
                .pop()
                .flatten()
                .unwrap_or_else(|| phone.to_string());
            shown.insert(phone.to_string(), text);
        }
    }
    let locale = crate::format::sys();
    let lines = rows.iter().map(|r| {
        [
            // A local id (not on Scriptix yet) has no ID to give.
            if r.id > 0 {
                r.id.to_string()
            } else {
                String::new()
            },
            r.name.clone(),
            r.email.clone(),
            r.phone
                .as_deref()
                .map(|p| shown.get(p).cloned().unwrap_or_else(|| p.to_string()))
                .unwrap_or_default(),
            if r.is_active { "Active" } else { "Inactive" }.to_string(),
            locale.date_of(r.registration_date),
        ]
    });
    Ok(write_csv(path, &HEADER, lines)?)
}

impl Context {
    /// `export_customers` on the account's cache.
    pub fn export_customers_csv(
        &self,
        selection: &Selection,
        sort: SortColumn,
        direction: SortDirection,
        path: &Path,
    ) -> Result<usize, CoreError> {
        export_customers(&*self.read()?, selection, sort, direction, path)
    }
}
