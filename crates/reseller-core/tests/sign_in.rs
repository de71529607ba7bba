//! Signing in against a real sandbox over loopback HTTP.

use std::collections::BTreeSet;

use reseller_core::{sign_in, AuthStyleSetting, CoreError, RoleSource, SignInRequest, Verified};
use scriptix_sandbox::{start, CannedAnswer, FaultConfig, Gap, Sandbox, SandboxConfig};
use serde_json::json;

fn request(base_url: &str, token: &str, auth_style: AuthStyleSetting) -> SignInRequest {
    SignInRequest {
        base_url: base_url.to_string(),
        token: token.to_string(),
        auth_style,
    }
}

#[tokio::test]
async fn a_reseller_token_signs_in_and_names_the_account() {
    let sandbox = start(SandboxConfig::default()).await.unwrap();
    for style in [AuthStyleSetting::ZoomKey, AuthStyleSetting::Bearer] {
        let session = sign_in(request(sandbox.base_url(), sandbox.reseller_token(), style))
            .await
            .unwrap();
        let info = session.info();
        assert!(info.roles.iter().any(|r| r == "RESELLER"), "{info:?}");
        assert!(!info.display_name.trim().is_empty());
        assert!(info.email.contains('@'));
        assert_eq!(
            info.organization_name.as_deref(),
            Some("Northwind Speech Partners")
        );
        assert_eq!(info.base_url, sandbox.base_url());
        assert!(!info.demo);
        assert_eq!(info.role_source, RoleSource::Account);
    }
}

#[tokio::test]
async fn a_resellee_token_is_told_it_has_no_reseller_access() {
    let sandbox = start(SandboxConfig::default()).await.unwrap();
    let err = sign_in(request(
        sandbox.base_url(),
        sandbox.resellee_token(),
        AuthStyleSetting::ZoomKey,
    ))
    .await
    .err()
    .expect("a resellee must not get in");
    assert_eq!(err.code(), "no_reseller_access");
    assert!(matches!(err, CoreError::NoResellerAccess { .. }));
    assert!(err.to_string().contains("no reseller access"), "{err}");
}

#[tokio::test]
async fn a_wrong_token_is_unauthorised() {
    let sandbox = start(SandboxConfig::default()).await.unwrap();
    let err = sign_in(request(
        sandbox.base_url(),
        "not-a-real-token",
        AuthStyleSetting::ZoomKey,
    ))
    .await
    .err()
    .expect("an unknown token must be refused");
    assert_eq!(err.code(), "unauthorized");
}

#[tokio::test]
async fn an_unreachable_server_is_offline_not_a_hang() {
    // Bind a port, then close it: nothing listens there any more.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let err = sign_in(request(
        &format!("http://127.0.0.1:{port}"),
        "whatever",
        AuthStyleSetting::ZoomKey,
    ))
    .await
    .err()
    .expect("nothing listens there");
    assert_eq!(err.code(), "offline");
}

#[tokio::test]
async fn an_empty_token_names_the_token_field() {
    let err = sign_in(request(
        "https://api.scriptix.io",
        "  ",
        AuthStyleSetting::ZoomKey,
    ))
    .await
    .err()
    .unwrap();
    assert_eq!(err.field(), Some("token"));
}

#[tokio::test]
async fn a_remembered_account_opens_at_once_and_the_server_then_confirms_or_refuses_it() {
    let sandbox = start(SandboxConfig::default()).await.unwrap();
    let req = request(
        sandbox.base_url(),
        sandbox.reseller_token(),
        AuthStyleSetting::ZoomKey,
    );
    let remembered = sign_in(req.clone()).await.unwrap().info().clone();

    // Online: opens with the memory, and the server confirms it.
    let online = reseller_core::resume(&req, &remembered).unwrap();
    assert_eq!(online.info(), &remembered);
    match reseller_core::verify(online.client(), online.info())
        .await
        .unwrap()
    {
        Verified::Confirmed(info) => assert_eq!(info, remembered),
        Verified::Unknown => panic!("the server was reachable"),
    }

    // A token that lost reseller access, or one the server does not know, is refused: the
    // memory does not paper over it.
    for (token, code) in [
        (sandbox.resellee_token(), "no_reseller_access"),
        ("tok-unknownunknown", "unauthorized"),
    ] {
        let other = request(sandbox.base_url(), token, AuthStyleSetting::ZoomKey);
        let session = reseller_core::resume(&other, &remembered).unwrap();
        let err = reseller_core::verify(session.client(), session.info())
            .await
            .err()
            .unwrap();
        assert_eq!(err.code(), code, "{err}");
    }

    // Offline: the remembered account, for browsing the cache; the check cannot be made.
    sandbox.kill();
    let offline = reseller_core::resume(&req, &remembered).unwrap();
    assert_eq!(offline.info(), &remembered);
    assert!(matches!(
        reseller_core::verify(offline.client(), offline.info())
            .await
            .unwrap(),
        Verified::Unknown
    ));
    // ...and only for the server it was remembered for.
    let elsewhere = request(
        "http://127.0.0.1:9",
        "tok-abcdefabcdef",
        AuthStyleSetting::ZoomKey,
    );
    let err = reseller_core::resume(&elsewhere, &remembered)
        .err()
        .unwrap();
    assert_eq!(err.field(), Some("baseUrl"));
}

/// How a server can differ on `account/me`: not there at all, or answering in another shape.
#[derive(Clone, Copy, Debug)]
enum AccountMe {
    Missing,
    ForeignShape,
}

async fn sandbox_where(account_me: AccountMe) -> Sandbox {
    let disabled_gaps = match account_me {
        AccountMe::Missing => BTreeSet::from([Gap::AccountMe]),
        AccountMe::ForeignShape => BTreeSet::new(),
    };
    let sandbox = start(SandboxConfig {
        customers: 5,
        disabled_gaps,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    if let AccountMe::ForeignShape = account_me {
        // Another product's idea of "who am I": no id, no email, no roles we can read.
        sandbox.set_faults(FaultConfig {
            answer: Some(CannedAnswer {
                method: "GET".into(),
                route: "/account/me".into(),
                status: 200,
                body: json!({"data": {"user": {"login": "noor", "groups": ["partners"]}}}),
            }),
            ..FaultConfig::default()
        });
    }
    sandbox
}

fn host_of(sandbox: &Sandbox) -> String {
    sandbox.base_url().trim_start_matches("http://").to_string()
}

#[tokio::test]
async fn without_a_usable_account_me_the_reseller_routes_decide_the_role() {
    for shape in [AccountMe::Missing, AccountMe::ForeignShape] {
        let sandbox = sandbox_where(shape).await;

        // The reseller token: the customer list answers, so it is a reseller, and says so.
        let session = sign_in(request(
            sandbox.base_url(),
            sandbox.reseller_token(),
            AuthStyleSetting::ZoomKey,
        ))
        .await
        .unwrap_or_else(|e| panic!("{shape:?}: {e}"));
        let info = session.info();
        assert_eq!(info.role_source, RoleSource::ResellerRoutes, "{shape:?}");
        assert_eq!(
            info.display_name,
            format!("Reseller account at {}", host_of(&sandbox)),
            "{shape:?}"
        );
        // Nothing is made up: what the server did not say stays unknown.
        assert_eq!(info.email, "", "{shape:?}");
        assert_eq!(info.organization_name, None, "{shape:?}");
        assert_eq!(info.organization_id, None, "{shape:?}");
        assert!(info.roles.is_empty(), "{shape:?}");
        assert_eq!(info.base_url, sandbox.base_url());
        // The session works: the list the role was decided by is there.
        let page = session
            .client()
            .list_customers(&Default::default())
            .await
            .unwrap();
        assert_eq!(page.items.len(), 5);

        // The resellee token: the reseller routes answer 403, so no reseller access.
        let err = sign_in(request(
            sandbox.base_url(),
            sandbox.resellee_token(),
            AuthStyleSetting::ZoomKey,
        ))
        .await
        .err()
        .unwrap_or_else(|| panic!("{shape:?}: a resellee got in"));
        assert!(
            matches!(err, CoreError::NoResellerAccess { .. }),
            "{shape:?}: {err}"
        );
        assert!(err.to_string().contains(&host_of(&sandbox)), "{err}");

        // An unknown token is still an unknown token.
        let err = sign_in(request(
            sandbox.base_url(),
            "tok-unknownunknown",
            AuthStyleSetting::ZoomKey,
        ))
        .await
        .err()
        .unwrap();
        assert_eq!(err.code(), "unauthorized", "{shape:?}: {err}");
    }
}

#[tokio::test]
async fn an_account_that_names_no_role_is_decided_by_the_routes_too() {
    let sandbox = start(SandboxConfig {
        customers: 2,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    // An account body we can read, but which names neither a role nor an organisation.
    sandbox.set_faults(FaultConfig {
        answer: Some(CannedAnswer {
            method: "GET".into(),
            route: "/account/me".into(),
            status: 200,
            body: json!({"id": 7, "email": "noor@northwind.example", "first_name": "Noor"}),
        }),
        ..FaultConfig::default()
    });
    let session = sign_in(request(
        sandbox.base_url(),
        sandbox.reseller_token(),
        AuthStyleSetting::ZoomKey,
    ))
    .await
    .unwrap();
    let info = session.info();
    assert_eq!(info.role_source, RoleSource::ResellerRoutes);
    // What the account did say is true and kept.
    assert_eq!(info.display_name, "Noor");
    assert_eq!(info.email, "noor@northwind.example");
    let err = sign_in(request(
        sandbox.base_url(),
        sandbox.resellee_token(),
        AuthStyleSetting::ZoomKey,
    ))
    .await
    .err()
    .unwrap();
    assert_eq!(err.code(), "no_reseller_access");
    assert!(err.to_string().contains("Noor"), "{err}");
}

#[tokio::test]
async fn when_the_routes_decide_nothing_the_account_me_error_stands() {
    let sandbox = sandbox_where(AccountMe::Missing).await;
    // The customer list is refused with a 404 too: nothing is decided.
    sandbox.set_faults(FaultConfig {
        refusal: Some(scriptix_sandbox::Refusal {
            method: "GET".into(),
            route: "/reseller/customer".into(),
            exact: false,
            status: 404,
            message: "No such endpoint.".into(),
        }),
        ..FaultConfig::default()
    });
    let err = sign_in(request(
        sandbox.base_url(),
        sandbox.reseller_token(),
        AuthStyleSetting::ZoomKey,
    ))
    .await
    .err()
    .unwrap();
    assert_eq!(err.code(), "not_supported", "{err}");
}

#[tokio::test]
async fn a_remembered_account_is_verified_through_the_routes_when_account_me_is_missing() {
    let sandbox = sandbox_where(AccountMe::Missing).await;
    let req = request(
        sandbox.base_url(),
        sandbox.reseller_token(),
        AuthStyleSetting::ZoomKey,
    );
    let remembered = sign_in(req.clone()).await.unwrap().info().clone();
    let session = reseller_core::resume(&req, &remembered).unwrap();
    match reseller_core::verify(session.client(), session.info())
        .await
        .unwrap()
    {
        Verified::Confirmed(info) => assert_eq!(info, remembered),
        Verified::Unknown => panic!("the server was reachable"),
    }

    // An account remembered while account/me answered keeps its name and organisation (and
    // its offline copy, keyed by them), and now says where its role came from.
    let named = reseller_core::SessionInfo {
        display_name: "Noor Jansen".into(),
        email: "partners@northwind-speech.example".into(),
        organization_name: Some("Northwind Speech Partners".into()),
        organization_id: Some(1000),
        roles: vec!["RESELLER".into()],
        role_source: RoleSource::Account,
        ..remembered.clone()
    };
    match reseller_core::verify(session.client(), &named)
        .await
        .unwrap()
    {
        Verified::Confirmed(info) => assert_eq!(
            info,
            reseller_core::SessionInfo {
                role_source: RoleSource::ResellerRoutes,
                ..named.clone()
            }
        ),
        Verified::Unknown => panic!("the server was reachable"),
    }

    // The resellee's token is refused by the routes: the session ends.
    let other = request(
        sandbox.base_url(),
        sandbox.resellee_token(),
        AuthStyleSetting::ZoomKey,
    );
    let session = reseller_core::resume(&other, &remembered).unwrap();
    let err = reseller_core::verify(session.client(), session.info())
        .await
        .err()
        .unwrap();
    assert_eq!(err.code(), "no_reseller_access", "{err}");
}

#[tokio::test]
async fn http_to_another_computer_and_credentials_in_the_address_are_refused_before_any_request() {
    for (address, words) in [
        ("http://example.invalid", "unencrypted"),
        ("https://ada:s3cret@api.scriptix.io", "user:password@"),
    ] {
        let err = sign_in(request(
            address,
            "tok-1234567890",
            AuthStyleSetting::ZoomKey,
        ))
        .await
        .err()
        .unwrap();
        assert_eq!(err.field(), Some("baseUrl"), "{address}");
        assert!(err.to_string().contains(words), "{address}: {err}");
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }
}
