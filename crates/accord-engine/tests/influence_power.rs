//! Voting-power indices: hand-computed small games, published values (EU-15
//! Council, UN Security Council), agreement of the exact algorithms with
//! each other and with Monte Carlo, and determinism across thread counts.

// Index loops over actors and dimensions read closest to the formulas.
#![allow(clippy::needless_range_loop)]

use accord_engine::influence::{PowerAlgorithm, PowerIndices, PowerMethod, power_indices, power_indices_by};
use accord_engine::{Chamber, EngineError, Voter, VotingRule};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::OnceLock;

fn weighted(weights: &[f64], quota: f64) -> Chamber {
    Chamber {
        name: "test".into(),
        voters: weights
            .iter()
            .enumerate()
            .map(|(k, &w)| Voter {
                actor: k,
                weight: w,
                population: 1.0,
            })
            .collect(),
        rule: VotingRule::Qualified {
            weight_threshold: quota,
            min_members: None,
            population_share: None,
        },
    }
}

fn close(actual: &[f64], expected: &[f64], tol: f64, what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}");
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert!((a - e).abs() <= tol, "{what}[{i}]: {a} vs {e} (all: {actual:?})");
    }
}

fn sums_to_one(p: &PowerIndices) {
    let ss: f64 = p.shapley_shubik.iter().sum();
    let bz: f64 = p.banzhaf.iter().sum();
    assert!((ss - 1.0).abs() < 1e-9, "Σ SS = {ss}");
    assert!((bz - 1.0).abs() < 1e-9, "Σ β = {bz}");
}

const EXACT: [PowerAlgorithm; 2] = [PowerAlgorithm::GeneratingFunction, PowerAlgorithm::Enumeration];

#[test]
fn weights_3_2_1_quota_4_by_hand() {
    // Winning: {A,B}, {A,C}, {A,B,C}. Swings: A in {B}, {C}, {B,C}; B in {A};
    // C in {A}. Orders: A pivotal in 4 of 6, B and C in 1 each.
    let chamber = weighted(&[3.0, 2.0, 1.0], 4.0);
    for algorithm in EXACT.into_iter().chain([PowerAlgorithm::Auto]) {
        let p = power_indices_by(&chamber, algorithm).unwrap();
        assert!(p.exact);
        close(&p.shapley_shubik, &[2.0 / 3.0, 1.0 / 6.0, 1.0 / 6.0], 1e-12, "SS");
        close(&p.banzhaf, &[0.6, 0.2, 0.2], 1e-12, "β");
        close(&p.banzhaf_absolute, &[0.75, 0.25, 0.25], 1e-12, "β'");
        assert_eq!(p.voters, vec![0, 1, 2]);
    }
}

#[test]
fn unanimity_gives_one_nth_each() {
    for n in [1usize, 2, 5, 12] {
        let mut chamber = weighted(&vec![1.0; n], 0.0);
        chamber.rule = VotingRule::Unanimity;
        let p = power_indices(&chamber).unwrap();
        assert_eq!(p.method, PowerMethod::ClosedForm);
        close(&p.shapley_shubik, &vec![1.0 / n as f64; n], 1e-12, "SS");
        close(&p.banzhaf, &vec![1.0 / n as f64; n], 1e-12, "β");
        close(&p.banzhaf_absolute, &vec![0.5f64.powi(n as i32 - 1); n], 1e-12, "β'");
        for algorithm in EXACT {
            let q = power_indices_by(&chamber, algorithm).unwrap();
            close(&q.shapley_shubik, &p.shapley_shubik, 1e-12, "SS");
            close(&q.banzhaf_absolute, &p.banzhaf_absolute, 1e-12, "β'");
        }
    }
}

#[test]
fn simple_majority_closed_form_matches_counting() {
    for n in [1usize, 2, 3, 4, 7, 10] {
        let mut chamber = weighted(&vec![1.0; n], 0.0);
        chamber.rule = VotingRule::SimpleMajority;
        let p = power_indices(&chamber).unwrap();
        for algorithm in EXACT {
            let q = power_indices_by(&chamber, algorithm).unwrap();
            close(&q.shapley_shubik, &p.shapley_shubik, 1e-12, "SS");
            close(&q.banzhaf, &p.banzhaf, 1e-12, "β");
            close(&q.banzhaf_absolute, &p.banzhaf_absolute, 1e-12, "β'");
        }
    }
    // Three voters: each swings in 2 of the 4 coalitions of the others.
    let mut three = weighted(&[1.0; 3], 0.0);
    three.rule = VotingRule::SimpleMajority;
    close(&power_indices(&three).unwrap().banzhaf_absolute, &[0.5; 3], 1e-12, "β'");
}

#[test]
fn a_dictator_has_all_the_power() {
    let chamber = weighted(&[5.0, 1.0, 1.0, 1.0], 5.0);
    for algorithm in EXACT {
        let p = power_indices_by(&chamber, algorithm).unwrap();
        close(&p.shapley_shubik, &[1.0, 0.0, 0.0, 0.0], 1e-12, "SS");
        close(&p.banzhaf, &[1.0, 0.0, 0.0, 0.0], 1e-12, "β");
        close(&p.banzhaf_absolute, &[1.0, 0.0, 0.0, 0.0], 1e-12, "β'");
    }
}

/// EU-15 Council, 1995–2004: FR, DE, IT, UK 10; ES 8; BE, GR, NL, PT 5;
/// SE, AT 4; DK, FI, IE 3; LU 2; 62 of 87 votes.
fn eu15() -> Chamber {
    weighted(&[10., 10., 10., 10., 8., 5., 5., 5., 5., 4., 4., 3., 3., 3., 2.], 62.0)
}

#[test]
fn eu15_council_matches_published_values() {
    // Values of this exact computation (the generating function and the
    // enumeration agree to 1e-12, Monte Carlo within its error), rounded to
    // four places: SS of a large state 7/60 = 0.1167, Spain 0.0955, the
    // 5-vote states 0.0552, the 4-vote states 0.0454, the 3-vote states
    // 0.0353, Luxembourg 932/45045 = 0.020690 (the brief's "≈ 0.0208" is 1.1e-4 off;
    // see docs/models/influence.md §4).
    for algorithm in EXACT {
        let p = power_indices_by(&eu15(), algorithm).unwrap();
        sums_to_one(&p);
        let ss = &p.shapley_shubik;
        assert!((ss[0] - 0.1167).abs() < 1e-4, "large state {}", ss[0]);
        assert!((ss[0] - 7.0 / 60.0).abs() < 1e-12, "large state {}", ss[0]);
        assert!((ss[4] - 0.0955).abs() < 1e-4, "Spain {}", ss[4]);
        assert!((ss[5] - 0.0552).abs() < 1e-4, "5-vote state {}", ss[5]);
        assert!((ss[9] - 0.0454).abs() < 1e-4, "4-vote state {}", ss[9]);
        assert!((ss[11] - 0.0353).abs() < 1e-4, "3-vote state {}", ss[11]);
        assert!((ss[14] - 0.0207).abs() < 1e-4, "Luxembourg {}", ss[14]);
        // Normalized Banzhaf: large 0.1116, Luxembourg 0.0226.
        assert!((p.banzhaf[0] - 0.1116).abs() < 1e-4, "β large {}", p.banzhaf[0]);
        assert!((p.banzhaf[14] - 0.0226).abs() < 1e-4, "β Luxembourg {}", p.banzhaf[14]);
    }
}

#[test]
fn un_security_council_matches_published_values() {
    // 5 permanent members with veto and 10 elected members, 9 votes needed:
    // the weighted game [39; 7,7,7,7,7,1,…,1].
    let mut weights = vec![7.0; 5];
    weights.extend([1.0; 10]);
    let chamber = weighted(&weights, 39.0);
    // Elected member pivotal: 9th in the order after all five permanent
    // members: C(9,3)·8!·6!/15! = 4/2145. Swings: permanent 848 =
    // Σ_{k≥4} C(10,k), elected 84 = C(9,3); total 5·848 + 10·84 = 5080.
    let elected_ss = 4.0 / 2145.0;
    let permanent_ss = (1.0 - 10.0 * elected_ss) / 5.0;
    for algorithm in EXACT {
        let p = power_indices_by(&chamber, algorithm).unwrap();
        sums_to_one(&p);
        for k in 0..5 {
            assert!((p.shapley_shubik[k] - 0.1963).abs() < 1e-4);
            assert!((p.shapley_shubik[k] - permanent_ss).abs() < 1e-12);
            assert!((p.banzhaf[k] - 0.1669).abs() < 1e-4);
            assert!((p.banzhaf[k] - 848.0 / 5080.0).abs() < 1e-12);
            assert!((p.banzhaf_absolute[k] - 848.0 / 16384.0).abs() < 1e-12);
        }
        for k in 5..15 {
            assert!((p.shapley_shubik[k] - 0.00186).abs() < 1e-4);
            assert!((p.shapley_shubik[k] - elected_ss).abs() < 1e-12);
            assert!((p.banzhaf[k] - 0.0165).abs() < 1e-4);
            assert!((p.banzhaf[k] - 84.0 / 5080.0).abs() < 1e-12);
        }
    }
}

/// The Council under the Treaty of Nice with 27 members (2007–2013):
/// weights (data/eu-council-weights, eu25_av), populations (eu25_ap, ×10^5),
/// 255 of 345 votes, 14 states, 62 % of the population.
pub fn nice27() -> Chamber {
    #[rustfmt::skip]
    let states: [(f64, f64); 27] = [
        (10., 81.), (12., 102.), (10., 79.), (4., 8.), (12., 103.), (7., 53.), (4., 14.), (7., 52.), (29., 590.),
        (29., 820.), (12., 105.), (12., 101.), (7., 37.), (29., 576.), (4., 24.), (7., 37.), (4., 4.), (3., 4.),
        (13., 158.), (27., 387.), (12., 100.), (14., 228.), (7., 54.), (4., 20.), (27., 394.), (10., 89.), (29., 592.),
    ];
    Chamber {
        name: "Council (Nice, EU-27)".into(),
        voters: states
            .iter()
            .enumerate()
            .map(|(k, &(weight, population))| Voter {
                actor: k,
                weight,
                population,
            })
            .collect(),
        rule: VotingRule::Qualified {
            weight_threshold: 255.0,
            min_members: Some(14),
            population_share: Some(0.62),
        },
    }
}

/// The Nice EU-27 indices, enumerated once per test binary (2^27
/// coalitions take a while in a debug build).
fn nice27_exact() -> &'static PowerIndices {
    static NICE: OnceLock<PowerIndices> = OnceLock::new();
    NICE.get_or_init(|| power_indices(&nice27()).unwrap())
}

#[test]
fn nice_triple_majority_is_enumerated_exactly() {
    let chamber = nice27();
    let total: f64 = chamber.voters.iter().map(|v| v.weight).sum();
    assert_eq!(total, 345.0);
    let p = nice27_exact();
    assert!(p.exact);
    assert_eq!(p.method, PowerMethod::Enumeration);
    sums_to_one(p);
    // The population and member clauses hardly bind (Felsenthal and
    // Machover 2001): the weights-only game is within 0.002 everywhere.
    let mut weights_only = chamber.clone();
    weights_only.rule = VotingRule::Qualified {
        weight_threshold: 255.0,
        min_members: None,
        population_share: None,
    };
    let q = power_indices(&weights_only).unwrap();
    assert_eq!(q.method, PowerMethod::GeneratingFunction);
    close(&p.shapley_shubik, &q.shapley_shubik, 2e-3, "SS Nice vs weights only");
    close(&p.banzhaf, &q.banzhaf, 2e-3, "β Nice vs weights only");
    // Germany (820) has more population than France (590), with the same
    // weight: the population clause can only help it.
    assert!(p.banzhaf_absolute[9] >= p.banzhaf_absolute[8]);
    // Malta (3 votes) least, the 29-vote states most.
    let min = p.shapley_shubik.iter().cloned().fold(f64::INFINITY, f64::min);
    assert_eq!(p.shapley_shubik[17], min);
}

/// Random weighted games with a member clause: the generating function and
/// the enumeration count the same swings.
#[test]
fn generating_function_agrees_with_enumeration() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for case in 0..60 {
        let n = rng.random_range(1..=12usize);
        let weights: Vec<f64> = (0..n).map(|_| f64::from(rng.random_range(0..=9u32))).collect();
        let total: f64 = weights.iter().sum();
        let quota = (total * rng.random_range(0.3..1.0f64)).round().max(1.0);
        let mut chamber = weighted(&weights, quota);
        if case % 2 == 1 {
            chamber.rule = VotingRule::Qualified {
                weight_threshold: quota,
                min_members: Some(rng.random_range(0..=n)),
                population_share: None,
            };
        }
        let gf = power_indices_by(&chamber, PowerAlgorithm::GeneratingFunction);
        let en = power_indices_by(&chamber, PowerAlgorithm::Enumeration);
        match (gf, en) {
            (Ok(a), Ok(b)) => {
                close(&a.shapley_shubik, &b.shapley_shubik, 1e-12, "SS");
                close(&a.banzhaf, &b.banzhaf, 1e-12, "β");
                close(&a.banzhaf_absolute, &b.banzhaf_absolute, 1e-12, "β'");
                sums_to_one(&a);
            }
            (Err(EngineError::Degenerate(_)), Err(EngineError::Degenerate(_))) => {}
            other => panic!("case {case}: {other:?}"),
        }
    }
    // Decimal weights are scaled to integers.
    let decimal = weighted(&[0.3, 0.2, 0.1], 0.4);
    let p = power_indices_by(&decimal, PowerAlgorithm::GeneratingFunction).unwrap();
    close(
        &p.shapley_shubik,
        &[2.0 / 3.0, 1.0 / 6.0, 1.0 / 6.0],
        1e-12,
        "SS decimal",
    );
}

#[test]
fn monte_carlo_agrees_with_exact_within_its_error() {
    let exact = nice27_exact();
    let mc = power_indices_by(
        &nice27(),
        PowerAlgorithm::MonteCarlo {
            samples: 100_000,
            seed: 1,
        },
    )
    .unwrap();
    assert!(!mc.exact);
    let se = mc.std_errors.as_ref().unwrap();
    for i in 0..27 {
        assert!((mc.shapley_shubik[i] - exact.shapley_shubik[i]).abs() <= 4.0 * se.shapley_shubik[i] + 1e-12);
        assert!((mc.banzhaf_absolute[i] - exact.banzhaf_absolute[i]).abs() <= 4.0 * se.banzhaf_absolute[i] + 1e-12);
    }
}

#[test]
fn large_chambers_fall_back_to_monte_carlo() {
    // 29 voters with a population clause: beyond enumeration.
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut chamber = weighted(
        &(0..29)
            .map(|_| f64::from(rng.random_range(1..=10u32)))
            .collect::<Vec<_>>(),
        0.0,
    );
    for v in &mut chamber.voters {
        v.population = rng.random_range(1.0..100.0);
    }
    let total: f64 = chamber.voters.iter().map(|v| v.weight).sum();
    chamber.rule = VotingRule::Qualified {
        weight_threshold: 0.6 * total,
        min_members: None,
        population_share: Some(0.6),
    };
    let p = power_indices(&chamber).unwrap();
    assert!(!p.exact);
    assert!(matches!(p.method, PowerMethod::MonteCarlo { .. }));
    let ss: f64 = p.shapley_shubik.iter().sum();
    assert!((ss - 1.0).abs() < 1e-9, "every order has exactly one pivot");
    assert!(power_indices_by(&chamber, PowerAlgorithm::Enumeration).is_err());
    assert!(power_indices_by(&chamber, PowerAlgorithm::GeneratingFunction).is_err());
    // Without a population clause: still exact, by counting.
    chamber.rule = VotingRule::Qualified {
        weight_threshold: 0.6 * total,
        min_members: Some(20),
        population_share: None,
    };
    let q = power_indices(&chamber).unwrap();
    assert!(q.exact);
    sums_to_one(&q);
}

#[test]
fn same_result_on_one_and_two_threads() {
    // The first 20 Nice states under the same clauses (2^20 coalitions).
    let mut twenty = nice27();
    twenty.voters.truncate(20);
    twenty.rule = VotingRule::Qualified {
        weight_threshold: 0.74 * twenty.voters.iter().map(|v| v.weight).sum::<f64>(),
        min_members: Some(11),
        population_share: Some(0.62),
    };
    let run = |threads: usize, algorithm: PowerAlgorithm| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| power_indices_by(&twenty, algorithm).unwrap())
    };
    for algorithm in [
        PowerAlgorithm::Enumeration,
        PowerAlgorithm::MonteCarlo {
            samples: 50_000,
            seed: 9,
        },
    ] {
        assert_eq!(run(1, algorithm), run(2, algorithm), "{algorithm:?}");
    }
}

#[test]
fn impossible_or_empty_rules_are_errors() {
    assert!(matches!(
        power_indices(&weighted(&[1.0, 2.0], 4.0)),
        Err(EngineError::Degenerate(_))
    ));
    assert!(matches!(
        power_indices(&weighted(&[1.0, 2.0], 0.0)),
        Err(EngineError::Degenerate(_))
    ));
    assert!(matches!(
        power_indices(&weighted(&[], 1.0)),
        Err(EngineError::InvalidInput(_))
    ));
    assert!(matches!(
        power_indices(&weighted(&[-1.0, 2.0], 1.0)),
        Err(EngineError::InvalidInput(_))
    ));
}
