//! A local Amazon DataZone for tests and demos: an HTTP server speaking the
//! service's REST-JSON protocol as its service model describes it, seeded
//! from a file, with scripted run outcomes, a time scale, injected faults,
//! EventBridge events and call counters.

mod api_error;
mod authorization;
mod clock;
mod events;
mod faults;
mod model;
mod options;
mod pagination;
mod request;
mod seed;
mod server;
mod store;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

pub use authorization::Mode as AuthorizationMode;
pub use model::OPERATIONS;
pub use options::Options;
pub use seed::{SAMPLE_ADMIN_ACCESS_KEY_ID, SAMPLE_SEED};
pub use store::RUNS_PER_DATA_SOURCE_PER_DAY;

/// How often run transitions are checked for events to emit.
const TICK: Duration = Duration::from_millis(20);

/// A running emulator; [`Emulator::stop`] shuts it down cleanly.
pub struct Emulator {
    address: SocketAddr,
    app: server::App,
    shutdown: oneshot::Sender<()>,
    server: JoinHandle<()>,
    ticker: JoinHandle<()>,
    delivery: JoinHandle<()>,
}

impl Emulator {
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `http://HOST:PORT`, for `AWS_ENDPOINT_URL_DATAZONE`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Calls by operation and status code, and event deliveries.
    pub fn counters(&self) -> Value {
        self.app.counters()
    }

    /// Lets `emulated_seconds` pass at once (at the time scale), emitting
    /// the events of what they finished: tests need not wait on real time.
    pub fn advance(&self, emulated_seconds: f64) {
        self.app.advance_clock(emulated_seconds);
    }

    /// Each asset's predictions (GET /_emulator/predictions).
    pub fn predictions(&self) -> Value {
        self.app.predictions()
    }

    /// Every event emitted so far, oldest first.
    pub fn events(&self) -> Vec<Value> {
        self.app.events()
    }

    /// The rate limits in force, by operation.
    pub fn rate_limits(&self) -> BTreeMap<String, f64> {
        self.app.rate_limits()
    }

    /// Stops serving, then delivers the events still queued.
    pub async fn stop(self) {
        let _ = self.shutdown.send(());
        let _ = self.server.await;
        self.ticker.abort();
        let _ = self.ticker.await;
        self.app.close_event_sink();
        let _ = self.delivery.await;
    }
}

/// Starts the emulator as `options` say; errors are for people to read.
pub async fn start(options: &Options) -> Result<Emulator, String> {
    let seed_text = match &options.seed {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|error| format!("cannot read seed {}: {error}", path.display()))?,
        None => SAMPLE_SEED.to_owned(),
    };
    let seed = seed::Seed::parse(&seed_text)?;
    let principals = authorization::Principals::from_seed(&seed.principals)?;
    if options.authorization == authorization::Mode::Enforce && principals.is_empty() {
        tracing::warn!(
            "the seed has no principals: with --authorization enforce every request is refused"
        );
    }
    let mut rate_limits: BTreeMap<String, f64> = faults::DEFAULT_RATE_LIMITS
        .iter()
        .map(|(op, rate)| ((*op).to_owned(), *rate))
        .collect();
    rate_limits.extend(seed.faults.rate_limits.clone());
    rate_limits.extend(options.rate_limits.iter().cloned());
    let probability = |name: &str, value: Option<f64>| match value {
        Some(p) if !(0.0..=1.0).contains(&p) => Err(format!("{name} must be from 0 to 1, got {p}")),
        other => Ok(other.unwrap_or(0.0)),
    };
    let mut throttle_rates = seed.faults.throttle_rates.clone();
    throttle_rates.extend(options.throttle_rates.iter().cloned());
    for (operation, rate) in &throttle_rates {
        probability(&format!("the throttle rate of {operation}"), Some(*rate))?;
    }
    let faults = faults::Faults::new(
        faults::FaultSettings {
            rate_limits,
            throttle_rates,
            internal_error_rate: probability(
                "the internal error rate",
                options
                    .internal_error_rate
                    .or(seed.faults.internal_error_rate),
            )?,
            outage: options.outage.or(seed.faults.outage),
            latency: Duration::from_millis(
                options.latency_ms.or(seed.faults.latency_ms).unwrap_or(0),
            ),
            latency_jitter: Duration::from_millis(
                options
                    .latency_jitter_ms
                    .or(seed.faults.latency_jitter_ms)
                    .unwrap_or(0),
            ),
            drop_event_rate: probability(
                "the dropped event rate",
                options.drop_event_rate.or(seed.faults.drop_event_rate),
            )?,
        },
        options.random_seed,
    );
    let clock = clock::Clock::new(options.time_scale);
    let store = store::Store::new(
        &seed,
        clock,
        options.random_seed,
        &options.account_id,
        &options.region,
    );

    let (sink, queued) = mpsc::unbounded_channel();
    let app = server::App::new((options.authorization, principals), store, faults, sink);
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(|error| format!("cannot listen on {}: {error}", options.listen))?;
    let address = listener
        .local_addr()
        .map_err(|error| format!("cannot read the listening address: {error}"))?;

    let sinks = events::EventSinks {
        file: options.events_file.clone(),
        urls: options.events_urls.clone(),
        url_detail_types: options.events_url_detail_types.clone(),
    };
    let reporter = app.clone();
    let delivery = tokio::spawn(events::deliver(sinks, queued, move |delivery| {
        reporter.record_delivery(delivery)
    }));
    let ticking = app.clone();
    let ticker = tokio::spawn(async move {
        let mut interval = tokio::time::interval(TICK);
        loop {
            interval.tick().await;
            ticking.tick();
        }
    });
    let (shutdown, stop_signal) = oneshot::channel::<()>();
    let router = server::router(app.clone());
    let server = tokio::spawn(async move {
        let serving = axum::serve(listener, router).with_graceful_shutdown(async {
            let _ = stop_signal.await;
        });
        if let Err(error) = serving.await {
            tracing::error!(%error, "server stopped with an error");
        }
    });
    Ok(Emulator {
        address,
        app,
        shutdown,
        server,
        ticker,
        delivery,
    })
}
