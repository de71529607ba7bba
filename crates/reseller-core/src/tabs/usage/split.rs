//! The usage tab's view and split choices, as the UI sends them, and which split a view takes.
//! The documented rule ([4] in the contract): `period` splits the invoice view; `language`,
//! `token` and `subscription` split the periodic views (day, week, month, year).

use scriptix_api::{UsageSplit, UsageView};
use serde::{Deserialize, Serialize};

use crate::CoreError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
    Day,
    Week,
    Month,
    Year,
    Invoice,
}

impl View {
    pub fn api(self) -> UsageView {
        match self {
            View::Day => UsageView::Day,
            View::Week => UsageView::Week,
            View::Month => UsageView::Month,
            View::Year => UsageView::Year,
            View::Invoice => UsageView::Invoice,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Split {
    Language,
    Token,
    Subscription,
    Period,
}

impl Split {
    pub fn api(self) -> UsageSplit {
        match self {
            Split::Language => UsageSplit::Language,
            Split::Token => UsageSplit::Token,
            Split::Subscription => UsageSplit::Subscription,
            Split::Period => UsageSplit::Period,
        }
    }

    /// The table column (and chart legend title) of the split value; `None` for `period`,
    /// whose rows are the periods themselves.
    pub fn column(self) -> Option<&'static str> {
        match self {
            Split::Language => Some("Language"),
            Split::Token => Some("Token"),
            Split::Subscription => Some("Subscription"),
            Split::Period => None,
        }
    }
}

/// Refuses a split the view does not take, in words the user can act on.
pub fn check(view: View, split: Option<Split>) -> Result<(), CoreError> {
    let ok = match (view, split) {
        (_, None) => true,
        (View::Invoice, Some(s)) => s == Split::Period,
        (_, Some(s)) => s != Split::Period,
    };
    if ok {
        return Ok(());
    }
    let message = if view == View::Invoice {
        "The invoice view splits by period only; choose a day, week, month or year view to split by language, token or subscription."
    } else {
        "Only the invoice view splits by period; choose the invoice view, or another split."
    };
    Err(CoreError::InvalidInput {
        field: "splitBy",
        message: message.into(),
    })
}

/// The value a row has for the split: its language, token name or subscription ("-" when the
/// server left it out). `None` for no split and for `period`.
pub fn value_of(row: &crate::cache::UsageRow, split: Option<Split>) -> Option<String> {
    let dash = || "-".to_string();
    match split? {
        Split::Language => Some(row.language.clone().unwrap_or_else(dash)),
        Split::Token => Some(row.token_name.clone().unwrap_or_else(dash)),
        Split::Subscription => Some(row.subscription_id.map_or_else(dash, |id| id.to_string())),
        Split::Period => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_takes_only_its_splits() {
        assert!(check(View::Invoice, None).is_ok());
        assert!(check(View::Invoice, Some(Split::Period)).is_ok());
        assert!(check(View::Month, Some(Split::Language)).is_ok());
        assert!(check(View::Day, Some(Split::Subscription)).is_ok());
        let e = check(View::Invoice, Some(Split::Token)).unwrap_err();
        assert!(
            e.to_string().contains("invoice view splits by period"),
            "{e}"
        );
        assert!(check(View::Week, Some(Split::Period)).is_err());
    }
}
