//! The run-status function: a DataZone event about a data source run (or a
//! metadata generation run), or a status query, becomes one normalized
//! outcome read from DataZone; a finished data source run also becomes a
//! log line and CloudWatch metrics.

pub mod config;
pub mod handler;
pub mod input;
pub mod metrics;
