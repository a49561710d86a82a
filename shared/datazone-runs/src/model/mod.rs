//! What DataZone reports, as the project reads it: identifiers checked
//! against the model, runs and metadata generation runs with open status
//! enums, and the normalized outcome of each; and the record of a harvest
//! ([`harvest`]), which the report store keeps.

pub mod data_source;
pub mod harvest;
pub mod ids;
pub mod metadata_run;
pub mod outcome;
pub mod predictions;
pub mod run;
pub mod timestamp;
mod wire_enum;
