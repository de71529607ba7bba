//! Why an update check or install did not go through, in the user's words. Every refusal
//! leaves the installed version as it was, and the messages say so.

/// An update that did not happen. `code()` is stable for the UI; `Display` is for the user.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UpdateError {
    /// This build has no update source or no key to check packages with (a build made
    /// outside the release workflow).
    #[error("This build does not look for updates ({0}).")]
    NotConfigured(String),

    /// A copy not installed from one of the app's packages (a developer build, a copied
    /// binary) cannot replace itself.
    #[error("This copy of the app was not installed from a package, so it cannot update itself. Install the new version from its download page.")]
    NotInstalledFromPackage,

    /// The update server could not be reached or stopped answering.
    #[error("The update server could not be reached ({0}). Check the connection and try again.")]
    Unreachable(String),

    /// The update server answered with an error status.
    #[error("The update server answered with an error (HTTP {0}). Try again later.")]
    Server(u16),

    /// The answer is not an update description this app can read.
    #[error("The update server's answer could not be read ({0}). Nothing was changed.")]
    BadManifest(String),

    /// The package (or the description) is larger than any real one: not downloaded further.
    #[error("The update is larger than {limit_mb} MB, more than any real version of the app, so it was not downloaded. Nothing was changed.")]
    TooLarge { limit_mb: u64 },

    /// The package does not match its signature under the app's key: tampered with, damaged,
    /// or signed by someone else.
    #[error("The downloaded update is not signed by Scriptix's release key (it was damaged or changed on its way), so it was not installed. Nothing was changed.")]
    BadSignature,

    /// The package is signed for another version than the one announced: an older, genuine
    /// package offered as a newer one.
    #[error("The update was announced as version {announced} but is signed as version {signed}, so it was not installed. Nothing was changed.")]
    VersionMismatch { announced: String, signed: String },

    /// The system refused or the user cancelled the installation (an administrator password).
    #[error("The installation was cancelled or not permitted. This version keeps running; you can try again.")]
    NotPermitted,

    /// The installer failed.
    #[error("The update could not be installed ({0}). This version keeps running.")]
    InstallFailed(String),
}

impl UpdateError {
    pub fn code(&self) -> &'static str {
        match self {
            UpdateError::NotConfigured(_) => "update_not_configured",
            UpdateError::NotInstalledFromPackage => "update_not_installed_from_package",
            UpdateError::Unreachable(_) => "update_unreachable",
            UpdateError::Server(_) => "update_server_error",
            UpdateError::BadManifest(_) => "update_bad_manifest",
            UpdateError::TooLarge { .. } => "update_too_large",
            UpdateError::BadSignature => "update_bad_signature",
            UpdateError::VersionMismatch { .. } => "update_version_mismatch",
            UpdateError::NotPermitted => "update_not_permitted",
            UpdateError::InstallFailed(_) => "update_install_failed",
        }
    }

    /// Whether trying again later may succeed (the network, the server), as opposed to a
    /// package that will never be installed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            UpdateError::Unreachable(_)
                | UpdateError::Server(_)
                | UpdateError::NotPermitted
                | UpdateError::InstallFailed(_)
        )
    }
}
