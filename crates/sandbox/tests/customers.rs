//! Customers over real HTTP: seeding, paging/sort/filter/search, CRUD quirks, validation, auth.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};

#[tokio::test]
async fn seeding_is_deterministic_realistic_and_phones_are_valid() {
    let a = sandbox(250).await;
    let b = sandbox(250).await;
    let c = scriptix_sandbox::start(scriptix_sandbox::SandboxConfig {
        seed: 43,
        ..config(250)
    })
    .await
    .unwrap();
    let (ca, cb, cc) = (
        Api::new(&a).all_customers().await,
        Api::new(&b).all_customers().await,
        Api::new(&c).all_customers().await,
    );
    assert_eq!(ca.len(), 250);
    assert_eq!(ca, cb, "same seed, same customers");
    assert_ne!(ca, cc, "another seed, other customers");

    assert_eq!(ca[0]["id"], 1001, "ids do not start at 1");
    let mut countries = BTreeSet::new();
    let mut without_phone = 0;
    for cust in &ca {
        match cust["phone"].as_str() {
            Some(p) => {
                let n = phonenumber::parse(None, p).unwrap_or_else(|e| panic!("{p}: {e}"));
                assert!(phonenumber::is_valid(&n), "{p} is not valid");
                countries.insert(n.code().value());
            }
            None => without_phone += 1,
        }
        assert!(
            cust["last_modified"].as_str().unwrap() >= cust["registration_date"].as_str().unwrap()
        );
        assert!(cust["email"].as_str().unwrap().contains('@'));
    }
    assert!(
        countries.len() >= 10,
        "phones from only {} countries",
        countries.len()
    );
    assert!(without_phone > 0 && without_phone < 100);
    let active = ca.iter().filter(|c| c["is_active"] == true).count();
    assert!((180..=235).contains(&active), "{active} of 250 active");
    let mut by_modified: HashMap<&str, usize> = HashMap::new();
    for cust in &ca {
        *by_modified
            .entry(cust["last_modified"].as_str().unwrap())
            .or_default() += 1;
    }
    assert!(
        by_modified.values().any(|&n| n >= 5),
        "a bulk-import group shares one last_modified"
    );
    let ts = ca[0]["registration_date"].as_str().unwrap();
    assert!(
        ts.ends_with("+00:00") && ts.len() == "2021-01-25T10:31:46.960411+00:00".len(),
        "{ts}"
    );
}

#[tokio::test]
async fn paging_sorting_and_filtering_follow_the_contract() {
    let sb = sandbox(120).await;
    let api = Api::new(&sb);
    for bad in [
        "limit=0",
        "limit=1001",
        "limit=ten",
        "offset=-1",
        "sort=colour",
        "direction=sideways",
        "filter=colour%3Dred",
        "filter=is_active%3Dmaybe",
        "filter=nokeyvalue",
    ] {
        let (_, field) = error_of(api.get(&format!("{CUSTOMERS}?{bad}")).await, 400).await;
        assert_eq!(field, None, "400 carries no validation details ({bad})");
    }
    let first = api.ok(CUSTOMERS).await;
    assert_eq!(first["count"], 10, "default limit 10");
    assert_eq!(first["total_results"], 120);
    let past = api.ok(&format!("{CUSTOMERS}?offset=120")).await;
    assert_eq!(
        (past["count"].clone(), past["total_results"].clone()),
        (json!(0), json!(120))
    );
    assert_eq!(past["result"], json!([]));

    // Text sorts are case-insensitive.
    let by_name = api
        .ok(&format!("{CUSTOMERS}?sort=name&direction=asc&limit=1000"))
        .await;
    let names: Vec<String> = by_name["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_lowercase())
        .collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]));

    // Ties broken by id ascending, in both directions, so paging is stable.
    for dir in ["asc", "desc"] {
        let mut seen = Vec::new();
        for offset in (0..120).step_by(7) {
            let page = api
                .ok(&format!(
                    "{CUSTOMERS}?sort=last_modified&direction={dir}&limit=7&offset={offset}"
                ))
                .await;
            seen.extend(page["result"].as_array().unwrap().clone());
        }
        assert_eq!(seen.len(), 120);
        let ids: BTreeSet<i64> = seen.iter().map(|c| c["id"].as_i64().unwrap()).collect();
        assert_eq!(ids.len(), 120, "no row twice, none missing");
        for w in seen.windows(2) {
            let (a, b) = (
                w[0]["last_modified"].as_str().unwrap(),
                w[1]["last_modified"].as_str().unwrap(),
            );
            if a == b {
                assert!(
                    w[0]["id"].as_i64() < w[1]["id"].as_i64(),
                    "tie not by id asc"
                );
            } else {
                assert_eq!(a < b, dir == "asc");
            }
        }
    }

    // Filters: both encodings of the inner '=', ANDed.
    let active = api
        .ok(&format!("{CUSTOMERS}?filter=is_active%3Dtrue&limit=1000"))
        .await;
    let raw = api
        .ok(&format!("{CUSTOMERS}?filter=is_active=true&limit=1000"))
        .await;
    assert_eq!(active, raw);
    assert!(active["result"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["is_active"] == true));
    let one = &active["result"][0];
    let email = one["email"].as_str().unwrap();
    let both = api
        .req(Method::GET, CUSTOMERS)
        .query(&[
            ("filter", format!("email={email}")),
            ("filter", "is_active=false".into()),
        ])
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(both["total_results"], 0);

    // G2: q over name/email/phone, case-insensitive; modified_since.
    let name = one["name"].as_str().unwrap().to_uppercase();
    let found = api
        .req(Method::GET, CUSTOMERS)
        .query(&[("q", name.as_str()), ("limit", "1000")])
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert!(found["result"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == one["id"]));
    let since = "2026-01-01T00:00:00Z";
    let recent = api
        .req(Method::GET, CUSTOMERS)
        .query(&[("modified_since", since), ("limit", "1000")])
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let all = api.all_customers().await;
    let expected = all
        .iter()
        .filter(|c| c["last_modified"].as_str().unwrap() >= "2026-01-01T00:00:00.000000+00:00")
        .count();
    assert_eq!(recent["total_results"], expected);
    error_of(
        api.get(&format!("{CUSTOMERS}?modified_since=soon")).await,
        400,
    )
    .await;
}

#[tokio::test]
async fn create_get_update_delete_with_the_documented_quirks() {
    let sb = sandbox(20).await;
    let api = Api::new(&sb);
    let r = api.json(Method::POST, CUSTOMERS, json!({"name": "  Voorbeeld BV ", "email": "it@voorbeeld.nl", "phone": "+31 20 123 4567"})).await;
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    assert_eq!(
        (created["count"].clone(), created["total_results"].clone()),
        (json!(1), json!(1))
    );
    let c = &created["result"];
    assert_eq!(c["name"], "Voorbeeld BV");
    assert_eq!(c["is_active"], true);
    let id = c["id"].as_i64().unwrap();
    assert!(id > 1020);

    // Both route forms, answered directly.
    for path in [
        format!("{CUSTOMERS}{id}/"),
        format!("{CUSTOMERS}{id}"),
        format!("/api/v3/reseller/customer/{id}"),
    ] {
        let r = api.get(&path).await;
        assert_eq!(r.status(), 200, "{path}");
    }
    assert_eq!(
        api.get("/api/v3/reseller/customer?limit=1").await.status(),
        200
    );

    // PUT replaces: phone left out is cleared; answers 201; registration fixed; last_modified up.
    let r = api
        .json(
            Method::PUT,
            &format!("{CUSTOMERS}{id}/"),
            json!({"name": "Voorbeeld B.V.", "email": "it@voorbeeld.nl", "is_active": false}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let updated: Value = r.json().await.unwrap();
    let u = &updated["result"];
    assert_eq!(u["phone"], Value::Null);
    assert_eq!(u["is_active"], false);
    assert_eq!(u["registration_date"], c["registration_date"]);
    assert!(u["last_modified"].as_str().unwrap() > c["last_modified"].as_str().unwrap());
    let again = api
        .json(
            Method::PUT,
            &format!("{CUSTOMERS}{id}"),
            json!({"name": "Voorbeeld B.V.", "email": "it@voorbeeld.nl"}),
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(
        again["result"]["is_active"], true,
        "is_active left out = true"
    );
    assert!(
        again["result"]["last_modified"].as_str().unwrap() > u["last_modified"].as_str().unwrap()
    );

    let r = api
        .req(Method::DELETE, &format!("{CUSTOMERS}{id}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert!(r.bytes().await.unwrap().is_empty());
    error_of(api.get(&format!("{CUSTOMERS}{id}/")).await, 404).await;
    error_of(
        api.req(Method::DELETE, &format!("{CUSTOMERS}{id}/"))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    error_of(
        api.json(
            Method::PUT,
            &format!("{CUSTOMERS}{id}/"),
            json!({"name": "x", "email": "a@b.nl"}),
        )
        .await,
        404,
    )
    .await;
    error_of(api.get(&format!("{CUSTOMERS}abc/")).await, 404).await;
    let listed = api.all_customers().await;
    assert!(listed.iter().all(|c| c["id"] != id));
}

#[tokio::test]
async fn last_modified_strictly_increases_across_the_server() {
    let sb = sandbox(5).await;
    let api = Api::new(&sb);
    let mut last = String::new();
    for i in 0..15 {
        let id = 1001 + (i % 5);
        let r = api
            .json(
                Method::PUT,
                &format!("{CUSTOMERS}{id}/"),
                json!({"name": format!("Name {i}"), "email": "a@b.nl"}),
            )
            .await;
        let lm = r.json::<Value>().await.unwrap()["result"]["last_modified"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(lm > last, "{lm} <= {last}");
        last = lm;
    }
}

#[tokio::test]
async fn validation_errors_name_the_field() {
    let sb = sandbox(3).await;
    let api = Api::new(&sb);
    let long = "x".repeat(201);
    let cases = [
        (json!({"email": "a@b.nl"}), "name"),
        (json!({"name": "   ", "email": "a@b.nl"}), "name"),
        (json!({"name": long, "email": "a@b.nl"}), "name"),
        (json!({"name": 5, "email": "a@b.nl"}), "name"),
        (json!({"name": "A"}), "email"),
        (json!({"name": "A", "email": "not-an-email"}), "email"),
        (
            json!({"name": "A", "email": "a@b.nl", "phone": "0612345678"}),
            "phone",
        ),
        (
            json!({"name": "A", "email": "a@b.nl", "phone": "+31 12"}),
            "phone",
        ),
        (
            json!({"name": "A", "email": "a@b.nl", "is_active": "yes"}),
            "is_active",
        ),
    ];
    for (body, field) in cases {
        let (_, got) = error_of(api.json(Method::POST, CUSTOMERS, body.clone()).await, 422).await;
        assert_eq!(got.as_deref(), Some(field), "{body}");
        let (_, got) = error_of(
            api.json(Method::PUT, &format!("{CUSTOMERS}1001/"), body.clone())
                .await,
            422,
        )
        .await;
        assert_eq!(got.as_deref(), Some(field), "PUT {body}");
    }
    let ok = api
        .json(
            Method::POST,
            CUSTOMERS,
            json!({"name": &"y".repeat(200), "email": "a@b.nl", "phone": ""}),
        )
        .await;
    assert_eq!(
        ok.status(),
        201,
        "200 characters and an empty phone are fine"
    );
    let r = api
        .req(Method::POST, CUSTOMERS)
        .body("{not json")
        .send()
        .await
        .unwrap();
    error_of(r, 400).await;
}

#[tokio::test]
async fn authentication_and_roles() {
    let sb = sandbox(3).await;
    let http = client();
    let url = format!("{}{CUSTOMERS}", sb.base_url());
    error_of(http.get(&url).send().await.unwrap(), 401).await;
    error_of(
        http.get(&url)
            .header("x-zoom-s2t-key", "nope")
            .send()
            .await
            .unwrap(),
        401,
    )
    .await;
    let r = http
        .get(&url)
        .header("X-Zoom-S2T-Key", sb.reseller_token())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = http
        .get(&url)
        .header("AUTHORIZATION", format!("bearer {}", sb.reseller_token()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    error_of(
        http.get(&url)
            .bearer_auth(sb.resellee_token())
            .send()
            .await
            .unwrap(),
        403,
    )
    .await;
    error_of(
        http.get(format!("{}/api/v3/reseller/dashboard", sb.base_url()))
            .header("x-zoom-s2t-key", sb.resellee_token())
            .send()
            .await
            .unwrap(),
        403,
    )
    .await;

    let me = |token: String| {
        let http = http.clone();
        let url = format!("{}/api/v3/account/me", sb.base_url());
        async move {
            http.get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let reseller = me(sb.reseller_token().into()).await;
    assert_eq!(reseller["result"]["roles"], json!(["RESELLER", "ORGADMIN"]));
    assert_eq!(reseller["result"]["organization"]["is_reseller"], true);
    assert_eq!(
        reseller["result"]["organization"]["name"],
        "Northwind Speech Partners"
    );
    let resellee = me(sb.resellee_token().into()).await;
    assert_eq!(
        resellee["result"]["roles"],
        json!(["RESELLEE", "CONTRIBUTOR"])
    );
    assert_eq!(resellee["result"]["organization"]["is_reseller"], false);
    assert_eq!(resellee["result"]["organization"]["id"], 1001);
    error_of(
        http.get(format!("{}/api/v3/nothing/here", sb.base_url()))
            .bearer_auth(sb.reseller_token())
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
}
