//! Desktop notifications: what is worth interrupting the user for, said once. An organisation
//! at or over the dashboard's alert threshold in the current period, and a change Scriptix
//! refused (from the activity log). Which were said is kept in the account's cache (the
//! `notices` table), in the transaction that decides them, so a restart says nothing twice;
//! an organisation that drops back under the threshold may be said again when it next
//! crosses it. The shell shows them (tauri-plugin-notification) and opens `target` when one is
//! clicked.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::activity::{ActivityEntry, Area};
use crate::cache::customers::to_micros;
use crate::cache::{ActivityFilter, ActivityOutcome, Cache};
use crate::context::Context;
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

fn said(cache: &Cache, topic: &str, key: i64) -> Result<bool, CoreError> {
    Ok(cache
        .conn()
        .prepare_cached("SELECT 1 FROM notices WHERE topic = ?1 AND key = ?2")?
        .query_row(params![topic, key], |_| Ok(()))
        .optional()?
        .is_some())
}

fn mark(cache: &Cache, topic: &str, key: i64, now: &DateTime<Utc>) -> Result<(), CoreError> {
    cache
        .conn()
        .prepare_cached("INSERT OR IGNORE INTO notices (topic, key, said_at) VALUES (?1, ?2, ?3)")?
        .execute(params![topic, key, to_micros(now)])?;
    Ok(())
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

fn refused(cache: &Cache, now: &DateTime<Utc>) -> Result<Vec<Notice>, CoreError> {
    let rows = cache.activity(&ActivityFilter {
        outcomes: vec![ActivityOutcome::Refused],
        ..ActivityFilter::default()
    })?;
    let locale = crate::format::sys();
    let mut new = Vec::new();
    for row in rows {
        if !said(cache, "refused", row.activity_id)? {
            mark(cache, "refused", row.activity_id, now)?;
            new.push(ActivityEntry::of(&row, locale));
        }
    }
    if new.len() > MAX_SINGLE {
        return Ok(vec![Notice {
            title: format!(
                "Scriptix refused {} changes",
                locale.count_u64(new.len() as u64)
            ),
            body: "Open the activity log to see why, then fix or discard them.".into(),
            target: Target::Activity,
        }]);
    }
    Ok(new
        .into_iter()
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
        .collect())
}

fn thresholds(
    cache: &Cache,
    threshold: f64,
    now: &DateTime<Utc>,
) -> Result<Vec<Notice>, CoreError> {
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
        *now,
    )?;
    // Back under the threshold: a later crossing is news again.
    let over: Vec<i64> = view.alerts.iter().map(|a| a.customer_id).collect();
    let list = over
        .iter()
        .map(|id| id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    cache.conn().execute(
        &format!("DELETE FROM notices WHERE topic = 'threshold' AND key NOT IN ({list})"),
        [],
    )?;
    let mut new = Vec::new();
    for a in &view.alerts {
        if !said(cache, "threshold", a.customer_id)? {
            mark(cache, "threshold", a.customer_id, now)?;
            new.push(a);
        }
    }
    let locale = crate::format::sys();
    if new.len() > MAX_SINGLE {
        return Ok(vec![Notice {
            title: format!(
                "{} organisations reached the alert threshold",
                locale.count_u64(new.len() as u64)
            ),
            body: format!(
                "At or above {} of their allowance in {}.",
                locale.percent(threshold),
                view.alerts_info.period_text
            ),
            target: Target::Dashboard,
        }]);
    }
    Ok(new
        .into_iter()
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
        .collect())
}

/// What has become worth saying since the last call, marked said in the same transaction.
/// With `show` false (the user turned notifications off) they are marked and nothing is
/// returned: turning them on later does not bring back old news.
pub fn due(
    cache: &Cache,
    threshold: f64,
    show: bool,
    now: DateTime<Utc>,
) -> Result<Vec<Notice>, CoreError> {
    let tx = cache.conn().unchecked_transaction()?;
    let mut out = thresholds(cache, threshold, &now)?;
    out.extend(refused(cache, &now)?);
    tx.commit()?;
    Ok(if show { out } else { Vec::new() })
}

impl Context {
    /// `due` on the account's cache.
    pub fn due_notices(&self, threshold: f64, show: bool) -> Result<Vec<Notice>, CoreError> {
        due(&*self.write()?, threshold, show, Utc::now())
    }
}
