//! IAM condition blocks: the String operators on the keys the emulator
//! fills in from a request; anything else is refused when read.

use serde_json::Value;

use super::wildcard::glob;

/// Condition keys the emulator can fill in from a request.
pub const CONDITION_KEYS: &[&str] = &["aws:RequestedRegion", "aws:PrincipalArn"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// The String condition operators.
pub enum Operator {
    Equals,
    NotEquals,
    Like,
    NotLike,
}

impl Operator {
    fn parse(name: &str) -> Result<Self, String> {
        Ok(match name {
            "StringEquals" => Self::Equals,
            "StringNotEquals" => Self::NotEquals,
            "StringLike" => Self::Like,
            "StringNotLike" => Self::NotLike,
            other => {
                return Err(format!(
                    "condition operator {other:?} is not one the emulator evaluates \
                     (StringEquals, StringNotEquals, StringLike, StringNotLike)"
                ));
            }
        })
    }

    /// Whether `actual` satisfies the operator for any of `expected`.
    pub fn holds(self, actual: Option<&str>, expected: &[String]) -> bool {
        let Some(actual) = actual else {
            // A key missing from the request satisfies only the negated operators.
            return matches!(self, Self::NotEquals | Self::NotLike);
        };
        match self {
            Self::Equals => expected.iter().any(|value| value == actual),
            Self::NotEquals => expected.iter().all(|value| value != actual),
            Self::Like => expected.iter().any(|pattern| glob(pattern, actual)),
            Self::NotLike => expected.iter().all(|pattern| !glob(pattern, actual)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub operator: Operator,
    pub key: String,
    pub values: Vec<String>,
}

pub fn conditions(block: serde_json::Map<String, Value>) -> Result<Vec<Condition>, String> {
    let mut conditions = Vec::new();
    for (operator, keys) in block {
        let operator = Operator::parse(&operator)?;
        let Value::Object(keys) = keys else {
            return Err("a Condition operator must map keys to values".into());
        };
        for (key, values) in keys {
            if !CONDITION_KEYS.contains(&key.as_str()) {
                return Err(format!(
                    "condition key {key:?} is not one the emulator fills in ({})",
                    CONDITION_KEYS.join(", ")
                ));
            }
            let values = match values {
                Value::String(value) => vec![value],
                Value::Array(values) => values
                    .into_iter()
                    .map(|value| match value {
                        Value::String(value) => Ok(value),
                        _ => Err(format!("condition values of {key:?} must be strings")),
                    })
                    .collect::<Result<_, _>>()?,
                _ => return Err(format!("condition values of {key:?} must be strings")),
            };
            conditions.push(Condition {
                operator,
                key,
                values,
            });
        }
    }
    Ok(conditions)
}
