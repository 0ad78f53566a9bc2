//! Bueno de Mesquita's expected utility model (EUM) as reconstructed by
//! Scholz, Calbert & Smith (2011), "Unravelling Bueno De Mesquita's group
//! decision model" (equation numbers of the ICAART 2011 text).
//!
//! Two profiles are implemented (see `docs/models/eum.md`):
//!
//! * [`EumProfile::Replication`] (default) — the SCHOLZ-REPLICATION rules,
//!   which reproduce the published EC emissions run (and the replicating
//!   program of jmckib) number for number: a success probability whose
//!   denominator sums the votes over *all* pairs of positions, voters with
//!   their own risk exponents, every expected utility seen with the deciding
//!   actor's risk exponent, and compromises chosen by the smallest weighted
//!   position.
//! * [`EumProfile::Paper`] — the model as printed (pairwise linear
//!   probabilities, eqs. 30–31; each side's own view, eq. 25b; the Fig. 6
//!   octants; least movement), with the gaps filled by stated choices.
//!
//! The model is one-dimensional. An issue with several dimensions is run
//! dimension by dimension, each with that dimension's salience; the
//! dimensions do not interact.
//!
//! Speed: every power `|x_k − x_a|^ρ` is computed once per voter and
//! *distinct* position per pass, the utilities `Us`, `Uf` once per viewer and
//! distinct position, and the all-pairs denominator of §3.2 in
//! `O(n·m)` after one sort (m distinct positions) instead of the naive
//! triple loop. That reorders one sum; [`EumSettings::exact`] restores the
//! specification's accumulation order (used by the replication tests, and
//! tested to agree with the fast path). The replication fast path with
//! `Q = 1` (the Monte Carlo case) runs a kernel on the distinct positions
//! with voters grouped by position and exponent (`Model::kernel_round`);
//! a round starting from an earlier round's positions is copied from it.

// Index loops mirror the equations' subscripts.
#![allow(clippy::needless_range_loop)]

use serde::{Deserialize, Serialize};

use crate::{EngineError, History, Issue, StopReason};

/// Which reading of the model to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum EumProfile {
    /// SCHOLZ-REPLICATION (spec §3): reproduces Scholz et al.'s published run.
    #[default]
    Replication,
    /// The model as printed in the paper (spec §4), unverified numerically.
    Paper,
}

/// How `T` (eqs. 20–23: does the target's uncoerced drift to the median help
/// the challenger?) is set. Only used when `Q < 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TRule {
    /// `T = 1` iff `|x_i − μ| < |x_i − x_j|` for challenger i and target j
    /// (ties give 0) — spec §4.5.
    #[default]
    MedianCloser,
    /// `T = 1` for every pair (the drift always helps the challenger).
    Better,
    /// `T = 0` for every pair (the drift always hurts the challenger).
    Worse,
}

/// Which position range `Rg` normalises distances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RangeRule {
    /// `max x − min x` of the input positions, fixed for the run
    /// (replication default).
    Initial,
    /// `max x − min x` of the positions at the start of each round (paper
    /// default).
    Current,
}

/// Settings of an EUM run. Unspecified fields take their defaults
/// (`#[serde(default)]`); the defaults are the SCHOLZ-REPLICATION profile with
/// `Q = 1` and 10 rounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "snake_case")]
pub struct EumSettings {
    /// Which reading of the model to run.
    pub profile: EumProfile,
    /// `Q`, the probability of the status quo if nobody challenges (eq. 7,
    /// 25a), in `[0, 1]`. 1.0 in the reference case.
    pub q: f64,
    /// How `T` is set when `Q < 1`.
    pub t_rule: TRule,
    /// Number of rounds `τ`.
    pub rounds: usize,
    /// Position range; `None` takes the profile's choice (replication:
    /// initial, paper: current).
    pub range: Option<RangeRule>,
    /// Whether capitulations (Fig. 6 "compel", spec §5 A5) are offered;
    /// `None` takes the profile's choice (replication: no, as in the
    /// replicating program; paper: yes).
    pub capitulation: Option<bool>,
    /// Replication profile only: accumulate the all-pairs denominator of
    /// §3.2 in the specification's order (bit-identical to the reference)
    /// instead of the fast reordered sum. Results agree to ~1e-15 relative.
    pub exact: bool,
}

impl Default for EumSettings {
    fn default() -> Self {
        EumSettings::replication()
    }
}

impl EumSettings {
    /// The SCHOLZ-REPLICATION profile: `Q = 1`, 10 rounds, fast sums.
    pub fn replication() -> Self {
        EumSettings {
            profile: EumProfile::Replication,
            q: 1.0,
            t_rule: TRule::MedianCloser,
            rounds: 10,
            range: None,
            capitulation: None,
            exact: false,
        }
    }

    /// The PAPER profile: `Q = 1` (the paper's choice for the 1994 case),
    /// 10 rounds.
    pub fn paper() -> Self {
        EumSettings {
            profile: EumProfile::Paper,
            ..EumSettings::replication()
        }
    }

    fn range_rule(&self) -> RangeRule {
        self.range.unwrap_or(match self.profile {
            EumProfile::Replication => RangeRule::Initial,
            EumProfile::Paper => RangeRule::Current,
        })
    }

    fn capitulates(&self) -> bool {
        self.capitulation.unwrap_or(self.profile == EumProfile::Paper)
    }

    fn check(&self) -> Result<(), EngineError> {
        if !(self.q.is_finite() && (0.0..=1.0).contains(&self.q)) {
            return Err(EngineError::InvalidInput(format!(
                "EUM: Q must lie in [0, 1], got {}",
                self.q
            )));
        }
        Ok(())
    }
}

/// The kind of a move (Fig. 6 of the paper).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MoveKind {
    /// The mover expects to lose a confrontation and gives in fully.
    Confrontation,
    /// The mover concedes part of the way (eq. 36).
    Compromise,
    /// The mover capitulates (Fig. 6 "compel") and moves fully.
    Capitulation,
}

/// One actor's move in one round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EumMove {
    /// Index of the mover in the issue's stances.
    pub actor: usize,
    /// Kind of the accepted offer.
    pub kind: MoveKind,
    /// Index of the actor whose offer was accepted.
    pub partner: usize,
    /// `E(mover → partner)`: what the mover expects from challenging the
    /// partner (`a` of Fig. 6), as seen by the mover.
    pub e_mover: f64,
    /// `E(partner → mover)`: replication — as the mover sees it (its own risk
    /// exponent); paper — as the partner sees it (eq. 25b).
    pub e_partner: f64,
    /// Position before the move.
    pub from: f64,
    /// Position after the move.
    pub to: f64,
}

/// Risk intermediates and moves of one round on one dimension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EumRound {
    /// Round number, from 1.
    pub round: usize,
    /// Security levels `Sec_i = Σ_{j≠i} E(U_ji)` of the first pass (§5).
    pub security: Vec<f64>,
    /// `R_i` of eq. 34, in `[−1, 1]`.
    pub big_r: Vec<f64>,
    /// Risk exponents `r_i` of eq. 33, in `[0.5, 2]`.
    pub r: Vec<f64>,
    /// `true` when all security levels were equal (`hi = lo` in eq. 34):
    /// then `R = 0` and `r = 1` for everyone.
    pub risk_degenerate: bool,
    /// The moves made this round, in mover order.
    pub moves: Vec<EumMove>,
    /// The forecast (median voter position, §3.6) after the round.
    pub median: f64,
    /// The capability×salience weighted mean after the round.
    pub mean: f64,
}

/// An EUM run on one dimension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EumDimensionRun {
    /// The dimension's index in the issue.
    pub dimension: usize,
    /// The position range `Rg` of the input positions.
    pub initial_range: f64,
    /// `positions[round][actor]`; round 0 is the input.
    pub positions: Vec<Vec<f64>>,
    /// Median of the input positions (round 0).
    pub initial_median: f64,
    /// Weighted mean of the input positions (round 0).
    pub initial_mean: f64,
    /// One record per round played.
    pub rounds: Vec<EumRound>,
}

impl EumDimensionRun {
    /// Medians of rounds `0..=τ`.
    pub fn medians(&self) -> Vec<f64> {
        std::iter::once(self.initial_median)
            .chain(self.rounds.iter().map(|r| r.median))
            .collect()
    }

    /// Weighted means of rounds `0..=τ`.
    pub fn means(&self) -> Vec<f64> {
        std::iter::once(self.initial_mean)
            .chain(self.rounds.iter().map(|r| r.mean))
            .collect()
    }

    /// The model's forecast: the median after the last round.
    pub fn forecast(&self) -> f64 {
        self.rounds.last().map_or(self.initial_median, |r| r.median)
    }
}

/// The full result of an EUM run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EumRun {
    /// Positions per round, `[round][actor][dimension]`.
    pub history: History,
    /// Per-dimension details (medians, means, risk, moves).
    pub dimensions: Vec<EumDimensionRun>,
}

impl EumRun {
    /// The forecast per dimension (median after the last round).
    pub fn forecast(&self) -> Vec<f64> {
        self.dimensions.iter().map(EumDimensionRun::forecast).collect()
    }

    /// Whether any round on any dimension hit `hi = lo` in eq. 34.
    pub fn risk_degenerate(&self) -> bool {
        self.dimensions
            .iter()
            .any(|d| d.rounds.iter().any(|r| r.risk_degenerate))
    }
}

/// Runs EUM on an issue: each dimension independently, with that dimension's
/// salience, for `settings.rounds` rounds.
pub fn run(issue: &Issue, settings: &EumSettings) -> Result<EumRun, EngineError> {
    issue.validate()?;
    settings.check()?;
    let n = issue.stances.len();
    let capability: Vec<f64> = issue.stances.iter().map(|s| s.capability).collect();
    let mut dims = Vec::with_capacity(issue.dimensions);
    for d in 0..issue.dimensions {
        let position: Vec<f64> = issue.stances.iter().map(|s| s.position[d]).collect();
        let salience: Vec<f64> = issue.stances.iter().map(|s| s.salience[d]).collect();
        let mut run = run_1d(&capability, &position, &salience, settings)?;
        run.dimension = d;
        dims.push(run);
    }
    let turns = settings.rounds + 1;
    let mut positions = Vec::with_capacity(turns);
    for t in 0..turns {
        let mut row = Vec::with_capacity(n);
        for a in 0..n {
            let mut at = Vec::with_capacity(dims.len());
            at.extend(dims.iter().map(|d| d.positions[t][a]));
            row.push(at);
        }
        positions.push(row);
    }
    Ok(EumRun {
        history: History {
            positions,
            stop: StopReason::RoundsCompleted,
        },
        dimensions: dims,
    })
}

/// Runs EUM on one dimension given per-actor capability, position and
/// salience (the building block of [`run`]; also used by benchmarks).
pub fn run_1d(
    capability: &[f64],
    position: &[f64],
    salience: &[f64],
    settings: &EumSettings,
) -> Result<EumDimensionRun, EngineError> {
    settings.check()?;
    let mut model = Model::new(capability, position, salience, settings)?;
    let initial_range = model.rg_initial;
    let initial_median = model.median();
    let initial_mean = model.mean();
    let mut positions: Vec<Vec<f64>> = Vec::with_capacity(settings.rounds + 1);
    positions.push(model.x.clone());
    let mut rounds: Vec<EumRound> = Vec::with_capacity(settings.rounds);
    for t in 1..=settings.rounds {
        // A round is a pure function of the positions it starts from: when
        // they repeat an earlier round's start (a fixed point or a cycle),
        // the round repeats that round bit for bit.
        let last = positions.len() - 1;
        let seen = positions[..last]
            .iter()
            .position(|p| p.iter().zip(&model.x).all(|(a, b)| a.to_bits() == b.to_bits()));
        let rec = match seen {
            Some(t0) => {
                let mut rec = rounds[t0].clone();
                rec.round = t;
                model.x.copy_from_slice(&positions[t0 + 1]);
                rec
            }
            None => {
                let mut rec = model.round(t);
                rec.median = model.median();
                rec.mean = model.mean();
                rec
            }
        };
        positions.push(model.x.clone());
        rounds.push(rec);
    }
    Ok(EumDimensionRun {
        dimension: 0,
        initial_range,
        positions,
        initial_median,
        initial_mean,
        rounds,
    })
}

/// The final positions of [`run`], `[actor][dimension]` — bit for bit the
/// last state of its history — without the per-round records, medians,
/// means and intermediate states (the Monte Carlo needs only the outcome).
pub fn final_positions(issue: &Issue, settings: &EumSettings) -> Result<Vec<Vec<f64>>, EngineError> {
    issue.validate()?;
    settings.check()?;
    let n = issue.stances.len();
    let mut out: Vec<Vec<f64>> = (0..n).map(|_| Vec::with_capacity(issue.dimensions)).collect();
    let capability: Vec<f64> = issue.stances.iter().map(|s| s.capability).collect();
    let mut position = Vec::with_capacity(n);
    let mut salience = Vec::with_capacity(n);
    for d in 0..issue.dimensions {
        position.clear();
        position.extend(issue.stances.iter().map(|s| s.position[d]));
        salience.clear();
        salience.extend(issue.stances.iter().map(|s| s.salience[d]));
        final_positions_1d(&capability, &position, &salience, settings, |a, x| out[a].push(x))?;
    }
    Ok(out)
}

/// [`run_1d`]'s final positions, passed to `emit(actor, position)` in actor
/// order: the same rounds (a round starting from an earlier round's start is
/// copied from it, as in [`run_1d`]) without records.
fn final_positions_1d(
    capability: &[f64],
    position: &[f64],
    salience: &[f64],
    settings: &EumSettings,
    mut emit: impl FnMut(usize, f64),
) -> Result<(), EngineError> {
    settings.check()?;
    let mut model = Model::new(capability, position, salience, settings)?;
    let n = model.n;
    let mut starts = std::mem::take(&mut model.k.starts);
    let mut rec = model.k.rec.take().unwrap_or_else(|| EumRound {
        round: 0,
        security: Vec::new(),
        big_r: Vec::new(),
        r: Vec::new(),
        risk_degenerate: true,
        moves: Vec::new(),
        median: f64::NAN,
        mean: f64::NAN,
    });
    starts.clear();
    for t in 1..=settings.rounds {
        let seen = starts
            .chunks_exact(n)
            .position(|p| p.iter().zip(&model.x).all(|(a, b)| a.to_bits() == b.to_bits()));
        starts.extend_from_slice(&model.x);
        match seen {
            // The start of round t0 + 1 (0-based t0) repeats: round t repeats
            // round t0 + 1, so it ends where that round ended.
            Some(t0) => {
                model.x.copy_from_slice(&starts[(t0 + 1) * n..(t0 + 2) * n]);
            }
            None => {
                model.decide_round_into(t, &mut rec);
                for mv in &rec.moves {
                    model.x[mv.actor] = mv.to;
                }
            }
        }
    }
    for (a, &x) in model.x.iter().enumerate() {
        emit(a, x);
    }
    model.k.starts = starts;
    model.k.rec = Some(rec);
    Ok(())
}

/// Every intermediate of one round on one dimension (the round's first
/// pass and second pass), for inspection and tests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundDetail {
    /// The position range used.
    pub range: f64,
    /// Replication: the all-pairs denominator of §3.2 in the first pass
    /// (all ρ = 1). Paper: 0 (not used).
    pub den_first: f64,
    /// Replication: the denominator in the second pass (voters' new r).
    pub den_second: f64,
    /// Security levels of the first pass.
    pub security: Vec<f64>,
    /// `R_i` (eq. 34).
    pub big_r: Vec<f64>,
    /// `r_i` (eq. 33).
    pub r: Vec<f64>,
    /// Second pass: `p[i][j]` = probability that `x_i` prevails over `x_j`.
    pub p: Vec<Vec<f64>>,
    /// Second pass: `e_ij[i][j] = E(i → j)` as seen by i.
    pub e_ij: Vec<Vec<f64>>,
    /// Second pass: `e_ji[i][j] = E(j → i)`, replication: as seen by i;
    /// paper: as seen by j. 0 where `x_i = x_j` and for `i = j`.
    pub e_ji: Vec<Vec<f64>>,
    /// The moves of the round.
    pub moves: Vec<EumMove>,
}

/// Computes every intermediate of the first round on one dimension without
/// applying the moves.
pub fn inspect_round(
    capability: &[f64],
    position: &[f64],
    salience: &[f64],
    settings: &EumSettings,
) -> Result<RoundDetail, EngineError> {
    settings.check()?;
    let mut model = Model::new(capability, position, salience, settings)?;
    model.detail = true;
    let rec = model.decide_round(1);
    let d = model.details.take().unwrap_or_default();
    Ok(RoundDetail {
        range: model.rg,
        den_first: d.den_first,
        den_second: d.den_second,
        security: rec.security,
        big_r: rec.big_r,
        r: rec.r,
        p: d.p,
        e_ij: d.e_ij,
        e_ji: d.e_ji,
        moves: rec.moves,
    })
}

#[derive(Default)]
struct Details {
    den_first: f64,
    den_second: f64,
    p: Vec<Vec<f64>>,
    e_ij: Vec<Vec<f64>>,
    e_ji: Vec<Vec<f64>>,
}

/// `x^r`, skipping the call when `r = 1`. glibc's `pow(x, 1.0)` returns `x`
/// exactly, so this shortcut is bit-identical.
#[inline]
fn pw(x: f64, r: f64) -> f64 {
    if r == 1.0 { x } else { x.powf(r) }
}

/// Basic utilities of eqs. 15, 16 and 24 for a distance `d`, range `rg`,
/// exponent `r`: `(Us, Uf)`, in the operation order of spec §3.3.
#[inline]
fn us_uf(d: f64, rg: f64, r: f64) -> (f64, f64) {
    let h = 0.5 * d / rg;
    (2.0 - 4.0 * pw(0.5 - h, r), 2.0 - 4.0 * pw(0.5 + h, r))
}

/// `Usq` of eq. 24.
#[inline]
fn u_sq(r: f64) -> f64 {
    2.0 - 4.0 * pw(0.5, r)
}

/// The part of eq. 25a that does not involve `Q < 1`:
/// `s_j·(P·Us + (1 − P)·Uf) + (1 − s_j)·Us − Q·Usq`.
#[inline]
fn eu_core(s_target: f64, p: f64, us: f64, uf: f64, q: f64, usq: f64) -> f64 {
    (s_target * (p * us + (1.0 - p) * uf) + (1.0 - s_target) * us) - q * usq
}

/// `T` of eqs. 20–23 for challenger i at `x_i`, target at `x_j`, median `μ`
/// (spec §4.5): `true` (T = 1) when j's uncoerced drift to `μ` helps i.
pub fn t_value(rule: TRule, x_i: f64, x_j: f64, mu: f64) -> bool {
    match rule {
        TRule::MedianCloser => (x_i - mu).abs() < (x_i - x_j).abs(),
        TRule::Better => true,
        TRule::Worse => false,
    }
}

/// The regions of Fig. 6 (spec §4.6), from i's point of view, for
/// `a = E^i(U_ij)` and `b = E^j(U_ji)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Octant {
    /// `a > 0, b > 0, b > a`: i moves to `x_j` (confrontation, challenger favoured).
    ConfrontationLoss,
    /// `a > 0, b > 0, a > b`: j moves to `x_i` (confrontation, focal group favoured).
    ConfrontationWin,
    /// `a > 0, b < 0, |a| > |b|`: j moves part way, `x_j += (x_i − x_j)·|b/a|` (eq. 35).
    CompromiseUpperHand,
    /// `a < 0, b > 0, |b| > |a|`: i moves part way, `x_i −= (x_i − x_j)·|a/b|` (eq. 36).
    CompromiseLowerHand,
    /// `a > 0, b < 0, |b| > |a|`: j capitulates to `x_i` (compel).
    CompelWin,
    /// `a < 0, b > 0, |a| > |b|`: i capitulates to `x_j` (compel).
    CompelLoss,
    /// `a < 0, b < 0`: stalemate, nobody moves.
    StatusQuo,
    /// A boundary (`a = 0`, `b = 0` or `|a| = |b|`), not covered by the
    /// paper: nobody moves.
    Boundary,
}

/// Absolute tolerance of the PAPER profile's boundaries: expected utilities
/// are bounded (|E| ≤ 8), so values within this distance of a boundary of
/// Fig. 6 are rounding noise and count as the boundary.
pub const OCTANT_TOLERANCE: f64 = 1e-12;

/// Classifies `(a, b)` by Fig. 6 (spec §4.6); within [`OCTANT_TOLERANCE`]
/// of a boundary (`a = 0`, `b = 0`, `|a| = |b|`) the result is
/// [`Octant::Boundary`].
pub fn octant(a: f64, b: f64) -> Octant {
    let eps = OCTANT_TOLERANCE;
    if !(a.abs() > eps && b.abs() > eps && (a.abs() - b.abs()).abs() > eps) {
        return Octant::Boundary;
    }
    match (a > 0.0, b > 0.0) {
        (true, true) if b > a => Octant::ConfrontationLoss,
        (true, true) => Octant::ConfrontationWin,
        (true, false) if a.abs() > b.abs() => Octant::CompromiseUpperHand,
        (true, false) => Octant::CompelWin,
        (false, true) if b.abs() > a.abs() => Octant::CompromiseLowerHand,
        (false, true) => Octant::CompelLoss,
        (false, false) => Octant::StatusQuo,
    }
}

/// Challenge `a → b`, data of the challenger side needed for the `(1 − Q)`
/// term of eq. 25a (eqs. 22, 23 with T of §4.5).
struct Drift {
    /// `|x_a − μ|`.
    d_mu: f64,
    /// `|x_a − x_b|`.
    d: f64,
}

impl Drift {
    /// `(1 − Q)·(T·Ub + (1 − T)·Uw)` for exponent `r` (eqs. 22, 23).
    fn term(&self, q: f64, rg: f64, r: f64, rule: TRule) -> f64 {
        // T from the distances alone: |x_a − μ| < |x_a − x_b|.
        let t = t_value(rule, 0.0, self.d, self.d_mu);
        let g = 0.25 * (self.d_mu + self.d) / rg;
        let u = if t {
            2.0 - 4.0 * pw(0.5 - g, r)
        } else {
            2.0 - 4.0 * pw(0.5 + g, r)
        };
        (1.0 - q) * u
    }
}

/// State of a one-dimensional run plus reusable buffers.
struct Model<'a> {
    settings: &'a EumSettings,
    n: usize,
    s: &'a [f64],
    /// `c_k · s_k`.
    w: Vec<f64>,
    /// Current positions.
    x: Vec<f64>,
    rg_initial: f64,
    /// Range used in the current round.
    rg: f64,
    /// Distinct current positions, ascending.
    uniq: Vec<f64>,
    /// Number of actors at each distinct position.
    count: Vec<f64>,
    /// Actor → index in `uniq`.
    idx: Vec<usize>,
    /// `dmat[k*m + a] = (|x_k − uniq_a| / Rg)^ρ_k`.
    dmat: Vec<f64>,
    /// `prob[a*m + b]` = P(uniq_a over uniq_b).
    prob: Vec<f64>,
    /// `us[h*m + a]`, `uf[h*m + a]`: Us and Uf for viewer h at distance
    /// `|x_h − uniq_a|` with h's exponent.
    us: Vec<f64>,
    uf: Vec<f64>,
    /// `Usq` of eq. 24 per viewer (second pass).
    usq: Vec<f64>,
    order: Vec<usize>,
    /// Scratch of the fast kernel ([`Self::kernel_round`]).
    k: Kernel,
    /// Scratch of [`Self::median`].
    sorted: Vec<f64>,
    detail: bool,
    details: Option<Details>,
}

impl Drop for Model<'_> {
    fn drop(&mut self) {
        let mut pool = std::mem::take(&mut self.k);
        pool.w = std::mem::take(&mut self.w);
        pool.x = std::mem::take(&mut self.x);
        pool.uniq = std::mem::take(&mut self.uniq);
        pool.count = std::mem::take(&mut self.count);
        pool.idx = std::mem::take(&mut self.idx);
        pool.prob = std::mem::take(&mut self.prob);
        pool.sorted = std::mem::take(&mut self.sorted);
        POOL.with(|p| p.replace(pool));
    }
}

thread_local! {
    /// Scratch buffers of the last run on this thread (see [`Model::new`]).
    static POOL: std::cell::RefCell<Kernel> = std::cell::RefCell::new(Kernel::default());
}

/// Buffers of the fast kernel, reused across rounds (and, while a model is
/// not running, the pooled buffers of [`Model`]).
#[derive(Default)]
struct Kernel {
    w: Vec<f64>,
    x: Vec<f64>,
    uniq: Vec<f64>,
    count: Vec<f64>,
    idx: Vec<usize>,
    prob: Vec<f64>,
    sorted: Vec<f64>,
    /// [`final_positions_1d`]: the positions at the start of each round
    /// played, `[round*n + actor]`, and the reused round record.
    starts: Vec<f64>,
    rec: Option<EumRound>,
    /// `cols[a*gp + g]`: group g's row transposed, groups with a positive
    /// weight only, padded to `gp`, a multiple of 4, with zero weights.
    cols: Vec<f64>,
    /// Weights of the groups in `cols` (padded), and their indices.
    wt: Vec<f64>,
    live: Vec<usize>,
    /// `d1[p*m + a] = |u_p − u_a| / Rg` over the distinct positions.
    d1: Vec<f64>,
    /// `ord[p*m ..]`: the distinct positions by distance from `u_p`.
    ord: Vec<usize>,
    /// Voter groups (same position and exponent): position, exponent,
    /// summed weight `Σ c s`.
    gpos: Vec<usize>,
    gr: Vec<f64>,
    gw: Vec<f64>,
    /// Group of each actor.
    gid: Vec<usize>,
    /// `rows[g*m + a] = d1[p_g*m + a]^ρ_g`.
    rows: Vec<f64>,
    /// First pass: `us1[a*m + p]` (Us at distance `|u_a − u_p|`, r = 1) and
    /// `x1[a*m + p] = P(a over p)·Us + (1 − P)·Uf`.
    us1: Vec<f64>,
    x1: Vec<f64>,
    /// Second pass: Us, Uf per viewer group and distinct position (NaN: not
    /// yet computed), `Usq` and the bound `max(1/2, 0.5^r)` per group.
    us: Vec<f64>,
    uf: Vec<f64>,
    usq: Vec<f64>,
    tmax: Vec<f64>,
}

impl<'a> Model<'a> {
    fn new(c: &'a [f64], x: &[f64], s: &'a [f64], settings: &'a EumSettings) -> Result<Self, EngineError> {
        let n = x.len();
        if n == 0 || c.len() != n || s.len() != n {
            return Err(EngineError::InvalidInput(
                "EUM: capability, position and salience need one entry per actor".into(),
            ));
        }
        if x.iter().chain(c).chain(s).any(|v| !v.is_finite()) || c.iter().any(|&v| v < 0.0) {
            return Err(EngineError::InvalidInput(
                "EUM: inputs must be finite, capabilities ≥ 0".into(),
            ));
        }
        if s.iter().any(|v| !(0.0..=1.0).contains(v)) {
            return Err(EngineError::InvalidInput("EUM: saliences must lie in [0, 1]".into()));
        }
        let (lo, hi) = min_max(x);
        let rg = hi - lo;
        if !rg.is_finite() {
            return Err(EngineError::InvalidInput("EUM: position range overflows".into()));
        }
        // Buffers come from a per-thread pool and go back on drop, so a run
        // allocates none of its scratch space once the thread has done one.
        let mut pool = POOL.with(|p| p.take());
        pool.w.clear();
        pool.w.extend(c.iter().zip(s).map(|(c, s)| c * s));
        pool.x.clear();
        pool.x.extend_from_slice(x);
        pool.idx.clear();
        pool.idx.resize(n, 0);
        Ok(Model {
            settings,
            n,
            s,
            w: std::mem::take(&mut pool.w),
            x: std::mem::take(&mut pool.x),
            rg_initial: rg,
            rg,
            uniq: std::mem::take(&mut pool.uniq),
            count: std::mem::take(&mut pool.count),
            idx: std::mem::take(&mut pool.idx),
            dmat: Vec::new(),
            prob: std::mem::take(&mut pool.prob),
            us: Vec::new(),
            uf: Vec::new(),
            usq: Vec::new(),
            order: Vec::new(),
            sorted: std::mem::take(&mut pool.sorted),
            k: pool,
            detail: false,
            details: None,
        })
    }

    /// Median voter position (§3.6): king of the hill over the distinct
    /// positions in ascending order with linear votes `w_k (|x_k − b| − |x_k − a|)/Rg`.
    /// On ties the lower position stays. With `Rg = 0` all positions are
    /// equal.
    fn median(&mut self) -> f64 {
        let mut pos = std::mem::take(&mut self.sorted);
        pos.clear();
        pos.extend_from_slice(&self.x);
        pos.sort_by(f64::total_cmp);
        pos.dedup();
        let rg = self.rg_initial_or_current();
        let mut best = pos[0];
        for &p in &pos[1..] {
            let mut votes = 0.0;
            for k in 0..self.n {
                let xk = self.x[k];
                votes += self.w[k] * ((xk - best).abs() / rg - (xk - p).abs() / rg);
            }
            if votes > 0.0 {
                best = p;
            }
        }
        self.sorted = pos;
        best
    }

    /// The range for the median: the run's range rule evaluated on the
    /// current positions (the replicating program divides by the initial
    /// range; the division does not change the sign of the vote).
    fn rg_initial_or_current(&self) -> f64 {
        match self.settings.range_rule() {
            RangeRule::Initial => self.rg_initial,
            RangeRule::Current => {
                let (lo, hi) = min_max(&self.x);
                hi - lo
            }
        }
    }

    /// Weighted mean `Σ c s x / Σ c s` (input order); the unweighted mean if
    /// every `c s` is 0.
    fn mean(&self) -> f64 {
        let mut num = 0.0;
        let mut den = 0.0;
        for k in 0..self.n {
            num += self.w[k] * self.x[k];
            den += self.w[k];
        }
        if den > 0.0 {
            num / den
        } else {
            self.x.iter().sum::<f64>() / self.n as f64
        }
    }

    /// Rebuilds the distinct-position index.
    fn index_positions(&mut self) {
        self.uniq.clear();
        self.uniq.extend_from_slice(&self.x);
        self.uniq.sort_by(f64::total_cmp);
        self.uniq.dedup();
        let m = self.uniq.len();
        self.count.clear();
        self.count.resize(m, 0.0);
        for i in 0..self.n {
            let a = self.uniq.partition_point(|&u| u < self.x[i]);
            self.idx[i] = a;
            self.count[a] += 1.0;
        }
    }

    /// One round: risk, offers, simultaneous moves.
    fn round(&mut self, t: usize) -> EumRound {
        let rec = self.decide_round(t);
        for mv in &rec.moves {
            self.x[mv.actor] = mv.to;
        }
        rec
    }

    /// Computes the round's risk exponents and moves without applying them.
    fn decide_round(&mut self, t: usize) -> EumRound {
        let mut rec = EumRound {
            round: t,
            security: Vec::new(),
            big_r: Vec::new(),
            r: Vec::new(),
            risk_degenerate: true,
            moves: Vec::new(),
            median: f64::NAN,
            mean: f64::NAN,
        };
        self.decide_round_into(t, &mut rec);
        rec
    }

    /// [`Self::decide_round`] into a reused record (its buffers are reset).
    fn decide_round_into(&mut self, t: usize, rec: &mut EumRound) {
        let n = self.n;
        self.rg = match self.settings.range_rule() {
            RangeRule::Initial => self.rg_initial,
            RangeRule::Current => {
                let (lo, hi) = min_max(&self.x);
                hi - lo
            }
        };
        self.index_positions();
        if self.detail {
            self.details = Some(Details::default());
        }
        rec.round = t;
        rec.security.clear();
        rec.security.resize(n, 0.0);
        rec.big_r.clear();
        rec.big_r.resize(n, 0.0);
        rec.r.clear();
        rec.r.resize(n, 1.0);
        rec.risk_degenerate = true;
        rec.moves.clear();
        rec.median = f64::NAN;
        rec.mean = f64::NAN;
        if self.uniq.len() < 2 || self.rg.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            // Everybody at one point: no challenge is possible, every E is 0.
            if let Some(d) = self.details.as_mut() {
                d.p = vec![vec![0.0; n]; n];
                d.e_ij = vec![vec![0.0; n]; n];
                d.e_ji = vec![vec![0.0; n]; n];
            }
            return;
        }
        if self.use_kernel() {
            self.kernel_round(rec);
            return;
        }
        let mu = if self.settings.q < 1.0 { self.median() } else { 0.0 };
        let ones = vec![1.0; n];
        // First pass: all r = 1 (spec §3.4 step 1, appendix step 2).
        let den1 = self.probabilities(&ones);
        self.security(&mut rec.security, mu);
        let (lo, hi) = min_max(&rec.security);
        if hi > lo {
            rec.risk_degenerate = false;
            for i in 0..n {
                // eq. 34, then eq. 33.
                let big_r = (2.0 * rec.security[i] - hi - lo) / (hi - lo);
                rec.big_r[i] = big_r;
                rec.r[i] = (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0);
            }
        }
        // Second pass with the new exponents.
        let den2 = self.probabilities(&rec.r);
        if let Some(d) = self.details.as_mut() {
            d.den_first = den1;
            d.den_second = den2;
        }
        self.utilities(&rec.r);
        rec.moves = self.offers(&rec.r, mu);
    }

    /// Whether the round runs on the fast kernel: the replication profile
    /// with `Q = 1`, not `exact`, no details requested.
    fn use_kernel(&self) -> bool {
        self.settings.profile == EumProfile::Replication
            && !self.settings.exact
            && self.settings.q == 1.0
            && self.details.is_none()
    }

    /// One round of the replication profile with `Q = 1` on the fast path
    /// (see `docs/models/eum.md`, "Speed"). Works on the distinct positions:
    /// voters at the same position (first pass) or at the same position with
    /// the same exponent (second pass) vote as one group with their summed
    /// weight; distances, their merge orders and first-pass utilities are
    /// computed once per pair of distinct positions. Needs `m ≥ 2`, `Rg > 0`
    /// and [`Self::index_positions`] done.
    fn kernel_round(&mut self, rec: &mut EumRound) {
        let n = self.n;
        let m = self.uniq.len();
        let rg = self.rg;
        let k = &mut self.k;
        // Distances between distinct positions, and for each position the
        // others by increasing distance (a merge outward from it).
        k.d1.clear();
        k.d1.resize(m * m, 0.0);
        k.ord.clear();
        for p in 0..m {
            let up = self.uniq[p];
            for (a, d) in k.d1[p * m..(p + 1) * m].iter_mut().enumerate() {
                *d = (up - self.uniq[a]).abs() / rg;
            }
            k.ord.push(p);
            let (mut l, mut r) = (p, p + 1);
            while l > 0 || r < m {
                let take_left = if l == 0 {
                    false
                } else if r == m {
                    true
                } else {
                    (up - self.uniq[l - 1]).abs() <= (self.uniq[r] - up).abs()
                };
                if take_left {
                    l -= 1;
                    k.ord.push(l);
                } else {
                    k.ord.push(r);
                    r += 1;
                }
            }
        }
        // First pass (all ρ = 1): one group per distinct position.
        k.gpos.clear();
        k.gpos.extend(0..m);
        k.gr.clear();
        k.gr.resize(m, 1.0);
        k.gw.clear();
        k.gw.resize(m, 0.0);
        for i in 0..n {
            k.gw[self.idx[i]] += self.w[i];
        }
        k.rows.clear();
        k.rows.extend_from_slice(&k.d1);
        k.probabilities(&self.count, m, &mut self.prob);
        // Security levels: Sec_i = Σ_{a ≠ p_i} n_a·E(u_a → x_i), all r = 1
        // (actors at x_i contribute exact zeros).
        k.us1.clear();
        k.us1.resize(m * m, 0.0);
        k.x1.clear();
        k.x1.resize(m * m, 0.0);
        for a in 0..m {
            for p in 0..m {
                if a == p {
                    continue;
                }
                let (us, uf) = us_uf((self.uniq[a] - self.uniq[p]).abs(), rg, 1.0);
                let pr = self.prob[a * m + p];
                k.us1[a * m + p] = us;
                k.x1[a * m + p] = pr * us + (1.0 - pr) * uf;
            }
        }
        for i in 0..n {
            let p = self.idx[i];
            let si = self.s[i];
            let mut acc = 0.0;
            for a in 0..m {
                if a != p {
                    let e = si * k.x1[a * m + p] + (1.0 - si) * k.us1[a * m + p];
                    acc += self.count[a] * e;
                }
            }
            rec.security[i] = acc;
        }
        let (lo, hi) = min_max(&rec.security);
        if hi > lo {
            rec.risk_degenerate = false;
            for i in 0..n {
                let big_r = (2.0 * rec.security[i] - hi - lo) / (hi - lo);
                rec.big_r[i] = big_r;
                rec.r[i] = (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0);
            }
        }
        // Second pass: groups of voters sharing position and exponent.
        k.gpos.clear();
        k.gr.clear();
        k.gw.clear();
        k.gid.clear();
        for i in 0..n {
            let (p, r) = (self.idx[i], rec.r[i]);
            let g = match (0..k.gpos.len()).find(|&g| k.gpos[g] == p && k.gr[g] == r) {
                Some(g) => g,
                None => {
                    k.gpos.push(p);
                    k.gr.push(r);
                    k.gw.push(0.0);
                    k.gpos.len() - 1
                }
            };
            k.gw[g] += self.w[i];
            k.gid.push(g);
        }
        let groups = k.gpos.len();
        if !rec.risk_degenerate {
            // (With all r = 1 the second pass repeats the first.)
            k.rows.clear();
            k.rows.resize(groups * m, 0.0);
            for g in 0..groups {
                let (p, r) = (k.gpos[g], k.gr[g]);
                let src = &k.d1[p * m..(p + 1) * m];
                let dst = &mut k.rows[g * m..(g + 1) * m];
                if r == 1.0 {
                    dst.copy_from_slice(src);
                } else {
                    for a in 0..m {
                        // 0^r = 0 for r in [0.5, 2].
                        dst[a] = if a == p { 0.0 } else { src[a].powf(r) };
                    }
                }
            }
            k.probabilities(&self.count, m, &mut self.prob);
        }
        k.us.clear();
        k.us.resize(groups * m, f64::NAN);
        k.uf.clear();
        k.uf.resize(groups * m, f64::NAN);
        k.usq.clear();
        k.tmax.clear();
        for g in 0..groups {
            let half_r = pw(0.5, k.gr[g]);
            k.usq.push(2.0 - 4.0 * half_r);
            // With one viewer and Q = 1, E_ij = G − α·Δ and E_ji = G − β·Δ with
            // G = Us − Usq, Δ = Us − Uf > 0, α = s_j(1 − P_ij), β = s_i(1 − P_ji),
            // and t = G/Δ ≤ max(1/2, 0.5^r) for every distance.
            k.tmax.push(half_r.max(0.5));
        }
        self.kernel_offers(rec);
    }

    /// Offers and moves on the fast kernel (replication, `Q = 1`): as
    /// [`Self::offers`], skipping the pairs that cannot produce an offer
    /// without computing their powers.
    fn kernel_offers(&mut self, rec: &mut EumRound) {
        let n = self.n;
        let m = self.uniq.len();
        let capitulate = self.settings.capitulates();
        let r = &rec.r;
        let k = &mut self.k;
        for i in 0..n {
            let xi = self.x[i];
            let (a, g) = (self.idx[i], k.gid[i]);
            let si = self.s[i];
            let tmax = k.tmax[g] + 1e-9;
            let mut best: Option<(u8, f64, usize, f64, f64, f64)> = None;
            for j in 0..n {
                let b = self.idx[j];
                if b == a {
                    continue; // j == i or x_j == x_i
                }
                let (p_ij, p_ji) = (self.prob[a * m + b], self.prob[b * m + a]);
                let (alpha, beta) = (self.s[j] * (1.0 - p_ij), si * (1.0 - p_ji));
                // An offer needs E_ji > E_ij, i.e. β < α, and E_ij + E_ji > 0
                // (confrontation, compromise), i.e. (α + β)/2 < t, or E_ji > 0
                // (capitulation), i.e. β < t. Skip the pairs that clearly fail
                // (margin far above rounding).
                if beta > alpha + 1e-9 || (if capitulate { beta } else { 0.5 * (alpha + beta) }) > tmax {
                    continue;
                }
                let slot = g * m + b;
                if k.us[slot].is_nan() {
                    let (us, uf) = us_uf((xi - self.uniq[b]).abs(), self.rg, r[i]);
                    k.us[slot] = us;
                    k.uf[slot] = uf;
                }
                let (us, uf, usq) = (k.us[slot], k.uf[slot], k.usq[g]);
                let xj = self.x[j];
                let eij = eu_core(self.s[j], p_ij, us, uf, 1.0, usq);
                let eji = eu_core(si, p_ji, us, uf, 1.0, usq);
                let offer = if eji > eij && eij > 0.0 {
                    Some((0u8, xj))
                } else if eji > 0.0 && 0.0 > eij && eji > eij.abs() {
                    Some((1, xi + (xj - xi) * (eij / eji).abs()))
                } else if capitulate && eji > 0.0 && 0.0 > eij && eij.abs() > eji {
                    Some((2, xj))
                } else {
                    None
                };
                let Some((class, to)) = offer else { continue };
                let key = if class == 1 {
                    (eij.abs() * xi + eji.abs() * xj) / (eij.abs() + eji.abs())
                } else {
                    (xi - to).abs()
                };
                let better = match best {
                    None => true,
                    Some((bc, bk, ..)) => class < bc || (class == bc && key < bk),
                };
                if better {
                    best = Some((class, key, j, eij, eji, to));
                }
            }
            if let Some((class, _, j, eij, eji, to)) = best {
                let kind = match class {
                    0 => MoveKind::Confrontation,
                    1 => MoveKind::Compromise,
                    _ => MoveKind::Capitulation,
                };
                rec.moves.push(EumMove {
                    actor: i,
                    kind,
                    partner: j,
                    e_mover: eij,
                    e_partner: eji,
                    from: xi,
                    to,
                });
            }
        }
    }

    /// Fills `prob` for voters with exponents `rho` (replication: §3.2;
    /// paper: eqs. 30–31, linear voters, `rho` ignored). Returns the
    /// all-pairs denominator (replication) or 0 (paper).
    fn probabilities(&mut self, rho: &[f64]) -> f64 {
        let m = self.uniq.len();
        let n = self.n;
        self.prob.clear();
        self.prob.resize(m * m, 0.0);
        match self.settings.profile {
            EumProfile::Replication => {
                self.dmat.clear();
                self.dmat.resize(n * m, 0.0);
                for k in 0..n {
                    let xk = self.x[k];
                    let row = &mut self.dmat[k * m..(k + 1) * m];
                    for (a, v) in row.iter_mut().enumerate() {
                        *v = pw((xk - self.uniq[a]).abs() / self.rg, rho[k]);
                    }
                }
                let den = if self.settings.exact {
                    self.den_exact()
                } else {
                    self.den_fast()
                };
                // Numerators Σ_k max(0, pref_k(a, b)), k ascending for every
                // pair (the same order as the specification).
                for k in 0..n {
                    let wk = self.w[k];
                    if wk == 0.0 {
                        continue; // adds exact zeros only
                    }
                    let row = &self.dmat[k * m..(k + 1) * m];
                    for a in 0..m {
                        let da = row[a];
                        let out = &mut self.prob[a * m..(a + 1) * m];
                        for (o, &db) in out.iter_mut().zip(row) {
                            let v = wk * (db - da);
                            if v > 0.0 {
                                *o += v;
                            }
                        }
                    }
                }
                for a in 0..m {
                    for b in 0..m {
                        let v = &mut self.prob[a * m + b];
                        *v = if a == b || den == 0.0 { 0.0 } else { *v / den };
                    }
                }
                den
            }
            EumProfile::Paper => {
                // eqs. 30–31: P^i = Σ_{k prefers i} w_k (|x_k − x_j| − |x_k − x_i|) / Σ_k w_k ||x_k − x_j| − |x_k − x_i||.
                for a in 0..m {
                    for b in 0..m {
                        if a == b {
                            continue;
                        }
                        let (ua, ub) = (self.uniq[a], self.uniq[b]);
                        let mut num = 0.0;
                        let mut den = 0.0;
                        for k in 0..n {
                            let v = (self.x[k] - ub).abs() - (self.x[k] - ua).abs();
                            if v > 0.0 {
                                num += self.w[k] * v;
                            }
                            den += self.w[k] * v.abs();
                        }
                        // Nobody cares (all weights zero): a fair coin.
                        self.prob[a * m + b] = if den > 0.0 { num / den } else { 0.5 };
                    }
                }
                0.0
            }
        }
    }

    /// §3.2 denominator in the specification's order: `k ⊃ a ⊃ b` over all
    /// actors, accumulated from 0.
    fn den_exact(&self) -> f64 {
        let m = self.uniq.len();
        let mut den = 0.0;
        for k in 0..self.n {
            let row = &self.dmat[k * m..(k + 1) * m];
            let wk = self.w[k];
            for a in 0..self.n {
                let da = row[self.idx[a]];
                for b in 0..self.n {
                    den += (wk * (row[self.idx[b]] - da)).abs();
                }
            }
        }
        den
    }

    /// §3.2 denominator, reordered: `Σ_k w_k Σ_{a,b} |D_k(a) − D_k(b)|`, the
    /// inner double sum from the values sorted by distance to `x_k`
    /// (`2 Σ_t v_t n_t (N_before − N_after)`, multiplicities `n_t`).
    fn den_fast(&mut self) -> f64 {
        let m = self.uniq.len();
        let n = self.n as f64;
        let mut den = 0.0;
        for k in 0..self.n {
            let wk = self.w[k];
            if wk == 0.0 {
                continue;
            }
            // Distances to x_k grow outward from x_k's own index: merge.
            let p = self.idx[k];
            let xk = self.x[k];
            self.order.clear();
            self.order.push(p);
            let (mut l, mut r) = (p, p + 1);
            while l > 0 || r < m {
                let take_left = if l == 0 {
                    false
                } else if r == m {
                    true
                } else {
                    (xk - self.uniq[l - 1]).abs() <= (self.uniq[r] - xk).abs()
                };
                if take_left {
                    l -= 1;
                    self.order.push(l);
                } else {
                    self.order.push(r);
                    r += 1;
                }
            }
            let row = &self.dmat[k * m..(k + 1) * m];
            let mut before = 0.0;
            let mut acc = 0.0;
            for &a in &self.order {
                let cnt = self.count[a];
                let after = n - before - cnt;
                acc += row[a] * cnt * (before - after);
                before += cnt;
            }
            den += wk * (2.0 * acc);
        }
        den
    }

    /// First-pass security levels `Sec_i = Σ_{j≠i} E(j → i)` with all r = 1
    /// (spec §3.4 step 2; paper appendix step 8).
    fn security(&self, sec: &mut [f64], mu: f64) {
        let q = self.settings.q;
        let m = self.uniq.len();
        for i in 0..self.n {
            let mut acc = 0.0;
            for j in 0..self.n {
                if j == i {
                    continue;
                }
                let d = (self.x[j] - self.x[i]).abs();
                let p = self.prob[self.idx[j] * m + self.idx[i]];
                let (us, uf) = us_uf(d, self.rg, 1.0);
                let mut e = eu_core(self.s[i], p, us, uf, q, u_sq(1.0));
                if q < 1.0 {
                    e -= Drift {
                        d_mu: (self.x[j] - mu).abs(),
                        d,
                    }
                    .term(q, self.rg, 1.0, self.settings.t_rule);
                }
                acc += e;
            }
            sec[i] = acc;
        }
    }

    /// Prepares the second-pass utilities: `Usq` per viewer (eq. 24) now,
    /// `Us`, `Uf` per viewer and distinct position lazily (see [`Self::us_uf_at`]).
    fn utilities(&mut self, r: &[f64]) {
        let m = self.uniq.len();
        self.us.clear();
        self.us.resize(self.n * m, f64::NAN);
        self.uf.clear();
        self.uf.resize(self.n * m, f64::NAN);
        self.usq.clear();
        self.usq.extend(r.iter().map(|&rh| u_sq(rh)));
    }

    /// `Us`, `Uf` (eqs. 15, 16) for viewer h at distance `|x_h − uniq_a|`
    /// with h's exponent, computed on first use (NaN marks "not yet").
    fn us_uf_at(&mut self, h: usize, a: usize, rh: f64) -> (f64, f64) {
        let slot = h * self.uniq.len() + a;
        if self.us[slot].is_nan() {
            let (us, uf) = us_uf((self.x[h] - self.uniq[a]).abs(), self.rg, rh);
            self.us[slot] = us;
            self.uf[slot] = uf;
        }
        (self.us[slot], self.uf[slot])
    }

    /// Expected utility of challenger `a` against target `b` seen by viewer
    /// `h ∈ {a, b}` with exponent `rh` (eq. 25a; spec §3.3).
    fn eu(&mut self, h: usize, rh: f64, a: usize, b: usize, mu: f64) -> f64 {
        let m = self.uniq.len();
        let q = self.settings.q;
        // The distance |x_a − x_b| equals |x_h − x_other| for h ∈ {a, b}.
        let other = if h == a { b } else { a };
        let (us, uf) = self.us_uf_at(h, self.idx[other], rh);
        let p = self.prob[self.idx[a] * m + self.idx[b]];
        let mut e = eu_core(self.s[b], p, us, uf, q, self.usq[h]);
        if q < 1.0 {
            let d = (self.x[a] - self.x[b]).abs();
            e -= Drift {
                d_mu: (self.x[a] - mu).abs(),
                d,
            }
            .term(q, self.rg, rh, self.settings.t_rule);
        }
        e
    }

    /// Offers and the chosen move of every actor (replication: §3.5;
    /// paper: §4.6–4.7).
    fn offers(&mut self, r: &[f64], mu: f64) -> Vec<EumMove> {
        let n = self.n;
        let paper = self.settings.profile == EumProfile::Paper;
        let capitulate = self.settings.capitulates();
        let mut details = self.details.take();
        if let Some(d) = details.as_mut() {
            let m = self.uniq.len();
            d.p = (0..n)
                .map(|i| {
                    (0..n)
                        .map(|j| {
                            if i == j {
                                0.0
                            } else {
                                self.prob[self.idx[i] * m + self.idx[j]]
                            }
                        })
                        .collect()
                })
                .collect();
            d.e_ij = vec![vec![0.0; n]; n];
            d.e_ji = vec![vec![0.0; n]; n];
        }
        // Fast path only: pairs that cannot produce an offer are skipped
        // early (the decisions are unchanged: see the comment below).
        let prune = !paper && !self.settings.exact && self.settings.q == 1.0 && details.is_none();
        let mut moves = Vec::new();
        for i in 0..n {
            let xi = self.x[i];
            // (class rank, key, partner, e_ij, e_ji, new position)
            let mut best: Option<(u8, f64, usize, f64, f64, f64)> = None;
            for j in 0..n {
                let xj = self.x[j];
                if j == i || xj == xi {
                    continue;
                }
                if prune {
                    // With Q = 1 and one viewer, E_ji − E_ij = (Us − Uf)·(s_j(1 − P_ij) − s_i(1 − P_ji))
                    // with Us > Uf: no offer unless s_i(1 − P_ji) < s_j(1 − P_ij). Skip the pairs that
                    // clearly fail (margin far above rounding) without computing their powers.
                    let m = self.uniq.len();
                    let (a, b) = (self.idx[i], self.idx[j]);
                    if self.s[i] * (1.0 - self.prob[b * m + a]) > self.s[j] * (1.0 - self.prob[a * m + b]) + 1e-9 {
                        continue;
                    }
                }
                let eij = self.eu(i, r[i], i, j, mu);
                // Replication: j's challenge as i sees it (i's r, A3).
                // Paper: as j sees it (eq. 25b, j's r).
                let eji = if paper {
                    self.eu(j, r[j], j, i, mu)
                } else {
                    self.eu(i, r[i], j, i, mu)
                };
                if let Some(d) = details.as_mut() {
                    d.e_ij[i][j] = eij;
                    d.e_ji[i][j] = eji;
                }
                let offer = if paper {
                    // Fig. 6 from i's side: the regions where i moves.
                    match octant(eij, eji) {
                        Octant::ConfrontationLoss => Some((0u8, xj)),
                        Octant::CompromiseLowerHand => Some((1, xi + (xj - xi) * (eij / eji).abs())),
                        Octant::CompelLoss if capitulate => Some((2, xj)),
                        _ => None,
                    }
                } else if eji > eij && eij > 0.0 {
                    // Confrontation: i expects to lose and gives in fully.
                    Some((0u8, xj))
                } else if eji > 0.0 && 0.0 > eij && eji > eij.abs() {
                    // Compromise (eq. 36): i concedes |E_ij / E_ji| of the way.
                    Some((1, xi + (xj - xi) * (eij / eji).abs()))
                } else if capitulate && eji > 0.0 && 0.0 > eij && eij.abs() > eji {
                    // Compel / capitulation (Fig. 6), off in the replicating program.
                    Some((2, xj))
                } else {
                    None
                };
                let Some((class, to)) = offer else { continue };
                let key = if class == 1 && !paper {
                    // Scholz's weighted position K (spec §3.5, A6).
                    (eij.abs() * xi + eji.abs() * xj) / (eij.abs() + eji.abs())
                } else {
                    (xi - to).abs()
                };
                let better = match best {
                    None => true,
                    Some((bc, bk, ..)) => class < bc || (class == bc && key < bk),
                };
                if better {
                    best = Some((class, key, j, eij, eji, to));
                }
            }
            if let Some((class, _, j, eij, eji, to)) = best {
                let kind = match class {
                    0 => MoveKind::Confrontation,
                    1 => MoveKind::Compromise,
                    _ => MoveKind::Capitulation,
                };
                moves.push(EumMove {
                    actor: i,
                    kind,
                    partner: j,
                    e_mover: eij,
                    e_partner: eji,
                    from: xi,
                    to,
                });
            }
        }
        self.details = details;
        moves
    }
}

impl Kernel {
    /// Replication probabilities (§3.2) from the groups' rows: `prob[a*m + b]
    /// = Σ_g max(0, W_g (rows_g(b) − rows_g(a))) / Den` with the all-pairs
    /// denominator `Den = Σ_g W_g Σ_{a,b} n_a n_b |rows_g(a) − rows_g(b)|`
    /// (from the merge orders, as [`Model::den_fast`]). Each unordered pair
    /// is summed once: the vote `v` of a group for `a` over `b` is `−v` for
    /// `b` over `a` (exactly). The sums over groups run in four lanes.
    fn probabilities(&mut self, count: &[f64], m: usize, prob: &mut Vec<f64>) {
        let n: f64 = count.iter().sum();
        let mut den = 0.0;
        self.live.clear();
        self.wt.clear();
        for g in 0..self.gpos.len() {
            let wg = self.gw[g];
            if wg == 0.0 {
                continue; // adds exact zeros only
            }
            self.live.push(g);
            self.wt.push(wg);
            let row = &self.rows[g * m..(g + 1) * m];
            let p = self.gpos[g];
            let mut before = 0.0;
            let mut acc = 0.0;
            for &a in &self.ord[p * m..(p + 1) * m] {
                let cnt = count[a];
                let after = n - before - cnt;
                acc += row[a] * cnt * (before - after);
                before += cnt;
            }
            den += wg * (2.0 * acc);
        }
        prob.clear();
        prob.resize(m * m, 0.0);
        if den == 0.0 {
            return;
        }
        // Transpose the rows of the groups that vote.
        let gp = self.live.len().div_ceil(4) * 4;
        self.cols.clear();
        self.cols.resize(m * gp, 0.0);
        for (l, &g) in self.live.iter().enumerate() {
            for a in 0..m {
                self.cols[a * gp + l] = self.rows[g * m + a];
            }
        }
        self.wt.resize(gp, 0.0);
        let wt = &self.wt[..gp];
        for a in 0..m {
            let ca = &self.cols[a * gp..(a + 1) * gp];
            for b in a + 1..m {
                let cb = &self.cols[b * gp..(b + 1) * gp];
                let mut pos = [0.0f64; 4];
                let mut neg = [0.0f64; 4];
                for ((w4, a4), b4) in wt.chunks_exact(4).zip(ca.chunks_exact(4)).zip(cb.chunks_exact(4)) {
                    for l in 0..4 {
                        let v = w4[l] * (b4[l] - a4[l]);
                        pos[l] += if v > 0.0 { v } else { 0.0 };
                        neg[l] += if v < 0.0 { -v } else { 0.0 };
                    }
                }
                prob[a * m + b] = ((pos[0] + pos[1]) + (pos[2] + pos[3])) / den;
                prob[b * m + a] = ((neg[0] + neg[1]) + (neg[2] + neg[3])) / den;
            }
        }
    }
}

fn min_max(v: &[f64]) -> (f64, f64) {
    v.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
        (lo.min(x), hi.max(x))
    })
}
