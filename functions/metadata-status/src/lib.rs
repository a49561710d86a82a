//! The metadata-status function: a query or a DataZone metadata generation
//! event becomes one normalized outcome read from DataZone.

pub mod handler;
