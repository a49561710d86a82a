//! The start-metadata-generation function: starts metadata generation for
//! the assets a finished data source run added or updated.

pub mod config;
pub mod handler;
