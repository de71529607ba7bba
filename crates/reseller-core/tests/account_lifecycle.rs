//! The accounts' lifecycle through `Accounts`, against the real sandbox over loopback, with a
//! real settings file, real offline-copy files in a temporary data folder, and tokens in an
//! in-memory keychain behind the same `keyring` interface the OS keychains implement.

mod support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use keyring::credential::{Credential, CredentialApi, CredentialBuilderApi};
use reseller_core::account::{AccountHost, Accounts, OfflineCopy, SignedIn};
use reseller_core::cache::Cache;
use reseller_core::secrets::{TokenKeeping, TokenStorage, TokenStore};
use reseller_core::settings::{JsonFileSettings, SettingsStore};
use reseller_core::workspace::Workspace;
use reseller_core::{AuthStyleSetting, CoreError, SignInRequest};
use scriptix_sandbox::{start, FaultConfig, Sandbox, SandboxConfig};
use tokio::sync::watch;

/// A keychain in memory, shared by every entry built from it (as an OS keychain is), which can
/// be made to refuse every call the way a locked one does.
#[derive(Clone, Debug, Default)]
struct TestKeychain {
    items: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    locked: bool,
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
    fn items(&self) -> keyring::Result<std::sync::MutexGuard<'_, HashMap<String, Vec<u8>>>> {
        if self.keychain.locked {
            return Err(keyring::Error::NoStorageAccess(
                "org.freedesktop.Secret.Error.IsLocked".into(),
            ));
        }
        Ok(self.keychain.items.lock().unwrap())
    }
}

impl CredentialApi for TestEntry {
    fn set_secret(&self, secret: &[u8]) -> keyring::Result<()> {
        self.items()?.insert(self.user.clone(), secret.to_vec());
        Ok(())
    }

    fn get_secret(&self) -> keyring::Result<Vec<u8>> {
        self.items()?
            .get(&self.user)
            .cloned()
            .ok_or(keyring::Error::NoEntry)
    }

    fn delete_credential(&self) -> keyring::Result<()> {
        self.items()?
            .remove(&self.user)
            .map(|_| ())
            .ok_or(keyring::Error::NoEntry)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// One run of the app: its settings file, token store and data folder under `home` (a second
/// `Host` on the same home and keychain is the next start).
struct Host {
    home: PathBuf,
    settings: JsonFileSettings,
    keychain: TestKeychain,
    /// Workspaces started and not yet stopped (the shell's engine loop and event forwarding).
    running: Arc<AtomicUsize>,
    started: AtomicUsize,
    /// Whether each opened account was shown, as the shell's event forwarding sees it.
    visible: Mutex<Vec<(String, watch::Receiver<bool>)>>,
    /// Runs each open account's engine loop (most tests drive the engine themselves).
    engines: bool,
}

/// Stands for the shell's tasks: counted while they run, stopped when dropped.
struct Running {
    count: Arc<AtomicUsize>,
    stopped: AtomicBool,
    engine: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(engine) = &self.engine {
            engine.abort();
        }
        if !self.stopped.swap(true, Ordering::SeqCst) {
            self.count.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl Host {
    fn new(home: &Path, keychain: &TestKeychain) -> Host {
        Host {
            home: home.to_path_buf(),
            settings: JsonFileSettings::new(home.join("settings.json")),
            keychain: keychain.clone(),
            running: Arc::new(AtomicUsize::new(0)),
            started: AtomicUsize::new(0),
            visible: Mutex::new(Vec::new()),
            engines: false,
        }
    }

    /// Whether the last opening of `key` is the one the window shows.
    fn shown(&self, key: &str) -> bool {
        let visible = self.visible.lock().unwrap();
        let (_, rx) = visible
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .expect("opened");
        let shown = *rx.borrow();
        shown
    }

    fn tokens(&self) -> TokenStore {
        TokenStore::with_keychain(self.home.join("tokens"), Box::new(self.keychain.clone()))
    }

    fn running(&self) -> usize {
        self.running.load(Ordering::SeqCst)
    }
}

impl AccountHost for Host {
    fn settings(&self) -> &dyn SettingsStore {
        &self.settings
    }

    fn token_store(&self) -> Result<TokenStore, CoreError> {
        Ok(self.tokens())
    }

    fn caches_dir(&self) -> Result<PathBuf, CoreError> {
        Ok(self.home.join("caches"))
    }

    fn demo_dir(&self) -> Result<tempfile::TempDir, CoreError> {
        Ok(tempfile::Builder::new()
            .prefix("demo-")
            .tempdir_in(&self.home)
            .unwrap())
    }

    fn run(
        &self,
        workspace: &Arc<Workspace>,
        visible: watch::Receiver<bool>,
    ) -> Box<dyn Send + Sync> {
        self.started.fetch_add(1, Ordering::SeqCst);
        self.running.fetch_add(1, Ordering::SeqCst);
        self.visible
            .lock()
            .unwrap()
            .push((workspace.info().account_key(), visible));
        // As the shell does: each open account's engine runs its own loop.
        let engine = self
            .engines
            .then(|| tokio::spawn(workspace.engine().clone().run(Duration::from_secs(1), 10)));
        Box::new(Running {
            count: self.running.clone(),
            stopped: AtomicBool::new(false),
            engine,
        })
    }
}

async fn sandbox() -> Sandbox {
    start(SandboxConfig {
        customers: 12,
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn request(sandbox: &Sandbox, token: &str) -> SignInRequest {
    SignInRequest {
        base_url: sandbox.base_url().to_string(),
        token: token.to_string(),
        auth_style: AuthStyleSetting::ZoomKey,
    }
}

/// Fills the open account's offline copy from the server; returns how many customers it holds.
/// A reseller signed in with the token kept in the (test) keychain.
async fn signed_in_with_keychain(host: &Host, sandbox: &Sandbox) -> (Accounts, SignedIn) {
    let accounts = Accounts::new();
    let signed_in = add_reseller(&accounts, host, sandbox).await;
    (accounts, signed_in)
}

/// Signs `sandbox`'s reseller in beside the accounts already open, the token in the keychain.
async fn add_reseller(accounts: &Accounts, host: &Host, sandbox: &Sandbox) -> SignedIn {
    accounts
        .sign_in(
            host,
            request(sandbox, sandbox.reseller_token()),
            TokenKeeping::Keychain,
        )
        .await
        .unwrap()
}

async fn sync(accounts: &Accounts) -> u64 {
    let workspace = accounts.workspace().await.expect("signed in");
    workspace.engine().sync_now(false).await.unwrap();
    cached_in(&workspace)
}

fn cached_in(workspace: &Workspace) -> u64 {
    workspace
        .engine()
        .cache()
        .lock()
        .unwrap()
        .count_customers(None, None, None)
        .unwrap()
        .count
}

/// Every file in the data folder's caches directory.
fn cache_files(home: &Path) -> Vec<String> {
    match std::fs::read_dir(home.join("caches")) {
        Ok(rd) => rd
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    }
}

fn settings_text(home: &Path) -> String {
    std::fs::read_to_string(home.join("settings.json")).unwrap_or_default()
}

#[tokio::test]
async fn signing_in_with_remember_keeps_the_token_in_the_keychain_and_the_next_start_resumes() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let keychain = TestKeychain::default();
    let token = sandbox.reseller_token().to_string();

    let first = Host::new(home.path(), &keychain);
    let accounts = Accounts::new();
    let signed_in = accounts
        .sign_in(&first, request(&sandbox, &token), TokenKeeping::Keychain)
        .await
        .unwrap();
    assert_eq!(signed_in.token_storage, Some(TokenStorage::Keychain));
    assert_eq!(
        signed_in.info.organization_name.as_deref(),
        Some("Northwind Speech Partners")
    );
    assert!(!accounts.unverified().await);
    assert_eq!(first.running(), 1);
    // The token is in the keychain, and nowhere on disk: no token file, not in the settings.
    assert_eq!(keychain.items.lock().unwrap().len(), 1);
    assert!(!home.path().join("tokens").exists());
    let saved = settings_text(home.path());
    assert!(saved.contains(&signed_in.info.display_name), "{saved}");
    assert!(!saved.contains(&token), "the settings hold no token");
    let remembered = first.settings.load();
    assert_eq!(remembered.accounts.len(), 1);
    assert_eq!(remembered.accounts[0].info, signed_in.info);
    assert_eq!(
        remembered.active_account.as_deref(),
        Some(signed_in.account_key.as_str())
    );
    let cached = sync(&accounts).await;
    assert_eq!(cached, 12);
    drop(accounts);
    assert_eq!(first.running(), 0, "closing the app stops the engine");

    // The next start: a new app on the same settings and keychain opens the account at once,
    // on its offline copy, without asking the server anything.
    let next = Host::new(home.path(), &keychain);
    let accounts = Accounts::new();
    sandbox.reset_stats();
    let resumed = accounts.resume(&next).await.unwrap().expect("remembered");
    assert_eq!(
        resumed, signed_in,
        "the same account, token from the keychain"
    );
    assert_eq!(sandbox.stats().requests, 0, "opened without the network");
    assert!(accounts.unverified().await);
    let workspace = accounts.workspace().await.unwrap();
    assert_eq!(cached_in(&workspace), cached, "the offline copy is open");
    // The token read back from the keychain is the one that works.
    assert_eq!(
        next.tokens().load(&signed_in.account_key).unwrap(),
        Some((token.clone(), TokenStorage::Keychain))
    );

    // The server then confirms it.
    accounts.verify(&next).await.unwrap();
    assert!(!accounts.unverified().await);
    assert!(sandbox.stats().requests > 0);
    assert_eq!(accounts.signed_in().await, Some(signed_in));
}

#[tokio::test]
async fn a_resumed_session_the_server_no_longer_accepts_ends_and_is_forgotten_keeping_its_copy() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let keychain = TestKeychain::default();
    let host = Host::new(home.path(), &keychain);
    let (accounts, signed_in) = signed_in_with_keychain(&host, &sandbox).await;
    assert_eq!(sync(&accounts).await, 12);
    drop(accounts);

    let next = Host::new(home.path(), &keychain);
    let accounts = Accounts::new();
    accounts.resume(&next).await.unwrap().expect("remembered");
    assert_eq!(next.running(), 1);
    // Meanwhile the token was revoked: the server answers 401.
    sandbox.set_faults(FaultConfig::token_revoked());
    let err = accounts.verify(&next).await.unwrap_err();
    assert_eq!(err.code(), "unauthorized", "{err}");

    // The session ended, its engine stopped, the token and the account are forgotten...
    assert_eq!(accounts.signed_in().await, None);
    assert!(accounts.workspace().await.is_none());
    assert_eq!(next.running(), 0);
    assert!(keychain.items.lock().unwrap().is_empty());
    let settings = next.settings.load();
    assert!(settings.accounts.is_empty());
    // ...the address stays for the form...
    assert_eq!(settings.base_url.as_deref(), Some(sandbox.base_url()));
    // ...and the offline copy is still there.
    let path = Workspace::cache_path(&signed_in.info, &home.path().join("caches"));
    let cache = Cache::open(&path).unwrap();
    assert_eq!(cache.count_customers(None, None, None).unwrap().count, 12);
    drop(cache);

    // The next start has nothing to resume, and asks nothing.
    let again = Host::new(home.path(), &keychain);
    assert_eq!(Accounts::new().resume(&again).await.unwrap(), None);
    assert_eq!(again.started.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_resumed_session_the_server_cannot_be_asked_about_stays_open_and_unconfirmed() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let keychain = TestKeychain::default();
    let host = Host::new(home.path(), &keychain);
    Accounts::new()
        .sign_in(
            &host,
            request(&sandbox, sandbox.reseller_token()),
            TokenKeeping::File,
        )
        .await
        .unwrap();
    let accounts = Accounts::new();
    let resumed = accounts.resume(&host).await.unwrap().expect("remembered");
    assert_eq!(resumed.token_storage, Some(TokenStorage::File));
    sandbox.kill();
    accounts.verify(&host).await.unwrap();
    assert!(accounts.unverified().await, "still to be confirmed");
    assert!(accounts.workspace().await.is_some());
    assert_eq!(host.settings.load().accounts.len(), 1);
    assert!(host.tokens().load(&resumed.account_key).unwrap().is_some());
}

#[tokio::test]
async fn signing_out_keeps_the_offline_copy_and_the_next_sign_in_opens_it() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let keychain = TestKeychain::default();
    let host = Host::new(home.path(), &keychain);
    let accounts = Accounts::new();
    let req = request(&sandbox, sandbox.reseller_token());
    accounts
        .sign_in(&host, req.clone(), TokenKeeping::Keychain)
        .await
        .unwrap();
    assert_eq!(sync(&accounts).await, 12);

    accounts.sign_out(&host, OfflineCopy::Keep).await.unwrap();
    assert_eq!(accounts.signed_in().await, None);
    assert_eq!(host.running(), 0, "the engine stopped");
    // Signing out forgets the token and the account, not the address.
    assert!(keychain.items.lock().unwrap().is_empty());
    assert!(host.settings.load().accounts.is_empty());
    assert_eq!(
        host.settings.load().base_url.as_deref(),
        Some(sandbox.base_url())
    );
    assert_eq!(Accounts::new().resume(&host).await.unwrap(), None);
    assert!(!cache_files(home.path()).is_empty());

    // Signing in again finds the copy: the customers are there before any sync.
    accounts
        .sign_in(&host, req, TokenKeeping::NotRemembered)
        .await
        .unwrap();
    let workspace = accounts.workspace().await.unwrap();
    assert_eq!(cached_in(&workspace), 12);
    // Not remembered this time: nothing to resume at the next start.
    assert!(host.settings.load().accounts.is_empty());
    assert!(keychain.items.lock().unwrap().is_empty());
}

#[tokio::test]
async fn signing_out_without_keeping_the_offline_copy_deletes_its_files() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let keychain = TestKeychain::default();
    let host = Host::new(home.path(), &keychain);
    let (accounts, signed_in) = signed_in_with_keychain(&host, &sandbox).await;
    assert_eq!(sync(&accounts).await, 12);
    let path = Workspace::cache_path(&signed_in.info, &home.path().join("caches"));
    assert!(path.exists());
    // Another account's copy in the same folder is not this account's to delete.
    let other = home.path().join("caches").join("other-account.sqlite3");
    std::fs::write(&other, b"not ours").unwrap();

    accounts.sign_out(&host, OfflineCopy::Remove).await.unwrap();
    assert_eq!(accounts.signed_in().await, None);
    assert_eq!(host.running(), 0);
    assert_eq!(cache_files(home.path()), ["other-account.sqlite3"]);
    assert!(keychain.items.lock().unwrap().is_empty());
    assert!(host.settings.load().accounts.is_empty());

    // Signing in again starts from an empty copy.
    add_reseller(&accounts, &host, &sandbox).await;
    assert_eq!(cached_in(&accounts.workspace().await.unwrap()), 0);
}

#[tokio::test]
async fn a_resellee_is_refused_and_nothing_is_kept_or_opened() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let keychain = TestKeychain::default();
    let host = Host::new(home.path(), &keychain);
    let accounts = Accounts::new();
    let err = accounts
        .sign_in(
            &host,
            request(&sandbox, sandbox.resellee_token()),
            TokenKeeping::Keychain,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, CoreError::NoResellerAccess { .. }), "{err}");
    assert_eq!(err.code(), "no_reseller_access");
    assert_eq!(accounts.signed_in().await, None);
    assert!(accounts.workspace().await.is_none());
    assert_eq!(host.started.load(Ordering::SeqCst), 0);
    assert!(keychain.items.lock().unwrap().is_empty());
    assert_eq!(host.settings.load(), Default::default());
    assert!(cache_files(home.path()).is_empty());
}

#[tokio::test]
async fn a_locked_keychain_stops_the_sign_in_before_anything_is_written() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let locked = TestKeychain {
        locked: true,
        ..TestKeychain::default()
    };
    let host = Host::new(home.path(), &locked);
    let accounts = Accounts::new();
    let req = request(&sandbox, sandbox.reseller_token());
    let err = accounts
        .sign_in(&host, req.clone(), TokenKeeping::Keychain)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "keychain_unavailable");
    assert_eq!(accounts.signed_in().await, None);
    assert_eq!(host.started.load(Ordering::SeqCst), 0);
    assert!(!home.path().join("settings.json").exists());
    assert!(!home.path().join("tokens").exists());

    // The user's answer "a file only I can read": signed in, and resumable.
    let signed_in = accounts
        .sign_in(&host, req, TokenKeeping::File)
        .await
        .unwrap();
    assert_eq!(signed_in.token_storage, Some(TokenStorage::File));
    let resumed = Accounts::new().resume(&host).await.unwrap();
    assert_eq!(resumed, Some(signed_in));
}

#[tokio::test]
async fn the_demo_is_opened_in_a_temporary_folder_and_nothing_is_remembered() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let keychain = TestKeychain::default();
    let host = Host::new(home.path(), &keychain);
    let accounts = Accounts::new();
    let session = reseller_core::sign_in(request(&sandbox, sandbox.reseller_token()))
        .await
        .unwrap();
    let shown = accounts.open_demo(&host, session).await.unwrap();
    assert!(shown.info.demo);
    assert_eq!(shown.token_storage, None);
    assert_eq!(sync(&accounts).await, 12);
    let demo_dirs = || {
        std::fs::read_dir(home.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("demo-"))
            .count()
    };
    assert_eq!(demo_dirs(), 1);
    assert!(
        cache_files(home.path()).is_empty(),
        "not among the kept copies"
    );

    accounts.sign_out(&host, OfflineCopy::Keep).await.unwrap();
    assert_eq!(demo_dirs(), 0, "the demo's data goes with it");
    assert!(!home.path().join("settings.json").exists());
    assert!(keychain.items.lock().unwrap().is_empty());
}

/// How long the engine loops are given (a round, a retry after the server returns).
const WAIT: Duration = Duration::from_secs(60);

async fn until(what: &str, done: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + WAIT;
    while !done() {
        assert!(std::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn unlimited_sandbox(seed: u64) -> Sandbox {
    start(SandboxConfig {
        customers: 12,
        seed,
        rate_limit_per_minute: 0,
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

/// The customers `sandbox` holds now, by id.
async fn on_server(sandbox: &Sandbox) -> Vec<String> {
    support::server_customers(&support::unlimited_client(sandbox))
        .await
        .into_values()
        .map(|c| c.name)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_accounts_stay_open_and_one_not_shown_keeps_sending_its_changes() {
    let a = unlimited_sandbox(1).await;
    let b = unlimited_sandbox(2).await;
    let home = tempfile::tempdir().unwrap();
    let keychain = TestKeychain::default();
    let mut host = Host::new(home.path(), &keychain);
    host.engines = true;
    let accounts = Accounts::new();
    let first = add_reseller(&accounts, &host, &a).await;
    let in_a = accounts.workspace().await.unwrap();
    // A's engine loop syncs the list (its own budget: the test does not compete with it).
    until("A's first sync", || cached_in(&in_a) == 12).await;
    let customer = support::cached_customers(in_a.engine().cache())
        .into_values()
        .next()
        .unwrap();

    // A's server goes out of reach: the rename waits in A's outbox.
    a.set_faults(FaultConfig {
        reset_rate: 1.0,
        ..FaultConfig::default()
    });
    in_a.update_customer(
        customer.id,
        &support::form("Renamed While Away", &customer.email, ""),
    )
    .unwrap();

    // A second account (another server) is added without signing out of the first.
    let second = add_reseller(&accounts, &host, &b).await;
    assert_ne!(first.account_key, second.account_key);
    assert_eq!(accounts.signed_in().await.as_ref(), Some(&second));
    assert!(host.shown(&second.account_key));
    assert!(
        !host.shown(&first.account_key),
        "A's events no longer reach the window"
    );
    assert_eq!(host.running(), 2, "both engines run");
    let listed = accounts.list().await;
    assert_eq!(
        listed
            .iter()
            .map(|e| (e.signed_in.account_key.as_str(), e.active))
            .collect::<Vec<_>>(),
        [
            (first.account_key.as_str(), false),
            (second.account_key.as_str(), true)
        ]
    );
    // Each its own token and its own offline copy.
    let mut kept: Vec<String> = keychain.items.lock().unwrap().keys().cloned().collect();
    kept.sort();
    let mut keys = vec![first.account_key.clone(), second.account_key.clone()];
    keys.sort();
    assert_eq!(kept, keys);
    assert_eq!(
        cache_files(home.path())
            .iter()
            .filter(|f| f.ends_with(".sqlite3"))
            .count(),
        2
    );
    let in_b = accounts.workspace().await.unwrap();
    assert!(!Arc::ptr_eq(&in_a, &in_b));

    // A's server returns while B is shown: A's own engine sends A's change, to A's server.
    a.set_faults(FaultConfig::default());
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !on_server(&a)
        .await
        .contains(&"Renamed While Away".to_string())
    {
        assert!(
            std::time::Instant::now() < deadline,
            "A's change never reached A's server"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let renamed_in_a = on_server(&a)
        .await
        .iter()
        .filter(|n| *n == "Renamed While Away")
        .count();
    assert_eq!(renamed_in_a, 1);
    assert!(!on_server(&b)
        .await
        .contains(&"Renamed While Away".to_string()));
    assert_eq!(accounts.signed_in().await.as_ref(), Some(&second));

    // Switching shows A again, and is remembered.
    let shown = accounts.switch(&host, &first.account_key).await.unwrap();
    assert_eq!(shown.account_key, first.account_key);
    assert!(host.shown(&first.account_key));
    assert!(!host.shown(&second.account_key));
    assert!(Arc::ptr_eq(&accounts.workspace().await.unwrap(), &in_a));
    assert_eq!(
        host.settings.load().active_account.as_deref(),
        Some(first.account_key.as_str())
    );
    let err = accounts
        .switch(&host, "https://nowhere.example")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "not_found", "{err}");
    drop((in_a, in_b));
    drop(accounts);
    assert_eq!(host.running(), 0);

    // The next start shows A at once; B opens behind it.
    let next = Host::new(home.path(), &keychain);
    let accounts = Accounts::new();
    let resumed = accounts.resume(&next).await.unwrap().expect("remembered");
    assert_eq!(resumed.account_key, first.account_key);
    assert_eq!(accounts.list().await.len(), 1);
    accounts.resume_others(&next).await;
    let listed = accounts.list().await;
    assert_eq!(listed.len(), 2);
    assert!(listed[0].active && !listed[1].active);
    assert_eq!(listed[1].signed_in.account_key, second.account_key);

    // Signing out of A leaves B signed in and shown, with its token.
    let now = accounts.sign_out(&next, OfflineCopy::Keep).await.unwrap();
    assert_eq!(now.map(|s| s.account_key), Some(second.account_key.clone()));
    assert_eq!(next.running(), 1);
    assert_eq!(
        keychain.items.lock().unwrap().keys().collect::<Vec<_>>(),
        [&second.account_key]
    );
    let settings = next.settings.load();
    assert_eq!(settings.accounts.len(), 1);
    assert_eq!(
        settings.active_account.as_deref(),
        Some(second.account_key.as_str())
    );
    assert!(next.shown(&second.account_key));
}

#[tokio::test]
async fn an_account_remembered_by_an_older_version_resumes_and_its_token_moves_to_its_own_name() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let keychain = TestKeychain::default();
    let host = Host::new(home.path(), &keychain);
    let (accounts, signed_in) = signed_in_with_keychain(&host, &sandbox).await;
    drop(accounts);
    assert_ne!(signed_in.account_key, signed_in.info.base_url);

    // What an older version left: one `account`, its token filed under the server's address.
    {
        let mut items = keychain.items.lock().unwrap();
        let token = items.remove(&signed_in.account_key).unwrap();
        items.insert(signed_in.info.base_url.clone(), token);
    }
    let older = serde_json::json!({"settings": {
        "baseUrl": sandbox.base_url(),
        "authStyle": "zoomKey",
        "theme": "dark",
        "account": signed_in.info,
        "accountAuthStyle": "zoomKey",
    }});
    std::fs::write(home.path().join("settings.json"), older.to_string()).unwrap();

    let accounts = Accounts::new();
    let resumed = accounts.resume(&host).await.unwrap().expect("remembered");
    assert_eq!(resumed, signed_in);
    assert_eq!(
        keychain.items.lock().unwrap().keys().collect::<Vec<_>>(),
        [&signed_in.account_key],
        "moved to the account's own name"
    );
    let settings = host.settings.load();
    assert_eq!(settings.account, None);
    assert_eq!(settings.accounts.len(), 1);
    assert_eq!(settings.accounts[0].info, signed_in.info);
    assert_eq!(
        settings.active_account.as_deref(),
        Some(signed_in.account_key.as_str())
    );
    assert_eq!(settings.theme, reseller_core::settings::Theme::Dark);
}

#[tokio::test]
async fn an_account_not_shown_that_its_server_refuses_at_the_next_start_is_closed_and_forgotten() {
    let a = unlimited_sandbox(1).await;
    let b = unlimited_sandbox(2).await;
    let home = tempfile::tempdir().unwrap();
    let keychain = TestKeychain::default();
    let host = Host::new(home.path(), &keychain);
    let accounts = Accounts::new();
    let second = add_reseller(&accounts, &host, &b).await;
    let first = add_reseller(&accounts, &host, &a).await;
    drop(accounts);

    // The next start: A (shown last) at once, B behind it; B's token was revoked meanwhile.
    let accounts = Accounts::new();
    accounts.resume(&host).await.unwrap().expect("remembered");
    accounts.resume_others(&host).await;
    b.set_faults(FaultConfig::token_revoked());
    let err = accounts.verify(&host).await.unwrap_err();
    assert_eq!(err.code(), "unauthorized", "{err}");
    // B is closed and forgotten; A, shown, is confirmed and stays shown.
    let listed = accounts.list().await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].signed_in.account_key, first.account_key);
    assert!(listed[0].active);
    assert!(!accounts.unverified().await);
    assert_eq!(
        keychain.items.lock().unwrap().keys().collect::<Vec<_>>(),
        [&first.account_key]
    );
    let settings = host.settings.load();
    assert_eq!(settings.accounts.len(), 1);
    assert_eq!(settings.accounts[0].info.account_key(), first.account_key);
    // B's offline copy is kept, as for a shown account refused.
    let caches = home.path().join("caches");
    assert!(Workspace::cache_path(&second.info, &caches).exists());
}
