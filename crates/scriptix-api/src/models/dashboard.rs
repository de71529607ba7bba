//! G8 the reseller dashboard, with the per-customer table extension.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::transcript::TranscriptStatus;
use crate::page::{check_amount, check_text, Record};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub total_organizations: i64,
    pub active_organizations: i64,
    pub total_users: i64,
    pub units_used: i64,
    pub hours_processed: f64,
    pub sessions: i64,
    pub finished_sessions: i64,
    /// A fraction 0..1.
    pub error_rate: f64,
    #[serde(default)]
    pub recent_transcriptions: Vec<RecentTranscription>,
    /// Extension: one row per customer; `None` when the server does not send it.
    #[serde(default)]
    pub customers: Option<Vec<DashboardCustomer>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecentTranscription {
    pub customer_id: i64,
    pub customer_name: String,
    pub session_id: String,
    pub filename: String,
    pub status: TranscriptStatus,
    #[serde(default)]
    pub duration: Option<f64>,
    #[serde(with = "crate::time::timestamp")]
    pub date_session_start: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardCustomer {
    pub customer_id: i64,
    pub customer_name: String,
    #[serde(default = "super::default_true")]
    pub is_active: bool,
    pub units_used: i64,
    pub hours_processed: f64,
    pub sessions: i64,
    pub finished_sessions: i64,
    pub error_sessions: i64,
    pub error_rate: f64,
    #[serde(default)]
    pub available_units: Option<f64>,
}

impl Record for Dashboard {
    fn check(&self) -> Result<(), String> {
        check_amount("hours_processed", self.hours_processed)?;
        check_amount("error_rate", self.error_rate)?;
        for r in &self.recent_transcriptions {
            check_text("customer_name", &r.customer_name)?;
            check_text("filename", &r.filename)?;
        }
        for c in self.customers.iter().flatten() {
            check_text("customer_name", &c.customer_name)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::parse_one;

    #[test]
    fn g8_with_and_without_the_extension() {
        let with: Dashboard = parse_one(
            br#"{"result": {"total_organizations": 250, "active_organizations": 230, "total_users": 900,
              "units_used": 360000, "hours_processed": 100.0, "sessions": 50, "finished_sessions": 45, "error_rate": 0.04,
              "recent_transcriptions": [{"customer_id": 1, "customer_name": "Acme", "session_id": "s1",
                 "filename": "a.mp3", "status": 7, "duration": 12.5, "date_session_start": "2025-01-17T10:00:00Z"}],
              "customers": [{"customer_id": 1, "customer_name": "Acme", "is_active": true, "units_used": 10,
                 "hours_processed": 0.01, "sessions": 2, "finished_sessions": 1, "error_sessions": 1,
                 "error_rate": 0.5, "available_units": 3600}]},
              "count": 1, "total_results": 1}"#,
        )
        .unwrap();
        assert_eq!(with.recent_transcriptions[0].status.label(), "Unknown (7)");
        assert_eq!(
            with.customers.as_ref().unwrap()[0].available_units,
            Some(3600.0)
        );

        let without: Dashboard = parse_one(
            br#"{"total_organizations": 0, "active_organizations": 0, "total_users": 0, "units_used": 0,
                 "hours_processed": 0, "sessions": 0, "finished_sessions": 0, "error_rate": 0,
                 "recent_transcriptions": []}"#,
        )
        .unwrap();
        assert_eq!(without.customers, None);
    }
}
