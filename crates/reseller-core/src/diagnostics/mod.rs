//! What the app can tell about itself for measuring it (the desktop benchmark), never shown to a
//! user: a foundation module, it depends on nothing else of the crate.

pub mod memory;
