//! G3 subscriptions of a customer, and the plans one can subscribe to.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::open_enum;
use crate::page::{check_text, Record};

open_enum! {
    /// Who bills the subscription.
    BillingChannel { Scriptix => "scriptix", Azure => "azure" }
}

open_enum! {
    PaymentModel { Bundle => "bundle", PayAsYouGo => "pay_as_you_go", Perpetual => "perpetual" }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subscription {
    pub id: i64,
    pub sku: String,
    #[serde(default)]
    pub description: String,
    pub billing_channel: BillingChannel,
    pub payment_model: PaymentModel,
    #[serde(with = "crate::time::date")]
    pub start_date: NaiveDate,
    #[serde(default, with = "crate::time::date_opt")]
    pub end_date: Option<NaiveDate>,
    #[serde(default, with = "crate::time::date_opt")]
    pub cancel_date: Option<NaiveDate>,
    #[serde(default)]
    pub is_suspended: bool,
    #[serde(default)]
    pub auto_renew: bool,
    #[serde(default)]
    pub available: Option<Available>,
}

/// What is left on a subscription.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Available {
    pub stt_units: f64,
    pub alignment_units: f64,
    pub translation_budget: f64,
    #[serde(default)]
    pub credits: Option<f64>,
}

impl Record for Subscription {
    fn check(&self) -> Result<(), String> {
        check_text("sku", &self.sku)?;
        check_text("description", &self.description)?;
        check_text("billing_channel", self.billing_channel.as_str())?;
        check_text("payment_model", self.payment_model.as_str())?;
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub sku: String,
    #[serde(default)]
    pub description: String,
    pub payment_model: PaymentModel,
}

impl Record for Plan {
    fn check(&self) -> Result<(), String> {
        check_text("sku", &self.sku)?;
        check_text("description", &self.description)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubscriptionInput {
    pub sku: String,
    pub auto_renew: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::parse_page;
    use crate::page::Page;

    #[test]
    fn g3_shape_with_unknown_enum_values() {
        let body = br#"{"result": [
            {"id": 1414, "sku": "STT-BUNDLE-100H", "description": "100 hours", "billing_channel": "scriptix",
             "payment_model": "bundle", "start_date": "2025-01-01", "end_date": null, "cancel_date": null,
             "is_suspended": false, "auto_renew": true,
             "available": {"stt_units": 360000, "alignment_units": 0, "translation_budget": 12.5, "credits": null}},
            {"id": 1415, "sku": "AZ-PAYG", "description": "", "billing_channel": "aws-marketplace",
             "payment_model": "subscription_v2", "start_date": "2025-02-01", "end_date": "2026-02-01",
             "cancel_date": "2025-06-01", "is_suspended": true, "auto_renew": false,
             "available": {"stt_units": 1, "alignment_units": 2, "translation_budget": 3, "credits": 40}}
        ], "count": 2, "total_results": 2}"#;
        let page: Page<Subscription> = parse_page(body).unwrap();
        assert!(page.rejected.is_empty(), "{:?}", page.rejected);
        assert_eq!(page.items[0].billing_channel, BillingChannel::Scriptix);
        assert_eq!(page.items[0].payment_model, PaymentModel::Bundle);
        assert_eq!(page.items[0].end_date, None);
        assert_eq!(
            page.items[1].billing_channel,
            BillingChannel::Other("aws-marketplace".into())
        );
        assert_eq!(page.items[1].payment_model.as_str(), "subscription_v2");
        assert_eq!(
            page.items[1].available.as_ref().unwrap().credits,
            Some(40.0)
        );
        assert_eq!(
            serde_json::to_value(&page.items[1].billing_channel).unwrap(),
            "aws-marketplace"
        );
    }

    #[test]
    fn plans() {
        let page: Page<Plan> = parse_page(
            br#"{"result": [{"sku": "PAYG", "description": "Pay as you go", "payment_model": "pay_as_you_go"}], "count": 1, "total_results": 1}"#,
        )
        .unwrap();
        assert_eq!(page.items[0].payment_model, PaymentModel::PayAsYouGo);
    }
}
