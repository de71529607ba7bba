//! Signing in against a real sandbox over loopback HTTP.

use reseller_core::{sign_in, AuthStyleSetting, CoreError, SignInRequest, Verified};
use scriptix_sandbox::{start, SandboxConfig};

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
