//! Composition of dynamics and decision rule: the engine's main entry point.

use serde::{Deserialize, Serialize};

use crate::{EngineError, History, Issue, eum, exchange, rules::DecisionRule, smp};

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
    /// Stokman and Van Oosten's exchange model across linked issues
    /// (`docs/models/exchange.md`). On an issue run alone it realises no
    /// exchange; run a group with [`forecast_group`].
    Exchange(exchange::ExchangeSettings),
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
        Dynamics::Exchange(settings) => {
            let mut run = exchange::run(&[issue], settings)?;
            Ok(run.histories.swap_remove(0))
        }
    }
}

/// The dynamics run over a group of linked issues.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupDynamics {
    /// One history per issue of the group (same order), or why there is none.
    pub histories: Vec<Result<History, EngineError>>,
    /// The exchanges realised (empty unless the dynamics is the exchange model).
    pub exchanges: Vec<exchange::Exchange>,
}

/// Runs the dynamics over a group of linked issues. The exchange model
/// negotiates the group's valid issues together (an invalid issue keeps its
/// error and stays out of the exchanges); every other dynamics runs each
/// issue alone, exactly as [`run_dynamics`] does.
pub fn run_dynamics_group(issues: &[&Issue], dynamics: &Dynamics, seed: u64) -> GroupDynamics {
    let Dynamics::Exchange(settings) = dynamics else {
        return GroupDynamics {
            histories: issues.iter().map(|i| run_dynamics(i, dynamics, seed)).collect(),
            exchanges: Vec::new(),
        };
    };
    let checks: Vec<Result<(), EngineError>> = issues.iter().map(|i| i.validate()).collect();
    let valid: Vec<&Issue> = issues
        .iter()
        .zip(&checks)
        .filter(|(_, c)| c.is_ok())
        .map(|(i, _)| *i)
        .collect();
    match exchange::run(&valid, settings) {
        Ok(run) => {
            let mut runs = run.histories.into_iter();
            GroupDynamics {
                histories: checks
                    .into_iter()
                    .map(|c| {
                        c.and_then(|()| {
                            runs.next()
                                .ok_or_else(|| EngineError::InvalidInput("lost history".into()))
                        })
                    })
                    .collect(),
                exchanges: run.exchanges,
            }
        }
        Err(e) => GroupDynamics {
            histories: checks.into_iter().map(|c| c.and(Err(e.clone()))).collect(),
            exchanges: Vec::new(),
        },
    }
}

/// Forecasts of a group of linked issues, with the exchanges realised.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupForecast {
    /// One forecast per issue of the group (same order), or why there is none.
    pub forecasts: Vec<Result<Forecast, EngineError>>,
    /// The exchanges realised.
    pub exchanges: Vec<exchange::Exchange>,
}

/// Runs the dynamics over a group of linked issues, then the decision rule
/// on each issue. For dynamics other than the exchange model this is
/// [`forecast`] issue by issue.
pub fn forecast_group(issues: &[&Issue], settings: &ModelSettings, seed: u64) -> GroupForecast {
    let group = run_dynamics_group(issues, &settings.dynamics, seed);
    let forecasts = issues
        .iter()
        .zip(group.histories)
        .map(|(issue, history)| {
            let history = history?;
            let outcome = crate::rules::decide(issue, history.final_positions(), &settings.rule)?;
            Ok(Forecast { outcome, history })
        })
        .collect();
    GroupForecast {
        forecasts,
        exchanges: group.exchanges,
    }
}

/// The outcomes of [`forecast_group`] alone; for dynamics other than the
/// exchange model, [`forecast_outcome`] issue by issue (bit for bit).
pub fn forecast_group_outcomes(
    issues: &[&Issue],
    settings: &ModelSettings,
    seed: u64,
) -> Vec<Result<Vec<f64>, EngineError>> {
    match settings.dynamics {
        Dynamics::Exchange(_) => forecast_group(issues, settings, seed)
            .forecasts
            .into_iter()
            .map(|f| f.map(|f| f.outcome))
            .collect(),
        _ => issues.iter().map(|i| forecast_outcome(i, settings, seed)).collect(),
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
