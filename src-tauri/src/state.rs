//! What the shell keeps between commands: the signed-in session, the demo sandbox, and the
//! sign-in the command line asked for, which runs while the window loads.

use reseller_core::{AuthStyleSetting, Session, SessionInfo};
use serde::Serialize;
use tauri::async_runtime::JoinHandle;
use tokio::sync::RwLock;

use crate::demo::Demo;
use crate::error::IpcError;

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
    pub demo: Demo,
    startup: std::sync::Mutex<Option<StartupJob>>,
    pub defaults: SignInDefaults,
}

impl AppState {
    pub fn new(defaults: SignInDefaults) -> Self {
        AppState {
            session: RwLock::new(None),
            demo: Demo::default(),
            startup: std::sync::Mutex::new(None),
            defaults,
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

    pub async fn session_info(&self) -> Option<SessionInfo> {
        self.session.read().await.as_ref().map(|s| s.info().clone())
    }

    /// Makes `session` the current one and returns what the UI shows of it.
    pub async fn replace_session(&self, session: Session) -> SessionInfo {
        let info = session.info().clone();
        tracing::info!(base_url = %info.base_url, demo = info.demo, "signed in");
        *self.session.write().await = Some(session);
        info
    }

    pub async fn clear_session(&self) {
        if self.session.write().await.take().is_some() {
            tracing::info!("signed out");
        }
    }

    fn startup_slot(&self) -> std::sync::MutexGuard<'_, Option<StartupJob>> {
        // A panic while holding this lock cannot leave the Option half-written.
        self.startup
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
