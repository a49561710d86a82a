//! `bench-page`: how long a harvest's page takes to load and draw in
//! headless Chromium at 1,000 sources. It renders the page of a generated
//! harvest with the functions' own renderer (runs of 5 to 40 minutes
//! started over two minutes, one in ten failing, one in seven of the rest
//! partly succeeding, three assets per run that imported any, one
//! generation in twenty failing), checks once that Chromium's DOM holds a
//! bar per run, then times Chromium from its start to its exit with a
//! screenshot of the page (which needs the page loaded, laid out and
//! painted), beside the same for an empty page: the browser's own start.
//! Prints the median and the slowest of `--runs`; exits 1 when the median
//! reaches the goal (2 s).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use clap::Parser;
use datazone_runs::model::harvest::{AssetRecord, Harvest, Outcome, SourceRecord, Stage};
use datazone_runs::model::ids::{DataSourceId, DomainId};
use datazone_runs::model::timestamp::Timestamp;
use datazone_runs::usecase::harvest::report_page::render;
use datazone_runs::usecase::harvest::summary::Summary;
use local_flow::log_dir;

/// The goal: loaded and drawn in under this.
const GOAL: Duration = Duration::from_secs(2);

#[derive(Debug, Parser)]
#[command(name = "bench-page")]
struct Args {
    /// Data sources in the harvest.
    #[arg(long, default_value_t = 1000)]
    sources: usize,
    /// Timed loads of each page (after one not timed).
    #[arg(long, default_value_t = 9)]
    runs: usize,
    /// The browser.
    #[arg(long, default_value = "chromium")]
    chromium: String,
}

/// A harvest of `count` finished sources, the same every time.
fn harvest_of(count: usize) -> Harvest {
    let began = Timestamp::now().epoch_millis() / 1000 - 3600;
    let sources = (0..count)
        .map(|index| {
            let id = format!("ds_{index:05}");
            let mut source = SourceRecord::to_start(
                DataSourceId::parse("id", &id).expect("a valid id"),
                Some(format!("orders-{index:05}")),
            );
            let outcome = if index % 10 == 9 {
                Outcome::Failed
            } else if index % 7 == 3 {
                Outcome::PartiallySucceeded
            } else {
                Outcome::Succeeded
            };
            source.tracking.stage = Stage::Done;
            source.tracking.finish(outcome, None);
            let offset = (index as i64 * 120) / count.max(1) as i64;
            source.began_at = Some(Timestamp::from_epoch_millis((began + offset) * 1000));
            source.duration_seconds = Some(300 + (index as i64 * 7919) % 2100);
            if outcome != Outcome::Failed {
                source.metadata = (0..3)
                    .map(|asset| {
                        let mut record = AssetRecord::to_start(
                            format!("ast_{index:05}_{asset}"),
                            format!("table_{index:05}_{asset}"),
                        );
                        let generated = if (index * 3 + asset) % 20 == 7 {
                            Outcome::Failed
                        } else {
                            Outcome::Succeeded
                        };
                        record.tracking.stage = Stage::Done;
                        record.tracking.finish(generated, None);
                        record
                    })
                    .collect();
            }
            source
        })
        .collect();
    Harvest::new(
        "bench-page".into(),
        DomainId::parse("domain", "dzd_bench").expect("a valid domain"),
        sources,
    )
}

fn chromium(args: &Args, profile: &Path, extra: &[String], page: &str) -> std::process::Output {
    Command::new(&args.chromium)
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--window-size=1280,2000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(page)
        .output()
        .unwrap_or_else(|error| panic!("{} runs: {error}", args.chromium))
}

/// Seconds from Chromium's start to its exit with a screenshot of `page`,
/// for each timed run, sorted.
fn timed_screenshots(args: &Args, profile: &Path, page: &str) -> Vec<Duration> {
    let shot = profile.join("shot.png");
    let extra = [format!("--screenshot={}", shot.display())];
    chromium(args, profile, &extra, page);
    let mut times: Vec<Duration> = (0..args.runs)
        .map(|_| {
            let _ = std::fs::remove_file(&shot);
            let began = Instant::now();
            let output = chromium(args, profile, &extra, page);
            let took = began.elapsed();
            assert!(
                output.status.success() && shot.exists(),
                "no screenshot of {page}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            took
        })
        .collect();
    times.sort();
    times
}

fn seconds(duration: Duration) -> String {
    format!("{:.2} s", duration.as_secs_f64())
}

fn main() -> ExitCode {
    let args = Args::parse();
    let harvest = harvest_of(args.sources);
    let mut summary = Summary::of(
        &harvest,
        "s3://bench/harvests/dzd_bench/bench-page.json".into(),
    );
    let dir: PathBuf = log_dir().join("bench-page");
    std::fs::create_dir_all(&dir).expect("a directory for the pages");
    let file = dir.join("page.html");
    summary.page = Some(file.display().to_string());
    let html = render(&harvest, &summary, Timestamp::now());
    std::fs::write(&file, &html).expect("the page is written");
    let page = format!("file://{}", file.display());
    let assets: usize = harvest
        .sources
        .iter()
        .map(|source| source.metadata.len())
        .sum();

    let profile = dir.join("profile");
    let dom = chromium(&args, &profile, &["--dump-dom".into()], &page);
    let dom = String::from_utf8_lossy(&dom.stdout);
    let bars = dom.matches("<rect ").count();
    if bars != args.sources {
        eprintln!(
            "bench-page: Chromium drew {bars} bars for {} runs",
            args.sources
        );
        return ExitCode::FAILURE;
    }

    let blank = timed_screenshots(&args, &profile, "about:blank");
    let drawn = timed_screenshots(&args, &profile, &page);
    let median = |times: &[Duration]| times[times.len() / 2];
    let slowest = |times: &[Duration]| times[times.len() - 1];
    println!(
        "{} sources, {assets} assets: a page of {} KiB, {bars} bars in Chromium's DOM; {} timed loads each.",
        args.sources,
        html.len() / 1024,
        args.runs
    );
    println!();
    println!("| page | median | slowest |");
    println!("|---|---|---|");
    println!(
        "| empty page (the browser's own start) | {} | {} |",
        seconds(median(&blank)),
        seconds(slowest(&blank))
    );
    println!(
        "| {} sources, loaded and drawn | {} | {} |",
        args.sources,
        seconds(median(&drawn)),
        seconds(slowest(&drawn))
    );
    println!();
    let met = median(&drawn) < GOAL;
    println!(
        "Goal: loaded and drawn in under {}, the browser's start included: {}.",
        seconds(GOAL),
        if met { "met" } else { "missed" }
    );
    if met {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
