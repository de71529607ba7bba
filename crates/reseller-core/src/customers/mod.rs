//! The reseller's customer organisations: the outbox entity (`change`: what a queued operation
//! carries; `queue`: validated local edits written into their rows with a pending mark;
//! `merge`: the pure rules a replay decides by; `replay`: sending them; `settle`: conflicts and
//! discards) and the list and organisation page the screens read (`view`, `screen`); work on
//! many at once: a selection (`selection`), bulk actions filed under a batch (`bulk`), CSV
//! export of the list (`list_export`) and import (`import`).

pub mod bulk;
pub mod change;
pub mod import;
pub mod list_export;
pub mod merge;
pub mod queue;
pub mod replay;
mod screen;
pub mod selection;
pub mod settle;
pub mod view;

pub use bulk::{BatchView, BulkAction, BulkReport, UndoReport};
pub use change::{CustomerChange, CustomerFields, Customers, Field};
pub use import::{ImportDrafts, ImportPreview, ImportReport};
pub use merge::{adopt_created, plan_update, Candidate, UpdatePlan};
pub use queue::{create_customer, delete_customer, update_customer, CustomerForm};
pub use selection::{Matching, Selection};
pub use settle::{discard_customer_changes, settle_conflict, Resolution};
pub use view::{
    field_label, field_text, ConflictView, CustomerView, ListRequest, ListRow, ListWindow,
    MAX_COUNTED, MAX_WINDOW,
};
