//! How long the state machine should wait before asking about a run again.
//!
//! The wait doubles as the run ages (the largest `min * 2^k` not above its
//! age), so a run is checked a number of times that grows with the
//! logarithm of its duration until the wait reaches its cap.

use crate::Error;
use crate::settings::env_number;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollingPolicy {
    pub min_wait_seconds: u64,
    pub max_wait_seconds: u64,
}

impl PollingPolicy {
    pub const DEFAULT_MIN_WAIT_SECONDS: u64 = 10;
    pub const DEFAULT_MAX_WAIT_SECONDS: u64 = 900;

    pub fn new(min_wait_seconds: u64, max_wait_seconds: u64) -> Result<Self, Error> {
        if min_wait_seconds == 0 {
            return Err(Error::invalid_configuration(
                "POLL_MIN_WAIT_SECONDS",
                "must be at least 1",
            ));
        }
        if max_wait_seconds < min_wait_seconds {
            return Err(Error::invalid_configuration(
                "POLL_MAX_WAIT_SECONDS",
                format!("must not be below POLL_MIN_WAIT_SECONDS ({min_wait_seconds})"),
            ));
        }
        Ok(Self {
            min_wait_seconds,
            max_wait_seconds,
        })
    }

    /// `POLL_MIN_WAIT_SECONDS` and `POLL_MAX_WAIT_SECONDS`.
    pub fn from_env() -> Result<Self, Error> {
        Self::new(
            env_number(
                "POLL_MIN_WAIT_SECONDS",
                Self::DEFAULT_MIN_WAIT_SECONDS,
                1,
                86_400,
            )?,
            env_number(
                "POLL_MAX_WAIT_SECONDS",
                Self::DEFAULT_MAX_WAIT_SECONDS,
                1,
                86_400,
            )?,
        )
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
}
