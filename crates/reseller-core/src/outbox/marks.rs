//! How a pending change shows: the mark on the row it touches (pending, or refused with the
//! server's words) and the list of refused changes a screen shows above its rows, so a change
//! can be discarded even when its row is gone.

use serde::Serialize;

use super::entity::Entity;
use crate::cache::{OutboxKind, OutboxOp, OutboxState};

/// Where an operation is, as a row's badge shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkState {
    /// Waiting to be sent, or being sent.
    Pending,
    /// The server refused it: its words are in `error`.
    Failed,
}

/// A pending or refused operation on a row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowMark {
    pub op_id: i64,
    /// The operation's kind (`create`, `auto_renew`, `revoke`, `update`, `delete`, ...).
    pub kind: OutboxKind,
    pub state: MarkState,
    pub error: Option<String>,
}

impl RowMark {
    pub fn of(op: &OutboxOp) -> RowMark {
        RowMark {
            op_id: op.op_id,
            kind: op.kind,
            state: match op.state {
                OutboxState::Failed | OutboxState::Conflict => MarkState::Failed,
                _ => MarkState::Pending,
            },
            error: op.last_error.clone(),
        }
    }

    /// The mark of a row the operations `op_ids` (oldest first) were written into, read from
    /// `ops` (their current states); None when none of them is still there.
    pub fn of_ops(op_ids: &[i64], ops: &[OutboxOp]) -> Option<RowMark> {
        op_ids
            .iter()
            .filter_map(|id| ops.iter().find(|o| o.op_id == *id))
            .fold(None, |mark, op| Some(RowMark::merge(mark, RowMark::of(op))))
    }

    /// A later mark on the same row wins, except that a refusal stays visible.
    pub fn merge(old: Option<RowMark>, new: RowMark) -> RowMark {
        match old {
            Some(old) if old.state == MarkState::Failed => old,
            _ => new,
        }
    }
}

/// A refused operation, listed above a tab so it can be discarded even when its row is gone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefusedOp {
    pub op_id: i64,
    pub kind: OutboxKind,
    /// What it was, in the user's words ("Add subscription STT-BUNDLE-100H").
    pub what: String,
    pub error: String,
}

/// The refused operations among `ops` (all `E`'s), each described in the user's words.
pub fn refused<E: Entity>(ops: &[OutboxOp]) -> Vec<RefusedOp> {
    ops.iter()
        .filter(|o| matches!(o.state, OutboxState::Failed | OutboxState::Conflict))
        .map(|o| RefusedOp {
            op_id: o.op_id,
            kind: o.kind,
            what: E::change_of(o)
                .map(|c| E::describe(&c))
                .unwrap_or_else(|_| format!("A {} change", E::ENTITY.as_str().replace('_', " "))),
            error: o.last_error.clone().unwrap_or_default(),
        })
        .collect()
}
