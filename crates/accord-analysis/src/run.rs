//! Running compiled scenarios: the forecast of one, and the comparison of two
//! with common random numbers.
//!
//! A comparison ([`compare_on`], behind [`compare`] and the report's
//! scenario comparisons) is one Monte Carlo pass: for every sample it runs
//! A's model and B's model once per issue and summarises, side by side, A's
//! outcomes, B's outcomes, the paired shifts B − A and the differences of
//! their threshold indicators. It costs what two forecasts cost, plus the
//! summaries; a caller that already ran A with [`forecast_keeping`] (the
//! report, which compares every scenario with one baseline) passes A's kept
//! outcomes and runs only B.

use std::{
    cell::RefCell,
    collections::HashMap,
    sync::{
        Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
};

use accord_core::Sphere;
use accord_engine::{
    EngineError,
    montecarlo::{self, IssueSummary, MonteCarloResult, MonteCarloSettings, Sample, UncertainModel, sample_seed},
};
use serde::Serialize;

use crate::{Compiled, compile::Table};

/// The forecast of one scenario: every number traceable to (scenario, model
/// settings, seed).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastReport {
    /// The scenario's id.
    pub scenario: String,
    /// Its title.
    pub title: String,
    /// The deciding organization.
    pub org: String,
    /// The decision date.
    pub date: String,
    /// Actors with a vote.
    pub voters: Vec<String>,
    /// Who bargains and with which capability measure.
    pub table: Table,
    /// The Monte Carlo run (settings, seed, samples done, partial, summaries).
    pub run: MonteCarloResult,
    /// Per issue: what it is, beside its summary.
    pub issues: Vec<IssueForecast>,
    /// The exchanges across linked issues at the point values, and what
    /// they change against the one-issue-at-a-time forecast (`None` when
    /// the model links no issues).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub packages: Option<crate::packages::PackageReport>,
    /// Where the model error and the headline's weights come from, when the
    /// calibrated forecasts were run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calibration: Option<crate::ensemble::CalibrationUsed>,
}

/// One issue's forecast.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IssueForecast {
    /// The issue's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its sphere.
    pub sphere: Sphere,
    /// The status quo.
    pub status_quo: f64,
    /// The yes/no question of the threshold.
    pub question: String,
    /// Whether the issue is a given of the scenario (its status quo or its
    /// decisive positions are the scenario's input): never a finding.
    pub given: bool,
    /// Why, when it is a given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_reason: Option<String>,
    /// Actors with a stance who are not at the bargaining table:
    /// (code, position, salience, status).
    pub not_at_table: Vec<(String, f64, f64, String)>,
    /// The forecast distribution (`p_above`: P(outcome at or above the
    /// threshold)).
    pub summary: IssueSummary,
    /// The calibrated forecasts (input uncertainty and model error) of every
    /// validated model and the stacked headline, when they were run
    /// ([`crate::ensemble::attach`]); `None` for a plain Monte Carlo run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predictive: Option<crate::ensemble::IssuePredictive>,
}

/// Runs a compiled scenario by Monte Carlo.
pub fn forecast_scenario(
    c: &Compiled,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ForecastReport, EngineError> {
    Ok(report_of(c, montecarlo::run(&c.model, &c.settings, cancel, progress)?))
}

/// The chunks `chunks` of [`forecast_scenario`], unreduced: any split of
/// `0..montecarlo::chunk_count(samples)` into consecutive ranges, reduced in
/// order by [`forecast_reduce`], gives its report bit for bit.
pub fn forecast_part(
    c: &Compiled,
    chunks: std::ops::Range<u64>,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<montecarlo::ChunkPart, EngineError> {
    montecarlo::run_part(&c.model, &c.settings, chunks, cancel, progress)
}

/// The forecast from the parts of [`forecast_part`], given in chunk order.
pub fn forecast_reduce(c: &Compiled, parts: &[montecarlo::ChunkPart]) -> Result<ForecastReport, EngineError> {
    Ok(report_of(c, montecarlo::reduce(&c.model, &c.settings, parts)?))
}

/// Puts a Monte Carlo run of a compiled scenario into a [`ForecastReport`].
pub fn report_of(c: &Compiled, run: MonteCarloResult) -> ForecastReport {
    let issues = c
        .issues
        .iter()
        .zip(&run.issues)
        .map(|(i, s)| IssueForecast {
            id: i.id.clone(),
            name: i.name.clone(),
            sphere: i.sphere,
            status_quo: i.status_quo,
            question: i.question.clone(),
            given: i.given.is_some(),
            given_reason: i.given.clone(),
            not_at_table: i.outside.clone(),
            summary: s.clone(),
            predictive: None,
        })
        .collect();
    ForecastReport {
        scenario: c.scenario.scenario.id.clone(),
        title: c.scenario.scenario.title.clone(),
        org: c.org.clone(),
        date: c.date.to_string(),
        voters: c.voters.clone(),
        table: c.table.clone(),
        run,
        issues,
        packages: crate::packages::packages(c),
        calibration: None,
    }
}

/// Scenario B against scenario A, issue by issue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// A's forecast.
    pub a: ForecastReport,
    /// B's forecast, run with A's seed, sample count and distribution so
    /// that both see the same draws wherever their inputs coincide.
    pub b: ForecastReport,
    /// Per issue, the paired differences B − A.
    pub issues: Vec<IssueShift>,
    /// Whether `p_above` and `p_shift` are the calibrated headline's
    /// ([`calibrate_comparison`]): input uncertainty and model error, as
    /// `accord forecast` reports; otherwise they are the input-only P of
    /// the scenarios' own model.
    pub calibrated: bool,
}

/// How one issue moves from A to B.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IssueShift {
    /// The issue's id.
    pub id: String,
    /// Whether the issue is a given of B (B sets its status quo or its
    /// decisive positions): its shift replays B's input, so it is never
    /// listed among shifts, findings or headlines.
    pub given: bool,
    /// Why, when it is a given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_reason: Option<String>,
    /// Median under A and under B.
    pub median: (f64, f64),
    /// Mean of the paired shift B − A (same draws), with its standard error.
    pub mean_shift: f64,
    /// Standard error of `mean_shift`.
    pub mean_shift_se: f64,
    /// 5 % and 95 % quantiles of the paired shift.
    pub shift_90: (f64, f64),
    /// P(outcome at or above the threshold) under A and B: the calibrated
    /// headline's when the comparison is calibrated, else `p_above_input_only`.
    pub p_above: (f64, f64),
    /// Difference of the probabilities B − A, with its standard error.
    pub p_shift: f64,
    /// Standard error of `p_shift`: of the paired indicator differences for
    /// the input-only P; for the calibrated headline
    /// `√(se_A² + se_B²)`, which does not credit the common draws and so
    /// overstates it when A's and B's errors are positively correlated.
    pub p_shift_se: f64,
    /// P(at or above the threshold) under A and B of the scenarios' own
    /// model, input uncertainty only (the Monte Carlo share of draws).
    pub p_above_input_only: (f64, f64),
    /// The paired difference of the input-only probabilities.
    pub p_shift_input_only: f64,
    /// Standard error of `p_shift_input_only` (paired draws).
    pub p_shift_input_only_se: f64,
}

/// One model's outcome per (sample, issue), kept by [`forecast_keeping`]
/// for later comparisons. Eight bytes a cell; the rare failures and
/// non-finite outcomes are kept beside, with their error.
#[derive(Debug)]
pub struct KeptOutcomes {
    issues: usize,
    samples: u64,
    cells: Vec<AtomicU64>,
    odd: Mutex<HashMap<(u64, usize), Result<f64, EngineError>>>,
}

/// Cell value of a sample not run (a NaN no computation produces).
const NOT_RUN: u64 = u64::MAX;
/// Cell value of an outcome kept in `odd` (another such NaN).
const ODD: u64 = u64::MAX - 1;

impl KeptOutcomes {
    /// Room for `samples` samples of `issues` issues.
    pub fn new(samples: u64, issues: usize) -> Self {
        let cells = usize::try_from(samples)
            .ok()
            .and_then(|s| s.checked_mul(issues))
            .unwrap_or(0);
        KeptOutcomes {
            issues,
            samples,
            cells: (0..cells).map(|_| AtomicU64::new(NOT_RUN)).collect(),
            odd: Mutex::new(HashMap::new()),
        }
    }

    fn slot(&self, index: u64, issue: usize) -> Option<&AtomicU64> {
        if index >= self.samples || issue >= self.issues {
            return None;
        }
        self.cells.get(usize::try_from(index).ok()? * self.issues + issue)
    }

    fn put(&self, index: u64, issue: usize, r: &Result<f64, EngineError>) {
        let Some(cell) = self.slot(index, issue) else { return };
        match r {
            Ok(x) if x.is_finite() => cell.store(x.to_bits(), Ordering::Relaxed),
            other => {
                if let Ok(mut odd) = self.odd.lock() {
                    odd.insert((index, issue), other.clone());
                }
                cell.store(ODD, Ordering::Relaxed);
            }
        }
    }

    /// The outcome of `issue` in sample `index`, as the model returned it.
    pub fn get(&self, index: u64, issue: usize) -> Result<f64, EngineError> {
        let not_run = || EngineError::NotApplicable(format!("sample {index} was not run"));
        match self.slot(index, issue).map(|c| c.load(Ordering::Relaxed)) {
            None | Some(NOT_RUN) => Err(not_run()),
            Some(ODD) => self
                .odd
                .lock()
                .ok()
                .and_then(|odd| odd.get(&(index, issue)).cloned())
                .unwrap_or_else(|| Err(not_run())),
            Some(bits) => Ok(f64::from_bits(bits)),
        }
    }
}

/// Runs `c` with `settings` (whose seed and distribution may be another
/// scenario's) like [`forecast_scenario`] — the same numbers — keeping every
/// outcome in `kept` (made for at least `settings.samples` samples).
/// `cancel` is polled between batches: a stopped run covers the first
/// `samples_done` samples, and is marked partial.
pub fn forecast_keeping(
    c: &Compiled,
    settings: &MonteCarloSettings,
    kept: &KeptOutcomes,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<MonteCarloResult, EngineError> {
    montecarlo::run_with(&c.model, settings, cancel, progress, |sample, index, i| {
        // Under the exchange model an issue's link group is negotiated together.
        let r = montecarlo::issue_outcome(&c.model, sample, i, &settings.model, sample_seed(settings.seed, index));
        kept.put(index, i, &r);
        r
    })
}

/// Compares two compiled scenarios on their common issues (matched by id):
/// B runs with A's seed, sample count and distribution. One pass over the
/// samples (see the module's documentation).
pub fn compare(
    a: &Compiled,
    b: &Compiled,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Comparison, EngineError> {
    compare_on(a, b, &a.settings, OutcomesOfA::Run, cancel, progress)
}

/// Where a comparison takes A's outcomes from.
#[derive(Debug, Clone, Copy)]
pub enum OutcomesOfA<'k> {
    /// Run A's model on each sample.
    Run,
    /// Read them from a forecast of A with the same seed and distribution
    /// over at least as many samples ([`forecast_keeping`]).
    Kept(&'k KeptOutcomes),
}

/// Scenario B against scenario A on the samples of `settings` (A's model
/// settings, with the seed, count and distribution of the comparison): A's
/// and B's summaries, and per issue they share the paired shift B − A and
/// the paired difference of the threshold indicators, all summarised on the
/// same samples by [`montecarlo::run_with`]. `progress` counts samples.
/// When `cancel` stops it, every summary covers the same first samples and
/// both forecasts are marked partial.
pub fn compare_on(
    a: &Compiled,
    b: &Compiled,
    settings: &MonteCarloSettings,
    outcomes_of_a: OutcomesOfA<'_>,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Comparison, EngineError> {
    let chunks = 0..montecarlo::chunk_count(settings.samples);
    let part = compare_on_part(a, b, settings, outcomes_of_a, chunks, cancel, progress)?;
    comparison_of(a, b, settings, matches!(outcomes_of_a, OutcomesOfA::Run), &[part])
}

/// The chunks `chunks` of [`compare`] (A's settings), unreduced: any split
/// of `0..montecarlo::chunk_count(samples)` into consecutive ranges, reduced
/// in order by [`compare_reduce`], gives [`compare`]'s result bit for bit.
pub fn compare_part(
    a: &Compiled,
    b: &Compiled,
    chunks: std::ops::Range<u64>,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<montecarlo::ChunkPart, EngineError> {
    compare_on_part(a, b, &a.settings, OutcomesOfA::Run, chunks, cancel, progress)
}

/// The comparison from the parts of [`compare_part`], given in chunk order.
pub fn compare_reduce(a: &Compiled, b: &Compiled, parts: &[montecarlo::ChunkPart]) -> Result<Comparison, EngineError> {
    comparison_of(a, b, &a.settings, true, parts)
}

/// Issue i of A ↔ its namesake j in B.
fn pairs_of(a: &Compiled, b: &Compiled) -> Vec<(usize, usize)> {
    a.model
        .issues
        .iter()
        .enumerate()
        .filter_map(|(i, issue)| b.model.issues.iter().position(|x| x.id == issue.id).map(|j| (i, j)))
        .collect()
}

/// One model holding four blocks of issues: A's, B's, the shifts and the
/// indicator differences. Only A's issues carry stances, and only when A
/// is run here (`run_a`), so that its draws are A's own (draws are keyed by
/// issue id); the other blocks draw nothing. Shifts live on [−100, 100],
/// indicator differences on {−1, 0, 1}.
fn joint_model(a: &Compiled, b: &Compiled, pairs: &[(usize, usize)], run_a: bool) -> UncertainModel {
    let strip = |i: &montecarlo::UncertainIssue| montecarlo::UncertainIssue {
        id: i.id.clone(),
        dimensions: i.dimensions,
        status_quo: None,
        stances: Vec::new(),
        procedure: None,
        threshold: i.threshold,
        scale: i.scale,
    };
    let mut issues: Vec<montecarlo::UncertainIssue> = if run_a {
        a.model.issues.clone()
    } else {
        a.model.issues.iter().map(strip).collect()
    };
    issues.extend(b.model.issues.iter().map(strip));
    for (scale, threshold) in [((-100.0, 100.0), 0.0), ((-1.0, 1.0), 0.0)] {
        issues.extend(pairs.iter().map(|&(i, _)| montecarlo::UncertainIssue {
            scale,
            threshold,
            ..strip(&a.model.issues[i])
        }));
    }
    // No links: the outcome closure negotiates A's and B's link groups
    // with their own models.
    UncertainModel {
        actors: if run_a { a.model.actors.clone() } else { Vec::new() },
        issues,
        links: Vec::new(),
    }
}

fn compare_on_part(
    a: &Compiled,
    b: &Compiled,
    settings: &MonteCarloSettings,
    outcomes_of_a: OutcomesOfA<'_>,
    chunks: std::ops::Range<u64>,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<montecarlo::ChunkPart, EngineError> {
    let settings_b = MonteCarloSettings {
        model: b.settings.model.clone(),
        ..settings.clone()
    };
    let pairs = pairs_of(a, b);
    let (na, nb, np) = (a.model.issues.len(), b.model.issues.len(), pairs.len());
    let joint = joint_model(a, b, &pairs, matches!(outcomes_of_a, OutcomesOfA::Run));

    let run_id = NEXT_RUN.fetch_add(1, Ordering::Relaxed);
    let outcome_a = |sample: &Sample, index: u64, i: usize| {
        cached(Side::A, run_id, index, i, na, nb, || match outcomes_of_a {
            // The joint sample's first issues are A's own draws (and under
            // the exchange model A's link groups index only those).
            OutcomesOfA::Run => {
                montecarlo::issue_outcome(&a.model, sample, i, &settings.model, sample_seed(settings.seed, index))
            }
            OutcomesOfA::Kept(kept) => kept.get(index, i),
        })
    };
    let outcome_b = |index: u64, j: usize| {
        cached(Side::B, run_id, index, j, na, nb, || {
            let drawn = b_sample(run_id, index, na, nb, || {
                b.model.draw(settings.seed, index, settings.distribution)
            });
            montecarlo::issue_outcome(
                &b.model,
                &drawn,
                j,
                &settings_b.model,
                sample_seed(settings.seed, index),
            )
        })
    };
    montecarlo::run_with_part(&joint, settings, chunks, cancel, progress, |sample, index, k| {
        if k < na {
            outcome_a(sample, index, k)
        } else if k < na + nb {
            outcome_b(index, k - na)
        } else {
            let p = (k - na - nb) % np;
            let (i, j) = pairs[p];
            let (xa, xb) = (outcome_a(sample, index, i)?, outcome_b(index, j)?);
            if k < na + nb + np {
                Ok(xb - xa)
            } else {
                let t = a.model.issues[i].threshold;
                // At or above: a status quo exactly at the threshold has crossed it.
                Ok(f64::from(u8::from(xb >= t)) - f64::from(u8::from(xa >= t)))
            }
        }
    })
}

/// A's and B's forecasts and the paired shifts from the joint run's parts.
fn comparison_of(
    a: &Compiled,
    b: &Compiled,
    settings: &MonteCarloSettings,
    run_a: bool,
    parts: &[montecarlo::ChunkPart],
) -> Result<Comparison, EngineError> {
    let settings_b = MonteCarloSettings {
        model: b.settings.model.clone(),
        ..settings.clone()
    };
    let pairs = pairs_of(a, b);
    let (na, nb, np) = (a.model.issues.len(), b.model.issues.len(), pairs.len());
    let run = montecarlo::reduce(&joint_model(a, b, &pairs, run_a), settings, parts)?;
    let mut summaries = run.issues.into_iter();
    let mut part = |settings: &MonteCarloSettings, n: usize| MonteCarloResult {
        settings: settings.clone(),
        samples_done: run.samples_done,
        partial: run.partial,
        issues: summaries.by_ref().take(n).collect(),
    };
    let fa = report_of(a, part(settings, na));
    let mut b_run = b.clone();
    b_run.settings = settings_b.clone();
    let fb = report_of(&b_run, part(&settings_b, nb));
    let shifts = part(settings, np).issues;
    let p_diffs = part(settings, np).issues;
    let issues = pairs
        .iter()
        .zip(shifts.iter().zip(&p_diffs))
        .map(|(&(i, j), (d, p))| {
            let (sa, sb) = (&fa.run.issues[i], &fb.run.issues[j]);
            let given = b.issues[j].given.clone();
            IssueShift {
                id: sa.id.clone(),
                given: given.is_some(),
                given_reason: given,
                median: (sa.quantiles[2], sb.quantiles[2]),
                mean_shift: d.mean,
                mean_shift_se: d.std_error,
                shift_90: (d.quantiles[0], d.quantiles[4]),
                p_above: (sa.p_above, sb.p_above),
                p_shift: p.mean,
                p_shift_se: p.std_error,
                p_above_input_only: (sa.p_above, sb.p_above),
                p_shift_input_only: p.mean,
                p_shift_input_only_se: p.std_error,
            }
        })
        .collect();
    Ok(Comparison {
        a: fa,
        b: fb,
        issues,
        calibrated: false,
    })
}

/// The compiled scenario B as a comparison runs it: with A's seed, sample
/// count and distribution (its own model settings), so that the calibrated
/// forecasts of A and B see the same draws.
pub fn as_compared(a: &MonteCarloSettings, b: &Compiled) -> Compiled {
    let mut c = b.clone();
    c.settings = MonteCarloSettings {
        model: b.settings.model.clone(),
        ..a.clone()
    };
    c
}

/// Why a comparison could not be calibrated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalibrateComparisonError {
    /// A side has no calibrated forecast of an issue they share.
    #[error("scenario {scenario}: issue {issue:?} has no calibrated forecast (run the ensemble on both sides first)")]
    Missing {
        /// Which scenario lacks it.
        scenario: String,
        /// The issue.
        issue: String,
    },
    /// The two sides' calibrated forecasts were not made on the same draws.
    #[error(
        "the calibrated forecasts of A and B differ in seed or draws (A: seed {a_seed}, {a_samples} draws; \
         B: seed {b_seed}, {b_samples} draws); run B as compared (run::as_compared)"
    )]
    Draws {
        /// A's seed.
        a_seed: u64,
        /// A's draws.
        a_samples: u64,
        /// B's seed.
        b_seed: u64,
        /// B's draws.
        b_samples: u64,
    },
}

/// Makes a comparison's probabilities those of the calibrated headline (the
/// same predictive distributions `accord forecast` reports): `p_above` and
/// `p_shift` become the headline's, the input-only values stay in their
/// `_input_only` fields. Both sides must carry calibrated forecasts
/// ([`crate::ensemble::attach`]) made on the same seed and draws (B run as
/// [`as_compared`]). Givens stay givens.
pub fn calibrate_comparison(cmp: &mut Comparison) -> Result<(), CalibrateComparisonError> {
    if let (Some(ua), Some(ub)) = (&cmp.a.calibration, &cmp.b.calibration)
        && (cmp.a.run.settings.seed != cmp.b.run.settings.seed || ua.samples != ub.samples)
    {
        return Err(CalibrateComparisonError::Draws {
            a_seed: cmp.a.run.settings.seed,
            a_samples: ua.samples,
            b_seed: cmp.b.run.settings.seed,
            b_samples: ub.samples,
        });
    }
    let headline = |f: &ForecastReport, id: &str| {
        f.issues
            .iter()
            .find(|i| i.id == id)
            .and_then(|i| i.predictive.as_ref())
            .map(|p| (p.headline.p_at_or_above, p.headline.p_se))
            .ok_or_else(|| CalibrateComparisonError::Missing {
                scenario: f.scenario.clone(),
                issue: id.to_string(),
            })
    };
    let mut updated = Vec::with_capacity(cmp.issues.len());
    for s in &cmp.issues {
        let (pa, sa) = headline(&cmp.a, &s.id)?;
        let (pb, sb) = headline(&cmp.b, &s.id)?;
        updated.push((pa, pb, sa, sb));
    }
    for (s, (pa, pb, sa, sb)) in cmp.issues.iter_mut().zip(updated) {
        s.p_above = (pa, pb);
        s.p_shift = pb - pa;
        s.p_shift_se = (sa * sa + sb * sb).sqrt();
    }
    cmp.calibrated = true;
    Ok(())
}

/// Distinguishes the comparisons running at once (their caches).
static NEXT_RUN: AtomicU64 = AtomicU64::new(0);

/// Which scenario an outcome belongs to.
#[derive(Debug, Clone, Copy)]
enum Side {
    A,
    B,
}

/// The outcomes of the sample a thread is working on: `montecarlo::run_with`
/// evaluates one sample's issues in turn on one thread, so A's and B's
/// outcomes, computed for their own blocks, are found here by the paired
/// blocks. Anything missing (another sample interleaved on the thread) is
/// recomputed, so the cache changes the cost, never the numbers.
struct SampleCache {
    key: (u64, u64),
    a: Vec<Option<Result<f64, EngineError>>>,
    b: Vec<Option<Result<f64, EngineError>>>,
    b_sample: Option<std::sync::Arc<Sample>>,
}

thread_local! {
    static CACHE: RefCell<Option<SampleCache>> = const { RefCell::new(None) };
}

fn with_cache<R>(run_id: u64, index: u64, na: usize, nb: usize, f: impl FnOnce(&mut SampleCache) -> R) -> R {
    CACHE.with_borrow_mut(|c| {
        let cache = match c {
            Some(cache) if cache.key == (run_id, index) => cache,
            _ => c.insert(SampleCache {
                key: (run_id, index),
                a: vec![None; na],
                b: vec![None; nb],
                b_sample: None,
            }),
        };
        f(cache)
    })
}

#[allow(clippy::too_many_arguments)]
fn cached(
    side: Side,
    run_id: u64,
    index: u64,
    i: usize,
    na: usize,
    nb: usize,
    compute: impl FnOnce() -> Result<f64, EngineError>,
) -> Result<f64, EngineError> {
    let hit = with_cache(run_id, index, na, nb, |c| {
        let slots = match side {
            Side::A => &c.a,
            Side::B => &c.b,
        };
        slots.get(i).cloned().flatten()
    });
    if let Some(r) = hit {
        return r;
    }
    // Computed outside the borrow: the model may run code that uses the cache.
    let r = compute();
    with_cache(run_id, index, na, nb, |c| {
        let slots = match side {
            Side::A => &mut c.a,
            Side::B => &mut c.b,
        };
        if let Some(slot) = slots.get_mut(i) {
            *slot = Some(r.clone());
        }
    });
    r
}

/// B's drawn sample, drawn once per sample and thread.
fn b_sample(run_id: u64, index: u64, na: usize, nb: usize, draw: impl FnOnce() -> Sample) -> std::sync::Arc<Sample> {
    if let Some(s) = with_cache(run_id, index, na, nb, |c| c.b_sample.clone()) {
        return s;
    }
    let drawn = std::sync::Arc::new(draw());
    with_cache(run_id, index, na, nb, |c| c.b_sample = Some(drawn.clone()));
    drawn
}
