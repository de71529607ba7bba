//! The last warnings and errors, kept in memory for "Copy diagnostics": what went wrong
//! lately, in the words of our own log lines. Only an event's message and its `code` field are
//! kept, never its other fields, so nothing a server sent (customer names, emails) and no
//! token can reach a support ticket through it.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Utc};
use serde::Serialize;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::Layer;

/// How many are kept: the newest, the oldest dropped.
pub const KEPT: usize = 20;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecentError {
    pub at: DateTime<Utc>,
    /// `WARN` or `ERROR`.
    pub level: String,
    /// The module that logged it.
    pub target: String,
    pub message: String,
    /// The error's code (`offline`, `rate_limited`...), when the line gave one.
    pub code: Option<String>,
}

/// A shared ring of the last `KEPT` warnings and errors.
#[derive(Clone, Debug, Default)]
pub struct RecentErrors(Arc<Mutex<VecDeque<RecentError>>>);

impl RecentErrors {
    /// The process's ring: the logging layer writes it, diagnostics read it.
    pub fn global() -> &'static RecentErrors {
        static GLOBAL: OnceLock<RecentErrors> = OnceLock::new();
        GLOBAL.get_or_init(RecentErrors::default)
    }

    /// Oldest first.
    pub fn snapshot(&self) -> Vec<RecentError> {
        match self.0.lock() {
            Ok(ring) => ring.iter().cloned().collect(),
            Err(_) => Vec::new(),
        }
    }

    fn push(&self, e: RecentError) {
        if let Ok(mut ring) = self.0.lock() {
            if ring.len() == KEPT {
                ring.pop_front();
            }
            ring.push_back(e);
        }
    }

    /// The tracing layer that fills this ring.
    pub fn layer(&self) -> RecentErrorsLayer {
        RecentErrorsLayer(self.clone())
    }
}

pub struct RecentErrorsLayer(RecentErrors);

impl<S: Subscriber> Layer<S> for RecentErrorsLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let level = *event.metadata().level();
        if level > Level::WARN {
            return;
        }
        let mut fields = MessageAndCode::default();
        event.record(&mut fields);
        self.0.push(RecentError {
            at: Utc::now(),
            level: level.to_string(),
            target: event.metadata().target().to_string(),
            message: fields.message,
            code: fields.code,
        });
    }
}

#[derive(Default)]
struct MessageAndCode {
    message: String,
    code: Option<String>,
}

impl Visit for MessageAndCode {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "code" => self.code = Some(value.to_string()),
            "message" => self.message = value.to_string(),
            _ => {}
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            "code" => self.code = Some(format!("{value:?}").trim_matches('"').to_string()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::layer::SubscriberExt;

    #[test]
    fn keeps_warnings_and_errors_with_their_code_and_nothing_else() {
        let ring = RecentErrors::default();
        let subscriber = tracing_subscriber::registry().with(ring.layer());
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!("not kept");
            let email = "ann@example.com";
            tracing::warn!(code = "offline", %email, "sync round ended early");
            tracing::error!(code = "cache_unavailable", "the cache could not be read");
        });
        let kept = ring.snapshot();
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[0].level, "WARN");
        assert_eq!(kept[0].message, "sync round ended early");
        assert_eq!(kept[0].code.as_deref(), Some("offline"));
        assert!(!format!("{kept:?}").contains("ann@example.com"));
        assert_eq!(kept[1].level, "ERROR");
        assert_eq!(kept[1].code.as_deref(), Some("cache_unavailable"));
    }

    #[test]
    fn the_oldest_make_room_for_the_newest() {
        let ring = RecentErrors::default();
        let subscriber = tracing_subscriber::registry().with(ring.layer());
        tracing::subscriber::with_default(subscriber, || {
            for i in 0..KEPT + 5 {
                tracing::warn!(code = %format!("c{i}"), "warning");
            }
        });
        let kept = ring.snapshot();
        assert_eq!(kept.len(), KEPT);
        assert_eq!(kept[0].code.as_deref(), Some("c5"));
        assert_eq!(
            kept[KEPT - 1].code.as_deref(),
            Some(&*format!("c{}", KEPT + 4))
        );
    }
}
