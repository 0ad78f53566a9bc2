//! Gathering a [`Report`] from the record, the model, the compiled scenarios
//! and their runs.

use std::{collections::HashMap, fmt::Write as _};

use accord_analysis::{Compiled, Scenario};
use accord_core::{Record, model::Model, query};
use accord_engine::{DecisionRule, Dynamics, ModelSettings};

use crate::{
    compute::Runs,
    data::{
        ActorInfo, DataFile, IssueInfo, OutsideStance, Range, Report, ScalePoint, ScenarioResult, ScenarioSource,
        SourceEntry, Span, StanceInfo, Timeline, TimelineRow,
    },
};

/// A scenario as read: where from, its text, and its compiled form.
#[derive(Debug, Clone, Copy)]
pub struct ScenarioInput<'a> {
    /// Its path, as the report should cite it.
    pub path: &'a str,
    /// The file's text (fingerprinted in the report).
    pub text: &'a str,
    /// The scenario compiled against the record and the model.
    pub compiled: &'a Compiled,
}

/// Puts a report together. `runs` come from [`crate::compute::run_all`] on
/// `baseline` and `scenarios`, in the same order.
pub fn assemble(
    record: &Record,
    model: &Model,
    baseline: ScenarioInput<'_>,
    scenarios: &[ScenarioInput<'_>],
    runs: Runs,
    accord_version: &str,
) -> Report {
    let c = baseline.compiled;
    let name_of = |code: &str| {
        record
            .actors
            .iter()
            .find(|a| a.id.as_str() == code)
            .map_or_else(|| code.to_owned(), |a| a.name.en.clone())
    };
    let mut status: HashMap<String, String> = query::status_on(record, &c.org, c.date)
        .into_iter()
        .map(|h| (h.actor.to_owned(), h.status.as_str().to_owned()))
        .collect();
    for m in &c.scenario.membership {
        if m.status == "none" {
            status.remove(&m.actor);
        } else {
            status.insert(m.actor.clone(), m.status.clone());
        }
    }
    let actors = c
        .model
        .actors
        .iter()
        .map(|a| ActorInfo {
            code: a.id.clone(),
            name: name_of(&a.id),
            status: status.get(&a.id).cloned(),
            votes: c.voters.contains(&a.id),
            capability: Range {
                value: a.capability.value,
                low: a.capability.low,
                high: a.capability.high,
            },
        })
        .collect();

    let mut trajectories = runs.trajectories.into_iter();
    let issues = c
        .issues
        .iter()
        .zip(&c.model.issues)
        .map(|(ci, ui)| {
            let def = model.issues.iter().find(|d| d.id.as_str() == ci.id);
            let mut scale: Vec<ScalePoint> = def
                .map(|d| {
                    d.scale
                        .iter()
                        .map(|p| ScalePoint {
                            at: p.at,
                            means: p.means.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            scale.sort_by(|x, y| x.at.total_cmp(&y.at));
            let stances = ui
                .stances
                .iter()
                .filter(|s| s.active)
                .map(|s| {
                    let actor = &c.model.actors[s.actor];
                    let (p, sal) = (s.position[0], s.salience[0]);
                    StanceInfo {
                        actor: actor.id.clone(),
                        position: Range {
                            value: p.value,
                            low: p.low,
                            high: p.high,
                        },
                        salience: Range {
                            value: sal.value * 100.0,
                            low: sal.low * 100.0,
                            high: sal.high * 100.0,
                        },
                        capability: actor.capability.value * s.capability_factor,
                        votes: ci.actors.iter().any(|(code, _, _, votes)| *code == actor.id && *votes),
                    }
                })
                .collect();
            let (trajectory, trajectory_error) = match trajectories.next() {
                Some(Ok(t)) => (Some(t), None),
                Some(Err(e)) => (None, Some(e)),
                None => (None, Some("not run".to_owned())),
            };
            IssueInfo {
                id: ci.id.clone(),
                name: ci.name.clone(),
                sphere: ci.sphere.as_str().to_owned(),
                question: ci.question.clone(),
                status_quo: ci.status_quo,
                status_quo_basis: def.map(|d| d.status_quo_basis.clone()).unwrap_or_default(),
                threshold: ci.threshold,
                scale,
                stances,
                outside: ci
                    .outside
                    .iter()
                    .map(|(actor, position, salience, status)| OutsideStance {
                        actor: actor.clone(),
                        position: *position,
                        salience: *salience,
                        status: status.clone(),
                    })
                    .collect(),
                trajectory,
                trajectory_error,
            }
        })
        .collect();

    let scenario_results = scenarios
        .iter()
        .zip(runs.comparisons)
        .map(|(s, comparison)| ScenarioResult {
            source: source_of(s),
            comparison,
        })
        .collect();

    let mut notes = Vec::new();
    let base_samples = c.settings.samples;
    if !scenarios.is_empty() && runs.scenario_samples < base_samples {
        notes.push(format!(
            "Scenario comparisons use the first {} of the baseline's {} samples (same seed, same draws), \
             so their baseline columns can differ slightly from the baseline forecast table.",
            runs.scenario_samples, base_samples
        ));
    }
    if runs.stopped {
        notes.push("The runs were stopped by the user: numbers marked partial rest on fewer samples than asked, and scenarios marked \u{201c}not run\u{201d} have no results.".to_owned());
    }

    Report {
        title: model.meta.title.clone(),
        org: c.org.clone(),
        org_name: name_of(&c.org),
        data_date: model.meta.date.to_string(),
        decision_date: c.date.to_string(),
        accord_version: accord_version.to_owned(),
        model_description: describe_model(&c.settings.model),
        actors,
        issues,
        baseline_source: source_of(&baseline),
        baseline: runs.baseline,
        scenario_samples: runs.scenario_samples,
        scenarios: scenario_results,
        timeline: timeline(record, &c.org),
        sensitivity: runs.sensitivity,
        stopped: runs.stopped,
        notes,
        data_files: Vec::new(),
        sources: record.sources.iter().chain(&model.sources).map(source_entry).collect(),
    }
}

/// A record or model source as the report lists it.
fn source_entry(s: &accord_core::Source) -> SourceEntry {
    let mut label = format!("{}, \u{201c}{}\u{201d}", s.publisher, s.title);
    if let Some(d) = s.date {
        let _ = write!(label, ", {d}");
    }
    SourceEntry {
        id: s.id.to_string(),
        label,
        address: s.address.clone(),
        reference: s.reference.clone(),
    }
}

fn source_of(s: &ScenarioInput<'_>) -> ScenarioSource {
    let meta = &s.compiled.scenario.scenario;
    ScenarioSource {
        path: s.path.to_owned(),
        id: meta.id.clone(),
        title: meta.title.clone(),
        description: meta.description.clone(),
        fingerprint: format!("{:016x}", fnv1a(s.text.as_bytes())),
        changes: changes(&s.compiled.scenario),
    }
}

/// A data file with its fingerprint, for [`Report::data_files`].
pub fn data_file(path: &str, text: &str) -> DataFile {
    DataFile {
        path: path.to_owned(),
        fingerprint: format!("{:016x}", fnv1a(text.as_bytes())),
    }
}

/// FNV-1a, 64 bits: a stable fingerprint of a file's text (not a security hash).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// What a scenario changes, one line per change.
fn changes(s: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    for m in &s.membership {
        let status = if m.status == "none" {
            "no status".to_owned()
        } else {
            m.status.replace('_', " ")
        };
        out.push(format!("{}: {status} on the decision date", m.actor));
    }
    for a in &s.remove_actor {
        out.push(format!("{a}: taken out of every issue"));
    }
    for i in &s.issue {
        out.push(format!("{}: status quo set to {}", i.id, num(i.status_quo)));
    }
    for c in &s.stance {
        let mut parts = Vec::new();
        let range = |v: Option<f64>, lo: Option<f64>, hi: Option<f64>| {
            let r = match (lo, hi) {
                (None, None) => String::new(),
                (lo, hi) => format!(
                    " ({}–{})",
                    lo.map_or_else(|| "…".to_owned(), num),
                    hi.map_or_else(|| "…".to_owned(), num)
                ),
            };
            v.map_or_else(|| format!("range{r}"), |v| format!("{}{r}", num(v)))
        };
        if c.position.is_some() || c.position_low.is_some() || c.position_high.is_some() {
            parts.push(format!(
                "position {}",
                range(c.position, c.position_low, c.position_high)
            ));
        }
        if c.salience.is_some() || c.salience_low.is_some() || c.salience_high.is_some() {
            parts.push(format!(
                "salience {}",
                range(c.salience, c.salience_low, c.salience_high)
            ));
        }
        if let Some(f) = c.capability_factor {
            parts.push(format!("capability × {}", num(f)));
        }
        out.push(format!("{} on {}: {}", c.actor, c.issue, parts.join(", ")));
    }
    out
}

fn num(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

/// The model settings in a few words.
pub fn describe_model(m: &ModelSettings) -> String {
    let dynamics = match &m.dynamics {
        Dynamics::None => "no dynamics".to_owned(),
        Dynamics::Smp(_) => "SMP (KTAB defaults)".to_owned(),
        Dynamics::Eum(e) => format!("EUM ({:?} profile, {} rounds)", e.profile, e.rounds),
        Dynamics::Exchange(x) => format!("exchange model ({:?} rate, {} round(s))", x.rate, x.rounds),
    };
    format!("{dynamics} → {}", describe_rule(&m.rule))
}

fn describe_rule(r: &DecisionRule) -> String {
    match r {
        DecisionRule::WeightedMean => "weighted mean".into(),
        DecisionRule::WeightedMedian => "weighted median".into(),
        DecisionRule::Nash => "Nash bargaining".into(),
        DecisionRule::Procedural { bargain } => format!("{} within consensus of the members", describe_rule(bargain)),
    }
}

/// A date string `YYYY-MM-DD` as a decimal year (for drawing).
fn decimal_year(day: &str) -> f64 {
    let mut parts = day.split('-').map(|p| p.parse::<u32>().unwrap_or(1));
    let (y, m, d) = (
        parts.next().unwrap_or(2000),
        parts.next().unwrap_or(1),
        parts.next().unwrap_or(1),
    );
    const BEFORE: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let day_of_year = BEFORE[(m.clamp(1, 12) - 1) as usize] + d - 1;
    f64::from(y) + f64::from(day_of_year) / 365.25
}

/// The organization's memberships from its founding to the last dated
/// change in the record, one row per actor (earliest involvement first;
/// ties keep the record's order).
pub fn timeline(record: &Record, org: &str) -> Timeline {
    let mut rows: Vec<TimelineRow> = Vec::new();
    let mut last = 0.0f64;
    for m in record.memberships.iter().filter(|m| m.org.as_str() == org) {
        let from_year = decimal_year(&m.from.first_day().to_string());
        let to_year = m.to.map(|t| decimal_year(&t.first_day().to_string()));
        last = last.max(to_year.unwrap_or(from_year)).max(from_year);
        let span = Span {
            status: m.status.as_str().to_owned(),
            from: m.from.to_string(),
            to: m.to.map(|t| t.to_string()),
            from_year,
            to_year,
        };
        match rows.iter_mut().find(|r| r.actor == m.actor.as_str()) {
            Some(r) => r.spans.push(span),
            None => rows.push(TimelineRow {
                actor: m.actor.to_string(),
                name: record
                    .actors
                    .iter()
                    .find(|a| a.id == m.actor)
                    .map_or_else(|| m.actor.to_string(), |a| a.name.en.clone()),
                spans: vec![span],
            }),
        }
    }
    for r in &mut rows {
        r.spans.sort_by(|a, b| a.from_year.total_cmp(&b.from_year));
    }
    rows.sort_by(|a, b| a.spans[0].from_year.total_cmp(&b.spans[0].from_year));
    let founded = record
        .organizations
        .iter()
        .find(|o| o.id.as_str() == org)
        .map(|o| o.founded.first_day().to_string());
    let first_year = founded.map_or_else(
        || rows.iter().map(|r| r.spans[0].from_year).fold(f64::INFINITY, f64::min),
        |d| decimal_year(&d),
    );
    Timeline {
        org: org.to_owned(),
        first_year: if first_year.is_finite() {
            first_year.floor() as i32
        } else {
            2000
        },
        last_year: if last > 0.0 { last.floor() as i32 } else { 2000 },
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_years() {
        assert_eq!(decimal_year("2001-01-01"), 2001.0);
        assert!((decimal_year("2010-07-02") - 2010.4983).abs() < 1e-3);
    }

    #[test]
    fn fingerprint_is_fnv1a() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
