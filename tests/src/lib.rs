//! What the end-to-end tests share: the sample events, test seeds, and
//! template copies.

pub mod samples;

use std::path::PathBuf;

/// The sample event files of `function`, sorted.
pub fn sample_event_files(function: &str) -> Vec<PathBuf> {
    let folder = local_flow::workspace().join("events").join(function);
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .unwrap_or_else(|error| panic!("{}: {error}", folder.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    files.sort();
    files
}

/// A data source whose runs finish the moment they start: the first status
/// check sees the outcome, whatever the machine's speed.
pub fn instant_source(id: &str, outcome: &str, assets: &[&str]) -> serde_json::Value {
    let mut source = source(id, outcome, 0, assets);
    source["runs"][0]["requestedSeconds"] = serde_json::json!(0);
    source
}

/// A data source of a test seed: its id, how its runs go, what they import.
pub fn source(id: &str, outcome: &str, running_seconds: u64, assets: &[&str]) -> serde_json::Value {
    let assets: Vec<_> = assets
        .iter()
        .map(|asset| serde_json::json!({"database": "db", "technicalName": asset, "status": "SUCCEEDED_CREATED", "assetId": asset}))
        .collect();
    let mut script = serde_json::json!({
        "outcome": outcome, "requestedSeconds": 5, "runningSeconds": running_seconds,
        "assetStatistics": {"added": assets.len(), "updated": 0, "unchanged": 1},
        "assets": assets,
    });
    if outcome != "SUCCESS" {
        script["error"] = serde_json::json!({"errorType": "ACCESS_DENIED_EXCEPTION", "errorDetail": format!("{id} could not read everything")});
        script["assetStatistics"]["failed"] = serde_json::json!(1);
    }
    serde_json::json!({"id": id, "name": id, "projectId": "prj_salesdata", "runs": [script]})
}

/// Writes a seed of the sample domain with `sources` and `metadata` (the
/// seed's `metadataGeneration`) under target/, and returns its path.
pub fn write_seed(
    name: &str,
    sources: Vec<serde_json::Value>,
    metadata: serde_json::Value,
) -> PathBuf {
    let seed = serde_json::json!({"domains": [{
        "id": local_flow::SAMPLE_DOMAIN, "name": "Test domain",
        "projects": [{"id": "prj_salesdata", "name": "Sales data"}],
        "dataSources": sources,
        "metadataGeneration": metadata,
    }]});
    let folder = local_flow::log_dir().join("seeds");
    std::fs::create_dir_all(&folder).expect("a seed folder under target/");
    let path = folder.join(format!("{}-{name}.json", std::process::id()));
    std::fs::write(&path, seed.to_string()).expect("seed written");
    path
}

/// template.yaml with `from` replaced by `to` (once), written under target/.
pub fn template_copy(name: &str, from: &str, to: &str) -> PathBuf {
    let template = std::fs::read_to_string(local_flow::workspace().join("template.yaml"))
        .expect("template.yaml");
    let changed = template.replacen(from, to, 1);
    assert_ne!(changed, template, "{from:?} is in template.yaml");
    let folder = local_flow::log_dir().join("templates");
    std::fs::create_dir_all(&folder).expect("a template folder under target/");
    let path = folder.join(format!("{}-{name}.yaml", std::process::id()));
    std::fs::write(&path, changed).expect("template written");
    path
}
