//! Injected faults: per-operation rate limits, random internal errors and
//! added latency, reproducible from the random seed. Rates are per emulated
//! second (see `crate::clock`): at `--time-scale 10` a limit of 20 a second
//! takes 200 requests a real second.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::clock::Millis;

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
    /// `None` until the first request.
    refilled: Option<Millis>,
}

impl Bucket {
    fn new(rate: f64) -> Self {
        Self {
            rate,
            tokens: rate,
            refilled: None,
        }
    }

    fn take(&mut self, now: Millis) -> bool {
        let elapsed = self
            .refilled
            .map_or(0.0, |refilled| (now - refilled).max(0) as f64 / 1000.0);
        self.tokens = (self.tokens + elapsed * self.rate).min(self.rate);
        self.refilled = Some(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Every request refused for `seconds` (emulated) after the first
/// `after_requests`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Outage {
    pub after_requests: u64,
    pub seconds: f64,
}

pub struct Faults {
    buckets: BTreeMap<String, Bucket>,
    outage: Option<Outage>,
    /// When the outage began, once it has.
    outage_began: Option<Millis>,
    requests: u64,
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
    /// The outage window is on.
    Outage,
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
            outage: None,
            outage_began: None,
            requests: 0,
            internal_error_rate,
            latency,
            // Separate from the id generator, so faults do not shift ids.
            draws: StdRng::seed_from_u64(seed ^ 0x5eed_fa17),
        }
    }

    pub fn with_outage(mut self, outage: Option<Outage>) -> Self {
        self.outage = outage;
        self
    }

    /// Whether the outage is on at `now`: it begins after its number of
    /// requests and lasts its seconds.
    fn in_outage(&mut self, now: Millis) -> bool {
        let Some(outage) = self.outage else {
            return false;
        };
        if self.outage_began.is_none() && self.requests > outage.after_requests {
            self.outage_began = Some(now);
        }
        self.outage_began
            .is_some_and(|began| now < began + crate::clock::millis(outage.seconds))
    }

    pub fn rate_limits(&self) -> BTreeMap<&str, f64> {
        self.buckets
            .iter()
            .map(|(op, bucket)| (op.as_str(), bucket.rate))
            .collect()
    }

    /// What happens to a request for `operation` at emulated time `now`.
    pub fn judge(&mut self, operation: &str, now: Millis) -> Verdict {
        self.requests += 1;
        if self.in_outage(now) {
            return Verdict::Outage;
        }
        if let Some(bucket) = self.buckets.get_mut(operation)
            && !bucket.take(now)
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
        let verdicts: Vec<_> = (0..8)
            .map(|_| faults.judge("StartDataSourceRun", 1_000))
            .collect();
        assert_eq!(
            verdicts.iter().filter(|v| **v == Verdict::Proceed).count(),
            5
        );
        assert_eq!(faults.judge("GetDataSourceRun", 1_000), Verdict::Proceed);
        // 400 emulated milliseconds later, two requests' worth is back.
        let later: Vec<_> = (0..3)
            .map(|_| faults.judge("StartDataSourceRun", 1_400))
            .collect();
        assert_eq!(
            later,
            [Verdict::Proceed, Verdict::Proceed, Verdict::Throttle]
        );
    }

    #[test]
    fn an_outage_refuses_everything_for_its_seconds_after_its_requests() {
        let mut faults =
            Faults::new(&BTreeMap::new(), 0.0, Duration::ZERO, 0).with_outage(Some(Outage {
                after_requests: 2,
                seconds: 10.0,
            }));
        let at = |faults: &mut Faults, ms| faults.judge("GetDataSourceRun", ms);
        assert_eq!(at(&mut faults, 0), Verdict::Proceed);
        assert_eq!(at(&mut faults, 0), Verdict::Proceed);
        assert_eq!(at(&mut faults, 1_000), Verdict::Outage);
        assert_eq!(at(&mut faults, 10_999), Verdict::Outage);
        assert_eq!(at(&mut faults, 11_000), Verdict::Proceed);
    }

    #[test]
    fn internal_errors_are_reproducible_from_the_seed() {
        let draw = |seed| {
            let mut faults = Faults::new(&BTreeMap::new(), 0.3, Duration::ZERO, seed);
            (0..50)
                .map(|_| faults.judge("GetDataSourceRun", 0))
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert!(draw(7).contains(&Verdict::FailInternally));
    }
}
