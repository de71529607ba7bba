//! Desktop notifications: what is worth interrupting the user for, said once. An organisation
//! at or over the dashboard's alert threshold in the current period, and a change Scriptix
//! refused (from the activity log). Which were said is kept in the account's cache (the
//! `notices` table), in the transaction that decides them, so a restart says nothing twice;
//! an organisation that drops back under the threshold may be said again when it next
//! crosses it. The shell shows them (tauri-plugin-notification) and opens `target` when one is
//! clicked.

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::activity::{ActivityEntry, Area};
use crate::cache::customers::to_micros;
use crate::cache::{ActivityFilter, ActivityOutcome, Cache};
use crate::context::Context;
use crate::dashboard::alerts::Alert;
use crate::dashboard::{read_view, DashboardRequest, RangeRequest};
use crate::CoreError;

/// More than this many of one kind at once are said in one notification (a first start with
/// many refusals, a sync that brings many organisations over the threshold).
pub const MAX_SINGLE: usize = 3;

/// The screen a notification opens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "screen")]
pub enum Target {
    /// An organisation's page on `tab` ("usage", "users", ...; None: where the user was).
    Organization {
        #[serde(rename = "customerId")]
        customer_id: i64,
        name: String,
        tab: Option<String>,
    },
    Dashboard,
    Branding,
    /// The activity log showing the refused changes.
    Activity,
}

/// One notification to show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Notice {
    pub title: String,
    pub body: String,
    pub target: Target,
}

/// What is worth saying now, read on the reader: the organisations at the threshold (with the
/// alert each is) and the refused changes.
struct Candidates {
    over: Vec<Alert>,
    period_text: String,
    refused: Vec<ActivityEntry>,
}

fn candidates(cache: &Cache, threshold: f64, now: DateTime<Utc>) -> Result<Candidates, CoreError> {
    let view = read_view(
        cache,
        &DashboardRequest {
            range: RangeRequest::ThisMonth,
            sort: Default::default(),
            direction: Default::default(),
            offset: 0,
            limit: 1,
        },
        threshold,
        now,
    )?;
    let locale = crate::format::sys();
    let refused = cache
        .activity(&ActivityFilter {
            outcomes: vec![ActivityOutcome::Refused],
            ..ActivityFilter::default()
        })?
        .iter()
        .map(|row| ActivityEntry::of(row, locale))
        .collect();
    Ok(Candidates {
        over: view.alerts,
        period_text: view.alerts_info.period_text,
        refused,
    })
}

/// Marks `key` said; true when it was not said before.
fn newly_said(
    cache: &Cache,
    topic: &str,
    key: i64,
    now: &DateTime<Utc>,
) -> Result<bool, CoreError> {
    let n = cache
        .conn()
        .prepare_cached("INSERT OR IGNORE INTO notices (topic, key, said_at) VALUES (?1, ?2, ?3)")?
        .execute(params![topic, key, to_micros(now)])?;
    Ok(n == 1)
}

/// The organisation tab a change was made on.
fn tab_of(area: Area) -> Option<String> {
    match area {
        Area::Subscription => Some("subscription".into()),
        Area::Tokens => Some("tokens".into()),
        Area::Users => Some("users".into()),
        Area::Organisation | Area::Branding => None,
    }
}

fn refused_notices(new: Vec<ActivityEntry>) -> Vec<Notice> {
    let locale = crate::format::sys();
    if new.len() > MAX_SINGLE {
        return vec![Notice {
            title: format!(
                "Scriptix refused {} changes",
                locale.count_u64(new.len() as u64)
            ),
            body: "Open the activity log to see why, then fix or discard them.".into(),
            target: Target::Activity,
        }];
    }
    new.into_iter()
        .map(|e| Notice {
            title: "Scriptix refused a change".into(),
            body: format!(
                "{}: {}",
                e.what,
                e.outcome_text.trim_start_matches("Refused: ")
            ),
            target: match (e.area, e.customer_id) {
                (Area::Branding, _) => Target::Branding,
                (area, Some(id)) if id > 0 => Target::Organization {
                    customer_id: id,
                    name: e.organisation.clone().unwrap_or_default(),
                    tab: tab_of(area),
                },
                _ => Target::Activity,
            },
        })
        .collect()
}

fn threshold_notices(new: Vec<Alert>, threshold: f64, period_text: &str) -> Vec<Notice> {
    let locale = crate::format::sys();
    if new.len() > MAX_SINGLE {
        return vec![Notice {
            title: format!(
                "{} organisations reached the alert threshold",
                locale.count_u64(new.len() as u64)
            ),
            body: format!(
                "At or above {} of their allowance in {period_text}.",
                locale.percent(threshold)
            ),
            target: Target::Dashboard,
        }];
    }
    new.into_iter()
        .map(|a| Notice {
            title: if a.over {
                format!("{} is over its allowance", a.name)
            } else {
                format!("{} reached the alert threshold", a.name)
            },
            body: format!("{}: {} ({}).", a.period_text, a.usage_text, a.figure_text),
            target: Target::Organization {
                customer_id: a.customer_id,
                name: a.name.clone(),
                tab: Some("usage".into()),
            },
        })
        .collect()
}

/// Marks the candidates said, in one transaction on the writer, and answers what is new:
/// organisations back under the threshold are forgotten (a later crossing is news again).
fn mark(
    cache: &Cache,
    found: Candidates,
    threshold: f64,
    now: DateTime<Utc>,
) -> Result<Vec<Notice>, CoreError> {
    let tx = cache.conn().unchecked_transaction()?;
    let over =
        serde_json::Value::from(found.over.iter().map(|a| a.customer_id).collect::<Vec<_>>())
            .to_string();
    tx.execute(
        "DELETE FROM notices WHERE topic = 'threshold'
         AND key NOT IN (SELECT value FROM json_each(?1))",
        [over],
    )?;
    let mut alerts = Vec::new();
    for a in found.over {
        if newly_said(cache, "threshold", a.customer_id, &now)? {
            alerts.push(a);
        }
    }
    let mut refused = Vec::new();
    for e in found.refused {
        if newly_said(cache, "refused", e.activity_id, &now)? {
            refused.push(e);
        }
    }
    tx.commit()?;
    let mut out = threshold_notices(alerts, threshold, &found.period_text);
    out.extend(refused_notices(refused));
    Ok(out)
}

impl Context {
    /// What has become worth saying since the last call, marked said: read on the reader (the
    /// dashboard's figures, the refused changes), then marked on the writer in one short
    /// transaction. With `show` false (the user is turning notifications on) it is marked and
    /// nothing is returned: what became due while they were off is not saved up.
    pub fn due_notices(&self, threshold: f64, show: bool) -> Result<Vec<Notice>, CoreError> {
        let now = Utc::now();
        let found = candidates(&*self.read()?, threshold, now)?;
        let said = mark(&*self.write()?, found, threshold, now)?;
        Ok(if show { said } else { Vec::new() })
    }
}
