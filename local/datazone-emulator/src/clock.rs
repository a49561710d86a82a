//! Time in the emulator. Timestamps are real (wall clock) plus whatever a
//! test advanced the clock by; scripted durations are emulated seconds
//! divided by the time scale, so a run scripted to take ten minutes
//! finishes in a second at `--time-scale 600`, or at once when the clock is
//! advanced ten minutes.

use std::time::{SystemTime, UNIX_EPOCH};

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;

/// Milliseconds since the Unix epoch.
pub type Millis = i64;

#[derive(Debug, Clone, Copy)]
pub struct Clock {
    time_scale: f64,
    /// How far the clock was advanced past real time.
    advanced: Millis,
}

impl Clock {
    pub fn new(time_scale: f64) -> Self {
        Self {
            time_scale,
            advanced: 0,
        }
    }

    pub fn now(&self) -> Millis {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Millis::try_from(since_epoch.as_millis())
            .unwrap_or(Millis::MAX)
            .saturating_add(self.advanced)
    }

    /// Moves the clock `emulated_seconds` forward, as if they had passed.
    pub fn advance(&mut self, emulated_seconds: f64) {
        self.advanced = self
            .advanced
            .saturating_add(self.scaled(emulated_seconds.max(0.0)));
    }

    /// Real milliseconds an emulated duration takes.
    pub fn scaled(&self, emulated_seconds: f64) -> Millis {
        (emulated_seconds * 1000.0 / self.time_scale).round() as Millis
    }
}

/// `DateTime` shapes: ISO-8601 with a zone, as the model's `iso8601` format says.
pub fn iso8601(at: Millis) -> String {
    DateTime::from_millis(at)
        .fmt(Format::DateTime)
        .unwrap_or_default()
}

/// Timestamp shapes without a format (`CreatedAt`): epoch seconds as a number.
pub fn epoch_seconds(at: Millis) -> serde_json::Value {
    serde_json::json!(at as f64 / 1000.0)
}
