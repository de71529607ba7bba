//! The accounts' lifecycle: signing in (and keeping the token as the user chose), resuming the
//! remembered accounts at start, confirming resumed sessions with their servers, switching the
//! shown account, signing out, and opening and closing each account's [`Workspace`].
//! [`Accounts`] holds the open sessions (several: each keeps syncing while another is shown);
//! the shell only supplies what it alone can (where files go, the tasks that run beside an open
//! workspace) through [`AccountHost`].

mod host;
mod remember;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::Serialize;
use tokio::sync::{watch, RwLock};

use crate::secrets::{TokenKeeping, TokenStorage};
use crate::session::{self, mark_demo, Session, SessionInfo, SignInRequest, Verified};
use crate::workspace::Workspace;
use crate::CoreError;

pub use host::AccountHost;
pub use remember::SignInDefaults;

/// Who is signed in, and where their token is kept (None: not kept, e.g. the demo). The
/// `session_info` payload: the account's fields and `tokenStorage`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedIn {
    #[serde(flatten)]
    pub info: SessionInfo,
    pub token_storage: Option<TokenStorage>,
    /// Which account this is among those open ([`SessionInfo::account_key`]).
    pub account_key: String,
}

/// What signing out does with the account's offline copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OfflineCopy {
    /// Kept for the next sign-in (and for browsing offline).
    Keep,
    /// Its files are deleted.
    Remove,
}

/// An open account in the menu: who, and whether it is the one shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountEntry {
    #[serde(flatten)]
    pub signed_in: SignedIn,
    pub active: bool,
    /// Its changes not yet accepted by its server (they keep being sent while another account
    /// is shown).
    pub pending: u64,
}

/// An open account. Fields drop in order: what runs beside the workspace stops first, then
/// the workspace, then the demo's temporary folder.
struct Open {
    /// Tells this opening from a later one (a check answered after a sign-out or a new sign-in
    /// must not touch the new session).
    epoch: u64,
    _running: Box<dyn Send + Sync>,
    /// Whether the window shows this account (its events go to the window only then).
    visible: watch::Sender<bool>,
    workspace: Arc<Workspace>,
    session: Session,
    token_storage: Option<TokenStorage>,
    /// Resumed from memory at start; the server has not confirmed it yet.
    unverified: bool,
    /// The offline copy's file (None for the demo, whose data goes with its folder).
    cache_file: Option<PathBuf>,
    _demo_dir: Option<tempfile::TempDir>,
}

impl Open {
    fn signed_in(&self) -> SignedIn {
        SignedIn {
            info: self.session.info().clone(),
            token_storage: self.token_storage,
            account_key: self.session.info().account_key(),
        }
    }

    fn key(&self) -> String {
        self.session.info().account_key()
    }
}

/// The open accounts, in the order they were opened, and which one the window shows.
#[derive(Default)]
struct Opened {
    accounts: Vec<Open>,
    /// The shown account's epoch (None: nobody is signed in).
    active: Option<u64>,
}

impl Opened {
    fn active(&self) -> Option<&Open> {
        let epoch = self.active?;
        self.accounts.iter().find(|o| o.epoch == epoch)
    }

    /// Shows the account with `epoch` (the others' events stop reaching the window).
    fn activate(&mut self, epoch: Option<u64>) {
        self.active = epoch;
        for open in &self.accounts {
            open.visible.send_replace(Some(open.epoch) == epoch);
        }
    }

    /// Takes out the account with `epoch`; when it was the shown one, the first left is shown.
    fn close(&mut self, epoch: u64) -> Option<Open> {
        let at = self.accounts.iter().position(|o| o.epoch == epoch)?;
        let open = self.accounts.remove(at);
        if self.active == Some(epoch) {
            self.activate(self.accounts.first().map(|o| o.epoch));
        }
        Some(open)
    }
}

/// The app's accounts: none, or those signed in, each with its open workspace whose engine
/// keeps running (and sending its outbox) while another account is shown.
#[derive(Default)]
pub struct Accounts {
    opened: RwLock<Opened>,
    epochs: AtomicU64,
}

impl Accounts {
    pub fn new() -> Self {
        Self::default()
    }

    /// Who is signed in and shown, if anyone.
    pub async fn signed_in(&self) -> Option<SignedIn> {
        self.opened.read().await.active().map(Open::signed_in)
    }

    /// The open accounts, in the order they were opened.
    pub async fn list(&self) -> Vec<AccountEntry> {
        let opened = self.opened.read().await;
        opened
            .accounts
            .iter()
            .map(|o| AccountEntry {
                signed_in: o.signed_in(),
                active: opened.active == Some(o.epoch),
                pending: o.workspace.engine().subscribe().borrow().pending,
            })
            .collect()
    }

    /// The shown account's workspace (None: nobody is signed in).
    pub async fn workspace(&self) -> Option<Arc<Workspace>> {
        self.opened
            .read()
            .await
            .active()
            .map(|o| o.workspace.clone())
    }

    /// Whether the shown session was resumed from memory and the server has not confirmed it
    /// yet.
    pub async fn unverified(&self) -> bool {
        self.opened
            .read()
            .await
            .active()
            .is_some_and(|o| o.unverified)
    }

    /// What the sign-in form starts with: the command line's address and header style when it
    /// gave one, otherwise those used last time.
    pub fn sign_in_defaults(host: &dyn AccountHost, cli: &SignInDefaults) -> SignInDefaults {
        cli.or_saved(&host.settings().load())
    }

    /// Signs in and keeps the token as `keep` says, remembering the account for the next start
    /// when the token was kept. The accounts already open stay open; this one is shown (an
    /// account signed in again replaces its earlier opening). A keychain that cannot take the
    /// token ends it with `KeychainUnavailable` before anything is written or the session
    /// starts (the user is asked, then signs in again with another `keep`).
    pub async fn sign_in(
        &self,
        host: &dyn AccountHost,
        request: SignInRequest,
        keep: TokenKeeping,
    ) -> Result<SignedIn, CoreError> {
        let session = session::sign_in(request.clone())
            .await
            .inspect_err(|e| tracing::warn!(code = e.code(), "sign-in refused"))?;
        let storage = remember::remember(host, &request, session.info(), keep)?;
        self.open(host, session, storage, false, true).await
    }

    /// Signs in for this run only: the token is not kept and what is remembered is left as it
    /// is (a token handed to the app at launch).
    pub async fn sign_in_this_run(
        &self,
        host: &dyn AccountHost,
        request: SignInRequest,
    ) -> Result<SignedIn, CoreError> {
        let session = session::sign_in(request)
            .await
            .inspect_err(|e| tracing::warn!(code = e.code(), "sign-in refused"))?;
        self.open(host, session, None, false, true).await
    }

    /// Opens the demo's session (signed in by the shell to its in-process sandbox): marked as
    /// the demo, its data in a temporary folder, nothing remembered.
    pub async fn open_demo(
        &self,
        host: &dyn AccountHost,
        mut session: Session,
    ) -> Result<SignedIn, CoreError> {
        mark_demo(&mut session);
        self.open(host, session, None, false, true).await
    }

    /// Opens the account shown last at once, on its offline copy, without asking the server
    /// (slow, rate-limited or out of reach); [`Accounts::verify`] asks next, and
    /// [`Accounts::resume_others`] opens the other remembered accounts. `Ok(None)`: nothing
    /// remembered. An account whose address will never be accepted again (an older version's
    /// http:// to another computer) is refused and forgotten.
    pub async fn resume(&self, host: &dyn AccountHost) -> Result<Option<SignedIn>, CoreError> {
        let Some(found) = remember::remembered(host).into_iter().next() else {
            return Ok(None);
        };
        self.resume_one(host, found, true).await.map(Some)
    }

    /// Opens the remembered accounts [`Accounts::resume`] did not, behind the shown one (their
    /// engines start sending what they have queued). One that cannot be opened is logged and
    /// skipped.
    pub async fn resume_others(&self, host: &dyn AccountHost) {
        let open: Vec<String> = {
            let opened = self.opened.read().await;
            opened.accounts.iter().map(Open::key).collect()
        };
        for found in remember::remembered(host) {
            if open.contains(&found.info.account_key()) {
                continue;
            }
            let _ = self.resume_one(host, found, false).await;
        }
    }

    async fn resume_one(
        &self,
        host: &dyn AccountHost,
        found: remember::Remembered,
        show: bool,
    ) -> Result<SignedIn, CoreError> {
        let session = match session::resume(&found.request, &found.info) {
            Ok(session) => session,
            Err(e) => {
                tracing::warn!(code = e.code(), "a remembered account was not opened");
                if matches!(e, CoreError::InvalidInput { .. }) {
                    if let Err(f) = remember::forget(host, &found.info) {
                        tracing::warn!(
                            code = f.code(),
                            "the refused account could not be forgotten"
                        );
                    }
                }
                return Err(e);
            }
        };
        self.open(host, session, Some(found.storage), true, show)
            .await
    }

    /// Asks the servers whether the resumed sessions still have reseller access. Nothing to do
    /// for a session not resumed or already confirmed. Offline or rate-limited: `Ok`, still
    /// unconfirmed (asked again later). A refusal (token revoked, role taken away) closes that
    /// account, keeps its offline copy and forgets its token; the first refusal's error says
    /// why (when it was the shown account, the next open one is shown).
    pub async fn verify(&self, host: &dyn AccountHost) -> Result<(), CoreError> {
        let mut refused = None;
        for (epoch, client, remembered) in self.unconfirmed().await {
            if let Err(e) = self.verify_one(host, epoch, &client, &remembered).await {
                refused.get_or_insert(e);
            }
        }
        refused.map_or(Ok(()), Err)
    }

    /// The resumed sessions not confirmed yet.
    async fn unconfirmed(&self) -> Vec<(u64, scriptix_api::Client, SessionInfo)> {
        let opened = self.opened.read().await;
        opened
            .accounts
            .iter()
            .filter(|o| o.unverified)
            .map(|o| {
                (
                    o.epoch,
                    o.session.client().clone(),
                    o.session.info().clone(),
                )
            })
            .collect()
    }

    async fn verify_one(
        &self,
        host: &dyn AccountHost,
        epoch: u64,
        client: &scriptix_api::Client,
        remembered: &SessionInfo,
    ) -> Result<(), CoreError> {
        match session::verify(client, remembered).await {
            Ok(Verified::Unknown) => Ok(()),
            Ok(Verified::Confirmed(now)) => {
                let mut opened = self.opened.write().await;
                if let Some(open) = opened.accounts.iter_mut().find(|o| o.epoch == epoch) {
                    open.unverified = false;
                }
                drop(opened);
                if &now != remembered {
                    // A renamed account or organisation: remembered for the next start.
                    remember::renamed(host, &now)?;
                }
                Ok(())
            }
            Err(refusal) => {
                tracing::warn!(code = refusal.code(), "a resumed account was refused");
                // Only the session that was checked (not one signed in meanwhile).
                let closed = self.opened.write().await.close(epoch);
                if let Some(open) = closed {
                    drop(open);
                    remember::forget(host, remembered)?;
                }
                Err(refusal)
            }
        }
    }

    /// Shows the open account `key` (the window's commands then act on it); remembered for the
    /// next start.
    pub async fn switch(&self, host: &dyn AccountHost, key: &str) -> Result<SignedIn, CoreError> {
        let mut opened = self.opened.write().await;
        let Some(shown) = opened.accounts.iter().find(|o| o.key() == key) else {
            // Signed out (or refused) meanwhile.
            return Err(CoreError::NotFound {
                what: "That signed-in account".into(),
            });
        };
        let (epoch, shown) = (shown.epoch, shown.signed_in());
        opened.activate(Some(epoch));
        drop(opened);
        remember::set_active(host, key);
        tracing::info!("switched account");
        Ok(shown)
    }

    /// Signs out of the shown account: stops its engine, closes its cache and forgets its token
    /// and the remembered account (the address stays for the form). With
    /// [`OfflineCopy::Remove`] its offline copy is deleted too. The other accounts stay open;
    /// the first of them is shown and returned (None: nobody is signed in now).
    pub async fn sign_out(
        &self,
        host: &dyn AccountHost,
        offline_copy: OfflineCopy,
    ) -> Result<Option<SignedIn>, CoreError> {
        let (closed, next) = {
            let mut opened = self.opened.write().await;
            let Some(epoch) = opened.active else {
                return Ok(None);
            };
            let closed = opened.close(epoch);
            (closed, opened.active().map(Open::signed_in))
        };
        let Some(open) = closed else {
            return Ok(next);
        };
        tracing::info!("signed out");
        let info = open.session.info().clone();
        let cache_file = open.cache_file.clone();
        // The engine stops and the cache closes before its files go.
        drop(open);
        if !info.demo {
            remember::forget(host, &info)?;
        }
        if let Some(next) = &next {
            remember::set_active(host, &next.account_key);
        }
        if let (OfflineCopy::Remove, Some(path)) = (offline_copy, cache_file) {
            crate::cache::remove_cache_files(&path).map_err(|e| CoreError::AccountFiles {
                message: format!("Signed out, but the offline copy could not be deleted: {e}"),
            })?;
            tracing::info!("offline copy deleted");
        }
        Ok(next)
    }

    /// Opens `session`'s workspace (its cache under the host's folder, or the demo's temporary
    /// one) and starts it, beside the accounts already open; shown when `show`. The same
    /// account opened again replaces its earlier opening (whose engine stops first).
    async fn open(
        &self,
        host: &dyn AccountHost,
        session: Session,
        token_storage: Option<TokenStorage>,
        unverified: bool,
        show: bool,
    ) -> Result<SignedIn, CoreError> {
        let info = session.info().clone();
        let key = info.account_key();
        let mut opened = self.opened.write().await;
        let again = opened
            .accounts
            .iter()
            .find(|o| o.key() == key)
            .map(|o| o.epoch);
        // Its engine stops before its cache opens again.
        let show = show || again.is_some_and(|e| opened.active == Some(e));
        if let Some(epoch) = again {
            drop(opened.close(epoch));
        }
        let (dir, demo_dir) = if info.demo {
            let tmp = host.demo_dir()?;
            (tmp.path().to_path_buf(), Some(tmp))
        } else {
            (host.caches_dir()?, None)
        };
        let workspace = Arc::new(Workspace::open(
            info.clone(),
            session.client().clone(),
            &dir,
        )?);
        let cache_file = (!info.demo).then(|| Workspace::cache_path(&info, &dir));
        let (visible, watched) = watch::channel(false);
        let running = host.run(&workspace, watched);
        // The host has spawned the engine (`AccountHost::run`).
        crate::diagnostics::memory::milestone(crate::diagnostics::memory::SYNC_START);
        tracing::info!(base_url = %info.base_url, demo = info.demo, "signed in");
        let epoch = self.epochs.fetch_add(1, Ordering::Relaxed);
        let open = Open {
            epoch,
            _running: running,
            visible,
            workspace,
            session,
            token_storage,
            unverified,
            cache_file,
            _demo_dir: demo_dir,
        };
        let shown = open.signed_in();
        opened.accounts.push(open);
        if show || opened.active.is_none() {
            opened.activate(Some(epoch));
        }
        Ok(shown)
    }
}
