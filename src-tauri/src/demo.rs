//! Demo mode: the Scriptix sandbox, started in-process on first use, signed in to as its reseller.
//! Behind the `demo` feature (on by default): a build without it offers no demo and carries no
//! sandbox server.

#[cfg(feature = "demo")]
pub use with::*;
#[cfg(not(feature = "demo"))]
pub use without::*;

#[cfg(feature = "demo")]
mod with {
    use reseller_core::{mark_demo, AuthStyleSetting, Session, SignInRequest};
    use scriptix_sandbox::{Sandbox, SandboxConfig};
    use tokio::sync::Mutex;

    use crate::error::IpcError;

    /// Whether this build offers the demo.
    pub const AVAILABLE: bool = true;

    /// Requests per minute the demo's sandbox allows: the real API's 100 would make a demo feel
    /// throttled, and the demo is about the app, not the limit.
    const DEMO_RATE_LIMIT_PER_MINUTE: u32 = 600;

    /// How long open demo requests may take to finish when the app exits.
    const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

    /// Holds the sandbox for as long as the app runs (or until [`Demo::stop`]), so signing out of
    /// the demo and back in finds the same data.
    #[derive(Default)]
    pub struct Demo {
        sandbox: Mutex<Option<Sandbox>>,
    }

    impl Demo {
        /// Starts the sandbox if it is not running yet, then signs in to it with its reseller token.
        pub async fn sign_in(&self) -> Result<Session, IpcError> {
            let mut slot = self.sandbox.lock().await;
            if slot.is_none() {
                let config = SandboxConfig {
                    rate_limit_per_minute: DEMO_RATE_LIMIT_PER_MINUTE,
                    ..Default::default()
                };
                let sandbox = scriptix_sandbox::start(config).await.map_err(|e| {
                    IpcError::new("demo_unavailable", format!("The demo could not start: {e}"))
                })?;
                tracing::info!(base_url = sandbox.base_url(), "demo sandbox started");
                *slot = Some(sandbox);
            }
            let Some(sandbox) = slot.as_ref() else {
                return Err(IpcError::internal("The demo sandbox is not running."));
            };
            let request = SignInRequest {
                base_url: sandbox.base_url().to_string(),
                token: sandbox.reseller_token().to_string(),
                auth_style: AuthStyleSetting::default(),
            };
            let mut session = reseller_core::sign_in(request).await?;
            mark_demo(&mut session);
            Ok(session)
        }

        /// Stops the sandbox (its temporary database goes with it). Called as the app exits: open
        /// requests get a moment to finish, then everything is cut. If a demo sign-in holds the
        /// sandbox right now, it is left to the process exit.
        pub fn stop(&self) {
            let Ok(mut slot) = self.sandbox.try_lock() else {
                return;
            };
            if let Some(sandbox) = slot.take() {
                tauri::async_runtime::block_on(async {
                    // On timeout the future, and with it the sandbox, is dropped: that kills it.
                    let _ = tokio::time::timeout(SHUTDOWN_GRACE, sandbox.shutdown()).await;
                });
            }
        }
    }
}

#[cfg(not(feature = "demo"))]
mod without {
    use reseller_core::Session;

    use crate::error::IpcError;

    pub const AVAILABLE: bool = false;

    /// No sandbox in this build.
    #[derive(Default)]
    pub struct Demo;

    impl Demo {
        pub async fn sign_in(&self) -> Result<Session, IpcError> {
            Err(IpcError::new(
                "demo_unavailable",
                "This build of the app has no demo.",
            ))
        }

        pub fn stop(&self) {}
    }
}
