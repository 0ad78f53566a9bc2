//! Several models, one headline: every validated model forecasts every issue
//! of a compiled scenario on the same Monte Carlo draws; each forecast gets
//! its model's error learned on DEU (`accord_engine::calibration`), and the
//! headline is their stacked mixture. Method: `docs/models/calibration.md`.
//!
//! No I/O: the learned error model is passed in (the CLI and the report read
//! the committed `data/calibration/deu.toml` through `accord-io`).

use std::sync::atomic::{AtomicBool, Ordering};

use accord_engine::{
    DecisionRule, Dynamics, EngineError, ModelSettings, VotingRule,
    calibration::{
        Component, ErrorModel, GroupStacking, MemberErrors, effective_weights, mixture_p_at_or_above, mixture_quantile,
    },
    eum::EumSettings,
    forecast::forecast_outcome,
    montecarlo::{QUANTILES, UncertainIssue, sample_seed},
    smp::SmpSettings,
};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::Compiled;

/// A validated model of the ensemble: how it runs on a scenario, and which
/// combination of the DEU validation measured its error.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// Short name (`--model NAME`, keys of the error model).
    pub name: &'static str,
    /// What it is, in words.
    pub title: &'static str,
    /// The combination of `accord validate deu` whose residuals it uses.
    pub deu_candidate: &'static str,
    /// The engine settings it runs with.
    pub settings: ModelSettings,
}

/// The validated models, in ensemble order: the compromise model, the SCO
/// default (compromise within the consensus of the members), EUM followed by
/// the weighted mean, SMP followed by the weighted mean.
pub fn members() -> Vec<Member> {
    let mean = DecisionRule::WeightedMean;
    vec![
        Member {
            name: "compromise",
            title: "compromise model (capability × salience weighted mean)",
            deu_candidate: "none/weighted_mean/vote_weight",
            settings: ModelSettings {
                dynamics: Dynamics::None,
                rule: mean.clone(),
            },
        },
        Member {
            name: "consensus",
            title: "compromise within the consensus of the members (the SCO default)",
            deu_candidate: "none/procedural/vote_weight",
            settings: ModelSettings {
                dynamics: Dynamics::None,
                rule: DecisionRule::Procedural {
                    bargain: Box::new(mean.clone()),
                },
            },
        },
        Member {
            name: "eum",
            title: "expected utility model, then the weighted mean",
            deu_candidate: "eum/weighted_mean/vote_weight",
            settings: ModelSettings {
                dynamics: Dynamics::Eum(EumSettings::default()),
                rule: mean.clone(),
            },
        },
        Member {
            name: "smp",
            title: "KTAB's spatial model of politics, then the weighted mean",
            deu_candidate: "smp/weighted_mean/vote_weight",
            settings: ModelSettings {
                dynamics: Dynamics::Smp(SmpSettings::default()),
                rule: mean,
            },
        },
    ]
}

/// The residual group of an issue (eq. C6 of `docs/models/calibration.md`):
/// `unanimity` when a chamber decides by unanimity — the SCO's consensus is
/// a veto for every member, as unanimity in the EU Council is — `qmv` for a
/// qualified or simple majority, none (pooled residuals) without a procedure.
pub fn residual_group(issue: &UncertainIssue) -> Option<&'static str> {
    let chambers = &issue.procedure.as_ref()?.chambers;
    if chambers.iter().any(|c| c.rule == VotingRule::Unanimity) {
        Some("unanimity")
    } else if chambers.is_empty() {
        None
    } else {
        Some("qmv")
    }
}

/// Why an ensemble forecast cannot be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EnsembleError {
    /// The error model lists no model, or every model was excluded.
    #[error("an ensemble needs at least one validated model: {0}")]
    NoMembers(String),
    /// `--model NAME` names no model of the ensemble.
    #[error("unknown model {name:?}; valid: {valid}")]
    UnknownModel {
        /// The name given.
        name: String,
        /// The names that exist.
        valid: String,
    },
    /// The engine failed outside a single issue.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// A calibrated forecast of one issue by one model (or the headline).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictiveIssue {
    /// The issue's id.
    pub id: String,
    /// The model (`headline` for the ensemble).
    pub model: String,
    /// Whether the model produced a forecast of this issue.
    pub ran: bool,
    /// Why not, or why some draws failed (the engine's first message).
    pub error: Option<String>,
    /// Draws with an outcome.
    pub samples: u64,
    /// Draws without one.
    pub failures: u64,
    /// The threshold of the question.
    pub threshold: f64,
    /// P(outcome at or above the threshold) under the predictive
    /// distribution: input uncertainty and model error.
    pub p_at_or_above: f64,
    /// Its Monte Carlo standard error (over draws; the residuals add none).
    pub p_se: f64,
    /// Predictive quantiles at 5, 25, 50, 75, 95 %.
    pub quantiles: [f64; 5],
    /// Quantiles of the input uncertainty alone (the draws' outcomes), for
    /// comparison; `None` for the headline.
    pub input_quantiles: Option<[f64; 5]>,
    /// The residual group used (`unanimity`, `qmv` or `pooled`) and its size.
    pub residual_group: String,
    /// Number of residuals behind the model error.
    pub residuals: usize,
    /// Weight in the headline on this issue (renormalised over the models
    /// that ran); 1 for the headline itself.
    pub weight: f64,
    /// Whose stacking weights the headline used on this issue (eq. C7 of
    /// `docs/models/calibration.md`): the issue's decision-rule group
    /// (`unanimity`, `qmv`) when that group has weights of its own, else
    /// `pooled`; `only` when one model was picked.
    #[serde(default)]
    pub stacking_group: String,
}

/// One model's calibrated forecasts of every issue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelForecast {
    /// Its name (`headline` for the ensemble).
    pub name: String,
    /// What it is.
    pub title: String,
    /// Its stacking weight as learned (before renormalisation per issue).
    pub weight: f64,
    /// Per issue, in the scenario's order.
    pub issues: Vec<PredictiveIssue>,
}

/// How far the models are apart on one issue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Disagreement {
    /// The issue's id.
    pub id: String,
    /// The lowest and the highest probability among the models that ran, with their names.
    pub p_range: ((String, f64), (String, f64)),
    /// The lowest and the highest predictive median.
    pub median_range: ((String, f64), (String, f64)),
    /// Whether the models fall on both sides of an even chance.
    pub split: bool,
}

/// The per-model forecasts and the headline of one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnsembleForecast {
    /// Seed of the draws.
    pub seed: u64,
    /// Draws per model.
    pub samples: u64,
    /// Whether the run was stopped before the end.
    pub partial: bool,
    /// The headline (stacked mixture).
    pub headline: ModelForecast,
    /// Each model, in ensemble order.
    pub models: Vec<ModelForecast>,
    /// Per issue, where the models disagree.
    pub disagreement: Vec<Disagreement>,
}

/// One model's outcome of one issue in one draw, serializable (the value
/// as its bits, exact through JSON even when not finite; the error as its
/// message, which is all the summaries keep).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Drawn {
    Value(u64),
    Error(String),
}

/// One draw's outcome of every issue under every member: `[member][issue]`.
type SampleOutcomes = Vec<Vec<Drawn>>;

/// The draws of a range of samples of [`predictive_forecasts`], to be
/// joined in sample order by [`predictive_from_parts`] (how a cluster shares
/// the work; every draw depends only on (seed, sample index)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnsemblePart {
    /// First sample covered.
    pub first: u64,
    /// One past the last sample covered.
    pub end: u64,
    /// Whether the part was stopped before the end of its range.
    pub stopped: bool,
    draws: Vec<SampleOutcomes>,
}

/// Draws per parallel batch between cancellation checks and progress reports.
const BATCH: u64 = 256;

/// The members an ensemble runs, with their weights and errors.
type Chosen<'e> = Vec<(Member, f64, &'e accord_engine::calibration::MemberErrors)>;

fn chosen_members<'e>(errors: &'e ErrorModel, only: Option<&str>) -> Result<Chosen<'e>, EnsembleError> {
    let all = members();
    if let Some(name) = only.filter(|name| !all.iter().any(|m| m.name == *name)) {
        return Err(EnsembleError::UnknownModel {
            name: name.to_string(),
            valid: all.iter().map(|m| m.name).collect::<Vec<_>>().join(", "),
        });
    }
    let chosen: Chosen<'e> = all
        .into_iter()
        .filter(|m| only.is_none_or(|o| o == m.name))
        .filter_map(|m| {
            let e = errors.member(m.name)?;
            let w = if only.is_some() { 1.0 } else { e.weight };
            Some((m, w, e))
        })
        .collect();
    if chosen.is_empty() {
        return Err(EnsembleError::NoMembers(match only {
            Some(o) => format!("the error model has no residuals for {o:?}"),
            None => "the error model lists none of the validated models".into(),
        }));
    }
    Ok(chosen)
}

/// The calibrated forecast of every validated model and the headline for a
/// compiled scenario (its draws, seed and sample count). `only` restricts the
/// ensemble to one model (its weight becomes 1). Each model's outcome in draw
/// `s` is `forecast_outcome(issue, model, sample_seed(seed, s))` on the
/// scenario's draw `s`, as in `montecarlo::run`; the result is the same for
/// any number of threads, and equals [`predictive_from_parts`] of the
/// [`draw_part`]s of any split of the samples.
pub fn predictive_forecasts(
    c: &Compiled,
    errors: &ErrorModel,
    only: Option<&str>,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<EnsembleForecast, EnsembleError> {
    let part = draw_part(c, errors, only, 0..c.settings.samples, cancel, progress)?;
    predictive_from_parts(c, errors, only, std::slice::from_ref(&part))
}

/// Every chosen model's outcomes on the scenario's draws `samples` (a range
/// of sample indices within its sample count). `progress` counts the samples
/// of this part.
pub fn draw_part(
    c: &Compiled,
    errors: &ErrorModel,
    only: Option<&str>,
    samples: std::ops::Range<u64>,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<EnsemblePart, EnsembleError> {
    let chosen = chosen_members(errors, only)?;
    let settings = &c.settings;
    if samples.start > samples.end || samples.end > settings.samples {
        return Err(EnsembleError::Engine(EngineError::InvalidInput(format!(
            "samples {}..{} are outside the run's {} samples",
            samples.start, samples.end, settings.samples
        ))));
    }
    // draws[sample][member][issue]
    let mut draws: Vec<SampleOutcomes> = Vec::new();
    let mut done = samples.start;
    let mut stopped = false;
    while done < samples.end {
        if cancel.load(Ordering::Relaxed) {
            stopped = true;
            break;
        }
        let end = (done + BATCH).min(samples.end);
        let batch: Vec<SampleOutcomes> = (done..end)
            .into_par_iter()
            .map(|s| {
                let sample = c.model.draw(settings.seed, s, settings.distribution);
                chosen
                    .iter()
                    .map(|(m, _, _)| {
                        sample
                            .issues
                            .iter()
                            .map(
                                |issue| match forecast_outcome(issue, &m.settings, sample_seed(settings.seed, s)) {
                                    Ok(o) => Drawn::Value(o[0].to_bits()),
                                    Err(e) => Drawn::Error(e.to_string()),
                                },
                            )
                            .collect()
                    })
                    .collect()
            })
            .collect();
        draws.extend(batch);
        done = end;
        progress(done - samples.start);
    }
    Ok(EnsemblePart {
        first: samples.start,
        end: done,
        stopped,
        draws,
    })
}

/// The calibrated forecasts from the draws of consecutive sample ranges
/// from sample 0, in order ([`draw_part`]); a stopped part or a missing
/// tail makes the result partial.
pub fn predictive_from_parts(
    c: &Compiled,
    errors: &ErrorModel,
    only: Option<&str>,
    draw_parts: &[EnsemblePart],
) -> Result<EnsembleForecast, EnsembleError> {
    let chosen = chosen_members(errors, only)?;
    let settings = &c.settings;
    let issues = &c.model.issues;
    let mut draws: Vec<&SampleOutcomes> = Vec::new();
    let mut partial = false;
    for (k, p) in draw_parts.iter().enumerate() {
        let fits = p
            .draws
            .iter()
            .all(|d| d.len() == chosen.len() && d.iter().all(|m| m.len() == issues.len()));
        if p.first != draws.len() as u64 || p.end != p.first + p.draws.len() as u64 || !fits {
            return Err(EnsembleError::Engine(EngineError::InvalidInput(format!(
                "part {k} (samples {}..{}) does not follow sample {} or does not fit the scenario",
                p.first,
                p.end,
                draws.len()
            ))));
        }
        draws.extend(&p.draws);
        if p.stopped {
            partial = true;
            break;
        }
    }
    partial |= (draws.len() as u64) < settings.samples;

    let mut models: Vec<ModelForecast> = Vec::new();
    // Per member and issue: the sorted draws and the (scaled) residuals.
    let mut parts: Vec<Vec<(Vec<f64>, Vec<f64>)>> = Vec::new();
    for (k, (m, w, e)) in chosen.iter().enumerate() {
        let mut row = Vec::new();
        let mut out = Vec::new();
        for (i, issue) in issues.iter().enumerate() {
            let mut xs = Vec::with_capacity(draws.len());
            let mut error = None;
            let mut failures = 0;
            for d in &draws {
                match &d[k][i] {
                    Drawn::Value(bits) if f64::from_bits(*bits).is_finite() => xs.push(f64::from_bits(*bits)),
                    Drawn::Value(_) => {
                        failures += 1;
                        error.get_or_insert_with(|| "the forecast is not a finite number".to_string());
                    }
                    Drawn::Error(err) => {
                        failures += 1;
                        error.get_or_insert_with(|| err.clone());
                    }
                }
            }
            xs.sort_by(f64::total_cmp);
            let (group, residuals) = e.residuals(residual_group(issue));
            let ratio = (issue.scale.1 - issue.scale.0) / (errors.scale.1 - errors.scale.0);
            let residuals: Vec<f64> = residuals.iter().map(|r| r * ratio).collect();
            out.push(summarise(issue, m.name, &xs, &residuals, group, failures, error));
            row.push((xs, residuals));
        }
        models.push(ModelForecast {
            name: m.name.to_string(),
            title: m.title.to_string(),
            weight: *w,
            issues: out,
        });
        parts.push(row);
    }

    // The headline: the members that ran on an issue, with the stacking
    // weights of the issue's decision-rule group (eq. C7), renormalised.
    let mut headline_issues = Vec::new();
    for (i, issue) in issues.iter().enumerate() {
        let (weights, stacking_group) = issue_weights(errors, &chosen, only, residual_group(issue));
        let available: Vec<bool> = parts.iter().map(|p| !p[i].0.is_empty()).collect();
        let w = effective_weights(&weights, &available);
        for (mf, wi) in models.iter_mut().zip(&w) {
            mf.issues[i].weight = *wi;
            mf.issues[i].stacking_group = stacking_group.clone();
        }
        let components: Vec<Component<'_>> = parts
            .iter()
            .zip(&w)
            .filter(|(p, w)| !p[i].0.is_empty() && **w > 0.0)
            .map(|(p, w)| Component {
                weight: *w,
                draws: &p[i].0,
                residuals: &p[i].1,
            })
            .collect();
        let ran = !components.is_empty();
        let quantiles = QUANTILES.map(|q| {
            if ran {
                mixture_quantile(&components, q, issue.scale)
            } else {
                f64::NAN
            }
        });
        let p_se = models
            .iter()
            .zip(&w)
            .map(|(m, w)| if *w > 0.0 { w * m.issues[i].p_se } else { 0.0 })
            .sum();
        let not_run: Vec<String> = models
            .iter()
            .filter(|m| !m.issues[i].ran)
            .map(|m| format!("{} ({})", m.name, m.issues[i].error.as_deref().unwrap_or("no forecast")))
            .collect();
        headline_issues.push(PredictiveIssue {
            id: issue.id.clone(),
            model: "headline".into(),
            ran,
            error: (!not_run.is_empty()).then(|| format!("without {}", not_run.join("; "))),
            samples: models.iter().map(|m| m.issues[i].samples).max().unwrap_or(0),
            failures: 0,
            threshold: issue.threshold,
            p_at_or_above: if ran {
                mixture_p_at_or_above(&components, issue.threshold, issue.scale)
            } else {
                f64::NAN
            },
            p_se,
            quantiles,
            input_quantiles: None,
            residual_group: residual_group(issue).unwrap_or("pooled").to_string(),
            residuals: components.iter().map(|c| c.residuals.len()).sum(),
            weight: 1.0,
            stacking_group,
        });
    }
    let disagreement = issues
        .iter()
        .enumerate()
        .map(|(i, issue)| {
            let ran: Vec<(&str, &PredictiveIssue)> = models
                .iter()
                .map(|m| (m.name.as_str(), &m.issues[i]))
                .filter(|(_, p)| p.ran)
                .collect();
            let range = |f: &dyn Fn(&PredictiveIssue) -> f64| {
                let lo = ran.iter().min_by(|a, b| f(a.1).total_cmp(&f(b.1)));
                let hi = ran.iter().max_by(|a, b| f(a.1).total_cmp(&f(b.1)));
                match (lo, hi) {
                    (Some(lo), Some(hi)) => ((lo.0.to_string(), f(lo.1)), (hi.0.to_string(), f(hi.1))),
                    _ => ((String::new(), f64::NAN), (String::new(), f64::NAN)),
                }
            };
            let p_range = range(&|p| p.p_at_or_above);
            Disagreement {
                id: issue.id.clone(),
                split: p_range.0.1 < 0.5 && p_range.1.1 > 0.5,
                p_range,
                median_range: range(&|p| p.quantiles[2]),
            }
        })
        .collect();
    Ok(EnsembleForecast {
        seed: settings.seed,
        samples: draws.len() as u64,
        partial,
        headline: ModelForecast {
            name: "headline".into(),
            title: "stacked ensemble of the validated models".into(),
            weight: 1.0,
            issues: headline_issues,
        },
        models,
        disagreement,
    })
}

fn summarise(
    issue: &UncertainIssue,
    model: &str,
    xs: &[f64],
    residuals: &[f64],
    group: &str,
    failures: u64,
    error: Option<String>,
) -> PredictiveIssue {
    let ran = !xs.is_empty();
    let c = [Component {
        weight: 1.0,
        draws: xs,
        residuals,
    }];
    // Per-draw probabilities (eq. C5); their mean is P and their spread its error.
    let per_draw: Vec<f64> = xs
        .iter()
        .map(|x| {
            Component {
                weight: 1.0,
                draws: std::slice::from_ref(x),
                residuals,
            }
            .p_at_or_above(issue.threshold, issue.scale)
        })
        .collect();
    let n = per_draw.len() as f64;
    let p = per_draw.iter().sum::<f64>() / n.max(1.0);
    let var = if per_draw.len() > 1 {
        per_draw.iter().map(|v| (v - p).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    let input = QUANTILES.map(|q| {
        if ran {
            accord_engine::validation::quantile(xs, q)
        } else {
            f64::NAN
        }
    });
    PredictiveIssue {
        id: issue.id.clone(),
        model: model.to_string(),
        ran,
        error,
        samples: xs.len() as u64,
        failures,
        threshold: issue.threshold,
        p_at_or_above: if ran { p } else { f64::NAN },
        p_se: if ran { (var / n).sqrt() } else { f64::NAN },
        quantiles: QUANTILES.map(|q| {
            if ran {
                mixture_quantile(&c, q, issue.scale)
            } else {
                f64::NAN
            }
        }),
        input_quantiles: Some(input),
        residual_group: group.to_string(),
        residuals: residuals.len(),
        weight: 1.0,
        stacking_group: String::new(),
    }
}

/// The stacking weights of the chosen members for an issue of `group`
/// (eq. C7): the group's own if the error model has them, else the pooled
/// weights; all 1 when one model was picked. With the label of the weights.
fn issue_weights(
    errors: &ErrorModel,
    chosen: &[(Member, f64, &MemberErrors)],
    only: Option<&str>,
    group: Option<&str>,
) -> (Vec<f64>, String) {
    if only.is_some() {
        return (vec![1.0; chosen.len()], "only".to_string());
    }
    let (all, label) = errors.weights_for(group);
    let weights = chosen
        .iter()
        .map(|(m, _, _)| {
            errors
                .members
                .iter()
                .position(|e| e.name == m.name)
                .map_or(0.0, |k| all[k])
        })
        .collect();
    (weights, label.to_string())
}

/// One issue's calibrated forecasts, as [`crate::run::IssueForecast`] carries them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssuePredictive {
    /// The headline (stacked ensemble, or the one model picked).
    pub headline: PredictiveIssue,
    /// Each validated model.
    pub models: Vec<PredictiveIssue>,
    /// Where they disagree.
    pub disagreement: Disagreement,
}

/// Where the calibrated forecasts' model error comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationUsed {
    /// The calibration file (e.g. `data/calibration/deu.toml`).
    pub file: String,
    /// Fingerprint of the DEU data it was learned from.
    pub data_fingerprint: String,
    /// Each model's pooled stacking weight, in ensemble order.
    pub weights: Vec<(String, f64)>,
    /// The stacking weights per decision-rule group (eq. C7), with whether
    /// each group has its own and why.
    #[serde(default)]
    pub stacking: Vec<GroupStacking>,
    /// The one model picked (`--model`), if any.
    pub only: Option<String>,
    /// Whether the calibrated run stopped before the end.
    pub partial: bool,
    /// Draws per model.
    pub samples: u64,
}

impl CalibrationUsed {
    /// The weights in words, for every output that states them: the
    /// groups with weights of their own, then the pooled ones, e.g.
    /// `unanimity (SCO consensus): compromise 0.40, …; pooled (qmv, no procedure): …`.
    pub fn weights_text(&self) -> String {
        let fmt = |w: &mut dyn Iterator<Item = (&String, f64)>| {
            w.map(|(m, w)| format!("{m} {w:.2}")).collect::<Vec<_>>().join(", ")
        };
        let mut parts: Vec<String> = self
            .stacking
            .iter()
            .filter(|g| g.own)
            .map(|g| {
                let label = if g.group == "unanimity" {
                    "unanimity and consensus".to_string()
                } else {
                    g.group.clone()
                };
                let order = self
                    .weights
                    .iter()
                    .map(|(m, _)| (m, g.weights.get(m).copied().unwrap_or(0.0)));
                format!("{label}: {}", fmt(&mut order.into_iter()))
            })
            .collect();
        let pooled = fmt(&mut self.weights.iter().map(|(m, w)| (m, *w)));
        if parts.is_empty() {
            return pooled;
        }
        let others: Vec<&str> = self
            .stacking
            .iter()
            .filter(|g| !g.own)
            .map(|g| g.group.as_str())
            .collect();
        parts.push(if others.is_empty() {
            format!("other issues: {pooled}")
        } else {
            format!("{} and other issues: {pooled}", others.join(", "))
        });
        parts.join("; ")
    }
}

/// Puts an ensemble forecast into a forecast report, issue by issue
/// (matched by id).
pub fn attach(report: &mut crate::run::ForecastReport, e: &EnsembleForecast, used: CalibrationUsed) {
    for f in &mut report.issues {
        let Some(i) = e.headline.issues.iter().position(|p| p.id == f.id) else {
            continue;
        };
        f.predictive = Some(IssuePredictive {
            headline: e.headline.issues[i].clone(),
            models: e.models.iter().map(|m| m.issues[i].clone()).collect(),
            disagreement: e.disagreement[i].clone(),
        });
    }
    report.calibration = Some(used);
}
