//! Votes, coalitions, victory probabilities and probabilistic Condorcet
//! elections (spec §4; KTAB `kmodel.cpp`: `Model::vote`, `coalitions`,
//! `vProb`, `condPCE`, `markovIncentivePCE`, `markovUniformPCE`).
//!
//! Operation orders follow spec §13 so that results are bit-identical to
//! KTAB's: sums and products run in index order from their neutral element,
//! seeds (1e-8) are added first.

use super::settings::{PceModel, SmpVotingRule, VictoryProbModel};
use crate::EngineError;

/// Seed of every coalition strength (spec §4 step 2).
pub(crate) const MIN_COALITION: f64 = 1e-8;

/// The vote of a voter of weight `w` for option 1 over option 2, given its
/// utilities of the two (spec §4 step 1, §16; KTAB `Model::vote`).
#[inline(always)]
pub(crate) fn vote(rule: SmpVotingRule, w: f64, u1: f64, u2: f64) -> f64 {
    let du = u1 - u2;
    match rule {
        SmpVotingRule::Proportional => w * du,
        SmpVotingRule::Binary => w * binary_response(du),
        SmpVotingRule::PropBin => {
            const RBP: f64 = 0.2;
            w * (((1.0 - RBP) * du) + (RBP * binary_response(du)))
        }
        SmpVotingRule::PropCbc => {
            const RPC: f64 = 0.5;
            w * (((1.0 - RPC) * du) + (RPC * (du * du * du)))
        }
        SmpVotingRule::Cubic => w * (du * du * du),
        SmpVotingRule::AsymProsp => {
            if du < 0.0 {
                w * du
            } else if du > 0.0 {
                ((2.0 * w) * du) / 3.0
            } else {
                0.0
            }
        }
    }
}

/// `Δu / 1e-8` clipped to `[−1, 1]`.
#[inline(always)]
fn binary_response(du: f64) -> f64 {
    let r = du / 1e-8;
    let r = if r > 1.0 { 1.0 } else { r };
    if r < -1.0 { -1.0 } else { r }
}

/// Victory probabilities of a contest between strengths `s1` and `s2`
/// (spec §4 step 3, §16; KTAB `Model::vProb(VPModel, double, double)`).
#[inline]
pub(crate) fn victory_pair(model: VictoryProbModel, s1: f64, s2: f64) -> (f64, f64) {
    let sqr = |x: f64| x * x;
    let qrtc = |x: f64| x * x * x * x;
    let (x1, x2) = match model {
        VictoryProbModel::Linear => (s1, s2),
        VictoryProbModel::Square => (sqr(s1), sqr(s2)),
        VictoryProbModel::Quartic => (qrtc(s1), qrtc(s2)),
        VictoryProbModel::Octic => (sqr(qrtc(s1)), sqr(qrtc(s2))),
        VictoryProbModel::Binary => {
            // a 10 % advantage is certain victory; linear in between
            const THRESH: f64 = 1.10;
            const MIN_X: f64 = 1e-6;
            if s1 >= THRESH * s2 {
                (1.0, MIN_X)
            } else if s2 >= THRESH * s1 {
                (MIN_X, 1.0)
            } else {
                let r12 = s1 / (s1 + s2);
                let p12 = ((r12 * (THRESH + 1.0)) - 1.0) / (THRESH - 1.0);
                (p12, 1.0 - p12)
            }
        }
    };
    (x1 / (x1 + x2), x2 / (x1 + x2))
}

/// Coalition strengths `C[a][b]` (row-major, `m × m`) of `m` options for
/// `n` voters with weights `w`; `ut[a * n + k]` is voter k's utility of
/// option a (spec §4 step 2; KTAB `Model::coalitions`).
pub(crate) fn coalitions(rule: SmpVotingRule, w: &[f64], ut: &[f64], m: usize, c: &mut Vec<f64>) {
    let n = w.len();
    c.clear();
    c.resize(m * m, MIN_COALITION);
    for a in 0..m {
        let ua = &ut[a * n..(a + 1) * n];
        let mut b = 0;
        // two contests side by side (independent sums, each in voter order)
        // to hide the latency of the additions; `x + 0.0 == x` for the
        // positive partial sums, so adding zero where KTAB skips an addition
        // is bit-identical and branch-free
        if rule == SmpVotingRule::Proportional {
            while b + 2 <= a {
                let ub0 = &ut[b * n..(b + 1) * n];
                let ub1 = &ut[(b + 1) * n..(b + 2) * n];
                let (mut cab0, mut cba0, mut cab1, mut cba1) =
                    (MIN_COALITION, MIN_COALITION, MIN_COALITION, MIN_COALITION);
                for k in 0..n {
                    let v0 = w[k] * (ua[k] - ub0[k]);
                    let v1 = w[k] * (ua[k] - ub1[k]);
                    cab0 += if v0 > 0.0 { v0 } else { 0.0 };
                    cba0 -= if v0 < 0.0 { v0 } else { 0.0 };
                    cab1 += if v1 > 0.0 { v1 } else { 0.0 };
                    cba1 -= if v1 < 0.0 { v1 } else { 0.0 };
                }
                c[a * m + b] = cab0;
                c[b * m + a] = cba0;
                c[a * m + b + 1] = cab1;
                c[(b + 1) * m + a] = cba1;
                b += 2;
            }
        }
        for b in b..a {
            let ub = &ut[b * n..(b + 1) * n];
            let mut cab = MIN_COALITION;
            let mut cba = MIN_COALITION;
            for k in 0..n {
                let v = vote(rule, w[k], ua[k], ub[k]);
                cab += if v > 0.0 { v } else { 0.0 };
                cba -= if v < 0.0 { v } else { 0.0 };
            }
            c[a * m + b] = cab;
            c[b * m + a] = cba;
        }
    }
}

/// Pairwise victory probabilities from coalition strengths (KTAB
/// `Model::vProb(VPModel, KMatrix)`); diagonal ½.
pub(crate) fn victory_matrix(model: VictoryProbModel, c: &[f64], m: usize, p: &mut Vec<f64>) {
    p.clear();
    p.resize(m * m, 0.0);
    for a in 0..m {
        for b in 0..a {
            let (pab, pba) = victory_pair(model, c[a * m + b], c[b * m + a]);
            p[a * m + b] = pab;
            p[b * m + a] = pba;
        }
        p[a * m + a] = 0.5;
    }
}

/// Scratch buffers for repeated elections, so that inner loops do not
/// allocate.
#[derive(Default)]
pub(crate) struct PceScratch {
    c: Vec<f64>,
    p: Vec<f64>,
    a: Vec<f64>,
    b: Vec<f64>,
}

/// The scalar probabilistic Condorcet election (spec §4; KTAB
/// `Model::scalarPCE`): `m` options, voters with weights `w`, utilities
/// `ut[a * n + k]`. Writes the option probabilities into `out`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn scalar_pce(
    rule: SmpVotingRule,
    vpm: VictoryProbModel,
    pcem: PceModel,
    w: &[f64],
    ut: &[f64],
    m: usize,
    s: &mut PceScratch,
    out: &mut Vec<f64>,
) -> Result<(), EngineError> {
    let mut c = std::mem::take(&mut s.c);
    coalitions(rule, w, ut, m, &mut c);
    let r = pce_from_coalitions(pcem, vpm, &c, m, s, out);
    s.c = c;
    r
}

/// Option probabilities from coalition strengths (KTAB `Model::probCE2`).
pub(crate) fn pce_from_coalitions(
    pcem: PceModel,
    vpm: VictoryProbModel,
    c: &[f64],
    m: usize,
    s: &mut PceScratch,
    out: &mut Vec<f64>,
) -> Result<(), EngineError> {
    let mut p = std::mem::take(&mut s.p);
    victory_matrix(vpm, c, m, &mut p);
    let r = match pcem {
        PceModel::Conditional => {
            conditional(&p, m, out);
            Ok(())
        }
        PceModel::MarkovIncentive => markov_incentive(c, &p, m, s, out),
        PceModel::MarkovUniform => markov_uniform(&p, m, s, out),
    };
    s.p = p;
    r
}

/// Conditional PCE: `q_a = Π_b P[a][b]` (diagonal included), normalised
/// (spec §4 step 4; KTAB `Model::condPCE`).
fn conditional(p: &[f64], m: usize, out: &mut Vec<f64>) {
    out.clear();
    for a in 0..m {
        let mut q = 1.0;
        for &pab in &p[a * m..(a + 1) * m] {
            q *= pab;
        }
        out.push(q);
    }
    let mut z = 0.0;
    for &q in out.iter() {
        z += q;
    }
    for q in out.iter_mut() {
        *q /= z;
    }
}

const MARKOV_MAX_ITER: usize = 1000;

/// Markov PCE with challenges in proportion to incentives (KTAB
/// `Model::markovIncentivePCE`; "Markov Voting with Incentives in KTAB").
fn markov_incentive(
    c: &[f64],
    vp: &[f64],
    m: usize,
    s: &mut PceScratch,
    out: &mut Vec<f64>,
) -> Result<(), EngineError> {
    const P_TOL: f64 = 1e-8;
    const EPS_SUPPORT: f64 = 1e-10;
    // incentive of i to challenge j, then P[i challenges | j is favourite]
    let inc = &mut s.a;
    inc.clear();
    for i in 0..m {
        for j in 0..m {
            let mut x = c[i * m + j] * vp[i * m + j];
            if i == j {
                x += EPS_SUPPORT;
            }
            inc.push(x);
        }
    }
    let chlg = &mut s.b;
    chlg.clear();
    chlg.resize(m * m, 0.0);
    for j in 0..m {
        let mut sum = 0.0;
        for k in 0..m {
            sum += inc[k * m + j];
        }
        for i in 0..m {
            chlg[i * m + j] = inc[i * m + j] / sum;
        }
    }
    out.clear();
    out.resize(m, 1.0 / m as f64);
    let mut q = vec![0.0; m];
    let mut change = 1.0;
    let mut iter = 0;
    while P_TOL < change {
        if iter >= MARKOV_MAX_ITER {
            return Err(markov_error("MarkovIncentive"));
        }
        change = 0.0;
        for i in 0..m {
            let mut qi = 0.0;
            for j in 0..m {
                // ct(i,j) = p_i·P[j→i], ct(j,i) = p_j·P[i→j]
                let ct_ij = out[i] * chlg[j * m + i];
                let ct_ji = out[j] * chlg[i * m + j];
                qi += vp[i * m + j] * (ct_ij + ct_ji);
            }
            q[i] = qi;
            let d = (qi - out[i]).abs();
            change = if d > change { d } else { change };
        }
        for i in 0..m {
            out[i] = (out[i] + q[i]) / 2.0;
        }
        iter += 1;
    }
    if iter >= MARKOV_MAX_ITER {
        return Err(markov_error("MarkovIncentive"));
    }
    Ok(())
}

/// Markov PCE with uniform challenges (KTAB `Model::markovUniformPCE`).
fn markov_uniform(vp: &[f64], m: usize, _s: &mut PceScratch, out: &mut Vec<f64>) -> Result<(), EngineError> {
    const P_TOL: f64 = 1e-6;
    out.clear();
    out.resize(m, 1.0 / m as f64);
    let mut q = vec![0.0; m];
    let mut change = 1.0;
    let mut iter = 0;
    while P_TOL < change {
        if iter >= MARKOV_MAX_ITER {
            return Err(markov_error("MarkovUniform"));
        }
        change = 0.0;
        for i in 0..m {
            let mut pi = 0.0;
            for j in 0..m {
                pi += vp[i * m + j] * (out[i] + out[j]);
            }
            q[i] = pi / m as f64;
            let d = (q[i] - out[i]).abs();
            change = if d > change { d } else { change };
        }
        for i in 0..m {
            out[i] = (out[i] + q[i]) / 2.0;
        }
        iter += 1;
    }
    if iter >= MARKOV_MAX_ITER {
        return Err(markov_error("MarkovUniform"));
    }
    Ok(())
}

fn markov_error(which: &str) -> EngineError {
    EngineError::Degenerate(format!(
        "the {which} election did not converge within {MARKOV_MAX_ITER} iterations"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_options_split_evenly() {
        let w = [1.0, 2.0, 3.0];
        let ut = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5];
        let mut s = PceScratch::default();
        let mut out = Vec::new();
        for pcem in PceModel::ALL {
            scalar_pce(
                SmpVotingRule::Proportional,
                VictoryProbModel::Linear,
                *pcem,
                &w,
                &ut,
                2,
                &mut s,
                &mut out,
            )
            .unwrap();
            assert!(
                (out[0] - 0.5).abs() < 1e-9 && (out[1] - 0.5).abs() < 1e-9,
                "{pcem:?} {out:?}"
            );
        }
    }

    #[test]
    fn every_rule_and_model_gives_a_distribution() {
        let w = [1.0, 2.0, 3.0, 0.5];
        // 3 options x 4 voters
        let ut = [0.9, 0.2, 0.4, 0.7, 0.1, 0.8, 0.5, 0.3, 0.5, 0.5, 0.9, 0.1];
        let mut s = PceScratch::default();
        let mut out = Vec::new();
        for rule in SmpVotingRule::ALL {
            for vpm in VictoryProbModel::ALL {
                for pcem in PceModel::ALL {
                    scalar_pce(*rule, *vpm, *pcem, &w, &ut, 3, &mut s, &mut out).unwrap();
                    let sum: f64 = out.iter().sum();
                    assert!((sum - 1.0).abs() < 1e-6, "{rule:?} {vpm:?} {pcem:?} {out:?}");
                    assert!(out.iter().all(|p| p.is_finite() && *p >= 0.0));
                }
            }
        }
    }

    #[test]
    fn votes() {
        assert_eq!(vote(SmpVotingRule::Proportional, 2.0, 0.75, 0.5), 0.5);
        assert_eq!(vote(SmpVotingRule::Binary, 2.0, 0.75, 0.5), 2.0);
        assert_eq!(vote(SmpVotingRule::Binary, 2.0, 0.5, 0.75), -2.0);
        assert_eq!(vote(SmpVotingRule::Cubic, 1.0, 0.5, 0.0), 0.125);
        assert_eq!(vote(SmpVotingRule::AsymProsp, 3.0, 0.5, 0.0), 1.0);
        assert_eq!(vote(SmpVotingRule::AsymProsp, 3.0, 0.0, 0.5), -1.5);
        assert!((vote(SmpVotingRule::PropCbc, 1.0, 0.5, 0.0) - 0.3125).abs() < 1e-15);
    }
}
