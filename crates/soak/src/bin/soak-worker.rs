//! The process the crash campaign kills: local edits through the outbox, replay and list sync
//! against the sandbox, forever (or, with `--converge`, until everything is sent and synced).
//!
//! Usage: soak-worker BASE_URL TOKEN CACHE_FILE JOURNAL_FILE SEED [--converge]

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Duration;

use chrono::Utc;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use reseller_core::cache::Cache;
use reseller_core::customers::{create_customer, delete_customer, update_customer, CustomerForm};
use reseller_core::sync::{replay_outbox, scan_deletions, sync_customer_list};
use reseller_soak::journal::{self, Intent, JournalWriter};
use scriptix_api::{Client, ClientConfig};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 5 {
        eprintln!("usage: soak-worker BASE_URL TOKEN CACHE_FILE JOURNAL_FILE SEED [--converge]");
        return ExitCode::from(2);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let result = runtime.block_on(run(&args));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("soak-worker: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &[String]) -> Result<(), String> {
    let mut config = ClientConfig::new(args[0].clone(), args[1].clone());
    config.rate_limit_per_minute = 60_000;
    config.max_retries = 2;
    config.request_timeout = Duration::from_secs(5);
    let client = Client::new(config).map_err(|e| e.to_string())?;
    let cache = Mutex::new(Cache::open(PathBuf::from(&args[2])).map_err(|e| e.to_string())?);
    let journal_path = PathBuf::from(&args[3]);
    let seed: u64 = args[4]
        .parse()
        .map_err(|_| "SEED must be a number".to_string())?;
    if args.get(5).map(String::as_str) == Some("--converge") {
        return converge(&client, &cache).await;
    }
    let next = journal::read(&journal_path)
        .map_err(|e| e.to_string())?
        .last()
        .map_or(1, |e| e.n + 1);
    let mut writer = JournalWriter::open(&journal_path).map_err(|e| e.to_string())?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ (next << 20));
    for n in next.. {
        edit(&cache, &mut writer, &mut rng, seed, n)?;
        if n % 4 == 0 {
            // Errors are expected here (faults, kills of the connection); the next round retries.
            let _ = replay_outbox(&client, &cache, Utc::now()).await;
            let _ = sync_customer_list(&client, &cache).await;
        }
    }
    Ok(())
}

/// One local edit, journalled before and after its transaction.
fn edit(
    cache: &Mutex<Cache>,
    writer: &mut JournalWriter,
    rng: &mut ChaCha8Rng,
    seed: u64,
    n: u64,
) -> Result<(), String> {
    let cache = cache.lock().map_err(|_| "cache lock poisoned")?;
    let ids: Vec<i64> = cache
        .customer_id_states()
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|s| s.id)
        .filter(|id| *id > 0)
        .collect();
    let roll = rng.random_range(0..100);
    let target = (!ids.is_empty()).then(|| ids[rng.random_range(0..ids.len())]);
    let now = Utc::now();
    let intent = match (roll, target) {
        (0..45, _) | (_, None) => Intent::Create {
            email: format!("s{seed}-n{n}@crash.test"),
            name: format!("Crash create {n}"),
        },
        (45..80, Some(id)) => Intent::Update {
            id,
            email: row_email(&cache, id)?,
            name: format!("Crash edit {n}"),
        },
        (_, Some(id)) => Intent::Delete {
            id,
            email: row_email(&cache, id)?,
        },
    };
    writer.intent(n, &intent).map_err(|e| e.to_string())?;
    let result = match &intent {
        Intent::Create { email, name } => {
            create_customer(&cache, &form(name, email), now).map(|_| ())
        }
        Intent::Update { id, email, name } => {
            update_customer(&cache, *id, &form(name, email), now).map(|_| ())
        }
        Intent::Delete { id, .. } => delete_customer(&cache, *id, now),
    };
    result.map_err(|e| format!("edit {n}: {e}"))?;
    writer.committed(n).map_err(|e| e.to_string())
}

fn row_email(cache: &Cache, id: i64) -> Result<String, String> {
    Ok(cache
        .get_customer(id)
        .map_err(|e| e.to_string())?
        .ok_or("picked a row that is gone")?
        .email)
}

fn form(name: &str, email: &str) -> CustomerForm {
    CustomerForm {
        name: name.into(),
        email: email.into(),
        phone: String::new(),
        is_active: true,
    }
}

/// Replays and syncs until a round finishes cleanly with nothing left to send.
async fn converge(client: &Client, cache: &Mutex<Cache>) -> Result<(), String> {
    let mut last = String::new();
    for _ in 0..50 {
        let round = async {
            replay_outbox(client, cache, Utc::now()).await?;
            sync_customer_list(client, cache).await?;
            scan_deletions(client, cache).await?;
            replay_outbox(client, cache, Utc::now()).await
        };
        match round.await {
            Ok(_) => {
                let left = cache
                    .lock()
                    .map_err(|_| "cache lock poisoned")?
                    .outbox(None)
                    .map_err(|e| e.to_string())?;
                if left.is_empty() {
                    return Ok(());
                }
                last = format!("{} operations left: {left:?}", left.len());
            }
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("did not converge: {last}"))
}
