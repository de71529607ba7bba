//! Bulk actions on many organisations: activate, deactivate or delete a selection. Each is the
//! ordinary outbox operation of each organisation (folded with what is already queued for it,
//! sent exactly once), queued in one transaction and filed under a batch
//! (`crate::cache::batches`) so the screen shows its progress and can take back what has not
//! been sent. Batch operations go after the user's single changes (`next_runnable`).

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::change::{CustomerChange, CustomerFields};
use super::queue::{change_of, delete_in, store_row, update_in};
use super::selection::{selected_ids, Selection};
use crate::cache::batches::{
    add_undone, batch_ops, delete_batch, insert_batch, read_batches, set_queued, tag_op,
};
use crate::cache::customers::{delete_rows, get_row};
use crate::cache::outbox::{delete_op, set_payload, set_state};
use crate::cache::{BatchKind, BatchRow, Cache, OutboxOp, OutboxState, SyncState};
use crate::context::Context;
use crate::CoreError;

/// What the user asked to do to the selection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BulkAction {
    Activate,
    Deactivate,
    Delete,
}

impl BulkAction {
    fn kind(self) -> BatchKind {
        match self {
            BulkAction::Activate => BatchKind::Activate,
            BulkAction::Deactivate => BatchKind::Deactivate,
            BulkAction::Delete => BatchKind::Delete,
        }
    }

    fn verb(self) -> &'static str {
        match self {
            BulkAction::Activate => "Activate",
            BulkAction::Deactivate => "Deactivate",
            BulkAction::Delete => "Delete",
        }
    }
}

/// What a bulk action queued.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkReport {
    /// The batch its operations are filed under (None: nothing to send).
    pub batch_id: Option<i64>,
    /// Organisations with an operation queued.
    pub queued: u64,
    /// Already as asked (active, inactive), or created here and never sent (a delete of those
    /// only removes them here): nothing to send for them.
    pub unchanged: u64,
    /// Left alone, with why (being deleted, no longer here).
    pub skipped: u64,
    /// In the user's words: "Deactivating 120 organisations: 3 already were inactive."
    pub message: String,
}

/// What taking a batch back did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UndoReport {
    /// Operations taken back: their organisations show what they showed before.
    pub undone: u64,
    /// Already sent or being sent: they stay.
    pub kept: u64,
    pub message: String,
}

/// Queues `action` for every organisation in `ids`, in one transaction, under one batch.
pub fn apply_bulk(
    cache: &Cache,
    action: BulkAction,
    ids: &[i64],
    now: DateTime<Utc>,
) -> Result<BulkReport, CoreError> {
    let locale = crate::format::sys();
    let many = locale.count_of(ids.len() as u64, "organisation", "organisations");
    let label = format!("{} {many}", action.verb());
    let tx = cache.conn().unchecked_transaction()?;
    let batch = insert_batch(&tx, action.kind(), &label, &now)?;
    let mut report = BulkReport::default();
    for &id in ids {
        let queued = match action {
            BulkAction::Activate | BulkAction::Deactivate => {
                let Some(row) = get_row(&tx, id)? else {
                    report.skipped += 1;
                    continue;
                };
                let mut fields = CustomerFields::of(&row);
                fields.is_active = action == BulkAction::Activate;
                match update_in(&tx, id, &fields, now) {
                    Ok((_, op)) => op,
                    Err(CoreError::Busy { .. } | CoreError::NotFound { .. }) => {
                        report.skipped += 1;
                        continue;
                    }
                    Err(e) => return Err(e),
                }
            }
            BulkAction::Delete => match delete_in(&tx, id, now) {
                Ok(op) => op,
                Err(CoreError::NotFound { .. }) => {
                    report.skipped += 1;
                    continue;
                }
                Err(e) => return Err(e),
            },
        };
        match queued {
            Some(op_id) => {
                tag_op(&tx, op_id, Some(batch))?;
                report.queued += 1;
            }
            None => report.unchanged += 1,
        }
    }
    if report.queued == 0 {
        delete_batch(&tx, batch)?;
    } else {
        set_queued(&tx, batch, report.queued)?;
        report.batch_id = Some(batch);
    }
    tx.commit()?;
    report.message = bulk_message(action, &report, locale);
    Ok(report)
}

fn bulk_message(action: BulkAction, r: &BulkReport, locale: &crate::format::Locale) -> String {
    let orgs = |n| locale.count_of(n, "organisation", "organisations");
    let mut out = match (action, r.queued) {
        (_, 0) => "Nothing to send.".to_string(),
        (BulkAction::Activate, n) => format!("Activating {}.", orgs(n)),
        (BulkAction::Deactivate, n) => format!("Deactivating {}.", orgs(n)),
        (BulkAction::Delete, n) => format!("Deleting {}.", orgs(n)),
    };
    if r.unchanged > 0 {
        let n = locale.count_u64(r.unchanged);
        out.push(' ');
        out.push_str(&match action {
            BulkAction::Activate => format!("{n} already active."),
            BulkAction::Deactivate => format!("{n} already inactive."),
            BulkAction::Delete => format!("{n} never sent, removed here."),
        });
    }
    if r.skipped > 0 {
        out.push_str(&format!(
            " {} left alone (being deleted, or gone).",
            locale.count_u64(r.skipped)
        ));
    }
    out
}

/// Takes back every operation of a batch that has not been sent (or that the server refused):
/// each organisation shows again what it showed before the bulk action. Sent ones stay; so do
/// conflicts (the user settles those).
pub fn undo_batch(
    cache: &Cache,
    batch_id: i64,
    now: DateTime<Utc>,
) -> Result<UndoReport, CoreError> {
    let tx = cache.conn().unchecked_transaction()?;
    let Some(batch) = read_batches(&tx)?
        .into_iter()
        .find(|b| b.batch_id == batch_id)
    else {
        return Err(CoreError::NotFound {
            what: "This bulk change".into(),
        });
    };
    let mut report = UndoReport::default();
    for op in batch_ops(&tx, batch_id)? {
        let takeable = op.state == OutboxState::Failed
            || (op.state == OutboxState::Pending && op.attempts == 0);
        if !takeable {
            report.kept += 1;
            continue;
        }
        take_back(&tx, &op, batch.kind, now)?;
        report.undone += 1;
    }
    add_undone(&tx, batch_id, report.undone)?;
    tx.commit()?;
    let locale = crate::format::sys();
    report.message = match (report.undone, report.kept) {
        (0, _) => "Nothing left to undo: every change was sent.".into(),
        (n, 0) => format!(
            "Undone: {} back as before.",
            locale.count_of(n, "organisation is", "organisations are")
        ),
        (n, k) => format!(
            "Undone for {}; {} already sent or being sent.",
            locale.count_of(n, "organisation", "organisations"),
            locale.count_u64(k)
        ),
    };
    Ok(report)
}

/// Takes back one operation of a batch of `kind`; the row shows its state before the batch.
fn take_back(
    tx: &Connection,
    op: &OutboxOp,
    kind: BatchKind,
    now: DateTime<Utc>,
) -> Result<(), CoreError> {
    let id = op.entity_id;
    match change_of(op)? {
        // An imported organisation never sent: it goes.
        CustomerChange::Create { .. } => {
            delete_op(tx, op.op_id)?;
            delete_rows(tx, &[id])?;
        }
        CustomerChange::Update { base, mut mine } => {
            if matches!(kind, BatchKind::Activate | BatchKind::Deactivate) {
                mine.is_active = base.is_active;
            }
            let mut row = get_row(tx, id)?;
            if mine == base {
                delete_op(tx, op.op_id)?;
                if let Some(row) = row.as_mut() {
                    row.last_modified = op.base_last_modified.unwrap_or(row.last_modified);
                }
            } else {
                // The user's own edits folded into it stay queued, as a single change.
                let change = CustomerChange::Update {
                    base,
                    mine: mine.clone(),
                };
                set_payload(
                    tx,
                    op.op_id,
                    &change.to_json(),
                    op.base_last_modified.as_ref(),
                )?;
                tag_op(tx, op.op_id, None)?;
                if op.state == OutboxState::Failed {
                    set_state(tx, op.op_id, OutboxState::Pending, None, false)?;
                }
            }
            if let Some(mut row) = row {
                mine.apply_to(&mut row);
                store_row(tx, row)?;
            }
        }
        CustomerChange::Delete {
            base,
            registration_date,
        } => {
            delete_op(tx, op.op_id)?;
            let last_modified = op.base_last_modified.unwrap_or(now);
            store_row(
                tx,
                base.row(id, registration_date, last_modified, SyncState::Synced),
            )?;
        }
        CustomerChange::Refresh => {}
    }
    Ok(())
}

/// A batch as the screen shows it: how far it is, in words and figures.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchView {
    pub id: i64,
    pub kind: BatchKind,
    pub label: String,
    pub sent: u64,
    /// What the batch now amounts to: sent + waiting + refused (taken back is not counted).
    pub total: u64,
    pub waiting: u64,
    pub refused: u64,
    pub undone: u64,
    pub undoable: u64,
    /// Nothing left to send.
    pub finished: bool,
    /// "38 of 120 sent".
    pub progress_text: String,
    /// "2 refused: open them to see why", "12 taken back", ...
    pub detail_text: String,
    /// How long the rest takes at the account's rate limit, in the lane batches use (which
    /// leaves a fifth to the user's own changes): "about 4 h 10 min left at 100 requests a
    /// minute". None when finished or unlimited.
    pub time_left_text: Option<String>,
}

/// Requests one operation of a batch of `kind` costs (an edit reads the server's version
/// first, to merge field by field).
fn requests_per_op(kind: BatchKind) -> u64 {
    match kind {
        BatchKind::Activate | BatchKind::Deactivate => 2,
        BatchKind::Delete | BatchKind::Import => 1,
    }
}

impl BatchView {
    pub fn of(b: &BatchRow, requests_per_minute: u32) -> BatchView {
        let locale = crate::format::sys();
        let total = b.sent + b.waiting + b.refused;
        let mut detail = Vec::new();
        if b.refused > 0 {
            detail.push(format!(
                "{} refused by Scriptix",
                locale.count_u64(b.refused)
            ));
        }
        if b.undone > 0 {
            detail.push(format!("{} taken back", locale.count_u64(b.undone)));
        }
        // Batches go in the background lane: what it may send a minute.
        let lane = u64::from(scriptix_api::background_limit(requests_per_minute));
        let time_left_text = (b.waiting > 0 && lane > 0).then(|| {
            let requests = b.waiting * requests_per_op(b.kind);
            let seconds = requests * 60 / lane;
            format!(
                "{} left at {} requests a minute",
                locale.time_left(seconds),
                locale.count_u64(u64::from(requests_per_minute))
            )
        });
        BatchView {
            id: b.batch_id,
            kind: b.kind,
            label: b.label.clone(),
            sent: b.sent,
            total,
            waiting: b.waiting,
            refused: b.refused,
            undone: b.undone,
            undoable: b.undoable,
            finished: b.waiting == 0,
            progress_text: format!("{} sent", locale.of(b.sent, total)),
            detail_text: detail.join(" · "),
            time_left_text,
        }
    }
}

impl Context {
    /// Queues `action` for the selection (resolved now, so rows not on screen count too).
    pub fn bulk_customers(
        &self,
        action: BulkAction,
        selection: &Selection,
    ) -> Result<BulkReport, CoreError> {
        let ids = selected_ids(&*self.read()?, selection)?;
        self.write_outbox(|c| apply_bulk(c, action, &ids, Utc::now()))
    }

    /// Every bulk change and import still shown, newest first.
    pub fn batches(&self) -> Result<Vec<BatchView>, CoreError> {
        let limit = self.client().budget().limit;
        let rows = read_batches(self.read()?.conn())?;
        Ok(rows.iter().map(|b| BatchView::of(b, limit)).collect())
    }

    pub fn undo_batch(&self, batch_id: i64) -> Result<UndoReport, CoreError> {
        self.write_outbox(|c| undo_batch(c, batch_id, Utc::now()))
    }

    /// Stops showing a batch that has nothing left to send.
    pub fn dismiss_batch(&self, batch_id: i64) -> Result<(), CoreError> {
        let cache = self.write()?;
        let busy = read_batches(cache.conn())?
            .iter()
            .any(|b| b.batch_id == batch_id && b.waiting > 0);
        if busy {
            return Err(CoreError::Busy {
                message: "This bulk change is still being sent; undo it, or wait for it.".into(),
            });
        }
        delete_batch(cache.conn(), batch_id)?;
        Ok(())
    }
}
