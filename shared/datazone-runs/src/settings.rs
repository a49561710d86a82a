//! The settings a deployment may change, each defined once: its name, its
//! default and its bounds. The functions read them from their environment
//! under that name (`function-runtime`'s `env`), `dzrun` uses their
//! defaults, and a test holds the defaults template.yaml gives the
//! functions to the same values. Reading a value is checked here, and a
//! value that cannot be used is `InvalidConfiguration` naming the setting;
//! where the value comes from is the caller's business.

use std::fmt::Display;
use std::str::FromStr;

use crate::Error;

/// `raw` trimmed, `None` when absent or blank: a blank variable is unset.
pub fn present(raw: Option<String>) -> Option<String> {
    raw.map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// A whole number within `min..=max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Number<T> {
    pub name: &'static str,
    pub default: T,
    pub min: T,
    pub max: T,
}

impl<T: FromStr + PartialOrd + Copy + Display> Number<T> {
    /// `raw` as this setting; the default when unset.
    pub fn read(&self, raw: Option<String>) -> Result<T, Error> {
        Ok(self.read_set(raw)?.unwrap_or(self.default))
    }

    /// `raw` as this setting; `None` when unset.
    pub fn read_set(&self, raw: Option<String>) -> Result<Option<T>, Error> {
        let Some(raw) = present(raw) else {
            return Ok(None);
        };
        match raw.parse::<T>() {
            Ok(value) if value >= self.min && value <= self.max => Ok(Some(value)),
            _ => Err(Error::invalid_configuration(
                self.name,
                format!(
                    "must be a whole number from {} to {}, got {raw:?}",
                    self.min, self.max
                ),
            )),
        }
    }
}

/// A rate in calls a second: a number above zero.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub name: &'static str,
    pub default: f64,
}

impl Rate {
    pub fn read(&self, raw: Option<String>) -> Result<f64, Error> {
        let Some(raw) = present(raw) else {
            return Ok(self.default);
        };
        match raw.parse::<f64>() {
            Ok(rate) if rate.is_finite() && rate > 0.0 => Ok(rate),
            _ => Err(Error::invalid_configuration(
                self.name,
                format!("must be a number of calls a second above 0, got {raw:?}"),
            )),
        }
    }
}

/// `true` or `false`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag {
    pub name: &'static str,
    pub default: bool,
}

impl Flag {
    pub fn read(&self, raw: Option<String>) -> Result<bool, Error> {
        match present(raw).as_deref() {
            None => Ok(self.default),
            Some("true") => Ok(true),
            Some("false") => Ok(false),
            Some(other) => Err(Error::invalid_configuration(
                self.name,
                format!("must be true or false, got {other:?}"),
            )),
        }
    }
}

/// Text, as given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    pub name: &'static str,
    pub default: &'static str,
}

impl Text {
    pub fn read(&self, raw: Option<String>) -> String {
        present(raw).unwrap_or_else(|| self.default.to_owned())
    }
}

/// The items of a list, separated by commas or white space.
pub fn list(raw: Option<String>) -> Vec<String> {
    present(raw)
        .unwrap_or_default()
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

/// An input error about a value read from a setting, as a configuration error.
pub fn as_configuration_error(error: Error) -> Error {
    match error {
        Error::InvalidInput { field, reason } => Error::InvalidConfiguration {
            variable: field,
            reason,
        },
        other => other,
    }
}

/// The domain every function falls back on when its input names none.
pub const DATAZONE_DOMAIN_ID: &str = "DATAZONE_DOMAIN_ID";

/// The shortest wait between two checks of a run.
pub const POLL_MIN_WAIT_SECONDS: Number<u64> = Number {
    name: "POLL_MIN_WAIT_SECONDS",
    default: 10,
    min: 1,
    max: 86_400,
};
/// The longest wait between two checks of a run.
pub const POLL_MAX_WAIT_SECONDS: Number<u64> = Number {
    name: "POLL_MAX_WAIT_SECONDS",
    default: 900,
    min: 1,
    max: 86_400,
};
/// Checks of one run before it is given up on: 45 waits of 900 s and the
/// default retry deadline fit a 12-hour execution
/// ([`crate::usecase::polling::ensure_fits_execution`]).
pub const MAX_POLLS: Number<u32> = Number {
    name: "MAX_POLLS",
    default: 45,
    min: 1,
    max: 10_000,
};
/// Runs (and generation runs) checked at once.
pub const FOLLOW_CONCURRENCY: Number<usize> = Number {
    name: "FOLLOW_CONCURRENCY",
    default: 16,
    min: 1,
    max: 64,
};
/// Data sources started at once.
pub const START_CONCURRENCY: Number<usize> = Number {
    name: "START_CONCURRENCY",
    default: 4,
    min: 1,
    max: 20,
};
/// Under half of StartDataSourceRun's documented 20 a second ("Quotas for
/// Amazon DataZone"): the quota is the account's, shared with others.
pub const START_REQUESTS_PER_SECOND: Rate = Rate {
    name: "START_REQUESTS_PER_SECOND",
    default: 8.0,
};
/// Under half of ListProjects' and ListDataSources' documented 20 a second.
pub const LIST_REQUESTS_PER_SECOND: Rate = Rate {
    name: "LIST_REQUESTS_PER_SECOND",
    default: 8.0,
};
/// Under half of StartMetadataGenerationRun's documented 10 a second.
pub const METADATA_REQUESTS_PER_SECOND: Rate = Rate {
    name: "METADATA_REQUESTS_PER_SECOND",
    default: 4.0,
};
/// Under half of AcceptPredictions' and RejectPredictions' documented 20
/// a second each ("Quotas for Amazon DataZone").
pub const PREDICTIONS_REQUESTS_PER_SECOND: Rate = Rate {
    name: "PREDICTIONS_REQUESTS_PER_SECOND",
    default: 8.0,
};
/// The rule for what metadata generation suggests: `NONE` (left as
/// suggestions), `ALL`, or a confidence from 0 to 1 (accepted at or above).
pub const ACCEPT_PREDICTIONS: Text = Text {
    name: "ACCEPT_PREDICTIONS",
    default: "NONE",
};
/// With a rule, whether the predictions it did not accept are rejected.
pub const REJECT_OTHER_PREDICTIONS: Flag = Flag {
    name: "REJECT_OTHER_PREDICTIONS",
    default: false,
};
/// How long a start failing with a retryable error is retried.
pub const START_RETRY_DEADLINE_SECONDS: Number<u64> = Number {
    name: "START_RETRY_DEADLINE_SECONDS",
    default: 900,
    min: 0,
    max: 86_400,
};
/// The execution's own timeout, when the function is told it: the longest
/// harvest must fit in it. Unset by default.
pub const EXECUTION_TIMEOUT_SECONDS: Number<u64> = Number {
    name: "EXECUTION_TIMEOUT_SECONDS",
    default: 0,
    min: 1,
    max: 31_536_000,
};
/// Whether a run that succeeds goes on to metadata generation.
pub const GENERATE_METADATA: Flag = Flag {
    name: "GENERATE_METADATA",
    default: false,
};
/// Whether DataZone's events record the ends of runs (run-status) and
/// wake the harvest, checks being the safety net at the longest wait.
pub const FOLLOW_EVENTS: Flag = Flag {
    name: "FOLLOW_EVENTS",
    default: true,
};
/// How long a harvest woken by a run's end (metadata generation to start)
/// lets more ends gather before its round.
pub const EVENT_COALESCE_SECONDS: Number<u64> = Number {
    name: "EVENT_COALESCE_SECONDS",
    default: 30,
    min: 0,
    max: 3600,
};
/// What metadata generation produces, comma-separated.
pub const METADATA_GENERATION_TYPES: Text = Text {
    name: "METADATA_GENERATION_TYPES",
    default: "BUSINESS_DESCRIPTIONS",
};
/// Key prefix of harvest records in the report bucket.
pub const REPORT_PREFIX: Text = Text {
    name: "REPORT_PREFIX",
    default: "harvests/",
};
/// How sources are selected: `data-sources`, `projects` or `domain`.
pub const SOURCE_SELECTION: Text = Text {
    name: "SOURCE_SELECTION",
    default: "data-sources",
};
/// Whether a project or domain selection takes disabled sources too.
pub const INCLUDE_DISABLED_SOURCES: Flag = Flag {
    name: "INCLUDE_DISABLED_SOURCES",
    default: false,
};

/// Every setting with a default, by name, its default as a deployment
/// writes it: what a test holds the template's defaults to.
pub fn defaults() -> Vec<(&'static str, String)> {
    let number = |setting: &Number<u64>| (setting.name, setting.default.to_string());
    let rate = |setting: &Rate| (setting.name, setting.default.to_string());
    let flag = |setting: &Flag| (setting.name, setting.default.to_string());
    let text = |setting: &Text| (setting.name, setting.default.to_owned());
    vec![
        number(&POLL_MIN_WAIT_SECONDS),
        number(&POLL_MAX_WAIT_SECONDS),
        (MAX_POLLS.name, MAX_POLLS.default.to_string()),
        (
            FOLLOW_CONCURRENCY.name,
            FOLLOW_CONCURRENCY.default.to_string(),
        ),
        (
            START_CONCURRENCY.name,
            START_CONCURRENCY.default.to_string(),
        ),
        rate(&START_REQUESTS_PER_SECOND),
        rate(&LIST_REQUESTS_PER_SECOND),
        rate(&METADATA_REQUESTS_PER_SECOND),
        rate(&PREDICTIONS_REQUESTS_PER_SECOND),
        text(&ACCEPT_PREDICTIONS),
        flag(&REJECT_OTHER_PREDICTIONS),
        number(&START_RETRY_DEADLINE_SECONDS),
        flag(&GENERATE_METADATA),
        flag(&FOLLOW_EVENTS),
        number(&EVENT_COALESCE_SECONDS),
        text(&METADATA_GENERATION_TYPES),
        text(&REPORT_PREFIX),
        text(&SOURCE_SELECTION),
        flag(&INCLUDE_DISABLED_SOURCES),
    ]
}
