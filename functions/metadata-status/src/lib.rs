//! The metadata-status function, the metadata generation status checker.
//!
//! In a harvest it takes the metadata part of each follow round, after
//! follow-runs has taken the runs part: it lists what finished runs
//! imported, starts metadata generation for each asset they created or
//! updated (paced under StartMetadataGenerationRun's quota), checks the
//! generation runs still going and decides each asset's outcome. The state
//! machine invokes it only when the deployment generates metadata.
//!
//! Invoked on its own with a metadata generation run, it answers that run's
//! normalized status.

pub mod config;
pub mod handler;
pub mod input;
