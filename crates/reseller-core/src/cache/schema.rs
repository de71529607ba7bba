//! Migrations, one file per table, and the refusal of databases from newer versions.

use rusqlite::{Connection, Transaction};
use rusqlite_migration::{HookResult, Migrations, M};

use super::error::{CacheError, CacheResult};
use super::text;

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
    include_str!("migrations/0018_pending_marks.sql"),
    include_str!("migrations/0019_server_rows.sql"),
    PHONE_RUNS,
    include_str!("migrations/0021_phones_shown.sql"),
    include_str!("migrations/0022_batches.sql"),
    include_str!("migrations/0023_outbox_batches.sql"),
    include_str!("migrations/0024_activity.sql"),
    include_str!("migrations/0025_notices.sql"),
    include_str!("migrations/0026_activity_search.sql"),
];

/// The migration whose hook rewrites every `search_text` (`rewrite_search_text`).
const PHONE_RUNS: &str = include_str!("migrations/0020_phone_runs.sql");

/// The schema version this build writes (`PRAGMA user_version` after migrating).
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

fn migrations() -> Migrations<'static> {
    Migrations::new(
        MIGRATIONS
            .iter()
            .map(|sql| {
                if *sql == PHONE_RUNS {
                    M::up_with_hook(sql, rewrite_search_text)
                } else {
                    M::up(sql)
                }
            })
            .collect(),
    )
}

/// The trigger 0001 made and 0020 dropped (unchanged), and one FTS rebuild from the content.
const RESTORE_TEXT_TRIGGER: &str = "
CREATE TRIGGER customers_after_update_text AFTER UPDATE OF search_text ON customers
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO customers_fts (customers_fts, rowid, search_text)
    VALUES ('delete', old.id, old.search_text);
    INSERT INTO customers_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
INSERT INTO customers_fts (customers_fts) VALUES ('rebuild');";

/// Rewrites every customer's `search_text` as this version computes it (0020's hook).
fn rewrite_search_text(tx: &Transaction) -> HookResult {
    {
        let mut read = tx.prepare("SELECT id, name, email, phone FROM customers")?;
        let mut write = tx.prepare("UPDATE customers SET search_text = ?2 WHERE id = ?1")?;
        let mut rows = read.query([])?;
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            let name: String = row.get(1)?;
            let email: String = row.get(2)?;
            let phone: Option<String> = row.get(3)?;
            write.execute(rusqlite::params![
                id,
                text::search_text(&name, &email, phone.as_deref())
            ])?;
        }
    }
    tx.execute_batch(RESTORE_TEXT_TRIGGER)?;
    Ok(())
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

    #[test]
    fn customers_cached_before_phone_runs_are_found_by_them_after_migrating() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrations().to_version(&mut conn, 19).unwrap();
        // search_text as version 19 wrote it: no national form, no tails.
        conn.execute_batch(
            "INSERT INTO customers (id, name, email, phone, is_active, registration_date,
                 last_modified, name_key, email_key, phone_key, search_text)
             VALUES (1, 'Hafen', 'info@hafen.de', '+494075135063', 1, 0, 0, 'hafen',
                     'info@hafen.de', '+494075135063', 'hafen info hafen de 494075135063 494075135063'),
                    (2, 'Gracht', 'post@gracht.nl', NULL, 1, 0, 0, 'gracht',
                     'post@gracht.nl', '', 'gracht post gracht nl');",
        )
        .unwrap();
        let found = |conn: &Connection, q: &str| -> Vec<i64> {
            conn.prepare("SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?1")
                .unwrap()
                .query_map([text::fts_query(&text::query_terms(q))], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        assert!(found(&conn, "135063").is_empty());
        migrate(&mut conn).unwrap();
        assert_eq!(found(&conn, "135063"), vec![1]);
        assert_eq!(found(&conn, "040 7513"), vec![1]);
        assert_eq!(found(&conn, "gracht"), vec![2]);
        // The trigger is back: a changed phone is searched by its new digits.
        conn.execute_batch(&format!(
            "UPDATE customers SET phone = '+31201234567', search_text = '{}' WHERE id = 2",
            text::search_text("Gracht", "post@gracht.nl", Some("+31201234567"))
        ))
        .unwrap();
        assert_eq!(found(&conn, "1234567"), vec![2]);
        conn.execute_batch("INSERT INTO customers_fts (customers_fts) VALUES ('integrity-check')")
            .unwrap();
    }

    #[test]
    fn changes_queued_before_the_activity_log_are_logged_by_the_update() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrations().to_version(&mut conn, 23).unwrap();
        conn.execute_batch(
            "INSERT INTO customers (id, name, email, phone, is_active, registration_date,
                 last_modified, name_key, email_key, phone_key, search_text)
             VALUES (4, 'Hafen', 'info@hafen.de', NULL, 1, 0, 0, 'hafen', 'info@hafen.de', '',
                     'hafen');
             INSERT INTO outbox (entity, entity_id, kind, payload, state, last_error, created_at)
             VALUES ('customer', 4, 'update', '{}', 'failed', 'Email taken', 10),
                    ('customer', 4, 'refresh', '{}', 'pending', NULL, 11),
                    ('user', 4, 'delete', '{}', 'pending', NULL, 12);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        type Logged = (
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let logged: Vec<Logged> = conn
            .prepare(
                "SELECT kind, outcome, answer, customer_name, actor_name FROM activity
                 ORDER BY op_id",
            )
            .unwrap()
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let hafen = Some("Hafen".to_string());
        assert_eq!(
            logged,
            vec![
                (
                    "update".into(),
                    "refused".into(),
                    Some("Email taken".into()),
                    hafen.clone(),
                    None
                ),
                ("delete".into(), "waiting".into(), None, hafen, None),
            ],
            "a re-read is not a change; who queued them is not known"
        );
    }
}
