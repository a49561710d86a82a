//! A request as the operations read it: its path parameters (named as the
//! model names the members they carry), query string and body; and the
//! helpers every operation reads its input with.

use std::collections::HashMap;

use axum::body::Bytes;
use serde_json::{Map, Value, json};

use crate::api_error::{ApiError, ApiResult};
use crate::model;
use crate::pagination::paginate;

/// Query string parameters of one request.
pub type Query = std::collections::BTreeMap<String, String>;

#[derive(Debug, Default)]
pub struct Request {
    pub params: HashMap<String, String>,
    pub query: Query,
    pub body: Bytes,
}

impl Request {
    /// A path parameter; the route table guarantees the ones an operation reads.
    pub fn param(&self, name: &str) -> &str {
        self.params.get(name).map_or("", String::as_str)
    }

    /// The body as a JSON object (an empty body is an empty object).
    pub fn body(&self) -> ApiResult<Map<String, Value>> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Map::new());
        }
        match serde_json::from_slice(&self.body) {
            Ok(Value::Object(object)) => Ok(object),
            Ok(_) => Err(ApiError::validation("body", "must be a JSON object")),
            Err(error) => Err(ApiError::validation(
                "body",
                format!("is not valid JSON: {error}"),
            )),
        }
    }
}

/// The query string's parameters.
pub fn query(raw: Option<&str>) -> Query {
    form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

/// A query parameter restricted to an enum's documented values.
pub fn enum_param<'q>(
    query: &'q Query,
    field: &str,
    allowed: &[&str],
) -> ApiResult<Option<&'q str>> {
    let value = query.get(field).map(String::as_str);
    if let Some(value) = value {
        model::one_of(field, value, allowed)?;
    }
    Ok(value)
}

/// One page of a List operation's `items`, after the query's `nextToken`.
pub fn page(
    query: &Query,
    size: usize,
    scope: &str,
    items: impl Iterator<Item = (String, Value)>,
) -> ApiResult<Value> {
    let token = query.get("nextToken").map(String::as_str);
    let (items, next_token) = paginate(scope, token, size, items)?;
    let mut output = json!({ "items": items });
    if let Some(token) = next_token {
        output["nextToken"] = json!(token);
    }
    Ok(output)
}

pub fn optional_string(object: &Map<String, Value>, field: &str) -> ApiResult<Option<String>> {
    let key = field.rsplit('.').next().unwrap_or(field);
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(value)) => Ok(Some(value.clone())),
        Some(_) => Err(ApiError::validation(field, "must be a string")),
    }
}

pub fn required_string(object: &Map<String, Value>, field: &str) -> ApiResult<String> {
    optional_string(object, field)?.ok_or_else(|| ApiError::validation(field, "is required"))
}
