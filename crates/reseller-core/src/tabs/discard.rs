//! Discarding a tab's waiting or refused change, whichever tab it belongs to.

use super::subscriptions::Subscriptions;
use super::tokens::Tokens;
use super::users::Users;
use crate::cache::OutboxEntity;
use crate::context::Context;
use crate::CoreError;

impl Context {
    /// Drops a tab operation that is waiting or was refused (the rows show the server's
    /// version again). One being sent right now cannot be taken back.
    pub fn discard_tab_change(&self, op_id: i64) -> Result<(), CoreError> {
        let Some(op) = self.read()?.outbox_op(op_id)? else {
            return Ok(()); // already finished or discarded
        };
        match op.entity {
            OutboxEntity::Subscription => self.discard_scoped::<Subscriptions>(op_id),
            OutboxEntity::CustomerToken => self.discard_scoped::<Tokens>(op_id),
            OutboxEntity::User => self.discard_scoped::<Users>(op_id),
            OutboxEntity::Customer | OutboxEntity::Branding => Err(CoreError::InvalidInput {
                field: "opId",
                message: "That change is not one of this tab's.".into(),
            }),
        }
    }
}
