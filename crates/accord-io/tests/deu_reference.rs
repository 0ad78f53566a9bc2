//! The validation reproduces the data README's reference figures, names one
//! recommended combination, and gives the same report whatever the thread
//! count. Runs the static models and baselines (the dynamic models are
//! exercised by the benchmark and the command; they take seconds in release
//! builds, minutes in debug).

use accord_engine::validation::{ValidationReport, validate};
use accord_io::deu::{DeuData, PlanSettings, validation_plan};

fn report(threads: usize) -> ValidationReport {
    let data = DeuData::embedded().expect("shipped data reads");
    let settings = PlanSettings {
        dynamics: false,
        resamples: 500,
        ..PlanSettings::default()
    };
    let plan = validation_plan(&data, &settings);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    pool.install(|| validate(&plan.cases, &plan.candidates, &plan.config))
}

#[test]
fn reproduces_the_readme_reference_figures() {
    let r = report(2);
    assert_eq!(r.cases, 237);
    assert_eq!(r.groups, 92, "proposals with a scored issue");
    let expect = [
        ("none/weighted_mean/vote_weight", 22.39),
        ("none/weighted_mean/equal", 22.49),
        ("baseline/unweighted_mean", 22.44),
        ("baseline/lower_weighted_median", 27.24),
        ("baseline/always_50", 26.69),
    ];
    for (name, want) in expect {
        let c = r.candidate(name).unwrap_or_else(|| panic!("{name} missing"));
        let m = c
            .metrics
            .unwrap_or_else(|| panic!("{name} scored nothing: {:?}", c.unscored_examples));
        assert_eq!(m.n, 237, "{name} scores every issue");
        assert!((m.mae - want).abs() < 0.01, "{name}: MAE {:.4}, README {want}", m.mae);
    }
}

#[test]
fn names_one_recommended_combination_with_its_cross_validated_error() {
    let r = report(2);
    let recommended: Vec<_> = r.candidates.iter().filter(|c| c.recommended).collect();
    assert_eq!(recommended.len(), 1);
    let rec = recommended[0];
    assert!(rec.candidate.selectable && rec.unscored == 0);
    assert_eq!(r.recommendation.chosen.as_deref(), Some(rec.candidate.name.as_str()));
    let cv = r.recommendation.cv_mae.expect("cross-validated");
    assert_eq!(r.recommendation.cv_mae_by_repeat.len(), PlanSettings::default().repeats);
    // Selection on all issues is optimistic; its cross-validated error is not
    // below the chosen combination's in-sample error by construction.
    assert!(
        cv >= rec.metrics.unwrap().mae - 1e-9,
        "cv {cv} vs in-sample {}",
        rec.metrics.unwrap().mae
    );
}

#[test]
fn same_report_whatever_the_thread_count() {
    assert_eq!(report(1), report(3));
}

#[test]
fn intervals_bracket_the_mae_and_breakdowns_add_up() {
    let r = report(2);
    for c in &r.candidates {
        let Some(m) = c.metrics else { continue };
        let (lo, hi) = c.mae_interval.expect("interval");
        assert!(lo <= m.mae && m.mae <= hi, "{}: {lo} {} {hi}", c.candidate.name, m.mae);
        for strata in c.breakdown.values() {
            let n: usize = strata.values().map(|s| s.n).sum();
            let sum: f64 = strata.values().map(|s| s.mae * s.n as f64).sum();
            assert_eq!(n, m.n);
            assert!((sum / n as f64 - m.mae).abs() < 1e-9);
        }
        assert_eq!(m.n + c.unscored, r.cases);
    }
}
