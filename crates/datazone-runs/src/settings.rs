//! Settings from the environment, with `InvalidConfiguration` naming the
//! variable when a value cannot be used.

use std::str::FromStr;

use crate::Error;

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
