//! From (record, model, scenario) to the engine's uncertain issues.
//!
//! Rules, in the order they apply:
//! 1. Statuses are read from the record on the decision date (the scenario's
//!    `date`, else the model's), then the scenario's `[[membership]]` changes
//!    are applied. Actors whose status votes (for the SCO: members) are the
//!    voters; everyone with a stance bargains.
//! 2. `[[stance]]` changes override fields of existing stances or add new
//!    ones; `remove_actor` takes an actor out of every issue (its draws are
//!    kept so that the other draws stay common with the base).
//! 3. Each issue becomes an [`UncertainIssue`] on one dimension: positions as
//!    given (0–100), saliences divided by 100, capability = the actor's
//!    indicator × the stance's factor. The procedure is one chamber of the
//!    voters that have a stance on the issue: a member with no stake does not
//!    block. Consensus and unanimity are the unanimity rule; simple majority
//!    is counted by heads; qualified majority is not described by the record
//!    and is refused with an error.
//! 4. The model's `[[link]]`s become the engine's groups of linked issues
//!    (connected components), which the exchange model negotiates together.

use std::collections::{HashMap, HashSet};

use accord_core::{
    NaiveDate, OrgDecisionRule, Record, Sphere, Status,
    model::{Estimate, Model},
    query,
};
use accord_engine::{
    Chamber, Procedure, Voter, VotingRule,
    montecarlo::{Bounds, MonteCarloSettings, UncertainActor, UncertainIssue, UncertainModel, UncertainStance},
};
use serde::Serialize;

use crate::Scenario;

/// A problem with a scenario, located by field path (e.g. `stance[2].issue`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScenarioProblem {
    /// Field path in the scenario file.
    pub path: String,
    /// What is wrong and what would be valid.
    pub message: String,
}

/// What an issue looks like in a compiled scenario (point values, for reports).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompiledIssue {
    /// The issue's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its sphere.
    pub sphere: Sphere,
    /// Status quo, 0–100.
    pub status_quo: f64,
    /// Threshold of the reported probability.
    pub threshold: f64,
    /// The yes/no question the threshold answers.
    pub question: String,
    /// The actors taking part: (code, position, salience 0–100, votes).
    pub actors: Vec<(String, f64, f64, bool)>,
}

/// A scenario ready to run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Compiled {
    /// The scenario as read.
    pub scenario: Scenario,
    /// The deciding organization.
    pub org: String,
    /// The decision date.
    pub date: NaiveDate,
    /// Actors with a vote on that date (after the scenario's changes).
    pub voters: Vec<String>,
    /// The issues at their point values.
    pub issues: Vec<CompiledIssue>,
    /// What the Monte Carlo run draws from.
    pub model: UncertainModel,
    /// How it runs.
    pub settings: MonteCarloSettings,
}

fn bounds(e: Estimate, scale: f64) -> Bounds {
    Bounds {
        value: e.value / scale,
        low: e.low / scale,
        high: e.high / scale,
    }
}

/// Applies a scenario to a record and a model.
pub fn compile(record: &Record, model: &Model, scenario: &Scenario) -> Result<Compiled, Vec<ScenarioProblem>> {
    let mut problems = Vec::new();
    let mut problem = |path: String, message: String| problems.push(ScenarioProblem { path, message });
    let index = record.index();
    let org_id = model.meta.org.as_str();
    let Some(org) = index.organization(record, org_id) else {
        return Err(vec![ScenarioProblem {
            path: "scenario.base".into(),
            message: format!("the record has no organization {org_id}"),
        }]);
    };
    if scenario.scenario.base != "sco" {
        problem(
            "scenario.base".into(),
            format!(
                "unknown base model `{}`: the shipped model is `sco`",
                scenario.scenario.base
            ),
        );
    }
    let date = match &scenario.scenario.date {
        None => model.meta.date.first_day(),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|_| {
            problem("scenario.date".into(), format!("`{s}` is not a date: write YYYY-MM-DD"));
            model.meta.date.first_day()
        }),
    };

    // 1. Statuses on the date, then the scenario's changes.
    let mut status: HashMap<String, Status> = query::status_on(record, org_id, date)
        .into_iter()
        .map(|h| (h.actor.to_owned(), h.status))
        .collect();
    for (i, m) in scenario.membership.iter().enumerate() {
        if index.actor(record, &m.actor).is_none() {
            problem(format!("membership[{i}].actor"), format!("unknown actor `{}`", m.actor));
            continue;
        }
        if m.status == "none" {
            status.remove(&m.actor);
            continue;
        }
        match Status::ALL.iter().find(|s| s.as_str() == m.status) {
            Some(&s) if org.status_kind(s).is_some() => {
                status.insert(m.actor.clone(), s);
            }
            _ => {
                let granted: Vec<&str> = org.statuses.iter().map(|s| s.kind.as_str()).collect();
                problem(
                    format!("membership[{i}].status"),
                    format!(
                        "`{}` is not a status {org_id} grants ({}, or none)",
                        m.status,
                        granted.join(", ")
                    ),
                );
            }
        }
    }
    let votes = |actor: &str| {
        status
            .get(actor)
            .and_then(|s| org.status_kind(*s))
            .is_some_and(|k| k.vote)
    };
    let mut voters: Vec<String> = status.keys().filter(|a| votes(a)).cloned().collect();
    voters.sort();
    let voting_rule = match org.decision_rule {
        OrgDecisionRule::Consensus | OrgDecisionRule::Unanimity => Some(VotingRule::Unanimity),
        OrgDecisionRule::SimpleMajority => Some(VotingRule::SimpleMajority),
        OrgDecisionRule::QualifiedMajority => {
            problem(
                "settings.procedural".into(),
                format!(
                    "{org_id} decides by qualified majority, whose weights the record does not give: set procedural = false"
                ),
            );
            None
        }
    };

    // 2. Stances with the scenario's changes.
    let removed: HashSet<&str> = scenario.remove_actor.iter().map(String::as_str).collect();
    for (i, a) in scenario.remove_actor.iter().enumerate() {
        if !model.stances.iter().any(|s| s.actor.as_str() == a) {
            problem(
                format!("remove_actor[{i}]"),
                format!("`{a}` has no stance in the model"),
            );
        }
    }
    let mut stances: Vec<accord_core::model::StanceDef> = model.stances.clone();
    for (i, c) in scenario.stance.iter().enumerate() {
        if !model.issues.iter().any(|x| x.id.as_str() == c.issue) {
            problem(format!("stance[{i}].issue"), format!("unknown issue `{}`", c.issue));
            continue;
        }
        let existing = stances
            .iter_mut()
            .find(|s| s.actor.as_str() == c.actor && s.issue.as_str() == c.issue);
        let target = match existing {
            Some(s) => s,
            None => {
                let (Some(p), Some(s)) = (c.position, c.salience) else {
                    problem(
                        format!("stance[{i}]"),
                        format!(
                            "`{}` has no stance on `{}`: a new stance needs position and salience",
                            c.actor, c.issue
                        ),
                    );
                    continue;
                };
                let Ok(actor) = accord_core::ActorId::new(&c.actor) else {
                    problem(
                        format!("stance[{i}].actor"),
                        format!("`{}` is not an actor code", c.actor),
                    );
                    continue;
                };
                if index.actor(record, &c.actor).is_none() || !model.capabilities.iter().any(|k| k.actor == actor) {
                    problem(
                        format!("stance[{i}].actor"),
                        format!(
                            "`{}` needs an actor in the record and a capability in the model",
                            c.actor
                        ),
                    );
                    continue;
                }
                stances.push(accord_core::model::StanceDef {
                    actor,
                    issue: accord_core::EntryId::new(&c.issue).expect("checked against the model's issues"),
                    position: Estimate::exact(p),
                    salience: Estimate::exact(s),
                    capability_factor: None,
                    basis: c.basis.clone(),
                    evidence: accord_core::model::Evidence::Scenario,
                    provenance: Default::default(),
                });
                stances.last_mut().expect("just pushed")
            }
        };
        let set = |e: &mut Estimate, v: Option<f64>, lo: Option<f64>, hi: Option<f64>| {
            if let Some(v) = v {
                // A new point value without a new range keeps the range's width around it.
                let (dl, dh) = (e.value - e.low, e.high - e.value);
                *e = Estimate {
                    value: v,
                    low: (v - dl).max(0.0),
                    high: (v + dh).min(100.0),
                };
            }
            if let Some(lo) = lo {
                e.low = lo;
            }
            if let Some(hi) = hi {
                e.high = hi;
            }
        };
        set(&mut target.position, c.position, c.position_low, c.position_high);
        set(&mut target.salience, c.salience, c.salience_low, c.salience_high);
        if c.capability_factor.is_some() {
            target.capability_factor = c.capability_factor;
        }
        target.basis = format!("{} — scenario: {}", target.basis, c.basis);
        for (field, e) in [("position", target.position), ("salience", target.salience)] {
            if !(e.is_consistent() && (0.0..=100.0).contains(&e.low) && (0.0..=100.0).contains(&e.high)) {
                problem(
                    format!("stance[{i}].{field}"),
                    format!(
                        "the {field} range [{}, {}] must hold {} within 0–100",
                        e.low, e.high, e.value
                    ),
                );
            }
        }
    }

    let mut status_quo: HashMap<&str, f64> = model.issues.iter().map(|i| (i.id.as_str(), i.status_quo)).collect();
    for (i, c) in scenario.issue.iter().enumerate() {
        match status_quo.get_mut(c.id.as_str()) {
            None => problem(format!("issue[{i}].id"), format!("unknown issue `{}`", c.id)),
            Some(_) if !(0.0..=100.0).contains(&c.status_quo) => problem(
                format!("issue[{i}].status_quo"),
                "the status quo must lie on the 0–100 scale".into(),
            ),
            Some(sq) => *sq = c.status_quo,
        }
    }

    // 3. The engine's view.
    let mut actors: Vec<UncertainActor> = Vec::new();
    let mut actor_index: HashMap<&str, usize> = HashMap::new();
    for cap in &model.capabilities {
        actor_index.insert(cap.actor.as_str(), actors.len());
        actors.push(UncertainActor {
            id: cap.actor.to_string(),
            capability: bounds(cap.estimate, 1.0),
        });
    }
    let mut issues = Vec::new();
    let mut compiled_issues = Vec::new();
    for issue in &model.issues {
        let mut u_stances = Vec::new();
        let mut shown = Vec::new();
        let mut chamber_voters = Vec::new();
        for s in stances.iter().filter(|s| s.issue == issue.id) {
            let Some(&a) = actor_index.get(s.actor.as_str()) else {
                continue;
            };
            let active = !removed.contains(s.actor.as_str());
            if active {
                let votes = votes(s.actor.as_str());
                if votes {
                    chamber_voters.push(Voter {
                        actor: shown.len(),
                        weight: 1.0,
                        population: 0.0,
                    });
                }
                shown.push((s.actor.to_string(), s.position.value, s.salience.value, votes));
            }
            u_stances.push(UncertainStance {
                actor: a,
                position: vec![bounds(s.position, 1.0)],
                salience: vec![bounds(s.salience, 100.0)],
                capability_factor: s.capability_factor.unwrap_or(1.0),
                active,
            });
        }
        let procedure = voting_rule.clone().map(|rule| Procedure {
            chambers: vec![Chamber {
                name: format!("{org_id} member states"),
                voters: chamber_voters,
                rule,
            }],
        });
        issues.push(UncertainIssue {
            id: issue.id.to_string(),
            dimensions: 1,
            status_quo: Some(vec![status_quo[issue.id.as_str()]]),
            stances: u_stances,
            procedure,
            threshold: issue.threshold,
            scale: (0.0, 100.0),
        });
        compiled_issues.push(CompiledIssue {
            id: issue.id.to_string(),
            name: issue.name.clone(),
            sphere: issue.sphere,
            status_quo: status_quo[issue.id.as_str()],
            threshold: issue.threshold,
            question: issue.question.clone(),
            actors: shown,
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let s = &scenario.settings;
    Ok(Compiled {
        scenario: scenario.clone(),
        org: org_id.to_owned(),
        date,
        voters,
        issues: compiled_issues,
        model: UncertainModel {
            actors,
            issues,
            // Issue k of the engine's model is issue k of the model file.
            links: model.link_groups(),
        },
        settings: MonteCarloSettings {
            samples: s.samples,
            seed: s.seed,
            distribution: s.distribution(),
            model: s.model(),
        },
    })
}
