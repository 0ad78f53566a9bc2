//! SMP benchmark on KTAB's example scenarios, on one core (a one-thread
//! rayon pool) as the performance target in `docs/performance.md` requires.
//!
//! `cargo bench -p accord-engine --bench smp` (set `SMP_BENCH_THREADS` to
//! use more threads).

use std::time::Duration;

use accord_engine::smp::{self, SmpSettings};
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "../tests/smp_common/mod.rs"]
mod smp_common;

fn bench_smp(c: &mut Criterion) {
    let threads = std::env::var("SMP_BENCH_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    let mut group = c.benchmark_group(format!("smp_{threads}thread"));
    group.sample_size(10).warm_up_time(Duration::from_millis(500));
    for file in [
        "dummyData_3Dim.csv",
        "SOE-Pol-Comp.csv",
        "dummyData_6Dim.csv",
        "dummyData-a040.csv",
        "dummyData-a080.csv",
        "dummyData-a160.csv",
    ] {
        let issue = smp_common::load_issue(file);
        let settings = SmpSettings::default();
        group.bench_function(file.trim_end_matches(".csv"), |b| {
            b.iter(|| pool.install(|| smp::run(&issue, &settings, 0).unwrap()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_smp);
criterion_main!(benches);
