//! What a follow round is given, and the wait it learns as it goes.

use std::time::Duration;

use crate::model::metadata_run::MetadataGenerationType;
use crate::model::predictions::PredictionsRule;
use crate::usecase::pace::{Budget, Pacer};
use crate::usecase::polling::PollingPolicy;

/// Metadata generation for what successful runs imported.
#[derive(Debug)]
pub struct MetadataSettings<'a> {
    pub types: &'a [MetadataGenerationType],
    /// Paces StartMetadataGenerationRun calls.
    pub pacer: &'a Pacer,
    /// The rule for what a generation suggests (`None`: left as suggestions).
    pub predictions: Option<PredictionsSettings<'a>>,
}

/// Accepting (and rejecting) what metadata generation suggested.
#[derive(Debug)]
pub struct PredictionsSettings<'a> {
    pub rule: PredictionsRule,
    /// Paces AcceptPredictions and RejectPredictions calls.
    pub pacer: &'a Pacer,
    /// How long a call failing with a retryable error is retried.
    pub retry_deadline: Duration,
}

/// How one follow round goes.
#[derive(Debug)]
pub struct FollowRound<'a> {
    pub polling: &'a PollingPolicy,
    /// Checks of one run before it is given up on.
    pub max_polls: u32,
    pub concurrency: usize,
    pub budget: Budget,
    /// Time one call may take, at most.
    pub call_allowance: Duration,
    /// `None`: no metadata generation.
    pub metadata: Option<MetadataSettings<'a>>,
    /// Which runs this round checks.
    pub checks: Checks,
}

/// Which runs a round checks, and the wait a run still going calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checks {
    /// Every run still going, each calling for the wait its age calls for:
    /// the harvest learns of an end only by checking.
    EveryRound,
    /// DataZone's events record the ends (run-status); checks are the
    /// safety net for an event lost or never sent: every run still going is
    /// checked only when `due` (the harvest's wait ran out without an
    /// event), and each calls for the longest wait.
    SafetyNet { due: bool },
}

impl Checks {
    /// Whether this round checks the runs still going.
    pub(super) fn now(self) -> bool {
        !matches!(self, Self::SafetyNet { due: false })
    }

    /// The wait a run still going calls for, of the `age_wait` its age calls for.
    pub(super) fn wait(self, polling: &PollingPolicy, age_wait: u64) -> u64 {
        match self {
            Self::EveryRound => age_wait,
            Self::SafetyNet { .. } => polling.max_wait_seconds,
        }
    }
}

/// The next wait, as the round learns what it calls for.
pub(super) struct NextWait(pub(super) Option<u64>);

impl NextWait {
    pub(super) fn at_most(&mut self, seconds: u64) {
        self.0 = Some(self.0.map_or(seconds, |wait| wait.min(seconds)));
    }
}
