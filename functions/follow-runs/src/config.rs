//! The environment: how runs are followed, whether metadata is generated
//! for what they imported, and where harvest records are.

use std::time::Duration;

use datazone_adapter::client::ClientSettings;
use datazone_runs::Error;
use datazone_runs::model::ids::DomainId;
use datazone_runs::model::metadata_run::MetadataGenerationType;
use datazone_runs::settings::{
    as_configuration_error, env_flag, env_number, env_rate, env_string, env_value,
};
use datazone_runs::usecase::polling::PollingPolicy;

#[derive(Debug, Clone, PartialEq)]
pub struct FollowRunsConfig {
    /// Used when the input names no domain.
    pub domain: Option<DomainId>,
    pub polling: PollingPolicy,
    /// Checks of one run before it is given up on.
    pub max_polls: u32,
    /// Runs checked at once.
    pub concurrency: usize,
    /// What metadata generation produces; `None`: no metadata generation.
    pub metadata_types: Option<Vec<MetadataGenerationType>>,
    /// StartMetadataGenerationRun calls a second, at most.
    pub metadata_rate: f64,
    /// Time one DataZone call may take (the client's operation timeout).
    pub call_allowance: Duration,
    /// Key prefix of harvest records in the report bucket.
    pub report_prefix: String,
}

impl FollowRunsConfig {
    pub const DEFAULT_CONCURRENCY: usize = 16;
    /// Under half of StartMetadataGenerationRun's documented 10 a second
    /// ("Quotas for Amazon DataZone"): the quota is the account's, shared.
    pub const DEFAULT_METADATA_RATE: f64 = 4.0;

    /// `DATAZONE_DOMAIN_ID`, `POLL_MIN_WAIT_SECONDS`, `POLL_MAX_WAIT_SECONDS`,
    /// `MAX_POLLS`, `FOLLOW_CONCURRENCY`, `GENERATE_METADATA`,
    /// `METADATA_GENERATION_TYPES`, `METADATA_REQUESTS_PER_SECOND`,
    /// `REPORT_PREFIX`, and the client's timeouts.
    pub fn from_env() -> Result<Self, Error> {
        let metadata_types = if env_flag("GENERATE_METADATA", false)? {
            Some(parse_types(&env_string(
                "METADATA_GENERATION_TYPES",
                "BUSINESS_DESCRIPTIONS",
            ))?)
        } else {
            None
        };
        Ok(Self {
            domain: env_value("DATAZONE_DOMAIN_ID")
                .map(|value| DomainId::parse("DATAZONE_DOMAIN_ID", value))
                .transpose()
                .map_err(as_configuration_error)?,
            polling: PollingPolicy::from_env()?,
            max_polls: env_number("MAX_POLLS", PollingPolicy::DEFAULT_MAX_POLLS, 1, 10_000)?,
            concurrency: env_number("FOLLOW_CONCURRENCY", Self::DEFAULT_CONCURRENCY, 1, 64)?,
            metadata_types,
            metadata_rate: env_rate("METADATA_REQUESTS_PER_SECOND", Self::DEFAULT_METADATA_RATE)?,
            call_allowance: ClientSettings::from_env()?.operation_timeout,
            report_prefix: env_string("REPORT_PREFIX", "harvests/"),
        })
    }
}

/// One or two documented metadata generation types, comma separated.
fn parse_types(list: &str) -> Result<Vec<MetadataGenerationType>, Error> {
    let mut types: Vec<MetadataGenerationType> = list
        .split(',')
        .map(str::trim)
        .filter(|kind| !kind.is_empty())
        .map(MetadataGenerationType::from_wire)
        .collect();
    types.dedup();
    let unknown = types
        .iter()
        .find(|kind| matches!(kind, MetadataGenerationType::Unknown(_)));
    if let Some(unknown) = unknown {
        return Err(Error::invalid_configuration(
            "METADATA_GENERATION_TYPES",
            format!(
                "{unknown} is not one of {}",
                MetadataGenerationType::DOCUMENTED.join(", ")
            ),
        ));
    }
    if !(1..=2).contains(&types.len()) {
        return Err(Error::invalid_configuration(
            "METADATA_GENERATION_TYPES",
            "must name one or two types",
        ));
    }
    Ok(types)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_types_are_one_or_two_documented_ones() {
        assert_eq!(
            parse_types("BUSINESS_DESCRIPTIONS").unwrap(),
            [MetadataGenerationType::BusinessDescriptions]
        );
        assert_eq!(
            parse_types("BUSINESS_DESCRIPTIONS, BUSINESS_NAMES")
                .unwrap()
                .len(),
            2
        );
        for bad in [
            "",
            "SUMMARIES",
            "BUSINESS_NAMES,BUSINESS_DESCRIPTIONS,BUSINESS_GLOSSARY_ASSOCIATIONS",
        ] {
            assert_eq!(
                parse_types(bad).unwrap_err().name(),
                "InvalidConfiguration",
                "{bad:?}"
            );
        }
    }
}
