//! G9 the reseller's branding: two colours and a logo.

use serde::{Deserialize, Serialize};

use crate::page::{check_opt_text, Record};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branding {
    #[serde(default)]
    pub brand_color: Option<String>,
    #[serde(default)]
    pub secondary_color: Option<String>,
    /// Absolute; fetched with the same token (`Client::fetch_logo`).
    #[serde(default)]
    pub logo_url: Option<String>,
    #[serde(default)]
    pub logo_content_type: Option<String>,
}

impl Record for Branding {
    fn check(&self) -> Result<(), String> {
        check_opt_text("brand_color", &self.brand_color)?;
        check_opt_text("secondary_color", &self.secondary_color)?;
        check_opt_text("logo_url", &self.logo_url)?;
        check_opt_text("logo_content_type", &self.logo_content_type)
    }
}

/// PUT replaces both colours; `None` resets one. `#RRGGBB`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BrandingColors {
    pub brand_color: Option<String>,
    pub secondary_color: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::parse_one;

    #[test]
    fn g9_shape_and_reset_colours_are_sent_as_null() {
        let b: Branding = parse_one(
            br##"{"result": {"brand_color": "#0A7B83", "secondary_color": null,
                "logo_url": "http://127.0.0.1:1/api/v3/reseller/branding/logo", "logo_content_type": "image/png"},
                "count": 1, "total_results": 1}"##,
        )
        .unwrap();
        assert_eq!(b.brand_color.as_deref(), Some("#0A7B83"));
        assert_eq!(b.secondary_color, None);
        let sent = serde_json::to_value(BrandingColors {
            brand_color: Some("#112233".into()),
            secondary_color: None,
        })
        .unwrap();
        assert!(sent["secondary_color"].is_null());
        assert_eq!(sent["brand_color"], "#112233");
    }
}
