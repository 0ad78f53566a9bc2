//! The chunk APIs a cluster uses (`accord.ray`): the forecast, the
//! calibrated ensemble and the comparison computed as parts over any split of their samples, shipped through JSON and reduced in
//! order, equal the local run bit for bit.

use std::sync::atomic::AtomicBool;

use accord_analysis::{Compiled, run, scenario::DynamicsChoice};
use accord_engine::montecarlo::{CHUNK, chunk_count};

fn no() -> AtomicBool {
    AtomicBool::new(false)
}

fn compiled(file: usize, samples: u64, dynamics: Option<DynamicsChoice>) -> Compiled {
    let (record, model) = accord_io::embedded::sco_record_and_model().expect("embedded data");
    let (name, text) = accord_io::embedded::SCO_SCENARIOS[file];
    let mut scenario = accord_io::scenario::parse_scenario(name, text).expect("scenario parses");
    if let Some(d) = dynamics {
        scenario.settings.dynamics = d;
    }
    scenario.settings.samples = samples;
    accord_analysis::compile(&record, &model, &scenario).expect("scenario compiles")
}

/// Consecutive ranges splitting `0..total` at `cuts`.
fn ranges(total: u64, cuts: &[u64]) -> Vec<std::ops::Range<u64>> {
    let mut bounds = vec![0];
    bounds.extend(cuts.iter().copied().filter(|&c| c > 0 && c < total));
    bounds.push(total);
    bounds.windows(2).map(|w| w[0]..w[1]).collect()
}

fn via_json<T: serde::Serialize + serde::de::DeserializeOwned>(t: &T) -> T {
    serde_json::from_str(&serde_json::to_string(t).unwrap()).unwrap()
}

#[test]
fn forecast_and_ensemble_parts_reduce_to_the_local_forecast() {
    // 130 samples: three chunks, the last one short.
    let c = compiled(0, 130, None);
    let mut local = run::forecast_scenario(&c, &no(), &|_| {}).unwrap();
    accord_io::calibration::attach_calibrated(&mut local, &c, None, &no(), &|_| {}).unwrap();
    let chunks = chunk_count(130);
    for cuts in [vec![1], vec![1, 2]] {
        let ranges = ranges(chunks, &cuts);
        let mc: Vec<_> = ranges
            .iter()
            .map(|r| via_json(&run::forecast_part(&c, r.clone(), &no(), &|_| {}).unwrap()))
            .collect();
        let ens: Vec<_> = ranges
            .iter()
            .map(|r| {
                let samples = r.start * CHUNK..(r.end * CHUNK).min(130);
                via_json(&accord_io::calibration::calibrated_part(&c, None, samples, &no(), &|_| {}).unwrap())
            })
            .collect();
        let mut report = run::forecast_reduce(&c, &mc).unwrap();
        accord_io::calibration::attach_calibrated_parts(&mut report, &c, None, &ens).unwrap();
        assert_eq!(report, local, "cuts {cuts:?}");
    }
    // A missing middle part is refused, a missing tail is partial.
    let a = run::forecast_part(&c, 0..1, &no(), &|_| {}).unwrap();
    let b = run::forecast_part(&c, 2..chunks, &no(), &|_| {}).unwrap();
    assert!(run::forecast_reduce(&c, &[a.clone(), b]).is_err());
    assert!(run::forecast_reduce(&c, &[a]).unwrap().run.partial);
}

#[test]
fn comparison_parts_reduce_to_the_local_comparison() {
    let a = compiled(0, 200, Some(DynamicsChoice::None));
    let b = compiled(1, 200, Some(DynamicsChoice::None));
    let local = run::compare(&a, &b, &no(), &|_| {}).unwrap();
    for cuts in [vec![], vec![2], vec![1, 2, 3]] {
        let parts: Vec<_> = ranges(chunk_count(200), &cuts)
            .into_iter()
            .map(|r| via_json(&run::compare_part(&a, &b, r, &no(), &|_| {}).unwrap()))
            .collect();
        assert_eq!(run::compare_reduce(&a, &b, &parts).unwrap(), local, "cuts {cuts:?}");
    }
}
