//! What only the shell can provide to an account.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::watch;

use crate::secrets::TokenStore;
use crate::settings::SettingsStore;
use crate::workspace::Workspace;
use crate::CoreError;

/// What only the shell can provide to an account: its settings store, where tokens and offline
/// copies are kept, and the background work an open workspace needs (its sync engine's loop,
/// events to the window).
pub trait AccountHost: Send + Sync {
    /// Where the remembered account and the sign-in form's last values are kept.
    fn settings(&self) -> &dyn SettingsStore;
    /// Where tokens are kept (the keychain, or private files when the user chose them).
    fn token_store(&self) -> Result<TokenStore, CoreError>;
    /// The folder the accounts' offline copies live in (kept between runs).
    fn caches_dir(&self) -> Result<PathBuf, CoreError>;
    /// A new temporary folder for the demo's data, removed when it is dropped.
    fn demo_dir(&self) -> Result<tempfile::TempDir, CoreError>;
    /// Starts what runs while `workspace` is open. Dropping what it returns must stop it all;
    /// that happens before the workspace's cache closes or its files are removed. `visible`
    /// says whether the window shows this account (several may be open): its events go to the
    /// window only then.
    fn run(
        &self,
        workspace: &Arc<Workspace>,
        visible: watch::Receiver<bool>,
    ) -> Box<dyn Send + Sync>;
}
