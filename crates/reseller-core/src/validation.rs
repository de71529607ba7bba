//! One set of rules for what a reseller types, used by the forms (through a command) and again
//! before anything is sent. Messages say what is wrong and how to fix it.

use serde::{Deserialize, Serialize};
use validator::ValidateEmail;

/// Longest organisation name the API accepts.
pub const NAME_MAX_CHARS: usize = 200;

/// Longest email address: RFC 5321's 64 characters before the `@` and 255 after (what
/// `validate_email` accepts at most).
pub const EMAIL_MAX_CHARS: usize = 320;

/// Longest phone as typed: E.164 has at most 15 digits; spaces, dashes, brackets and a `00`
/// prefix add a few. Anything longer is refused before the phone parser sees it.
pub const PHONE_MAX_CHARS: usize = 64;

/// What a message quotes of a typed value: enough to recognise it, never a whole paste.
fn shown(typed: &str) -> String {
    const MAX: usize = 60;
    match typed.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &typed[..cut]),
        None => typed.to_string(),
    }
}

/// One problem with one field, as a form shows it beside that field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        FieldError {
            field,
            message: message.into(),
        }
    }
}

/// A phone number that passed validation: E.164 to store and send, international form to show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Phone {
    pub e164: String,
    pub international: String,
}

/// An organisation's editable fields as typed.
#[derive(Clone, Debug, Default)]
pub struct CustomerDraft<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub phone: &'a str,
}

/// The same fields, checked and normalised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidCustomer {
    pub name: String,
    pub email: String,
    pub phone: Option<Phone>,
}

/// Checks every field and reports every problem at once, so a form can mark them all.
pub fn validate_customer(draft: &CustomerDraft<'_>) -> Result<ValidCustomer, Vec<FieldError>> {
    let name = validate_name(draft.name);
    let email = validate_email(draft.email);
    let phone = validate_phone(draft.phone);
    match (name, email, phone) {
        (Ok(name), Ok(email), Ok(phone)) => Ok(ValidCustomer { name, email, phone }),
        (name, email, phone) => Err([name.err(), email.err(), phone.err()]
            .into_iter()
            .flatten()
            .collect()),
    }
}

/// What a form shows while the user types: every field's problem, and the phone as it will be
/// shown once saved (international format) when it is valid.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FormCheck {
    pub errors: Vec<FieldError>,
    pub phone_international: Option<String>,
}

/// Checks a customer form without stopping at the first problem (the UI's live validation).
pub fn check_customer(draft: &CustomerDraft<'_>) -> FormCheck {
    let mut check = FormCheck::default();
    if let Err(e) = validate_name(draft.name) {
        check.errors.push(e);
    }
    if let Err(e) = validate_email(draft.email) {
        check.errors.push(e);
    }
    match validate_phone(draft.phone) {
        Ok(phone) => check.phone_international = phone.map(|p| p.international),
        Err(e) => check.errors.push(e),
    }
    check
}

pub fn validate_name(raw: &str) -> Result<String, FieldError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(FieldError::new("name", "Enter the organisation's name."));
    }
    let chars = name.chars().count();
    if chars > NAME_MAX_CHARS {
        return Err(FieldError::new(
            "name",
            format!(
                "The name is {chars} characters long; shorten it to {NAME_MAX_CHARS} or fewer."
            ),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(FieldError::new(
            "name",
            "The name contains an invisible control character; type it again.",
        ));
    }
    Ok(name.to_string())
}

pub fn validate_email(raw: &str) -> Result<String, FieldError> {
    let email = raw.trim();
    if email.is_empty() {
        return Err(FieldError::new("email", "Enter an email address."));
    }
    if email.chars().count() > EMAIL_MAX_CHARS {
        return Err(FieldError::new(
            "email",
            format!("The address is too long: at most {EMAIL_MAX_CHARS} characters."),
        ));
    }
    // `validator` follows the HTML spec, which allows `user@host`; a customer's contact address
    // needs a real domain, so also ask for a dot in it.
    let domain_ok = email
        .rsplit_once('@')
        .is_some_and(|(_, d)| d.contains('.') && !d.starts_with('.') && !d.ends_with('.'));
    if !email.validate_email() || !domain_ok {
        return Err(FieldError::new(
            "email",
            format!(
                "\"{}\" is not a valid email address; use one like name@example.com.",
                shown(email)
            ),
        ));
    }
    Ok(email.to_string())
}

/// Optional; when given, an international number. Accepts `+31 20 123 4567`, `0031 20 1234567`,
/// `+1 (415) 555-0100` and the like.
pub fn validate_phone(raw: &str) -> Result<Option<Phone>, FieldError> {
    let typed = raw.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    if typed.chars().count() > PHONE_MAX_CHARS {
        return Err(FieldError::new(
            "phone",
            format!("The phone number is too long: at most {PHONE_MAX_CHARS} characters."),
        ));
    }
    let international = if let Some(rest) = typed.strip_prefix("00") {
        format!("+{rest}")
    } else if typed.starts_with('+') {
        typed.to_string()
    } else {
        return Err(FieldError::new(
            "phone",
            format!(
                "Add the country code to \"{}\", for example +31 20 123 4567 or 0031 20 123 4567.",
                shown(typed)
            ),
        ));
    };
    let number = phonenumber::parse(None, &international).map_err(|_| {
        FieldError::new(
            "phone",
            format!("\"{}\" is not a phone number; use the international form, for example +31 20 123 4567.", shown(typed)),
        )
    })?;
    if !phonenumber::is_valid(&number) {
        return Err(FieldError::new(
            "phone",
            format!("\"{}\" is not a valid number for its country code; check the digits after the country code.", shown(typed)),
        ));
    }
    Ok(Some(Phone {
        e164: number.format().mode(phonenumber::Mode::E164).to_string(),
        international: number
            .format()
            .mode(phonenumber::Mode::International)
            .to_string(),
    }))
}

/// An organisation's editable values as a form holds them: what is stored (as the page shows
/// it) or what is typed (camelCase on the wire).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerValues {
    pub name: String,
    pub email: String,
    /// None, `null` on the wire, or empty: no phone (a customer without one sends `null`).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub phone: String,
    pub is_active: bool,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

impl CustomerValues {
    /// Whether these values are a change to `stored` by the rules a save goes by: names and
    /// emails without surrounding spaces, phones as numbers (`+31 20 123 4567`, `+31201234567`
    /// and `0031 20 1234567` are one number), the status as it is. Saving what is not a change
    /// would send nothing, so the page offers Save only when this is true.
    pub fn differs_from(&self, stored: &CustomerValues) -> bool {
        self.name.trim() != stored.name.trim()
            || self.email.trim() != stored.email.trim()
            || phone_key(&self.phone) != phone_key(&stored.phone)
            || self.is_active != stored.is_active
    }
}

/// What identifies a phone: its E.164 form when it is a valid number, otherwise (a number still
/// being typed, or one the server stored oddly) the text without spaces and separators.
fn phone_key(raw: &str) -> String {
    match validate_phone(raw) {
        Ok(Some(phone)) => phone.e164,
        Ok(None) => String::new(),
        Err(_) => raw
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '(' | ')' | '.'))
            .collect(),
    }
}

/// A brand colour as `#RRGGBB`; returned in upper case so equal colours compare equal.
pub fn validate_brand_color(raw: &str) -> Result<String, FieldError> {
    let c = raw.trim();
    let ok = c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit());
    if !ok {
        return Err(FieldError::new(
            "brandColor",
            format!(
                "\"{}\" is not a colour; use six hex digits like #1A7F6E.",
                shown(c)
            ),
        ));
    }
    Ok(c.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone(s: &str) -> Phone {
        validate_phone(s).unwrap().unwrap()
    }

    #[test]
    fn the_usual_ways_of_writing_a_number_are_accepted() {
        assert_eq!(phone("+31 20 123 4567").e164, "+31201234567");
        assert_eq!(phone("0031 20 1234567").e164, "+31201234567");
        assert_eq!(phone("+1 (415) 555-0100").e164, "+14155550100");
        assert_eq!(
            phone("  +44 20 7946 0958 ").international,
            "+44 20 7946 0958"
        );
        assert_eq!(phone("+31201234567").international, "+31 20 123 4567");
    }

    fn values(name: &str, email: &str, phone: &str, is_active: bool) -> CustomerValues {
        CustomerValues {
            name: name.into(),
            email: email.into(),
            phone: phone.into(),
            is_active,
        }
    }

    #[test]
    fn a_stored_customer_without_a_phone_reads_and_compares() {
        let stored: CustomerValues = serde_json::from_value(serde_json::json!({
            "name": "Acme BV", "email": "it@acme.nl", "phone": null, "isActive": true
        }))
        .unwrap();
        assert_eq!(stored.phone, "");
        let typed: CustomerValues = serde_json::from_value(serde_json::json!({
            "name": "Acme BV", "email": "it@acme.nl", "phone": "", "isActive": true
        }))
        .unwrap();
        assert!(!typed.differs_from(&stored), "nothing typed: no change");
    }

    #[test]
    fn the_same_number_written_differently_is_no_change() {
        let stored = values("Acme BV", "it@acme.nl", "+31 20 123 4567", true);
        for same in [
            "+31 20 123 4567",
            "+31201234567",
            " 0031 20 1234567 ",
            "+31 20-123.4567",
        ] {
            let typed = values(" Acme BV ", "it@acme.nl  ", same, true);
            assert!(!typed.differs_from(&stored), "{same:?}");
        }
        for (typed, what) in [
            (
                values("Acme BV", "it@acme.nl", "+31 20 123 4568", true),
                "another number",
            ),
            (
                values("Acme BV", "it@acme.nl", "", true),
                "the phone removed",
            ),
            (
                values("Acme BV", "it@acme.nl", "020 123 4567", true),
                "no country code yet",
            ),
            (
                values("Acme B.V.", "it@acme.nl", "+31201234567", true),
                "the name",
            ),
            (
                values("Acme BV", "IT@acme.nl", "+31201234567", true),
                "the email's case",
            ),
            (
                values("Acme BV", "it@acme.nl", "+31201234567", false),
                "the status",
            ),
        ] {
            assert!(typed.differs_from(&stored), "{what}");
        }
        // A number the server stored that is not valid is still recognised as typed back.
        let odd = values("Acme BV", "it@acme.nl", "+1 555 0100", true);
        assert!(!values("Acme BV", "it@acme.nl", "+1 555-0100", true).differs_from(&odd));
        assert!(values("Acme BV", "it@acme.nl", "+1 555 0101", true).differs_from(&odd));
        // No phone stored and none typed (spaces only) is no change.
        let none = values("Acme BV", "it@acme.nl", "", true);
        assert!(!values("Acme BV", "it@acme.nl", "   ", true).differs_from(&none));
    }

    #[test]
    fn customer_values_read_camel_case() {
        let v: CustomerValues = serde_json::from_str(
            r#"{"name":"Acme","email":"a@b.nl","phone":"+31201234567","isActive":false}"#,
        )
        .unwrap();
        assert_eq!(v, values("Acme", "a@b.nl", "+31201234567", false));
        let no_phone: CustomerValues =
            serde_json::from_str(r#"{"name":"Acme","email":"a@b.nl","isActive":true}"#).unwrap();
        assert_eq!(no_phone.phone, "");
    }

    #[test]
    fn an_empty_phone_is_fine() {
        assert_eq!(validate_phone("   ").unwrap(), None);
    }

    #[test]
    fn national_only_numbers_ask_for_the_country_code() {
        let err = validate_phone("020 123 4567").unwrap_err();
        assert_eq!(err.field, "phone");
        assert!(err.message.contains("country code"), "{}", err.message);
    }

    #[test]
    fn impossible_numbers_are_refused() {
        for bad in ["+1 555 0100", "+999 123", "+31 abc", "00"] {
            let err = validate_phone(bad).unwrap_err();
            assert_eq!(err.field, "phone", "{bad}");
        }
    }

    #[test]
    fn names_are_trimmed_required_and_bounded() {
        assert_eq!(validate_name("  Acme BV ").unwrap(), "Acme BV");
        assert_eq!(validate_name(" \t").unwrap_err().field, "name");
        assert!(validate_name(&"x".repeat(200)).is_ok());
        let long = validate_name(&"é".repeat(201)).unwrap_err();
        assert!(long.message.contains("201"), "{}", long.message);
        assert!(validate_name("Acme\u{0}BV").is_err());
    }

    #[test]
    fn emails_must_be_real_addresses() {
        assert_eq!(
            validate_email(" it@voorbeeld.nl ").unwrap(),
            "it@voorbeeld.nl"
        );
        for bad in [
            "",
            "not an email",
            "a@b",
            "a@.com",
            "a@b.",
            "@example.com",
            "a b@example.com",
        ] {
            assert_eq!(validate_email(bad).unwrap_err().field, "email", "{bad:?}");
        }
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let errs = validate_customer(&CustomerDraft {
            name: "",
            email: "nope",
            phone: "0612345678",
        })
        .unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "email", "phone"]);
    }

    #[test]
    fn a_valid_customer_is_normalised() {
        let ok = validate_customer(&CustomerDraft {
            name: " Voorbeeld BV ",
            email: "it@voorbeeld.nl",
            phone: "0031 20 1234567",
        })
        .unwrap();
        assert_eq!(ok.name, "Voorbeeld BV");
        assert_eq!(ok.phone.unwrap().e164, "+31201234567");
    }

    #[test]
    fn a_form_check_lists_every_problem_and_shows_the_phone_as_saved() {
        let bad = check_customer(&CustomerDraft {
            name: "",
            email: "x@",
            phone: "020 123 4567",
        });
        let fields: Vec<&str> = bad.errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "email", "phone"]);
        assert_eq!(bad.phone_international, None);
        let good = check_customer(&CustomerDraft {
            name: "Acme",
            email: "it@acme.nl",
            phone: "0031 20 1234567",
        });
        assert!(good.errors.is_empty());
        assert_eq!(good.phone_international.as_deref(), Some("+31 20 123 4567"));
    }

    #[test]
    fn a_paste_is_refused_with_a_short_message() {
        let paste = "x".repeat(1_000_000);
        for e in [
            validate_name(&paste).unwrap_err(),
            validate_email(&paste).unwrap_err(),
            validate_email(&format!("{paste}@example.com")).unwrap_err(),
            validate_phone(&format!("+31{}", "1".repeat(1_000_000))).unwrap_err(),
            validate_phone(&paste).unwrap_err(),
            validate_brand_color(&paste).unwrap_err(),
        ] {
            assert!(
                e.message.chars().count() < 200,
                "{}: {}",
                e.field,
                e.message.len()
            );
        }
        let too_long = validate_phone(&format!("+31 {}", "1 ".repeat(40))).unwrap_err();
        assert!(
            too_long.message.contains("too long"),
            "{}",
            too_long.message
        );
        // Longer than the parser allows is refused before it runs, not echoed back whole.
        assert!(!validate_email(&format!("{}@example.com", "a".repeat(65)))
            .unwrap_err()
            .message
            .contains(&"a".repeat(61)));
    }

    #[test]
    fn brand_colours_are_six_hex_digits() {
        assert_eq!(validate_brand_color("#1a7f6e").unwrap(), "#1A7F6E");
        for bad in ["1a7f6e", "#1a7f6", "#1a7f6eff", "#ggg000", "red"] {
            assert!(validate_brand_color(bad).is_err(), "{bad}");
        }
    }
}
