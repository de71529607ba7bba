//! The Users tab: a customer organisation's users as cached, with the queued changes written
//! into them (`apply_changes`); adding, editing, deactivating, reactivating (which also sends the reactivation link)
//! and deleting, each validated and queued in the outbox (entity `user`, `entity_id` the
//! customer). The replay is in `users_replay`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{as_of, AsOf};
use crate::cache::freshness::GapFeature;
use crate::cache::{
    Cache, CacheResult, OutboxEntity, OutboxKind, OutboxOp, OutboxState, Scope, Tab, UserRow,
};
use crate::context::Context;
use crate::outbox::scoped::rewrite_in;
use crate::outbox::{
    ops_of, refused, require_server_id, shown_rows, Marked, RefusedOp, RowMark, ShownRows,
};
use crate::validation::{validate_email, FieldError};
use crate::CoreError;

/// The roles a customer organisation's user can have.
pub const USER_ROLES: [&str; 5] = [
    "ORGADMIN",
    "CONTRIBUTOR",
    "CUSTOMER",
    "DEVELOPER",
    "RESELLEE",
];

/// Longest first or last name accepted.
pub const USER_NAME_MAX_CHARS: usize = 100;

/// A user's editable fields, validated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserFields {
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub roles: Vec<String>,
}

/// The add/edit form as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserForm {
    pub email: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub roles: Vec<String>,
}

/// A queued user change (the outbox payload; `kind` is the variant's name).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum UserChange {
    Create {
        fields: UserFields,
    },
    /// Edit, or deactivate (`is_active` false): PUT replaces the whole user.
    Update {
        user_id: i64,
        fields: UserFields,
        is_active: bool,
        /// The fields as the tab showed them when the edit was made (for the activity log;
        /// None for a deactivation, and in operations queued by earlier versions).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        before: Option<UserFields>,
    },
    /// Active again, and the reactivation link sent.
    Reactivate {
        user_id: i64,
        fields: UserFields,
    },
    Delete {
        user_id: i64,
        email: String,
    },
}

impl UserChange {
    pub fn kind(&self) -> OutboxKind {
        match self {
            UserChange::Create { .. } => OutboxKind::Create,
            UserChange::Update { .. } => OutboxKind::Update,
            UserChange::Reactivate { .. } => OutboxKind::Reactivate,
            UserChange::Delete { .. } => OutboxKind::Delete,
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    pub fn from_op(op: &OutboxOp) -> Result<UserChange, serde_json::Error> {
        serde_json::from_value(op.payload.clone())
    }
}

/// A user as the tab shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserItem {
    #[serde(flatten)]
    pub row: UserRow,
    /// Not on the server yet (a queued create; `row.id` is minus its op id).
    pub local: bool,
    pub mark: Option<RowMark>,
    /// The times as the tab shows them, in the system's locale (`crate::format`), "ago" as of
    /// the read (the tab re-reads on every change): the last login ("3 min ago"; "Never") with
    /// its day and time for a tooltip ("" for none), and when a reactivation link was sent.
    pub last_login_text: String,
    pub last_login_title: String,
    pub reactivation_sent_text: Option<String>,
    pub reactivation_sent_title: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UsersTab {
    pub rows: Vec<UserItem>,
    pub refused: Vec<RefusedOp>,
    pub as_of: AsOf,
}

fn name_field(raw: &str, field: &'static str, errors: &mut Vec<FieldError>) -> Option<String> {
    let v = raw.trim();
    if v.chars().count() > USER_NAME_MAX_CHARS {
        errors.push(FieldError {
            field,
            message: format!("Too long: at most {USER_NAME_MAX_CHARS} characters."),
        });
    }
    (!v.is_empty()).then(|| v.to_string())
}

/// Every problem with the form, per field (`email`, `firstName`, `lastName`, `roles`).
pub fn validate_user(form: &UserForm) -> Result<UserFields, Vec<FieldError>> {
    let mut errors = Vec::new();
    let email = validate_email(&form.email).map_err(|e| errors.push(e)).ok();
    let first_name = name_field(&form.first_name, "firstName", &mut errors);
    let last_name = name_field(&form.last_name, "lastName", &mut errors);
    let mut roles: Vec<String> = Vec::new();
    for raw in &form.roles {
        let role = raw.trim().to_ascii_uppercase();
        if !USER_ROLES.contains(&role.as_str()) {
            errors.push(FieldError {
                field: "roles",
                message: format!(
                    "\"{}\" is not a role a user can have; choose from {}.",
                    raw.trim(),
                    USER_ROLES.join(", ")
                ),
            });
        } else if !roles.contains(&role) {
            roles.push(role);
        }
    }
    if form.roles.is_empty() {
        errors.push(FieldError {
            field: "roles",
            message: "Choose at least one role.".into(),
        });
    }
    match email {
        Some(email) if errors.is_empty() => Ok(UserFields {
            email,
            first_name,
            last_name,
            roles,
        }),
        _ => Err(errors),
    }
}

fn apply_fields(row: &mut UserRow, f: &UserFields) {
    row.email = f.email.clone();
    row.first_name = f.first_name.clone();
    row.last_name = f.last_name.clone();
    row.roles = f.roles.clone();
}

/// The users as they show (pure): the server's with the queued changes applied. A create
/// becomes a row (id minus its op id), edits and (de/re)activations change their row, a delete
/// marks it. Each touched row carries the operations written into it.
pub fn apply_changes(server: Vec<UserRow>, ops: &[OutboxOp]) -> Vec<Marked<UserRow>> {
    let mut rows: Vec<Marked<UserRow>> = server.into_iter().map(|r| (r, Vec::new())).collect();
    for op in ops {
        let Ok(change) = UserChange::from_op(op) else {
            continue;
        };
        let target = match &change {
            UserChange::Create { fields } => {
                rows.push((
                    UserRow {
                        id: -op.op_id,
                        first_name: fields.first_name.clone(),
                        last_name: fields.last_name.clone(),
                        email: fields.email.clone(),
                        is_active: true,
                        roles: fields.roles.clone(),
                        last_login: None,
                        created_at: op.created_at,
                        reactivation_sent_at: None,
                    },
                    vec![op.op_id],
                ));
                continue;
            }
            UserChange::Update { user_id, .. }
            | UserChange::Reactivate { user_id, .. }
            | UserChange::Delete { user_id, .. } => *user_id,
        };
        let Some((row, marks)) = rows.iter_mut().find(|(r, _)| r.id == target) else {
            continue; // gone from the server meanwhile: listed with the refused ones if it fails
        };
        match &change {
            UserChange::Update {
                fields, is_active, ..
            } => {
                apply_fields(row, fields);
                row.is_active = *is_active;
            }
            UserChange::Reactivate { .. } => row.is_active = true,
            UserChange::Create { .. } | UserChange::Delete { .. } => {}
        }
        marks.push(op.op_id);
    }
    rows
}

/// The tab's items: the shown rows with their marks read from `ops`.
pub fn items(rows: Vec<Marked<UserRow>>, ops: &[OutboxOp]) -> Vec<UserItem> {
    let (locale, now) = (crate::format::sys(), Utc::now());
    let title = |t: Option<DateTime<Utc>>| t.map(|t| locale.date_time(t)).unwrap_or_default();
    rows.into_iter()
        .map(|(row, op_ids)| UserItem {
            local: row.id < 0,
            mark: RowMark::of_ops(&op_ids, ops),
            last_login_text: row
                .last_login
                .map_or_else(|| "Never".into(), |t| locale.relative(t, now)),
            last_login_title: title(row.last_login),
            reactivation_sent_text: row.reactivation_sent_at.map(|t| locale.relative(t, now)),
            reactivation_sent_title: title(row.reactivation_sent_at),
            row,
        })
        .collect()
}

/// What a user change is, in words.
pub fn describe(change: &UserChange) -> String {
    match change {
        UserChange::Create { fields } => format!("Add user {}", fields.email),
        UserChange::Update {
            fields, is_active, ..
        } if !is_active => format!("Deactivate user {}", fields.email),
        UserChange::Update { fields, .. } => format!("Edit user {}", fields.email),
        UserChange::Reactivate { fields, .. } => format!("Reactivate user {}", fields.email),
        UserChange::Delete { email, .. } => format!("Delete user {email}"),
    }
}

/// The user entity of the outbox (its replay is in `users_replay`).
pub struct Users;

impl ShownRows for Users {
    type Row = UserRow;

    fn row_id(row: &UserRow) -> i64 {
        row.id
    }

    fn load(cache: &Cache, scope: i64) -> CacheResult<Vec<UserRow>> {
        cache.users(scope)
    }

    fn store(cache: &Cache, scope: i64, rows: &[UserRow]) -> CacheResult<()> {
        // A customer gone from the cache has no rows (they went with it).
        if cache.get_customer(scope)?.is_none() {
            return Ok(());
        }
        cache.replace_users(scope, rows)
    }

    fn apply(
        _: &Cache,
        server: Vec<UserRow>,
        ops: &[OutboxOp],
    ) -> CacheResult<Vec<Marked<UserRow>>> {
        Ok(apply_changes(server, ops))
    }
}

fn fields_of(row: &UserRow) -> UserFields {
    UserFields {
        email: row.email.clone(),
        first_name: row.first_name.clone(),
        last_name: row.last_name.clone(),
        roles: row.roles.clone(),
    }
}

const BEING_ADDED: &str =
    "This user is being added right now; change it once it has reached the server.";

impl Context {
    pub fn users_tab(&self, customer_id: i64) -> Result<UsersTab, CoreError> {
        let now = Utc::now();
        let cache = self.read()?;
        let ops = ops_of(&cache, OutboxEntity::User, customer_id)?;
        let scope = Scope::CustomerTab {
            customer_id,
            tab: Tab::Users,
        };
        Ok(UsersTab {
            rows: items(shown_rows::<Users>(&cache, customer_id)?, &ops),
            refused: refused::<Users>(&ops),
            as_of: as_of(&cache, &scope, Some(GapFeature::Users), now)?,
        })
    }

    /// The user as the tab shows it now, and the operations waiting for the customer.
    fn user_now(
        &self,
        customer_id: i64,
        user_id: i64,
    ) -> Result<(UserItem, Vec<OutboxOp>), CoreError> {
        let cache = self.read()?;
        let ops = ops_of(&cache, OutboxEntity::User, customer_id)?;
        let item = items(shown_rows::<Users>(&cache, customer_id)?, &ops)
            .into_iter()
            .find(|i| i.row.id == user_id)
            .ok_or_else(|| CoreError::NotFound {
                what: "This user".into(),
            })?;
        Ok((item, ops))
    }

    /// A create not sent yet takes the change (its user is local: negative id).
    fn fold_into_create(
        &self,
        ops: &[OutboxOp],
        user_id: i64,
        fields: Option<UserFields>,
    ) -> Result<(), CoreError> {
        let op = ops
            .iter()
            .find(|o| o.op_id == -user_id && o.state == OutboxState::Pending && o.attempts == 0)
            .ok_or_else(|| CoreError::Busy {
                message: BEING_ADDED.into(),
            })?;
        let change = fields.map(|fields| UserChange::Create { fields });
        rewrite_in::<Users>(&*self.write()?, op, change.as_ref())?;
        self.outbox_changed();
        Ok(())
    }

    fn validated_user(form: &UserForm) -> Result<UserFields, CoreError> {
        validate_user(form).map_err(|errors| CoreError::Invalid { errors })
    }

    /// Queues a new user.
    pub fn add_user(&self, customer_id: i64, form: &UserForm) -> Result<(), CoreError> {
        require_server_id(customer_id)?;
        let fields = Self::validated_user(form)?;
        let change = UserChange::Create { fields };
        self.queue_scoped::<Users>(customer_id, &change)?;
        Ok(())
    }

    /// Queues an edit of a user's names, email and roles.
    pub fn update_user(
        &self,
        customer_id: i64,
        user_id: i64,
        form: &UserForm,
    ) -> Result<(), CoreError> {
        require_server_id(customer_id)?;
        let fields = Self::validated_user(form)?;
        let (item, ops) = self.user_now(customer_id, user_id)?;
        if item.local {
            return self.fold_into_create(&ops, user_id, Some(fields));
        }
        let change = UserChange::Update {
            user_id,
            fields,
            is_active: item.row.is_active,
            before: Some(fields_of(&item.row)),
        };
        self.queue_scoped::<Users>(customer_id, &change)?;
        Ok(())
    }

    /// Deactivates (`false`) or reactivates (`true`, which also sends the reactivation link).
    pub fn set_user_active(
        &self,
        customer_id: i64,
        user_id: i64,
        active: bool,
    ) -> Result<(), CoreError> {
        require_server_id(customer_id)?;
        let (item, _) = self.user_now(customer_id, user_id)?;
        if item.local {
            return Err(CoreError::Busy {
                message: BEING_ADDED.into(),
            });
        }
        let fields = fields_of(&item.row);
        let change = if active {
            UserChange::Reactivate { user_id, fields }
        } else {
            UserChange::Update {
                user_id,
                fields,
                is_active: false,
                before: None,
            }
        };
        self.queue_scoped::<Users>(customer_id, &change)?;
        Ok(())
    }

    /// Queues deleting a user; a user not sent yet is simply dropped.
    pub fn delete_user(&self, customer_id: i64, user_id: i64) -> Result<(), CoreError> {
        require_server_id(customer_id)?;
        let (item, ops) = self.user_now(customer_id, user_id)?;
        if item.local {
            return self.fold_into_create(&ops, user_id, None);
        }
        let change = UserChange::Delete {
            user_id,
            email: item.row.email,
        };
        self.queue_scoped::<Users>(customer_id, &change)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbox::MarkState;
    use chrono::{DateTime, TimeZone};

    fn t0() -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000, 0).unwrap()
    }

    fn user(id: i64, email: &str) -> UserRow {
        UserRow {
            id,
            first_name: Some("Ann".into()),
            last_name: None,
            email: email.into(),
            is_active: true,
            roles: vec!["CUSTOMER".into()],
            last_login: None,
            created_at: t0(),
            reactivation_sent_at: None,
        }
    }

    fn op(op_id: i64, change: UserChange, state: OutboxState) -> OutboxOp {
        OutboxOp {
            op_id,
            entity: OutboxEntity::User,
            entity_id: 3,
            kind: change.kind(),
            payload: change.to_json(),
            base_last_modified: None,
            attempts: 0,
            state,
            last_error: (state == OutboxState::Failed).then(|| "Invalid email".into()),
            created_at: t0(),
            batch_id: None,
        }
    }

    fn fields(email: &str) -> UserFields {
        UserFields {
            email: email.into(),
            first_name: None,
            last_name: Some("New".into()),
            roles: vec!["DEVELOPER".into()],
        }
    }

    #[test]
    fn queued_changes_are_written_over_the_servers_users() {
        let ops = vec![
            op(
                1,
                UserChange::Update {
                    user_id: 10,
                    fields: fields("renamed@x.nl"),
                    is_active: false,
                    before: None,
                },
                OutboxState::Pending,
            ),
            op(
                2,
                UserChange::Create {
                    fields: fields("new@x.nl"),
                },
                OutboxState::Failed,
            ),
            op(
                3,
                UserChange::Delete {
                    user_id: 11,
                    email: "b@x.nl".into(),
                },
                OutboxState::InFlight,
            ),
            op(
                4,
                UserChange::Reactivate {
                    user_id: 10,
                    fields: fields("renamed@x.nl"),
                },
                OutboxState::Pending,
            ),
        ];
        let items = items(
            apply_changes(
                vec![user(10, "a@x.nl"), user(11, "b@x.nl"), user(12, "c@x.nl")],
                &ops,
            ),
            &ops,
        );
        assert_eq!(items.len(), 4);
        let a = &items[0];
        assert_eq!(a.row.email, "renamed@x.nl");
        assert_eq!(a.row.last_name.as_deref(), Some("New"));
        assert!(a.row.is_active, "deactivated, then reactivated");
        assert_eq!(a.mark.as_ref().unwrap().kind, OutboxKind::Reactivate);
        assert_eq!(items[1].mark.as_ref().unwrap().kind, OutboxKind::Delete);
        assert_eq!(items[2].mark, None);
        let new = &items[3];
        assert!(new.local);
        assert_eq!(new.row.id, -2);
        assert_eq!(new.mark.as_ref().unwrap().state, MarkState::Failed);
        let refusals = refused::<Users>(&ops);
        assert_eq!(refusals.len(), 1);
        assert_eq!(refusals[0].what, "Add user new@x.nl");
        assert_eq!(refusals[0].error, "Invalid email");
    }

    #[test]
    fn the_form_is_checked_field_by_field() {
        let errors = validate_user(&UserForm {
            email: "not-an-email".into(),
            first_name: String::new(),
            last_name: String::new(),
            roles: vec![],
        })
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["email", "roles"]);

        let errors = validate_user(&UserForm {
            email: "a@b.nl".into(),
            roles: vec!["RESELLER".into()],
            ..UserForm::default()
        })
        .unwrap_err();
        assert_eq!(errors[0].field, "roles", "RESELLER is not a customer role");

        let ok = validate_user(&UserForm {
            email: " a@b.nl ".into(),
            first_name: " Jan ".into(),
            last_name: " ".into(),
            roles: vec!["developer".into(), "DEVELOPER".into(), "orgadmin".into()],
        })
        .unwrap();
        assert_eq!(ok.email, "a@b.nl");
        assert_eq!(ok.first_name.as_deref(), Some("Jan"));
        assert_eq!(ok.last_name, None);
        assert_eq!(ok.roles, vec!["DEVELOPER", "ORGADMIN"]);
    }
}
