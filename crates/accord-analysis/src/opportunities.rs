//! The strategy search: which levers serve one actor best.
//!
//! **Utility.** An actor's utility from outcomes `x_k` is
//! `U = − Σ_k (s_k / 100) · loss(|x_k − p_k| / 100)`, summed over the issues on
//! which it has a stance (`p_k` its position, `s_k` its salience, both the
//! model's point values: an actor knows what it wants), with `loss(d) = d`
//! (linear, the default) or `d²` (quadratic). `U` lies in `[−Σ s_k/100, 0]`.
//!
//! **Search.** Every lever of the focal actor, then combinations of up to `K`
//! levers: all of them when there are at most [`EXHAUSTIVE_LIMIT`], otherwise
//! a beam search that extends the best `beam_width` combinations of each size
//! by one lever. A candidate's value is the mean over Monte Carlo samples of
//! `U(with the levers) − U(without)`, with a 95 % interval from the paired
//! standard error.
//!
//! **Common random numbers and reuse.** Every candidate is evaluated on the
//! same draws (sample `s` draws the same inputs for every candidate; the
//! levers then shift them deterministically), so differences between
//! candidates are not Monte Carlo noise. Issues are independent given the
//! stances, so the outcome of issue `k` under a combination depends only on
//! the combination's levers that touch `k`; each such subset is run once per
//! sample and every combination is assembled from those runs. Under the
//! exchange model an issue's outcome depends on its whole link group, so a
//! lever counts for every issue of the group it touches.
//!
//! **Packages.** [`package_levers`] turns the trades the focal actor can
//! offer across linked issues (the exchange model's E4–E5 at the point
//! values, `docs/models/exchange.md`) into levers: the actor concedes on the
//! issue it cares less about and the partner moves toward it on the other.
//! They are searched and ranked like every other lever.

use std::{
    collections::{BTreeSet, HashMap},
    sync::atomic::{AtomicBool, AtomicU64, Ordering},
};

use accord_core::model::{Effect, Lever};
use accord_core::{
    EntryId,
    record::{Certainty, Provenance},
};
use accord_engine::{
    Dynamics, EngineError, Issue,
    exchange::{self, ExchangeSettings},
    forecast_group_outcomes,
    montecarlo::{Sample, sample_seed},
};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::Compiled;

/// Above this many combinations the search becomes a beam search.
pub const EXHAUSTIVE_LIMIT: usize = 5_000;

/// How distance from an actor's position costs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    /// Proportional to the distance.
    #[default]
    Linear,
    /// Proportional to the squared distance (large misses cost more).
    Quadratic,
}

impl Loss {
    fn of(self, d: f64) -> f64 {
        match self {
            Loss::Linear => d,
            Loss::Quadratic => d * d,
        }
    }
}

/// Settings of a search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchSettings {
    /// The actor whose levers are searched and whose utility is maximised.
    pub focal: String,
    /// Largest combination size `K`.
    pub max_levers: usize,
    /// Combinations kept per size by the beam search.
    pub beam_width: usize,
    /// The loss function of the utility.
    pub loss: Loss,
}

/// The point stances of every actor: `stances[actor] = [(issue, position, salience)]`.
pub(crate) type Stances = HashMap<String, Vec<(usize, f64, f64)>>;

pub(crate) fn point_stances(c: &Compiled) -> Stances {
    let mut out: Stances = HashMap::new();
    for (k, issue) in c.issues.iter().enumerate() {
        for (actor, p, s, _) in &issue.actors {
            out.entry(actor.clone()).or_default().push((k, *p, *s));
        }
    }
    out
}

/// One actor's utility contribution on issue `k` for outcome `x`.
pub(crate) fn utility(stance: &[(usize, f64, f64)], k: usize, x: f64, loss: Loss) -> f64 {
    stance
        .iter()
        .find(|(i, _, _)| *i == k)
        .map_or(0.0, |&(_, p, s)| -(s / 100.0) * loss.of((x - p).abs() / 100.0))
}

/// What a candidate does to another actor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OtherActor {
    /// The actor.
    pub actor: String,
    /// Mean change of its utility.
    pub delta_utility: f64,
    /// Standard error.
    pub std_error: f64,
}

/// How a candidate moves one issue's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssueMove {
    /// The issue.
    pub issue: String,
    /// Mean shift of the outcome (points on 0–100).
    pub mean_shift: f64,
    /// Mean outcome without the levers.
    pub base_mean: f64,
}

/// One evaluated combination of levers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// The levers (ids).
    pub levers: Vec<String>,
    /// Mean change of the focal actor's utility.
    pub delta_utility: f64,
    /// Its standard error (paired over samples).
    pub std_error: f64,
    /// 95 % interval.
    pub interval: (f64, f64),
    /// Issues whose outcome moves, largest shift first.
    pub issues: Vec<IssueMove>,
    /// Which actors the levers shift, in words.
    pub shifts: Vec<String>,
    /// What it does to every other actor, largest gain first.
    pub others: Vec<OtherActor>,
}

/// The result of a search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchReport {
    /// The settings.
    pub settings: SearchSettings,
    /// The scenario searched in.
    pub scenario: String,
    /// Monte Carlo samples per candidate, seed and model.
    pub run: accord_engine::montecarlo::MonteCarloSettings,
    /// "exhaustive" or "beam search (width B)".
    pub method: String,
    /// Combinations evaluated.
    pub evaluated: usize,
    /// Model runs made (issue × lever subset × sample).
    pub model_runs: u64,
    /// Whether the run was stopped before the end.
    pub partial: bool,
    /// Every single lever, best first.
    pub singles: Vec<Candidate>,
    /// The best combinations of 2..K levers, best first: the
    /// [`KEPT_OVERALL`] best, and the [`KEPT_PER_SIZE`] best of each size
    /// (so the best pairs are kept when triples lead).
    pub combinations: Vec<Candidate>,
    /// Who bargains and with which capability measure (stated in every output).
    pub table: crate::compile::Table,
}

/// Applies the effects of `levers` to issue `k` of a drawn sample.
pub(crate) fn apply(issue: &mut Issue, levers: &[&Lever], k: usize, compiled: &Compiled) {
    let meta = &compiled.issues[k];
    for lever in levers {
        for effect in &lever.effects {
            let Some(st) = issue.stances.iter_mut().find(|s| s.actor == effect.actor().as_str()) else {
                continue;
            };
            match effect {
                Effect::Position { issue: id, shift, .. } if id.as_str() == meta.id => {
                    st.position[0] = (st.position[0] + shift).clamp(0.0, 100.0);
                }
                Effect::Salience { issue: id, shift, .. } if id.as_str() == meta.id => {
                    st.salience[0] = (st.salience[0] + shift / 100.0).clamp(0.0, 1.0);
                }
                Effect::Capability {
                    issue: id,
                    sphere,
                    factor,
                    ..
                } if id.as_ref().is_some_and(|i| i.as_str() == meta.id) || *sphere == Some(meta.sphere) => {
                    st.capability *= factor;
                }
                _ => {}
            }
        }
    }
}

pub(crate) fn touches(lever: &Lever, compiled: &Compiled, k: usize) -> bool {
    let meta = &compiled.issues[k];
    lever.effects.iter().any(|e| match e {
        Effect::Position { issue, .. } | Effect::Salience { issue, .. } => issue.as_str() == meta.id,
        Effect::Capability { issue, sphere, .. } => {
            issue.as_ref().is_some_and(|i| i.as_str() == meta.id) || *sphere == Some(meta.sphere)
        }
    })
}

/// All subsets of `items` with 1..=k elements, in a fixed order.
pub(crate) fn subsets(items: &[usize], k: usize) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut frontier: Vec<Vec<usize>> = vec![Vec::new()];
    for _ in 0..k {
        let mut next = Vec::new();
        for s in &frontier {
            let start = s
                .last()
                .map_or(0, |&l| items.iter().position(|&x| x == l).map_or(0, |p| p + 1));
            for &x in &items[start..] {
                let mut t = s.clone();
                t.push(x);
                next.push(t);
            }
        }
        out.extend(next.iter().cloned());
        frontier = next;
    }
    out
}

/// The unit each issue is run in: its link group under the exchange model
/// (levers on any issue of the group move the group's outcomes), the issue
/// alone otherwise.
pub(crate) fn units_of(compiled: &Compiled) -> Vec<Vec<usize>> {
    (0..compiled.issues.len())
        .map(|k| match compiled.settings.model.dynamics {
            Dynamics::Exchange(_) => compiled.model.unit_of(k),
            _ => vec![k],
        })
        .collect()
}

/// Per issue, the indices (into `mine`) of the levers that touch its unit.
pub(crate) fn touching_levers(compiled: &Compiled, mine: &[&Lever], unit_of: &[Vec<usize>]) -> Vec<Vec<usize>> {
    (0..compiled.issues.len())
        .map(|k| {
            (0..mine.len())
                .filter(|&l| unit_of[k].iter().any(|&u| touches(mine[l], compiled, u)))
                .collect()
        })
        .collect()
}

/// The focal actor's levers, in model order; an error when it has none.
pub(crate) fn levers_of<'a>(levers: &'a [Lever], focal: &str) -> Result<Vec<&'a Lever>, EngineError> {
    let mine: Vec<&Lever> = levers.iter().filter(|l| l.actor.as_str() == focal).collect();
    if mine.is_empty() {
        return Err(EngineError::InvalidInput(format!(
            "`{focal}` has no lever in the model"
        )));
    }
    Ok(mine)
}

/// Issue `k`'s outcome in drawn sample `index` with `levers` applied to
/// every issue of its unit (NaN when the model fails).
pub(crate) fn run_issue(
    compiled: &Compiled,
    unit_of: &[Vec<usize>],
    sample: &Sample,
    k: usize,
    levers: &[&Lever],
    index: u64,
) -> f64 {
    let unit = &unit_of[k];
    let issues: Vec<Issue> = unit
        .iter()
        .map(|&u| {
            let mut issue = sample.issues[u].clone();
            apply(&mut issue, levers, u, compiled);
            issue
        })
        .collect();
    let refs: Vec<&Issue> = issues.iter().collect();
    let at = unit.iter().position(|&u| u == k).unwrap_or(0);
    forecast_group_outcomes(
        &refs,
        &compiled.settings.model,
        sample_seed(compiled.settings.seed, index),
    )
    .swap_remove(at)
    .map_or(f64::NAN, |outcome| outcome[0])
}

/// Turns the outcomes of a combination into a [`Candidate`]: the focal
/// actor's paired ΔU with its interval, the issues it moves, the shifts in
/// words and every other actor's ΔU. Shared by the beam search and the
/// exhaustive search (`crate::exhaustive`), so that a combination both
/// evaluate gets the same numbers.
pub(crate) struct Scorer<'a> {
    pub(crate) compiled: &'a Compiled,
    pub(crate) mine: Vec<&'a Lever>,
    pub(crate) touching: Vec<Vec<usize>>,
    pub(crate) stances: Stances,
    pub(crate) focal_stance: Vec<(usize, f64, f64)>,
    pub(crate) actors: Vec<String>,
    pub(crate) settings: SearchSettings,
}

impl<'a> Scorer<'a> {
    pub(crate) fn new(
        compiled: &'a Compiled,
        mine: Vec<&'a Lever>,
        touching: Vec<Vec<usize>>,
        settings: &SearchSettings,
    ) -> Self {
        let stances = point_stances(compiled);
        let focal_stance = stances.get(&settings.focal).cloned().unwrap_or_default();
        let mut actors: Vec<String> = stances.keys().cloned().collect();
        actors.sort();
        Scorer {
            compiled,
            mine,
            touching,
            stances,
            focal_stance,
            actors,
            settings: settings.clone(),
        }
    }

    /// The candidate `combo` (indices into `mine`) over `n` samples, where
    /// `outcome(s, k)` is issue `k`'s outcome in sample `s` with the
    /// combination and `base(s, k)` without any lever.
    pub(crate) fn candidate(
        &self,
        combo: &[usize],
        n: usize,
        outcome: impl Fn(usize, usize) -> f64,
        base: impl Fn(usize, usize) -> f64,
    ) -> Candidate {
        let (compiled, settings) = (self.compiled, &self.settings);
        let n_issues = compiled.issues.len();
        let set: BTreeSet<usize> = combo.iter().copied().collect();
        let delta_for = |stance: &[(usize, f64, f64)]| -> (f64, f64) {
            let values: Vec<f64> = (0..n)
                .map(|s| {
                    stance
                        .iter()
                        .map(|&(k, _, _)| {
                            utility(stance, k, outcome(s, k), settings.loss)
                                - utility(stance, k, base(s, k), settings.loss)
                        })
                        .sum::<f64>()
                })
                .collect();
            mean_se(&values)
        };
        let (delta, se) = delta_for(&self.focal_stance);
        let mut issues: Vec<IssueMove> = (0..n_issues)
            .filter(|&k| self.touching[k].iter().any(|l| set.contains(l)))
            .map(|k| {
                let shift: Vec<f64> = (0..n).map(|s| outcome(s, k) - base(s, k)).collect();
                let base: Vec<f64> = (0..n).map(|s| base(s, k)).collect();
                IssueMove {
                    issue: compiled.issues[k].id.clone(),
                    mean_shift: mean_se(&shift).0,
                    base_mean: mean_se(&base).0,
                }
            })
            .collect();
        issues.sort_by(|a, b| b.mean_shift.abs().total_cmp(&a.mean_shift.abs()));
        let mut others: Vec<OtherActor> = self
            .actors
            .iter()
            .filter(|a| **a != settings.focal)
            .map(|a| {
                let (d, e) = delta_for(&self.stances[a]);
                OtherActor {
                    actor: a.clone(),
                    delta_utility: d,
                    std_error: e,
                }
            })
            .collect();
        others.sort_by(|a, b| b.delta_utility.total_cmp(&a.delta_utility));
        let shifts = combo
            .iter()
            .flat_map(|&l| self.mine[l].effects.iter().map(describe))
            .collect();
        Candidate {
            levers: combo.iter().map(|&l| self.mine[l].id.to_string()).collect(),
            delta_utility: delta,
            std_error: se,
            interval: (delta - 1.96 * se, delta + 1.96 * se),
            issues,
            shifts,
            others,
        }
    }
}

/// The ranking of candidates: highest ΔU first (`total_cmp`), ties by lever ids.
pub(crate) fn rank_order(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
    b.delta_utility
        .total_cmp(&a.delta_utility)
        .then_with(|| a.levers.cmp(&b.levers))
}

/// Searches the focal actor's levers under a compiled scenario.
pub fn search(
    compiled: &Compiled,
    levers: &[Lever],
    settings: &SearchSettings,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SearchReport, EngineError> {
    let mine = levers_of(levers, &settings.focal)?;
    let n_issues = compiled.issues.len();
    let unit_of = units_of(compiled);
    let k_max = settings.max_levers.clamp(1, mine.len());
    // Candidate combinations.
    let total: usize = (1..=k_max).map(|k| binomial(mine.len(), k)).sum();
    let exhaustive = total <= EXHAUSTIVE_LIMIT;
    // Lever subsets to run per issue.
    let touching = touching_levers(compiled, &mine, &unit_of);
    let per_issue: Vec<Vec<Vec<usize>>> = touching.iter().map(|t| subsets(t, k_max)).collect();
    let slot: Vec<HashMap<Vec<usize>, usize>> = per_issue
        .iter()
        .map(|v| v.iter().enumerate().map(|(i, s)| (s.clone(), i)).collect())
        .collect();

    // Outcomes per sample: base[k] and with[k][subset].
    let samples = compiled.settings.samples;
    let done = AtomicU64::new(0);
    let runs = AtomicU64::new(0);
    let run_issue = |sample: &Sample, k: usize, levers: &[&Lever], index: u64| -> f64 {
        runs.fetch_add(1, Ordering::Relaxed);
        run_issue(compiled, &unit_of, sample, k, levers, index)
    };
    type PerSample = (Vec<f64>, Vec<Vec<f64>>);
    let outcomes: Vec<Option<PerSample>> = (0..samples)
        .into_par_iter()
        .map(|index| {
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
            let sample: Sample = compiled
                .model
                .draw(compiled.settings.seed, index, compiled.settings.distribution);
            let mut base = Vec::with_capacity(n_issues);
            let mut with = Vec::with_capacity(n_issues);
            for (k, subsets) in per_issue.iter().enumerate() {
                base.push(run_issue(&sample, k, &[], index));
                let mut row = Vec::with_capacity(subsets.len());
                for subset in subsets {
                    let chosen: Vec<&Lever> = subset.iter().map(|&l| mine[l]).collect();
                    row.push(run_issue(&sample, k, &chosen, index));
                }
                with.push(row);
            }
            progress(done.fetch_add(1, Ordering::Relaxed) + 1);
            Some((base, with))
        })
        .collect();
    let partial = outcomes.iter().any(Option::is_none);
    let outcomes: Vec<PerSample> = outcomes.into_iter().flatten().collect();
    if outcomes.is_empty() {
        return Err(EngineError::InvalidInput(
            "the search was stopped before any sample".into(),
        ));
    }

    let scorer = Scorer::new(compiled, mine.clone(), touching.clone(), settings);
    let evaluate = |combo: &[usize]| -> Candidate {
        let set: BTreeSet<usize> = combo.iter().copied().collect();
        // Which run of each issue this combination uses (None: the base run).
        let runs_used: Vec<Option<usize>> = (0..n_issues)
            .map(|k| {
                let sub: Vec<usize> = touching[k].iter().copied().filter(|l| set.contains(l)).collect();
                (!sub.is_empty()).then(|| slot[k][&sub])
            })
            .collect();
        let outcome_of = |s: usize, k: usize| -> f64 {
            match runs_used[k] {
                None => outcomes[s].0[k],
                Some(j) => outcomes[s].1[k][j],
            }
        };
        scorer.candidate(combo, outcomes.len(), outcome_of, |s, k| outcomes[s].0[k])
    };

    let rank = |v: &mut Vec<Candidate>| v.sort_by(rank_order);
    // Candidates are independent: evaluate them in parallel (collected in order, so deterministic).
    let mut singles: Vec<Candidate> = (0..mine.len()).into_par_iter().map(|l| evaluate(&[l])).collect();
    rank(&mut singles);
    let mut combinations: Vec<Candidate> = Vec::new();
    let mut evaluated = singles.len();
    if exhaustive {
        let combos: Vec<Vec<usize>> = subsets(&(0..mine.len()).collect::<Vec<_>>(), k_max)
            .into_iter()
            .filter(|c| c.len() >= 2)
            .collect();
        combinations = combos.par_iter().map(|c| evaluate(c)).collect();
        evaluated += combinations.len();
    } else {
        let index_of = |id: &str| {
            mine.iter()
                .position(|l| l.id.as_str() == id)
                .expect("a lever of the focal actor")
        };
        let mut beam: Vec<Vec<usize>> = singles
            .iter()
            .take(settings.beam_width)
            .map(|c| vec![index_of(&c.levers[0])])
            .collect();
        for _ in 2..=k_max {
            let mut next: Vec<Vec<usize>> = Vec::new();
            for combo in &beam {
                for l in 0..mine.len() {
                    if !combo.contains(&l) {
                        let mut c = combo.clone();
                        c.push(l);
                        c.sort_unstable();
                        if !next.contains(&c) {
                            next.push(c);
                        }
                    }
                }
            }
            let mut scored: Vec<Candidate> = next.par_iter().map(|c| evaluate(c)).collect();
            evaluated += scored.len();
            rank(&mut scored);
            beam = scored
                .iter()
                .take(settings.beam_width)
                .map(|c| c.levers.iter().map(|id| index_of(id)).collect())
                .collect();
            combinations.extend(scored.into_iter().take(settings.beam_width));
        }
    }
    rank(&mut combinations);
    keep_best(&mut combinations);
    Ok(SearchReport {
        settings: settings.clone(),
        scenario: compiled.scenario.scenario.id.clone(),
        run: compiled.settings.clone(),
        method: if exhaustive {
            "exhaustive".into()
        } else {
            format!("beam search (width {})", settings.beam_width)
        },
        evaluated,
        model_runs: runs.load(Ordering::Relaxed),
        partial,
        singles,
        combinations,
        table: compiled.table.clone(),
    })
}

/// Combinations kept in a [`SearchReport`], whatever their size.
pub const KEPT_OVERALL: usize = 20;

/// Combinations of each size (pairs, triples, …) kept in a [`SearchReport`]
/// beside the [`KEPT_OVERALL`] best.
pub const KEPT_PER_SIZE: usize = 5;

/// Keeps, of combinations ranked best first, the [`KEPT_OVERALL`] best and
/// the [`KEPT_PER_SIZE`] best of each size, in their order.
pub(crate) fn keep_best(ranked: &mut Vec<Candidate>) {
    let keep = kept(ranked.iter().map(|c| c.levers.len()));
    let mut flags = keep.into_iter();
    ranked.retain(|_| flags.next().unwrap_or(false));
}

/// For combinations of the given sizes, ranked best first: whether each is
/// kept (among the [`KEPT_OVERALL`] best, or the [`KEPT_PER_SIZE`] best of
/// its size).
pub(crate) fn kept(sizes: impl Iterator<Item = usize>) -> Vec<bool> {
    let mut per_size: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
    sizes
        .enumerate()
        .map(|(k, size)| {
            let seen = per_size.entry(size).or_insert(0);
            *seen += 1;
            k < KEPT_OVERALL || *seen <= KEPT_PER_SIZE
        })
        .collect()
}

/// At most this many package levers are offered (the best, by the focal
/// actor's gain, one per partner), to keep the search's size bounded.
pub const MAX_PACKAGES: usize = 5;

/// The packages `focal` can offer in a compiled scenario, as levers: for
/// every partner, its best exchange on a pair of linked issues at the point
/// values (equal-gain rate, `docs/models/exchange.md` E4–E5), best first by
/// the focal actor's expected gain, at most [`MAX_PACKAGES`]. Each lever moves
/// the focal actor's position on the issue it cares less about and the
/// partner's on the other, by the shifts of the exchange; its sources are
/// those of the links joining the two issues.
pub fn package_levers(compiled: &Compiled, links: &[accord_core::model::Link], focal: &str) -> Vec<Lever> {
    let point = compiled.model.point();
    let settings = ExchangeSettings::default();
    let mut offers: Vec<exchange::Exchange> = Vec::new();
    for unit in compiled.model.units().into_iter().filter(|u| u.len() > 1) {
        let issues: Vec<&Issue> = unit.iter().map(|&i| &point.issues[i]).collect();
        offers.extend(exchange::offers(&issues, focal, &settings).unwrap_or_default());
    }
    let gain_of = |x: &exchange::Exchange| {
        x.shifts
            .iter()
            .position(|s| s.actor == focal)
            .map_or(f64::NEG_INFINITY, |i| x.gains[i])
    };
    offers.sort_by(|a, b| gain_of(b).total_cmp(&gain_of(a)));
    let mut partners: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for x in offers {
        let Some(mine) = x.shifts.iter().position(|s| s.actor == focal) else {
            continue;
        };
        let (me, other) = (&x.shifts[mine], &x.shifts[1 - mine]);
        if partners.contains(&other.actor) || out.len() >= MAX_PACKAGES {
            continue;
        }
        let (Ok(id), Ok(actor), Ok(partner), Ok(my_issue), Ok(their_issue)) = (
            EntryId::new(&format!(
                "package-{}-{}-{}",
                other.actor.to_ascii_lowercase(),
                me.issue,
                other.issue
            )),
            accord_core::ActorId::new(focal),
            accord_core::ActorId::new(&other.actor),
            EntryId::new(&me.issue),
            EntryId::new(&other.issue),
        ) else {
            continue;
        };
        let sources = links
            .iter()
            .filter(|l| l.issues.iter().any(|r| r.issue == my_issue || r.issue == their_issue))
            .flat_map(|l| l.provenance.sources.iter().cloned())
            .fold(Vec::new(), |mut acc, c| {
                if !acc.contains(&c) {
                    acc.push(c);
                }
                acc
            });
        partners.push(other.actor.clone());
        out.push(Lever {
            id,
            actor: actor.clone(),
            name: format!(
                "Package with {}: {focal} gives way on {}, {} on {}",
                other.actor, me.issue, other.actor, other.issue
            ),
            basis: format!(
                "Exchange model (docs/models/exchange.md, E4-E5, equal gain) at the point values of scenario `{}`: \
                 {focal} moves on {} from {:.1} to {:.1} and {} on {} from {:.1} to {:.1}; each expects to gain {:.4} \
                 (salience-weighted distance to the expected outcomes). The issues are linked: {}.",
                compiled.scenario.scenario.id,
                me.issue,
                me.from,
                me.to,
                other.actor,
                other.issue,
                other.from,
                other.to,
                x.gains[mine],
                links
                    .iter()
                    .filter(|l| l.issues.iter().any(|r| r.issue == my_issue || r.issue == their_issue))
                    .map(|l| l.id.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            effects: vec![
                Effect::Position {
                    actor,
                    issue: my_issue,
                    shift: me.to - me.from,
                },
                Effect::Position {
                    actor: partner,
                    issue: their_issue,
                    shift: other.to - other.from,
                },
            ],
            provenance: Provenance {
                sources,
                verified: Vec::new(),
                certainty: Certainty::Unconfirmed,
                caveat: Some(
                    "A model-derived trade, not one the article proposes; its size is the exchange model's.".into(),
                ),
                note: None,
            },
        });
    }
    out
}

pub(crate) fn describe(e: &Effect) -> String {
    match e {
        Effect::Position { actor, issue, shift } => format!("{actor} moves {shift:+} on {issue}"),
        Effect::Salience { actor, issue, shift } => format!("{actor} cares {shift:+} more about {issue}"),
        Effect::Capability {
            actor,
            issue,
            sphere,
            factor,
        } => match (issue, sphere) {
            (Some(i), _) => format!("{actor}'s capability ×{factor} on {i}"),
            (_, Some(s)) => format!("{actor}'s capability ×{factor} in {}", s.as_str()),
            _ => format!("{actor}'s capability ×{factor}"),
        },
    }
}

pub(crate) fn binomial(n: usize, k: usize) -> usize {
    (0..k).fold(1usize, |acc, i| acc.saturating_mul(n - i) / (i + 1))
}

/// Mean and standard error of the mean (NaN values — failed runs — are skipped).
pub(crate) fn mean_se(values: &[f64]) -> (f64, f64) {
    let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    let n = v.len() as f64;
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mean = v.iter().sum::<f64>() / n;
    let var = if v.len() > 1 {
        v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (mean, (var / n).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_of_each_size_are_kept_beside_the_best_overall() {
        let candidate = |n: usize, du: f64| Candidate {
            levers: (0..n).map(|i| format!("l{i}")).collect(),
            delta_utility: du,
            std_error: 0.0,
            interval: (du, du),
            issues: Vec::new(),
            shifts: Vec::new(),
            others: Vec::new(),
        };
        // 30 triples ranked above 10 pairs.
        let mut ranked: Vec<Candidate> = (0..30).map(|i| candidate(3, 100.0 - i as f64)).collect();
        ranked.extend((0..10).map(|i| candidate(2, 50.0 - i as f64)));
        keep_best(&mut ranked);
        assert_eq!(ranked.len(), KEPT_OVERALL + KEPT_PER_SIZE);
        assert_eq!(ranked.iter().filter(|c| c.levers.len() == 2).count(), KEPT_PER_SIZE);
        // Still best first.
        assert!(ranked.windows(2).all(|w| w[0].delta_utility >= w[1].delta_utility));
        assert_eq!(ranked[KEPT_OVERALL].delta_utility, 50.0);
    }

    #[test]
    fn subsets_are_complete_and_ordered() {
        let s = subsets(&[1, 3, 5], 2);
        assert_eq!(s, vec![vec![1], vec![3], vec![5], vec![1, 3], vec![1, 5], vec![3, 5]]);
        assert_eq!(subsets(&[0, 1, 2, 3], 3).len(), 4 + 6 + 4);
        assert_eq!(binomial(21, 3), 1330);
    }

    #[test]
    fn utility_is_zero_at_the_position_and_falls_away() {
        let st = vec![(0, 40.0, 50.0)];
        assert_eq!(utility(&st, 0, 40.0, Loss::Linear), 0.0);
        assert!((utility(&st, 0, 60.0, Loss::Linear) + 0.1).abs() < 1e-12);
        assert!((utility(&st, 0, 60.0, Loss::Quadratic) + 0.02).abs() < 1e-12);
        assert_eq!(utility(&st, 1, 60.0, Loss::Linear), 0.0);
    }
}
