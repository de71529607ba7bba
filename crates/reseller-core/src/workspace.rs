//! An open account as the shell holds it: who is signed in, the account's context (cache,
//! client, outbox signal: every feature's methods, through `Deref`), its sync engine, the logo
//! jobs and the dashboard's background refresh. The composition root: it depends on every
//! feature, and none depends on it. The desktop commands are thin adapters over its methods.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use scriptix_api::Client;
use tokio::sync::watch;

use crate::branding::{BrandingEntity, BrandingView};
use crate::cache::{cache_file_name, Cache, Store};
use crate::context::Context;
use crate::customers::{ImportDrafts, ImportPreview, ImportReport};
use crate::dashboard::refresher::{
    DashboardRefresher, DashboardScreen, RefreshStatus, RefreshTiming,
};
use crate::dashboard::{DashboardRequest, RangeRequest};
use crate::logo::worker::LogoJobs;
use crate::logo::{JobTicket, LogoWorker};
use crate::outbox::shown::adopt_unwritten;
use crate::session::SessionInfo;
use crate::sync::SyncEngine;
use crate::tabs::subscriptions::Subscriptions;
use crate::tabs::tokens::Tokens;
use crate::tabs::users::Users;
use crate::CoreError;

/// The signed-in account's application: its context (cache, client, outbox signal), whose
/// methods each feature module adds and which the workspace hands out (`Deref`), and what runs
/// beside it (the sync engine, the logo jobs, the dashboard's background refresh).
pub struct Workspace {
    pub(crate) info: SessionInfo,
    pub(crate) ctx: Arc<Context>,
    pub(crate) engine: Arc<SyncEngine>,
    /// The logo file being processed (one at a time), so the user can cancel it.
    pub(crate) logo_jobs: LogoJobs,
    /// The dashboard's background refresh (one range at a time); stops with the workspace.
    pub(crate) dashboard_refresher: DashboardRefresher,
    /// The CSV import being previewed.
    pub(crate) imports: ImportDrafts,
}

/// Writes the pending detail changes a cache of an earlier version laid over its rows at read
/// time into those rows, as this version shows them.
fn adopt_unwritten_changes(cache: &Cache) -> Result<(), CoreError> {
    adopt_unwritten::<Subscriptions>(cache)?;
    adopt_unwritten::<Tokens>(cache)?;
    adopt_unwritten::<Users>(cache)?;
    adopt_unwritten::<BrandingEntity>(cache)?;
    Ok(())
}

impl std::ops::Deref for Workspace {
    type Target = Context;

    /// Every feature's methods (`impl Context` in its module) are the workspace's.
    fn deref(&self) -> &Context {
        &self.ctx
    }
}

impl Workspace {
    /// Opens (creating it if needed) the account's cache under `data_dir` and its engine. The
    /// engine is not started: the shell spawns `engine.run` on its runtime.
    pub fn open(
        info: SessionInfo,
        client: Client,
        data_dir: &Path,
    ) -> Result<Workspace, CoreError> {
        let path = Self::cache_path(&info, data_dir);
        // The caches folder is the app's own: private, even when an older version made it 0755.
        crate::private_fs::ensure_private_dir(data_dir).map_err(|source| {
            crate::cache::CacheError::Io {
                path: data_dir.display().to_string(),
                source,
            }
        })?;
        let store = Store::open(&path)?;
        crate::diagnostics::memory::milestone(crate::diagnostics::memory::CACHE_OPEN);
        {
            let cache = store.write()?;
            adopt_unwritten_changes(&cache)?;
            // The activity log names who made what is queued from now on, and keeps what the
            // retention allows.
            cache.set_activity_actor(&info.display_name, &info.email)?;
            crate::activity::prune_expired(&cache, chrono::Utc::now())?;
        }
        let ctx = Context::new(store, client);
        let engine = SyncEngine::for_context(ctx.clone());
        Ok(Workspace {
            info,
            ctx,
            engine,
            logo_jobs: LogoJobs::default(),
            dashboard_refresher: DashboardRefresher::default(),
            imports: ImportDrafts::default(),
        })
    }

    /// Where an account's cache lives: one file per base URL + organisation.
    pub fn cache_path(info: &SessionInfo, data_dir: &Path) -> PathBuf {
        data_dir.join(cache_file_name(
            &info.base_url,
            info.organization_id.unwrap_or(0),
        ))
    }

    pub fn info(&self) -> &SessionInfo {
        &self.info
    }

    pub fn engine(&self) -> &Arc<SyncEngine> {
        &self.engine
    }

    pub fn context(&self) -> &Arc<Context> {
        &self.ctx
    }

    /// Sets where logo files (and the server's logo) are decoded: the shell passes its own
    /// executable with `logo::worker::WORKER_FLAG`, tests the `logo-worker` binary. Without one,
    /// nothing is decoded: choosing a file says so, and the server's logo is not kept.
    pub fn set_logo_worker(&self, worker: LogoWorker) -> bool {
        self.engine.set_logo_worker(worker)
    }

    /// Starts the one logo job the workspace runs at a time; `cancel_logo` reaches it from now
    /// on (also while the file dialog is still open). It ends when the ticket is dropped.
    pub fn begin_logo_job(&self) -> Result<JobTicket, CoreError> {
        self.logo_jobs.begin().ok_or_else(|| CoreError::Busy {
            message: "A logo is still being processed. Wait for it, or cancel it, first.".into(),
        })
    }

    /// Processes the file at `path` in the logo worker, then queues it. Blocking (it waits for
    /// the worker): call it off the async runtime's threads. A file that cannot be a logo, or
    /// a cancel, leaves the current logo as it is.
    pub fn set_logo_from_path(&self, path: &Path) -> Result<BrandingView, CoreError> {
        let ticket = self.begin_logo_job()?;
        self.set_logo_from_file(path, &ticket)
    }

    /// `set_logo_from_path` under a job started with `begin_logo_job`.
    pub fn set_logo_from_file(
        &self,
        path: &Path,
        ticket: &JobTicket,
    ) -> Result<BrandingView, CoreError> {
        self.ctx
            .process_and_set_logo(self.engine.logo_worker(), path, ticket)
    }

    /// Cancels the logo being processed (its worker is killed at once). False when none is.
    pub fn cancel_logo(&self) -> bool {
        self.logo_jobs.cancel()
    }

    /// Reads and judges a CSV file for import (blocking: it reads the file); the preview's
    /// valid rows wait for `import_previewed`.
    pub fn preview_import(&self, path: &Path) -> Result<ImportPreview, CoreError> {
        self.ctx.preview_import(&self.imports, path)
    }

    /// Imports the valid rows of the preview `draft_id`, once.
    pub fn import_previewed(&self, draft_id: u64) -> Result<ImportReport, CoreError> {
        self.ctx.import_previewed(&self.imports, draft_id)
    }

    /// The dashboard screen: the view from the cache, and the range refreshed in the
    /// background (started, joined, or left alone when refreshed moments ago).
    pub fn dashboard_screen(
        &self,
        req: &DashboardRequest,
        threshold: f64,
    ) -> Result<DashboardScreen, CoreError> {
        self.dashboard_refresher.screen(&self.ctx, req, threshold)
    }

    /// The dashboard left the screen.
    pub fn dashboard_hidden(&self) {
        self.dashboard_refresher.hidden();
    }

    /// "Sync now": a round with a scan for organisations deleted on the server, then what the
    /// user is looking at fetched again whatever its age: the open organisation's five tabs and
    /// the dashboard's range when it is on screen. Each part's failure is logged and the status
    /// shows it; the others still run.
    pub async fn sync_now(&self) {
        let clicked = chrono::Utc::now();
        if let Err(e) = self.engine.sync_now(true).await {
            tracing::debug!(code = e.code(), "sync now: round ended early");
        }
        if let Err(e) = self.engine.refresh_open_customer_now(clicked).await {
            tracing::debug!(code = e.code(), "sync now: open organisation not refreshed");
        }
        if let Err(e) = self.refresh_dashboard_now() {
            tracing::debug!(code = e.code(), "sync now: dashboard not refreshed");
        }
    }

    /// "Sync now" for the dashboard: fetches the range on screen again (nothing when the
    /// dashboard is not shown). Needs a tokio runtime.
    pub fn refresh_dashboard_now(&self) -> Result<bool, CoreError> {
        self.dashboard_refresher.refresh_now(&self.ctx)
    }

    /// Makes sure the range is being (or was just) refreshed; returns that refresh's status.
    /// Progress and the end are announced on the context's change stream. Needs a tokio runtime.
    pub fn refresh_dashboard_in_background(
        &self,
        range: &RangeRequest,
    ) -> Result<RefreshStatus, CoreError> {
        self.dashboard_refresher.ensure(&self.ctx, range)
    }

    /// The current dashboard job's status and its changes (None: none started).
    pub fn dashboard_refresh_status(&self) -> Option<watch::Receiver<RefreshStatus>> {
        self.dashboard_refresher.status()
    }

    /// Changes the refresher's pacing (tests; the defaults suit the app).
    pub fn set_dashboard_refresh_timing(&self, timing: RefreshTiming) {
        self.dashboard_refresher.set_timing(timing);
    }
}
