//! EUM speed: the EC emissions reference case and synthetic 20-actor issues.

use std::hint::black_box;

use accord_engine::eum::{self, EumSettings};
use criterion::{Criterion, criterion_group, criterion_main};

/// A deterministic pseudo-random n-actor issue on a 0–100 scale.
fn synthetic(n: usize, grid: bool) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    synthetic_seeded(n, grid, 0x9e37_79b9_7f4a_7c15)
}

fn synthetic_seeded(n: usize, grid: bool, seed: u64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut state = seed;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let c = (0..n).map(|_| 0.05 + next()).collect();
    let x = (0..n)
        .map(|_| {
            if grid {
                (next() * 5.0).floor() * 25.0
            } else {
                100.0 * next()
            }
        })
        .collect();
    let s = (0..n).map(|_| 0.1 + 0.9 * next()).collect();
    (c, x, s)
}

fn bench(c: &mut Criterion) {
    let ec_c = [0.08, 0.08, 0.03, 0.16, 0.16, 0.16, 0.16, 0.05, 0.05, 0.08];
    let ec_x = [4.0, 7.0, 4.0, 4.0, 10.0, 10.0, 10.0, 7.0, 4.0, 7.0];
    let ec_s = [0.8, 0.4, 0.2, 0.8, 0.6, 0.6, 0.9, 0.1, 1.0, 0.7];
    let fast = EumSettings::replication();
    let exact = EumSettings {
        exact: true,
        ..EumSettings::replication()
    };
    let paper = EumSettings::paper();
    c.bench_function("eum/ec_emissions_10_rounds/fast", |b| {
        b.iter(|| eum::run_1d(black_box(&ec_c), black_box(&ec_x), black_box(&ec_s), &fast).unwrap())
    });
    c.bench_function("eum/ec_emissions_10_rounds/exact", |b| {
        b.iter(|| eum::run_1d(black_box(&ec_c), black_box(&ec_x), black_box(&ec_s), &exact).unwrap())
    });
    // One Monte Carlo sample of the SCO model: 20 issues with the baseline's
    // stance counts (200 stances), continuous positions.
    let sco: Vec<_> = [15, 15, 14, 13, 12, 12, 12, 12, 12, 11, 11, 10, 8, 7, 6, 6, 6, 6, 6, 6]
        .iter()
        .enumerate()
        .map(|(i, &n)| synthetic_seeded(n, false, 0x2545_f491_4f6c_dd1d ^ ((i as u64 + 1) << 32)))
        .collect();
    for (label, settings) in [("fast", &fast), ("exact", &exact)] {
        c.bench_function(&format!("eum/sco_like_20_issues_200_stances/{label}"), |b| {
            b.iter(|| {
                for (cc, xx, ss) in &sco {
                    black_box(eum::run_1d(black_box(cc), black_box(xx), black_box(ss), settings).unwrap());
                }
            })
        });
    }
    for (name, grid) in [("distinct", false), ("grid5", true)] {
        let (cc, xx, ss) = synthetic(20, grid);
        for (label, settings) in [("fast", &fast), ("exact", &exact), ("paper", &paper)] {
            c.bench_function(&format!("eum/20_actors_{name}_10_rounds/{label}"), |b| {
                b.iter(|| eum::run_1d(black_box(&cc), black_box(&xx), black_box(&ss), settings).unwrap())
            });
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(2)).warm_up_time(std::time::Duration::from_millis(500));
    targets = bench
}
criterion_main!(benches);
