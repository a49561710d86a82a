//! What the automation does with DataZone, through the ports only: select
//! sources, list (one paginator), fan out (one bounded helper), pace calls,
//! derive client tokens, assess and check statuses (one wait rule), and
//! advance a harvest in rounds ([`harvest`]): start each source at most
//! once per trigger, follow its run, generate metadata for what it
//! imported.

pub mod fan_out;
pub mod harvest;
pub mod pace;
pub mod pages;
pub mod polling;
pub mod select;
pub mod status;
pub mod token;
