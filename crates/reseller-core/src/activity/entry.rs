//! One logged change as the Activity screen and its CSV show it: what was done, in the user's
//! words (each entity's own `describe`), on which organisation and tab, the fields before and
//! after, who made it and when, and what the server answered.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::branding::changes::{describe as describe_branding, BrandingChange};
use crate::cache::{ActivityOutcome, ActivityRow, OutboxEntity, OutboxKind};
use crate::customers::change::{describe as describe_customer, CustomerChange, CustomerFields};
use crate::format::Locale;
use crate::tabs::subscriptions::{describe as describe_subscription, SubscriptionChange};
use crate::tabs::tokens::{describe as describe_token, TokenChange};
use crate::tabs::users::{describe as describe_user, UserChange, UserFields};

/// One field a change set: its value before (None: it had none, or the log does not know) and
/// after (None: removed with what it belonged to).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Where in the app a change was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Area {
    Organisation,
    Subscription,
    Tokens,
    Users,
    Branding,
}

impl Area {
    pub const ALL: [Area; 5] = [
        Area::Organisation,
        Area::Subscription,
        Area::Tokens,
        Area::Users,
        Area::Branding,
    ];

    pub fn of(entity: OutboxEntity) -> Area {
        match entity {
            OutboxEntity::Customer => Area::Organisation,
            OutboxEntity::Subscription => Area::Subscription,
            OutboxEntity::CustomerToken => Area::Tokens,
            OutboxEntity::User => Area::Users,
            OutboxEntity::Branding => Area::Branding,
        }
    }

    pub fn entity(self) -> OutboxEntity {
        match self {
            Area::Organisation => OutboxEntity::Customer,
            Area::Subscription => OutboxEntity::Subscription,
            Area::Tokens => OutboxEntity::CustomerToken,
            Area::Users => OutboxEntity::User,
            Area::Branding => OutboxEntity::Branding,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Area::Organisation => "Organisation",
            Area::Subscription => "Subscription",
            Area::Tokens => "Tokens",
            Area::Users => "Users",
            Area::Branding => "Branding",
        }
    }
}

/// A logged change, display-ready.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityEntry {
    pub activity_id: i64,
    /// What was done ("Edit organisation Acme", "Revoke token ci-upload").
    pub what: String,
    pub area: Area,
    pub area_label: String,
    /// The organisation it concerns, to open it (None: branding; negative: not on the server
    /// yet).
    pub customer_id: Option<i64>,
    /// Its name as the change left it (None: branding).
    pub organisation: Option<String>,
    pub changes: Vec<FieldChange>,
    /// "Rita Reseller (rita@example.com)"; for changes queued before the log existed, says so.
    pub who: String,
    pub made_at: DateTime<Utc>,
    /// "1 Nov 2026, 14:05" in the system's locale; an edit folded in later is named too.
    pub made_text: String,
    pub outcome: ActivityOutcome,
    /// "Accepted by the server", "Refused: Email already in use", "Waiting to be sent"...
    pub outcome_text: String,
    pub answered_at: Option<DateTime<Utc>>,
    /// When the server answered, or "" when it has not.
    pub answered_text: String,
    /// Part of a bulk action or import.
    pub batch_id: Option<i64>,
}

impl ActivityEntry {
    pub fn of(row: &ActivityRow, locale: &Locale) -> ActivityEntry {
        let area = Area::of(row.entity);
        let (what, changes, name) = match read(row) {
            Ok(read) => read,
            Err(e) => (
                format!("A change this version cannot read ({e})"),
                Vec::new(),
                None,
            ),
        };
        let organisation = match row.entity {
            OutboxEntity::Branding => None,
            _ => name.or_else(|| row.customer_name.clone()),
        };
        let who = match (&row.actor_name, &row.actor_email) {
            (Some(n), Some(e)) if n != e => format!("{n} ({e})"),
            (Some(n), _) => n.clone(),
            (None, Some(e)) => e.clone(),
            (None, None) => "Not recorded (queued before the activity log)".into(),
        };
        let mut made_text = locale.date_time(row.made_at);
        if let Some(edited) = row.edited_at {
            made_text = format!("{made_text} (edited {})", locale.date_time(edited));
        }
        ActivityEntry {
            activity_id: row.activity_id,
            what,
            area,
            area_label: area.label().into(),
            customer_id: (row.entity != OutboxEntity::Branding).then_some(row.entity_id),
            organisation,
            changes,
            who,
            made_at: row.made_at,
            made_text,
            outcome: row.outcome,
            outcome_text: outcome_text(row),
            answered_at: row.answered_at,
            answered_text: row
                .answered_at
                .map(|t| locale.date_time(t))
                .unwrap_or_default(),
            batch_id: row.batch_id,
        }
    }

    /// Whether every word (lower case) is in what the entry shows.
    pub fn matches(&self, words: &[String]) -> bool {
        if words.is_empty() {
            return true;
        }
        let hay = self.search_text();
        words.iter().all(|w| hay.contains(w.as_str()))
    }

    /// What a search looks in: what the entry shows but its times, in lower case.
    pub fn search_text(&self) -> String {
        let mut hay = format!(
            "{} {} {} {} {}",
            self.what,
            self.organisation.as_deref().unwrap_or(""),
            self.who,
            self.outcome_text,
            self.area_label
        );
        for c in &self.changes {
            for v in [&c.before, &c.after].into_iter().flatten() {
                hay.push(' ');
                hay.push_str(v);
            }
        }
        hay.to_lowercase()
    }
}

fn outcome_text(row: &ActivityRow) -> String {
    let after_conflict = if row.conflicted {
        " after the conflict was settled"
    } else {
        ""
    };
    match row.outcome {
        ActivityOutcome::Waiting => match &row.answer {
            Some(a) => format!("Waiting to be sent again (refused before: {a})"),
            None => "Waiting to be sent".into(),
        },
        ActivityOutcome::Sending => "Sent; the server's answer has not arrived yet".into(),
        ActivityOutcome::Sent => format!("Accepted by the server{after_conflict}"),
        ActivityOutcome::Refused => format!(
            "Refused: {}",
            row.answer.as_deref().unwrap_or("the server gave no reason")
        ),
        ActivityOutcome::Conflict => {
            "Conflict: changed on the server too; waiting for you to settle it".into()
        }
        ActivityOutcome::Discarded if row.answer.is_some() => {
            "Discarded after the server refused it".into()
        }
        ActivityOutcome::Discarded if row.conflicted => "Discarded after a conflict".into(),
        ActivityOutcome::Discarded => "Taken back before it was sent".into(),
    }
}

type Read = (String, Vec<FieldChange>, Option<String>);

fn parse<T: serde::de::DeserializeOwned>(row: &ActivityRow) -> Result<T, String> {
    serde_json::from_value(row.payload.clone()).map_err(|e| e.to_string())
}

fn change(field: &str, before: Option<String>, after: Option<String>) -> Option<FieldChange> {
    (before != after).then(|| FieldChange {
        field: field.into(),
        before,
        after,
    })
}

fn status(active: bool) -> String {
    if active { "Active" } else { "Inactive" }.into()
}

fn yes_no(on: bool) -> String {
    if on { "On" } else { "Off" }.into()
}

/// What a row says, the fields it changed and the organisation's name it gives.
fn read(row: &ActivityRow) -> Result<Read, String> {
    match row.entity {
        OutboxEntity::Customer => read_customer(&parse(row)?),
        OutboxEntity::Subscription => Ok(read_subscription(&parse(row)?)),
        OutboxEntity::CustomerToken if row.kind == OutboxKind::Create => read_token_created(row),
        OutboxEntity::CustomerToken => {
            let c: TokenChange = parse(row)?;
            let TokenChange::Revoke { name, .. } = &c;
            let changes = vec![FieldChange {
                field: "Token".into(),
                before: Some(name.clone()),
                after: None,
            }];
            Ok((describe_token(&c), changes, None))
        }
        OutboxEntity::User => Ok(read_user(&parse(row)?)),
        OutboxEntity::Branding => Ok(read_branding(&parse(row)?)),
    }
}

fn customer_fields(
    before: Option<&CustomerFields>,
    after: Option<&CustomerFields>,
) -> Vec<FieldChange> {
    let get = |f: Option<&CustomerFields>, which: usize| {
        f.and_then(|f| match which {
            0 => Some(f.name.clone()),
            1 => Some(f.email.clone()),
            2 => f.phone.clone(),
            _ => Some(status(f.is_active)),
        })
    };
    ["Name", "Email", "Phone", "Status"]
        .iter()
        .enumerate()
        .filter_map(|(i, field)| change(field, get(before, i), get(after, i)))
        .collect()
}

fn read_customer(c: &CustomerChange) -> Result<Read, String> {
    Ok(match c {
        CustomerChange::Create { fields } => (
            describe_customer(c),
            customer_fields(None, Some(fields)),
            Some(fields.name.clone()),
        ),
        CustomerChange::Update { base, mine } => (
            describe_customer(c),
            customer_fields(Some(base), Some(mine)),
            Some(mine.name.clone()),
        ),
        CustomerChange::Delete { base, .. } => (
            describe_customer(c),
            customer_fields(Some(base), None),
            Some(base.name.clone()),
        ),
        CustomerChange::Refresh => return Err("a re-read is not a change".into()),
    })
}

fn read_subscription(c: &SubscriptionChange) -> Read {
    let changes = match c {
        SubscriptionChange::Create {
            sku,
            description,
            auto_renew,
            ..
        } => vec![
            FieldChange {
                field: "Plan".into(),
                before: None,
                after: Some(format!("{description} ({sku})")),
            },
            FieldChange {
                field: "Auto-renew".into(),
                before: None,
                after: Some(yes_no(*auto_renew)),
            },
        ],
        SubscriptionChange::AutoRenew { auto_renew, .. } => vec![FieldChange {
            field: "Auto-renew".into(),
            before: Some(yes_no(!auto_renew)),
            after: Some(yes_no(*auto_renew)),
        }],
    };
    (describe_subscription(c), changes, None)
}

/// A token created at once (`crate::tabs::tokens`): its name and type; its key is never kept.
fn read_token_created(row: &ActivityRow) -> Result<Read, String> {
    let text = |k: &str| {
        row.payload
            .get(k)
            .and_then(|v| v.as_str())
            .map(String::from)
    };
    let name = text("name").ok_or("no token name")?;
    let mut changes = vec![FieldChange {
        field: "Token".into(),
        before: None,
        after: Some(name.clone()),
    }];
    if let Some(t) = text("tokenType") {
        changes.push(FieldChange {
            field: "Type".into(),
            before: None,
            after: Some(crate::tabs::tokens::token_type_label(&t)),
        });
    }
    Ok((
        format!("Create token \u{201c}{name}\u{201d}"),
        changes,
        None,
    ))
}

fn user_fields(before: Option<&UserFields>, after: Option<&UserFields>) -> Vec<FieldChange> {
    let name = |f: &UserFields| {
        let n = [f.first_name.as_deref(), f.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        (!n.is_empty()).then_some(n)
    };
    let roles = |f: &UserFields| (!f.roles.is_empty()).then(|| f.roles.join(", "));
    [
        change(
            "Email",
            before.map(|f| f.email.clone()),
            after.map(|f| f.email.clone()),
        ),
        change("Name", before.and_then(name), after.and_then(name)),
        change("Roles", before.and_then(roles), after.and_then(roles)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn read_user(c: &UserChange) -> Read {
    let changes = match c {
        UserChange::Create { fields } => user_fields(None, Some(fields)),
        // A deactivation (the user is named in `what`).
        UserChange::Update {
            is_active: false,
            before: None,
            ..
        } => vec![FieldChange {
            field: "Status".into(),
            before: Some(status(true)),
            after: Some(status(false)),
        }],
        UserChange::Update { fields, before, .. } => match before {
            Some(b) => user_fields(Some(b), Some(fields)),
            // Queued by an earlier version, which did not keep what the user was.
            None => user_fields(None, Some(fields)),
        },
        UserChange::Reactivate { fields, .. } => vec![FieldChange {
            field: "Status".into(),
            before: Some(status(false)),
            after: Some(format!("{} (link sent to {})", status(true), fields.email)),
        }],
        UserChange::Delete { email, .. } => vec![FieldChange {
            field: "User".into(),
            before: Some(email.clone()),
            after: None,
        }],
    };
    (describe_user(c), changes, None)
}

fn read_branding(c: &BrandingChange) -> Read {
    let changes = match c {
        BrandingChange::SetColour { brand_color } => vec![FieldChange {
            field: "Brand colour".into(),
            before: None,
            after: Some(brand_color.clone().unwrap_or_else(|| "Default".into())),
        }],
        BrandingChange::SetLogo {
            width,
            height,
            bytes,
        } => vec![FieldChange {
            field: "Logo".into(),
            before: None,
            after: Some(format!(
                "{width} \u{00d7} {height} px PNG, {}",
                crate::format::sys().megabytes(*bytes as u64)
            )),
        }],
        // "Remove the logo" says it all; the log keeps no picture of what it was.
        BrandingChange::DeleteLogo => Vec::new(),
    };
    (describe_branding(c), changes, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn row(entity: OutboxEntity, kind: OutboxKind, payload: serde_json::Value) -> ActivityRow {
        ActivityRow {
            activity_id: 1,
            op_id: Some(1),
            batch_id: None,
            entity,
            entity_id: 7,
            kind,
            payload,
            customer_name: Some("Voorbeeld BV".into()),
            actor_name: None,
            actor_email: None,
            made_at: Utc.timestamp_opt(1_700_000_000, 0).unwrap(),
            edited_at: None,
            outcome: ActivityOutcome::Waiting,
            conflicted: false,
            answer: None,
            answered_at: None,
            ended_at: None,
            search_text: None,
        }
    }

    fn entry(r: &ActivityRow) -> ActivityEntry {
        ActivityEntry::of(r, &Locale::from_tag("en-GB"))
    }

    #[test]
    fn a_deactivated_user_reads_as_a_status_change_on_its_organisation() {
        let change = UserChange::Update {
            user_id: 3,
            fields: UserFields {
                email: "jo@x.nl".into(),
                first_name: None,
                last_name: None,
                roles: vec![],
            },
            is_active: false,
            before: None,
        };
        let e = entry(&row(
            OutboxEntity::User,
            OutboxKind::Update,
            serde_json::to_value(&change).unwrap(),
        ));
        assert_eq!(e.what, "Deactivate user jo@x.nl");
        assert_eq!(e.area, Area::Users);
        assert_eq!(e.organisation.as_deref(), Some("Voorbeeld BV"));
        assert_eq!(
            e.changes,
            vec![FieldChange {
                field: "Status".into(),
                before: Some("Active".into()),
                after: Some("Inactive".into()),
            }]
        );
        assert_eq!(e.who, "Not recorded (queued before the activity log)");
    }

    #[test]
    fn outcomes_say_what_happened_in_words() {
        let mut r = row(
            OutboxEntity::Branding,
            OutboxKind::DeleteLogo,
            serde_json::json!({"kind": "delete_logo"}),
        );
        assert_eq!(entry(&r).what, "Remove the logo");
        assert_eq!(
            entry(&r).customer_id,
            None,
            "branding belongs to no organisation"
        );
        r.outcome = ActivityOutcome::Refused;
        r.answer = Some("Too large".into());
        assert_eq!(entry(&r).outcome_text, "Refused: Too large");
        r.outcome = ActivityOutcome::Discarded;
        assert_eq!(
            entry(&r).outcome_text,
            "Discarded after the server refused it"
        );
        r.answer = None;
        r.conflicted = true;
        r.outcome = ActivityOutcome::Sent;
        assert_eq!(
            entry(&r).outcome_text,
            "Accepted by the server after the conflict was settled"
        );
    }

    #[test]
    fn a_payload_this_version_cannot_read_is_said_not_hidden() {
        let r = row(
            OutboxEntity::Customer,
            OutboxKind::Update,
            serde_json::json!({"kind": "teleport"}),
        );
        let e = entry(&r);
        assert!(
            e.what.starts_with("A change this version cannot read"),
            "{}",
            e.what
        );
        assert!(e.changes.is_empty());
        assert_eq!(e.organisation.as_deref(), Some("Voorbeeld BV"));
    }

    #[test]
    fn search_words_must_all_be_in_what_the_entry_shows() {
        let change = CustomerChange::Update {
            base: CustomerFields {
                name: "Acme".into(),
                email: "a@acme.nl".into(),
                phone: None,
                is_active: true,
            },
            mine: CustomerFields {
                name: "Acme".into(),
                email: "billing@acme.nl".into(),
                phone: None,
                is_active: true,
            },
        };
        let e = entry(&row(
            OutboxEntity::Customer,
            OutboxKind::Update,
            change.to_json(),
        ));
        let words = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
        assert!(e.matches(&words("acme billing")));
        assert!(
            e.matches(&words("a@acme.nl")),
            "the value before is searched too"
        );
        assert!(!e.matches(&words("acme phone-number")));
        assert_eq!(e.changes.len(), 1, "only the email changed");
    }
}
