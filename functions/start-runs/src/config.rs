//! `DATAZONE_DOMAIN_ID`, `DATA_SOURCE_IDS`, `START_CONCURRENCY`.

use datazone_runs::Error;
use datazone_runs::model::ids::{DataSourceId, DomainId};
use datazone_runs::settings::{as_configuration_error, env_number, env_value};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartRunsConfig {
    /// Used when the input names no domain (and for scheduled events).
    pub domain: Option<DomainId>,
    /// Used when the input names no data sources (and for scheduled events).
    pub data_sources: Vec<DataSourceId>,
    /// How many data sources are started at once.
    pub concurrency: usize,
}

impl StartRunsConfig {
    pub const DEFAULT_CONCURRENCY: usize = 4;

    pub fn from_env() -> Result<Self, Error> {
        Ok(Self {
            domain: env_value("DATAZONE_DOMAIN_ID")
                .map(|value| DomainId::parse("DATAZONE_DOMAIN_ID", value))
                .transpose()
                .map_err(as_configuration_error)?,
            data_sources: data_sources(&env_value("DATA_SOURCE_IDS").unwrap_or_default())?,
            concurrency: env_number("START_CONCURRENCY", Self::DEFAULT_CONCURRENCY, 1, 20)?,
        })
    }
}

/// `DATA_SOURCE_IDS`: separated by commas or white space.
fn data_sources(list: &str) -> Result<Vec<DataSourceId>, Error> {
    list.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|id| !id.is_empty())
        .map(|id| DataSourceId::parse("DATA_SOURCE_IDS", id).map_err(as_configuration_error))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_source_ids_are_separated_by_commas_or_white_space() {
        let ids = data_sources(" ds_a,ds_b  ds_c,\n,ds_d ").unwrap();
        let ids: Vec<&str> = ids.iter().map(DataSourceId::as_str).collect();
        assert_eq!(ids, ["ds_a", "ds_b", "ds_c", "ds_d"]);
        assert!(data_sources("").unwrap().is_empty());
        let error = data_sources("ds_a,not/valid").unwrap_err();
        assert_eq!(error.name(), "InvalidConfiguration");
        assert!(error.to_string().contains("DATA_SOURCE_IDS"), "{error}");
    }
}
