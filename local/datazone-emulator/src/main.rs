//! `datazone-local`: the DataZone emulator on the command line.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use datazone_local::Options;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let options = Options::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    if options.json_logs {
        logs.json().flatten_event(true).init();
    } else {
        logs.init();
    }

    let emulator = match datazone_local::start(&options).await {
        Ok(emulator) => emulator,
        Err(error) => {
            eprintln!("datazone-local: {error}");
            return ExitCode::from(2);
        }
    };
    // Scripts wait for this line to know where to connect.
    println!("listening on {}", emulator.endpoint());
    let _ = std::io::stdout().flush();
    tracing::info!(
        seed = %options.seed.as_ref().map_or("(sample)".into(), |path| path.display().to_string()),
        time_scale = options.time_scale,
        random_seed = options.random_seed,
        rate_limits = ?emulator.rate_limits(),
        "datazone-local started"
    );

    wait_for_stop_signal().await;
    tracing::info!("stopping");
    emulator.stop().await;
    ExitCode::SUCCESS
}

async fn wait_for_stop_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
