//! Fixed tables: plans, transcript statuses, user roles, token kinds.

pub struct Plan {
    pub sku: &'static str,
    pub description: &'static str,
    pub payment_model: &'static str,
    /// Allowance in seconds of speech-to-text (0 = billed per use).
    pub stt_units: f64,
    pub alignment_units: f64,
    /// Characters of machine translation.
    pub translation_budget: f64,
    /// Prepaid credits (EUR) for pay-as-you-go plans.
    pub credits: Option<f64>,
    /// Invoice cost per second of audio (EUR).
    pub rate_per_second: f64,
    /// Does speech-to-text usage draw on this plan?
    pub carries_stt: bool,
}

pub const PLANS: &[Plan] = &[
    Plan {
        sku: "STT-BUNDLE-10H",
        description: "Speech-to-text bundle, 10 hours",
        payment_model: "bundle",
        stt_units: 36_000.0,
        alignment_units: 0.0,
        translation_budget: 0.0,
        credits: None,
        rate_per_second: 0.0025,
        carries_stt: true,
    },
    Plan {
        sku: "STT-BUNDLE-50H",
        description: "Speech-to-text bundle, 50 hours",
        payment_model: "bundle",
        stt_units: 180_000.0,
        alignment_units: 18_000.0,
        translation_budget: 0.0,
        credits: None,
        rate_per_second: 0.0021,
        carries_stt: true,
    },
    Plan {
        sku: "STT-BUNDLE-250H",
        description: "Speech-to-text bundle, 250 hours",
        payment_model: "bundle",
        stt_units: 900_000.0,
        alignment_units: 90_000.0,
        translation_budget: 500_000.0,
        credits: None,
        rate_per_second: 0.0017,
        carries_stt: true,
    },
    Plan {
        sku: "STT-PAYG",
        description: "Speech-to-text, pay as you go",
        payment_model: "pay_as_you_go",
        stt_units: 0.0,
        alignment_units: 0.0,
        translation_budget: 0.0,
        credits: Some(250.0),
        rate_per_second: 0.0030,
        carries_stt: true,
    },
    Plan {
        sku: "STT-AZURE-PAYG",
        description: "Speech-to-text through the Azure Marketplace, pay as you go",
        payment_model: "pay_as_you_go",
        stt_units: 0.0,
        alignment_units: 0.0,
        translation_budget: 0.0,
        credits: None,
        rate_per_second: 0.0032,
        carries_stt: true,
    },
    Plan {
        sku: "STT-ENTERPRISE-PERPETUAL",
        description: "Enterprise speech-to-text, perpetual licence",
        payment_model: "perpetual",
        stt_units: 3_600_000.0,
        alignment_units: 360_000.0,
        translation_budget: 2_000_000.0,
        credits: None,
        rate_per_second: 0.0,
        carries_stt: true,
    },
    Plan {
        sku: "ALIGN-BUNDLE-20H",
        description: "Alignment add-on, 20 hours",
        payment_model: "bundle",
        stt_units: 0.0,
        alignment_units: 72_000.0,
        translation_budget: 0.0,
        credits: None,
        rate_per_second: 0.0,
        carries_stt: false,
    },
    Plan {
        sku: "TRANSLATE-PAYG",
        description: "Machine translation add-on, pay as you go",
        payment_model: "pay_as_you_go",
        stt_units: 0.0,
        alignment_units: 0.0,
        translation_budget: 1_000_000.0,
        credits: Some(100.0),
        rate_per_second: 0.0,
        carries_stt: false,
    },
];

pub fn plan(sku: &str) -> Option<&'static Plan> {
    PLANS.iter().find(|p| p.sku == sku)
}

/// Transcript status integers (contract decision 5). The one table; unknown values have no label.
pub const TRANSCRIPT_STATUSES: &[(i64, &str)] = &[
    (0, "queued"),
    (1, "processing"),
    (2, "finished"),
    (3, "error"),
];

pub const STATUS_QUEUED: i64 = 0;
pub const STATUS_PROCESSING: i64 = 1;
pub const STATUS_FINISHED: i64 = 2;
pub const STATUS_ERROR: i64 = 3;
/// A value the sandbox seeds a few of, that no client knows.
pub const STATUS_UNKNOWN_SEEDED: i64 = 7;

pub fn status_label(status: i64) -> String {
    TRANSCRIPT_STATUSES
        .iter()
        .find(|(s, _)| *s == status)
        .map(|(_, label)| label.to_string())
        .unwrap_or_else(|| format!("unknown ({status})"))
}

/// Roles a user of a customer organisation may have (G6).
pub const USER_ROLES: &[&str] = &[
    "ORGADMIN",
    "CONTRIBUTOR",
    "CUSTOMER",
    "DEVELOPER",
    "RESELLEE",
];

pub const TOKEN_TYPES: &[&str] = &["batch", "realtime"];
pub const TOKEN_YEARS: &[i64] = &[1, 2, 5];
