//! The worker's journal: one line per intent (`I`) and per commit mark (`C`), fsynced.

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// One edit the worker meant to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Intent {
    Create {
        email: String,
        name: String,
    },
    Update {
        id: i64,
        email: String,
        name: String,
    },
    Delete {
        id: i64,
        email: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub n: u64,
    pub intent: Intent,
    /// The commit mark was written: the edit is surely in the outbox.
    pub committed: bool,
}

pub struct JournalWriter {
    file: File,
}

impl JournalWriter {
    pub fn open(path: &Path) -> io::Result<JournalWriter> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(JournalWriter { file })
    }

    fn line(&mut self, line: &str) -> io::Result<()> {
        // One write per line (a line is far below PIPE_BUF-sized atomic appends) then fsync.
        self.file.write_all(format!("{line}\n").as_bytes())?;
        self.file.sync_data()
    }

    pub fn intent(&mut self, n: u64, intent: &Intent) -> io::Result<()> {
        let line = match intent {
            Intent::Create { email, name } => format!("I {n} create {email} {name}"),
            Intent::Update { id, email, name } => format!("I {n} update {id} {email} {name}"),
            Intent::Delete { id, email } => format!("I {n} delete {id} {email}"),
        };
        self.line(&line)
    }

    pub fn committed(&mut self, n: u64) -> io::Result<()> {
        self.line(&format!("C {n}"))
    }
}

/// Reads a journal; a torn last line (the kill fell inside a write) is ignored.
pub fn read(path: &Path) -> io::Result<Vec<Entry>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    let mut entries = Vec::new();
    let mut commits = BTreeSet::new();
    for line in text.lines() {
        let parts: Vec<&str> = line.splitn(6, ' ').collect();
        match parts.as_slice() {
            ["C", n] => {
                if let Ok(n) = n.parse::<u64>() {
                    commits.insert(n);
                }
            }
            ["I", n, "create", email, first, rest @ ..] => push(
                &mut entries,
                n,
                Intent::Create {
                    email: email.to_string(),
                    name: join(first, rest),
                },
            ),
            ["I", n, "update", id, email, rest @ ..] if !rest.is_empty() => {
                if let Ok(id) = id.parse() {
                    push(
                        &mut entries,
                        n,
                        Intent::Update {
                            id,
                            email: email.to_string(),
                            name: rest.join(" "),
                        },
                    )
                }
            }
            ["I", n, "delete", id, email] => {
                if let Ok(id) = id.parse() {
                    push(
                        &mut entries,
                        n,
                        Intent::Delete {
                            id,
                            email: email.to_string(),
                        },
                    )
                }
            }
            _ => {}
        }
    }
    for e in &mut entries {
        e.committed = commits.contains(&e.n);
    }
    Ok(entries)
}

fn join(first: &str, rest: &[&str]) -> String {
    std::iter::once(first)
        .chain(rest.iter().copied())
        .collect::<Vec<_>>()
        .join(" ")
}

fn push(entries: &mut Vec<Entry>, n: &str, intent: Intent) {
    if let Ok(n) = n.parse() {
        entries.push(Entry {
            n,
            intent,
            committed: false,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_a_torn_tail() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let mut w = JournalWriter::open(&path).unwrap();
        let create = Intent::Create {
            email: "a@b.test".into(),
            name: "Crash create 1".into(),
        };
        let update = Intent::Update {
            id: 1001,
            email: "c@d.test".into(),
            name: "Crash edit 2".into(),
        };
        w.intent(1, &create).unwrap();
        w.committed(1).unwrap();
        w.intent(2, &update).unwrap();
        drop(w);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"C 2\nI 3 dele").unwrap();
        let entries = read(&path).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].intent, create);
        assert_eq!(entries[1].intent, update);
        assert!(entries[0].committed && entries[1].committed);
    }
}
