//! Usage, transcripts and the gap endpoints (G1-G9), and switching gaps off.

mod common;

use std::collections::BTreeSet;

use common::*;
use reqwest::Method;
use scriptix_sandbox::{Gap, SandboxConfig};
use serde_json::{json, Value};

const C: &str = "/api/v3/reseller/customer/1001";

fn rows(v: &Value) -> Vec<Value> {
    v["result"].as_array().unwrap().clone()
}

fn units(rows: &[Value]) -> i64 {
    rows.iter().map(|r| r["units_used"].as_i64().unwrap()).sum()
}

#[tokio::test]
async fn usage_views_splits_ranges_and_summary_agree() {
    let sb = sandbox(5).await;
    let api = Api::new(&sb);
    let range = "date_from=2026-03-10&date_to=2026-06-10";
    let summary = api.ok(&format!("{C}/usage/summary?{range}")).await["result"].clone();
    assert_eq!(summary["unit"], "second");
    let total = summary["units_used"].as_i64().unwrap();
    assert!(total > 0, "an active customer has usage");
    assert!((summary["hours_processed"].as_f64().unwrap() - total as f64 / 3600.0).abs() < 0.01);
    let rate = summary["error_rate"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&rate));
    assert!(
        summary["finished_sessions"].as_i64().unwrap() <= summary["sessions"].as_i64().unwrap()
    );
    assert!(summary["active_users"].as_i64().unwrap() <= summary["total_users"].as_i64().unwrap());

    let mut counts = Vec::new();
    for view in ["day", "week", "month", "year", "invoice"] {
        for split in ["", "language", "token", "subscription", "period"] {
            let page = api
                .ok(&format!(
                    "{C}/usage?view={view}&split_by={split}&{range}&limit=1000"
                ))
                .await;
            let rs = rows(&page);
            assert_eq!(page["total_results"].as_u64().unwrap() as usize, rs.len());
            assert_eq!(
                units(&rs),
                total,
                "view {view} split {split} sums to the summary"
            );
            for r in &rs {
                let (s, e) = (
                    r["usage_period_start"].as_str().unwrap(),
                    r["usage_period_end"].as_str().unwrap(),
                );
                assert!(
                    s < e && s >= "2026-03-10" && e <= "2026-06-10",
                    "half-open within the range: {r}"
                );
                assert_eq!(r.get("language").is_some(), split == "language", "{r}");
                assert_eq!(r.get("token_name").is_some(), split == "token", "{r}");
                assert_eq!(
                    r.get("subscription_id").is_some(),
                    split == "subscription" || view == "invoice",
                    "{r}"
                );
                assert_eq!(r.get("cost").is_some(), view == "invoice", "{r}");
            }
            let starts: Vec<&str> = rs
                .iter()
                .map(|r| r["usage_period_start"].as_str().unwrap())
                .collect();
            assert!(
                starts.windows(2).all(|w| w[0] <= w[1]),
                "ordered by period start"
            );
            if split.is_empty() {
                counts.push((view, rs.len()));
            }
        }
    }
    let count = |v: &str| counts.iter().find(|(n, _)| *n == v).unwrap().1;
    assert!(
        count("day") <= 92 && count("day") > 40,
        "days: {}",
        count("day")
    );
    assert!(
        (13..=15).contains(&count("week")),
        "weeks: {}",
        count("week")
    );
    assert_eq!(count("month"), 4);
    assert_eq!(count("year"), 1);

    // Default paging, range validation, unknown views.
    assert_eq!(api.ok(&format!("{C}/usage?view=day")).await["count"], 10);
    let day = api
        .ok(&format!(
            "{C}/usage?view=day&date_from=2026-06-01&date_to=2026-06-02"
        ))
        .await;
    assert!(rows(&day)
        .iter()
        .all(|r| r["usage_period_start"] == "2026-06-01" && r["usage_period_end"] == "2026-06-02"));
    let empty = api
        .ok(&format!(
            "{C}/usage?view=day&date_from=2026-06-01&date_to=2026-06-01"
        ))
        .await;
    assert_eq!(empty["total_results"], 0);
    for bad in [
        "view=hourly",
        "split_by=colour",
        "date_from=2026-13-01",
        "date_from=2026-06-02&date_to=2026-06-01",
        "limit=0",
    ] {
        error_of(api.get(&format!("{C}/usage?{bad}")).await, 400).await;
    }
    error_of(api.get("/api/v3/reseller/customer/999999/usage").await, 404).await;
    // Deterministic: asked twice, the same answer.
    assert_eq!(
        api.ok(&format!("{C}/usage?view=month&limit=100")).await,
        api.ok(&format!("{C}/usage?view=month&limit=100")).await
    );
}

#[tokio::test]
async fn transcripts_list_with_statuses_sorting_and_filters() {
    let sb = sandbox(60).await;
    let api = Api::new(&sb);
    let mut statuses = BTreeSet::new();
    for id in 1001..1061 {
        let page = api
            .ok(&format!(
                "/api/v3/reseller/customer/{id}/transcript?limit=1000"
            ))
            .await;
        let rs = rows(&page);
        assert!((5..=40).contains(&rs.len()));
        for t in &rs {
            let status = t["status"].as_i64().unwrap();
            statuses.insert(status);
            let label = t["status_label"].as_str().unwrap();
            match status {
                0 => assert_eq!(label, "queued"),
                1 => assert_eq!(label, "processing"),
                2 => assert_eq!(label, "finished"),
                3 => assert_eq!(label, "error"),
                _ => assert!(label.starts_with("unknown")),
            }
            assert!(t["duration"].is_number() && t["session_id"].as_str().unwrap().len() == 26);
            assert!(t["is_deleted"].is_boolean() && t["language"].as_str().unwrap().contains('-'));
        }
        let starts: Vec<&str> = rs
            .iter()
            .map(|t| t["date_session_start"].as_str().unwrap())
            .collect();
        assert!(
            starts.windows(2).all(|w| w[0] >= w[1]),
            "newest first by default"
        );
    }
    assert_eq!(statuses, BTreeSet::from([0, 1, 2, 3, 7]));

    let t = "/api/v3/reseller/customer/1001/transcript";
    let by_duration = rows(
        &api.ok(&format!("{t}?sort=duration&direction=desc&limit=1000"))
            .await,
    );
    assert!(by_duration
        .windows(2)
        .all(|w| w[0]["duration"].as_f64() >= w[1]["duration"].as_f64()));
    let finished = api.ok(&format!("{t}?filter=status%3D2&limit=1000")).await;
    assert!(rows(&finished).iter().all(|r| r["status"] == 2));
    let first = &by_duration[0];
    let q = api
        .ok(&format!(
            "{t}?q={}",
            first["session_id"].as_str().unwrap().to_uppercase()
        ))
        .await;
    assert_eq!(q["total_results"], 1);
    let ranged = rows(
        &api.ok(&format!(
            "{t}?date_from=2026-01-01&date_to=2026-04-01&limit=1000"
        ))
        .await,
    );
    assert!(ranged.iter().all(|r| {
        let s = r["date_session_start"].as_str().unwrap();
        ("2026-01-01".."2026-04-01").contains(&s)
    }));
    error_of(api.get(&format!("{t}?sort=colour")).await, 400).await;
    error_of(
        api.get("/api/v3/reseller/customer/999999/transcript").await,
        404,
    )
    .await;
}

#[tokio::test]
async fn dashboard_totals_match_the_customer_list() {
    let sb = sandbox(80).await;
    let api = Api::new(&sb);
    let dash = api.ok("/api/v3/reseller/dashboard").await["result"].clone();
    let list_total = api.ok(CUSTOMERS).await["total_results"].clone();
    assert_eq!(dash["total_organizations"], list_total);
    let per = dash["customers"].as_array().unwrap();
    assert_eq!(json!(per.len()), list_total);
    assert_eq!(
        per.iter()
            .map(|c| c["units_used"].as_i64().unwrap())
            .sum::<i64>(),
        dash["units_used"].as_i64().unwrap()
    );
    assert!(
        dash["units_used"].as_i64().unwrap() > 0,
        "this month has usage"
    );
    assert_eq!(
        per.iter().filter(|c| c["is_active"] == true).count() as i64,
        dash["active_organizations"].as_i64().unwrap()
    );
    let recent = dash["recent_transcriptions"].as_array().unwrap();
    assert!(!recent.is_empty() && recent.len() <= 10);
    assert!(recent
        .iter()
        .all(|r| r["date_session_start"].as_str().unwrap() >= "2026-06-01"));
    // The per-customer figure agrees with that customer's summary.
    let c = &per[0];
    let summary = api
        .ok(&format!(
            "/api/v3/reseller/customer/{}/usage/summary?date_from=2026-06-01&date_to=2026-07-01",
            c["customer_id"]
        ))
        .await;
    assert_eq!(summary["result"]["units_used"], c["units_used"]);
    assert_eq!(summary["result"]["sessions"], c["sessions"]);
    // Deleting a customer changes both counts alike.
    api.req(Method::DELETE, &format!("{CUSTOMERS}1002/"))
        .send()
        .await
        .unwrap();
    let dash = api
        .ok("/api/v3/reseller/dashboard?date_from=2026-01-01&date_to=2026-07-01")
        .await["result"]
        .clone();
    assert_eq!(
        dash["total_organizations"],
        api.ok(CUSTOMERS).await["total_results"]
    );
}

#[tokio::test]
async fn tokens_show_their_key_once() {
    let sb = sandbox(3).await;
    let api = Api::new(&sb);
    let path = format!("{C}/token");
    let before = api.ok(&format!("{path}?limit=100")).await["total_results"]
        .as_u64()
        .unwrap();
    let r = api
        .json(
            Method::POST,
            &path,
            json!({"name": "CMS", "type": "batch", "expires_in_years": 2}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let created = r.json::<Value>().await.unwrap()["result"].clone();
    let key = created["key"].as_str().unwrap();
    assert!(key.len() > 30);
    assert!(created["expires_at"].as_str().unwrap() > created["created_at"].as_str().unwrap());
    let listed = api.ok(&format!("{path}?limit=100")).await;
    assert_eq!(listed["total_results"].as_u64().unwrap(), before + 1);
    assert!(!listed.to_string().contains(key), "the key is never listed");
    assert!(rows(&listed).iter().all(|t| t.get("key").is_none()));
    for (body, field) in [
        (
            json!({"name": "", "type": "batch", "expires_in_years": 1}),
            "name",
        ),
        (
            json!({"name": "x", "type": "live", "expires_in_years": 1}),
            "type",
        ),
        (
            json!({"name": "x", "type": "realtime", "expires_in_years": 3}),
            "expires_in_years",
        ),
    ] {
        let (_, f) = error_of(api.json(Method::POST, &path, body).await, 422).await;
        assert_eq!(f.as_deref(), Some(field));
    }
    let id = created["id"].as_i64().unwrap();
    let r = api
        .req(Method::DELETE, &format!("{path}/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    error_of(
        api.req(Method::DELETE, &format!("{path}/{id}"))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
}

#[tokio::test]
async fn users_create_update_reactivate_delete() {
    let sb = sandbox(3).await;
    let api = Api::new(&sb);
    let path = format!("{C}/user");
    let r = api
        .json(
            Method::POST,
            &path,
            json!({"email": "new.user@x.nl", "roles": ["CONTRIBUTOR"]}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let u = r.json::<Value>().await.unwrap()["result"].clone();
    assert_eq!(
        (
            u["is_active"].clone(),
            u["first_name"].clone(),
            u["reactivation_sent_at"].clone()
        ),
        (json!(true), Value::Null, Value::Null)
    );
    let id = u["id"].as_i64().unwrap();
    let r = api.json(Method::PUT, &format!("{path}/{id}"), json!({"email": "new.user@x.nl", "first_name": "Nieuw", "roles": ["DEVELOPER", "ORGADMIN"], "is_active": false})).await;
    assert_eq!(r.status(), 201);
    let u = r.json::<Value>().await.unwrap()["result"].clone();
    assert_eq!(
        (
            u["first_name"].clone(),
            u["roles"].clone(),
            u["is_active"].clone()
        ),
        (
            json!("Nieuw"),
            json!(["DEVELOPER", "ORGADMIN"]),
            json!(false)
        )
    );
    let r = api
        .req(Method::POST, &format!("{path}/{id}/reactivate"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let listed = rows(&api.ok(&format!("{path}?limit=100")).await);
    let again = listed.iter().find(|x| x["id"] == id).unwrap();
    assert!(again["reactivation_sent_at"].is_string());
    for (body, field) in [
        (json!({"email": "x@x.nl", "roles": []}), "roles"),
        (json!({"email": "x@x.nl", "roles": ["RESELLER"]}), "roles"),
        (json!({"email": "x@x.nl"}), "roles"),
        (json!({"email": "nope", "roles": ["CUSTOMER"]}), "email"),
    ] {
        let (_, f) = error_of(api.json(Method::POST, &path, body).await, 422).await;
        assert_eq!(f.as_deref(), Some(field));
    }
    assert_eq!(
        api.req(Method::DELETE, &format!("{path}/{id}"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    error_of(
        api.req(Method::POST, &format!("{path}/{id}/reactivate"))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
}

#[tokio::test]
async fn subscriptions_and_plans() {
    let sb = sandbox(3).await;
    let api = Api::new(&sb);
    let plans = api.ok("/api/v3/reseller/plan?limit=100").await;
    assert_eq!(plans["total_results"], 8);
    let path = format!("{C}/subscription");
    let subs = rows(&api.ok(&path).await);
    assert!(!subs.is_empty());
    for s in &subs {
        assert!(["scriptix", "azure"].contains(&s["billing_channel"].as_str().unwrap()));
        assert!(["bundle", "pay_as_you_go", "perpetual"]
            .contains(&s["payment_model"].as_str().unwrap()));
        assert!(s["available"]["stt_units"].is_number());
    }
    let (_, f) = error_of(
        api.json(
            Method::POST,
            &path,
            json!({"sku": "GOLD", "auto_renew": true}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(f.as_deref(), Some("sku"));
    let r = api
        .json(
            Method::POST,
            &path,
            json!({"sku": "STT-PAYG", "auto_renew": true}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let s = r.json::<Value>().await.unwrap()["result"].clone();
    assert_eq!(
        (
            s["auto_renew"].clone(),
            s["payment_model"].clone(),
            s["end_date"].clone()
        ),
        (json!(true), json!("pay_as_you_go"), Value::Null)
    );
    let r = api
        .json(
            Method::PUT,
            &format!("{path}/{}", s["id"]),
            json!({"auto_renew": false}),
        )
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(
        r.json::<Value>().await.unwrap()["result"]["auto_renew"],
        false
    );
    error_of(
        api.json(Method::PUT, &format!("{path}/{}", s["id"]), json!({}))
            .await,
        422,
    )
    .await;
    error_of(
        api.json(
            Method::PUT,
            &format!("{path}/1"),
            json!({"auto_renew": true}),
        )
        .await,
        404,
    )
    .await;
}

const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', 0, 0, 0, 13, b'I', b'H', b'D', b'R',
];

#[tokio::test]
async fn branding_colours_and_logo() {
    let sb = sandbox(3).await;
    let api = Api::new(&sb);
    let b = "/api/v3/reseller/branding";
    let start = api.ok(b).await["result"].clone();
    assert_eq!(
        start,
        json!({"brand_color": null, "secondary_color": null, "logo_url": null, "logo_content_type": null})
    );
    let r = api
        .json(
            Method::PUT,
            b,
            json!({"brand_color": "#1a73e8", "secondary_color": "#FF0000"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let r = api
        .json(Method::PUT, b, json!({"brand_color": "#1A73E8"}))
        .await;
    assert_eq!(
        r.json::<Value>().await.unwrap()["result"]["secondary_color"],
        Value::Null,
        "replaces both"
    );
    for bad in ["blue", "#12345", "#GGGGGG", "1A73E8"] {
        let (_, f) = error_of(
            api.json(Method::PUT, b, json!({"brand_color": bad})).await,
            422,
        )
        .await;
        assert_eq!(f.as_deref(), Some("brand_color"));
    }
    let upload = |bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new().part(
            "logo",
            reqwest::multipart::Part::bytes(bytes).file_name("logo.png"),
        );
        api.req(Method::PUT, &format!("{b}/logo"))
            .multipart(form)
            .send()
    };
    let r = upload(PNG.to_vec()).await.unwrap();
    assert_eq!(r.status(), 201);
    let branding = r.json::<Value>().await.unwrap()["result"].clone();
    let url = branding["logo_url"].as_str().unwrap();
    assert_eq!(url, format!("{}{b}/logo", sb.base_url()));
    assert_eq!(branding["logo_content_type"], "image/png");
    let logo = api
        .http
        .get(url)
        .header("x-zoom-s2t-key", sb.reseller_token())
        .send()
        .await
        .unwrap();
    assert_eq!(logo.headers()["content-type"], "image/png");
    assert_eq!(logo.bytes().await.unwrap().as_ref(), PNG);
    error_of(upload(b"just text".to_vec()).await.unwrap(), 415).await;
    let mut big = PNG.to_vec();
    big.resize(2_097_153, 0);
    error_of(upload(big).await.unwrap(), 413).await;
    let mut exact = PNG.to_vec();
    exact.resize(2_097_152, 0);
    assert_eq!(
        upload(exact).await.unwrap().status(),
        201,
        "exactly 2 MiB is allowed"
    );
    let svg = b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec();
    let r = upload(svg).await.unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap()["result"]["logo_content_type"],
        "image/svg+xml"
    );
    error_of(
        api.req(Method::PUT, &format!("{b}/logo"))
            .body("x")
            .send()
            .await
            .unwrap(),
        415,
    )
    .await;
    assert_eq!(
        api.req(Method::DELETE, &format!("{b}/logo"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(api.ok(b).await["result"]["logo_url"], Value::Null);
    error_of(api.get(&format!("{b}/logo")).await, 404).await;
}

/// One request per gap endpoint: (gap, method, path, body).
fn gap_requests() -> Vec<(Gap, Method, String, Option<Value>)> {
    vec![
        (
            Gap::AccountMe,
            Method::GET,
            "/api/v3/account/me".into(),
            None,
        ),
        (
            Gap::Subscriptions,
            Method::GET,
            format!("{C}/subscription"),
            None,
        ),
        (
            Gap::Subscriptions,
            Method::POST,
            format!("{C}/subscription"),
            Some(json!({"sku": "STT-PAYG", "auto_renew": false})),
        ),
        (
            Gap::Subscriptions,
            Method::GET,
            "/api/v3/reseller/plan".into(),
            None,
        ),
        (
            Gap::UsageSummary,
            Method::GET,
            format!("{C}/usage/summary"),
            None,
        ),
        (Gap::Tokens, Method::GET, format!("{C}/token"), None),
        (
            Gap::Tokens,
            Method::POST,
            format!("{C}/token"),
            Some(json!({"name": "t", "type": "batch", "expires_in_years": 1})),
        ),
        (Gap::Users, Method::GET, format!("{C}/user"), None),
        (
            Gap::Users,
            Method::POST,
            format!("{C}/user"),
            Some(json!({"email": "g@x.nl", "roles": ["CUSTOMER"]})),
        ),
        (
            Gap::Dashboard,
            Method::GET,
            "/api/v3/reseller/dashboard".into(),
            None,
        ),
        (
            Gap::Branding,
            Method::GET,
            "/api/v3/reseller/branding".into(),
            None,
        ),
        (
            Gap::Branding,
            Method::PUT,
            "/api/v3/reseller/branding".into(),
            Some(json!({"brand_color": "#000000"})),
        ),
    ]
}

#[tokio::test]
async fn every_gap_is_served_and_answers_404_when_disabled() {
    let on = sandbox(3).await;
    let off = scriptix_sandbox::start(SandboxConfig {
        disabled_gaps: Gap::ALL.into_iter().collect(),
        ..config(3)
    })
    .await
    .unwrap();
    for (gap, method, path, body) in gap_requests() {
        for (sb, served) in [(&on, true), (&off, false)] {
            let api = Api::new(sb);
            let mut req = api.req(method.clone(), &path);
            if let Some(b) = &body {
                req = req.json(b);
            }
            let r = req.send().await.unwrap();
            if served {
                assert!(
                    r.status().is_success(),
                    "{gap:?} {method} {path}: {}",
                    r.status()
                );
            } else {
                error_of(r, 404).await;
            }
        }
    }
    // G2 off: q and modified_since are ignored, the rest of the list works.
    let api = Api::new(&off);
    assert_eq!(
        api.ok(&format!("{CUSTOMERS}?q=zzzz-no-match")).await["total_results"],
        3
    );
    assert_eq!(
        Api::new(&on)
            .ok(&format!("{CUSTOMERS}?q=zzzz-no-match"))
            .await["total_results"],
        0
    );
    // The documented routes stay.
    assert_eq!(api.get(&format!("{C}/usage")).await.status(), 200);
    assert_eq!(api.get(&format!("{C}/transcript")).await.status(), 200);
    assert_eq!("g4".parse::<Gap>().unwrap(), Gap::UsageSummary);
    assert_eq!("branding".parse::<Gap>().unwrap(), Gap::Branding);
    assert!("g7".parse::<Gap>().is_err());
}
