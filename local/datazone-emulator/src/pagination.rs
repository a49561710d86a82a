//! Opaque, stable pagination shared by every List operation.
//!
//! A token names the listing it belongs to (operation and filters) and the
//! key of the last item handed out; the next page starts after that item.
//! New runs arrive at the head of newest-first listings, so keys, not
//! offsets, keep pages from repeating or skipping items.

use aws_smithy_types::base64;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api_error::{ApiError, ApiResult};
use crate::model;

/// Page size when a request gives no `maxResults`.
pub const DEFAULT_PAGE_SIZE: usize = 50;

#[derive(Serialize, Deserialize)]
struct Cursor {
    scope: String,
    after: String,
}

/// `maxResults` from a query, within the operation's bounds.
pub fn page_size(value: Option<&str>, max: i64) -> ApiResult<usize> {
    match value {
        None => Ok(DEFAULT_PAGE_SIZE.min(max as usize)),
        Some(value) => Ok(model::integer("maxResults", value, 1, max)? as usize),
    }
}

/// One page of `items` (key, item), in their order, after the token's item.
pub fn paginate(
    scope: &str,
    token: Option<&str>,
    page_size: usize,
    items: impl Iterator<Item = (String, Value)>,
) -> ApiResult<(Vec<Value>, Option<String>)> {
    let mut items = items.peekable();
    if let Some(token) = token {
        model::length("nextToken", token, 1, 8192)?;
        let after = decode(scope, token)?;
        loop {
            match items.next() {
                Some((key, _)) if key == after => break,
                Some(_) => {}
                None => {
                    return Err(ApiError::validation(
                        "nextToken",
                        "points past the end of the listing",
                    ));
                }
            }
        }
    }
    let mut page = Vec::with_capacity(page_size);
    let mut last_key = None;
    while page.len() < page_size {
        let Some((key, item)) = items.next() else {
            break;
        };
        page.push(item);
        last_key = Some(key);
    }
    let next_token = match (items.peek(), last_key) {
        (Some(_), Some(after)) => Some(encode(scope, after)),
        _ => None,
    };
    Ok((page, next_token))
}

fn encode(scope: &str, after: String) -> String {
    let cursor = Cursor {
        scope: scope.to_owned(),
        after,
    };
    base64::encode(serde_json::to_vec(&cursor).unwrap_or_default())
}

fn decode(scope: &str, token: &str) -> ApiResult<String> {
    let invalid = || ApiError::validation("nextToken", "is not a valid pagination token");
    let bytes = base64::decode(token).map_err(|_| invalid())?;
    let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if cursor.scope != scope {
        return Err(ApiError::validation(
            "nextToken",
            "was issued for another listing (operation or filters differ)",
        ));
    }
    Ok(cursor.after)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn numbers(n: usize) -> impl Iterator<Item = (String, Value)> {
        (0..n).map(|i| (i.to_string(), json!(i)))
    }

    #[test]
    fn walks_every_item_once() {
        let (first, token) = paginate("s", None, 2, numbers(5)).unwrap();
        assert_eq!(first, vec![json!(0), json!(1)]);
        let (second, token) = paginate("s", token.as_deref(), 2, numbers(5)).unwrap();
        assert_eq!(second, vec![json!(2), json!(3)]);
        let (third, token) = paginate("s", token.as_deref(), 2, numbers(5)).unwrap();
        assert_eq!(third, vec![json!(4)]);
        assert!(token.is_none());
    }

    #[test]
    fn an_exact_last_page_has_no_token() {
        let (page, token) = paginate("s", None, 5, numbers(5)).unwrap();
        assert_eq!(page.len(), 5);
        assert!(token.is_none());
    }

    #[test]
    fn bad_and_foreign_tokens_are_validation_errors() {
        let (_, token) = paginate("a", None, 1, numbers(3)).unwrap();
        let foreign = paginate("b", token.as_deref(), 1, numbers(3)).unwrap_err();
        assert!(foreign.message.contains("another listing"));
        for bad in ["", "!!!", "bm90IGpzb24="] {
            assert_eq!(
                paginate("a", Some(bad), 1, numbers(3)).unwrap_err().shape,
                crate::api_error::ErrorShape::Validation
            );
        }
    }
}
