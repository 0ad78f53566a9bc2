//! Influence benchmarks: exact Shapley attribution of a 20-actor issue under
//! the compromise model (target ≤ 1 s), and the power indices of the Council
//! under the Treaty of Nice with 27 members (triple majority, 2^27
//! coalitions enumerated). Figures in `docs/performance.md` ("Influence").
//!
//! `cargo bench -p accord-engine --bench influence` (rayon's default thread
//! count; set `RAYON_NUM_THREADS` to change it).

use std::time::Duration;

use accord_engine::influence::{PowerAlgorithm, ShapleyMethod, power_indices, power_indices_by, shapley};
use accord_engine::{Chamber, DecisionRule, Dynamics, Issue, ModelSettings, Stance, Voter, VotingRule};
use criterion::{Criterion, criterion_group, criterion_main};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A random issue with `n` actors on two dimensions.
fn issue(n: usize) -> Issue {
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    Issue {
        id: format!("bench-{n}"),
        dimensions: 2,
        status_quo: Some(vec![30.0, 70.0]),
        stances: (0..n)
            .map(|i| Stance {
                actor: format!("A{i:02}"),
                capability: rng.random_range(1.0..100.0),
                position: vec![rng.random_range(0.0..100.0), rng.random_range(0.0..100.0)],
                salience: vec![rng.random_range(0.1..1.0), rng.random_range(0.1..1.0)],
            })
            .collect(),
        procedure: None,
    }
}

/// The Nice EU-27 Council: weights, populations (×10^5), 255 of 345 votes,
/// 14 states, 62 % of the population (`data/eu-council-weights`).
fn nice27() -> Chamber {
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
            .map(|(actor, &(weight, population))| Voter {
                actor,
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

fn bench_influence(c: &mut Criterion) {
    let settings = ModelSettings {
        dynamics: Dynamics::None,
        rule: DecisionRule::WeightedMean,
    };
    let mut group = c.benchmark_group("influence");
    group.sample_size(10).warm_up_time(Duration::from_millis(500));
    let twenty = issue(20);
    group.bench_function("shapley_exact_compromise_20_actors_2_dims", |b| {
        b.iter(|| shapley(&twenty, &settings, 0, ShapleyMethod::Exact).unwrap())
    });
    let fifty = issue(50);
    group.bench_function("shapley_sampled_compromise_50_actors_2000_permutations", |b| {
        b.iter(|| shapley(&fifty, &settings, 0, ShapleyMethod::Sampled { permutations: 2000 }).unwrap())
    });
    let nice = nice27();
    group.bench_function("power_indices_nice_eu27_enumeration", |b| {
        b.iter(|| power_indices(&nice).unwrap())
    });
    let mut weights_only = nice27();
    weights_only.rule = VotingRule::Qualified {
        weight_threshold: 255.0,
        min_members: Some(14),
        population_share: None,
    };
    group.bench_function("power_indices_nice_eu27_weights_and_members_generating_function", |b| {
        b.iter(|| power_indices_by(&weights_only, PowerAlgorithm::GeneratingFunction).unwrap())
    });
    group.bench_function("power_indices_nice_eu27_monte_carlo_1e6", |b| {
        b.iter(|| {
            power_indices_by(
                &nice,
                PowerAlgorithm::MonteCarlo {
                    samples: 1_000_000,
                    seed: 1,
                },
            )
            .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench_influence);
criterion_main!(benches);
