//! The verdict after a campaign: the cache equals the server, the outbox is empty, and every
//! journalled edit reached the server exactly once (or, for an edit a kill cut between its
//! commit and its mark, at most once).

use std::collections::{BTreeMap, HashMap};

use reseller_core::cache::{Cache, SyncState};
use scriptix_api::{Client, Customer, CustomerQuery, Direction};

use crate::journal::{Entry, Intent};

#[derive(Clone, Debug, Default)]
pub struct Verified {
    pub intents: usize,
    pub committed: usize,
    pub creates: usize,
    pub updates: usize,
    pub deletes: usize,
    /// Customers on the server at the end.
    pub customers: usize,
}

async fn server_customers(client: &Client) -> Result<BTreeMap<i64, Customer>, String> {
    let mut out = BTreeMap::new();
    loop {
        let page = client
            .list_customers(&CustomerQuery {
                limit: Some(1000),
                offset: Some(out.len() as u64),
                sort: Some("id".into()),
                direction: Some(Direction::Asc),
                ..CustomerQuery::default()
            })
            .await
            .map_err(|e| e.to_string())?;
        let n = page.items.len();
        out.extend(page.items.into_iter().map(|c| (c.id, c)));
        if n < 1000 {
            return Ok(out);
        }
    }
}

pub async fn check(client: &Client, cache: &Cache, journal: &[Entry]) -> Result<Verified, String> {
    let server = server_customers(client).await?;
    let left = cache.outbox(None).map_err(|e| e.to_string())?;
    if !left.is_empty() {
        return Err(format!("{} operations left in the outbox", left.len()));
    }
    // The cache equals the server.
    let cached_ids: Vec<i64> = {
        let mut ids: Vec<i64> = cache
            .customer_id_states()
            .map_err(|e| e.to_string())?
            .iter()
            .map(|s| s.id)
            .collect();
        ids.sort_unstable();
        ids
    };
    let server_ids: Vec<i64> = server.keys().copied().collect();
    if cached_ids != server_ids {
        return Err(format!(
            "cache and server hold different customers: cache {} rows, server {}",
            cached_ids.len(),
            server_ids.len()
        ));
    }
    for (id, s) in &server {
        let c = cache
            .get_customer(*id)
            .map_err(|e| e.to_string())?
            .ok_or("row vanished")?;
        if (
            c.name.as_str(),
            c.email.as_str(),
            c.is_active,
            c.last_modified,
            c.sync_state,
        ) != (
            s.name.as_str(),
            s.email.as_str(),
            s.is_active,
            s.last_modified,
            SyncState::Synced,
        ) {
            return Err(format!("customer {id} differs: cache {c:?}, server {s:?}"));
        }
    }
    // No duplicate, ever.
    let mut by_email: HashMap<&str, usize> = HashMap::new();
    for c in server.values() {
        *by_email.entry(c.email.as_str()).or_default() += 1;
    }
    if let Some((email, n)) = by_email
        .iter()
        .find(|(e, n)| e.ends_with("@crash.test") && **n > 1)
    {
        return Err(format!("{email} was created {n} times"));
    }
    let mut v = Verified {
        intents: journal.len(),
        committed: journal.iter().filter(|e| e.committed).count(),
        customers: server.len(),
        ..Verified::default()
    };
    let deletes = |pred: &dyn Fn(&Intent) -> bool| -> (bool, bool) {
        let mut sure = false;
        let mut maybe = false;
        for e in journal.iter().filter(|e| pred(&e.intent)) {
            if e.committed {
                sure = true;
            } else {
                maybe = true;
            }
        }
        (sure, maybe)
    };
    for (i, e) in journal.iter().enumerate() {
        match &e.intent {
            Intent::Create { email, .. } => {
                v.creates += 1;
                let n = by_email.get(email.as_str()).copied().unwrap_or(0);
                let (deleted, maybe_deleted) =
                    deletes(&|x| matches!(x, Intent::Delete { email: d, .. } if d == email));
                let ok = match (e.committed, deleted, maybe_deleted) {
                    (_, true, _) => n == 0,
                    (true, false, false) => n == 1,
                    _ => n <= 1,
                };
                if !ok {
                    return Err(format!("create {} ({email}): {n} on the server", e.n));
                }
            }
            Intent::Delete { id, .. } => {
                v.deletes += 1;
                if e.committed && server.contains_key(id) {
                    return Err(format!("delete {} of {id} did not happen", e.n));
                }
            }
            Intent::Update { id, name, .. } => {
                v.updates += 1;
                let Some(s) = server.get(id) else {
                    let (deleted, maybe) =
                        deletes(&|x| matches!(x, Intent::Delete { id: d, .. } if d == id));
                    if deleted || maybe {
                        continue;
                    }
                    return Err(format!("customer {id} (edited by {}) was lost", e.n));
                };
                // Only the last committed edit of each customer decides its final name; later
                // cut edits may have landed on top of it.
                let later = &journal[i + 1..];
                let superseded = later.iter().any(|l| {
                    l.committed && matches!(&l.intent, Intent::Update { id: d, .. } if d == id)
                });
                if !e.committed || superseded {
                    continue;
                }
                let mut allowed = vec![name.as_str()];
                allowed.extend(later.iter().filter_map(|l| match &l.intent {
                    Intent::Update { id: d, name, .. } if d == id && !l.committed => {
                        Some(name.as_str())
                    }
                    _ => None,
                }));
                if !allowed.contains(&s.name.as_str()) {
                    return Err(format!(
                        "customer {id}: the server has {:?}, the last edit was {name:?}",
                        s.name
                    ));
                }
            }
        }
    }
    Ok(v)
}
