//! Each subcommand: its input checked, its work, its output and exit code.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use datazone_runs::Error;
use datazone_runs::model::harvest::{Harvest, Outcome, SourceRecord};
use datazone_runs::model::ids::{
    DataSourceId, DataSourceRunId, DomainId, MetadataGenerationRunId, PageSize,
};
use datazone_runs::model::metadata_run::MetadataGenerationType;
use datazone_runs::model::outcome::Origin;
use datazone_runs::model::predictions::PredictionsRule;
use datazone_runs::model::run::DataSourceRunStatus;
use datazone_runs::model::timestamp::Timestamp;
use datazone_runs::port::DataZone;
use datazone_runs::usecase::harvest::notification::counted;
use datazone_runs::usecase::harvest::report_page;
use datazone_runs::usecase::harvest::summary::Summary;
use datazone_runs::usecase::pages::{Limits, ListRunsRequest, list_data_source_runs};
use datazone_runs::usecase::polling::PollingPolicy;
use datazone_runs::usecase::select::{Selection, SelectionFields, SelectionRequest};
use datazone_runs::usecase::status::{check_metadata_run, check_run};
use serde_json::json;

use crate::args::{Cli, Command, Output, RunArgs, RunsArgs, StartArgs};
use crate::exit::Exit;
use crate::harvest::{Ending, Plan, harvest};
use crate::progress::{Mode, Progress};

/// The exit code of a wait stopped by Ctrl-C (128 + SIGINT), as shells use.
const INTERRUPTED: u8 = 130;
/// Error names that mean the caller was denied.
const DENIALS: &[&str] = &[
    "DataZone.AccessDeniedException",
    "DataZone.UnauthorizedException",
    "DataZone.UnrecognizedClientException",
];

pub async fn run(datazone: &impl DataZone, cli: &Cli, call_allowance: Duration) -> ExitCode {
    let result = match &cli.command {
        Command::Start(args) => start(datazone, args, cli.output, call_allowance).await,
        Command::Status(args) => status(datazone, args, cli.output).await,
        Command::Metadata(args) => metadata(datazone, args, cli.output).await,
        Command::Runs(args) => runs(datazone, args, cli.output).await,
    };
    result.unwrap_or_else(|error| {
        eprintln!("dzrun: {}: {error}", error.name());
        ExitCode::from(Exit::of_error(&error) as u8)
    })
}

/// The flags naming the parts of a selection.
const FLAGS: SelectionFields = SelectionFields {
    sources: "--source",
    projects: "--project",
    all_projects: "--all",
    types: "--type",
    name: "--name",
    include_disabled: "--include-disabled",
};

fn selection(args: &StartArgs) -> Result<Selection, Error> {
    let given = |values: &Vec<String>| Some(values.clone()).filter(|values| !values.is_empty());
    SelectionRequest {
        sources: given(&args.sources),
        projects: given(&args.projects),
        all_projects: args.all,
        types: given(&args.types),
        name: args.name.clone(),
        include_disabled: args.include_disabled.then_some(true),
    }
    .selection(&FLAGS)?
    .ok_or_else(|| {
        Error::invalid_input(
            FLAGS.sources,
            "name the data sources: --source ID, --project ID or --all",
        )
    })
}

fn metadata_types(names: &[String]) -> Result<Vec<MetadataGenerationType>, Error> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    MetadataGenerationType::parse_list("--generate-metadata", names.iter().map(String::as_str))
}

/// Sources whose run is still going (or not started), for a person to follow up.
fn unfinished(harvest: &Harvest) -> Vec<&SourceRecord> {
    harvest
        .sources
        .iter()
        .filter(|source| source.tracking.outcome.is_none())
        .collect()
}

async fn start(
    datazone: &impl DataZone,
    args: &StartArgs,
    output: Output,
    call_allowance: Duration,
) -> Result<ExitCode, Error> {
    let plan = Plan {
        domain: DomainId::parse("--domain", args.domain.clone())?,
        trigger_id: args
            .trigger_id
            .clone()
            .unwrap_or_else(|| format!("dzrun-{}", uuid::Uuid::new_v4())),
        selection: selection(args)?,
        wait: args.wait,
        timeout: args.timeout,
        metadata_types: metadata_types(&args.generate_metadata)?,
        predictions: match &args.accept_predictions {
            Some(rule) => {
                PredictionsRule::parse("--accept-predictions", rule, args.reject_other_predictions)?
            }
            None => None,
        },
        polling: PollingPolicy::from_settings(|name| std::env::var(name).ok())?,
        call_allowance,
    };
    let mode = match output {
        Output::Json => Mode::Silent,
        Output::Text if std::io::stdout().is_terminal() => Mode::Live,
        Output::Text => Mode::Lines,
    };
    let (harvest, ending) = harvest(datazone, &plan, &mut Progress::new(mode)).await?;
    let mut summary = Summary::of(&harvest, "(dzrun keeps no report)".to_owned());
    // The page names itself in the summary it shows, as a deployment's does.
    let page_written = args.report_page.as_ref().map(|file| {
        summary.page = Some(file.display().to_string());
        std::fs::write(
            file,
            report_page::render(&harvest, &summary, Timestamp::now()),
        )
    });
    let denied = harvest.sources.iter().any(|source| {
        source
            .tracking
            .error
            .as_ref()
            .is_some_and(|error| DENIALS.contains(&error.name.as_str()))
    });
    let exit = match ending {
        Ending::TimedOut => Exit::TimedOut as u8,
        Ending::Interrupted => INTERRUPTED,
        Ending::Started | Ending::Done => {
            Exit::of_summary(&summary, denied, args.allow_partial, args.strict) as u8
        }
    };
    // A page that could not be written is told after the summary, which
    // still shows how the runs went; the exit says the output was refused.
    let exit = match &page_written {
        Some(Err(_)) => Exit::BadInput as u8,
        _ => exit,
    };
    match output {
        Output::Json => println!(
            "{}",
            json!({
                "triggerId": harvest.trigger_id,
                "domainId": harvest.domain_id,
                "ending": format!("{ending:?}").to_lowercase(),
                "exitCode": exit,
                "sources": harvest.sources,
                "summary": summary,
            })
        ),
        Output::Text => print_summary(&harvest, &summary, ending),
    }
    if let Some(Err(error)) = &page_written {
        eprintln!(
            "dzrun: InvalidInput: --report-page {}: {error}",
            summary.page.as_deref().unwrap_or_default()
        );
    }
    Ok(ExitCode::from(exit))
}

fn print_summary(harvest: &Harvest, summary: &Summary, ending: Ending) {
    println!(
        "{} data sources: {}",
        summary.sources.selected,
        counted(&summary.sources.by_outcome())
    );
    for failure in &summary.failures {
        println!("  {failure}");
    }
    if let Some(more) = summary.more_failures_line() {
        println!("  {more}");
    }
    let metadata = &summary.metadata_generation;
    if metadata.assets > 0 {
        println!(
            "metadata generation, {} assets: {}",
            metadata.assets,
            counted(&metadata.by_outcome())
        );
        if let Some(predictions) = &metadata.predictions {
            println!(
                "generated metadata, by --accept-predictions: {}",
                counted(&predictions.by_decision())
            );
        }
        for source in &harvest.sources {
            for asset in &source.metadata {
                let Some(outcome) = asset.tracking.outcome else {
                    continue;
                };
                if matches!(outcome, Outcome::Succeeded | Outcome::PartiallySucceeded) {
                    continue;
                }
                let error = asset
                    .tracking
                    .error
                    .as_ref()
                    .map(|error| format!(": {}: {}", error.name, error.message))
                    .unwrap_or_default();
                println!(
                    "  {} asset {} ({}) {outcome}{error}",
                    source.data_source_id, asset.asset_id, asset.technical_name
                );
            }
        }
    }
    if let Some(page) = &summary.page {
        println!("page: {page}");
    }
    if let Some(left_out) = summary.projects_left_out() {
        println!("{left_out}");
    }
    let going = unfinished(harvest);
    let reason = match ending {
        Ending::TimedOut => Some("timed out"),
        Ending::Interrupted => Some("stopped waiting (Ctrl-C)"),
        Ending::Started if !going.is_empty() => Some("started; not waiting (--wait follows them)"),
        _ => None,
    };
    if let Some(reason) = reason {
        println!("{reason}; the runs go on:");
        for source in going {
            println!(
                "  {} run {}",
                source.data_source_id,
                source
                    .run_id
                    .as_ref()
                    .map_or("(not started)", |run| run.as_str())
            );
        }
    }
}

async fn status(
    datazone: &impl DataZone,
    args: &RunArgs,
    output: Output,
) -> Result<ExitCode, Error> {
    let domain = DomainId::parse("--domain", args.domain.clone())?;
    let run = DataSourceRunId::parse("--run", args.run.clone())?;
    let outcome = check_run(
        datazone,
        &domain,
        &run,
        Origin::Query,
        &PollingPolicy::from_settings(|name| std::env::var(name).ok())?,
    )
    .await?;
    match output {
        Output::Json => println!("{}", json!(outcome)),
        Output::Text => println!(
            "{} {} {} ({}) added {} updated {} failed {}",
            outcome.data_source_id,
            outcome.run_id,
            outcome.status,
            outcome.outcome,
            outcome.asset_statistics.added,
            outcome.asset_statistics.updated,
            outcome.asset_statistics.failed
        ),
    }
    Ok(ExitCode::SUCCESS)
}

async fn metadata(
    datazone: &impl DataZone,
    args: &RunArgs,
    output: Output,
) -> Result<ExitCode, Error> {
    let domain = DomainId::parse("--domain", args.domain.clone())?;
    let run = MetadataGenerationRunId::parse("--run", args.run.clone())?;
    let outcome = check_metadata_run(
        datazone,
        &domain,
        &run,
        Origin::Query,
        &PollingPolicy::from_settings(|name| std::env::var(name).ok())?,
    )
    .await?;
    match output {
        Output::Json => println!("{}", json!(outcome)),
        Output::Text => println!(
            "{} {} ({})",
            outcome.run_id,
            outcome
                .status
                .as_ref()
                .map_or("(none)", |status| status.as_str()),
            outcome.outcome
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// A documented data source run status.
fn run_status(name: &str) -> Result<DataSourceRunStatus, Error> {
    if DataSourceRunStatus::DOCUMENTED.contains(&name) {
        Ok(DataSourceRunStatus::from_wire(name))
    } else {
        Err(Error::invalid_input(
            "--status",
            format!(
                "must be one of {}",
                DataSourceRunStatus::DOCUMENTED.join(", ")
            ),
        ))
    }
}

async fn runs(
    datazone: &impl DataZone,
    args: &RunsArgs,
    output: Output,
) -> Result<ExitCode, Error> {
    let request = ListRunsRequest {
        status: args.status.as_deref().map(run_status).transpose()?,
        page_size: args
            .page_size
            .map(|size| PageSize::parse("--page-size", size))
            .transpose()?,
        limits: Limits {
            max_items: args.max_items,
            starting_token: args.starting_token.clone(),
        },
        ..ListRunsRequest::new(
            DomainId::parse("--domain", args.domain.clone())?,
            DataSourceId::parse("--source", args.source.clone())?,
        )
    };
    let listed = list_data_source_runs(datazone, &request).await?;
    match output {
        Output::Json => println!(
            "{}",
            json!({"items": listed.items, "resumeToken": listed.resume_token})
        ),
        Output::Text => {
            for run in &listed.items {
                println!("{} {} {}", run.id, run.status, run.created_at.to_iso8601());
            }
            if let Some(token) = &listed.resume_token {
                println!("more: --starting-token {token}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
