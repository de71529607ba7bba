//! The account's lifecycle: signing in (and keeping the token as the user chose), resuming the
//! remembered account at start, confirming a resumed session with the server, signing out, and
//! opening and closing the account's [`Workspace`]. [`Accounts`] holds the one current session;
//! the shell only supplies what it alone can (where files go, the tasks that run beside an open
//! workspace) through [`AccountHost`].

mod host;
mod remember;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::Serialize;
use tokio::sync::RwLock;

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
}

/// What signing out does with the account's offline copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OfflineCopy {
    /// Kept for the next sign-in (and for browsing offline).
    Keep,
    /// Its files are deleted.
    Remove,
}

/// The open account. Fields drop in order: what runs beside the workspace stops first, then
/// the workspace, then the demo's temporary folder.
struct Open {
    /// Tells this opening from a later one (a check answered after a sign-out or a new sign-in
    /// must not touch the new session).
    epoch: u64,
    _running: Box<dyn Send + Sync>,
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
        }
    }
}

/// The app's account: none, or the one signed in with its open workspace.
#[derive(Default)]
pub struct Accounts {
    current: RwLock<Option<Open>>,
    epochs: AtomicU64,
}

impl Accounts {
    pub fn new() -> Self {
        Self::default()
    }

    /// Who is signed in, if anyone.
    pub async fn signed_in(&self) -> Option<SignedIn> {
        self.current.read().await.as_ref().map(Open::signed_in)
    }

    /// The signed-in account's workspace (None: nobody is signed in).
    pub async fn workspace(&self) -> Option<Arc<Workspace>> {
        self.current
            .read()
            .await
            .as_ref()
            .map(|o| o.workspace.clone())
    }

    /// Whether the session was resumed from memory and the server has not confirmed it yet.
    pub async fn unverified(&self) -> bool {
        self.current
            .read()
            .await
            .as_ref()
            .is_some_and(|o| o.unverified)
    }

    /// What the sign-in form starts with: the command line's address and header style when it
    /// gave one, otherwise those used last time.
    pub fn sign_in_defaults(host: &dyn AccountHost, cli: &SignInDefaults) -> SignInDefaults {
        cli.or_saved(&host.settings().load())
    }

    /// Signs in and keeps the token as `keep` says, remembering the account for the next start
    /// when the token was kept. A keychain that cannot take the token ends it with
    /// `KeychainUnavailable` before anything is written or the session starts (the user is
    /// asked, then signs in again with another `keep`).
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
        self.open(host, session, storage, false).await
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
        self.open(host, session, None, false).await
    }

    /// Opens the demo's session (signed in by the shell to its in-process sandbox): marked as
    /// the demo, its data in a temporary folder, nothing remembered.
    pub async fn open_demo(
        &self,
        host: &dyn AccountHost,
        mut session: Session,
    ) -> Result<SignedIn, CoreError> {
        mark_demo(&mut session);
        self.open(host, session, None, false).await
    }

    /// Opens the remembered account at once, on its offline copy, without asking the server
    /// (slow, rate-limited or out of reach); [`Accounts::verify`] asks next. `Ok(None)`: nothing
    /// remembered. An account whose address will never be accepted again (an older version's
    /// http:// to another computer) is refused and forgotten.
    pub async fn resume(&self, host: &dyn AccountHost) -> Result<Option<SignedIn>, CoreError> {
        let Some(found) = remember::remembered(host) else {
            return Ok(None);
        };
        let session = match session::resume(&found.request, &found.info) {
            Ok(session) => session,
            Err(e) => {
                tracing::warn!(code = e.code(), "the remembered account was not opened");
                if matches!(e, CoreError::InvalidInput { .. }) {
                    if let Err(f) = remember::forget(host, &found.info.base_url) {
                        tracing::warn!(
                            code = f.code(),
                            "the refused account could not be forgotten"
                        );
                    }
                }
                return Err(e);
            }
        };
        self.open(host, session, Some(found.storage), true)
            .await
            .map(Some)
    }

    /// Asks the server whether a resumed session still has reseller access. Nothing to do when
    /// the session was not resumed or is already confirmed. Offline or rate-limited: `Ok`, still
    /// unconfirmed (asked again later). A refusal (token revoked, role taken away) ends the
    /// session, keeps the offline copy and forgets the token; the error says why.
    pub async fn verify(&self, host: &dyn AccountHost) -> Result<(), CoreError> {
        let checked = {
            let current = self.current.read().await;
            match current.as_ref().filter(|o| o.unverified) {
                Some(o) => (
                    o.epoch,
                    o.session.client().clone(),
                    o.session.info().clone(),
                ),
                None => return Ok(()),
            }
        };
        let (epoch, client, remembered) = checked;
        match session::verify(&client, &remembered).await {
            Ok(Verified::Unknown) => Ok(()),
            Ok(Verified::Confirmed(now)) => {
                if let Some(open) = self.current.write().await.as_mut() {
                    if open.epoch == epoch {
                        open.unverified = false;
                    }
                }
                if now != remembered {
                    // A renamed account or organisation: remembered for the next start.
                    crate::settings::update(host.settings(), |s| s.account = Some(now))?;
                }
                Ok(())
            }
            Err(refusal) => {
                tracing::warn!(code = refusal.code(), "the resumed account was refused");
                let closed = {
                    let mut current = self.current.write().await;
                    // Only the session that was checked (not one signed in meanwhile).
                    match current.as_ref() {
                        Some(o) if o.epoch == epoch => current.take(),
                        _ => None,
                    }
                };
                if let Some(open) = closed {
                    drop(open);
                    remember::forget(host, &remembered.base_url)?;
                }
                Err(refusal)
            }
        }
    }

    /// Signs out: stops the engine, closes the cache and forgets the token and the remembered
    /// account (the address stays for the form). With [`OfflineCopy::Remove`] the account's
    /// offline copy is deleted too. Nobody signed in: nothing to do.
    pub async fn sign_out(
        &self,
        host: &dyn AccountHost,
        offline_copy: OfflineCopy,
    ) -> Result<(), CoreError> {
        let Some(open) = self.current.write().await.take() else {
            return Ok(());
        };
        tracing::info!("signed out");
        let demo = open.session.info().demo;
        let base_url = open.session.info().base_url.clone();
        let cache_file = open.cache_file.clone();
        // The engine stops and the cache closes before its files go.
        drop(open);
        if !demo {
            remember::forget(host, &base_url)?;
        }
        if let (OfflineCopy::Remove, Some(path)) = (offline_copy, cache_file) {
            crate::cache::remove_cache_files(&path).map_err(|e| CoreError::AccountFiles {
                message: format!("Signed out, but the offline copy could not be deleted: {e}"),
            })?;
            tracing::info!("offline copy deleted");
        }
        Ok(())
    }

    /// Makes `session` the current one: the previous account closes, this one's workspace
    /// opens (its cache under the host's folder, or the demo's temporary one) and starts.
    async fn open(
        &self,
        host: &dyn AccountHost,
        session: Session,
        token_storage: Option<TokenStorage>,
        unverified: bool,
    ) -> Result<SignedIn, CoreError> {
        let info = session.info().clone();
        let mut current = self.current.write().await;
        // The previous account's engine stops before the next one's cache opens.
        drop(current.take());
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
        let running = host.run(&workspace);
        // The host has spawned the engine (`AccountHost::run`).
        crate::diagnostics::memory::milestone(crate::diagnostics::memory::SYNC_START);
        tracing::info!(base_url = %info.base_url, demo = info.demo, "signed in");
        let open = Open {
            epoch: self.epochs.fetch_add(1, Ordering::Relaxed),
            _running: running,
            workspace,
            session,
            token_storage,
            unverified,
            cache_file,
            _demo_dir: demo_dir,
        };
        let shown = open.signed_in();
        *current = Some(open);
        Ok(shown)
    }
}
