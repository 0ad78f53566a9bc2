//! The exhaustive strategy search: every combination of up to `K` of the
//! focal actor's levers, in pieces that can run anywhere.
//!
//! The value of a combination is the one of [`crate::opportunities`] (the
//! focal actor's paired ΔU over the Monte Carlo samples, with its interval,
//! the issues it moves and every other actor's ΔU); this module only
//! evaluates *every* combination instead of a beam's.
//!
//! **Sharing.** Issues are independent given the stances, so issue `k`'s
//! outcome in sample `s` under a combination `C` depends only on
//! `C ∩ T_k`, the levers of `C` that touch `k` (under the exchange model:
//! that touch any issue of `k`'s link group, which is run as one unit). Each
//! `(k, C ∩ T_k)` is a *key*: its outcomes are computed once per sample and
//! shared by every combination with that intersection — with levers that
//! touch one to three issues, a few hundred keys serve tens of thousands of
//! combinations. The focal actor's utility of `C` in sample `s` is then
//! assembled from per-key terms `u_k(x_k(C ∩ T_k, s)) − u_k(x_k(∅, s))`,
//! which are also computed once per key; issues `C` does not touch add
//! exactly zero.
//!
//! **Identical to the beam search.** The draws are the same (sample `s` is
//! drawn with the run's seed and index `s`, every model run of sample `s`
//! uses `sample_seed(seed, s)`), the levers are applied by the same code,
//! and the reported candidates are built by the same function as the beam
//! search's. The ranking value is the sum of the same terms in the same
//! order, minus the untouched issues' terms; those are exactly `+0.0` (a
//! utility is `−0.0` or negative, so a difference of equal utilities is
//! `+0.0` and no term is ever `−0.0`), and adding `+0.0` to a sum that is
//! not `−0.0` leaves it unchanged bit for bit — so a combination both
//! searches evaluate gets identical numbers (tested in
//! `crates/accord-io/tests/exhaustive.rs`).
//!
//! **The chunked API.** A [`Plan`] numbers the candidates in a fixed order:
//! by size (1, 2, …, `K`), then lexicographically by lever index (levers in
//! model order). [`evaluate`] runs one range of indices and returns a
//! [`Part`] (serde-serialisable: ship it as JSON or bytes) holding the full
//! results of the single levers in the range and its best combinations of
//! two levers or more (the [`KEPT_OVERALL`](crate::opportunities::KEPT_OVERALL) best and the [`KEPT_PER_SIZE`](crate::opportunities::KEPT_PER_SIZE)
//! best of each size, as the beam search keeps); it computes only
//! the keys its candidates need. [`reduce`] takes the parts covering `0..N`
//! in index order and returns the [`SearchReport`]. Because the ranking is a
//! total order (ΔU by `total_cmp`, ties by lever ids) and every candidate's
//! numbers depend only on the plan, the global best combinations are among
//! the parts' best, and any split into ranges gives the identical report.
//! [`search`] is `evaluate` over every index followed by `reduce`:
//!
//! ```text
//! let plan = Plan::new(&compiled, &levers, &settings)?;
//! let parts: Vec<Part> = plan.ranges(workers).into_iter()
//!     .map(|r| evaluate(&plan, r, &cancel, &|_| {})).collect::<Result<_, _>>()?;
//! let report = reduce(&plan, &parts)?;
//! ```
//!
//! Within one call, rayon runs the samples and the candidates in parallel
//! and collects them in order, so the result does not depend on the thread
//! count either.

use std::{
    collections::{BTreeSet, HashMap},
    ops::Range,
    sync::atomic::{AtomicBool, AtomicU64, Ordering},
};

use accord_core::model::Lever;
use accord_engine::{EngineError, montecarlo::MonteCarloSettings};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    Compiled,
    opportunities::{
        Candidate, Loss, Scorer, SearchReport, SearchSettings, keep_best, kept, levers_of, mean_se, rank_order,
        run_issue, touching_levers, units_of, utility,
    },
};

/// The largest `K` a plan accepts: the keys per issue grow as `Σ C(T_k, r)`
/// for `r ≤ K`, so larger `K` would hold more outcomes than memory allows
/// for any realistic lever set.
pub const MAX_COMBINED: usize = 6;

/// Number of combinations of `r` among `n` (saturating at `u64::MAX`).
pub fn binomial(n: usize, r: usize) -> u64 {
    if r > n {
        return 0;
    }
    let mut acc: u128 = 1;
    for i in 0..r as u128 {
        acc = acc * (n as u128 - i) / (i + 1);
        if acc > u64::MAX as u128 {
            return u64::MAX;
        }
    }
    acc as u64
}

/// Number of combinations of 1 to `k` levers among `n` (saturating).
pub fn combinations(n: usize, k: usize) -> u64 {
    (1..=k.min(n)).fold(0u64, |acc, r| acc.saturating_add(binomial(n, r)))
}

/// What identifies a plan: a [`Part`] is only reduced with parts of the same
/// plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanId {
    /// The scenario searched in.
    pub scenario: String,
    /// The focal actor.
    pub focal: String,
    /// `K`, after clamping to the number of levers.
    pub max_levers: usize,
    /// The loss function.
    pub loss: Loss,
    /// The focal actor's levers, in index order.
    pub levers: Vec<String>,
    /// Samples, seed, distribution and model.
    pub run: MonteCarloSettings,
    /// Number of candidates.
    pub candidates: u64,
}

/// The evaluated candidates of one range of indices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    /// The plan the part belongs to.
    pub plan: PlanId,
    /// First index of the range.
    pub start: u64,
    /// One past the last index.
    pub end: u64,
    /// Samples the candidates were evaluated on (fewer than the plan's when
    /// the run was stopped).
    pub samples: u64,
    /// Whether the run was stopped before the last sample.
    pub partial: bool,
    /// Every single lever in the range, best first.
    pub singles: Vec<Candidate>,
    /// The range's best combinations of two levers or more (the
    /// [`KEPT_OVERALL`](crate::opportunities::KEPT_OVERALL) best and the [`KEPT_PER_SIZE`](crate::opportunities::KEPT_PER_SIZE) best of each size),
    /// best first.
    pub combinations: Vec<Candidate>,
}

/// The numbered candidates of a search and what evaluating them needs.
pub struct Plan<'a> {
    scorer: Scorer<'a>,
    unit_of: Vec<Vec<usize>>,
    k_max: usize,
    /// `offsets[r - 1]`: index of the first combination of `r` levers;
    /// `offsets[k_max]` the number of candidates.
    offsets: Vec<u64>,
    /// Per issue, its keys: the subsets of its touching levers with at most
    /// `K` elements, key 0 being the empty one (the run without levers).
    key_subsets: Vec<Vec<Vec<usize>>>,
    key_index: Vec<HashMap<Vec<usize>, usize>>,
    /// Per lever, the issues it touches (ascending).
    issues_of: Vec<Vec<usize>>,
    id: PlanId,
}

impl<'a> Plan<'a> {
    /// Numbers every combination of 1 to `settings.max_levers` of the focal
    /// actor's levers (clamped to its number of levers). Errors: the actor
    /// has no lever, or `max_levers` (clamped) is above [`MAX_COMBINED`].
    pub fn new(compiled: &'a Compiled, levers: &'a [Lever], settings: &SearchSettings) -> Result<Self, EngineError> {
        let mine = levers_of(levers, &settings.focal)?;
        let k_max = settings.max_levers.clamp(1, mine.len());
        if k_max > MAX_COMBINED {
            return Err(EngineError::InvalidInput(format!(
                "max_levers is {}: the exhaustive search combines at most {MAX_COMBINED} levers",
                settings.max_levers
            )));
        }
        let unit_of = units_of(compiled);
        let touching = touching_levers(compiled, &mine, &unit_of);
        let mut issues_of = vec![Vec::new(); mine.len()];
        for (k, t) in touching.iter().enumerate() {
            for &l in t {
                issues_of[l].push(k);
            }
        }
        let key_subsets: Vec<Vec<Vec<usize>>> = touching
            .iter()
            .map(|t| {
                std::iter::once(Vec::new())
                    .chain(crate::opportunities::subsets(t, k_max))
                    .collect()
            })
            .collect();
        let key_index = key_subsets
            .iter()
            .map(|v| v.iter().enumerate().map(|(i, s)| (s.clone(), i)).collect())
            .collect();
        let mut offsets = vec![0u64];
        for r in 1..=k_max {
            let last = *offsets.last().unwrap_or(&0);
            offsets.push(last.saturating_add(binomial(mine.len(), r)));
        }
        let candidates = offsets[k_max];
        let id = PlanId {
            scenario: compiled.scenario.scenario.id.clone(),
            focal: settings.focal.clone(),
            max_levers: k_max,
            loss: settings.loss,
            levers: mine.iter().map(|l| l.id.to_string()).collect(),
            run: compiled.settings.clone(),
            candidates,
        };
        Ok(Plan {
            scorer: Scorer::new(compiled, mine, touching, settings),
            unit_of,
            k_max,
            offsets,
            key_subsets,
            key_index,
            issues_of,
            id,
        })
    }

    /// Number of candidates (indices are `0..len()`).
    pub fn len(&self) -> u64 {
        self.offsets[self.k_max]
    }

    /// Whether there is no candidate (never, for a plan that was built).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `0..len()` cut into `parts` contiguous ranges of near-equal size, in
    /// order (fewer when there are fewer candidates; at least one): the
    /// ranges to hand to [`evaluate`] on as many workers.
    pub fn ranges(&self, parts: u64) -> Vec<Range<u64>> {
        let n = self.len();
        let parts = parts.clamp(1, n.max(1));
        // In u128: `n · i` may not fit in u64.
        let cut = |i: u64| (n as u128 * i as u128 / parts as u128) as u64;
        (0..parts).map(|i| cut(i)..cut(i + 1)).collect()
    }

    /// What identifies the plan (carried by its parts).
    pub fn id(&self) -> &PlanId {
        &self.id
    }

    /// Model runs per sample that the whole search needs: one per issue and
    /// key, the run without levers included — whatever the split.
    pub fn runs_per_sample(&self) -> u64 {
        self.key_subsets.iter().map(|v| v.len() as u64).sum()
    }

    /// The lever ids of candidate `index`, or `None` past the end.
    pub fn combination(&self, index: u64) -> Option<Vec<String>> {
        let combo = self.unrank(index)?;
        Some(combo.iter().map(|&l| self.scorer.mine[l].id.to_string()).collect())
    }

    /// The index of the candidate made of `levers` (ids, in any order), if
    /// it is one.
    pub fn index_of(&self, levers: &[&str]) -> Option<u64> {
        let mut combo: Vec<usize> = levers
            .iter()
            .map(|id| self.scorer.mine.iter().position(|l| l.id.as_str() == *id))
            .collect::<Option<_>>()?;
        combo.sort_unstable();
        combo.dedup();
        if combo.len() != levers.len() || combo.is_empty() || combo.len() > self.k_max {
            return None;
        }
        let n = self.scorer.mine.len();
        let r = combo.len();
        let mut index = self.offsets[r - 1];
        let mut from = 0;
        for (p, &c) in combo.iter().enumerate() {
            for skipped in from..c {
                index += binomial(n - skipped - 1, r - p - 1);
            }
            from = c + 1;
        }
        Some(index)
    }

    /// Candidate `index` as lever indices (lexicographic within its size).
    fn unrank(&self, index: u64) -> Option<Vec<usize>> {
        if index >= self.len() {
            return None;
        }
        let r = (1..=self.k_max).find(|&r| index < self.offsets[r])?;
        let n = self.scorer.mine.len();
        let mut i = index - self.offsets[r - 1];
        let mut out = Vec::with_capacity(r);
        let mut c = 0;
        for p in 0..r {
            loop {
                let count = binomial(n - c - 1, r - p - 1);
                if i < count {
                    out.push(c);
                    c += 1;
                    break;
                }
                i -= count;
                c += 1;
            }
        }
        Some(out)
    }

    /// The candidates of `range`, in index order.
    fn combos_in(&self, range: Range<u64>) -> Vec<Vec<usize>> {
        let n = self.scorer.mine.len();
        let mut out = Vec::with_capacity(usize::try_from(range.end - range.start).unwrap_or(0));
        let Some(mut combo) = self.unrank(range.start) else {
            return out;
        };
        for _ in range {
            out.push(combo.clone());
            if !next_combination(&mut combo, n) {
                // The first combination of the next size.
                combo = (0..combo.len() + 1).collect();
            }
        }
        out
    }

    /// The key of every issue `combo` touches: `(issue, key)`, by issue.
    fn keys_of(&self, combo: &[usize]) -> Vec<(usize, usize)> {
        let issues: BTreeSet<usize> = combo.iter().flat_map(|&l| self.issues_of[l].iter().copied()).collect();
        issues
            .into_iter()
            .map(|k| {
                let sub: Vec<usize> = self.scorer.touching[k]
                    .iter()
                    .copied()
                    .filter(|l| combo.contains(l))
                    .collect();
                (k, self.key_index[k][&sub])
            })
            .collect()
    }
}

/// Advances `combo` (ascending indices below `n`) to its lexicographic
/// successor of the same size; false when it was the last.
fn next_combination(combo: &mut [usize], n: usize) -> bool {
    let r = combo.len();
    for i in (0..r).rev() {
        if combo[i] < n - r + i {
            combo[i] += 1;
            for j in i + 1..r {
                combo[j] = combo[j - 1] + 1;
            }
            return true;
        }
    }
    false
}

/// Evaluates the candidates `range` of `plan` on every sample of the run
/// (the keys they need only). `progress` is called with the number of
/// samples done; when `cancel` is set the part covers the samples done
/// before it and is marked partial. Errors: a range outside `0..plan.len()`,
/// or a stop before any sample.
pub fn evaluate(
    plan: &Plan,
    range: Range<u64>,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Part, EngineError> {
    if range.start > range.end || range.end > plan.len() {
        return Err(EngineError::InvalidInput(format!(
            "candidate range {}..{} is not within 0..{} (the plan's candidates)",
            range.start,
            range.end,
            plan.len()
        )));
    }
    let scorer = &plan.scorer;
    let compiled = scorer.compiled;
    let n_issues = compiled.issues.len();
    let combos = plan.combos_in(range.clone());
    let cand_keys: Vec<Vec<(usize, usize)>> = combos.par_iter().map(|c| plan.keys_of(c)).collect();

    // The columns to run: every issue's run without levers, then the keys
    // the candidates need, by issue and key.
    let mut needed: Vec<BTreeSet<usize>> = (0..n_issues).map(|_| BTreeSet::from([0])).collect();
    for keys in &cand_keys {
        for &(k, key) in keys {
            needed[k].insert(key);
        }
    }
    let columns: Vec<(usize, usize)> = needed
        .iter()
        .enumerate()
        .flat_map(|(k, keys)| keys.iter().map(move |&key| (k, key)))
        .collect();
    let column_of: HashMap<(usize, usize), usize> = columns.iter().enumerate().map(|(c, &kk)| (kk, c)).collect();
    let base_column: Vec<usize> = (0..n_issues).map(|k| column_of[&(k, 0)]).collect();

    // The model runs, one row per sample (in sample order whatever the threads).
    let samples = compiled.settings.samples;
    let done = AtomicU64::new(0);
    let rows: Vec<Option<Vec<f64>>> = (0..samples)
        .into_par_iter()
        .map(|index| {
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
            let sample = compiled
                .model
                .draw(compiled.settings.seed, index, compiled.settings.distribution);
            let row = columns
                .iter()
                .map(|&(k, key)| {
                    let chosen: Vec<&Lever> = plan.key_subsets[k][key].iter().map(|&l| scorer.mine[l]).collect();
                    run_issue(compiled, &plan.unit_of, &sample, k, &chosen, index)
                })
                .collect();
            progress(done.fetch_add(1, Ordering::Relaxed) + 1);
            Some(row)
        })
        .collect();
    let partial = rows.iter().any(Option::is_none);
    let rows: Vec<Vec<f64>> = rows.into_iter().flatten().collect();
    if rows.is_empty() && samples > 0 {
        return Err(EngineError::InvalidInput(
            "the search was stopped before any sample".into(),
        ));
    }
    let n = rows.len();
    // Column-major: table[c][s].
    let table: Vec<Vec<f64>> = (0..columns.len())
        .map(|c| rows.iter().map(|row| row[c]).collect())
        .collect();
    drop(rows);

    // The focal actor's term per column: u_k(with) − u_k(without), per sample.
    let focal = &scorer.focal_stance;
    let loss = scorer.settings.loss;
    let on_focal: Vec<bool> = (0..n_issues).map(|k| focal.iter().any(|&(i, _, _)| i == k)).collect();
    let terms: Vec<Option<Vec<f64>>> = columns
        .par_iter()
        .map(|&(k, key)| {
            (key != 0 && on_focal[k]).then(|| {
                let (with, base) = (&table[column_of[&(k, key)]], &table[base_column[k]]);
                (0..n)
                    .map(|s| utility(focal, k, with[s], loss) - utility(focal, k, base[s], loss))
                    .collect()
            })
        })
        .collect();
    // A failed run without levers on any issue of the focal actor makes the
    // sample's sum NaN for every candidate (skipped, as the beam skips it).
    let base_nan: Vec<bool> = (0..n)
        .map(|s| {
            focal
                .iter()
                .any(|&(k, _, _)| utility(focal, k, table[base_column[k]][s], loss).is_nan())
        })
        .collect();

    // The focal actor's ΔU of every candidate.
    let deltas: Vec<f64> = cand_keys
        .par_iter()
        .map_init(
            || vec![0.0; n],
            |values, keys| {
                values.fill(0.0);
                for &(k, key) in keys {
                    if let Some(term) = &terms[column_of[&(k, key)]] {
                        for (v, t) in values.iter_mut().zip(term) {
                            *v += t;
                        }
                    }
                }
                for (v, &nan) in values.iter_mut().zip(&base_nan) {
                    if nan {
                        *v = f64::NAN;
                    }
                }
                mean_se(values).0
            },
        )
        .collect();

    // Rank: every single lever, the best combinations.
    let n_levers = scorer.mine.len() as u64;
    let order = |a: usize, b: usize| {
        deltas[b].total_cmp(&deltas[a]).then_with(|| {
            let ids = |i: usize| combos[i].iter().map(|&l| scorer.mine[l].id.as_str());
            ids(a).cmp(ids(b))
        })
    };
    let position = |i: usize| range.start + i as u64;
    let singles: Vec<usize> = (0..combos.len()).filter(|&i| position(i) < n_levers).collect();
    let mut best: Vec<usize> = (0..combos.len()).filter(|&i| position(i) >= n_levers).collect();
    best.sort_by(|&a, &b| order(a, b));
    let keep = kept(best.iter().map(|&i| combos[i].len()));
    let mut flags = keep.into_iter();
    best.retain(|_| flags.next().unwrap_or(false));

    // The full results of the kept candidates, by the beam search's function.
    let full = |i: usize| -> Candidate {
        let mut column = base_column.clone();
        for &(k, key) in &cand_keys[i] {
            column[k] = column_of[&(k, key)];
        }
        scorer.candidate(
            &combos[i],
            n,
            |s, k| table[column[k]][s],
            |s, k| table[base_column[k]][s],
        )
    };
    let mut singles: Vec<Candidate> = singles.par_iter().map(|&i| full(i)).collect();
    singles.sort_by(rank_order);
    let mut combinations: Vec<Candidate> = best.par_iter().map(|&i| full(i)).collect();
    combinations.sort_by(rank_order);
    Ok(Part {
        plan: plan.id.clone(),
        start: range.start,
        end: range.end,
        samples: n as u64,
        partial,
        singles,
        combinations,
    })
}

/// Joins the parts of a plan into its report. The parts must cover
/// `0..plan.len()` in index order, without gap or overlap, and belong to
/// `plan`; any such split gives the identical report.
pub fn reduce(plan: &Plan, parts: &[Part]) -> Result<SearchReport, EngineError> {
    let mut expected = 0u64;
    for (i, part) in parts.iter().enumerate() {
        if part.plan != plan.id {
            return Err(EngineError::InvalidInput(format!(
                "part {i} (candidates {}..{}) belongs to another plan (scenario `{}`, focal {}, K = {}, {} samples, seed {}) \
                 than this one (scenario `{}`, focal {}, K = {}, {} samples, seed {})",
                part.start,
                part.end,
                part.plan.scenario,
                part.plan.focal,
                part.plan.max_levers,
                part.plan.run.samples,
                part.plan.run.seed,
                plan.id.scenario,
                plan.id.focal,
                plan.id.max_levers,
                plan.id.run.samples,
                plan.id.run.seed
            )));
        }
        if part.start != expected || part.end < part.start {
            return Err(EngineError::InvalidInput(format!(
                "part {i} covers candidates {}..{}, but the parts must cover 0..{} in order: it should start at {expected}",
                part.start,
                part.end,
                plan.len()
            )));
        }
        expected = part.end;
    }
    if expected != plan.len() {
        return Err(EngineError::InvalidInput(format!(
            "the parts cover candidates 0..{expected}, not all of 0..{}",
            plan.len()
        )));
    }
    let mut singles: Vec<Candidate> = parts.iter().flat_map(|p| p.singles.iter().cloned()).collect();
    singles.sort_by(rank_order);
    let mut combinations: Vec<Candidate> = parts.iter().flat_map(|p| p.combinations.iter().cloned()).collect();
    combinations.sort_by(rank_order);
    keep_best(&mut combinations);
    let samples = parts.iter().map(|p| p.samples).min().unwrap_or(0);
    let settings = &plan.scorer.settings;
    Ok(SearchReport {
        settings: settings.clone(),
        scenario: plan.id.scenario.clone(),
        run: plan.id.run.clone(),
        method: "exhaustive".into(),
        evaluated: usize::try_from(plan.len()).unwrap_or(usize::MAX),
        model_runs: plan.runs_per_sample().saturating_mul(samples),
        partial: parts.iter().any(|p| p.partial),
        singles,
        combinations,
        table: plan.scorer.compiled.table.clone(),
    })
}

/// Every combination of up to `settings.max_levers` of the focal actor's
/// levers, in one piece: [`evaluate`] over all candidates, then [`reduce`].
pub fn search(
    compiled: &Compiled,
    levers: &[Lever],
    settings: &SearchSettings,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SearchReport, EngineError> {
    let plan = Plan::new(compiled, levers, settings)?;
    let part = evaluate(&plan, 0..plan.len(), cancel, progress)?;
    reduce(&plan, &[part])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn successor_enumerates_every_combination_in_lexicographic_order() {
        let mut combo = vec![0, 1];
        let mut seen = vec![combo.clone()];
        while next_combination(&mut combo, 4) {
            seen.push(combo.clone());
        }
        assert_eq!(
            seen,
            vec![vec![0, 1], vec![0, 2], vec![0, 3], vec![1, 2], vec![1, 3], vec![2, 3]]
        );
        assert_eq!(
            crate::opportunities::subsets(&[0, 1, 2, 3], 2)[4..].to_vec(),
            seen,
            "the same order as the beam search's subsets"
        );
    }

    #[test]
    fn counts() {
        assert_eq!(binomial(48, 3), 17_296);
        assert_eq!(combinations(48, 3), 18_472);
        assert_eq!(combinations(48, 4), 18_472 + 194_580);
        assert_eq!(combinations(3, 5), 7);
        assert_eq!(binomial(3, 4), 0);
        assert_eq!(binomial(100_000, 6), u64::MAX, "saturates");
    }
}
