//! `dzrun` as a user runs it: the binary, against the emulator on the
//! sample seed (one source succeeds, one partly succeeds, one fails).

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use clap::Parser;
use datazone_local::{Emulator, Options};
use serde_json::{Value, json};

const DOMAIN: &str = "dzd_sales2026";

/// The emulator on the sample seed (or `seed`), with `args`.
async fn emulator(args: &[&str], seed: Option<Value>) -> Emulator {
    let mut argv: Vec<String> = ["datazone-local", "--listen", "127.0.0.1:0"]
        .iter()
        .chain(args)
        .map(|arg| arg.to_string())
        .collect();
    if let Some(seed) = seed {
        let path = std::env::temp_dir().join(format!(
            "dzrun-test-{}-{}.json",
            std::process::id(),
            argv.len() + seed.to_string().len()
        ));
        std::fs::write(&path, seed.to_string()).unwrap();
        argv.push("--seed".into());
        argv.push(path.display().to_string());
    }
    datazone_local::start(&Options::parse_from(argv))
        .await
        .unwrap()
}

/// `dzrun` with `args`, as the sample's administrator (or `access_key`),
/// checks every second.
fn dzrun_command(emulator: &Emulator, access_key: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dzrun"));
    command
        .args(args)
        .env("AWS_ENDPOINT_URL_DATAZONE", emulator.endpoint())
        .env("AWS_ACCESS_KEY_ID", access_key)
        .env("AWS_SECRET_ACCESS_KEY", "local")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("POLL_MIN_WAIT_SECONDS", "1")
        .env("POLL_MAX_WAIT_SECONDS", "1");
    command
}

async fn dzrun_as(emulator: &Emulator, access_key: &str, args: &[&str]) -> Output {
    let mut command = dzrun_command(emulator, access_key, args);
    tokio::task::spawn_blocking(move || command.output().expect("dzrun runs"))
        .await
        .unwrap()
}

async fn dzrun(emulator: &Emulator, args: &[&str]) -> Output {
    dzrun_as(emulator, "AKIDLOCALADMIN", args).await
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("an exit code")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn json_of(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}", stdout(output)))
}

fn calls(emulator: &Emulator, operation: &str, status: u16) -> u64 {
    emulator.counters()["operations"][operation]["byStatus"][status.to_string()]
        .as_u64()
        .unwrap_or(0)
}

fn start_args<'a>(source: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["start", "--domain", DOMAIN, "--source", source];
    args.extend(extra);
    args
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_codes_say_how_the_runs_went() {
    let emulator = emulator(&["--time-scale", "600"], None).await;
    for (source, extra, expected) in [
        ("ds_orders", &[][..], 0),
        ("ds_finance", &[], 1),
        ("ds_clickstream", &[], 2),
        ("ds_clickstream", &["--allow-partial"], 0),
    ] {
        let mut args = start_args(source, &["--wait"]);
        args.extend(extra);
        let output = dzrun(&emulator, &args).await;
        assert_eq!(code(&output), expected, "{args:?}: {}", stdout(&output));
    }
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_metadata_generation_is_a_warning_that_strict_makes_fail() {
    // ds_orders succeeds; of the three assets it created or updated, the
    // sample seed fails the generation for ast_customers.
    let emulator = emulator(&["--time-scale", "600"], None).await;
    let generate = ["--wait", "--generate-metadata", "BUSINESS_DESCRIPTIONS"];
    let output = dzrun(&emulator, &start_args("ds_orders", &generate)).await;
    let text = stdout(&output);
    assert_eq!(code(&output), 0, "a warning alone: {text}");
    assert!(text.contains("1 data sources: 1 SUCCEEDED"), "{text}");
    assert!(
        text.contains("metadata generation, 3 assets: 2 SUCCEEDED, 1 FAILED"),
        "{text}"
    );
    assert!(
        text.contains("ds_orders asset ast_customers (customers) FAILED"),
        "{text}"
    );
    let strict = [&generate[..], &["--strict"]].concat();
    let output = dzrun(&emulator, &start_args("ds_orders", &strict)).await;
    assert_eq!(code(&output), 6, "--strict: {}", stdout(&output));
    // Without warnings, --strict changes nothing.
    let output = dzrun(&emulator, &start_args("ds_orders", &["--wait", "--strict"])).await;
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn json_output_is_one_document_with_every_source() {
    let emulator = emulator(&["--time-scale", "600"], None).await;
    let output = dzrun(
        &emulator,
        &[
            "start",
            "--domain",
            DOMAIN,
            "--all",
            "--wait",
            "--output",
            "json",
            "--generate-metadata",
            "BUSINESS_DESCRIPTIONS",
        ],
    )
    .await;
    assert_eq!(code(&output), 1, "one source fails");
    let document = json_of(&output);
    assert_eq!(document["exitCode"], 1);
    assert_eq!(document["ending"], "done");
    let outcomes: Vec<(Value, Value)> = document["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|source| (source["dataSourceId"].clone(), source["outcome"].clone()))
        .collect();
    assert_eq!(
        outcomes,
        [
            (json!("ds_orders"), json!("SUCCEEDED")),
            (json!("ds_clickstream"), json!("PARTIALLY_SUCCEEDED")),
            (json!("ds_finance"), json!("FAILED"))
        ]
    );
    assert_eq!(
        document["sources"][0]["metadata"].as_array().unwrap().len(),
        3
    );
    assert_eq!(
        document["summary"]["failures"][0]["dataSourceId"],
        "ds_finance"
    );
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn report_page_writes_the_harvests_page_and_a_page_it_cannot_write_exits_4() {
    let emulator = emulator(&["--time-scale", "600"], None).await;
    let file = std::env::temp_dir().join(format!("dzrun-page-{}.html", std::process::id()));
    let page_arg = file.display().to_string();
    let output = dzrun(
        &emulator,
        &start_args(
            "ds_finance",
            &[
                "--wait",
                "--trigger-id",
                "nightly-page",
                "--report-page",
                &page_arg,
            ],
        ),
    )
    .await;
    assert_eq!(code(&output), 1, "the source fails: {}", stdout(&output));
    assert!(
        stdout(&output).contains(&format!("page: {page_arg}")),
        "{}",
        stdout(&output)
    );
    let page = std::fs::read_to_string(&file).expect("the page is written");
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(page.contains("DataZone harvest nightly-page in dzd_sales2026"));
    assert!(
        page.contains("<p id=\"sources\">1 data sources: 1 FAILED</p>"),
        "{page}"
    );
    assert_eq!(page.matches("<rect ").count(), 1, "a bar for the run");
    std::fs::remove_file(&file).unwrap();
    // A page it cannot write: the summary still shows how the runs went.
    let nowhere = std::env::temp_dir().join("no-such-directory/page.html");
    let output = dzrun(
        &emulator,
        &start_args(
            "ds_orders",
            &["--wait", "--report-page", &nowhere.display().to_string()],
        ),
    )
    .await;
    assert_eq!(code(&output), 4, "{}", stdout(&output));
    assert!(stdout(&output).contains("1 data sources: 1 SUCCEEDED"));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("dzrun: InvalidInput: --report-page"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn accept_predictions_accepts_exactly_those_at_or_above_the_threshold() {
    // ds_orders imports three assets; the sample seed fails the generation
    // for ast_customers, which so has nothing to accept.
    let emulator = emulator(&["--time-scale", "600"], None).await;
    let output = dzrun(
        &emulator,
        &start_args(
            "ds_orders",
            &[
                "--wait",
                "--generate-metadata",
                "BUSINESS_DESCRIPTIONS",
                "--accept-predictions",
                "0.8",
            ],
        ),
    )
    .await;
    let text = stdout(&output);
    assert_eq!(code(&output), 0, "{text}");
    assert!(
        text.contains("generated metadata, by --accept-predictions: 2 ACCEPTED"),
        "{text}"
    );
    let assets = emulator.predictions();
    let assets = assets.as_array().unwrap();
    assert_eq!(assets.len(), 2, "{assets:?}");
    let mut accepted = 0;
    for asset in assets {
        for prediction in asset["predictions"].as_array().unwrap() {
            let above = prediction["confidence"].as_f64().unwrap() >= 0.8;
            let expected = if above { "ACCEPTED" } else { "SUGGESTED" };
            assert_eq!(prediction["decision"], expected, "{asset}");
            accepted += usize::from(above);
        }
    }
    assert!(
        accepted > 0,
        "the seed has predictions above 0.8: {assets:?}"
    );
    assert_eq!(calls(&emulator, "AcceptPredictions", 200), 2);
    assert_eq!(
        calls(&emulator, "RejectPredictions", 200),
        0,
        "not asked to"
    );
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_timeout_stops_waiting_and_names_the_runs_that_go_on() {
    // Real time: the runs last minutes.
    let emulator = emulator(&[], None).await;
    let output = dzrun(
        &emulator,
        &start_args("ds_orders", &["--wait", "--timeout", "2s"]),
    )
    .await;
    assert_eq!(code(&output), 3, "{}", stdout(&output));
    let text = stdout(&output);
    assert!(text.contains("timed out; the runs go on:"), "{text}");
    assert!(text.contains("ds_orders run "), "{text}");
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_stops_waiting_not_the_runs() {
    let emulator = emulator(&[], None).await;
    let mut command = dzrun_command(
        &emulator,
        "AKIDLOCALADMIN",
        &start_args("ds_orders", &["--wait"]),
    );
    let child = command
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Once the run is started, dzrun is waiting on it.
    let deadline = Instant::now() + Duration::from_secs(20);
    while calls(&emulator, "StartDataSourceRun", 200) == 0 {
        assert!(Instant::now() < deadline, "dzrun did not start the run");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let signal = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(signal.success());
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert_eq!(code(&output), 130);
    assert!(stdout(&output).contains("stopped waiting (Ctrl-C); the runs go on:"));
    assert_eq!(calls(&emulator, "StartDataSourceRun", 200), 1);
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_exits_4_before_any_call() {
    let emulator = emulator(&[], None).await;
    for args in [
        vec!["start", "--domain", "nope", "--source", "ds_orders"],
        vec!["start", "--domain", DOMAIN, "--source", "not an id"],
        vec!["start", "--domain", DOMAIN],
        vec![
            "start",
            "--domain",
            DOMAIN,
            "--source",
            "ds_orders",
            "--type",
            "GLUE",
        ],
        vec![
            "runs",
            "--domain",
            DOMAIN,
            "--source",
            "ds_orders",
            "--page-size",
            "51",
        ],
        vec![
            "runs",
            "--domain",
            DOMAIN,
            "--source",
            "ds_orders",
            "--status",
            "DONE",
        ],
        vec!["status", "--domain", DOMAIN, "--run", "a/b"],
    ] {
        let output = dzrun(&emulator, &args).await;
        assert_eq!(
            code(&output),
            4,
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert_eq!(emulator.counters()["operations"], json!({}), "no call");
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_denied_start_exits_5_naming_the_permission() {
    let mut seed: Value = serde_json::from_str(datazone_local::SAMPLE_SEED).unwrap();
    seed["principals"].as_array_mut().unwrap().push(json!({
        "accessKeyId": "AKIDREADER",
        "arn": "arn:aws:iam::123456789012:user/reader",
        "policy": {"Statement": [{"Effect": "Allow", "Action": ["datazone:Get*", "datazone:List*"], "Resource": "*"}]},
        "memberships": [{"projectId": "prj_salesdata", "designation": "PROJECT_CATALOG_VIEWER"}]
    }));
    let emulator = emulator(&[], Some(seed)).await;
    let output = dzrun_as(&emulator, "AKIDREADER", &start_args("ds_orders", &[])).await;
    assert_eq!(code(&output), 5, "{}", stdout(&output));
    assert!(
        stdout(&output).contains("is not authorized to perform: datazone:StartDataSourceRun"),
        "{}",
        stdout(&output)
    );
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn one_trigger_starts_each_source_once_across_invocations() {
    let emulator = emulator(&[], None).await;
    let run_of = |output: &Output| json_of(output)["sources"][0]["runId"].clone();
    let args = start_args(
        "ds_orders",
        &["--trigger-id", "release-42", "--output", "json"],
    );
    let first = dzrun(&emulator, &args).await;
    let second = dzrun(&emulator, &args).await;
    assert_eq!((code(&first), code(&second)), (0, 0));
    // The same trigger's client token answers the same run.
    assert_eq!(run_of(&first), run_of(&second));
    assert_eq!(json_of(&second)["sources"][0]["startedAs"], "started");
    assert_eq!(
        calls(&emulator, "ListDataSourceRuns", 200),
        0,
        "nothing listed: no start was refused"
    );
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn throttled_starts_are_absorbed_and_each_source_starts_once() {
    let emulator = emulator(&["--rate-limit", "StartDataSourceRun=1"], None).await;
    let output = dzrun(
        &emulator,
        &[
            "start",
            "--domain",
            DOMAIN,
            "--project",
            "prj_salesdata",
            "--output",
            "json",
        ],
    )
    .await;
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert!(
        calls(&emulator, "StartDataSourceRun", 429) > 0,
        "{}",
        emulator.counters()
    );
    assert_eq!(calls(&emulator, "StartDataSourceRun", 200), 3);
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn runs_pages_and_resumes_and_one_run_reads_normalized() {
    let emulator = emulator(&[], None).await;
    let listing = |token: Option<&str>| {
        let mut args = vec![
            "runs",
            "--domain",
            DOMAIN,
            "--source",
            "ds_orders",
            "--max-items",
            "2",
            "--page-size",
            "1",
            "--output",
            "json",
        ];
        if let Some(token) = token {
            args.extend(["--starting-token", token]);
        }
        args.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let first = json_of(
        &dzrun(
            &emulator,
            &listing(None).iter().map(String::as_str).collect::<Vec<_>>(),
        )
        .await,
    );
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let token = first["resumeToken"]
        .as_str()
        .expect("a resume token")
        .to_owned();
    let rest = json_of(
        &dzrun(
            &emulator,
            &listing(Some(&token))
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        )
        .await,
    );
    assert_eq!(
        rest["items"].as_array().unwrap().len(),
        1,
        "three past runs in all"
    );
    assert_eq!(rest["resumeToken"], Value::Null);
    let ids: Vec<&Value> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest["items"].as_array().unwrap())
        .map(|run| &run["id"])
        .collect();
    assert!(ids.contains(&&json!("bd1qd8gj2ns3zr")));
    let status = json_of(
        &dzrun(
            &emulator,
            &[
                "status",
                "--domain",
                DOMAIN,
                "--run",
                "bd1qd8gj2ns3zr",
                "--output",
                "json",
            ],
        )
        .await,
    );
    assert_eq!(
        (status["outcome"].clone(), status["terminal"].clone()),
        (json!("SUCCEEDED"), json!(true))
    );
    let metadata = json_of(
        &dzrun(
            &emulator,
            &[
                "metadata",
                "--domain",
                DOMAIN,
                "--run",
                "mg7kq2x9t4wz1p",
                "--output",
                "json",
            ],
        )
        .await,
    );
    assert_eq!(metadata["outcome"], "SUCCEEDED");
    emulator.stop().await;
}
