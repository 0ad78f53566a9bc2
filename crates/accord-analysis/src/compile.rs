//! From (record, model, scenario) to the engine's uncertain issues.
//!
//! Rules, in the order they apply:
//! 1. Statuses are read from the record on the decision date (the scenario's
//!    `date`, else the model's), then the scenario's `[[membership]]` changes
//!    are applied. Actors whose status votes (for the SCO: members) are the
//!    voters. The bargaining table (`docs/models/table.md`) is the actors
//!    whose status bargains (the record's `bargain` of each status kind; for
//!    the SCO only members), plus whatever the scenario's `[table]` adds.
//!    Everyone else with a stance (observers, partners, outsiders) is shown
//!    "not at the table" and has no weight: its stance is drawn but inactive.
//! 2. `[[stance]]` changes override fields of existing stances or add new
//!    ones; `remove_actor` takes an actor out of every issue (its draws are
//!    kept so that the other draws stay common with the base).
//! 3. Each issue becomes an [`UncertainIssue`] on one dimension: positions as
//!    given (0–100), saliences divided by 100, capability = the actor's
//!    indicator (or 1 for every actor when the scenario chooses `equal`
//!    capabilities) × the stance's factor. The procedure is one chamber of the
//!    voters that have a stance on the issue: a member with no stake does not
//!    block. Consensus and unanimity are the unanimity rule; simple majority
//!    is counted by heads; qualified majority is not described by the record
//!    and is refused with an error.
//! 4. The model's `[[link]]`s become the engine's groups of linked issues
//!    (connected components), which the exchange model negotiates together.
//! 5. An issue is a *given* of the scenario ([`given_reason`]) when the
//!    scenario sets its status quo, or sets the positions of actors holding
//!    at least half of the issue's weight at the table: its forecast then
//!    replays the scenario's input and is never reported as a finding.

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
use serde::{Deserialize, Serialize};

use crate::{
    Scenario,
    scenario::{CapabilityChoice, CapabilityOverride},
};

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
    /// The actors at the bargaining table: (code, position, salience 0–100, votes).
    pub actors: Vec<(String, f64, f64, bool)>,
    /// Actors with a stance who are not at the table (no weight in the
    /// bargain): (code, position, salience 0–100, their status or `none`).
    pub outside: Vec<(String, f64, f64, String)>,
    /// Why the issue is a given of the scenario (its status quo or its
    /// decisive positions are set by the scenario), if it is.
    pub given: Option<String>,
}

/// Who bargains, and with which capabilities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// Statuses whose holders bargain, by the record's rules.
    pub statuses: Vec<String>,
    /// Actors at the table on the decision date (after the scenario's changes).
    pub bargainers: Vec<String>,
    /// How the scenario widened the table, if it did (shown in every output).
    pub widened: Option<String>,
    /// The capability measure and what it is.
    pub capabilities: CapabilityChoice,
    /// Issues weighed by another measure, with the scenario's basis.
    pub overrides: Vec<CapabilityOverride>,
    /// One line for headers: the table and the capability measure.
    pub description: String,
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
    /// The bargaining table and the capability measure.
    pub table: Table,
    /// The issues at their point values.
    pub issues: Vec<CompiledIssue>,
    /// What the Monte Carlo run draws from.
    pub model: UncertainModel,
    /// How it runs.
    pub settings: MonteCarloSettings,
}

/// An actor's capability under a measure: the model's indicator (CINC), 1
/// for equal capabilities, or its sourced figure on GDP or population
/// (`None` when the model has none).
fn capability_of(cap: &accord_core::model::Capability, choice: CapabilityChoice) -> Option<Estimate> {
    match choice.measure() {
        None if choice == CapabilityChoice::Equal => Some(Estimate {
            value: 1.0,
            low: 1.0,
            high: 1.0,
        }),
        None => Some(cap.estimate),
        Some(m) => cap.figure(m).map(|f| f.estimate),
    }
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
    // The base is the model being served: the shipped SCO model (`sco`, the
    // default) or a data folder's, named by its organization in lower case.
    let own_base = org_id.to_ascii_lowercase();
    if scenario.scenario.base != "sco" && scenario.scenario.base != own_base {
        problem(
            "scenario.base".into(),
            format!(
                "unknown base model `{}`: the shipped model is `sco`, this data folder's is `{own_base}`",
                scenario.scenario.base
            ),
        );
    }
    let extended;
    let model = if scenario.new_issue.is_empty() {
        model
    } else {
        extended = with_new_issues(model, scenario, &mut problem);
        &extended
    };
    let bad_values = validate(record, model, scenario, &mut problem);
    let date = match &scenario.scenario.date {
        None => model.meta.date.first_day(),
        Some(s) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) if d < org.founded.first_day() => {
                problem(
                    "scenario.date".into(),
                    format!(
                        "{d} is before {org_id} was founded ({}): nobody could decide then; give a date \
                         from {} on",
                        org.founded, org.founded
                    ),
                );
                d
            }
            Ok(d) => d,
            Err(_) => {
                problem("scenario.date".into(), format!("`{s}` is not a date: write YYYY-MM-DD"));
                model.meta.date.first_day()
            }
        },
    };

    // 1. Statuses on the date, then the scenario's changes.
    let mut status: HashMap<String, Status> = query::status_on(record, org_id, date)
        .into_iter()
        .map(|h| (h.actor.to_owned(), h.status))
        .collect();
    for (i, m) in scenario.membership.iter().enumerate() {
        if index.actor(record, &m.actor).is_none() {
            problem(
                format!("membership[{i}].actor"),
                format!(
                    "unknown actor `{}`{}",
                    m.actor,
                    accord_core::suggest::did_you_mean(&m.actor, record.actors.iter().map(|a| a.id.as_str()))
                ),
            );
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

    // The table: statuses that bargain by the record, widened by the scenario.
    let mut table_statuses: Vec<Status> = org.statuses.iter().filter(|k| k.bargain).map(|k| k.kind).collect();
    let mut seated: HashSet<String> = HashSet::new();
    if let Some(t) = &scenario.table {
        for (i, k) in t.statuses.iter().enumerate() {
            match Status::ALL.iter().find(|s| s.as_str() == k) {
                Some(&s) if org.status_kind(s).is_some() => {
                    if !table_statuses.contains(&s) {
                        table_statuses.push(s);
                    }
                }
                _ => {
                    let granted: Vec<&str> = org.statuses.iter().map(|s| s.kind.as_str()).collect();
                    problem(
                        format!("table.statuses[{i}]"),
                        format!("`{k}` is not a status {org_id} grants ({})", granted.join(", ")),
                    );
                }
            }
        }
        for (i, a) in t.actors.iter().enumerate() {
            if index.actor(record, a).is_none() || !model.capabilities.iter().any(|k| k.actor.as_str() == a) {
                problem(
                    format!("table.actors[{i}]"),
                    format!("`{a}` needs an actor in the record and a capability in the model"),
                );
            } else {
                seated.insert(a.clone());
            }
        }
        if t.basis.trim().is_empty() {
            problem(
                "table.basis".into(),
                "a scenario that widens the bargaining table must say why (basis)".into(),
            );
        }
    }
    // Per-issue capability measures: the issue must exist, once, with a basis.
    let mut overridden: HashSet<&str> = HashSet::new();
    for (i, o) in scenario.capability_override.iter().enumerate() {
        if !model.issues.iter().any(|x| x.id.as_str() == o.issue) {
            let ids: Vec<&str> = model.issues.iter().map(|x| x.id.as_str()).collect();
            problem(
                format!("capability_override[{i}].issue"),
                format!(
                    "unknown issue `{}`{}",
                    o.issue,
                    accord_core::suggest::did_you_mean(&o.issue, ids.iter().copied())
                ),
            );
        } else if !overridden.insert(o.issue.as_str()) {
            problem(
                format!("capability_override[{i}].issue"),
                format!(
                    "a second capability override for `{}`: an issue has one measure",
                    o.issue
                ),
            );
        }
        if o.basis.trim().is_empty() {
            problem(
                format!("capability_override[{i}].basis"),
                "say why this issue is weighed by another capability measure (basis)".into(),
            );
        }
    }
    let status_of = |actor: &str| status.get(actor).map_or("none", |s| s.as_str());
    let bargains = |actor: &str| {
        votes(actor) || seated.contains(actor) || status.get(actor).is_some_and(|s| table_statuses.contains(s))
    };
    let mut bargainers: Vec<String> = model
        .capabilities
        .iter()
        .map(|k| k.actor.to_string())
        .filter(|a| bargains(a))
        .collect();
    bargainers.sort();
    bargainers.dedup();
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
                format!(
                    "`{a}` has no stance in the model{}",
                    accord_core::suggest::did_you_mean(a, model.stances.iter().map(|s| s.actor.as_str()))
                ),
            );
        }
    }
    let mut stances: Vec<accord_core::model::StanceDef> = model.stances.clone();
    for (i, c) in scenario.stance.iter().enumerate() {
        if !model.issues.iter().any(|x| x.id.as_str() == c.issue) {
            problem(
                format!("stance[{i}].issue"),
                format!(
                    "unknown issue `{}`{}",
                    c.issue,
                    accord_core::suggest::did_you_mean(&c.issue, model.issues.iter().map(|x| x.id.as_str()))
                ),
            );
            continue;
        }
        if bad_values.contains(&i) {
            continue; // already reported by `validate`
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
            None => problem(
                format!("issue[{i}].id"),
                format!(
                    "unknown issue `{}`{}",
                    c.id,
                    accord_core::suggest::did_you_mean(&c.id, model.issues.iter().map(|x| x.id.as_str()))
                ),
            ),
            Some(_) if !(0.0..=100.0).contains(&c.status_quo) => problem(
                format!("issue[{i}].status_quo"),
                "the status quo must lie on the 0–100 scale".into(),
            ),
            Some(sq) => *sq = c.status_quo,
        }
    }

    // 3. The engine's view. One set of actors per capability measure in
    // use: the scenario's first, then each other measure an override names
    // (appended, so that the draws of the first set are those of a scenario
    // without overrides). A stance points into the set of its issue's measure.
    let measure_of = |issue: &str| {
        scenario
            .capability_override
            .iter()
            .find(|o| o.issue == issue)
            .map_or(scenario.settings.capabilities, |o| o.measure)
    };
    let mut measure_sets: Vec<CapabilityChoice> = vec![scenario.settings.capabilities];
    for o in &scenario.capability_override {
        if !measure_sets.contains(&o.measure) {
            measure_sets.push(o.measure);
        }
    }
    let per_set = model.capabilities.len();
    let mut actors: Vec<UncertainActor> = Vec::new();
    let mut actor_index: HashMap<&str, usize> = HashMap::new();
    for choice in &measure_sets {
        for (k, cap) in model.capabilities.iter().enumerate() {
            actor_index.entry(cap.actor.as_str()).or_insert(k);
            actors.push(UncertainActor {
                id: cap.actor.to_string(),
                // An actor without a figure on the measure has no stance at
                // the table on its issues (checked below); its placeholder
                // is never used.
                capability: capability_of(cap, *choice).map_or(Bounds::exact(1.0), |e| bounds(e, 1.0)),
            });
        }
    }
    // Measure → actors at the table without a figure, with their issues.
    let mut unavailable: Vec<(CapabilityChoice, String, String)> = Vec::new();
    let mut issues = Vec::new();
    let mut compiled_issues = Vec::new();
    for issue in &model.issues {
        let mut u_stances = Vec::new();
        let mut shown = Vec::new();
        let mut outside = Vec::new();
        let mut chamber_voters = Vec::new();
        let choice = measure_of(issue.id.as_str());
        let set = measure_sets.iter().position(|m| *m == choice).unwrap_or(0);
        for s in stances.iter().filter(|s| s.issue == issue.id) {
            let Some(&a) = actor_index.get(s.actor.as_str()) else {
                continue;
            };
            let present = !removed.contains(s.actor.as_str());
            let active = present && bargains(s.actor.as_str());
            if active && capability_of(&model.capabilities[a], choice).is_none() {
                unavailable.push((choice, s.actor.to_string(), issue.id.to_string()));
            }
            let a = a + set * per_set;
            if present && !active {
                outside.push((
                    s.actor.to_string(),
                    s.position.value,
                    s.salience.value,
                    status_of(s.actor.as_str()).to_owned(),
                ));
            }
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
        // Under consensus every voting member holds a veto: moving one moves the outcome.
        let veto = scenario.settings.procedural && matches!(voting_rule, Some(VotingRule::Unanimity));
        // An added issue's stances are the scenario's estimates of it, not
        // changes of the model's: it is never a given for having them.
        let added = scenario.new_issue.iter().any(|n| n.id == issue.id.as_str());
        let given = (!added)
            .then(|| {
                given_reason(scenario, issue.id.as_str(), issue.status_quo, &shown, veto, |actor| {
                    let cap = model
                        .capabilities
                        .iter()
                        .find(|k| k.actor.as_str() == actor)
                        .and_then(|k| capability_of(k, choice))
                        .map_or(0.0, |e| e.value);
                    let factor = stances
                        .iter()
                        .find(|s| s.actor.as_str() == actor && s.issue == issue.id)
                        .and_then(|s| s.capability_factor)
                        .unwrap_or(1.0);
                    cap * factor
                })
            })
            .flatten();
        compiled_issues.push(CompiledIssue {
            id: issue.id.to_string(),
            name: issue.name.clone(),
            sphere: issue.sphere,
            status_quo: status_quo[issue.id.as_str()],
            threshold: issue.threshold,
            question: issue.question.clone(),
            actors: shown,
            outside,
            given,
        });
    }
    // A measure is unavailable where an actor at the table has no sourced figure.
    for choice in &measure_sets {
        let missing: Vec<&(CapabilityChoice, String, String)> =
            unavailable.iter().filter(|(c, _, _)| c == choice).collect();
        if missing.is_empty() {
            continue;
        }
        let mut who: Vec<&str> = missing.iter().map(|(_, a, _)| a.as_str()).collect();
        who.sort_unstable();
        who.dedup();
        let mut on: Vec<&str> = missing.iter().map(|(_, _, i)| i.as_str()).collect();
        on.sort_unstable();
        on.dedup();
        let path = if *choice == scenario.settings.capabilities && on.iter().any(|i| !overridden.contains(i)) {
            "settings.capabilities".to_string()
        } else {
            scenario
                .capability_override
                .iter()
                .position(|o| o.measure == *choice && on.contains(&o.issue.as_str()))
                .map_or("settings.capabilities".to_string(), |k| {
                    format!("capability_override[{k}].measure")
                })
        };
        problem(
            path,
            format!(
                "capabilities `{}` ({}) are unavailable: the model has no sourced figure for {} (at the table on {}); \
                 choose `cinc` or `equal`, or add `[capability.{}]` figures with a source to the model",
                choice.key(),
                choice.describe(),
                who.join(", "),
                on.join(", "),
                choice.measure().map_or("gdp", |m| m.key()),
            ),
        );
    }
    // Before the founding nobody votes; that problem is already reported.
    let founded = date >= org.founded.first_day();
    nothing_to_forecast(
        &issues,
        &scenario.new_issue,
        &voters,
        &removed,
        org_id,
        date,
        founded,
        &mut problem,
    );
    if !problems.is_empty() {
        return Err(problems);
    }
    let s = &scenario.settings;
    let mut statuses: Vec<String> = table_statuses.iter().map(|k| k.as_str().to_owned()).collect();
    statuses.sort();
    let widened = scenario.table.as_ref().map(|t| {
        let mut added: Vec<String> = t.statuses.iter().map(|k| format!("all {k}s")).collect();
        added.extend(t.actors.iter().cloned());
        format!("the scenario seats {} at the table: {}", added.join(", "), t.basis)
    });
    let overrides: Vec<CapabilityOverride> = scenario.capability_override.clone();
    let description = format!(
        "bargaining table: {} ({}){}; capabilities: {}{}",
        statuses.join(", "),
        bargainers.join(", "),
        if widened.is_some() {
            ", widened by the scenario"
        } else {
            ""
        },
        s.capabilities.describe(),
        overrides
            .iter()
            .map(|o| format!("; on {}: {} ({})", o.issue, o.measure.describe(), o.basis))
            .collect::<String>()
    );
    let table = Table {
        statuses,
        bargainers,
        widened,
        capabilities: s.capabilities,
        overrides,
        description,
    };
    Ok(Compiled {
        scenario: scenario.clone(),
        org: org_id.to_owned(),
        date,
        voters,
        table,
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

/// The most issues one scenario may add: 100 (the SCO model has 18; each
/// added issue is a Monte Carlo unit of work).
pub const MAX_NEW_ISSUES: usize = 100;

/// The model with the scenario's `[[new_issue]]`s appended (after the
/// model's own, so that issue k of the model stays issue k), each checked:
/// a new id, a known sphere, status quo and threshold on the 0–100 scale, a
/// question and a basis, and a scale (when given) describing 0, 50 and 100.
fn with_new_issues(model: &Model, scenario: &Scenario, problem: &mut impl FnMut(String, String)) -> Model {
    let mut out = model.clone();
    if scenario.new_issue.len() > MAX_NEW_ISSUES {
        problem(
            "new_issue".into(),
            format!(
                "{} new issues: a scenario adds at most {MAX_NEW_ISSUES}",
                scenario.new_issue.len()
            ),
        );
        return out;
    }
    let on_scale = |v: f64| (0.0..=100.0).contains(&v);
    for (i, n) in scenario.new_issue.iter().enumerate() {
        let mut ok = true;
        let mut bad = |field: &str, message: String| {
            problem(format!("new_issue[{i}].{field}"), message);
            ok = false;
        };
        let id = accord_core::EntryId::new(&n.id);
        if id.is_err()
            || !n
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            bad(
                "id",
                format!("`{}` is not an issue id: use lower-case letters, digits and '-'", n.id),
            );
        } else if out.issues.iter().any(|x| x.id.as_str() == n.id) {
            bad(
                "id",
                format!("an issue `{}` already exists: give the new issue another id", n.id),
            );
        }
        let sphere = Sphere::ALL.into_iter().find(|s| s.as_str() == n.sphere);
        if sphere.is_none() {
            let names: Vec<&str> = Sphere::ALL.iter().map(|s| s.as_str()).collect();
            bad(
                "sphere",
                format!("`{}` is not a sphere: write one of {}", n.sphere, names.join(", ")),
            );
        }
        for (field, text) in [("name", &n.name), ("question", &n.question), ("basis", &n.basis)] {
            if text.trim().is_empty() {
                bad(field, format!("the new issue needs a {field}"));
            }
        }
        for (field, v) in [("status_quo", n.status_quo), ("threshold", n.threshold)] {
            if !on_scale(v) {
                bad(field, format!("{v} is off the scale: the {field} lies on 0–100"));
            }
        }
        if !n.scale.is_empty() {
            for end in [0.0, 50.0, 100.0] {
                if !n.scale.iter().any(|p| p.at == end) {
                    bad(
                        "scale",
                        format!("describe what {end} means on the scale ([[new_issue.scale]] at = {end})"),
                    );
                }
            }
            for (j, p) in n.scale.iter().enumerate() {
                if !on_scale(p.at) {
                    bad(
                        &format!("scale[{j}].at"),
                        format!("{} is off the scale: points lie on 0–100", p.at),
                    );
                } else if n.scale[..j].iter().any(|q| q.at == p.at) {
                    bad(
                        &format!("scale[{j}].at"),
                        format!("the point {} is labelled twice", p.at),
                    );
                }
                if p.means.trim().is_empty() {
                    bad(&format!("scale[{j}].means"), "say what the point means".into());
                }
            }
        }
        if let (true, Ok(id), Some(sphere)) = (ok, id, sphere) {
            out.issues.push(accord_core::model::IssueDef {
                id,
                name: n.name.clone(),
                sphere,
                status_quo: n.status_quo,
                status_quo_basis: n.basis.clone(),
                threshold: n.threshold,
                question: n.question.clone(),
                scale: n
                    .scale
                    .iter()
                    .map(|p| accord_core::model::ScalePoint {
                        at: p.at,
                        means: p.means.clone(),
                    })
                    .collect(),
                provenance: Default::default(),
            });
        }
    }
    out
}

/// The most rounds of the expected utility model a scenario may ask for:
/// 1,000. The model keeps every round's positions (memory grows with the
/// rounds) and its forecasts settle within tens of rounds (default 10);
/// four billion rounds, which the file format allows, used to abort on
/// allocation.
pub const MAX_EUM_ROUNDS: u32 = 1_000;

/// The longest scenario id: ids name output files and report sections.
pub const MAX_SCENARIO_ID_LEN: usize = 64;

/// Checks of the scenario on its own (before it is applied): its id, its
/// sources, stance values on the 0–100 scale, capability factors, and
/// duplicate stances. Returns the indices of the `[[stance]]` entries whose
/// values are already reported (the caller skips them).
fn validate(
    record: &Record,
    model: &Model,
    scenario: &Scenario,
    problem: &mut impl FnMut(String, String),
) -> HashSet<usize> {
    let id = &scenario.scenario.id;
    let id_ok = !id.is_empty()
        && id.len() <= MAX_SCENARIO_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-');
    if !id_ok {
        problem(
            "scenario.id".into(),
            format!(
                "`{id}` is not a scenario id: use 1 to {MAX_SCENARIO_ID_LEN} lower-case letters, digits \
                 and '-', starting with a letter or digit (e.g. `iran-admitted`)"
            ),
        );
    }
    let known: HashSet<&str> = record
        .sources
        .iter()
        .chain(&model.sources)
        .map(|s| s.id.as_str())
        .collect();
    for (i, cite) in scenario.scenario.sources.iter().enumerate() {
        match accord_core::Citation::parse(cite) {
            Err(m) => problem(format!("scenario.sources[{i}]"), m),
            Ok(accord_core::Citation::Source { id }) if !known.contains(id.as_str()) => problem(
                format!("scenario.sources[{i}]"),
                format!(
                    "unknown source `{id}`{}: cite a [[source]] of the record or the model, or the article \
                     as `seed:SECTION`",
                    accord_core::suggest::did_you_mean(id.as_str(), known.iter().copied())
                ),
            ),
            Ok(_) => {}
        }
    }
    let settings = &scenario.settings;
    if settings.samples == 0 {
        problem(
            "settings.samples".into(),
            "0 samples: nothing to forecast; give at least 1 (default 2000)".into(),
        );
    }
    if !(1..=MAX_EUM_ROUNDS).contains(&settings.eum_rounds) {
        problem(
            "settings.eum_rounds".into(),
            format!(
                "{} rounds: the expected utility model runs 1 to {MAX_EUM_ROUNDS} rounds (default 10)",
                settings.eum_rounds
            ),
        );
    }
    let mut bad = HashSet::new();
    let mut first: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, c) in scenario.stance.iter().enumerate() {
        if let Some(j) = first.get(&(c.actor.as_str(), c.issue.as_str())) {
            problem(
                format!("stance[{i}].actor"),
                format!(
                    "a second [[stance]] of `{}` on `{}` (the first is stance[{j}]): give one change per \
                     actor and issue",
                    c.actor, c.issue
                ),
            );
            bad.insert(i);
        } else {
            first.insert((c.actor.as_str(), c.issue.as_str()), i);
        }
        for (field, v) in [
            ("position", c.position),
            ("position_low", c.position_low),
            ("position_high", c.position_high),
            ("salience", c.salience),
            ("salience_low", c.salience_low),
            ("salience_high", c.salience_high),
        ] {
            if let Some(v) = v
                && !(0.0..=100.0).contains(&v)
            {
                problem(format!("stance[{i}].{field}"), format!("{v} is outside 0–100"));
                bad.insert(i);
            }
        }
        if let Some(f) = c.capability_factor
            && !accord_core::check::valid_capability_factor(f)
        {
            problem(
                format!("stance[{i}].capability_factor"),
                format!("{}, not {f}", accord_core::check::CAPABILITY_FACTOR_RULE),
            );
            bad.insert(i);
        }
    }
    bad
}

/// A scenario that leaves an issue without any actor, or the organization
/// without any voter, has nothing to forecast: refused rather than run into
/// NaN or a decision by nobody.
#[allow(clippy::too_many_arguments)]
fn nothing_to_forecast(
    issues: &[UncertainIssue],
    added: &[crate::scenario::NewIssue],
    voters: &[String],
    removed: &HashSet<&str>,
    org_id: &str,
    date: NaiveDate,
    check_voters: bool,
    problem: &mut impl FnMut(String, String),
) {
    for issue in issues {
        if let Some(i) = added.iter().position(|a| a.id == issue.id)
            && !issue.stances.iter().any(|s| s.active)
        {
            problem(
                format!("new_issue[{i}]"),
                format!(
                    "nothing to forecast on the new issue `{}`: give it [[stance]]s (actor, issue, position, \
                     salience, basis) of actors at the bargaining table",
                    issue.id
                ),
            );
            continue;
        }
        if !issue.stances.iter().any(|s| s.active) {
            problem(
                "remove_actor".into(),
                format!(
                    "nothing to forecast on `{}`: no actor with a stance on it is left",
                    issue.id
                ),
            );
        }
    }
    if check_voters && !voters.iter().any(|v| !removed.contains(v.as_str())) {
        problem(
            "remove_actor".into(),
            format!(
                "nothing to forecast: no actor votes in {org_id} on {date} after the scenario's changes \
                 (every member is removed or has no voting status)"
            ),
        );
    }
}

/// Share of an issue's weight at the table above which positions set by a
/// scenario decide the issue: at least half of Σ capability × salience.
pub const DECISIVE_SHARE: f64 = 0.5;

/// Why an issue is a *given* of a scenario, or `None` if it is not.
///
/// An issue is a given when the scenario (a) sets its status quo to a value
/// other than the model's, or (b) sets the positions (new point values, or
/// new stances) of actors at the table who together hold at least
/// [`DECISIVE_SHARE`] of the issue's weight — capability × salience at point
/// values, among the actors at the table in the scenario. Salience-only or
/// capability-only changes do not make an issue a given: they change how much
/// an actor pushes, not where the scenario puts the outcome. (c) When the
/// issue is decided by consensus (`veto`), every voting member holds a veto,
/// so a scenario that sets the position of any voting member sets the bound
/// the outcome must respect: the issue is a given too.
///
/// `table` lists the actors at the table (code, position, salience 0–100,
/// votes); `capability(code)` is the actor's capability on this issue.
pub fn given_reason(
    scenario: &Scenario,
    issue: &str,
    model_status_quo: f64,
    table: &[(String, f64, f64, bool)],
    veto: bool,
    capability: impl Fn(&str) -> f64,
) -> Option<String> {
    if let Some(c) = scenario.issue.iter().find(|c| c.id == issue) {
        if c.status_quo != model_status_quo {
            return Some(format!(
                "the scenario sets the status quo ({} → {})",
                model_status_quo, c.status_quo
            ));
        }
    }
    let weight = |code: &str, salience: f64| capability(code) * salience;
    let total: f64 = table.iter().map(|(code, _, sal, _)| weight(code, *sal)).sum();
    if total <= 0.0 {
        return None;
    }
    let mut set: Vec<&str> = scenario
        .stance
        .iter()
        .filter(|c| c.issue == issue && c.position.is_some())
        .map(|c| c.actor.as_str())
        .filter(|a| table.iter().any(|(code, ..)| code == a))
        .collect();
    set.sort_unstable();
    set.dedup();
    let held: f64 = table
        .iter()
        .filter(|(code, ..)| set.contains(&code.as_str()))
        .map(|(code, _, sal, _)| weight(code, *sal))
        .sum();
    let share = held / total;
    if veto {
        let vetoes: Vec<&str> = table
            .iter()
            .filter(|(code, _, _, votes)| *votes && set.contains(&code.as_str()))
            .map(|(code, ..)| code.as_str())
            .collect();
        if !vetoes.is_empty() && share < DECISIVE_SHARE {
            return Some(format!(
                "the scenario sets the position of {}, who holds a veto under consensus",
                vetoes.join(", ")
            ));
        }
    }
    (share >= DECISIVE_SHARE).then(|| {
        format!(
            "the scenario sets the positions of {}, who hold {:.0} % of the weight at the table (at least {:.0} % decides)",
            set.join(", "),
            100.0 * share,
            100.0 * DECISIVE_SHARE
        )
    })
}
