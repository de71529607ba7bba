//! Where an update stands, and what the About panel says about it (text made here, with the
//! locale's numbers, so the UI only shows it).

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::UpdateError;
use crate::format::Locale;

/// The updater's state. One at a time: a check, a download or an install.
#[derive(Clone, Debug, PartialEq)]
pub enum UpdateStatus {
    /// Nothing asked yet (a check runs shortly after start).
    Idle,
    Checking,
    UpToDate {
        checked_at: DateTime<Utc>,
    },
    Available {
        version: String,
        notes: Option<String>,
        published: Option<DateTime<Utc>>,
    },
    Downloading {
        version: String,
        received: u64,
        total: Option<u64>,
    },
    /// Verified; the installer runs (on Linux it may ask for an administrator password).
    Installing {
        version: String,
    },
    /// Installed: the new version runs after a restart.
    Installed {
        version: String,
    },
    Failed {
        error: UpdateError,
        /// The version the failure was about (None: the check itself failed).
        version: Option<String>,
    },
}

/// What the user can do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum UpdateAction {
    Check,
    Install,
    Restart,
}

/// The About panel's update section.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateView {
    /// `idle`, `checking`, `upToDate`, `available`, `downloading`, `installing`, `installed`,
    /// `failed`: for tests and styling.
    pub state: &'static str,
    pub current_version: String,
    /// The version on offer (available, downloading, installing, installed).
    pub version: Option<String>,
    /// One sentence: where it stands.
    pub headline: String,
    /// The release notes (shown as text), or the detail of a failure.
    pub detail: Option<String>,
    /// 0..1 while downloading with a known size.
    pub progress: Option<f64>,
    /// The button to offer, if any.
    pub action: Option<UpdateAction>,
    /// The failure's code, for the UI to style and tests to check.
    pub error_code: Option<&'static str>,
    /// Whether to point at the update in the navigation (a new version waits for the user).
    pub announce: bool,
}

impl UpdateStatus {
    pub fn view(&self, current_version: &str, locale: &Locale, now: DateTime<Utc>) -> UpdateView {
        let mut view = UpdateView {
            state: self.state(),
            current_version: current_version.to_string(),
            version: None,
            headline: String::new(),
            detail: None,
            progress: None,
            action: None,
            error_code: None,
            announce: false,
        };
        match self {
            UpdateStatus::Idle => {
                view.headline = format!("You have version {current_version}.");
                view.action = Some(UpdateAction::Check);
            }
            UpdateStatus::Checking => {
                view.headline = "Checking for a new version…".into();
            }
            UpdateStatus::UpToDate { checked_at } => {
                view.headline = format!(
                    "Version {current_version} is the latest (checked {}).",
                    locale.relative(*checked_at, now)
                );
                view.action = Some(UpdateAction::Check);
            }
            UpdateStatus::Available {
                version,
                notes,
                published,
            } => {
                view.version = Some(version.clone());
                view.headline = match published {
                    Some(p) => format!(
                        "Version {version} is available (published {}). You have {current_version}.",
                        locale.date_of(*p)
                    ),
                    None => format!("Version {version} is available. You have {current_version}."),
                };
                view.detail = notes.clone().filter(|n| !n.trim().is_empty());
                view.action = Some(UpdateAction::Install);
                view.announce = true;
            }
            UpdateStatus::Downloading {
                version,
                received,
                total,
            } => {
                view.version = Some(version.clone());
                view.headline = match total {
                    Some(total) if *total > 0 => {
                        let fraction = (*received as f64 / *total as f64).clamp(0.0, 1.0);
                        view.progress = Some(fraction);
                        format!(
                            "Downloading version {version}: {} of {} ({}).",
                            locale.megabytes(*received),
                            locale.megabytes(*total),
                            locale.fraction_percent(fraction)
                        )
                    }
                    _ => format!(
                        "Downloading version {version}: {} so far.",
                        locale.megabytes(*received)
                    ),
                };
            }
            UpdateStatus::Installing { version } => {
                view.version = Some(version.clone());
                view.headline = format!(
                    "Installing version {version}… Your system may ask for an administrator's password."
                );
            }
            UpdateStatus::Installed { version } => {
                view.version = Some(version.clone());
                view.headline = format!(
                    "Version {version} is installed. Restart the app to use it; changes waiting to be sent are kept."
                );
                view.action = Some(UpdateAction::Restart);
                view.announce = true;
            }
            UpdateStatus::Failed { error, version } => {
                view.version = version.clone();
                view.headline = error.to_string();
                view.error_code = Some(error.code());
                view.action = match error {
                    UpdateError::NotConfigured(_) | UpdateError::NotInstalledFromPackage => None,
                    _ => Some(UpdateAction::Check),
                };
            }
        }
        view
    }

    fn state(&self) -> &'static str {
        match self {
            UpdateStatus::Idle => "idle",
            UpdateStatus::Checking => "checking",
            UpdateStatus::UpToDate { .. } => "upToDate",
            UpdateStatus::Available { .. } => "available",
            UpdateStatus::Downloading { .. } => "downloading",
            UpdateStatus::Installing { .. } => "installing",
            UpdateStatus::Installed { .. } => "installed",
            UpdateStatus::Failed { .. } => "failed",
        }
    }

    /// Whether a check, download or install is under way (a second one is not started).
    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            UpdateStatus::Checking
                | UpdateStatus::Downloading { .. }
                | UpdateStatus::Installing { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en() -> Locale {
        Locale::from_tag("en-GB")
    }

    fn plain(s: &str) -> String {
        s.replace(['\u{a0}', '\u{202f}'], " ")
    }

    #[test]
    fn an_available_version_offers_install_with_its_notes_and_is_announced() {
        let now = Utc::now();
        let v = UpdateStatus::Available {
            version: "1.2.0".into(),
            notes: Some("Faster search.".into()),
            published: None,
        }
        .view("1.1.0", &en(), now);
        assert_eq!(v.state, "available");
        assert_eq!(v.headline, "Version 1.2.0 is available. You have 1.1.0.");
        assert_eq!(v.detail.as_deref(), Some("Faster search."));
        assert_eq!(v.action, Some(UpdateAction::Install));
        assert!(v.announce);
    }

    #[test]
    fn a_download_names_its_sizes_and_share() {
        let now = Utc::now();
        let status = UpdateStatus::Downloading {
            version: "1.2.0".into(),
            received: 3_200_000,
            total: Some(12_800_000),
        };
        let v = status.view("1.1.0", &en(), now);
        assert_eq!(
            plain(&v.headline),
            "Downloading version 1.2.0: 3.2 MB of 12.8 MB (25.0%)."
        );
        assert_eq!(v.progress, Some(0.25));
        assert_eq!(v.action, None);
        assert!(status.is_busy());
        // Without a size from the server: what came so far, no bar.
        let v = UpdateStatus::Downloading {
            version: "1.2.0".into(),
            received: 3_200_000,
            total: None,
        }
        .view("1.1.0", &en(), now);
        assert_eq!(
            plain(&v.headline),
            "Downloading version 1.2.0: 3.2 MB so far."
        );
        assert_eq!(v.progress, None);
    }

    #[test]
    fn a_refused_package_says_nothing_changed_and_offers_a_new_check() {
        let v = UpdateStatus::Failed {
            error: UpdateError::BadSignature,
            version: Some("1.2.0".into()),
        }
        .view("1.1.0", &en(), Utc::now());
        assert_eq!(v.state, "failed");
        assert_eq!(v.error_code, Some("update_bad_signature"));
        assert!(v.headline.contains("not installed"), "{}", v.headline);
        assert!(v.headline.contains("Nothing was changed"), "{}", v.headline);
        assert_eq!(v.action, Some(UpdateAction::Check));
        assert!(!v.announce);
        // A build that cannot update offers no button that would fail again.
        let v = UpdateStatus::Failed {
            error: UpdateError::NotInstalledFromPackage,
            version: None,
        }
        .view("1.1.0", &en(), Utc::now());
        assert_eq!(v.action, None);
    }

    #[test]
    fn installed_asks_for_a_restart_and_promises_the_waiting_changes() {
        let v = UpdateStatus::Installed {
            version: "1.2.0".into(),
        }
        .view("1.1.0", &en(), Utc::now());
        assert_eq!(v.action, Some(UpdateAction::Restart));
        assert!(v.headline.contains("Restart"), "{}", v.headline);
        assert!(v.headline.contains("kept"), "{}", v.headline);
    }

    #[test]
    fn up_to_date_says_when_it_was_checked() {
        let now = Utc::now();
        let v = UpdateStatus::UpToDate {
            checked_at: now - chrono::Duration::minutes(5),
        }
        .view("1.1.0", &en(), now);
        assert!(
            v.headline
                .starts_with("Version 1.1.0 is the latest (checked "),
            "{}",
            v.headline
        );
        assert!(!v.headline.contains("1.1.0 is available"));
        assert_eq!(v.action, Some(UpdateAction::Check));
    }
}
