//! Injected faults: per-operation rate limits and throttling
//! probabilities, random internal errors, an outage window, added latency
//! with jitter, and dropped events, every draw reproducible from the random
//! seed. Rates are per emulated second (see `crate::clock`): at
//! `--time-scale 10` a limit of 20 a second takes 200 requests a real
//! second.

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
    ("AcceptPredictions", 20.0),
    ("RejectPredictions", 20.0),
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
/// `after_requests`, with `answer`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Outage {
    pub after_requests: u64,
    pub seconds: f64,
    #[serde(default)]
    pub answer: OutageAnswer,
}

/// What an outage answers: errors every operation's model lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
pub enum OutageAnswer {
    #[default]
    InternalServerException,
    ThrottlingException,
}

impl OutageAnswer {
    pub fn parse(name: &str) -> Result<Self, String> {
        match name {
            "InternalServerException" => Ok(Self::InternalServerException),
            "ThrottlingException" => Ok(Self::ThrottlingException),
            other => Err(format!(
                "{other:?}: an outage answers InternalServerException or ThrottlingException"
            )),
        }
    }
}

/// The faults to inject, from the command line and the seed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultSettings {
    /// Requests per emulated second by operation, above which 429 answers.
    pub rate_limits: BTreeMap<String, f64>,
    /// Probability by operation that a request answers 429 anyway.
    pub throttle_rates: BTreeMap<String, f64>,
    /// Probability that any request answers 500.
    pub internal_error_rate: f64,
    pub outage: Option<Outage>,
    /// Added before every answer.
    pub latency: Duration,
    /// Up to this much more, drawn for each answer.
    pub latency_jitter: Duration,
    /// Probability that an event is never delivered.
    pub drop_event_rate: f64,
}

pub struct Faults {
    buckets: BTreeMap<String, Bucket>,
    settings: FaultSettings,
    /// When the outage began, once it has.
    outage_began: Option<Millis>,
    requests: u64,
    draws: StdRng,
}

/// What the faults decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Proceed,
    Throttle,
    FailInternally,
    /// The outage window is on.
    Outage(OutageAnswer),
}

impl Faults {
    pub fn new(settings: FaultSettings, seed: u64) -> Self {
        Self {
            buckets: settings
                .rate_limits
                .iter()
                .map(|(operation, rate)| (operation.clone(), Bucket::new(*rate)))
                .collect(),
            settings,
            outage_began: None,
            requests: 0,
            // Separate from the id generator, so faults do not shift ids.
            draws: StdRng::seed_from_u64(seed ^ 0x5eed_fa17),
        }
    }

    /// How long to wait before answering: the latency and a draw of jitter.
    pub fn latency(&mut self) -> Duration {
        let jitter = self.settings.latency_jitter.as_millis() as u64;
        let drawn = if jitter > 0 {
            self.draws.random_range(0..=jitter)
        } else {
            0
        };
        self.settings.latency + Duration::from_millis(drawn)
    }

    /// Whether the next event is lost on its way.
    pub fn drop_event(&mut self) -> bool {
        self.settings.drop_event_rate > 0.0 && self.draws.random_bool(self.settings.drop_event_rate)
    }

    /// Whether the outage is on at `now`: it begins after its number of
    /// requests and lasts its seconds.
    fn in_outage(&mut self, now: Millis) -> bool {
        let Some(outage) = self.settings.outage else {
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
        if let Some(outage) = self.settings.outage
            && self.in_outage(now)
        {
            return Verdict::Outage(outage.answer);
        }
        if let Some(bucket) = self.buckets.get_mut(operation)
            && !bucket.take(now)
        {
            return Verdict::Throttle;
        }
        let throttle_rate = self.settings.throttle_rates.get(operation).copied();
        if let Some(rate) = throttle_rate
            && self.draws.random_bool(rate)
        {
            return Verdict::Throttle;
        }
        let internal = self.settings.internal_error_rate;
        if internal > 0.0 && self.draws.random_bool(internal) {
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
        let settings = FaultSettings {
            rate_limits: BTreeMap::from([("StartDataSourceRun".to_owned(), 5.0)]),
            ..FaultSettings::default()
        };
        let mut faults = Faults::new(settings, 0);
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
        let settings = FaultSettings {
            outage: Some(Outage {
                after_requests: 2,
                seconds: 10.0,
                answer: OutageAnswer::ThrottlingException,
            }),
            ..FaultSettings::default()
        };
        let mut faults = Faults::new(settings, 0);
        let at = |faults: &mut Faults, ms| faults.judge("GetDataSourceRun", ms);
        assert_eq!(at(&mut faults, 0), Verdict::Proceed);
        assert_eq!(at(&mut faults, 0), Verdict::Proceed);
        assert_eq!(
            at(&mut faults, 1_000),
            Verdict::Outage(OutageAnswer::ThrottlingException)
        );
        assert_eq!(
            at(&mut faults, 10_999),
            Verdict::Outage(OutageAnswer::ThrottlingException)
        );
        assert_eq!(at(&mut faults, 11_000), Verdict::Proceed);
    }

    #[test]
    fn internal_errors_are_reproducible_from_the_seed() {
        let draw = |seed| {
            let settings = FaultSettings {
                internal_error_rate: 0.3,
                ..FaultSettings::default()
            };
            let mut faults = Faults::new(settings, seed);
            (0..50)
                .map(|_| faults.judge("GetDataSourceRun", 0))
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert!(draw(7).contains(&Verdict::FailInternally));
    }

    #[test]
    fn throttling_jitter_and_dropped_events_are_drawn_reproducibly() {
        let settings = FaultSettings {
            throttle_rates: BTreeMap::from([("GetDataSourceRun".to_owned(), 0.5)]),
            latency: Duration::from_millis(5),
            latency_jitter: Duration::from_millis(10),
            drop_event_rate: 0.5,
            ..FaultSettings::default()
        };
        let draw = |seed| {
            let mut faults = Faults::new(settings.clone(), seed);
            let verdicts: Vec<Verdict> = (0..40)
                .map(|_| faults.judge("GetDataSourceRun", 0))
                .collect();
            let other = faults.judge("ListDataSourceRuns", 0);
            let latencies: Vec<Duration> = (0..40).map(|_| faults.latency()).collect();
            let drops: Vec<bool> = (0..40).map(|_| faults.drop_event()).collect();
            (verdicts, other, latencies, drops)
        };
        let (verdicts, other, latencies, drops) = draw(3);
        assert_eq!(
            draw(3),
            (verdicts.clone(), other, latencies.clone(), drops.clone())
        );
        assert!(verdicts.contains(&Verdict::Throttle) && verdicts.contains(&Verdict::Proceed));
        assert_eq!(other, Verdict::Proceed, "only the named operation");
        assert!(
            latencies
                .iter()
                .all(|latency| (5..=15).contains(&latency.as_millis()))
        );
        assert!(latencies.iter().any(|latency| *latency != latencies[0]));
        assert!(drops.contains(&true) && drops.contains(&false));
    }
}
