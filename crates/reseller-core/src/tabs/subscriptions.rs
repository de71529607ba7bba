//! The Subscription tab: a customer's subscriptions as cached, with the queued changes (a new
//! subscription, an auto-renew switch) written into them (`apply_changes`); the plan catalogue the "add
//! subscription" picker searches (cached, so it works offline); and the writes, validated and
//! queued in the outbox (entity `subscription`, `entity_id` the customer). The replay is in
//! `subscriptions_replay`.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::params;
use scriptix_api::Lane;
use serde::{Deserialize, Serialize};

use super::{as_of, AsOf};
use crate::cache::customers::{from_micros, to_micros};
use crate::cache::freshness::GapFeature;
use crate::cache::{
    Cache, CacheResult, OutboxEntity, OutboxKind, OutboxOp, OutboxState, Scope, SubscriptionRow,
    Tab,
};
use crate::context::Context;
use crate::outbox::scoped::rewrite_in;
use crate::outbox::{
    ops_of, refused, server_rows, shown_rows, Marked, RefusedOp, RowMark, ShownRows,
};
use crate::CoreError;

/// A queued subscription change (the outbox payload; `kind` is `create` or `auto_renew`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum SubscriptionChange {
    Create {
        sku: String,
        /// The plan's description and payment model, to show the pending row.
        description: String,
        payment_model: String,
        auto_renew: bool,
        /// The customer's subscription ids on the server just before the first send; `None`
        /// until then. A create whose answer was lost adopts the new one with its SKU that is
        /// not among these instead of creating a second.
        #[serde(default)]
        before: Option<Vec<i64>>,
    },
    AutoRenew {
        subscription_id: i64,
        auto_renew: bool,
    },
}

impl SubscriptionChange {
    pub fn kind(&self) -> OutboxKind {
        match self {
            SubscriptionChange::Create { .. } => OutboxKind::Create,
            SubscriptionChange::AutoRenew { .. } => OutboxKind::AutoRenew,
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    pub fn from_op(op: &OutboxOp) -> Result<SubscriptionChange, serde_json::Error> {
        serde_json::from_value(op.payload.clone())
    }
}

/// A subscription as the tab shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionItem {
    #[serde(flatten)]
    pub row: SubscriptionRow,
    /// Not on the server yet (a queued create; `row.id` is minus its op id).
    pub local: bool,
    pub mark: Option<RowMark>,
    /// `billing_channel` and `payment_model` as the user reads them.
    pub billing_channel_label: String,
    pub payment_model_label: String,
    /// The dates as the tab shows them, in the system's locale ("1 Nov 2026"; "-" for none).
    pub start_text: String,
    pub end_text: String,
}

/// A billing channel as the tab names it ("—" for none; an unknown one as it came).
pub fn billing_channel_label(v: &str) -> String {
    match v {
        "" => "\u{2014}".into(),
        "scriptix" => "Scriptix".into(),
        "azure" => "Azure".into(),
        other => other.into(),
    }
}

/// A payment model as the tab and the plan picker name it.
pub fn payment_model_label(v: &str) -> String {
    match v {
        "" => "\u{2014}".into(),
        "bundle" => "Bundle".into(),
        "pay_as_you_go" => "Pay-as-you-go".into(),
        "perpetual" => "Perpetual".into(),
        other => other.into(),
    }
}

/// The Subscription tab.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionsTab {
    pub rows: Vec<SubscriptionItem>,
    pub refused: Vec<RefusedOp>,
    pub as_of: AsOf,
}

/// A plan one can subscribe a customer to.
/// Serialised with `paymentModelLabel` too (the model as the user reads it).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanRow {
    pub sku: String,
    pub description: String,
    pub payment_model: String,
}

impl Serialize for PlanRow {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Shown<'a> {
            sku: &'a str,
            description: &'a str,
            payment_model: &'a str,
            payment_model_label: String,
        }
        Shown {
            sku: &self.sku,
            description: &self.description,
            payment_model: &self.payment_model,
            payment_model_label: payment_model_label(&self.payment_model),
        }
        .serialize(s)
    }
}

/// The cached plan catalogue, searched. Serialised with `countText` too: how many plans, in
/// the system's locale ("12 plans", "1 plan").
#[derive(Clone, Debug, PartialEq)]
pub struct PlanCatalog {
    pub plans: Vec<PlanRow>,
    /// When the catalogue was fetched; `None`: never (connect once to load it).
    pub fetched_at: Option<DateTime<Utc>>,
}

impl Serialize for PlanCatalog {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = s.serialize_struct("PlanCatalog", 3)?;
        out.serialize_field("plans", &self.plans)?;
        out.serialize_field("fetchedAt", &self.fetched_at)?;
        out.serialize_field(
            "countText",
            &crate::format::sys().count_of(self.plans.len() as u64, "plan", "plans"),
        )?;
        out.end()
    }
}

/// The subscriptions as they show (pure): the server's with the queued changes applied.
/// Creates become rows (id minus their op id, starting `today`); auto-renew switches change the
/// row they name. Each touched row carries the operations written into it.
pub fn apply_changes(
    server: Vec<SubscriptionRow>,
    ops: &[OutboxOp],
    today: NaiveDate,
) -> Vec<Marked<SubscriptionRow>> {
    let mut rows: Vec<Marked<SubscriptionRow>> =
        server.into_iter().map(|r| (r, Vec::new())).collect();
    for op in ops {
        let Ok(change) = SubscriptionChange::from_op(op) else {
            continue; // shown in the refused list once the replay fails it
        };
        match change {
            SubscriptionChange::Create {
                sku,
                description,
                payment_model,
                auto_renew,
                ..
            } => rows.push((
                SubscriptionRow {
                    id: -op.op_id,
                    sku,
                    description: Some(description),
                    billing_channel: String::new(),
                    payment_model,
                    start_date: today,
                    end_date: None,
                    cancel_date: None,
                    is_suspended: false,
                    auto_renew,
                    stt_units: None,
                    alignment_units: None,
                    translation_budget: None,
                    credits: None,
                },
                vec![op.op_id],
            )),
            SubscriptionChange::AutoRenew {
                subscription_id,
                auto_renew,
            } => {
                if let Some((row, marks)) = rows.iter_mut().find(|(r, _)| r.id == subscription_id) {
                    row.auto_renew = auto_renew;
                    marks.push(op.op_id);
                }
            }
        }
    }
    rows
}

/// The tab's items: the shown rows with their marks read from `ops` and their labels.
pub fn items(rows: Vec<Marked<SubscriptionRow>>, ops: &[OutboxOp]) -> Vec<SubscriptionItem> {
    rows.into_iter()
        .map(|(row, op_ids)| SubscriptionItem {
            local: row.id < 0,
            mark: RowMark::of_ops(&op_ids, ops),
            billing_channel_label: billing_channel_label(&row.billing_channel),
            payment_model_label: payment_model_label(&row.payment_model),
            start_text: crate::format::sys().date(row.start_date),
            end_text: row
                .end_date
                .map_or_else(|| "-".into(), |d| crate::format::sys().date(d)),
            row,
        })
        .collect()
}

/// What a subscription change is, in words.
pub fn describe(change: &SubscriptionChange) -> String {
    match change {
        SubscriptionChange::Create { sku, .. } => format!("Add subscription {sku}"),
        SubscriptionChange::AutoRenew {
            subscription_id,
            auto_renew,
        } => format!(
            "Turn auto-renew {} for subscription {subscription_id}",
            if *auto_renew { "on" } else { "off" }
        ),
    }
}

/// The subscription entity of the outbox (its replay is in `subscriptions_replay`).
pub struct Subscriptions;

impl ShownRows for Subscriptions {
    type Row = SubscriptionRow;

    fn row_id(row: &SubscriptionRow) -> i64 {
        row.id
    }

    fn load(cache: &Cache, scope: i64) -> CacheResult<Vec<SubscriptionRow>> {
        cache.subscriptions(scope)
    }

    fn store(cache: &Cache, scope: i64, rows: &[SubscriptionRow]) -> CacheResult<()> {
        // A customer gone from the cache has no rows (they went with it).
        if cache.get_customer(scope)?.is_none() {
            return Ok(());
        }
        cache.replace_subscriptions(scope, rows)
    }

    fn apply(
        _: &Cache,
        server: Vec<SubscriptionRow>,
        ops: &[OutboxOp],
    ) -> CacheResult<Vec<Marked<SubscriptionRow>>> {
        Ok(apply_changes(server, ops, Utc::now().date_naive()))
    }
}

/// Plans whose SKU or description contains `search` (case-insensitive), in the server's order.
pub fn search_plans(plans: Vec<PlanRow>, search: &str) -> Vec<PlanRow> {
    let needle = crate::cache::bounded_search(search.trim()).to_lowercase();
    if needle.is_empty() {
        return plans;
    }
    plans
        .into_iter()
        .filter(|p| {
            p.sku.to_lowercase().contains(&needle) || p.description.to_lowercase().contains(&needle)
        })
        .collect()
}

/// Replaces the cached catalogue.
pub fn store_plans(cache: &Cache, plans: &[PlanRow], now: DateTime<Utc>) -> CacheResult<()> {
    cache.in_transaction(|c| {
        c.conn().execute("DELETE FROM plans", [])?;
        let mut stmt = c.conn().prepare_cached(
            "INSERT OR REPLACE INTO plans (sku, description, payment_model, seq, fetched_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for (seq, p) in plans.iter().enumerate() {
            stmt.execute(params![
                p.sku,
                p.description,
                p.payment_model,
                seq as i64,
                to_micros(&now)
            ])?;
        }
        Ok(())
    })
}

/// The cached catalogue and when it was fetched.
pub fn cached_plans(cache: &Cache) -> CacheResult<PlanCatalog> {
    let mut stmt = cache.conn().prepare_cached(
        "SELECT sku, description, payment_model, fetched_at FROM plans ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut plans = Vec::new();
    let mut fetched_at = None;
    while let Some(r) = rows.next()? {
        plans.push(PlanRow {
            sku: r.get(0)?,
            description: r.get(1)?,
            payment_model: r.get(2)?,
        });
        fetched_at = Some(from_micros(r.get(3)?)?);
    }
    Ok(PlanCatalog { plans, fetched_at })
}

impl Context {
    /// The Subscription tab of a customer: cached rows (queued changes written in), freshness.
    pub fn subscriptions_tab(&self, customer_id: i64) -> Result<SubscriptionsTab, CoreError> {
        let now = Utc::now();
        let cache = self.read()?;
        let ops = ops_of(&cache, OutboxEntity::Subscription, customer_id)?;
        let rows = items(shown_rows::<Subscriptions>(&cache, customer_id)?, &ops);
        let scope = Scope::CustomerTab {
            customer_id,
            tab: Tab::Subscriptions,
        };
        Ok(SubscriptionsTab {
            rows,
            refused: refused::<Subscriptions>(&ops),
            as_of: as_of(&cache, &scope, Some(GapFeature::Subscriptions), now)?,
        })
    }

    /// The cached plans matching `search` (SKU or description).
    pub fn plans(&self, search: &str) -> Result<PlanCatalog, CoreError> {
        let catalog = cached_plans(&*self.read()?)?;
        Ok(PlanCatalog {
            plans: search_plans(catalog.plans, search),
            fetched_at: catalog.fetched_at,
        })
    }

    /// Fetches the plan catalogue now (interactive lane) and caches it; then as `plans`.
    pub async fn refresh_plans(&self, search: &str) -> Result<PlanCatalog, CoreError> {
        let client = self.client().lane(Lane::Interactive);
        let plans: Vec<PlanRow> = client
            .plans()
            .await?
            .into_iter()
            .map(|p| PlanRow {
                sku: p.sku,
                description: p.description,
                payment_model: p.payment_model.as_str().to_string(),
            })
            .collect();
        store_plans(&*self.write()?, &plans, Utc::now())?;
        self.plans(search)
    }

    /// Queues a new subscription on `sku` (a plan of the cached catalogue).
    pub fn add_subscription(
        &self,
        customer_id: i64,
        sku: &str,
        auto_renew: bool,
    ) -> Result<(), CoreError> {
        crate::outbox::require_server_id(customer_id)?;
        let sku = sku.trim();
        let catalog = cached_plans(&*self.read()?)?;
        let plan = if sku.is_empty() {
            None
        } else {
            catalog.plans.iter().find(|p| p.sku == sku)
        };
        let Some(plan) = plan else {
            let message = if sku.is_empty() {
                "Choose a plan."
            } else if catalog.fetched_at.is_none() {
                "The plan list has not been loaded yet; connect once to load it."
            } else {
                "That is not a plan Scriptix offers; choose one from the list."
            };
            return Err(CoreError::InvalidInput {
                field: "sku",
                message: message.into(),
            });
        };
        let change = SubscriptionChange::Create {
            sku: plan.sku.clone(),
            description: plan.description.clone(),
            payment_model: plan.payment_model.clone(),
            auto_renew,
            before: None,
        };
        self.queue_scoped::<Subscriptions>(customer_id, &change)?;
        Ok(())
    }

    /// Switches auto-renew of a subscription. On a subscription still being added (negative
    /// id) the waiting create takes the new value; a switch back before the first one was sent
    /// cancels it.
    pub fn set_auto_renew(
        &self,
        customer_id: i64,
        subscription_id: i64,
        auto_renew: bool,
    ) -> Result<(), CoreError> {
        crate::outbox::require_server_id(customer_id)?;
        {
            let cache = self.write()?;
            let ops = ops_of(&cache, OutboxEntity::Subscription, customer_id)?;
            if subscription_id < 0 {
                let op = ops
                    .iter()
                    .find(|o| o.op_id == -subscription_id)
                    .ok_or_else(|| CoreError::NotFound {
                        what: "This subscription".into(),
                    })?;
                let Ok(SubscriptionChange::Create {
                    sku,
                    description,
                    payment_model,
                    before: None,
                    ..
                }) = SubscriptionChange::from_op(op)
                else {
                    return Err(CoreError::Busy {
                        message: "This subscription is being added right now; switch auto-renew once it is on the server.".into(),
                    });
                };
                if op.state != OutboxState::Pending {
                    return Err(CoreError::Busy {
                        message: "This subscription is being added right now; switch auto-renew once it is on the server.".into(),
                    });
                }
                let change = SubscriptionChange::Create {
                    sku,
                    description,
                    payment_model,
                    auto_renew,
                    before: None,
                };
                rewrite_in::<Subscriptions>(&cache, op, Some(&change))?;
                drop(cache);
                self.outbox_changed();
                return Ok(());
            }
            let server = server_rows::<Subscriptions>(&cache, customer_id)?
                .into_iter()
                .find(|s| s.id == subscription_id)
                .ok_or_else(|| CoreError::NotFound {
                    what: "This subscription".into(),
                })?;
            // The last switch of this subscription not sent yet: changed in place, or dropped
            // when it comes back to what the server has.
            let waiting = ops.iter().rev().find(|o| {
                o.state == OutboxState::Pending
                    && matches!(SubscriptionChange::from_op(o),
                        Ok(SubscriptionChange::AutoRenew { subscription_id: s, .. }) if s == subscription_id)
            });
            let later_exists = waiting.is_some_and(|w| ops.iter().any(|o| o.op_id > w.op_id));
            if let (Some(w), false) = (waiting, later_exists) {
                let change = SubscriptionChange::AutoRenew {
                    subscription_id,
                    auto_renew,
                };
                let keep = (server.auto_renew != auto_renew).then_some(&change);
                rewrite_in::<Subscriptions>(&cache, w, keep)?;
                drop(cache);
                self.outbox_changed();
                return Ok(());
            }
        }
        let change = SubscriptionChange::AutoRenew {
            subscription_id,
            auto_renew,
        };
        self.queue_scoped::<Subscriptions>(customer_id, &change)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn row(id: i64, auto_renew: bool) -> SubscriptionRow {
        SubscriptionRow {
            id,
            sku: format!("SKU-{id}"),
            description: None,
            billing_channel: "scriptix".into(),
            payment_model: "bundle".into(),
            start_date: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            end_date: None,
            cancel_date: None,
            is_suspended: false,
            auto_renew,
            stt_units: None,
            alignment_units: None,
            translation_budget: None,
            credits: None,
        }
    }

    fn op(op_id: i64, change: &SubscriptionChange, state: OutboxState) -> OutboxOp {
        OutboxOp {
            op_id,
            entity: OutboxEntity::Subscription,
            entity_id: 7,
            kind: change.kind(),
            payload: change.to_json(),
            base_last_modified: None,
            attempts: 0,
            state,
            last_error: (state == OutboxState::Failed).then(|| "Invalid sku: no such plan".into()),
            created_at: Utc.timestamp_opt(1_700_000_000, 0).unwrap(),
            batch_id: None,
        }
    }

    #[test]
    fn queued_creates_and_switches_are_written_over_the_servers_rows() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let create = SubscriptionChange::Create {
            sku: "PAYG".into(),
            description: "Pay as you go".into(),
            payment_model: "pay_as_you_go".into(),
            auto_renew: true,
            before: None,
        };
        let switch = SubscriptionChange::AutoRenew {
            subscription_id: 2,
            auto_renew: true,
        };
        let ops = [
            op(10, &create, OutboxState::Pending),
            op(11, &switch, OutboxState::Failed),
        ];
        let items = items(
            apply_changes(vec![row(1, false), row(2, false)], &ops, today),
            &ops,
        );
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].mark, None, "an untouched row has no mark");
        assert!(!items[0].row.auto_renew);
        assert!(items[1].row.auto_renew, "the switch shows at once");
        assert_eq!(
            items[1].mark.as_ref().unwrap().state,
            crate::outbox::MarkState::Failed
        );
        assert_eq!(
            items[1].mark.as_ref().unwrap().error.as_deref(),
            Some("Invalid sku: no such plan")
        );
        let new = &items[2];
        assert!(new.local);
        assert_eq!(new.row.id, -10);
        assert_eq!(new.row.sku, "PAYG");
        assert_eq!(new.row.start_date, today);
        assert_eq!(new.row.end_date, None);
        assert_eq!(
            new.mark.as_ref().unwrap().state,
            crate::outbox::MarkState::Pending
        );
        assert_eq!(refused::<Subscriptions>(&ops).len(), 1);
        assert_eq!(
            refused::<Subscriptions>(&ops)[0].what,
            "Turn auto-renew on for subscription 2"
        );
    }

    #[test]
    fn a_switch_of_a_row_no_longer_cached_changes_nothing() {
        let switch = SubscriptionChange::AutoRenew {
            subscription_id: 99,
            auto_renew: true,
        };
        let ops = [op(3, &switch, OutboxState::Pending)];
        let items = items(
            apply_changes(
                vec![row(1, false)],
                &ops,
                NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            ),
            &ops,
        );
        assert_eq!(items.len(), 1);
        assert!(!items[0].row.auto_renew);
    }

    #[test]
    fn plans_are_searched_by_sku_or_description() {
        let plans = vec![
            PlanRow {
                sku: "STT-BUNDLE-100H".into(),
                description: "100 hours".into(),
                payment_model: "bundle".into(),
            },
            PlanRow {
                sku: "PAYG".into(),
                description: "Pay as you go".into(),
                payment_model: "pay_as_you_go".into(),
            },
        ];
        assert_eq!(search_plans(plans.clone(), "bundle").len(), 1);
        assert_eq!(search_plans(plans.clone(), "AS YOU")[0].sku, "PAYG");
        assert_eq!(search_plans(plans.clone(), "  ").len(), 2);
        assert!(search_plans(plans, "gold").is_empty());
    }

    #[test]
    fn the_catalogue_round_trips_through_the_cache() {
        let cache = Cache::open_in_memory().unwrap();
        assert_eq!(cached_plans(&cache).unwrap().fetched_at, None);
        let now = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        let plans = vec![PlanRow {
            sku: "B".into(),
            description: "b".into(),
            payment_model: "bundle".into(),
        }];
        store_plans(&cache, &plans, now).unwrap();
        let got = cached_plans(&cache).unwrap();
        assert_eq!(got.plans, plans);
        assert_eq!(got.fetched_at, Some(now));
    }
}
