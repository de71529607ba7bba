//! What the shell keeps between commands: the core's account lifecycle (who is signed in and
//! their open workspace), the demo sandbox, and the sign-in the command line asked for, which
//! runs while the window loads.

use std::sync::Arc;

use reseller_core::account::{Accounts, SignInDefaults};
use reseller_core::workspace::Workspace;
use tauri::async_runtime::JoinHandle;

use crate::demo::Demo;
use crate::error::IpcError;

type StartupJob = JoinHandle<Result<(), IpcError>>;

pub struct AppState {
    pub accounts: Accounts,
    pub demo: Demo,
    startup: std::sync::Mutex<Option<StartupJob>>,
    /// What the command line gave the sign-in form.
    pub defaults: SignInDefaults,
}

impl AppState {
    pub fn new(defaults: SignInDefaults) -> Self {
        AppState {
            accounts: Accounts::new(),
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

    /// The signed-in account's workspace, or a clear error when nobody is signed in.
    pub async fn workspace(&self) -> Result<Arc<Workspace>, IpcError> {
        self.accounts
            .workspace()
            .await
            .ok_or_else(|| IpcError::new("signed_out", "Sign in first."))
    }

    fn startup_slot(&self) -> std::sync::MutexGuard<'_, Option<StartupJob>> {
        // A panic while holding this lock cannot leave the Option half-written.
        self.startup
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
