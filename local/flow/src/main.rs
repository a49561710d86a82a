//! `local-flow`: runs the whole flow locally (the sample seed by default, or
//! the user's) and prints it for a person. Exits 0 when the flow ran to its
//! end, whatever the runs' outcomes, 1 when something in the chain broke,
//! 2 for bad arguments.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use local_flow::{ChainOptions, FlowRun, LocalChain, set_parameter};
use serde_json::Value;

/// Runs the ingestion flow locally: the DataZone emulator on a seed, an
/// S3-compatible server, the functions under cargo lambda watch as the
/// template deploys them, and the state machine in aws-local-stepfunctions.
#[derive(Debug, Parser)]
#[command(name = "local-flow")]
struct Args {
    /// The emulator's seed (domains, projects, data sources, how runs go);
    /// default: the sample seed.
    #[arg(long, value_name = "FILE")]
    seed: Option<PathBuf>,
    /// The SAM template to deploy locally; default: template.yaml.
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,
    /// A template parameter (repeatable), over the sample's
    /// (DomainId=dzd_sales2026, DataSourceIds=…, ProjectIds=prj_salesdata,
    /// GenerateMetadata=true).
    #[arg(long = "parameter", value_name = "NAME=VALUE", value_parser = name_value)]
    parameters: Vec<(String, String)>,
    /// The execution's input (JSON), e.g. '{"allProjects": true}'.
    #[arg(long, value_name = "JSON", default_value = "{}", value_parser = json_object)]
    input: Value,
    /// How much faster than real time the chain runs: runs, waits and request
    /// rates.
    #[arg(long, value_name = "FACTOR", default_value_t = 600.0)]
    time_scale: f64,
}

fn name_value(pair: &str) -> Result<(String, String), String> {
    pair.split_once('=')
        .filter(|(name, _)| !name.is_empty())
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .ok_or_else(|| format!("{pair:?} is not NAME=VALUE"))
}

fn json_object(text: &str) -> Result<Value, String> {
    match serde_json::from_str(text) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err("the input must be a JSON object".into()),
        Err(error) => Err(format!("the input is not JSON: {error}")),
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    if !(args.time_scale.is_finite() && args.time_scale > 0.0) {
        eprintln!("local-flow: --time-scale must be a number above 0");
        return ExitCode::from(2);
    }
    let mut options = ChainOptions {
        events_to_run_status: true,
        time_scale: args.time_scale,
        ..ChainOptions::default()
    }
    .parameter("GenerateMetadata", "true");
    if let Some(seed) = args.seed {
        options.seed = seed;
    }
    if let Some(template) = args.template {
        options.template = template;
    }
    for (name, value) in &args.parameters {
        set_parameter(&mut options.parameters, name, value);
    }
    let chain = LocalChain::start(&options);
    println!(
        "DataZone emulator at {} ({}, time scale {}, authorization enforced)",
        chain.datazone_endpoint,
        options.seed.display(),
        args.time_scale
    );
    println!(
        "Each function runs as its role in {}: principals in {}",
        options.template.display(),
        chain.logs.join("seed.json").display()
    );
    println!(
        "Functions under cargo lambda watch at http://127.0.0.1:{}; reports in the S3 server at {}",
        chain.invoke_port, chain.s3_endpoint
    );
    let execution = format!("demo-{}", std::process::id());
    let flow = chain.run_flow(&FlowRun {
        input: args.input,
        print: true,
        ..FlowRun::named(&execution)
    });
    if flow.summary()["report"].is_string() {
        println!("Data sources, from the report:");
        let harvest = chain.harvest(&flow);
        for source in harvest["sources"].as_array().into_iter().flatten() {
            let error = source["error"]["name"]
                .as_str()
                .map(|name| format!(" ({name})"))
                .unwrap_or_default();
            println!(
                "  {:<20} {:<20} run {:<16} {}{error}",
                source["dataSourceId"].as_str().unwrap_or("?"),
                source["outcome"].as_str().unwrap_or("?"),
                source["runId"].as_str().unwrap_or("-"),
                source["status"].as_str().unwrap_or("-"),
            );
            for asset in source["metadata"].as_array().into_iter().flatten() {
                println!(
                    "  {:<20} metadata for {}: {}",
                    "",
                    asset["assetId"].as_str().unwrap_or("?"),
                    asset["outcome"].as_str().unwrap_or("?")
                );
            }
        }
    }
    // The page lives in the S3 server, which stops with the chain: a copy
    // beside the logs is what a person can open afterwards.
    if let Some(page) = flow.summary()["page"].as_str() {
        let file = chain.logs.join(format!("{execution}.html"));
        match std::fs::write(&file, chain.s3_bytes(page)) {
            Ok(()) => println!("The harvest's page: file://{}", file.display()),
            Err(error) => eprintln!(
                "local-flow: cannot copy the page to {}: {error}",
                file.display()
            ),
        }
    }
    let summary = flow.summary();
    let denied: Vec<&str> = summary["projectsDenied"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if !denied.is_empty() {
        println!(
            "Projects left out (their data sources cannot be listed): {}",
            denied.join(", ")
        );
    }
    let counters = chain.counters();
    println!("DataZone calls:");
    if let Some(operations) = counters["operations"].as_object() {
        for (operation, count) in operations {
            println!("  {operation:<28} {}", count["byStatus"]);
        }
    }
    println!(
        "DataZone events emitted: {}, delivered to run-status: {}",
        counters["events"]["emitted"], counters["events"]["delivered"]
    );
    println!("Logs of every process: {}", chain.logs.display());
    if flow.ran_to_the_end {
        ExitCode::SUCCESS
    } else {
        eprintln!("local-flow: the flow did not run to its end (see above and the logs)");
        ExitCode::FAILURE
    }
}
