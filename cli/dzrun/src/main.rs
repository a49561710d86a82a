//! `dzrun`: DataZone data source runs from a terminal or CI.

mod args;
mod commands;
mod duration;
mod exit;
mod harvest;
mod progress;

use std::process::ExitCode;

use clap::Parser;
use datazone_adapter::SdkDataZone;
use datazone_adapter::client::{ClientSettings, standard_config};

use crate::args::Cli;
use crate::exit::Exit;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match ClientSettings::from_env() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("dzrun: {error}");
            return ExitCode::from(Exit::BadInput as u8);
        }
    };
    let aws = standard_config(&settings, cli.profile.as_deref(), cli.region.as_deref()).await;
    let datazone = SdkDataZone::from_config(&aws);
    commands::run(&datazone, &cli, settings.operation_timeout).await
}
