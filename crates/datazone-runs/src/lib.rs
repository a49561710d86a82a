//! The domain of DataZone run automation, free of any transport: what
//! DataZone reports ([`model`]), the calls made to it ([`port`]), and what
//! the automation does with them ([`usecase`]): list, start at most once,
//! assess and check statuses, start metadata generation.
//!
//! The Lambda functions (`functions/*`) and their glue (`function-runtime`)
//! call the use cases with the `aws-sdk-datazone` adapter
//! (`datazone-adapter`); tests call them with the in-memory DataZone of
//! [`testing`] (feature `test-support`).

pub mod error;
pub mod model;
pub mod port;
pub mod settings;
#[cfg(feature = "test-support")]
pub mod testing;
pub mod usecase;

pub use error::{Error, ErrorKind};
