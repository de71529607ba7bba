//! Timestamps and dates as the API writes them, into chrono types.
//!
//! Accepted timestamp forms (contract 2.7): `2021-01-25T10:31:46.960411+00:00`,
//! `2025-01-25T10:31:46.960Z`, `2025-01-17T10:00:00Z`; also a timestamp without an offset
//! (read as UTC) and a plain date (midnight UTC). Date fields accept `YYYY-MM-DD` or a
//! timestamp (its UTC date). We write the Gen A form: microseconds and `+00:00`.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serializer};

pub fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    // Some servers use a space instead of `T`; RFC 3339 allows it.
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f%:z") {
        return Some(t.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(t.and_utc());
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .or_else(|| parse_timestamp(s).map(|t| t.date_naive()))
}

/// The form we send: `2021-01-25T10:31:46.960411+00:00`.
pub fn format_timestamp(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, false)
}

pub fn format_date(d: &NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn bad<E: serde::de::Error>(what: &str, s: &str) -> E {
    let shown: String = s.chars().take(40).collect();
    E::custom(format!("not a {what}: {shown:?}"))
}

/// `#[serde(with = "crate::time::timestamp")]` for `DateTime<Utc>`.
pub mod timestamp {
    use super::*;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = Cow::<str>::deserialize(d)?;
        parse_timestamp(&s).ok_or_else(|| bad("timestamp", &s))
    }

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_timestamp(t))
    }
}

/// `#[serde(default, with = "crate::time::timestamp_opt")]` for `Option<DateTime<Utc>>`.
pub mod timestamp_opt {
    use super::*;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        match Option::<Cow<str>>::deserialize(d)? {
            None => Ok(None),
            Some(s) if s.trim().is_empty() => Ok(None),
            Some(s) => parse_timestamp(&s)
                .map(Some)
                .ok_or_else(|| bad("timestamp", &s)),
        }
    }

    pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&format_timestamp(t)),
            None => s.serialize_none(),
        }
    }
}

/// `#[serde(with = "crate::time::date")]` for `NaiveDate`.
pub mod date {
    use super::*;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let s = Cow::<str>::deserialize(d)?;
        parse_date(&s).ok_or_else(|| bad("date", &s))
    }

    pub fn serialize<S: Serializer>(v: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_date(v))
    }
}

/// `#[serde(default, with = "crate::time::date_opt")]` for `Option<NaiveDate>`.
pub mod date_opt {
    use super::*;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        match Option::<Cow<str>>::deserialize(d)? {
            None => Ok(None),
            Some(s) if s.trim().is_empty() => Ok(None),
            Some(s) => parse_date(&s).map(Some).ok_or_else(|| bad("date", &s)),
        }
    }

    pub fn serialize<S: Serializer>(v: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_str(&format_date(v)),
            None => s.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Timelike};

    #[test]
    fn the_three_documented_forms() {
        let a = parse_timestamp("2021-01-25T10:31:46.960411+00:00").unwrap();
        assert_eq!(a.timestamp(), 1_611_570_706);
        assert_eq!(a.nanosecond(), 960_411_000);
        let b = parse_timestamp("2025-01-25T10:31:46.960Z").unwrap();
        assert_eq!(b.nanosecond(), 960_000_000);
        assert_eq!(
            b,
            Utc.with_ymd_and_hms(2025, 1, 25, 10, 31, 46).unwrap()
                + chrono::Duration::milliseconds(960)
        );
        let c = parse_timestamp("2025-01-17T10:00:00Z").unwrap();
        assert_eq!(c, Utc.with_ymd_and_hms(2025, 1, 17, 10, 0, 0).unwrap());
    }

    #[test]
    fn offsets_are_converted_to_utc() {
        let t = parse_timestamp("2025-01-17T12:00:00+02:00").unwrap();
        assert_eq!(t, Utc.with_ymd_and_hms(2025, 1, 17, 10, 0, 0).unwrap());
    }

    #[test]
    fn tolerated_variants() {
        assert!(parse_timestamp("2025-01-17 10:00:00+00:00").is_some());
        assert_eq!(
            parse_timestamp("2025-01-17T10:00:00"),
            Some(Utc.with_ymd_and_hms(2025, 1, 17, 10, 0, 0).unwrap())
        );
        assert_eq!(
            parse_timestamp("2020-12-22"),
            Some(Utc.with_ymd_and_hms(2020, 12, 22, 0, 0, 0).unwrap())
        );
        assert_eq!(parse_timestamp("yesterday"), None);
        assert_eq!(parse_timestamp(""), None);
    }

    #[test]
    fn dates() {
        let d = NaiveDate::from_ymd_opt(2020, 12, 22).unwrap();
        assert_eq!(parse_date("2020-12-22"), Some(d));
        assert_eq!(parse_date("2020-12-22T23:00:00Z"), Some(d));
        assert_eq!(parse_date("22-12-2020"), None);
        assert_eq!(format_date(&d), "2020-12-22");
    }

    #[test]
    fn we_write_the_gen_a_form_and_read_it_back() {
        let t = parse_timestamp("2025-01-25T10:31:46.960Z").unwrap();
        let s = format_timestamp(&t);
        assert_eq!(s, "2025-01-25T10:31:46.960000+00:00");
        assert_eq!(parse_timestamp(&s), Some(t));
    }

    #[derive(serde::Deserialize, serde::Serialize, Debug)]
    struct Row {
        #[serde(with = "timestamp")]
        at: DateTime<Utc>,
        #[serde(default, with = "timestamp_opt")]
        maybe: Option<DateTime<Utc>>,
        #[serde(with = "date")]
        day: NaiveDate,
        #[serde(default, with = "date_opt")]
        end: Option<NaiveDate>,
    }

    #[test]
    fn serde_helpers() {
        let r: Row = serde_json::from_str(
            r#"{"at": "2025-01-17T10:00:00Z", "maybe": null, "day": "2020-12-22"}"#,
        )
        .unwrap();
        assert_eq!(r.maybe, None);
        assert_eq!(r.end, None);
        let r2: Row = serde_json::from_str(
            r#"{"at": "2025-01-17T10:00:00Z", "maybe": "2021-01-25T10:31:46.960411+00:00", "day": "2020-12-22", "end": "2021-01-01"}"#,
        )
        .unwrap();
        assert!(r2.maybe.is_some());
        assert_eq!(r2.end, NaiveDate::from_ymd_opt(2021, 1, 1));
        let back = serde_json::to_value(&r2).unwrap();
        assert_eq!(back["at"], "2025-01-17T10:00:00.000000+00:00");
        assert!(serde_json::from_str::<Row>(r#"{"at": 5, "day": "2020-12-22"}"#).is_err());
        assert!(serde_json::from_str::<Row>(r#"{"at": "soon", "day": "2020-12-22"}"#).is_err());
    }
}
