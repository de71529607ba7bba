//! Deterministic, realistic seed data: customers with subscriptions, users, tokens and
//! transcripts. Each customer depends only on (seed, its index, anchor date), so the first 250
//! customers of a 10 000-customer sandbox are the same 250 as in a default one.

mod countries;
mod phones;

use chrono::{Months, NaiveDate};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::{params, Connection};

use crate::catalog::{self, PLANS};
use crate::clock::{date_micros, format_date, micros_date};
use crate::hash;
use countries::{Country, BRAND_HEADS, BRAND_TAILS, COUNTRIES};

pub use phones::{is_valid_international, phone_digits};

pub const FIRST_CUSTOMER_ID: i64 = 1001;
const FIRST_SUBSCRIPTION_ID: i64 = 1401;
const FIRST_USER_ID: i64 = 50_001;
const FIRST_TOKEN_ID: i64 = 70_001;

const SECOND: i64 = 1_000_000;
const DAY: i64 = 86_400 * SECOND;

/// What seeding produced, for the start-up log.
#[derive(Debug, Default, Clone)]
pub struct SeedReport {
    pub customers: usize,
    pub subscriptions: usize,
    pub users: usize,
    pub tokens: usize,
    pub transcripts: usize,
    pub phones: usize,
}

/// The fixed time frame of the data set.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    pub anchor: NaiveDate,
    /// Latest seeded timestamp: one hour before the anchor day starts.
    pub latest: i64,
    /// Usage and transcripts begin no earlier than this day (18 months back).
    pub history_start: NaiveDate,
    /// The shared `last_modified` of the "bulk import" group.
    pub bulk_import: i64,
}

impl Frame {
    pub fn new(anchor: NaiveDate) -> Self {
        let start = date_micros(anchor);
        let history_start = anchor.checked_sub_months(Months::new(18)).unwrap_or(anchor);
        Frame {
            anchor,
            latest: start - 3600 * SECOND,
            history_start,
            bulk_import: start - 200 * DAY + (3 * 3600 + 14 * 60 + 7) * SECOND + 123_456,
        }
    }
}

/// Seeds `customers` customers into the empty schema, in one transaction.
pub fn seed(
    conn: &mut Connection,
    seed: u64,
    customers: usize,
    frame: Frame,
) -> Result<SeedReport, rusqlite::Error> {
    let tx = conn.transaction()?;
    let mut report = SeedReport::default();
    {
        let mut ins_customer = tx.prepare(
            "INSERT INTO customers (id, name, name_lc, email, email_lc, phone, phone_digits, is_active,
                registration_date, last_modified, languages, usage_tokens, usage_until)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?;
        let mut ins_sub = tx.prepare(
            "INSERT INTO subscriptions (id, customer_id, sku, description, billing_channel, payment_model,
                start_date, end_date, cancel_date, is_suspended, auto_renew, stt_units, alignment_units,
                translation_budget, credits)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?;
        let mut ins_user = tx.prepare(
            "INSERT INTO users (id, customer_id, first_name, last_name, email, is_active, roles, last_login,
                created_at, reactivation_sent_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?;
        let mut ins_token = tx.prepare(
            "INSERT INTO tokens (id, customer_id, name, type, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        let mut ins_transcript = tx.prepare(
            "INSERT INTO transcripts (session_id, customer_id, filename, date_session_start, status, language,
                duration, last_update, is_deleted)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        let (mut sub_id, mut user_id, mut token_id) =
            (FIRST_SUBSCRIPTION_ID, FIRST_USER_ID, FIRST_TOKEN_ID);
        let t0 = std::time::Instant::now();
        let mut all = generate_all(seed, customers, frame);
        let t1 = std::time::Instant::now();
        let mut by_country: Vec<usize> = (0..all.len()).collect();
        by_country.sort_by_key(|&i| all[i].country);
        for i in by_country {
            let c = &mut all[i];
            c.phone = phones::first_valid(&c.phone_candidates, c.phone_e164);
        }
        let t2 = std::time::Instant::now();
        tracing::debug!(
            generate_ms = (t1 - t0).as_millis() as u64,
            phones_ms = (t2 - t1).as_millis() as u64,
            "seed phases"
        );
        for (index, c) in all.into_iter().enumerate() {
            let id = FIRST_CUSTOMER_ID + index as i64;
            let digits = c.phone.as_deref().map(phone_digits);
            report.phones += usize::from(c.phone.is_some());
            ins_customer.execute(params![
                id,
                c.name,
                c.name.to_lowercase(),
                c.email,
                c.email.to_lowercase(),
                c.phone,
                digits,
                c.is_active,
                c.registration,
                c.last_modified,
                c.languages.join(","),
                c.usage_tokens.join(","),
                c.usage_until.map(format_date),
            ])?;
            for s in &c.subscriptions {
                let plan = &PLANS[s.plan];
                ins_sub.execute(params![
                    sub_id,
                    id,
                    plan.sku,
                    plan.description,
                    s.channel,
                    plan.payment_model,
                    format_date(s.start),
                    s.end.map(format_date),
                    s.cancel.map(format_date),
                    s.suspended,
                    s.auto_renew,
                    s.stt_units,
                    s.alignment_units,
                    s.translation_budget,
                    s.credits,
                ])?;
                sub_id += 1;
            }
            for u in &c.users {
                ins_user.execute(params![
                    user_id,
                    id,
                    u.first_name,
                    u.last_name,
                    u.email,
                    u.is_active,
                    u.roles.join(","),
                    u.last_login,
                    u.created_at,
                    u.reactivation_sent_at,
                ])?;
                user_id += 1;
            }
            for t in &c.tokens {
                ins_token.execute(params![
                    token_id,
                    id,
                    t.name,
                    t.kind,
                    t.created_at,
                    t.expires_at
                ])?;
                token_id += 1;
            }
            for t in &c.transcripts {
                ins_transcript.execute(params![
                    t.session_id,
                    id,
                    t.filename,
                    t.start,
                    t.status,
                    t.language,
                    t.duration,
                    t.last_update,
                    t.is_deleted,
                ])?;
            }
            report.customers += 1;
            report.subscriptions += c.subscriptions.len();
            report.users += c.users.len();
            report.tokens += c.tokens.len();
            report.transcripts += c.transcripts.len();
        }
    }
    tx.commit()?;
    Ok(report)
}

struct CustomerSeed {
    country: &'static str,
    phone_candidates: Vec<String>,
    phone_e164: bool,
    name: String,
    email: String,
    phone: Option<String>,
    is_active: bool,
    registration: i64,
    last_modified: i64,
    languages: Vec<String>,
    usage_tokens: Vec<String>,
    usage_until: Option<NaiveDate>,
    subscriptions: Vec<SubSeed>,
    users: Vec<UserSeed>,
    tokens: Vec<TokenSeed>,
    transcripts: Vec<TranscriptSeed>,
}

struct SubSeed {
    plan: usize,
    channel: &'static str,
    start: NaiveDate,
    end: Option<NaiveDate>,
    cancel: Option<NaiveDate>,
    suspended: bool,
    auto_renew: bool,
    stt_units: f64,
    alignment_units: f64,
    translation_budget: f64,
    credits: Option<f64>,
}

struct UserSeed {
    first_name: Option<String>,
    last_name: Option<String>,
    email: String,
    is_active: bool,
    roles: Vec<&'static str>,
    last_login: Option<i64>,
    created_at: i64,
    reactivation_sent_at: Option<i64>,
}

struct TokenSeed {
    name: &'static str,
    kind: &'static str,
    created_at: i64,
    expires_at: Option<i64>,
}

struct TranscriptSeed {
    session_id: String,
    filename: String,
    start: i64,
    status: i64,
    language: String,
    duration: f64,
    last_update: i64,
    is_deleted: bool,
}

fn pick_country(rng: &mut ChaCha8Rng) -> &'static Country {
    let total: u32 = COUNTRIES.iter().map(|c| c.weight).sum();
    let mut roll = rng.random_range(0..total);
    for c in COUNTRIES {
        if roll < c.weight {
            return c;
        }
        roll -= c.weight;
    }
    &COUNTRIES[0]
}

fn pick(rng: &mut ChaCha8Rng, items: &[&'static str]) -> &'static str {
    items.choose(rng).copied().unwrap_or("")
}

/// Lower-case ASCII slug for domains and mailboxes ("Müller & Söhne" -> "mueller-soehne").
pub fn slug(text: &str, sep: &str) -> String {
    let mut out = String::new();
    let mut pending_sep = false;
    for ch in text.chars().flat_map(char::to_lowercase) {
        let mapped: &str = match ch {
            'a'..='z' | '0'..='9' => {
                if pending_sep && !out.is_empty() {
                    out.push_str(sep);
                }
                pending_sep = false;
                out.push(ch);
                continue;
            }
            'ä' | 'æ' => "ae",
            'ö' | 'ø' | 'œ' => "oe",
            'ü' => "ue",
            'ß' => "ss",
            'à' | 'á' | 'â' | 'ã' | 'å' | 'ą' => "a",
            'ç' | 'ć' => "c",
            'è' | 'é' | 'ê' | 'ë' | 'ę' => "e",
            'ì' | 'í' | 'î' | 'ï' => "i",
            'ł' => "l",
            'ñ' | 'ń' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ō' => "o",
            'ś' => "s",
            'ù' | 'ú' | 'û' | 'ū' => "u",
            'ż' | 'ź' => "z",
            _ => {
                pending_sep = true;
                continue;
            }
        };
        if pending_sep && !out.is_empty() {
            out.push_str(sep);
        }
        pending_sep = false;
        out.push_str(mapped);
    }
    out
}

fn company_name(rng: &mut ChaCha8Rng, c: &Country) -> (String, String) {
    let legal = pick(rng, c.legal_forms);
    let (core, domain_core) = match rng.random_range(0..6) {
        0 => {
            let s = pick(rng, c.surnames);
            (format!("{s} {}", pick(rng, c.words)), s.to_string())
        }
        1 => {
            let city = pick(rng, c.cities);
            let word = pick(rng, c.words);
            (format!("{word} {city}"), format!("{word} {city}"))
        }
        2 => {
            let a = pick(rng, c.surnames);
            let mut b = pick(rng, c.surnames);
            if a == b {
                b = pick(rng, c.surnames);
            }
            (format!("{a} & {b}"), format!("{a} {b}"))
        }
        3 => {
            let brand = format!("{}{}", pick(rng, BRAND_HEADS), pick(rng, BRAND_TAILS));
            (brand.clone(), brand)
        }
        4 => {
            let brand = format!("{}{}", pick(rng, BRAND_HEADS), pick(rng, BRAND_TAILS));
            let city = pick(rng, c.cities);
            (format!("{brand} {city}"), brand)
        }
        _ => {
            let word = pick(rng, c.words);
            let s = pick(rng, c.surnames);
            (format!("{word} {s}"), format!("{word} {s}"))
        }
    };
    let name = if legal.is_empty() || rng.random_bool(0.15) {
        core
    } else {
        format!("{core} {legal}")
    };
    let domain = format!("{}.{}", slug(&domain_core, "-"), c.tld);
    (name, domain)
}

fn usage_token_names() -> &'static [&'static str] {
    &[
        "Production",
        "Web upload",
        "Archive import",
        "Realtime captions",
        "Zapier",
        "Staging",
        "Mobile app",
        "Media monitor",
        "CMS plugin",
        "Integration test",
    ]
}

fn generate(seed: u64, index: usize, frame: Frame) -> CustomerSeed {
    let mut rng = ChaCha8Rng::seed_from_u64(hash::mix(&[seed, index as u64, 0xC057]));
    let country = pick_country(&mut rng);
    let (name, domain) = company_name(&mut rng, country);
    let mailbox = pick(
        &mut rng,
        &[
            "info", "contact", "it", "admin", "office", "support", "finance", "tech", "hello",
        ],
    );
    let email = format!("{mailbox}@{domain}");
    // Validated later, grouped by country (see `phones::first_valid`).
    let phone_candidates = if rng.random_bool(0.88) {
        phones::candidates(&mut rng, country.phones)
    } else {
        Vec::new()
    };
    let phone_e164 = rng.random_bool(0.25);
    // The resellee token's organisation (the first customer) is always active.
    let is_active = index == 0 || rng.random_bool(0.85);

    let anchor_start = date_micros(frame.anchor);
    let age_days = rng.random_range(2..5 * 365);
    let registration = (anchor_start - age_days * DAY
        + rng.random_range(8 * 3600..18 * 3600) * SECOND
        + rng.random_range(0..SECOND))
    .min(frame.latest - DAY);
    let in_bulk = hash::mix(&[seed, index as u64, 0xB01C]).is_multiple_of(12);
    let last_modified = if in_bulk && registration < frame.bulk_import {
        frame.bulk_import
    } else {
        rng.random_range(registration..=frame.latest)
    };
    let registration_day = micros_date(registration);
    let usage_from = registration_day.max(frame.history_start);

    let mut languages = vec![country.languages[0].to_string()];
    for lang in &country.languages[1..] {
        if rng.random_bool(0.4) {
            languages.push(lang.to_string());
        }
    }
    let usage_until = if is_active {
        None
    } else {
        let span = (frame.anchor - usage_from).num_days().max(1);
        Some(usage_from + chrono::Days::new(rng.random_range(0..span) as u64))
    };

    let subscriptions = subscriptions(&mut rng, registration_day, frame.anchor);

    let tokens = {
        let count = *[0usize, 1, 1, 1, 2, 2, 2, 3, 3, 4]
            .choose(&mut rng)
            .unwrap_or(&1);
        let mut names: Vec<&'static str> = usage_token_names().to_vec();
        let mut out = Vec::new();
        for _ in 0..count {
            let i = rng.random_range(0..names.len());
            let name = names.swap_remove(i);
            let kind = if name == "Realtime captions" || rng.random_bool(0.2) {
                "realtime"
            } else {
                "batch"
            };
            let created_at = rng.random_range(registration..=frame.latest);
            let expires_at = if rng.random_bool(0.15) {
                None
            } else {
                Some(created_at + *[1i64, 2, 5].choose(&mut rng).unwrap_or(&1) * 365 * DAY)
            };
            out.push(TokenSeed {
                name,
                kind,
                created_at,
                expires_at,
            });
        }
        out
    };
    let mut usage_tokens = vec!["Web app".to_string()];
    usage_tokens.extend(
        tokens
            .iter()
            .filter(|t| t.kind == "batch")
            .map(|t| t.name.to_string()),
    );

    let users = users(&mut rng, country, &domain, registration, frame);
    let transcripts = transcripts(&mut rng, index, &languages, usage_from, registration, frame);

    CustomerSeed {
        country: country.code,
        phone_candidates,
        phone_e164,
        name,
        email,
        phone: None,
        is_active,
        registration,
        last_modified,
        languages,
        usage_tokens,
        usage_until,
        subscriptions,
        users,
        tokens,
        transcripts,
    }
}

/// Generates every customer, in parallel chunks (each customer depends only on its index).
fn generate_all(seed: u64, customers: usize, frame: Frame) -> Vec<CustomerSeed> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    let chunk = customers.div_ceil(threads).max(1);
    let mut all = Vec::with_capacity(customers);
    std::thread::scope(|scope| {
        // `phonenumber` parses its metadata on first use (a few hundred ms): do that meanwhile.
        scope.spawn(|| phonenumber::parse(None, "+31201234567").is_ok());
        let handles: Vec<_> = (0..customers)
            .step_by(chunk)
            .map(|start| {
                scope.spawn(move || {
                    (start..(start + chunk).min(customers))
                        .map(|i| generate(seed, i, frame))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for handle in handles {
            match handle.join() {
                Ok(part) => all.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    all
}

fn new_sub(rng: &mut ChaCha8Rng, plan: usize, start: NaiveDate) -> SubSeed {
    let p = &PLANS[plan];
    let left = rng.random_range(0.05..0.95);
    let channel = if p.sku.contains("AZURE") || rng.random_bool(0.12) {
        "azure"
    } else {
        "scriptix"
    };
    SubSeed {
        plan,
        channel,
        start,
        end: None,
        cancel: None,
        suspended: false,
        auto_renew: p.payment_model != "perpetual" && rng.random_bool(0.7),
        stt_units: (p.stt_units * left).round(),
        alignment_units: (p.alignment_units * left).round(),
        translation_budget: (p.translation_budget * left).round(),
        credits: p.credits.map(|c| (c * left * 100.0).round() / 100.0),
    }
}

fn subscriptions(rng: &mut ChaCha8Rng, registered: NaiveDate, anchor: NaiveDate) -> Vec<SubSeed> {
    let stt_plans: Vec<usize> = (0..PLANS.len()).filter(|&i| PLANS[i].carries_stt).collect();
    let addons: Vec<usize> = (0..PLANS.len())
        .filter(|&i| !PLANS[i].carries_stt)
        .collect();
    let mut out = Vec::new();
    let first_plan = *stt_plans.choose(rng).unwrap_or(&0);
    let mut first = new_sub(rng, first_plan, registered);
    let lifetime = (anchor - registered).num_days();
    if lifetime > 120 && rng.random_bool(0.3) {
        // Ended (renewed onto another plan, so usage keeps a subscription to land on).
        let end = registered + chrono::Days::new(rng.random_range(90..lifetime) as u64);
        first.end = Some(end);
        first.cancel = if rng.random_bool(0.7) {
            end.checked_sub_days(chrono::Days::new(30))
        } else {
            None
        };
        first.auto_renew = false;
        out.push(first);
        let next_plan = *stt_plans.choose(rng).unwrap_or(&0);
        let mut next = new_sub(rng, next_plan, end);
        next.suspended = rng.random_bool(0.06);
        out.push(next);
    } else {
        first.suspended = rng.random_bool(0.06);
        if rng.random_bool(0.05) {
            // Cancelled, running out at the end of its term.
            first.cancel = anchor.checked_sub_days(chrono::Days::new(rng.random_range(1..60)));
            first.end = Some(anchor + chrono::Days::new(rng.random_range(5..60)));
            first.auto_renew = false;
        }
        out.push(first);
    }
    if out.len() < 3 && lifetime > 30 && rng.random_bool(0.3) {
        let plan = *addons.choose(rng).unwrap_or(&0);
        let start = registered + chrono::Days::new(rng.random_range(0..lifetime) as u64);
        out.push(new_sub(rng, plan, start));
    }
    out
}

fn users(
    rng: &mut ChaCha8Rng,
    country: &Country,
    domain: &str,
    registration: i64,
    frame: Frame,
) -> Vec<UserSeed> {
    let count = rng.random_range(1..=8);
    let mut out: Vec<UserSeed> = Vec::with_capacity(count);
    for i in 0..count {
        let first = pick(rng, country.first_names);
        let last = pick(rng, country.surnames);
        let mut email = format!("{}.{}@{domain}", slug(first, "-"), slug(last, ""));
        if out.iter().any(|u| u.email == email) {
            email = format!("{}.{}{}@{domain}", slug(first, "-"), slug(last, ""), i + 1);
        }
        let roles: Vec<&'static str> = if i == 0 {
            if rng.random_bool(0.5) {
                vec!["ORGADMIN", "CONTRIBUTOR"]
            } else {
                vec!["ORGADMIN"]
            }
        } else {
            let mut r = vec![pick(
                rng,
                &[
                    "CONTRIBUTOR",
                    "CONTRIBUTOR",
                    "CUSTOMER",
                    "DEVELOPER",
                    "RESELLEE",
                ],
            )];
            if rng.random_bool(0.2) {
                let extra = pick(rng, &["DEVELOPER", "CONTRIBUTOR", "ORGADMIN"]);
                if !r.contains(&extra) {
                    r.push(extra);
                }
            }
            r
        };
        let created_at = if i == 0 {
            registration
        } else {
            rng.random_range(registration..=frame.latest)
        };
        let is_active = i == 0 || rng.random_bool(0.9);
        let last_login = if rng.random_bool(0.85) {
            Some(rng.random_range(created_at..=frame.latest))
        } else {
            None
        };
        let reactivation_sent_at = if !is_active && rng.random_bool(0.3) {
            Some(rng.random_range(created_at..=frame.latest))
        } else {
            None
        };
        // Some users never filled in their names.
        let named = i == 0 || rng.random_bool(0.9);
        out.push(UserSeed {
            first_name: named.then(|| first.to_string()),
            last_name: named.then(|| last.to_string()),
            email,
            is_active,
            roles,
            last_login,
            created_at,
            reactivation_sent_at,
        });
    }
    out
}

const FILE_STEMS: &[&str] = &[
    "interview_{d}",
    "meeting-{n}",
    "podcast_ep{n}",
    "webinar_{d}",
    "focusgroup_{n}",
    "lecture_{n}",
    "voicemail_{n}",
    "board meeting {d}",
    "call_recording_{n}",
    "raadsvergadering_{d}",
    "verhoor_{n}",
    "Besprechung_{d}",
    "Gespräch mit Frau Müller {n}",
    "réunion_{d}",
    "entretien_{n}",
    "hearing_{d}_part{n}",
    "klantgesprek {n}",
    "Vorlesung_{n}",
    "town-hall_{d}",
    "field_notes_{n}",
];
const FILE_EXTS: &[&str] = &[
    "mp3", "mp3", "wav", "m4a", "mp4", "mp4", "ogg", "flac", "mov", "webm",
];

fn transcripts(
    rng: &mut ChaCha8Rng,
    index: usize,
    languages: &[String],
    usage_from: NaiveDate,
    registration: i64,
    frame: Frame,
) -> Vec<TranscriptSeed> {
    let count = rng.random_range(5..=40);
    let earliest = date_micros(usage_from).max(registration);
    let span = (frame.latest - earliest).max(DAY);
    let recent_cutoff = frame.latest - 2 * DAY;
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        // Skewed towards recent sessions.
        let u: f64 = rng.random::<f64>().powf(0.6);
        let start = frame.latest - (u * span as f64) as i64;
        // Work in progress: about a third of customers have a session from the last two days.
        let start = if i == 1 && rng.random_bool(0.35) {
            frame.latest - rng.random_range(0..2 * DAY)
        } else {
            start
        };
        let start = start.max(earliest);
        let mut status = if start >= recent_cutoff {
            *[
                catalog::STATUS_QUEUED,
                catalog::STATUS_PROCESSING,
                catalog::STATUS_FINISHED,
            ]
            .choose(rng)
            .unwrap_or(&catalog::STATUS_FINISHED)
        } else if rng.random_bool(0.08) {
            catalog::STATUS_ERROR
        } else {
            catalog::STATUS_FINISHED
        };
        if i == 0 && index % 23 == 5 {
            status = catalog::STATUS_UNKNOWN_SEEDED;
        }
        let media_seconds = (30f64 * 240f64.powf(rng.random::<f64>()) * 100.0).round() / 100.0;
        let duration = if status == catalog::STATUS_QUEUED {
            0.0
        } else {
            media_seconds
        };
        let last_update = if status == catalog::STATUS_QUEUED {
            start
        } else {
            (start + ((media_seconds * 0.3 + 45.0) * SECOND as f64) as i64).min(frame.latest)
        };
        let stem = pick(rng, FILE_STEMS)
            .replace("{d}", &format_date(micros_date(start)))
            .replace("{n}", &rng.random_range(1..400).to_string());
        let filename = format!("{stem}.{}", pick(rng, FILE_EXTS));
        let session_id: String = (0..26)
            .map(|_| char::from(b"0123456789abcdef"[rng.random_range(0..16)]))
            .collect();
        let language = languages
            .choose(rng)
            .cloned()
            .unwrap_or_else(|| "en-gb".to_string());
        out.push(TranscriptSeed {
            session_id,
            filename,
            start,
            status,
            language,
            duration,
            last_update,
            is_deleted: rng.random_bool(0.04),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ascii() {
        assert_eq!(slug("Müller & Söhne GmbH", "-"), "mueller-soehne-gmbh");
        assert_eq!(slug("Łódź Tłumaczenia", ""), "lodztlumaczenia");
    }

    #[test]
    fn a_customer_depends_only_on_seed_and_index() {
        let frame = Frame::new(NaiveDate::from_ymd_opt(2026, 6, 30).unwrap());
        let a = generate(7, 3, frame);
        let b = generate(7, 3, frame);
        let c = generate(8, 3, frame);
        assert_eq!(
            (a.name.clone(), a.email.clone(), a.registration),
            (b.name, b.email, b.registration)
        );
        assert_ne!((a.name, a.registration), (c.name, c.registration));
        assert!(a.last_modified >= a.registration);
    }
}
