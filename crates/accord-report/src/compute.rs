//! Running what a report shows: the baseline forecast, every scenario
//! against it, and the representative (point-value) run of each issue.
//!
//! A scenario comparison is [`accord_analysis::run::compare_on`] — the
//! function behind `accord compare`, so the numbers are equal (a test pins
//! it) — given the baseline's outcomes, kept from its forecast by
//! [`accord_analysis::run::forecast_keeping`]: the baseline's model runs once
//! per sample for the whole report, each scenario's once per sample of its
//! comparison.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use accord_analysis::{
    Compiled,
    run::{Comparison, ForecastReport, KeptOutcomes, OutcomesOfA, compare_on, forecast_keeping, report_of},
};
use accord_engine::{EngineError, StopReason, forecast, montecarlo::MonteCarloSettings};

use crate::data::Trajectory;

/// The runs behind a report.
#[derive(Debug, Clone, PartialEq)]
pub struct Runs {
    /// The baseline forecast, with the baseline's own sample count.
    pub baseline: ForecastReport,
    /// Per scenario (in the order given), its comparison with the baseline;
    /// `None` when the run was stopped before the scenario finished.
    pub comparisons: Vec<Option<Comparison>>,
    /// Samples of each comparison.
    pub scenario_samples: u64,
    /// Per baseline issue, the representative run or why it failed.
    pub trajectories: Vec<Result<Trajectory, String>>,
    /// Whether `cancel` stopped the runs.
    pub stopped: bool,
    /// The baseline's sensitivity analysis (which input decides each issue),
    /// on [`sensitivity_samples`] draws; empty when the runs were stopped.
    pub sensitivity: Vec<accord_analysis::sensitivity::IssueSensitivity>,
}

/// Draws of the sensitivity analysis in the report: the comparisons' count
/// without bargaining dynamics (a run is microseconds); with dynamics, each
/// of the ~40 moved inputs of an issue costs a full run, so at most 100 draws
/// keep `accord report` within its minute (the effects are paired on common
/// draws, so 100 draws already order the inputs; the JSON of
/// `accord forecast --sensitivity` uses the scenario's own count).
pub fn sensitivity_samples(baseline: &Compiled, scenario_samples: u64) -> u64 {
    let n = scenario_samples.min(baseline.settings.samples);
    match baseline.settings.model.dynamics {
        accord_engine::Dynamics::None => n,
        _ => n.min(100),
    }
}

/// The samples `run_all` draws in all (what a progress bar counts to).
pub fn total_samples(baseline: &Compiled, scenarios: usize, scenario_samples: u64) -> u64 {
    baseline.settings.samples + scenarios as u64 * scenario_samples.min(baseline.settings.samples)
}

/// Runs the baseline with its own settings, then every scenario against it
/// on the first `scenario_samples` samples of the baseline's stream (at most
/// the baseline's count), with the baseline's seed and distribution — as
/// `accord compare baseline.toml SCENARIO.toml --samples N` does. `progress`
/// gets the stage (a scenario id) and the samples done over all stages.
/// When `cancel` is set during the baseline, the baseline ends with the
/// samples done (marked partial) and no scenario runs; during a scenario,
/// that scenario and the later ones have no comparison.
pub fn run_all(
    baseline: &Compiled,
    scenarios: &[Compiled],
    scenario_samples: u64,
    cancel: &AtomicBool,
    progress: &(dyn Fn(&str, u64) + Sync),
) -> Result<Runs, EngineError> {
    let a = baseline;
    let n = scenario_samples.min(a.settings.samples);
    let kept_a = KeptOutcomes::new(a.settings.samples, a.model.issues.len());
    let offset = AtomicU64::new(0);
    let stage = |name: &str, done: u64| progress(name, offset.load(Ordering::Relaxed) + done);
    let run_a = forecast_keeping(a, &a.settings, &kept_a, cancel, &|d| stage(&a.scenario.scenario.id, d))?;
    offset.fetch_add(a.settings.samples, Ordering::Relaxed);
    let stopped_early = run_a.partial;
    let a_n = MonteCarloSettings {
        samples: n.min(run_a.samples_done),
        ..a.settings.clone()
    };
    let fa_full = report_of(a, run_a);

    let mut comparisons = Vec::with_capacity(scenarios.len());
    for b in scenarios {
        if cancel.load(Ordering::Relaxed) || stopped_early {
            comparisons.push(None);
            continue;
        }
        let id = &b.scenario.scenario.id;
        let paired = compare_on(a, b, &a_n, OutcomesOfA::Kept(&kept_a), cancel, &|d| stage(id, d))?;
        offset.fetch_add(n, Ordering::Relaxed);
        // A comparison stopped before the end is not reported.
        comparisons.push((!paired.b.run.partial).then_some(paired));
    }

    let point = a.model.point();
    let trajectories = point
        .issues
        .iter()
        .enumerate()
        .map(|(k, issue)| {
            // Under the exchange model the issue moves with its link group.
            let f = match a.settings.model.dynamics {
                accord_engine::Dynamics::Exchange(_) => {
                    let unit = a.model.unit_of(k);
                    let refs: Vec<&accord_engine::Issue> = unit.iter().map(|&u| &point.issues[u]).collect();
                    let at = unit.iter().position(|&u| u == k).unwrap_or(0);
                    accord_engine::forecast_group(&refs, &a.settings.model, a.settings.seed)
                        .forecasts
                        .swap_remove(at)
                }
                _ => forecast(issue, &a.settings.model, a.settings.seed),
            }
            .map_err(|e| e.to_string())?;
            Ok(Trajectory {
                actors: issue.stances.iter().map(|s| s.actor.clone()).collect(),
                positions: f
                    .history
                    .positions
                    .iter()
                    .map(|turn| turn.iter().map(|p| p[0]).collect())
                    .collect(),
                outcome: f.outcome[0],
                stop: describe_stop(&f.history.stop).to_owned(),
                seed: a.settings.seed,
            })
        })
        .collect();
    let sensitivity = if cancel.load(Ordering::Relaxed) || stopped_early {
        Vec::new()
    } else {
        accord_analysis::sensitivity::sensitivity(a, sensitivity_samples(a, n).max(1), cancel)?
    };
    Ok(Runs {
        sensitivity,
        baseline: fa_full,
        comparisons,
        scenario_samples: n,
        trajectories,
        stopped: cancel.load(Ordering::Relaxed),
    })
}

fn describe_stop(s: &StopReason) -> &'static str {
    match s {
        StopReason::Static => "no dynamics",
        StopReason::Converged => "converged",
        StopReason::IterationLimit => "iteration limit reached",
        StopReason::RoundsCompleted => "rounds completed",
    }
}
