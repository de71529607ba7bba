//! The usage and transcriptions tabs through the workspace, against a real sandbox over
//! loopback HTTP and a real SQLite cache file: a range fetched once is read offline later;
//! transcription filters online give the sandbox's own answer; without the usage summary
//! endpoint the rows still show and the summary is computed and marked so.

mod support;

use std::collections::BTreeSet;

use chrono::Utc;
use reseller_core::sync::sync_customer_list;
use reseller_core::tabs::transcriptions::query::{
    Filters, PageRequest, Sort, SortColumn, SortDirection,
};
use reseller_core::tabs::transcriptions::{Source, TranscriptionRequest};
use reseller_core::tabs::usage::range::{Preset, RangeRequest};
use reseller_core::tabs::usage::split::{Split, View};
use reseller_core::tabs::usage::summary::SummarySource;
use reseller_core::tabs::usage::{resolve, UsageRequest};
use reseller_core::tabs::FreshnessState;
use reseller_core::workspace::Workspace;
use scriptix_api::{Client, DateRange, Direction, TranscriptQuery, TranscriptStatus, UsageQuery};
use scriptix_sandbox::{start, Gap, Sandbox, SandboxConfig};

async fn sandbox(customers: usize, gaps: &[Gap]) -> Sandbox {
    start(SandboxConfig {
        customers,
        seed: 7,
        rate_limit_per_minute: 0,
        disabled_gaps: gaps.iter().copied().collect(),
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn client(sb: &Sandbox) -> Client {
    support::unlimited_client(sb)
}

/// A workspace over a cache file holding the sandbox's customers.
async fn workspace(sb: &Sandbox) -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let info = support::reseller_info(sb.base_url());
    let ws = Workspace::open(info, client(sb), dir.path()).unwrap();
    sync_customer_list(&client(sb), ws.engine().cache())
        .await
        .unwrap();
    (dir, ws)
}

/// The customer with the most usage over the last 90 days (there is always one with some).
async fn busy_customer(c: &Client) -> i64 {
    let today = Utc::now().date_naive();
    let mut best = (0, 0);
    for id in customer_ids(c).await {
        let page = c
            .customer_usage(
                id,
                &UsageQuery {
                    view: Some(scriptix_api::UsageView::Year),
                    date_from: Some(today - chrono::Days::new(89)),
                    date_to: Some(today + chrono::Days::new(1)),
                    limit: Some(1000),
                    ..UsageQuery::default()
                },
            )
            .await
            .unwrap();
        let units: i64 = page.items.iter().map(|r| r.units_used).sum();
        if units > best.1 {
            best = (id, units);
        }
    }
    assert!(best.1 > 0, "the sandbox has usage");
    best.0
}

async fn customer_ids(c: &Client) -> Vec<i64> {
    let page = c
        .list_customers(&scriptix_api::CustomerQuery {
            limit: Some(1000),
            sort: Some("id".into()),
            direction: Some(Direction::Asc),
            ..Default::default()
        })
        .await
        .unwrap();
    page.items.iter().map(|c| c.id).collect()
}

fn request(customer_id: i64, preset: Preset, view: View, split: Option<Split>) -> UsageRequest {
    UsageRequest {
        customer_id,
        range: RangeRequest {
            preset,
            from: None,
            to: None,
        },
        view,
        split_by: split,
    }
}

/// How the sandbox counts a request to a route it does not serve (a disabled gap).
const NO_ROUTE: &str = "(no route)";

fn route_hits(sb: &Sandbox, part: &str) -> u64 {
    sb.stats()
        .by_route
        .iter()
        .filter(|(k, _)| k.ends_with(part))
        .map(|(_, n)| n)
        .sum()
}

#[tokio::test]
async fn a_range_fetched_once_is_read_offline_later() {
    let sb = sandbox(6, &[]).await;
    let c = client(&sb);
    let id = busy_customer(&c).await;
    let (_dir, ws) = workspace(&sb).await;
    let req = request(id, Preset::Last90Days, View::Week, Some(Split::Language));

    // Never fetched: nothing to show, and the tab says so.
    let before = ws.usage_tab(&req).unwrap();
    assert_eq!(before.as_of.state, FreshnessState::Missing);
    assert!(before.summary.is_none() && before.table.rows.is_empty());

    let tab = ws.refresh_usage_tab(&req).await.unwrap();
    assert_eq!(tab.as_of.state, FreshnessState::Fresh);
    assert!(!tab.live.offline && tab.live.problem.is_none());
    // The table is the sandbox's answer to the same query, row for row.
    let q = resolve(&req, Utc::now().date_naive()).unwrap();
    let server = c
        .customer_usage(
            id,
            &UsageQuery {
                view: Some(scriptix_api::UsageView::Week),
                split_by: Some(scriptix_api::UsageSplit::Language),
                date_from: Some(q.from),
                date_to: Some(q.to),
                limit: Some(1000),
                offset: None,
            },
        )
        .await
        .unwrap();
    assert!(!server.items.is_empty());
    assert_eq!(tab.table.rows.len(), server.items.len());
    for (row, s) in tab.table.rows.iter().zip(&server.items) {
        assert_eq!(row[0], s.usage_period_start.to_string());
        assert_eq!(row[2], s.language.clone().unwrap());
        assert_eq!(row[3], s.units_used.to_string());
    }
    // One chart series per language in the answer.
    let languages: BTreeSet<_> = server.items.iter().map(|r| r.language.clone()).collect();
    assert_eq!(tab.chart.series.len(), languages.len());
    // The server's summary of the range.
    let summary = tab.summary.clone().unwrap();
    assert_eq!(summary.source, SummarySource::Server);
    let expected = c
        .customer_usage_summary(id, &DateRange::new(q.from, q.to))
        .await
        .unwrap();
    assert_eq!(summary.units_used, Some(expected.units_used));
    assert_eq!(summary.sessions, Some(expected.sessions));

    // Fresh: asking again sends nothing.
    let hits = route_hits(&sb, "/usage");
    ws.refresh_usage_tab(&req).await.unwrap();
    assert_eq!(route_hits(&sb, "/usage"), hits);

    // The server goes away: the range seen is still there, the one never seen says offline.
    sb.shutdown().await;
    let offline = ws.refresh_usage_tab(&req).await.unwrap();
    assert_eq!(offline.table, tab.table);
    assert_eq!(offline.summary, tab.summary);
    let unseen = ws
        .refresh_usage_tab(&request(id, Preset::ThisYear, View::Month, None))
        .await
        .unwrap();
    assert!(unseen.live.offline, "offline is a state, not an error");
    assert!(unseen.summary.is_none() && unseen.table.rows.is_empty());
    assert_eq!(unseen.as_of.state, FreshnessState::Missing);
    // The cache-only read gives the same as before the server went.
    assert_eq!(ws.usage_tab(&req).unwrap().table, tab.table);
}

#[tokio::test]
async fn transcription_filters_online_equal_the_sandboxs_answer() {
    let sb = sandbox(8, &[]).await;
    let c = client(&sb);
    let (_dir, ws) = workspace(&sb).await;
    // A customer and values to filter on, from its own transcripts.
    let mut picked = None;
    for id in customer_ids(&c).await {
        let all = c
            .customer_transcripts(
                id,
                &TranscriptQuery {
                    limit: Some(1000),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        if all.items.len() >= 8 {
            picked = Some((id, all.items));
            break;
        }
    }
    let (id, all) = picked.expect("a customer with transcriptions");
    let language = all[0].language.clone().unwrap();
    let stem: String = all[1].filename.chars().take(4).collect();

    let cases = [
        (
            Filters {
                language: Some(language.to_uppercase()),
                ..Filters::default()
            },
            vec![("language".to_string(), language.clone())],
            None,
        ),
        (
            Filters {
                status: Some(2),
                filename: Some(stem.clone()),
                ..Filters::default()
            },
            vec![("status".to_string(), "2".to_string())],
            Some(stem.clone()),
        ),
    ];
    for (filters, server_filters, q) in cases {
        let sort = Sort {
            column: SortColumn::Duration,
            direction: SortDirection::Asc,
        };
        let page = ws
            .transcriptions_live(&TranscriptionRequest {
                customer_id: id,
                filters,
                sort,
                page: PageRequest {
                    offset: 1,
                    limit: 3,
                },
            })
            .await
            .unwrap();
        assert_eq!(page.source, Source::Server);
        let server = c
            .customer_transcripts(
                id,
                &TranscriptQuery {
                    limit: Some(3),
                    offset: Some(1),
                    sort: Some("duration".into()),
                    direction: Some(Direction::Asc),
                    filters: server_filters,
                    q,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let got: Vec<&str> = page.rows.iter().map(|r| r.session_id.as_str()).collect();
        let want: Vec<&str> = server.items.iter().map(|t| t.session_id.as_str()).collect();
        assert_eq!(got, want);
        assert_eq!(Some(page.total), server.total);
    }

    // Unknown statuses keep their number; durations read h:mm:ss.
    for id in customer_ids(&c).await {
        let page = ws
            .transcriptions_live(&TranscriptionRequest {
                customer_id: id,
                filters: Filters::default(),
                sort: Sort::default(),
                page: PageRequest {
                    offset: 0,
                    limit: 100,
                },
            })
            .await
            .unwrap();
        for r in &page.rows {
            let status = TranscriptStatus::from_code(r.status);
            assert_eq!(r.status_label, status.label());
            if let TranscriptStatus::Unknown(n) = status {
                assert_eq!(r.status_label, format!("Unknown ({n})"));
                assert_eq!(r.status_kind, "unknown");
            }
            assert!(r.duration.split(':').count() == 3, "{}", r.duration);
        }
    }

    // Offline the cached first page answers, and says so.
    reseller_core::sync::refresh_tab(
        &c,
        ws.engine().cache(),
        id,
        reseller_core::cache::Tab::Transcriptions,
        Utc::now(),
    )
    .await
    .unwrap();
    sb.shutdown().await;
    let offline = ws
        .transcriptions_live(&TranscriptionRequest {
            customer_id: id,
            filters: Filters {
                language: Some(language.clone()),
                ..Filters::default()
            },
            sort: Sort::default(),
            page: PageRequest::default(),
        })
        .await
        .unwrap();
    assert_eq!(offline.source, Source::Cache);
    assert!(offline.live.offline);
    assert_eq!(offline.cached, all.len().min(100));
    let expected = all
        .iter()
        .filter(|t| t.language.as_deref() == Some(language.as_str()))
        .count() as u64;
    assert_eq!(offline.total, expected);
    assert!(offline
        .rows
        .windows(2)
        .all(|w| w[0].started >= w[1].started));
}

#[tokio::test]
async fn without_the_summary_endpoint_rows_still_show_and_the_summary_is_computed() {
    let sb = sandbox(6, &[Gap::UsageSummary]).await;
    let c = client(&sb);
    let id = busy_customer(&c).await;
    let (_dir, ws) = workspace(&sb).await;
    let tab = ws
        .refresh_usage_tab(&request(id, Preset::Last90Days, View::Month, None))
        .await
        .unwrap();
    assert!(
        !tab.table.rows.is_empty(),
        "the rows come from a documented route"
    );
    assert!(tab.as_of.unsupported, "the summary is not offered");
    let summary = tab.summary.unwrap();
    assert_eq!(summary.source, SummarySource::Computed);
    let units: i64 = tab
        .table
        .rows
        .iter()
        .map(|r| r[2].parse::<i64>().unwrap())
        .sum();
    assert_eq!(summary.units_used, Some(units));
    assert_eq!(summary.hours_processed, None, "no unit is known");
    assert_eq!(summary.sessions, None);
    assert_eq!(summary.error_rate, None);
    // The missing endpoint is remembered: another range does not ask it again.
    assert_eq!(route_hits(&sb, NO_ROUTE), 1);
    let other = ws
        .refresh_usage_tab(&request(
            id,
            Preset::LastMonth,
            View::Day,
            Some(Split::Token),
        ))
        .await
        .unwrap();
    assert_eq!(other.summary.unwrap().source, SummarySource::Computed);
    assert_eq!(route_hits(&sb, NO_ROUTE), 1);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_full_refresh_is_one_request_a_tab_and_the_usage_tab_asks_for_its_summary() {
    use reseller_core::cache::Tab;
    let sb = sandbox(6, &[]).await;
    let c = client(&sb);
    let id = busy_customer(&c).await;
    let (_dir, ws) = workspace(&sb).await;
    let cache = ws.engine().cache();

    // The sync's refresh of one customer: five tabs, five requests.
    let before = sb.stats().requests;
    for tab in Tab::ALL {
        reseller_core::sync::refresh_tab(&c, cache, id, tab, Utc::now())
            .await
            .unwrap();
    }
    assert_eq!(sb.stats().requests - before, 5);

    // The Usage tab opens on the cached rows, computed figures, and a summary still to ask.
    let req = request(id, Preset::Last12Months, View::Month, None);
    let key = resolve(&req, Utc::now().date_naive()).unwrap().key;
    assert_eq!(
        key,
        reseller_core::sync::detail_plan::default_usage_query(Utc::now().date_naive()).1
    );
    let tab = ws.usage_tab(&req).unwrap();
    assert_eq!(tab.as_of.state, FreshnessState::Fresh);
    assert!(tab.summary_pending);
    assert_eq!(tab.summary.unwrap().source, SummarySource::Computed);

    // On screen it asks for the summary although its rows are fresh.
    let summaries = route_hits(&sb, "/usage/summary");
    let tab = ws.refresh_usage_tab(&req).await.unwrap();
    assert_eq!(route_hits(&sb, "/usage/summary"), summaries + 1);
    assert!(!tab.summary_pending);
    let server = tab.summary.unwrap();
    assert_eq!(server.source, SummarySource::Server);
    // Fresh and complete now: opening it again asks for nothing.
    let before = sb.stats().requests;
    assert!(!ws.refresh_usage_tab(&req).await.unwrap().summary_pending);
    assert_eq!(sb.stats().requests, before);

    // A later refresh of the rows keeps a summary that agrees with them...
    reseller_core::sync::refresh_tab(&c, cache, id, Tab::Usage, Utc::now())
        .await
        .unwrap();
    let kept = ws.usage_tab(&req).unwrap();
    assert_eq!(kept.summary.unwrap().source, SummarySource::Server);

    // ...and drops one that contradicts them (usage came in between): the tab never shows
    // figures that disagree with its own rows, and asks again.
    {
        let cached = cache.lock().unwrap();
        let mut old = cached.usage_summary(id, &key).unwrap().unwrap();
        old.units_used -= 60;
        cached.set_usage_summary(id, &key, &old).unwrap();
    }
    reseller_core::sync::refresh_tab(&c, cache, id, Tab::Usage, Utc::now())
        .await
        .unwrap();
    let dropped = ws.usage_tab(&req).unwrap();
    assert!(dropped.summary_pending);
    assert_eq!(dropped.summary.unwrap().source, SummarySource::Computed);
}
