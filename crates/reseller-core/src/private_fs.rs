//! Files and folders only the user can read. The cache holds the names, emails and phones of
//! every customer and the token file holds the API token, so what the app keeps on disk is
//! created private (folders 0700, files 0600) and whatever an older version left looser is
//! tightened. Unix only (Linux and macOS); on Windows the user's profile folders are already
//! private to the user by their ACLs, and these functions only create and write.

use std::io::{self, Write};
use std::path::Path;

/// Mode of a private folder: the owner may list, enter and change it; nobody else anything.
pub const DIR_MODE: u32 = 0o700;
/// Mode of a private file: the owner may read and write it; nobody else anything.
pub const FILE_MODE: u32 = 0o600;

/// Makes every file and folder this process creates from now on private (`umask 077`), so
/// files written by code the app does not control (the settings and window-state plugins,
/// WebKit's storage) are private from their first byte. Call it first thing, before any thread
/// starts: the mask is process-wide. Note it also applies to files the user saves through the
/// app (CSV exports): they are created readable by the user only. No-op off Unix.
pub fn restrict_umask() {
    #[cfg(unix)]
    // SAFETY: umask only swaps the process's file-creation mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

/// Creates `dir` (and missing parents, each 0700) and makes `dir` itself 0700 when it is looser.
pub fn ensure_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(DIR_MODE);
    }
    builder.create(dir)?;
    tighten(dir)
}

/// Creates an empty file 0600 at `path` when there is none (so a program that then opens it,
/// SQLite for one, writes into a private file), and makes an existing one 0600.
pub fn ensure_private_file(path: &Path) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    drop(options.open(path)?);
    tighten(path)
}

/// Makes an existing file 0600; nothing when it does not exist.
pub fn tighten_file_if_present(path: &Path) -> io::Result<()> {
    match tighten(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// Writes `bytes` to `path` so that no reader ever sees a partial file and nobody else can read
/// it at any moment: a temporary file in the same folder (0600 from its creation), flushed to
/// disk, renamed over `path`, then the folder flushed so the rename survives a power cut.
pub fn write_private_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    ensure_private_dir(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(FILE_MODE));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    // On failure the temporary file is removed when `tmp` drops; `path` is untouched.
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir)
}

/// Walks `root` and makes every folder 0700 and every file 0600 (what an older version created
/// 0755/0644). Symbolic links are left alone, not followed. Nothing when `root` does not exist.
pub fn tighten_tree(root: &Path) -> io::Result<()> {
    let meta = match std::fs::symlink_metadata(root) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if meta.is_dir() {
        tighten(root)?;
        for entry in std::fs::read_dir(root)? {
            // A file removed meanwhile (SQLite's -shm at a close) is no error.
            match entry {
                Ok(entry) => tighten_tree(&entry.path())?,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    } else if meta.is_file() {
        match tighten(root) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    } else {
        Ok(())
    }
}

/// Removes group and other permissions from `path` when it has any (0755 becomes 0700, 0644
/// becomes 0600); the owner's own bits are kept, so nothing is ever widened.
fn tighten(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let current = std::fs::metadata(path)?.permissions().mode() & 0o7777;
        if current & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(current & 0o700))?;
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// Flushes a folder's entries (a rename in it) to disk. Windows cannot open a folder as a file;
/// NTFS journals the rename itself.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// The permission bits of `path` (tests and checks); None off Unix.
pub fn mode(path: &Path) -> io::Result<Option<u32>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Ok(Some(
            std::fs::symlink_metadata(path)?.permissions().mode() & 0o777,
        ))
    }
    #[cfg(not(unix))]
    {
        std::fs::symlink_metadata(path)?;
        Ok(None)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn set(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn a_private_dir_is_created_and_an_old_one_tightened() {
        let root = tempfile::tempdir().unwrap();
        let nested = root.path().join("a").join("b");
        ensure_private_dir(&nested).unwrap();
        assert_eq!(mode(&nested).unwrap(), Some(0o700));
        assert_eq!(mode(&root.path().join("a")).unwrap(), Some(0o700));
        set(&nested, 0o755);
        ensure_private_dir(&nested).unwrap();
        assert_eq!(mode(&nested).unwrap(), Some(0o700));
    }

    #[test]
    fn a_private_file_is_created_empty_or_tightened_and_keeps_its_content() {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("new");
        ensure_private_file(&new).unwrap();
        assert_eq!(mode(&new).unwrap(), Some(0o600));
        assert_eq!(std::fs::read(&new).unwrap(), b"");
        let old = dir.path().join("old");
        std::fs::write(&old, b"kept").unwrap();
        set(&old, 0o644);
        ensure_private_file(&old).unwrap();
        assert_eq!(mode(&old).unwrap(), Some(0o600));
        assert_eq!(std::fs::read(&old).unwrap(), b"kept");
        tighten_file_if_present(&dir.path().join("absent")).unwrap();
    }

    #[test]
    fn an_atomic_write_replaces_a_loose_file_with_a_private_one_and_leaves_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("tokens");
        let path = sub.join("x.token");
        write_private_atomic(&path, b"first").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        assert_eq!(mode(&path).unwrap(), Some(0o600));
        assert_eq!(mode(&sub).unwrap(), Some(0o700));
        set(&path, 0o644);
        set(&sub, 0o755);
        write_private_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        assert_eq!(mode(&path).unwrap(), Some(0o600));
        assert_eq!(mode(&sub).unwrap(), Some(0o700));
        let names: Vec<_> = std::fs::read_dir(&sub)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("x.token")]);
    }

    #[test]
    fn a_tree_is_tightened_without_following_links() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().join("shared.txt");
        std::fs::write(&target, b"not ours").unwrap();
        set(&target, 0o644);
        let app = root.path().join("app");
        std::fs::create_dir_all(app.join("caches")).unwrap();
        std::fs::write(app.join("settings.json"), b"{}").unwrap();
        std::fs::write(app.join("caches").join("c.sqlite3"), b"").unwrap();
        std::os::unix::fs::symlink(&target, app.join("link")).unwrap();
        for (p, m) in [
            (app.clone(), 0o755),
            (app.join("caches"), 0o755),
            (app.join("settings.json"), 0o644),
            (app.join("caches").join("c.sqlite3"), 0o664),
        ] {
            set(&p, m);
        }
        tighten_tree(&app).unwrap();
        assert_eq!(mode(&app).unwrap(), Some(0o700));
        assert_eq!(mode(&app.join("caches")).unwrap(), Some(0o700));
        assert_eq!(mode(&app.join("settings.json")).unwrap(), Some(0o600));
        assert_eq!(
            mode(&app.join("caches").join("c.sqlite3")).unwrap(),
            Some(0o600)
        );
        assert_eq!(
            mode(&target).unwrap(),
            Some(0o644),
            "a link is not followed"
        );
        tighten_tree(&root.path().join("absent")).unwrap();
    }
}
