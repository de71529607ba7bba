//! Migrations, one file per table, and the refusal of databases from newer versions.

use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

use super::error::{CacheError, CacheResult};

const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_customers.sql"),
    include_str!("migrations/0002_sync_state.sql"),
    include_str!("migrations/0003_subscriptions.sql"),
    include_str!("migrations/0004_usage.sql"),
    include_str!("migrations/0005_tokens.sql"),
    include_str!("migrations/0006_users.sql"),
    include_str!("migrations/0007_transcriptions.sql"),
    include_str!("migrations/0008_branding.sql"),
    include_str!("migrations/0009_dashboard.sql"),
    include_str!("migrations/0010_outbox.sql"),
    include_str!("migrations/0011_conflicts.sql"),
    include_str!("migrations/0012_created_customers.sql"),
    include_str!("migrations/0013_pending_logo.sql"),
    include_str!("migrations/0014_plans.sql"),
    include_str!("migrations/0015_usage_queries.sql"),
    include_str!("migrations/0016_dashboard_usage.sql"),
];

/// The schema version this build writes (`PRAGMA user_version` after migrating).
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect())
}

/// Reads `user_version` only; errors when the file comes from a newer schema.
pub(crate) fn refuse_newer(conn: &Connection) -> CacheResult<()> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(CacheError::NewerVersion {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(())
}

pub(crate) fn migrate(conn: &mut Connection) -> CacheResult<()> {
    migrations().to_latest(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        migrations().validate().unwrap();
    }
}
