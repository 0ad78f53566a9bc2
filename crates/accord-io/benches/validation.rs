//! The whole DEU validation — reading the shipped file, every dynamics ×
//! rule × capability set, the tuned family and the baselines on every
//! issue, the proposal bootstrap and the cross-validation — as
//! `accord validate deu` runs it. `cargo bench -p accord-io --bench validation`.

use accord_engine::validation::validate;
use accord_io::deu::{DeuData, PlanSettings, validation_plan};
use criterion::{Criterion, criterion_group, criterion_main};

fn whole_validation(c: &mut Criterion) {
    let mut group = c.benchmark_group("deu_validation");
    group.sample_size(10);
    group.bench_function("every_combination", |b| {
        b.iter(|| {
            let data = DeuData::embedded().expect("shipped data");
            let plan = validation_plan(&data, &PlanSettings::default());
            validate(&plan.cases, &plan.candidates, &plan.config)
        })
    });
    group.bench_function("static_models_and_baselines", |b| {
        b.iter(|| {
            let data = DeuData::embedded().expect("shipped data");
            let plan = validation_plan(
                &data,
                &PlanSettings {
                    dynamics: false,
                    ..PlanSettings::default()
                },
            );
            validate(&plan.cases, &plan.candidates, &plan.config)
        })
    });
    group.finish();
}

criterion_group!(benches, whole_validation);
criterion_main!(benches);
