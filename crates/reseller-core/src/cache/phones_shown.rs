//! Phones as the screens show them, kept once formatted (`migrations/0021_phones_shown.sql`):
//! the sync writes them, a list window reads them, so no screen parses a number it has shown
//! before, after a restart too.

use rusqlite::{params, OptionalExtension};

use super::db::{commit, Cache};
use super::error::CacheResult;

impl Cache {
    /// Keeps how each phone is shown (a phone already kept keeps its text).
    pub fn remember_phones_shown(&self, shown: &[(String, String)]) -> CacheResult<()> {
        if shown.is_empty() {
            return Ok(());
        }
        let tx = self.begin_write()?;
        {
            let mut insert = self.conn().prepare_cached(
                "INSERT OR IGNORE INTO phones_shown (phone, shown) VALUES (?1, ?2)",
            )?;
            for (phone, text) in shown {
                insert.execute(params![phone, text])?;
            }
        }
        commit(tx)
    }

    /// `upsert_customers` and `remember_phones_shown` in one transaction: no screen reads the
    /// rows before their phones' texts (it would parse them itself). Returns how many rows
    /// changed.
    pub fn upsert_customers_showing(
        &self,
        rows: &[super::CustomerRow],
        shown: &[(String, String)],
    ) -> CacheResult<usize> {
        let tx = self.begin_write()?;
        let changed = self.upsert_customers(rows)?;
        self.remember_phones_shown(shown)?;
        commit(tx)?;
        Ok(changed)
    }

    /// How each of `phones` is shown, for those kept (in the order asked, the others left out).
    pub fn phones_shown(&self, phones: &[&str]) -> CacheResult<Vec<(String, String)>> {
        let mut select = self
            .conn()
            .prepare_cached("SELECT shown FROM phones_shown WHERE phone = ?1")?;
        let mut out = Vec::new();
        for phone in phones {
            let shown: Option<String> = select.query_row([phone], |r| r.get(0)).optional()?;
            if let Some(shown) = shown {
                out.push((phone.to_string(), shown));
            }
        }
        Ok(out)
    }

    /// Forgets the phones no cached customer has any more. Returns how many.
    pub fn prune_phones_shown(&self) -> CacheResult<usize> {
        Ok(self.conn().execute(
            "DELETE FROM phones_shown WHERE phone NOT IN
             (SELECT phone FROM customers WHERE phone IS NOT NULL)",
            [],
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::{CustomerRow, SyncState};
    use chrono::Utc;

    fn customer(id: i64, phone: &str) -> CustomerRow {
        CustomerRow {
            id,
            name: format!("Org {id}"),
            email: format!("org{id}@example.com"),
            phone: Some(phone.to_string()),
            is_active: true,
            registration_date: Utc::now(),
            last_modified: Utc::now(),
            sync_state: SyncState::Synced,
        }
    }

    #[test]
    fn kept_phones_are_found_and_those_of_no_customer_are_pruned() {
        let cache = Cache::open_in_memory().unwrap();
        cache
            .upsert_customers(&[customer(1, "+31201234567")])
            .unwrap();
        cache
            .remember_phones_shown(&[
                ("+31201234567".into(), "+31 20 123 4567".into()),
                ("+4940751350".into(), "+49 40 751350".into()),
            ])
            .unwrap();
        // A second text for a kept phone does not replace the first.
        cache
            .remember_phones_shown(&[("+31201234567".into(), "other".into())])
            .unwrap();
        assert_eq!(
            cache
                .phones_shown(&["+4940751350", "+1555", "+31201234567"])
                .unwrap(),
            vec![
                ("+4940751350".to_string(), "+49 40 751350".to_string()),
                ("+31201234567".to_string(), "+31 20 123 4567".to_string()),
            ]
        );
        assert_eq!(cache.prune_phones_shown().unwrap(), 1);
        assert_eq!(
            cache
                .phones_shown(&["+4940751350", "+31201234567"])
                .unwrap(),
            vec![("+31201234567".to_string(), "+31 20 123 4567".to_string())]
        );
    }
}
