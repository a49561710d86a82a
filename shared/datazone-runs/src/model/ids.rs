//! Identifiers checked against the service model's patterns before any call.
//!
//! The model's patterns carry no anchors; they are matched on the whole
//! string, as the service does.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::Error;

/// Longest identifier the model allows after any prefix.
const MAX_ID_LEN: usize = 36;
/// How much of a rejected value an error message quotes.
const QUOTED_VALUE_LEN: usize = 64;

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

fn is_resource_id(value: &str) -> bool {
    (1..=MAX_ID_LEN).contains(&value.len()) && value.chars().all(is_id_char)
}

fn quoted(value: &str) -> String {
    let shown: String = value.chars().take(QUOTED_VALUE_LEN).collect();
    if shown.len() < value.len() {
        format!("{shown:?}…")
    } else {
        format!("{shown:?}")
    }
}

/// `[a-zA-Z0-9_-]{1,36}`: data sources, runs, projects, metadata generation runs.
fn check_resource_id(field: &str, value: &str) -> Result<(), Error> {
    if is_resource_id(value) {
        Ok(())
    } else {
        Err(Error::invalid_input(
            field,
            format!("must match [a-zA-Z0-9_-]{{1,36}}, got {}", quoted(value)),
        ))
    }
}

/// `dzd[-_][a-zA-Z0-9_-]{1,36}`: domains.
fn check_domain_id(field: &str, value: &str) -> Result<(), Error> {
    let rest = value
        .strip_prefix("dzd-")
        .or_else(|| value.strip_prefix("dzd_"));
    match rest {
        Some(rest) if is_resource_id(rest) => Ok(()),
        _ => Err(Error::invalid_input(
            field,
            format!(
                "must match dzd[-_][a-zA-Z0-9_-]{{1,36}}, got {}",
                quoted(value)
            ),
        )),
    }
}

macro_rules! identifier {
    ($(#[$meta:meta])* $name:ident, $check:path) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Checks `value` against the model's pattern; `field` names it in the error.
            pub fn parse(field: &str, value: impl Into<String>) -> Result<Self, Error> {
                let value = value.into();
                $check(field, &value)?;
                Ok(Self(value))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        /// Read back from what this project wrote: checked again.
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = String::deserialize(deserializer)?;
                Self::parse(stringify!($name), value).map_err(serde::de::Error::custom)
            }
        }

        /// An id reads as the string it is.
        impl std::ops::Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

identifier!(
    /// A DataZone domain id, `dzd_…` or `dzd-…`.
    DomainId,
    check_domain_id
);
identifier!(
    /// A data source id.
    DataSourceId,
    check_resource_id
);
identifier!(
    /// A project id.
    ProjectId,
    check_resource_id
);
identifier!(
    /// A data source run id.
    DataSourceRunId,
    check_resource_id
);
identifier!(
    /// A metadata generation run id.
    MetadataGenerationRunId,
    check_resource_id
);

/// A page size for the List operations: the model's `MaxResults`, 1–50.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSize(u8);

impl PageSize {
    pub const MAX: u8 = 50;

    pub fn parse(field: &str, value: i64) -> Result<Self, Error> {
        match u8::try_from(value) {
            Ok(size) if (1..=Self::MAX).contains(&size) => Ok(Self(size)),
            _ => Err(Error::invalid_input(
                field,
                format!("must be between 1 and {}, got {value}", Self::MAX),
            )),
        }
    }

    pub fn get(self) -> i32 {
        i32::from(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_ids_match_the_whole_pattern() {
        for good in [
            "dzd_abc123",
            "dzd-a",
            "dzd_a-b_c",
            &format!("dzd_{}", "a".repeat(36)),
        ] {
            assert!(DomainId::parse("domainId", good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "dzd_",
            "dzd",
            "dzdxabc",
            "abc",
            "dzd_abc!",
            " dzd_abc",
            "dzd_abc\n",
            "xdzd_abc",
            &format!("dzd_{}", "a".repeat(37)),
        ] {
            let err = DomainId::parse("domainId", bad).unwrap_err();
            assert_eq!(err.name(), "InvalidInput");
            assert!(err.to_string().contains("domainId"), "{err}");
        }
    }

    #[test]
    fn resource_ids_match_the_whole_pattern() {
        assert!(DataSourceId::parse("dataSourceId", "a_B-9").is_ok());
        assert!(DataSourceId::parse("dataSourceId", "a".repeat(36)).is_ok());
        for bad in ["", "a b", "a/b", "ä", &"a".repeat(37)] {
            let err = DataSourceRunId::parse("runId", bad).unwrap_err();
            assert!(err.to_string().contains("runId"), "{err}");
        }
    }

    #[test]
    fn long_values_are_quoted_shortened() {
        let err = DataSourceId::parse("dataSourceId", "!".repeat(500)).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "invalid input: dataSourceId: must match [a-zA-Z0-9_-]{{1,36}}, got \"{}\"…",
                "!".repeat(64)
            )
        );
        let short = DataSourceId::parse("dataSourceId", "!".repeat(64)).unwrap_err();
        assert!(!short.to_string().ends_with('…'), "{short}");
    }

    #[test]
    fn page_sizes_are_one_to_fifty() {
        assert_eq!(PageSize::parse("pageSize", 1).unwrap().get(), 1);
        assert_eq!(PageSize::parse("pageSize", 50).unwrap().get(), 50);
        for bad in [0, 51, -1, 1000] {
            assert!(PageSize::parse("pageSize", bad).is_err());
        }
    }
}
