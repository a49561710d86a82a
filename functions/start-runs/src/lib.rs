//! The start-runs function: starts runs of the configured (or named) data
//! sources, at most one per source and trigger.

pub mod config;
pub mod handler;
pub mod input;
