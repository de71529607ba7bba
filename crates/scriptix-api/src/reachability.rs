//! Whether the server can be reached, known as soon as anything finds out: every request's
//! attempt reports it (an answer of any status: reachable; a refused connection, an unknown
//! host, a timeout: not), and `Client::probe` asks on purpose with a short timeout, so a silent
//! network is noticed in seconds, not after a request's 30-second timeout.
//!
//! The probe is a plain `HEAD` of the base URL without the token: it is not one of the API's
//! rate-limited calls and it carries no credential; any HTTP answer (a 404 included) means the
//! server is there.

use std::time::Duration;

use tokio::sync::watch;

/// What the client last learnt about the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reachability {
    /// Nothing has been sent yet.
    Unknown,
    Reachable,
    /// The last attempt got no answer, in these words ("could not connect (Connection refused)").
    Unreachable {
        reason: String,
    },
}

impl Reachability {
    pub fn is_reachable(&self) -> bool {
        matches!(self, Reachability::Reachable)
    }
}

/// The shared state every clone of a client reports into.
pub(crate) struct ReachabilityCell {
    tx: watch::Sender<Reachability>,
}

impl ReachabilityCell {
    pub(crate) fn new() -> ReachabilityCell {
        let (tx, _) = watch::channel(Reachability::Unknown);
        ReachabilityCell { tx }
    }

    pub(crate) fn subscribe(&self) -> watch::Receiver<Reachability> {
        self.tx.subscribe()
    }

    pub(crate) fn now(&self) -> Reachability {
        self.tx.borrow().clone()
    }

    /// Records what an attempt found (only changes are announced).
    pub(crate) fn report(&self, found: Reachability) {
        self.tx.send_if_modified(|current| {
            let changed = *current != found;
            *current = found;
            changed
        });
    }
}

/// The longest a probe waits for an answer.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
