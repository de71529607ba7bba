//! Branding edits in the outbox, and what the screen shows while they wait.
//!
//! Operations have entity "branding" and one id per independent part: `COLOURS` and `LOGO`, so
//! a refused logo upload does not hold back a colour change (the replay keeps an entity's later
//! operations behind a failed one). An unsent operation of a part is replaced by the next edit of
//! that part (the server only ever needs the last colour and the last logo). A logo waiting for
//! upload keeps its bytes in `pending_logo`, deleted with its operation.
//!
//! Pending changes are written into the cached branding row (`apply_changes`, pure), as every
//! entity's are (`outbox::shown`); the server's row is kept beside it while they wait, so a
//! refresh or a discard rebuilds what shows from it.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::colour::Rgb;
use crate::cache::outbox::{delete_op, insert_op, ops_for_entity, set_state};
use crate::cache::{
    BrandingRow, Cache, CacheError, CacheResult, NewOutboxOp, OutboxEntity, OutboxKind, OutboxOp,
    OutboxState,
};
use crate::logo::Logo;
use crate::outbox::{rebase, Marked, ShownRows};
use crate::CoreError;

/// Entity id of the colour operations.
pub const COLOURS: i64 = 1;
/// Entity id of the logo operations.
pub const LOGO: i64 = 2;

/// One queued branding change (the operation's `kind` and `payload`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BrandingChange {
    /// The brand colour (`#RRGGBB`), or none: back to the default.
    SetColour {
        brand_color: Option<String>,
    },
    /// A processed PNG (its bytes wait in `pending_logo`).
    SetLogo {
        width: u32,
        height: u32,
        bytes: usize,
    },
    DeleteLogo,
}

impl BrandingChange {
    pub fn kind(&self) -> OutboxKind {
        match self {
            BrandingChange::SetColour { .. } => OutboxKind::SetColour,
            BrandingChange::SetLogo { .. } => OutboxKind::SetLogo,
            BrandingChange::DeleteLogo => OutboxKind::DeleteLogo,
        }
    }

    fn part(&self) -> i64 {
        match self {
            BrandingChange::SetColour { .. } => COLOURS,
            BrandingChange::SetLogo { .. } | BrandingChange::DeleteLogo => LOGO,
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// The change an operation holds, or why it cannot be read.
    pub fn of(op: &OutboxOp) -> Result<BrandingChange, String> {
        let change: BrandingChange = serde_json::from_value(op.payload.clone())
            .map_err(|e| format!("the queued branding change cannot be read ({e})"))?;
        if change.kind() != op.kind {
            return Err(format!(
                "the queued branding change says \"{}\" but is filed as \"{}\"",
                change.kind(),
                op.kind
            ));
        }
        Ok(change)
    }
}

/// The branding entity of the outbox (its replay is in `replay`). Its scope is the one
/// branding row (0); its operations are filed under their part.
pub struct BrandingEntity;

impl ShownRows for BrandingEntity {
    type Row = BrandingRow;

    fn row_id(_: &BrandingRow) -> i64 {
        0
    }

    fn load(cache: &Cache, _: i64) -> CacheResult<Vec<BrandingRow>> {
        Ok(cache.branding()?.into_iter().collect())
    }

    fn store(cache: &Cache, _: i64, rows: &[BrandingRow]) -> CacheResult<()> {
        match rows.first() {
            Some(row) => cache.set_branding(row),
            None => cache.clear_branding(),
        }
    }

    fn scope_of(_: &OutboxOp) -> i64 {
        0
    }

    fn pending(cache: &Cache, _: i64) -> CacheResult<Vec<OutboxOp>> {
        branding_ops(cache)
    }

    fn apply(
        cache: &Cache,
        server: Vec<BrandingRow>,
        ops: &[OutboxOp],
    ) -> CacheResult<Vec<Marked<BrandingRow>>> {
        let readable: Vec<OutboxOp> = ops
            .iter()
            .filter(|o| BrandingChange::of(o).is_ok())
            .cloned()
            .collect();
        let pending = pending(cache, readable, true).map_err(|e| match e {
            CoreError::Cache(e) => e,
            other => CacheError::Corrupt(other.to_string()),
        })?;
        let ids = ops.iter().map(|o| o.op_id).collect();
        Ok(apply_changes(server.into_iter().next(), &pending)
            .map(|row| (row, ids))
            .into_iter()
            .collect())
    }
}

/// What a branding change is, in words.
pub fn describe(change: &BrandingChange) -> String {
    match change {
        BrandingChange::SetColour {
            brand_color: Some(c),
        } => format!("Set the brand colour to {c}"),
        BrandingChange::SetColour { brand_color: None } => "Reset the brand colour".into(),
        BrandingChange::SetLogo { .. } => "Upload the logo".into(),
        BrandingChange::DeleteLogo => "Remove the logo".into(),
    }
}

/// A logo waiting for upload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingLogo {
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// A branding operation as `apply_changes` and `shown` read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingBranding {
    pub op_id: i64,
    pub state: OutboxState,
    pub error: Option<String>,
    pub change: BrandingChange,
    /// The bytes of a `SetLogo` (None when they are missing, which fails its replay).
    pub logo: Option<PendingLogo>,
}

/// The logo the screen shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShownLogo {
    pub bytes: Vec<u8>,
    pub content_type: String,
    /// Stored with the logo (None only for a logo cached before sizes were).
    pub size: Option<(u32, u32)>,
}

/// The branding as the screen shows it: the row with pending changes written into it, and each
/// part's mark.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShownBranding {
    pub brand_color: Option<String>,
    pub logo: Option<ShownLogo>,
    /// The server has a logo whose bytes are not cached (too large, not an image, not fetched).
    pub logo_missing: bool,
    /// Why the server's logo is not cached, when it was fetched and left out (a sentence).
    pub logo_problem: Option<String>,
    pub colour_pending: bool,
    pub logo_pending: bool,
    /// The server's words for a refused change, per part.
    pub colour_error: Option<String>,
    pub logo_error: Option<String>,
}

/// The branding row as it shows (pure): the server's with `pending` (oldest first) written
/// over it, the last change of each part winning. None only when there is neither.
pub fn apply_changes(
    server: Option<BrandingRow>,
    pending: &[PendingBranding],
) -> Option<BrandingRow> {
    if pending.is_empty() {
        return server;
    }
    let mut row = server.unwrap_or_default();
    for p in pending {
        match &p.change {
            BrandingChange::SetColour { brand_color } => row.brand_color.clone_from(brand_color),
            BrandingChange::SetLogo { .. } => {
                // Bytes gone (which fails the replay): the logo shows as none meanwhile.
                let logo = p.logo.as_ref();
                row.logo = logo.map(|l| l.png.clone());
                row.logo_content_type = logo.map(|_| "image/png".into());
                row.logo_width = logo.map(|l| l.width);
                row.logo_height = logo.map(|l| l.height);
                row.logo_problem = None;
            }
            BrandingChange::DeleteLogo => {
                row.logo_url = None;
                row.logo = None;
                row.logo_content_type = None;
                row.logo_width = None;
                row.logo_height = None;
                row.logo_problem = None;
            }
        }
    }
    Some(row)
}

/// What the screen shows (pure): the row as written (`apply_changes`), with each part's pending
/// mark and refusal read from the operations written into it (oldest first).
pub fn shown(row: Option<&BrandingRow>, pending: &[PendingBranding]) -> ShownBranding {
    let mut shown = ShownBranding::default();
    if let Some(row) = row {
        shown.brand_color = row.brand_color.clone();
        shown.logo = row.logo.as_ref().map(|bytes| ShownLogo {
            bytes: bytes.clone(),
            content_type: row
                .logo_content_type
                .clone()
                .unwrap_or_else(|| "image/png".into()),
            size: row.logo_width.zip(row.logo_height),
        });
        shown.logo_missing = row.logo.is_none() && row.logo_url.is_some();
        if shown.logo_missing {
            shown.logo_problem = row.logo_problem.clone();
        }
    }
    for p in pending {
        let failed = (p.state == OutboxState::Failed).then(|| {
            p.error
                .clone()
                .unwrap_or_else(|| "The server refused it.".into())
        });
        match p.change.part() {
            COLOURS => {
                shown.colour_pending = true;
                shown.colour_error = failed;
            }
            _ => {
                shown.logo_pending = true;
                shown.logo_error = failed;
            }
        }
    }
    shown
}

fn corrupt(op: &OutboxOp, reason: String) -> CoreError {
    CoreError::Cache(CacheError::Corrupt(format!(
        "operation {}: {reason}",
        op.op_id
    )))
}

pub(crate) fn pending_logo(
    conn: &Connection,
    op_id: i64,
) -> Result<Option<PendingLogo>, CoreError> {
    Ok(conn
        .prepare_cached("SELECT png, width, height FROM pending_logo WHERE op_id = ?1")?
        .query_row([op_id], |r| {
            Ok(PendingLogo {
                png: r.get(0)?,
                width: r.get(1)?,
                height: r.get(2)?,
            })
        })
        .optional()?)
}

/// Every unfinished branding operation, oldest first.
pub(crate) fn branding_ops(cache: &Cache) -> CacheResult<Vec<OutboxOp>> {
    let conn = cache.conn();
    let mut ops = ops_for_entity(conn, OutboxEntity::Branding, COLOURS)?;
    ops.extend(ops_for_entity(conn, OutboxEntity::Branding, LOGO)?);
    ops.sort_by_key(|o| o.op_id);
    Ok(ops)
}

/// `ops` as branding changes, with the logo bytes they hold when `with_logos`.
pub fn pending(
    cache: &Cache,
    ops: Vec<OutboxOp>,
    with_logos: bool,
) -> Result<Vec<PendingBranding>, CoreError> {
    let conn = cache.conn();
    ops.into_iter()
        .map(|op| {
            let change = BrandingChange::of(&op).map_err(|e| corrupt(&op, e))?;
            let logo = match change {
                BrandingChange::SetLogo { .. } if with_logos => pending_logo(conn, op.op_id)?,
                _ => None,
            };
            Ok(PendingBranding {
                op_id: op.op_id,
                state: op.state,
                error: op.last_error.clone(),
                change,
                logo,
            })
        })
        .collect()
}

/// Queues `change` (with the logo's bytes for a `SetLogo`) in one transaction: it replaces the
/// part's newest operation unless that one is being sent; a refused one replaced is queued again.
fn queue(
    cache: &Cache,
    change: BrandingChange,
    logo: Option<&Logo>,
    now: DateTime<Utc>,
) -> Result<(), CoreError> {
    let tx = cache.conn().unchecked_transaction()?;
    let part = change.part();
    let ops = ops_for_entity(&tx, OutboxEntity::Branding, part)?;
    let op_id = match ops.last() {
        Some(last) if last.state != OutboxState::InFlight => {
            tx.prepare_cached("UPDATE outbox SET kind = ?2, payload = ?3 WHERE op_id = ?1")?
                .execute(params![
                    last.op_id,
                    change.kind(),
                    change.to_json().to_string()
                ])?;
            if last.state != OutboxState::Pending {
                set_state(&tx, last.op_id, OutboxState::Pending, None, false)?;
            }
            tx.prepare_cached("DELETE FROM pending_logo WHERE op_id = ?1")?
                .execute([last.op_id])?;
            last.op_id
        }
        _ => insert_op(
            &tx,
            &NewOutboxOp {
                entity: OutboxEntity::Branding,
                entity_id: part,
                kind: change.kind(),
                payload: change.to_json(),
                base_last_modified: None,
                created_at: now,
            },
        )?,
    };
    if let Some(logo) = logo {
        tx.prepare_cached(
            "INSERT INTO pending_logo (op_id, png, width, height) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![op_id, logo.png, logo.width, logo.height])?;
    }
    rebase::<BrandingEntity>(cache, 0)?;
    tx.commit()?;
    Ok(())
}

/// Queues the brand colour (None: back to the default).
pub fn queue_colour(
    cache: &Cache,
    colour: Option<Rgb>,
    now: DateTime<Utc>,
) -> Result<(), CoreError> {
    let change = BrandingChange::SetColour {
        brand_color: colour.map(Rgb::hex),
    };
    queue(cache, change, None, now)
}

/// Queues a processed logo for upload.
pub fn queue_logo(cache: &Cache, logo: &Logo, now: DateTime<Utc>) -> Result<(), CoreError> {
    let change = BrandingChange::SetLogo {
        width: logo.width,
        height: logo.height,
        bytes: logo.png.len(),
    };
    queue(cache, change, Some(logo), now)
}

/// Queues the logo's removal.
pub fn queue_logo_removal(cache: &Cache, now: DateTime<Utc>) -> Result<(), CoreError> {
    queue(cache, BrandingChange::DeleteLogo, None, now)
}

/// Drops the refused branding changes (the server's version shows again).
pub fn discard_failed(cache: &Cache) -> Result<usize, CoreError> {
    let tx = cache.conn().unchecked_transaction()?;
    let mut n = 0;
    for part in [COLOURS, LOGO] {
        for op in ops_for_entity(&tx, OutboxEntity::Branding, part)? {
            if op.state == OutboxState::Failed {
                delete_op(&tx, op.op_id)?;
                n += 1;
            }
        }
    }
    rebase::<BrandingEntity>(cache, 0)?;
    tx.commit()?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the screen shows of `server` with `pending` written over it.
    fn show(server: Option<&BrandingRow>, pending: &[PendingBranding]) -> ShownBranding {
        shown(apply_changes(server.cloned(), pending).as_ref(), pending)
    }

    fn server() -> BrandingRow {
        BrandingRow {
            brand_color: Some("#112233".into()),
            secondary_color: None,
            logo_url: Some("http://x/logo".into()),
            logo_content_type: Some("image/png".into()),
            logo: Some(vec![1, 2, 3]),
            logo_width: Some(30),
            logo_height: Some(20),
            logo_problem: None,
        }
    }

    fn p(op_id: i64, change: BrandingChange) -> PendingBranding {
        let logo = matches!(change, BrandingChange::SetLogo { .. }).then(|| PendingLogo {
            png: vec![9; 4],
            width: 2,
            height: 1,
        });
        PendingBranding {
            op_id,
            state: OutboxState::Pending,
            error: None,
            change,
            logo,
        }
    }

    #[test]
    fn nothing_pending_shows_the_server() {
        let s = show(Some(&server()), &[]);
        assert_eq!(s.brand_color.as_deref(), Some("#112233"));
        let logo = s.logo.unwrap();
        assert_eq!(
            (logo.bytes, logo.content_type.as_str(), logo.size),
            (vec![1, 2, 3], "image/png", Some((30, 20)))
        );
        assert!(!s.colour_pending && !s.logo_pending && !s.logo_missing);
        assert_eq!(show(None, &[]), ShownBranding::default());
    }

    #[test]
    fn the_last_change_of_each_part_wins() {
        let ops = [
            p(
                1,
                BrandingChange::SetColour {
                    brand_color: Some("#AAAAAA".into()),
                },
            ),
            p(2, BrandingChange::DeleteLogo),
            p(3, BrandingChange::SetColour { brand_color: None }),
        ];
        let s = show(Some(&server()), &ops);
        assert_eq!(s.brand_color, None);
        assert_eq!(s.logo, None);
        assert!(s.colour_pending && s.logo_pending);
        let ops = [
            p(2, BrandingChange::DeleteLogo),
            p(
                4,
                BrandingChange::SetLogo {
                    width: 2,
                    height: 1,
                    bytes: 4,
                },
            ),
        ];
        let s = show(Some(&server()), &ops);
        let logo = s.logo.unwrap();
        assert_eq!((logo.bytes, logo.size), (vec![9; 4], Some((2, 1))));
        assert_eq!(s.brand_color.as_deref(), Some("#112233"));
        assert!(!s.colour_pending);
    }

    #[test]
    fn a_refused_change_still_shows_with_its_reason() {
        let mut op = p(
            5,
            BrandingChange::SetLogo {
                width: 2,
                height: 1,
                bytes: 4,
            },
        );
        op.state = OutboxState::Failed;
        op.error = Some("The logo must be a PNG".into());
        let s = show(None, &[op]);
        assert_eq!(s.logo_error.as_deref(), Some("The logo must be a PNG"));
        assert!(s.logo.is_some());
        assert_eq!(s.colour_error, None);
    }

    #[test]
    fn a_logo_the_server_has_but_was_not_cached_is_said_with_its_reason() {
        let mut row = server();
        row.logo = None;
        row.logo_problem =
            Some("This file could not be processed safely: it took too long.".into());
        let shown = show(Some(&row), &[]);
        assert!(shown.logo_missing);
        assert_eq!(shown.logo_problem, row.logo_problem);
        let deleting = show(Some(&row), &[p(1, BrandingChange::DeleteLogo)]);
        assert!(!deleting.logo_missing);
        assert_eq!(deleting.logo_problem, None);
    }

    fn logo() -> Logo {
        Logo {
            png: vec![7; 10],
            width: 5,
            height: 2,
            source_format: "PNG".into(),
        }
    }

    #[test]
    fn unsent_changes_of_a_part_fold_and_keep_the_other_part() {
        let cache = Cache::open_in_memory().unwrap();
        let now = Utc::now();
        queue_colour(&cache, Some(Rgb(1, 2, 3)), now).unwrap();
        queue_logo(&cache, &logo(), now).unwrap();
        queue_colour(&cache, Some(Rgb(4, 5, 6)), now).unwrap();
        queue_logo_removal(&cache, now).unwrap();
        let ops = pending(&cache, branding_ops(&cache).unwrap(), true).unwrap();
        assert_eq!(ops.len(), 2, "{ops:?}");
        assert_eq!(
            ops[0].change,
            BrandingChange::SetColour {
                brand_color: Some("#040506".into())
            }
        );
        assert_eq!(ops[1].change, BrandingChange::DeleteLogo);
        // The replaced logo's bytes went with it.
        let blobs: i64 = cache
            .conn()
            .query_row("SELECT count(*) FROM pending_logo", [], |r| r.get(0))
            .unwrap();
        assert_eq!(blobs, 0);
    }

    #[test]
    fn a_change_behind_one_in_flight_is_queued_after_it_and_a_refused_one_is_requeued() {
        let cache = Cache::open_in_memory().unwrap();
        let now = Utc::now();
        queue_logo(&cache, &logo(), now).unwrap();
        let first = pending(&cache, branding_ops(&cache).unwrap(), true).unwrap()[0].op_id;
        cache
            .set_outbox_state(first, OutboxState::InFlight, None, true)
            .unwrap();
        queue_logo(&cache, &logo(), now).unwrap();
        let ops = pending(&cache, branding_ops(&cache).unwrap(), true).unwrap();
        assert_eq!(ops.len(), 2);
        assert_eq!(ops[1].logo.as_ref().unwrap().png, vec![7; 10]);
        cache
            .set_outbox_state(ops[1].op_id, OutboxState::Failed, Some("no"), false)
            .unwrap();
        queue_logo_removal(&cache, now).unwrap();
        let ops = pending(&cache, branding_ops(&cache).unwrap(), true).unwrap();
        assert_eq!(ops.len(), 2);
        assert_eq!(ops[1].state, OutboxState::Pending);
        assert_eq!(ops[1].change, BrandingChange::DeleteLogo);
        cache
            .set_outbox_state(ops[1].op_id, OutboxState::Failed, Some("no"), false)
            .unwrap();
        assert_eq!(discard_failed(&cache).unwrap(), 1);
        assert_eq!(
            pending(&cache, branding_ops(&cache).unwrap(), true)
                .unwrap()
                .len(),
            1
        );
    }
}
