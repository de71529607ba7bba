//! The detail sync (customer tabs, dashboard, branding; refresh and prefetch) against a real
//! sandbox over loopback HTTP, into a real SQLite cache file.

use std::collections::BTreeSet;
use std::ops::ControlFlow;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Duration as Age, SubsecRound, Utc};
use reseller_core::cache::freshness::{freshness, GapFeature};
use reseller_core::cache::{Cache, Freshness, Scope, Tab};
use reseller_core::sync::detail_plan::{dashboard_range, default_usage_query, max_age};
use reseller_core::sync::{
    detail_state, plan_prefetch, prefetch, refresh_branding, refresh_dashboard, refresh_tab,
    sync_customer_list, Allowance, PrefetchPlan, PrefetchReport, PrefetchStop, RefreshOutcome,
    SyncError, Target,
};
use scriptix_api::{ApiError, BrandingColors, Client, ClientConfig, Direction, TranscriptQuery};
use scriptix_sandbox::{start, Gap, Sandbox, SandboxConfig};

async fn sandbox(customers: usize, rate_limit: u32, gaps: &[Gap]) -> Sandbox {
    start(SandboxConfig {
        customers,
        seed: 11,
        rate_limit_per_minute: rate_limit,
        disabled_gaps: gaps.iter().copied().collect(),
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn client(sb: &Sandbox, rate_limit: u32) -> Client {
    let mut config = ClientConfig::new(sb.base_url(), sb.reseller_token());
    config.rate_limit_per_minute = rate_limit;
    // Offline is found after one quick retry rather than four.
    config.max_retries = 1;
    Client::new(config).unwrap()
}

/// A cache file holding the sandbox's customers (one list request); their ids, ascending.
async fn cache_with_customers(client: &Client) -> (tempfile::TempDir, Mutex<Cache>, Vec<i64>) {
    let dir = tempfile::tempdir().unwrap();
    let cache = Mutex::new(Cache::open(dir.path().join("cache.sqlite3")).unwrap());
    sync_customer_list(client, &cache).await.unwrap();
    let mut ids: Vec<i64> = cache
        .lock()
        .unwrap()
        .customer_id_states()
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    ids.sort_unstable();
    (dir, cache, ids)
}

fn full_plan(cache: &Mutex<Cache>, ids: &[i64], now: DateTime<Utc>) -> PrefetchPlan {
    let state = detail_state(&cache.lock().unwrap(), ids, now).unwrap();
    plan_prefetch(&state, None, Allowance::Unbounded)
}

async fn run(client: &Client, cache: &Mutex<Cache>, plan: &PrefetchPlan) -> PrefetchReport {
    prefetch(client, cache, plan, |_| ControlFlow::Continue(())).await
}

fn tab_scope(customer_id: i64, tab: Tab) -> Scope {
    Scope::CustomerTab { customer_id, tab }
}

/// Requests the sandbox received for routes whose key contains `part`.
fn route_hits(sb: &Sandbox, part: &str) -> u64 {
    sb.stats()
        .by_route
        .iter()
        .filter(|(k, _)| k.contains(part))
        .map(|(_, n)| n)
        .sum()
}

fn assert_refreshed(outcome: &RefreshOutcome, what: &str) -> usize {
    match outcome {
        RefreshOutcome::Refreshed { rows, rejected } => {
            assert!(rejected.is_empty(), "{what}: {rejected:?}");
            *rows
        }
        other => panic!("{what}: {other:?}"),
    }
}

#[tokio::test]
async fn each_tab_refreshes_and_lands_in_the_cache() {
    let sb = sandbox(6, 0, &[]).await;
    let client = client(&sb, 0);
    let (_dir, cache, ids) = cache_with_customers(&client).await;
    let now = Utc::now();

    // The customer with the most detail data, so every tab has rows to compare.
    let mut best = (0usize, 0i64);
    for &id in &ids {
        let n = client
            .customer_subscriptions(id)
            .await
            .unwrap()
            .len()
            .min(1)
            + client.customer_tokens(id).await.unwrap().len().min(1)
            + client.customer_users(id).await.unwrap().len().min(1);
        best = best.max((n, id));
    }
    let id = best.1;
    let server_subs = client.customer_subscriptions(id).await.unwrap();
    let server_tokens = client.customer_tokens(id).await.unwrap();
    let server_users = client.customer_users(id).await.unwrap();
    assert!(!server_subs.is_empty() && !server_tokens.is_empty() && !server_users.is_empty());

    let rows = assert_refreshed(
        &refresh_tab(&client, &cache, id, Tab::Subscriptions, now)
            .await
            .unwrap(),
        "subscriptions",
    );
    assert_eq!(rows, server_subs.len());
    let cached: Vec<i64> = cache
        .lock()
        .unwrap()
        .subscriptions(id)
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    let mut expected: Vec<i64> = server_subs.iter().map(|s| s.id).collect();
    expected.sort_unstable();
    assert_eq!(cached, expected);

    let rows = assert_refreshed(
        &refresh_tab(&client, &cache, id, Tab::Tokens, now)
            .await
            .unwrap(),
        "tokens",
    );
    assert_eq!(rows, server_tokens.len());
    let cached: Vec<(i64, String)> = cache
        .lock()
        .unwrap()
        .tokens(id)
        .unwrap()
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let mut expected: Vec<(i64, String)> = server_tokens
        .iter()
        .map(|t| (t.id, t.name.clone()))
        .collect();
    expected.sort_unstable();
    assert_eq!(cached, expected);

    let rows = assert_refreshed(
        &refresh_tab(&client, &cache, id, Tab::Users, now)
            .await
            .unwrap(),
        "users",
    );
    assert_eq!(rows, server_users.len());
    let cached: Vec<(i64, String)> = cache
        .lock()
        .unwrap()
        .users(id)
        .unwrap()
        .into_iter()
        .map(|u| (u.id, u.email))
        .collect();
    let mut expected: Vec<(i64, String)> = server_users
        .iter()
        .map(|u| (u.id, u.email.clone()))
        .collect();
    expected.sort_unstable();
    assert_eq!(cached, expected);

    // Usage: the default query's rows under the query's key, in one request. The summary is
    // the Usage tab's to fetch when it is on screen.
    let (query, key) = default_usage_query(now.date_naive());
    let server_usage = client.customer_usage(id, &query).await.unwrap();
    let before = sb.stats().requests;
    let rows = assert_refreshed(
        &refresh_tab(&client, &cache, id, Tab::Usage, now)
            .await
            .unwrap(),
        "usage",
    );
    assert_eq!(sb.stats().requests - before, 1, "usage rows only");
    assert_eq!(rows, server_usage.items.len());
    assert!(rows > 0 && rows <= 12, "{rows} monthly rows");
    let (usage, summary) = {
        let c = cache.lock().unwrap();
        (
            c.usage_rows(id, &key).unwrap(),
            c.usage_summary(id, &key).unwrap(),
        )
    };
    assert_eq!(summary, None);
    let periods: Vec<_> = usage
        .iter()
        .map(|u| (u.usage_period_start, u.units_used))
        .collect();
    let expected: Vec<_> = server_usage
        .items
        .iter()
        .map(|u| (u.usage_period_start, u.units_used))
        .collect();
    assert_eq!(periods, expected);

    // Transcriptions: the first page, newest first.
    let first_page = client
        .customer_transcripts(
            id,
            &TranscriptQuery {
                limit: Some(100),
                sort: Some("date_session_start".into()),
                direction: Some(Direction::Desc),
                ..TranscriptQuery::default()
            },
        )
        .await
        .unwrap();
    assert!(!first_page.items.is_empty());
    assert_refreshed(
        &refresh_tab(&client, &cache, id, Tab::Transcriptions, now)
            .await
            .unwrap(),
        "transcriptions",
    );
    let cached = cache.lock().unwrap().transcriptions(id).unwrap();
    let mut expected: Vec<(DateTime<Utc>, String)> = first_page
        .items
        .iter()
        .map(|t| (t.date_session_start, t.session_id.clone()))
        .collect();
    expected.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let got: Vec<(DateTime<Utc>, String)> = cached
        .iter()
        .map(|t| (t.date_session_start, t.session_id.clone()))
        .collect();
    assert_eq!(got, expected);

    // Every tab is fresh now, and stale once its max age has passed.
    {
        let c = cache.lock().unwrap();
        for tab in Tab::ALL {
            let scope = tab_scope(id, tab);
            assert_eq!(
                c.freshness(&scope, now).unwrap(),
                Freshness::Fresh,
                "{tab:?}"
            );
            assert_eq!(
                c.freshness(&scope, now + max_age(&scope)).unwrap(),
                Freshness::Stale,
                "{tab:?}"
            );
        }
        // Another customer's tabs were not touched.
        let other = *ids.iter().find(|&&o| o != id).unwrap();
        assert_eq!(
            c.freshness(&tab_scope(other, Tab::Users), now).unwrap(),
            Freshness::Missing
        );
        assert!(c.users(other).unwrap().is_empty());
    }

    // The dashboard of this month.
    assert_refreshed(
        &refresh_dashboard(&client, &cache, now).await.unwrap(),
        "dashboard",
    );
    let (_, range_key) = dashboard_range(now.date_naive());
    let (payload, fetched_at) = cache
        .lock()
        .unwrap()
        .dashboard(&range_key)
        .unwrap()
        .unwrap();
    assert_eq!(payload["total_organizations"], 6);
    assert_eq!(fetched_at, now.trunc_subsecs(6));

    // Branding with its logo, checked in the logo worker: what is kept is the PNG it made,
    // with its size.
    let logo = {
        let img = image::RgbImage::from_fn(600, 300, |x, _| image::Rgb([(x % 256) as u8, 40, 90]));
        let mut out = std::io::Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut out, image::ImageFormat::Jpeg)
            .unwrap();
        out.into_inner()
    };
    client
        .upload_logo(logo.clone(), "image/jpeg", "logo.jpg")
        .await
        .unwrap();
    client
        .update_branding_colors(&BrandingColors {
            brand_color: Some("#0A7B83".into()),
            secondary_color: None,
        })
        .await
        .unwrap();
    let worker = reseller_core::logo::LogoWorker::new(
        env!("CARGO_BIN_EXE_logo-worker"),
        Vec::<String>::new(),
    );
    assert_refreshed(
        &refresh_branding(&client, &cache, Some(&worker), now)
            .await
            .unwrap(),
        "branding",
    );
    let b = cache.lock().unwrap().branding().unwrap().unwrap();
    assert!(b.logo.as_deref().unwrap().starts_with(b"\x89PNG"));
    assert_eq!((b.logo_width, b.logo_height), (Some(512), Some(256)));
    assert_eq!(b.logo_content_type.as_deref(), Some("image/png"));
    assert_eq!(b.logo_problem, None);
    assert_eq!(b.brand_color.as_deref(), Some("#0A7B83"));
    assert_eq!(
        cache
            .lock()
            .unwrap()
            .freshness(&Scope::Branding, now)
            .unwrap(),
        Freshness::Fresh
    );
}

#[tokio::test]
async fn fresh_tabs_are_not_refetched_and_stale_ones_are() {
    let sb = sandbox(3, 0, &[]).await;
    let client = client(&sb, 0);
    let (_dir, cache, ids) = cache_with_customers(&client).await;
    let t0 = Utc::now();

    let plan = full_plan(&cache, &ids, t0);
    assert_eq!(plan.fetches.len(), 3 * 5 + 2);
    assert!(plan.fetches.iter().all(|f| f.why == Freshness::Missing));
    let before = sb.stats().requests;
    let first = run(&client, &cache, &plan).await;
    assert!(first.stopped.is_none(), "{:?}", first.stopped);
    assert_eq!(first.refreshed, 17);
    assert_eq!(sb.stats().requests - before, first.requests);
    // No logo in the sandbox: one request less than the estimate's upper bound.
    assert_eq!(first.requests, u64::from(plan.requests) - 1);

    // A minute later everything is fresh: nothing planned, nothing sent.
    let later = full_plan(&cache, &ids, t0 + Age::minutes(1));
    assert!(later.fetches.is_empty(), "{:?}", later.fetches);
    assert_eq!(later.fresh, 17);
    let before = sb.stats().requests;
    let none = run(&client, &cache, &later).await;
    assert_eq!((none.requests, sb.stats().requests - before), (0, 0));

    // An invalidated tab is stale at once; the rest stays fresh.
    let users = tab_scope(ids[1], Tab::Users);
    let fetched_before = {
        let c = cache.lock().unwrap();
        c.invalidate(&users).unwrap();
        c.freshness_record(&users).unwrap().unwrap().fetched_at
    };
    let one = full_plan(&cache, &ids, t0 + Age::minutes(1));
    assert_eq!(one.fetches.len(), 1);
    assert_eq!(
        one.fetches[0].target,
        Target::Tab {
            customer_id: ids[1],
            tab: Tab::Users
        }
    );
    assert_eq!(one.fetches[0].why, Freshness::Stale);

    // Twenty minutes on, transcriptions and the dashboard (15 min) are stale too; the hour-long
    // tabs and branding are not.
    let at = t0 + Age::minutes(20);
    let stale = full_plan(&cache, &ids, at);
    let mut targets: Vec<Target> = stale.fetches.iter().map(|f| f.target).collect();
    targets.sort_by_key(|t| format!("{t:?}"));
    let mut expected: Vec<Target> = ids
        .iter()
        .map(|&customer_id| Target::Tab {
            customer_id,
            tab: Tab::Transcriptions,
        })
        .chain([
            Target::Dashboard,
            Target::Tab {
                customer_id: ids[1],
                tab: Tab::Users,
            },
        ])
        .collect();
    expected.sort_by_key(|t| format!("{t:?}"));
    assert_eq!(targets, expected);
    assert_eq!(stale.fresh, 17 - 5);

    let (transcripts, subs, dash) = (
        route_hits(&sb, "/transcript"),
        route_hits(&sb, "/subscription"),
        route_hits(&sb, "/dashboard"),
    );
    let report = run(&client, &cache, &stale).await;
    assert_eq!(report.refreshed, 5);
    assert_eq!(report.requests, 5);
    assert_eq!(route_hits(&sb, "/transcript") - transcripts, 3);
    assert_eq!(route_hits(&sb, "/dashboard") - dash, 1);
    assert_eq!(
        route_hits(&sb, "/subscription"),
        subs,
        "fresh tabs are not fetched"
    );
    let fetched_after = cache
        .lock()
        .unwrap()
        .freshness_record(&users)
        .unwrap()
        .unwrap()
        .fetched_at;
    assert!(fetched_after > fetched_before);
}

#[tokio::test]
async fn a_missing_gap_endpoint_is_recorded_and_the_rest_goes_on() {
    let sb = sandbox(3, 0, &[Gap::Users, Gap::UsageSummary, Gap::Dashboard]).await;
    let client = client(&sb, 0);
    let (_dir, cache, ids) = cache_with_customers(&client).await;
    let now = Utc::now();

    let outcome = refresh_tab(&client, &cache, ids[0], Tab::Users, now)
        .await
        .unwrap();
    assert_eq!(
        outcome,
        RefreshOutcome::NotSupported {
            gap: GapFeature::Users
        }
    );
    let outcome = refresh_dashboard(&client, &cache, now).await.unwrap();
    assert_eq!(
        outcome,
        RefreshOutcome::NotSupported {
            gap: GapFeature::Dashboard
        }
    );
    {
        let c = cache.lock().unwrap();
        let record = c.gap_unsupported(GapFeature::Users).unwrap().unwrap();
        assert_eq!(freshness(Some(&record), now), Freshness::Fresh);
        assert!(c
            .gap_unsupported(GapFeature::Subscriptions)
            .unwrap()
            .is_none());
        assert_eq!(
            c.freshness(&tab_scope(ids[0], Tab::Users), now).unwrap(),
            Freshness::Missing
        );
    }

    // The plan leaves out what the server lacks; it never asks for the usage summary.
    let plan = full_plan(&cache, &ids, now);
    assert_eq!(
        plan.unsupported,
        3 + 1,
        "three users tabs and the dashboard"
    );
    assert_eq!(plan.fetches.len(), 3 * 4 + 1);
    let before = sb.stats().requests;
    let report = run(&client, &cache, &plan).await;
    assert!(report.stopped.is_none(), "{:?}", report.stopped);
    assert_eq!(report.refreshed, 13);
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    // Subscriptions, usage rows, tokens, transcripts: 3 each; branding 1.
    assert_eq!(report.requests, 3 * 4 + 1);
    assert_eq!(sb.stats().requests - before, report.requests);

    let (_, key) = default_usage_query(now.date_naive());
    let c = cache.lock().unwrap();
    // Not asked, so not learnt: the Usage tab finds it out when it asks.
    assert!(c
        .gap_unsupported(GapFeature::UsageSummary)
        .unwrap()
        .is_none());
    for &id in &ids {
        assert!(
            !c.usage_rows(id, &key).unwrap().is_empty(),
            "usage rows of {id}"
        );
        assert_eq!(c.usage_summary(id, &key).unwrap(), None);
        assert!(
            !c.subscriptions(id).unwrap().is_empty(),
            "subscriptions of {id}"
        );
        // The prefetch stamps each record with the time its fetch began, after `now`.
        assert_eq!(
            c.freshness(&tab_scope(id, Tab::Usage), Utc::now()).unwrap(),
            Freshness::Fresh
        );
        assert_eq!(
            c.freshness(&tab_scope(id, Tab::Users), now).unwrap(),
            Freshness::Missing
        );
    }
    let state = detail_state(&c, &ids, Utc::now()).unwrap();
    let gaps: BTreeSet<GapFeature> = state.unsupported.into_iter().collect();
    assert_eq!(
        gaps,
        BTreeSet::from([GapFeature::Users, GapFeature::Dashboard])
    );
}

#[tokio::test]
async fn a_customer_gone_from_the_server_is_not_a_missing_endpoint() {
    let sb = sandbox(3, 0, &[]).await;
    let client = client(&sb, 0);
    let (_dir, cache, ids) = cache_with_customers(&client).await;
    let now = Utc::now();
    client.delete_customer(ids[0]).await.unwrap();

    // A gap route answers 404 for the unknown customer; the documented route confirms why.
    match refresh_tab(&client, &cache, ids[0], Tab::Subscriptions, now).await {
        Err(SyncError::Api(ApiError::NotFound { .. })) => {}
        other => panic!("{other:?}"),
    }
    assert!(cache
        .lock()
        .unwrap()
        .gap_unsupported(GapFeature::Subscriptions)
        .unwrap()
        .is_none());

    let plan = full_plan(&cache, &ids, now);
    let before = sb.stats().requests;
    let report = run(&client, &cache, &plan).await;
    assert!(report.stopped.is_none(), "{:?}", report.stopped);
    assert_eq!(report.gone_on_server, vec![ids[0]]);
    // Its first tab (subscriptions: the 404 and the confirming request) and nothing more.
    assert_eq!(report.skipped, 4);
    assert_eq!(report.refreshed, 2 * 5 + 2);
    assert_eq!(sb.stats().requests - before, report.requests);
    // Two customers' five tabs (one request each), the dashboard and branding (no logo).
    assert_eq!(report.requests, 2 + 2 * 5 + 1 + 1);
}

#[tokio::test]
async fn a_prefetch_within_a_small_rate_limit_draws_no_429() {
    const LIMIT: u32 = 10;
    let sb = sandbox(6, LIMIT, &[]).await;
    // The sandbox's window is 2 s instead of 60 so that the budget binds several times within
    // seconds; the client learns the window from the X-RateLimit headers.
    sb.set_rate_limit(LIMIT, Duration::from_secs(2));
    let client = client(&sb, LIMIT);
    let (_dir, cache, ids) = cache_with_customers(&client).await;

    let plan = full_plan(&cache, &ids, Utc::now());
    assert_eq!(plan.requests, 6 * 5 + 1 + 2);
    let report = run(&client, &cache, &plan).await;
    assert!(report.stopped.is_none(), "{:?}", report.stopped);
    assert_eq!(report.refreshed, plan.fetches.len());

    let stats = sb.stats();
    assert_eq!(stats.rate_limited, 0, "{stats:?}");
    // Every request was sent once (no 429 retried) and they span several windows' worth.
    assert_eq!(stats.requests, client.requests_sent());
    assert!(
        report.requests > 3 * u64::from(LIMIT),
        "{}",
        report.requests
    );
    let c = cache.lock().unwrap();
    let after = detail_state(&c, &ids, Utc::now()).unwrap();
    assert!(after.tabs.iter().all(|(_, _, f)| *f == Freshness::Fresh));
}

#[tokio::test]
async fn going_offline_mid_prefetch_stops_and_keeps_what_was_written() {
    let sb = sandbox(4, 0, &[]).await;
    let client = client(&sb, 0);
    let (_dir, cache, ids) = cache_with_customers(&client).await;
    let now = Utc::now();
    let plan = full_plan(&cache, &ids, now);
    assert_eq!(plan.fetches.len(), 4 * 5 + 2);

    const BEFORE_KILL: usize = 7;
    let mut seen = Vec::new();
    let report = prefetch(&client, &cache, &plan, |p| {
        seen.push(p.done);
        if p.done == BEFORE_KILL {
            sb.kill();
        }
        ControlFlow::Continue(())
    })
    .await;
    assert!(report.is_offline(), "{:?}", report.stopped);
    assert!(matches!(report.stopped, Some(PrefetchStop::Failed(_))));
    assert_eq!(report.done, BEFORE_KILL);
    assert_eq!(report.refreshed, BEFORE_KILL);
    assert_eq!(seen, (1..=BEFORE_KILL).collect::<Vec<_>>());

    // What was fetched before the kill is in the cache; nothing after it.
    let c = cache.lock().unwrap();
    for (i, fetch) in plan.fetches.iter().enumerate() {
        let record = c.freshness_record(&fetch.target.scope()).unwrap();
        assert_eq!(record.is_some(), i < BEFORE_KILL, "{:?}", fetch.target);
    }
    assert_eq!(plan.fetches[0].target, Target::Branding);
    assert!(c.branding().unwrap().is_some());
    let (_, key) = dashboard_range(now.date_naive());
    assert!(c.dashboard(&key).unwrap().is_some());
    let rows = c.subscriptions(ids[0]).unwrap().len()
        + c.users(ids[0]).unwrap().len()
        + c.transcriptions(ids[0]).unwrap().len();
    assert!(rows > 0);
    assert_eq!(c.customer_id_states().unwrap().len(), 4);
}
