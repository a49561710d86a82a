//! Domain crate for automating Amazon DataZone catalog ingestion.
//!
//! The Lambda functions are thin wrappers around the handlers here:
//! [`start_runs`], [`run_status`], [`metadata_status`] and
//! [`start_metadata`]. Each handler talks
//! to DataZone only through the [`port::DataZone`] trait; [`adapter`] implements
//! it on `aws-sdk-datazone`, and tests implement it in memory.

pub mod adapter;
pub mod client;
pub mod config;
pub mod error;
pub mod events;
pub mod ids;
pub mod lambda;
pub mod listing;
pub mod metadata_run;
pub mod metadata_status;
pub mod metrics;
pub mod outcome;
pub mod payload;
pub mod polling;
pub mod port;
pub mod run;
pub mod run_status;
pub mod start_metadata;
pub mod start_runs;
pub mod telemetry;
pub mod timestamp;
pub mod token;
mod wire_enum;

pub use error::Error;
