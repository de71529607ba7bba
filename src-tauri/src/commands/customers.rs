//! Customer commands. So far: the form's live validation (the same rules the outbox applies
//! before anything is queued or sent).

use reseller_core::outbox::CustomerForm;
use reseller_core::validation::{check_customer, CustomerDraft, FormCheck};

/// Every problem with a customer form, per field, and the phone as it will be shown.
#[tauri::command]
pub fn validate_customer(form: CustomerForm) -> FormCheck {
    check_customer(&CustomerDraft {
        name: &form.name,
        email: &form.email,
        phone: &form.phone,
    })
}
