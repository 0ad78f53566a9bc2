//! Golden test of the SCO baseline forecast: for a fixed seed and sample
//! count, every issue's summary is pinned (regenerate deliberately with
//! `UPDATE_GOLDEN=1 cargo test -p accord-io --test sco_forecast`). Also: the
//! seed, not the thread count, decides the result.

use std::sync::atomic::AtomicBool;

use accord_analysis::run::{ForecastReport, forecast_scenario};

fn baseline(samples: u64, seed: u64) -> accord_analysis::Compiled {
    let (record, model) = accord_io::embedded::sco_record_and_model().expect("embedded data");
    let (_, text) = accord_io::embedded::SCO_SCENARIOS[0];
    let mut scenario = accord_io::scenario::parse_scenario("baseline", text).expect("baseline parses");
    scenario.settings.samples = samples;
    scenario.settings.seed = seed;
    accord_analysis::compile(&record, &model, &scenario).expect("baseline compiles")
}

fn run_in(threads: usize, c: &accord_analysis::Compiled) -> ForecastReport {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| forecast_scenario(c, &AtomicBool::new(false), &|_| {}).unwrap())
}

fn render(r: &ForecastReport) -> String {
    let mut out = format!(
        "scenario {} | samples {} | seed {} | {:?}\n",
        r.scenario, r.run.samples_done, r.run.settings.seed, r.run.settings.model
    );
    for i in &r.issues {
        let s = &i.summary;
        out += &format!(
            "{} sq={} mean={:.9} se={:.9} q={:.6?} p_above={:.9} failures={}\n",
            i.id, i.status_quo, s.mean, s.std_error, s.quantiles, s.p_above, s.failures
        );
    }
    out
}

#[test]
fn baseline_forecast_is_pinned() {
    let report = run_in(2, &baseline(512, 2010));
    let text = render(&report);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/sco_baseline_forecast.txt");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let expected = std::fs::read_to_string(&path).expect("golden file (UPDATE_GOLDEN=1 to create)");
    assert_eq!(
        text, expected,
        "the baseline forecast changed; if intended, regenerate with UPDATE_GOLDEN=1"
    );
    assert_eq!(report.issues.len(), 27);
    assert!(report.issues.iter().all(|i| i.summary.failures == 0));
}

#[test]
fn seed_not_thread_count_decides() {
    let c = baseline(300, 99);
    assert_eq!(run_in(1, &c), run_in(2, &c));
}
