//! Running compiled scenarios: the forecast of one, and the comparison of two
//! with common random numbers.

use std::sync::atomic::AtomicBool;

use accord_core::Sphere;
use accord_engine::{
    EngineError,
    montecarlo::{self, IssueSummary, MonteCarloResult, sample_seed},
};
use serde::Serialize;

use crate::{Compiled, compile::Table};

/// The forecast of one scenario: every number traceable to (scenario, model
/// settings, seed).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastReport {
    /// The scenario's id.
    pub scenario: String,
    /// Its title.
    pub title: String,
    /// The deciding organization.
    pub org: String,
    /// The decision date.
    pub date: String,
    /// Actors with a vote.
    pub voters: Vec<String>,
    /// Who bargains and with which capability measure.
    pub table: Table,
    /// The Monte Carlo run (settings, seed, samples done, partial, summaries).
    pub run: MonteCarloResult,
    /// Per issue: what it is, beside its summary.
    pub issues: Vec<IssueForecast>,
    /// The exchanges across linked issues at the point values, and what
    /// they change against the one-issue-at-a-time forecast (`None` when
    /// the model links no issues).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub packages: Option<crate::packages::PackageReport>,
    /// Where the model error and the headline's weights come from, when the
    /// calibrated forecasts were run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calibration: Option<crate::ensemble::CalibrationUsed>,
}

/// One issue's forecast.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IssueForecast {
    /// The issue's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its sphere.
    pub sphere: Sphere,
    /// The status quo.
    pub status_quo: f64,
    /// The yes/no question of the threshold.
    pub question: String,
    /// Whether the issue is a given of the scenario (its status quo or its
    /// decisive positions are the scenario's input): never a finding.
    pub given: bool,
    /// Why, when it is a given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_reason: Option<String>,
    /// Actors with a stance who are not at the bargaining table:
    /// (code, position, salience, status).
    pub not_at_table: Vec<(String, f64, f64, String)>,
    /// The forecast distribution (`p_above`: P(outcome at or above the
    /// threshold)).
    pub summary: IssueSummary,
    /// The calibrated forecasts (input uncertainty and model error) of every
    /// validated model and the stacked headline, when they were run
    /// ([`crate::ensemble::attach`]); `None` for a plain Monte Carlo run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predictive: Option<crate::ensemble::IssuePredictive>,
}

/// Runs a compiled scenario by Monte Carlo.
pub fn forecast_scenario(
    c: &Compiled,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ForecastReport, EngineError> {
    Ok(report_of(c, montecarlo::run(&c.model, &c.settings, cancel, progress)?))
}

/// Puts a Monte Carlo run of a compiled scenario into a [`ForecastReport`].
pub fn report_of(c: &Compiled, run: MonteCarloResult) -> ForecastReport {
    let issues = c
        .issues
        .iter()
        .zip(&run.issues)
        .map(|(i, s)| IssueForecast {
            id: i.id.clone(),
            name: i.name.clone(),
            sphere: i.sphere,
            status_quo: i.status_quo,
            question: i.question.clone(),
            given: i.given.is_some(),
            given_reason: i.given.clone(),
            not_at_table: i.outside.clone(),
            summary: s.clone(),
            predictive: None,
        })
        .collect();
    ForecastReport {
        scenario: c.scenario.scenario.id.clone(),
        title: c.scenario.scenario.title.clone(),
        org: c.org.clone(),
        date: c.date.to_string(),
        voters: c.voters.clone(),
        table: c.table.clone(),
        run,
        issues,
        packages: crate::packages::packages(c),
        calibration: None,
    }
}

/// Scenario B against scenario A, issue by issue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// A's forecast.
    pub a: ForecastReport,
    /// B's forecast, run with A's seed, sample count and distribution so
    /// that both see the same draws wherever their inputs coincide.
    pub b: ForecastReport,
    /// Per issue, the paired differences B − A.
    pub issues: Vec<IssueShift>,
}

/// How one issue moves from A to B.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IssueShift {
    /// The issue's id.
    pub id: String,
    /// Whether the issue is a given of B (B sets its status quo or its
    /// decisive positions): its shift replays B's input, so it is never
    /// listed among shifts, findings or headlines.
    pub given: bool,
    /// Why, when it is a given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_reason: Option<String>,
    /// Median under A and under B.
    pub median: (f64, f64),
    /// Mean of the paired shift B − A (same draws), with its standard error.
    pub mean_shift: f64,
    /// Standard error of `mean_shift`.
    pub mean_shift_se: f64,
    /// 5 % and 95 % quantiles of the paired shift.
    pub shift_90: (f64, f64),
    /// P(outcome at or above the threshold) under A and B.
    pub p_above: (f64, f64),
    /// Paired difference of the probabilities, with its standard error.
    pub p_shift: f64,
    /// Standard error of `p_shift`.
    pub p_shift_se: f64,
}

/// Compares two compiled scenarios on their common issues (matched by id).
pub fn compare(
    a: &Compiled,
    b: &Compiled,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Comparison, EngineError> {
    let mut b = b.clone();
    b.settings.seed = a.settings.seed;
    b.settings.samples = a.settings.samples;
    b.settings.distribution = a.settings.distribution;
    let fa = forecast_scenario(a, cancel, progress)?;
    let fb = forecast_scenario(&b, cancel, progress)?;
    // An issue's outcome; under the exchange model its link group is
    // negotiated together (`montecarlo::issue_outcome`).
    let outcome = |c: &Compiled, sample: &montecarlo::Sample, index: u64, i: usize| {
        montecarlo::issue_outcome(
            &c.model,
            sample,
            i,
            &c.settings.model,
            sample_seed(c.settings.seed, index),
        )
    };
    paired_shifts(
        a,
        &b,
        fa,
        fb,
        &a.settings,
        cancel,
        progress,
        |sample, index, i| outcome(a, sample, index, i),
        |index, j| {
            outcome(
                &b,
                &b.model.draw(b.settings.seed, index, b.settings.distribution),
                index,
                j,
            )
        },
    )
}

/// The paired part of a comparison: for every issue A shares with B, the
/// shift B − A and the difference of the threshold indicators, sample by
/// sample on A's draws (`settings`), summarised by Monte Carlo. `outcome_a`
/// gives A's outcome of issue `i` in a drawn sample; `outcome_b` B's outcome
/// of its issue `j` at a sample index (callers that kept outcomes read them;
/// others draw and run).
#[allow(clippy::too_many_arguments)]
pub fn paired_shifts<FA, FB>(
    a: &Compiled,
    b: &Compiled,
    fa: ForecastReport,
    fb: ForecastReport,
    settings: &montecarlo::MonteCarloSettings,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
    outcome_a: FA,
    outcome_b: FB,
) -> Result<Comparison, EngineError>
where
    FA: Fn(&montecarlo::Sample, u64, usize) -> Result<f64, EngineError> + Sync,
    FB: Fn(u64, usize) -> Result<f64, EngineError> + Sync,
{
    // Issue i of A ↔ its namesake in B.
    let pairs: Vec<(usize, usize)> = a
        .model
        .issues
        .iter()
        .enumerate()
        .filter_map(|(i, issue)| b.model.issues.iter().position(|x| x.id == issue.id).map(|j| (i, j)))
        .collect();
    let partner = |i: usize| {
        pairs
            .iter()
            .find(|(ia, _)| *ia == i)
            .map(|&(_, j)| j)
            .ok_or_else(|| EngineError::NotApplicable("issue missing from B".into()))
    };
    // Shifts live on [−100, 100]; indicator differences on {−1, 0, 1}. The
    // changed scale and threshold do not change the draws (keyed by issue id).
    let mut shifted = a.model.clone();
    shifted.issues.iter_mut().for_each(|i| {
        i.scale = (-100.0, 100.0);
        i.threshold = 0.0;
    });
    let shift_run = montecarlo::run_with(&shifted, settings, cancel, progress, |sample, index, i| {
        let j = partner(i)?;
        Ok(outcome_b(index, j)? - outcome_a(sample, index, i)?)
    })?;
    let p_run = montecarlo::run_with(&a.model, settings, cancel, progress, |sample, index, i| {
        let j = partner(i)?;
        let xa = outcome_a(sample, index, i)?;
        let xb = outcome_b(index, j)?;
        let t = a.model.issues[i].threshold;
        // At or above: a status quo exactly at the threshold has crossed it.
        Ok(f64::from(u8::from(xb >= t)) - f64::from(u8::from(xa >= t)))
    })?;
    let issues = pairs
        .iter()
        .map(|&(i, j)| {
            let (sa, sb) = (&fa.run.issues[i], &fb.run.issues[j]);
            let d = &shift_run.issues[i];
            let p = &p_run.issues[i];
            let given = b.issues[j].given.clone();
            IssueShift {
                id: sa.id.clone(),
                given: given.is_some(),
                given_reason: given,
                median: (sa.quantiles[2], sb.quantiles[2]),
                mean_shift: d.mean,
                mean_shift_se: d.std_error,
                shift_90: (d.quantiles[0], d.quantiles[4]),
                p_above: (sa.p_above, sb.p_above),
                p_shift: p.mean,
                p_shift_se: p.std_error,
            }
        })
        .collect();
    Ok(Comparison { a: fa, b: fb, issues })
}
