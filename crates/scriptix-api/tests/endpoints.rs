//! Every client call against the real sandbox over loopback HTTP: the happy paths.

mod common;

use chrono::{Datelike, Duration as Days, NaiveDate, Utc};
use common::*;
use scriptix_api::*;

#[tokio::test]
async fn account_me_for_reseller_and_resellee() {
    let sbx = sandbox().await;
    let me = client(&sbx).account_me().await.unwrap();
    assert!(me.is_reseller());
    assert!(me.roles.iter().any(|r| r == "RESELLER"));
    assert_eq!(
        me.organization.as_ref().unwrap().name,
        "Northwind Speech Partners"
    );
    assert!(!me.display_name().is_empty());

    let resellee = client_with(&sbx, |c| c.token = sbx.resellee_token().to_string());
    let them = resellee.account_me().await.unwrap();
    assert!(!them.is_reseller());
    assert!(them.roles.iter().any(|r| r == "RESELLEE"));
}

#[tokio::test]
async fn customer_list_paging_sorting_filtering_and_search() {
    let sbx = sandbox().await;
    // The base URL with a trailing slash works the same.
    let api = client_with(&sbx, |c| c.base_url = format!("{}/", sbx.base_url()));

    let first = api.list_customers(&CustomerQuery::default()).await.unwrap();
    assert_eq!(first.total, Some(250));
    assert_eq!(first.items.len(), 10, "documented default limit");
    assert!(first.rejected.is_empty());

    let mut all = Vec::new();
    let mut offset = 0;
    loop {
        let page = api
            .list_customers(&CustomerQuery {
                limit: Some(100),
                offset: Some(offset),
                ..Default::default()
            })
            .await
            .unwrap();
        let n = page.items.len() as u64;
        all.extend(page.items);
        offset += n;
        if n < 100 {
            break;
        }
    }
    assert_eq!(all.len(), 250);
    assert!(
        all.windows(2).all(|w| w[0].id < w[1].id),
        "default order is id asc"
    );

    let newest = api
        .list_customers(&CustomerQuery {
            limit: Some(1000),
            sort: Some("last_modified".into()),
            direction: Some(Direction::Desc),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(newest.items.len(), 250);
    assert!(newest
        .items
        .windows(2)
        .all(|w| w[0].last_modified >= w[1].last_modified));

    let active = api
        .list_customers(&CustomerQuery {
            limit: Some(1000),
            filters: vec![("is_active".into(), "true".into())],
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(!active.items.is_empty() && active.items.iter().all(|c| c.is_active));
    assert!(
        active.items.len() < 250,
        "the seed has inactive customers too"
    );

    let needle = all[17].name.to_lowercase();
    let needle = &needle[..needle.len().min(6)];
    let found = api
        .list_customers(&CustomerQuery {
            limit: Some(1000),
            q: Some(needle.to_uppercase()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(found.items.iter().any(|c| c.id == all[17].id));
    assert!(found.items.len() < 250);

    let cutoff = newest.items[9].last_modified;
    let changed = api
        .list_customers(&CustomerQuery {
            limit: Some(1000),
            modified_since: Some(cutoff),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(changed.items.len() >= 10);
    assert!(changed.items.iter().all(|c| c.last_modified >= cutoff));
}

#[tokio::test]
async fn customer_create_get_update_delete() {
    let sbx = sandbox().await;
    let api = client(&sbx);
    let input = CustomerInput {
        name: "Voorbeeld BV".into(),
        email: "it@voorbeeld.nl".into(),
        phone: Some("+31201234567".into()),
        is_active: true,
    };
    let created = api.create_customer(&input).await.unwrap();
    assert_eq!(created.name, "Voorbeeld BV");
    assert_eq!(created.phone.as_deref(), Some("+31201234567"));
    let got = api.get_customer(created.id).await.unwrap();
    assert_eq!(got, created);

    let changed = CustomerInput {
        name: "Voorbeeld B.V.".into(),
        phone: None,
        is_active: false,
        ..input
    };
    let updated = api.update_customer(created.id, &changed).await.unwrap();
    assert_eq!(updated.name, "Voorbeeld B.V.");
    assert_eq!(updated.phone, None, "PUT replaces the whole record");
    assert!(!updated.is_active);
    assert!(updated.last_modified > created.last_modified);
    assert_eq!(updated.registration_date, created.registration_date);

    api.delete_customer(created.id).await.unwrap();
    let gone = api.get_customer(created.id).await.unwrap_err();
    assert_eq!(gone.code(), "not_found", "{gone}");
    let again = api.delete_customer(created.id).await.unwrap_err();
    assert_eq!(again.code(), "not_found");
}

fn month_start(d: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap()
}

#[tokio::test]
async fn usage_views_splits_ranges_and_summary() {
    let sbx = sandbox().await;
    let api = client(&sbx);
    let id = api
        .list_customers(&CustomerQuery::default())
        .await
        .unwrap()
        .items[0]
        .id;

    let invoice = api
        .customer_usage(id, &UsageQuery::default())
        .await
        .unwrap();
    assert!(invoice.rejected.is_empty());
    for row in &invoice.items {
        assert!(row.usage_period_start < row.usage_period_end);
        assert!(
            row.cost.is_some() && row.subscription_id.is_some(),
            "{row:?}"
        );
    }

    let today = Utc::now().date_naive();
    let from = month_start(today - Days::days(90));
    let to = month_start(today);
    let by_language = api
        .customer_usage(
            id,
            &UsageQuery {
                view: Some(UsageView::Month),
                split_by: Some(UsageSplit::Language),
                date_from: Some(from),
                date_to: Some(to),
                limit: Some(1000),
                offset: None,
            },
        )
        .await
        .unwrap();
    assert!(!by_language.items.is_empty());
    for row in &by_language.items {
        assert!(
            row.language.is_some() && row.token_name.is_none(),
            "{row:?}"
        );
        assert!(row.usage_period_end > from && row.usage_period_start < to);
    }

    let by_token = api
        .customer_usage(
            id,
            &UsageQuery {
                view: Some(UsageView::Day),
                split_by: Some(UsageSplit::Token),
                limit: Some(5),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(by_token.items.len() <= 5);
    assert!(by_token.items.iter().all(|r| r.token_name.is_some()));

    let summary = api
        .customer_usage_summary(id, &DateRange::new(from, to))
        .await
        .unwrap();
    assert_eq!(summary.unit, "second");
    let month_total: i64 = api
        .customer_usage(
            id,
            &UsageQuery {
                view: Some(UsageView::Month),
                date_from: Some(from),
                date_to: Some(to),
                limit: Some(1000),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .items
        .iter()
        .map(|r| r.units_used)
        .sum();
    assert_eq!(summary.seconds_used(), Some(month_total));
    assert!((0.0..=1.0).contains(&summary.error_rate));
}

#[tokio::test]
async fn transcripts_with_unknown_status_paging_and_filters() {
    let sbx = sandbox().await;
    let api = client(&sbx);
    let customers = api
        .list_customers(&CustomerQuery {
            limit: Some(1000),
            ..Default::default()
        })
        .await
        .unwrap()
        .items;
    let mut saw_unknown = false;
    let mut checked = 0;
    for c in customers.iter().take(40) {
        let page = api
            .customer_transcripts(
                c.id,
                &TranscriptQuery {
                    limit: Some(1000),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(page.rejected.is_empty(), "{:?}", page.rejected);
        checked += page.items.len();
        saw_unknown |= page.items.iter().any(|t| {
            matches!(t.status, TranscriptStatus::Unknown(_))
                && t.status.label().starts_with("Unknown (")
        });
    }
    assert!(checked > 0);
    assert!(saw_unknown, "the seed has rows with status 7");

    let id = customers[0].id;
    let sorted = api
        .customer_transcripts(
            id,
            &TranscriptQuery {
                limit: Some(3),
                offset: Some(1),
                sort: Some("date_session_start".into()),
                direction: Some(Direction::Desc),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(sorted.items.len() <= 3);
    assert!(sorted
        .items
        .windows(2)
        .all(|w| w[0].date_session_start >= w[1].date_session_start));
    let finished = api
        .customer_transcripts(
            id,
            &TranscriptQuery {
                limit: Some(1000),
                filters: vec![("status".into(), "2".into())],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(finished
        .items
        .iter()
        .all(|t| t.status == TranscriptStatus::Finished));
}

#[tokio::test]
async fn subscriptions_and_plans() {
    let sbx = sandbox().await;
    let api = client(&sbx);
    let id = api
        .list_customers(&CustomerQuery::default())
        .await
        .unwrap()
        .items[1]
        .id;
    let plans = api.plans().await.unwrap();
    assert!(plans.len() >= 3);
    let before = api.customer_subscriptions(id).await.unwrap();
    let sub = api
        .create_subscription(
            id,
            &SubscriptionInput {
                sku: plans[0].sku.clone(),
                auto_renew: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(sub.sku, plans[0].sku);
    assert!(!sub.auto_renew);
    let renewed = api
        .set_subscription_auto_renew(id, sub.id, true)
        .await
        .unwrap();
    assert!(renewed.auto_renew);
    let after = api.customer_subscriptions(id).await.unwrap();
    assert_eq!(after.len(), before.len() + 1);
    assert!(after.iter().any(|s| s.id == sub.id && s.auto_renew));

    let bad = api
        .create_subscription(
            id,
            &SubscriptionInput {
                sku: "NO-SUCH-SKU".into(),
                auto_renew: true,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(bad.code(), "validation", "{bad}");
}

#[tokio::test]
async fn tokens_list_create_revoke() {
    let sbx = sandbox().await;
    let api = client(&sbx);
    let id = api
        .list_customers(&CustomerQuery::default())
        .await
        .unwrap()
        .items[2]
        .id;
    let before = api.customer_tokens(id).await.unwrap();
    let created = api
        .create_customer_token(
            id,
            &TokenInput {
                name: "Ingest".into(),
                token_type: TokenType::Realtime,
                expires_in_years: 2,
            },
        )
        .await
        .unwrap();
    assert!(!created.key.is_empty());
    assert!(!format!("{created:?}").contains(&created.key));
    assert_eq!(created.token.token_type, TokenType::Realtime);
    let years = created.token.expires_at.unwrap() - created.token.created_at;
    assert!(years.num_days() >= 730 && years.num_days() <= 732);
    let listed = api.customer_tokens(id).await.unwrap();
    assert_eq!(listed.len(), before.len() + 1);
    assert!(listed.iter().any(|t| t.id == created.token.id));

    api.revoke_customer_token(id, created.token.id)
        .await
        .unwrap();
    assert_eq!(api.customer_tokens(id).await.unwrap().len(), before.len());

    let bad = api
        .create_customer_token(
            id,
            &TokenInput {
                name: "x".into(),
                token_type: TokenType::Batch,
                expires_in_years: 3,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(bad.code(), "validation");
    assert!(bad.field().is_some());
}

#[tokio::test]
async fn users_list_create_update_reactivate_delete() {
    let sbx = sandbox().await;
    let api = client(&sbx);
    let id = api
        .list_customers(&CustomerQuery::default())
        .await
        .unwrap()
        .items[3]
        .id;
    let before = api.customer_users(id).await.unwrap();
    let user = api
        .create_customer_user(
            id,
            &UserInput {
                email: "new.user@example.org".into(),
                first_name: Some("New".into()),
                last_name: None,
                roles: vec!["CONTRIBUTOR".into()],
            },
        )
        .await
        .unwrap();
    assert!(user.is_active);
    assert_eq!(user.roles, vec!["CONTRIBUTOR"]);
    let updated = api
        .update_customer_user(
            id,
            user.id,
            &UserUpdate {
                email: user.email.clone(),
                first_name: Some("Renamed".into()),
                last_name: Some("User".into()),
                roles: vec!["ORGADMIN".into(), "DEVELOPER".into()],
                is_active: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.first_name.as_deref(), Some("Renamed"));
    assert!(!updated.is_active);
    assert_eq!(updated.reactivation_sent_at, None);

    api.reactivate_customer_user(id, user.id).await.unwrap();
    let listed = api.customer_users(id).await.unwrap();
    assert_eq!(listed.len(), before.len() + 1);
    let again = listed.iter().find(|u| u.id == user.id).unwrap();
    assert!(again.reactivation_sent_at.is_some());

    let bad = api
        .create_customer_user(
            id,
            &UserInput {
                email: "x@example.org".into(),
                first_name: None,
                last_name: None,
                roles: vec!["SYSOP".into()],
            },
        )
        .await
        .unwrap_err();
    assert_eq!(bad.code(), "validation");

    api.delete_customer_user(id, user.id).await.unwrap();
    assert_eq!(api.customer_users(id).await.unwrap().len(), before.len());
}

#[tokio::test]
async fn dashboard_matches_the_customer_list() {
    let sbx = sandbox().await;
    let api = client(&sbx);
    let total = api
        .list_customers(&CustomerQuery::default())
        .await
        .unwrap()
        .total
        .unwrap();
    let dash = api.dashboard(&DateRange::default()).await.unwrap();
    assert_eq!(dash.total_organizations as u64, total);
    assert!(dash.active_organizations <= dash.total_organizations);
    let rows = dash.customers.expect("the per-customer extension");
    assert_eq!(rows.len() as u64, total);
    let today = Utc::now().date_naive();
    let ranged = api
        .dashboard(&DateRange::new(
            today - Days::days(365),
            today + Days::days(1),
        ))
        .await
        .unwrap();
    assert!(ranged.units_used >= dash.units_used);
}

/// A 1x1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

#[tokio::test]
async fn branding_colours_and_logo() {
    let sbx = sandbox().await;
    let api = client(&sbx);
    let start = api.branding().await.unwrap();
    assert_eq!(start.logo_url, None);

    let coloured = api
        .update_branding_colors(&BrandingColors {
            brand_color: Some("#0A7B83".into()),
            secondary_color: Some("#FFCC00".into()),
        })
        .await
        .unwrap();
    assert_eq!(coloured.brand_color.as_deref(), Some("#0A7B83"));
    let reset = api
        .update_branding_colors(&BrandingColors {
            brand_color: Some("#0A7B83".into()),
            secondary_color: None,
        })
        .await
        .unwrap();
    assert_eq!(reset.secondary_color, None);
    let bad = api
        .update_branding_colors(&BrandingColors {
            brand_color: Some("teal".into()),
            secondary_color: None,
        })
        .await
        .unwrap_err();
    assert_eq!(bad.code(), "validation");
    assert_eq!(bad.field(), Some("brand_color"));

    let uploaded = api
        .upload_logo(PNG.to_vec(), "image/png", "logo.png")
        .await
        .unwrap();
    let url = uploaded.logo_url.clone().expect("logo_url");
    assert!(url.starts_with(sbx.base_url()), "{url}");
    let (bytes, content_type) = api.fetch_logo(&url).await.unwrap();
    assert_eq!(bytes, PNG);
    assert_eq!(content_type, "image/png");
    // A relative logo URL is resolved against the base.
    let (again, _) = api
        .fetch_logo("/api/v3/reseller/branding/logo")
        .await
        .unwrap();
    assert_eq!(again, PNG);

    let not_image = api
        .upload_logo(b"just text".to_vec(), "image/png", "x.png")
        .await
        .unwrap_err();
    assert_eq!(
        not_image,
        ApiError::Rejected {
            status: 415,
            message: not_image_message(&not_image)
        }
    );
    let too_big = api
        .upload_logo(
            [PNG, &vec![0u8; 2_097_153][..]].concat(),
            "image/png",
            "big.png",
        )
        .await
        .unwrap_err();
    assert!(
        matches!(too_big, ApiError::Rejected { status: 413, .. }),
        "{too_big}"
    );

    api.delete_logo().await.unwrap();
    assert_eq!(api.branding().await.unwrap().logo_url, None);
}

fn not_image_message(e: &ApiError) -> String {
    match e {
        ApiError::Rejected { message, .. } => message.clone(),
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn bearer_auth_style_is_accepted() {
    let sbx = sandbox().await;
    let api = client_with(&sbx, |c| c.auth_style = AuthStyle::Bearer);
    let page = api.list_customers(&CustomerQuery::default()).await.unwrap();
    assert_eq!(page.total, Some(250));
    assert_eq!(api.requests_sent(), 1);
}
