//! Detail fetches under way, one per target at a time. The prefetch and "Sync now" may want
//! the open organisation's tab at the same moment (the prefetch puts the open organisation
//! first): the second waits for the fetch under way and takes its answer as its own instead of
//! sending the same request again. It waits a short while only: a fetch held back by the
//! background lane's budget must not hold the user's "Sync now" with it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::OwnedMutexGuard;

use crate::remote::policy::Target;

/// How long a fetch waits for the same fetch under way before sending its own.
pub const FOLLOW_AT_MOST: Duration = Duration::from_secs(2);

#[derive(Debug, Default)]
pub struct InFlight {
    slots: Mutex<HashMap<Target, Arc<Slot>>>,
}

#[derive(Debug, Default)]
struct Slot {
    turn: Arc<tokio::sync::Mutex<()>>,
    /// Fetches of the target that succeeded: a waiter compares it with what it saw as it came.
    fetched: AtomicU64,
}

/// The right to fetch a target, until dropped.
#[derive(Debug)]
pub struct Turn<'a> {
    flights: &'a InFlight,
    target: Target,
    slot: Arc<Slot>,
    guard: Option<OwnedMutexGuard<()>>,
    /// Another fetch of the target succeeded while this one waited: its answer is in the cache.
    pub followed: bool,
}

impl InFlight {
    /// Waits (at most `wait`) until no other fetch of `target` is under way.
    pub async fn turn(&self, target: Target, wait: Duration) -> Turn<'_> {
        let slot = Arc::clone(
            self.slots
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(target)
                .or_default(),
        );
        let seen = slot.fetched.load(Ordering::SeqCst);
        let guard = tokio::time::timeout(wait, Arc::clone(&slot.turn).lock_owned())
            .await
            .ok();
        let followed = slot.fetched.load(Ordering::SeqCst) > seen;
        Turn {
            flights: self,
            target,
            slot,
            guard,
            followed,
        }
    }
}

impl Turn<'_> {
    /// This turn's fetch succeeded: whoever waits for the target takes it as theirs.
    pub fn fetched(&self) {
        self.slot.fetched.fetch_add(1, Ordering::SeqCst);
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        drop(self.guard.take());
        let mut slots = self
            .flights
            .slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Only the map and this turn hold the slot (new waiters take it under this lock): no
        // one waits for the target, so it is forgotten.
        if Arc::strong_count(&self.slot) == 2 {
            slots.remove(&self.target);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::Tab;

    const TAB: Target = Target::Tab {
        customer_id: 7,
        tab: Tab::Subscriptions,
    };

    #[tokio::test]
    async fn a_second_fetch_waits_for_the_first_and_takes_its_answer() {
        let flights = InFlight::default();
        let first = flights.turn(TAB, FOLLOW_AT_MOST).await;
        assert!(!first.followed);
        let second = async {
            let turn = flights.turn(TAB, Duration::from_secs(60)).await;
            turn.followed
        };
        let finish_first = async {
            tokio::task::yield_now().await;
            first.fetched();
            drop(first);
        };
        let (followed, ()) = tokio::join!(second, finish_first);
        assert!(followed);
        assert!(flights.slots.lock().unwrap().is_empty(), "slot forgotten");
    }

    #[tokio::test]
    async fn a_failed_fetch_is_not_taken_as_an_answer() {
        let flights = InFlight::default();
        let first = flights.turn(TAB, FOLLOW_AT_MOST).await;
        let second = async { flights.turn(TAB, Duration::from_secs(60)).await.followed };
        let fail_first = async {
            tokio::task::yield_now().await;
            drop(first);
        };
        let (followed, ()) = tokio::join!(second, fail_first);
        assert!(!followed);
    }

    #[tokio::test]
    async fn a_fetch_held_up_elsewhere_is_waited_for_only_briefly() {
        let flights = InFlight::default();
        let _held = flights.turn(TAB, FOLLOW_AT_MOST).await;
        let wait = Duration::from_millis(50);
        let started = std::time::Instant::now();
        let turn = flights.turn(TAB, wait).await;
        assert!(!turn.followed);
        assert!(started.elapsed() >= wait);
        let other = Target::Tab {
            customer_id: 8,
            tab: Tab::Subscriptions,
        };
        // Another target is not held by this one: its turn comes even with no wait allowed.
        let free = flights.turn(other, Duration::ZERO).await;
        assert!(free.guard.is_some());
        assert!(
            turn.guard.is_none(),
            "the held target's turn came without its lock"
        );
    }
}
