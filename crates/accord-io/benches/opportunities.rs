//! The strategy search for Russia on the embedded SCO baseline (the
//! scenario's model, the model's levers and the packages, as `accord
//! opportunities` runs it), at 2,000 samples: the exhaustive search over
//! every combination of up to K levers against the beam search (width 10)
//! at the same settings. `cargo bench -p accord-io --bench opportunities`.

use std::{hint::black_box, sync::atomic::AtomicBool, time::Duration};

use accord_analysis::{
    exhaustive,
    opportunities::{Loss, SearchSettings, package_levers, search},
};
use criterion::{Criterion, criterion_group, criterion_main};

fn russia(c: &mut Criterion) {
    let (record, model) = accord_io::embedded::sco_record_and_model().expect("embedded data");
    let (_, text) = accord_io::embedded::SCO_SCENARIOS[0];
    let mut scenario = accord_io::scenario::parse_scenario("baseline", text).expect("baseline parses");
    scenario.settings.samples = 2_000;
    let compiled = accord_analysis::compile(&record, &model, &scenario).expect("baseline compiles");
    let mut levers = model.levers.clone();
    levers.extend(package_levers(&compiled, &model.links, "RUS"));
    let cancel = AtomicBool::new(false);
    let mut group = c.benchmark_group("opportunities_rus_2000_samples");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    for k in [3, 4] {
        let settings = SearchSettings {
            focal: "RUS".into(),
            max_levers: k,
            beam_width: 10,
            loss: Loss::Linear,
        };
        group.bench_function(format!("exhaustive_k{k}"), |b| {
            b.iter(|| exhaustive::search(black_box(&compiled), &levers, &settings, &cancel, &|_| {}).expect("a search"))
        });
        group.bench_function(format!("beam_k{k}"), |b| {
            b.iter(|| search(black_box(&compiled), &levers, &settings, &cancel, &|_| {}).expect("a search"))
        });
    }
    group.finish();
}

criterion_group!(benches, russia);
criterion_main!(benches);
