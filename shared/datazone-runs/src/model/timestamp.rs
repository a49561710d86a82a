//! Points in time as the functions report them: ISO-8601 in UTC.

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Milliseconds since the Unix epoch, written out as ISO-8601 (`…Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(i64);

impl Timestamp {
    pub fn from_epoch_millis(millis: i64) -> Self {
        Self(millis)
    }

    pub fn now() -> Self {
        let since_epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Self(i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX))
    }

    pub fn epoch_millis(self) -> i64 {
        self.0
    }

    /// Whole seconds from `self` to `later`; negative when `later` is earlier.
    pub fn seconds_until(self, later: Timestamp) -> i64 {
        (later.0 - self.0).div_euclid(1000)
    }

    pub fn to_iso8601(self) -> String {
        DateTime::from_millis(self.0)
            .fmt(Format::DateTime)
            .unwrap_or_else(|_| self.0.to_string())
    }
}

impl From<&DateTime> for Timestamp {
    fn from(value: &DateTime) -> Self {
        let millis = value
            .secs()
            .saturating_mul(1000)
            .saturating_add(i64::from(value.subsec_nanos() / 1_000_000));
        Self(millis)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_iso8601())
    }
}

/// Reads back what [`Serialize`] wrote: ISO-8601 with a zone.
impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let time = DateTime::from_str(&text, Format::DateTime).map_err(serde::de::Error::custom)?;
        Ok(Self::from(&time))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_iso8601_utc() {
        let t = Timestamp::from_epoch_millis(1_700_000_000_123);
        assert_eq!(t.to_iso8601(), "2023-11-14T22:13:20.123Z");
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2023-11-14T22:13:20.123Z\""
        );
    }

    #[test]
    fn reads_back_what_it_writes() {
        let t = Timestamp::from_epoch_millis(1_700_000_000_123);
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), t);
        assert!(serde_json::from_str::<Timestamp>("\"yesterday\"").is_err());
    }

    #[test]
    fn converts_from_sdk_time() {
        let t = Timestamp::from(&DateTime::from_secs(1_700_000_000));
        assert_eq!(t.epoch_millis(), 1_700_000_000_000);
        assert_eq!(
            t.seconds_until(Timestamp::from_epoch_millis(1_700_000_090_999)),
            90
        );
    }
}
