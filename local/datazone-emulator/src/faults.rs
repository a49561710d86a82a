//! Injected faults: per-operation rate limits, random internal errors and
//! added latency, reproducible from the random seed.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The documented request rates, used unless overridden.
pub const DEFAULT_RATE_LIMITS: &[(&str, f64)] = &[
    ("StartDataSourceRun", 20.0),
    ("StartMetadataGenerationRun", 10.0),
    ("CancelMetadataGenerationRun", 20.0),
    ("ListDataSources", 20.0),
];

/// A token bucket: `rate` requests a second, bursts up to `rate`.
struct Bucket {
    rate: f64,
    tokens: f64,
    refilled: Instant,
}

impl Bucket {
    fn new(rate: f64) -> Self {
        Self {
            rate,
            tokens: rate,
            refilled: Instant::now(),
        }
    }

    fn take(&mut self) -> bool {
        let now = Instant::now();
        let elapsed = now.duration_since(self.refilled).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.rate);
        self.refilled = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

pub struct Faults {
    buckets: BTreeMap<String, Bucket>,
    internal_error_rate: f64,
    pub latency: Duration,
    draws: StdRng,
}

/// What the faults decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Proceed,
    Throttle,
    FailInternally,
}

impl Faults {
    pub fn new(
        rate_limits: &BTreeMap<String, f64>,
        internal_error_rate: f64,
        latency: Duration,
        seed: u64,
    ) -> Self {
        Self {
            buckets: rate_limits
                .iter()
                .map(|(operation, rate)| (operation.clone(), Bucket::new(*rate)))
                .collect(),
            internal_error_rate,
            latency,
            // Separate from the id generator, so faults do not shift ids.
            draws: StdRng::seed_from_u64(seed ^ 0x5eed_fa17),
        }
    }

    pub fn rate_limits(&self) -> BTreeMap<&str, f64> {
        self.buckets
            .iter()
            .map(|(op, bucket)| (op.as_str(), bucket.rate))
            .collect()
    }

    pub fn judge(&mut self, operation: &str) -> Verdict {
        if let Some(bucket) = self.buckets.get_mut(operation)
            && !bucket.take()
        {
            return Verdict::Throttle;
        }
        if self.internal_error_rate > 0.0 && self.draws.random_bool(self.internal_error_rate) {
            return Verdict::FailInternally;
        }
        Verdict::Proceed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_above_the_rate_is_throttled() {
        let limits = BTreeMap::from([("StartDataSourceRun".to_owned(), 5.0)]);
        let mut faults = Faults::new(&limits, 0.0, Duration::ZERO, 0);
        let verdicts: Vec<_> = (0..8).map(|_| faults.judge("StartDataSourceRun")).collect();
        assert_eq!(
            verdicts.iter().filter(|v| **v == Verdict::Proceed).count(),
            5
        );
        assert_eq!(faults.judge("GetDataSourceRun"), Verdict::Proceed);
    }

    #[test]
    fn internal_errors_are_reproducible_from_the_seed() {
        let draw = |seed| {
            let mut faults = Faults::new(&BTreeMap::new(), 0.3, Duration::ZERO, seed);
            (0..50)
                .map(|_| faults.judge("GetDataSourceRun"))
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert!(draw(7).contains(&Verdict::FailInternally));
    }
}
