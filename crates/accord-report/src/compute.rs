//! Running what a report shows: the baseline forecast, every scenario
//! against it, and the representative (point-value) run of each issue.
//!
//! A scenario comparison is the same computation as
//! [`accord_analysis::run::compare`] — same draws, same summaries, equal
//! numbers (a test pins it) — arranged so that each model is run once per
//! sample: the baseline's outcomes are kept from its forecast and reused by
//! every comparison, and each scenario's outcomes are kept from its forecast
//! for the paired shifts, which [`accord_analysis::run::paired_shifts`]
//! computes for both. `compare` runs A three times and B three times;
//! over eight scenarios this is the difference between minutes and seconds.

use std::sync::{
    OnceLock,
    atomic::{AtomicBool, AtomicU64, Ordering},
};

use accord_analysis::{
    Compiled,
    run::{Comparison, ForecastReport, paired_shifts, report_of},
};
use accord_engine::{
    EngineError, StopReason, forecast,
    montecarlo::{self, MonteCarloResult, MonteCarloSettings, sample_seed},
};

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

/// One model's outcomes per (sample, issue), kept for reuse.
struct Outcomes {
    issues: usize,
    cells: Vec<OnceLock<Result<f64, String>>>,
}

impl Outcomes {
    fn new(samples: u64, issues: usize) -> Self {
        Outcomes {
            issues,
            cells: (0..samples as usize * issues).map(|_| OnceLock::new()).collect(),
        }
    }

    fn put(&self, index: u64, issue: usize, r: &Result<f64, EngineError>) {
        let kept = r.as_ref().map(|x| *x).map_err(|e| e.to_string());
        let _ = self.cells[index as usize * self.issues + issue].set(kept);
    }

    fn get(&self, index: u64, issue: usize) -> Result<f64, EngineError> {
        match self
            .cells
            .get(index as usize * self.issues + issue)
            .and_then(OnceLock::get)
        {
            Some(Ok(x)) => Ok(*x),
            Some(Err(e)) => Err(EngineError::NotApplicable(e.clone())),
            None => Err(EngineError::NotApplicable(format!("sample {index} was not run"))),
        }
    }
}

const STOPPED: &str = "stopped by the user";

/// Runs `c` with `settings` (whose seed and distribution may be another
/// scenario's), keeping every outcome. Progress is reported per sample, and
/// `cancel` is obeyed within a batch: the samples not yet begun are skipped
/// and the run is marked partial (its summaries cover the samples done).
fn forecast_kept(
    c: &Compiled,
    settings: &MonteCarloSettings,
    kept: &Outcomes,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<MonteCarloResult, EngineError> {
    let issues = c.model.issues.len();
    let done = AtomicU64::new(0);
    let skipped: Vec<AtomicU64> = (0..issues).map(|_| AtomicU64::new(0)).collect();
    let mut run = montecarlo::run_with(&c.model, settings, cancel, &|_| {}, |sample, index, i| {
        if cancel.load(Ordering::Relaxed) {
            skipped[i].fetch_add(1, Ordering::Relaxed);
            return Err(EngineError::NotApplicable(STOPPED.into()));
        }
        let r = montecarlo::issue_outcome(&c.model, sample, i, &settings.model, sample_seed(settings.seed, index));
        kept.put(index, i, &r);
        if i + 1 == issues {
            progress(done.fetch_add(1, Ordering::Relaxed) + 1);
        }
        r
    })?;
    if skipped.iter().any(|k| k.load(Ordering::Relaxed) > 0) {
        run.partial = true;
        for (s, k) in run.issues.iter_mut().zip(&skipped) {
            s.failures -= k.load(Ordering::Relaxed).min(s.failures);
            if s.failures == 0 {
                s.error = None;
            }
        }
        run.samples_done = run.issues.iter().map(|s| s.samples + s.failures).max().unwrap_or(0);
    }
    Ok(run)
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
    let kept_a = Outcomes::new(a.settings.samples, a.model.issues.len());
    let offset = AtomicU64::new(0);
    let stage = |name: &str, done: u64| progress(name, offset.load(Ordering::Relaxed) + done);
    let run_a = forecast_kept(a, &a.settings, &kept_a, cancel, &|d| stage(&a.scenario.scenario.id, d))?;
    offset.fetch_add(a.settings.samples, Ordering::Relaxed);
    let stopped_early = run_a.partial;
    let a_done = run_a.samples_done;
    let fa_full = report_of(a, run_a);
    // A's summary on the comparisons' samples, from the kept outcomes.
    let never = AtomicBool::new(false);
    let a_n = MonteCarloSettings {
        samples: n.min(a_done),
        ..a.settings.clone()
    };

    let mut comparisons = Vec::with_capacity(scenarios.len());
    for b in scenarios {
        if cancel.load(Ordering::Relaxed) || stopped_early {
            comparisons.push(None);
            continue;
        }
        let settings_b = MonteCarloSettings {
            samples: a_n.samples,
            seed: a.settings.seed,
            distribution: a.settings.distribution,
            model: b.settings.model.clone(),
        };
        let kept_b = Outcomes::new(settings_b.samples, b.model.issues.len());
        let run_b = forecast_kept(b, &settings_b, &kept_b, cancel, &|d| stage(&b.scenario.scenario.id, d))?;
        offset.fetch_add(n, Ordering::Relaxed);
        if run_b.partial {
            // A comparison on an arbitrary subset of the draws is not reported.
            comparisons.push(None);
            continue;
        }
        // The paired passes read kept outcomes only.
        let quiet = |_: u64| {};
        let run_a_n = montecarlo::run_with(&a.model, &a_n, &never, &quiet, |_, index, i| kept_a.get(index, i))?;
        let mut b_for_report = b.clone();
        b_for_report.settings = settings_b;
        let fa = report_of(a, run_a_n);
        let fb = report_of(&b_for_report, run_b);
        let paired = paired_shifts(
            a,
            b,
            fa,
            fb,
            &a_n,
            &never,
            &quiet,
            |_, index, i| kept_a.get(index, i),
            |index, j| kept_b.get(index, j),
        )?;
        comparisons.push(Some(paired));
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
