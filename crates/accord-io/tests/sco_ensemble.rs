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

/// An SCO issue decided by consensus gets the stacking weights learned on
/// DEU's unanimity decisions (eq. C7), renormalised over the models that ran.
#[test]
fn consensus_issues_use_the_unanimity_weights() {
    let c = baseline(8);
    let errors = accord_io::calibration::embedded().unwrap().model;
    let e = run_in(1, &c, None);
    for (i, issue) in c.model.issues.iter().enumerate() {
        let group = accord_analysis::ensemble::residual_group(issue);
        let (weights, label) = errors.weights_for(group);
        let h = &e.headline.issues[i];
        assert_eq!(h.stacking_group, label, "{}", h.id);
        if group == Some("unanimity") {
            let own = errors.stacking.iter().any(|s| s.group == "unanimity" && s.own);
            assert_eq!(label == "unanimity", own, "{}", h.id);
        }
        let available: Vec<bool> = e.models.iter().map(|m| m.issues[i].ran).collect();
        let expected = accord_engine::calibration::effective_weights(&weights, &available);
        for (m, w) in e.models.iter().zip(expected) {
            assert!((m.issues[i].weight - w).abs() < 1e-12, "{} {}", m.name, h.id);
        }
    }
}

/// `compare` and the report's comparisons use the calibrated headline, the
/// same numbers `forecast` gives for each side on the same draws; the
/// input-only P stays beside it, and givens stay givens.
#[test]
fn comparisons_use_the_calibrated_headline() {
    use accord_analysis::run::{
        CalibrateComparisonError, as_compared, calibrate_comparison, compare, forecast_scenario,
    };
    let never = AtomicBool::new(false);
    let (record, model) = accord_io::embedded::sco_record_and_model().unwrap();
    let a = baseline(12);
    let (name, text) = accord_io::embedded::SCO_SCENARIOS
        .iter()
        .find(|(n, _)| n.contains("iran-admitted"))
        .expect("the iran-admitted scenario ships");
    let b = accord_analysis::compile(
        &record,
        &model,
        &accord_io::scenario::parse_scenario(name, text).unwrap(),
    )
    .unwrap();
    let mut cmp = compare(&a, &b, &never, &|_| {}).unwrap();
    let input_only: Vec<(f64, f64)> = cmp.issues.iter().map(|s| s.p_above).collect();
    // Without calibrated forecasts it is a clear error, and nothing changes.
    let e = calibrate_comparison(&mut cmp).unwrap_err();
    assert!(matches!(e, CalibrateComparisonError::Missing { .. }), "{e}");
    assert!(!cmp.calibrated);

    let b_run = as_compared(&a.settings, &b);
    accord_io::calibration::attach_calibrated(&mut cmp.a, &a, None, &never, &|_| {}).unwrap();
    accord_io::calibration::attach_calibrated(&mut cmp.b, &b_run, None, &never, &|_| {}).unwrap();
    calibrate_comparison(&mut cmp).unwrap();
    assert!(cmp.calibrated);

    let mut fb = forecast_scenario(&b_run, &never, &|_| {}).unwrap();
    accord_io::calibration::attach_calibrated(&mut fb, &b_run, None, &never, &|_| {}).unwrap();
    let mut fa = forecast_scenario(&a, &never, &|_| {}).unwrap();
    accord_io::calibration::attach_calibrated(&mut fa, &a, None, &never, &|_| {}).unwrap();
    let headline = |f: &accord_analysis::run::ForecastReport, id: &str| {
        f.issues
            .iter()
            .find(|i| i.id == id)
            .unwrap()
            .predictive
            .as_ref()
            .unwrap()
            .headline
            .p_at_or_above
    };
    let mut givens = 0;
    for (s, io) in cmp.issues.iter().zip(input_only) {
        assert_eq!(s.p_above, (headline(&fa, &s.id), headline(&fb, &s.id)), "{}", s.id);
        assert_eq!(s.p_above_input_only, io, "{}", s.id);
        assert!((s.p_shift - (s.p_above.1 - s.p_above.0)).abs() < 1e-12);
        let given = fb.issues.iter().find(|i| i.id == s.id).unwrap().given;
        assert_eq!(s.given, given, "{}", s.id);
        givens += usize::from(s.given);
    }
    assert!(givens > 0, "iran-admitted sets the status quo of admit-iran: a given");
    let json = serde_json::to_value(&cmp).unwrap();
    let first = &json["issues"][0];
    for field in ["p_above", "p_above_input_only", "given"] {
        assert!(first.get(field).is_some(), "compare --json lacks {field}");
    }
    assert_eq!(json["calibrated"], true);
}
