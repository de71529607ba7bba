//! The SQLite file: schema, opening (fresh or reused), and async access to the one connection.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension};

use crate::error::{ApiError, SandboxError};

const SCHEMA: &str = r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE customers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    name_lc TEXT NOT NULL,
    email TEXT NOT NULL,
    email_lc TEXT NOT NULL,
    phone TEXT,
    phone_digits TEXT,
    is_active INTEGER NOT NULL,
    registration_date INTEGER NOT NULL,
    last_modified INTEGER NOT NULL,
    -- usage profile (never served): languages and token names its usage is split over,
    -- and the day usage stops for customers seeded inactive
    languages TEXT NOT NULL,
    usage_tokens TEXT NOT NULL,
    usage_until TEXT
);
CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    sku TEXT NOT NULL,
    description TEXT NOT NULL,
    billing_channel TEXT NOT NULL,
    payment_model TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT,
    cancel_date TEXT,
    is_suspended INTEGER NOT NULL,
    auto_renew INTEGER NOT NULL,
    stt_units REAL NOT NULL,
    alignment_units REAL NOT NULL,
    translation_budget REAL NOT NULL,
    credits REAL
);
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    first_name TEXT,
    last_name TEXT,
    email TEXT NOT NULL,
    is_active INTEGER NOT NULL,
    roles TEXT NOT NULL,
    last_login INTEGER,
    created_at INTEGER NOT NULL,
    reactivation_sent_at INTEGER
);
-- token metadata only: secrets are shown once and never stored
CREATE TABLE tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER
);
CREATE TABLE transcripts (
    session_id TEXT NOT NULL,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    date_session_start INTEGER NOT NULL,
    status INTEGER NOT NULL,
    language TEXT NOT NULL,
    duration REAL NOT NULL,
    last_update INTEGER NOT NULL,
    is_deleted INTEGER NOT NULL
);
CREATE TABLE branding (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    brand_color TEXT,
    secondary_color TEXT,
    logo BLOB,
    logo_content_type TEXT
);
INSERT INTO branding (id) VALUES (1);
-- ids start high so that no test can mistake a row index for an id
INSERT INTO sqlite_sequence (name, seq) VALUES ('customers', 1000), ('subscriptions', 1400), ('users', 50000), ('tokens', 70000);
"#;

/// Built after seeding: bulk inserts run faster into tables without indexes.
const INDEXES: &str = r#"
CREATE INDEX customers_last_modified ON customers(last_modified, id);
CREATE INDEX customers_registration ON customers(registration_date, id);
CREATE INDEX customers_name ON customers(name_lc, id);
CREATE INDEX customers_email ON customers(email_lc, id);
CREATE INDEX subscriptions_customer ON subscriptions(customer_id);
CREATE INDEX users_customer ON users(customer_id);
CREATE INDEX tokens_customer ON tokens(customer_id);
CREATE UNIQUE INDEX transcripts_session ON transcripts(session_id);
CREATE INDEX transcripts_customer ON transcripts(customer_id, date_session_start);
CREATE INDEX transcripts_start ON transcripts(date_session_start);
"#;

/// Identifies the data set in a file, so a file seeded the same way can be reused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedKey {
    pub seed: u64,
    pub customers: usize,
    pub anchor: chrono::NaiveDate,
}

impl SeedKey {
    fn as_text(&self) -> String {
        format!(
            "v1 seed={} customers={} anchor={}",
            self.seed, self.customers, self.anchor
        )
    }
}

fn configure(conn: &Connection) -> Result<(), rusqlite::Error> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "cache_size", -32_000)?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

/// Opens `path`. Returns the connection and whether it already holds the data set `key`
/// (then it is reused, edits included); any other file at `path` is replaced by a fresh one.
pub fn open(path: &Path, key: &SeedKey) -> Result<(Connection, bool), SandboxError> {
    if path.exists() {
        if let Ok(conn) = Connection::open(path) {
            let stored: Option<String> = conn
                .query_row("SELECT value FROM meta WHERE key = 'seed_key'", [], |r| {
                    r.get(0)
                })
                .optional()
                .unwrap_or(None);
            if stored.as_deref() == Some(key.as_text().as_str()) {
                configure(&conn)?;
                return Ok((conn, true));
            }
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
    let conn = Connection::open(path)?;
    // A fresh file is seeded with no journal and no syncing (a crash means reseeding anyway);
    // `mark_seeded` switches to the normal settings.
    conn.pragma_update(None, "journal_mode", "OFF")?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.execute_batch(SCHEMA)?;
    Ok((conn, false))
}

/// Builds the indexes, marks the file as holding `key`, and switches to normal operation.
pub fn mark_seeded(conn: &Connection, key: &SeedKey) -> Result<(), rusqlite::Error> {
    conn.execute_batch(INDEXES)?;
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('seed_key', ?1)",
        [key.as_text()],
    )?;
    configure(conn)
}

/// The one connection, used from blocking tasks so the async workers never wait on SQLite.
#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
}

impl Db {
    pub fn new(conn: Connection) -> Self {
        Db {
            conn: Arc::new(Mutex::new(conn)),
        }
    }

    pub async fn call<F, R>(&self, f: F) -> Result<R, ApiError>
    where
        F: FnOnce(&mut Connection) -> Result<R, ApiError> + Send + 'static,
        R: Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|_| ApiError::internal("The request was interrupted."))?
    }
}
