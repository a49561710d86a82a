//! The domain of DataZone run automation, free of any transport: what
//! DataZone reports ([`model`]), the calls made to it and to the report
//! store ([`port`]), and what the automation does with them ([`usecase`]):
//! select sources, start them at most once and paced, follow them, assess
//! statuses, generate metadata, and advance a harvest in rounds.
//!
//! The Lambda functions (`functions/*`, with their glue in
//! `function-runtime`) and the `dzrun` CLI call the use cases with the AWS
//! SDK adapters (`datazone-adapter`, `report-store-s3`); tests call them
//! with the in-memory DataZone and report store of `testing` (feature
//! `test-support`).

pub mod error;
pub mod model;
pub mod port;
pub mod settings;
#[cfg(feature = "test-support")]
pub mod testing;
pub mod usecase;

pub use error::{Error, ErrorKind};
