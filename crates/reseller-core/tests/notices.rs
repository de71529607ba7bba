//! What the desktop notifications say, against a real sandbox and a cache file: organisations
//! at the alert threshold (said once; said again after dropping back under), a change the
//! server refused (with its words, opening the organisation), many at once in one, nothing
//! when the user turned them off, and nothing twice.

mod support;

use std::sync::atomic::AtomicBool;

use chrono::Utc;
use reseller_core::dashboard::{DashboardRequest, RangeRequest, SortDir, SortKey};
use reseller_core::notices::{Target, MAX_SINGLE};
use reseller_core::sync::{replay_outbox, sync_customer_list};
use reseller_core::workspace::Workspace;
use scriptix_sandbox::{start, FaultConfig, Sandbox, SandboxConfig};
use support::form;

async fn sandbox() -> Sandbox {
    start(SandboxConfig {
        customers: 30,
        seed: 23,
        rate_limit_per_minute: 0,
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

async fn workspace(sb: &Sandbox) -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let c = support::unlimited_client(sb);
    let ws = Workspace::open(support::reseller_info(sb.base_url()), c.clone(), dir.path()).unwrap();
    sync_customer_list(&c, ws.engine().cache()).await.unwrap();
    (dir, ws)
}

#[tokio::test]
async fn organisations_at_the_threshold_are_said_once_until_they_drop_back_under() {
    let sb = sandbox().await;
    let (_dir, ws) = workspace(&sb).await;
    ws.refresh_dashboard(&RangeRequest::ThisMonth, &AtomicBool::new(false), |_| {})
        .await
        .unwrap();
    let req = DashboardRequest {
        range: RangeRequest::ThisMonth,
        sort: SortKey::Hours,
        direction: SortDir::Desc,
        offset: 0,
        limit: 10,
    };
    // A threshold a handful of organisations reach, so each is said on its own.
    let threshold = [400.0, 200.0, 150.0, 100.0, 90.0, 80.0]
        .into_iter()
        .find(|t| (1..=MAX_SINGLE).contains(&ws.dashboard(&req, *t).unwrap().alerts.len()))
        .expect("the seed has a few organisations near or over their allowance");
    let alerts = ws.dashboard(&req, threshold).unwrap().alerts;

    let first = ws.due_notices(threshold, true).unwrap();
    assert_eq!(first.len(), alerts.len(), "{first:#?}");
    for (n, a) in first.iter().zip(&alerts) {
        assert!(n.title.starts_with(&a.name), "{}", n.title);
        assert!(n.body.contains(&a.usage_text), "{}", n.body);
        assert_eq!(
            n.target,
            Target::Organization {
                customer_id: a.customer_id,
                name: a.name.clone(),
                tab: Some("usage".into()),
            }
        );
    }
    assert!(
        ws.due_notices(threshold, true).unwrap().is_empty(),
        "said once"
    );

    // Nobody over a threshold of 1000 %: the next crossing is news again.
    assert!(ws.due_notices(1000.0, true).unwrap().is_empty());
    assert_eq!(ws.due_notices(threshold, true).unwrap(), first);

    // Many at once: one notification, opening the dashboard.
    assert!(ws.due_notices(1000.0, true).unwrap().is_empty());
    let many = ws.dashboard(&req, 1.0).unwrap().alerts.len();
    assert!(many > MAX_SINGLE, "{many}");
    let summary = ws.due_notices(1.0, true).unwrap();
    assert_eq!(summary.len(), 1, "{summary:#?}");
    assert_eq!(summary[0].target, Target::Dashboard);
    assert!(
        summary[0].title.starts_with(&many.to_string()),
        "{}",
        summary[0].title
    );
}

#[tokio::test]
async fn a_refused_change_is_said_once_with_the_servers_words_unless_turned_off() {
    let sb = sandbox().await;
    let (_dir, ws) = workspace(&sb).await;
    let online = support::unlimited_client(&sb);
    let rows = support::cached_customers(ws.engine().cache());
    let mut it = rows.values();
    let (a, b) = (it.next().unwrap().clone(), it.next().unwrap().clone());
    // What was due before (organisations over the default threshold) is not this test's.
    ws.due_notices(1000.0, true).unwrap();
    for id in [a.id, b.id] {
        sb.set_faults(FaultConfig::refusing_customer(
            "PUT",
            id,
            409,
            "This address belongs to another organisation.",
        ));
        let row = if id == a.id { &a } else { &b };
        ws.update_customer(id, &form(&row.name, &format!("taken{id}@example.org"), ""))
            .unwrap();
        replay_outbox(&online, ws.engine().cache(), Utc::now())
            .await
            .unwrap();
        if id == a.id {
            let said = ws.due_notices(1000.0, true).unwrap();
            assert_eq!(said.len(), 1, "{said:#?}");
            assert_eq!(said[0].title, "Scriptix refused a change");
            assert!(
                said[0]
                    .body
                    .contains("This address belongs to another organisation."),
                "{}",
                said[0].body
            );
            assert!(said[0]
                .body
                .starts_with(&format!("Edit organisation {}", a.name)));
            assert_eq!(
                said[0].target,
                Target::Organization {
                    customer_id: a.id,
                    name: a.name.clone(),
                    tab: None,
                }
            );
            assert!(ws.due_notices(1000.0, true).unwrap().is_empty(), "once");
        } else {
            // Turned off: nothing said, and nothing saved up for when it is turned on.
            assert!(ws.due_notices(1000.0, false).unwrap().is_empty());
            assert!(ws.due_notices(1000.0, true).unwrap().is_empty());
        }
    }
}
