//! How long the state machine should wait before asking about a run again.
//!
//! The wait doubles as the run ages (the largest `min * 2^k` not above its
//! age), so a run is checked a number of times that grows with the
//! logarithm of its duration until the wait reaches its cap.

use crate::Error;
use crate::settings::{POLL_MAX_WAIT_SECONDS, POLL_MIN_WAIT_SECONDS};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollingPolicy {
    pub min_wait_seconds: u64,
    pub max_wait_seconds: u64,
}

impl PollingPolicy {
    /// The policy of the settings `value` gives by name (`None`: unset).
    pub fn from_settings(value: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        Self::new(
            POLL_MIN_WAIT_SECONDS.read(value(POLL_MIN_WAIT_SECONDS.name))?,
            POLL_MAX_WAIT_SECONDS.read(value(POLL_MAX_WAIT_SECONDS.name))?,
        )
    }

    pub fn new(min_wait_seconds: u64, max_wait_seconds: u64) -> Result<Self, Error> {
        if min_wait_seconds == 0 {
            return Err(Error::invalid_configuration(
                POLL_MIN_WAIT_SECONDS.name,
                "must be at least 1",
            ));
        }
        if max_wait_seconds < min_wait_seconds {
            return Err(Error::invalid_configuration(
                POLL_MAX_WAIT_SECONDS.name,
                format!(
                    "must not be below {} ({min_wait_seconds})",
                    POLL_MIN_WAIT_SECONDS.name
                ),
            ));
        }
        Ok(Self {
            min_wait_seconds,
            max_wait_seconds,
        })
    }

    /// The one wait rule: no wait once a run is `terminal`, else the wait
    /// for a run `age_seconds` old.
    pub fn wait_after(&self, terminal: bool, age_seconds: i64) -> u64 {
        if terminal {
            0
        } else {
            self.next_wait_seconds(age_seconds)
        }
    }

    /// Seconds to wait before the next check of a run `age_seconds` old.
    pub fn next_wait_seconds(&self, age_seconds: i64) -> u64 {
        let age = u64::try_from(age_seconds).unwrap_or(0);
        let mut wait = self.min_wait_seconds;
        while wait < self.max_wait_seconds && wait.saturating_mul(2) <= age {
            wait *= 2;
        }
        wait.min(self.max_wait_seconds)
    }

    /// How many checks a run lasting `duration_seconds` gets when every
    /// wait follows this policy: one when it starts, one after each wait,
    /// the last at or after its end.
    pub fn checks_for(&self, duration_seconds: u64) -> u64 {
        let (mut age, mut checks) = (0, 1);
        while age < duration_seconds {
            age += self.next_wait_seconds(age as i64);
            checks += 1;
        }
        checks
    }
}

/// Time a harvest keeps, beyond its waits, for its steps themselves
/// (selecting, starting, each round's calls): half an hour.
pub const STEP_ALLOWANCE_SECONDS: u64 = 1800;

/// The longest a harvest can take: every start retried until its
/// deadline, then a run followed for `max_polls` checks at the longest
/// wait, and the steps' own time.
pub fn longest_harvest_seconds(
    policy: &PollingPolicy,
    max_polls: u32,
    retry_deadline_seconds: u64,
) -> u64 {
    u64::from(max_polls) * policy.max_wait_seconds + retry_deadline_seconds + STEP_ALLOWANCE_SECONDS
}

/// Refuses a configuration whose harvest could outlast the execution
/// (`execution_timeout_seconds`): the execution would end `TIMED_OUT`
/// before the harvest gave up on its longest run, and no source would be
/// reported.
pub fn ensure_fits_execution(
    policy: &PollingPolicy,
    max_polls: u32,
    retry_deadline_seconds: u64,
    execution_timeout_seconds: u64,
) -> Result<(), Error> {
    let longest = longest_harvest_seconds(policy, max_polls, retry_deadline_seconds);
    if longest <= execution_timeout_seconds {
        return Ok(());
    }
    Err(Error::invalid_configuration(
        "MAX_POLLS",
        format!(
            "{max_polls} checks at up to {} s, a start retry deadline of {retry_deadline_seconds} s and {STEP_ALLOWANCE_SECONDS} s for the steps take up to {longest} s, more than the execution's {execution_timeout_seconds} s: lower MaxPolls or PollMaxWaitSeconds",
            policy.max_wait_seconds
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_grows_exponentially_with_age_and_is_capped() {
        let policy = PollingPolicy::new(10, 300).unwrap();
        assert_eq!(policy.next_wait_seconds(-5), 10);
        assert_eq!(policy.next_wait_seconds(0), 10);
        assert_eq!(policy.next_wait_seconds(19), 10);
        assert_eq!(policy.next_wait_seconds(20), 20);
        assert_eq!(policy.next_wait_seconds(79), 40);
        assert_eq!(policy.next_wait_seconds(80), 80);
        assert_eq!(policy.next_wait_seconds(319), 160);
        // 10 * 2^k never equals 300: past 320 s the cap itself is the wait.
        assert_eq!(policy.next_wait_seconds(320), 300);
        assert_eq!(policy.next_wait_seconds(100_000), 300);
    }

    #[test]
    fn checks_of_a_run_grow_with_the_log_of_its_duration() {
        // The template's defaults, as README's polling-cost table gives them.
        let policy = PollingPolicy::new(10, 900).unwrap();
        let table = [(0, 1), (600, 8), (3_600, 12), (7_200, 16), (28_800, 40)];
        for (duration, checks) in table {
            assert_eq!(policy.checks_for(duration), checks, "{duration} s");
        }
        // Uncapped, doubling the duration adds one check.
        let uncapped = PollingPolicy::new(10, 86_400).unwrap();
        assert_eq!(uncapped.checks_for(7_200), 12);
        assert_eq!(uncapped.checks_for(14_400), 13);
    }

    #[test]
    fn a_terminal_run_waits_for_nothing() {
        let policy = PollingPolicy::new(10, 300).unwrap();
        assert_eq!(policy.wait_after(true, 5_000), 0);
        assert_eq!(policy.wait_after(false, 5_000), 300);
        assert_eq!(policy.wait_after(false, 0), 10);
    }

    #[test]
    fn rejects_bounds_that_make_no_sense() {
        assert_eq!(
            PollingPolicy::new(0, 10).unwrap_err().name(),
            "InvalidConfiguration"
        );
        assert_eq!(
            PollingPolicy::new(20, 10).unwrap_err().name(),
            "InvalidConfiguration"
        );
    }

    /// The template's defaults: 45 checks at up to 900 s, a 900 s start
    /// retry deadline, a 12-hour execution.
    const TWELVE_HOURS: u64 = 43_200;

    #[test]
    fn the_defaults_fit_a_twelve_hour_execution_exactly() {
        let policy = PollingPolicy::new(10, 900).unwrap();
        assert_eq!(
            longest_harvest_seconds(&policy, crate::settings::MAX_POLLS.default, 900),
            TWELVE_HOURS
        );
        assert!(
            ensure_fits_execution(
                &policy,
                crate::settings::MAX_POLLS.default,
                900,
                TWELVE_HOURS
            )
            .is_ok()
        );
    }

    #[test]
    fn a_harvest_that_could_outlast_its_execution_is_refused() {
        let policy = PollingPolicy::new(10, 900).unwrap();
        // One second too long, by the retry deadline, the polls or the wait.
        for (polls, deadline, timeout) in [
            (45, 901, TWELVE_HOURS),
            (46, 900, TWELVE_HOURS),
            (45, 900, TWELVE_HOURS - 1),
            (200, 900, TWELVE_HOURS),
        ] {
            let error = ensure_fits_execution(&policy, polls, deadline, timeout).unwrap_err();
            assert_eq!(error.name(), "InvalidConfiguration");
            assert!(
                error.to_string().contains("MAX_POLLS")
                    && error.to_string().contains(&timeout.to_string()),
                "{error}"
            );
        }
        let shorter_waits = PollingPolicy::new(10, 600).unwrap();
        assert!(ensure_fits_execution(&shorter_waits, 60, 900, TWELVE_HOURS).is_ok());
    }
}
