//! `accord._native`: the Python package's bindings, kept thin. Every function
//! calls the library functions the `accord` CLI calls and returns the same
//! JSON text as its `--json` (the pure-Python layer, `accord/__init__.py`,
//! turns it into dicts and pandas DataFrames). The chunk functions
//! (`*_part`, `*_reduce`) return and take the parts as JSON bytes, so that
//! `accord.ray` ships them between machines.
//!
//! Long calls run on a separate thread with the GIL released; the calling
//! thread polls Python's signal handlers, and on Ctrl-C sets the engine's
//! cancel flag, waits for the engine to stop and raises `KeyboardInterrupt`.
//!
//! Errors become `accord.AccordError` subclasses (defined in
//! `accord/_errors.py`) carrying `file`, `line`, `column` and
//! `diagnostics`.

use std::{
    path::{Path, PathBuf},
    sync::atomic::{AtomicBool, Ordering},
    time::{Duration, Instant},
};

use accord_analysis::{Compiled, exhaustive, hazard, opportunities as search, run};
use accord_core::{Record, model::Model};
use accord_io::record::{Diagnostic, LoadError};
use pyo3::{
    exceptions::PyRuntimeError,
    prelude::*,
    types::{PyBytes, PyDict, PyList},
};

/// The most samples of a forecast or comparison without `no_limit` (the
/// CLI's cap, `docs/reliability.md`).
const MAX_SAMPLES: u64 = 1_000_000;
/// The most samples per candidate of the lever search without `no_limit`.
const MAX_SEARCH_SAMPLES: u64 = 20_000;
/// The most permutations of the influence analysis without `no_limit`.
const MAX_PERMUTATIONS: u64 = 100_000;
/// The most SMP iterations of a KTAB run.
const MAX_ITERATIONS: u64 = 10_000;
/// The most positions a KTAB run's history may hold.
const MAX_HISTORY_POSITIONS: u64 = 50_000_000;

/// The beam width the exhaustive search reports in its settings (the CLI's
/// default; the exhaustive search does not use it).
const DEFAULT_BEAM_WIDTH: i64 = 10;

/// Why a call failed, before it becomes a Python exception.
enum Failure {
    /// Input files with located problems.
    Located { heading: String, diags: Vec<Diagnostic> },
    /// A bad argument (unknown actor, negative count, …).
    Argument(String),
    /// The engine could not compute a result.
    Engine(String),
    /// A file could not be read at all.
    Io(String),
}

impl Failure {
    fn into_py(self, py: Python<'_>) -> PyErr {
        let (class, message, diags) = match self {
            Failure::Located { heading, diags } => {
                let lines: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
                ("DataError", format!("{heading}:\n{}", lines.join("\n")), diags)
            }
            Failure::Argument(m) => ("InvalidArgument", m, Vec::new()),
            Failure::Engine(m) => ("EngineError", m, Vec::new()),
            Failure::Io(m) => ("DataError", m, Vec::new()),
        };
        match make_error(py, class, &message, &diags) {
            Ok(e) => e,
            Err(e) => e,
        }
    }
}

/// An instance of `accord._errors.<class>` with its location attributes.
fn make_error(py: Python<'_>, class: &str, message: &str, diags: &[Diagnostic]) -> PyResult<PyErr> {
    let cls = py.import("accord._errors")?.getattr(class)?;
    let err = cls.call1((message,))?;
    let list = PyList::empty(py);
    for d in diags {
        let item = PyDict::new(py);
        item.set_item("file", &d.file)?;
        item.set_item("line", d.line)?;
        item.set_item("column", d.column)?;
        item.set_item("message", &d.message)?;
        list.append(item)?;
    }
    if let Some(first) = diags.first() {
        err.setattr("file", &first.file)?;
        err.setattr("line", first.line)?;
        err.setattr("column", first.column)?;
    }
    err.setattr("diagnostics", list)?;
    Ok(PyErr::from_value(err))
}

fn located(heading: &str, diags: Vec<Diagnostic>) -> Failure {
    Failure::Located {
        heading: heading.to_owned(),
        diags,
    }
}

fn engine(e: impl std::fmt::Display) -> Failure {
    Failure::Engine(e.to_string())
}

fn load_error(e: LoadError) -> Failure {
    match e {
        LoadError::Invalid(diags) => located("invalid data", diags),
        LoadError::File(t) => Failure::Located {
            heading: "cannot read the data".into(),
            diags: vec![Diagnostic {
                file: t.file,
                line: t.line.unwrap_or(0),
                column: t.column.unwrap_or(0),
                message: t.message,
            }],
        },
        other => Failure::Io(other.to_string()),
    }
}

/// Record and model: embedded, or from a data folder holding `record/` and
/// `model/` (as `accord check` takes it).
fn record_and_model(data: Option<&str>) -> Result<(Record, Model), Failure> {
    match data {
        None => {
            accord_io::embedded::sco_record_and_model().map_err(|d| located("the embedded SCO data are invalid", d))
        }
        Some(dir) => {
            let dir = Path::new(dir);
            if !dir.is_dir() {
                return Err(Failure::Argument(format!(
                    "{}: no such folder; a data folder holds record/ and model/ (e.g. data/sco)",
                    dir.display()
                )));
            }
            if !dir.join("model").is_dir() || !dir.join("record").is_dir() {
                return Err(Failure::Argument(format!(
                    "{} holds no record/ and model/ folders: give a data folder such as data/sco",
                    dir.display()
                )));
            }
            accord_io::record::load_data_dir(dir).map_err(load_error)
        }
    }
}

/// The record only: embedded, or from a data folder (or a record folder).
fn record_only(data: Option<&str>) -> Result<Record, Failure> {
    match data {
        None => accord_io::embedded::sco_record().map_err(|d| located("the embedded SCO record is invalid", d)),
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if !dir.is_dir() {
                return Err(Failure::Argument(format!("{}: no such folder", dir.display())));
            }
            let sub = dir.join("record");
            accord_io::record::load_record_dir(if sub.is_dir() { &sub } else { &dir }).map_err(load_error)
        }
    }
}

/// A whole number from Python that must be at least `min`.
fn count(what: &str, value: i64, min: i64) -> Result<u64, Failure> {
    if value < min {
        return Err(Failure::Argument(format!(
            "{what} is {value}: give a whole number of at least {min}"
        )));
    }
    Ok(value as u64)
}

fn seed_of(seed: Option<i64>) -> Result<Option<u64>, Failure> {
    seed.map(|s| count("seed", s, 0)).transpose()
}

/// What a scenario is: its name for errors and its text (`None`: the
/// embedded baseline).
fn scenario_of(name: Option<String>, text: Option<String>) -> (String, String) {
    match (name, text) {
        (Some(n), Some(t)) => (n, t),
        _ => {
            let (n, t) = accord_io::embedded::SCO_SCENARIOS[0];
            (n.to_owned(), t.to_owned())
        }
    }
}

/// Parses and compiles a scenario, applies `samples` and `seed`, and checks
/// the sample count against `limit` (unless `no_limit`).
fn compile(
    record: &Record,
    model: &Model,
    scenario: (String, String),
    samples: Option<i64>,
    seed: Option<i64>,
    limit: u64,
    no_limit: bool,
) -> Result<Compiled, Failure> {
    let (name, text) = scenario;
    let parsed = accord_io::scenario::parse_scenario(&name, &text).map_err(|d| located("invalid scenario", d))?;
    let mut c = accord_analysis::compile(record, model, &parsed).map_err(|problems| {
        located(
            "invalid scenario",
            accord_io::scenario::locate_problems(&name, &text, &problems),
        )
    })?;
    if let Some(n) = samples {
        c.settings.samples = count("samples", n, 1)?;
    }
    if let Some(s) = seed_of(seed)? {
        c.settings.seed = s;
    }
    if c.settings.samples > limit && !no_limit {
        return Err(Failure::Argument(format!(
            "samples is {}, more than the limit of {limit} (about ten minutes of work); pass no_limit=True to run it anyway",
            c.settings.samples
        )));
    }
    Ok(c)
}

/// Runs `f` on another thread with the GIL released, polling Python's
/// signal handlers: on Ctrl-C (or any exception a handler raises) the
/// cancel flag is set, the engine stops at its next check, and the
/// exception (`KeyboardInterrupt`) is raised.
fn interruptible<T: Send>(py: Python<'_>, f: impl FnOnce(&AtomicBool) -> T + Send) -> PyResult<T> {
    let cancel = AtomicBool::new(false);
    std::thread::scope(|s| {
        let handle = s.spawn(|| f(&cancel));
        loop {
            let finished = py.detach(|| {
                let start = Instant::now();
                while !handle.is_finished() && start.elapsed() < Duration::from_millis(100) {
                    std::thread::sleep(Duration::from_millis(2));
                }
                handle.is_finished()
            });
            if finished {
                break;
            }
            if let Err(e) = py.check_signals() {
                cancel.store(true, Ordering::Relaxed);
                let _ = py.detach(move || handle.join());
                return Err(e);
            }
        }
        py.detach(move || handle.join())
            .map_err(|_| PyRuntimeError::new_err("internal error: the engine panicked (please report it)"))
    })
}

/// Runs `f` interruptibly and converts its failure.
fn call<T: Send>(py: Python<'_>, f: impl FnOnce(&AtomicBool) -> Result<T, Failure> + Send) -> PyResult<T> {
    interruptible(py, f)?.map_err(|e| e.into_py(py))
}

fn to_json(v: &impl serde::Serialize) -> Result<String, Failure> {
    serde_json::to_string(v).map_err(engine)
}

fn to_bytes<'py>(py: Python<'py>, v: &impl serde::Serialize) -> PyResult<Bound<'py, PyBytes>> {
    let bytes = serde_json::to_vec(v).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    Ok(PyBytes::new(py, &bytes))
}

fn from_bytes<T: serde::de::DeserializeOwned>(what: &str, parts: &[Vec<u8>]) -> Result<Vec<T>, Failure> {
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            serde_json::from_slice(p).map_err(|e| Failure::Argument(format!("{what} part {i} does not read: {e}")))
        })
        .collect()
}

/// The embedded scenarios: (file name, text), the baseline first.
#[pyfunction]
fn embedded_scenarios() -> Vec<(String, String)> {
    accord_io::embedded::SCO_SCENARIOS
        .iter()
        .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
        .collect()
}

/// Loads and checks a data folder (record and model); raises on problems.
#[pyfunction]
fn check_data(py: Python<'_>, data: String) -> PyResult<()> {
    call(py, move |_| record_and_model(Some(&data)).map(|_| ()))
}

/// A text file read through Accord's bounded reader (size limit; invalid
/// UTF-8 located by line and column).
#[pyfunction]
fn read_text(py: Python<'_>, path: PathBuf) -> PyResult<String> {
    call(py, move |_| {
        accord_io::text::read_text_file(&path).map_err(|e| {
            located(
                "cannot read the file",
                vec![Diagnostic {
                    file: e.file,
                    line: e.line.unwrap_or(0),
                    column: e.column.unwrap_or(0),
                    message: e.message,
                }],
            )
        })
    })
}

/// The (samples, seed) a scenario runs with, after `samples` and `seed`.
#[pyfunction]
#[pyo3(signature = (data=None, scenario_name=None, scenario_text=None, samples=None, seed=None))]
fn run_settings(
    py: Python<'_>,
    data: Option<String>,
    scenario_name: Option<String>,
    scenario_text: Option<String>,
    samples: Option<i64>,
    seed: Option<i64>,
) -> PyResult<(u64, u64)> {
    call(py, move |_| {
        let (record, model) = record_and_model(data.as_deref())?;
        let c = compile(
            &record,
            &model,
            scenario_of(scenario_name, scenario_text),
            samples,
            seed,
            u64::MAX,
            true,
        )?;
        Ok((c.settings.samples, c.settings.seed))
    })
}

/// Monte Carlo chunks of a run of `samples` samples (the unit of `*_part`).
#[pyfunction]
fn chunk_count(samples: i64) -> PyResult<u64> {
    Python::attach(|py| {
        count("samples", samples, 1)
            .map(accord_engine::montecarlo::chunk_count)
            .map_err(|e| e.into_py(py))
    })
}

/// Samples per Monte Carlo chunk.
#[pyfunction]
fn chunk_size() -> u64 {
    accord_engine::montecarlo::CHUNK
}

/// Settings of a forecast, shared by `forecast`, `forecast_part` and `forecast_reduce`.
struct ForecastJob {
    data: Option<String>,
    scenario: (String, String),
    samples: Option<i64>,
    seed: Option<i64>,
    model: Option<String>,
    input_only: bool,
    no_limit: bool,
}

impl ForecastJob {
    fn compile(&self) -> Result<(Record, Model, Compiled), Failure> {
        if let Some(name) = &self.model {
            let valid: Vec<&str> = accord_analysis::ensemble::members().iter().map(|m| m.name).collect();
            if !valid.contains(&name.as_str()) {
                return Err(Failure::Argument(format!(
                    "model {name:?} is not a validated model{}; valid: {}",
                    accord_core::suggest::did_you_mean(name, valid.iter().copied()),
                    valid.join(", ")
                )));
            }
        }
        let (record, model) = record_and_model(self.data.as_deref())?;
        let c = compile(
            &record,
            &model,
            self.scenario.clone(),
            self.samples,
            self.seed,
            MAX_SAMPLES,
            self.no_limit,
        )?;
        Ok((record, model, c))
    }

    /// The CLI's `forecast --json` from a report (calibrated or not).
    #[allow(clippy::too_many_arguments)]
    fn json(
        &self,
        record: &Record,
        model: &Model,
        c: &Compiled,
        report: &run::ForecastReport,
        horizon: hazard::Horizon,
        sensitivity: bool,
        cancel: &AtomicBool,
    ) -> Result<String, Failure> {
        let rates = hazard::rates_for(record, model);
        let implementation = hazard::implementation(report, &rates, horizon);
        let mut v = hazard::forecast_json(report, &rates, &implementation, horizon).map_err(engine)?;
        if sensitivity {
            let s = accord_analysis::sensitivity::sensitivity(c, c.settings.samples, cancel).map_err(engine)?;
            if let Some(o) = v.as_object_mut() {
                o.insert("sensitivity".into(), serde_json::to_value(s).map_err(engine)?);
            }
        }
        to_json(&v)
    }
}

fn horizon_of(years: i64) -> Result<hazard::Horizon, Failure> {
    let y = u32::try_from(years).map_err(|_| Failure::Argument(format!("horizon {years} is not valid: give 1–100")))?;
    hazard::Horizon::new(y).map_err(Failure::Argument)
}

/// `accord forecast --json`: the Monte Carlo forecast of a scenario, with
/// the calibrated ensemble (unless `input_only`) and the implementation
/// horizon.
#[pyfunction]
#[pyo3(signature = (data=None, scenario_name=None, scenario_text=None, samples=None, seed=None, model=None, input_only=false, horizon=15, sensitivity=false, no_limit=false))]
#[allow(clippy::too_many_arguments)]
fn forecast(
    py: Python<'_>,
    data: Option<String>,
    scenario_name: Option<String>,
    scenario_text: Option<String>,
    samples: Option<i64>,
    seed: Option<i64>,
    model: Option<String>,
    input_only: bool,
    horizon: i64,
    sensitivity: bool,
    no_limit: bool,
) -> PyResult<String> {
    let job = ForecastJob {
        data,
        scenario: scenario_of(scenario_name, scenario_text),
        samples,
        seed,
        model,
        input_only,
        no_limit,
    };
    call(py, move |cancel| {
        let horizon = horizon_of(horizon)?;
        let (record, model, c) = job.compile()?;
        let mut report = run::forecast_scenario(&c, cancel, &|_| {}).map_err(engine)?;
        if !job.input_only && !report.run.partial {
            accord_io::calibration::attach_calibrated(&mut report, &c, job.model.as_deref(), cancel, &|_| {})
                .map_err(engine)?;
        }
        job.json(&record, &model, &c, &report, horizon, sensitivity, cancel)
    })
}

/// One part of a forecast: the Monte Carlo chunks `first..end` and, unless
/// `input_only`, the calibrated ensemble's draws of the same samples.
#[derive(serde::Serialize, serde::Deserialize)]
struct ForecastPart {
    monte_carlo: accord_engine::montecarlo::ChunkPart,
    ensemble: Option<accord_analysis::ensemble::EnsemblePart>,
}

/// The chunks `first..end` of `forecast` (see `chunk_count`), as JSON bytes.
#[pyfunction]
#[pyo3(signature = (first, end, data=None, scenario_name=None, scenario_text=None, samples=None, seed=None, model=None, input_only=false, no_limit=false))]
#[allow(clippy::too_many_arguments)]
fn forecast_part<'py>(
    py: Python<'py>,
    first: i64,
    end: i64,
    data: Option<String>,
    scenario_name: Option<String>,
    scenario_text: Option<String>,
    samples: Option<i64>,
    seed: Option<i64>,
    model: Option<String>,
    input_only: bool,
    no_limit: bool,
) -> PyResult<Bound<'py, PyBytes>> {
    let job = ForecastJob {
        data,
        scenario: scenario_of(scenario_name, scenario_text),
        samples,
        seed,
        model,
        input_only,
        no_limit,
    };
    let part = call(py, move |cancel| {
        let (first, end) = (count("first", first, 0)?, count("end", end, 0)?);
        let (_, _, c) = job.compile()?;
        let monte_carlo = run::forecast_part(&c, first..end, cancel, &|_| {}).map_err(engine)?;
        let ensemble = if job.input_only {
            None
        } else {
            let chunk = accord_engine::montecarlo::CHUNK;
            let samples = first * chunk..(end * chunk).min(c.settings.samples);
            Some(
                accord_io::calibration::calibrated_part(&c, job.model.as_deref(), samples, cancel, &|_| {})
                    .map_err(engine)?,
            )
        };
        Ok(ForecastPart { monte_carlo, ensemble })
    })?;
    to_bytes(py, &part)
}

/// `forecast`'s JSON from the parts of `forecast_part` in chunk order.
#[pyfunction]
#[pyo3(signature = (parts, data=None, scenario_name=None, scenario_text=None, samples=None, seed=None, model=None, input_only=false, horizon=15, no_limit=false))]
#[allow(clippy::too_many_arguments)]
fn forecast_reduce(
    py: Python<'_>,
    parts: Vec<Vec<u8>>,
    data: Option<String>,
    scenario_name: Option<String>,
    scenario_text: Option<String>,
    samples: Option<i64>,
    seed: Option<i64>,
    model: Option<String>,
    input_only: bool,
    horizon: i64,
    no_limit: bool,
) -> PyResult<String> {
    let job = ForecastJob {
        data,
        scenario: scenario_of(scenario_name, scenario_text),
        samples,
        seed,
        model,
        input_only,
        no_limit,
    };
    call(py, move |cancel| {
        let horizon = horizon_of(horizon)?;
        let parts: Vec<ForecastPart> = from_bytes("forecast", &parts)?;
        let (record, model, c) = job.compile()?;
        let mc: Vec<_> = parts.iter().map(|p| p.monte_carlo.clone()).collect();
        let mut report = run::forecast_reduce(&c, &mc).map_err(engine)?;
        if !job.input_only && !report.run.partial {
            let ens: Vec<_> = parts.iter().filter_map(|p| p.ensemble.clone()).collect();
            if ens.len() != parts.len() {
                return Err(Failure::Argument(
                    "the parts hold no ensemble draws: make them without input_only".into(),
                ));
            }
            accord_io::calibration::attach_calibrated_parts(&mut report, &c, job.model.as_deref(), &ens)
                .map_err(engine)?;
        }
        job.json(&record, &model, &c, &report, horizon, false, cancel)
    })
}

/// Two compiled scenarios of a comparison (B runs with A's seed and samples).
fn compile_pair(
    data: Option<&str>,
    a: (String, String),
    b: (String, String),
    samples: Option<i64>,
    seed: Option<i64>,
    no_limit: bool,
) -> Result<(Compiled, Compiled), Failure> {
    let (record, model) = record_and_model(data)?;
    let ca = compile(&record, &model, a, samples, seed, MAX_SAMPLES, no_limit)?;
    let cb = compile(&record, &model, b, None, None, u64::MAX, true)?;
    Ok((ca, cb))
}

/// `accord compare A B --json`.
#[pyfunction]
#[pyo3(signature = (a_name, a_text, b_name, b_text, data=None, samples=None, seed=None, no_limit=false, input_only=false))]
#[allow(clippy::too_many_arguments)]
fn compare(
    py: Python<'_>,
    a_name: String,
    a_text: String,
    b_name: String,
    b_text: String,
    data: Option<String>,
    samples: Option<i64>,
    seed: Option<i64>,
    no_limit: bool,
    input_only: bool,
) -> PyResult<String> {
    call(py, move |cancel| {
        let (a, b) = compile_pair(
            data.as_deref(),
            (a_name, a_text),
            (b_name, b_text),
            samples,
            seed,
            no_limit,
        )?;
        let mut cmp = run::compare(&a, &b, cancel, &|_| {}).map_err(engine)?;
        if cmp.a.run.partial {
            return Err(Failure::Engine("the comparison was stopped".into()));
        }
        calibrate_pair(&mut cmp, &a, &b, input_only, cancel)?;
        to_json(&cmp)
    })
}

/// The calibrated headline of a comparison, as `accord compare` reports it
/// (`accord_io::calibration::attach_calibrated_comparison`), unless
/// `input_only`.
fn calibrate_pair(
    cmp: &mut run::Comparison,
    a: &Compiled,
    b: &Compiled,
    input_only: bool,
    cancel: &std::sync::atomic::AtomicBool,
) -> Result<(), Failure> {
    if input_only {
        return Ok(());
    }
    accord_io::calibration::attach_calibrated_comparison(cmp, a, b, cancel, &|_| {})
        .map_err(|e| Failure::Engine(e.to_string()))?;
    if cmp.a.calibration.as_ref().is_some_and(|u| u.partial) {
        return Err(Failure::Engine("the comparison was stopped".into()));
    }
    Ok(())
}

/// The chunks `first..end` of `compare`, as JSON bytes.
#[pyfunction]
#[pyo3(signature = (first, end, a_name, a_text, b_name, b_text, data=None, samples=None, seed=None, no_limit=false))]
#[allow(clippy::too_many_arguments)]
fn compare_part<'py>(
    py: Python<'py>,
    first: i64,
    end: i64,
    a_name: String,
    a_text: String,
    b_name: String,
    b_text: String,
    data: Option<String>,
    samples: Option<i64>,
    seed: Option<i64>,
    no_limit: bool,
) -> PyResult<Bound<'py, PyBytes>> {
    let part = call(py, move |cancel| {
        let (first, end) = (count("first", first, 0)?, count("end", end, 0)?);
        let (a, b) = compile_pair(
            data.as_deref(),
            (a_name, a_text),
            (b_name, b_text),
            samples,
            seed,
            no_limit,
        )?;
        run::compare_part(&a, &b, first..end, cancel, &|_| {}).map_err(engine)
    })?;
    to_bytes(py, &part)
}

/// `compare`'s JSON from the parts of `compare_part` in chunk order.
#[pyfunction]
#[pyo3(signature = (parts, a_name, a_text, b_name, b_text, data=None, samples=None, seed=None, no_limit=false, input_only=false))]
#[allow(clippy::too_many_arguments)]
fn compare_reduce(
    py: Python<'_>,
    parts: Vec<Vec<u8>>,
    a_name: String,
    a_text: String,
    b_name: String,
    b_text: String,
    data: Option<String>,
    samples: Option<i64>,
    seed: Option<i64>,
    no_limit: bool,
    input_only: bool,
) -> PyResult<String> {
    call(py, move |cancel| {
        let parts = from_bytes("comparison", &parts)?;
        let (a, b) = compile_pair(
            data.as_deref(),
            (a_name, a_text),
            (b_name, b_text),
            samples,
            seed,
            no_limit,
        )?;
        let mut cmp = run::compare_reduce(&a, &b, &parts).map_err(engine)?;
        // The calibrated headline runs here, on the driver: the same
        // computation as the local `compare`, so the result is identical.
        calibrate_pair(&mut cmp, &a, &b, input_only, cancel)?;
        to_json(&cmp)
    })
}

/// The most combinations of the exhaustive search without `no_limit` (the
/// CLI's cap, `docs/reliability.md`).
const MAX_EXHAUSTIVE_COMBINATIONS: u64 = 500_000;

/// Settings of a lever search.
struct SearchJob {
    data: Option<String>,
    scenario: (String, String),
    focal: String,
    max_levers: i64,
    beam_width: i64,
    samples: Option<i64>,
    seed: Option<i64>,
    loss: String,
    no_limit: bool,
}

impl SearchJob {
    /// The compiled scenario, the levers (the model's and the packages the
    /// focal actor can offer) and the search settings, as `accord
    /// opportunities` builds them.
    fn prepare(&self) -> Result<(Compiled, Vec<accord_core::model::Lever>, search::SearchSettings), Failure> {
        let loss = match self.loss.as_str() {
            "linear" => search::Loss::Linear,
            "quadratic" => search::Loss::Quadratic,
            other => {
                return Err(Failure::Argument(format!(
                    "loss {other:?} is not valid: give \"linear\" or \"quadratic\""
                )));
            }
        };
        let settings = search::SearchSettings {
            focal: self.focal.clone(),
            max_levers: count("max_levers", self.max_levers, 1)? as usize,
            beam_width: count("beam_width", self.beam_width, 1)? as usize,
            loss,
        };
        let (record, model) = record_and_model(self.data.as_deref())?;
        let compiled = compile(
            &record,
            &model,
            self.scenario.clone(),
            self.samples,
            self.seed,
            MAX_SEARCH_SAMPLES,
            self.no_limit,
        )?;
        if !model.levers.iter().any(|l| l.actor.as_str() == settings.focal) {
            let mut with_levers: Vec<&str> = model.levers.iter().map(|l| l.actor.as_str()).collect();
            with_levers.dedup();
            let known = record.actors.iter().any(|a| a.id.as_str() == settings.focal);
            return Err(Failure::Argument(format!(
                "focal actor {}: {}{}; actors with levers: {}",
                settings.focal,
                if known {
                    "this actor has no lever in the model"
                } else {
                    "no such actor in the record"
                },
                accord_core::suggest::did_you_mean(&settings.focal, with_levers.iter().copied()),
                with_levers.join(", ")
            )));
        }
        let mut levers = model.levers.clone();
        levers.extend(search::package_levers(&compiled, &model.links, &settings.focal));
        Ok((compiled, levers, settings))
    }

    /// [`Self::prepare`] for the exhaustive search: also checks the number
    /// of combinations against the cap.
    fn prepare_exhaustive(
        &self,
    ) -> Result<(Compiled, Vec<accord_core::model::Lever>, search::SearchSettings), Failure> {
        let (c, levers, settings) = self.prepare()?;
        let mine = levers.iter().filter(|l| l.actor.as_str() == settings.focal).count();
        let n = exhaustive::combinations(mine, settings.max_levers);
        if n > MAX_EXHAUSTIVE_COMBINATIONS && !self.no_limit {
            return Err(Failure::Argument(format!(
                "the exhaustive search over {mine} levers of {} with max_levers {} has {n} combinations,                  more than the limit of {MAX_EXHAUSTIVE_COMBINATIONS}; pass no_limit=True to run it anyway",
                settings.focal, settings.max_levers
            )));
        }
        Ok((c, levers, settings))
    }
}

/// `accord opportunities --json`: the search of the focal actor's levers
/// (`exhaustive`: every combination of up to `max_levers`, not the beam).
#[pyfunction]
#[pyo3(signature = (focal="RUS".to_owned(), data=None, scenario_name=None, scenario_text=None, max_levers=3, beam_width=10, samples=None, seed=None, loss="linear".to_owned(), exhaustive=false, no_limit=false))]
#[allow(clippy::too_many_arguments)]
fn opportunities(
    py: Python<'_>,
    focal: String,
    data: Option<String>,
    scenario_name: Option<String>,
    scenario_text: Option<String>,
    max_levers: i64,
    beam_width: i64,
    samples: Option<i64>,
    seed: Option<i64>,
    loss: String,
    exhaustive: bool,
    no_limit: bool,
) -> PyResult<String> {
    let job = SearchJob {
        data,
        scenario: scenario_of(scenario_name, scenario_text),
        focal,
        max_levers,
        beam_width,
        samples,
        seed,
        loss,
        no_limit,
    };
    call(py, move |cancel| {
        let (c, levers, settings) = if exhaustive {
            job.prepare_exhaustive()?
        } else {
            job.prepare()?
        };
        let report = if exhaustive {
            exhaustive::search(&c, &levers, &settings, cancel, &|_| {})
        } else {
            search::search(&c, &levers, &settings, cancel, &|_| {})
        }
        .map_err(engine)?;
        to_json(&report)
    })
}

/// Candidates of the exhaustive search (combinations of 1 to `max_levers`).
#[pyfunction]
#[pyo3(signature = (focal="RUS".to_owned(), data=None, scenario_name=None, scenario_text=None, max_levers=3, samples=None, seed=None, loss="linear".to_owned(), no_limit=false))]
#[allow(clippy::too_many_arguments)]
fn search_candidates(
    py: Python<'_>,
    focal: String,
    data: Option<String>,
    scenario_name: Option<String>,
    scenario_text: Option<String>,
    max_levers: i64,
    samples: Option<i64>,
    seed: Option<i64>,
    loss: String,
    no_limit: bool,
) -> PyResult<u64> {
    let job = SearchJob {
        data,
        scenario: scenario_of(scenario_name, scenario_text),
        focal,
        max_levers,
        beam_width: DEFAULT_BEAM_WIDTH,
        samples,
        seed,
        loss,
        no_limit,
    };
    call(py, move |_| {
        let (c, levers, settings) = job.prepare_exhaustive()?;
        Ok(exhaustive::Plan::new(&c, &levers, &settings).map_err(engine)?.len())
    })
}

/// Candidates `start..end` of the exhaustive search, as JSON bytes.
#[pyfunction]
#[pyo3(signature = (start, end, focal="RUS".to_owned(), data=None, scenario_name=None, scenario_text=None, max_levers=3, samples=None, seed=None, loss="linear".to_owned(), no_limit=false))]
#[allow(clippy::too_many_arguments)]
fn search_part<'py>(
    py: Python<'py>,
    start: i64,
    end: i64,
    focal: String,
    data: Option<String>,
    scenario_name: Option<String>,
    scenario_text: Option<String>,
    max_levers: i64,
    samples: Option<i64>,
    seed: Option<i64>,
    loss: String,
    no_limit: bool,
) -> PyResult<Bound<'py, PyBytes>> {
    let job = SearchJob {
        data,
        scenario: scenario_of(scenario_name, scenario_text),
        focal,
        max_levers,
        beam_width: DEFAULT_BEAM_WIDTH,
        samples,
        seed,
        loss,
        no_limit,
    };
    let part = call(py, move |cancel| {
        let (start, end) = (count("start", start, 0)?, count("end", end, 0)?);
        let (c, levers, settings) = job.prepare_exhaustive()?;
        let plan = exhaustive::Plan::new(&c, &levers, &settings).map_err(engine)?;
        exhaustive::evaluate(&plan, start..end, cancel, &|_| {}).map_err(engine)
    })?;
    to_bytes(py, &part)
}

/// The exhaustive search's JSON from the parts of `search_part` in order.
#[pyfunction]
#[pyo3(signature = (parts, focal="RUS".to_owned(), data=None, scenario_name=None, scenario_text=None, max_levers=3, samples=None, seed=None, loss="linear".to_owned(), no_limit=false))]
#[allow(clippy::too_many_arguments)]
fn search_reduce(
    py: Python<'_>,
    parts: Vec<Vec<u8>>,
    focal: String,
    data: Option<String>,
    scenario_name: Option<String>,
    scenario_text: Option<String>,
    max_levers: i64,
    samples: Option<i64>,
    seed: Option<i64>,
    loss: String,
    no_limit: bool,
) -> PyResult<String> {
    let job = SearchJob {
        data,
        scenario: scenario_of(scenario_name, scenario_text),
        focal,
        max_levers,
        beam_width: DEFAULT_BEAM_WIDTH,
        samples,
        seed,
        loss,
        no_limit,
    };
    call(py, move |_| {
        let parts: Vec<exhaustive::Part> = from_bytes("search", &parts)?;
        let (c, levers, settings) = job.prepare_exhaustive()?;
        let plan = exhaustive::Plan::new(&c, &levers, &settings).map_err(engine)?;
        to_json(&exhaustive::reduce(&plan, &parts).map_err(engine)?)
    })
}

/// `accord influence --json`.
#[pyfunction]
#[pyo3(signature = (data=None, scenario_name=None, scenario_text=None, permutations=None, no_limit=false))]
fn influence(
    py: Python<'_>,
    data: Option<String>,
    scenario_name: Option<String>,
    scenario_text: Option<String>,
    permutations: Option<i64>,
    no_limit: bool,
) -> PyResult<String> {
    call(py, move |_| {
        let permutations = permutations.map(|p| count("permutations", p, 1)).transpose()?;
        if let Some(p) = permutations.filter(|&p| p > MAX_PERMUTATIONS && !no_limit) {
            return Err(Failure::Argument(format!(
                "permutations is {p}, more than the limit of {MAX_PERMUTATIONS}; pass no_limit=True to run it anyway"
            )));
        }
        let (record, model) = record_and_model(data.as_deref())?;
        let c = compile(
            &record,
            &model,
            scenario_of(scenario_name, scenario_text),
            None,
            None,
            u64::MAX,
            true,
        )?;
        to_json(&accord_analysis::influence::influence(&c, permutations).map_err(engine)?)
    })
}

/// `accord backtest --json` (the embedded SCO data): every model and the
/// calibrated headline scored against what happened by 2025.
#[pyfunction]
#[pyo3(signature = (samples=1000, seed=None, no_limit=false))]
fn backtest(py: Python<'_>, samples: i64, seed: Option<i64>, no_limit: bool) -> PyResult<String> {
    call(py, move |cancel| {
        let samples = count("samples", samples, 1)?;
        if samples > MAX_SAMPLES && !no_limit {
            return Err(Failure::Argument(format!(
                "samples is {samples}, more than the limit of {MAX_SAMPLES}; pass no_limit=True to run it anyway"
            )));
        }
        let seed = seed_of(seed)?;
        let (record, model) = record_and_model(None)?;
        let base = accord_io::backtest::sco_baseline(&record, &model, Some(samples), seed)
            .map_err(|d| located("invalid scenario", d))?;
        let outcomes = accord_io::backtest::sco_outcomes(&record, &model).map_err(engine)?;
        let c = accord_io::backtest::compute(&record, &model, &base, outcomes, cancel, &|_| {}).map_err(engine)?;
        to_json(&c.backtest)
    })
}

/// `accord ktab run FILE --json`: KTAB's SMP on a KTAB CSV or XML scenario.
#[pyfunction]
#[pyo3(signature = (path, seed=None, max_iterations=None))]
fn ktab_run(py: Python<'_>, path: PathBuf, seed: Option<i64>, max_iterations: Option<i64>) -> PyResult<String> {
    call(py, move |_| {
        let scenario = accord_io::ktab::read_file(&path).map_err(|e| {
            located(
                "invalid KTAB scenario",
                vec![Diagnostic {
                    file: e.file.clone(),
                    line: e.line.unwrap_or(0),
                    column: e.column.unwrap_or(0),
                    message: match &e.field {
                        Some(f) => format!("{f}: {}", e.message),
                        None => e.message.clone(),
                    },
                }],
            )
        })?;
        let mut settings = scenario.settings.clone();
        if let Some(m) = max_iterations {
            settings.max_iterations = count("max_iterations", m, 1)? as usize;
        }
        let positions = (scenario.issue.stances.len() * scenario.issue.dimensions).max(1) as u64;
        let limit = (MAX_HISTORY_POSITIONS / positions).clamp(1, MAX_ITERATIONS);
        if settings.max_iterations as u64 > limit {
            return Err(Failure::Argument(format!(
                "max_iterations is {}, more than the limit of {limit} for this scenario (the history is kept in memory)",
                settings.max_iterations
            )));
        }
        let seed = seed_of(seed)?.or(scenario.seed).unwrap_or(0);
        let result = accord_engine::smp::run(&scenario.issue, &settings, seed)
            .map_err(|e| Failure::Engine(format!("running SMP on {}: {e}", path.display())))?;
        to_json(&accord_io::ktab::run_json(
            &scenario,
            &path.display().to_string(),
            &settings,
            seed,
            &result,
        ))
    })
}

fn deu_error(e: accord_io::deu::DeuError) -> Failure {
    located(
        "invalid DEU data",
        vec![Diagnostic {
            file: e.file,
            line: e.line,
            column: 0,
            message: match e.column {
                Some(c) => format!("column `{c}`: {}", e.message),
                None => e.message,
            },
        }],
    )
}

/// `accord validate deu [FILE] --json`: every model scored on DEU III
/// issues (default: the development part shipped with Accord), with the
/// calibration of the headline.
#[pyfunction]
#[pyo3(signature = (path=None, weights=None, seed=None, resamples=None, folds=None, repeats=None, dynamics=true))]
#[allow(clippy::too_many_arguments)]
fn validate_deu(
    py: Python<'_>,
    path: Option<PathBuf>,
    weights: Option<PathBuf>,
    seed: Option<i64>,
    resamples: Option<i64>,
    folds: Option<i64>,
    repeats: Option<i64>,
    dynamics: bool,
) -> PyResult<String> {
    use accord_io::deu;
    call(py, move |cancel| {
        let defaults = deu::PlanSettings::default();
        let settings = deu::PlanSettings {
            seed: seed_of(seed)?.unwrap_or(defaults.seed),
            resamples: resamples.map_or(Ok(defaults.resamples as u64), |r| count("resamples", r, 1))? as usize,
            folds: folds.map_or(Ok(defaults.folds as u64), |f| count("folds", f, 2))? as usize,
            repeats: repeats.map_or(Ok(defaults.repeats as u64), |r| count("repeats", r, 1))? as usize,
            dynamics,
        };
        if settings.resamples > 100_000 || settings.repeats > 1_000 {
            return Err(Failure::Argument(
                "resamples is at most 100,000 and repeats at most 1,000".into(),
            ));
        }
        let read = |p: &Path| {
            accord_io::text::read_text_file(p).map_err(|e| {
                located(
                    "cannot read the file",
                    vec![Diagnostic {
                        file: e.file,
                        line: e.line.unwrap_or(0),
                        column: e.column.unwrap_or(0),
                        message: e.message,
                    }],
                )
            })
        };
        let (weights_text, weights_name) = match &weights {
            Some(p) => (read(p)?, p.display().to_string()),
            None => (
                deu::COUNCIL_WEIGHTS_CSV.to_string(),
                deu::COUNCIL_WEIGHTS_NAME.to_string(),
            ),
        };
        let council = deu::parse_council_weights(&weights_text, &weights_name).map_err(deu_error)?;
        let (data_text, data_name) = match &path {
            Some(p) => (read(p)?, p.display().to_string()),
            None => (deu::DEU3_DEV_TSV.to_string(), deu::DEU3_DEV_NAME.to_string()),
        };
        let data = deu::read_deu(&data_text, &data_name, &council).map_err(deu_error)?;
        let plan = deu::validation_plan(&data, &settings);
        if plan.cases.is_empty() {
            return Err(Failure::Argument(format!(
                "{data_name}: no issue has a recorded outcome (column `out`), so nothing can be scored or calibrated"
            )));
        }
        if settings.folds > data.proposals() {
            return Err(Failure::Argument(format!(
                "folds {} is more than the {} proposals of {data_name}: give from 2 to {}",
                settings.folds,
                data.proposals(),
                data.proposals()
            )));
        }
        let predictions = accord_engine::validation::predict_all(&plan.cases, &plan.candidates, plan.config.seed);
        let report = accord_engine::validation::score(&plan.cases, &plan.candidates, &predictions, &plan.config);
        let (calibration, missing) = accord_io::calibration::calibrate_plan(
            &plan,
            &predictions,
            &data_name,
            settings.folds,
            settings.seed,
            cancel,
            &|_, _| {},
        )
        .map_err(|e| Failure::Engine(e.to_string()))?;
        to_json(&accord_report::validation::json_report(
            &data,
            &plan,
            &report,
            accord_io::calibration::json_calibration(&calibration, &missing),
        ))
    })
}

fn day(what: &str, s: &str) -> Result<chrono::NaiveDate, Failure> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| Failure::Argument(format!("{what} {s:?} is not a date: give YYYY-MM-DD")))
}

fn known_org(record: &Record, org: &str) -> Result<(), Failure> {
    if record.organizations.iter().any(|o| o.id.as_str() == org) {
        return Ok(());
    }
    let ids: Vec<&str> = record.organizations.iter().map(|o| o.id.as_str()).collect();
    Err(Failure::Argument(format!(
        "no organization `{org}` in the record{}; organizations: {}",
        accord_core::suggest::did_you_mean(org, ids.iter().copied()),
        ids.join(", ")
    )))
}

fn known_actor(record: &Record, actor: &str) -> Result<(), Failure> {
    if record.actors.iter().any(|a| a.id.as_str() == actor) {
        return Ok(());
    }
    Err(Failure::Argument(format!(
        "no actor `{actor}` in the record{}",
        accord_core::suggest::did_you_mean(actor, record.actors.iter().map(|a| a.id.as_str()))
    )))
}

/// `accord record …` queries: `query` is status, timeline, bodies,
/// instruments, gap, show or search, with its arguments (dates as
/// YYYY-MM-DD; `start`/`end` are the CLI's `--from`/`--to`).
#[pyfunction]
#[pyo3(signature = (query, data=None, org=None, at=None, actor=None, id=None, text=None, status=None, sphere=None, start=None, end=None))]
#[allow(clippy::too_many_arguments)]
fn record(
    py: Python<'_>,
    query: String,
    data: Option<String>,
    org: Option<String>,
    at: Option<String>,
    actor: Option<String>,
    id: Option<String>,
    text: Option<String>,
    status: Option<String>,
    sphere: Option<String>,
    start: Option<String>,
    end: Option<String>,
) -> PyResult<String> {
    use accord_core::{InstrumentStatus, Sphere, query as q};
    call(py, move |_| {
        let record = record_only(data.as_deref())?;
        let need = |v: &Option<String>, what: &str| {
            v.clone()
                .ok_or_else(|| Failure::Argument(format!("record query `{query}` needs {what}")))
        };
        let at_day = || day("at", &need(&at, "at (a date)")?);
        let org_of = || -> Result<String, Failure> {
            let o = org.clone().unwrap_or_else(|| "SCO".into());
            known_org(&record, &o)?;
            Ok(o)
        };
        match query.as_str() {
            "status" => to_json(&q::status_on(&record, &org_of()?, at_day()?)),
            "timeline" => {
                let a = need(&actor, "actor")?;
                known_actor(&record, &a)?;
                to_json(&q::timeline(&record, &a))
            }
            "bodies" => to_json(&q::bodies_on(&record, &org_of()?, at_day()?)),
            "gap" => to_json(&q::gap(&record, &org_of()?, at_day()?)),
            "instruments" => {
                let choice =
                    |v: &Option<String>, what: &str, names: Vec<&'static str>| -> Result<Option<usize>, Failure> {
                        v.as_ref()
                            .map(|s| {
                                names.iter().position(|n| n == s).ok_or_else(|| {
                                    Failure::Argument(format!(
                                        "{what} {s:?} is not valid{}; valid: {}",
                                        accord_core::suggest::did_you_mean(s, names.iter().copied()),
                                        names.join(", ")
                                    ))
                                })
                            })
                            .transpose()
                    };
                let statuses = InstrumentStatus::ALL;
                let spheres = Sphere::ALL;
                let filter = q::InstrumentFilter {
                    status: choice(&status, "status", statuses.iter().map(|s| s.as_str()).collect())?
                        .map(|i| statuses[i]),
                    sphere: choice(&sphere, "sphere", spheres.iter().map(|s| s.as_str()).collect())?
                        .map(|i| spheres[i]),
                    from: start.as_deref().map(|d| day("start", d)).transpose()?,
                    to: end.as_deref().map(|d| day("end", d)).transpose()?,
                    on: at.as_deref().map(|d| day("at", d)).transpose()?,
                };
                to_json(&q::instruments(&record, &filter))
            }
            "show" => {
                let id = need(&id, "id")?;
                let index = record.index();
                match index.entry(&record, &id) {
                    Some(entry) => to_json(&entry),
                    None => Err(Failure::Argument(format!("no entry `{id}` in the record (try search)"))),
                }
            }
            "search" => to_json(&q::search(&record, &need(&text, "text")?)),
            other => Err(Failure::Argument(format!(
                "unknown record query {other:?}; valid: status, timeline, bodies, instruments, gap, show, search"
            ))),
        }
    })
}

/// The native module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(embedded_scenarios, m)?)?;
    m.add_function(wrap_pyfunction!(check_data, m)?)?;
    m.add_function(wrap_pyfunction!(read_text, m)?)?;
    m.add_function(wrap_pyfunction!(run_settings, m)?)?;
    m.add_function(wrap_pyfunction!(chunk_count, m)?)?;
    m.add_function(wrap_pyfunction!(chunk_size, m)?)?;
    m.add_function(wrap_pyfunction!(forecast, m)?)?;
    m.add_function(wrap_pyfunction!(forecast_part, m)?)?;
    m.add_function(wrap_pyfunction!(forecast_reduce, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(compare_part, m)?)?;
    m.add_function(wrap_pyfunction!(compare_reduce, m)?)?;
    m.add_function(wrap_pyfunction!(opportunities, m)?)?;
    m.add_function(wrap_pyfunction!(search_candidates, m)?)?;
    m.add_function(wrap_pyfunction!(search_part, m)?)?;
    m.add_function(wrap_pyfunction!(search_reduce, m)?)?;
    m.add_function(wrap_pyfunction!(influence, m)?)?;
    m.add_function(wrap_pyfunction!(backtest, m)?)?;
    m.add_function(wrap_pyfunction!(ktab_run, m)?)?;
    m.add_function(wrap_pyfunction!(validate_deu, m)?)?;
    m.add_function(wrap_pyfunction!(record, m)?)?;
    Ok(())
}
