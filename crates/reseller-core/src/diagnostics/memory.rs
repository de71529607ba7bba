//! The process's memory at named moments of its start (process start, window created, cache
//! open, first list query, search index built, sync started), so the desktop benchmark can say
//! where the app's memory and start time beyond an empty window go. A reading is the process's proportional set size (PSS: shared pages split
//! among the processes sharing them) from `/proc/self/smaps_rollup` (Linux only; None
//! elsewhere) and the bytes SQLite's own allocator holds (every connection of the process).

use std::sync::{Mutex, OnceLock};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;

/// One reading of the process's memory.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemoryReading {
    /// PSS of the whole process, KiB (None: not Linux, or unreadable).
    pub pss_kib: Option<u64>,
    /// Of it, anonymous memory (heaps, stacks), KiB.
    pub pss_anon_kib: Option<u64>,
    /// Of it, mapped files (the executable, libraries, the cache file's memory map), KiB.
    pub pss_file_kib: Option<u64>,
    /// Bytes SQLite's allocator holds now (page caches, statements, FTS buffers).
    pub sqlite_heap_bytes: u64,
}

/// A reading taken at a named moment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Milestone {
    pub name: String,
    /// Milliseconds since the first milestone of the process.
    pub at_ms: u64,
    pub memory: MemoryReading,
}

/// The milestones so far and a reading taken now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemoryReport {
    /// When the first milestone was taken, in milliseconds since the Unix epoch: lines the
    /// milestones up with the page's clock (`performance.timeOrigin`) and the process's start.
    pub started_epoch_ms: u64,
    pub now: MemoryReading,
    pub milestones: Vec<Milestone>,
}

/// The moments the app records (the first of each in the process).
pub const PROCESS_START: &str = "process start";
pub const WINDOW_CREATED: &str = "window created";
pub const CACHE_OPEN: &str = "cache open";
pub const FIRST_QUERY: &str = "first query";
pub const SEARCH_INDEX: &str = "search index";
pub const SYNC_START: &str = "sync start";

/// Named readings, each kept the first time its name is recorded.
#[derive(Debug)]
pub struct Milestones {
    started: Instant,
    started_epoch_ms: u64,
    list: Mutex<Vec<Milestone>>,
}

impl Default for Milestones {
    fn default() -> Self {
        Milestones {
            started: Instant::now(),
            started_epoch_ms: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            list: Mutex::new(Vec::new()),
        }
    }
}

impl Milestones {
    /// Keeps `reading()` under `name` unless that name was recorded already (a second account
    /// opened, a later index rebuild: the start is what is measured). The reading is only
    /// taken when it is kept, so a repeated call costs a lock and a comparison.
    pub fn record_once(&self, name: &str, reading: impl FnOnce() -> MemoryReading) {
        let mut list = self.list.lock().unwrap_or_else(|p| p.into_inner());
        if list.iter().any(|m| m.name == name) {
            return;
        }
        list.push(Milestone {
            name: name.to_string(),
            at_ms: u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX),
            memory: reading(),
        });
    }

    pub fn all(&self) -> Vec<Milestone> {
        self.list.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

fn process_milestones() -> &'static Milestones {
    static MILESTONES: OnceLock<Milestones> = OnceLock::new();
    MILESTONES.get_or_init(Milestones::default)
}

/// Records this process's memory now under `name`, the first time it is called with it.
pub fn milestone(name: &str) {
    process_milestones().record_once(name, read_now);
}

/// The process's milestones and its memory now.
pub fn report() -> MemoryReport {
    let milestones = process_milestones();
    MemoryReport {
        started_epoch_ms: milestones.started_epoch_ms,
        now: read_now(),
        milestones: milestones.all(),
    }
}

/// The process's memory now.
pub fn read_now() -> MemoryReading {
    let rollup = read_smaps_rollup();
    let field = |name| rollup.as_deref().and_then(|t| smaps_field_kib(t, name));
    MemoryReading {
        pss_kib: field("Pss"),
        pss_anon_kib: field("Pss_Anon"),
        pss_file_kib: field("Pss_File"),
        sqlite_heap_bytes: sqlite_heap_bytes(),
    }
}

#[cfg(target_os = "linux")]
fn read_smaps_rollup() -> Option<String> {
    std::fs::read_to_string("/proc/self/smaps_rollup").ok()
}

#[cfg(not(target_os = "linux"))]
fn read_smaps_rollup() -> Option<String> {
    None
}

/// The value in kB of the line `name:` of smaps(_rollup) text (`Pss:   1234 kB`).
pub fn smaps_field_kib(text: &str, name: &str) -> Option<u64> {
    text.lines().find_map(|line| {
        let (key, rest) = line.split_once(':')?;
        if key.trim() != name {
            return None;
        }
        let mut parts = rest.split_whitespace();
        let value = parts.next()?.parse().ok()?;
        (parts.next() == Some("kB")).then_some(value)
    })
}

fn sqlite_heap_bytes() -> u64 {
    // SAFETY: sqlite3_memory_used reads SQLite's memory statistics under its own mutex; it
    // takes no arguments and is safe to call from any thread at any time.
    let used = unsafe { rusqlite::ffi::sqlite3_memory_used() };
    u64::try_from(used).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `/proc/self/smaps_rollup` of a process on Linux 6.18 (Debian 12 userland).
    const ROLLUP: &str = "\
564258bb2000-7ffcba01e000 ---p 00000000 00:00 0                          [rollup]
Rss:                1608 kB
Pss:                 266 kB
Pss_Dirty:           112 kB
Pss_Anon:            112 kB
Pss_File:            154 kB
Pss_Shmem:             0 kB
Shared_Clean:       1456 kB
Shared_Dirty:          0 kB
Private_Clean:        40 kB
Private_Dirty:       112 kB
Referenced:         1608 kB
Anonymous:           112 kB
KSM:                   0 kB
LazyFree:              0 kB
AnonHugePages:         0 kB
ShmemPmdMapped:        0 kB
FilePmdMapped:         0 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:       0 kB
Swap:                  0 kB
SwapPss:               0 kB
Locked:                0 kB
";

    #[test]
    fn smaps_rollup_fields_are_read_by_their_exact_name() {
        assert_eq!(smaps_field_kib(ROLLUP, "Pss"), Some(266));
        assert_eq!(smaps_field_kib(ROLLUP, "Pss_Anon"), Some(112));
        assert_eq!(smaps_field_kib(ROLLUP, "Pss_File"), Some(154));
        assert_eq!(smaps_field_kib(ROLLUP, "Rss"), Some(1608));
        // "SwapPss" and "Pss_Dirty" contain "Pss" but are other fields.
        assert_eq!(smaps_field_kib(ROLLUP, "SwapPss"), Some(0));
        assert_eq!(smaps_field_kib(ROLLUP, "Pss_Dirty"), Some(112));
        assert_eq!(smaps_field_kib(ROLLUP, "Nothing"), None);
        // The header line's address range has colons but no field of that name.
        assert_eq!(
            smaps_field_kib(ROLLUP, "564258bb2000-7ffcba01e000 ---p 00000000 00"),
            None
        );
    }

    #[test]
    fn a_field_without_its_unit_or_number_is_not_read() {
        assert_eq!(smaps_field_kib("Pss: 12 MB\n", "Pss"), None);
        assert_eq!(smaps_field_kib("Pss: many kB\n", "Pss"), None);
        assert_eq!(smaps_field_kib("", "Pss"), None);
    }

    #[test]
    fn each_milestone_is_kept_the_first_time_in_order() {
        let milestones = Milestones::default();
        let reading = |kib| MemoryReading {
            pss_kib: Some(kib),
            ..MemoryReading::default()
        };
        milestones.record_once(CACHE_OPEN, || reading(100));
        milestones.record_once(FIRST_QUERY, || reading(150));
        milestones.record_once(CACHE_OPEN, || {
            panic!("a repeated milestone is not read again")
        });
        let all = milestones.all();
        let names: Vec<&str> = all.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, [CACHE_OPEN, FIRST_QUERY]);
        assert_eq!(all[0].memory.pss_kib, Some(100));
        assert_eq!(all[1].memory.pss_kib, Some(150));
        assert!(all[0].at_ms <= all[1].at_ms);
    }

    #[test]
    fn a_reading_now_sees_this_process() {
        // SQLite's allocator holds memory while a connection is open.
        let conn = rusqlite::Connection::open_in_memory().expect("an in-memory database");
        conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (randomblob(100000));")
            .expect("a table");
        let now = read_now();
        assert!(now.sqlite_heap_bytes > 0, "{now:?}");
        if cfg!(target_os = "linux") {
            let pss = now.pss_kib.expect("PSS on Linux");
            assert!(pss > 0);
            // Pss_Anon is there from Linux 5.9 on.
            if let Some(anon) = now.pss_anon_kib {
                assert!(anon <= pss, "{now:?}");
            }
        } else {
            assert_eq!(now.pss_kib, None);
        }
        drop(conn);
    }
}
