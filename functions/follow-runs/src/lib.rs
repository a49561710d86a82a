//! The follow-runs function: follows a harvest's data source runs one round
//! per invocation (every run still going checked once), and says how long
//! to wait before the next round; the last round sums the harvest up. With
//! metadata generation on, a successful run's source waits for
//! metadata-status, which takes the rest of each round.

pub mod config;
pub mod handler;
pub mod input;
