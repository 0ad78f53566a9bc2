//! Runs as background jobs: what a run request asks for ([`RunSettings`],
//! kept in the store so a run can be repeated), the bounded pool that
//! executes them, and the execution itself — the same library calls the
//! CLI's commands make, so a run's `result` is the JSON `--json` prints.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use accord_analysis::compile::Compiled;
use accord_analysis::opportunities::{Loss, SearchSettings};
use accord_store::{RunId, RunKind, ScenarioFormat, ScenarioId, Store};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use crate::Data;
use crate::error::ApiError;
use crate::scenario::{self, ScenarioText};

/// Where a run's scenario comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum ScenarioSource {
    /// The embedded baseline (what the CLI runs without a file).
    Baseline,
    /// A saved scenario at the revision that was latest when the run was asked for.
    Saved {
        /// The scenario.
        id: i64,
        /// Its revision.
        revision: i64,
    },
    /// Text sent with the request.
    Inline {
        /// "toml" or "json".
        format: String,
        /// The text.
        body: String,
    },
}

/// Everything that decides a run's result, as stored with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSettings {
    /// The scenario (for `compare`, the reference A).
    pub scenario: ScenarioSource,
    /// `compare` only: the scenario compared with A.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub b: Option<ScenarioSource>,
    /// Samples asked for (`None`: the scenario's), as `--samples`.
    #[serde(default)]
    pub samples: Option<u64>,
    /// Seed asked for (`None`: the scenario's), as `--seed`.
    #[serde(default)]
    pub seed: Option<u64>,
    /// `opportunities`: the focal actor (`--for`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub focal: Option<String>,
    /// `opportunities`: `--max-levers`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_levers: Option<usize>,
    /// `opportunities`: `--beam-width`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beam_width: Option<usize>,
    /// `opportunities`: `--loss` ("linear" or "quadratic").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loss: Option<String>,
    /// `influence`: `--permutations`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permutations: Option<u64>,
}

/// The CLI's defaults for `accord opportunities`.
pub(crate) const DEFAULT_FOCAL: &str = "RUS";
const DEFAULT_MAX_LEVERS: usize = 3;
const DEFAULT_BEAM_WIDTH: usize = 10;

fn source_text(store: &Store, source: &ScenarioSource) -> Result<(String, ScenarioText), ApiError> {
    match source {
        ScenarioSource::Baseline => {
            let (name, _) = accord_io::embedded::SCO_SCENARIOS[0];
            Ok((name.to_owned(), scenario::baseline()))
        }
        ScenarioSource::Saved { id, revision } => {
            let history = store.scenario_history(ScenarioId(*id))?;
            let rev = history
                .into_iter()
                .find(|r| r.revision == *revision)
                .ok_or_else(|| ApiError::not_found(format!("scenario {id} has no revision {revision}")))?;
            Ok((
                format!("scenario {id} revision {revision}"),
                ScenarioText {
                    format: rev.format,
                    body: rev.body,
                },
            ))
        }
        ScenarioSource::Inline { format, body } => Ok((
            "inline scenario".to_owned(),
            ScenarioText {
                format: if format == "json" {
                    ScenarioFormat::Json
                } else {
                    ScenarioFormat::Toml
                },
                body: body.clone(),
            },
        )),
    }
}

/// Loads and compiles a source (the errors name `field`).
pub fn compile_source(data: &Data, store: &Store, source: &ScenarioSource, field: &str) -> Result<Compiled, ApiError> {
    let (name, text) = source_text(store, source)?;
    scenario::compile(data, &name, &text).map_err(|mut e| {
        e.error = format!("{field}: {}", e.error);
        e
    })
}

/// Applies `samples` and `seed` as the CLI's `--samples` and `--seed` do.
pub fn override_run(c: &mut Compiled, samples: Option<u64>, seed: Option<u64>) {
    if let Some(n) = samples {
        c.settings.samples = n;
    }
    if let Some(s) = seed {
        c.settings.seed = s;
    }
}

/// The loss named in a request.
pub fn parse_loss(s: Option<&str>) -> Result<Loss, ApiError> {
    match s {
        None | Some("linear") => Ok(Loss::Linear),
        Some("quadratic") => Ok(Loss::Quadratic),
        Some(other) => Err(ApiError::field(
            "loss",
            format!("{other:?} is not a loss: use \"linear\" or \"quadratic\""),
        )),
    }
}

/// Progress reported by the analysis (a count of samples done) turned into
/// the store's 0–1 progress, written at most every 2 %; a cancel asked for
/// through the store (e.g. by another server process) raises the flag.
struct Progress<'a> {
    store: &'a Store,
    id: RunId,
    total: u64,
    cancel: &'a AtomicBool,
    /// Sum over passes (a forecast's two passes each count from 0).
    done: AtomicU64,
    last: AtomicU64,
    written_pct: AtomicU64,
}

impl Progress<'_> {
    fn report(&self, n: u64) {
        let prev = self.last.swap(n, Ordering::Relaxed);
        let step = if n >= prev { n - prev } else { n };
        let done = self.done.fetch_add(step, Ordering::Relaxed) + step;
        self.write(done, self.total);
    }

    /// For analyses that report their own total (`progress(done, total)`).
    fn report_of(&self, done: u64, total: u64) {
        self.write(done, total);
    }

    fn write(&self, done: u64, total: u64) {
        let pct = (done.saturating_mul(100) / total.max(1)).min(99);
        if pct >= self.written_pct.load(Ordering::Relaxed) + 2
            && self.written_pct.fetch_max(pct, Ordering::Relaxed) < pct
            && let Ok(true) = self.store.set_progress(self.id, pct as f64 / 100.0)
        {
            self.cancel.store(true, Ordering::Relaxed);
        }
    }
}

/// Computes run `id` (blocking; called on a blocking thread). The result is
/// the JSON of the same struct the CLI prints with `--json`.
pub fn execute(
    data: &Data,
    store: &Store,
    id: RunId,
    kind: RunKind,
    settings: &RunSettings,
    cancel: &AtomicBool,
) -> Result<serde_json::Value, String> {
    let err = |e: ApiError| e.error;
    let mut a = compile_source(data, store, &settings.scenario, "scenario").map_err(err)?;
    if kind != RunKind::Influence {
        override_run(&mut a, settings.samples, settings.seed);
    }
    // What the analyses count: a forecast counts its samples twice (the
    // input-only run, then the calibrated models), a comparison three times
    // (one pass over both scenarios, then the calibrated models on A and on
    // B), a backtest once per pass
    // (`accord_io::backtest::PASSES`); influence reports its own total.
    let total = match kind {
        RunKind::Forecast => a.settings.samples.saturating_mul(2),
        RunKind::Compare => a.settings.samples.saturating_mul(3),
        RunKind::Backtest => a.settings.samples.saturating_mul(accord_io::backtest::PASSES),
        _ => a.settings.samples,
    };
    let progress = Progress {
        store,
        id,
        total,
        cancel,
        done: AtomicU64::new(0),
        last: AtomicU64::new(0),
        written_pct: AtomicU64::new(0),
    };
    let report = |n: u64| progress.report(n);
    let json = |v: Result<serde_json::Value, serde_json::Error>| v.map_err(|e| e.to_string());
    match kind {
        RunKind::Forecast => {
            // The same steps and JSON as `accord forecast --json`: the input-only
            // run, the calibrated models and headline, then the hazard model.
            let mut r = accord_analysis::run::forecast_scenario(&a, cancel, &report).map_err(|e| e.to_string())?;
            if !r.run.partial {
                accord_io::calibration::attach_calibrated(&mut r, &a, None, cancel, &report)
                    .map_err(|e| e.to_string())?;
            }
            let rates = accord_analysis::hazard::rates_for(&data.record, &data.model);
            let horizon = accord_analysis::hazard::Horizon::default();
            let implementation = accord_analysis::hazard::implementation(&r, &rates, horizon);
            json(accord_analysis::hazard::forecast_json(
                &r,
                &rates,
                &implementation,
                horizon,
            ))
        }
        RunKind::Compare => {
            let b_source = settings.b.as_ref().ok_or("a compare run needs \"b\"")?;
            let b = compile_source(data, store, b_source, "b").map_err(err)?;
            // The same steps and JSON as `accord compare --json`: one pass over
            // both scenarios, then the calibrated headline on A's draws.
            let mut r = accord_analysis::run::compare(&a, &b, cancel, &report).map_err(|e| e.to_string())?;
            accord_io::calibration::attach_calibrated_comparison(&mut r, &a, &b, cancel, &report)
                .map_err(|e| e.to_string())?;
            json(serde_json::to_value(r))
        }
        RunKind::Opportunities => {
            let search = SearchSettings {
                focal: settings.focal.clone().unwrap_or_else(|| DEFAULT_FOCAL.to_owned()),
                max_levers: settings.max_levers.unwrap_or(DEFAULT_MAX_LEVERS),
                beam_width: settings.beam_width.unwrap_or(DEFAULT_BEAM_WIDTH),
                loss: parse_loss(settings.loss.as_deref()).map_err(err)?,
            };
            let r = accord_analysis::opportunities::search(&a, &data.model.levers, &search, cancel, &report)
                .map_err(|e| e.to_string())?;
            json(serde_json::to_value(r))
        }
        RunKind::Influence => {
            let r = accord_analysis::influence::influence_with(&a, settings.permutations, cancel, &|done, total| {
                progress.report_of(done, total)
            })
            .map_err(|e| e.to_string())?;
            json(serde_json::to_value(r))
        }
        RunKind::Backtest => {
            // The same questions, models and JSON as `accord backtest --json`
            // (`accord_io::backtest::compute`), on the given scenario's draws.
            let outcomes = accord_io::backtest::sco_outcomes(&data.record, &data.model).map_err(|e| e.to_string())?;
            let c = accord_io::backtest::compute(&data.record, &data.model, &a, outcomes, cancel, &report)
                .map_err(|e| e.to_string())?;
            json(serde_json::to_value(c.backtest))
        }
    }
}

/// The bounded pool: at most `max_concurrent` runs compute at once, the
/// others wait `queued`; each run has a cancel flag.
#[derive(Debug)]
pub struct Runner {
    slots: Arc<Semaphore>,
    flags: Mutex<HashMap<RunId, Arc<AtomicBool>>>,
    max_time: Duration,
}

impl Runner {
    /// A pool of `max_concurrent` workers; a run longer than `max_time` is
    /// stopped and marked failed.
    pub fn new(max_concurrent: usize, max_time: Duration) -> Self {
        Runner {
            slots: Arc::new(Semaphore::new(max_concurrent.max(1))),
            flags: Mutex::new(HashMap::new()),
            max_time,
        }
    }

    /// Runs not yet ended by this process (queued or running).
    pub fn pending(&self) -> usize {
        self.flags.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Raises run `id`'s cancel flag, if this process holds it.
    pub fn cancel(&self, id: RunId) {
        if let Some(f) = self.flags.lock().unwrap_or_else(|e| e.into_inner()).get(&id) {
            f.store(true, Ordering::Relaxed);
        }
    }

    fn forget(&self, id: RunId) {
        self.flags.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
    }

    /// Starts run `id` in the background.
    pub fn submit(
        self: &Arc<Self>,
        data: Arc<Data>,
        store: Arc<Store>,
        id: RunId,
        kind: RunKind,
        settings: RunSettings,
    ) {
        let flag = Arc::new(AtomicBool::new(false));
        self.flags
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, flag.clone());
        let runner = self.clone();
        tokio::spawn(async move {
            let Ok(_permit) = runner.slots.clone().acquire_owned().await else {
                runner.forget(id);
                return;
            };
            // Cancelled while it waited: nothing to do.
            if !matches!(store.start_run(id), Ok(true)) {
                runner.forget(id);
                return;
            }
            let (s2, f2) = (store.clone(), flag.clone());
            let mut job = tokio::task::spawn_blocking(move || execute(&data, &s2, id, kind, &settings, &f2));
            let outcome = match tokio::time::timeout(runner.max_time, &mut job).await {
                Ok(joined) => joined.map_err(|e| format!("the run stopped unexpectedly: {e}")),
                Err(_) => {
                    flag.store(true, Ordering::Relaxed);
                    let _ = job.await;
                    let _ = store.fail_run(
                        id,
                        &format!(
                            "the run took longer than the server's limit of {} s; ask for fewer samples",
                            runner.max_time.as_secs()
                        ),
                    );
                    runner.forget(id);
                    return;
                }
            };
            let _ = match outcome {
                _ if flag.load(Ordering::Relaxed) => store.mark_cancelled(id),
                Ok(Ok(result)) => store.finish_run(id, &result),
                Ok(Err(message)) | Err(message) => store.fail_run(id, &message),
            };
            runner.forget(id);
        });
    }
}
