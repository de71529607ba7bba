//! What every feature of an open account works with: its cache, its API client, the stream of
//! cache changes the window follows, and the signal that the outbox changed.
//!
//! The features (the customer outbox, the tabs, branding, the dashboard) add their methods to
//! `Context` in their own modules; the sync engine listens to it; the workspace (the app as the
//! shell sees it) holds one and hands out its methods. Nothing here knows a feature or the
//! engine, so imports run one way: features -> context, engine -> features, workspace -> all.

use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};

use scriptix_api::Client;
use tokio::sync::broadcast;

use crate::cache::{Cache, CacheError, Store};
use crate::CoreError;

/// Cached data changed: the UI re-reads what it shows of it.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CacheChange {
    /// Customer ids whose rows changed; empty with `list_changed` when too many to name.
    pub ids: Vec<i64>,
    /// Rows were added or removed, or too many changed to list: re-read the list.
    pub list_changed: bool,
    /// Local ids that got their server id: (local, server), so an open page can follow.
    pub remapped: Vec<(i64, i64)>,
    /// Detail data (tabs, dashboard, branding) was refreshed: an open tab re-reads.
    pub details_changed: bool,
}

/// Who wants to know that the outbox changed (the sync engine: counts now, a round soon).
pub trait OutboxListener: Send + Sync {
    fn outbox_changed(&self);
}

pub struct Context {
    store: Store,
    client: Client,
    changes: broadcast::Sender<CacheChange>,
    listener: OnceLock<Weak<dyn OutboxListener>>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context").finish_non_exhaustive()
    }
}

fn stopped(e: CacheError) -> CoreError {
    CoreError::Busy {
        message: e.to_string(),
    }
}

impl Context {
    pub fn new(store: Store, client: Client) -> Arc<Context> {
        let (changes, _) = broadcast::channel(64);
        Arc::new(Context {
            store,
            client,
            changes,
            listener: OnceLock::new(),
        })
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The cache's writer as the sync engine shares it (its replay and refresh functions lock
    /// it per step).
    pub fn cache_handle(&self) -> &Arc<Mutex<Cache>> {
        self.store.writer()
    }

    /// The reader, for one short screen read: it never waits for the writer's transactions (a
    /// sync round's), only for other screen reads. Never held across an await, nor while
    /// taking `write` (in memory both are one connection).
    pub(crate) fn read(&self) -> Result<MutexGuard<'_, Cache>, CoreError> {
        self.store.read().map_err(stopped)
    }

    /// The writer, for one short local write (it waits for a sync step's transaction).
    pub(crate) fn write(&self) -> Result<MutexGuard<'_, Cache>, CoreError> {
        self.store.write().map_err(stopped)
    }

    /// Runs a local write that queued or dropped outbox operations, then tells the listener.
    pub(crate) fn write_outbox<T>(
        &self,
        f: impl FnOnce(&Cache) -> Result<T, CoreError>,
    ) -> Result<T, CoreError> {
        let out = f(&*self.write()?)?;
        self.outbox_changed();
        Ok(out)
    }

    /// Tells the listener (if any is still there) that the outbox changed.
    pub(crate) fn outbox_changed(&self) {
        if let Some(listener) = self.listener.get().and_then(Weak::upgrade) {
            listener.outbox_changed();
        }
    }

    /// Sets who hears of outbox changes, once. A second call changes nothing and says so.
    pub fn listen(&self, listener: Weak<dyn OutboxListener>) -> bool {
        self.listener.set(listener).is_ok()
    }

    /// Cache changes made in the background (sync rounds, refreshes), from now on.
    pub fn changes(&self) -> broadcast::Receiver<CacheChange> {
        self.changes.subscribe()
    }

    /// Publishes a change made in the background.
    pub fn announce(&self, change: CacheChange) {
        let _ = self.changes.send(change);
    }
}
