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
    include_str!("migrations/0017_checked_logo.sql"),
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

    #[test]
    fn logos_cached_before_they_were_checked_are_dropped_and_fetched_again() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrations().to_version(&mut conn, 16).unwrap();
        conn.execute_batch(
            "INSERT INTO branding (singleton, logo_url, logo_content_type, logo)
                 VALUES (1, 'http://x/logo', 'image/png', x'89504E47');
             INSERT INTO freshness (scope, customer_id, fetched_at, stale_after)
                 VALUES ('branding', 0, 1, 2), ('customers', 0, 1, 2);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let row: (Option<Vec<u8>>, Option<String>, Option<u32>) = conn
            .query_row("SELECT logo, logo_url, logo_width FROM branding", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(row, (None, Some("http://x/logo".into()), None));
        let scopes: Vec<String> = conn
            .prepare("SELECT scope FROM freshness")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(scopes, vec!["customers".to_string()]);
    }
}
