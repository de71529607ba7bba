//! The API's customer onto the cache's row. The client has already refused what does not parse;
//! this refuses what parses but cannot be a customer the cache should hold.

use scriptix_api::Customer;

use crate::cache::{CustomerRow, SyncState};

/// Longest name or email taken in. The API allows 200-character names; a server that sends
/// more than this is broken or hostile, and the list would be unusable with it.
pub const MAX_TEXT_CHARS: usize = 1000;

/// Longest phone taken in (E.164 has at most 15 digits; formatted forms add a few spaces).
pub const MAX_PHONE_CHARS: usize = 64;

/// Maps one listed customer, or says why it is refused. Cheap: the phone is kept as sent here
/// and put in E.164 by [`normalize_phone`] only for rows that are written (parsing a phone
/// costs about half a millisecond, so doing it for every listed row would dominate a resync).
pub fn customer_row(c: &Customer) -> Result<CustomerRow, String> {
    // Negative ids are the cache's local creates; a server id of 0 or less would collide.
    if c.id <= 0 {
        return Err(format!("id {} is not a positive server id", c.id));
    }
    check_len("name", &c.name, MAX_TEXT_CHARS)?;
    check_len("email", &c.email, MAX_TEXT_CHARS)?;
    let phone = match c.phone.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(p) => {
            check_len("phone", p, MAX_PHONE_CHARS)?;
            Some(p.to_string())
        }
    };
    Ok(CustomerRow {
        id: c.id,
        name: c.name.clone(),
        email: c.email.clone(),
        phone,
        is_active: c.is_active,
        // The cache keeps microseconds (the server's precision); it truncates when it stores.
        registration_date: c.registration_date,
        last_modified: c.last_modified,
        sync_state: SyncState::Synced,
    })
}

/// E.164 when the phone parses as an international number (the cache searches and shows one
/// form); otherwise the phone as the server sent it, rather than lost. Only parsed, not
/// validated against numbering plans: that check costs milliseconds a number, and the server
/// validated it when it was written.
pub fn normalize_phone(phone: &str) -> String {
    let p = phone.trim();
    // Already E.164-shaped: parsing would give the same string back.
    let digits = p.strip_prefix('+').unwrap_or("");
    if (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        return p.to_string();
    }
    match phonenumber::parse(None, p) {
        Ok(n) => n.format().mode(phonenumber::Mode::E164).to_string(),
        Err(_) => p.to_string(),
    }
}

fn check_len(field: &str, value: &str, max: usize) -> Result<(), String> {
    if value.len() > max && value.chars().count() > max {
        return Err(format!("field `{field}` is longer than {max} characters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn customer(id: i64, phone: Option<&str>) -> Customer {
        Customer {
            id,
            name: "Voorbeeld BV".into(),
            email: "it@voorbeeld.nl".into(),
            phone: phone.map(str::to_string),
            is_active: false,
            registration_date: Utc.timestamp_opt(1_700_000_000, 123_456_000).unwrap(),
            last_modified: Utc.timestamp_opt(1_700_000_100, 1_000).unwrap(),
        }
    }

    #[test]
    fn maps_fields_and_normalises_phones() {
        let row = customer_row(&customer(42, Some(" +31 20 1234567 "))).unwrap();
        assert_eq!(row.id, 42);
        assert_eq!(row.phone.as_deref(), Some("+31 20 1234567"));
        assert_eq!(normalize_phone("+31 20 1234567"), "+31201234567");
        assert_eq!(normalize_phone("+55 11 98782-5477"), "+5511987825477");
        assert_eq!(normalize_phone("+31201234567"), "+31201234567");
        assert!(!row.is_active);
        assert_eq!(row.sync_state, SyncState::Synced);
        assert_eq!(row.last_modified.timestamp_micros(), 1_700_000_100_000_001);
        assert_eq!(normalize_phone("ext. 12"), "ext. 12");
        assert_eq!(normalize_phone("020 123 4567"), "020 123 4567");
        assert_eq!(customer_row(&customer(1, Some("  "))).unwrap().phone, None);
        assert_eq!(customer_row(&customer(1, None)).unwrap().phone, None);
    }

    #[test]
    fn refuses_absurd_records() {
        assert!(customer_row(&customer(0, None)).is_err());
        assert!(customer_row(&customer(-5, None)).is_err());
        let mut long = customer(3, None);
        long.name = "x".repeat(MAX_TEXT_CHARS + 1);
        assert!(customer_row(&long).unwrap_err().contains("name"));
        let phone = "1".repeat(MAX_PHONE_CHARS + 1);
        assert!(customer_row(&customer(3, Some(&phone))).is_err());
    }
}
