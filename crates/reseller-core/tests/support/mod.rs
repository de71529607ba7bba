//! Helpers shared by the integration tests: a sandbox over loopback, a client, a cache in a
//! temporary file, and the comparison of the cache with the server.
#![allow(dead_code)] // each test file uses a different subset

use std::collections::BTreeMap;
use std::sync::Mutex;

use reseller_core::cache::{Cache, CustomerRow, SyncState};
use reseller_core::SessionInfo;
use scriptix_api::{Client, ClientConfig, Customer, CustomerQuery, Direction};
use scriptix_sandbox::{start, Sandbox, SandboxConfig};

pub async fn sandbox(customers: usize, seed: u64) -> Sandbox {
    start(SandboxConfig {
        customers,
        seed,
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

pub fn client_for(base_url: &str, token: &str) -> Client {
    Client::new(ClientConfig::new(base_url, token)).unwrap()
}

pub fn client(sb: &Sandbox) -> Client {
    client_for(sb.base_url(), sb.reseller_token())
}

/// A client with no rate budget of its own (for a sandbox that limits none), that finds the
/// network down after one quick retry rather than four.
pub fn unlimited_client(sb: &Sandbox) -> Client {
    let mut config = ClientConfig::new(sb.base_url(), sb.reseller_token());
    config.rate_limit_per_minute = 0;
    config.max_retries = 1;
    Client::new(config).unwrap()
}

/// Fails when `secret` is in any file of `dir` (the cache, its journal, an export...).
pub fn assert_not_on_disk(dir: &std::path::Path, secret: &str) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "the secret was written to {}",
            path.display()
        );
    }
}

/// The logo worker as tests start it: this crate's `logo-worker` binary.
pub fn logo_worker() -> reseller_core::logo::LogoWorker {
    reseller_core::logo::LogoWorker::new(env!("CARGO_BIN_EXE_logo-worker"), Vec::<String>::new())
}

pub fn cache() -> (tempfile::TempDir, Mutex<Cache>) {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path().join("cache.sqlite3")).unwrap();
    (dir, Mutex::new(cache))
}

/// Every customer the server lists, by id (read through the client, id ascending).
pub async fn server_customers(client: &Client) -> BTreeMap<i64, Customer> {
    let mut out = BTreeMap::new();
    let mut offset = 0;
    loop {
        let page = client
            .list_customers(&CustomerQuery {
                limit: Some(1000),
                offset: Some(offset),
                sort: Some("id".into()),
                direction: Some(Direction::Asc),
                ..CustomerQuery::default()
            })
            .await
            .unwrap();
        assert!(page.rejected.is_empty(), "{:?}", page.rejected);
        let n = page.items.len() as u64;
        out.extend(page.items.into_iter().map(|c| (c.id, c)));
        offset += n;
        if n < 1000 {
            return out;
        }
    }
}

pub fn cached_customers(cache: &Mutex<Cache>) -> BTreeMap<i64, CustomerRow> {
    let cache = cache.lock().unwrap();
    cache
        .customer_id_states()
        .unwrap()
        .into_iter()
        .map(|s| (s.id, cache.get_customer(s.id).unwrap().unwrap()))
        .collect()
}

/// Only '+' and digits: how a phone compares across formatting.
pub fn digits(phone: &str) -> String {
    phone
        .chars()
        .filter(|c| *c == '+' || c.is_ascii_digit())
        .collect()
}

/// The cache holds exactly the server's customers, every field equal.
pub async fn assert_cache_equals_server(client: &Client, cache: &Mutex<Cache>) {
    let server = server_customers(client).await;
    let cached = cached_customers(cache);
    let server_ids: Vec<i64> = server.keys().copied().collect();
    let cached_ids: Vec<i64> = cached.keys().copied().collect();
    assert_eq!(cached_ids, server_ids, "same ids");
    for (id, s) in &server {
        let c = &cached[id];
        assert_eq!(c.name, s.name, "name of {id}");
        assert_eq!(c.email, s.email, "email of {id}");
        assert_eq!(c.is_active, s.is_active, "is_active of {id}");
        assert_eq!(c.registration_date, s.registration_date, "registered {id}");
        assert_eq!(c.last_modified, s.last_modified, "last_modified of {id}");
        assert_eq!(c.sync_state, SyncState::Synced);
        match (&c.phone, &s.phone) {
            (None, None) => {}
            // Stored in E.164: the same digits as the server's formatted number.
            (Some(cp), Some(sp)) => assert_eq!(digits(cp), digits(sp), "phone of {id}"),
            other => panic!("phone of {id}: {other:?}"),
        }
        if let Some(p) = &c.phone {
            assert!(!p.contains(' '), "E.164 has no spaces: {p}");
        }
    }
}

/// A customer form as typed (active).
pub fn form(name: &str, email: &str, phone: &str) -> reseller_core::customers::CustomerForm {
    reseller_core::customers::CustomerForm {
        name: name.into(),
        email: email.into(),
        phone: phone.into(),
        is_active: true,
    }
}

/// What a reseller account at `base_url` says about itself (for a `Workspace` in a test).
pub fn reseller_info(base_url: &str) -> SessionInfo {
    SessionInfo {
        display_name: "Test".into(),
        email: "test@example.org".into(),
        organization_name: None,
        organization_id: Some(1),
        roles: vec!["RESELLER".into()],
        base_url: base_url.to_string(),
        demo: false,
        role_source: Default::default(),
    }
}
