//! A-priori voting power of a chamber's voters.
//!
//! A chamber's rule defines a simple game: a coalition `S` of voters *wins*
//! when it carries the vote by [`crate::rules`]' counting (the same
//! tolerances). Voter i is a *swing* in `S ∌ i` when `S` loses and
//! `S ∪ {i}` wins.
//!
//! * Shapley–Shubik (1954): `SS_i = Σ_{S swing for i} |S|! (n − |S| − 1)! / n!`,
//!   the probability that i is pivotal when the voters join in a random order.
//! * Banzhaf (1965), absolute (Penrose–Banzhaf measure):
//!   `β'_i = η_i / 2^{n−1}` with `η_i` the number of swings of i;
//!   normalized: `β_i = η_i / Σ_j η_j`.
//!
//! Algorithms (`docs/models/influence.md` §2): closed forms for unanimity
//! and simple majority; generating functions over (number of members,
//! integer weight) for weighted games without a population clause (Mann and
//! Shapley 1962; Brams and Affuso 1976); enumeration of all `2^n` coalitions
//! up to [`MAX_ENUMERATION_VOTERS`] voters otherwise (e.g. the Nice triple
//! majority of the EU-27); Monte Carlo beyond, with standard errors.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{Chamber, EngineError, VotingRule};

/// Relative tolerance of vote thresholds, as in [`crate::rules`].
const REL_TOL: f64 = 1e-12;

/// Largest chamber whose coalitions are enumerated exactly (2^28 ≈ 2.7·10^8
/// coalitions, about a second on two cores).
pub const MAX_ENUMERATION_VOTERS: usize = 28;

/// Samples (random orders for Shapley–Shubik, random coalitions for
/// Banzhaf) drawn by [`power_indices`] when no exact method applies.
pub const DEFAULT_POWER_SAMPLES: u64 = 1_000_000;

/// Seed of the Monte Carlo estimate made by [`power_indices`].
const DEFAULT_POWER_SEED: u64 = 0x504f_5745_5231;

/// Largest generating-function table, in entries of `(n + 1) × (W + 1)`.
const MAX_GF_ENTRIES: usize = 1 << 24;

/// Largest number of voters for the generating-function path: counts are
/// exact in `u128` (with wrapping deconvolution) while `2^n < 2^128`.
const MAX_GF_VOTERS: usize = 127;

/// Samples per parallel block of the Monte Carlo estimate (block b draws
/// from ChaCha8 stream b).
const MC_BLOCK: u64 = 4096;

/// Which algorithm [`power_indices_by`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PowerAlgorithm {
    /// The fastest exact method that applies; Monte Carlo with
    /// [`DEFAULT_POWER_SAMPLES`] samples when none does.
    Auto,
    /// Enumerate every coalition (at most [`MAX_ENUMERATION_VOTERS`] voters).
    Enumeration,
    /// Generating functions (qualified majority without a population clause,
    /// weights that are integers after scaling by a power of ten).
    GeneratingFunction,
    /// Monte Carlo estimate.
    MonteCarlo {
        /// Random orders (Shapley–Shubik) and random coalitions (Banzhaf)
        /// drawn, each.
        samples: u64,
        /// Seed of the ChaCha8 streams.
        seed: u64,
    },
}

/// How a [`PowerIndices`] was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PowerMethod {
    /// Closed form (unanimity, simple majority).
    ClosedForm,
    /// Polynomial counting over (members, weight).
    GeneratingFunction,
    /// All `2^n` coalitions.
    Enumeration,
    /// Monte Carlo estimate.
    MonteCarlo {
        /// Samples drawn for each index.
        samples: u64,
        /// Seed of the random streams.
        seed: u64,
    },
}

/// Standard errors of Monte Carlo power indices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PowerErrors {
    /// Of [`PowerIndices::shapley_shubik`]: `√(p(1 − p)/M)`.
    pub shapley_shubik: Vec<f64>,
    /// Of [`PowerIndices::banzhaf`], approximately: the absolute index's
    /// error divided by the sum of absolute indices.
    pub banzhaf: Vec<f64>,
    /// Of [`PowerIndices::banzhaf_absolute`]: `√(p(1 − p)/M)`.
    pub banzhaf_absolute: Vec<f64>,
}

/// Voting power of each voter of a chamber, in the chamber's voter order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PowerIndices {
    /// The chamber's name.
    pub chamber: String,
    /// The voters' actor indices ([`crate::Voter::actor`]), in voter order.
    pub voters: Vec<usize>,
    /// Shapley–Shubik index; sums to 1.
    pub shapley_shubik: Vec<f64>,
    /// Normalized Banzhaf index `η_i / Σ η_j`; sums to 1.
    pub banzhaf: Vec<f64>,
    /// Absolute Banzhaf index (Penrose measure) `η_i / 2^{n−1}`: the
    /// probability that i's vote decides when every other voter votes yes
    /// or no with probability ½.
    pub banzhaf_absolute: Vec<f64>,
    /// Whether the values are exact (not sampled).
    pub exact: bool,
    /// The algorithm used.
    pub method: PowerMethod,
    /// Standard errors when sampled.
    pub std_errors: Option<PowerErrors>,
}

/// Power indices of a chamber's voters by the fastest applicable exact
/// method, or a Monte Carlo estimate ([`DEFAULT_POWER_SAMPLES`] samples,
/// fixed seed, `exact: false`, standard errors given) when the chamber has a
/// population clause or non-decimal weights and more than
/// [`MAX_ENUMERATION_VOTERS`] voters.
///
/// Errors: no voters, negative or non-finite weights or populations, or a
/// rule under which nobody ever swings (no coalition wins, or even the
/// empty one does).
pub fn power_indices(chamber: &Chamber) -> Result<PowerIndices, EngineError> {
    power_indices_by(chamber, PowerAlgorithm::Auto)
}

/// Power indices of a chamber's voters by a chosen algorithm (an error when
/// it does not apply to the chamber).
pub fn power_indices_by(chamber: &Chamber, algorithm: PowerAlgorithm) -> Result<PowerIndices, EngineError> {
    let game = Game::of(chamber)?;
    let n = game.n;
    let exact = |method, counts: Vec<Vec<u128>>| finish_exact(chamber, &game, method, &counts);
    match algorithm {
        PowerAlgorithm::Auto => {
            if let Some(closed) = closed_form(chamber, &game) {
                return Ok(closed);
            }
            if let Some(counts) = generating_function(&game) {
                return exact(PowerMethod::GeneratingFunction, counts);
            }
            if n <= MAX_ENUMERATION_VOTERS {
                return exact(PowerMethod::Enumeration, enumeration(&game));
            }
            monte_carlo(chamber, &game, DEFAULT_POWER_SAMPLES, DEFAULT_POWER_SEED)
        }
        PowerAlgorithm::Enumeration => {
            if n > MAX_ENUMERATION_VOTERS {
                return Err(EngineError::InvalidInput(format!(
                    "chamber {}: enumeration is limited to {MAX_ENUMERATION_VOTERS} voters, found {n}",
                    chamber.name
                )));
            }
            exact(PowerMethod::Enumeration, enumeration(&game))
        }
        PowerAlgorithm::GeneratingFunction => match generating_function(&game) {
            Some(counts) => exact(PowerMethod::GeneratingFunction, counts),
            None => Err(EngineError::NotApplicable(format!(
                "chamber {}: generating functions need a weighted rule without population clause, weights that \
                 are integers after scaling by a power of ten (total ≤ 2^24 / voters), and at most \
                 {MAX_GF_VOTERS} voters",
                chamber.name
            ))),
        },
        PowerAlgorithm::MonteCarlo { samples, seed } => {
            if samples < 2 {
                return Err(EngineError::InvalidInput(
                    "Monte Carlo power indices need at least 2 samples".into(),
                ));
            }
            monte_carlo(chamber, &game, samples, seed)
        }
    }
}

/// A chamber's rule as thresholds: `S` wins iff `|S| ≥ min_members`,
/// `weight(S) ≥ weight_quota` and (if any) `population(S) ≥ population_quota`.
struct Game {
    n: usize,
    weight: Vec<f64>,
    population: Vec<f64>,
    min_members: usize,
    weight_quota: f64,
    population_quota: Option<f64>,
    /// The rule's original weight threshold (for scaling to integers).
    weight_threshold: f64,
}

impl Game {
    fn of(chamber: &Chamber) -> Result<Game, EngineError> {
        let bad = |m: String| Err(EngineError::InvalidInput(format!("chamber {}: {m}", chamber.name)));
        let n = chamber.voters.len();
        if n == 0 {
            return bad("a chamber needs at least one voter".into());
        }
        if chamber
            .voters
            .iter()
            .any(|v| !(v.weight.is_finite() && v.weight >= 0.0 && v.population.is_finite() && v.population >= 0.0))
        {
            return bad("vote weights and populations must be finite numbers ≥ 0".into());
        }
        let weight: Vec<f64> = chamber.voters.iter().map(|v| v.weight).collect();
        let population: Vec<f64> = chamber.voters.iter().map(|v| v.population).collect();
        let (min_members, weight_threshold, share) = match &chamber.rule {
            VotingRule::Unanimity => (n, f64::NEG_INFINITY, None),
            VotingRule::SimpleMajority => (n / 2 + 1, f64::NEG_INFINITY, None),
            VotingRule::Qualified {
                weight_threshold,
                min_members,
                population_share,
            } => (min_members.unwrap_or(0), *weight_threshold, *population_share),
        };
        let weight_quota = if weight_threshold.is_finite() {
            weight_threshold - REL_TOL * weight_threshold.abs().max(1.0)
        } else {
            f64::NEG_INFINITY
        };
        let total_population: f64 = population.iter().sum();
        let population_quota = match share {
            None => None,
            Some(s) if total_population > 0.0 => {
                let q = s * total_population - REL_TOL * total_population;
                (q > 0.0).then_some(q)
            }
            Some(s) if s > 0.0 => Some(f64::INFINITY), // no population: never passes
            Some(_) => None,
        };
        let game = Game {
            n,
            weight,
            population,
            min_members,
            weight_quota,
            population_quota,
            weight_threshold,
        };
        let total_weight: f64 = game.weight.iter().sum();
        if !game.wins(n, total_weight, total_population) {
            return Err(EngineError::Degenerate(format!(
                "chamber {}: no coalition carries the vote, not even all voters together",
                chamber.name
            )));
        }
        if game.wins(0, 0.0, 0.0) {
            return Err(EngineError::Degenerate(format!(
                "chamber {}: the rule passes with no votes at all, so no voter ever decides",
                chamber.name
            )));
        }
        Ok(game)
    }

    /// Whether a coalition of `k` members with these totals wins.
    #[inline]
    fn wins(&self, k: usize, weight: f64, population: f64) -> bool {
        k >= self.min_members && weight >= self.weight_quota && self.population_quota.is_none_or(|q| population >= q)
    }
}

/// `ln C(n, k)`.
fn ln_binomial(n: usize, k: usize) -> f64 {
    let k = k.min(n - k);
    (0..k).map(|j| ((n - j) as f64).ln() - ((j + 1) as f64).ln()).sum()
}

/// Unanimity: every voter swings only in the coalition of all others:
/// `SS_i = 1/n`, `β'_i = 2^{−(n−1)}`, `β_i = 1/n`. Simple majority
/// (`q = ⌊n/2⌋ + 1` members): `SS_i = β_i = 1/n` by symmetry,
/// `β'_i = C(n−1, q−1) / 2^{n−1}`.
fn closed_form(chamber: &Chamber, game: &Game) -> Option<PowerIndices> {
    let n = game.n;
    let swings_ln = match chamber.rule {
        VotingRule::Unanimity => 0.0,
        VotingRule::SimpleMajority => ln_binomial(n - 1, n / 2),
        VotingRule::Qualified { .. } => return None,
    };
    let absolute = (swings_ln - (n - 1) as f64 * std::f64::consts::LN_2).exp();
    Some(PowerIndices {
        chamber: chamber.name.clone(),
        voters: chamber.voters.iter().map(|v| v.actor).collect(),
        shapley_shubik: vec![1.0 / n as f64; n],
        banzhaf: vec![1.0 / n as f64; n],
        banzhaf_absolute: vec![absolute; n],
        exact: true,
        method: PowerMethod::ClosedForm,
        std_errors: None,
    })
}

/// Turns swing counts by coalition size, `counts[i][s]` (number of
/// coalitions S ∌ i, |S| = s, for which i swings), into the indices.
fn finish_exact(
    chamber: &Chamber,
    game: &Game,
    method: PowerMethod,
    counts: &[Vec<u128>],
) -> Result<PowerIndices, EngineError> {
    let n = game.n;
    // s! (n − s − 1)! / n! = 1 / (n C(n−1, s)).
    let mut coefficient = Vec::with_capacity(n);
    let mut binom = 1.0f64;
    for s in 0..n {
        coefficient.push(1.0 / (n as f64 * binom));
        binom = binom * (n - 1 - s) as f64 / (s + 1) as f64;
    }
    let swings: Vec<u128> = counts.iter().map(|c| c.iter().sum()).collect();
    let total: u128 = swings.iter().sum();
    let shapley_shubik = counts
        .iter()
        .map(|c| c.iter().zip(&coefficient).map(|(&k, &w)| k as f64 * w).sum())
        .collect();
    let scale = 0.5f64.powi(n as i32 - 1);
    Ok(PowerIndices {
        chamber: chamber.name.clone(),
        voters: chamber.voters.iter().map(|v| v.actor).collect(),
        shapley_shubik,
        banzhaf: swings.iter().map(|&s| s as f64 / total as f64).collect(),
        banzhaf_absolute: swings.iter().map(|&s| s as f64 * scale).collect(),
        exact: true,
        method,
        std_errors: None,
    })
}

/// Weights as integers `round(w · 10^e)` for the smallest `e ≤ 6` that
/// makes every weight an integer (to 1e-9 relative), with the scaled
/// integer quota `⌈quota · 10^e⌉`; `None` when there is none or the total
/// is too large for a table.
fn integer_weights(game: &Game) -> Option<(Vec<usize>, usize)> {
    let mut scale = 1.0f64;
    for _ in 0..=6 {
        let scaled: Vec<f64> = game.weight.iter().map(|w| w * scale).collect();
        if scaled.iter().all(|&x| (x - x.round()).abs() <= 1e-9 * x.max(1.0)) {
            let ints: Vec<usize> = scaled.iter().map(|&x| x.round() as usize).collect();
            let total: usize = ints.iter().sum();
            if (game.n + 1).saturating_mul(total + 1) > MAX_GF_ENTRIES {
                return None;
            }
            // weight ≥ quota  ⟺  integer weight ≥ ⌈quota · scale⌉ (up to the rounding tolerance).
            let quota = if game.weight_quota.is_finite() {
                let q = (game.weight_threshold * scale - REL_TOL * game.weight_threshold.abs().max(1.0) * scale).ceil();
                q.max(0.0) as usize
            } else {
                0
            };
            return Some((ints, quota));
        }
        scale *= 10.0;
    }
    None
}

/// Swing counts by generating functions (Mann and Shapley 1962; Brams and
/// Affuso 1976). `F(x, y) = Π_j (1 + x^{w_j} y)` counts the coalitions by
/// weight (power of x) and size (power of y); the polynomial of the voters
/// other than i is `F / (1 + x^{w_i} y)`, obtained by the exact recursion
/// `G[s][w] = F[s][w] − G[s−1][w − w_i]` in wrapping `u128` arithmetic
/// (exact because every true count is below `2^128`). Voter i swings in a
/// coalition of size s and weight w iff it loses and adding (s + 1, w + w_i)
/// wins. Cost O(n² W) for F plus O(n W) per distinct weight.
fn generating_function(game: &Game) -> Option<Vec<Vec<u128>>> {
    if game.population_quota.is_some() || game.n > MAX_GF_VOTERS {
        return None;
    }
    let (w, quota) = integer_weights(game)?;
    let n = game.n;
    let total: usize = w.iter().sum();
    let cols = total + 1;
    let mut f = vec![0u128; (n + 1) * cols];
    f[0] = 1;
    for (j, &wj) in w.iter().enumerate() {
        for s in (0..=j).rev() {
            for x in (0..cols - wj).rev() {
                let add = f[s * cols + x];
                if add != 0 {
                    let t = &mut f[(s + 1) * cols + x + wj];
                    *t = t.wrapping_add(add);
                }
            }
        }
    }
    let wins = |s: usize, x: usize| s >= game.min_members && x >= quota;
    let mut by_weight: Vec<(usize, Vec<u128>)> = Vec::new();
    let mut counts = Vec::with_capacity(n);
    for &wi in &w {
        if let Some((_, c)) = by_weight.iter().find(|(v, _)| *v == wi) {
            counts.push(c.clone());
            continue;
        }
        let mut g = vec![0u128; n * cols];
        let mut c = vec![0u128; n];
        for s in 0..n {
            for x in 0..cols {
                let mut v = f[s * cols + x];
                if s > 0 && x >= wi {
                    v = v.wrapping_sub(g[(s - 1) * cols + x - wi]);
                }
                g[s * cols + x] = v;
                if v != 0 && !wins(s, x) && wins(s + 1, x + wi) {
                    c[s] += v;
                }
            }
        }
        by_weight.push((wi, c.clone()));
        counts.push(c);
    }
    Some(counts)
}

/// Swing counts by enumerating every coalition `S` (as a bit mask). Sizes,
/// weights and populations of the low 14 and the high bits are tabulated;
/// for each winning `S`, every member whose departure makes it lose is a
/// swing of `S ∖ {i}`. Parallel over the high half; integer counts make
/// the sum independent of the thread count. O(2^n + n · #winning).
fn enumeration(game: &Game) -> Vec<Vec<u128>> {
    let n = game.n;
    let lo_bits = n.min(14);
    let hi_bits = n - lo_bits;
    let table = |offset: usize, bits: usize| -> Vec<(usize, f64, f64)> {
        let mut t = vec![(0usize, 0.0f64, 0.0f64); 1 << bits];
        for m in 1usize..1 << bits {
            let j = offset + m.trailing_zeros() as usize;
            let r = t[m & (m - 1)];
            t[m] = (r.0 + 1, r.1 + game.weight[j], r.2 + game.population[j]);
        }
        t
    };
    let lo = table(0, lo_bits);
    let hi = table(lo_bits, hi_bits);
    let counts = (0usize..1 << hi_bits)
        .into_par_iter()
        .fold(
            || vec![0u64; n * n],
            |mut acc, h| {
                let (hk, hw, hp) = hi[h];
                for (l, &(lk, lw, lp)) in lo.iter().enumerate() {
                    let (k, w, p) = (hk + lk, hw + lw, hp + lp);
                    if !game.wins(k, w, p) {
                        continue;
                    }
                    let mut members = (h << lo_bits) | l;
                    while members != 0 {
                        let i = members.trailing_zeros() as usize;
                        members &= members - 1;
                        if !game.wins(k - 1, w - game.weight[i], p - game.population[i]) {
                            acc[i * n + k - 1] += 1;
                        }
                    }
                }
                acc
            },
        )
        .reduce(
            || vec![0u64; n * n],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                a
            },
        );
    (0..n)
        .map(|i| counts[i * n..(i + 1) * n].iter().map(|&c| c as u128).collect())
        .collect()
}

/// Monte Carlo estimate. Shapley–Shubik: in each of `samples` uniformly
/// random orders the voter whose arrival makes the coalition win is pivotal;
/// `SS_i` is the share of orders in which i is pivotal. Banzhaf: in each of
/// `samples` uniformly random coalitions (every voter in with probability
/// ½), voter i swings when the coalition without i loses and with i wins;
/// `β'_i` is the share of coalitions in which i swings. Standard errors are
/// binomial. Samples come in blocks of [`MC_BLOCK`], block b from ChaCha8
/// stream b; counts are integers, so results do not depend on the thread
/// count.
fn monte_carlo(chamber: &Chamber, game: &Game, samples: u64, seed: u64) -> Result<PowerIndices, EngineError> {
    let n = game.n;
    let blocks = samples.div_ceil(MC_BLOCK);
    let (pivots, swings) = (0..blocks)
        .into_par_iter()
        .map(|b| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(b);
            let mut pivots = vec![0u64; n];
            let mut swings = vec![0u64; n];
            let mut order: Vec<usize> = (0..n).collect();
            let mut inside = vec![false; n];
            for _ in b * MC_BLOCK..((b + 1) * MC_BLOCK).min(samples) {
                // A random order, drawn lazily until the coalition wins.
                let (mut k, mut w, mut p) = (0usize, 0.0, 0.0);
                for j in 0..n {
                    let pick = rng.random_range(j..n);
                    order.swap(j, pick);
                    let i = order[j];
                    k += 1;
                    w += game.weight[i];
                    p += game.population[i];
                    if game.wins(k, w, p) {
                        pivots[i] += 1;
                        break;
                    }
                }
                // A random coalition.
                let (mut k, mut w, mut p) = (0usize, 0.0, 0.0);
                let mut bits = 0u64;
                for (i, inside) in inside.iter_mut().enumerate() {
                    if i % 64 == 0 {
                        bits = rng.random::<u64>();
                    }
                    *inside = bits >> (i % 64) & 1 == 1;
                    if *inside {
                        k += 1;
                        w += game.weight[i];
                        p += game.population[i];
                    }
                }
                for i in 0..n {
                    let (ko, wo, po) = if inside[i] {
                        (k - 1, w - game.weight[i], p - game.population[i])
                    } else {
                        (k, w, p)
                    };
                    if !game.wins(ko, wo, po) && game.wins(ko + 1, wo + game.weight[i], po + game.population[i]) {
                        swings[i] += 1;
                    }
                }
            }
            (pivots, swings)
        })
        .reduce(
            || (vec![0u64; n], vec![0u64; n]),
            |(mut a, mut b), (c, d)| {
                a.iter_mut().zip(c).for_each(|(x, y)| *x += y);
                b.iter_mut().zip(d).for_each(|(x, y)| *x += y);
                (a, b)
            },
        );
    let m = samples as f64;
    let share = |c: &[u64]| c.iter().map(|&c| c as f64 / m).collect::<Vec<f64>>();
    let se = |p: &[f64]| p.iter().map(|&p| (p * (1.0 - p) / m).sqrt()).collect::<Vec<f64>>();
    let shapley_shubik = share(&pivots);
    let banzhaf_absolute = share(&swings);
    let sum: f64 = banzhaf_absolute.iter().sum();
    if sum == 0.0 {
        return Err(EngineError::Degenerate(format!(
            "chamber {}: no swing was sampled in {samples} coalitions; draw more samples",
            chamber.name
        )));
    }
    let banzhaf = banzhaf_absolute.iter().map(|b| b / sum).collect();
    let se_abs = se(&banzhaf_absolute);
    Ok(PowerIndices {
        chamber: chamber.name.clone(),
        voters: chamber.voters.iter().map(|v| v.actor).collect(),
        std_errors: Some(PowerErrors {
            shapley_shubik: se(&shapley_shubik),
            banzhaf: se_abs.iter().map(|e| e / sum).collect(),
            banzhaf_absolute: se_abs,
        }),
        shapley_shubik,
        banzhaf,
        banzhaf_absolute,
        exact: false,
        method: PowerMethod::MonteCarlo { samples, seed },
    })
}
