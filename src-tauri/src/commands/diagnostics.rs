//! The app's memory at its start's milestones, for the desktop benchmark (`tests/benches/desktop.rs`).

use reseller_core::diagnostics::memory::{self, MemoryReport};

/// The process's memory now and at each milestone so far (cache open, first query, ...).
#[tauri::command]
pub fn memory_milestones() -> MemoryReport {
    memory::report()
}
