//! The detail tabs, branding and dashboard: replaced whole when fetched, read back as fetched.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::customers::{from_micros, to_micros};
use super::db::{commit, Cache};
use super::error::{CacheError, CacheResult};
use super::freshness::{FreshnessRecord, GapFeature};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
// Stored by column, never as JSON: its serde names are the IPC ones (camelCase).
#[serde(rename_all = "camelCase")]
pub struct SubscriptionRow {
    pub id: i64,
    pub sku: String,
    pub description: Option<String>,
    pub billing_channel: String,
    pub payment_model: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub cancel_date: Option<NaiveDate>,
    pub is_suspended: bool,
    pub auto_renew: bool,
    pub stt_units: Option<i64>,
    pub alignment_units: Option<i64>,
    pub translation_budget: Option<f64>,
    pub credits: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UsageRow {
    pub units_used: i64,
    pub usage_period_start: NaiveDate,
    /// Exclusive.
    pub usage_period_end: NaiveDate,
    pub language: Option<String>,
    pub token_name: Option<String>,
    pub subscription_id: Option<i64>,
    pub cost: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UsageSummaryRow {
    pub units_used: i64,
    pub unit: String,
    pub hours_processed: f64,
    pub sessions: i64,
    pub finished_sessions: i64,
    pub error_sessions: i64,
    pub error_rate: f64,
    pub total_users: i64,
    pub active_users: i64,
}

/// A customer API token's metadata. There is no secret here, by design.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
// Stored by column, never as JSON: its serde names are the IPC ones (camelCase).
#[serde(rename_all = "camelCase")]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    /// batch | realtime
    pub token_type: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
// Stored by column, never as JSON: its serde names are the IPC ones (camelCase).
#[serde(rename_all = "camelCase")]
pub struct UserRow {
    pub id: i64,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: String,
    pub is_active: bool,
    pub roles: Vec<String>,
    pub last_login: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub reactivation_sent_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TranscriptionRow {
    pub session_id: String,
    pub filename: String,
    pub date_session_start: DateTime<Utc>,
    /// 0 queued, 1 processing, 2 finished, 3 error; other values are kept as they came.
    pub status: i64,
    pub status_label: Option<String>,
    pub language: Option<String>,
    pub duration: Option<f64>,
    pub last_update: Option<DateTime<Utc>>,
    pub is_deleted: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandingRow {
    pub brand_color: Option<String>,
    pub secondary_color: Option<String>,
    pub logo_url: Option<String>,
    pub logo_content_type: Option<String>,
    /// The logo's bytes, so the navigation shows it offline: a PNG made by the logo worker
    /// (from the server's logo, or the one uploaded from here), never unchecked server bytes.
    /// Base64 in JSON (the kept server copy), not an array of numbers.
    #[serde(with = "base64_bytes")]
    pub logo: Option<Vec<u8>>,
    /// Its size, stored with it so reading the branding never decodes an image.
    pub logo_width: Option<u32>,
    pub logo_height: Option<u32>,
    /// Why the server's logo is not kept (a sentence), when it is not.
    pub logo_problem: Option<String>,
}

/// `Option<Vec<u8>>` as a base64 string in serde formats.
mod base64_bytes {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

    pub fn serialize<S: Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(bytes) => s.serialize_some(&B64.encode(bytes)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| B64.decode(text).map_err(serde::de::Error::custom))
            .transpose()
    }
}

fn date_text(d: &NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn parse_date(s: &str) -> CacheResult<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| CacheError::Corrupt(format!("date {s:?}: {e}")))
}

fn parse_opt_date(s: Option<String>) -> CacheResult<Option<NaiveDate>> {
    s.as_deref().map(parse_date).transpose()
}

fn opt_micros(t: &Option<DateTime<Utc>>) -> Option<i64> {
    t.as_ref().map(to_micros)
}

fn opt_time(v: Option<i64>) -> CacheResult<Option<DateTime<Utc>>> {
    v.map(from_micros).transpose()
}

impl Cache {
    /// Runs `f` in one transaction: committed when it returns Ok, rolled back on Err. Nested
    /// calls join the outer transaction.
    pub fn in_transaction<T>(&self, f: impl FnOnce(&Cache) -> CacheResult<T>) -> CacheResult<T> {
        let tx = self.begin_write()?;
        let out = f(self)?;
        commit(tx)?;
        Ok(out)
    }

    /// Records that the server does not offer `gap` (see `GapFeature`), until the record's
    /// `stale_after`, when the sync asks again.
    pub fn set_gap_unsupported(
        &self,
        gap: GapFeature,
        record: &FreshnessRecord,
    ) -> CacheResult<()> {
        let (name, id) = gap.key();
        super::sync_marks::write_freshness(self.conn(), name, id, record)
    }

    /// Forgets that `gap` was missing (the server answered it).
    pub fn clear_gap_unsupported(&self, gap: GapFeature) -> CacheResult<()> {
        let (name, id) = gap.key();
        self.conn()
            .prepare_cached("DELETE FROM freshness WHERE scope = ?1 AND customer_id = ?2")?
            .execute(params![name, id])?;
        Ok(())
    }

    /// When the server was found not to offer `gap`, and until when that holds; `None` when it
    /// has not been found missing. Judge it with `freshness()`: fresh means still missing.
    pub fn gap_unsupported(&self, gap: GapFeature) -> CacheResult<Option<FreshnessRecord>> {
        let (name, id) = gap.key();
        super::sync_marks::read_freshness(self.conn(), name, id)
    }

    /// Replaces a customer's cached subscriptions with what the server listed.
    pub fn replace_subscriptions(
        &self,
        customer_id: i64,
        rows: &[SubscriptionRow],
    ) -> CacheResult<()> {
        let tx = self.begin_write()?;
        let conn = self.conn();
        conn.execute(
            "DELETE FROM subscriptions WHERE customer_id = ?1",
            [customer_id],
        )?;
        {
            let mut stmt = conn.prepare_cached(
                "INSERT INTO subscriptions (customer_id, id, sku, description, billing_channel,
                     payment_model, start_date, end_date, cancel_date, is_suspended, auto_renew,
                     stt_units, alignment_units, translation_budget, credits)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?;
            for s in rows {
                stmt.execute(params![
                    customer_id,
                    s.id,
                    s.sku,
                    s.description,
                    s.billing_channel,
                    s.payment_model,
                    date_text(&s.start_date),
                    s.end_date.as_ref().map(date_text),
                    s.cancel_date.as_ref().map(date_text),
                    s.is_suspended,
                    s.auto_renew,
                    s.stt_units,
                    s.alignment_units,
                    s.translation_budget,
                    s.credits,
                ])?;
            }
        }
        commit(tx)?;
        Ok(())
    }

    pub fn subscriptions(&self, customer_id: i64) -> CacheResult<Vec<SubscriptionRow>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, sku, description, billing_channel, payment_model, start_date, end_date,
                    cancel_date, is_suspended, auto_renew, stt_units, alignment_units,
                    translation_budget, credits
             FROM subscriptions WHERE customer_id = ?1 ORDER BY id",
        )?;
        let mut rows = stmt.query([customer_id])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(SubscriptionRow {
                id: r.get(0)?,
                sku: r.get(1)?,
                description: r.get(2)?,
                billing_channel: r.get(3)?,
                payment_model: r.get(4)?,
                start_date: parse_date(&r.get::<_, String>(5)?)?,
                end_date: parse_opt_date(r.get(6)?)?,
                cancel_date: parse_opt_date(r.get(7)?)?,
                is_suspended: r.get(8)?,
                auto_renew: r.get(9)?,
                stt_units: r.get(10)?,
                alignment_units: r.get(11)?,
                translation_budget: r.get(12)?,
                credits: r.get(13)?,
            });
        }
        Ok(out)
    }

    /// Replaces the usage rows a query (`query_key`, a canonical form of view, split and range)
    /// returned for a customer; order is kept.
    pub fn replace_usage_rows(
        &self,
        customer_id: i64,
        query_key: &str,
        rows: &[UsageRow],
    ) -> CacheResult<()> {
        let tx = self.begin_write()?;
        let conn = self.conn();
        conn.execute(
            "DELETE FROM usage_rows WHERE customer_id = ?1 AND query_key = ?2",
            params![customer_id, query_key],
        )?;
        {
            let mut stmt = conn.prepare_cached(
                "INSERT INTO usage_rows (customer_id, query_key, seq, units_used,
                     usage_period_start, usage_period_end, language, token_name,
                     subscription_id, cost)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for (seq, u) in rows.iter().enumerate() {
                stmt.execute(params![
                    customer_id,
                    query_key,
                    seq as i64,
                    u.units_used,
                    date_text(&u.usage_period_start),
                    date_text(&u.usage_period_end),
                    u.language,
                    u.token_name,
                    u.subscription_id,
                    u.cost,
                ])?;
            }
        }
        commit(tx)?;
        Ok(())
    }

    pub fn usage_rows(&self, customer_id: i64, query_key: &str) -> CacheResult<Vec<UsageRow>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT units_used, usage_period_start, usage_period_end, language, token_name,
                    subscription_id, cost
             FROM usage_rows WHERE customer_id = ?1 AND query_key = ?2 ORDER BY seq",
        )?;
        let mut rows = stmt.query(params![customer_id, query_key])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(UsageRow {
                units_used: r.get(0)?,
                usage_period_start: parse_date(&r.get::<_, String>(1)?)?,
                usage_period_end: parse_date(&r.get::<_, String>(2)?)?,
                language: r.get(3)?,
                token_name: r.get(4)?,
                subscription_id: r.get(5)?,
                cost: r.get(6)?,
            });
        }
        Ok(out)
    }

    /// Drops a query's cached summary when its units disagree with `units_used` (the sum of
    /// rows fetched later without a summary): a summary that contradicts the rows on screen is
    /// not shown. One that agrees is kept: nothing was used in between, so its other figures
    /// (sessions, error rate) still hold. Returns whether one was dropped.
    pub fn drop_contradicted_usage_summary(
        &self,
        customer_id: i64,
        query_key: &str,
        units_used: i64,
    ) -> CacheResult<bool> {
        let n = self.conn().execute(
            "DELETE FROM usage_summaries
             WHERE customer_id = ?1 AND query_key = ?2 AND units_used != ?3",
            params![customer_id, query_key, units_used],
        )?;
        Ok(n > 0)
    }

    pub fn set_usage_summary(
        &self,
        customer_id: i64,
        query_key: &str,
        s: &UsageSummaryRow,
    ) -> CacheResult<()> {
        self.conn().execute(
            "INSERT OR REPLACE INTO usage_summaries (customer_id, query_key, units_used, unit,
                 hours_processed, sessions, finished_sessions, error_sessions, error_rate,
                 total_users, active_users)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                customer_id,
                query_key,
                s.units_used,
                s.unit,
                s.hours_processed,
                s.sessions,
                s.finished_sessions,
                s.error_sessions,
                s.error_rate,
                s.total_users,
                s.active_users
            ],
        )?;
        Ok(())
    }

    pub fn usage_summary(
        &self,
        customer_id: i64,
        query_key: &str,
    ) -> CacheResult<Option<UsageSummaryRow>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT units_used, unit, hours_processed, sessions, finished_sessions,
                        error_sessions, error_rate, total_users, active_users
                 FROM usage_summaries WHERE customer_id = ?1 AND query_key = ?2",
                params![customer_id, query_key],
                |r| {
                    Ok(UsageSummaryRow {
                        units_used: r.get(0)?,
                        unit: r.get(1)?,
                        hours_processed: r.get(2)?,
                        sessions: r.get(3)?,
                        finished_sessions: r.get(4)?,
                        error_sessions: r.get(5)?,
                        error_rate: r.get(6)?,
                        total_users: r.get(7)?,
                        active_users: r.get(8)?,
                    })
                },
            )
            .optional()?)
    }

    pub fn replace_tokens(&self, customer_id: i64, rows: &[TokenRow]) -> CacheResult<()> {
        let tx = self.begin_write()?;
        let conn = self.conn();
        conn.execute(
            "DELETE FROM customer_tokens WHERE customer_id = ?1",
            [customer_id],
        )?;
        {
            let mut stmt = conn.prepare_cached(
                "INSERT INTO customer_tokens (customer_id, id, name, token_type, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for t in rows {
                stmt.execute(params![
                    customer_id,
                    t.id,
                    t.name,
                    t.token_type,
                    to_micros(&t.created_at),
                    opt_micros(&t.expires_at)
                ])?;
            }
        }
        commit(tx)?;
        Ok(())
    }

    pub fn tokens(&self, customer_id: i64) -> CacheResult<Vec<TokenRow>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, name, token_type, created_at, expires_at
             FROM customer_tokens WHERE customer_id = ?1 ORDER BY id",
        )?;
        let mut rows = stmt.query([customer_id])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(TokenRow {
                id: r.get(0)?,
                name: r.get(1)?,
                token_type: r.get(2)?,
                created_at: from_micros(r.get(3)?)?,
                expires_at: opt_time(r.get(4)?)?,
            });
        }
        Ok(out)
    }

    pub fn replace_users(&self, customer_id: i64, rows: &[UserRow]) -> CacheResult<()> {
        let tx = self.begin_write()?;
        let conn = self.conn();
        conn.execute(
            "DELETE FROM customer_users WHERE customer_id = ?1",
            [customer_id],
        )?;
        {
            let mut stmt = conn.prepare_cached(
                "INSERT INTO customer_users (customer_id, id, first_name, last_name, email,
                     is_active, roles, last_login, created_at, reactivation_sent_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for u in rows {
                let roles = serde_json::to_string(&u.roles)
                    .map_err(|e| CacheError::Corrupt(format!("roles: {e}")))?;
                stmt.execute(params![
                    customer_id,
                    u.id,
                    u.first_name,
                    u.last_name,
                    u.email,
                    u.is_active,
                    roles,
                    opt_micros(&u.last_login),
                    to_micros(&u.created_at),
                    opt_micros(&u.reactivation_sent_at)
                ])?;
            }
        }
        commit(tx)?;
        Ok(())
    }

    pub fn users(&self, customer_id: i64) -> CacheResult<Vec<UserRow>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, first_name, last_name, email, is_active, roles, last_login, created_at,
                    reactivation_sent_at
             FROM customer_users WHERE customer_id = ?1 ORDER BY id",
        )?;
        let mut rows = stmt.query([customer_id])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let roles: String = r.get(5)?;
            out.push(UserRow {
                id: r.get(0)?,
                first_name: r.get(1)?,
                last_name: r.get(2)?,
                email: r.get(3)?,
                is_active: r.get(4)?,
                roles: serde_json::from_str(&roles)
                    .map_err(|e| CacheError::Corrupt(format!("roles: {e}")))?,
                last_login: opt_time(r.get(6)?)?,
                created_at: from_micros(r.get(7)?)?,
                reactivation_sent_at: opt_time(r.get(8)?)?,
            });
        }
        Ok(out)
    }

    pub fn replace_transcriptions(
        &self,
        customer_id: i64,
        rows: &[TranscriptionRow],
    ) -> CacheResult<()> {
        let tx = self.begin_write()?;
        let conn = self.conn();
        conn.execute(
            "DELETE FROM transcriptions WHERE customer_id = ?1",
            [customer_id],
        )?;
        {
            let mut stmt = conn.prepare_cached(
                "INSERT OR REPLACE INTO transcriptions (customer_id, session_id, filename,
                     date_session_start, status, status_label, language, duration, last_update,
                     is_deleted)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for t in rows {
                stmt.execute(params![
                    customer_id,
                    t.session_id,
                    t.filename,
                    to_micros(&t.date_session_start),
                    t.status,
                    t.status_label,
                    t.language,
                    t.duration,
                    opt_micros(&t.last_update),
                    t.is_deleted
                ])?;
            }
        }
        commit(tx)?;
        Ok(())
    }

    /// A customer's transcriptions, newest session first.
    pub fn transcriptions(&self, customer_id: i64) -> CacheResult<Vec<TranscriptionRow>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT session_id, filename, date_session_start, status, status_label, language,
                    duration, last_update, is_deleted
             FROM transcriptions WHERE customer_id = ?1
             ORDER BY date_session_start DESC, session_id",
        )?;
        let mut rows = stmt.query([customer_id])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(TranscriptionRow {
                session_id: r.get(0)?,
                filename: r.get(1)?,
                date_session_start: from_micros(r.get(2)?)?,
                status: r.get(3)?,
                status_label: r.get(4)?,
                language: r.get(5)?,
                duration: r.get(6)?,
                last_update: opt_time(r.get(7)?)?,
                is_deleted: r.get(8)?,
            });
        }
        Ok(out)
    }

    pub fn set_branding(&self, b: &BrandingRow) -> CacheResult<()> {
        self.conn().execute(
            "INSERT OR REPLACE INTO branding (singleton, brand_color, secondary_color, logo_url,
                 logo_content_type, logo, logo_width, logo_height, logo_problem)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                b.brand_color,
                b.secondary_color,
                b.logo_url,
                b.logo_content_type,
                b.logo,
                b.logo_width,
                b.logo_height,
                b.logo_problem
            ],
        )?;
        Ok(())
    }

    /// Forgets the cached branding (nothing known of the server's, nothing pending).
    pub fn clear_branding(&self) -> CacheResult<()> {
        self.conn().execute("DELETE FROM branding", [])?;
        Ok(())
    }

    pub fn branding(&self) -> CacheResult<Option<BrandingRow>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT brand_color, secondary_color, logo_url, logo_content_type, logo,
                        logo_width, logo_height, logo_problem
                 FROM branding WHERE singleton = 1",
                [],
                |r| {
                    Ok(BrandingRow {
                        brand_color: r.get(0)?,
                        secondary_color: r.get(1)?,
                        logo_url: r.get(2)?,
                        logo_content_type: r.get(3)?,
                        logo: r.get(4)?,
                        logo_width: r.get(5)?,
                        logo_height: r.get(6)?,
                        logo_problem: r.get(7)?,
                    })
                },
            )
            .optional()?)
    }

    /// Stores the dashboard for a date range (`range_key`, e.g. "2026-11-01..2026-12-01") as JSON.
    pub fn set_dashboard(
        &self,
        range_key: &str,
        payload: &serde_json::Value,
        fetched_at: DateTime<Utc>,
    ) -> CacheResult<()> {
        self.conn().execute(
            "INSERT OR REPLACE INTO dashboard (range_key, payload, fetched_at) VALUES (?1, ?2, ?3)",
            params![range_key, payload.to_string(), to_micros(&fetched_at)],
        )?;
        Ok(())
    }

    /// The dashboard for a range and when it was fetched.
    pub fn dashboard(
        &self,
        range_key: &str,
    ) -> CacheResult<Option<(serde_json::Value, DateTime<Utc>)>> {
        let row: Option<(String, i64)> = self
            .conn()
            .query_row(
                "SELECT payload, fetched_at FROM dashboard WHERE range_key = ?1",
                [range_key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(p, t)| {
            let value = serde_json::from_str(&p)
                .map_err(|e| CacheError::Corrupt(format!("dashboard: {e}")))?;
            Ok((value, from_micros(t)?))
        })
        .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::fixtures::{cache_with_customer, token};
    use crate::cache::{Freshness, Scope, Tab};
    use chrono::{Duration, TimeZone};

    #[test]
    fn replaces_join_the_callers_transaction_and_roll_back_with_it() {
        let cache = cache_with_customer(5);
        let scope = Scope::CustomerTab {
            customer_id: 5,
            tab: Tab::Tokens,
        };
        let now = Utc.timestamp_opt(1_700_000_500, 0).unwrap();
        let record = FreshnessRecord::new(now, Duration::hours(1));
        cache
            .in_transaction(|c| {
                c.replace_tokens(5, &[token(1), token(2)])?;
                c.set_freshness(&scope, &record)
            })
            .unwrap();
        assert_eq!(cache.tokens(5).unwrap().len(), 2);
        assert_eq!(cache.freshness(&scope, now).unwrap(), Freshness::Fresh);

        // A failure after the rows were replaced undoes the replacement too.
        let failed = cache.in_transaction(|c| {
            c.replace_tokens(5, &[token(3)])?;
            c.set_freshness(&scope, &FreshnessRecord::new(now, Duration::zero()))?;
            Err::<(), _>(CacheError::Corrupt("injected".into()))
        });
        assert!(failed.is_err());
        let ids: Vec<i64> = cache.tokens(5).unwrap().iter().map(|t| t.id).collect();
        assert_eq!(ids, vec![1, 2]);
        assert_eq!(cache.freshness(&scope, now).unwrap(), Freshness::Fresh);
        // On its own a replace still commits.
        cache.replace_tokens(5, &[token(4)]).unwrap();
        assert_eq!(cache.tokens(5).unwrap()[0].id, 4);
    }

    #[test]
    fn gap_records_are_kept_apart_from_tab_records() {
        let cache = cache_with_customer(5);
        let now = Utc.timestamp_opt(1_700_000_500, 0).unwrap();
        let record = FreshnessRecord::new(now, Duration::hours(6));
        assert_eq!(cache.gap_unsupported(GapFeature::Users).unwrap(), None);
        cache
            .set_gap_unsupported(GapFeature::Users, &record)
            .unwrap();
        assert_eq!(
            cache.gap_unsupported(GapFeature::Users).unwrap(),
            Some(record)
        );
        assert_eq!(cache.gap_unsupported(GapFeature::Tokens).unwrap(), None);
        let users_tab = Scope::CustomerTab {
            customer_id: 0,
            tab: Tab::Users,
        };
        assert_eq!(cache.freshness_record(&users_tab).unwrap(), None);
        cache.clear_gap_unsupported(GapFeature::Users).unwrap();
        assert_eq!(cache.gap_unsupported(GapFeature::Users).unwrap(), None);
    }
}
