//! Time in the emulator: emulated time, which runs `--time-scale` times
//! faster than real time from the emulator's start, plus whatever a test
//! advanced the clock by. Every timestamp it hands out, the `Date` of every
//! answer and every rate limit are in emulated time, so a client that
//! measures a run's age against the answer's `Date` sees the emulated
//! seconds: a run scripted to take ten minutes finishes in one real second
//! at `--time-scale 600`, and is ten minutes old when it does.

use std::time::{SystemTime, UNIX_EPOCH};

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;

/// Milliseconds since the Unix epoch.
pub type Millis = i64;

fn real_now() -> Millis {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Millis::try_from(since_epoch.as_millis()).unwrap_or(Millis::MAX)
}

#[derive(Debug, Clone, Copy)]
pub struct Clock {
    time_scale: f64,
    /// Real time when the clock started: emulated and real time agree there.
    origin: Millis,
    /// How far the clock was advanced, in emulated milliseconds.
    advanced: Millis,
}

impl Clock {
    pub fn new(time_scale: f64) -> Self {
        Self {
            time_scale,
            origin: real_now(),
            advanced: 0,
        }
    }

    pub fn now(&self) -> Millis {
        let elapsed = (real_now() - self.origin) as f64 * self.time_scale;
        self.origin
            .saturating_add(elapsed as Millis)
            .saturating_add(self.advanced)
    }

    /// Moves the clock `emulated_seconds` forward, as if they had passed.
    pub fn advance(&mut self, emulated_seconds: f64) {
        self.advanced = self
            .advanced
            .saturating_add(millis(emulated_seconds.max(0.0)));
    }
}

/// Emulated milliseconds in `emulated_seconds`.
pub fn millis(emulated_seconds: f64) -> Millis {
    (emulated_seconds * 1000.0).round() as Millis
}

/// The `Date` header of an answer: an HTTP date (RFC 7231).
pub fn http_date(at: Millis) -> String {
    DateTime::from_millis(at)
        .fmt(Format::HttpDate)
        .unwrap_or_default()
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
