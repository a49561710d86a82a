//! What the automation does with DataZone, through the ports only: select
//! sources, list (one paginator), fan out (one bounded helper), pace calls,
//! start a source at most once per trigger, assess and check statuses (one
//! wait rule), start metadata generation for what a run imported, and
//! advance a harvest in rounds ([`harvest`]).

pub mod fan_out;
pub mod harvest;
pub mod metadata;
pub mod pace;
pub mod pages;
pub mod polling;
pub mod select;
pub mod start;
pub mod status;
pub mod token;
