//! Settings from the environment, with `InvalidConfiguration` naming the
//! variable when a value cannot be used.

use std::str::FromStr;

use crate::Error;
use crate::model::ids::DomainId;

/// The trimmed value of `variable`, unless unset or blank.
pub fn env_value(variable: &str) -> Option<String> {
    std::env::var(variable)
        .ok()
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// A whole number from `variable`, `default` when unset, within `min..=max`.
pub fn env_number<T>(variable: &str, default: T, min: T, max: T) -> Result<T, Error>
where
    T: FromStr + PartialOrd + Copy + std::fmt::Display,
{
    let Some(raw) = env_value(variable) else {
        return Ok(default);
    };
    match raw.parse::<T>() {
        Ok(value) if value >= min && value <= max => Ok(value),
        _ => Err(Error::invalid_configuration(
            variable,
            format!("must be a whole number from {min} to {max}, got {raw:?}"),
        )),
    }
}

/// A string from `variable`, `default` when unset.
pub fn env_string(variable: &str, default: &str) -> String {
    env_value(variable).unwrap_or_else(|| default.to_owned())
}

/// The domain in `DATAZONE_DOMAIN_ID`, unless unset: the one every function
/// falls back on when its input names none.
pub fn env_domain() -> Result<Option<DomainId>, Error> {
    env_value("DATAZONE_DOMAIN_ID")
        .map(|value| DomainId::parse("DATAZONE_DOMAIN_ID", value))
        .transpose()
        .map_err(as_configuration_error)
}

/// An input error about a value read from `variable`, as a configuration error.
pub fn as_configuration_error(error: Error) -> Error {
    match error {
        Error::InvalidInput { field, reason } => Error::InvalidConfiguration {
            variable: field,
            reason,
        },
        other => other,
    }
}

/// A rate (calls a second) from `variable`, `default` when unset: a number
/// above zero.
pub fn env_rate(variable: &str, default: f64) -> Result<f64, Error> {
    let Some(raw) = env_value(variable) else {
        return Ok(default);
    };
    match raw.parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate > 0.0 => Ok(rate),
        _ => Err(Error::invalid_configuration(
            variable,
            format!("must be a number of calls a second above 0, got {raw:?}"),
        )),
    }
}

/// `true` or `false` from `variable`, `default` when unset.
pub fn env_flag(variable: &str, default: bool) -> Result<bool, Error> {
    match env_value(variable).as_deref() {
        None => Ok(default),
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(other) => Err(Error::invalid_configuration(
            variable,
            format!("must be true or false, got {other:?}"),
        )),
    }
}

/// The items of `variable`, separated by commas or white space.
pub fn env_list(variable: &str) -> Vec<String> {
    env_value(variable)
        .unwrap_or_default()
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}
