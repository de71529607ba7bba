//! An open account: who is signed in, the account's cache and its sync engine. The desktop
//! commands are thin adapters over these methods: reads come from the cache, writes go
//! through the outbox and nudge the engine.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::Utc;
use scriptix_api::Client;
use serde::{Deserialize, Serialize};

use crate::branding::worker::LogoJobs;
use crate::cache::{
    bounded_search, cache_file_name, Cache, CustomerQuery, CustomerRow, MatchCount, OutboxState,
    SortColumn, SortDirection,
};
use crate::dashboard::refresher::DashboardRefresher;
use crate::outbox::{
    create_customer, delete_customer, discard_customer_changes, settle_conflict, update_customer,
    CustomerForm, Resolution,
};
use crate::session::SessionInfo;
use crate::sync::SyncEngine;
use crate::CoreError;

/// One window of the customer list, as a virtualised list asks for it.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListRequest {
    #[serde(default)]
    pub search: String,
    /// None: all; Some(true): active only; Some(false): inactive only.
    #[serde(default)]
    pub status: Option<bool>,
    pub sort: SortColumn,
    pub direction: SortDirection,
    /// The first row wanted.
    pub offset: u64,
    pub limit: usize,
}

/// A customer as the UI shows it (list rows, the organisation page, the answer to a write): the
/// cached customer and its phone as the user reads it, formatted here so the UI holds no rule.
/// Serialised camelCase (IPC only); `CustomerRow` keeps its own serde names.
#[derive(Clone, Debug)]
pub struct ListRow {
    pub customer: CustomerRow,
    /// International format ("+31 20 123 4567") of `phone`.
    pub phone_display: Option<String>,
}

impl Serialize for ListRow {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Shown<'a> {
            id: i64,
            name: &'a str,
            email: &'a str,
            phone: Option<&'a str>,
            phone_display: Option<&'a str>,
            is_active: bool,
            registration_date: &'a chrono::DateTime<Utc>,
            last_modified: &'a chrono::DateTime<Utc>,
            sync_state: crate::cache::SyncState,
        }
        let c = &self.customer;
        Shown {
            id: c.id,
            name: &c.name,
            email: &c.email,
            phone: c.phone.as_deref(),
            phone_display: self.phone_display.as_deref(),
            is_active: c.is_active,
            registration_date: &c.registration_date,
            last_modified: &c.last_modified,
            sync_state: c.sync_state,
        }
        .serialize(s)
    }
}

impl ListRow {
    fn all(rows: Vec<CustomerRow>) -> Vec<ListRow> {
        let phones: Vec<Option<&str>> = rows.iter().map(|r| r.phone.as_deref()).collect();
        let shown = crate::phone_display::international_all(&phones);
        rows.into_iter()
            .zip(shown)
            .map(|(customer, phone_display)| ListRow {
                customer,
                phone_display,
            })
            .collect()
    }

    /// One customer with its phone as shown.
    pub fn one(customer: CustomerRow) -> ListRow {
        let phone_display = crate::phone_display::international_all(&[customer.phone.as_deref()])
            .pop()
            .flatten();
        ListRow {
            customer,
            phone_display,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListWindow {
    pub offset: u64,
    pub rows: Vec<ListRow>,
    /// Rows the whole list has (exact when `exact`; a search counts at most `MAX_COUNTED`).
    pub total: u64,
    pub exact: bool,
}

/// Search matches counted before the list says "more than".
pub const MAX_COUNTED: u64 = 100_000;

/// Longest window a list may ask for at once.
pub const MAX_WINDOW: usize = 500;

/// A customer with what waits in the outbox for it, as the organisation page shows it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerView {
    pub customer: ListRow,
    /// The server's words when the last change failed.
    pub error: Option<String>,
    pub conflicts: Vec<ConflictView>,
}

/// One conflicting field: mine and theirs, to be settled.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConflictView {
    pub op_id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub field: String,
    /// The field's name as the user reads it ("Status" for `is_active`).
    pub field_label: String,
    pub mine: serde_json::Value,
    pub theirs: serde_json::Value,
    /// `mine` and `theirs` as the user reads them ("Active", "+31 20 123 4567", "(empty)").
    pub mine_display: String,
    pub theirs_display: String,
}

impl ConflictView {
    fn new(
        op_id: i64,
        customer_id: i64,
        customer_name: String,
        field: String,
        mine: serde_json::Value,
        theirs: serde_json::Value,
    ) -> ConflictView {
        ConflictView {
            field_label: field_label(&field).to_string(),
            mine_display: field_text(&field, &mine),
            theirs_display: field_text(&field, &theirs),
            op_id,
            customer_id,
            customer_name,
            field,
            mine,
            theirs,
        }
    }
}

/// A customer field's name as the user reads it.
pub fn field_label(field: &str) -> &str {
    match field {
        "name" => "Name",
        "email" => "Email",
        "phone" => "Phone",
        "is_active" => "Status",
        other => other,
    }
}

/// A customer field's value as the user reads it.
pub fn field_text(field: &str, value: &serde_json::Value) -> String {
    use serde_json::Value;
    match (field, value) {
        ("is_active", Value::Bool(true)) => "Active".into(),
        ("is_active", Value::Bool(false)) => "Inactive".into(),
        (_, Value::Null) => "(empty)".into(),
        (_, Value::String(s)) if s.is_empty() => "(empty)".into(),
        ("phone", Value::String(s)) => crate::phone_display::international_all(&[Some(s)])
            .pop()
            .flatten()
            .unwrap_or_else(|| s.clone()),
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    }
}

/// The signed-in account's application: reads from its cache, writes through its outbox. Each
/// domain (tabs, dashboard, branding) adds its own `impl Workspace` in its module.
pub struct Workspace {
    pub(crate) info: SessionInfo,
    pub(crate) cache: Arc<Mutex<Cache>>,
    pub(crate) engine: Arc<SyncEngine>,
    /// The logo file being processed (one at a time), so the user can cancel it.
    pub(crate) logo_jobs: LogoJobs,
    /// The dashboard's background refresh (one range at a time); stops with the workspace.
    pub(crate) dashboard_refresher: DashboardRefresher,
}

impl Workspace {
    /// Opens (creating it if needed) the account's cache under `data_dir` and its engine. The
    /// engine is not started: the shell spawns `engine.run` on its runtime.
    pub fn open(
        info: SessionInfo,
        client: Client,
        data_dir: &Path,
    ) -> Result<Workspace, CoreError> {
        let path = Self::cache_path(&info, data_dir);
        // The caches folder is the app's own: private, even when an older version made it 0755.
        crate::private_fs::ensure_private_dir(data_dir).map_err(|source| {
            crate::cache::CacheError::Io {
                path: data_dir.display().to_string(),
                source,
            }
        })?;
        let cache = Arc::new(Mutex::new(Cache::open(&path)?));
        let engine = SyncEngine::new(client, cache.clone());
        Ok(Workspace {
            info,
            cache,
            engine,
            logo_jobs: LogoJobs::default(),
            dashboard_refresher: DashboardRefresher::default(),
        })
    }

    /// Where an account's cache lives: one file per base URL + organisation.
    pub fn cache_path(info: &SessionInfo, data_dir: &Path) -> PathBuf {
        data_dir.join(cache_file_name(
            &info.base_url,
            info.organization_id.unwrap_or(0),
        ))
    }

    pub fn info(&self) -> &SessionInfo {
        &self.info
    }

    pub fn engine(&self) -> &Arc<SyncEngine> {
        &self.engine
    }

    /// The cache, locked for one short read or write (never across an await).
    pub(crate) fn cache(&self) -> Result<MutexGuard<'_, Cache>, CoreError> {
        self.cache.lock().map_err(|_| CoreError::Busy {
            message: "The local cache stopped after an internal error; restart the app.".into(),
        })
    }

    /// A window of the customer list with the number of rows it has. The search is cut to
    /// `MAX_SEARCH_CHARS` characters.
    pub fn list(&self, req: &ListRequest) -> Result<ListWindow, CoreError> {
        let search = bounded_search(req.search.trim()).trim_end();
        let query = CustomerQuery {
            search: (!search.is_empty()).then(|| search.to_string()),
            status: req.status,
            sort: req.sort,
            direction: req.direction,
            limit: req.limit.clamp(1, MAX_WINDOW),
            after: None,
        };
        let cache = self.cache()?;
        let page = cache.customer_page_at(&query, req.offset)?;
        let MatchCount { count, exact } =
            cache.count_customers(query.search.as_deref(), req.status, Some(MAX_COUNTED))?;
        drop(cache);
        Ok(ListWindow {
            offset: req.offset,
            rows: ListRow::all(page.rows),
            total: count,
            exact,
        })
    }

    pub fn customer(&self, id: i64) -> Result<CustomerView, CoreError> {
        let cache = self.cache()?;
        let customer = cache.get_customer(id)?.ok_or_else(|| CoreError::NotFound {
            what: "This organisation".into(),
        })?;
        let ops = cache.outbox(None)?;
        let mine: Vec<_> = ops
            .iter()
            .filter(|o| o.entity == crate::cache::OutboxEntity::Customer && o.entity_id == id)
            .collect();
        let error = mine
            .iter()
            .find(|o| o.state == OutboxState::Failed)
            .and_then(|o| o.last_error.clone());
        let mut conflicts = Vec::new();
        for op in mine.iter().filter(|o| o.state == OutboxState::Conflict) {
            for c in cache.conflicts(Some(op.op_id))? {
                conflicts.push(ConflictView::new(
                    c.op_id,
                    id,
                    customer.name.clone(),
                    c.field,
                    c.mine,
                    c.theirs,
                ));
            }
        }
        Ok(CustomerView {
            customer: ListRow::one(customer),
            error,
            conflicts,
        })
    }

    /// Every conflict waiting for the user, with the customer it is about.
    pub fn conflicts(&self) -> Result<Vec<ConflictView>, CoreError> {
        let cache = self.cache()?;
        let mut out = Vec::new();
        for c in cache.conflicts(None)? {
            let Some(op) = cache.outbox_op(c.op_id)? else {
                continue;
            };
            let name = cache
                .get_customer(op.entity_id)?
                .map(|r| r.name)
                .unwrap_or_default();
            out.push(ConflictView::new(
                c.op_id,
                op.entity_id,
                name,
                c.field,
                c.mine,
                c.theirs,
            ));
        }
        Ok(out)
    }

    /// Runs a local write, then tells the engine (counts now, a round soon).
    fn write<T>(&self, f: impl FnOnce(&Cache) -> Result<T, CoreError>) -> Result<T, CoreError> {
        let out = f(&*self.cache()?)?;
        self.engine.refresh_counts();
        self.engine.nudge();
        Ok(out)
    }

    pub fn create_customer(&self, form: &CustomerForm) -> Result<ListRow, CoreError> {
        self.write(|c| create_customer(c, form, Utc::now()))
            .map(ListRow::one)
    }

    pub fn update_customer(&self, id: i64, form: &CustomerForm) -> Result<ListRow, CoreError> {
        self.write(|c| update_customer(c, id, form, Utc::now()))
            .map(ListRow::one)
    }

    pub fn delete_customer(&self, id: i64) -> Result<(), CoreError> {
        self.write(|c| delete_customer(c, id, Utc::now()))
    }

    pub fn discard_changes(&self, id: i64) -> Result<Option<ListRow>, CoreError> {
        self.write(|c| discard_customer_changes(c, id, Utc::now()))
            .map(|row| row.map(ListRow::one))
    }

    pub fn settle_conflict(
        &self,
        op_id: i64,
        field: &str,
        resolution: Resolution,
    ) -> Result<Option<ListRow>, CoreError> {
        self.write(|c| settle_conflict(c, op_id, field, resolution))
            .map(|row| row.map(ListRow::one))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn conflict_values_read_as_the_user_reads_them() {
        assert_eq!(field_text("is_active", &json!(true)), "Active");
        assert_eq!(field_text("is_active", &json!(false)), "Inactive");
        assert_eq!(field_text("phone", &json!(null)), "(empty)");
        assert_eq!(field_text("email", &json!("")), "(empty)");
        assert_eq!(
            field_text("phone", &json!("+31201234567")),
            "+31 20 123 4567"
        );
        assert_eq!(field_text("name", &json!("Acme")), "Acme");
        assert_eq!(field_label("is_active"), "Status");
        assert_eq!(field_label("phone"), "Phone");
    }

    #[test]
    fn one_customer_carries_its_phone_as_shown() {
        let at = chrono::DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap();
        let row = CustomerRow {
            id: 7,
            name: "Acme".into(),
            email: "a@example.org".into(),
            phone: Some("+14155550100".into()),
            is_active: true,
            registration_date: at,
            last_modified: at,
            sync_state: crate::cache::SyncState::Synced,
        };
        assert_eq!(
            ListRow::one(row.clone()).phone_display.as_deref(),
            Some("+1 415-555-0100")
        );
        let none = ListRow::one(CustomerRow { phone: None, ..row });
        assert_eq!(none.phone_display, None);
    }
}
