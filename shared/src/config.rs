//! Reading the functions' environment variables.

use std::str::FromStr;

use crate::Error;
use crate::ids::{DataSourceId, DomainId};

fn env_value(variable: &str) -> Option<String> {
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

/// The domain the functions work in when the input names none: `DATAZONE_DOMAIN_ID`.
pub fn env_domain() -> Result<Option<DomainId>, Error> {
    env_value("DATAZONE_DOMAIN_ID")
        .map(|value| DomainId::parse("DATAZONE_DOMAIN_ID", value))
        .transpose()
        .map_err(as_configuration_error)
}

/// The data sources started when the input names none: `DATA_SOURCE_IDS`,
/// separated by commas or white space.
pub fn env_data_sources() -> Result<Vec<DataSourceId>, Error> {
    env_value("DATA_SOURCE_IDS")
        .unwrap_or_default()
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|id| !id.is_empty())
        .map(|id| DataSourceId::parse("DATA_SOURCE_IDS", id).map_err(as_configuration_error))
        .collect()
}

fn as_configuration_error(error: Error) -> Error {
    match error {
        Error::InvalidInput { field, reason } => Error::InvalidConfiguration {
            variable: field,
            reason,
        },
        other => other,
    }
}
