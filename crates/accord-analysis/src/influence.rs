//! Who accounts for each outcome: Shapley attribution of every forecast's
//! displacement from the status quo, aggregated by sphere (the article's
//! "Russia's role versus China's activity"), and the voting power of the
//! members under the organization's rule and under alternatives.
//!
//! Attribution runs the scenario's model on the point values of the inputs
//! (one deterministic forecast per coalition). With the compromise model it is
//! exact; with dynamics it samples permutations and states its error (see
//! `docs/models/influence.md`).
//!
//! **Shares by sphere.** For actor `i` and sphere `S`,
//! `share_iS = Σ_{k∈S} φ_ik · sign(d_k) / Σ_{k∈S} |d_k|`, where `d_k` is issue
//! `k`'s displacement and `φ_ik` the actor's Shapley value on it. The shares of
//! all actors sum to 1 in every sphere with any displacement (efficiency); a
//! positive share pushed the outcomes where they went, a negative one held
//! them back.

use std::sync::atomic::AtomicBool;

use accord_core::Sphere;
use accord_engine::{
    Chamber, EngineError, Voter, VotingRule,
    influence::{Attribution, PowerIndices, ShapleyMethod, power_indices, shapley_evaluations, shapley_with},
};
use serde::Serialize;

use crate::Compiled;

/// Attribution of one issue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IssueInfluence {
    /// The issue's id.
    pub issue: String,
    /// Its sphere.
    pub sphere: Sphere,
    /// The engine's attribution (first dimension).
    pub attribution: Attribution,
}

/// An actor's share of the displacement in one sphere.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SphereShare {
    /// The sphere.
    pub sphere: Sphere,
    /// Sum of the issues' absolute displacements.
    pub displacement: f64,
    /// `(actor, share)`, largest share first.
    pub shares: Vec<(String, f64)>,
}

/// Voting power of the members under one rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RulePower {
    /// The rule, in words.
    pub rule: String,
    /// The voters' codes.
    pub voters: Vec<String>,
    /// The engine's indices.
    pub indices: PowerIndices,
    /// Share of all coalitions that win: how easily the body can act at all
    /// (Coleman's power of the collectivity to act).
    pub passage: f64,
}

/// Influence under one scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InfluenceReport {
    /// The scenario's id.
    pub scenario: String,
    /// Per issue.
    pub issues: Vec<IssueInfluence>,
    /// Per sphere.
    pub spheres: Vec<SphereShare>,
    /// Voting power of the voting members under consensus, two-thirds and simple majority.
    pub power: Vec<RulePower>,
}

/// Computes attributions (with `permutations` when sampled) and voting power.
pub fn influence(c: &Compiled, permutations: Option<u64>) -> Result<InfluenceReport, EngineError> {
    influence_with(c, permutations, &AtomicBool::new(false), &|_, _| {})
}

/// Like [`influence`], for long runs: `progress(done, total)` is called with
/// the coalition worths evaluated so far and in all, over every issue (the
/// sum of their [`Attribution::evaluations`](accord_engine::influence::Attribution)),
/// and `cancel` is read between batches: once it is set the function returns
/// [`EngineError::Cancelled`]. Neither changes the result.
pub fn influence_with(
    c: &Compiled,
    permutations: Option<u64>,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<InfluenceReport, EngineError> {
    let point = c.model.point();
    let method = match permutations {
        Some(p) => ShapleyMethod::Sampled { permutations: p },
        None => ShapleyMethod::Auto,
    };
    // The whole job's size, known before the first issue, so that the time
    // left is estimated over every issue.
    let mut total = 0u64;
    for issue in &point.issues {
        total = total.saturating_add(shapley_evaluations(issue, &c.settings.model, method)?);
    }
    let mut before = 0u64;
    let mut issues = Vec::new();
    for (k, issue) in point.issues.iter().enumerate() {
        let attribution = shapley_with(issue, &c.settings.model, c.settings.seed, method, cancel, &|done, _| {
            progress(before.saturating_add(done), total);
        })?;
        before = before.saturating_add(attribution.evaluations);
        issues.push(IssueInfluence {
            issue: issue.id.clone(),
            sphere: c.issues[k].sphere,
            attribution,
        });
    }
    let spheres = Sphere::ALL
        .iter()
        .filter_map(|&sphere| {
            let these: Vec<&IssueInfluence> = issues.iter().filter(|i| i.sphere == sphere).collect();
            let total: f64 = these.iter().map(|i| i.attribution.displacement[0].abs()).sum();
            if these.is_empty() || total == 0.0 {
                return None;
            }
            let mut shares: Vec<(String, f64)> = Vec::new();
            for i in &these {
                let sign = i.attribution.displacement[0].signum();
                for (a, v) in i.attribution.actors.iter().zip(&i.attribution.values) {
                    let add = v[0] * sign / total;
                    match shares.iter_mut().find(|(x, _)| x == a) {
                        Some((_, s)) => *s += add,
                        None => shares.push((a.clone(), add)),
                    }
                }
            }
            shares.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            Some(SphereShare {
                sphere,
                displacement: total,
                shares,
            })
        })
        .collect();
    let n = c.voters.len();
    let voters: Vec<Voter> = (0..n)
        .map(|i| Voter {
            actor: i,
            weight: 1.0,
            population: 0.0,
        })
        .collect();
    let rules = [
        ("consensus (unanimity)".to_owned(), VotingRule::Unanimity),
        (
            "two-thirds majority".to_owned(),
            VotingRule::Qualified {
                weight_threshold: (2.0 * n as f64 / 3.0).ceil(),
                min_members: None,
                population_share: None,
            },
        ),
        ("simple majority".to_owned(), VotingRule::SimpleMajority),
    ];
    let mut power = Vec::new();
    for (name, rule) in rules {
        let chamber = Chamber {
            name: name.clone(),
            voters: voters.clone(),
            rule,
        };
        let indices = power_indices(&chamber)?;
        let passage = passage_probability(&chamber);
        power.push(RulePower {
            rule: name,
            voters: c.voters.clone(),
            indices,
            passage,
        });
    }
    Ok(InfluenceReport {
        scenario: c.scenario.scenario.id.clone(),
        issues,
        spheres,
        power,
    })
}

/// Share of the `2^n` coalitions of equal-weight voters that win.
fn passage_probability(chamber: &Chamber) -> f64 {
    let n = chamber.voters.len();
    if n == 0 || n > 30 {
        return f64::NAN;
    }
    let wins = |size: usize| match &chamber.rule {
        VotingRule::Unanimity => size == n,
        VotingRule::SimpleMajority => 2 * size > n,
        VotingRule::Qualified { weight_threshold, .. } => size as f64 >= *weight_threshold,
    };
    let mut total = 0.0;
    let mut binom = 1.0;
    for size in 0..=n {
        if wins(size) {
            total += binom;
        }
        binom = binom * (n - size) as f64 / (size + 1) as f64;
    }
    total / 2f64.powi(n as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passage_shrinks_as_the_rule_tightens() {
        let voters: Vec<Voter> = (0..6)
            .map(|i| Voter {
                actor: i,
                weight: 1.0,
                population: 0.0,
            })
            .collect();
        let p = |rule| {
            passage_probability(&Chamber {
                name: "x".into(),
                voters: voters.clone(),
                rule,
            })
        };
        assert_eq!(p(VotingRule::Unanimity), 1.0 / 64.0);
        assert_eq!(p(VotingRule::SimpleMajority), 22.0 / 64.0);
        let two_thirds = VotingRule::Qualified {
            weight_threshold: 4.0,
            min_members: None,
            population_share: None,
        };
        assert_eq!(p(two_thirds), 22.0 / 64.0);
    }
}
