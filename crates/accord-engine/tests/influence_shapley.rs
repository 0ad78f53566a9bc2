//! Shapley attribution: the axioms (efficiency, symmetry, null player),
//! exact against sampled, the compromise model's fast path against the
//! general path, procedures, and determinism across thread counts.

// Index loops over actors and dimensions read closest to the formulas.
#![allow(clippy::needless_range_loop)]

use accord_engine::eum::EumSettings;
use accord_engine::influence::{Attribution, ShapleyMethod, shapley};
use accord_engine::smp::SmpSettings;
use accord_engine::{
    Chamber, DecisionRule, Dynamics, EngineError, Issue, ModelSettings, Procedure, Stance, Voter, VotingRule, forecast,
};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn compromise() -> ModelSettings {
    ModelSettings {
        dynamics: Dynamics::None,
        rule: DecisionRule::WeightedMean,
    }
}

/// A random issue: `n` actors, `dims` dimensions, positions on 0–100,
/// saliences in (0.05, 1], capabilities in (1, 100), status quo on 0–100.
fn random_issue(n: usize, dims: usize, seed: u64) -> Issue {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let stances = (0..n)
        .map(|i| Stance {
            actor: format!("A{i:02}"),
            capability: rng.random_range(1.0..100.0),
            position: (0..dims).map(|_| rng.random_range(0.0..100.0)).collect(),
            salience: (0..dims).map(|_| rng.random_range(0.05..=1.0)).collect(),
        })
        .collect();
    Issue {
        id: format!("random-{n}-{dims}-{seed}"),
        dimensions: dims,
        status_quo: Some((0..dims).map(|_| rng.random_range(0.0..100.0)).collect()),
        stances,
        procedure: None,
    }
}

fn assert_efficient(a: &Attribution, tol: f64) {
    for d in 0..a.displacement.len() {
        let sum: f64 = a.on_dimension(d).iter().sum();
        assert!(
            (sum - a.displacement[d]).abs() <= tol * (1.0 + a.displacement[d].abs()),
            "dimension {d}: Σφ = {sum}, displacement {}",
            a.displacement[d]
        );
    }
}

#[test]
fn efficiency_exact_and_sampled_compromise() {
    for (n, dims, seed) in [(1, 1, 1), (2, 2, 2), (7, 3, 3), (12, 1, 4), (20, 2, 5)] {
        let issue = random_issue(n, dims, seed);
        let f = forecast(&issue, &compromise(), 0).unwrap();
        let exact = shapley(&issue, &compromise(), 0, ShapleyMethod::Exact).unwrap();
        assert!(exact.exact && exact.std_errors.is_none());
        assert_eq!(exact.evaluations, 1 << n);
        for d in 0..dims {
            let expected = f.outcome[d] - issue.status_quo.as_ref().unwrap()[d];
            assert!((exact.displacement[d] - expected).abs() < 1e-9);
        }
        assert_efficient(&exact, 1e-9);
        let sampled = shapley(&issue, &compromise(), 9, ShapleyMethod::Sampled { permutations: 50 }).unwrap();
        assert!(!sampled.exact);
        assert_eq!(sampled.permutations, Some(50));
        // Every permutation's contributions telescope to v(N).
        assert_efficient(&sampled, 1e-9);
    }
}

#[test]
fn symmetric_actors_get_equal_values() {
    let mut issue = random_issue(9, 2, 11);
    issue.stances[7] = Stance {
        actor: "twin".into(),
        ..issue.stances[2].clone()
    };
    for settings in [
        compromise(),
        ModelSettings {
            dynamics: Dynamics::None,
            rule: DecisionRule::WeightedMedian,
        },
        ModelSettings {
            dynamics: Dynamics::None,
            rule: DecisionRule::Nash,
        },
    ] {
        let a = shapley(&issue, &settings, 0, ShapleyMethod::Exact).unwrap();
        for d in 0..2 {
            assert!(
                (a.values[2][d] - a.values[7][d]).abs() < 1e-9,
                "{:?}: {} vs {}",
                settings.rule,
                a.values[2][d],
                a.values[7][d]
            );
        }
        assert_efficient(&a, 1e-9);
    }
}

#[test]
fn actor_without_salience_is_a_null_player() {
    let mut issue = random_issue(10, 2, 21);
    issue.stances[4].salience = vec![0.0, 0.0];
    issue.stances[6].capability = 0.0;
    issue.stances[8].salience[1] = 0.0; // null on the second dimension only
    let a = shapley(&issue, &compromise(), 0, ShapleyMethod::Exact).unwrap();
    assert_eq!(a.values[4], vec![0.0, 0.0]);
    assert_eq!(a.values[6], vec![0.0, 0.0]);
    assert_eq!(a.values[8][1], 0.0);
    assert!(a.values[8][0] != 0.0);
    let s = shapley(&issue, &compromise(), 3, ShapleyMethod::Sampled { permutations: 200 }).unwrap();
    assert_eq!(s.values[4], vec![0.0, 0.0]);
    assert_eq!(s.std_errors.as_ref().unwrap()[4], vec![0.0, 0.0]);
    assert_efficient(&a, 1e-9);
}

#[test]
fn exact_and_sampled_agree_within_their_error() {
    let issue = random_issue(14, 2, 31);
    let exact = shapley(&issue, &compromise(), 0, ShapleyMethod::Exact).unwrap();
    let sampled = shapley(&issue, &compromise(), 77, ShapleyMethod::Sampled { permutations: 4000 }).unwrap();
    let se = sampled.std_errors.as_ref().unwrap();
    for i in 0..14 {
        for d in 0..2 {
            let diff = (exact.values[i][d] - sampled.values[i][d]).abs();
            assert!(se[i][d] > 0.0);
            assert!(
                diff <= 4.0 * se[i][d],
                "actor {i} dim {d}: exact {} sampled {} ± {}",
                exact.values[i][d],
                sampled.values[i][d],
                se[i][d]
            );
        }
    }
}

#[test]
fn fast_path_matches_the_general_path() {
    // A chamber that passes anything (threshold 0) forces the general path
    // (a forecast per coalition) without changing the outcome.
    let mut issue = random_issue(8, 2, 41);
    let plain = shapley(&issue, &compromise(), 0, ShapleyMethod::Exact).unwrap();
    issue.procedure = Some(Procedure {
        chambers: vec![Chamber {
            name: "rubber stamp".into(),
            voters: (0..8)
                .map(|k| Voter {
                    actor: k,
                    weight: 1.0,
                    population: 1.0,
                })
                .collect(),
            rule: VotingRule::Qualified {
                weight_threshold: 0.0,
                min_members: None,
                population_share: None,
            },
        }],
    });
    let procedural = ModelSettings {
        dynamics: Dynamics::None,
        rule: DecisionRule::Procedural {
            bargain: Box::new(DecisionRule::WeightedMean),
        },
    };
    let general = shapley(&issue, &procedural, 0, ShapleyMethod::Exact).unwrap();
    for i in 0..8 {
        for d in 0..2 {
            assert!((plain.values[i][d] - general.values[i][d]).abs() < 1e-9);
        }
    }
    // Sampled, same seed: the same permutations, so the same estimates.
    let a = shapley(&issue, &compromise(), 5, ShapleyMethod::Sampled { permutations: 100 }).unwrap();
    let b = shapley(&issue, &procedural, 5, ShapleyMethod::Sampled { permutations: 100 }).unwrap();
    for i in 0..8 {
        for d in 0..2 {
            assert!((a.values[i][d] - b.values[i][d]).abs() < 1e-9);
        }
    }
}

#[test]
fn a_voter_constrains_the_bargain_by_hand() {
    // A (non-voter) at 100 with weight 3, B (the only voter, unanimity) at
    // 20 with weight 1, status quo 0. Mean 80; B accepts up to 40.
    // v(A) = 100 (B's chamber is gone), v(B) = 20, v(AB) = 40:
    // φ_A = ½·100 + ½·(40 − 20) = 60, φ_B = ½·20 + ½·(40 − 100) = −20.
    let issue = Issue {
        id: "veto".into(),
        dimensions: 1,
        status_quo: Some(vec![0.0]),
        stances: vec![
            Stance {
                actor: "A".into(),
                capability: 3.0,
                position: vec![100.0],
                salience: vec![1.0],
            },
            Stance {
                actor: "B".into(),
                capability: 1.0,
                position: vec![20.0],
                salience: vec![1.0],
            },
        ],
        procedure: Some(Procedure {
            chambers: vec![Chamber {
                name: "council".into(),
                voters: vec![Voter {
                    actor: 1,
                    weight: 1.0,
                    population: 1.0,
                }],
                rule: VotingRule::Unanimity,
            }],
        }),
    };
    let settings = ModelSettings {
        dynamics: Dynamics::None,
        rule: DecisionRule::Procedural {
            bargain: Box::new(DecisionRule::WeightedMean),
        },
    };
    let a = shapley(&issue, &settings, 0, ShapleyMethod::Auto).unwrap();
    assert!(a.exact);
    assert!((a.displacement[0] - 40.0).abs() < 1e-9, "{:?}", a.displacement);
    assert!((a.values[0][0] - 60.0).abs() < 1e-9, "{:?}", a.values);
    assert!((a.values[1][0] + 20.0).abs() < 1e-9, "{:?}", a.values);
}

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

#[test]
fn same_result_on_one_and_two_threads() {
    let issue = random_issue(7, 1, 51);
    let eum = ModelSettings {
        dynamics: Dynamics::Eum(EumSettings::default()),
        rule: DecisionRule::WeightedMean,
    };
    for (settings, method) in [
        (eum.clone(), ShapleyMethod::Exact),
        (eum, ShapleyMethod::Sampled { permutations: 40 }),
        (compromise(), ShapleyMethod::Sampled { permutations: 1000 }),
    ] {
        let one = in_pool(1, || shapley(&issue, &settings, 3, method).unwrap());
        let two = in_pool(2, || shapley(&issue, &settings, 3, method).unwrap());
        assert_eq!(one, two, "{method:?}");
        assert_efficient(&one, 1e-9);
    }
}

#[test]
fn smp_attribution_is_efficient_and_matches_sampling() {
    // SMP needs positive capabilities and saliences; one-actor coalitions
    // stand still, as documented.
    let issue = random_issue(5, 1, 61);
    let smp = ModelSettings {
        dynamics: Dynamics::Smp(SmpSettings::default()),
        rule: DecisionRule::WeightedMean,
    };
    let exact = shapley(&issue, &smp, 0, ShapleyMethod::Auto).unwrap();
    assert!(exact.exact);
    assert_eq!(exact.evaluations, 32);
    let f = forecast(&issue, &smp, 0).unwrap();
    assert!((exact.displacement[0] - (f.outcome[0] - issue.status_quo.as_ref().unwrap()[0])).abs() < 1e-9);
    assert_efficient(&exact, 1e-9);
    let sampled = shapley(&issue, &smp, 0, ShapleyMethod::Sampled { permutations: 120 }).unwrap();
    assert_efficient(&sampled, 1e-9);
    let se = sampled.std_errors.as_ref().unwrap();
    for i in 0..5 {
        assert!((exact.values[i][0] - sampled.values[i][0]).abs() <= 4.0 * se[i][0] + 1e-9);
    }
}

#[test]
fn auto_samples_beyond_twenty_actors_and_errors_are_reported() {
    let issue = random_issue(30, 1, 71);
    let a = shapley(&issue, &compromise(), 0, ShapleyMethod::Auto).unwrap();
    assert!(!a.exact);
    assert_eq!(a.std_errors.as_ref().unwrap().len(), 30);
    assert_efficient(&a, 1e-9);
    assert!(matches!(
        shapley(&issue, &compromise(), 0, ShapleyMethod::Exact),
        Err(EngineError::InvalidInput(_))
    ));
    let mut no_sq = random_issue(3, 1, 72);
    no_sq.status_quo = None;
    assert!(matches!(
        shapley(&no_sq, &compromise(), 0, ShapleyMethod::Auto),
        Err(EngineError::NotApplicable(_))
    ));
    assert!(matches!(
        shapley(&issue, &compromise(), 0, ShapleyMethod::Sampled { permutations: 1 }),
        Err(EngineError::InvalidInput(_))
    ));
}

#[test]
fn attribution_serializes() {
    let a = shapley(&random_issue(3, 2, 81), &compromise(), 0, ShapleyMethod::Auto).unwrap();
    let json = serde_json_like(&a);
    assert!(json.contains("displacement"));
}

/// Serialization through serde's derive, without pulling a format crate:
/// the Debug form names the same fields, and the type must implement
/// `Serialize` and `Deserialize` for this to compile.
fn serde_json_like<T: serde::Serialize + for<'de> serde::Deserialize<'de> + std::fmt::Debug>(t: &T) -> String {
    format!("{t:?}")
}
