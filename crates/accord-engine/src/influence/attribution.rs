//! Shapley attribution of a forecast's displacement from the status quo.
//!
//! The game (Shapley 1953): players are the issue's actors, and the worth of
//! a coalition `S` is, per dimension d,
//!
//! ```text
//! v_d(S) = outcome_d(S) − sq_d,        v_d(∅) = 0,
//! ```
//!
//! where `outcome(S)` is the forecast of the issue with only the actors of
//! `S` taking part (see [`shapley`] for what "taking part" means for dynamics
//! and procedures). The Shapley value of actor i is
//!
//! ```text
//! φ_i = Σ_{S ⊆ N∖{i}} |S|! (n − |S| − 1)! / n! · (v(S ∪ {i}) − v(S))        (Shapley 1953, eq. 1)
//! ```
//!
//! and the values add up to the displacement `v(N) = outcome − sq`
//! (efficiency). `φ_i` is also the mean of i's marginal contribution over the
//! `n!` orders in which the actors can join, which the sampled estimator uses.

use std::sync::atomic::{AtomicBool, Ordering};

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::forecast::run_dynamics;
use crate::rules::{DecisionRule, decide};
use crate::{Chamber, Dynamics, EngineError, History, Issue, ModelSettings, Procedure, Voter, VotingRule, forecast};

/// Largest actor count for which [`ShapleyMethod::Exact`] enumerates the
/// `2^n` coalitions with a general model (each coalition is a forecast and
/// its outcome is kept in memory). The compromise model (no dynamics,
/// weighted mean) needs no memory per coalition and allows up to 24 actors.
pub const MAX_EXACT_ACTORS: usize = 20;

/// Exact limit of the compromise model's specialised enumeration.
const MAX_EXACT_COMPROMISE: usize = 24;

/// Permutations drawn by [`ShapleyMethod::Auto`] when it samples.
pub const DEFAULT_PERMUTATIONS: u64 = 2000;

/// Permutations per block of the sampled estimator: the unit of parallel
/// work and of the random stream (block b draws from ChaCha8 stream b), so
/// results do not depend on the thread count.
const BLOCK: u64 = 16;

/// Coalitions per parallel task in the exact enumeration of a general model.
const CHUNK: usize = 256;

/// Parallel tasks (chunks or blocks) between two progress reports and
/// cancellation checks: enough to keep every thread busy.
const BATCH: usize = 64;

/// Mixed into the seed of the permutation streams so that they differ from
/// the streams a stochastic model draws with the same seed.
const PERMUTATION_SALT: u64 = 0x5348_4150_4c45_5931;

/// How [`shapley`] computes the values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ShapleyMethod {
    /// Exact when it is cheap — the compromise model up to 20 actors, other
    /// models while `2^n ≤ n · DEFAULT_PERMUTATIONS` (up to 14 actors) —
    /// sampled with [`DEFAULT_PERMUTATIONS`] permutations otherwise.
    Auto,
    /// Enumerate all `2^n` coalitions (an error beyond [`MAX_EXACT_ACTORS`],
    /// or 24 actors for the compromise model).
    Exact,
    /// Average marginal contributions over this many random join orders
    /// (at least 2), with a standard error per actor.
    Sampled {
        /// Number of random permutations of the actors.
        permutations: u64,
    },
}

/// Each actor's share of a forecast's displacement from the status quo.
///
/// Values are per dimension: `values[i][d]` is actor i's Shapley value in the
/// game `v_d`; for every d, `Σ_i values[i][d] = displacement[d]` (exactly in
/// exact arithmetic; to rounding, and for every sample, when sampled).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribution {
    /// The issue's identifier.
    pub issue: String,
    /// Actor identifiers, in the issue's stance order.
    pub actors: Vec<String>,
    /// The status quo the displacement is measured from.
    pub status_quo: Vec<f64>,
    /// `v(N)`: the forecast minus the status quo, per dimension (0 on a
    /// dimension where no actor carries weight; see [`shapley`]).
    pub displacement: Vec<f64>,
    /// Shapley values, `[actor][dimension]`.
    pub values: Vec<Vec<f64>>,
    /// Standard errors of sampled values, `[actor][dimension]`; `None` when
    /// exact.
    pub std_errors: Option<Vec<Vec<f64>>>,
    /// Whether the values were computed by full enumeration.
    pub exact: bool,
    /// Number of permutations drawn when sampled.
    pub permutations: Option<u64>,
    /// Coalition worths evaluated (forecasts run, for a general model).
    pub evaluations: u64,
}

impl Attribution {
    /// The actors' values on dimension `d`, in actor order.
    pub fn on_dimension(&self, d: usize) -> Vec<f64> {
        self.values.iter().map(|v| v[d]).collect()
    }
}

/// Shapley values of the actors of `issue` for its forecast under `settings`.
///
/// Needs a status quo. The forecast of the whole issue is run first; its
/// errors are returned as they are. The coalition game is defined as follows
/// (`docs/models/influence.md` §1 discusses the choices):
///
/// * Actors outside `S` are removed from the issue: they neither bargain nor
///   vote. The remaining stances keep their input order.
/// * Each chamber of the procedure keeps only its voters in `S` and applies
///   its rule to them: unanimity of those present, a majority of those
///   present, and a qualified majority whose thresholds keep their *shares*
///   of the chamber (weight threshold × present weight / total weight,
///   `⌈min_members × present voters / voters⌉`, the same population share).
///   A chamber with no voter in `S` is dropped (nobody in it can object).
/// * A one-actor coalition has nobody to bargain with: its positions do not
///   move, whatever the dynamics. When the dynamics are undefined on a
///   coalition ([`EngineError::Degenerate`], e.g. SMP with every member at
///   one point), positions likewise stay as given.
/// * On dimension d, a coalition whose members all have zero weight
///   (capability × salience) leaves the status quo in place: `v_d(S) = 0`.
///   This makes an actor without weight a null player (φ = 0) instead of
///   letting the rules' unweighted fall-backs give it a say.
/// * `seed` is passed unchanged to every coalition's forecast (common
///   random numbers); sampled permutations draw from ChaCha8 streams derived
///   from it.
///
/// The compromise model (no dynamics, [`DecisionRule::WeightedMean`], or a
/// procedural rule over it on an issue without procedure) has a specialised
/// exact path: `v_d(S) = Σ_{k∈S} w_kd x_kd / Σ_{k∈S} w_kd − sq_d` from
/// precomputed sums over the low and high halves of the actor set, with no
/// forecast and no memory per coalition (20 actors: about 0.03 s).
pub fn shapley(
    issue: &Issue,
    settings: &ModelSettings,
    seed: u64,
    method: ShapleyMethod,
) -> Result<Attribution, EngineError> {
    shapley_with(issue, settings, seed, method, &AtomicBool::new(false), &|_, _| {})
}

/// The number of coalition worths [`shapley`] evaluates for `issue` with
/// `method` (its [`Attribution::evaluations`]): the unit [`shapley_with`]
/// counts its progress in, known before the run. Errors as [`shapley`]'s
/// choice of method does (too many actors for an exact enumeration, fewer
/// than 2 permutations).
pub fn shapley_evaluations(issue: &Issue, settings: &ModelSettings, method: ShapleyMethod) -> Result<u64, EngineError> {
    let n = issue.stances.len();
    Ok(match choose(issue, settings, method)? {
        None => 1u64 << n,
        Some(p) => p.saturating_mul(n as u64),
    })
}

/// Like [`shapley`], for long runs: `progress(done, total)` is called from
/// the calling thread after each batch of parallel work with the coalition
/// worths evaluated so far and in all ([`shapley_evaluations`]), and `cancel`
/// is read between batches: once it is set the run stops with
/// [`EngineError::Cancelled`]. The batches are merged in a fixed order, so
/// neither changes the result, whatever the thread count.
pub fn shapley_with(
    issue: &Issue,
    settings: &ModelSettings,
    seed: u64,
    method: ShapleyMethod,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Attribution, EngineError> {
    issue.validate()?;
    let sq = issue.status_quo.clone().ok_or_else(|| {
        EngineError::NotApplicable(format!("issue {}: Shapley attribution needs a status quo", issue.id))
    })?;
    // Surface the model's own errors on the full issue before enumerating.
    forecast(issue, settings, seed)?;
    let n = issue.stances.len();
    let compromise = is_compromise(issue, settings);
    let sampled = choose(issue, settings, method)?;
    let dims = issue.dimensions;
    let game = Game {
        issue,
        settings,
        seed,
        sq: &sq,
        compromise,
    };
    let all: Vec<usize> = (0..n).collect();
    let displacement = game.value(&all)?;
    let (values, std_errors, evaluations) = match sampled {
        None if compromise => {
            let values = exact_compromise(issue, &sq);
            progress(1u64 << n, 1u64 << n);
            (values, None, 1u64 << n)
        }
        None => {
            let values = exact_general(&game, n, dims, cancel, progress)?;
            (values, None, 1u64 << n)
        }
        Some(p) => {
            let (values, se) = sampled_values(&game, n, dims, p, seed, cancel, progress)?;
            (values, Some(se), p.saturating_mul(n as u64))
        }
    };
    Ok(Attribution {
        issue: issue.id.clone(),
        actors: issue.stances.iter().map(|s| s.actor.clone()).collect(),
        status_quo: sq,
        displacement,
        values,
        std_errors,
        exact: sampled.is_none(),
        permutations: sampled,
        evaluations,
    })
}

/// How the values are computed: `None` for the exact enumeration, `Some(p)`
/// for `p` sampled permutations.
fn choose(issue: &Issue, settings: &ModelSettings, method: ShapleyMethod) -> Result<Option<u64>, EngineError> {
    let n = issue.stances.len();
    let compromise = is_compromise(issue, settings);
    let auto_exact = if compromise {
        n <= 20
    } else {
        n < 64 && (1u64 << n) <= n as u64 * DEFAULT_PERMUTATIONS
    };
    let sampled = match method {
        ShapleyMethod::Auto if auto_exact => None,
        ShapleyMethod::Auto => Some(DEFAULT_PERMUTATIONS),
        ShapleyMethod::Exact => {
            let limit = if compromise {
                MAX_EXACT_COMPROMISE
            } else {
                MAX_EXACT_ACTORS
            };
            if n > limit {
                return Err(EngineError::InvalidInput(format!(
                    "issue {}: exact Shapley values enumerate 2^n coalitions and are limited to {limit} actors \
                     for this model, found {n}; use sampled permutations",
                    issue.id
                )));
            }
            None
        }
        ShapleyMethod::Sampled { permutations } => {
            if permutations < 2 {
                return Err(EngineError::InvalidInput(
                    "sampled Shapley values need at least 2 permutations (for a standard error)".into(),
                ));
            }
            Some(permutations)
        }
    };
    Ok(sampled)
}

/// Whether the forecast is the compromise model: no dynamics and a weighted
/// mean (possibly under a procedural rule that has no procedure to apply).
fn is_compromise(issue: &Issue, settings: &ModelSettings) -> bool {
    matches!(settings.dynamics, Dynamics::None)
        && match &settings.rule {
            DecisionRule::WeightedMean => true,
            DecisionRule::Procedural { bargain } => {
                issue.procedure.is_none() && matches!(**bargain, DecisionRule::WeightedMean)
            }
            _ => false,
        }
}

/// `c_k · s_kd`, the weight of actor k on dimension d in the rules.
fn weight(issue: &Issue, k: usize, d: usize) -> f64 {
    issue.stances[k].capability * issue.stances[k].salience[d]
}

/// The coalition game `v(S)` of one issue under one model.
struct Game<'a> {
    issue: &'a Issue,
    settings: &'a ModelSettings,
    seed: u64,
    sq: &'a [f64],
    compromise: bool,
}

impl Game<'_> {
    /// `v(S)` per dimension for the coalition of the sorted actor indices
    /// `members`.
    fn value(&self, members: &[usize]) -> Result<Vec<f64>, EngineError> {
        let issue = self.issue;
        let dims = issue.dimensions;
        if members.is_empty() {
            return Ok(vec![0.0; dims]);
        }
        if self.compromise {
            return Ok((0..dims)
                .map(|d| {
                    let (mut num, mut den) = (0.0, 0.0);
                    for &k in members {
                        let w = weight(issue, k, d);
                        num += w * issue.stances[k].position[d];
                        den += w;
                    }
                    if den > 0.0 { num / den - self.sq[d] } else { 0.0 }
                })
                .collect());
        }
        let sub = coalition_issue(issue, members);
        let history = if members.len() == 1 {
            History::static_of(&sub)
        } else {
            let dynamics = coalition_dynamics(&self.settings.dynamics, members);
            match run_dynamics(&sub, &dynamics, self.seed) {
                Ok(h) => h,
                Err(EngineError::Degenerate(_)) => History::static_of(&sub),
                Err(e) => return Err(e),
            }
        };
        let outcome = decide(&sub, history.final_positions(), &self.settings.rule)?;
        Ok((0..dims)
            .map(|d| {
                if members.iter().any(|&k| weight(issue, k, d) > 0.0) {
                    outcome[d] - self.sq[d]
                } else {
                    0.0
                }
            })
            .collect())
    }
}

/// The issue with only the actors `members` (sorted indices), its procedure
/// restricted to them as documented in [`shapley`].
fn coalition_issue(issue: &Issue, members: &[usize]) -> Issue {
    let mut index = vec![usize::MAX; issue.stances.len()];
    for (j, &k) in members.iter().enumerate() {
        index[k] = j;
    }
    let procedure = issue.procedure.as_ref().and_then(|p| {
        let chambers: Vec<Chamber> = p.chambers.iter().filter_map(|c| coalition_chamber(c, &index)).collect();
        (!chambers.is_empty()).then_some(Procedure { chambers })
    });
    Issue {
        id: issue.id.clone(),
        dimensions: issue.dimensions,
        status_quo: issue.status_quo.clone(),
        stances: members.iter().map(|&k| issue.stances[k].clone()).collect(),
        procedure,
    }
}

/// A chamber with only its present voters (`index[actor]` is the actor's
/// new index, `usize::MAX` if absent); `None` when nobody is present.
fn coalition_chamber(chamber: &Chamber, index: &[usize]) -> Option<Chamber> {
    let voters: Vec<Voter> = chamber
        .voters
        .iter()
        .filter(|v| index[v.actor] != usize::MAX)
        .map(|v| Voter {
            actor: index[v.actor],
            ..v.clone()
        })
        .collect();
    if voters.is_empty() {
        return None;
    }
    let rule = if voters.len() == chamber.voters.len() {
        chamber.rule.clone()
    } else {
        match &chamber.rule {
            VotingRule::Qualified {
                weight_threshold,
                min_members,
                population_share,
            } => {
                let total: f64 = chamber.voters.iter().map(|v| v.weight).sum();
                let present: f64 = voters.iter().map(|v| v.weight).sum();
                VotingRule::Qualified {
                    weight_threshold: if total > 0.0 {
                        weight_threshold * present / total
                    } else {
                        *weight_threshold
                    },
                    min_members: min_members.map(|m| (m * voters.len()).div_ceil(chamber.voters.len())),
                    population_share: *population_share,
                }
            }
            other => other.clone(),
        }
    };
    Some(Chamber {
        name: chamber.name.clone(),
        voters,
        rule,
    })
}

/// Dynamics for a coalition: SMP's accommodation matrix restricted to the
/// members' rows and columns; everything else unchanged.
fn coalition_dynamics(dynamics: &Dynamics, members: &[usize]) -> Dynamics {
    match dynamics {
        Dynamics::Smp(s) if s.accommodation.is_some() => {
            let mut s = s.clone();
            s.accommodation = s.accommodation.map(|a| {
                members
                    .iter()
                    .map(|&i| members.iter().map(|&j| a[i][j]).collect())
                    .collect()
            });
            Dynamics::Smp(s)
        }
        other => other.clone(),
    }
}

/// `c(s) = s! (n − s − 1)! / n! = 1 / (n · C(n−1, s))`, the weight of a
/// coalition of size s in Shapley's formula, for s = 0..n−1.
fn size_weights(n: usize) -> Vec<f64> {
    let mut binom = 1.0f64; // C(n−1, s)
    let mut c = Vec::with_capacity(n);
    for s in 0..n {
        c.push(1.0 / (n as f64 * binom));
        binom = binom * (n - 1 - s) as f64 / (s + 1) as f64;
    }
    c
}

/// Combines marginal-contribution sums `acc[(i·n + s)·dims + d]` (summed
/// over coalitions of size s without i) into `φ[i][d]`.
fn combine(acc: &[f64], n: usize, dims: usize) -> Vec<Vec<f64>> {
    let c = size_weights(n);
    (0..n)
        .map(|i| {
            (0..dims)
                .map(|d| (0..n).map(|s| c[s] * acc[(i * n + s) * dims + d]).sum())
                .collect()
        })
        .collect()
}

/// Exact values of the compromise model. The actors are split into a low
/// half (up to 12) and a high half; `Σ w x` and `Σ w` of every half-subset
/// are tabulated, so `v(S)` of each of the `2^n` coalitions costs one
/// addition per sum and one division, and each `v(S ∪ {i})` another
/// division: O(n 2^n) per dimension, no memory per coalition.
fn exact_compromise(issue: &Issue, sq: &[f64]) -> Vec<Vec<f64>> {
    let n = issue.stances.len();
    let dims = issue.dimensions;
    let lo_bits = n.min(12);
    let hi_bits = n - lo_bits;
    let mut acc = vec![0.0; n * n * dims];
    for d in 0..dims {
        let w: Vec<f64> = (0..n).map(|k| weight(issue, k, d)).collect();
        let wx: Vec<f64> = (0..n).map(|k| w[k] * issue.stances[k].position[d]).collect();
        let table = |offset: usize, bits: usize| -> (Vec<f64>, Vec<f64>) {
            let mut num = vec![0.0; 1 << bits];
            let mut den = vec![0.0; 1 << bits];
            for m in 1usize..1 << bits {
                let low = m.trailing_zeros() as usize;
                let rest = m & (m - 1);
                num[m] = num[rest] + wx[offset + low];
                den[m] = den[rest] + w[offset + low];
            }
            (num, den)
        };
        let (num_lo, den_lo) = table(0, lo_bits);
        let (num_hi, den_hi) = table(lo_bits, hi_bits);
        let s = sq[d];
        let v = |num: f64, den: f64| if den > 0.0 { num / den - s } else { 0.0 };
        for hi in 0usize..1 << hi_bits {
            for lo in 0usize..1 << lo_bits {
                let mask = (hi << lo_bits) | lo;
                let size = mask.count_ones() as usize;
                let num = num_hi[hi] + num_lo[lo];
                let den = den_hi[hi] + den_lo[lo];
                let base = v(num, den);
                let mut absent = !mask & ((1usize << n) - 1);
                while absent != 0 {
                    let i = absent.trailing_zeros() as usize;
                    absent &= absent - 1;
                    acc[(i * n + size) * dims + d] += v(num + wx[i], den + w[i]) - base;
                }
            }
        }
    }
    combine(&acc, n, dims)
}

/// The sorted actor indices of a coalition bit mask.
fn members_of(mask: usize, n: usize) -> Vec<usize> {
    (0..n).filter(|&i| mask >> i & 1 == 1).collect()
}

/// Exact values of a general model: every coalition's forecast, in
/// parallel, stored in mask order; then the marginal contributions are
/// summed sequentially in mask order (identical results for any thread
/// count).
fn exact_general(
    game: &Game,
    n: usize,
    dims: usize,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Vec<Vec<f64>>, EngineError> {
    let total = 1usize << n;
    let chunks = total.div_ceil(CHUNK);
    let mut v = Vec::with_capacity(total * dims);
    // Batches of chunks, so that progress and cancellation are seen from
    // this thread between them; chunks are stored in mask order.
    for first in (0..chunks).step_by(BATCH) {
        if cancel.load(Ordering::Relaxed) {
            return Err(EngineError::Cancelled);
        }
        let batch: Vec<Result<Vec<f64>, EngineError>> = (first..(first + BATCH).min(chunks))
            .into_par_iter()
            .map(|c| {
                let mut out = Vec::with_capacity(CHUNK * dims);
                for mask in c * CHUNK..((c + 1) * CHUNK).min(total) {
                    out.extend(game.value(&members_of(mask, n))?);
                }
                Ok(out)
            })
            .collect();
        for chunk in batch {
            v.extend(chunk?);
        }
        progress(((first + BATCH) * CHUNK).min(total) as u64, total as u64);
    }
    let mut acc = vec![0.0; n * n * dims];
    for mask in 0..total {
        let size = mask.count_ones() as usize;
        for i in (0..n).filter(|&i| mask >> i & 1 == 0) {
            let with = mask | 1 << i;
            for d in 0..dims {
                acc[(i * n + size) * dims + d] += v[with * dims + d] - v[mask * dims + d];
            }
        }
    }
    Ok(combine(&acc, n, dims))
}

/// Running mean and sum of squared deviations (Welford 1962) per entry.
#[derive(Clone)]
struct Moments {
    count: u64,
    mean: Vec<f64>,
    m2: Vec<f64>,
}

impl Moments {
    fn new(len: usize) -> Self {
        Moments {
            count: 0,
            mean: vec![0.0; len],
            m2: vec![0.0; len],
        }
    }

    fn push(&mut self, x: &[f64]) {
        self.count += 1;
        let k = self.count as f64;
        for ((m, m2), &x) in self.mean.iter_mut().zip(&mut self.m2).zip(x) {
            let delta = x - *m;
            *m += delta / k;
            *m2 += delta * (x - *m);
        }
    }

    /// Chan, Golub and LeVeque's (1979) pairwise combination.
    fn merge(&mut self, other: &Moments) {
        if other.count == 0 {
            return;
        }
        let (na, nb) = (self.count as f64, other.count as f64);
        let n = na + nb;
        for j in 0..self.mean.len() {
            let delta = other.mean[j] - self.mean[j];
            self.mean[j] += delta * nb / n;
            self.m2[j] += other.m2[j] + delta * delta * na * nb / n;
        }
        self.count += other.count;
    }
}

/// Sampled values: the mean marginal contribution over `permutations`
/// uniformly random join orders (Castro, Gómez and Tejada 2009), with
/// standard errors `sd / √P`. Permutations are drawn in fixed blocks of
/// [`BLOCK`], block b from ChaCha8 stream b; block moments are merged in
/// block order, so results do not depend on the thread count.
#[allow(clippy::type_complexity)]
fn sampled_values(
    game: &Game,
    n: usize,
    dims: usize,
    permutations: u64,
    seed: u64,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<(Vec<Vec<f64>>, Vec<Vec<f64>>), EngineError> {
    let blocks = permutations.div_ceil(BLOCK);
    let mut total = Moments::new(n * dims);
    // Batches of blocks, so that progress and cancellation are seen from
    // this thread between them; blocks are merged in block order.
    let mut first = 0;
    while first < blocks {
        if cancel.load(Ordering::Relaxed) {
            return Err(EngineError::Cancelled);
        }
        let end = (first + BATCH as u64).min(blocks);
        let batch: Vec<Result<Moments, EngineError>> = (first..end)
            .into_par_iter()
            .map(|b| {
                let mut rng = ChaCha8Rng::seed_from_u64(seed ^ PERMUTATION_SALT);
                rng.set_stream(b);
                let mut moments = Moments::new(n * dims);
                let mut order: Vec<usize> = (0..n).collect();
                let mut marginal = vec![0.0; n * dims];
                for _ in b * BLOCK..((b + 1) * BLOCK).min(permutations) {
                    for j in (1..n).rev() {
                        order.swap(j, rng.random_range(0..=j));
                    }
                    permutation_marginals(game, &order, &mut marginal)?;
                    moments.push(&marginal);
                }
                Ok(moments)
            })
            .collect();
        for r in batch {
            total.merge(&r?);
        }
        progress(
            (end * BLOCK).min(permutations).saturating_mul(n as u64),
            permutations.saturating_mul(n as u64),
        );
        first = end;
    }
    let p = total.count as f64;
    let values = (0..n).map(|i| total.mean[i * dims..(i + 1) * dims].to_vec()).collect();
    let se = (0..n)
        .map(|i| {
            (0..dims)
                .map(|d| (total.m2[i * dims + d] / (p - 1.0) / p).sqrt())
                .collect()
        })
        .collect();
    Ok((values, se))
}

/// Marginal contributions `out[i·dims + d]` of every actor when they join in
/// `order`.
fn permutation_marginals(game: &Game, order: &[usize], out: &mut [f64]) -> Result<(), EngineError> {
    let issue = game.issue;
    let dims = issue.dimensions;
    if game.compromise {
        for d in 0..dims {
            let (mut num, mut den, mut prev) = (0.0, 0.0, 0.0);
            for &i in order {
                let w = weight(issue, i, d);
                num += w * issue.stances[i].position[d];
                den += w;
                let v = if den > 0.0 { num / den - game.sq[d] } else { 0.0 };
                out[i * dims + d] = v - prev;
                prev = v;
            }
        }
        return Ok(());
    }
    let mut members: Vec<usize> = Vec::with_capacity(order.len());
    let mut prev = vec![0.0; dims];
    for &i in order {
        let at = members.partition_point(|&k| k < i);
        members.insert(at, i);
        let v = game.value(&members)?;
        for d in 0..dims {
            out[i * dims + d] = v[d] - prev[d];
        }
        prev = v;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Stance;

    fn stance(actor: &str, capability: f64, position: f64, salience: f64) -> Stance {
        Stance {
            actor: actor.into(),
            capability,
            position: vec![position],
            salience: vec![salience],
        }
    }

    fn issue(stances: Vec<Stance>, sq: f64) -> Issue {
        Issue {
            id: "t".into(),
            dimensions: 1,
            status_quo: Some(vec![sq]),
            stances,
            procedure: None,
        }
    }

    fn compromise() -> ModelSettings {
        ModelSettings {
            dynamics: Dynamics::None,
            rule: DecisionRule::WeightedMean,
        }
    }

    #[test]
    fn two_actors_by_hand() {
        // w = (1, 3), x = (100, 0), sq = 40: v(A) = 60, v(B) = −40, v(AB) = 25 − 40 = −15.
        // φ_A = ½(60) + ½(−15 − (−40)) = 42.5; φ_B = ½(−40) + ½(−15 − 60) = −57.5.
        let i = issue(vec![stance("A", 1.0, 100.0, 1.0), stance("B", 3.0, 0.0, 1.0)], 40.0);
        let a = shapley(&i, &compromise(), 0, ShapleyMethod::Exact).unwrap();
        assert!((a.values[0][0] - 42.5).abs() < 1e-12, "{:?}", a.values);
        assert!((a.values[1][0] + 57.5).abs() < 1e-12, "{:?}", a.values);
        assert!((a.displacement[0] + 15.0).abs() < 1e-12);
        assert_eq!(a.evaluations, 4);
    }

    #[test]
    fn size_weights_sum_to_one_over_coalitions() {
        // Σ_s C(n−1, s) c(s) = 1 for every n.
        for n in 1..=24 {
            let c = size_weights(n);
            let mut binom = 1.0;
            let mut total = 0.0;
            for (s, cs) in c.iter().enumerate() {
                total += binom * cs;
                binom = binom * (n - 1 - s) as f64 / (s + 1) as f64;
            }
            assert!((total - 1.0).abs() < 1e-12, "n = {n}: {total}");
        }
    }

    #[test]
    fn removed_voters_leave_the_chamber() {
        let chamber = Chamber {
            name: "C".into(),
            voters: (0..4)
                .map(|k| Voter {
                    actor: k,
                    weight: [10.0, 5.0, 3.0, 2.0][k],
                    population: 1.0,
                })
                .collect(),
            rule: VotingRule::Qualified {
                weight_threshold: 14.0,
                min_members: Some(3),
                population_share: Some(0.6),
            },
        };
        let mut index = vec![usize::MAX; 4];
        index[1] = 0;
        index[3] = 1;
        let c = coalition_chamber(&chamber, &index).unwrap();
        assert_eq!(c.voters.iter().map(|v| v.actor).collect::<Vec<_>>(), vec![0, 1]);
        match c.rule {
            VotingRule::Qualified {
                weight_threshold,
                min_members,
                population_share,
            } => {
                assert!((weight_threshold - 14.0 * 7.0 / 20.0).abs() < 1e-12);
                assert_eq!(min_members, Some(2)); // ⌈3 · 2 / 4⌉
                assert_eq!(population_share, Some(0.6));
            }
            _ => panic!("rule changed kind"),
        }
        assert!(coalition_chamber(&chamber, &[usize::MAX; 4]).is_none());
    }
}
