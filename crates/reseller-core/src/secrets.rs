//! Where the API token lives: the OS keychain (macOS Keychain, Windows Credential Manager, the
//! Secret Service on Linux) through `keyring`. When the keychain cannot take it (locked, access
//! refused, no keychain service at all) nothing is written anywhere until the user has chosen: a
//! file only they can read, or not remembering the token (the session works; the next start
//! asks again). Never in the settings store, the cache or a log.

use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::CoreError;

/// The keychain service name the tokens are filed under.
pub const KEYCHAIN_SERVICE: &str = "io.scriptix.reseller-desktop";

/// Where a token was kept, as the UI tells the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenStorage {
    Keychain,
    /// A file readable by the user only (chosen by the user, or `SCRIPTIX_NO_KEYCHAIN`).
    File,
}

/// How the user wants the token kept at sign-in (camelCase on the wire).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TokenKeeping {
    /// The keychain; when it cannot take the token, ask ([`CoreError::KeychainUnavailable`]).
    #[default]
    Keychain,
    /// A file only the user can read, the user's answer to that question.
    File,
    /// Kept nowhere: the session works, the next start shows the sign-in screen.
    NotRemembered,
}

/// Which keychain the store uses.
#[derive(Clone, Debug)]
enum Keychain {
    /// The operating system's, through keyring's default for the platform.
    Os,
    /// None: the user chose files (`SCRIPTIX_NO_KEYCHAIN`).
    Off,
    /// Another credential store (tests: a keychain that refuses).
    Custom(Arc<keyring::credential::CredentialBuilder>),
}

/// Tokens by account (the normalised base URL: one token per server).
#[derive(Clone, Debug)]
pub struct TokenStore {
    fallback_dir: PathBuf,
    keychain: Keychain,
}

fn io_error(what: &str, e: impl std::fmt::Display) -> CoreError {
    CoreError::Busy {
        message: format!("The API token could not be {what}: {e}"),
    }
}

/// Errors that mean "there is no keychain to ask" (no service, locked, access refused): reading
/// and deleting go on with the file; saving asks the user.
fn no_keychain(e: &keyring::Error) -> bool {
    matches!(
        e,
        keyring::Error::NoStorageAccess(_) | keyring::Error::PlatformFailure(_)
    )
}

/// Why the keychain did not take the token, in words a reseller understands.
fn keychain_reason(e: &keyring::Error) -> String {
    match e {
        keyring::Error::NoStorageAccess(_) => {
            "it is locked, or access to it was refused".to_string()
        }
        keyring::Error::PlatformFailure(_) => {
            "no keychain service answered on this computer".to_string()
        }
        keyring::Error::TooLong(..) => "the token is longer than the keychain accepts".to_string(),
        other => format!("it refused the token: {other}"),
    }
}

impl TokenStore {
    /// Tokens in the OS keychain; files in `fallback_dir` only when the user chooses them.
    pub fn new(fallback_dir: impl Into<PathBuf>) -> Self {
        TokenStore {
            fallback_dir: fallback_dir.into(),
            keychain: Keychain::Os,
        }
    }

    /// Files only: the user's explicit choice (`SCRIPTIX_NO_KEYCHAIN`, for machines whose
    /// keychain prompts, and the tests), so saving never asks.
    pub fn files_only(fallback_dir: impl Into<PathBuf>) -> Self {
        TokenStore {
            fallback_dir: fallback_dir.into(),
            keychain: Keychain::Off,
        }
    }

    /// Tokens in `keychain` instead of the OS's (tests: a keychain that is locked or refuses).
    pub fn with_keychain(
        fallback_dir: impl Into<PathBuf>,
        keychain: Box<keyring::credential::CredentialBuilder>,
    ) -> Self {
        TokenStore {
            fallback_dir: fallback_dir.into(),
            keychain: Keychain::Custom(Arc::from(keychain)),
        }
    }

    /// The keychain entry for `account`; None when the store uses no keychain.
    fn entry(&self, account: &str) -> Option<keyring::Result<keyring::Entry>> {
        match &self.keychain {
            Keychain::Off => None,
            Keychain::Os => Some(keyring::Entry::new(KEYCHAIN_SERVICE, account)),
            Keychain::Custom(builder) => Some(
                builder
                    .build(None, KEYCHAIN_SERVICE, account)
                    .map(keyring::Entry::new_with_credential),
            ),
        }
    }

    /// The token file of `account`.
    pub fn file(&self, account: &str) -> PathBuf {
        // The account (a URL) hashed into a file name: stable, filesystem-safe, no secret.
        let name = crate::cache::cache_file_name(account, 0);
        let stem = name.trim_end_matches(".sqlite3");
        self.fallback_dir.join(format!("{stem}.token"))
    }

    /// Keeps `token` for `account` as `keeping` asks; says where (None: not kept). With
    /// [`TokenKeeping::Keychain`] and a keychain that cannot take it, nothing is written and
    /// the answer is [`CoreError::KeychainUnavailable`]: the user decides.
    pub fn save(
        &self,
        account: &str,
        token: &str,
        keeping: TokenKeeping,
    ) -> Result<Option<TokenStorage>, CoreError> {
        match keeping {
            TokenKeeping::NotRemembered => {
                // A token kept earlier for this account is not left behind either.
                self.forget_in_keychain(account);
                self.remove_file(account)?;
                Ok(None)
            }
            TokenKeeping::File => {
                // An older keychain copy would be found first at the next start.
                self.forget_in_keychain(account);
                self.write_file(account, token)?;
                Ok(Some(TokenStorage::File))
            }
            TokenKeeping::Keychain => {
                let Some(entry) = self.entry(account) else {
                    self.write_file(account, token)?;
                    return Ok(Some(TokenStorage::File));
                };
                match entry.and_then(|e| e.set_password(token)) {
                    Ok(()) => {
                        // A token kept in a file before is not left behind.
                        self.remove_file(account)?;
                        Ok(Some(TokenStorage::Keychain))
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "the keychain did not take the token; asking the user");
                        Err(CoreError::KeychainUnavailable {
                            reason: keychain_reason(&e),
                        })
                    }
                }
            }
        }
    }

    /// The token kept for `account`, and where it was found.
    pub fn load(&self, account: &str) -> Result<Option<(String, TokenStorage)>, CoreError> {
        if let Some(entry) = self.entry(account) {
            match entry.and_then(|e| e.get_password()) {
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
        if let Some(entry) = self.entry(account) {
            match entry.and_then(|e| e.delete_credential()) {
                Ok(()) | Err(keyring::Error::NoEntry) => {}
                Err(e) if no_keychain(&e) => {}
                Err(e) => return Err(io_error("removed from the keychain", e)),
            }
        }
        self.remove_file(account)
    }

    /// Removes a keychain copy when the keychain can be asked; a keychain that cannot is left
    /// as it is (what it holds is found only when it answers again, and then replaced).
    fn forget_in_keychain(&self, account: &str) {
        if let Some(Ok(entry)) = self.entry(account) {
            match entry.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => {}
                Err(e) => tracing::info!(error = %e, "an older keychain copy could not be removed"),
            }
        }
    }

    /// Written whole or not at all, private from its creation (see `private_fs`).
    fn write_file(&self, account: &str, token: &str) -> Result<(), CoreError> {
        crate::private_fs::write_private_atomic(&self.file(account), token.as_bytes())
            .map_err(|e| io_error("saved", e))
    }

    fn remove_file(&self, account: &str) -> Result<(), CoreError> {
        match std::fs::remove_file(self.file(account)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_error("removed", e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::Mutex;

    use keyring::credential::{Credential, CredentialApi, CredentialBuilderApi};

    /// A keychain in memory that can be made to refuse every call with the error `refuse` makes
    /// (keyring::Error is not Clone), as a locked or absent keychain does.
    #[derive(Clone, Debug, Default)]
    struct TestKeychain {
        items: Arc<Mutex<HashMap<String, Vec<u8>>>>,
        refuse: Option<fn() -> keyring::Error>,
    }

    #[derive(Debug)]
    struct TestEntry {
        user: String,
        keychain: TestKeychain,
    }

    impl CredentialBuilderApi for TestKeychain {
        fn build(
            &self,
            _target: Option<&str>,
            _service: &str,
            user: &str,
        ) -> keyring::Result<Box<Credential>> {
            Ok(Box::new(TestEntry {
                user: user.to_string(),
                keychain: self.clone(),
            }))
        }

        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
    }

    impl TestEntry {
        fn check(&self) -> keyring::Result<std::sync::MutexGuard<'_, HashMap<String, Vec<u8>>>> {
            match self.keychain.refuse {
                Some(refuse) => Err(refuse()),
                None => Ok(self.keychain.items.lock().unwrap()),
            }
        }
    }

    impl CredentialApi for TestEntry {
        fn set_secret(&self, secret: &[u8]) -> keyring::Result<()> {
            self.check()?.insert(self.user.clone(), secret.to_vec());
            Ok(())
        }

        fn get_secret(&self) -> keyring::Result<Vec<u8>> {
            self.check()?
                .get(&self.user)
                .cloned()
                .ok_or(keyring::Error::NoEntry)
        }

        fn delete_credential(&self) -> keyring::Result<()> {
            self.check()?
                .remove(&self.user)
                .map(|_| ())
                .ok_or(keyring::Error::NoEntry)
        }

        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
    }

    fn locked() -> keyring::Error {
        keyring::Error::NoStorageAccess("org.freedesktop.Secret.Error.IsLocked".into())
    }

    fn absent() -> keyring::Error {
        keyring::Error::PlatformFailure("org.freedesktop.DBus.Error.ServiceUnknown".into())
    }

    fn entries(dir: &std::path::Path) -> Vec<String> {
        match std::fs::read_dir(dir) {
            Ok(rd) => rd
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    const ACCOUNT: &str = "https://api.scriptix.io";

    #[test]
    fn a_file_token_is_private_round_trips_and_is_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let store = TokenStore::files_only(dir.path());
        let account = ACCOUNT;
        assert_eq!(store.load(account).unwrap(), None);
        // SCRIPTIX_NO_KEYCHAIN is the user's choice: the default keeping goes to the file.
        assert_eq!(
            store
                .save(account, "tok-1234567890", TokenKeeping::Keychain)
                .unwrap(),
            Some(TokenStorage::File)
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
            .save(
                "https://other.example",
                "tok-other-000000",
                TokenKeeping::File,
            )
            .unwrap();
        assert_eq!(store.load(account).unwrap().unwrap().0, "tok-1234567890");
        store.delete(account).unwrap();
        assert_eq!(store.load(account).unwrap(), None);
        assert!(store.load("https://other.example").unwrap().is_some());
        store.delete(account).unwrap(); // twice is fine
    }

    #[test]
    fn a_locked_or_absent_keychain_writes_nothing_and_asks() {
        for (refuse, words) in [
            (locked as fn() -> keyring::Error, "locked"),
            (absent, "no keychain service"),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let keychain = TestKeychain {
                refuse: Some(refuse),
                ..Default::default()
            };
            let store = TokenStore::with_keychain(dir.path().join("tokens"), Box::new(keychain));
            let err = store
                .save(ACCOUNT, "tok-1234567890", TokenKeeping::Keychain)
                .unwrap_err();
            assert_eq!(err.code(), "keychain_unavailable");
            let said = err.to_string();
            assert!(said.contains(words), "{said}");
            assert!(said.contains("file only you can read"), "{said}");
            assert!(!said.contains("tok-1234567890"), "{said}");
            assert!(
                entries(dir.path()).is_empty(),
                "nothing written before the answer"
            );

            // The answer "a file": private, and found at the next start.
            assert_eq!(
                store
                    .save(ACCOUNT, "tok-1234567890", TokenKeeping::File)
                    .unwrap(),
                Some(TokenStorage::File)
            );
            assert_eq!(
                store.load(ACCOUNT).unwrap(),
                Some(("tok-1234567890".into(), TokenStorage::File))
            );
            #[cfg(unix)]
            assert_eq!(
                crate::private_fs::mode(&store.file(ACCOUNT)).unwrap(),
                Some(0o600)
            );

            // The answer "don't remember": nothing kept, and the earlier file goes too.
            assert_eq!(
                store
                    .save(ACCOUNT, "tok-1234567890", TokenKeeping::NotRemembered)
                    .unwrap(),
                None
            );
            assert_eq!(store.load(ACCOUNT).unwrap(), None);
            assert!(entries(&dir.path().join("tokens")).is_empty());
        }
    }

    #[test]
    fn a_working_keychain_keeps_the_token_and_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let keychain = TestKeychain::default();
        let store = TokenStore::with_keychain(dir.path(), Box::new(keychain.clone()));
        // A file from a time without a keychain is replaced by the keychain copy.
        store
            .save(ACCOUNT, "tok-old-file-0000", TokenKeeping::File)
            .unwrap();
        assert_eq!(
            store
                .save(ACCOUNT, "tok-1234567890", TokenKeeping::Keychain)
                .unwrap(),
            Some(TokenStorage::Keychain)
        );
        assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
        assert_eq!(
            store.load(ACCOUNT).unwrap(),
            Some(("tok-1234567890".into(), TokenStorage::Keychain))
        );
        // Choosing a file later removes the keychain copy, so the file is what is found.
        store
            .save(ACCOUNT, "tok-in-a-file-00", TokenKeeping::File)
            .unwrap();
        assert!(keychain.items.lock().unwrap().is_empty());
        assert_eq!(
            store.load(ACCOUNT).unwrap(),
            Some(("tok-in-a-file-00".into(), TokenStorage::File))
        );
        store.delete(ACCOUNT).unwrap();
        assert_eq!(store.load(ACCOUNT).unwrap(), None);
    }

    #[test]
    fn token_keeping_reads_camel_case() {
        for (json, keeping) in [
            ("\"keychain\"", TokenKeeping::Keychain),
            ("\"file\"", TokenKeeping::File),
            ("\"notRemembered\"", TokenKeeping::NotRemembered),
        ] {
            assert_eq!(serde_json::from_str::<TokenKeeping>(json).unwrap(), keeping);
        }
    }
}
