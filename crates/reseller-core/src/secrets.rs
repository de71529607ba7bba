//! Where the API token lives: the OS keychain (macOS Keychain, Windows Credential Manager, the
//! Secret Service on Linux) through `keyring`. Where no keychain service exists (a bare Linux
//! session, a CI machine), a file only the user can read, and the app says so. Never in the
//! settings store, the cache or a log.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::CoreError;

/// The keychain service name the tokens are filed under.
pub const KEYCHAIN_SERVICE: &str = "io.scriptix.reseller-desktop";

/// Where a token was kept, as the UI tells the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenStorage {
    Keychain,
    /// No keychain service: a file readable by the user only.
    File,
}

/// Tokens by account (the normalised base URL: one token per server).
#[derive(Clone, Debug)]
pub struct TokenStore {
    fallback_dir: PathBuf,
    keychain: bool,
}

fn io_error(what: &str, e: impl std::fmt::Display) -> CoreError {
    CoreError::Busy {
        message: format!("The API token could not be {what}: {e}"),
    }
}

/// Errors that mean "there is no keychain here", not "the keychain refused".
fn no_keychain(e: &keyring::Error) -> bool {
    matches!(
        e,
        keyring::Error::NoStorageAccess(_) | keyring::Error::PlatformFailure(_)
    )
}

impl TokenStore {
    /// Tokens in the OS keychain, falling back to files in `fallback_dir`.
    pub fn new(fallback_dir: impl Into<PathBuf>) -> Self {
        TokenStore {
            fallback_dir: fallback_dir.into(),
            keychain: true,
        }
    }

    /// Files only (tests, and `SCRIPTIX_NO_KEYCHAIN` for machines whose keychain prompts).
    pub fn files_only(fallback_dir: impl Into<PathBuf>) -> Self {
        TokenStore {
            fallback_dir: fallback_dir.into(),
            keychain: false,
        }
    }

    fn file(&self, account: &str) -> PathBuf {
        // The account (a URL) hashed into a file name: stable, filesystem-safe, no secret.
        let name = crate::cache::cache_file_name(account, 0);
        let stem = name.trim_end_matches(".sqlite3");
        self.fallback_dir.join(format!("{stem}.token"))
    }

    /// Keeps `token` for `account`; says where.
    pub fn save(&self, account: &str, token: &str) -> Result<TokenStorage, CoreError> {
        if self.keychain {
            match keyring::Entry::new(KEYCHAIN_SERVICE, account).and_then(|e| e.set_password(token))
            {
                Ok(()) => {
                    // A token kept in a file before a keychain appeared is not left behind.
                    let _ = std::fs::remove_file(self.file(account));
                    return Ok(TokenStorage::Keychain);
                }
                Err(e) if no_keychain(&e) => {
                    tracing::info!("no keychain service; keeping the token in a private file");
                }
                Err(e) => return Err(io_error("saved in the keychain", e)),
            }
        }
        write_private(&self.file(account), token)?;
        Ok(TokenStorage::File)
    }

    /// The token kept for `account`, and where it was found.
    pub fn load(&self, account: &str) -> Result<Option<(String, TokenStorage)>, CoreError> {
        if self.keychain {
            match keyring::Entry::new(KEYCHAIN_SERVICE, account).and_then(|e| e.get_password()) {
                Ok(token) => return Ok(Some((token, TokenStorage::Keychain))),
                Err(keyring::Error::NoEntry) => {}
                Err(e) if no_keychain(&e) => {}
                Err(e) => return Err(io_error("read from the keychain", e)),
            }
        }
        match std::fs::read_to_string(self.file(account)) {
            Ok(token) => Ok(Some((token.trim().to_string(), TokenStorage::File))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error("read", e)),
        }
    }

    /// Forgets the token for `account`, wherever it was kept.
    pub fn delete(&self, account: &str) -> Result<(), CoreError> {
        if self.keychain {
            match keyring::Entry::new(KEYCHAIN_SERVICE, account).and_then(|e| e.delete_credential())
            {
                Ok(()) | Err(keyring::Error::NoEntry) => {}
                Err(e) if no_keychain(&e) => {}
                Err(e) => return Err(io_error("removed from the keychain", e)),
            }
        }
        match std::fs::remove_file(self.file(account)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_error("removed", e)),
        }
    }
}

/// Writes a file readable and writable by its owner only (created so from the start: the token
/// is never readable by others, not even for a moment).
fn write_private(path: &Path, token: &str) -> Result<(), CoreError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io_error("saved", e))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| io_error("saved", e))?;
    #[cfg(unix)]
    {
        // An existing file keeps its old mode through open(); make sure.
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(|e| io_error("saved", e))?;
    }
    file.write_all(token.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| io_error("saved", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_token_is_private_round_trips_and_is_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let store = TokenStore::files_only(dir.path());
        let account = "https://api.scriptix.io";
        assert_eq!(store.load(account).unwrap(), None);
        assert_eq!(
            store.save(account, "tok-1234567890").unwrap(),
            TokenStorage::File
        );
        assert_eq!(
            store.load(account).unwrap(),
            Some(("tok-1234567890".into(), TokenStorage::File))
        );
        let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(files.len(), 1);
        let name = files[0].file_name().to_string_lossy().to_string();
        assert!(
            !name.contains("scriptix.io") && name.ends_with(".token"),
            "{name}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = files[0].metadata().unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        // Another server's token is another file.
        store
            .save("https://other.example", "tok-other-000000")
            .unwrap();
        assert_eq!(store.load(account).unwrap().unwrap().0, "tok-1234567890");
        store.delete(account).unwrap();
        assert_eq!(store.load(account).unwrap(), None);
        assert!(store.load("https://other.example").unwrap().is_some());
        store.delete(account).unwrap(); // twice is fine
    }
}
