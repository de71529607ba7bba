//! The cache as a file: opening, migrating, refusing newer versions, and the simple tables.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use reseller_core::cache::*;
use serde_json::json;

fn t(secs: i64, micros: u32) -> DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000 + secs, micros * 1000)
        .unwrap()
}

fn customer(id: i64, name: &str, email: &str, phone: Option<&str>, active: bool) -> CustomerRow {
    CustomerRow {
        id,
        name: name.into(),
        email: email.into(),
        phone: phone.map(str::to_string),
        is_active: active,
        registration_date: t(id, 123_456),
        last_modified: t(1000 + id, 1),
        sync_state: SyncState::Synced,
    }
}

#[test]
fn migrates_from_empty_in_wal_with_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir
        .path()
        .join("nested/dirs")
        .join(cache_file_name("https://api.scriptix.io", 42));
    let cache = Cache::open(&path).unwrap();
    assert!(path.exists());
    assert_eq!(cache.schema_version().unwrap(), SCHEMA_VERSION);
    cache.integrity_check().unwrap();
    drop(cache);

    let raw = rusqlite::Connection::open(&path).unwrap();
    let mode: String = raw
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let tables: Vec<String> = raw
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for table in [
        "branding",
        "conflicts",
        "customer_counters",
        "customer_tokens",
        "customer_users",
        "customers",
        "customers_fts",
        "dashboard",
        "freshness",
        "high_water_marks",
        "outbox",
        "subscriptions",
        "transcriptions",
        "usage_rows",
        "usage_summaries",
    ] {
        assert!(tables.iter().any(|t| t == table), "missing table {table}");
    }
    // Secrets never enter the cache: the token table has no column that could hold one.
    let token_columns: Vec<String> = raw
        .prepare("SELECT name FROM pragma_table_info('customer_tokens')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        token_columns,
        [
            "customer_id",
            "id",
            "name",
            "token_type",
            "created_at",
            "expires_at"
        ]
    );
}

#[test]
fn reopening_is_idempotent_and_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite3");
    {
        let cache = Cache::open(&path).unwrap();
        cache
            .upsert_customers(&[customer(1, "Acme", "info@acme.nl", None, true)])
            .unwrap();
    }
    for _ in 0..3 {
        let cache = Cache::open(&path).unwrap();
        assert_eq!(cache.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(cache.customer_counts().unwrap().total, 1);
        assert_eq!(cache.get_customer(1).unwrap().unwrap().name, "Acme");
        cache.integrity_check().unwrap();
    }
}

#[test]
fn a_newer_database_is_refused_and_left_byte_for_byte_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.sqlite3");
    {
        let raw = rusqlite::Connection::open(&path).unwrap();
        raw.execute_batch(
            "CREATE TABLE future_things (id INTEGER PRIMARY KEY, what TEXT);
             INSERT INTO future_things (what) VALUES ('from the future');
             PRAGMA user_version = 99;",
        )
        .unwrap();
    }
    let before = std::fs::read(&path).unwrap();

    let err = Cache::open(&path).unwrap_err();
    assert!(
        matches!(err, CacheError::NewerVersion { found: 99, supported } if supported == SCHEMA_VERSION),
        "{err:?}"
    );
    assert_eq!(err.code(), "cache_newer_version");
    assert!(err.to_string().contains(
        "this cache was written by a newer version of Scriptix Reseller; update the app"
    ));

    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(!dir.path().join("newer.sqlite3-wal").exists());
}

#[test]
fn a_newer_database_written_by_this_layout_is_refused_too() {
    // Our own file, then a (simulated) newer app bumped the version: still refused, unchanged.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite3");
    Cache::open(&path).unwrap();
    {
        let raw = rusqlite::Connection::open(&path).unwrap();
        raw.execute_batch("PRAGMA user_version = 1000; PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Cache::open(&path).unwrap_err();
    assert_eq!(err.code(), "cache_newer_version");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn customers_round_trip_with_microseconds_and_sync_state() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path().join("c.sqlite3")).unwrap();
    let mut c = customer(
        -3,
        "Local Only BV",
        "new@local.nl",
        Some("+31201234567"),
        false,
    );
    c.sync_state = SyncState::Pending;
    assert_eq!(cache.upsert_customers(&[c.clone()]).unwrap(), 1);
    assert_eq!(cache.get_customer(-3).unwrap(), Some(c.clone()));
    // Writing the same row again changes nothing.
    let generation = cache.customers_generation().unwrap();
    assert_eq!(cache.upsert_customers(&[c.clone()]).unwrap(), 0);
    assert_eq!(cache.customers_generation().unwrap(), generation);
    assert!(cache
        .set_customer_sync_state(-3, SyncState::Conflict)
        .unwrap());
    assert_eq!(
        cache.get_customer(-3).unwrap().unwrap().sync_state,
        SyncState::Conflict
    );
    assert!(!cache
        .set_customer_sync_state(12345, SyncState::Synced)
        .unwrap());
    assert_eq!(cache.delete_customers(&[-3, 99]).unwrap(), 1);
    assert_eq!(cache.get_customer(-3).unwrap(), None);
}

#[test]
fn counts_follow_inserts_updates_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path().join("c.sqlite3")).unwrap();
    let rows: Vec<CustomerRow> = (1..=50)
        .map(|i| customer(i, &format!("C{i}"), &format!("c{i}@x.nl"), None, i % 3 != 0))
        .collect();
    cache.upsert_customers(&rows).unwrap();
    assert_eq!(
        cache.customer_counts().unwrap(),
        CustomerCounts {
            total: 50,
            active: 34,
            inactive: 16
        }
    );
    // Flip five active ones to inactive, delete three inactive and two active ones.
    let flipped: Vec<CustomerRow> = rows
        .iter()
        .filter(|c| c.is_active)
        .take(5)
        .map(|c| CustomerRow {
            is_active: false,
            ..c.clone()
        })
        .collect();
    cache.upsert_customers(&flipped).unwrap();
    cache.delete_customers(&[3, 6, 9, 1, 2]).unwrap();
    let expected_total = 45;
    // Five flipped to inactive; the deleted ones (3, 6, 9, and 1, 2 once flipped) were inactive.
    let expected_active = 34 - 5;
    assert_eq!(
        cache.customer_counts().unwrap(),
        CustomerCounts {
            total: expected_total,
            active: expected_active,
            inactive: expected_total - expected_active
        }
    );
    let active = cache.count_customers(None, Some(true), None).unwrap();
    assert_eq!(
        active,
        MatchCount {
            count: expected_active,
            exact: true
        }
    );
}

#[test]
fn high_water_marks_keep_ids_at_equal_timestamps() {
    let cache = Cache::open_in_memory().unwrap();
    assert_eq!(cache.high_water_mark("customers").unwrap(), None);
    let mark = HighWaterMark::advanced(None, [(t(10, 5), 7), (t(10, 5), 3), (t(9, 0), 1)]).unwrap();
    cache.set_high_water_mark("customers", &mark).unwrap();
    let back = cache.high_water_mark("customers").unwrap().unwrap();
    assert_eq!(
        back,
        HighWaterMark {
            last_modified: t(10, 5),
            ids_at_mark: vec![3, 7]
        }
    );
    let next = HighWaterMark::advanced(Some(&back), [(t(10, 5), 5)]).unwrap();
    cache.set_high_water_mark("customers", &next).unwrap();
    assert_eq!(
        cache
            .high_water_mark("customers")
            .unwrap()
            .unwrap()
            .ids_at_mark,
        vec![3, 5, 7]
    );
    cache.clear_high_water_mark("customers").unwrap();
    assert_eq!(cache.high_water_mark("customers").unwrap(), None);
}

#[test]
fn freshness_is_stored_per_scope() {
    let cache = Cache::open_in_memory().unwrap();
    cache
        .upsert_customers(&[customer(5, "A", "a@a.nl", None, true)])
        .unwrap();
    let tab = Scope::CustomerTab {
        customer_id: 5,
        tab: Tab::Users,
    };
    let other = Scope::CustomerTab {
        customer_id: 5,
        tab: Tab::Tokens,
    };
    assert_eq!(cache.freshness(&tab, t(0, 0)).unwrap(), Freshness::Missing);
    cache
        .set_freshness(&tab, &FreshnessRecord::new(t(0, 0), Duration::minutes(5)))
        .unwrap();
    assert_eq!(cache.freshness(&tab, t(60, 0)).unwrap(), Freshness::Fresh);
    assert_eq!(cache.freshness(&tab, t(301, 0)).unwrap(), Freshness::Stale);
    assert_eq!(
        cache.freshness(&other, t(60, 0)).unwrap(),
        Freshness::Missing
    );
    assert_eq!(
        cache.freshness(&Scope::Dashboard, t(60, 0)).unwrap(),
        Freshness::Missing
    );
    cache.invalidate(&tab).unwrap();
    assert_eq!(cache.freshness(&tab, t(60, 0)).unwrap(), Freshness::Stale);
    assert_eq!(
        cache.freshness_record(&tab).unwrap().unwrap().fetched_at,
        t(0, 0)
    );
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn detail_tables_round_trip_and_go_with_their_customer() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path().join("c.sqlite3")).unwrap();
    cache
        .upsert_customers(&[
            customer(1, "One", "one@x.nl", None, true),
            customer(2, "Two", "two@x.nl", None, true),
        ])
        .unwrap();

    let subs = vec![SubscriptionRow {
        id: 10,
        sku: "STT-BUNDLE-100".into(),
        description: Some("100 hours".into()),
        billing_channel: "scriptix".into(),
        payment_model: "bundle".into(),
        start_date: d(2026, 1, 1),
        end_date: Some(d(2026, 12, 31)),
        cancel_date: None,
        is_suspended: false,
        auto_renew: true,
        stt_units: Some(360_000),
        alignment_units: None,
        translation_budget: Some(12.5),
        credits: None,
    }];
    cache.replace_subscriptions(1, &subs).unwrap();
    assert_eq!(cache.subscriptions(1).unwrap(), subs);
    assert!(cache.subscriptions(2).unwrap().is_empty());

    let usage = vec![
        UsageRow {
            units_used: 3600,
            usage_period_start: d(2026, 1, 1),
            usage_period_end: d(2026, 2, 1),
            language: Some("nl-NL".into()),
            token_name: None,
            subscription_id: None,
            cost: None,
        },
        UsageRow {
            units_used: 60,
            usage_period_start: d(2026, 1, 1),
            usage_period_end: d(2026, 2, 1),
            language: Some("en-GB".into()),
            token_name: None,
            subscription_id: Some(10),
            cost: Some(0.25),
        },
    ];
    let key = "view=month&split_by=language&date_from=2026-01-01&date_to=2026-02-01";
    cache.replace_usage_rows(1, key, &usage).unwrap();
    assert_eq!(cache.usage_rows(1, key).unwrap(), usage);
    assert!(cache.usage_rows(1, "view=invoice").unwrap().is_empty());
    let summary = UsageSummaryRow {
        units_used: 3660,
        unit: "second".into(),
        hours_processed: 1.0167,
        sessions: 4,
        finished_sessions: 3,
        error_sessions: 1,
        error_rate: 0.25,
        total_users: 5,
        active_users: 2,
    };
    cache.set_usage_summary(1, "2026-01", &summary).unwrap();
    assert_eq!(cache.usage_summary(1, "2026-01").unwrap(), Some(summary));

    let tokens = vec![TokenRow {
        id: 7,
        name: "batch uploads".into(),
        token_type: "batch".into(),
        created_at: t(5, 42),
        expires_at: Some(t(86_400 * 365, 0)),
    }];
    cache.replace_tokens(1, &tokens).unwrap();
    assert_eq!(cache.tokens(1).unwrap(), tokens);

    let users = vec![UserRow {
        id: 3,
        first_name: Some("Ada".into()),
        last_name: None,
        email: "ada@one.nl".into(),
        is_active: true,
        roles: vec!["ORGADMIN".into(), "CONTRIBUTOR".into()],
        last_login: None,
        created_at: t(1, 1),
        reactivation_sent_at: Some(t(2, 2)),
    }];
    cache.replace_users(1, &users).unwrap();
    assert_eq!(cache.users(1).unwrap(), users);

    let transcriptions = vec![
        TranscriptionRow {
            session_id: "s-old".into(),
            filename: "a.wav".into(),
            date_session_start: t(10, 0),
            status: 2,
            status_label: Some("finished".into()),
            language: Some("nl-NL".into()),
            duration: Some(12.5),
            last_update: Some(t(11, 0)),
            is_deleted: false,
        },
        TranscriptionRow {
            session_id: "s-new".into(),
            filename: "b.mp3".into(),
            date_session_start: t(20, 0),
            status: 7,
            status_label: None,
            language: None,
            duration: None,
            last_update: None,
            is_deleted: true,
        },
    ];
    cache.replace_transcriptions(1, &transcriptions).unwrap();
    let back = cache.transcriptions(1).unwrap();
    assert_eq!(
        back,
        vec![transcriptions[1].clone(), transcriptions[0].clone()]
    );

    // Replacing replaces.
    cache.replace_tokens(1, &[]).unwrap();
    assert!(cache.tokens(1).unwrap().is_empty());

    // Detail rows need their customer, and leave with it.
    assert!(cache.replace_users(99, &users).is_err());
    cache.delete_customers(&[1]).unwrap();
    assert!(cache.subscriptions(1).unwrap().is_empty());
    assert!(cache.usage_rows(1, key).unwrap().is_empty());
    assert!(cache.users(1).unwrap().is_empty());
    assert!(cache.transcriptions(1).unwrap().is_empty());
    assert_eq!(cache.usage_summary(1, "2026-01").unwrap(), None);
    cache.integrity_check().unwrap();
}

#[test]
fn branding_and_dashboard_round_trip() {
    let cache = Cache::open_in_memory().unwrap();
    assert_eq!(cache.branding().unwrap(), None);
    let branding = BrandingRow {
        brand_color: Some("#1A2B3C".into()),
        secondary_color: None,
        logo_url: Some("http://127.0.0.1:1/api/v3/reseller/branding/logo".into()),
        logo_content_type: Some("image/png".into()),
        logo: Some(vec![0x89, b'P', b'N', b'G', 0, 1, 2, 255]),
        logo_width: Some(512),
        logo_height: Some(256),
        logo_problem: None,
    };
    cache.set_branding(&branding).unwrap();
    assert_eq!(cache.branding().unwrap(), Some(branding));
    cache.set_branding(&BrandingRow::default()).unwrap();
    assert_eq!(cache.branding().unwrap(), Some(BrandingRow::default()));

    let payload = json!({"total_organizations": 250, "customers": [{"customer_id": 1}]});
    cache
        .set_dashboard("2026-11-01..2026-12-01", &payload, t(3, 3))
        .unwrap();
    assert_eq!(
        cache.dashboard("2026-11-01..2026-12-01").unwrap(),
        Some((payload, t(3, 3)))
    );
    assert_eq!(cache.dashboard("other").unwrap(), None);
}

#[test]
fn outbox_and_conflicts() {
    let cache = Cache::open_in_memory().unwrap();
    let op = NewOutboxOp {
        entity: OutboxEntity::Customer,
        entity_id: -1,
        kind: OutboxKind::Create,
        payload: json!({"name": "New", "email": "n@x.nl"}),
        base_last_modified: None,
        created_at: t(0, 1),
    };
    let a = cache.push_outbox(&op).unwrap();
    let b = cache
        .push_outbox(&NewOutboxOp {
            entity_id: 5,
            kind: OutboxKind::Update,
            base_last_modified: Some(t(1, 2)),
            ..op.clone()
        })
        .unwrap();
    assert!(b > a);
    let all = cache.outbox(None).unwrap();
    assert_eq!(all.iter().map(|o| o.op_id).collect::<Vec<_>>(), vec![a, b]);
    assert_eq!(all[0].state, OutboxState::Pending);
    assert_eq!(all[0].payload, op.payload);
    assert_eq!(all[1].base_last_modified, Some(t(1, 2)));

    assert!(cache
        .set_outbox_state(
            b,
            OutboxState::Conflict,
            Some("changed on both sides"),
            true
        )
        .unwrap());
    let conflicted = cache.outbox(Some(OutboxState::Conflict)).unwrap();
    assert_eq!(conflicted.len(), 1);
    assert_eq!(conflicted[0].attempts, 1);
    assert_eq!(
        conflicted[0].last_error.as_deref(),
        Some("changed on both sides")
    );
    assert_eq!(cache.outbox(Some(OutboxState::Pending)).unwrap().len(), 1);

    let c = ConflictRow {
        op_id: b,
        field: "phone".into(),
        mine: json!("+31201234567"),
        theirs: json!(null),
    };
    cache.add_conflict(&c).unwrap();
    assert_eq!(cache.conflicts(Some(b)).unwrap(), vec![c]);
    assert!(cache.conflicts(Some(a)).unwrap().is_empty());
    // A conflict must belong to an operation.
    assert!(cache
        .add_conflict(&ConflictRow {
            op_id: 999,
            field: "x".into(),
            mine: json!(1),
            theirs: json!(2)
        })
        .is_err());
}
