//! Inputs for the functions' tests (feature `test-support`).

use std::path::PathBuf;

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

/// Payloads every function must refuse with `InvalidInput`.
pub fn bad_payloads() -> Vec<Payload> {
    [
        &b""[..],
        b"not json",
        b"{",
        b"null",
        b"[]",
        b"42",
        b"\"text\"",
        b"{}",
        b"{\"domainId\": 5, \"runId\": true}",
        b"{\"domainId\": \"dzd_sales2026\"}",
        b"{\"domainId\": \"dzd_sales2026\", \"runId\": \"bad id!\"}",
        b"{\"domainId\": \"sales\", \"runId\": \"r1\", \"dataSourceIds\": [\"ds\"], \"executionId\": \"x\"}",
        b"{\"detail-type\": \"Scheduled Event\"}",
        b"{\"detail-type\": \"Data Source Run Succeeded\", \"source\": \"aws.datazone\", \"detail\": {}}",
        b"{\"detail-type\": 7, \"source\": \"aws.datazone\", \"detail\": {\"metadata\": {\"id\": \"r\", \"domain\": \"dzd_a\"}}}",
    ]
    .into_iter()
    .map(Payload::from_slice)
    .collect()
}
