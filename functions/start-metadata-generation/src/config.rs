//! `METADATA_GENERATION_TYPES` and `METADATA_START_CONCURRENCY`.

use datazone_runs::Error;
use datazone_runs::model::metadata_run::MetadataGenerationType;
use datazone_runs::settings::{env_number, env_string};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartMetadataConfig {
    pub types: Vec<MetadataGenerationType>,
    pub concurrency: usize,
}

impl StartMetadataConfig {
    pub const DEFAULT_CONCURRENCY: usize = 4;

    /// `METADATA_GENERATION_TYPES` (one or two, comma separated; default
    /// `BUSINESS_DESCRIPTIONS`) and `METADATA_START_CONCURRENCY`.
    pub fn from_env() -> Result<Self, Error> {
        let types = env_string("METADATA_GENERATION_TYPES", "BUSINESS_DESCRIPTIONS");
        Ok(Self {
            types: parse_types(&types)?,
            concurrency: env_number(
                "METADATA_START_CONCURRENCY",
                Self::DEFAULT_CONCURRENCY,
                1,
                10,
            )?,
        })
    }
}

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
        assert_eq!(parse_types("BUSINESS_DESCRIPTIONS").unwrap().len(), 1);
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
