//! The rate budget: how many requests may go out now, shared by every clone of a client.
//!
//! The reseller API allows `limit` requests per minute per token, counted by the server in a
//! fixed 60-second window. We keep a sliding window instead: a request occupies a slot from
//! the moment it is sent until 60 s after its answer came back (the server counted it somewhere
//! in between), and no request starts while `limit` slots are occupied. So ANY 60-second span
//! of the server's arrival times, and therefore its fixed window, sees at most `limit` of our
//! requests, retries included.
//!
//! Corrections from the server: `X-RateLimit-Limit` lowers the limit (never raises it above the
//! configured one); `X-RateLimit-Remaining: r` with `X-RateLimit-Reset` allows at most r more
//! requests sent after that answer's request until the reset. Each answer's `X-RateLimit-Reset`
//! also names the window that counted that request; once that reset has passed (computed late,
//! never early), those requests stop counting: the server's window that held them is over.
//! Requests with no such answer (errors, lost answers, servers without the headers) keep
//! their slot for the full sliding window. `Retry-After` blocks everything.
//!
//! Two lanes: a waiting interactive request always goes before any background request; the
//! background lane leaves a reserve (a fifth of the limit) for interactive use, and sends
//! nothing for `USER_QUIET` after an interactive request: while the user works (changes going
//! out, the open screen's reads), the slots that free up as the window slides go to them, not
//! to the prefetch.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::config::Lane;

pub const WINDOW: Duration = Duration::from_secs(60);

/// The server's reset is given in whole seconds; wait a little past it.
const RESET_MARGIN: Duration = Duration::from_millis(500);

/// What the budget looks like now (for a status bar or a sync planner).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetSnapshot {
    /// Requests allowed per window: the configured limit, lowered by the server's header.
    /// 0 means unlimited.
    pub limit: u32,
    /// Requests an interactive call could send right now.
    pub remaining_in_window: u32,
    /// Slots the background lane leaves to interactive requests.
    pub reserve: u32,
    /// Requests sent whose answer has not come back yet.
    pub in_flight: u32,
    pub waiting_interactive: u32,
    pub waiting_background: u32,
    /// Time left of a `Retry-After` block, if one is running.
    pub blocked_for: Option<Duration>,
    /// What the server's last headers leave until its reset, if they said.
    pub server_remaining: Option<u32>,
}

/// What the server said in its `X-RateLimit-*` headers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ServerHint {
    pub limit: Option<u32>,
    pub remaining: Option<u32>,
    pub reset_in: Option<Duration>,
    /// The reset as the server wrote it (unix seconds): names the window that counted the request.
    pub window: Option<u64>,
}

pub(crate) struct Budget {
    state: Mutex<State>,
    notify: Notify,
}

struct Slot {
    seq: u64,
    /// Send time while in flight, answer time afterwards.
    stamp: Instant,
    in_flight: bool,
    /// The server window that counted it, from its answer's headers.
    window: Option<u64>,
}

struct ServerWindow {
    remaining: u32,
    reset_at: Instant,
    /// The request whose answer carried the headers; later sends count against `remaining`.
    after_seq: u64,
}

struct State {
    config_limit: u32,
    server_limit: Option<u32>,
    slots: VecDeque<Slot>,
    next_seq: u64,
    blocked_until: Option<Instant>,
    server: Option<ServerWindow>,
    /// Server windows we have seen and when (late) each ends.
    resets: Vec<(u64, Instant)>,
    waiting: [u32; 2],
    /// When the last interactive request was sent.
    last_interactive: Option<Instant>,
}

/// Windows remembered; more only happen with a server whose reset changes on every answer.
const MAX_RESETS: usize = 64;

#[derive(Debug, PartialEq, Eq)]
enum Decision {
    Go,
    WaitUntil(Instant),
    /// Until something changes: an answer arrives or an interactive request leaves the queue.
    WaitForEvent,
}

fn lane_index(lane: Lane) -> usize {
    match lane {
        Lane::Interactive => 0,
        Lane::Background => 1,
    }
}

fn reserve_for(limit: u32) -> u32 {
    if limit >= 2 {
        (limit / 5).max(1)
    } else {
        0
    }
}

/// Requests a minute the background lane may send at `limit` (the rest is the reserve it
/// leaves to the user's own requests); 0: unlimited.
pub fn background_limit(limit: u32) -> u32 {
    limit - reserve_for(limit)
}

/// How long the background lane holds back after an interactive request.
pub const USER_QUIET: Duration = Duration::from_secs(5);

impl State {
    fn limit(&self) -> u32 {
        match (self.config_limit, self.server_limit) {
            (0, Some(s)) => s,
            (c, Some(s)) => c.min(s),
            (c, None) => c,
        }
    }

    fn purge(&mut self, now: Instant) {
        let ended = self
            .resets
            .iter()
            .filter(|(_, at)| *at <= now)
            .map(|(w, _)| *w)
            .max();
        if let Some(ended) = ended {
            // Requests counted in a server window that is over no longer count.
            self.slots
                .retain(|s| s.in_flight || s.window.is_none_or(|w| w > ended));
            self.resets.retain(|(_, at)| *at > now);
        }
        if self.server.as_ref().is_some_and(|w| w.reset_at <= now) {
            self.server = None;
        }
        self.slots.retain(|s| s.in_flight || s.stamp + WINDOW > now);
        if self.blocked_until.is_some_and(|t| t <= now) {
            self.blocked_until = None;
        }
    }

    fn server_left(&self) -> Option<u32> {
        self.server.as_ref().map(|w| {
            let sent_since = self.next_seq.saturating_sub(w.after_seq + 1);
            w.remaining
                .saturating_sub(u32::try_from(sent_since).unwrap_or(u32::MAX))
        })
    }

    /// Whether `need` requests of `lane` may go now (a request asks for one).
    fn decide(&mut self, lane: Lane, now: Instant, need: usize) -> Decision {
        let need = need.max(1);
        self.purge(now);
        if let Some(until) = self.blocked_until {
            return Decision::WaitUntil(until);
        }
        if lane == Lane::Background && self.waiting[lane_index(Lane::Interactive)] > 0 {
            return Decision::WaitForEvent;
        }
        if lane == Lane::Background {
            if let Some(quiet_until) = self.last_interactive.map(|t| t + USER_QUIET) {
                if now < quiet_until {
                    return Decision::WaitUntil(quiet_until);
                }
            }
        }
        let limit = self.limit();
        if limit == 0 {
            return Decision::Go;
        }
        let reserve = match lane {
            Lane::Interactive => 0,
            Lane::Background => reserve_for(limit),
        };
        if let (Some(left), Some(w)) = (self.server_left(), self.server.as_ref()) {
            if (left as usize) < reserve as usize + need {
                return Decision::WaitUntil(w.reset_at);
            }
        }
        let capacity = (limit - reserve) as usize;
        let occupied = self.slots.len();
        if occupied + need <= capacity {
            return Decision::Go;
        }
        // `occupied + need - capacity` slots must expire; in-flight ones expire only after
        // their answer, which wakes us. The server's reset may release slots sooner.
        let must_expire = occupied + need - capacity;
        let mut expiries: Vec<Instant> = self
            .slots
            .iter()
            .filter(|s| !s.in_flight)
            .map(|s| s.stamp + WINDOW)
            .collect();
        let server_reset = self.resets.iter().map(|(_, at)| *at).min();
        let expiry = (expiries.len() >= must_expire).then(|| {
            expiries.sort_unstable();
            expiries[must_expire - 1]
        });
        match (expiry, server_reset) {
            (Some(a), Some(b)) => Decision::WaitUntil(a.min(b)),
            (Some(t), None) | (None, Some(t)) => Decision::WaitUntil(t),
            (None, None) => Decision::WaitForEvent,
        }
    }

    fn take(&mut self, lane: Lane, now: Instant) -> u64 {
        if lane == Lane::Interactive {
            self.last_interactive = Some(now);
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        if self.limit() > 0 {
            self.slots.push_back(Slot {
                seq,
                stamp: now,
                in_flight: true,
                window: None,
            });
        }
        seq
    }
}

/// The right to send one request. Dropping it marks the request answered (or abandoned).
pub(crate) struct Permit<'a> {
    budget: &'a Budget,
    seq: u64,
}

impl Permit<'_> {
    pub fn seq(&self) -> u64 {
        self.seq
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.budget.complete(self.seq);
    }
}

/// Counts a queued request in its lane for as long as it waits (also when the caller gives up).
struct Waiting<'a> {
    budget: &'a Budget,
    lane: usize,
    active: bool,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        if self.active {
            self.budget.lock().waiting[self.lane] -= 1;
            self.budget.notify.notify_waiters();
        }
    }
}

impl Budget {
    /// `limit_per_minute` 0 means no client-side limit (the server's headers may still set one).
    pub fn new(limit_per_minute: u32) -> Self {
        Budget {
            state: Mutex::new(State {
                config_limit: limit_per_minute,
                server_limit: None,
                slots: VecDeque::new(),
                next_seq: 1,
                blocked_until: None,
                server: None,
                resets: Vec::new(),
                waiting: [0, 0],
                last_interactive: None,
            }),
            notify: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state stays consistent between statements, so a panic elsewhere cannot corrupt it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until a request in `lane` may be sent, and takes its slot.
    pub async fn acquire(&self, lane: Lane) -> Permit<'_> {
        let mut waiting: Option<Waiting<'_>> = None;
        loop {
            // Registered before the check so that no wake-up between check and wait is lost.
            let notified = self.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let decision = {
                let mut st = self.lock();
                let now = Instant::now();
                let decision = st.decide(lane, now, 1);
                if decision == Decision::Go {
                    if let Some(w) = waiting.as_mut() {
                        st.waiting[w.lane] -= 1;
                        w.active = false;
                    }
                    let seq = st.take(lane, now);
                    drop(st);
                    if waiting.is_some() {
                        // Someone may have been waiting for this request to leave the queue.
                        self.notify.notify_waiters();
                    }
                    return Permit { budget: self, seq };
                }
                if waiting.is_none() {
                    st.waiting[lane_index(lane)] += 1;
                    waiting = Some(Waiting {
                        budget: self,
                        lane: lane_index(lane),
                        active: true,
                    });
                }
                decision
            };
            match decision {
                Decision::WaitUntil(t) => {
                    tokio::select! {
                        _ = tokio::time::sleep_until(t) => {}
                        _ = &mut notified => {}
                    }
                }
                Decision::WaitForEvent | Decision::Go => notified.await,
            }
        }
    }

    fn complete(&self, seq: u64) {
        {
            let mut st = self.lock();
            let now = Instant::now();
            if let Some(slot) = st.slots.iter_mut().find(|s| s.seq == seq) {
                slot.stamp = now;
                slot.in_flight = false;
            }
        }
        self.notify.notify_waiters();
    }

    /// Gives request `seq`'s slot back at once: it never reached the server (no connection was
    /// made), so no window counted it. Without this, a minute offline would use up the budget
    /// and the first minute back online would stall.
    pub fn forget(&self, seq: u64) {
        {
            let mut st = self.lock();
            st.slots.retain(|s| s.seq != seq);
        }
        self.notify.notify_waiters();
    }

    /// Takes in what an answer to request `seq` said about the server's window.
    pub fn observe(&self, seq: u64, hint: ServerHint) {
        {
            let mut st = self.lock();
            if let Some(limit) = hint.limit.filter(|l| *l > 0) {
                st.server_limit = Some(limit);
            }
            let now = Instant::now();
            // A window that ended before this answer is settled first.
            st.purge(now);
            if let Some(reset_in) = hint.reset_in {
                let reset_at = now + reset_in + RESET_MARGIN;
                if let Some(window) = hint.window {
                    if let Some(slot) = st.slots.iter_mut().find(|s| s.seq == seq) {
                        slot.window = Some(window);
                    }
                    if !st.resets.iter().any(|(w, _)| *w == window) {
                        if st.resets.len() >= MAX_RESETS {
                            st.resets.remove(0);
                        }
                        st.resets.push((window, reset_at));
                    }
                }
                if let Some(remaining) = hint.remaining {
                    let newer = st.server.as_ref().is_none_or(|w| seq >= w.after_seq);
                    if newer {
                        st.server = Some(ServerWindow {
                            remaining,
                            reset_at,
                            after_seq: seq,
                        });
                    }
                }
            }
        }
        self.notify.notify_waiters();
    }

    /// A `Retry-After`: nothing is sent, in any lane, until it has passed.
    pub fn block_for(&self, wait: Duration) {
        let mut st = self.lock();
        let until = Instant::now() + wait;
        st.blocked_until = Some(st.blocked_until.map_or(until, |t| t.max(until)));
    }

    /// How long `need` background requests asked for now would wait before they may all go
    /// (None: at once). Waiting for an answer or for a queued interactive request to leave
    /// says a short while: the moment is not known.
    pub fn background_wait(&self, need: usize) -> Option<Duration> {
        let mut st = self.lock();
        let now = Instant::now();
        match st.decide(Lane::Background, now, need) {
            Decision::Go => None,
            Decision::WaitUntil(t) => Some(t.saturating_duration_since(now)),
            Decision::WaitForEvent => Some(Duration::from_millis(250)),
        }
    }

    pub fn snapshot(&self) -> BudgetSnapshot {
        let mut st = self.lock();
        let now = Instant::now();
        st.purge(now);
        let limit = st.limit();
        let server_remaining = st.server_left();
        let blocked_for = st.blocked_until.map(|t| t - now);
        let mut remaining = if limit == 0 {
            u32::MAX
        } else {
            limit.saturating_sub(st.slots.len() as u32)
        };
        if let Some(left) = server_remaining {
            remaining = remaining.min(left);
        }
        if blocked_for.is_some() {
            remaining = 0;
        }
        BudgetSnapshot {
            limit,
            remaining_in_window: remaining,
            reserve: reserve_for(limit),
            in_flight: st.slots.iter().filter(|s| s.in_flight).count() as u32,
            waiting_interactive: st.waiting[0],
            waiting_background: st.waiting[1],
            blocked_for,
            server_remaining,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn since(t0: Instant) -> Duration {
        Instant::now() - t0
    }

    #[tokio::test(start_paused = true)]
    async fn room_for_two_background_requests_is_room_for_both() {
        // Ten a minute: the background lane has eight, two are the user's.
        let b = Budget::new(10);
        assert_eq!(background_limit(10), 8);
        for _ in 0..7 {
            drop(b.acquire(Lane::Background).await);
        }
        assert_eq!(b.background_wait(1), None);
        let wait = b.background_wait(2).expect("one slot is not room for two");
        assert!(wait > Duration::from_secs(50), "{wait:?}");
        // The reserve is untouched: the user's request goes at once.
        assert_eq!(b.snapshot().remaining_in_window, 3);
    }

    #[tokio::test(start_paused = true)]
    async fn the_request_after_the_limit_waits_a_full_window() {
        let b = Budget::new(5);
        let t0 = Instant::now();
        for _ in 0..5 {
            drop(b.acquire(Lane::Interactive).await);
        }
        assert_eq!(since(t0), Duration::ZERO);
        assert_eq!(b.snapshot().remaining_in_window, 0);
        drop(b.acquire(Lane::Interactive).await);
        assert_eq!(since(t0), WINDOW);
    }

    #[tokio::test(start_paused = true)]
    async fn any_sixty_second_span_holds_at_most_the_limit() {
        let b = Budget::new(7);
        let t0 = Instant::now();
        let mut sends = Vec::new();
        for i in 0..40u64 {
            let p = b.acquire(Lane::Interactive).await;
            sends.push(since(t0));
            // Answers take varying times; the slot lasts until 60 s after the answer.
            tokio::time::sleep(Duration::from_millis(300 * (i % 4))).await;
            drop(p);
            tokio::time::sleep(Duration::from_secs(i % 3)).await;
        }
        for (i, start) in sends.iter().enumerate() {
            let inside = sends[i..].iter().filter(|t| **t < *start + WINDOW).count();
            assert!(inside <= 7, "{inside} sends in the 60 s from {start:?}");
        }
        // And the budget is used, not wasted: 40 sends need at least 5 windows.
        assert!(since(t0) >= WINDOW * 5);
        assert!(since(t0) < WINDOW * 7, "{:?}", since(t0));
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_that_never_connected_gives_its_slot_back() {
        let b = Budget::new(2);
        let t0 = Instant::now();
        for _ in 0..5 {
            let p = b.acquire(Lane::Interactive).await;
            b.forget(p.seq());
            drop(p);
        }
        assert_eq!(since(t0), Duration::ZERO, "offline attempts cost nothing");
        assert_eq!(b.snapshot().remaining_in_window, 2);
        drop(b.acquire(Lane::Interactive).await);
        drop(b.acquire(Lane::Interactive).await);
        assert_eq!(
            b.snapshot().remaining_in_window,
            0,
            "answered ones still count"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_slot_in_flight_expires_a_window_after_its_answer() {
        let b = Budget::new(2);
        let t0 = Instant::now();
        let slow = b.acquire(Lane::Interactive).await;
        drop(b.acquire(Lane::Interactive).await);
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(slow); // answered at 30 s
        drop(b.acquire(Lane::Interactive).await);
        assert_eq!(since(t0), WINDOW);
        drop(b.acquire(Lane::Interactive).await);
        assert_eq!(since(t0), Duration::from_secs(90));
    }

    #[tokio::test(start_paused = true)]
    async fn background_leaves_a_reserve_for_interactive() {
        let b = Budget::new(10);
        assert_eq!(b.snapshot().reserve, 2);
        let t0 = Instant::now();
        for _ in 0..8 {
            drop(b.acquire(Lane::Background).await);
        }
        assert_eq!(since(t0), Duration::ZERO);
        // The last two slots are not for the background lane...
        let bg = tokio::time::timeout(Duration::from_secs(59), b.acquire(Lane::Background)).await;
        assert!(bg.is_err());
        // ...but an interactive request takes it at once.
        let t1 = Instant::now();
        drop(b.acquire(Lane::Interactive).await);
        assert_eq!(since(t1), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn the_background_lane_holds_back_while_the_user_is_active() {
        let b = Budget::new(100);
        let t0 = Instant::now();
        drop(b.acquire(Lane::Background).await);
        assert_eq!(since(t0), Duration::ZERO, "nobody else: at once");
        tokio::time::sleep(Duration::from_secs(1)).await;
        let t1 = Instant::now();
        drop(b.acquire(Lane::Interactive).await);
        assert_eq!(since(t1), Duration::ZERO);
        // Plenty of slots are free, yet the background waits for the user's quiet period.
        drop(b.acquire(Lane::Background).await);
        assert_eq!(since(t1), USER_QUIET);
        // Interactive requests never wait for it.
        let t2 = Instant::now();
        drop(b.acquire(Lane::Interactive).await);
        assert_eq!(since(t2), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn a_waiting_interactive_request_goes_first() {
        let b = Arc::new(Budget::new(3));
        for _ in 0..3 {
            drop(b.acquire(Lane::Interactive).await);
        }
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        // The background requests queue first.
        for (name, lane, delay) in [
            ("bg1", Lane::Background, 0),
            ("bg2", Lane::Background, 1),
            ("ia1", Lane::Interactive, 2),
            ("ia2", Lane::Interactive, 3),
        ] {
            let b = b.clone();
            let order = order.clone();
            tasks.push(tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(delay)).await;
                let _p = b.acquire(lane).await;
                order.lock().unwrap().push(name);
            }));
        }
        tokio::time::sleep(Duration::from_secs(10)).await;
        let snap = b.snapshot();
        assert_eq!((snap.waiting_background, snap.waiting_interactive), (2, 2));
        for t in tasks {
            t.await.unwrap();
        }
        let order = order.lock().unwrap().clone();
        assert_eq!(&order[..2], &["ia1", "ia2"], "{order:?}");
        let snap = b.snapshot();
        assert_eq!((snap.waiting_background, snap.waiting_interactive), (0, 0));
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_blocks_every_lane() {
        let b = Budget::new(100);
        let t0 = Instant::now();
        b.block_for(Duration::from_secs(5));
        assert_eq!(b.snapshot().blocked_for, Some(Duration::from_secs(5)));
        assert_eq!(b.snapshot().remaining_in_window, 0);
        drop(b.acquire(Lane::Background).await);
        assert_eq!(since(t0), Duration::from_secs(5));
        // A shorter block does not shorten a longer one.
        b.block_for(Duration::from_secs(3));
        b.block_for(Duration::from_secs(1));
        drop(b.acquire(Lane::Interactive).await);
        assert_eq!(since(t0), Duration::from_secs(8));
        assert_eq!(b.snapshot().blocked_for, None);
    }

    #[tokio::test(start_paused = true)]
    async fn server_remaining_caps_requests_until_its_reset() {
        let b = Budget::new(100);
        let t0 = Instant::now();
        let p = b.acquire(Lane::Interactive).await;
        let seq = p.seq();
        drop(p);
        b.observe(
            seq,
            ServerHint {
                limit: Some(100),
                remaining: Some(2),
                reset_in: Some(Duration::from_secs(20)),
                window: Some(1020),
            },
        );
        assert_eq!(b.snapshot().server_remaining, Some(2));
        drop(b.acquire(Lane::Interactive).await);
        drop(b.acquire(Lane::Interactive).await);
        assert_eq!(since(t0), Duration::ZERO);
        assert_eq!(b.snapshot().remaining_in_window, 0);
        drop(b.acquire(Lane::Interactive).await);
        assert_eq!(since(t0), Duration::from_secs(20) + RESET_MARGIN);
    }

    #[tokio::test(start_paused = true)]
    async fn a_passed_server_reset_releases_the_slots_it_counted() {
        let b = Budget::new(3);
        let t0 = Instant::now();
        for remaining in (0..3).rev() {
            let p = b.acquire(Lane::Interactive).await;
            // Every answer: counted in the window ending in 2 s.
            b.observe(
                p.seq(),
                ServerHint {
                    limit: Some(3),
                    remaining: Some(remaining),
                    reset_in: Some(Duration::from_secs(2)),
                    window: Some(1002),
                },
            );
        }
        let p = b.acquire(Lane::Interactive).await;
        assert_eq!(since(t0), Duration::from_secs(2) + RESET_MARGIN);
        // Without a hint for it the 4th request keeps its slot for the full sliding window.
        drop(p);
        assert_eq!(b.snapshot().remaining_in_window, 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_window_opens_at_the_server_reset_without_another_answer() {
        let b = Budget::new(2);
        let t0 = Instant::now();
        let p1 = b.acquire(Lane::Interactive).await;
        let p2 = b.acquire(Lane::Interactive).await;
        let hint = |remaining| ServerHint {
            limit: Some(2),
            remaining: Some(remaining),
            reset_in: Some(Duration::from_secs(2)),
            window: Some(1002),
        };
        // Answers arrive out of order; the newest request's word counts.
        let (s1, s2) = (p1.seq(), p2.seq());
        b.observe(s2, hint(0));
        drop(p2);
        b.observe(s1, hint(1));
        drop(p1);
        drop(b.acquire(Lane::Interactive).await);
        assert_eq!(since(t0), Duration::from_secs(2) + RESET_MARGIN);
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_in_flight_across_the_reset_still_counts() {
        let b = Budget::new(2);
        let t0 = Instant::now();
        let slow = b.acquire(Lane::Interactive).await;
        let fast = b.acquire(Lane::Interactive).await;
        b.observe(
            fast.seq(),
            ServerHint {
                limit: Some(2),
                remaining: Some(0),
                reset_in: Some(Duration::from_secs(1)),
                window: Some(1001),
            },
        );
        drop(fast);
        tokio::time::sleep(Duration::from_secs(3)).await;
        // The slow one may have reached the server after its reset: it keeps its slot.
        drop(b.acquire(Lane::Interactive).await);
        assert_eq!(since(t0), Duration::from_secs(3));
        let r = tokio::time::timeout(Duration::from_secs(10), b.acquire(Lane::Interactive)).await;
        assert!(
            r.is_err(),
            "two slots taken: the slow one and the one after the reset"
        );
        drop(slow);
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_counted_in_the_next_window_keeps_its_slot() {
        let b = Budget::new(2);
        let hint = |window, reset_secs| ServerHint {
            limit: Some(2),
            remaining: Some(1),
            reset_in: Some(Duration::from_secs(reset_secs)),
            window: Some(window),
        };
        let p1 = b.acquire(Lane::Interactive).await;
        b.observe(p1.seq(), hint(1002, 2));
        drop(p1);
        tokio::time::sleep(Duration::from_secs(1)).await;
        // Our late estimate of the first reset has not passed, but the server already counted
        // this one in its next window.
        let p2 = b.acquire(Lane::Interactive).await;
        b.observe(p2.seq(), hint(1062, 61));
        drop(p2);
        tokio::time::sleep(Duration::from_secs(5)).await;
        // The first window is over: only its request is released.
        assert_eq!(b.snapshot().remaining_in_window, 1);
    }

    #[tokio::test(start_paused = true)]
    async fn an_older_answer_does_not_override_newer_server_state() {
        let b = Budget::new(100);
        let hint = |remaining| ServerHint {
            limit: None,
            remaining: Some(remaining),
            reset_in: Some(Duration::from_secs(30)),
            window: Some(1030),
        };
        let p1 = b.acquire(Lane::Interactive).await;
        let p2 = b.acquire(Lane::Interactive).await;
        b.observe(p2.seq(), hint(10));
        b.observe(p1.seq(), hint(50));
        assert_eq!(b.snapshot().server_remaining, Some(10));
    }

    #[tokio::test(start_paused = true)]
    async fn the_server_limit_lowers_but_never_raises() {
        let b = Budget::new(10);
        let hint = |limit| ServerHint {
            limit: Some(limit),
            ..ServerHint::default()
        };
        b.observe(0, hint(4));
        assert_eq!(b.snapshot().limit, 4);
        b.observe(0, hint(1000));
        assert_eq!(b.snapshot().limit, 10);
        let t0 = Instant::now();
        b.observe(0, hint(4));
        for _ in 0..4 {
            drop(b.acquire(Lane::Interactive).await);
        }
        drop(b.acquire(Lane::Interactive).await);
        assert_eq!(since(t0), WINDOW);
    }

    #[tokio::test(start_paused = true)]
    async fn a_cancelled_waiter_leaves_the_queue() {
        let b = Budget::new(1);
        drop(b.acquire(Lane::Interactive).await);
        let r = tokio::time::timeout(Duration::from_secs(1), b.acquire(Lane::Interactive)).await;
        assert!(r.is_err());
        assert_eq!(b.snapshot().waiting_interactive, 0);
        // So a background request is not held back by a ghost.
        let t0 = Instant::now();
        drop(b.acquire(Lane::Background).await);
        assert_eq!(since(t0), Duration::from_secs(59));
    }

    #[tokio::test(start_paused = true)]
    async fn zero_means_unlimited() {
        let b = Budget::new(0);
        let t0 = Instant::now();
        for _ in 0..1000 {
            drop(b.acquire(Lane::Background).await);
        }
        assert_eq!(since(t0), Duration::ZERO);
        assert_eq!(b.snapshot().limit, 0);
    }
}
