//! Package deals: what the exchange model does with a scenario's linked
//! issues at the point values, against the one-issue-at-a-time forecast.
//!
//! For every group of linked issues (`[[link]]`, see
//! `docs/models/exchange.md`) the exchange model runs on the point values
//! of the inputs; the exchanges it realises are listed (who moved, on which
//! issue, from where to where, what each gained), and each issue's outcome
//! under the scenario's decision rule is given twice: on the positions as
//! given (one issue at a time, no exchange) and on the positions after the
//! exchanges. The exchange settings are the scenario's when its dynamics is
//! the exchange model, the defaults otherwise.

use accord_engine::{
    Dynamics, ModelSettings,
    exchange::{Exchange, ExchangeSettings},
    forecast_group,
};
use serde::Serialize;

use crate::Compiled;

/// The exchanges of one group of linked issues.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackageDeal {
    /// The linked issues' ids, in model order.
    pub issues: Vec<String>,
    /// The exchanges realised, in order.
    pub exchanges: Vec<Exchange>,
}

/// What the exchanges changed on one issue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackageChange {
    /// The issue's id.
    pub id: String,
    /// The outcome one issue at a time (positions as given, same rule).
    pub alone: Option<f64>,
    /// The outcome after the exchanges.
    pub with_exchanges: Option<f64>,
    /// Why either is missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Package deals of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackageReport {
    /// The exchange model's settings.
    pub settings: ExchangeSettings,
    /// The seed of the decision rule's runs (rules are deterministic; kept
    /// for tracing).
    pub seed: u64,
    /// One entry per group of linked issues.
    pub deals: Vec<PackageDeal>,
    /// Per linked issue, the outcome alone and with the exchanges.
    pub changes: Vec<PackageChange>,
}

/// The package deals of a compiled scenario at its point values; `None`
/// when the model links no issues.
pub fn packages(c: &Compiled) -> Option<PackageReport> {
    if c.model.links.is_empty() {
        return None;
    }
    let settings = match &c.settings.model.dynamics {
        Dynamics::Exchange(s) => s.clone(),
        _ => ExchangeSettings::default(),
    };
    let rule = c.settings.model.rule.clone();
    let with = ModelSettings {
        dynamics: Dynamics::Exchange(settings.clone()),
        rule: rule.clone(),
    };
    let alone = ModelSettings {
        dynamics: Dynamics::None,
        rule,
    };
    let point = c.model.point();
    let seed = c.settings.seed;
    let mut deals = Vec::new();
    let mut changes = Vec::new();
    for group in c.model.units().into_iter().filter(|u| u.len() > 1) {
        let issues: Vec<&accord_engine::Issue> = group.iter().map(|&i| &point.issues[i]).collect();
        let exchanged = forecast_group(&issues, &with, seed);
        let single = forecast_group(&issues, &alone, seed);
        for ((issue, w), a) in issues.iter().zip(&exchanged.forecasts).zip(&single.forecasts) {
            let error = match (w, a) {
                (Err(e), _) | (_, Err(e)) => Some(e.to_string()),
                _ => None,
            };
            changes.push(PackageChange {
                id: issue.id.clone(),
                alone: a.as_ref().ok().map(|f| f.outcome[0]),
                with_exchanges: w.as_ref().ok().map(|f| f.outcome[0]),
                error,
            });
        }
        deals.push(PackageDeal {
            issues: issues.iter().map(|i| i.id.clone()).collect(),
            exchanges: exchanged.exchanges,
        });
    }
    Some(PackageReport {
        settings,
        seed,
        deals,
        changes,
    })
}
