//! Scoring forecasts against recorded outcomes: error metrics, a bootstrap
//! interval that resamples whole groups (proposals), and model selection by
//! cross-validation over groups.
//!
//! The input is a list of [`Case`]s — an issue (in one or more input
//! variants, e.g. one per capability set), its recorded outcome and the
//! group it belongs to — and a list of [`Candidate`]s: a model (dynamics ×
//! decision rule) or a baseline, applied to one input variant. [`validate`]
//! runs every candidate on every case (in parallel with rayon; each run is a
//! pure function of its inputs and of a per-case seed, and every sum is taken
//! in a fixed order afterwards, so the report is the same whatever the thread
//! count), scores it, and selects a recommended candidate by cross-validation.
//!
//! A candidate that cannot forecast a case (Nash without a reference point,
//! SMP when every actor agrees, …) is not scored on it; the report counts
//! those cases by reason. Only candidates that forecast *every* case may be
//! selected, so that errors are compared on the same issues.
//!
//! Like the rest of the engine this module does no I/O.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{DecisionRule, Dynamics, EngineError, Issue, decide, run_dynamics, run_dynamics_group};

/// One decision with a recorded outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The issue's id, for reports.
    pub id: String,
    /// The group the case belongs to (e.g. the legislative proposal): cases
    /// of one group are resampled and held out together.
    pub group: String,
    /// The recorded outcome (first dimension).
    pub outcome: f64,
    /// Labels for breakdowns, e.g. `("procedure", "COD")`.
    pub strata: Vec<(String, String)>,
    /// The issue in each input variant; [`Candidate::input`] indexes this.
    pub inputs: Vec<Issue>,
}

/// What a candidate computes from an issue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Predictor {
    /// Dynamics followed by a decision rule.
    Model {
        /// How positions move before the decision.
        dynamics: Dynamics,
        /// How final positions become an outcome.
        rule: DecisionRule,
        /// Where the dynamics cannot run on an issue (they report it
        /// degenerate or outside their domain), decide on the positions as
        /// given instead of leaving the issue unscored. The report counts
        /// such issues in [`CandidateReport::fallbacks`].
        #[serde(default)]
        static_fallback: bool,
    },
    /// Always the same value (e.g. the middle of the scale).
    Constant {
        /// The forecast.
        value: f64,
    },
    /// The issue's status quo (reference point).
    ReferencePoint,
    /// One actor's position (e.g. the Commission's proposal).
    ActorPosition {
        /// The actor's identifier.
        actor: String,
    },
    /// The plain mean of every actor's position (no capability, no salience).
    UnweightedMean,
    /// The capability × salience weighted median with the DEU literature's
    /// convention for an exact even split: the lower of the two middle
    /// positions (the smallest position with at least half the weight at or
    /// below it). The engine's [`DecisionRule::WeightedMedian`] takes the
    /// midpoint instead; this baseline reproduces the published figures.
    LowerWeightedMedian,
}

/// A predictor applied to one input variant of the cases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// Unique name in reports (e.g. `none/weighted_mean/vote_weight`).
    pub name: String,
    /// What it computes.
    pub predictor: Predictor,
    /// Index into [`Case::inputs`].
    pub input: usize,
    /// Label of that input variant in reports (e.g. `vote_weight`).
    pub input_label: String,
    /// Whether the candidate may be selected (baselines are not).
    pub selectable: bool,
}

/// A pool of candidates to select from by training error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Selection {
    /// Name in reports.
    pub name: String,
    /// Indices into the candidate list.
    pub candidates: Vec<usize>,
}

/// Settings of a validation run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationConfig {
    /// Seed of the models' random choices, the bootstrap and the folds.
    pub seed: u64,
    /// Bootstrap resamples for the MAE interval.
    pub resamples: usize,
    /// Coverage of the interval (e.g. 0.95).
    pub level: f64,
    /// Number of folds of the cross-validation over groups.
    pub folds: usize,
    /// Repetitions of the cross-validation with different fold assignments.
    pub repeats: usize,
    /// The pool the recommended candidate is chosen from.
    pub recommend_from: Selection,
    /// A candidate every other one is also compared with on the cases both
    /// forecast (e.g. the compromise model), so that candidates that miss
    /// some cases can still be compared fairly.
    pub reference: Option<usize>,
    /// Further pools whose selection procedure is cross-validated and reported
    /// (e.g. one model with a tuned parameter).
    pub families: Vec<Selection>,
}

/// Error metrics over the scored cases.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Number of cases scored.
    pub n: usize,
    /// Mean absolute error.
    pub mae: f64,
    /// Root mean squared error.
    pub rmse: f64,
    /// Median absolute error.
    pub median_abs: f64,
}

/// Computes [`Metrics`] from absolute errors; `None` when there are none.
pub fn metrics(abs_errors: &[f64]) -> Option<Metrics> {
    if abs_errors.is_empty() {
        return None;
    }
    let n = abs_errors.len() as f64;
    let mut sorted = abs_errors.to_vec();
    sorted.sort_by(f64::total_cmp);
    Some(Metrics {
        n: abs_errors.len(),
        mae: abs_errors.iter().sum::<f64>() / n,
        rmse: (abs_errors.iter().map(|e| e * e).sum::<f64>() / n).sqrt(),
        median_abs: quantile(&sorted, 0.5),
    })
}

/// Linear-interpolation quantile of sorted values (type 7), `q` in `[0, 1]`.
/// Returns NaN for an empty slice.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

/// A seed derived from `seed` and `index` (SplitMix64 finaliser), so that
/// per-item random streams do not depend on the order items are processed in.
pub fn derive_seed(seed: u64, index: u64) -> u64 {
    let mut z = seed
        ^ index
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(0xD1B5_4A32_D192_ED03);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Bootstrap resamples of groups: `plan[b][g]` is how many times group `g`
/// is drawn in resample `b` (`n_groups` draws with replacement each).
pub fn group_bootstrap_plan(n_groups: usize, resamples: usize, seed: u64) -> Vec<Vec<u32>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..resamples)
        .map(|_| {
            let mut counts = vec![0u32; n_groups];
            for _ in 0..n_groups {
                counts[rng.random_range(0..n_groups)] += 1;
            }
            counts
        })
        .collect()
}

/// Percentile interval of the MAE over a bootstrap plan, given each group's
/// sum of absolute errors and number of scored cases. Resamples that draw no
/// scored case are left out. `None` if no resample has a scored case.
pub fn bootstrap_mae_interval(group_sums: &[(f64, usize)], plan: &[Vec<u32>], level: f64) -> Option<(f64, f64)> {
    let mut maes: Vec<f64> = plan
        .iter()
        .filter_map(|counts| {
            let (mut s, mut n) = (0.0, 0.0);
            for (&m, &(gs, gn)) in counts.iter().zip(group_sums) {
                s += f64::from(m) * gs;
                n += f64::from(m) * gn as f64;
            }
            (n > 0.0).then(|| s / n)
        })
        .collect();
    if maes.is_empty() {
        return None;
    }
    maes.sort_by(f64::total_cmp);
    let tail = (1.0 - level.clamp(0.0, 1.0)) / 2.0;
    Some((quantile(&maes, tail), quantile(&maes, 1.0 - tail)))
}

/// Assigns each of `n_groups` groups to one of `k` folds: the groups are
/// shuffled with a seeded generator and dealt round-robin, so fold sizes
/// differ by at most one group.
pub fn group_folds(n_groups: usize, k: usize, seed: u64) -> Vec<usize> {
    let k = k.max(1);
    let mut order: Vec<usize> = (0..n_groups).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for i in (1..n_groups).rev() {
        let j = rng.random_range(0..=i);
        order.swap(i, j);
    }
    let mut fold = vec![0; n_groups];
    for (rank, &g) in order.iter().enumerate() {
        fold[g] = rank % k;
    }
    fold
}

/// Why a candidate produced no forecast for a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unscored {
    /// `invalid_input`, `degenerate` or `not_applicable`.
    pub reason: String,
    /// The engine's message.
    pub message: String,
}

impl From<EngineError> for Unscored {
    fn from(e: EngineError) -> Self {
        let reason = match &e {
            EngineError::InvalidInput(_) => "invalid_input",
            EngineError::Degenerate(_) => "degenerate",
            EngineError::NotApplicable(_) => "not_applicable",
            EngineError::Cancelled => "cancelled",
        };
        Unscored {
            reason: reason.to_string(),
            message: e.to_string(),
        }
    }
}

/// Every candidate's forecasts, as [`predict_all`] returns them.
#[derive(Debug, Clone, PartialEq)]
pub struct Predictions {
    /// `values[candidate][case]`: the forecast (first dimension), or why there is none.
    pub values: Vec<Vec<Result<f64, Unscored>>>,
    /// Per candidate, the number of cases decided on static positions
    /// because its dynamics could not run (only with `static_fallback`).
    pub fallbacks: Vec<usize>,
}

/// Every candidate's forecast of every case. Dynamics are run once per
/// distinct (dynamics, input) pair and case, with seed
/// `derive_seed(seed, case index)`, and shared by every decision rule that
/// follows them. The exchange model runs once per (input, group): the cases
/// of a group are the linked issues it negotiates together.
pub fn predict_all(cases: &[Case], candidates: &[Candidate], seed: u64) -> Predictions {
    match predict_all_with(cases, candidates, seed, &AtomicBool::new(false), &|_, _| {}) {
        Ok(p) => p,
        // Only cancellation stops the runs, and nothing can set this flag.
        Err(_) => unreachable!("predict_all cannot be cancelled"),
    }
}

/// Runs of dynamics between two progress reports and cancellation checks
/// of [`predict_all_with`]: enough to keep every thread busy.
const RUN_BATCH: usize = 256;

/// Like [`predict_all`], for long runs: `progress(done, total)` is called
/// from the calling thread after each batch of parallel runs with the runs
/// of dynamics done and in all (one per (dynamics, input) and case, one per
/// exchange (input, group)), and `cancel` is read between batches: once it
/// is set the function returns [`EngineError::Cancelled`]. Results are stored
/// by index, so neither changes them, whatever the thread count.
pub fn predict_all_with(
    cases: &[Case],
    candidates: &[Candidate],
    seed: u64,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Predictions, EngineError> {
    // Distinct (dynamics, input) jobs.
    let mut jobs: Vec<(&Dynamics, usize)> = Vec::new();
    let job_of: Vec<Option<usize>> = candidates
        .iter()
        .map(|c| match &c.predictor {
            Predictor::Model { dynamics, .. } => Some(
                jobs.iter()
                    .position(|&(d, i)| d == dynamics && i == c.input)
                    .unwrap_or_else(|| {
                        jobs.push((dynamics, c.input));
                        jobs.len() - 1
                    }),
            ),
            _ => None,
        })
        .collect();
    let n = cases.len();
    let singles = jobs.len() * n;
    let groups = groups_of(cases);
    let exchange_jobs = jobs.iter().filter(|(d, _)| matches!(d, Dynamics::Exchange(_))).count();
    let total = (singles + exchange_jobs * groups.len()) as u64;
    let mut finals: Vec<Result<Vec<Vec<f64>>, EngineError>> = Vec::with_capacity(singles);
    for first in (0..singles).step_by(RUN_BATCH) {
        if cancel.load(Ordering::Relaxed) {
            return Err(EngineError::Cancelled);
        }
        let end = (first + RUN_BATCH).min(singles);
        let batch: Vec<Result<Vec<Vec<f64>>, EngineError>> = (first..end)
            .into_par_iter()
            .map(|k| {
                let (dynamics, input) = jobs[k / n];
                if matches!(dynamics, Dynamics::Exchange(_)) {
                    return Err(EngineError::InvalidInput("run by group".into()));
                }
                let issue = input_of(&cases[k % n], input)?;
                let history = run_dynamics(issue, dynamics, derive_seed(seed, (k % n) as u64))?;
                Ok(history.final_positions().to_vec())
            })
            .collect();
        finals.extend(batch);
        progress(end as u64, total);
    }
    exchange_by_group(cases, &groups, &jobs, &mut finals, cancel, &|done| {
        progress(singles as u64 + done, total);
    })?;
    let rows: Vec<(Vec<Result<f64, Unscored>>, usize)> = candidates
        .par_iter()
        .zip(job_of.par_iter())
        .map(|(cand, job)| {
            let mut fallbacks = 0;
            let row = cases
                .iter()
                .enumerate()
                .map(|(ci, case)| {
                    let issue = input_of(case, cand.input)?;
                    let value = match (&cand.predictor, job) {
                        (
                            Predictor::Model {
                                rule, static_fallback, ..
                            },
                            Some(j),
                        ) => match (&finals[j * n + ci], static_fallback) {
                            (Ok(positions), _) => first(decide(issue, positions, rule)?),
                            (Err(_), true) => {
                                fallbacks += 1;
                                let positions: Vec<Vec<f64>> =
                                    issue.stances.iter().map(|s| s.position.clone()).collect();
                                first(decide(issue, &positions, rule)?)
                            }
                            (Err(e), false) => Err(e.clone()),
                        },
                        (predictor, _) => baseline(issue, predictor),
                    }?;
                    if value.is_finite() {
                        Ok(value)
                    } else {
                        Err(EngineError::Degenerate(format!(
                            "issue {}: the forecast is not a finite number",
                            case.id
                        )))
                    }
                })
                .map(|r| r.map_err(Unscored::from))
                .collect();
            (row, fallbacks)
        })
        .collect();
    let (values, fallbacks) = rows.into_iter().unzip();
    Ok(Predictions { values, fallbacks })
}

/// The groups of the cases, in order of their first case, with their cases.
fn groups_of(cases: &[Case]) -> Vec<(&str, Vec<usize>)> {
    let mut groups: Vec<(&str, Vec<usize>)> = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        match groups.iter_mut().find(|(g, _)| *g == case.group) {
            Some((_, members)) => members.push(i),
            None => groups.push((&case.group, vec![i])),
        }
    }
    groups
}

/// The exchange model negotiates the cases of one group (a proposal's
/// issues) together: its jobs are run once per group and their final
/// positions written back per case. Groups are taken in order of their first
/// case, and each group's run is deterministic, so the thread count never
/// changes a figure.
/// `progress` is called with the group runs done after each batch; `cancel`
/// is read between batches.
fn exchange_by_group(
    cases: &[Case],
    groups: &[(&str, Vec<usize>)],
    jobs: &[(&Dynamics, usize)],
    finals: &mut [Result<Vec<Vec<f64>>, EngineError>],
    cancel: &AtomicBool,
    progress: &dyn Fn(u64),
) -> Result<(), EngineError> {
    let n = cases.len();
    let tasks: Vec<(usize, usize)> = jobs
        .iter()
        .enumerate()
        .filter(|(_, (d, _))| matches!(d, Dynamics::Exchange(_)))
        .flat_map(|(j, _)| (0..groups.len()).map(move |g| (j, g)))
        .collect();
    for (start, batch) in tasks.chunks(RUN_BATCH).enumerate() {
        if cancel.load(Ordering::Relaxed) {
            return Err(EngineError::Cancelled);
        }
        let results: Vec<Vec<Result<Vec<Vec<f64>>, EngineError>>> = batch
            .par_iter()
            .map(|&(j, g)| {
                let (dynamics, input) = jobs[j];
                let members = &groups[g].1;
                let issues: Result<Vec<&Issue>, EngineError> =
                    members.iter().map(|&c| input_of(&cases[c], input)).collect();
                match issues {
                    Err(e) => members.iter().map(|_| Err(e.clone())).collect(),
                    // The exchange model is deterministic: it takes no seed.
                    Ok(issues) => run_dynamics_group(&issues, dynamics, 0)
                        .histories
                        .into_iter()
                        .map(|h| h.map(|h| h.final_positions().to_vec()))
                        .collect(),
                }
            })
            .collect();
        for (&(j, g), result) in batch.iter().zip(results) {
            for (&c, r) in groups[g].1.iter().zip(result) {
                finals[j * n + c] = r;
            }
        }
        progress((start * RUN_BATCH + batch.len()) as u64);
    }
    Ok(())
}

fn input_of(case: &Case, input: usize) -> Result<&Issue, EngineError> {
    case.inputs
        .get(input)
        .ok_or_else(|| EngineError::InvalidInput(format!("issue {}: there is no input variant {input}", case.id)))
}

fn first(outcome: Vec<f64>) -> Result<f64, EngineError> {
    outcome
        .first()
        .copied()
        .ok_or_else(|| EngineError::InvalidInput("the forecast has no coordinates".into()))
}

fn baseline(issue: &Issue, predictor: &Predictor) -> Result<f64, EngineError> {
    match predictor {
        Predictor::Constant { value } => Ok(*value),
        Predictor::ReferencePoint => issue
            .status_quo
            .as_ref()
            .and_then(|sq| sq.first().copied())
            .ok_or_else(|| EngineError::NotApplicable(format!("issue {}: no reference point", issue.id))),
        Predictor::ActorPosition { actor } => issue
            .stances
            .iter()
            .find(|s| &s.actor == actor)
            .and_then(|s| s.position.first().copied())
            .ok_or_else(|| EngineError::NotApplicable(format!("issue {}: {actor} has no position", issue.id))),
        Predictor::UnweightedMean => {
            let positions: Vec<f64> = issue
                .stances
                .iter()
                .filter_map(|s| s.position.first().copied())
                .collect();
            if positions.is_empty() {
                return Err(EngineError::InvalidInput(format!(
                    "issue {}: no actor has a position",
                    issue.id
                )));
            }
            Ok(positions.iter().sum::<f64>() / positions.len() as f64)
        }
        Predictor::LowerWeightedMedian => {
            let mut items: Vec<(f64, f64)> = issue
                .stances
                .iter()
                .filter_map(|s| Some((*s.position.first()?, s.capability * s.salience.first()?)))
                .collect();
            if items.iter().all(|&(_, w)| w <= 0.0) {
                items.iter_mut().for_each(|i| i.1 = 1.0);
            }
            items.sort_by(|a, b| a.0.total_cmp(&b.0));
            let half = 0.5 * items.iter().map(|i| i.1).sum::<f64>();
            let mut cum = 0.0;
            items
                .iter()
                .find(|&&(_, w)| {
                    cum += w;
                    cum >= half * (1.0 - 1e-12)
                })
                .map(|i| i.0)
                .ok_or_else(|| EngineError::InvalidInput(format!("issue {}: no actor has a position", issue.id)))
        }
        Predictor::Model { .. } => Err(EngineError::InvalidInput("a model needs its dynamics run first".into())),
    }
}

/// Error of one subset of the cases (a stratum).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StratumScore {
    /// Cases of the stratum scored.
    pub n: usize,
    /// Their mean absolute error.
    pub mae: f64,
}

/// A candidate's MAE next to the reference candidate's, on the cases both forecast.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Paired {
    /// Cases both forecast.
    pub n: usize,
    /// The candidate's MAE on them.
    pub mae: f64,
    /// The reference candidate's MAE on them.
    pub reference_mae: f64,
}

/// The scores of one candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateReport {
    /// The candidate as given.
    pub candidate: Candidate,
    /// Error metrics over the scored cases (`None` if none was scored).
    pub metrics: Option<Metrics>,
    /// Bootstrap interval of the MAE, resampling groups.
    pub mae_interval: Option<(f64, f64)>,
    /// Cases the candidate could not forecast.
    pub unscored: usize,
    /// Those cases counted by reason.
    pub unscored_by_reason: BTreeMap<String, usize>,
    /// The engine's first message for each reason, for the reader.
    pub unscored_examples: BTreeMap<String, String>,
    /// Cases decided on static positions because the dynamics could not run
    /// (candidates with `static_fallback` only).
    pub fallbacks: usize,
    /// The comparison with [`ValidationConfig::reference`] on the cases both
    /// forecast.
    pub paired: Option<Paired>,
    /// MAE by stratum: label → value → score.
    pub breakdown: BTreeMap<String, BTreeMap<String, StratumScore>>,
    /// Whether this is the recommended candidate.
    pub recommended: bool,
}

/// The cross-validated error of selecting from a pool by training error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelectionReport {
    /// The pool's name.
    pub name: String,
    /// Pool members that forecast every case (the others cannot be compared).
    pub eligible: Vec<String>,
    /// Pool members left out because they miss some cases.
    pub excluded: Vec<String>,
    /// Mean over repeats of the cross-validated MAE of the procedure
    /// "pick the eligible member with the lowest training MAE".
    pub cv_mae: Option<f64>,
    /// The cross-validated MAE of each repeat.
    pub cv_mae_by_repeat: Vec<f64>,
    /// How often each member was picked over all folds and repeats.
    pub picks: BTreeMap<String, usize>,
    /// The member the procedure picks on all cases.
    pub chosen: Option<String>,
    /// The chosen member's in-sample MAE (for comparison only).
    pub chosen_in_sample_mae: Option<f64>,
}

/// The full result of [`validate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationReport {
    /// Number of cases.
    pub cases: usize,
    /// Number of distinct groups.
    pub groups: usize,
    /// The settings used.
    pub config: ValidationConfig,
    /// One report per candidate, in input order.
    pub candidates: Vec<CandidateReport>,
    /// Cross-validation of the recommendation pool.
    pub recommendation: SelectionReport,
    /// Cross-validation of each further family.
    pub families: Vec<SelectionReport>,
}

impl ValidationReport {
    /// The recommended candidate's report, if any.
    pub fn recommended(&self) -> Option<&CandidateReport> {
        self.candidates.iter().find(|c| c.recommended)
    }

    /// A candidate's report by name.
    pub fn candidate(&self, name: &str) -> Option<&CandidateReport> {
        self.candidates.iter().find(|c| c.candidate.name == name)
    }
}

/// Runs every candidate on every case, scores them, and cross-validates the
/// selection pools (see the module docs).
pub fn validate(cases: &[Case], candidates: &[Candidate], config: &ValidationConfig) -> ValidationReport {
    score(cases, candidates, &predict_all(cases, candidates, config.seed), config)
}

/// Scores precomputed predictions (as [`predict_all`] returns them).
pub fn score(
    cases: &[Case],
    candidates: &[Candidate],
    predictions: &Predictions,
    config: &ValidationConfig,
) -> ValidationReport {
    match score_with(
        cases,
        candidates,
        predictions,
        config,
        &AtomicBool::new(false),
        &|_, _| {},
    ) {
        Ok(report) => report,
        // Only cancellation stops the scoring, and nothing can set this flag.
        Err(_) => unreachable!("score cannot be cancelled"),
    }
}

/// Candidates scored (each with its bootstrap) between two progress reports
/// and cancellation checks of [`score_with`].
const SCORE_BATCH: usize = 16;

/// Like [`score`], for long runs (many bootstrap resamples):
/// `progress(done, total)` is called from the calling thread with the
/// candidates scored so far and in all, after each batch, and `cancel` is
/// read between batches: once it is set the function returns
/// [`EngineError::Cancelled`]. Reports are kept in candidate order, so
/// neither changes the result, whatever the thread count.
pub fn score_with(
    cases: &[Case],
    candidates: &[Candidate],
    predictions: &Predictions,
    config: &ValidationConfig,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<ValidationReport, EngineError> {
    let fallbacks = &predictions.fallbacks;
    let predictions = &predictions.values;
    let mut group_names: Vec<&str> = cases.iter().map(|c| c.group.as_str()).collect();
    group_names.sort_unstable();
    group_names.dedup();
    let group_of: Vec<usize> = cases
        .iter()
        .map(|c| group_names.binary_search(&c.group.as_str()).unwrap_or(0))
        .collect();
    let n_groups = group_names.len();
    let plan = group_bootstrap_plan(n_groups, config.resamples, derive_seed(config.seed, 0xB007));

    // errors[candidate][case]
    let errors: Vec<Vec<Option<f64>>> = predictions
        .iter()
        .map(|row| {
            row.iter()
                .zip(cases)
                .map(|(p, c)| p.as_ref().ok().map(|v| (v - c.outcome).abs()))
                .collect()
        })
        .collect();

    let score_one = |k: usize| {
        let (cand, preds, errs, fallbacks) = (&candidates[k], &predictions[k], &errors[k], fallbacks[k]);
        let scored: Vec<f64> = errs.iter().flatten().copied().collect();
        let mut group_sums = vec![(0.0, 0usize); n_groups];
        for (e, &g) in errs.iter().zip(&group_of) {
            if let Some(e) = e {
                group_sums[g].0 += e;
                group_sums[g].1 += 1;
            }
        }
        let mut unscored_by_reason = BTreeMap::new();
        let mut unscored_examples = BTreeMap::new();
        for p in preds {
            if let Err(u) = p {
                *unscored_by_reason.entry(u.reason.clone()).or_insert(0) += 1;
                unscored_examples
                    .entry(u.reason.clone())
                    .or_insert_with(|| u.message.clone());
            }
        }
        let paired = config.reference.and_then(|r| errors.get(r)).map(|reference| {
            let (mut n, mut own, mut other) = (0, 0.0, 0.0);
            for (a, b) in errs.iter().zip(reference) {
                if let (Some(a), Some(b)) = (a, b) {
                    n += 1;
                    own += a;
                    other += b;
                }
            }
            let d = n.max(1) as f64;
            Paired {
                n,
                mae: own / d,
                reference_mae: other / d,
            }
        });
        let mut strata: BTreeMap<String, BTreeMap<String, (f64, usize)>> = BTreeMap::new();
        for (e, case) in errs.iter().zip(cases) {
            let Some(e) = e else { continue };
            for (k, v) in &case.strata {
                let slot = strata
                    .entry(k.clone())
                    .or_default()
                    .entry(v.clone())
                    .or_insert((0.0, 0));
                slot.0 += e;
                slot.1 += 1;
            }
        }
        let breakdown = strata
            .into_iter()
            .map(|(k, m)| {
                (
                    k,
                    m.into_iter()
                        .map(|(v, (s, n))| (v, StratumScore { n, mae: s / n as f64 }))
                        .collect(),
                )
            })
            .collect();
        CandidateReport {
            candidate: cand.clone(),
            metrics: metrics(&scored),
            mae_interval: bootstrap_mae_interval(&group_sums, &plan, config.level),
            unscored: preds.len() - scored.len(),
            unscored_by_reason,
            unscored_examples,
            fallbacks,
            paired,
            breakdown,
            recommended: false,
        }
    };
    let total = candidates.len().min(predictions.len()).min(fallbacks.len());
    let mut reports: Vec<CandidateReport> = Vec::with_capacity(total);
    for first in (0..total).step_by(SCORE_BATCH) {
        if cancel.load(Ordering::Relaxed) {
            return Err(EngineError::Cancelled);
        }
        let end = (first + SCORE_BATCH).min(total);
        let batch: Vec<CandidateReport> = (first..end).into_par_iter().map(score_one).collect();
        reports.extend(batch);
        progress(end as u64, total as u64);
    }

    let select = |pool: &Selection| cross_validate_selection(pool, candidates, &errors, &group_of, n_groups, config);
    let recommendation = select(&config.recommend_from);
    let families = config.families.iter().map(select).collect();
    if let Some(chosen) = &recommendation.chosen {
        for r in &mut reports {
            r.recommended = &r.candidate.name == chosen;
        }
    }
    Ok(ValidationReport {
        cases: cases.len(),
        groups: n_groups,
        config: config.clone(),
        candidates: reports,
        recommendation,
        families,
    })
}

/// Cross-validates "pick the pool member with the lowest training MAE".
fn cross_validate_selection(
    pool: &Selection,
    candidates: &[Candidate],
    errors: &[Vec<Option<f64>>],
    group_of: &[usize],
    n_groups: usize,
    config: &ValidationConfig,
) -> SelectionReport {
    let name = |i: usize| {
        candidates
            .get(i)
            .map(|c| c.name.clone())
            .unwrap_or_else(|| format!("#{i}"))
    };
    let (eligible, excluded): (Vec<usize>, Vec<usize>) = pool.candidates.iter().partition(|&&i| {
        candidates.get(i).is_some_and(|c| c.selectable)
            && errors
                .get(i)
                .is_some_and(|row| !row.is_empty() && row.iter().all(Option::is_some))
    });
    let err = |c: usize, case: usize| errors[c][case].unwrap_or(f64::INFINITY);
    let n_cases = group_of.len();
    // The member with the lowest mean error over `cases` (ties: pool order).
    let best = |cases: &[usize]| -> Option<usize> {
        eligible.iter().copied().min_by(|&a, &b| {
            let ma: f64 = cases.iter().map(|&k| err(a, k)).sum();
            let mb: f64 = cases.iter().map(|&k| err(b, k)).sum();
            ma.total_cmp(&mb)
        })
    };
    let all: Vec<usize> = (0..n_cases).collect();
    let chosen = best(&all);
    let mut picks: BTreeMap<String, usize> = BTreeMap::new();
    let mut cv_mae_by_repeat = Vec::new();
    if !eligible.is_empty() && n_cases > 0 && n_groups >= 2 {
        for r in 0..config.repeats {
            let folds = group_folds(
                n_groups,
                config.folds.min(n_groups),
                derive_seed(config.seed, 0xC0_0000 + r as u64),
            );
            let mut total = 0.0;
            for f in 0..config.folds.min(n_groups) {
                let (test, train): (Vec<usize>, Vec<usize>) = all.iter().partition(|&&k| folds[group_of[k]] == f);
                if test.is_empty() {
                    continue;
                }
                let Some(pick) = best(&train) else { continue };
                *picks.entry(name(pick)).or_insert(0) += 1;
                total += test.iter().map(|&k| err(pick, k)).sum::<f64>();
            }
            cv_mae_by_repeat.push(total / n_cases as f64);
        }
    }
    let cv_mae =
        (!cv_mae_by_repeat.is_empty()).then(|| cv_mae_by_repeat.iter().sum::<f64>() / cv_mae_by_repeat.len() as f64);
    SelectionReport {
        name: pool.name.clone(),
        eligible: eligible.iter().map(|&i| name(i)).collect(),
        excluded: excluded.iter().map(|&i| name(i)).collect(),
        cv_mae,
        cv_mae_by_repeat,
        picks,
        chosen: chosen.map(name),
        chosen_in_sample_mae: chosen.map(|c| all.iter().map(|&k| err(c, k)).sum::<f64>() / n_cases as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_of_known_errors() {
        let m = metrics(&[1.0, 2.0, 3.0, 10.0]).unwrap();
        assert_eq!(m.n, 4);
        assert!((m.mae - 4.0).abs() < 1e-12);
        assert!((m.rmse - (114.0f64 / 4.0).sqrt()).abs() < 1e-12);
        assert!((m.median_abs - 2.5).abs() < 1e-12);
        assert!(metrics(&[]).is_none());
    }

    #[test]
    fn folds_are_balanced_and_seeded() {
        let f = group_folds(94, 10, 7);
        let mut sizes = [0usize; 10];
        for &k in &f {
            sizes[k] += 1;
        }
        assert!(sizes.iter().all(|&s| s == 9 || s == 10));
        assert_eq!(f, group_folds(94, 10, 7));
        assert_ne!(f, group_folds(94, 10, 8));
    }

    #[test]
    fn bootstrap_interval_brackets_the_mae() {
        let sums: Vec<(f64, usize)> = (0..30).map(|g| (g as f64 * 2.0, 2)).collect();
        let plan = group_bootstrap_plan(30, 500, 1);
        let (lo, hi) = bootstrap_mae_interval(&sums, &plan, 0.95).unwrap();
        let mae = sums.iter().map(|s| s.0).sum::<f64>() / 60.0;
        assert!(lo < mae && mae < hi, "{lo} {mae} {hi}");
    }
}
