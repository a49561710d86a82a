//! What the automation does with DataZone, through the port only: list
//! (one paginator), fan out (one bounded helper), start a source at most
//! once per trigger, assess and check statuses (one wait rule), and start
//! metadata generation for what a run imported.

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
