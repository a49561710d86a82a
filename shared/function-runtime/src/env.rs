//! The settings of a function, read from the environment Lambda gives it
//! (the template's `Environment`), under the names and with the defaults
//! and bounds `datazone_runs::settings` defines.

use datazone_runs::Error;
use datazone_runs::model::ids::DomainId;
use datazone_runs::settings::{
    self, DATAZONE_DOMAIN_ID, Flag, Number, Rate, Text, as_configuration_error, present,
};
use datazone_runs::usecase::polling::PollingPolicy;

/// The value of the variable `name`, as set (blank included).
pub fn value(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The text of `name`, trimmed; `None` when unset or blank.
pub fn text_if_set(name: &str) -> Option<String> {
    present(value(name))
}

pub fn number<T>(setting: &Number<T>) -> Result<T, Error>
where
    T: std::str::FromStr + PartialOrd + Copy + std::fmt::Display,
{
    setting.read(value(setting.name))
}

/// `None` when unset.
pub fn number_if_set<T>(setting: &Number<T>) -> Result<Option<T>, Error>
where
    T: std::str::FromStr + PartialOrd + Copy + std::fmt::Display,
{
    setting.read_set(value(setting.name))
}

pub fn rate(setting: &Rate) -> Result<f64, Error> {
    setting.read(value(setting.name))
}

pub fn flag(setting: &Flag) -> Result<bool, Error> {
    setting.read(value(setting.name))
}

pub fn text(setting: &Text) -> String {
    setting.read(value(setting.name))
}

/// The items of `name`, separated by commas or white space.
pub fn list(name: &str) -> Vec<String> {
    settings::list(value(name))
}

/// The domain in `DATAZONE_DOMAIN_ID`, unless unset.
pub fn domain() -> Result<Option<DomainId>, Error> {
    text_if_set(DATAZONE_DOMAIN_ID)
        .map(|id| DomainId::parse(DATAZONE_DOMAIN_ID, id))
        .transpose()
        .map_err(as_configuration_error)
}

/// `POLL_MIN_WAIT_SECONDS` and `POLL_MAX_WAIT_SECONDS`.
pub fn polling() -> Result<PollingPolicy, Error> {
    PollingPolicy::from_settings(value)
}
