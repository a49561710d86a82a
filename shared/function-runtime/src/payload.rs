//! The raw invocation payload, and typed reading of it.
//!
//! The Lambda runtime rejects a payload that does not deserialize into the
//! handler's input type with its own error, named after a Rust type. The
//! payload type here accepts anything, so that every bad input reaches the
//! handler and gets this project's `InvalidInput` error instead.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use datazone_runs::Error;

#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    Json(Value),
    /// The payload was empty or not JSON; the parser's complaint.
    NotJson(String),
}

impl<'de> Deserialize<'de> for Payload {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Value::deserialize(deserializer) {
            Ok(value) => Self::Json(value),
            Err(error) => Self::NotJson(error.to_string()),
        })
    }
}

impl Payload {
    /// Reads `bytes` the way the Lambda runtime reads an invocation body.
    pub fn from_slice(bytes: &[u8]) -> Self {
        let mut deserializer = serde_json::Deserializer::from_slice(bytes);
        Self::deserialize(&mut deserializer)
            .unwrap_or_else(|error| Self::NotJson(error.to_string()))
    }

    /// The payload as a JSON object, or `InvalidInput`.
    pub fn into_object(self) -> Result<serde_json::Map<String, Value>, Error> {
        match self {
            Self::Json(Value::Object(map)) => Ok(map),
            Self::Json(other) => Err(Error::invalid_input(
                "payload",
                format!("must be a JSON object, got {}", json_kind(&other)),
            )),
            Self::NotJson(reason) => Err(Error::invalid_input(
                "payload",
                format!("is not JSON ({reason})"),
            )),
        }
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Reads `value` as `T`; a mismatch names the offending path in
/// `InvalidInput`, and a missing field names the field itself.
pub fn parse<T: DeserializeOwned>(value: Value) -> Result<T, Error> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let reason = error.into_inner().to_string();
        let missing = reason
            .strip_prefix("missing field `")
            .and_then(|rest| rest.strip_suffix('`'));
        let field = match (path.as_str(), missing) {
            (".", Some(name)) => name.to_owned(),
            (".", None) => "payload".to_owned(),
            (_, Some(name)) => format!("{path}.{name}"),
            (_, None) => path,
        };
        Error::invalid_input(&field, reason)
    })
}

/// The longest execution or trigger id an input may name (Step Functions
/// execution ARNs stay well below).
pub const MAX_EXECUTION_ID_LEN: usize = 2048;

/// `id`, an execution or trigger id named in `field`, unless it is empty
/// or longer than [`MAX_EXECUTION_ID_LEN`].
pub fn checked_execution_id(field: &str, id: String) -> Result<String, Error> {
    if id.is_empty() || id.len() > MAX_EXECUTION_ID_LEN {
        return Err(Error::invalid_input(
            field,
            format!("must be 1 to {MAX_EXECUTION_ID_LEN} characters"),
        ));
    }
    Ok(id)
}

/// The domain an input names in `domainId`, else the one configured
/// (`DATAZONE_DOMAIN_ID`); `InvalidInput` naming `domainId` when neither is.
pub fn domain_or_configured(
    input: Option<String>,
    configured: Option<&datazone_runs::model::ids::DomainId>,
) -> Result<datazone_runs::model::ids::DomainId, Error> {
    input
        .map(|domain| datazone_runs::model::ids::DomainId::parse("domainId", domain))
        .transpose()?
        .or_else(|| configured.cloned())
        .ok_or_else(|| {
            Error::invalid_input(
                "domainId",
                "required: in the input or in DATAZONE_DOMAIN_ID",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anything_deserializes_and_non_json_is_reported_as_invalid_input() {
        for bytes in [&b""[..], b"not json", b"{", b"\xff\xfe"] {
            let payload = Payload::from_slice(bytes);
            assert!(matches!(payload, Payload::NotJson(_)), "{bytes:?}");
            assert_eq!(payload.into_object().unwrap_err().name(), "InvalidInput");
        }
    }

    #[test]
    fn only_objects_are_inputs() {
        for bytes in [&b"null"[..], b"[]", b"42", b"\"x\"", b"true"] {
            let error = Payload::from_slice(bytes).into_object().unwrap_err();
            assert!(
                error.to_string().contains("must be a JSON object"),
                "{error}"
            );
        }
        assert!(Payload::from_slice(b"{\"a\":1}").into_object().is_ok());
    }

    #[test]
    fn type_mismatches_name_the_field() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Input {
            ids: Vec<String>,
        }
        let error = parse::<Input>(serde_json::json!({"ids": [1]})).unwrap_err();
        assert_eq!(error.name(), "InvalidInput");
        assert!(error.to_string().contains("ids[0]"), "{error}");
    }
}
