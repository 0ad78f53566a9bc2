//! Hand-computed cases for the decision rules.

use accord_engine::{Chamber, DecisionRule, EngineError, Issue, Procedure, Stance, Voter, VotingRule, decide};

/// `(capability, position, salience)` per actor, one dimension.
fn issue_1d(actors: &[(f64, f64, f64)], sq: Option<f64>) -> Issue {
    Issue {
        id: "t".into(),
        dimensions: 1,
        status_quo: sq.map(|v| vec![v]),
        stances: actors
            .iter()
            .enumerate()
            .map(|(i, &(c, x, s))| Stance {
                actor: format!("a{i}"),
                capability: c,
                position: vec![x],
                salience: vec![s],
            })
            .collect(),
        procedure: None,
    }
}

fn positions(issue: &Issue) -> Vec<Vec<f64>> {
    issue.stances.iter().map(|s| s.position.clone()).collect()
}

fn run(issue: &Issue, rule: &DecisionRule) -> f64 {
    decide(issue, &positions(issue), rule).unwrap()[0]
}

fn voters(ids: &[usize]) -> Vec<Voter> {
    ids.iter()
        .map(|&a| Voter {
            actor: a,
            weight: 1.0,
            population: 1.0,
        })
        .collect()
}

fn procedural(inner: DecisionRule) -> DecisionRule {
    DecisionRule::Procedural {
        bargain: Box::new(inner),
    }
}

#[test]
fn weighted_mean() {
    // weights 0.5·1, 0.25·1, 0.25·1 → (0·0.5 + 40·0.25 + 100·0.25) / 1 = 35.
    let i = issue_1d(&[(0.5, 0.0, 1.0), (0.5, 40.0, 0.5), (0.25, 100.0, 1.0)], None);
    assert!((run(&i, &DecisionRule::WeightedMean) - 35.0).abs() < 1e-12);
    // All weights zero: unweighted mean.
    let z = issue_1d(&[(0.0, 0.0, 1.0), (1.0, 30.0, 0.0)], None);
    assert_eq!(run(&z, &DecisionRule::WeightedMean), 15.0);
}

#[test]
fn weighted_median_and_even_splits() {
    // Weights 1, 1, 3 → 3 > half: the heavy actor's position.
    let i = issue_1d(&[(1.0, 0.0, 1.0), (1.0, 10.0, 1.0), (3.0, 50.0, 1.0)], None);
    assert_eq!(run(&i, &DecisionRule::WeightedMedian), 50.0);
    // Weights 1, 2, 1 → cumulative 1, 3 of 4: the middle actor.
    let i = issue_1d(&[(1.0, 0.0, 1.0), (2.0, 10.0, 1.0), (1.0, 50.0, 1.0)], None);
    assert_eq!(run(&i, &DecisionRule::WeightedMedian), 10.0);
    // Even split: 0.1 + 0.2 on the left, 0.3 on the right → midpoint.
    let i = issue_1d(&[(0.1, 0.0, 1.0), (0.2, 20.0, 1.0), (0.3, 60.0, 1.0)], None);
    assert_eq!(run(&i, &DecisionRule::WeightedMedian), 40.0);
    // Zero-weight actors are ignored.
    let i = issue_1d(&[(1.0, 0.0, 1.0), (0.0, 5.0, 1.0), (1.0, 60.0, 1.0)], None);
    assert_eq!(run(&i, &DecisionRule::WeightedMedian), 30.0);
}

#[test]
fn nash_hand_cases() {
    // sq = 0, ideal points 10 and 20, equal weights: on (0, 10] both gain
    // linearly in x; on [10, 20) F' = −1/(20−x) + 1/x < 0 → kink at 10.
    let i = issue_1d(&[(1.0, 10.0, 1.0), (1.0, 20.0, 0.5)], Some(0.0));
    assert_eq!(run(&i, &DecisionRule::Nash), 10.0);
    // Weights 1 and 3: −1/(20−x) + 3/x = 0 → x = 15.
    let i = issue_1d(&[(1.0, 10.0, 1.0), (3.0, 20.0, 1.0)], Some(0.0));
    assert!((run(&i, &DecisionRule::Nash) - 15.0).abs() < 1e-12);
    // Mirror image on the left of the status quo.
    let i = issue_1d(&[(1.0, -10.0, 1.0), (3.0, -20.0, 1.0)], Some(0.0));
    assert!((run(&i, &DecisionRule::Nash) + 15.0).abs() < 1e-12);
    // Actors on both sides: nobody-worse-off set is {sq} → sq.
    let i = issue_1d(&[(1.0, 10.0, 1.0), (1.0, -20.0, 1.0)], Some(5.0));
    assert_eq!(run(&i, &DecisionRule::Nash), 5.0);
    // An actor with zero capability does not count.
    let i = issue_1d(&[(1.0, 10.0, 1.0), (1.0, 20.0, 1.0), (0.0, -20.0, 1.0)], Some(0.0));
    assert_eq!(run(&i, &DecisionRule::Nash), 10.0);
    // No status quo: not applicable.
    let i = issue_1d(&[(1.0, 10.0, 1.0)], None);
    assert!(matches!(
        decide(&i, &positions(&i), &DecisionRule::Nash),
        Err(EngineError::NotApplicable(_))
    ));
}

#[test]
fn unanimity_projects_onto_the_win_set() {
    // sq = 0; voters at 3 and 7 (win-sets [0, 6] and [0, 14]); a non-voter
    // at 100 pulls the weighted mean to (3 + 7 + 100)/3 = 36.67 → 6.
    let mut i = issue_1d(&[(1.0, 3.0, 1.0), (1.0, 7.0, 1.0), (1.0, 100.0, 1.0)], Some(0.0));
    i.procedure = Some(Procedure {
        chambers: vec![Chamber {
            name: "C".into(),
            voters: voters(&[0, 1]),
            rule: VotingRule::Unanimity,
        }],
    });
    assert!((run(&i, &procedural(DecisionRule::WeightedMean)) - 6.0).abs() < 1e-12);
    // Inner outcome inside the win-set stays.
    let mut j = i.clone();
    j.stances[2].position = vec![5.0];
    assert!((run(&j, &procedural(DecisionRule::WeightedMean)) - 5.0).abs() < 1e-12);
    // Voters on both sides of sq = 4: empty win-set → status quo.
    let mut k = i.clone();
    k.status_quo = Some(vec![4.0]);
    assert_eq!(run(&k, &procedural(DecisionRule::WeightedMean)), 4.0);
    // No procedure: the bargain stands.
    let mut l = i.clone();
    l.procedure = None;
    assert!((run(&l, &procedural(DecisionRule::WeightedMean)) - 110.0 / 3.0).abs() < 1e-12);
}

#[test]
fn qualified_majority_nice_and_lisbon() {
    // sq = 0, bargain (weighted median) = 50. Voters' win-sets [0, 2p]:
    // p = 10 → [0, 20], p = 20 → [0, 40], p = 40 → [0, 80], p = 60 → [0, 120].
    let actors = [
        (1.0, 10.0, 1.0),
        (1.0, 20.0, 1.0),
        (1.0, 40.0, 1.0),
        (1.0, 60.0, 1.0),
        (10.0, 50.0, 1.0),
    ];
    let base = issue_1d(&actors, Some(0.0));
    let with_rule = |rule: VotingRule, weights: [f64; 4], pops: [f64; 4]| {
        let mut i = base.clone();
        let vs = (0..4)
            .map(|k| Voter {
                actor: k,
                weight: weights[k],
                population: pops[k],
            })
            .collect();
        i.procedure = Some(Procedure {
            chambers: vec![Chamber {
                name: "Council".into(),
                voters: vs,
                rule,
            }],
        });
        run(&i, &procedural(DecisionRule::WeightedMedian))
    };
    // Nice-style weights 3, 3, 2, 2 with threshold 7: at x ∈ (40, 80] only
    // the voters at 40 and 60 accept (4 < 7); at x ∈ (20, 40] 3 + 2 + 2 = 7.
    let nice = VotingRule::Qualified {
        weight_threshold: 7.0,
        min_members: None,
        population_share: None,
    };
    assert_eq!(with_rule(nice, [3.0, 3.0, 2.0, 2.0], [1.0; 4]), 40.0);
    // Nice's extra conditions: 3 members and 62 % of the population.
    let nice3 = VotingRule::Qualified {
        weight_threshold: 7.0,
        min_members: Some(3),
        population_share: Some(0.62),
    };
    // Population of the three at 20, 40, 60: 60 of 100 < 62 % → only x ≤ 20 (all four).
    assert_eq!(with_rule(nice3, [3.0, 3.0, 2.0, 2.0], [40.0, 20.0, 20.0, 20.0]), 20.0);
    // Lisbon: 55 % of members (3 of 4 → min 3) and 65 % of population.
    let lisbon = VotingRule::Qualified {
        weight_threshold: 0.0,
        min_members: Some(3),
        population_share: Some(0.65),
    };
    // Voters at 20, 40, 60 hold 10 + 30 + 30 = 70 % → passes up to x = 40.
    assert_eq!(with_rule(lisbon, [1.0; 4], [30.0, 10.0, 30.0, 30.0]), 40.0);
    // Simple majority of 4: needs 3 → up to 40.
    assert_eq!(with_rule(VotingRule::SimpleMajority, [1.0; 4], [1.0; 4]), 40.0);
}

#[test]
fn co_decision_needs_both_chambers() {
    // sq = 0; Council voters at 30, 40 (unanimity → [0, 60]); Parliament
    // voters at 10, 20, 90 (majority → 2 of 3 → [0, 40]). Bargain 50 → 40.
    let actors = [
        (1.0, 30.0, 1.0),
        (1.0, 40.0, 1.0),
        (1.0, 10.0, 1.0),
        (1.0, 20.0, 1.0),
        (1.0, 90.0, 1.0),
    ];
    let mut i = issue_1d(&actors, Some(0.0));
    i.procedure = Some(Procedure {
        chambers: vec![
            Chamber {
                name: "Council".into(),
                voters: voters(&[0, 1]),
                rule: VotingRule::Unanimity,
            },
            Chamber {
                name: "Parliament".into(),
                voters: voters(&[2, 3, 4]),
                rule: VotingRule::SimpleMajority,
            },
        ],
    });
    let mut j = i.clone();
    j.stances.push(Stance {
        actor: "com".into(),
        capability: 100.0,
        position: vec![50.0],
        salience: vec![1.0],
    });
    assert_eq!(run(&j, &procedural(DecisionRule::WeightedMedian)), 40.0);
    // Parliament alone would allow 40, Council alone 60.
    let mut council_only = j.clone();
    council_only.procedure.as_mut().unwrap().chambers.truncate(1);
    assert_eq!(run(&council_only, &procedural(DecisionRule::WeightedMedian)), 50.0);
}

#[test]
fn two_dimensional_unanimity_stays_on_the_segment() {
    // sq = (0, 0); one voter at (10, 0) with saliences (1, 1); bargain at
    // (20, 20) by a heavy non-voter. Acceptable: |x − p|² ≤ 100 along
    // λ(20, 20): (20λ − 10)² + (20λ)² ≤ 100 → λ ≤ 0.5 → (10, 10).
    let i = Issue {
        id: "2d".into(),
        dimensions: 2,
        status_quo: Some(vec![0.0, 0.0]),
        stances: vec![
            Stance {
                actor: "v".into(),
                capability: 0.0,
                position: vec![10.0, 0.0],
                salience: vec![1.0, 1.0],
            },
            Stance {
                actor: "b".into(),
                capability: 1.0,
                position: vec![20.0, 20.0],
                salience: vec![1.0, 1.0],
            },
        ],
        procedure: Some(Procedure {
            chambers: vec![Chamber {
                name: "C".into(),
                voters: voters(&[0]),
                rule: VotingRule::Unanimity,
            }],
        }),
    };
    let out = decide(&i, &positions(&i), &procedural(DecisionRule::WeightedMean)).unwrap();
    assert!(
        (out[0] - 10.0).abs() < 1e-12 && (out[1] - 10.0).abs() < 1e-12,
        "{out:?}"
    );
}

#[test]
fn serde_shape() {
    let _: &str = "procedural rules serialize with kind tags";
    let r = procedural(DecisionRule::Nash);
    assert_eq!(
        r.clone(),
        DecisionRule::Procedural {
            bargain: Box::new(DecisionRule::Nash)
        }
    );
}

#[test]
fn bad_positions_are_rejected() {
    let i = issue_1d(&[(1.0, 10.0, 1.0)], Some(0.0));
    assert!(matches!(
        decide(&i, &[], &DecisionRule::WeightedMean),
        Err(EngineError::InvalidInput(_))
    ));
    assert!(matches!(
        decide(&i, &[vec![f64::NAN]], &DecisionRule::WeightedMean),
        Err(EngineError::InvalidInput(_))
    ));
}
