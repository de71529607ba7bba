//! What the sandbox never sends: HTML pages, truncated bodies, redirects, odd headers. A tiny
//! scripted HTTP server on loopback answers each connection with the next canned response.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::within;
use scriptix_api::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

struct Scripted {
    base: String,
    /// The request heads received, in order.
    seen: Arc<Mutex<Vec<String>>>,
}

/// Serves `answers` in order, one per connection; the last one repeats.
async fn scripted(answers: Vec<String>) -> Scripted {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        let mut n = 0;
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let answer = answers[n.min(answers.len() - 1)].clone();
            n += 1;
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                match sock.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(k) => buf.extend_from_slice(&chunk[..k]),
                }
            }
            log.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&buf).to_string());
            let _ = sock.write_all(answer.as_bytes()).await;
            let _ = sock.shutdown().await;
        }
    });
    Scripted { base, seen }
}

fn response(status: &str, content_type: &str, extra: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n{body}",
        body.len()
    )
}

fn json(status: &str, body: &str) -> String {
    response(status, "application/json", "", body)
}

fn client(s: &Scripted, change: impl FnOnce(&mut ClientConfig)) -> Client {
    let mut c = ClientConfig::new(&s.base, "sk_secret_token");
    c.max_retries = 2;
    change(&mut c);
    Client::new(c).unwrap()
}

const CUSTOMER: &str = r#"{"id": 7, "name": "A", "email": "a@b.nl", "phone": null, "is_active": true,
    "registration_date": "2021-01-25T10:31:46.960411+00:00", "last_modified": "2025-01-17T10:00:00Z"}"#;

#[tokio::test]
async fn headers_auth_styles_and_query_encoding() {
    let s = scripted(vec![json(
        "200 OK",
        r#"{"result": [], "count": 0, "total_results": 0}"#,
    )])
    .await;
    let api = client(&s, |_| {});
    api.list_customers(&CustomerQuery {
        filters: vec![("is_active".into(), "true".into())],
        q: Some("a b&c".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    let bearer = client(&s, |c| c.auth_style = AuthStyle::Bearer);
    bearer.get_customer(7).await.unwrap_err();
    let seen = s.seen.lock().unwrap().clone();
    let first = seen[0].to_lowercase();
    assert!(
        first.starts_with(
            "get /api/v3/reseller/customer/?filter=is_active%3dtrue&q=a+b%26c http/1.1"
        ),
        "{first}"
    );
    assert!(first.contains("x-zoom-s2t-key: sk_secret_token"));
    assert!(first.contains("user-agent: scriptixresellerdesktop/"));
    assert!(!first.contains("authorization"));
    let second = seen[1].to_lowercase();
    assert!(
        second.starts_with("get /api/v3/reseller/customer/7/ "),
        "{second}"
    );
    assert!(second.contains("authorization: bearer sk_secret_token"));
    assert!(!second.contains("x-zoom-s2t-key"));
}

#[tokio::test]
async fn html_instead_of_json_is_malformed() {
    let s = scripted(vec![response(
        "200 OK",
        "text/html",
        "",
        "<html><body>Login</body></html>",
    )])
    .await;
    let e = client(&s, |_| {}).get_customer(7).await.unwrap_err();
    assert_eq!(e.code(), "malformed");
    assert!(e.to_string().contains("HTML"), "{e}");
}

#[tokio::test]
async fn wrong_types_in_a_single_object_are_malformed() {
    let s = scripted(vec![json(
        "200 OK",
        r#"{"result": {"id": "seven", "name": 1}}"#,
    )])
    .await;
    let e = client(&s, |_| {}).get_customer(7).await.unwrap_err();
    assert_eq!(e.code(), "malformed");
}

#[tokio::test]
async fn a_page_keeps_good_records_and_sets_bad_ones_aside() {
    let long = "x".repeat(10_001);
    let body = format!(
        r#"{{"result": [{CUSTOMER}, {{"id": 8, "name": "{long}", "email": "e@x.nl", "is_active": true,
            "registration_date": "2021-01-25T10:31:46.960411+00:00", "last_modified": "2021-01-25T10:31:46.960411+00:00"}},
            {{"id": 9, "name": "B"}}, {CUSTOMER}], "count": 4, "total_results": 40}}"#
    );
    let s = scripted(vec![json("200 OK", &body)]).await;
    let page = client(&s, |_| {})
        .list_customers(&CustomerQuery::default())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    assert_eq!((page.count, page.total), (4, Some(40)));
    let rejected: Vec<(usize, Option<i64>)> =
        page.rejected.iter().map(|r| (r.index, r.id)).collect();
    assert_eq!(rejected, vec![(1, Some(8)), (2, Some(9))]);
}

#[tokio::test]
async fn a_truncated_body_is_retried_for_get_and_not_for_post() {
    let cut = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\nConnection: close\r\n\r\n{\"result\": {\"id\": 7".to_string();
    let s = scripted(vec![cut.clone(), json("200 OK", CUSTOMER)]).await;
    let api = client(&s, |_| {});
    let c = api.get_customer(7).await.unwrap();
    assert_eq!(c.id, 7);
    assert_eq!(api.requests_sent(), 2);

    let s = scripted(vec![cut]).await;
    let api = client(&s, |_| {});
    let e = api
        .create_customer(&CustomerInput::new("A", "a@b.nl"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "malformed", "{e:?}");
    assert!(e.to_string().contains("may have been applied"), "{e}");
    assert_eq!(api.requests_sent(), 1);
    // A GET whose every answer is cut: malformed after the retries.
    let e = api.get_customer(7).await.unwrap_err();
    assert_eq!(e.code(), "malformed");
    assert_eq!(api.requests_sent(), 4);
}

#[tokio::test]
async fn gateway_pages_are_server_errors_after_retries() {
    let s = scripted(vec![response(
        "502 Bad Gateway",
        "text/html",
        "",
        "<html><h1>502 Bad Gateway</h1></html>",
    )])
    .await;
    let api = client(&s, |_| {});
    let e = api.get_customer(7).await.unwrap_err();
    assert_eq!(
        e,
        ApiError::Server {
            status: 502,
            message: "bad gateway".into()
        }
    );
    assert_eq!(api.requests_sent(), 3);
}

#[tokio::test]
async fn gap_404_and_405_are_not_supported_even_with_html() {
    let s = scripted(vec![
        response("404 Not Found", "text/html", "", "<html>nope</html>"),
        response(
            "405 Method Not Allowed",
            "text/plain",
            "",
            "Method Not Allowed",
        ),
        response("404 Not Found", "text/html", "", "<html>nope</html>"),
        json(
            "405 Method Not Allowed",
            r#"{"detail": "Method Not Allowed"}"#,
        ),
    ])
    .await;
    let api = client(&s, |_| {});
    assert_eq!(
        api.dashboard(&DateRange::default())
            .await
            .unwrap_err()
            .code(),
        "not_supported"
    );
    assert_eq!(
        api.upload_logo(vec![1], "image/png", "x.png")
            .await
            .unwrap_err()
            .code(),
        "not_supported"
    );
    // On a documented route, 404 means the record is gone and 405 is a plain refusal.
    assert_eq!(api.get_customer(7).await.unwrap_err().code(), "not_found");
    let e = api.delete_customer(7).await.unwrap_err();
    assert_eq!(
        e,
        ApiError::Rejected {
            status: 405,
            message: "Method Not Allowed".into()
        }
    );
}

#[tokio::test]
async fn error_shapes_reach_the_caller() {
    let s = scripted(vec![
        json("400 Bad Request", r#"{"error": {"code": 400, "message": "Bad email", "details": {"field": "email", "issue": "x"}}}"#),
        json("400 Bad Request", r#"{"error": "invalid_request", "error_description": "limit too large"}"#),
        json("409 Conflict", r#"{"message": "Duplicate"}"#),
        json("403 Forbidden", r#"{"err": "no reseller role"}"#),
    ])
    .await;
    let api = client(&s, |_| {});
    let e = api
        .create_customer(&CustomerInput::new("A", "bad"))
        .await
        .unwrap_err();
    assert_eq!(
        e,
        ApiError::Validation {
            field: Some("email".into()),
            message: "Bad email".into()
        }
    );
    let e = api
        .list_customers(&CustomerQuery::default())
        .await
        .unwrap_err();
    assert_eq!(
        e,
        ApiError::BadRequest {
            message: "invalid_request".into()
        }
    );
    let e = api
        .create_customer(&CustomerInput::new("A", "a@b.nl"))
        .await
        .unwrap_err();
    assert_eq!(
        e,
        ApiError::Rejected {
            status: 409,
            message: "Duplicate".into()
        }
    );
    let e = api.get_customer(1).await.unwrap_err();
    assert_eq!(
        e,
        ApiError::Forbidden {
            message: "no reseller role".into()
        }
    );
}

#[tokio::test]
async fn retry_after_as_an_http_date_and_in_the_body() {
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(1))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    let s = scripted(vec![
        response(
            "429 Too Many Requests",
            "application/json",
            &format!("Retry-After: {soon}\r\n"),
            r#"{"error": "rate_limit_exceeded", "message": "slow down"}"#,
        ),
        json(
            "429 Too Many Requests",
            r#"{"error": "Rate Limit Exceeded", "error_code": "RATE_LIMIT_EXCEEDED", "retry_after": 1}"#,
        ),
        json("201 Created", CUSTOMER),
    ])
    .await;
    let api = client(&s, |_| {});
    // A POST refused with 429 was not processed: it is re-sent.
    let c = within(30, api.create_customer(&CustomerInput::new("A", "a@b.nl")))
        .await
        .unwrap();
    assert_eq!(c.id, 7);
    assert_eq!(api.requests_sent(), 3);
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let s = scripted(vec![response(
        "302 Found",
        "text/plain",
        "Location: http://elsewhere.invalid/steal\r\n",
        "",
    )])
    .await;
    let api = client(&s, |_| {});
    let e = api.get_customer(7).await.unwrap_err();
    assert!(matches!(e, ApiError::Rejected { status: 302, .. }), "{e:?}");
    assert_eq!(api.requests_sent(), 1);
}

#[tokio::test]
async fn the_token_is_not_sent_to_another_origin() {
    let logo = response("200 OK", "image/png", "", "PNGDATA");
    let home = scripted(vec![logo.clone()]).await;
    let other = scripted(vec![logo]).await;
    let api = client(&home, |_| {});
    let (bytes, ct) = api
        .fetch_logo(&format!("{}/api/v3/reseller/branding/logo", other.base))
        .await
        .unwrap();
    assert_eq!(
        (bytes.as_slice(), ct.as_str()),
        (&b"PNGDATA"[..], "image/png")
    );
    assert!(!other.seen.lock().unwrap()[0]
        .to_lowercase()
        .contains("sk_secret_token"));
    api.fetch_logo("/api/v3/reseller/branding/logo")
        .await
        .unwrap();
    assert!(home.seen.lock().unwrap()[0].contains("sk_secret_token"));
    let e = api.fetch_logo("file:///etc/passwd").await.unwrap_err();
    assert_eq!(e.field(), Some("logo_url"));
}

#[tokio::test]
async fn a_hanging_server_times_out_as_offline() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            held.push(sock); // accept, never answer
        }
    });
    let mut c = ClientConfig::new(base, "t");
    c.request_timeout = Duration::from_millis(300);
    c.max_retries = 1;
    let api = Client::new(c).unwrap();
    let e = within(30, api.get_customer(1)).await.unwrap_err();
    assert!(e.is_offline(), "{e:?}");
    assert!(e.to_string().contains("no answer within"), "{e}");
    assert_eq!(api.requests_sent(), 2);
}

#[tokio::test]
async fn a_delete_answered_404_after_a_lost_answer_succeeded() {
    let not_found = json(
        "404 Not Found",
        r#"{"error": {"code": 404, "message": "No customer"}}"#,
    );
    let s = scripted(vec![String::new(), not_found.clone()]).await;
    let api = client(&s, |_| {});
    api.delete_customer(7).await.unwrap();
    assert_eq!(api.requests_sent(), 2);
    assert!(s
        .seen
        .lock()
        .unwrap()
        .iter()
        .all(|h| h.starts_with("DELETE /api/v3/reseller/customer/7/ ")));

    // Without a lost answer before it, a 404 is a 404.
    let s = scripted(vec![not_found]).await;
    let api = client(&s, |_| {});
    let e = api.delete_customer(7).await.unwrap_err();
    assert_eq!(
        e,
        ApiError::NotFound {
            message: "No customer".into()
        }
    );

    // And a lost answer to a POST is not re-sent.
    let s = scripted(vec![String::new(), json("201 Created", CUSTOMER)]).await;
    let api = client(&s, |_| {});
    let e = api
        .create_customer(&CustomerInput::new("A", "a@b.nl"))
        .await
        .unwrap_err();
    assert!(
        e.is_offline() && e.to_string().contains("may have reached the server"),
        "{e}"
    );
    assert_eq!(api.requests_sent(), 1);
}

/// A server that keeps saying "more": a whole list stops after a bounded number of pages with
/// a typed error, rather than paging for ever or handing out half a list as the whole.
#[tokio::test]
async fn a_list_that_never_ends_is_malformed_after_a_bounded_number_of_pages() {
    // 1000 records a page (none readable, no `total_results`): always a full page.
    let page = format!("[{}1]", "1,".repeat(999));
    let s = scripted(vec![json("200 OK", &page)]).await;
    let api = client(&s, |c| c.rate_limit_per_minute = 0);
    let e = within(60, api.customer_users(7)).await.unwrap_err();
    assert_eq!(e.code(), "malformed", "{e:?}");
    assert!(e.to_string().contains("did not end after 100 pages"), "{e}");
    assert_eq!(api.requests_sent(), 100);
    let seen = s.seen.lock().unwrap().clone();
    assert!(seen[99].contains("offset=99000"), "{}", seen[99]);
}

/// Bodies past the client's limit are refused whether or not the server declares their length;
/// the client stops reading at the limit instead of buffering what a hostile server streams.
#[tokio::test]
async fn a_giant_body_is_refused_at_the_limit() {
    let giant = format!(
        r#"{{"result": [], "pad": "{}"}}"#,
        "x".repeat(17 * 1024 * 1024)
    );
    let declared = json("200 OK", &giant);
    // No Content-Length: the body runs until the connection closes.
    let undeclared = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{giant}"
    );
    for answer in [declared, undeclared] {
        let s = scripted(vec![answer]).await;
        let api = client(&s, |_| {});
        let e = within(60, api.list_customers(&CustomerQuery::default()))
            .await
            .unwrap_err();
        assert_eq!(e.code(), "malformed", "{e:?}");
        assert!(e.to_string().contains("larger than 16 MB"), "{e}");
        // Refused, not retried: another attempt would get the same.
        assert_eq!(api.requests_sent(), 1);
    }
}

/// An error answer is read only as far as its message needs: a 20 MiB error body costs 64 KiB,
/// and long messages and field names are clipped before they reach the user.
#[tokio::test]
async fn giant_error_bodies_and_strings_are_cut_short() {
    let giant = format!(r#"{{"message": "{}"}}"#, "m".repeat(20 * 1024 * 1024));
    let s = scripted(vec![json("500 Internal Server Error", &giant)]).await;
    let api = client(&s, |_| {});
    let e = within(60, api.get_customer(7)).await.unwrap_err();
    // The body was cut at the limit: its message is not there to read, the status still is.
    assert_eq!(
        e,
        ApiError::Server {
            status: 500,
            message: "internal server error".into()
        }
    );

    let long_field = format!(
        r#"{{"error": {{"code": 422, "message": "{}", "details": {{"field": "{}"}}}}}}"#,
        "é".repeat(20_000),
        "f".repeat(20_000)
    );
    let s = scripted(vec![json("422 Unprocessable Entity", &long_field)]).await;
    let e = client(&s, |_| {})
        .create_customer(&CustomerInput::new("A", "a@b.nl"))
        .await
        .unwrap_err();
    let ApiError::Validation { field, message } = &e else {
        panic!("{e:?}");
    };
    assert_eq!(field.as_deref().map(|f| f.chars().count()), Some(101));
    assert_eq!(message.chars().count(), 301);

    // Giant strings in records: each such record is set aside with a short reason.
    let huge = "z".repeat(1_000_000);
    let body = format!(
        r#"{{"result": [{CUSTOMER}, {{"id": "{huge}"}}, {{"id": 9, "name": "{huge}", "email": "e@x.nl",
            "registration_date": "2021-01-25T10:31:46Z", "last_modified": "2021-01-25T10:31:46Z"}}],
            "count": 3, "total_results": 3}}"#
    );
    let s = scripted(vec![json("200 OK", &body)]).await;
    let page = client(&s, |_| {})
        .list_customers(&CustomerQuery::default())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.rejected.len(), 2);
    for r in &page.rejected {
        assert!(!r.reason.is_empty());
        assert!(r.reason.chars().count() <= 301, "{}", r.reason.len());
    }
}
