//! The one list of error names against what names them elsewhere: the
//! state machine's Retry and Catch, and README's table.

use std::collections::BTreeSet;

use datazone_runs::ErrorKind;
use serde_json::Value;

fn workspace_file(path: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// Every `(state, "Retry" | "Catch", names)` of the definition, Map item
/// processors included.
fn error_lists(states: &Value, found: &mut Vec<(String, &'static str, Vec<String>)>) {
    for (name, state) in states.as_object().expect("States is an object") {
        for field in ["Retry", "Catch"] {
            for rule in state[field].as_array().into_iter().flatten() {
                let names = rule["ErrorEquals"]
                    .as_array()
                    .expect("ErrorEquals")
                    .iter()
                    .map(|name| name.as_str().expect("a name").to_owned())
                    .collect();
                found.push((name.clone(), field, names));
            }
        }
        if let Some(inner) = state.get("ItemProcessor").or_else(|| state.get("Iterator")) {
            error_lists(&inner["States"], found);
        }
    }
}

/// Names the services and Step Functions define, not this project.
fn foreign(name: &str) -> bool {
    ["States.", "Lambda.", "SNS."]
        .iter()
        .any(|prefix| name.starts_with(prefix))
}

fn names(kinds: impl Iterator<Item = ErrorKind>) -> BTreeSet<String> {
    kinds.map(|kind| kind.name().to_owned()).collect()
}

#[test]
fn the_state_machine_retries_exactly_the_retryable_names_and_catches_the_others() {
    let all = names(ErrorKind::ALL.iter().copied());
    let retryable = names(ErrorKind::ALL.iter().copied().filter(|k| k.is_retryable()));
    let final_ones = names(ErrorKind::ALL.iter().copied().filter(|k| !k.is_retryable()));
    let mut checked = 0;
    for path in ["statemachine/ingestion.asl.json"] {
        let definition: Value = serde_json::from_str(&workspace_file(path)).expect("JSON");
        let mut lists = Vec::new();
        error_lists(&definition["States"], &mut lists);
        for (state, field, listed) in lists {
            let ours: BTreeSet<String> = listed.iter().filter(|n| !foreign(n)).cloned().collect();
            let unknown: Vec<_> = ours.difference(&all).collect();
            assert!(
                unknown.is_empty(),
                "{path} {state} {field}: {unknown:?} are no error names"
            );
            if ours.is_empty() {
                continue;
            }
            let expected = if field == "Retry" {
                &retryable
            } else {
                &final_ones
            };
            assert_eq!(&ours, expected, "{path} {state} {field}");
            checked += 1;
        }
    }
    assert!(
        checked >= 4,
        "the definition's task retries and catches were read"
    );
}

#[test]
fn readme_lists_every_name_in_order() {
    let readme = workspace_file("README.md");
    let section = readme
        .split("## Error names")
        .nth(1)
        .expect("README has an Error names section");
    let table: Vec<&str> = section
        .lines()
        .skip_while(|line| !line.starts_with("| name"))
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .filter_map(|line| line.split('`').nth(1))
        .collect();
    let expected: Vec<&str> = ErrorKind::ALL.iter().map(|kind| kind.name()).collect();
    assert_eq!(table, expected);
}
