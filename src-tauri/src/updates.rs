//! The app's own updates: a check shortly after start and on demand, the download with its
//! progress, verification and installation by tauri-plugin-updater (minisign, the public key
//! built into the app, the signed version bound to the announced one), and the restart.
//!
//! The update description and the package are fetched by the core's bounded client
//! (`reseller_core::updates`); the plugin reads the description (`restore_update`: version
//! comparison, this system's package) and verifies and installs the bytes. Every state change
//! is sent to the window as the `update-status` event with the view the core words.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use reseller_core::updates::{UpdateClient, UpdateError, UpdateStatus, UpdateView};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_updater::UpdaterExt;
use url::Url;

/// Where to look for updates instead of the built-in source; empty turns updates off (the
/// tests set it, so no test asks the internet).
pub const UPDATE_URL_ENV: &str = "SCRIPTIX_UPDATE_URL";
/// The window's event with the update section's view.
pub const EVENT: &str = "update-status";
/// The check after start waits this long: the window and the first sync come first.
const START_DELAY: Duration = Duration::from_secs(5);
/// Download progress reaches the window at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(150);

#[derive(Default)]
pub struct Updates {
    status: Mutex<Option<UpdateStatus>>,
    /// The update found by the last check, for the install.
    pending: Mutex<Option<tauri_plugin_updater::Update>>,
}

impl Updates {
    fn status(&self) -> UpdateStatus {
        lock(&self.status).clone().unwrap_or(UpdateStatus::Idle)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The update section as it stands.
pub fn view<R: Runtime>(app: &AppHandle<R>) -> UpdateView {
    let status = match app.state::<Updates>().status() {
        // A build that cannot look says so at once, rather than offering a check that fails.
        // (Only asked while idle: this view is made for every progress event of a download.)
        UpdateStatus::Idle => match source(app) {
            Err(error) => UpdateStatus::Failed {
                error,
                version: None,
            },
            Ok(_) => UpdateStatus::Idle,
        },
        status => status,
    };
    status.view(
        &app.package_info().version.to_string(),
        reseller_core::format::sys(),
        chrono::Utc::now(),
    )
}

fn set<R: Runtime>(app: &AppHandle<R>, status: UpdateStatus) -> UpdateView {
    *lock(&app.state::<Updates>().status) = Some(status);
    let view = view(app);
    let _ = app.emit(EVENT, &view);
    view
}

/// Starts the check that follows the app's start, when this build looks for updates.
pub fn check_after_start<R: Runtime>(app: &AppHandle<R>) {
    if source(app).is_err() {
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(START_DELAY).await;
        let view = check(&app).await;
        tracing::info!(state = view.state, version = ?view.version, "update check after start");
    });
}

/// Asks the update source whether there is a newer version.
pub async fn check<R: Runtime>(app: &AppHandle<R>) -> UpdateView {
    let updates = app.state::<Updates>();
    {
        let mut status = lock(&updates.status);
        let current = status.clone().unwrap_or(UpdateStatus::Idle);
        // One at a time; and an installed update waits for its restart.
        if current.is_busy() || matches!(current, UpdateStatus::Installed { .. }) {
            drop(status);
            return view(app);
        }
        *status = Some(UpdateStatus::Checking);
    }
    let _ = app.emit(EVENT, view(app));
    let found = async {
        let url = source(app)?;
        let client = UpdateClient::new(&user_agent(app))?;
        let manifest = client.manifest(&url).await?;
        let updater = app
            .updater_builder()
            .endpoints(vec![url])
            .and_then(|b| b.build())
            .map_err(plugin_error)?;
        updater.restore_update(manifest).map_err(plugin_error)
    }
    .await;
    let status = match found {
        Ok(None) => UpdateStatus::UpToDate {
            checked_at: chrono::Utc::now(),
        },
        Ok(Some(update)) => {
            let status = UpdateStatus::Available {
                version: update.version.clone(),
                notes: update.body.clone(),
                published: update
                    .date
                    .and_then(|d| chrono::DateTime::from_timestamp(d.unix_timestamp(), 0)),
            };
            *lock(&updates.pending) = Some(update);
            status
        }
        Err(error) => {
            tracing::warn!(code = error.code(), "update check failed: {error}");
            UpdateStatus::Failed {
                error,
                version: None,
            }
        }
    };
    set(app, status)
}

/// Downloads, verifies and installs the update the last check found.
pub async fn install<R: Runtime>(app: &AppHandle<R>) -> UpdateView {
    let updates = app.state::<Updates>();
    let Some(update) = lock(&updates.pending).clone() else {
        return view(app);
    };
    if updates.status().is_busy() {
        return view(app);
    }
    let version = update.version.clone();
    if update.download_url.scheme() != "https" && !insecure_allowed(app) {
        return set(
            app,
            UpdateStatus::Failed {
                error: UpdateError::BadManifest("its download address does not use https".into()),
                version: Some(version),
            },
        );
    }
    if tauri::utils::platform::bundle_type().is_none() {
        return set(
            app,
            UpdateStatus::Failed {
                error: UpdateError::NotInstalledFromPackage,
                version: Some(version),
            },
        );
    }
    set(
        app,
        UpdateStatus::Downloading {
            version: version.clone(),
            received: 0,
            total: None,
        },
    );
    let result = async {
        let client = UpdateClient::new(&user_agent(app))?;
        let mut last = Instant::now();
        let bytes = client
            .package(&update.download_url, |received, total| {
                if last.elapsed() >= PROGRESS_EVERY || Some(received) == total {
                    last = Instant::now();
                    set(
                        app,
                        UpdateStatus::Downloading {
                            version: version.clone(),
                            received,
                            total,
                        },
                    );
                }
            })
            .await?;
        // Verified before anything is installed: a refused package changes nothing.
        update.verify(&bytes).map_err(plugin_error)?;
        set(
            app,
            UpdateStatus::Installing {
                version: version.clone(),
            },
        );
        let installing = update.clone();
        tauri::async_runtime::spawn_blocking(move || installing.install(bytes))
            .await
            .map_err(|e| UpdateError::InstallFailed(e.to_string()))?
            .map_err(plugin_error)
    }
    .await;
    match result {
        Ok(()) => {
            tracing::info!(%version, "update installed; a restart starts it");
            set(app, UpdateStatus::Installed { version })
        }
        Err(error) => {
            tracing::warn!(code = error.code(), %version, "update not installed: {error}");
            // The next try starts with a fresh check.
            *lock(&updates.pending) = None;
            set(
                app,
                UpdateStatus::Failed {
                    error,
                    version: Some(version),
                },
            )
        }
    }
}

/// Restarts into the installed version (nothing happens before an install).
pub fn restart<R: Runtime>(app: &AppHandle<R>) {
    if matches!(
        app.state::<Updates>().status(),
        UpdateStatus::Installed { .. }
    ) {
        tracing::info!("restarting into the installed update");
        app.restart();
    }
}

/// The update source: SCRIPTIX_UPDATE_URL, else the one built in (`plugins.updater.endpoints`,
/// set by the release workflow). A build without a source or a key does not look.
fn source<R: Runtime>(app: &AppHandle<R>) -> Result<Url, UpdateError> {
    let config = app.config().plugins.0.get("updater");
    let key = config
        .and_then(|c| c.get("pubkey"))
        .and_then(|k| k.as_str())
        .unwrap_or_default();
    if key.trim().is_empty() {
        return Err(UpdateError::NotConfigured(
            "it was built without a release key".into(),
        ));
    }
    let url = match std::env::var(UPDATE_URL_ENV) {
        Ok(url) if url.trim().is_empty() => {
            return Err(UpdateError::NotConfigured(format!(
                "{UPDATE_URL_ENV} is empty"
            )))
        }
        Ok(url) => url,
        Err(_) => config
            .and_then(|c| c.get("endpoints"))
            .and_then(|e| e.get(0))
            .and_then(|e| e.as_str())
            .map(str::to_string)
            .ok_or_else(|| {
                UpdateError::NotConfigured("it was built without an update source".into())
            })?,
    };
    let url = Url::parse(&url).map_err(|e| {
        UpdateError::NotConfigured(format!("the update source {url} is not an address: {e}"))
    })?;
    if url.scheme() != "https" && !insecure_allowed(app) {
        return Err(UpdateError::NotConfigured(
            "the update source does not use https".into(),
        ));
    }
    Ok(url)
}

/// Plain http for the update source and packages: only in a build configured for it (the
/// update test's local server), never in a release.
fn insecure_allowed<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.config()
        .plugins
        .0
        .get("updater")
        .and_then(|c| c.get("dangerousInsecureTransportProtocol"))
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

fn user_agent<R: Runtime>(app: &AppHandle<R>) -> String {
    format!("scriptix-reseller/{}", app.package_info().version)
}

/// The plugin's errors in the core's terms.
fn plugin_error(e: tauri_plugin_updater::Error) -> UpdateError {
    use tauri_plugin_updater::Error as E;
    match e {
        E::Minisign(_) | E::Base64(_) | E::SignatureUtf8(_) | E::MissingSignedVersion => {
            UpdateError::BadSignature
        }
        E::SignedVersionMismatch { signed, announced } => {
            UpdateError::VersionMismatch { announced, signed }
        }
        E::TargetNotFound(_) | E::TargetsNotFound(_) => {
            UpdateError::BadManifest("it offers no package for this system".into())
        }
        E::ReleaseNotFound | E::Serialization(_) | E::Semver(_) | E::UrlParse(_) => {
            UpdateError::BadManifest(e.to_string())
        }
        E::InsecureTransportProtocol => {
            UpdateError::NotConfigured("the update source does not use https".into())
        }
        E::UnsupportedOs | E::UnsupportedArch => {
            UpdateError::NotConfigured("this system has no packages".into())
        }
        E::EmptyEndpoints => UpdateError::NotConfigured("it has no update source".into()),
        E::AuthenticationFailed => UpdateError::NotPermitted,
        E::Reqwest(_) | E::Network(_) => UpdateError::Unreachable(e.to_string()),
        other => UpdateError::InstallFailed(other.to_string()),
    }
}
