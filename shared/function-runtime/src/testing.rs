//! Inputs for the functions' tests (feature `test-support`).

use std::path::PathBuf;

use datazone_runs::Error;

use crate::payload::Payload;

/// The sample events of `function` (`events/<function>/*.json` at the
/// workspace root), as (file name, payload), sorted.
pub fn sample_events(function: &str) -> Vec<(String, Payload)> {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../events")
        .join(function);
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .unwrap_or_else(|error| panic!("{}: {error}", folder.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no sample events in {}",
        folder.display()
    );
    files
        .into_iter()
        .map(|path| {
            let name = path
                .file_name()
                .expect("a file name")
                .to_string_lossy()
                .into_owned();
            let bytes = std::fs::read(&path).expect("a readable sample");
            (name, Payload::from_slice(&bytes))
        })
        .collect()
}

/// A payload a function must refuse with `InvalidInput`, and the field its
/// error must name: the check the case is written for, which the payload
/// must reach.
#[derive(Debug, Clone)]
pub struct BadPayload {
    pub payload: Payload,
    pub field: &'static str,
}

impl BadPayload {
    /// `value`, refused by the check of `field`.
    pub fn json(value: serde_json::Value, field: &'static str) -> Self {
        Self {
            payload: Payload::Json(value),
            field,
        }
    }

    /// Panics unless `error` is this case's refusal: `InvalidInput` naming
    /// its field.
    pub fn assert_refused(&self, error: &Error) {
        match error {
            Error::InvalidInput { field, .. } => assert_eq!(
                field, self.field,
                "{:?} was refused by another check: {error}",
                self.payload
            ),
            other => panic!(
                "{:?} was not refused as InvalidInput: {other}",
                self.payload
            ),
        }
    }
}

/// Payloads no function can read, whatever it is asked: not JSON, or not
/// a JSON object. Every function refuses them naming the payload.
pub fn bad_payloads() -> Vec<BadPayload> {
    [
        &b""[..],
        b"not json",
        b"{",
        b"null",
        b"[]",
        b"42",
        b"\"text\"",
    ]
    .into_iter()
    .map(|bytes| BadPayload {
        payload: Payload::from_slice(bytes),
        field: "payload",
    })
    .collect()
}
