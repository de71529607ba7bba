//! Sending queued branding changes (the contract is `outbox::entity`'s).
//!
//! Every branding request is a replacement (PUT of both colours, PUT of the logo, DELETE of
//! it), so an operation found in flight after a lost answer is simply sent again: the server
//! ends in the same state as if the first had landed, and it holds the change once. A colour
//! PUT replaces both colours, so the server's secondary colour is read first and sent back as
//! it is (this app only edits the brand colour).

use std::sync::Mutex;

use scriptix_api::{ApiError, Branding, BrandingColors, Client};

use super::changes::{describe, pending_logo, BrandingChange, BrandingEntity, PendingLogo};
use crate::cache::outbox::delete_op;
use crate::cache::{BrandingRow, Cache, OutboxEntity, OutboxKind, OutboxOp};
use crate::outbox::entity::lock;
use crate::outbox::{
    fail, refuse, server_rows, set_server_rows, Entity, Replay, ReplayReport, Step,
};
use crate::remote::SyncError;

/// The logo is uploaded under this name (the server looks at the bytes, not the name).
const FILE_NAME: &str = "logo.png";

impl Entity for BrandingEntity {
    const ENTITY: OutboxEntity = OutboxEntity::Branding;
    type Change = BrandingChange;

    fn kind(change: &BrandingChange) -> OutboxKind {
        change.kind()
    }

    fn describe(change: &BrandingChange) -> String {
        describe(change)
    }

    async fn replay(
        r: &Replay<'_>,
        op: &OutboxOp,
        change: BrandingChange,
        _report: &mut ReplayReport,
    ) -> Result<Step, SyncError> {
        send(r.client, r.cache, op, change).await
    }
}

/// Sends one claimed branding operation.
async fn send(
    client: &Client,
    cache: &Mutex<Cache>,
    op: &OutboxOp,
    change: BrandingChange,
) -> Result<Step, SyncError> {
    let sent = match change {
        BrandingChange::SetColour { brand_color } => {
            let secondary = match client.branding().await {
                Ok(current) => current.secondary_color,
                Err(e) => return refuse(cache, op, e),
            };
            let colours = BrandingColors {
                brand_color,
                secondary_color: secondary,
            };
            client
                .update_branding_colors(&colours)
                .await
                .map(|b| Sent::Branding(b, None))
        }
        BrandingChange::SetLogo { .. } => {
            let logo = pending_logo(lock(cache)?.conn(), op.op_id)
                .map_err(|e| SyncError::Internal(e.to_string()))?;
            let Some(logo) = logo else {
                return fail(
                    cache,
                    op,
                    "The logo waiting for upload is missing; choose it again.",
                );
            };
            client
                .upload_logo(logo.png.clone(), "image/png", FILE_NAME)
                .await
                .map(|b| Sent::Branding(b, Some(logo)))
        }
        BrandingChange::DeleteLogo => match client.delete_logo().await {
            // Already gone: what the user wanted.
            Ok(()) | Err(ApiError::NotFound { .. }) => Ok(Sent::LogoDeleted),
            Err(e) => Err(e),
        },
    };
    match sent {
        Ok(sent) => {
            done(cache, op, sent)?;
            Ok(Step::Done)
        }
        Err(e) => refuse(cache, op, e),
    }
}

/// What the server took.
enum Sent {
    /// Its branding after the change, and the logo we uploaded (if we did).
    Branding(Branding, Option<PendingLogo>),
    LogoDeleted,
}

/// Deletes the operation and writes the server's new state into its branding row (what shows
/// is rebuilt from it), in one transaction.
fn done(cache: &Mutex<Cache>, op: &OutboxOp, sent: Sent) -> Result<(), SyncError> {
    let cache = lock(cache)?;
    let tx = cache.conn().unchecked_transaction()?;
    delete_op(&tx, op.op_id)?;
    let mut row = server_rows::<BrandingEntity>(&cache, 0)?
        .into_iter()
        .next()
        .unwrap_or_default();
    match sent {
        Sent::Branding(b, uploaded) => {
            row.brand_color = b.brand_color;
            row.secondary_color = b.secondary_color;
            match uploaded {
                // Made by the logo worker here: the PNG and its size are what the server has.
                Some(logo) => {
                    row.logo = Some(logo.png);
                    row.logo_content_type = Some("image/png".into());
                    row.logo_width = Some(logo.width);
                    row.logo_height = Some(logo.height);
                    row.logo_problem = None;
                }
                // The answer says whether a logo is still there; the bytes stay as cached.
                None if b.logo_url.is_none() => {
                    row.logo = None;
                    row.logo_content_type = None;
                    row.logo_width = None;
                    row.logo_height = None;
                    row.logo_problem = None;
                }
                None => {}
            }
            row.logo_url = b.logo_url;
        }
        Sent::LogoDeleted => {
            row = BrandingRow {
                logo_url: None,
                logo_content_type: None,
                logo: None,
                logo_width: None,
                logo_height: None,
                logo_problem: None,
                ..row
            };
        }
    }
    set_server_rows::<BrandingEntity>(&cache, 0, vec![row])?;
    tx.commit()?;
    Ok(())
}
