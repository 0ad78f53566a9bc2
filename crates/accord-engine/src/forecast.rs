//! Composition of dynamics and decision rule: the engine's main entry point.

use serde::{Deserialize, Serialize};

use crate::{EngineError, History, Issue, eum, rules::DecisionRule, smp};

/// How positions move before the decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Dynamics {
    /// Positions do not move: the decision rule sees the stances as given.
    None,
    /// KTAB's Spatial Model of Politics (`docs/models/smp.md`).
    Smp(smp::SmpSettings),
    /// Bueno de Mesquita's expected utility model (`docs/models/eum.md`).
    Eum(eum::EumSettings),
}

/// A complete model: dynamics followed by a decision rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSettings {
    /// How positions move before the decision.
    pub dynamics: Dynamics,
    /// How the final positions become an outcome.
    pub rule: DecisionRule,
}

/// The result of one model run on one issue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    /// The predicted outcome, one coordinate per dimension.
    pub outcome: Vec<f64>,
    /// Every state the dynamics went through.
    pub history: History,
}

/// Runs the dynamics on an issue. `seed` drives any random choice the
/// dynamics make (SMP's stochastic transitions); deterministic settings
/// ignore it.
pub fn run_dynamics(issue: &Issue, dynamics: &Dynamics, seed: u64) -> Result<History, EngineError> {
    issue.validate()?;
    match dynamics {
        Dynamics::None => Ok(History::static_of(issue)),
        Dynamics::Smp(settings) => smp::run(issue, settings, seed).map(|run| run.history),
        Dynamics::Eum(settings) => eum::run(issue, settings).map(|run| run.history),
    }
}

/// Runs dynamics then the decision rule: the forecast of one issue.
pub fn forecast(issue: &Issue, settings: &ModelSettings, seed: u64) -> Result<Forecast, EngineError> {
    let history = run_dynamics(issue, &settings.dynamics, seed)?;
    let outcome = crate::rules::decide(issue, history.final_positions(), &settings.rule)?;
    Ok(Forecast { outcome, history })
}

/// The outcome of [`forecast`] alone — `forecast(issue, settings, seed)?.outcome`
/// bit for bit — without building the dynamics' history where a dynamics
/// has a shortcut (EUM: final positions only). Used by the Monte Carlo.
pub fn forecast_outcome(issue: &Issue, settings: &ModelSettings, seed: u64) -> Result<Vec<f64>, EngineError> {
    match &settings.dynamics {
        Dynamics::Eum(eum_settings) => {
            let positions = eum::final_positions(issue, eum_settings)?;
            crate::rules::decide(issue, &positions, &settings.rule)
        }
        _ => forecast(issue, settings, seed).map(|f| f.outcome),
    }
}
