//! Decision rules: final positions → outcome (`docs/models/rules.md`).
//!
//! Conventions shared by every rule:
//!
//! * An actor's *weight* on dimension d is `c_i · s_id` (capability ×
//!   salience) for the mean and the median; the Nash product weights by
//!   capability `c_i` alone.
//! * An actor's *utility* of a point x is the negative salience-weighted
//!   Euclidean distance `u_i(x) = −sqrt(Σ_d s_id (x_d − p_id)²)`; in one
//!   dimension this is the linear loss `−√s_i |x − p_i|`.
//! * Positions are the *final* positions handed in (after any dynamics);
//!   capabilities and saliences come from the issue.

use serde::{Deserialize, Serialize};

use crate::{Chamber, EngineError, Issue, VotingRule};

/// How final positions become an outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DecisionRule {
    /// Capability × salience weighted mean per dimension (the compromise
    /// model). All weights 0 on a dimension: the unweighted mean.
    WeightedMean,
    /// Capability × salience weighted median per dimension. An even split
    /// (half the weight exactly on each side of a gap) gives the midpoint of
    /// the gap; all weights 0: the unweighted median.
    WeightedMedian,
    /// Nash (1950) bargaining solution relative to the status quo,
    /// dimension by dimension: maximise `Π_i (u_i(x) − u_i(sq))^{c_i}` over
    /// the points where every counted actor gains; the status quo when no
    /// such point exists. Needs `issue.status_quo`.
    Nash,
    /// The `bargain` rule's outcome, confined to what every chamber of the
    /// issue's procedure accepts against the status quo: the point furthest
    /// from the status quo on the segment from the status quo to the
    /// bargain that passes every chamber (in one dimension: the nearest
    /// point of the win-set). Needs `issue.status_quo` when the issue has a
    /// procedure; without a procedure the bargain stands.
    Procedural {
        /// The bargaining rule among all actors (voting or not).
        bargain: Box<DecisionRule>,
    },
}

/// Relative tolerance for comparisons of sums whose order depends on the
/// actors' labelling (even splits of the median, vote thresholds).
const REL_TOL: f64 = 1e-12;

/// Applies a decision rule to final positions `[actor][dimension]`.
pub fn decide(issue: &Issue, positions: &[Vec<f64>], rule: &DecisionRule) -> Result<Vec<f64>, EngineError> {
    check_positions(issue, positions)?;
    match rule {
        DecisionRule::WeightedMean => Ok((0..issue.dimensions)
            .map(|d| weighted_mean(issue, positions, d))
            .collect()),
        DecisionRule::WeightedMedian => Ok((0..issue.dimensions)
            .map(|d| weighted_median(issue, positions, d))
            .collect()),
        DecisionRule::Nash => {
            let sq = status_quo(issue, "the Nash bargaining solution")?;
            Ok((0..issue.dimensions)
                .map(|d| nash_1d(issue, positions, d, sq[d]))
                .collect())
        }
        DecisionRule::Procedural { bargain } => {
            let y = decide(issue, positions, bargain)?;
            let Some(procedure) = &issue.procedure else {
                return Ok(y);
            };
            let sq = status_quo(issue, "a procedural rule")?;
            let delta: Vec<f64> = y.iter().zip(sq).map(|(y, s)| y - s).collect();
            let mut lambda: f64 = 1.0;
            for chamber in &procedure.chambers {
                lambda = lambda.min(chamber_reach(issue, positions, chamber, sq, &delta));
            }
            if lambda >= 1.0 {
                return Ok(y);
            }
            Ok(sq.iter().zip(&delta).map(|(s, d)| s + lambda * d).collect())
        }
    }
}

fn status_quo<'a>(issue: &'a Issue, what: &str) -> Result<&'a [f64], EngineError> {
    issue
        .status_quo
        .as_deref()
        .ok_or_else(|| EngineError::NotApplicable(format!("issue {}: {what} needs a status quo", issue.id)))
}

fn check_positions(issue: &Issue, positions: &[Vec<f64>]) -> Result<(), EngineError> {
    issue.validate()?;
    if positions.len() != issue.stances.len()
        || positions
            .iter()
            .any(|p| p.len() != issue.dimensions || p.iter().any(|v| !v.is_finite()))
    {
        return Err(EngineError::InvalidInput(format!(
            "issue {}: positions must be {} actors × {} finite coordinates",
            issue.id,
            issue.stances.len(),
            issue.dimensions
        )));
    }
    Ok(())
}

/// `c_i · s_id`.
fn weight(issue: &Issue, i: usize, d: usize) -> f64 {
    issue.stances[i].capability * issue.stances[i].salience[d]
}

/// Weighted mean `Σ w x / Σ w` on dimension d, clamped to the positions'
/// range against rounding; the unweighted mean when `Σ w = 0`.
fn weighted_mean(issue: &Issue, positions: &[Vec<f64>], d: usize) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for (i, p) in positions.iter().enumerate() {
        let w = weight(issue, i, d);
        num += w * p[d];
        den += w;
        lo = lo.min(p[d]);
        hi = hi.max(p[d]);
    }
    let m = if den > 0.0 {
        num / den
    } else {
        positions.iter().map(|p| p[d]).sum::<f64>() / positions.len() as f64
    };
    m.clamp(lo, hi)
}

/// Weighted median on dimension d (actors with weight 0 are ignored unless
/// all weights are 0, then every actor counts 1).
fn weighted_median(issue: &Issue, positions: &[Vec<f64>], d: usize) -> f64 {
    let mut items: Vec<(f64, f64)> = positions
        .iter()
        .enumerate()
        .map(|(i, p)| (p[d], weight(issue, i, d)))
        .filter(|&(_, w)| w > 0.0)
        .collect();
    if items.is_empty() {
        items = positions.iter().map(|p| (p[d], 1.0)).collect();
    }
    weighted_median_of(&mut items)
}

/// Weighted median of `(position, weight > 0)` pairs: the smallest position
/// with at least half the weight at or below it; if exactly half (within
/// [`REL_TOL`]) lies at or below it, the midpoint between it and the next
/// position.
fn weighted_median_of(items: &mut [(f64, f64)]) -> f64 {
    items.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = items.iter().map(|i| i.1).sum();
    let half = 0.5 * total;
    let tol = REL_TOL * total;
    let mut cum = 0.0;
    let mut t = 0;
    while t < items.len() {
        let x = items[t].0;
        while t < items.len() && items[t].0 == x {
            cum += items[t].1;
            t += 1;
        }
        if cum >= half - tol {
            if (cum - half).abs() <= tol && t < items.len() {
                return 0.5 * (x + items[t].0);
            }
            return x;
        }
    }
    items[items.len() - 1].0
}

/// Nash bargaining solution on dimension d with status quo `sq`.
///
/// Counted actors: capability > 0 and salience on d > 0 (the others are
/// indifferent or weightless). Each gains on the open interval between `sq`
/// and its mirror image `2 p_i − sq`; if the intersection is empty (actors
/// on both sides of `sq`, or one at `sq`) or nobody is counted, the outcome is
/// `sq`. Otherwise the concave objective `F(x) = Σ c_i ln(|sq − p_i| − |x − p_i|)`
/// (salience factors are constant in 1-D and drop out) is maximised by
/// bisection on the sign of its right derivative, to the last bit; a kink
/// at an ideal point inside the final bracket is returned exactly.
fn nash_1d(issue: &Issue, positions: &[Vec<f64>], d: usize, sq: f64) -> f64 {
    let actors: Vec<(f64, f64)> = positions
        .iter()
        .enumerate()
        .filter(|&(i, _)| issue.stances[i].capability > 0.0 && issue.stances[i].salience[d] > 0.0)
        .map(|(i, p)| (p[d], issue.stances[i].capability))
        .collect();
    if actors.is_empty() {
        return sq;
    }
    let right = actors[0].0 > sq;
    if actors.iter().any(|&(p, _)| p == sq || (p > sq) != right) {
        return sq;
    }
    // Feasible open interval (lo, hi).
    let (mut lo, mut hi) = if right {
        (sq, f64::INFINITY)
    } else {
        (f64::NEG_INFINITY, sq)
    };
    for &(p, _) in &actors {
        let mirror = 2.0 * p - sq;
        if right {
            hi = hi.min(mirror);
        } else {
            lo = lo.max(mirror);
        }
    }
    // Right derivative F'(x+) = Σ c_i σ_i / (|sq − p_i| − |x − p_i|), σ_i = +1 if x < p_i else −1.
    let slope = |x: f64| -> f64 {
        actors
            .iter()
            .map(|&(p, c)| c * if x < p { 1.0 } else { -1.0 } / ((sq - p).abs() - (x - p).abs()))
            .sum()
    };
    // Invariant: the maximiser lies in [lo, hi]; slope(x) ≤ 0 for x ≥ maximiser.
    for _ in 0..2200 {
        let mid = lo + 0.5 * (hi - lo);
        if mid <= lo || mid >= hi {
            break;
        }
        let s = slope(mid);
        if s <= 0.0 {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    // The maximiser is at a kink when an ideal point lies in the bracket.
    if let Some(&(p, _)) = actors.iter().find(|&&(p, _)| p >= lo && p <= hi) {
        return p;
    }
    let x = if right { hi } else { lo };
    // Stay strictly inside the gain interval (every counted actor gains).
    if (right && x <= sq) || (!right && x >= sq) {
        sq
    } else {
        x
    }
}

/// `λ_i`, the largest
/// step `λ ≥ 0` along `delta` (from `sq`) that the voter weakly accepts,
/// `+∞` for a voter indifferent along `delta`.
fn acceptance_threshold(issue: &Issue, positions: &[Vec<f64>], voter: usize, sq: &[f64], delta: &[f64]) -> f64 {
    // ‖sq + λδ − p‖²_S ≤ ‖sq − p‖²_S  ⟺  λ² A + 2 λ B ≤ 0.
    let s = &issue.stances[voter].salience;
    let p = &positions[voter];
    let (mut a, mut b) = (0.0, 0.0);
    for d in 0..delta.len() {
        a += s[d] * delta[d] * delta[d];
        b += s[d] * (sq[d] - p[d]) * delta[d];
    }
    if a == 0.0 {
        f64::INFINITY
    } else {
        (-2.0 * b / a).max(0.0)
    }
}

/// The largest `λ ∈ [0, 1]` such that `sq + λ·delta` passes the chamber.
/// Acceptance sets shrink as λ grows (each voter accepts an interval
/// `[0, λ_i]`), so the passing λ form an interval `[0, λ_c]`.
fn chamber_reach(issue: &Issue, positions: &[Vec<f64>], chamber: &Chamber, sq: &[f64], delta: &[f64]) -> f64 {
    let thresholds: Vec<f64> = chamber
        .voters
        .iter()
        .map(|v| acceptance_threshold(issue, positions, v.actor, sq, delta))
        .collect();
    let mut candidates: Vec<f64> = thresholds
        .iter()
        .map(|&t| t.min(1.0))
        .chain(std::iter::once(1.0))
        .collect();
    candidates.sort_by(|a, b| b.total_cmp(a));
    candidates.dedup();
    for lambda in candidates {
        if passes(chamber, |k| thresholds[k] >= lambda) {
            return lambda;
        }
    }
    0.0
}

/// Whether the voters for whom `accepts(k)` holds (k = index in
/// `chamber.voters`) carry the chamber under its rule.
fn passes(chamber: &Chamber, accepts: impl Fn(usize) -> bool) -> bool {
    let n = chamber.voters.len();
    let yes: Vec<usize> = (0..n).filter(|&k| accepts(k)).collect();
    match &chamber.rule {
        VotingRule::Unanimity => yes.len() == n,
        VotingRule::SimpleMajority => 2 * yes.len() > n,
        VotingRule::Qualified {
            weight_threshold,
            min_members,
            population_share,
        } => {
            let weight: f64 = yes.iter().map(|&k| chamber.voters[k].weight).sum();
            if weight < weight_threshold - REL_TOL * weight_threshold.abs().max(1.0) {
                return false;
            }
            if min_members.is_some_and(|m| yes.len() < m) {
                return false;
            }
            if let Some(share) = population_share {
                let total: f64 = chamber.voters.iter().map(|v| v.population).sum();
                let pop: f64 = yes.iter().map(|&k| chamber.voters[k].population).sum();
                if total > 0.0 && pop < share * total - REL_TOL * total {
                    return false;
                }
                if total <= 0.0 && *share > 0.0 {
                    return false;
                }
            }
            true
        }
    }
}

/// Whether `x` passes every chamber of the issue's procedure against the
/// status quo `sq`, voters weakly preferring `x` voting yes (utility as in the
/// module docs). `true` when the issue has no procedure.
pub fn accepted(issue: &Issue, positions: &[Vec<f64>], sq: &[f64], x: &[f64]) -> bool {
    let Some(procedure) = &issue.procedure else { return true };
    procedure.chambers.iter().all(|chamber| {
        passes(chamber, |k| {
            let i = chamber.voters[k].actor;
            utility(issue, positions, i, x) >= utility(issue, positions, i, sq)
        })
    })
}

/// `u_i(x) = −sqrt(Σ_d s_id (x_d − p_id)²)`, the utility every rule uses.
pub fn utility(issue: &Issue, positions: &[Vec<f64>], actor: usize, x: &[f64]) -> f64 {
    let s = &issue.stances[actor].salience;
    let p = &positions[actor];
    -(0..x.len())
        .map(|d| s[d] * (x[d] - p[d]) * (x[d] - p[d]))
        .sum::<f64>()
        .sqrt()
}
