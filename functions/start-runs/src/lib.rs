//! The start-runs function: selects the data sources of a harvest and
//! starts their runs, paced, at most one per source and trigger, one step
//! (as many as its time allows) per invocation.

pub mod config;
pub mod handler;
pub mod input;
