//! `accord serve`: Accord's JSON API over HTTP (axum on tokio).
//!
//! Routes only: every handler parses its request, calls the same library
//! functions the CLI calls (`accord_core::query`, `accord_io`'s scenario
//! reader, `accord_analysis`'s compile, forecast, compare, search,
//! influence and backtest scoring), and answers their result structs as
//! JSON. Scenarios, runs and tokens live in [`accord_store`]. The routes are
//! listed once in [`ROUTES`] and described in `openapi.json`
//! (`GET /api/openapi.json`); a test checks the two agree. The browser
//! interface's files ([`assets`]) are served at `/` and `/ui/...`.
//!
//! Security: reads are open unless [`Config::private`]; every write needs
//! `Authorization: Bearer TOKEN` (401 without one, 403 with a revoked one).
//! Limits ([`Limits`]) bound request bodies, samples per run, runs at once
//! and waiting, and time.

pub mod assets;
mod cache;
mod error;
mod jobs;
mod routes;
mod scenario;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use accord_store::Store;

pub use error::{ApiError, Problem};
pub use jobs::{RunSettings, ScenarioSource};
pub use routes::ROUTES;

/// The OpenAPI 3.1 document of the API, hand-written (no macro crate: the
/// routes are few and the document is checked against them by a test).
pub const OPENAPI: &str = include_str!("../openapi.json");

/// Bounds on what one request or run may take.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Most Monte Carlo samples in one run.
    pub max_samples: u64,
    /// Most Shapley permutations in one influence run.
    pub max_permutations: u64,
    /// Runs computed at once; the others wait `queued`.
    pub max_concurrent_runs: usize,
    /// Runs queued or running at once; more are refused with 429.
    pub max_pending_runs: usize,
    /// Longest time to answer one request (runs go on in the background).
    pub request_timeout: Duration,
    /// Longest time one run may compute before it is stopped and failed.
    pub max_run_time: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 1 << 20,
            max_samples: 100_000,
            max_permutations: 100_000,
            max_concurrent_runs: 2,
            max_pending_runs: 32,
            request_timeout: Duration::from_secs(30),
            max_run_time: Duration::from_secs(1800),
        }
    }
}

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The SQLite file (created if missing).
    pub db: PathBuf,
    /// A data folder to serve instead of the embedded SCO record and model.
    pub data: Option<PathBuf>,
    /// Whether reads need a token too.
    pub private: bool,
    /// The limits.
    pub limits: Limits,
}

/// The record and model served (loaded once at start).
#[derive(Debug)]
pub struct Data {
    /// The dated record.
    pub record: accord_core::Record,
    /// The model.
    pub model: accord_core::model::Model,
}

impl Data {
    /// The embedded SCO data, or a folder's, validated.
    pub fn load(dir: Option<&std::path::Path>) -> Result<Data, String> {
        let (record, model) = match dir {
            None => accord_io::embedded::sco_record_and_model().map_err(|d| {
                format!(
                    "the embedded SCO data are invalid:\n{}",
                    d.iter().map(|x| x.to_string()).collect::<Vec<_>>().join("\n")
                )
            })?,
            Some(dir) => accord_io::record::load_data_dir(dir).map_err(|e| e.to_string())?,
        };
        Ok(Data { record, model })
    }
}

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct AppState {
    pub(crate) store: Arc<Store>,
    pub(crate) data: Arc<Data>,
    pub(crate) runner: Arc<jobs::Runner>,
    pub(crate) private: bool,
    pub(crate) limits: Limits,
    /// Serialized answers that cannot change: the model, finished runs.
    pub(crate) cache: Arc<cache::Cache>,
}

impl AppState {
    /// Opens the store, marks the runs a previous process left unfinished as
    /// `interrupted`, and loads the data.
    pub fn open(config: &Config) -> Result<AppState, String> {
        let store = Store::open(&config.db).map_err(|e| format!("cannot open {}: {e}", config.db.display()))?;
        store.mark_interrupted_runs().map_err(|e| e.to_string())?;
        let data = Data::load(config.data.as_deref())?;
        Ok(AppState {
            store: Arc::new(store),
            data: Arc::new(data),
            runner: Arc::new(jobs::Runner::new(
                config.limits.max_concurrent_runs,
                config.limits.max_run_time,
            )),
            private: config.private,
            limits: config.limits.clone(),
            cache: Arc::new(cache::Cache::default()),
        })
    }
}

/// The application: every route of [`ROUTES`] with its limits.
pub fn app(state: AppState) -> axum::Router {
    routes::router(state)
}

/// Serves on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
