//! Crash proofs of the offline-first core. A worker process (`soak-worker`) makes local edits
//! through the outbox and runs replay and list sync against the sandbox; a campaign kills it
//! with SIGKILL at random moments, again and again, checks the cache's integrity after every
//! kill, lets a last run converge, and then checks that no edit was lost and none applied twice.
//!
//! The worker writes a journal: each edit's intent before its transaction, and a commit mark
//! after. An intent with its mark was surely queued; one without may or may not have been
//! (the kill fell between the commit and the mark), and the checks allow both.

pub mod campaign;
pub mod journal;
pub mod verify;

pub use campaign::{run_campaign, CampaignConfig, CampaignReport};
