//! The customer list and the organisation page as the context serves them: reads from the
//! cache, writes through the outbox (each one tells the engine).

use chrono::Utc;

use super::queue::{create_customer, delete_customer, update_customer, CustomerForm};
use super::settle::{discard_customer_changes, settle_conflict, Resolution};
use super::view::{
    count_text, ConflictView, CustomerView, ListRequest, ListRow, ListWindow, MAX_COUNTED,
    MAX_WINDOW,
};
use crate::cache::outbox::ops_for_entity;
use crate::cache::{bounded_search, CustomerQuery, MatchCount, OutboxEntity, OutboxState};
use crate::context::Context;
use crate::CoreError;

impl Context {
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
        let cache = self.read()?;
        let page = cache.customer_page_at(&query, req.offset)?;
        let MatchCount { count, exact } =
            cache.count_customers(query.search.as_deref(), req.status, Some(MAX_COUNTED))?;
        // Phones formatted before (by the sync, or an earlier run) are looked up, not parsed.
        let phones: Vec<Option<&str>> = page.rows.iter().map(|r| r.phone.as_deref()).collect();
        let unknown = crate::phone_display::unknown(&phones);
        if !unknown.is_empty() {
            crate::phone_display::remember(cache.phones_shown(&unknown)?);
        }
        drop(cache);
        crate::diagnostics::memory::milestone(crate::diagnostics::memory::FIRST_QUERY);
        Ok(ListWindow {
            offset: req.offset,
            rows: ListRow::all(page.rows),
            total: count,
            exact,
            total_text: count_text(crate::format::sys(), count, exact),
        })
    }

    pub fn customer(&self, id: i64) -> Result<CustomerView, CoreError> {
        let cache = self.read()?;
        let customer = cache.get_customer(id)?.ok_or_else(|| CoreError::NotFound {
            what: "This organisation".into(),
        })?;
        let mine = ops_for_entity(cache.conn(), OutboxEntity::Customer, id)?;
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
        let cache = self.read()?;
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

    pub fn create_customer(&self, form: &CustomerForm) -> Result<ListRow, CoreError> {
        self.write_outbox(|c| create_customer(c, form, Utc::now()))
            .map(ListRow::one)
    }

    pub fn update_customer(&self, id: i64, form: &CustomerForm) -> Result<ListRow, CoreError> {
        self.write_outbox(|c| update_customer(c, id, form, Utc::now()))
            .map(ListRow::one)
    }

    pub fn delete_customer(&self, id: i64) -> Result<(), CoreError> {
        self.write_outbox(|c| delete_customer(c, id, Utc::now()))
    }

    pub fn discard_changes(&self, id: i64) -> Result<Option<ListRow>, CoreError> {
        self.write_outbox(|c| discard_customer_changes(c, id, Utc::now()))
            .map(|row| row.map(ListRow::one))
    }

    pub fn settle_conflict(
        &self,
        op_id: i64,
        field: &str,
        resolution: Resolution,
    ) -> Result<Option<ListRow>, CoreError> {
        self.write_outbox(|c| settle_conflict(c, op_id, field, resolution))
            .map(|row| row.map(ListRow::one))
    }
}
