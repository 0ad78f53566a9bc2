//! The backtest of a model against recorded outcomes: four model settings
//! and the calibrated headline run on one scenario's draws, scored on the
//! questions of an outcomes file (`data/sco/backtest.toml` for the SCO).
//!
//! One function, [`compute`], serves `accord backtest` and the server's
//! `backtest` runs, so both score the same questions and give the same JSON
//! (`Computed::backtest`). It lives here rather than in `accord-analysis`
//! because the headline needs the learned model error, which this crate
//! reads ([`crate::calibration::attach_calibrated`]); it does no other I/O.

use std::sync::atomic::{AtomicBool, Ordering};

use accord_analysis::{
    Compiled,
    backtest::{self, Backtest, Outcomes, ProbabilitySet},
    hazard,
    run::{ForecastReport, forecast_scenario},
    scenario::{BargainChoice, DynamicsChoice},
};
use accord_core::{Record, model::Model};

use crate::record::Diagnostic;

/// The model settings scored beside the headline: (name, dynamics, within
/// the organization's procedure). Each is the scenario with its own
/// dynamics, the weighted mean as the bargain, and no model error.
pub const MODELS: [(&str, DynamicsChoice, bool); 4] = [
    (
        "compromise (no dynamics, weighted mean, no procedure)",
        DynamicsChoice::None,
        false,
    ),
    ("compromise within consensus of the members", DynamicsChoice::None, true),
    ("EUM, then weighted mean within consensus", DynamicsChoice::Eum, true),
    ("SMP, then weighted mean within consensus", DynamicsChoice::Smp, true),
];

/// The headline's name: the calibrated ensemble of the validated models
/// (each with its model error learned on DEU, stacked by out-of-sample
/// CRPS), run on the scenario's draws — the forecast `accord forecast`
/// headlines.
pub const HEADLINE: &str = "headline: calibrated ensemble (model error learned on DEU)";

/// Monte Carlo passes of one backtest, each of the scenario's sample count:
/// the four models, the headline's input-only run, and its calibrated models.
/// Progress counts up to `PASSES × samples`.
pub const PASSES: u64 = MODELS.len() as u64 + 2;

/// A computed backtest with what it rests on.
#[derive(Debug, Clone)]
pub struct Computed {
    /// The scores (what `accord backtest --json` prints).
    pub backtest: Backtest,
    /// The outcomes file as read.
    pub outcomes: Outcomes,
    /// Monte Carlo samples per model.
    pub samples: u64,
    /// The seed of every pass (the scenario's, or the one asked for).
    pub seed: u64,
    /// The model's date.
    pub model_date: String,
}

/// Why a backtest could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum BacktestRunError {
    /// The outcomes file does not read or names what the model lacks.
    #[error("invalid outcomes:\n{}", .0.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n"))]
    Outcomes(Vec<Diagnostic>),
    /// A model's variant of the scenario does not compile.
    #[error("the scenario does not compile with {model}: {problems}")]
    Compile {
        /// The model setting.
        model: String,
        /// The problems, `path: message` each.
        problems: String,
    },
    /// The Monte Carlo run failed.
    #[error(transparent)]
    Engine(#[from] accord_engine::EngineError),
    /// The calibrated headline could not be attached.
    #[error(transparent)]
    Calibration(#[from] crate::calibration::AttachError),
    /// A question names an issue the forecast lacks.
    #[error("the forecast has no issue `{0}`")]
    MissingIssue(String),
    /// The scores could not be computed.
    #[error(transparent)]
    Score(#[from] backtest::BacktestError),
    /// The cancel flag was raised: scores of a partial run would pass for
    /// the real ones, so none are given.
    #[error("stopped after {done} of {asked} samples")]
    Stopped {
        /// Samples done in the pass that stopped.
        done: u64,
        /// Samples asked for.
        asked: u64,
    },
}

/// The SCO's outcomes (`data/sco/backtest.toml`, embedded), checked
/// against `record` and `model`.
pub fn sco_outcomes(record: &Record, model: &Model) -> Result<Outcomes, BacktestRunError> {
    let (file, text) = crate::embedded::SCO_BACKTEST;
    crate::scenario::parse_outcomes(file, text, record, model).map_err(BacktestRunError::Outcomes)
}

/// Runs every model of [`MODELS`] and the calibrated headline on `base`
/// (a compiled scenario whose samples and seed are those of every pass) and
/// scores them on `outcomes`. `progress` receives the samples done over all
/// [`PASSES`] passes.
pub fn compute(
    record: &Record,
    model: &Model,
    base: &Compiled,
    outcomes: Outcomes,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Computed, BacktestRunError> {
    let samples = base.settings.samples;
    let seed = base.settings.seed;
    let rates = hazard::rates_for(record, model);
    // P(yes) of every question from one forecast.
    let probabilities = |report: &ForecastReport| {
        outcomes
            .outcome
            .iter()
            .map(|o| {
                backtest::probability(report, &rates, o).ok_or_else(|| BacktestRunError::MissingIssue(o.issue.clone()))
            })
            .collect::<Result<Vec<f64>, _>>()
    };
    let stopped = |partial: bool, done: u64| {
        if partial || cancel.load(Ordering::Relaxed) {
            Err(BacktestRunError::Stopped { done, asked: samples })
        } else {
            Ok(())
        }
    };
    let mut sets = Vec::new();
    let mut nothing_changes = Vec::new();
    let mut pass = 0u64;
    for (k, (label, dynamics, procedural)) in MODELS.into_iter().enumerate() {
        let mut scenario = base.scenario.clone();
        scenario.settings.dynamics = dynamics;
        scenario.settings.bargain = BargainChoice::Mean;
        scenario.settings.procedural = procedural;
        scenario.settings.samples = samples;
        let mut compiled =
            accord_analysis::compile(record, model, &scenario).map_err(|p| BacktestRunError::Compile {
                model: label.to_owned(),
                problems: p
                    .iter()
                    .map(|x| format!("{}: {}", x.path, x.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            })?;
        compiled.settings.samples = samples;
        compiled.settings.seed = seed;
        let offset = pass * samples;
        let report = forecast_scenario(&compiled, cancel, &|n| progress(offset + n))?;
        pass += 1;
        stopped(report.run.partial, report.run.samples_done)?;
        if k == 0 {
            nothing_changes = outcomes
                .outcome
                .iter()
                .map(|o| backtest::nothing_changes(&report, o).unwrap_or(0.0))
                .collect();
        }
        sets.push(ProbabilitySet {
            name: label.to_owned(),
            headline: false,
            p: probabilities(&report)?,
        });
    }
    // The headline: the scenario as given, with every validated model and its error.
    let offset = pass * samples;
    let mut report = forecast_scenario(base, cancel, &|n| progress(offset + n))?;
    pass += 1;
    stopped(report.run.partial, report.run.samples_done)?;
    let offset = pass * samples;
    crate::calibration::attach_calibrated(&mut report, base, None, cancel, &|n| progress(offset + n))?;
    stopped(
        report.calibration.as_ref().is_some_and(|c| c.partial),
        report.calibration.as_ref().map_or(samples, |c| c.samples),
    )?;
    sets.push(ProbabilitySet {
        name: HEADLINE.to_owned(),
        headline: true,
        p: probabilities(&report)?,
    });
    let mut backtest = backtest::score(&outcomes.outcome, &nothing_changes, &sets, &outcomes.left_out)?;
    backtest.table = Some(base.table.clone());
    Ok(Computed {
        backtest,
        outcomes,
        samples,
        seed,
        model_date: model.meta.date.to_string(),
    })
}

/// The embedded SCO baseline, compiled, with `samples` and `seed` (when
/// given) in place of the scenario's: what `accord backtest` scores.
pub fn sco_baseline(
    record: &Record,
    model: &Model,
    samples: Option<u64>,
    seed: Option<u64>,
) -> Result<Compiled, Vec<Diagnostic>> {
    let (name, text) = crate::embedded::SCO_SCENARIOS[0];
    let scenario = crate::scenario::parse_scenario(name, text)?;
    let mut c = accord_analysis::compile(record, model, &scenario)
        .map_err(|p| crate::scenario::locate_problems(name, text, &p))?;
    if let Some(n) = samples {
        c.settings.samples = n;
    }
    if let Some(s) = seed {
        c.settings.seed = s;
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancelled_backtest_gives_no_scores() {
        let (record, model) = crate::embedded::sco_record_and_model().unwrap();
        let base = sco_baseline(&record, &model, Some(4), Some(3)).unwrap();
        let outcomes = sco_outcomes(&record, &model).unwrap();
        let cancel = AtomicBool::new(true);
        let e = compute(&record, &model, &base, outcomes, &cancel, &|_| {}).unwrap_err();
        assert!(matches!(e, BacktestRunError::Stopped { asked: 4, .. }), "{e}");
    }

    #[test]
    fn every_question_is_scored_by_every_model_with_one_headline() {
        let (record, model) = crate::embedded::sco_record_and_model().unwrap();
        let base = sco_baseline(&record, &model, Some(4), Some(3)).unwrap();
        let outcomes = sco_outcomes(&record, &model).unwrap();
        let n = outcomes.outcome.len();
        let top = std::sync::atomic::AtomicU64::new(0);
        let c = compute(&record, &model, &base, outcomes, &AtomicBool::new(false), &|x| {
            top.fetch_max(x, Ordering::Relaxed);
        })
        .unwrap();
        assert_eq!((c.samples, c.seed), (4, 3));
        assert_eq!(c.backtest.questions.len(), n);
        assert_eq!(c.backtest.models.len(), MODELS.len() + 1);
        assert_eq!(c.backtest.models.iter().filter(|m| m.headline).count(), 1);
        // Progress runs past the first passes and never beyond the total.
        let top = top.into_inner();
        assert!(top > 4 * MODELS.len() as u64 && top <= 4 * PASSES, "{top}");
    }
}
