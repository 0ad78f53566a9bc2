//! Monte Carlo over uncertain inputs: every uncertain position, salience and
//! capability is drawn from its range, the model runs on every issue, and the
//! outcomes are summarised per issue in bounded memory.
//!
//! Determinism: sample `s` draws from ChaCha8 streams numbered `s`: one for the
//! capabilities (by actor) and one per issue, keyed by the issue's id (stance
//! by stance, position then salience per dimension). So adding an issue, or
//! appending a stance to an issue, leaves every other draw unchanged.
//! Samples are grouped in fixed chunks of [`CHUNK`]; chunks run in parallel and
//! their accumulators merge in chunk order, so the thread count never changes
//! a figure. Because draws depend only on (seed, sample), two runs that share
//! a seed use common random numbers: a change to the inputs (a lever) shows as
//! a difference, not as noise.

use std::{
    ops::Range,
    sync::atomic::{AtomicBool, Ordering},
};

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EngineError, Issue, ModelSettings, Procedure, Stance, forecast::forecast_group_outcomes};

/// Samples per chunk: the unit of parallel work and of deterministic merging.
pub const CHUNK: u64 = 64;

/// Chunks run between two progress reports / cancellation checks (256
/// samples: Ctrl-C answers within a fraction of a second, and the progress
/// bar moves smoothly).
const BATCH_CHUNKS: u64 = 4;

/// Number of histogram bins over an issue's scale (quantiles are exact to
/// one bin: 0.005 on a 0–100 scale).
const BINS: usize = 20_000;

/// A point value with the range it may take.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bounds {
    /// The point value (the mode of the triangular and PERT distributions).
    pub value: f64,
    /// Lowest value.
    pub low: f64,
    /// Highest value.
    pub high: f64,
}

impl Bounds {
    /// A value without uncertainty.
    pub fn exact(value: f64) -> Self {
        Bounds {
            value,
            low: value,
            high: value,
        }
    }

    /// Draws one value. `u` is uniform on [0, 1).
    fn draw(&self, distribution: Distribution, rng: &mut ChaCha8Rng) -> f64 {
        let (a, m, b) = (self.low, self.value, self.high);
        if b <= a {
            return m;
        }
        match distribution {
            Distribution::Uniform => a + (b - a) * rng.random::<f64>(),
            Distribution::Triangular => {
                let u: f64 = rng.random();
                let fc = (m - a) / (b - a);
                if u < fc {
                    a + ((b - a) * (m - a) * u).sqrt()
                } else {
                    b - ((b - a) * (b - m) * (1.0 - u)).sqrt()
                }
            }
            Distribution::Pert => {
                // Beta-PERT with λ = 4: α = 1 + 4(m−a)/(b−a), β = 1 + 4(b−m)/(b−a).
                let alpha = 1.0 + 4.0 * (m - a) / (b - a);
                let beta = 1.0 + 4.0 * (b - m) / (b - a);
                let x = gamma(alpha, rng);
                let y = gamma(beta, rng);
                a + (b - a) * x / (x + y)
            }
        }
    }
}

/// Marsaglia–Tsang gamma variate for shape ≥ 1 (PERT shapes are ≥ 1).
fn gamma(shape: f64, rng: &mut ChaCha8Rng) -> f64 {
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let (x, v) = loop {
            let x = normal(rng);
            let v = 1.0 + c * x;
            if v > 0.0 {
                break (x, v * v * v);
            }
        };
        let u: f64 = rng.random();
        if u < 1.0 - 0.0331 * x * x * x * x || u.ln() < 0.5 * x * x + d * (1.0 - v + v.ln()) {
            return d * v;
        }
    }
}

/// Standard normal variate (Box–Muller, one of the pair).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>(); // (0, 1]
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// How an uncertain input is drawn from its range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Distribution {
    /// Every value of the range equally likely (ignores the point value).
    Uniform,
    /// Triangular with its peak at the point value.
    Triangular,
    /// Beta-PERT (λ = 4) peaking at the point value: smoother than the
    /// triangle, most mass near the point value. The default.
    #[default]
    Pert,
}

/// An actor whose capability is uncertain; drawn once per sample and shared by
/// every issue, so an actor is strong or weak everywhere in one sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UncertainActor {
    /// The actor's code.
    pub id: String,
    /// Its capability.
    pub capability: Bounds,
}

/// One actor's uncertain stance on an issue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UncertainStance {
    /// Index into [`UncertainModel::actors`].
    pub actor: usize,
    /// Position per dimension.
    pub position: Vec<Bounds>,
    /// Salience per dimension, in [0, 1].
    pub salience: Vec<Bounds>,
    /// Multiplier of the actor's capability on this issue.
    pub capability_factor: f64,
    /// Whether the stance takes part. An inactive stance is still drawn, so
    /// that removing an actor in a scenario keeps the other draws common.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// An issue whose stances are uncertain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UncertainIssue {
    /// Its id.
    pub id: String,
    /// Number of dimensions.
    pub dimensions: usize,
    /// The status quo per dimension.
    pub status_quo: Option<Vec<f64>>,
    /// The stances, in a fixed order.
    pub stances: Vec<UncertainStance>,
    /// Who decides (voter indices refer to the *active* stances, in order).
    pub procedure: Option<Procedure>,
    /// The threshold whose crossing (outcome at or above it) is reported
    /// (first dimension).
    pub threshold: f64,
    /// The scale's ends (first dimension), for the histogram.
    pub scale: (f64, f64),
}

/// Everything a Monte Carlo run draws from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UncertainModel {
    /// Actors and their capabilities.
    pub actors: Vec<UncertainActor>,
    /// Issues.
    pub issues: Vec<UncertainIssue>,
    /// Groups of linked issues (indices into `issues`), negotiated together
    /// by the exchange model; an issue in no group stands alone. Every
    /// other dynamics ignores the groups.
    #[serde(default)]
    pub links: Vec<Vec<usize>>,
}

/// One drawn sample: the capabilities and one [`Issue`] per uncertain issue.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Drawn capability per actor.
    pub capabilities: Vec<f64>,
    /// The issues with drawn stances.
    pub issues: Vec<Issue>,
}

impl UncertainModel {
    /// The units of work of a run: every link group (issues in model order),
    /// then every issue in no group alone, ordered by their first issue.
    /// Indices out of range are dropped and an issue is kept in its first
    /// group only.
    pub fn units(&self) -> Vec<Vec<usize>> {
        let n = self.issues.len();
        let mut seen = vec![false; n];
        let mut units: Vec<Vec<usize>> = Vec::new();
        for group in &self.links {
            let mut unit: Vec<usize> = group.iter().copied().filter(|&i| i < n && !seen[i]).collect();
            unit.sort_unstable();
            unit.dedup();
            unit.iter().for_each(|&i| seen[i] = true);
            if !unit.is_empty() {
                units.push(unit);
            }
        }
        units.extend((0..n).filter(|&i| !seen[i]).map(|i| vec![i]));
        units.sort_by_key(|u| u[0]);
        units
    }

    /// The unit of work (see [`UncertainModel::units`]) holding issue `issue`.
    pub fn unit_of(&self, issue: usize) -> Vec<usize> {
        self.units()
            .into_iter()
            .find(|u| u.contains(&issue))
            .unwrap_or_else(|| vec![issue])
    }

    /// The model at its point values (what a single deterministic run sees).
    pub fn point(&self) -> Sample {
        let capabilities: Vec<f64> = self.actors.iter().map(|a| a.capability.value).collect();
        let issues = self
            .issues
            .iter()
            .map(|u| self.issue_with(u, &capabilities, |b| b.value, |b| b.value))
            .collect();
        Sample { capabilities, issues }
    }

    /// Draws sample `index` of the run seeded with `seed`.
    pub fn draw(&self, seed: u64, index: u64, distribution: Distribution) -> Sample {
        let stream = |key: u64| {
            let mut rng = ChaCha8Rng::seed_from_u64(sample_seed(seed, key));
            rng.set_stream(index);
            rng
        };
        let mut rng = stream(0);
        let capabilities: Vec<f64> = self
            .actors
            .iter()
            .map(|a| a.capability.draw(distribution, &mut rng))
            .collect();
        let mut issues = Vec::with_capacity(self.issues.len());
        for u in &self.issues {
            let mut rng = stream(key_of(&u.id));
            let mut stances = Vec::with_capacity(u.stances.len());
            for s in &u.stances {
                let mut position = Vec::with_capacity(u.dimensions);
                let mut salience = Vec::with_capacity(u.dimensions);
                for d in 0..u.dimensions {
                    position.push(s.position[d].draw(distribution, &mut rng));
                    salience.push(s.salience[d].draw(distribution, &mut rng).clamp(0.0, 1.0));
                }
                if !s.active {
                    continue;
                }
                stances.push(Stance {
                    actor: self.actors[s.actor].id.clone(),
                    capability: capabilities[s.actor] * s.capability_factor,
                    position,
                    salience,
                });
            }
            issues.push(Issue {
                id: u.id.clone(),
                dimensions: u.dimensions,
                status_quo: u.status_quo.clone(),
                stances,
                procedure: u.procedure.clone(),
            });
        }
        Sample { capabilities, issues }
    }

    fn issue_with(
        &self,
        u: &UncertainIssue,
        capabilities: &[f64],
        position: impl Fn(&Bounds) -> f64,
        salience: impl Fn(&Bounds) -> f64,
    ) -> Issue {
        Issue {
            id: u.id.clone(),
            dimensions: u.dimensions,
            status_quo: u.status_quo.clone(),
            stances: u
                .stances
                .iter()
                .filter(|s| s.active)
                .map(|s| Stance {
                    actor: self.actors[s.actor].id.clone(),
                    capability: capabilities[s.actor] * s.capability_factor,
                    position: s.position.iter().map(&position).collect(),
                    salience: s.salience.iter().map(&salience).collect(),
                })
                .collect(),
            procedure: u.procedure.clone(),
        }
    }
}

/// Settings of a Monte Carlo run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonteCarloSettings {
    /// Number of samples.
    pub samples: u64,
    /// The run's seed.
    pub seed: u64,
    /// How ranges are drawn.
    pub distribution: Distribution,
    /// The model run on every sample.
    pub model: ModelSettings,
}

/// Streaming summary of one issue's outcomes (first dimension).
#[derive(Debug, Clone, PartialEq)]
struct Accumulator {
    n: u64,
    mean: f64,
    m2: f64,
    above: u64,
    failures: u64,
    first_error: Option<String>,
    histogram: Vec<u32>,
}

impl Accumulator {
    fn new() -> Self {
        Accumulator {
            n: 0,
            mean: 0.0,
            m2: 0.0,
            above: 0,
            failures: 0,
            first_error: None,
            histogram: vec![0; BINS],
        }
    }

    fn add(&mut self, x: f64, issue: &UncertainIssue) {
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
        // At or above: an outcome exactly at the threshold has crossed it.
        if x >= issue.threshold {
            self.above += 1;
        }
        self.histogram[bin(x, issue.scale)] += 1;
    }

    /// Chan et al.'s pairwise merge of another chunk's moments; applied in
    /// chunk order, so deterministic.
    fn merge_moments(&mut self, n_other: u64, mean_other: f64, m2_other: f64) {
        if n_other == 0 {
            return;
        }
        let n = self.n + n_other;
        let delta = mean_other - self.mean;
        self.mean += delta * n_other as f64 / n as f64;
        self.m2 += m2_other + delta * delta * self.n as f64 * n_other as f64 / n as f64;
        self.n = n;
    }
}

fn bin(x: f64, (lo, hi): (f64, f64)) -> usize {
    if hi <= lo {
        return 0;
    }
    let t = ((x - lo) / (hi - lo) * BINS as f64).floor();
    (t.max(0.0) as usize).min(BINS - 1)
}

/// The forecast distribution of one issue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssueSummary {
    /// The issue's id.
    pub id: String,
    /// Samples in which the model produced an outcome.
    pub samples: u64,
    /// Samples in which it could not (see `error`).
    pub failures: u64,
    /// The first error met, if any.
    pub error: Option<String>,
    /// Mean outcome.
    pub mean: f64,
    /// Standard deviation of the outcome.
    pub std_dev: f64,
    /// Monte Carlo standard error of the mean.
    pub std_error: f64,
    /// Quantiles 5, 25, 50, 75, 95 (to one histogram bin).
    pub quantiles: [f64; 5],
    /// The threshold.
    pub threshold: f64,
    /// Probability that the outcome is at or above the threshold (the
    /// boundary counts as crossing it).
    pub p_above: f64,
    /// Its Monte Carlo standard error.
    pub p_above_se: f64,
}

/// The quantile levels reported.
pub const QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

fn summarize(acc: &Accumulator, issue: &UncertainIssue) -> IssueSummary {
    let n = acc.n as f64;
    let var = if acc.n > 1 { acc.m2 / (n - 1.0) } else { 0.0 };
    let (lo, hi) = issue.scale;
    let width = (hi - lo) / BINS as f64;
    let mut quantiles = [f64::NAN; 5];
    for (q, level) in quantiles.iter_mut().zip(QUANTILES) {
        let target = (level * n).ceil().max(1.0) as u64;
        let mut seen = 0u64;
        for (i, &c) in acc.histogram.iter().enumerate() {
            seen += u64::from(c);
            if seen >= target {
                *q = lo + (i as f64 + 0.5) * width;
                break;
            }
        }
    }
    let p = if acc.n > 0 { acc.above as f64 / n } else { f64::NAN };
    IssueSummary {
        id: issue.id.clone(),
        samples: acc.n,
        failures: acc.failures,
        error: acc.first_error.clone(),
        mean: if acc.n > 0 { acc.mean } else { f64::NAN },
        std_dev: var.sqrt(),
        std_error: if acc.n > 0 { (var / n).sqrt() } else { f64::NAN },
        quantiles,
        threshold: issue.threshold,
        p_above: p,
        p_above_se: if acc.n > 0 {
            (p * (1.0 - p) / n).sqrt()
        } else {
            f64::NAN
        },
    }
}

/// The result of a Monte Carlo run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonteCarloResult {
    /// The settings it ran with.
    pub settings: MonteCarloSettings,
    /// Samples completed (fewer than asked when stopped).
    pub samples_done: u64,
    /// Whether the run was stopped before the end.
    pub partial: bool,
    /// One summary per issue, in model order.
    pub issues: Vec<IssueSummary>,
}

/// Runs the model on `settings.samples` draws. `cancel` is polled between
/// batches (a stopped run returns what it has, marked partial); `progress`
/// is told the number of samples done after each batch.
pub fn run(
    model: &UncertainModel,
    settings: &MonteCarloSettings,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<MonteCarloResult, EngineError> {
    let part = run_part(model, settings, 0..chunk_count(settings.samples), cancel, progress)?;
    reduce(model, settings, std::slice::from_ref(&part))
}

/// The chunks `chunks` of [`run`] (chunk `c` holds samples `c·CHUNK ..
/// (c+1)·CHUNK`), unreduced: [`reduce`] of the parts of consecutive ranges
/// covering `0..chunk_count(samples)`, in order, equals [`run`] bit for bit,
/// however the range is split (this is how a cluster shares a run).
pub fn run_part(
    model: &UncertainModel,
    settings: &MonteCarloSettings,
    chunks: Range<u64>,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ChunkPart, EngineError> {
    run_units_part(model, settings, chunks, cancel, progress, |sample, index, unit| {
        let issues: Vec<&Issue> = unit.iter().map(|&i| &sample.issues[i]).collect();
        forecast_group_outcomes(&issues, &settings.model, sample_seed(settings.seed, index))
            .into_iter()
            .map(|r| r.map(|outcome| outcome[0]))
            .collect()
    })
}

/// The outcome (first dimension) of issue `issue` of a drawn sample under
/// `settings`: the issue's link group is negotiated together when the
/// dynamics is the exchange model; otherwise (and for an issue alone) this is
/// [`forecast_outcome`](crate::forecast::forecast_outcome) of the issue, bit for bit.
pub fn issue_outcome(
    model: &UncertainModel,
    sample: &Sample,
    issue: usize,
    settings: &ModelSettings,
    seed: u64,
) -> Result<f64, EngineError> {
    let unit = match settings.dynamics {
        crate::Dynamics::Exchange(_) => model.unit_of(issue),
        _ => vec![issue],
    };
    let issues: Vec<&Issue> = unit.iter().map(|&i| &sample.issues[i]).collect();
    let at = unit.iter().position(|&i| i == issue).unwrap_or(0);
    forecast_group_outcomes(&issues, settings, seed)
        .swap_remove(at)
        .map(|outcome| outcome[0])
}

/// Like [`run`], with the outcome of issue `i` in a sample computed by
/// `outcome(sample, sample_index, i)` (for callers that transform the drawn
/// sample first, such as the strategy search).
pub fn run_with<F>(
    model: &UncertainModel,
    settings: &MonteCarloSettings,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
    outcome: F,
) -> Result<MonteCarloResult, EngineError>
where
    F: Fn(&Sample, u64, usize) -> Result<f64, EngineError> + Sync,
{
    let part = run_with_part(
        model,
        settings,
        0..chunk_count(settings.samples),
        cancel,
        progress,
        outcome,
    )?;
    reduce(model, settings, std::slice::from_ref(&part))
}

/// The chunks `chunks` of [`run_with`], unreduced (see [`run_part`]).
pub fn run_with_part<F>(
    model: &UncertainModel,
    settings: &MonteCarloSettings,
    chunks: Range<u64>,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
    outcome: F,
) -> Result<ChunkPart, EngineError>
where
    F: Fn(&Sample, u64, usize) -> Result<f64, EngineError> + Sync,
{
    let singles: Vec<Vec<usize>> = (0..model.issues.len()).map(|i| vec![i]).collect();
    run_over(
        model,
        &singles,
        settings,
        chunks,
        cancel,
        progress,
        |sample, index, unit| unit.iter().map(|&i| outcome(sample, index, i)).collect(),
    )
}

/// Like [`run`], with the outcomes of a unit of work (a link group, or one
/// issue; see [`UncertainModel::units`]) computed together by
/// `outcome(sample, sample_index, unit)`, one result per issue of the unit.
pub fn run_units<F>(
    model: &UncertainModel,
    settings: &MonteCarloSettings,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
    outcome: F,
) -> Result<MonteCarloResult, EngineError>
where
    F: Fn(&Sample, u64, &[usize]) -> Vec<Result<f64, EngineError>> + Sync,
{
    let part = run_units_part(
        model,
        settings,
        0..chunk_count(settings.samples),
        cancel,
        progress,
        outcome,
    )?;
    reduce(model, settings, std::slice::from_ref(&part))
}

/// The chunks `chunks` of [`run_units`], unreduced (see [`run_part`]).
pub fn run_units_part<F>(
    model: &UncertainModel,
    settings: &MonteCarloSettings,
    chunks: Range<u64>,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
    outcome: F,
) -> Result<ChunkPart, EngineError>
where
    F: Fn(&Sample, u64, &[usize]) -> Vec<Result<f64, EngineError>> + Sync,
{
    run_over(model, &model.units(), settings, chunks, cancel, progress, outcome)
}

/// Number of chunks of a run of `samples` samples.
pub fn chunk_count(samples: u64) -> u64 {
    samples.div_ceil(CHUNK)
}

/// The running moments of one chunk of one issue, as their bits (exact
/// through JSON; an `f64` field would lose a non-finite value).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Moments {
    n: u64,
    mean: u64,
    m2: u64,
}

/// One issue's share of a [`ChunkPart`]: the moments of every chunk, kept
/// apart because floating-point merges depend on their order, and the
/// counts, whose sums do not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct IssuePart {
    moments: Vec<Moments>,
    above: u64,
    failures: u64,
    first_error: Option<String>,
    /// Non-empty histogram bins: (bin, count).
    histogram: Vec<(u32, u32)>,
}

/// The unreduced summaries of a range of chunks of a Monte Carlo run
/// ([`run_part`]); serializable, so that a part computed on one machine is
/// reduced on another ([`reduce`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChunkPart {
    /// First chunk covered.
    pub first: u64,
    /// One past the last chunk covered.
    pub end: u64,
    /// Whether the part was stopped (cancelled) before its range's end.
    pub stopped: bool,
    issues: Vec<IssuePart>,
}

/// Merges parts, given in chunk order and covering consecutive ranges from
/// chunk 0, into the run's result: the same arithmetic in the same order as
/// [`run`], so the same numbers bit for bit. Parts ending before the last
/// chunk, or a stopped part, give a partial result.
pub fn reduce(
    model: &UncertainModel,
    settings: &MonteCarloSettings,
    parts: &[ChunkPart],
) -> Result<MonteCarloResult, EngineError> {
    if model.issues.is_empty() {
        return Err(EngineError::InvalidInput("the model has no issue".into()));
    }
    let total_chunks = chunk_count(settings.samples);
    let mut totals: Vec<Accumulator> = model.issues.iter().map(|_| Accumulator::new()).collect();
    let mut covered = 0u64;
    let mut partial = false;
    for (k, part) in parts.iter().enumerate() {
        if part.first != covered || part.end < part.first || part.end > total_chunks {
            return Err(EngineError::InvalidInput(format!(
                "part {k} covers chunks {}..{}; expected a range starting at chunk {covered} and ending by chunk {total_chunks}",
                part.first, part.end
            )));
        }
        if part.issues.len() != model.issues.len()
            || part
                .issues
                .iter()
                .any(|p| p.moments.len() as u64 != part.end - part.first)
        {
            return Err(EngineError::InvalidInput(format!(
                "part {k} does not fit the model ({} issues, {} chunks)",
                model.issues.len(),
                part.end - part.first
            )));
        }
        for (total, p) in totals.iter_mut().zip(&part.issues) {
            for m in &p.moments {
                total.merge_moments(m.n, f64::from_bits(m.mean), f64::from_bits(m.m2));
            }
            total.above += p.above;
            total.failures += p.failures;
            if total.first_error.is_none() {
                total.first_error.clone_from(&p.first_error);
            }
            for &(bin, count) in &p.histogram {
                if let Some(h) = total.histogram.get_mut(bin as usize) {
                    *h += count;
                }
            }
        }
        covered = part.end;
        if part.stopped {
            partial = true;
            break;
        }
    }
    partial |= covered < total_chunks;
    Ok(MonteCarloResult {
        settings: settings.clone(),
        samples_done: (covered * CHUNK).min(settings.samples),
        partial,
        issues: totals
            .iter()
            .zip(&model.issues)
            .map(|(acc, issue)| summarize(acc, issue))
            .collect(),
    })
}

fn run_over<F>(
    model: &UncertainModel,
    units: &[Vec<usize>],
    settings: &MonteCarloSettings,
    chunks: Range<u64>,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
    outcome: F,
) -> Result<ChunkPart, EngineError>
where
    F: Fn(&Sample, u64, &[usize]) -> Vec<Result<f64, EngineError>> + Sync,
{
    if model.issues.is_empty() {
        return Err(EngineError::InvalidInput("the model has no issue".into()));
    }
    let total_chunks = chunk_count(settings.samples);
    if chunks.start > chunks.end || chunks.end > total_chunks {
        return Err(EngineError::InvalidInput(format!(
            "chunks {}..{} are outside the run's {total_chunks} chunks",
            chunks.start, chunks.end
        )));
    }
    let mut issues: Vec<IssuePart> = model
        .issues
        .iter()
        .map(|_| IssuePart {
            moments: Vec::new(),
            above: 0,
            failures: 0,
            first_error: None,
            histogram: Vec::new(),
        })
        .collect();
    let mut histograms: Vec<Vec<u32>> = model.issues.iter().map(|_| vec![0; BINS]).collect();
    let mut stopped = false;
    let mut chunk = chunks.start;
    while chunk < chunks.end {
        if cancel.load(Ordering::Relaxed) {
            stopped = true;
            break;
        }
        let end = (chunk + BATCH_CHUNKS).min(chunks.end);
        let batch: Vec<Vec<Accumulator>> = (chunk..end)
            .into_par_iter()
            .map(|c| {
                let mut accs: Vec<Accumulator> = model.issues.iter().map(|_| Accumulator::new()).collect();
                let first = c * CHUNK;
                let last = ((c + 1) * CHUNK).min(settings.samples);
                for index in first..last {
                    let sample = model.draw(settings.seed, index, settings.distribution);
                    for unit in units {
                        for (&i, result) in unit.iter().zip(outcome(&sample, index, unit)) {
                            let acc = &mut accs[i];
                            match result {
                                Ok(x) if x.is_finite() => acc.add(x, &model.issues[i]),
                                Ok(_) => record_failure(acc, "the model returned a non-finite outcome".into()),
                                Err(e) => record_failure(acc, e.to_string()),
                            }
                        }
                    }
                }
                accs
            })
            .collect();
        // Kept per chunk, in chunk order: `reduce` merges them as `run` always has.
        for accs in &batch {
            for ((p, h), acc) in issues.iter_mut().zip(&mut histograms).zip(accs) {
                p.moments.push(Moments {
                    n: acc.n,
                    mean: acc.mean.to_bits(),
                    m2: acc.m2.to_bits(),
                });
                p.above += acc.above;
                p.failures += acc.failures;
                if p.first_error.is_none() {
                    p.first_error.clone_from(&acc.first_error);
                }
                for (a, b) in h.iter_mut().zip(&acc.histogram) {
                    *a += b;
                }
            }
        }
        progress(((end - chunks.start) * CHUNK).min(settings.samples - chunks.start * CHUNK));
        chunk = end;
    }
    for (p, h) in issues.iter_mut().zip(&histograms) {
        p.histogram = h
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(b, c)| (b as u32, *c))
            .collect();
    }
    Ok(ChunkPart {
        first: chunks.start,
        end: chunk,
        stopped,
        issues,
    })
}

/// A stable 64-bit key of an issue id (FNV-1a), naming its random stream.
fn key_of(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    }) | 1
}

/// The seed a sample passes to stochastic dynamics (SplitMix64 of the run's
/// seed and the sample index), independent of the stream its inputs use.
pub fn sample_seed(seed: u64, index: u64) -> u64 {
    let mut z = seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn record_failure(acc: &mut Accumulator, message: String) {
    acc.failures += 1;
    if acc.first_error.is_none() {
        acc.first_error = Some(message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Dynamics, rules::DecisionRule};

    fn model() -> UncertainModel {
        let actors = (0..4)
            .map(|i| UncertainActor {
                id: format!("A{i}"),
                capability: Bounds {
                    value: 1.0 + i as f64,
                    low: 0.5,
                    high: 6.0,
                },
            })
            .collect();
        let stances = (0..4)
            .map(|i| UncertainStance {
                actor: i,
                position: vec![Bounds {
                    value: 20.0 * i as f64,
                    low: (20.0 * i as f64 - 10.0).max(0.0),
                    high: 20.0 * i as f64 + 10.0,
                }],
                salience: vec![Bounds {
                    value: 0.5,
                    low: 0.2,
                    high: 0.9,
                }],
                capability_factor: 1.0,
                active: true,
            })
            .collect();
        UncertainModel {
            actors,
            issues: vec![UncertainIssue {
                id: "x".into(),
                dimensions: 1,
                status_quo: Some(vec![10.0]),
                stances,
                procedure: None,
                threshold: 30.0,
                scale: (0.0, 100.0),
            }],
            links: Vec::new(),
        }
    }

    fn settings(samples: u64, seed: u64) -> MonteCarloSettings {
        MonteCarloSettings {
            samples,
            seed,
            distribution: Distribution::Pert,
            model: ModelSettings {
                dynamics: Dynamics::None,
                rule: DecisionRule::WeightedMean,
            },
        }
    }

    fn run_in(threads: usize, s: &MonteCarloSettings) -> MonteCarloResult {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| run(&model(), s, &AtomicBool::new(false), &|_| {}).unwrap())
    }

    #[test]
    fn seed_not_thread_count_decides_the_result() {
        let s = settings(1000, 7);
        let one = run_in(1, &s);
        let two = run_in(2, &s);
        assert_eq!(one, two);
        let other = run_in(2, &settings(1000, 8));
        assert_ne!(one.issues[0].mean, other.issues[0].mean);
    }

    #[test]
    fn more_samples_narrow_the_standard_error() {
        let small = run_in(2, &settings(200, 3));
        let large = run_in(2, &settings(5000, 3));
        assert!(large.issues[0].std_error < small.issues[0].std_error / 3.0);
        let q = large.issues[0].quantiles;
        assert!(q.windows(2).all(|w| w[0] <= w[1]), "{q:?}");
        assert!(q[0] >= 0.0 && q[4] <= 70.0);
    }

    #[test]
    fn draws_stay_in_their_ranges() {
        let m = model();
        for d in [Distribution::Uniform, Distribution::Triangular, Distribution::Pert] {
            for i in 0..200 {
                let s = m.draw(1, i, d);
                for (st, u) in s.issues[0].stances.iter().zip(&m.issues[0].stances) {
                    assert!(st.position[0] >= u.position[0].low && st.position[0] <= u.position[0].high);
                    assert!(st.salience[0] >= 0.2 && st.salience[0] <= 0.9);
                }
            }
        }
    }

    #[test]
    fn an_outcome_at_the_threshold_counts_as_reaching_it() {
        // Every input exact at 30 = the threshold: the outcome is 30 in every
        // sample, which is "at or above", so P = 1; just above the outcome, 0.
        let mut m = model();
        for st in &mut m.issues[0].stances {
            st.position = vec![Bounds::exact(30.0)];
        }
        let r = run(&m, &settings(100, 1), &AtomicBool::new(false), &|_| {}).unwrap();
        assert_eq!(r.issues[0].p_above, 1.0);
        m.issues[0].threshold = 30.000_001;
        let r = run(&m, &settings(100, 1), &AtomicBool::new(false), &|_| {}).unwrap();
        assert_eq!(r.issues[0].p_above, 0.0);
    }

    #[test]
    fn any_split_into_parts_reduces_to_the_run() {
        let m = model();
        let s = settings(1000, 11);
        let whole = run(&m, &s, &AtomicBool::new(false), &|_| {}).unwrap();
        let total = chunk_count(s.samples);
        for cuts in [vec![], vec![1], vec![3, 4, 9], (1..total).collect::<Vec<_>>()] {
            let mut bounds = vec![0];
            bounds.extend(&cuts);
            bounds.push(total);
            let parts: Vec<ChunkPart> = bounds
                .windows(2)
                .map(|w| {
                    let p = run_part(&m, &s, w[0]..w[1], &AtomicBool::new(false), &|_| {}).unwrap();
                    // Through JSON, as a cluster ships it.
                    serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap()
                })
                .collect();
            assert_eq!(reduce(&m, &s, &parts).unwrap(), whole, "cuts {cuts:?}");
        }
        // Parts out of order or overlapping are refused; missing tail is partial.
        let a = run_part(&m, &s, 0..3, &AtomicBool::new(false), &|_| {}).unwrap();
        let b = run_part(&m, &s, 3..total, &AtomicBool::new(false), &|_| {}).unwrap();
        assert!(reduce(&m, &s, &[b.clone(), a.clone()]).is_err());
        assert!(reduce(&m, &s, &[a.clone(), a.clone()]).is_err());
        let head = reduce(&m, &s, std::slice::from_ref(&a)).unwrap();
        assert!(head.partial);
        assert_eq!(head.samples_done, 3 * CHUNK);
        assert!(run_part(&m, &s, 0..total + 1, &AtomicBool::new(false), &|_| {}).is_err());
    }

    #[test]
    fn a_cancelled_run_is_marked_partial() {
        let r = run(&model(), &settings(10_000, 1), &AtomicBool::new(true), &|_| {}).unwrap();
        assert!(r.partial);
        assert_eq!(r.samples_done, 0);
    }
}
