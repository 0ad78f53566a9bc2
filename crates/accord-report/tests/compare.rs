//! `accord_analysis::run::compare` in one pass: its forecasts are the plain
//! forecasts of A and of B (on A's draws), its progress counts each sample
//! once, and a stopped comparison covers the same samples everywhere.

use std::sync::{
    Mutex,
    atomic::{AtomicBool, Ordering},
};

use accord_analysis::{
    Compiled,
    run::{KeptOutcomes, OutcomesOfA, compare, compare_on, forecast_keeping, forecast_scenario, report_of},
};

fn shipped(samples: u64) -> Vec<Compiled> {
    let (record, model) = accord_io::embedded::sco_record_and_model().expect("embedded data are valid");
    accord_io::embedded::SCO_SCENARIOS
        .iter()
        .map(|(path, text)| {
            let scenario = accord_io::scenario::parse_scenario(path, text).expect("shipped scenario parses");
            let mut c = accord_analysis::compile(&record, &model, &scenario).expect("shipped scenario compiles");
            c.settings.samples = samples;
            c
        })
        .collect()
}

#[test]
fn a_comparison_holds_the_plain_forecasts_and_counts_each_sample_once() {
    let compiled = shipped(100);
    let a = &compiled[0];
    let never = AtomicBool::new(false);
    for b in &compiled[1..2] {
        let seen = Mutex::new(Vec::new());
        let cmp = compare(a, b, &never, &|n| seen.lock().unwrap().push(n)).unwrap();
        let seen = seen.into_inner().unwrap();
        assert_eq!(seen.last(), Some(&100), "progress ends at the sample count");
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "progress only grows: {seen:?}");
        assert_eq!(cmp.a, forecast_scenario(a, &never, &|_| {}).unwrap());
        let mut b_on_a = b.clone();
        b_on_a.settings.seed = a.settings.seed;
        b_on_a.settings.samples = a.settings.samples;
        b_on_a.settings.distribution = a.settings.distribution;
        assert_eq!(cmp.b, forecast_scenario(&b_on_a, &never, &|_| {}).unwrap());
        // The same comparison from A's kept outcomes.
        let kept = KeptOutcomes::new(a.settings.samples, a.model.issues.len());
        let run_a = forecast_keeping(a, &a.settings, &kept, &never, &|_| {}).unwrap();
        assert_eq!(report_of(a, run_a), cmp.a);
        let from_kept = compare_on(a, b, &a.settings, OutcomesOfA::Kept(&kept), &never, &|_| {}).unwrap();
        assert_eq!(from_kept, cmp);
        // A scenario against itself moves nothing.
        let same = compare(a, a, &never, &|_| {}).unwrap();
        assert!(same.issues.iter().all(|s| s.mean_shift == 0.0 && s.p_shift == 0.0));
    }
}

#[test]
fn a_stopped_comparison_covers_the_same_samples_everywhere() {
    let compiled = shipped(2_000);
    let (a, b) = (&compiled[0], &compiled[1]);
    let stop = AtomicBool::new(false);
    // Stop after the first batch.
    let cmp = compare(a, b, &stop, &|_| stop.store(true, Ordering::Relaxed)).unwrap();
    assert!(cmp.a.run.partial && cmp.b.run.partial);
    let done = cmp.a.run.samples_done;
    assert!(done > 0 && done < 2_000, "{done}");
    assert_eq!(cmp.b.run.samples_done, done);
    for s in cmp.a.run.issues.iter().chain(&cmp.b.run.issues) {
        assert_eq!(s.samples + s.failures, done, "{}", s.id);
    }
}

#[test]
fn a_comparison_does_not_depend_on_the_thread_count() {
    let compiled = shipped(300);
    let (a, b) = (&compiled[0], &compiled[4]);
    let never = AtomicBool::new(false);
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool");
        pool.install(|| compare(a, b, &never, &|_| {}).unwrap())
    };
    assert_eq!(on(1), on(3));
}

#[test]
fn under_the_exchange_model_a_comparison_holds_the_plain_forecasts() {
    let (record, model) = accord_io::embedded::sco_record_and_model().expect("embedded data are valid");
    let compiled: Vec<Compiled> = accord_io::embedded::SCO_SCENARIOS
        .iter()
        .take(2)
        .map(|(path, text)| {
            let mut scenario = accord_io::scenario::parse_scenario(path, text).expect("parses");
            scenario.settings.dynamics = accord_analysis::scenario::DynamicsChoice::Exchange;
            let mut c = accord_analysis::compile(&record, &model, &scenario).expect("compiles");
            c.settings.samples = 40;
            c
        })
        .collect();
    let (a, b) = (&compiled[0], &compiled[1]);
    let never = AtomicBool::new(false);
    let cmp = compare(a, b, &never, &|_| {}).unwrap();
    assert_eq!(cmp.a, forecast_scenario(a, &never, &|_| {}).unwrap());
    let mut b_on_a = b.clone();
    b_on_a.settings.seed = a.settings.seed;
    b_on_a.settings.distribution = a.settings.distribution;
    assert_eq!(cmp.b, forecast_scenario(&b_on_a, &never, &|_| {}).unwrap());
}
