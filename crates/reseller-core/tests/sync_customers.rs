//! The customer-list sync against a real sandbox over loopback HTTP (and, for answers the
//! sandbox will not give, a tiny scripted HTTP server).

mod support;

use std::collections::HashSet;
use std::sync::Mutex;

use reseller_core::cache::{Cache, SyncState};
use reseller_core::sync::{scan_deletions, sync_customer_list, CUSTOMERS_ENTITY};
use scriptix_api::{Client, ClientConfig, CustomerInput};
use scriptix_sandbox::FaultConfig;
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn first_sync_resync_edits_and_deletions() {
    let sb = sandbox(2500, 7).await;
    let client = client(&sb);
    let (_dir, cache) = cache();

    // First sync: 3 pages of 1000 for 2500 customers.
    let first = sync_customer_list(&client, &cache).await.unwrap();
    assert_eq!(first.pages, 3);
    assert_eq!(first.requests, 3);
    assert_eq!(first.upserted, 2500);
    assert!(first.rejected.is_empty(), "{:?}", first.rejected);
    assert_cache_equals_server(&client, &cache).await;
    let mark = cache
        .lock()
        .unwrap()
        .high_water_mark(CUSTOMERS_ENTITY)
        .unwrap()
        .unwrap();

    // Nothing changed: one request, nothing written, same mark.
    let before = sb.stats().requests;
    let again = sync_customer_list(&client, &cache).await.unwrap();
    assert_eq!(again.requests, 1);
    assert_eq!(sb.stats().requests - before, 1);
    assert_eq!(again.upserted, 0);
    assert!(again.unchanged >= 1);
    assert_eq!(
        cache
            .lock()
            .unwrap()
            .high_water_mark(CUSTOMERS_ENTITY)
            .unwrap(),
        Some(mark)
    );

    // Server-side edits and creates: a resync takes exactly those.
    let server = server_customers(&client).await;
    let mut changed: HashSet<i64> = HashSet::new();
    for id in server.keys().copied().step_by(400).take(4) {
        let c = &server[&id];
        let input = CustomerInput {
            name: format!("{} (renamed)", c.name),
            email: c.email.clone(),
            phone: Some("+31 20 123 4567".into()),
            is_active: !c.is_active,
        };
        client.update_customer(id, &input).await.unwrap();
        changed.insert(id);
    }
    for i in 0..2 {
        let created = client
            .create_customer(&CustomerInput::new(
                format!("New Org {i}"),
                format!("new{i}@example.org"),
            ))
            .await
            .unwrap();
        changed.insert(created.id);
    }
    let before = sb.stats().requests;
    let resync = sync_customer_list(&client, &cache).await.unwrap();
    assert_eq!(resync.requests, 1);
    assert_eq!(sb.stats().requests - before, 1);
    assert_eq!(resync.upserted, changed.len());
    assert_cache_equals_server(&client, &cache).await;
    let edited = cache
        .lock()
        .unwrap()
        .get_customer(*changed.iter().min().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(edited.phone.as_deref(), Some("+31201234567"));

    // Deletions: three on the server; one of them has a local edit waiting, and a local
    // create (negative id) exists only here. The scan deletes the two plain ones only.
    let ids: Vec<i64> = server
        .keys()
        .copied()
        .skip(5)
        .step_by(300)
        .take(3)
        .collect();
    let lost = *server.keys().nth(1).unwrap();
    for id in &ids {
        client.delete_customer(*id).await.unwrap();
    }
    {
        let c = cache.lock().unwrap();
        assert!(c
            .set_customer_sync_state(ids[2], SyncState::Pending)
            .unwrap());
        let mut local = c.get_customer(ids[0]).unwrap().unwrap();
        local.id = -1;
        local.sync_state = SyncState::Pending;
        c.upsert_customers(&[local]).unwrap();
        // A row the cache lost (as if a walk had missed it): the scan writes it back.
        assert_eq!(c.delete_customers(&[lost]).unwrap(), 1);
    }
    let scan = scan_deletions(&client, &cache).await.unwrap();
    assert_eq!(scan.deleted, vec![ids[0], ids[1]]);
    assert_eq!(scan.kept_local, vec![-1, ids[2]]);
    assert_eq!(scan.upserted, 1, "the lost row is back");
    assert_eq!(scan.requests, 3);
    assert_eq!(scan.server_ids, 2500 + 2 - 3);
    let c = cache.lock().unwrap();
    assert!(c.get_customer(ids[0]).unwrap().is_none());
    assert!(c.get_customer(ids[2]).unwrap().is_some());
    assert!(c.get_customer(-1).unwrap().is_some());
    assert!(c.get_customer(lost).unwrap().is_some());
}

#[tokio::test]
async fn a_local_edit_is_not_overwritten_by_the_list() {
    let sb = sandbox(300, 3).await;
    let client = client(&sb);
    let (_dir, cache) = cache();
    sync_customer_list(&client, &cache).await.unwrap();
    let id = *server_customers(&client).await.keys().next().unwrap();
    cache
        .lock()
        .unwrap()
        .set_customer_sync_state(id, SyncState::Pending)
        .unwrap();
    let input = CustomerInput::new("Changed on the server", "srv@example.org");
    client.update_customer(id, &input).await.unwrap();
    let report = sync_customer_list(&client, &cache).await.unwrap();
    assert_eq!(report.held, 1);
    assert_eq!(report.upserted, 0);
    let row = cache.lock().unwrap().get_customer(id).unwrap().unwrap();
    assert_eq!(row.sync_state, SyncState::Pending);
    assert_ne!(row.name, "Changed on the server");
}

#[tokio::test]
async fn faults_end_in_success_or_a_typed_error_and_a_clean_sync_heals() {
    let mut faults = 0;
    for seed in [1_u64, 2, 3] {
        let sb = sandbox(1100, seed).await;
        // A truncated body (Content-Length promising more) is only noticed by the timeout:
        // keep it short so the test does not wait 30 s per truncation.
        let client = Client::new(ClientConfig {
            request_timeout: std::time::Duration::from_secs(5),
            ..ClientConfig::new(sb.base_url(), sb.reseller_token())
        })
        .unwrap();
        let (_dir, cache) = cache();
        sb.set_faults(FaultConfig {
            error_rate: 0.05,
            rate_limit_rate: 0.05,
            reset_rate: 0.05,
            truncate_rate: 0.05,
            seed: Some(seed),
            ..FaultConfig::default()
        });
        let mut outcomes = Vec::new();
        for _ in 0..5 {
            // Forget the mark: each attempt is a whole two-page walk, so faults land mid-walk.
            cache
                .lock()
                .unwrap()
                .clear_high_water_mark(CUSTOMERS_ENTITY)
                .unwrap();
            match sync_customer_list(&client, &cache).await {
                Ok(r) => outcomes.push(format!("ok {} requests", r.requests)),
                Err(e) => {
                    let code = e.code();
                    assert!(
                        ["offline", "server", "rate_limited", "malformed"].contains(&code),
                        "seed {seed}: unexpected {code}: {e}"
                    );
                    outcomes.push(code.to_string());
                }
            }
        }
        if seed == 1 {
            // Faults beyond what retries absorb: a typed error, and the mark does not move.
            let mark = cache
                .lock()
                .unwrap()
                .high_water_mark(CUSTOMERS_ENTITY)
                .unwrap();
            sb.set_faults(FaultConfig {
                error_rate: 1.0,
                seed: Some(seed),
                ..FaultConfig::default()
            });
            let err = sync_customer_list(&client, &cache).await.unwrap_err();
            assert_eq!(err.code(), "server", "{err}");
            let after = cache
                .lock()
                .unwrap()
                .high_water_mark(CUSTOMERS_ENTITY)
                .unwrap();
            assert_eq!(after, mark);
        }
        faults += sb.stats().faults_injected;
        sb.set_faults(FaultConfig::default());
        sync_customer_list(&client, &cache).await.unwrap();
        assert_cache_equals_server(&client, &cache).await;
        eprintln!("seed {seed}: {outcomes:?}, {:?}", sb.stats());
    }
    assert!(faults > 0, "no fault was injected: the test proved nothing");
}

/// Answers every request on `listener` with `status` and `body` (one request per connection).
async fn scripted_server(body: String, content_type: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let body = body.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(body.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_hostile_record_is_rejected_and_the_rest_is_cached() {
    let huge = "x".repeat(20_000);
    let body = serde_json::json!({
        "result": [
            {"id": 1, "name": "Good One", "email": "one@example.org", "phone": "+31 20 123 4567",
             "is_active": true, "registration_date": "2025-01-01T10:00:00.000000+00:00",
             "last_modified": "2025-06-01T10:00:00.000000+00:00"},
            {"id": 2, "name": huge, "email": 17, "phone": ["no"], "is_active": "yes",
             "registration_date": 12345, "last_modified": null},
            {"id": 3, "name": "Good Three", "email": "three@example.org", "phone": null,
             "is_active": false, "registration_date": "2025-01-02T10:00:00.000000+00:00",
             "last_modified": "2025-05-01T10:00:00.000000+00:00"}
        ],
        "count": 3,
        "total_results": 3
    })
    .to_string();
    let base = scripted_server(body, "application/json").await;
    let client = client_for(&base, "test-token-0000");
    let (_dir, cache) = cache();
    let report = sync_customer_list(&client, &cache).await.unwrap();
    assert_eq!(report.requests, 1);
    assert_eq!(report.upserted, 2);
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].0, Some(2));
    assert!(!report.rejected[0].1.is_empty());
    // The reason is bounded: the 20 000-character name is not copied into logs and reports.
    assert!(
        report.rejected[0].1.chars().count() < 400,
        "{}",
        report.rejected[0].1
    );
    let c = cache.lock().unwrap();
    assert_eq!(c.get_customer(1).unwrap().unwrap().name, "Good One");
    assert_eq!(
        c.get_customer(1).unwrap().unwrap().phone.as_deref(),
        Some("+31201234567")
    );
    assert!(!c.get_customer(3).unwrap().unwrap().is_active);
    assert!(c.get_customer(2).unwrap().is_none());
}

#[tokio::test]
async fn an_html_answer_is_a_typed_error_and_the_cache_is_untouched() {
    let base = scripted_server(
        "<html><body>502 Bad Gateway</body></html>".into(),
        "text/html",
    )
    .await;
    let client = client_for(&base, "test-token-0000");
    let (_dir, cache) = cache();
    let err = sync_customer_list(&client, &cache).await.unwrap_err();
    assert_eq!(err.code(), "malformed", "{err}");
    let c = cache.lock().unwrap();
    assert_eq!(c.customer_counts().unwrap().total, 0);
    assert!(c.high_water_mark(CUSTOMERS_ENTITY).unwrap().is_none());
}

/// The app spawns syncs on a multi-threaded runtime: their futures must be `Send` (the cache
/// lock is never held across an `.await`). A compile-time check; nothing is polled.
#[tokio::test]
async fn the_sync_futures_are_send() {
    fn send<T: Send>(_: T) {}
    let client = client_for("http://127.0.0.1:9", "test-token-0000");
    let cache = Mutex::new(Cache::open_in_memory().unwrap());
    send(sync_customer_list(&client, &cache));
    send(scan_deletions(&client, &cache));
}

/// The sync keeps each phone as the screens show it (so a list window parses none), and the
/// deletion scan forgets the phones of customers gone.
#[tokio::test]
async fn the_sync_keeps_each_phone_as_shown_and_forgets_those_of_customers_gone() {
    let sb = sandbox(300, 31).await;
    let client = client(&sb);
    let (_dir, cache) = cache();
    sync_customer_list(&client, &cache).await.unwrap();
    let cached = cached_customers(&cache);
    let phones: Vec<&str> = cached.values().filter_map(|c| c.phone.as_deref()).collect();
    assert!(
        phones.len() > 100,
        "the sandbox gives most customers a phone"
    );
    let kept = cache.lock().unwrap().phones_shown(&phones).unwrap();
    assert_eq!(kept.len(), phones.len(), "every phone kept");
    for (phone, shown) in &kept {
        assert_eq!(
            shown,
            reseller_core::phone_display::international_all(&[Some(phone)])[0]
                .as_ref()
                .unwrap()
        );
        assert!(shown.contains(' '), "grouped for reading: {shown}");
    }

    let gone = cached.values().find(|c| c.phone.is_some()).unwrap();
    let gone_phone = gone.phone.clone().unwrap();
    let others = cached
        .values()
        .filter(|c| c.id != gone.id && c.phone.as_deref() == Some(gone_phone.as_str()))
        .count();
    client.delete_customer(gone.id).await.unwrap();
    let scanned = scan_deletions(&client, &cache).await.unwrap();
    assert_eq!(scanned.deleted, vec![gone.id]);
    let still = cache
        .lock()
        .unwrap()
        .phones_shown(&[gone_phone.as_str()])
        .unwrap();
    assert_eq!(
        still.len(),
        usize::from(others > 0),
        "kept only while a customer has it"
    );
}
