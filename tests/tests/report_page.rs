//! A harvest's page in a real browser: headless Chromium from Debian's
//! packages loads the page a local-flow harvest wrote beside its record,
//! with no console message, and the DOM it renders holds the counts, a bar
//! per run and each failure.
//!
//! It needs Debian's chromium, so `cargo test` skips it; `scripts/test`
//! installs chromium and runs it (`--ignored`).

use std::process::Command;

use flow_tests::{instant_source, write_seed};
use local_flow::{ChainOptions, FlowRun, LocalChain, log_dir};
use serde_json::json;

#[test]
#[ignore = "needs Debian's chromium: scripts/test runs it"]
fn a_harvests_page_loads_in_chromium_and_shows_what_happened() {
    let seed = write_seed(
        "page",
        vec![
            instant_source("ds_ok", "SUCCESS", &[]),
            instant_source("ds_bad", "FAILED", &[]),
        ],
        json!({}),
    );
    let chain = LocalChain::start(
        &ChainOptions {
            seed,
            time_scale: 600.0,
            ..ChainOptions::default()
        }
        .parameter("GenerateMetadata", "false"),
    );
    let report = chain.run_flow(&FlowRun {
        input: json!({"dataSourceIds": ["ds_ok", "ds_bad"]}),
        ..FlowRun::named("page")
    });
    assert!(report.ran_to_the_end, "{}", report.report);
    let summary = report.summary();
    let page = summary["page"]
        .as_str()
        .expect("the summary names the page");
    assert!(page.ends_with("/page.html"), "{page}");
    let file = log_dir().join("page.html");
    std::fs::write(&file, chain.s3_bytes(page)).unwrap();
    let output = Command::new("chromium")
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
        ])
        .arg(format!("file://{}", file.display()))
        .output()
        .expect("chromium runs (scripts/test installs it)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(
        !log.contains(":CONSOLE"),
        "the page wrote to the console: {log}"
    );
    let dom = String::from_utf8_lossy(&output.stdout);
    assert!(
        dom.contains("<p id=\"sources\">2 data sources: 1 SUCCEEDED, 1 FAILED</p>"),
        "{dom}"
    );
    assert_eq!(dom.matches("<rect ").count(), 2, "a bar per run: {dom}");
    assert!(dom.contains("<td>ds_bad</td><td>FAILED</td>"), "{dom}");
}
