//! One database per account: a stable, filesystem-safe file name from base URL + organisation.

/// The cache file name for an account: `account-<org>-<hash>.sqlite3`, where the hash covers the
/// normalised base URL and the organisation id. Stable across releases and platforms (FNV-1a,
/// not the std hasher), and it carries no credentials: user info, query and fragment of the URL
/// are dropped before hashing, and the token is never an input.
pub fn cache_file_name(base_url: &str, organization_id: i64) -> String {
    let normalized = normalize_base_url(base_url);
    let hash = fnv1a_128(format!("{normalized}\n{organization_id}").as_bytes());
    format!("account-{organization_id}-{hash:032x}.sqlite3")
}

/// Deletes an account's cache: the database file and SQLite's `-wal` and `-shm` beside it
/// (the write-ahead log holds recent rows; leaving it would leave customer data on disk).
/// Files already gone are fine; returns how many were removed. Close the cache first on
/// Windows, where an open file cannot be removed.
pub fn remove_cache_files(path: &std::path::Path) -> std::io::Result<usize> {
    let mut removed = 0;
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        match std::fs::remove_file(&file) {
            Ok(()) => removed += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(removed)
}

/// Lower-case scheme and host, default port dropped, no user info, query, fragment or
/// trailing slash: `HTTPS://Api.Example.com:443/` and `https://api.example.com` are one account.
fn normalize_base_url(base_url: &str) -> String {
    match url::Url::parse(base_url.trim()) {
        Ok(mut url) => {
            // Both calls fail only for URLs that cannot have them; then there is nothing to drop.
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.set_query(None);
            url.set_fragment(None);
            url.as_str().trim_end_matches('/').to_string()
        }
        Err(_) => base_url.trim().trim_end_matches('/').to_lowercase(),
    }
}

fn fnv1a_128(bytes: &[u8]) -> u128 {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013B;
    bytes.iter().fold(OFFSET, |hash, b| {
        (hash ^ u128::from(*b)).wrapping_mul(PRIME)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_account_same_name() {
        let a = cache_file_name("https://api.scriptix.io", 7);
        assert_eq!(a, cache_file_name("HTTPS://API.Scriptix.io:443/", 7));
        assert_eq!(a, cache_file_name(" https://api.scriptix.io/?x=1#f ", 7));
        assert_ne!(a, cache_file_name("https://api.scriptix.io", 8));
        assert_ne!(a, cache_file_name("http://127.0.0.1:8080", 7));
        assert!(a.starts_with("account-7-") && a.ends_with(".sqlite3"));
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'));
    }

    #[test]
    fn credentials_are_not_part_of_the_name() {
        let plain = cache_file_name("https://api.scriptix.io", 1);
        let with_user = cache_file_name("https://secret:pw@api.scriptix.io", 1);
        assert_eq!(plain, with_user);
        assert!(!with_user.contains("secret"));
    }

    #[test]
    fn the_hash_is_pinned() {
        // Changing the normalisation or the hash would orphan every existing cache.
        assert_eq!(fnv1a_128(b""), 0x6c62272e07bb014262b821756295c58d);
        assert_eq!(fnv1a_128(b"a"), 0xd228cb696f1a8caf78912b704e4a8964);
    }
}
