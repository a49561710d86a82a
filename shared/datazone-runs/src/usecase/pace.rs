//! Calls paced to a rate, and work bounded by a deadline.
//!
//! DataZone's request quotas hold per account and region
//! (StartDataSourceRun 20 per second, StartMetadataGenerationRun 10,
//! ListDataSources 20: "Quotas for Amazon DataZone", DataZone User Guide);
//! other callers share them, so the automation paces itself below them. A Lambda invocation ends at its
//! timeout; work stops early enough to save what it did.

use std::time::Duration;

use crate::Error;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// At most `rate` calls a second: each call waits for its slot.
#[derive(Debug)]
pub struct Pacer {
    interval: Duration,
    next: Mutex<Instant>,
}

impl Pacer {
    /// `rate` calls a second (a rate of zero or less is one call a second).
    pub fn per_second(rate: f64) -> Self {
        let rate = if rate > 0.0 { rate } else { 1.0 };
        Self {
            interval: Duration::from_secs_f64(1.0 / rate),
            next: Mutex::new(Instant::now()),
        }
    }

    /// Waits until the next call may be made, and books that slot.
    pub async fn wait(&self) {
        let mut next = self.next.lock().await;
        let now = Instant::now();
        if *next > now {
            tokio::time::sleep_until(*next).await;
        }
        *next = (*next).max(now) + self.interval;
    }
}

/// The time left for work, up to a deadline.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    deadline: Instant,
}

impl Budget {
    /// Work may go on for `time` from now.
    pub fn lasting(time: Duration) -> Self {
        Self {
            deadline: Instant::now() + time,
        }
    }

    /// Whether `needed` still fits before the deadline.
    pub fn allows(&self, needed: Duration) -> bool {
        Instant::now() + needed <= self.deadline
    }
}

/// A step's time: a call begins only while the step's budget leaves room
/// for it to end (`call_allowance`, the client's operation timeout).
#[derive(Debug, Clone, Copy)]
pub struct StepTime {
    pub budget: Budget,
    pub call_allowance: Duration,
}

impl StepTime {
    /// Whether one more call fits.
    pub fn allows_a_call(&self) -> bool {
        self.budget.allows(self.call_allowance)
    }

    /// Refuses `work` when not even one more call fits: the same work
    /// handed to the next step would not fit there either, so this is the
    /// function's configuration (its timeout) to change, not a retry.
    pub fn ensure_a_call(&self, work: &str) -> Result<(), Error> {
        if self.allows_a_call() {
            return Ok(());
        }
        Err(Error::invalid_configuration(
            "Timeout",
            format!(
                "{work} needs more time than the function's timeout leaves ({} s for one DataZone call): raise its timeout or lower DATAZONE_OPERATION_TIMEOUT_SECONDS",
                self.call_allowance.as_secs()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn calls_are_spaced_by_the_rate() {
        let pacer = Pacer::per_second(4.0);
        let start = Instant::now();
        for _ in 0..5 {
            pacer.wait().await;
        }
        // The first call goes at once, the next four 250 ms apart.
        assert_eq!(Instant::now() - start, Duration::from_millis(1000));
        assert_eq!(
            Pacer::per_second(0.0).interval,
            Duration::from_secs(1),
            "a rate of zero paces at one a second"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_budget_allows_what_fits_before_its_deadline() {
        let budget = Budget::lasting(Duration::from_secs(10));
        assert!(budget.allows(Duration::from_secs(10)));
        assert!(!budget.allows(Duration::from_secs(11)));
        tokio::time::advance(Duration::from_secs(6)).await;
        assert!(budget.allows(Duration::from_secs(4)));
        assert!(!budget.allows(Duration::from_secs(5)));
    }
}
