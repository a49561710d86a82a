//! EventBridge events, as `aws_lambda_events` models their envelope: what
//! start-runs (scheduled events) and run-status (DataZone's events) both
//! read. Each reads its own `detail`.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use datazone_runs::Error;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::payload::parse;

/// Whether `object` is an EventBridge event rather than a direct input.
pub fn is_eventbridge_event(object: &Map<String, Value>) -> bool {
    object.contains_key("detail-type")
}

/// Reads an EventBridge event whose `detail` is a `T`. EventBridge's
/// envelope `version` is a string; a number is taken too. A mismatch names
/// its path in `InvalidInput`.
pub fn read_event<T: Serialize + DeserializeOwned>(
    mut object: Map<String, Value>,
) -> Result<EventBridgeEvent<T>, Error> {
    if let Some(Value::Number(number)) = object.get("version") {
        let version = Value::String(number.to_string());
        object.insert("version".to_owned(), version);
    }
    parse(Value::Object(object))
}
