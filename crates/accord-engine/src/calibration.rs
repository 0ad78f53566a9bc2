//! Calibrated predictive distributions: model error learned from recorded
//! outcomes, added to a forecast, and a stacked ensemble of several models.
//!
//! Method (equations and the coverage argument: `docs/models/calibration.md`):
//!
//! * A model's **residuals** `rⱼ = yⱼ − x̂ⱼ` on recorded decisions, grouped by
//!   decision rule (e.g. unanimity vs qualified majority) where a group has
//!   at least [`CalibrationConfig::min_group`] residuals, pooled otherwise.
//! * The **predictive distribution** of a forecast `x` with the `n` residuals
//!   of its group is the split-conformal distribution (eq. C1)
//!
//!   `F(y) = ( #{j : clip(x + rⱼ) ≤ y} + ½·[y ≥ lo] + ½·[y ≥ hi] ) / (n + 1)`,
//!
//!   i.e. mass `1/(n+1)` on every clipped `x + rⱼ` and the remaining
//!   `1/(n+1)` split between the two ends of the scale. Its central
//!   `1 − α` interval covers a new exchangeable outcome with probability
//!   within `1 − α ± 1/(n+1)`. With input uncertainty (Monte Carlo draws
//!   `x₁ … x_S`) the predictive distribution is the equal-weight mixture of
//!   the per-draw distributions (eq. C2).
//! * **Threshold probabilities** `P(Y ≥ t)` are read off that distribution
//!   exactly (no sampling of residuals).
//! * The **headline** is a mixture `Σₘ wₘ Fₘ` of the members' predictive
//!   distributions with stacking weights that minimise the mean CRPS of
//!   out-of-fold predictive distributions (folds by group, e.g. proposal),
//!   searched on a grid of the simplex (eq. C3–C4).
//! * **Calibration** is measured by nested cross-validation: the residuals
//!   and the weights used for a case never come from its own fold.
//!
//! Like the rest of the engine this module does no I/O, and every result is a
//! pure function of its inputs and the seed of the fold assignment.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::validation::{derive_seed, group_folds};

/// The nominal coverages reported.
pub const NOMINAL_LEVELS: [f64; 3] = [0.5, 0.8, 0.9];

/// Seed offset of the calibration's fold assignment (kept apart from the
/// bootstrap's and the selection's streams).
const FOLD_STREAM: u64 = 0xCA1B;

/// The label of the pooled residuals (every group together).
pub const POOLED: &str = "pooled";

/// Clips `v` to the scale `[lo, hi]`.
fn clip(v: f64, (lo, hi): (f64, f64)) -> f64 {
    v.clamp(lo, hi)
}

/// One component of a predictive mixture: a forecast given by equally
/// likely draws (one draw when the inputs are certain), plus the sorted
/// residuals of its model, with a weight in the mixture.
#[derive(Debug, Clone, Copy)]
pub struct Component<'a> {
    /// Weight in the mixture (the weights of a mixture sum to one).
    pub weight: f64,
    /// Draws of the forecast, sorted ascending.
    pub draws: &'a [f64],
    /// Residuals (outcome − forecast), sorted ascending.
    pub residuals: &'a [f64],
}

impl Component<'_> {
    /// Eq. C1–C2: `F(y)`, the probability that the outcome is at or below `y`.
    pub fn cdf(&self, y: f64, (lo, hi): (f64, f64)) -> f64 {
        if y < lo {
            return 0.0;
        }
        if y >= hi {
            return 1.0;
        }
        let n = self.residuals.len() as f64;
        let s = self.draws.len() as f64;
        if s == 0.0 {
            return f64::NAN;
        }
        // For lo ≤ y < hi: clip(x + r) ≤ y ⇔ x + r ≤ y.
        let below: usize = self
            .residuals
            .iter()
            .map(|r| self.draws.partition_point(|&x| x + r <= y))
            .sum();
        (below as f64 / s + 0.5) / (n + 1.0)
    }

    /// `P(Y ≥ t)` (eq. C5), exactly: per draw, the share of residuals that
    /// carry it to `t` or beyond, half a share for the upper end.
    pub fn p_at_or_above(&self, t: f64, (lo, hi): (f64, f64)) -> f64 {
        if t <= lo {
            return 1.0;
        }
        if t > hi {
            return 0.0;
        }
        let n = self.residuals.len();
        let s = self.draws.len() as f64;
        if s == 0.0 {
            return f64::NAN;
        }
        // For lo < t ≤ hi: clip(x + r) ≥ t ⇔ x + r ≥ t.
        let total: f64 = self
            .draws
            .iter()
            .map(|&x| (n - self.residuals.partition_point(|&r| x + r < t)) as f64 + 0.5)
            .sum();
        total / s / (n as f64 + 1.0)
    }

    /// The atoms (value, mass) of a one-draw component, mass summing to one.
    fn atoms(&self, scale: (f64, f64)) -> Vec<(f64, f64)> {
        let n = self.residuals.len() as f64;
        let s = self.draws.len() as f64;
        let m = 1.0 / ((n + 1.0) * s);
        let mut atoms: Vec<(f64, f64)> = Vec::with_capacity(self.draws.len() * (self.residuals.len() + 2));
        for &x in self.draws {
            atoms.extend(self.residuals.iter().map(|r| (clip(x + r, scale), m)));
            atoms.push((scale.0, 0.5 * m));
            atoms.push((scale.1, 0.5 * m));
        }
        atoms.sort_by(|a, b| a.0.total_cmp(&b.0));
        atoms
    }
}

/// `F(y)` of a mixture of components.
pub fn mixture_cdf(components: &[Component<'_>], y: f64, scale: (f64, f64)) -> f64 {
    components.iter().map(|c| c.weight * c.cdf(y, scale)).sum()
}

/// `P(Y ≥ t)` of a mixture of components.
pub fn mixture_p_at_or_above(components: &[Component<'_>], t: f64, scale: (f64, f64)) -> f64 {
    components.iter().map(|c| c.weight * c.p_at_or_above(t, scale)).sum()
}

/// The `q`-quantile of a mixture: the smallest `y` on the scale with
/// `F(y) ≥ q`, found by bisection to 1e-9 of the scale's width (`F` is a
/// step function; its steps are at least that far apart in practice).
pub fn mixture_quantile(components: &[Component<'_>], q: f64, scale: (f64, f64)) -> f64 {
    let (lo, hi) = scale;
    let target = q - 1e-12;
    if mixture_cdf(components, lo, scale) >= target {
        return lo;
    }
    let (mut a, mut b) = (lo, hi);
    while b - a > 1e-9 * (hi - lo).max(f64::MIN_POSITIVE) {
        let m = 0.5 * (a + b);
        if mixture_cdf(components, m, scale) >= target {
            b = m;
        } else {
            a = m;
        }
    }
    b
}

/// The central interval of nominal coverage `level` of a mixture.
pub fn mixture_interval(components: &[Component<'_>], level: f64, scale: (f64, f64)) -> (f64, f64) {
    let tail = (1.0 - level) / 2.0;
    (
        mixture_quantile(components, tail, scale),
        mixture_quantile(components, 1.0 - tail, scale),
    )
}

/// `E|X − y|` and the pairwise `E|Xₐ − X_b|` of sorted atom sets, for the CRPS.
fn expected_abs_to(atoms: &[(f64, f64)], y: f64) -> f64 {
    atoms.iter().map(|&(a, m)| m * (a - y).abs()).sum()
}

/// `E|A − B|` for independent discrete A and B given as sorted atoms, in
/// O((|A| + |B|)) after sorting, by prefix sums over B.
fn expected_abs_between(a: &[(f64, f64)], b: &[(f64, f64)]) -> f64 {
    let total_m: f64 = b.iter().map(|x| x.1).sum();
    let total_s: f64 = b.iter().map(|x| x.0 * x.1).sum();
    let (mut k, mut cm, mut cs) = (0usize, 0.0, 0.0);
    let mut out = 0.0;
    for &(v, m) in a {
        while k < b.len() && b[k].0 <= v {
            cm += b[k].1;
            cs += b[k].0 * b[k].1;
            k += 1;
        }
        out += m * ((v * cm - cs) + ((total_s - cs) - v * (total_m - cm)));
    }
    out
}

/// Why a calibration cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalibrationError {
    /// No case has a recorded outcome.
    #[error("calibration needs recorded outcomes, and {0} has none")]
    NoOutcomes(String),
    /// The ensemble was given no model, or none of its models forecast any case.
    #[error("an ensemble needs at least one validated model: {0}")]
    NoMembers(String),
    /// Settings out of range.
    #[error("invalid calibration setting {field}: {message}")]
    Setting {
        /// Which setting.
        field: String,
        /// What would be valid.
        message: String,
    },
    /// The caller's cancellation flag was set (e.g. by Ctrl-C) before the
    /// calibration finished.
    #[error("calibration cancelled before the end")]
    Cancelled,
}

/// Settings of [`calibrate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationConfig {
    /// Folds of the cross-validation over groups (proposals).
    pub folds: usize,
    /// Seed of the fold assignment.
    pub seed: u64,
    /// The scale outcomes and forecasts live on.
    pub scale: (f64, f64),
    /// Smallest number of residuals for a decision-rule group to have its
    /// own error distribution; smaller groups use the pooled residuals.
    pub min_group: usize,
    /// Grid step of the stacking weights (1/20: weights in multiples of 0.05).
    pub weight_steps: usize,
    /// Thresholds of the reliability diagram (events `Y ≥ t`).
    pub thresholds: Vec<f64>,
}

impl Default for CalibrationConfig {
    fn default() -> Self {
        CalibrationConfig {
            folds: 10,
            seed: 20_220_101,
            scale: (0.0, 100.0),
            min_group: 30,
            weight_steps: 20,
            thresholds: vec![25.0, 50.0, 75.0],
        }
    }
}

/// One case for the calibration: its group for folds, its decision-rule
/// group for residuals, and its outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationCase {
    /// The case's id.
    pub id: String,
    /// The fold group (e.g. the proposal): held out together.
    pub fold_group: String,
    /// The residual group (e.g. `unanimity`, `qmv`).
    pub rule_group: String,
    /// The recorded outcome.
    pub outcome: f64,
}

/// A model of the ensemble with its point forecast of every case (`None`
/// where it cannot forecast the case).
#[derive(Debug, Clone, PartialEq)]
pub struct MemberForecasts {
    /// The model's name.
    pub name: String,
    /// Forecast per case, in case order.
    pub forecasts: Vec<Option<f64>>,
}

/// One model's residuals by decision-rule group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberErrors {
    /// The model's name.
    pub name: String,
    /// Its stacking weight in the headline.
    pub weight: f64,
    /// Residuals (outcome − forecast), sorted, of every group; only groups
    /// with at least `min_group` residuals are listed.
    pub groups: BTreeMap<String, Vec<f64>>,
    /// Every residual, sorted.
    pub pooled: Vec<f64>,
}

impl MemberErrors {
    /// The residuals for a case of `group` (eq. C6): the group's own if it
    /// has enough, else the pooled ones.
    pub fn residuals(&self, group: Option<&str>) -> (&str, &[f64]) {
        match group.and_then(|g| self.groups.get_key_value(g)) {
            Some((g, r)) => (g.as_str(), r.as_slice()),
            None => (POOLED, self.pooled.as_slice()),
        }
    }
}

/// The learned error model: every member's residuals and weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorModel {
    /// The scale the residuals are on.
    pub scale: (f64, f64),
    /// Smallest group with its own residuals.
    pub min_group: usize,
    /// The members, in ensemble order.
    pub members: Vec<MemberErrors>,
}

impl ErrorModel {
    /// A member by name.
    pub fn member(&self, name: &str) -> Option<&MemberErrors> {
        self.members.iter().find(|m| m.name == name)
    }
}

/// Observed coverage of one nominal level.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// The nominal coverage of the central interval.
    pub nominal: f64,
    /// Share of outcomes inside it.
    pub covered: f64,
    /// Cases scored.
    pub n: usize,
    /// Mean width of the intervals.
    pub mean_width: f64,
}

/// One bin of a reliability diagram of threshold events `Y ≥ t`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReliabilityBin {
    /// Lower end of the forecast probability bin.
    pub from: f64,
    /// Upper end.
    pub to: f64,
    /// Events in the bin.
    pub n: usize,
    /// Mean forecast probability.
    pub mean_forecast: f64,
    /// Share of events that happened.
    pub observed: f64,
}

/// Out-of-sample scores of one predictive model (a member or the headline).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictiveScores {
    /// The model's name (`headline` for the ensemble).
    pub name: String,
    /// Cases it forecast.
    pub n: usize,
    /// Coverage of the central intervals at [`NOMINAL_LEVELS`].
    pub coverage: Vec<Coverage>,
    /// Mean continuous ranked probability score (lower is better; on the scale's units).
    pub crps: f64,
    /// Mean Brier score of the threshold events (lower is better).
    pub brier: f64,
    /// Reliability diagram of the threshold events (ten bins of the forecast).
    pub reliability: Vec<ReliabilityBin>,
}

/// The result of [`calibrate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationReport {
    /// The settings used.
    pub config: CalibrationConfig,
    /// Cases with an outcome.
    pub cases: usize,
    /// Cases per residual group.
    pub group_sizes: BTreeMap<String, usize>,
    /// The headline ensemble, nested cross-validation.
    pub headline: PredictiveScores,
    /// Each member alone (its residuals from the other folds).
    pub members: Vec<PredictiveScores>,
    /// Stacking weights chosen in each outer fold (for their stability).
    pub fold_weights: Vec<Vec<f64>>,
    /// What ships: residuals from every case and weights from one level of
    /// cross-validation.
    pub error_model: ErrorModel,
}

/// Residual sets of every member learned from the cases `train` accepts.
fn learn(
    cases: &[CalibrationCase],
    members: &[MemberForecasts],
    train: impl Fn(usize) -> bool,
    min_group: usize,
) -> Vec<MemberErrors> {
    members
        .iter()
        .map(|m| {
            let mut groups: BTreeMap<String, Vec<f64>> = BTreeMap::new();
            let mut pooled = Vec::new();
            for (k, (case, f)) in cases.iter().zip(&m.forecasts).enumerate() {
                if let (true, Some(f)) = (train(k), f) {
                    let r = case.outcome - f;
                    groups.entry(case.rule_group.clone()).or_default().push(r);
                    pooled.push(r);
                }
            }
            groups.retain(|_, r| r.len() >= min_group);
            groups.values_mut().for_each(|r| r.sort_by(f64::total_cmp));
            pooled.sort_by(f64::total_cmp);
            MemberErrors {
                name: m.name.clone(),
                weight: 0.0,
                groups,
                pooled,
            }
        })
        .collect()
}

/// Per case, the quantities the CRPS of any mixture of the members needs
/// (eq. C4): which members forecast it, `E|Xₘ − y|` and `E|Xₘ − Xₘ'|`.
struct CrpsTerms {
    available: Vec<bool>,
    to_outcome: Vec<f64>,
    between: Vec<Vec<f64>>,
}

fn crps_terms(
    case: &CalibrationCase,
    k: usize,
    members: &[MemberForecasts],
    errors: &[MemberErrors],
    scale: (f64, f64),
) -> CrpsTerms {
    let atoms: Vec<Option<Vec<(f64, f64)>>> = members
        .iter()
        .zip(errors)
        .map(|(m, e)| {
            let x = m.forecasts[k]?;
            let (_, r) = e.residuals(Some(&case.rule_group));
            let draws = [x];
            Some(
                Component {
                    weight: 1.0,
                    draws: &draws,
                    residuals: r,
                }
                .atoms(scale),
            )
        })
        .collect();
    let to_outcome = atoms
        .iter()
        .map(|a| a.as_ref().map_or(0.0, |a| expected_abs_to(a, case.outcome)))
        .collect();
    let between = atoms
        .iter()
        .map(|a| {
            atoms
                .iter()
                .map(|b| match (a, b) {
                    (Some(a), Some(b)) => expected_abs_between(a, b),
                    _ => 0.0,
                })
                .collect()
        })
        .collect();
    CrpsTerms {
        available: atoms.iter().map(Option::is_some).collect(),
        to_outcome,
        between,
    }
}

/// The weights a case's mixture uses: the given weights on the members that
/// forecast it, renormalised; equal weights if those members have none.
pub fn effective_weights(weights: &[f64], available: &[bool]) -> Vec<f64> {
    let total: f64 = weights.iter().zip(available).filter(|(_, a)| **a).map(|(w, _)| w).sum();
    let count = available.iter().filter(|a| **a).count();
    weights
        .iter()
        .zip(available)
        .map(|(&w, &a)| match (a, total > 0.0) {
            (false, _) => 0.0,
            (true, true) => w / total,
            (true, false) => 1.0 / count as f64,
        })
        .collect()
}

/// Eq. C4: the CRPS of the mixture with weights `w` (renormalised to the
/// available members).
fn mixture_crps(t: &CrpsTerms, w: &[f64]) -> f64 {
    let w = effective_weights(w, &t.available);
    let mut first = 0.0;
    let mut second = 0.0;
    for (a, wa) in w.iter().enumerate() {
        if *wa == 0.0 {
            continue;
        }
        first += wa * t.to_outcome[a];
        for (b, wb) in w.iter().enumerate() {
            second += wa * wb * t.between[a][b];
        }
    }
    first - 0.5 * second
}

/// Every weight vector on the simplex in multiples of `1/steps`, in a fixed order.
fn simplex_grid(members: usize, steps: usize) -> Vec<Vec<f64>> {
    fn rec(left: usize, slots: usize, steps: usize, prefix: &mut Vec<usize>, out: &mut Vec<Vec<f64>>) {
        if slots == 1 {
            prefix.push(left);
            out.push(prefix.iter().map(|&k| k as f64 / steps as f64).collect());
            prefix.pop();
            return;
        }
        for k in (0..=left).rev() {
            prefix.push(k);
            rec(left - k, slots - 1, steps, prefix, out);
            prefix.pop();
        }
    }
    let mut out = Vec::new();
    if members > 0 {
        rec(steps, members, steps, &mut Vec::new(), &mut out);
    }
    out
}

/// Eq. C3: the grid weights with the lowest mean CRPS over `terms` (ties: grid order).
fn stack(terms: &[CrpsTerms], grid: &[Vec<f64>]) -> Vec<f64> {
    let scores: Vec<f64> = grid
        .par_iter()
        .map(|w| terms.iter().map(|t| mixture_crps(t, w)).sum::<f64>())
        .collect();
    let best = scores
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(b.1).then(a.0.cmp(&b.0)))
        .map_or(0, |(i, _)| i);
    grid.get(best).cloned().unwrap_or_default()
}

/// One outer fold's weights, the headline's scored cases and each member's.
type FoldResult = (Vec<f64>, Vec<(usize, Scored)>, Vec<Vec<(usize, Scored)>>);

/// What one case's out-of-fold predictive distribution gives, for scoring.
struct Scored {
    intervals: Vec<(f64, f64)>,
    crps: f64,
    events: Vec<(f64, bool)>,
    outcome: f64,
}

fn score_case(
    case: &CalibrationCase,
    k: usize,
    members: &[MemberForecasts],
    errors: &[MemberErrors],
    weights: &[f64],
    config: &CalibrationConfig,
) -> Option<Scored> {
    let available: Vec<bool> = members.iter().map(|m| m.forecasts[k].is_some()).collect();
    if !available.iter().any(|a| *a) {
        return None;
    }
    let w = effective_weights(weights, &available);
    let draws: Vec<[f64; 1]> = members.iter().map(|m| [m.forecasts[k].unwrap_or(f64::NAN)]).collect();
    let components: Vec<Component<'_>> = errors
        .iter()
        .enumerate()
        .filter(|(i, _)| available[*i] && w[*i] > 0.0)
        .map(|(i, e)| Component {
            weight: w[i],
            draws: &draws[i],
            residuals: e.residuals(Some(&case.rule_group)).1,
        })
        .collect();
    let terms = crps_terms(case, k, members, errors, config.scale);
    Some(Scored {
        intervals: NOMINAL_LEVELS
            .iter()
            .map(|&l| mixture_interval(&components, l, config.scale))
            .collect(),
        crps: mixture_crps(&terms, weights),
        events: config
            .thresholds
            .iter()
            .map(|&t| (mixture_p_at_or_above(&components, t, config.scale), case.outcome >= t))
            .collect(),
        outcome: case.outcome,
    })
}

fn summarise(name: &str, scored: &[Scored]) -> PredictiveScores {
    let n = scored.len();
    let coverage = NOMINAL_LEVELS
        .iter()
        .enumerate()
        .map(|(l, &nominal)| {
            let inside = scored
                .iter()
                .filter(|s| s.intervals[l].0 <= s.outcome && s.outcome <= s.intervals[l].1)
                .count();
            let width: f64 = scored.iter().map(|s| s.intervals[l].1 - s.intervals[l].0).sum();
            Coverage {
                nominal,
                covered: inside as f64 / n.max(1) as f64,
                n,
                mean_width: width / n.max(1) as f64,
            }
        })
        .collect();
    let events: Vec<(f64, bool)> = scored.iter().flat_map(|s| s.events.iter().copied()).collect();
    let brier = events
        .iter()
        .map(|&(p, o)| (p - f64::from(u8::from(o))).powi(2))
        .sum::<f64>()
        / events.len().max(1) as f64;
    let mut bins = [(0usize, 0.0f64, 0usize); 10];
    for &(p, o) in &events {
        let b = ((p * 10.0).floor() as usize).min(9);
        bins[b].0 += 1;
        bins[b].1 += p;
        bins[b].2 += usize::from(o);
    }
    let reliability = bins
        .iter()
        .enumerate()
        .filter(|(_, b)| b.0 > 0)
        .map(|(i, &(count, sum, hits))| ReliabilityBin {
            from: i as f64 / 10.0,
            to: (i + 1) as f64 / 10.0,
            n: count,
            mean_forecast: sum / count as f64,
            observed: hits as f64 / count as f64,
        })
        .collect();
    PredictiveScores {
        name: name.to_string(),
        n,
        coverage,
        crps: scored.iter().map(|s| s.crps).sum::<f64>() / n.max(1) as f64,
        brier,
        reliability,
    }
}

/// Learns every member's error distribution and the stacking weights, and
/// measures the calibration of the headline and of each member by nested
/// cross-validation over fold groups (see the module docs).
pub fn calibrate(
    source: &str,
    cases: &[CalibrationCase],
    members: &[MemberForecasts],
    config: &CalibrationConfig,
) -> Result<CalibrationReport, CalibrationError> {
    calibrate_with(source, cases, members, config, &AtomicBool::new(false), &|_, _| {})
}

/// Outer folds computed between two progress reports and cancellation
/// checks of [`calibrate_with`].
const FOLD_BATCH: usize = 4;

/// Like [`calibrate`], for long runs (many folds): `progress(done, total)`
/// is called from the calling thread with the steps done and in all (one per
/// outer fold of the nested cross-validation, and one for the shipped
/// weights), and `cancel` is read between them: once it is set the function
/// returns [`CalibrationError::Cancelled`]. Folds are merged in fold order, so
/// neither changes the result, whatever the thread count.
pub fn calibrate_with(
    source: &str,
    cases: &[CalibrationCase],
    members: &[MemberForecasts],
    config: &CalibrationConfig,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<CalibrationReport, CalibrationError> {
    if cases.is_empty() {
        return Err(CalibrationError::NoOutcomes(source.to_string()));
    }
    if members.is_empty() {
        return Err(CalibrationError::NoMembers("none was given".into()));
    }
    if let Some(m) = members.iter().find(|m| m.forecasts.len() != cases.len()) {
        return Err(CalibrationError::Setting {
            field: format!("members.{}", m.name),
            message: format!("{} forecasts for {} cases", m.forecasts.len(), cases.len()),
        });
    }
    if !members.iter().any(|m| m.forecasts.iter().any(Option::is_some)) {
        return Err(CalibrationError::NoMembers(format!(
            "none of {} forecasts any case of {source}",
            members.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(", ")
        )));
    }
    if config.weight_steps == 0 {
        return Err(CalibrationError::Setting {
            field: "weight_steps".into(),
            message: "must be at least 1".into(),
        });
    }
    let (lo, hi) = config.scale;
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        return Err(CalibrationError::Setting {
            field: "scale".into(),
            message: format!("({lo}, {hi}) is not an interval"),
        });
    }
    let mut fold_names: Vec<&str> = cases.iter().map(|c| c.fold_group.as_str()).collect();
    fold_names.sort_unstable();
    fold_names.dedup();
    if fold_names.len() < 2 || config.folds < 2 {
        return Err(CalibrationError::Setting {
            field: "folds".into(),
            message: format!(
                "cross-validation needs at least 2 folds and 2 groups; got {} folds and {} groups",
                config.folds,
                fold_names.len()
            ),
        });
    }
    let k = config.folds.min(fold_names.len());
    let assignment = group_folds(fold_names.len(), k, derive_seed(config.seed, FOLD_STREAM));
    let fold: Vec<usize> = cases
        .iter()
        .map(|c| assignment[fold_names.binary_search(&c.fold_group.as_str()).unwrap_or(0)])
        .collect();
    let grid = simplex_grid(members.len(), config.weight_steps);

    // Out-of-fold CRPS terms of every case whose training excludes `outer`
    // (usize::MAX: none) and the case's own fold.
    let oof_terms = |outer: usize| -> Vec<CrpsTerms> {
        let by_fold: Vec<Vec<MemberErrors>> = (0..k)
            .map(|f| {
                if f == outer {
                    Vec::new()
                } else {
                    learn(cases, members, |j| fold[j] != f && fold[j] != outer, config.min_group)
                }
            })
            .collect();
        cases
            .iter()
            .enumerate()
            .filter(|(j, _)| fold[*j] != outer)
            .map(|(j, c)| crps_terms(c, j, members, &by_fold[fold[j]], config.scale))
            .collect()
    };

    // Nested: per outer fold, weights from inner cross-validation on the
    // other folds, residuals from the other folds.
    let steps = k as u64 + 1;
    let outer_fold = |f: usize| -> FoldResult {
        let weights = stack(&oof_terms(f), &grid);
        let errors = learn(cases, members, |j| fold[j] != f, config.min_group);
        let test: Vec<usize> = (0..cases.len()).filter(|&j| fold[j] == f).collect();
        let headline = test
            .iter()
            .filter_map(|&j| score_case(&cases[j], j, members, &errors, &weights, config).map(|s| (j, s)))
            .collect();
        let solo = (0..members.len())
            .map(|m| {
                let mut w = vec![0.0; members.len()];
                w[m] = 1.0;
                test.iter()
                    .filter(|&&j| members[m].forecasts[j].is_some())
                    .filter_map(|&j| score_case(&cases[j], j, members, &errors, &w, config).map(|s| (j, s)))
                    .collect()
            })
            .collect();
        (weights, headline, solo)
    };
    let mut outer: Vec<FoldResult> = Vec::with_capacity(k);
    for first in (0..k).step_by(FOLD_BATCH) {
        if cancel.load(Ordering::Relaxed) {
            return Err(CalibrationError::Cancelled);
        }
        let end = (first + FOLD_BATCH).min(k);
        let batch: Vec<FoldResult> = (first..end).into_par_iter().map(outer_fold).collect();
        outer.extend(batch);
        progress(end as u64, steps);
    }
    if cancel.load(Ordering::Relaxed) {
        return Err(CalibrationError::Cancelled);
    }
    let mut fold_weights = Vec::new();
    let mut headline: Vec<(usize, Scored)> = Vec::new();
    let mut solo: Vec<Vec<(usize, Scored)>> = (0..members.len()).map(|_| Vec::new()).collect();
    for (w, h, s) in outer {
        fold_weights.push(w);
        headline.extend(h);
        for (acc, s) in solo.iter_mut().zip(s) {
            acc.extend(s);
        }
    }
    // Case order, whatever the fold order.
    headline.sort_by_key(|x| x.0);
    solo.iter_mut().for_each(|s| s.sort_by_key(|x| x.0));
    let strip = |v: Vec<(usize, Scored)>| v.into_iter().map(|x| x.1).collect::<Vec<_>>();

    // What ships: weights from one level of cross-validation, residuals from all.
    let weights = stack(&oof_terms(usize::MAX), &grid);
    let mut shipped = learn(cases, members, |_| true, config.min_group);
    for (m, w) in shipped.iter_mut().zip(&weights) {
        m.weight = *w;
    }
    progress(steps, steps);
    let mut group_sizes = BTreeMap::new();
    for c in cases {
        *group_sizes.entry(c.rule_group.clone()).or_insert(0) += 1;
    }
    Ok(CalibrationReport {
        config: config.clone(),
        cases: cases.len(),
        group_sizes,
        headline: summarise("headline", &strip(headline)),
        members: members
            .iter()
            .zip(solo)
            .map(|(m, s)| summarise(&m.name, &strip(s)))
            .collect(),
        fold_weights,
        error_model: ErrorModel {
            scale: config.scale,
            min_group: config.min_group,
            members: shipped,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCALE: (f64, f64) = (0.0, 100.0);

    #[test]
    fn one_draw_cdf_and_tail_agree() {
        let r = [-20.0, -5.0, 0.0, 10.0];
        let d = [50.0];
        let c = Component {
            weight: 1.0,
            draws: &d,
            residuals: &r,
        };
        // Atoms 30, 45, 50, 60 with mass 1/5, ends 0 and 100 with 1/10.
        assert!((c.cdf(49.0, SCALE) - (0.5 + 2.0) / 5.0).abs() < 1e-12);
        assert!((c.p_at_or_above(50.0, SCALE) - (2.0 + 0.5) / 5.0).abs() < 1e-12);
        for t in [1.0, 30.0, 45.0, 46.0, 60.0, 99.0] {
            // P(Y ≥ t) = 1 − F(t−) for t inside the scale.
            let left = c.cdf(t - 1e-9, SCALE);
            assert!((c.p_at_or_above(t, SCALE) - (1.0 - left)).abs() < 1e-12, "t = {t}");
        }
        assert_eq!(c.p_at_or_above(0.0, SCALE), 1.0);
        assert_eq!(c.p_at_or_above(100.5, SCALE), 0.0);
    }

    #[test]
    fn quantiles_land_on_atoms() {
        let r = [-20.0, -5.0, 0.0, 10.0];
        let d = [50.0];
        let c = [Component {
            weight: 1.0,
            draws: &d,
            residuals: &r,
        }];
        assert!((mixture_quantile(&c, 0.5, SCALE) - 45.0).abs() < 1e-6);
        assert_eq!(mixture_quantile(&c, 0.05, SCALE), 0.0);
        assert!((mixture_quantile(&c, 0.95, SCALE) - 100.0).abs() < 1e-6);
    }

    #[test]
    fn expected_abs_between_matches_brute_force() {
        let a: Vec<(f64, f64)> = vec![(1.0, 0.25), (3.0, 0.5), (7.0, 0.25)];
        let b: Vec<(f64, f64)> = vec![(0.0, 0.5), (3.0, 0.25), (10.0, 0.25)];
        let brute: f64 = a
            .iter()
            .flat_map(|x| b.iter().map(move |y| x.1 * y.1 * (x.0 - y.0).abs()))
            .sum();
        assert!((expected_abs_between(&a, &b) - brute).abs() < 1e-12);
    }

    #[test]
    fn simplex_grid_sums_to_one() {
        let g = simplex_grid(3, 4);
        assert_eq!(g.len(), 15);
        assert!(g.iter().all(|w| (w.iter().sum::<f64>() - 1.0).abs() < 1e-12));
        assert_eq!(g[0], vec![1.0, 0.0, 0.0]);
    }

    /// Synthetic data with a known error law: the conformal intervals cover
    /// close to their nominal level, and stacking prefers the accurate model.
    #[test]
    fn coverage_is_near_nominal_and_stacking_prefers_the_better_model() {
        let n = 400;
        let mut cases = Vec::new();
        let mut good = Vec::new();
        let mut bad = Vec::new();
        let mut state = 12345u64;
        let mut uniform = || {
            state = derive_seed(state, 1);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for i in 0..n {
            let truth = 20.0 + 60.0 * uniform();
            let y = truth + 10.0 * (uniform() - 0.5) * 2.0;
            cases.push(CalibrationCase {
                id: format!("c{i}"),
                fold_group: format!("g{}", i / 2),
                rule_group: if i % 3 == 0 { "a".into() } else { "b".into() },
                outcome: y,
            });
            good.push(Some(truth));
            bad.push(Some(truth + 30.0 * (uniform() - 0.5) * 2.0));
        }
        let members = vec![
            MemberForecasts {
                name: "good".into(),
                forecasts: good,
            },
            MemberForecasts {
                name: "bad".into(),
                forecasts: bad,
            },
        ];
        let report = calibrate("synthetic", &cases, &members, &CalibrationConfig::default()).unwrap();
        for c in &report.headline.coverage {
            assert!((c.covered - c.nominal).abs() < 0.07, "{c:?}");
        }
        assert!(report.error_model.members[0].weight > report.error_model.members[1].weight);
        assert!(report.headline.crps <= report.members[1].crps);
        // Deterministic.
        let again = calibrate("synthetic", &cases, &members, &CalibrationConfig::default()).unwrap();
        assert_eq!(report, again);
    }

    #[test]
    fn thread_count_does_not_change_the_calibration() {
        let cases: Vec<CalibrationCase> = (0..80)
            .map(|i| CalibrationCase {
                id: format!("c{i}"),
                fold_group: format!("g{}", i / 3),
                rule_group: if i % 4 == 0 { "a".into() } else { "b".into() },
                outcome: (i * 37 % 101) as f64,
            })
            .collect();
        let members: Vec<MemberForecasts> = (0..3)
            .map(|m| MemberForecasts {
                name: format!("m{m}"),
                forecasts: (0..80)
                    .map(|i| (i % 7 != m).then(|| (i * 37 % 101) as f64 + (i * (m + 3) % 29) as f64 - 14.0))
                    .collect(),
            })
            .collect();
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| calibrate("t", &cases, &members, &CalibrationConfig::default()).unwrap())
        };
        assert_eq!(run(1), run(2));
    }

    #[test]
    fn bad_input_is_an_error() {
        let members = vec![MemberForecasts {
            name: "m".into(),
            forecasts: vec![],
        }];
        assert!(matches!(
            calibrate("f.tsv", &[], &members, &CalibrationConfig::default()),
            Err(CalibrationError::NoOutcomes(_))
        ));
        let case = CalibrationCase {
            id: "c".into(),
            fold_group: "g".into(),
            rule_group: "a".into(),
            outcome: 1.0,
        };
        let cases = vec![
            case.clone(),
            CalibrationCase {
                fold_group: "h".into(),
                ..case
            },
        ];
        assert!(matches!(
            calibrate("f.tsv", &cases, &[], &CalibrationConfig::default()),
            Err(CalibrationError::NoMembers(_))
        ));
        let none = vec![MemberForecasts {
            name: "m".into(),
            forecasts: vec![None, None],
        }];
        let e = calibrate("f.tsv", &cases, &none, &CalibrationConfig::default()).unwrap_err();
        assert!(e.to_string().contains("at least one validated model"), "{e}");
    }
}
