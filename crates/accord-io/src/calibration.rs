//! The learned model error: `data/calibration/deu.toml`, written by
//! `accord validate deu --calibration-toml` and compiled into the binary, so
//! that a forecast does not rerun the DEU validation.
//!
//! The file carries its provenance: fingerprints (FNV-1a, 64 bits) of the
//! DEU file and the Council weights it was learned from, the fold count and
//! seed, the models and the command that regenerates it. A test
//! (`tests/calibration_file.rs`) fails when the shipped file is stale.

use accord_analysis::ensemble::members;
use accord_engine::calibration::{
    CalibrationCase, CalibrationConfig, CalibrationError, CalibrationReport, ErrorModel, MemberForecasts,
    calibrate_with,
};
use accord_engine::validation::Predictions;
use serde_json::{Value, json};

use crate::deu::DeuPlan;
use serde::{Deserialize, Serialize};

use crate::record::{Diagnostic, line_column};

/// Where the shipped calibration lives in the repository.
pub const DEU_CALIBRATION_NAME: &str = "data/calibration/deu.toml";

/// The shipped calibration's text.
pub const DEU_CALIBRATION_TOML: &str = include_str!("../../../data/calibration/deu.toml");

/// The command that regenerates the shipped file.
pub const REGENERATE: &str =
    "cargo run --release -p accord-cli -- validate deu --calibration-toml > data/calibration/deu.toml";

/// Where the learned numbers come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// The command that wrote the file.
    pub command: String,
    /// The DEU file, as named.
    pub data_file: String,
    /// [`fingerprint`] of its text.
    pub data_fingerprint: String,
    /// The Council weights file, as named.
    pub weights_file: String,
    /// [`fingerprint`] of its text.
    pub weights_fingerprint: String,
    /// Issues with an outcome (the residuals per model are at most this many).
    pub cases: usize,
    /// Folds of the cross-validation over proposals.
    pub folds: usize,
    /// Seed of the models and the fold assignment.
    pub seed: u64,
    /// `name = DEU combination` for each model of the ensemble.
    pub models: Vec<String>,
    /// Nested cross-validated coverage of the headline's 50/80/90 % intervals
    /// when the file was written (for the reader; `docs/validation.md` has all).
    pub headline_coverage: Vec<(f64, f64)>,
}

/// The contents of a calibration file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalibrationFile {
    /// Where it comes from.
    pub provenance: Provenance,
    /// Every model's residuals by group and its stacking weight.
    pub model: ErrorModel,
}

/// FNV-1a (64 bits) of a text, as `fnv1a64:` and 16 hex digits: a stable
/// fingerprint that needs no dependency (not a cryptographic hash: it only
/// detects accidental change).
pub fn fingerprint(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("fnv1a64:{h:016x}")
}

/// Builds the file's contents from a calibration report.
pub fn calibration_file(report: &CalibrationReport, provenance: Provenance) -> CalibrationFile {
    CalibrationFile {
        provenance,
        model: report.error_model.clone(),
    }
}

/// Writes a calibration file as TOML, with a header saying how to regenerate it.
pub fn to_toml(file: &CalibrationFile) -> Result<String, toml::ser::Error> {
    Ok(format!(
        "# Generated: do not edit. Regenerate with\n#   {}\n# Method: docs/models/calibration.md. Residuals are outcome − forecast on the 0–100 scale.\n\n{}",
        file.provenance.command,
        toml::to_string(file)?
    ))
}

/// Reads a calibration file, locating a problem by line and column.
pub fn parse_calibration(text: &str, name: &str) -> Result<CalibrationFile, Diagnostic> {
    let file: CalibrationFile = toml::from_str(text).map_err(|e| {
        let (line, column) = line_column(text, e.span().map_or(0, |s| s.start));
        Diagnostic {
            file: name.to_string(),
            line,
            column,
            message: e.message().trim().to_string(),
        }
    })?;
    let at = |needle: &str| {
        let (line, column) = line_column(text, text.find(needle).unwrap_or(0));
        (line, column)
    };
    let m = &file.model;
    let problem = if m.scale.0.partial_cmp(&m.scale.1) != Some(std::cmp::Ordering::Less) {
        Some(("scale", "the scale must be an interval (low < high)".to_string()))
    } else if m.members.is_empty() {
        Some((
            "[model]",
            "an ensemble needs at least one validated model: [[model.members]] is empty".to_string(),
        ))
    } else if let Some(member) = m.members.iter().find(|x| x.pooled.is_empty()) {
        Some(("pooled", format!("model {:?} has no residuals", member.name)))
    } else if let Some(member) = m.members.iter().find(|x| !(0.0..=1.0).contains(&x.weight)) {
        Some((
            "weight",
            format!("model {:?}: a weight must lie in [0, 1]", member.name),
        ))
    } else if m.members.iter().all(|x| x.weight == 0.0) {
        Some(("weight", "at least one weight must be positive".to_string()))
    } else {
        None
    };
    if let Some((needle, message)) = problem {
        let (line, column) = at(needle);
        return Err(Diagnostic {
            file: name.to_string(),
            line,
            column,
            message,
        });
    }
    Ok(file)
}

/// The shipped calibration.
pub fn embedded() -> Result<CalibrationFile, Diagnostic> {
    parse_calibration(DEU_CALIBRATION_TOML, DEU_CALIBRATION_NAME)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_fnv1a() {
        // FNV-1a 64 reference values.
        assert_eq!(fingerprint(""), "fnv1a64:cbf29ce484222325");
        assert_eq!(fingerprint("a"), "fnv1a64:af63dc4c8601ec8c");
    }

    #[test]
    fn errors_have_locations() {
        let e = parse_calibration("[provenance]\ncommand = 3\n", "x.toml").unwrap_err();
        assert_eq!(e.file, "x.toml");
        assert!(e.line >= 1);
        let shipped = embedded().unwrap();
        let mut empty = shipped.clone();
        empty.model.members.clear();
        let text = to_toml(&empty).unwrap();
        let e = parse_calibration(&text, "y.toml").unwrap_err();
        assert!(e.message.contains("at least one validated model"), "{e}");
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,200}") {
            let _ = parse_calibration(&s, "p.toml");
        }
    }
}

/// Why the calibrated forecasts could not be attached.
#[derive(Debug, thiserror::Error)]
pub enum AttachError {
    /// The embedded calibration file does not read.
    #[error("the embedded calibration is invalid:\n{0}")]
    Invalid(Diagnostic),
    /// The ensemble could not run.
    #[error(transparent)]
    Ensemble(#[from] accord_analysis::ensemble::EnsembleError),
}

/// Runs every validated model on a compiled scenario's draws with its model
/// error learned on DEU (the embedded `data/calibration/deu.toml`) and puts
/// the headline (`only`: one model instead of the stacked ensemble) and the
/// per-model forecasts into `report`. The CLI's `forecast` and the server's
/// forecast runs both call it, so both print the same JSON.
pub fn attach_calibrated(
    report: &mut accord_analysis::run::ForecastReport,
    c: &accord_analysis::Compiled,
    only: Option<&str>,
    cancel: &std::sync::atomic::AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(), AttachError> {
    let part = calibrated_part(c, only, 0..c.settings.samples, cancel, progress)?;
    attach_calibrated_parts(report, c, only, std::slice::from_ref(&part))
}

/// The draws of samples `samples` of [`attach_calibrated`], unreduced (see
/// [`accord_analysis::ensemble::draw_part`]): a cluster computes the parts
/// of consecutive sample ranges and [`attach_calibrated_parts`] joins them.
pub fn calibrated_part(
    c: &accord_analysis::Compiled,
    only: Option<&str>,
    samples: std::ops::Range<u64>,
    cancel: &std::sync::atomic::AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<accord_analysis::ensemble::EnsemblePart, AttachError> {
    let file = embedded().map_err(AttachError::Invalid)?;
    Ok(accord_analysis::ensemble::draw_part(
        c,
        &file.model,
        only,
        samples,
        cancel,
        progress,
    )?)
}

/// [`attach_calibrated`] from the parts of [`calibrated_part`], given in
/// sample order from sample 0: the same result as one local run.
pub fn attach_calibrated_parts(
    report: &mut accord_analysis::run::ForecastReport,
    c: &accord_analysis::Compiled,
    only: Option<&str>,
    parts: &[accord_analysis::ensemble::EnsemblePart],
) -> Result<(), AttachError> {
    use accord_analysis::ensemble::{CalibrationUsed, attach, predictive_from_parts};
    let file = embedded().map_err(AttachError::Invalid)?;
    let e = predictive_from_parts(c, &file.model, only, parts)?;
    let used = CalibrationUsed {
        file: DEU_CALIBRATION_NAME.to_string(),
        data_fingerprint: file.provenance.data_fingerprint.clone(),
        weights: e.models.iter().map(|m| (m.name.clone(), m.weight)).collect(),
        stacking: if only.is_some() {
            Vec::new()
        } else {
            file.model.stacking.clone()
        },
        only: only.map(str::to_string),
        partial: e.partial,
        samples: e.samples,
    };
    attach(report, &e, used);
    Ok(())
}

/// The residual group of a DEU case: its Council voting rule, unanimity or
/// a qualified majority (`QMV`, `QMV(10)`).
fn rule_group(case: &accord_engine::validation::Case) -> String {
    let rule = case
        .strata
        .iter()
        .find(|(k, _)| k == "voting rule")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if rule == "Unan" { "unanimity" } else { "qmv" }.to_string()
}

/// Why [`calibrate_plan`] gave no calibration.
#[derive(Debug, thiserror::Error)]
pub enum CalibratePlanError {
    /// Nothing to calibrate on, or the calibration failed (the message names
    /// the file).
    #[error("{0}")]
    Failed(String),
    /// `cancel` was set before the end.
    #[error("the calibration stopped before the end")]
    Cancelled,
}

/// Calibrates the ensemble's models on a validation plan's predictions
/// (`accord validate deu`; the Python package's `validate_deu`). `source`
/// names the DEU file for errors; the second value lists the ensemble's
/// models whose DEU combination was not run. Progress is reported and
/// `cancel` read as [`calibrate_with`] does.
pub fn calibrate_plan(
    plan: &DeuPlan,
    predictions: &Predictions,
    source: &str,
    folds: usize,
    seed: u64,
    cancel: &std::sync::atomic::AtomicBool,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<(CalibrationReport, Vec<String>), CalibratePlanError> {
    if plan.cases.is_empty() {
        return Err(CalibratePlanError::Failed(format!(
            "{source}: no issue has a recorded outcome (column `out`), so there is nothing to calibrate on; \
             {} issues were read, all without one",
            plan.without_outcome.len()
        )));
    }
    let cases: Vec<CalibrationCase> = plan
        .cases
        .iter()
        .map(|c| CalibrationCase {
            id: c.id.clone(),
            fold_group: c.group.clone(),
            rule_group: rule_group(c),
            outcome: c.outcome,
        })
        .collect();
    let mut missing = Vec::new();
    let forecasts: Vec<MemberForecasts> = members()
        .iter()
        .filter_map(|m| {
            let Some(k) = plan.candidates.iter().position(|c| c.name == m.deu_candidate) else {
                missing.push(format!("{} (`{}` was not run)", m.name, m.deu_candidate));
                return None;
            };
            Some(MemberForecasts {
                name: m.name.to_string(),
                forecasts: predictions.values[k].iter().map(|r| r.as_ref().ok().copied()).collect(),
            })
        })
        .collect();
    let config = CalibrationConfig {
        folds,
        seed,
        ..CalibrationConfig::default()
    };
    match calibrate_with(source, &cases, &forecasts, &config, cancel, progress) {
        Ok(report) => Ok((report, missing)),
        Err(CalibrationError::Cancelled) => Err(CalibratePlanError::Cancelled),
        Err(e) => Err(CalibratePlanError::Failed(format!("{source}: {e}"))),
    }
}

/// The `calibration` field of `--json`: the headline's coverage as the
/// issue asks (`[{"nominal", "covered", "n"}]`), and everything else beside it.
pub fn json_calibration(report: &CalibrationReport, missing: &[String]) -> (Value, Value) {
    let coverage = report
        .headline
        .coverage
        .iter()
        .map(|c| json!({"nominal": c.nominal, "covered": c.covered, "n": c.n, "mean_width": c.mean_width}))
        .collect::<Vec<_>>();
    let weights: serde_json::Map<String, Value> = report
        .error_model
        .members
        .iter()
        .map(|m| (m.name.clone(), json!(m.weight)))
        .collect();
    let detail = json!({
        "method": "split-conformal residuals by Council voting rule, stacked by CRPS; nested cross-validation by proposal (docs/models/calibration.md)",
        "folds": report.config.folds,
        "seed": report.config.seed,
        "min_group": report.config.min_group,
        "thresholds": report.config.thresholds,
        "group_sizes": report.group_sizes,
        "weights": weights,
        "fold_weights": report.fold_weights,
        "stacking": report.error_model.stacking,
        "fold_group_weights": report.fold_group_weights,
        "headline_pooled_weights": report.headline_pooled_weights,
        "group_minus_pooled_crps": {"mean": report.group_minus_pooled_crps.0, "se": report.group_minus_pooled_crps.1},
        "headline_by_group": report.headline_by_group.iter().map(|(g, own, pooled)| {
            json!({"group": g, "group_weights": own, "pooled_weights": pooled})
        }).collect::<Vec<_>>(),
        "headline": report.headline,
        "models": report.members,
        "models_not_run": missing,
    });
    (json!(coverage), detail)
}

/// Why a comparison's calibrated headline could not be attached.
#[derive(Debug, thiserror::Error)]
pub enum CompareCalibrationError {
    /// The ensemble could not run on a side.
    #[error(transparent)]
    Attach(#[from] AttachError),
    /// The two sides' calibrated forecasts do not pair.
    #[error(transparent)]
    Pair(#[from] accord_analysis::run::CalibrateComparisonError),
}

/// Puts the calibrated headline into a comparison, as `accord compare` and
/// the server's compare runs report it: the same ensemble on the same draws
/// for A and for B (B with A's seed and sample count), then the headline's
/// shifts ([`accord_analysis::run::calibrate_comparison`]). Nothing is
/// attached when either side stopped early. `progress` counts A's samples,
/// then B's, each from 0.
pub fn attach_calibrated_comparison(
    cmp: &mut accord_analysis::run::Comparison,
    a: &accord_analysis::Compiled,
    b: &accord_analysis::Compiled,
    cancel: &std::sync::atomic::AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(), CompareCalibrationError> {
    if cmp.a.run.partial || cmp.b.run.partial {
        return Ok(());
    }
    attach_calibrated(&mut cmp.a, a, None, cancel, progress)?;
    attach_calibrated(
        &mut cmp.b,
        &accord_analysis::run::as_compared(&a.settings, b),
        None,
        cancel,
        progress,
    )?;
    let stopped = |r: &accord_analysis::run::ForecastReport| r.calibration.as_ref().is_some_and(|u| u.partial);
    if !(stopped(&cmp.a) || stopped(&cmp.b)) {
        accord_analysis::run::calibrate_comparison(cmp)?;
    }
    Ok(())
}
