//! Typed errors from the real sandbox: auth, validation, bad requests, missing records, and
//! gap endpoints that a server does not have.

mod common;

use std::collections::BTreeSet;

use common::*;
use scriptix_api::*;
use scriptix_sandbox::{Gap, SandboxConfig};

#[tokio::test]
async fn unknown_token_is_unauthorized_everywhere() {
    let sbx = sandbox().await;
    let api = client_with(&sbx, |c| c.token = "sbx-nobody".into());
    let e = api
        .list_customers(&CustomerQuery::default())
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Unauthorized { .. }), "{e:?}");
    // A gap endpoint answering 401 is still an auth problem, not a missing feature.
    let e = api.account_me().await.unwrap_err();
    assert_eq!(e.code(), "unauthorized");
    // Never retried: one request each.
    assert_eq!(api.requests_sent(), 2);
}

#[tokio::test]
async fn resellee_token_is_forbidden_on_reseller_routes() {
    let sbx = sandbox().await;
    let api = client_with(&sbx, |c| c.token = sbx.resellee_token().to_string());
    let e = api
        .list_customers(&CustomerQuery::default())
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Forbidden { .. }), "{e:?}");
    assert!(e.to_string().contains("no reseller access"));
    let e = api.get_customer(1).await.unwrap_err();
    assert_eq!(e.code(), "forbidden");
    let e = api.plans().await.unwrap_err();
    assert_eq!(e.code(), "forbidden");
}

#[tokio::test]
async fn validation_errors_name_the_field() {
    let sbx = sandbox().await;
    let api = client(&sbx);
    let cases = [
        (CustomerInput::new("  ", "ok@example.org"), "name"),
        (
            CustomerInput::new("N".repeat(201), "ok@example.org"),
            "name",
        ),
        (CustomerInput::new("Acme", "not-an-email"), "email"),
        (
            CustomerInput {
                phone: Some("+999 123".into()),
                ..CustomerInput::new("Acme", "ok@example.org")
            },
            "phone",
        ),
    ];
    let total = api
        .list_customers(&CustomerQuery::default())
        .await
        .unwrap()
        .total;
    for (input, field) in cases {
        let e = api.create_customer(&input).await.unwrap_err();
        assert_eq!(e.code(), "validation", "{input:?}: {e}");
        assert_eq!(e.field(), Some(field), "{input:?}: {e:?}");
        assert!(!e.to_string().is_empty());
    }
    // And an update is validated the same way.
    let id = api
        .list_customers(&CustomerQuery::default())
        .await
        .unwrap()
        .items[0]
        .id;
    let e = api
        .update_customer(id, &CustomerInput::new("Acme", "nope"))
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("email"));
    let after = api
        .list_customers(&CustomerQuery::default())
        .await
        .unwrap()
        .total;
    assert_eq!(total, after, "nothing was created");
}

#[tokio::test]
async fn bad_paging_sorting_and_filters_are_bad_requests() {
    let sbx = sandbox().await;
    let api = client(&sbx);
    let queries = [
        CustomerQuery {
            limit: Some(1001),
            ..Default::default()
        },
        CustomerQuery {
            limit: Some(0),
            ..Default::default()
        },
        CustomerQuery {
            sort: Some("shoe_size".into()),
            ..Default::default()
        },
        CustomerQuery {
            filters: vec![("shoe_size".into(), "42".into())],
            ..Default::default()
        },
    ];
    for q in queries {
        let e = api.list_customers(&q).await.unwrap_err();
        assert!(matches!(e, ApiError::BadRequest { .. }), "{q:?}: {e:?}");
    }
    let past_end = api
        .list_customers(&CustomerQuery {
            offset: Some(10_000),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(past_end.items.is_empty());
    assert_eq!(past_end.total, Some(250));
}

#[tokio::test]
async fn unknown_ids_are_not_found_on_documented_routes() {
    let sbx = sandbox().await;
    let api = client(&sbx);
    for e in [
        api.get_customer(987_654).await.unwrap_err(),
        api.update_customer(987_654, &CustomerInput::new("A", "a@example.org"))
            .await
            .unwrap_err(),
        api.delete_customer(987_654).await.unwrap_err(),
    ] {
        assert!(matches!(e, ApiError::NotFound { .. }), "{e:?}");
    }
}

#[tokio::test]
async fn disabled_gaps_are_not_supported_and_documented_routes_still_work() {
    let sbx = sandbox_with(SandboxConfig {
        rate_limit_per_minute: 0,
        disabled_gaps: Gap::ALL.into_iter().collect::<BTreeSet<_>>(),
        ..SandboxConfig::default()
    })
    .await;
    let api = client(&sbx);
    let page = api
        .list_customers(&CustomerQuery {
            q: Some("zzzz-no-such-name".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.total, Some(250), "without G2 the search is ignored");
    let id = page.items[0].id;
    assert!(api.get_customer(id).await.is_ok());

    let range = DateRange::default();
    let results: Vec<(&str, ApiError)> = vec![
        ("account_me", api.account_me().await.unwrap_err()),
        (
            "usage_summary",
            api.customer_usage_summary(id, &range).await.unwrap_err(),
        ),
        (
            "subscriptions",
            api.customer_subscriptions(id).await.unwrap_err(),
        ),
        (
            "create_subscription",
            api.create_subscription(
                id,
                &SubscriptionInput {
                    sku: "X".into(),
                    auto_renew: false,
                },
            )
            .await
            .unwrap_err(),
        ),
        (
            "auto_renew",
            api.set_subscription_auto_renew(id, 1, true)
                .await
                .unwrap_err(),
        ),
        ("plans", api.plans().await.unwrap_err()),
        ("tokens", api.customer_tokens(id).await.unwrap_err()),
        (
            "create_token",
            api.create_customer_token(
                id,
                &TokenInput {
                    name: "t".into(),
                    token_type: TokenType::Batch,
                    expires_in_years: 1,
                },
            )
            .await
            .unwrap_err(),
        ),
        (
            "revoke_token",
            api.revoke_customer_token(id, 1).await.unwrap_err(),
        ),
        ("users", api.customer_users(id).await.unwrap_err()),
        (
            "create_user",
            api.create_customer_user(
                id,
                &UserInput {
                    email: "a@example.org".into(),
                    first_name: None,
                    last_name: None,
                    roles: vec!["CUSTOMER".into()],
                },
            )
            .await
            .unwrap_err(),
        ),
        (
            "update_user",
            api.update_customer_user(
                id,
                1,
                &UserUpdate {
                    email: "a@example.org".into(),
                    first_name: None,
                    last_name: None,
                    roles: vec!["CUSTOMER".into()],
                    is_active: true,
                },
            )
            .await
            .unwrap_err(),
        ),
        (
            "delete_user",
            api.delete_customer_user(id, 1).await.unwrap_err(),
        ),
        (
            "reactivate_user",
            api.reactivate_customer_user(id, 1).await.unwrap_err(),
        ),
        ("dashboard", api.dashboard(&range).await.unwrap_err()),
        ("branding", api.branding().await.unwrap_err()),
        (
            "colours",
            api.update_branding_colors(&BrandingColors::default())
                .await
                .unwrap_err(),
        ),
        (
            "upload_logo",
            api.upload_logo(vec![1, 2, 3], "image/png", "l.png")
                .await
                .unwrap_err(),
        ),
        ("delete_logo", api.delete_logo().await.unwrap_err()),
        (
            "fetch_logo",
            api.fetch_logo("/api/v3/reseller/branding/logo")
                .await
                .unwrap_err(),
        ),
    ];
    for (call, e) in results {
        match e {
            ApiError::NotSupported { endpoint } => assert!(endpoint.contains("/api/v3/"), "{call}"),
            other => panic!("{call}: expected NotSupported, got {other:?}"),
        }
    }
}

#[test]
fn unusable_settings_are_validation_errors() {
    let e = Client::new(ClientConfig::new("https://api.scriptix.io", "  ")).unwrap_err();
    assert_eq!(e.field(), Some("token"));
    let e = Client::new(ClientConfig::new("https://api.scriptix.io", "a\nb")).unwrap_err();
    assert_eq!(e.field(), Some("token"));
    let e = Client::new(ClientConfig::new("api.scriptix.io", "t")).unwrap_err();
    assert_eq!(e.field(), Some("base_url"));
    let c = Client::new(ClientConfig::new("https://api.scriptix.io/", "t")).unwrap();
    assert_eq!(c.base_url(), "https://api.scriptix.io");
    assert!(!format!("{c:?}").contains("\"t\""));
}
