//! Which input decides: a one-at-a-time sensitivity analysis of every issue
//! (`docs/models/sensitivity.md`).
//!
//! For each actor at the bargaining table of an issue, each of its three
//! inputs — position, salience, capability — is held at the low end and then
//! at the high end of its range while every other input is drawn as in the
//! forecast. Both ends run on the *same* draws as the unchanged run (common
//! random numbers: sample `k` is drawn exactly as the forecast draws it, then
//! the one input is overwritten), so the difference between the two ends is
//! the input's effect and not Monte Carlo noise. The effect on an issue is
//! the change in P(outcome at or above the threshold) and in the median
//! outcome between the low and the high end; entries are sorted by the
//! absolute change in P, then by the absolute change of the median.
//!
//! Each issue runs alone: under the exchange dynamics (linked issues
//! negotiated together) the analysis measures the one-issue-at-a-time
//! outcome, not the package deals.
//!
//! Inputs without a range (low = high) are left out: moving them across
//! their range moves nothing. A capability is moved for this issue only (the
//! actor's capability on the other issues does not enter an issue's outcome).

use std::sync::atomic::{AtomicBool, Ordering};

use accord_engine::{
    EngineError, Issue,
    forecast::forecast_outcome,
    montecarlo::{UncertainModel, sample_seed},
};
use rayon::prelude::*;
use serde::Serialize;

use crate::Compiled;

/// The input moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Input {
    /// The actor's position on the issue (0–100).
    Position,
    /// Its salience (0–100).
    Salience,
    /// Its capability on the issue (indicator × the stance's factor).
    Capability,
}

impl Input {
    /// The input's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Input::Position => "position",
            Input::Salience => "salience",
            Input::Capability => "capability",
        }
    }
}

/// The effect of one input moved across its range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SensitivityEntry {
    /// The actor whose input moves.
    pub actor: String,
    /// Which input.
    pub input: Input,
    /// The input's low and high end (salience 0–100; capability in the
    /// measure's units, × the stance's factor).
    pub range: (f64, f64),
    /// P(outcome at or above the threshold) with the input at its low and
    /// at its high end.
    pub p: (f64, f64),
    /// Median outcome at the low and at the high end.
    pub median: (f64, f64),
    /// `p.1 − p.0`: the change in P from the low to the high end.
    pub p_effect: f64,
    /// `median.1 − median.0`.
    pub median_effect: f64,
}

/// One issue's sensitivity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IssueSensitivity {
    /// The issue's id.
    pub id: String,
    /// The threshold (the P is of the outcome at or above it).
    pub threshold: f64,
    /// Samples (draws) each end was run on.
    pub samples: u64,
    /// Runs in which the model gave no outcome (left out of the figures).
    pub failures: u64,
    /// P at or above the threshold with every input drawn (the forecast, on
    /// these samples).
    pub base_p: f64,
    /// Median with every input drawn.
    pub base_median: f64,
    /// Inputs by effect: largest |p_effect| first, then largest |median_effect|.
    pub entries: Vec<SensitivityEntry>,
}

/// The sensitivity of every issue of a compiled scenario, on the first
/// `samples` draws of its seed. `cancel` is polled between issues (a stopped
/// analysis returns the issues done so far).
pub fn sensitivity(c: &Compiled, samples: u64, cancel: &AtomicBool) -> Result<Vec<IssueSensitivity>, EngineError> {
    if samples == 0 {
        return Err(EngineError::InvalidInput(
            "the sensitivity analysis needs at least one sample".into(),
        ));
    }
    let mut out = Vec::with_capacity(c.model.issues.len());
    for issue in &c.model.issues {
        if cancel.load(Ordering::Relaxed) {
            break;
        }
        out.push(issue_sensitivity(c, issue, samples)?);
    }
    Ok(out)
}

/// One case: stance `stance` (index among the active stances) with `input` at `value`.
struct Case {
    stance: usize,
    actor: String,
    input: Input,
    range: (f64, f64),
    value: f64,
}

fn issue_sensitivity(
    c: &Compiled,
    issue: &accord_engine::montecarlo::UncertainIssue,
    samples: u64,
) -> Result<IssueSensitivity, EngineError> {
    // The issue alone: its draws are keyed by its id and the capabilities are
    // drawn actor by actor, so they are the forecast's draws.
    let one = UncertainModel {
        actors: c.model.actors.clone(),
        issues: vec![issue.clone()],
        // Alone: under the exchange dynamics the analysis gives the
        // one-issue-at-a-time outcome (docs/models/sensitivity.md).
        links: Vec::new(),
    };
    let mut cases = Vec::new();
    for (k, s) in issue.stances.iter().filter(|s| s.active).enumerate() {
        let actor = &c.model.actors[s.actor];
        let cap = actor.capability;
        let ranges = [
            (Input::Position, s.position[0].low, s.position[0].high, 1.0),
            (Input::Salience, s.salience[0].low, s.salience[0].high, 100.0),
            (
                Input::Capability,
                cap.low * s.capability_factor,
                cap.high * s.capability_factor,
                1.0,
            ),
        ];
        for (input, low, high, shown) in ranges {
            if high <= low {
                continue;
            }
            for value in [low, high] {
                cases.push(Case {
                    stance: k,
                    actor: actor.id.clone(),
                    input,
                    range: (low * shown, high * shown),
                    value,
                });
            }
        }
    }
    let settings = &c.settings;
    // Row k: the unchanged outcome, then one outcome per case (NaN: failed).
    let rows: Vec<Vec<f64>> = (0..samples)
        .into_par_iter()
        .map(|k| {
            let sample = one.draw(settings.seed, k, settings.distribution);
            let seed = sample_seed(settings.seed, k);
            let run = |i: &Issue| forecast_outcome(i, &settings.model, seed).map_or(f64::NAN, |o| o[0]);
            let drawn = &sample.issues[0];
            let mut row = Vec::with_capacity(cases.len() + 1);
            row.push(run(drawn));
            let mut moved = drawn.clone();
            for case in &cases {
                let st = &mut moved.stances[case.stance];
                let kept = match case.input {
                    Input::Position => std::mem::replace(&mut st.position[0], case.value),
                    Input::Salience => std::mem::replace(&mut st.salience[0], case.value),
                    Input::Capability => std::mem::replace(&mut st.capability, case.value),
                };
                row.push(run(&moved));
                let st = &mut moved.stances[case.stance];
                match case.input {
                    Input::Position => st.position[0] = kept,
                    Input::Salience => st.salience[0] = kept,
                    Input::Capability => st.capability = kept,
                }
            }
            row
        })
        .collect();
    let column = |j: usize| -> Vec<f64> { rows.iter().map(|r| r[j]).filter(|x| x.is_finite()).collect() };
    let threshold = issue.threshold;
    let stats = |xs: Vec<f64>| -> (f64, f64) {
        if xs.is_empty() {
            return (f64::NAN, f64::NAN);
        }
        let p = xs.iter().filter(|&&x| x >= threshold).count() as f64 / xs.len() as f64;
        (p, median(xs))
    };
    let base = column(0);
    let failures = (0..=cases.len()).map(|j| samples - column(j).len() as u64).sum();
    let (base_p, base_median) = stats(base);
    let mut entries: Vec<SensitivityEntry> = cases
        .chunks(2)
        .enumerate()
        .map(|(n, pair)| {
            let (p_lo, m_lo) = stats(column(1 + 2 * n));
            let (p_hi, m_hi) = stats(column(2 + 2 * n));
            SensitivityEntry {
                actor: pair[0].actor.clone(),
                input: pair[0].input,
                range: pair[0].range,
                p: (p_lo, p_hi),
                median: (m_lo, m_hi),
                p_effect: p_hi - p_lo,
                median_effect: m_hi - m_lo,
            }
        })
        .collect();
    // Stable sort: ties keep stance order, so the order is deterministic.
    entries.sort_by(|a, b| {
        b.p_effect
            .abs()
            .total_cmp(&a.p_effect.abs())
            .then(b.median_effect.abs().total_cmp(&a.median_effect.abs()))
    });
    Ok(IssueSensitivity {
        id: issue.id.clone(),
        threshold,
        samples,
        failures,
        base_p,
        base_median,
        entries,
    })
}

/// The median of finite values (the mean of the two middle ones when even).
fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
    }
}
