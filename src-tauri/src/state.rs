//! What the shell keeps between commands: the signed-in session, the demo sandbox, and the
//! sign-in the command line asked for, which runs while the window loads.

use std::sync::Arc;

use reseller_core::secrets::TokenStorage;
use reseller_core::workspace::Workspace;
use reseller_core::{AuthStyleSetting, Session, SessionInfo};
use serde::Serialize;
use tauri::async_runtime::JoinHandle;
use tauri::AppHandle;
use tokio::sync::RwLock;

use crate::active::{activate, Active};
use crate::demo::Demo;
use crate::error::IpcError;

/// Who is signed in, and where their token is kept (None: not kept, e.g. the demo).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedIn {
    #[serde(flatten)]
    pub info: SessionInfo,
    pub token_storage: Option<TokenStorage>,
}

/// What the sign-in form starts with (from the command line, when given).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInDefaults {
    pub base_url: Option<String>,
    pub auth_style: AuthStyleSetting,
}

type StartupJob = JoinHandle<Result<(), IpcError>>;

pub struct AppState {
    session: RwLock<Option<Session>>,
    /// The signed-in account's cache and sync engine.
    active: RwLock<Option<Active>>,
    token_storage: std::sync::Mutex<Option<TokenStorage>>,
    pub demo: Demo,
    startup: std::sync::Mutex<Option<StartupJob>>,
    pub defaults: SignInDefaults,
    /// The session was resumed from memory and the server has not confirmed it yet.
    unverified: std::sync::atomic::AtomicBool,
}

impl AppState {
    pub fn new(defaults: SignInDefaults) -> Self {
        AppState {
            session: RwLock::new(None),
            active: RwLock::new(None),
            token_storage: std::sync::Mutex::new(None),
            demo: Demo::default(),
            startup: std::sync::Mutex::new(None),
            defaults,
            unverified: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Remembers the sign-in started at launch, for [`AppState::settle_startup`].
    pub fn set_startup_job(&self, job: StartupJob) {
        *self.startup_slot() = Some(job);
    }

    /// Waits for the sign-in started at launch, if any is pending. Its error is returned once
    /// (to the first caller, the UI as it loads), then forgotten.
    pub async fn settle_startup(&self) -> Result<(), IpcError> {
        let job = self.startup_slot().take();
        match job {
            None => Ok(()),
            Some(job) => job
                .await
                .map_err(|e| IpcError::internal(format!("Signing in at start failed: {e}")))?,
        }
    }

    pub async fn session_info(&self) -> Option<SignedIn> {
        let info = self
            .session
            .read()
            .await
            .as_ref()
            .map(|s| s.info().clone())?;
        Some(SignedIn {
            info,
            token_storage: self.token_storage(),
        })
    }

    fn token_storage(&self) -> Option<TokenStorage> {
        *self
            .token_storage
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Where the current session's token is kept (set at sign-in, cleared at sign-out).
    pub fn set_token_storage(&self, storage: Option<TokenStorage>) {
        *self
            .token_storage
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = storage;
    }

    /// Makes `session` the current one: opens its account's cache, starts its sync engine,
    /// and returns what the UI shows of it.
    pub async fn replace_session(
        &self,
        handle: &AppHandle,
        session: Session,
    ) -> Result<SignedIn, IpcError> {
        let info = session.info().clone();
        // The previous account's engine stops before the next one's cache opens.
        self.active.write().await.take();
        let active = activate(handle, &session)?;
        tracing::info!(base_url = %info.base_url, demo = info.demo, "signed in");
        *self.active.write().await = Some(active);
        *self.session.write().await = Some(session);
        self.set_unverified(false);
        Ok(SignedIn {
            info,
            token_storage: self.token_storage(),
        })
    }

    pub fn set_unverified(&self, unverified: bool) {
        self.unverified
            .store(unverified, std::sync::atomic::Ordering::SeqCst);
    }

    /// The resumed session's client and remembered account, while the server has not
    /// confirmed it (None: nothing to verify).
    pub async fn unverified_session(&self) -> Option<(reseller_core::Client, SessionInfo)> {
        if !self.unverified.load(std::sync::atomic::Ordering::SeqCst) {
            return None;
        }
        let session = self.session.read().await;
        let s = session.as_ref()?;
        Some((s.client().clone(), s.info().clone()))
    }

    /// Signs out: stops the engine and closes the cache; returns what was active (its cache
    /// file, if the caller is to remove it).
    pub async fn clear_session(&self) -> Option<Active> {
        let active = self.active.write().await.take();
        self.set_unverified(false);
        if self.session.write().await.take().is_some() {
            tracing::info!("signed out");
        }
        active
    }

    /// The signed-in account's workspace, or a clear error when nobody is signed in.
    pub async fn workspace(&self) -> Result<Arc<Workspace>, IpcError> {
        self.active
            .read()
            .await
            .as_ref()
            .map(|a| a.workspace.clone())
            .ok_or_else(|| IpcError::new("signed_out", "Sign in first."))
    }

    fn startup_slot(&self) -> std::sync::MutexGuard<'_, Option<StartupJob>> {
        // A panic while holding this lock cannot leave the Option half-written.
        self.startup
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
