//! The follow-runs function: follows a harvest's runs one round per
//! invocation (every run still going checked once, metadata generation
//! started and checked for what finished runs imported), and says how long
//! to wait before the next round; the last round sums the harvest up.

pub mod config;
pub mod handler;
pub mod input;
