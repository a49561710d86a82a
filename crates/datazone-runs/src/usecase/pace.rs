//! Calls paced to a rate, and work bounded by a deadline.
//!
//! DataZone's request quotas hold per account and region
//! (StartDataSourceRun 20 per second, StartMetadataGenerationRun 10,
//! ListDataSources 20: "Quotas for Amazon DataZone", DataZone User Guide);
//! other callers share them, so the automation paces itself below them. A Lambda invocation ends at its
//! timeout; work stops early enough to save what it did.

use std::time::Duration;

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
