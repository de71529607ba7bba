//! Time: the server-monotonic change clock and the wire formats of timestamps and dates.

use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

/// Microseconds since the epoch, strictly increasing across the whole server, so that every
/// change gets a `last_modified` later than any before it (even within one microsecond).
#[derive(Debug)]
pub struct Clock {
    last: Mutex<i64>,
}

impl Clock {
    /// `floor` is the latest timestamp already stored; the clock never answers at or below it.
    pub fn new(floor: i64) -> Self {
        Clock {
            last: Mutex::new(floor),
        }
    }

    pub fn now_micros(&self) -> i64 {
        let wall = Utc::now().timestamp_micros();
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        let next = wall.max(*last + 1);
        *last = next;
        next
    }
}

/// `2021-01-25T10:31:46.960411+00:00`.
pub fn format_ts(micros: i64) -> String {
    match DateTime::<Utc>::from_timestamp_micros(micros) {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string(),
        None => "1970-01-01T00:00:00.000000+00:00".to_string(),
    }
}

pub fn format_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// Midnight UTC of `date`, in microseconds.
pub fn date_micros(date: NaiveDate) -> i64 {
    date.and_time(NaiveTime::MIN).and_utc().timestamp_micros()
}

pub fn micros_date(micros: i64) -> NaiveDate {
    DateTime::<Utc>::from_timestamp_micros(micros)
        .map(|t| t.date_naive())
        .unwrap_or_default()
}

/// Any RFC 3339 timestamp (`Z` or an offset, any fraction), or a plain date (midnight UTC).
pub fn parse_ts(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_micros());
    }
    // A `+` in a query string may arrive decoded as a space.
    if let Ok(t) = DateTime::parse_from_rfc3339(&s.replace(' ', "+")) {
        return Some(t.timestamp_micros());
    }
    parse_date(s).map(date_micros)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_microseconds_with_offset() {
        let t = parse_ts("2021-01-25T10:31:46.960411+00:00").unwrap();
        assert_eq!(format_ts(t), "2021-01-25T10:31:46.960411+00:00");
        assert_eq!(parse_ts("2021-01-25T10:31:46.960411Z"), Some(t));
        assert_eq!(parse_ts("2021-01-25T10:31:46.960411 00:00"), Some(t));
        assert!(parse_ts("yesterday").is_none());
    }

    #[test]
    fn clock_is_strictly_increasing_above_its_floor() {
        let far = Utc::now().timestamp_micros() + 10_000_000;
        let clock = Clock::new(far);
        let a = clock.now_micros();
        let b = clock.now_micros();
        assert!(a > far && b > a);
    }
}
