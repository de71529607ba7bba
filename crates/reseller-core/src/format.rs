//! Numbers and dates as a reseller reads them, in the operating system's locale: the one place
//! the app turns a figure into text. Every screen gets its figures display-ready from here, so
//! the dashboard and the usage tab cannot disagree on "1 779,6 h" against "1779.58".
//!
//! Rules are kept in a small table per language (separators, the space before "%" and "h",
//! the order and the month names of a date) for the locales resellers use (nl, de, en-GB,
//! en-US, fr, and a few more that share their rules); anything else falls back to en-GB's.
//! Amounts never go below the display rounding silently: `-0.0` shows as "0", and a value that
//! is not a number (NaN, infinity) shows as "—" rather than "NaN". CSV files do not use this:
//! spreadsheets read plain numbers, and their headers name the unit instead.

use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Local, NaiveDate, Utc};

/// What shows for a value that is not known, or not a number.
pub const UNKNOWN: &str = "—";

/// A date's shape in a locale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DateOrder {
    /// "1 Nov 2026" (en-GB, nl, fr, ...).
    Day,
    /// "1. Nov. 2026" (de).
    GermanDay,
    /// "Nov 1, 2026" (en-US).
    Month,
}

/// How one locale writes numbers and dates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Locale {
    /// The BCP 47 tag it was made for ("nl-NL"), as the system gave it.
    pub tag: String,
    decimal: &'static str,
    group: &'static str,
    /// Between a number and "%" (nothing in English).
    percent_space: &'static str,
    /// Between a number and a unit such as "h" or "s".
    unit_space: &'static str,
    order: DateOrder,
    months: [&'static str; 12],
}

const EN_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const NL_MONTHS: [&str; 12] = [
    "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
];
const DE_MONTHS: [&str; 12] = [
    "Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez.",
];
const FR_MONTHS: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc.",
];

/// A no-break space: a figure and its unit never wrap apart.
const NBSP: &str = "\u{a0}";
/// The narrow no-break space French groups digits with.
const NNBSP: &str = "\u{202f}";

impl Locale {
    /// The rules for a BCP 47 tag ("nl-NL", "en_US.UTF-8", "fr"); unknown languages get
    /// en-GB's.
    pub fn from_tag(tag: &str) -> Locale {
        let clean = tag.split(['.', '@']).next().unwrap_or("").replace('_', "-");
        let mut parts = clean.split('-');
        let lang = parts.next().unwrap_or("").to_ascii_lowercase();
        let region = parts
            .find(|p| p.len() == 2)
            .map(|p| p.to_ascii_uppercase())
            .unwrap_or_default();
        let base = Locale {
            tag: if clean.is_empty() {
                "en-GB".into()
            } else {
                clean.clone()
            },
            decimal: ".",
            group: ",",
            percent_space: "",
            unit_space: NBSP,
            order: DateOrder::Day,
            months: EN_MONTHS,
        };
        match lang.as_str() {
            "en" if matches!(region.as_str(), "US" | "" | "PH") && !clean.contains('-') => {
                // Plain "en" (no region) is what a US system often reports.
                Locale {
                    order: DateOrder::Month,
                    ..base
                }
            }
            "en" if region == "US" || region == "PH" => Locale {
                order: DateOrder::Month,
                ..base
            },
            "en" => base,
            "nl" => Locale {
                decimal: ",",
                group: ".",
                percent_space: "",
                months: NL_MONTHS,
                ..base
            },
            "de" => Locale {
                decimal: ",",
                // Switzerland groups with an apostrophe and uses a decimal point.
                group: if region == "CH" { "’" } else { "." },
                percent_space: NBSP,
                order: DateOrder::GermanDay,
                months: DE_MONTHS,
                ..base
            },
            "fr" => Locale {
                decimal: ",",
                group: NNBSP,
                percent_space: NNBSP,
                unit_space: NBSP,
                months: FR_MONTHS,
                ..base
            },
            // Languages that share these separators; English month names until they get their own.
            "es" | "it" | "pt" | "da" | "id" => Locale {
                decimal: ",",
                group: ".",
                ..base
            },
            "sv" | "nb" | "no" | "fi" | "pl" | "cs" | "sk" => Locale {
                decimal: ",",
                group: NBSP,
                percent_space: NBSP,
                ..base
            },
            _ => Locale {
                tag: "en-GB".into(),
                ..base
            },
        }
    }

    /// The operating system's locale (read once; `SCRIPTIX_LOCALE` overrides it, for tests and
    /// for a user whose system language is not the one they read figures in).
    pub fn system() -> &'static Locale {
        static SYSTEM: OnceLock<Locale> = OnceLock::new();
        SYSTEM.get_or_init(|| {
            let tag = std::env::var("SCRIPTIX_LOCALE")
                .ok()
                .filter(|t| !t.trim().is_empty())
                .or_else(sys_locale::get_locale)
                .unwrap_or_default();
            Locale::from_tag(&tag)
        })
    }

    fn group_digits(&self, digits: &str) -> String {
        let n = digits.len();
        let mut out = String::with_capacity(n + n / 3 * self.group.len());
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (n - i).is_multiple_of(3) {
                out.push_str(self.group);
            }
            out.push(c);
        }
        out
    }

    /// A whole number with the locale's digit grouping: "196,489", "196.489", "196 489".
    pub fn count(&self, n: i64) -> String {
        let digits = n.unsigned_abs().to_string();
        let grouped = self.group_digits(&digits);
        if n < 0 {
            format!("-{grouped}")
        } else {
            grouped
        }
    }

    /// An unsigned count (a row count, a total), grouped like [`Locale::count`].
    pub fn count_u64(&self, n: u64) -> String {
        self.group_digits(&n.to_string())
    }

    /// A count with its noun: "1 row", "1,234 rows", "0 rows".
    pub fn count_of(&self, n: u64, one: &str, many: &str) -> String {
        format!("{} {}", self.count_u64(n), if n == 1 { one } else { many })
    }

    /// Progress through a whole: "3 of 10", "1.204 of 10.000".
    pub fn of(&self, n: u64, total: u64) -> String {
        format!("{} of {}", self.count_u64(n), self.count_u64(total))
    }

    /// A page of a list, `first` and `last` counted from 1 and both shown: "1–12 of 12",
    /// "1.001–1.025 of 10.000".
    pub fn range_of(&self, first: u64, last: u64, total: u64) -> String {
        format!(
            "{}–{} of {}",
            self.count_u64(first),
            self.count_u64(last),
            self.count_u64(total)
        )
    }

    /// A wait to come, rounded up as a person would say it: "under a minute", "about 4 min",
    /// "about 2 h 5 min", "about 3 h".
    pub fn time_left(&self, seconds: u64) -> String {
        if seconds < 60 {
            return "under a minute".into();
        }
        let minutes = seconds.div_ceil(60);
        let (h, m) = (minutes / 60, minutes % 60);
        match (h, m) {
            (0, m) => format!("about {m} min"),
            (h, 0) => format!("about {} h", self.count_u64(h)),
            (h, m) => format!("about {} h {m} min", self.count_u64(h)),
        }
    }

    /// How long ago `t` was at `now`: "just now", "3 min ago", "2 h ago", "yesterday",
    /// "4 days ago", else "on 1 Nov 2026" (in the computer's time zone). A time after `now`
    /// (the clocks disagree) is "just now".
    pub fn relative(&self, t: DateTime<Utc>, now: DateTime<Utc>) -> String {
        let seconds = (now - t).num_seconds().max(0);
        if seconds < 45 {
            return "just now".into();
        }
        // Rounded to the nearest minute (90 s is "2 min"), as a person would say it.
        let minutes = ((seconds + 30) / 60).max(1);
        if minutes < 60 {
            return format!("{minutes} min ago");
        }
        let hours = minutes / 60;
        if hours < 24 {
            return format!("{hours} h ago");
        }
        match hours / 24 {
            1 => "yesterday".into(),
            days if days < 7 => format!("{days} days ago"),
            _ => format!("on {}", self.date(t.with_timezone(&Local).date_naive())),
        }
    }

    /// A moment's day in the computer's time zone: "1 Nov 2026".
    pub fn date_of(&self, t: DateTime<Utc>) -> String {
        self.date(t.with_timezone(&Local).date_naive())
    }

    /// A number with `places` decimals, grouped; "—" when it is not a number.
    pub fn decimal(&self, v: f64, places: usize) -> String {
        if !v.is_finite() {
            return UNKNOWN.into();
        }
        let text = format!("{:.*}", places, v.abs());
        let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
        let mut out = self.group_digits(int);
        if !frac.is_empty() {
            out.push_str(self.decimal);
            out.push_str(frac);
        }
        // "-0.0" rounds to nothing negative: no sign.
        let zero = out.chars().all(|c| !c.is_ascii_digit() || c == '0');
        if v < 0.0 && !zero {
            out.insert(0, '-');
        }
        out
    }

    /// Hours with one decimal: "54.6 h".
    pub fn hours(&self, hours: f64) -> String {
        if !hours.is_finite() {
            return UNKNOWN.into();
        }
        format!("{}{}h", self.decimal(hours, 1), self.unit_space)
    }

    /// Seconds of audio as hours: 196 489 s -> "54.6 h".
    pub fn hours_from_seconds(&self, seconds: f64) -> String {
        self.hours(seconds / 3600.0)
    }

    /// Usage units with their unit: "196,489 s", "3,275 min"; a unit the app does not know is
    /// named as the server wrote it, and no unit at all leaves the count bare (the label says
    /// the unit is not stated).
    pub fn units(&self, units: i64, unit: Option<&str>) -> String {
        let n = self.count(units);
        match unit.map(|u| u.trim().to_ascii_lowercase()) {
            Some(u) if matches!(u.as_str(), "second" | "seconds" | "s") => {
                format!("{n}{}s", self.unit_space)
            }
            Some(u) if matches!(u.as_str(), "minute" | "minutes" | "min") => {
                format!("{n}{}min", self.unit_space)
            }
            Some(u) if !u.is_empty() => format!("{n} {u}"),
            _ => n,
        }
    }

    /// A size in bytes as megabytes, one decimal (decimal megabytes, as file managers show
    /// them): 12 500 000 -> "12.5 MB".
    pub fn megabytes(&self, bytes: u64) -> String {
        format!(
            "{}{}MB",
            self.decimal(bytes as f64 / 1e6, 1),
            self.unit_space
        )
    }

    /// A percentage given in percent (1.9 -> "1.9 %" in German, "1.9%" in English), one
    /// decimal.
    pub fn percent(&self, percent: f64) -> String {
        if !percent.is_finite() {
            return UNKNOWN.into();
        }
        format!("{}{}%", self.decimal(percent, 1), self.percent_space)
    }

    /// A fraction 0..1 as a percentage: 0.019 -> "1.9%".
    pub fn fraction_percent(&self, fraction: f64) -> String {
        self.percent(fraction * 100.0)
    }

    fn day_month(&self, d: NaiveDate) -> String {
        let month = self.months[d.month0() as usize];
        match self.order {
            DateOrder::Day => format!("{} {month}", d.day()),
            DateOrder::GermanDay => format!("{}. {month}", d.day()),
            DateOrder::Month => format!("{month} {}", d.day()),
        }
    }

    /// A day without its year, for a chart's axis: "1 Nov", "Nov 1", "1. Nov.".
    pub fn day_and_month(&self, d: NaiveDate) -> String {
        self.day_month(d)
    }

    /// A month: "Nov 2026", "nov 2026".
    pub fn month(&self, d: NaiveDate) -> String {
        format!("{} {}", self.months[d.month0() as usize], d.year())
    }

    /// A day: "1 Nov 2026", "Nov 1, 2026", "1. Nov. 2026".
    pub fn date(&self, d: NaiveDate) -> String {
        match self.order {
            DateOrder::Month => format!("{}, {}", self.day_month(d), d.year()),
            _ => format!("{} {}", self.day_month(d), d.year()),
        }
    }

    /// Two days, both included: "1 Nov – 30 Nov 2026" (the year once when both share it),
    /// "28 Dec 2026 – 3 Jan 2027"; one day when they are the same.
    pub fn date_range(&self, first: NaiveDate, last: NaiveDate) -> String {
        if first == last {
            return self.date(first);
        }
        if first.year() != last.year() {
            return format!("{} – {}", self.date(first), self.date(last));
        }
        match self.order {
            DateOrder::Month => format!(
                "{} – {}, {}",
                self.day_month(first),
                self.day_month(last),
                last.year()
            ),
            _ => format!(
                "{} – {} {}",
                self.day_month(first),
                self.day_month(last),
                last.year()
            ),
        }
    }

    /// A moment in the computer's time zone: "1 Nov 2026, 14:05" ("Nov 1, 2026, 2:05 PM" in
    /// the US).
    pub fn date_time(&self, t: DateTime<Utc>) -> String {
        let local = t.with_timezone(&Local);
        let day = self.date(local.date_naive());
        let time = if self.order == DateOrder::Month {
            local.format("%-I:%M %p").to_string()
        } else {
            local.format("%H:%M").to_string()
        };
        format!("{day}, {time}")
    }
}

/// The system locale's rules (shorthand for screens).
pub fn sys() -> &'static Locale {
    Locale::system()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Spaces a test can read: the no-break spaces as plain ones.
    fn plain(s: String) -> String {
        s.replace(
            [NBSP.chars().next().unwrap(), NNBSP.chars().next().unwrap()],
            " ",
        )
    }

    #[test]
    fn counts_group_digits_per_locale() {
        let cases = [
            ("en-US", "196,489"),
            ("en-GB", "196,489"),
            ("nl-NL", "196.489"),
            ("de-DE", "196.489"),
            ("fr-FR", "196 489"),
        ];
        for (tag, want) in cases {
            assert_eq!(plain(Locale::from_tag(tag).count(196_489)), want, "{tag}");
        }
        let en = Locale::from_tag("en-GB");
        assert_eq!(en.count(0), "0");
        assert_eq!(en.count(999), "999");
        assert_eq!(en.count(1000), "1,000");
        assert_eq!(en.count(-1_234_567), "-1,234,567");
        assert_eq!(en.count(i64::MIN), "-9,223,372,036,854,775,808");
        assert_eq!(en.count(i64::MAX), "9,223,372,036,854,775,807");
    }

    #[test]
    fn hours_units_and_percentages_name_their_unit() {
        let us = Locale::from_tag("en-US");
        assert_eq!(plain(us.hours(54.58)), "54.6 h");
        assert_eq!(plain(us.hours_from_seconds(196_489.0)), "54.6 h");
        assert_eq!(plain(us.units(196_489, Some("second"))), "196,489 s");
        assert_eq!(plain(us.units(3_275, Some("minute"))), "3,275 min");
        assert_eq!(us.units(12, None), "12");
        assert_eq!(us.percent(1.9), "1.9%");
        assert_eq!(us.fraction_percent(0.019), "1.9%");
        assert_eq!(us.percent(0.0), "0.0%");

        let nl = Locale::from_tag("nl_NL.UTF-8");
        assert_eq!(plain(nl.hours(1779.6)), "1.779,6 h");
        assert_eq!(nl.percent(1.9), "1,9%");
        let de = Locale::from_tag("de-DE");
        assert_eq!(plain(de.hours(1779.6)), "1.779,6 h");
        assert_eq!(plain(de.percent(1.9)), "1,9 %");
        let fr = Locale::from_tag("fr-FR");
        assert_eq!(plain(fr.hours(1779.6)), "1 779,6 h");
        assert_eq!(plain(fr.percent(1.9)), "1,9 %");
        let gb = Locale::from_tag("en-GB");
        assert_eq!(plain(gb.hours(1779.58)), "1,779.6 h");
        assert_eq!(plain(gb.megabytes(12_500_000)), "12.5 MB");
        assert_eq!(plain(de.megabytes(3_240_000)), "3,2 MB");
        assert_eq!(plain(gb.megabytes(0)), "0.0 MB");
    }

    #[test]
    fn edge_values_never_show_nan_or_minus_zero() {
        let en = Locale::from_tag("en-GB");
        assert_eq!(en.hours(f64::NAN), UNKNOWN);
        assert_eq!(en.percent(f64::INFINITY), UNKNOWN);
        assert_eq!(en.decimal(f64::NEG_INFINITY, 1), UNKNOWN);
        assert_eq!(plain(en.hours(-0.04)), "0.0 h");
        assert_eq!(plain(en.hours(-32.14)), "-32.1 h");
        assert_eq!(plain(en.hours(0.0)), "0.0 h");
        assert_eq!(en.decimal(1e15, 1), "1,000,000,000,000,000.0");
        assert_eq!(en.decimal(0.05, 1), "0.1");
    }

    #[test]
    fn dates_and_ranges_per_locale() {
        let (a, b) = (d(2026, 11, 1), d(2026, 11, 30));
        let cases = [
            ("en-GB", "1 Nov 2026", "1 Nov – 30 Nov 2026"),
            ("en-US", "Nov 1, 2026", "Nov 1 – Nov 30, 2026"),
            ("nl-NL", "1 nov 2026", "1 nov – 30 nov 2026"),
            ("de-DE", "1. Nov. 2026", "1. Nov. – 30. Nov. 2026"),
            ("fr-FR", "1 nov. 2026", "1 nov. – 30 nov. 2026"),
        ];
        for (tag, day, range) in cases {
            let l = Locale::from_tag(tag);
            assert_eq!(l.date(a), day, "{tag}");
            assert_eq!(l.date_range(a, b), range, "{tag}");
        }
        let gb = Locale::from_tag("en-GB");
        assert_eq!(
            gb.date_range(d(2026, 12, 28), d(2027, 1, 3)),
            "28 Dec 2026 – 3 Jan 2027"
        );
        assert_eq!(gb.date_range(a, a), "1 Nov 2026");
        assert_eq!(gb.month(a), "Nov 2026");
        assert_eq!(Locale::from_tag("nl").month(a), "nov 2026");
        assert_eq!(Locale::from_tag("en-US").day_and_month(a), "Nov 1");
    }

    #[test]
    fn counts_with_nouns_progress_and_pages_group_per_locale() {
        let en = Locale::from_tag("en-GB");
        let nl = Locale::from_tag("nl-NL");
        let de = Locale::from_tag("de-DE");
        assert_eq!(en.count_u64(10_000), "10,000");
        assert_eq!(nl.count_u64(10_000), "10.000");
        assert_eq!(de.count_u64(10_000), "10.000");
        assert_eq!(en.count_u64(u64::MAX), "18,446,744,073,709,551,615");
        assert_eq!(en.count_of(1, "row", "rows"), "1 row");
        assert_eq!(en.count_of(0, "row", "rows"), "0 rows");
        assert_eq!(en.count_of(1234, "row", "rows"), "1,234 rows");
        assert_eq!(nl.count_of(1234, "row", "rows"), "1.234 rows");
        assert_eq!(en.of(412, 10_000), "412 of 10,000");
        assert_eq!(de.of(1204, 10_000), "1.204 of 10.000");
        assert_eq!(en.range_of(1, 12, 12), "1–12 of 12");
        assert_eq!(en.range_of(1001, 1025, 10_000), "1,001–1,025 of 10,000");
        assert_eq!(nl.range_of(1001, 1025, 10_000), "1.001–1.025 of 10.000");
        assert_eq!(
            plain(Locale::from_tag("fr-FR").range_of(1001, 1025, 10_000)),
            "1 001–1 025 of 10 000"
        );
    }

    #[test]
    fn relative_times_round_as_a_person_says_them() {
        let en = Locale::from_tag("en-GB");
        let now = DateTime::<Utc>::from_timestamp(1_790_000_000, 0).unwrap();
        let ago = |s: i64| en.relative(now - chrono::Duration::seconds(s), now);
        assert_eq!(ago(0), "just now");
        assert_eq!(ago(44), "just now");
        assert_eq!(ago(45), "1 min ago");
        assert_eq!(ago(89), "1 min ago");
        assert_eq!(ago(90), "2 min ago");
        assert_eq!(ago(3 * 60), "3 min ago");
        assert_eq!(ago(59 * 60 + 29), "59 min ago");
        assert_eq!(ago(59 * 60 + 30), "1 h ago");
        assert_eq!(ago(23 * 3600 + 59 * 60), "23 h ago");
        assert_eq!(ago(24 * 3600), "yesterday");
        assert_eq!(ago(47 * 3600 + 59 * 60), "yesterday");
        assert_eq!(ago(2 * 86_400), "2 days ago");
        assert_eq!(ago(6 * 86_400 + 3600), "6 days ago");
        let old = now - chrono::Duration::days(30);
        assert_eq!(ago(30 * 86_400), format!("on {}", en.date_of(old)));
        // A clock that went back: never "-3 min ago".
        assert_eq!(ago(-600), "just now");
    }

    #[test]
    fn unknown_locales_fall_back_to_british_english() {
        for tag in ["", "C", "POSIX", "xx-YY", "zh-CN"] {
            let l = Locale::from_tag(tag);
            assert_eq!(l.count(1234), "1,234", "{tag}");
            assert_eq!(l.date(d(2026, 3, 9)), "9 Mar 2026", "{tag}");
        }
        assert_eq!(Locale::from_tag("en").date(d(2026, 3, 9)), "Mar 9, 2026");
        assert_eq!(Locale::from_tag("en-IE").date(d(2026, 3, 9)), "9 Mar 2026");
    }

    #[test]
    fn time_left_is_rounded_up_to_minutes_and_says_hours() {
        let l = Locale::from_tag("en-GB");
        assert_eq!(l.time_left(0), "under a minute");
        assert_eq!(l.time_left(59), "under a minute");
        assert_eq!(l.time_left(60), "about 1 min");
        assert_eq!(l.time_left(61), "about 2 min");
        assert_eq!(l.time_left(3600), "about 1 h");
        assert_eq!(l.time_left(6000), "about 1 h 40 min");
    }
}
