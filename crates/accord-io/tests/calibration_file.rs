//! The shipped model error (`data/calibration/deu.toml`) must be current.
//! Regenerating it runs SMP and EUM on every DEU issue, which takes minutes
//! in a debug build, so this test checks what it can cheaply: the
//! fingerprints of the data it was learned from, the models of the ensemble,
//! the settings, and — recomputed here — the residuals of the two static
//! models. If it fails, regenerate with the command in the file's header.

use accord_analysis::ensemble::members;
use accord_engine::validation::predict_all;
use accord_io::calibration::{REGENERATE, embedded, fingerprint};
use accord_io::deu::{COUNCIL_WEIGHTS_CSV, DEU3_DEV_NAME, DEU3_DEV_TSV, DeuData, PlanSettings, validation_plan};

#[test]
fn shipped_calibration_is_current() {
    let file = embedded().expect("the shipped calibration parses");
    let p = &file.provenance;
    let stale = format!("data/calibration/deu.toml is stale: regenerate with `{REGENERATE}`");
    assert_eq!(p.data_file, DEU3_DEV_NAME, "{stale}");
    assert_eq!(p.data_fingerprint, fingerprint(DEU3_DEV_TSV), "{stale}");
    assert_eq!(p.weights_fingerprint, fingerprint(COUNCIL_WEIGHTS_CSV), "{stale}");
    assert_eq!(p.seed, PlanSettings::default().seed, "{stale}");
    assert_eq!(p.folds, PlanSettings::default().folds, "{stale}");
    let expected: Vec<String> = members()
        .iter()
        .map(|m| format!("{} = {}", m.name, m.deu_candidate))
        .collect();
    assert_eq!(p.models, expected, "{stale}");
    let names: Vec<&str> = file.model.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, members().iter().map(|m| m.name).collect::<Vec<_>>(), "{stale}");
    let total: f64 = file.model.members.iter().map(|m| m.weight).sum();
    assert!((total - 1.0).abs() < 1e-9, "weights sum to {total}");

    // The static models' residuals, recomputed.
    let data = DeuData::embedded().expect("shipped DEU data");
    let plan = validation_plan(
        &data,
        &PlanSettings {
            dynamics: false,
            ..PlanSettings::default()
        },
    );
    assert_eq!(p.cases, plan.cases.len(), "{stale}");
    let predictions = predict_all(&plan.cases, &plan.candidates, plan.config.seed);
    for m in members().iter().filter(|m| m.deu_candidate.starts_with("none/")) {
        let k = plan
            .candidates
            .iter()
            .position(|c| c.name == m.deu_candidate)
            .expect("static candidate in the plan");
        let mut residuals: Vec<f64> = plan
            .cases
            .iter()
            .zip(&predictions.values[k])
            .filter_map(|(c, f)| f.as_ref().ok().map(|f| c.outcome - f))
            .collect();
        residuals.sort_by(f64::total_cmp);
        let shipped = file.model.member(m.name).expect("member in the file");
        assert_eq!(shipped.pooled, residuals, "{}: {stale}", m.name);
    }
}
