//! The SMP dynamics: per-state evaluation (spec §5), challenges (§6–7),
//! bargains (§8), next state (§9) and the stopping rule (§10).
//!
//! Data are flat row-major `Vec<f64>`s; `n` actors, `dims` dimensions;
//! positions and ideals on KTAB's internal 0–1 scale.
//!
//! Parallelism: every parallel loop computes independent values, each by one
//! sequential code path, and collects them in index order; no reduction is
//! split across threads, so results do not depend on the thread count.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::pce::{PceScratch, scalar_pce, vote};
use super::settings::*;
use super::{BargainTrace, ChallengeTrace, StateTrace};
use crate::EngineError;

/// Risk-adjusted utility of a (salience-weighted) distance `d` (spec §3;
/// KTAB `SMPModel::bsUtil`).
#[inline(always)]
pub(crate) fn bs_util(d: f64, r: f64) -> f64 {
    if d <= 1.0 {
        (1.0 - d) * (1.0 + d * r)
    } else {
        (1.0 - d) * (1.0 + r)
    }
}

/// h's estimate of i's risk attitude (spec §5.2; KTAB `Model::estNRA`).
#[inline]
fn est_nra(ra: BigRAdjust, rh: f64, ri: f64) -> f64 {
    match ra {
        BigRAdjust::Full => ri,
        BigRAdjust::TwoThirds => (rh + (2.0 * ri)) / 3.0,
        BigRAdjust::Half => (rh + ri) / 2.0,
        BigRAdjust::OneThird => ((2.0 * rh) + ri) / 3.0,
        BigRAdjust::No => rh,
    }
}

/// `round4(v) = trunc(0.5 + v·10⁴) / 10⁴` (spec §8.1). Also returns the
/// value on the 0–100 scale computed from the same integer, so that reported
/// positions are the nearest doubles to their two-decimal values.
#[inline]
fn round4(v: f64) -> (f64, f64) {
    let y = (0.5 + v * 10000.0) as i32 as f64;
    (y / 10000.0, y / 100.0)
}

/// Euclidean norm of `a − b` (KTAB `KBase::norm` of a difference).
#[inline]
fn norm_diff(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for k in 0..a.len() {
        let x = a[k] - b[k];
        s += x * x;
    }
    s.sqrt()
}

/// The actors' fixed attributes.
pub(crate) struct Actors<'s> {
    pub n: usize,
    pub dims: usize,
    pub cap: Vec<f64>,
    /// `sal[i * dims + k]`, on `[0, 1]`.
    pub sal: Vec<f64>,
    /// `Σ_k s_ik²`, summed in k order (spec §3).
    pub sal_den: Vec<f64>,
    /// `S_i = Σ_k s_ik`.
    pub sal_tot: Vec<f64>,
    /// `S_i · c_i`, the weight of an actor in a challenge (spec §6).
    pub wgt: Vec<f64>,
    pub settings: &'s SmpSettings,
}

/// Everything derived from one state that the next step needs (spec §5).
pub(crate) struct Eval {
    /// `d[i * n + j] = dist_i(x_j)` (ideal of i against position of j).
    pub d: Vec<f64>,
    /// Transpose of `d`.
    pub dt: Vec<f64>,
    /// Inferred risk attitudes.
    pub r: Vec<f64>,
    /// `rr[h * n + i] = r^h_i`.
    pub rr: Vec<f64>,
    /// `own[a * n + m] = U^a[a][m]`.
    pub own: Vec<f64>,
    /// Winning probability of each actor's position (spec §11.2).
    pub prob: Vec<f64>,
}

/// One queued bargain (spec §8). A status-quo bargain has
/// `init == rcvr` and proposes the current position.
#[derive(Clone)]
struct Bargain {
    init: usize,
    rcvr: usize,
    value: f64,
    xi: Vec<f64>,
    xj: Vec<f64>,
    di: Vec<f64>,
    dj: Vec<f64>,
}

/// The best challenge of one initiator (spec §7).
struct Choice {
    target: Option<(usize, f64, f64)>,
    all: Vec<ChallengeTrace>,
}

/// Result of one step.
pub(crate) struct StepOut {
    pub x: Vec<f64>,
    pub disp: Vec<f64>,
    pub targets: Vec<Option<usize>>,
}

impl<'s> Actors<'s> {
    /// Salience-weighted distance of `z` from ideal `y` for actor `i`
    /// (spec §3; KTAB `SMPModel::bvDiff`).
    #[inline]
    pub fn dist(&self, i: usize, y: &[f64], z: &[f64]) -> f64 {
        let s = &self.sal[i * self.dims..(i + 1) * self.dims];
        let mut num = 0.0;
        for k in 0..self.dims {
            let ds = (y[k] - z[k]) * s[k];
            num += ds * ds;
        }
        (num / self.sal_den[i]).sqrt()
    }

    /// Per-state evaluation (spec §5, §11.2).
    pub fn evaluate(&self, x: &[f64], y: &[f64], turn: usize) -> Result<Eval, EngineError> {
        let (n, dims) = (self.n, self.dims);
        let st = self.settings;
        // distances d_ij = dist_i(x_j)
        let d: Vec<f64> = (0..n)
            .into_par_iter()
            .flat_map_iter(|i| {
                let yi = &y[i * dims..(i + 1) * dims];
                (0..n).map(move |j| self.dist(i, yi, &x[j * dims..(j + 1) * dims]))
            })
            .collect();
        let mut dt = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                dt[j * n + i] = d[i * n + j];
            }
        }
        // §5.1: risk-neutral election over all N positions (duplicates included)
        let mut ut = vec![0.0; n * n];
        for j in 0..n {
            for k in 0..n {
                ut[j * n + k] = bs_util(d[k * n + j], 0.0);
            }
        }
        let mut scratch = PceScratch::default();
        let mut p = Vec::with_capacity(n);
        scalar_pce(
            st.voting_rule,
            st.victory_prob_model,
            st.pce_model,
            &self.cap,
            &ut,
            n,
            &mut scratch,
            &mut p,
        )?;
        let mut pmin = 1.0;
        let mut pmax = 0.0;
        for &pi in &p {
            pmin = if pi < pmin { pi } else { pmin };
            pmax = if pi > pmax { pi } else { pmax };
        }
        if pmax <= pmin || p.iter().any(|v| !v.is_finite()) {
            return Err(EngineError::Degenerate(format!(
                "state {turn}: every position is equally likely to win (pmax = pmin = {pmax}), \
                 so risk attitudes cannot be inferred; typically all actors stand at one point"
            )));
        }
        let r: Vec<f64> = p
            .iter()
            .map(|&pi| match st.big_r_range {
                BigRRange::Min => (pi - pmin) / (pmax - pmin),
                BigRRange::Mid => (3.0 * pi - (pmax + 2.0 * pmin)) / (2.0 * (pmax - pmin)),
                BigRRange::Max => (2.0 * pi - (pmax + pmin)) / (pmax - pmin),
            })
            .collect();
        // KTAB's sanity check: risk attitudes must change some utility (§5.2)
        let mut ss = 0.0;
        for i in 0..n {
            for j in 0..n {
                let dv = bs_util(d[i * n + j], 0.0) - bs_util(d[i * n + j], r[i]);
                ss += dv * dv;
            }
        }
        if ss.sqrt() <= 1e-6 {
            return Err(EngineError::Degenerate(format!(
                "state {turn}: risk attitudes change no utility (every distance is 0 or 1); \
                 KTAB aborts on this input"
            )));
        }
        // §5.2: r^h_i and each actor's own utilities U^a[a][m]
        let mut rr = vec![0.0; n * n];
        for h in 0..n {
            for i in 0..n {
                rr[h * n + i] = est_nra(st.big_r_adjust, r[h], r[i]);
            }
        }
        let mut own = vec![0.0; n * n];
        for a in 0..n {
            let raa = rr[a * n + a];
            for m in 0..n {
                own[a * n + m] = bs_util(d[a * n + m], raa);
            }
        }
        let prob = self.winning_probabilities(x, &own, &mut scratch)?;
        Ok(Eval {
            d,
            dt,
            r,
            rr,
            own,
            prob,
        })
    }

    /// "Actors' winning probabilities" (spec §11.2; KTAB `SMPState::pDist(-1)`
    /// and `State::posProb`): a Proportional election among unique positions.
    fn winning_probabilities(&self, x: &[f64], own: &[f64], scratch: &mut PceScratch) -> Result<Vec<f64>, EngineError> {
        const POS_TOL: f64 = 1e-3;
        let (n, dims) = (self.n, self.dims);
        let pos = |i: usize| &x[i * dims..(i + 1) * dims];
        let mut reps: Vec<usize> = Vec::new();
        for i in 0..n {
            if !reps.iter().any(|&u| norm_diff(pos(i), pos(u)) < POS_TOL) {
                reps.push(i);
            }
        }
        let g = reps.len();
        let mut ut = vec![0.0; g * n];
        for (gi, &rep) in reps.iter().enumerate() {
            for a in 0..n {
                ut[gi * n + a] = own[a * n + rep];
            }
        }
        let mut pg = Vec::with_capacity(g);
        let st = self.settings;
        scalar_pce(
            SmpVotingRule::Proportional,
            st.victory_prob_model,
            st.pce_model,
            &self.cap,
            &ut,
            g,
            scratch,
            &mut pg,
        )?;
        Ok((0..n)
            .map(|i| {
                let mut k = 0;
                for (gi, &rep) in reps.iter().enumerate() {
                    if norm_diff(pos(i), pos(rep)) < POS_TOL {
                        k = gi;
                    }
                }
                pg[k]
            })
            .collect())
    }

    /// h's estimate of (P[i beats j], expected change of k's utility) when i
    /// challenges j (spec §6; KTAB `SMPState::probEduChlg`). `rrh` is row h of
    /// `r^h`, `col_i[a] = U^h[a][i]`, `diag[a] = U^h[a][a]`.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn prob_edu(
        &self,
        ev: &Eval,
        rrh: &[f64],
        col_i: &[f64],
        diag: &[f64],
        k: usize,
        i: usize,
        j: usize,
    ) -> (f64, f64) {
        let n = self.n;
        let st = self.settings;
        let vr = st.voting_rule;
        let dtj = &ev.dt[j * n..(j + 1) * n];
        let u_j = |a: usize| bs_util(dtj[a], rrh[a]); // U^h[a][j]
        let uii = col_i[i];
        let uij = u_j(i);
        let uji = col_i[j];
        let ujj = diag[j];
        let uki = col_i[k];
        let ukj = u_j(k);
        let eu_sq = uki + ukj;
        let u_vict = uki + uki;
        let u_loss = ukj + ukj;

        // the principals' own contributions
        let ci = vote(vr, self.sal_tot[i] * self.cap[i], uii, uij);
        let cj = vote(vr, self.sal_tot[j] * self.cap[j], uji, ujj);
        let mut a = 1e-10;
        let mut b = 1e-10;
        if ci > 0.0 {
            a += ci;
        }
        if ci < 0.0 {
            b -= ci;
        }
        if cj > 0.0 {
            a += cj;
        }
        if cj < 0.0 {
            b -= cj;
        }
        let (a0, b0) = (a, b);

        // third parties, each reading the small contest (i:j) with itself
        // added; the loop skips i and j by running over the ranges around them
        let (lo, hi) = if i < j { (i, j) } else { (j, i) };
        let args = TpArgs {
            wgt: &self.wgt,
            col_i,
            dtj,
            rrh,
            diag,
            a0,
            b0,
        };
        for (from, to) in [(0, lo), (lo + 1, hi), (hi + 1, n)] {
            let (da, db) = third_parties(vr, st.third_party_commit, &args, from, to, a, b);
            a = da;
            b = db;
        }
        let p = a / (a + b);
        let pj = b / (a + b);
        let sj = self.sal_tot[j];
        let eu_contest = p * u_vict + pj * u_loss;
        let eu_chlg = (1.0 - sj) * u_vict + sj * eu_contest;
        (p, eu_chlg - eu_sq)
    }

    /// `(rrh, col_i, diag)` of perspective h for contests initiated by i.
    fn perspective(&self, ev: &Eval, h: usize, i: usize) -> (Vec<f64>, Vec<f64>) {
        let n = self.n;
        let rrh = &ev.rr[h * n..(h + 1) * n];
        let dti = &ev.dt[i * n..(i + 1) * n];
        let col_i = (0..n).map(|a| bs_util(dti[a], rrh[a])).collect();
        let diag = (0..n).map(|a| bs_util(ev.d[a * n + a], rrh[a])).collect();
        (col_i, diag)
    }

    /// `probEduChlg(h, k, i, j)` for any perspective (used by the target's
    /// view of a bargain and by traces).
    pub(crate) fn prob_edu_general(&self, ev: &Eval, h: usize, k: usize, i: usize, j: usize) -> (f64, f64) {
        let (col_i, diag) = self.perspective(ev, h, i);
        let rrh = &ev.rr[h * self.n..(h + 1) * self.n];
        self.prob_edu(ev, rrh, &col_i, &diag, k, i, j)
    }

    /// Target choice of initiator i (spec §7).
    fn best_challenge(&self, ev: &Eval, i: usize, trace: bool) -> Choice {
        let n = self.n;
        let (col_i, diag) = self.perspective(ev, i, i);
        let rrh = &ev.rr[i * n..(i + 1) * n];
        let mut best = -1.0;
        let mut target = None;
        let mut all = Vec::new();
        for j in 0..n {
            if j == i {
                continue;
            }
            let (p, e) = self.prob_edu(ev, rrh, &col_i, &diag, i, i, j);
            if trace {
                all.push(ChallengeTrace {
                    initiator: i,
                    target: j,
                    probability: p,
                    value: e,
                });
            }
            if 1e-5 < e && best < e {
                best = e;
                target = Some((j, p, e));
            }
        }
        Choice { target, all }
    }

    /// Interpolated bargain between i and j from a perspective that gives i
    /// the probability `pi` and j the probability `pj` (spec §8.1; KTAB
    /// `SMPActor::interpolateBrgn`).
    #[allow(clippy::type_complexity)]
    fn interpolate(&self, i: usize, j: usize, x: &[f64], pi: f64, pj: f64) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
        let dims = self.dims;
        let (mut bi, mut bj) = (vec![0.0; dims], vec![0.0; dims]);
        let (mut di, mut dj) = (vec![0.0; dims], vec![0.0; dims]);
        const MIN_W: f64 = 1e-6;
        for k in 0..dims {
            let tik = x[i * dims + k];
            let sik = self.sal[i * dims + k];
            let tjk = x[j * dims + k];
            let sjk = self.sal[j * dims + k];
            match self.settings.inter_vec_brgn {
                InterVecBrgn::S1P1 | InterVecBrgn::S2P2 => {
                    let (wik, wjk) = if self.settings.inter_vec_brgn == InterVecBrgn::S1P1 {
                        (sik * pi, sjk * pj)
                    } else {
                        ((sik * sik) * (pi * pi), (sjk * sjk) * (pj * pj))
                    };
                    let den = wik + MIN_W + wjk;
                    let (a, da) = round4(((wik + MIN_W) * tik + wjk * tjk) / den);
                    let (b, db) = round4((wik * tik + (MIN_W + wjk) * tjk) / den);
                    (bi[k], di[k], bj[k], dj[k]) = (a, da, b, db);
                }
                InterVecBrgn::S2PMax => {
                    let dpi = if pj > pi { pj - pi } else { 0.0 };
                    let dpj = if pi > pj { pi - pj } else { 0.0 };
                    let sik2 = sik * sik;
                    let sjk2 = sjk * sjk;
                    let dik = (dpi * sjk2) / ((dpi * sjk2) + MIN_W + ((1.0 - dpi) * sik2));
                    let djk = (dpj * sik2) / ((dpj * sik2) + MIN_W + ((1.0 - dpj) * sjk2));
                    bi[k] = tik + dik * (tjk - tik);
                    bj[k] = tjk + djk * (tik - tjk);
                    di[k] = bi[k] * 100.0;
                    dj[k] = bj[k] * 100.0;
                }
            }
        }
        (bi, bj, di, dj)
    }

    /// The bargains a challenge i → j puts into the queues (spec §8.1, §16).
    fn bargains_for(&self, ev: &Eval, x: &[f64], i: usize, j: usize, p: f64, value: f64) -> Vec<Bargain> {
        let mk = |(xi, xj, di, dj): (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>)| Bargain {
            init: i,
            rcvr: j,
            value,
            xi,
            xj,
            di,
            dj,
        };
        let iij = mk(self.interpolate(i, j, x, p, 1.0 - p));
        if self.settings.bargain_model == BargainModel::InitOnlyInterp {
            return vec![iij];
        }
        // KTAB interpolates the target's view with j's estimate of i's
        // expected utility change in place of a probability (spec §16).
        let (_, edu) = self.prob_edu_general(ev, j, i, i, j);
        let jij = mk(self.interpolate(i, j, x, edu, 1.0 - edu));
        match self.settings.bargain_model {
            BargainModel::InitRcvrInterp => vec![iij, jij],
            _ => {
                // KTAB weighs j's side with i's capability (spec §16)
                let wi = self.cap[i] * self.sal_tot[i];
                let wj = self.cap[i] * self.sal_tot[j];
                let comb = |a: &[f64], b: &[f64]| -> Vec<f64> {
                    a.iter().zip(b).map(|(&u, &v)| (wi * u + wj * v) / (wi + wj)).collect()
                };
                let xi = comb(&iij.xi, &jij.xi);
                let xj = comb(&iij.xj, &jij.xj);
                let di = xi.iter().map(|v| v * 100.0).collect();
                let dj = xj.iter().map(|v| v * 100.0).collect();
                vec![Bargain {
                    init: i,
                    rcvr: j,
                    value,
                    xi,
                    xj,
                    di,
                    dj,
                }]
            }
        }
    }

    /// Values to every actor of the state a bargain would produce, each an
    /// even average over the N positions (spec §8.3): the two proposals
    /// first, then the unchanged positions in index order, then `/ N`.
    /// Four actors are summed side by side (independent chains, each in
    /// KTAB's order) to hide the latency of the additions.
    #[allow(clippy::needless_range_loop)]
    fn bargain_values(&self, ev: &Eval, y: &[f64], b: &Bargain) -> Vec<f64> {
        let (n, dims) = (self.n, self.dims);
        let start = |a: usize| -> f64 {
            let ya = &y[a * dims..(a + 1) * dims];
            let ra = ev.r[a];
            let mut u = 0.0;
            u += bs_util(self.dist(a, ya, &b.xi), ra);
            u += bs_util(self.dist(a, ya, &b.xj), ra);
            u
        };
        let (lo, hi) = if b.init < b.rcvr {
            (b.init, b.rcvr)
        } else {
            (b.rcvr, b.init)
        };
        let ranges = [(0, lo), (lo + 1, hi), (hi + 1, n)];
        let mut out = vec![0.0; n];
        let mut a = 0;
        while a + 4 <= n {
            let rows: [&[f64]; 4] = std::array::from_fn(|q| &ev.own[(a + q) * n..(a + q + 1) * n]);
            let mut u: [f64; 4] = std::array::from_fn(|q| start(a + q));
            for &(from, to) in &ranges {
                for m in from..to {
                    u[0] += rows[0][m];
                    u[1] += rows[1][m];
                    u[2] += rows[2][m];
                    u[3] += rows[3][m];
                }
            }
            for q in 0..4 {
                out[a + q] = u[q] / n as f64;
            }
            a += 4;
        }
        for a in a..n {
            let row = &ev.own[a * n..(a + 1) * n];
            let mut u = start(a);
            for &(from, to) in &ranges {
                for &v in &row[from..to] {
                    u += v;
                }
            }
            out[a] = u / n as f64;
        }
        out
    }

    /// One iteration: challenges, bargains, queue elections, new positions.
    pub fn step(
        &self,
        ev: &Eval,
        x: &[f64],
        disp: &[f64],
        y: &[f64],
        rng: &mut ChaCha8Rng,
        trace: Option<&mut StateTrace>,
    ) -> Result<StepOut, EngineError> {
        let (n, dims) = (self.n, self.dims);
        let st = self.settings;
        let tracing = trace.is_some();

        // §7: each initiator's best target
        let choices: Vec<Choice> = (0..n)
            .into_par_iter()
            .map(|i| self.best_challenge(ev, i, tracing))
            .collect();

        // §8.1: bargains of each challenge
        let challenge_bargains: Vec<Vec<Bargain>> = (0..n)
            .into_par_iter()
            .map(|i| match choices[i].target {
                Some((j, p, e)) => self.bargains_for(ev, x, i, j, p, e),
                None => Vec::new(),
            })
            .collect();

        // §8.2: canonical queues (sequential order i = 0..N-1)
        let mut bargains: Vec<Bargain> = Vec::new();
        let mut queues: Vec<Vec<usize>> = vec![Vec::new(); n];
        for i in 0..n {
            let xi = x[i * dims..(i + 1) * dims].to_vec();
            let di = disp[i * dims..(i + 1) * dims].to_vec();
            queues[i].push(bargains.len());
            bargains.push(Bargain {
                init: i,
                rcvr: i,
                value: 0.0,
                xi: xi.clone(),
                xj: xi,
                di: di.clone(),
                dj: di,
            });
            if let Some((j, _, _)) = choices[i].target {
                let first = bargains.len();
                let cnt = challenge_bargains[i].len();
                bargains.extend(challenge_bargains[i].iter().cloned());
                queues[i].extend(first..first + cnt);
                queues[j].extend(first..first + cnt);
            }
        }

        // §8.3: values of every bargain to every actor
        let sq_value: Vec<f64> = (0..n)
            .map(|a| {
                let mut u = 0.0;
                for &v in &ev.own[a * n..(a + 1) * n] {
                    u += v;
                }
                u / n as f64
            })
            .collect();
        let values: Vec<Option<Vec<f64>>> = bargains
            .par_iter()
            .map(|b| {
                if b.init == b.rcvr {
                    None
                } else {
                    Some(self.bargain_values(ev, y, b))
                }
            })
            .collect();

        // §8.3: one election per queue
        let probs: Vec<Vec<f64>> = queues
            .par_iter()
            .map_init(PceScratch::default, |scratch, q| {
                let m = q.len();
                let mut ut = vec![0.0; m * n];
                for (mi, &b) in q.iter().enumerate() {
                    let col = values[b].as_deref().unwrap_or(&sq_value);
                    ut[mi * n..(mi + 1) * n].copy_from_slice(col);
                }
                let mut p = Vec::with_capacity(m);
                scalar_pce(
                    st.voting_rule,
                    st.victory_prob_model,
                    st.pce_model,
                    &self.cap,
                    &ut,
                    m,
                    scratch,
                    &mut p,
                )
                .map(|_| p)
            })
            .collect::<Result<_, _>>()?;

        let mut chosen = Vec::with_capacity(n);
        for p in &probs {
            let m = match st.state_transitions {
                StateTransitions::Deterministic => {
                    // first maximum (KTAB `ndxMaxAbs`)
                    let mut best = -1.0;
                    let mut idx = 0;
                    for (mi, &v) in p.iter().enumerate() {
                        if best < v.abs() {
                            best = v.abs();
                            idx = mi;
                        }
                    }
                    idx
                }
                StateTransitions::Stochastic => {
                    // KTAB `PRNG::probSel`, with a ChaCha8 draw on [0, 1]
                    let u = (rng.next_u64() as f64) / (u64::MAX as f64);
                    let mut sum = 0.0;
                    let mut idx = p.len() - 1;
                    for (mi, &v) in p.iter().enumerate() {
                        sum += v;
                        if u <= sum {
                            idx = mi;
                            break;
                        }
                    }
                    idx
                }
            };
            chosen.push(m);
        }

        // new positions
        let mut nx = x.to_vec();
        let mut nd = disp.to_vec();
        for k in 0..n {
            let b = &bargains[queues[k][chosen[k]]];
            if b.init == b.rcvr {
                continue;
            }
            let (src, dsrc) = if b.init == k { (&b.xi, &b.di) } else { (&b.xj, &b.dj) };
            nx[k * dims..(k + 1) * dims].copy_from_slice(src);
            nd[k * dims..(k + 1) * dims].copy_from_slice(dsrc);
        }

        let targets: Vec<Option<usize>> = choices.iter().map(|c| c.target.map(|t| t.0)).collect();
        if let Some(tr) = trace {
            tr.challenges = choices.into_iter().flat_map(|c| c.all).collect();
            tr.bargains = bargains
                .iter()
                .map(|b| BargainTrace {
                    initiator: b.init,
                    receiver: b.rcvr,
                    value: b.value,
                    initiator_position: b.di.clone(),
                    receiver_position: b.dj.clone(),
                })
                .collect();
            tr.queues = queues;
            tr.queue_probabilities = probs;
            tr.chosen = chosen;
        }
        Ok(StepOut {
            x: nx,
            disp: nd,
            targets,
        })
    }
}

/// `stateDist` (spec §10): sum over actors of the Euclidean movement.
pub(crate) fn state_dist(a: &[f64], b: &[f64], n: usize, dims: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..n {
        s += norm_diff(&a[i * dims..(i + 1) * dims], &b[i * dims..(i + 1) * dims]);
    }
    s
}

/// New ideals after a step (spec §9; KTAB `SMPState::newIdeals`).
pub(crate) fn new_ideals(acc: &[Vec<f64>], x: &[f64], y_old: &[f64], n: usize, dims: usize) -> Vec<f64> {
    let mut y = vec![0.0; n * dims];
    for i in 0..n {
        let mut si = 0.0;
        let yi = &mut y[i * dims..(i + 1) * dims];
        for j in 0..n {
            let aij = acc[i][j];
            si += aij;
            for k in 0..dims {
                yi[k] += aij * x[j * dims + k];
            }
        }
        let si = if 1.0 < si { 1.0 } else { si };
        let lag = 1.0 - si;
        for k in 0..dims {
            yi[k] += lag * y_old[i * dims + k];
        }
    }
    y
}

/// Inputs of the third-party loop of spec §6 for one (h, i, j).
struct TpArgs<'a> {
    wgt: &'a [f64],
    col_i: &'a [f64],
    dtj: &'a [f64],
    rrh: &'a [f64],
    diag: &'a [f64],
    a0: f64,
    b0: f64,
}

/// Adds the votes of third parties `from..to` to the coalitions `(a, b)`
/// (spec §6), dispatching once to a loop specialised for the voting rule
/// and the commitment model.
#[inline]
fn third_parties(
    vr: SmpVotingRule,
    tpc: ThirdPartyCommit,
    t: &TpArgs,
    from: usize,
    to: usize,
    a: f64,
    b: f64,
) -> (f64, f64) {
    if from >= to {
        return (a, b);
    }
    macro_rules! go {
        ($($vr:ident),*) => {
            match vr {
                $(SmpVotingRule::$vr => match tpc {
                    ThirdPartyCommit::SemiCommit => tp_loop::<{ vr_code(SmpVotingRule::$vr) }, 1>(t, from, to, a, b),
                    ThirdPartyCommit::FullCommit => tp_loop::<{ vr_code(SmpVotingRule::$vr) }, 2>(t, from, to, a, b),
                    ThirdPartyCommit::NoCommit => tp_loop::<{ vr_code(SmpVotingRule::$vr) }, 0>(t, from, to, a, b),
                },)*
            }
        };
    }
    go!(Binary, PropBin, Proportional, PropCbc, Cubic, AsymProsp)
}

const fn vr_code(vr: SmpVotingRule) -> u8 {
    match vr {
        SmpVotingRule::Binary => 0,
        SmpVotingRule::PropBin => 1,
        SmpVotingRule::Proportional => 2,
        SmpVotingRule::PropCbc => 3,
        SmpVotingRule::Cubic => 4,
        SmpVotingRule::AsymProsp => 5,
    }
}

const VR_BY_CODE: [SmpVotingRule; 6] = [
    SmpVotingRule::Binary,
    SmpVotingRule::PropBin,
    SmpVotingRule::Proportional,
    SmpVotingRule::PropCbc,
    SmpVotingRule::Cubic,
    SmpVotingRule::AsymProsp,
];

/// The specialised loop, in two passes: the third parties' votes are
/// independent of one another (they read only the frozen `A0`, `B0`), so the
/// first pass computes them branch-free into a buffer the compiler can
/// vectorise; the second adds them to the coalitions in index order, as KTAB
/// does. Adding `+0.0` where KTAB skips an addition leaves every sum
/// bit-identical (all partial sums are positive).
#[inline(always)]
fn tp_loop<const VR: u8, const TPC: u8>(t: &TpArgs, from: usize, to: usize, mut a: f64, mut b: f64) -> (f64, f64) {
    const CHUNK: usize = 64;
    let vr = VR_BY_CODE[VR as usize];
    let (a0, b0) = (t.a0, t.b0);
    let mut buf = [0.0f64; CHUNK];
    let mut start = from;
    while start < to {
        let end = (start + CHUNK).min(to);
        let len = end - start;
        let it = t.wgt[start..end]
            .iter()
            .zip(&t.col_i[start..end])
            .zip(&t.dtj[start..end])
            .zip(&t.rrh[start..end])
            .zip(&t.diag[start..end])
            .zip(buf[..len].iter_mut());
        for (((((&wn, &uni), &dnj), &rn), &unn), out) in it {
            let unj = bs_util(dnj, rn);
            let cn = vote(vr, wn, uni, unj);
            let ain = a0 + if cn > 0.0 { cn } else { 0.0 };
            let bjn = b0 - if cn < 0.0 { cn } else { 0.0 };
            let pin = ain / (ain + bjn);
            let pjn = 1.0 - pin;
            let (oa, ob, oc, od) = match TPC {
                1 => (uni + uni + unn, unj + unj + unj, uni + uni + uni, unj + unj + unn),
                2 => (uni + uni + uni, unj + unj + unj, uni + uni + uni, unj + unj + unj),
                _ => (uni + uni + unn, unj + unj + unn, uni + uni + unn, unj + unj + unn),
            };
            let u_with_i = (pin * oa) + (pjn * ob);
            let u_with_j = (pin * oc) + (pjn * od);
            *out = vote(vr, wn, u_with_i, u_with_j);
        }
        for &vn in &buf[..len] {
            a += if vn > 0.0 { vn } else { 0.0 };
            b -= if vn < 0.0 { vn } else { 0.0 };
        }
        start = end;
    }
    (a, b)
}
