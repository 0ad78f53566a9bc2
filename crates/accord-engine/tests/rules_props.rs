//! Property tests for the decision rules.

use accord_engine::rules::{accepted, utility};
use accord_engine::{Chamber, DecisionRule, Issue, Procedure, Stance, Voter, VotingRule, decide};
use proptest::prelude::*;

const TOL: f64 = 1e-9;

fn coord() -> impl Strategy<Value = f64> {
    // Mix of grid points (ties) and arbitrary reals on a 0–100 scale.
    prop_oneof![(0u32..=10).prop_map(|v| f64::from(v) * 10.0), 0.0..100.0f64]
}

fn unit() -> impl Strategy<Value = f64> {
    prop_oneof![Just(0.0), Just(1.0), 0.0..=1.0f64]
}

/// Issues with 1–7 actors, 1–3 dimensions, a status quo, and a procedure of
/// one or two chambers over random voter subsets.
fn issue() -> impl Strategy<Value = Issue> {
    (1usize..8, 1usize..4).prop_flat_map(|(n, dims)| {
        let stance = (
            unit(),
            prop::collection::vec(coord(), dims),
            prop::collection::vec(unit(), dims),
        );
        let voter = (0..n, 0.0..10.0f64, 0.0..100.0f64);
        let rule = prop_oneof![
            Just(VotingRule::Unanimity),
            Just(VotingRule::SimpleMajority),
            (
                0.0..20.0f64,
                prop::option::of(0usize..5),
                prop::option::of(0.0..=1.0f64)
            )
                .prop_map(|(w, m, p)| {
                    VotingRule::Qualified {
                        weight_threshold: w,
                        min_members: m,
                        population_share: p,
                    }
                }),
        ];
        let chamber = (prop::collection::vec(voter, 0..6), rule).prop_map(|(vs, rule)| Chamber {
            name: "c".into(),
            voters: vs
                .into_iter()
                .map(|(actor, weight, population)| Voter {
                    actor,
                    weight,
                    population,
                })
                .collect(),
            rule,
        });
        (
            prop::collection::vec(stance, n),
            prop::collection::vec(coord(), dims),
            prop::collection::vec(chamber, 1..3),
        )
            .prop_map(move |(stances, sq, chambers)| Issue {
                id: "p".into(),
                dimensions: dims,
                status_quo: Some(sq),
                stances: stances
                    .into_iter()
                    .enumerate()
                    .map(|(i, (c, position, salience))| Stance {
                        actor: format!("a{i}"),
                        capability: c,
                        position,
                        salience,
                    })
                    .collect(),
                procedure: Some(Procedure { chambers }),
            })
    })
}

fn positions(issue: &Issue) -> Vec<Vec<f64>> {
    issue.stances.iter().map(|s| s.position.clone()).collect()
}

fn rules() -> Vec<DecisionRule> {
    let base = vec![
        DecisionRule::WeightedMean,
        DecisionRule::WeightedMedian,
        DecisionRule::Nash,
    ];
    let mut all = base.clone();
    all.extend(
        base.into_iter()
            .map(|b| DecisionRule::Procedural { bargain: Box::new(b) }),
    );
    all
}

/// Relabels the actors by `perm` (new index k holds old actor perm[k]).
fn permute(issue: &Issue, perm: &[usize]) -> Issue {
    let mut out = issue.clone();
    out.stances = perm.iter().map(|&k| issue.stances[k].clone()).collect();
    let mut inverse = vec![0; perm.len()];
    for (new, &old) in perm.iter().enumerate() {
        inverse[old] = new;
    }
    for chamber in &mut out.procedure.as_mut().unwrap().chambers {
        for v in &mut chamber.voters {
            v.actor = inverse[v.actor];
        }
    }
    out
}

fn range(issue: &Issue, d: usize) -> (f64, f64) {
    issue
        .stances
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), s| {
            (lo.min(s.position[d]), hi.max(s.position[d]))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn every_rule_is_finite_and_never_panics(issue in issue()) {
        for rule in rules() {
            let out = decide(&issue, &positions(&issue), &rule).unwrap();
            prop_assert_eq!(out.len(), issue.dimensions);
            prop_assert!(out.iter().all(|v| v.is_finite()));
        }
    }

    #[test]
    fn mean_and_median_lie_within_the_positions_range(issue in issue()) {
        for rule in [DecisionRule::WeightedMean, DecisionRule::WeightedMedian] {
            let out = decide(&issue, &positions(&issue), &rule).unwrap();
            for (d, &v) in out.iter().enumerate() {
                let (lo, hi) = range(&issue, d);
                prop_assert!(lo <= v && v <= hi, "{rule:?} dim {d}: {v} outside [{lo}, {hi}]");
            }
        }
    }

    #[test]
    fn relabelling_actors_changes_nothing(issue in issue(), seed in any::<u64>()) {
        let n = issue.stances.len();
        // A seeded Fisher–Yates permutation.
        let mut perm: Vec<usize> = (0..n).collect();
        let mut state = seed | 1;
        for i in (1..n).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            perm.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let other = permute(&issue, &perm);
        for rule in rules() {
            let a = decide(&issue, &positions(&issue), &rule).unwrap();
            let b = decide(&other, &positions(&other), &rule).unwrap();
            for (x, y) in a.iter().zip(&b) {
                prop_assert!((x - y).abs() <= TOL * x.abs().max(1.0), "{rule:?}: {a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn nash_is_no_worse_than_the_status_quo_for_weighted_actors(issue in issue()) {
        let sq = issue.status_quo.clone().unwrap();
        let out = decide(&issue, &positions(&issue), &DecisionRule::Nash).unwrap();
        for s in issue.stances.iter().filter(|s| s.capability > 0.0) {
            for d in 0..issue.dimensions {
                let (now, before) = ((out[d] - s.position[d]).abs(), (sq[d] - s.position[d]).abs());
                prop_assert!(s.salience[d] == 0.0 || now <= before + TOL, "dim {d}: {now} > {before}");
            }
        }
    }

    #[test]
    fn procedural_outcomes_pass_every_chamber(issue in issue()) {
        let sq = issue.status_quo.clone().unwrap();
        let pos = positions(&issue);
        for rule in rules().into_iter().skip(3) {
            let out = decide(&issue, &pos, &rule).unwrap();
            // Under unanimity no voting member is worse off than at the status quo.
            for chamber in &issue.procedure.as_ref().unwrap().chambers {
                if chamber.rule == VotingRule::Unanimity {
                    for v in &chamber.voters {
                        let (now, before) = (utility(&issue, &pos, v.actor, &out), utility(&issue, &pos, v.actor, &sq));
                        prop_assert!(now >= before - TOL * before.abs().max(1.0), "{rule:?}: voter {} loses", v.actor);
                    }
                }
            }
            // Every chamber accepts (up to boundary rounding: nudge 1e-9 towards sq).
            let nudged: Vec<f64> = out.iter().zip(&sq).map(|(o, s)| o - (o - s) * 1e-9).collect();
            prop_assert!(out == sq || accepted(&issue, &pos, &sq, &nudged), "{rule:?}: {out:?} rejected");
        }
    }
}
