//! The API's detail records onto the cache's rows. The client has already set aside what does
//! not parse or is implausible; this refuses what parses but cannot be stored as it is (a
//! duplicate id would break the table's key and with it the whole tab), and says why.

use std::collections::HashSet;

use chrono::NaiveDate;
use scriptix_api::{
    Branding, CustomerToken, CustomerUser, Dashboard, RejectedRecord, Subscription, Transcript,
    UsageSummary,
};

use super::error::bounded;
use crate::cache::{
    BrandingRow, SubscriptionRow, TokenRow, TranscriptionRow, UsageRow, UsageSummaryRow, UserRow,
};
use crate::logo::Logo;

/// A logo larger than this is not kept: the API takes uploads of at most 2 MB, so a bigger
/// answer is not a logo it stored (and the navigation should not hold megabytes).
pub const MAX_LOGO_BYTES: usize = 4 * 1024 * 1024;

/// A record left out of a tab, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RejectedDetail {
    /// The record's id or session id, when it had a readable one.
    pub id: Option<String>,
    pub reason: String,
}

impl RejectedDetail {
    pub(crate) fn new(id: Option<String>, reason: &str) -> Self {
        RejectedDetail {
            id,
            reason: bounded(reason),
        }
    }
}

/// Rows to store and the records refused.
#[derive(Clone, Debug, PartialEq)]
pub struct Mapped<T> {
    pub rows: Vec<T>,
    pub rejected: Vec<RejectedDetail>,
}

/// The records a page of the client set aside, as rejections.
pub fn page_rejections(rejected: &[RejectedRecord]) -> Vec<RejectedDetail> {
    rejected
        .iter()
        .map(|r| RejectedDetail::new(r.id.map(|id| id.to_string()), &r.reason))
        .collect()
}

/// Maps a list whose records carry a key that must be unique in the cache; later duplicates
/// are refused (the first is what the server listed first).
fn map_unique<A, R, K: std::hash::Hash + Eq + ToString>(
    items: &[A],
    key: impl Fn(&A) -> K,
    map: impl Fn(&A) -> Result<R, String>,
) -> Mapped<R> {
    let mut seen: HashSet<K> = HashSet::new();
    let mut out = Mapped {
        rows: Vec::with_capacity(items.len()),
        rejected: Vec::new(),
    };
    for item in items {
        let k = key(item);
        let id = Some(k.to_string());
        if seen.contains(&k) {
            out.rejected
                .push(RejectedDetail::new(id, "listed twice; the first is kept"));
            continue;
        }
        match map(item) {
            Ok(row) => {
                seen.insert(k);
                out.rows.push(row);
            }
            Err(reason) => out.rejected.push(RejectedDetail::new(id, &reason)),
        }
    }
    out
}

/// Whole units from the API's number (it sends seconds as JSON numbers, possibly `3600.0`).
fn whole_units(field: &str, v: f64) -> Result<i64, String> {
    // Beyond 2^53 an f64 no longer holds whole numbers exactly: no real balance is that big.
    const MAX: f64 = 9_007_199_254_740_992.0;
    if v.is_finite() && v.abs() <= MAX {
        Ok(v.round() as i64)
    } else {
        Err(format!(
            "field `{field}` is not a plausible number of units: {v}"
        ))
    }
}

pub fn subscription_row(s: &Subscription) -> Result<SubscriptionRow, String> {
    let available = s.available.as_ref();
    Ok(SubscriptionRow {
        id: s.id,
        sku: s.sku.clone(),
        // The API sends "" for no description; the cache says so with NULL.
        description: Some(s.description.clone()).filter(|d| !d.is_empty()),
        billing_channel: s.billing_channel.as_str().to_string(),
        payment_model: s.payment_model.as_str().to_string(),
        start_date: s.start_date,
        end_date: s.end_date,
        cancel_date: s.cancel_date,
        is_suspended: s.is_suspended,
        auto_renew: s.auto_renew,
        stt_units: available
            .map(|a| whole_units("available.stt_units", a.stt_units))
            .transpose()?,
        alignment_units: available
            .map(|a| whole_units("available.alignment_units", a.alignment_units))
            .transpose()?,
        translation_budget: available.map(|a| a.translation_budget),
        credits: available.and_then(|a| a.credits),
    })
}

pub fn subscription_rows(items: &[Subscription]) -> Mapped<SubscriptionRow> {
    map_unique(items, |s| s.id, subscription_row)
}

/// Usage rows in server order, without those wholly outside [from, to): a server without
/// the date-range extension (G4) answers every month, and the cache key promises the range.
pub fn usage_rows(
    items: &[scriptix_api::UsageRow],
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<UsageRow> {
    items
        .iter()
        .filter(|u| u.usage_period_start < to && u.usage_period_end > from)
        .map(|u| UsageRow {
            units_used: u.units_used,
            usage_period_start: u.usage_period_start,
            usage_period_end: u.usage_period_end,
            language: u.language.clone(),
            token_name: u.token_name.clone(),
            subscription_id: u.subscription_id,
            cost: u.cost,
        })
        .collect()
}

pub fn usage_summary_row(s: &UsageSummary) -> UsageSummaryRow {
    UsageSummaryRow {
        units_used: s.units_used,
        unit: s.unit.clone(),
        hours_processed: s.hours_processed,
        sessions: s.sessions,
        finished_sessions: s.finished_sessions,
        error_sessions: s.error_sessions,
        error_rate: s.error_rate,
        total_users: s.total_users,
        active_users: s.active_users,
    }
}

pub fn token_rows(items: &[CustomerToken]) -> Mapped<TokenRow> {
    map_unique(
        items,
        |t| t.id,
        |t| {
            Ok(TokenRow {
                id: t.id,
                name: t.name.clone(),
                token_type: t.token_type.as_str().to_string(),
                created_at: t.created_at,
                expires_at: t.expires_at,
            })
        },
    )
}

/// A user without `created_at` is refused: the contract (G6) always sends it and the cache
/// requires it; inventing a date would show a wrong one.
pub fn user_row(u: &CustomerUser) -> Result<UserRow, String> {
    let created_at = u
        .created_at
        .ok_or_else(|| "field `created_at` is missing".to_string())?;
    Ok(UserRow {
        id: u.id,
        first_name: u.first_name.clone(),
        last_name: u.last_name.clone(),
        email: u.email.clone(),
        is_active: u.is_active,
        roles: u.roles.clone(),
        last_login: u.last_login,
        created_at,
        reactivation_sent_at: u.reactivation_sent_at,
    })
}

pub fn user_rows(items: &[CustomerUser]) -> Mapped<UserRow> {
    map_unique(items, |u| u.id, user_row)
}

pub fn transcription_rows(items: &[Transcript]) -> Mapped<TranscriptionRow> {
    map_unique(
        items,
        |t| t.session_id.clone(),
        |t| {
            Ok(TranscriptionRow {
                session_id: t.session_id.clone(),
                filename: t.filename.clone(),
                date_session_start: t.date_session_start,
                status: t.status.code(),
                status_label: t.status_label.clone(),
                language: t.language.clone(),
                duration: t.duration,
                last_update: t.last_update,
                is_deleted: t.is_deleted,
            })
        },
    )
}

/// Why fetched logo bytes are not even checked, or `None` when they may be (a sentence).
pub fn logo_problem(bytes: &[u8], content_type: &str) -> Option<String> {
    if bytes.is_empty() {
        return Some("The server sent an empty file.".into());
    }
    if bytes.len() > MAX_LOGO_BYTES {
        return Some(format!(
            "The server sent {} bytes, more than the {MAX_LOGO_BYTES} kept.",
            bytes.len()
        ));
    }
    if !content_type
        .trim()
        .to_ascii_lowercase()
        .starts_with("image/")
    {
        return Some(format!(
            "The server sent {content_type:?}, which is not an image."
        ));
    }
    None
}

/// What became of the server's logo once fetched.
#[derive(Debug)]
pub enum FetchedLogo {
    /// Checked in the logo worker: the PNG it made, kept for display.
    Kept(Logo),
    /// Not kept, and why (a sentence for the Branding screen).
    LeftOut(String),
}

/// Branding with the logo when it was fetched and kept (`None`: not fetched).
pub fn branding_row(b: &Branding, logo: Option<FetchedLogo>) -> BrandingRow {
    let mut row = BrandingRow {
        brand_color: b.brand_color.clone(),
        secondary_color: b.secondary_color.clone(),
        logo_url: b.logo_url.clone(),
        logo_content_type: b.logo_content_type.clone(),
        ..BrandingRow::default()
    };
    match logo {
        Some(FetchedLogo::Kept(logo)) => {
            row.logo = Some(logo.png);
            row.logo_content_type = Some("image/png".into());
            row.logo_width = Some(logo.width);
            row.logo_height = Some(logo.height);
        }
        Some(FetchedLogo::LeftOut(why)) => row.logo_problem = Some(why),
        None => {}
    }
    row
}

/// The dashboard as the JSON the cache stores (the client's typed reading of it).
pub fn dashboard_payload(d: &Dashboard) -> Result<serde_json::Value, String> {
    serde_json::to_value(d).map_err(|e| format!("the dashboard cannot be stored: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remote::error::MAX_REASON_CHARS;
    use chrono::{TimeZone, Utc};
    use scriptix_api::{Available, BillingChannel, PaymentModel};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn subscription(id: i64, stt: f64) -> Subscription {
        Subscription {
            id,
            sku: "STT-BUNDLE-100H".into(),
            description: String::new(),
            billing_channel: BillingChannel::Other("aws".into()),
            payment_model: PaymentModel::Bundle,
            start_date: date(2025, 1, 1),
            end_date: None,
            cancel_date: None,
            is_suspended: false,
            auto_renew: true,
            available: Some(Available {
                stt_units: stt,
                alignment_units: 0.0,
                translation_budget: 12.5,
                credits: None,
            }),
        }
    }

    fn user(id: i64, created: bool) -> CustomerUser {
        CustomerUser {
            id,
            first_name: None,
            last_name: Some("Jansen".into()),
            email: format!("u{id}@example.org"),
            is_active: true,
            roles: vec!["ORGADMIN".into()],
            last_login: None,
            created_at: created.then(|| Utc.timestamp_opt(1_700_000_000, 5_000).unwrap()),
            reactivation_sent_at: None,
        }
    }

    #[test]
    fn subscriptions_round_units_and_refuse_duplicates() {
        let m = subscription_rows(&[
            subscription(1, 3599.6),
            subscription(2, 1e300),
            subscription(1, 5.0),
        ]);
        assert_eq!(m.rows.len(), 1);
        assert_eq!(m.rows[0].stt_units, Some(3600));
        assert_eq!(m.rows[0].description, None);
        assert_eq!(m.rows[0].billing_channel, "aws");
        assert_eq!(m.rows[0].translation_budget, Some(12.5));
        assert_eq!(m.rejected.len(), 2);
        assert_eq!(m.rejected[0].id.as_deref(), Some("2"));
        assert!(m.rejected[0].reason.contains("stt_units"));
        assert!(m.rejected[1].reason.contains("twice"));
        let none = subscription_row(&Subscription {
            available: None,
            ..subscription(3, 0.0)
        })
        .unwrap();
        assert_eq!((none.stt_units, none.credits), (None, None));
    }

    #[test]
    fn users_without_created_at_are_refused() {
        let m = user_rows(&[user(1, true), user(2, false)]);
        assert_eq!(m.rows.len(), 1);
        assert_eq!(m.rows[0].roles, vec!["ORGADMIN"]);
        assert_eq!(m.rejected[0].id.as_deref(), Some("2"));
        assert!(m.rejected[0].reason.contains("created_at"));
    }

    #[test]
    fn usage_rows_outside_the_range_are_left_out() {
        let row = |s: NaiveDate, e: NaiveDate| scriptix_api::UsageRow {
            units_used: 5,
            usage_period_start: s,
            usage_period_end: e,
            language: None,
            token_name: None,
            subscription_id: None,
            cost: None,
        };
        let rows = usage_rows(
            &[
                row(date(2024, 12, 1), date(2025, 1, 1)),
                row(date(2025, 1, 1), date(2025, 2, 1)),
                row(date(2025, 12, 15), date(2026, 1, 1)),
                row(date(2026, 1, 1), date(2026, 2, 1)),
            ],
            date(2025, 1, 1),
            date(2026, 1, 1),
        );
        let starts: Vec<NaiveDate> = rows.iter().map(|r| r.usage_period_start).collect();
        assert_eq!(starts, vec![date(2025, 1, 1), date(2025, 12, 15)]);
    }

    #[test]
    fn logos_must_be_small_images() {
        assert_eq!(logo_problem(b"\x89PNG", "image/png"), None);
        assert!(logo_problem(b"", "image/png").is_some());
        assert!(logo_problem(b"<html>", "text/html").is_some());
        let big = vec![0u8; MAX_LOGO_BYTES + 1];
        assert!(logo_problem(&big, "image/png").unwrap().contains("bytes"));
        let b = Branding {
            brand_color: Some("#112233".into()),
            secondary_color: None,
            logo_url: Some("http://x/logo".into()),
            logo_content_type: Some("image/gif".into()),
        };
        let checked = Logo {
            png: vec![1, 2],
            width: 40,
            height: 20,
            source_format: "GIF".into(),
        };
        let with = branding_row(&b, Some(FetchedLogo::Kept(checked)));
        assert_eq!(with.logo_content_type.as_deref(), Some("image/png"));
        assert_eq!(with.logo, Some(vec![1, 2]));
        assert_eq!((with.logo_width, with.logo_height), (Some(40), Some(20)));
        assert_eq!(with.logo_problem, None);
        let refused = branding_row(&b, Some(FetchedLogo::LeftOut("Too big.".into())));
        assert_eq!(refused.logo, None);
        assert_eq!(refused.logo_problem.as_deref(), Some("Too big."));
        assert_eq!(refused.logo_url.as_deref(), Some("http://x/logo"));
        let without = branding_row(&b, None);
        assert_eq!(without.logo, None);
        assert_eq!(without.logo_problem, None);
        assert_eq!(without.logo_url.as_deref(), Some("http://x/logo"));
    }

    #[test]
    fn long_reasons_are_cut() {
        let r = RejectedDetail::new(None, &"x".repeat(5000));
        assert_eq!(r.reason.chars().count(), MAX_REASON_CHARS + 3);
    }
}
