//! The calibrated forecasts of every validated model and the headline on the
//! SCO baseline: a pure function of (scenario, calibration, seed), whatever
//! the thread count; every model runs on every issue or says why; bad
//! ensembles are clear errors.

use std::sync::atomic::AtomicBool;

use accord_analysis::ensemble::{EnsembleError, EnsembleForecast, members, predictive_forecasts};

fn baseline(samples: u64) -> accord_analysis::Compiled {
    let (record, model) = accord_io::embedded::sco_record_and_model().expect("embedded data");
    let (_, text) = accord_io::embedded::SCO_SCENARIOS[0];
    let mut scenario = accord_io::scenario::parse_scenario("baseline", text).expect("baseline parses");
    scenario.settings.samples = samples;
    accord_analysis::compile(&record, &model, &scenario).expect("baseline compiles")
}

fn run_in(threads: usize, c: &accord_analysis::Compiled, only: Option<&str>) -> EnsembleForecast {
    let errors = accord_io::calibration::embedded().expect("shipped calibration").model;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| predictive_forecasts(c, &errors, only, &AtomicBool::new(false), &|_| {}).unwrap())
}

#[test]
fn ensemble_is_thread_independent_and_complete() {
    let c = baseline(40);
    let errors = accord_io::calibration::embedded().expect("shipped calibration").model;
    let one = run_in(1, &c, None);
    let two = run_in(2, &c, None);
    assert_eq!(one, two);
    assert_eq!(one.models.len(), members().len());
    for (i, h) in one.headline.issues.iter().enumerate() {
        assert!(h.ran, "{}: no model ran", h.id);
        // Model error keeps every probability off 0 and 1.
        assert!(
            h.p_at_or_above > 0.0 && h.p_at_or_above < 1.0,
            "{}: {}",
            h.id,
            h.p_at_or_above
        );
        assert!(
            h.quantiles.windows(2).all(|w| w[0] <= w[1]),
            "{}: {:?}",
            h.id,
            h.quantiles
        );
        // The headline lies within the models' range.
        let d = &one.disagreement[i];
        assert!(h.p_at_or_above >= d.p_range.0.1 - 1e-12 && h.p_at_or_above <= d.p_range.1.1 + 1e-12);
        for m in &one.models {
            let p = &m.issues[i];
            assert!(
                p.ran || p.error.is_some(),
                "{} {}: neither ran nor said why",
                m.name,
                p.id
            );
            // SCO consensus uses the unanimity residuals where the model has
            // enough of them, else its pooled ones.
            let has_group = errors.member(&m.name).unwrap().groups.contains_key("unanimity");
            let expected = if has_group { "unanimity" } else { "pooled" };
            assert_eq!(p.residual_group, expected, "{} {}", m.name, p.id);
            if p.ran {
                let input = p.input_quantiles.unwrap();
                // Model error widens the input-uncertainty band.
                assert!(p.quantiles[4] - p.quantiles[0] >= input[4] - input[0] - 1e-9);
            }
        }
    }
    let weights: f64 = one.models.iter().map(|m| m.weight).sum();
    assert!((weights - 1.0).abs() < 1e-9);
}

#[test]
fn one_model_and_bad_ensembles() {
    let c = baseline(8);
    let solo = run_in(1, &c, Some("compromise"));
    assert_eq!(solo.models.len(), 1);
    assert!((solo.headline.issues[0].p_at_or_above - solo.models[0].issues[0].p_at_or_above).abs() < 1e-12);

    let mut errors = accord_io::calibration::embedded().unwrap().model;
    let flag = AtomicBool::new(false);
    let e = predictive_forecasts(&c, &errors, Some("nash"), &flag, &|_| {}).unwrap_err();
    assert!(matches!(e, EnsembleError::UnknownModel { .. }), "{e}");
    assert!(e.to_string().contains("compromise"), "{e}");
    errors.members.clear();
    let e = predictive_forecasts(&c, &errors, None, &flag, &|_| {}).unwrap_err();
    assert!(e.to_string().contains("at least one validated model"), "{e}");
}
