//! Pure planning of the customer-list sync: no I/O, no clock. The executor fetches a page,
//! hands it here, and does what the returned plan says (as Atuin's record sync computes its
//! operations first and runs them second). Everything subtle lives here, under unit tests.
//!
//! The incremental walk reads `sort=last_modified, direction=desc` (ties by id ascending on the
//! server) from offset 0 and stops at the stored high-water mark:
//! - a row newer than the mark changed (or is new): upsert it;
//! - a row at exactly the mark whose id the mark lists is already cached: skip it; one at the
//!   mark with an unknown id is new (a server whose clock repeats a timestamp): upsert it;
//! - the first row older than the mark ends the walk: everything below it was taken in before.
//!
//! The new mark is computed over the whole walk and only handed out when the walk is complete;
//! an interrupted walk keeps the old mark, so the next sync re-reads instead of skipping.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use crate::cache::ids::CustomerIdState;
use crate::cache::{CustomerRow, HighWaterMark, SyncState};

/// Rows asked for per list request: the API's maximum.
pub const PAGE_LIMIT: u32 = 1000;

/// A record of a page that could not be taken in (unreadable, or refused by the mapping).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RejectedRow {
    pub id: Option<i64>,
    /// Known when the record parsed but the mapping refused it: it still tells where the
    /// walk is relative to the mark.
    pub last_modified: Option<DateTime<Utc>>,
    pub reason: String,
}

/// One fetched page, already parsed and mapped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FetchedPage {
    pub rows: Vec<CustomerRow>,
    pub rejected: Vec<RejectedRow>,
    /// `total_results`, when the server says.
    pub total: Option<u64>,
}

impl FetchedPage {
    /// Records the server sent, readable or not: what the offset advances by.
    pub fn raw_len(&self) -> u64 {
        (self.rows.len() + self.rejected.len()) as u64
    }
}

/// What to do after a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Next {
    /// Fetch the page at this offset.
    Fetch { offset: u64 },
    /// The walk is complete; store this mark (None: the list is empty and there was no mark).
    Done { mark: Option<HighWaterMark> },
}

/// The operations one page calls for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PagePlan {
    /// Rows to write, deduplicated by id (newest version kept).
    pub upsert: Vec<CustomerRow>,
    /// Rows listed that the cache already holds as they are (at the mark, or seen earlier in
    /// this walk with the same or a newer timestamp).
    pub unchanged: usize,
    /// Server rows not written because the cached row carries a local edit (pending, failed or
    /// conflict): the outbox owns those and compares with the server when it replays.
    pub held: Vec<i64>,
    pub rejected: Vec<RejectedRow>,
    pub next: Next,
}

/// Offset paging over a list that can move between two requests; shared by the walk and the
/// deletion scan.
#[derive(Clone, Debug, Default)]
pub struct Pager {
    next_offset: u64,
    /// `total_results` of the previous page, to notice the list shrinking under the pager.
    last_total: Option<u64>,
}

/// Where paging goes after one page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageStep {
    /// The list shrank: re-read from this earlier offset.
    Reread(u64),
    /// Fetch the page at this offset.
    Next(u64),
    /// That was the last page.
    End,
}

impl Pager {
    /// Offset of the next page to fetch.
    pub fn next_offset(&self) -> u64 {
        self.next_offset
    }

    /// Moves past a page fetched at `next_offset()` that held `raw_len` records (readable or
    /// not) and reported `total` (`total_results`).
    pub fn advance(&mut self, raw_len: u64, total: Option<u64>) -> PageStep {
        // Rows deleted between two requests shift the list up: the first rows of this page
        // slid onto the previous one, unseen. Noticed by `total_results` shrinking: re-read
        // from that many rows earlier (callers drop the duplicates). Creates and edits move
        // rows down instead, which only shows a row twice.
        let shrunk = match (self.last_total, total) {
            (Some(before), Some(now)) if now < before => before - now,
            _ => 0,
        };
        self.last_total = total.or(self.last_total);
        if shrunk > 0 {
            self.next_offset = self.next_offset.saturating_sub(shrunk);
            return PageStep::Reread(self.next_offset);
        }
        let end_offset = self.next_offset + raw_len;
        // A page shorter than asked is the end; so is reaching `total_results`, which saves
        // the empty page a list of exactly N * 1000 rows would otherwise need.
        if raw_len < u64::from(PAGE_LIMIT) || total.is_some_and(|t| end_offset >= t) {
            return PageStep::End;
        }
        self.next_offset = end_offset;
        PageStep::Next(end_offset)
    }
}

/// The state of one incremental walk over the customer list.
#[derive(Clone, Debug)]
pub struct ListWalk {
    stored: Option<HighWaterMark>,
    pager: Pager,
    /// Versions taken this walk, by id: duplicates from a list that moved are dropped.
    seen: HashMap<i64, DateTime<Utc>>,
    /// The mark the walk will store if it completes.
    candidate: Option<HighWaterMark>,
    pages: u32,
}

impl ListWalk {
    /// A walk starting at offset 0 against `stored`, the mark of the last complete walk.
    pub fn new(stored: Option<HighWaterMark>) -> Self {
        ListWalk {
            candidate: stored.clone(),
            stored,
            pager: Pager::default(),
            seen: HashMap::new(),
            pages: 0,
        }
    }

    /// Offset of the next page to fetch.
    pub fn next_offset(&self) -> u64 {
        self.pager.next_offset()
    }

    pub fn pages(&self) -> u32 {
        self.pages
    }

    /// Plans one page fetched at `next_offset()`. `held` holds the ids whose cached row carries
    /// a local edit (the executor reads them from the cache; only their membership matters).
    pub fn plan_page(&mut self, page: FetchedPage, held: &HashSet<i64>) -> PagePlan {
        self.pages += 1;
        let raw_len = page.raw_len();
        let stored_at = self.stored.as_ref().map(|m| m.last_modified);
        let mut reached_mark = false;
        let mut upsert: Vec<CustomerRow> = Vec::new();
        let mut unchanged = 0;
        let mut held_ids = Vec::new();

        for row in page.rows {
            // Timestamps are compared at the cache's precision (microseconds).
            let t = micros(&row.last_modified);
            if let Some(mark_t) = stored_at {
                if t < mark_t {
                    // Older than the mark: taken in by an earlier walk, and so is the rest.
                    reached_mark = true;
                    continue;
                }
                if t == mark_t && self.stored.as_ref().is_some_and(|m| knows(m, row.id)) {
                    unchanged += 1;
                    self.note_seen(row.id, t);
                    continue;
                }
            }
            // Offset paging over a moving list shows a row twice (it moved down a page);
            // keep the newest version and write it once.
            let seen_before = match self.seen.get(&row.id) {
                Some(prev) if *prev >= t => {
                    unchanged += 1;
                    continue;
                }
                Some(_) => true,
                None => false,
            };
            self.note_seen(row.id, t);
            if held.contains(&row.id) {
                held_ids.push(row.id);
                continue;
            }
            if seen_before {
                // An older version may be planned on this very page: replace it.
                upsert.retain(|r| r.id != row.id);
            }
            let mut row = row;
            row.sync_state = SyncState::Synced;
            upsert.push(row);
        }
        if let Some(mark_t) = stored_at {
            reached_mark |= page
                .rejected
                .iter()
                .any(|r| r.last_modified.is_some_and(|t| micros(&t) < mark_t));
        }

        let next = match self.pager.advance(raw_len, page.total) {
            // Even at the mark: the skipped rows sort before this page's first row.
            PageStep::Reread(offset) => Next::Fetch { offset },
            PageStep::Next(offset) if !reached_mark => Next::Fetch { offset },
            PageStep::Next(_) | PageStep::End => Next::Done {
                mark: self.candidate.clone(),
            },
        };
        PagePlan {
            upsert,
            unchanged,
            held: held_ids,
            rejected: page.rejected,
            next,
        }
    }

    fn note_seen(&mut self, id: i64, t: DateTime<Utc>) {
        let newest = self.seen.entry(id).or_insert(t);
        if *newest < t {
            *newest = t;
        }
        self.candidate = HighWaterMark::advanced(self.candidate.as_ref(), [(t, id)]);
    }
}

fn knows(mark: &HighWaterMark, id: i64) -> bool {
    mark.ids_at_mark.binary_search(&id).is_ok()
}

/// `t` truncated to microseconds, the precision the cache and its marks keep.
fn micros(t: &DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(*t)
}

/// What a complete id scan calls for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeletionPlan {
    /// Cached ids the server no longer lists.
    pub delete: Vec<i64>,
    /// Cached ids the server no longer lists but that carry local work (a local create with a
    /// negative id, or a pending/failed/conflict row): left for the outbox, which decides
    /// (re-create, report the conflict, or discard) when it replays.
    pub kept_local: Vec<i64>,
    /// Set when nothing was deleted because the scan could not be trusted, with why.
    pub withheld: Option<String>,
}

/// Which cached rows to delete after a complete scan of the server's ids. `cached` holds only
/// rows that were cached before the scan started (with their current state): a row cached
/// meanwhile may be a customer created after the scan passed its place in the list, which the
/// scan cannot judge. `unidentified` counts scanned records that could not be read and had no readable id: one of
/// them may be any cached row, so nothing is deleted then (a later scan tries again).
pub fn plan_deletions(
    server_ids: &HashSet<i64>,
    cached: &[CustomerIdState],
    unidentified: usize,
) -> DeletionPlan {
    let mut plan = DeletionPlan::default();
    for c in cached {
        if server_ids.contains(&c.id) {
            continue;
        }
        // The outbox's rows: a negative id was never on the server; a non-synced row has an
        // edit waiting. Deleting either would lose the user's work.
        if c.id < 0 || c.sync_state != SyncState::Synced {
            plan.kept_local.push(c.id);
        } else {
            plan.delete.push(c.id);
        }
    }
    if unidentified > 0 && !plan.delete.is_empty() {
        plan.withheld = Some(format!(
            "{unidentified} record(s) of the scan had no readable id; {} deletion(s) postponed",
            plan.delete.len()
        ));
        plan.delete.clear();
    }
    plan.delete.sort_unstable();
    plan.kept_local.sort_unstable();
    plan
}

/// Rows of one id-scan page to write: those the cache lacks, or holds in an older version
/// (missed by an incremental walk, e.g. a row that slid past a page boundary). Rows with
/// local work are left to the outbox, as in the walk.
pub fn plan_scan_page(
    rows: Vec<CustomerRow>,
    cached: &HashMap<i64, CustomerIdState>,
) -> Vec<CustomerRow> {
    rows.into_iter()
        .filter(|r| match cached.get(&r.id) {
            None => true,
            Some(c) => {
                c.sync_state == SyncState::Synced && c.last_modified < micros(&r.last_modified)
            }
        })
        .map(|mut r| {
            r.sync_state = SyncState::Synced;
            r
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000 + s, 0).unwrap()
    }

    fn row(id: i64, secs: i64) -> CustomerRow {
        CustomerRow {
            id,
            name: format!("C{id}"),
            email: format!("c{id}@x.nl"),
            phone: None,
            is_active: true,
            registration_date: t(0),
            last_modified: t(secs),
            sync_state: SyncState::Synced,
        }
    }

    /// A server list: `rows` sorted last_modified desc, id asc, served in pages of `limit`.
    struct Server {
        rows: Vec<CustomerRow>,
    }

    impl Server {
        fn new(mut rows: Vec<CustomerRow>) -> Self {
            rows.sort_by(|a, b| b.last_modified.cmp(&a.last_modified).then(a.id.cmp(&b.id)));
            Server { rows }
        }
        fn page(&self, offset: u64) -> FetchedPage {
            let rows: Vec<CustomerRow> = self
                .rows
                .iter()
                .skip(offset as usize)
                .take(PAGE_LIMIT as usize)
                .cloned()
                .collect();
            FetchedPage {
                rows,
                rejected: vec![],
                total: Some(self.rows.len() as u64),
            }
        }
    }

    struct Outcome {
        requests: u32,
        upserted: Vec<i64>,
        unchanged: usize,
        mark: Option<HighWaterMark>,
    }

    /// Runs a walk to the end against `server`.
    fn walk(server: &Server, stored: Option<HighWaterMark>) -> Outcome {
        let mut w = ListWalk::new(stored);
        let mut upserted = vec![];
        let mut unchanged = 0;
        loop {
            let plan = w.plan_page(server.page(w.next_offset()), &HashSet::new());
            upserted.extend(plan.upsert.iter().map(|r| r.id));
            unchanged += plan.unchanged;
            if let Next::Done { mark } = plan.next {
                return Outcome {
                    requests: w.pages(),
                    upserted,
                    unchanged,
                    mark,
                };
            }
            assert!(w.pages() < 100, "walk does not end");
        }
    }

    fn many(n: i64) -> Vec<CustomerRow> {
        (1..=n).map(|id| row(id, id * 10)).collect()
    }

    #[test]
    fn first_sync_walks_every_page_and_marks_the_newest() {
        let server = Server::new(many(10_000));
        let out = walk(&server, None);
        assert_eq!(out.requests, 10, "total_results saves the empty 11th page");
        assert_eq!(out.upserted.len(), 10_000);
        let mark = out.mark.unwrap();
        assert_eq!(mark.last_modified, t(100_000));
        assert_eq!(mark.ids_at_mark, vec![10_000]);
    }

    #[test]
    fn without_total_a_full_last_page_needs_one_empty_page() {
        let server = Server::new(many(2000));
        let mut w = ListWalk::new(None);
        let mut requests = 0;
        loop {
            let mut page = server.page(w.next_offset());
            page.total = None;
            requests += 1;
            if let Next::Done { .. } = w.plan_page(page, &HashSet::new()).next {
                break;
            }
        }
        assert_eq!(requests, 3);
    }

    #[test]
    fn resync_with_nothing_new_stops_after_one_page() {
        let server = Server::new(many(5000));
        let first = walk(&server, None);
        let again = walk(&server, first.mark.clone());
        assert_eq!(again.requests, 1);
        assert!(again.upserted.is_empty());
        assert_eq!(again.unchanged, 1);
        assert_eq!(again.mark, first.mark);
    }

    #[test]
    fn resync_takes_exactly_the_changed_rows() {
        let mut rows = many(3000);
        let first = walk(&Server::new(rows.clone()), None);
        rows[10].last_modified = t(500_000);
        rows[2000].last_modified = t(500_001);
        rows.push(row(9999, 500_002));
        let out = walk(&Server::new(rows), first.mark);
        assert_eq!(out.requests, 1);
        let mut ids = out.upserted;
        ids.sort();
        assert_eq!(ids, vec![11, 2001, 9999]);
        assert_eq!(out.mark.unwrap().ids_at_mark, vec![9999]);
    }

    /// A bulk import: 300 rows sharing one timestamp, straddling the first page boundary.
    #[test]
    fn equal_timestamps_at_the_mark_across_a_page_boundary() {
        let mut rows: Vec<CustomerRow> = (1..=1500).map(|id| row(id, id)).collect();
        // Ids 2000..2300 all at t(10_000): the newest group.
        rows.extend((2000..2300).map(|id| row(id, 10_000)));
        let first = walk(&Server::new(rows.clone()), None);
        assert_eq!(first.upserted.len(), rows.len());
        let mark = first.mark.clone().unwrap();
        assert_eq!(mark.last_modified, t(10_000));
        assert_eq!(mark.ids_at_mark.len(), 300);

        // 850 newer rows arrive: the group now sits at ranks 850..1150, across the boundary.
        rows.extend((7000..7850).map(|id| row(id, 20_000 + id)));
        let out = walk(&Server::new(rows.clone()), Some(mark.clone()));
        assert_eq!(out.requests, 2, "the group spans both pages");
        let mut ids = out.upserted.clone();
        ids.sort();
        assert_eq!(ids, (7000..7850).collect::<Vec<_>>(), "nothing re-upserted");
        assert_eq!(out.unchanged, 300);

        // A row added at exactly the mark's timestamp (a server clock that repeats) is not
        // lost, even when it sorts on the second page (ties go by id ascending).
        rows.push(row(22_995, 10_000));
        let out = walk(&Server::new(rows), Some(mark));
        let mut ids = out.upserted;
        ids.sort();
        assert!(ids.contains(&22_995));
        assert_eq!(ids.len(), 851);
        // The mark moves to the newest row of the walk.
        let mark = out.mark.unwrap();
        assert_eq!(mark.last_modified, t(20_000 + 7849));
        assert_eq!(mark.ids_at_mark, vec![7849]);
    }

    #[test]
    fn a_newest_group_larger_than_a_page_is_marked_whole() {
        // 1200 rows share the newest timestamp: the first walk sees them on two pages.
        let mut rows: Vec<CustomerRow> = (1..=1200).map(|id| row(id, 5000)).collect();
        rows.extend((2000..2500).map(|id| row(id, id - 1000)));
        let server = Server::new(rows);
        let first = walk(&server, None);
        let mark = first.mark.clone().unwrap();
        assert_eq!(mark.ids_at_mark, (1..=1200).collect::<Vec<_>>());
        // Nothing changed: the group fills page 1, so the walk needs page 2 to see a row
        // below the mark, and writes nothing.
        let again = walk(&server, Some(mark));
        assert_eq!(again.requests, 2);
        assert!(again.upserted.is_empty());
        assert_eq!(again.unchanged, 1200);
    }

    #[test]
    fn a_newer_version_later_in_the_walk_replaces_the_older() {
        let server = Server::new(many(1500));
        let mut w = ListWalk::new(None);
        w.plan_page(server.page(0), &HashSet::new());
        // Row 400 is on page 2, and shows up again, edited, at the end of the same page
        // (a broken server): one write, the newest.
        let mut page = server.page(1000);
        let mut edited = row(400, 99_999);
        edited.name = "edited".into();
        page.rows.push(edited);
        let plan = w.plan_page(page, &HashSet::new());
        let r400: Vec<&CustomerRow> = plan.upsert.iter().filter(|r| r.id == 400).collect();
        assert_eq!(r400.len(), 1);
        assert_eq!(r400[0].name, "edited");
    }

    #[test]
    fn an_interrupted_walk_hands_out_no_mark() {
        let server = Server::new(many(3000));
        let old = walk(&server, None).mark;
        let mut rows = many(3000);
        for r in rows.iter_mut().take(2500) {
            r.last_modified = t(1_000_000 + r.id);
        }
        let server = Server::new(rows);
        let mut w = ListWalk::new(old.clone());
        let plan = w.plan_page(server.page(0), &HashSet::new());
        assert_eq!(plan.next, Next::Fetch { offset: 1000 });
        // The executor fails here (network) and keeps `old`: the walk never said Done, so the
        // next sync starts again from the top with the old mark and re-reads page 1.
        let again = walk(&server, old);
        assert_eq!(again.upserted.len(), 2500);
        assert_eq!(again.requests, 3);
    }

    #[test]
    fn a_list_that_moves_while_paging_is_deduplicated() {
        let rows = many(2500);
        let server = Server::new(rows.clone());
        let mut w = ListWalk::new(None);
        let mut upserted: Vec<i64> = vec![];
        let p1 = w.plan_page(server.page(0), &HashSet::new());
        upserted.extend(p1.upsert.iter().map(|r| r.id));
        // Between requests, 3 customers are created: every row moves 3 down, and the next
        // page starts with 3 rows already taken.
        let mut moved = rows.clone();
        moved.extend((10_001..=10_003).map(|id| row(id, 1_000_000 + id)));
        let moved = Server::new(moved);
        let mut dups = 0;
        loop {
            let plan = w.plan_page(moved.page(w.next_offset()), &HashSet::new());
            dups += plan.unchanged;
            upserted.extend(plan.upsert.iter().map(|r| r.id));
            if let Next::Done { mark } = plan.next {
                // The new rows were above the walk: the mark stays below them, so the next
                // sync takes them.
                assert_eq!(mark.unwrap().last_modified, t(25_000));
                break;
            }
        }
        assert_eq!(dups, 3);
        let n = upserted.len();
        upserted.sort();
        upserted.dedup();
        assert_eq!(upserted.len(), n, "each id written once");
        assert_eq!(n, 2500);
    }

    #[test]
    fn rows_deleted_while_paging_are_re_read_not_skipped() {
        let rows = many(2500);
        let server = Server::new(rows.clone());
        let mut w = ListWalk::new(None);
        let mut upserted: HashSet<i64> = HashSet::new();
        let p1 = w.plan_page(server.page(0), &HashSet::new());
        upserted.extend(p1.upsert.iter().map(|r| r.id));
        // Two rows of page 1 are deleted: the list shifts up by two.
        let shrunk: Vec<CustomerRow> = rows
            .into_iter()
            .filter(|r| r.id != 2500 && r.id != 2400)
            .collect();
        let shrunk = Server::new(shrunk);
        assert_eq!(w.next_offset(), 1000);
        loop {
            let plan = w.plan_page(shrunk.page(w.next_offset()), &HashSet::new());
            upserted.extend(plan.upsert.iter().map(|r| r.id));
            if let Next::Done { .. } = plan.next {
                break;
            }
        }
        for id in 1..=2498 {
            assert!(upserted.contains(&id), "id {id} skipped");
        }
    }

    #[test]
    fn rows_with_local_edits_are_held_not_overwritten() {
        let server = Server::new(many(10));
        let mut w = ListWalk::new(None);
        let plan = w.plan_page(server.page(0), &HashSet::from([3, 7]));
        assert_eq!(plan.held, vec![7, 3]);
        assert_eq!(plan.upsert.len(), 8);
        // Their server versions still count for the mark: the outbox fetches what it needs.
        assert!(matches!(plan.next, Next::Done { mark: Some(ref m) } if m.ids_at_mark == [10]));
    }

    #[test]
    fn a_rejected_row_older_than_the_mark_ends_the_walk() {
        let mark = HighWaterMark {
            last_modified: t(100),
            ids_at_mark: vec![1],
        };
        let mut w = ListWalk::new(Some(mark.clone()));
        let rows: Vec<CustomerRow> = (0..999).map(|i| row(1000 + i, 200)).collect();
        let page = FetchedPage {
            rows,
            rejected: vec![RejectedRow {
                id: Some(5),
                last_modified: Some(t(50)),
                reason: "bad".into(),
            }],
            total: Some(5000),
        };
        let plan = w.plan_page(page, &HashSet::new());
        assert!(matches!(plan.next, Next::Done { .. }));
        assert_eq!(plan.rejected.len(), 1);
        assert_eq!(plan.upsert.len(), 999);
    }

    #[test]
    fn an_empty_list_is_done_at_once() {
        let mut w = ListWalk::new(None);
        let plan = w.plan_page(FetchedPage::default(), &HashSet::new());
        assert_eq!(plan.next, Next::Done { mark: None });
    }

    fn cached(id: i64, state: SyncState) -> CustomerIdState {
        CustomerIdState {
            id,
            last_modified: t(id),
            sync_state: state,
        }
    }

    #[test]
    fn deletion_plan_leaves_local_work_alone() {
        let server: HashSet<i64> = [1, 2, 3, 10].into();
        let cache = [
            cached(1, SyncState::Synced),
            cached(4, SyncState::Synced),
            cached(5, SyncState::Pending),
            cached(6, SyncState::Failed),
            cached(7, SyncState::Conflict),
            cached(-1, SyncState::Pending),
            cached(-2, SyncState::Synced),
            cached(8, SyncState::Synced),
        ];
        let plan = plan_deletions(&server, &cache, 0);
        assert_eq!(plan.delete, vec![4, 8]);
        assert_eq!(plan.kept_local, vec![-2, -1, 5, 6, 7]);
        assert_eq!(plan.withheld, None);

        // Id 11, above every id the scan saw, was cached before the scan: deleted on the server
        // (the newest customer is deleted as surely as any other).
        let mut newer = cache.to_vec();
        newer.push(cached(11, SyncState::Synced));
        assert_eq!(plan_deletions(&server, &newer, 0).delete, vec![4, 8, 11]);
        // An empty server list judges every row.
        assert_eq!(
            plan_deletions(&HashSet::new(), &newer, 0).delete,
            vec![1, 4, 8, 11]
        );

        // An unreadable record without an id could be any cached row: delete nothing.
        let unsure = plan_deletions(&server, &cache, 1);
        assert!(unsure.delete.is_empty());
        assert!(unsure.withheld.is_some());
    }

    #[test]
    fn scan_page_writes_missing_and_newer_rows_only() {
        let c: HashMap<i64, CustomerIdState> = [
            (1, cached(1, SyncState::Synced)),
            (2, cached(2, SyncState::Synced)),
            (3, cached(3, SyncState::Pending)),
        ]
        .into();
        let rows = vec![row(1, 1), row(2, 50), row(3, 60), row(4, 4)];
        let ids: Vec<i64> = plan_scan_page(rows, &c).iter().map(|r| r.id).collect();
        assert_eq!(ids, vec![2, 4]);
    }
}
