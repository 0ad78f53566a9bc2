//! KTAB's Spatial Model of Politics (SMP), reimplemented to reproduce KTAB's
//! `smpc` bit for bit (see `docs/models/smp.md` and the specification's
//! sections cited in the code as "spec §n").
//!
//! Actors challenge one another; each challenge yields an interpolated
//! bargain; every actor holds an election over the bargains it is involved in
//! and adopts the winner; the next state is evaluated afresh. The run stops
//! when movement falls below 2 % of the first step's (§10).
//!
//! Scales: the [`Issue`]'s positions are on KTAB's 0–100 scale and its
//! saliences on `[0, 1]`; internally positions are divided by 100.0
//! (a true division, spec §13). Reported positions are again on 0–100.

mod engine;
mod pce;
mod settings;

use std::sync::atomic::{AtomicBool, Ordering};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

pub use settings::{
    BargainModel, BigRAdjust, BigRRange, InterVecBrgn, PceModel, SmpSettings, SmpVotingRule, StateTransitions,
    ThirdPartyCommit, VictoryProbModel,
};

use crate::{EngineError, History, Issue, StopReason};
use engine::{Actors, bs_util, new_ideals, state_dist};

/// The full result of an SMP run: every state's positions and the
/// per-state quantities KTAB reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmpRun {
    /// Positions per state (0–100 scale); state 0 is the input.
    pub history: History,
    /// Ideal points per state, `[state][actor][dimension]` (0–100). Equal to
    /// the positions unless an accommodation matrix is given (spec §9).
    pub ideals: Vec<Vec<Vec<f64>>>,
    /// Inferred risk attitudes per state, `[state][actor]` (spec §5.1).
    pub risk: Vec<Vec<f64>>,
    /// "Actors' winning probabilities" per state, `[state][actor]`: the
    /// probability of the position each actor holds (spec §11.2). Actors
    /// sharing a position report the same number.
    pub probabilities: Vec<Vec<f64>>,
    /// Stop-rule ratio after each iteration (`stop_ratios[it − 1]`): the
    /// last step's movement over the first step's (spec §10).
    pub stop_ratios: Vec<f64>,
    /// Target each actor challenged in each iteration, `[turn][actor]`
    /// (turn t produces state t + 1); `None` for no challenge (spec §7).
    pub targets: Vec<Vec<Option<usize>>>,
}

/// Full-precision intermediate values of a run, for verification against
/// KTAB's SQLite output (see [`run_traced`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SmpTrace {
    /// One entry per state (the last state has no challenges or bargains).
    pub states: Vec<StateTrace>,
}

/// Intermediate values of one state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StateTrace {
    /// Risk attitudes `r_i` (spec §5.1).
    pub risk: Vec<f64>,
    /// `utilities[h][i][j] = U^h[i][j]` (spec §5.2).
    pub utilities: Vec<Vec<Vec<f64>>>,
    /// `probEduChlg(i, i, i, j)` for every ordered pair i ≠ j (spec §6).
    pub challenges: Vec<ChallengeTrace>,
    /// Every queued bargain; status-quo bargains have initiator = receiver.
    pub bargains: Vec<BargainTrace>,
    /// Indices into `bargains` of each actor's queue, in canonical order
    /// (spec §8.2).
    pub queues: Vec<Vec<usize>>,
    /// The election result over each queue (spec §8.3).
    pub queue_probabilities: Vec<Vec<f64>>,
    /// Index into its queue of the bargain each actor adopted.
    pub chosen: Vec<usize>,
}

/// One challenge as its initiator sees it (spec §6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChallengeTrace {
    /// Initiator i.
    pub initiator: usize,
    /// Target j.
    pub target: usize,
    /// i's estimate that i beats j.
    pub probability: f64,
    /// i's expected utility change from challenging j.
    pub value: f64,
}

/// One queued bargain (spec §8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BargainTrace {
    /// The challenger (or the owner, for a status-quo bargain).
    pub initiator: usize,
    /// The target.
    pub receiver: usize,
    /// The initiator's expected gain from the challenge (0 for status quo).
    pub value: f64,
    /// Position proposed to the initiator (0–100).
    pub initiator_position: Vec<f64>,
    /// Position proposed to the receiver (0–100).
    pub receiver_position: Vec<f64>,
}

/// Runs SMP on an issue. `seed` drives the stochastic state transitions
/// (ChaCha8, `seed_from_u64`); the deterministic default ignores it.
///
/// Errors: [`EngineError::InvalidInput`] for inputs SMP cannot take (fewer
/// than two actors, positions outside 0–100, capability ≤ 0, no positive
/// salience, saliences summing above 1, a bad accommodation matrix),
/// [`EngineError::Degenerate`] when a state makes the model undefined (all
/// actors at one point in the input: pmax = pmin in spec §5.1). A run that
/// reaches full consensus later stops there with [`StopReason::Converged`]
/// (risk 0 and probability 1 reported for that last state).
pub fn run(issue: &Issue, settings: &SmpSettings, seed: u64) -> Result<SmpRun, EngineError> {
    run_inner(issue, settings, seed, None, None)
}

/// Like [`run`], for long runs: `progress(done, total)` is called from the
/// calling thread after each iteration with the iterations done and
/// `settings.max_iterations` (a run that converges earlier stops there), and
/// `cancel` is read before each iteration: once it is set the run stops with
/// [`EngineError::Cancelled`]. Neither changes the result.
pub fn run_with(
    issue: &Issue,
    settings: &SmpSettings,
    seed: u64,
    cancel: &AtomicBool,
    progress: &dyn Fn(u64, u64),
) -> Result<SmpRun, EngineError> {
    run_inner(issue, settings, seed, None, Some((cancel, progress)))
}

/// Like [`run`], and also returns every intermediate value (utilities of
/// every perspective, all challenges, all bargains and queue elections).
/// Costs O(N³) memory per state: meant for tests and small inputs.
pub fn run_traced(issue: &Issue, settings: &SmpSettings, seed: u64) -> Result<(SmpRun, SmpTrace), EngineError> {
    let mut trace = SmpTrace::default();
    let run = run_inner(issue, settings, seed, Some(&mut trace), None)?;
    Ok((run, trace))
}

fn invalid(issue: &Issue, msg: String) -> EngineError {
    EngineError::InvalidInput(format!("issue {}: SMP: {msg}", issue.id))
}

fn validate<'s>(issue: &Issue, settings: &'s SmpSettings) -> Result<Actors<'s>, EngineError> {
    issue.validate()?;
    let n = issue.stances.len();
    let dims = issue.dimensions;
    if n < 2 {
        return Err(invalid(issue, format!("needs at least two actors, found {n}")));
    }
    let mut cap = Vec::with_capacity(n);
    let mut sal = Vec::with_capacity(n * dims);
    let mut sal_den = Vec::with_capacity(n);
    let mut sal_tot = Vec::with_capacity(n);
    let mut wgt = Vec::with_capacity(n);
    for s in &issue.stances {
        if let Some(p) = s.position.iter().find(|p| !(0.0..=100.0).contains(*p)) {
            return Err(invalid(
                issue,
                format!("actor {}: position {p} is outside KTAB's scale 0–100", s.actor),
            ));
        }
        if s.capability.is_nan() || s.capability <= 0.0 {
            return Err(invalid(
                issue,
                format!(
                    "actor {}: capability must be > 0 (it is a voting weight), found {}",
                    s.actor, s.capability
                ),
            ));
        }
        let mut den = 0.0;
        let mut tot = 0.0;
        for &v in &s.salience {
            den += v * v;
            tot += v;
        }
        if den.is_nan() || den <= 0.0 {
            return Err(invalid(issue, format!("actor {}: needs a positive salience", s.actor)));
        }
        if tot > 1.0 + 1e-9 {
            return Err(invalid(
                issue,
                format!("actor {}: saliences sum to {tot}, above 1 (100 %)", s.actor),
            ));
        }
        cap.push(s.capability);
        sal.extend_from_slice(&s.salience);
        sal_den.push(den);
        sal_tot.push(tot);
        wgt.push(tot * s.capability);
    }
    if settings.max_iterations == 0 {
        return Err(invalid(issue, "max_iterations must be at least 1".into()));
    }
    if !(settings.min_delta_ratio.is_finite() && settings.min_sig_delta.is_finite()) {
        return Err(invalid(
            issue,
            "min_delta_ratio and min_sig_delta must be finite".into(),
        ));
    }
    if let Some(acc) = &settings.accommodation {
        if acc.len() != n || acc.iter().any(|row| row.len() != n) {
            return Err(invalid(
                issue,
                format!("the accommodation matrix must be {n} × {n} (one row and column per actor)"),
            ));
        }
        for (i, row) in acc.iter().enumerate() {
            if let Some(v) = row.iter().find(|v| !(0.0..=1.0).contains(*v)) {
                return Err(invalid(
                    issue,
                    format!("accommodation row {i}: entry {v} is outside [0, 1]"),
                ));
            }
            let sum: f64 = row.iter().fold(0.0, |a, b| a + b);
            if sum > 1.0 + 1e-10 {
                return Err(invalid(issue, format!("accommodation row {i} sums to {sum}, above 1")));
            }
        }
    }
    Ok(Actors {
        n,
        dims,
        cap,
        sal,
        sal_den,
        sal_tot,
        wgt,
        settings,
    })
}

fn unflatten(v: &[f64], n: usize, dims: usize) -> Vec<Vec<f64>> {
    (0..n).map(|i| v[i * dims..(i + 1) * dims].to_vec()).collect()
}

fn utilities_of(actors: &Actors, ev: &engine::Eval) -> Vec<Vec<Vec<f64>>> {
    let n = actors.n;
    (0..n)
        .map(|h| {
            (0..n)
                .map(|i| (0..n).map(|j| bs_util(ev.d[i * n + j], ev.rr[h * n + i])).collect())
                .collect()
        })
        .collect()
}

/// The cancellation flag and progress callback of [`run_with`].
type Watch<'a> = (&'a AtomicBool, &'a dyn Fn(u64, u64));

fn run_inner(
    issue: &Issue,
    settings: &SmpSettings,
    seed: u64,
    mut trace: Option<&mut SmpTrace>,
    watch: Option<Watch<'_>>,
) -> Result<SmpRun, EngineError> {
    let actors = validate(issue, settings)?;
    let (n, dims) = (actors.n, actors.dims);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);

    // state 0 (spec §2: x = pos / 100.0)
    let mut disp: Vec<f64> = issue.stances.iter().flat_map(|s| s.position.iter().copied()).collect();
    let mut x: Vec<f64> = disp.iter().map(|p| p / 100.0).collect();
    let mut y = x.clone();
    let x0 = x.clone();
    let mut x1: Option<Vec<f64>> = None;

    let mut positions = vec![unflatten(&disp, n, dims)];
    let mut ideals = vec![unflatten(&disp, n, dims)];
    let mut ev = actors.evaluate(&x, &y, 0)?;
    let mut risk = vec![ev.r.clone()];
    let mut probabilities = vec![ev.prob.clone()];
    let mut stop_ratios = Vec::new();
    let mut targets = Vec::new();

    let mut it = 0usize;
    let stop = loop {
        if let Some((cancel, _)) = watch
            && cancel.load(Ordering::Relaxed)
        {
            return Err(EngineError::Cancelled);
        }
        it += 1;
        let mut st_trace = trace.as_ref().map(|_| StateTrace {
            risk: ev.r.clone(),
            utilities: utilities_of(&actors, &ev),
            ..StateTrace::default()
        });
        let out = actors.step(&ev, &x, &disp, &y, &mut rng, st_trace.as_mut())?;
        if let (Some(t), Some(s)) = (trace.as_deref_mut(), st_trace) {
            t.states.push(s);
        }
        targets.push(out.targets);
        // spec §9: ideals follow the accommodation matrix (identity: y = x)
        y = match &settings.accommodation {
            Some(acc) => new_ideals(acc, &out.x, &y, n, dims),
            None => out.x.clone(),
        };
        let prev = std::mem::replace(&mut x, out.x);
        disp = out.disp;
        positions.push(unflatten(&disp, n, dims));
        ideals.push(match &settings.accommodation {
            Some(_) => {
                let shown: Vec<f64> = (0..n * dims)
                    .map(|k| if y[k] == x[k] { disp[k] } else { y[k] * 100.0 })
                    .collect();
                unflatten(&shown, n, dims)
            }
            None => unflatten(&disp, n, dims),
        });
        // Full consensus (every position and ideal at one point) is a fixed
        // point: nobody gains from a challenge. KTAB would abort on the
        // undefined risk inference (pmax = pmin); we stop the run here, report
        // neutral risk and probability 1 for the single position.
        let consensus =
            (1..n).all(|i| x[i * dims..(i + 1) * dims] == x[..dims] && y[i * dims..(i + 1) * dims] == y[..dims]);
        if consensus {
            risk.push(vec![0.0; n]);
            probabilities.push(vec![1.0; n]);
            let first = x1.get_or_insert_with(|| x.clone());
            let d01 = state_dist(&x0, first, n, dims) + settings.min_sig_delta;
            stop_ratios.push(state_dist(&x, &prev, n, dims) / d01);
            if let Some(t) = trace.as_deref_mut() {
                t.states.push(StateTrace {
                    risk: vec![0.0; n],
                    utilities: vec![vec![vec![1.0; n]; n]; n],
                    ..StateTrace::default()
                });
            }
            return Ok(SmpRun {
                history: History {
                    positions,
                    stop: StopReason::Converged,
                },
                ideals,
                risk,
                probabilities,
                stop_ratios,
                targets,
            });
        }
        ev = actors.evaluate(&x, &y, it)?;
        risk.push(ev.r.clone());
        probabilities.push(ev.prob.clone());

        // spec §10: stopping rule
        let first = x1.get_or_insert_with(|| x.clone());
        let d01 = state_dist(&x0, first, n, dims) + settings.min_sig_delta;
        let dlast = state_dist(&x, &prev, n, dims);
        let ratio = dlast / d01;
        stop_ratios.push(ratio);
        if let Some((_, progress)) = watch {
            progress(it as u64, settings.max_iterations as u64);
        }
        let quiet = it >= settings.min_iterations && ratio < settings.min_delta_ratio;
        if quiet {
            break StopReason::Converged;
        }
        if it >= settings.max_iterations {
            break StopReason::IterationLimit;
        }
    };
    if let Some(t) = trace {
        t.states.push(StateTrace {
            risk: ev.r.clone(),
            utilities: utilities_of(&actors, &ev),
            ..StateTrace::default()
        });
    }
    Ok(SmpRun {
        history: History { positions, stop },
        ideals,
        risk,
        probabilities,
        stop_ratios,
        targets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Stance;

    fn issue(points: &[(f64, f64, f64)]) -> Issue {
        Issue {
            id: "t".into(),
            dimensions: 1,
            status_quo: None,
            stances: points
                .iter()
                .enumerate()
                .map(|(i, &(c, p, s))| Stance {
                    actor: format!("a{i}"),
                    capability: c,
                    position: vec![p],
                    salience: vec![s],
                })
                .collect(),
            procedure: None,
        }
    }

    #[test]
    fn all_at_one_point_is_degenerate() {
        let is = issue(&[(10.0, 40.0, 0.5), (20.0, 40.0, 0.7), (5.0, 40.0, 0.3)]);
        match run(&is, &SmpSettings::default(), 1) {
            Err(EngineError::Degenerate(_)) => {}
            other => panic!("expected Degenerate, got {other:?}"),
        }
    }

    #[test]
    fn bad_inputs_are_rejected() {
        let s = SmpSettings::default();
        for bad in [
            issue(&[(0.0, 10.0, 0.5), (1.0, 20.0, 0.5), (1.0, 90.0, 0.5)]),
            issue(&[(1.0, 10.0, 0.0), (1.0, 20.0, 0.5), (1.0, 90.0, 0.5)]),
            issue(&[(1.0, 110.0, 0.5), (1.0, 20.0, 0.5), (1.0, 90.0, 0.5)]),
            issue(&[(1.0, 10.0, 0.5)]),
        ] {
            assert!(matches!(run(&bad, &s, 0), Err(EngineError::InvalidInput(_))));
        }
    }

    #[test]
    fn simple_run_moves_and_stops() {
        let is = issue(&[(10.0, 10.0, 0.5), (20.0, 40.0, 0.7), (5.0, 90.0, 0.3), (8.0, 60.0, 0.6)]);
        let r = run(&is, &SmpSettings::default(), 1).unwrap();
        assert!(r.history.positions.len() >= 3);
        assert_eq!(r.risk.len(), r.history.positions.len());
        assert_eq!(r.stop_ratios.len() + 1, r.history.positions.len());
        for st in &r.probabilities {
            assert!(st.iter().all(|p| p.is_finite()));
        }
    }
}
