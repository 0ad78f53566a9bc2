//! The calibration part of `accord validate deu`: every validated model's
//! error learned on the DEU cases, the stacked headline, their coverage and
//! reliability by nested cross-validation, and the data file the forecasts
//! read (`--calibration-toml`). Method: `docs/models/calibration.md`.

use std::fmt::Write as _;
use std::sync::atomic::AtomicBool;

use accord_analysis::ensemble::members;
use accord_engine::calibration::{
    CalibrationCase, CalibrationConfig, CalibrationError, CalibrationReport, MemberForecasts, PredictiveScores,
    calibrate_with,
};
use accord_engine::validation::Predictions;
use accord_io::calibration::{Provenance, REGENERATE, calibration_file, fingerprint, to_toml};
use accord_io::deu::DeuPlan;
use serde_json::{Value, json};

use crate::output::Interrupted;

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

/// Calibrates the ensemble's models on a validation plan's predictions.
/// `source` names the DEU file for errors.
/// Progress is reported and `cancel` read as [`calibrate_with`] does; a
/// cancelled run returns [`Interrupted`].
pub fn calibrate_plan(
    plan: &DeuPlan,
    predictions: &Predictions,
    source: &str,
    folds: usize,
    seed: u64,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> anyhow::Result<(CalibrationReport, Vec<String>)> {
    if plan.cases.is_empty() {
        anyhow::bail!(
            "{source}: no issue has a recorded outcome (column `out`), so there is nothing to calibrate on; \
             {} issues were read, all without one",
            plan.without_outcome.len()
        );
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
    let report = match calibrate_with(source, &cases, &forecasts, &config, cancel, progress) {
        Err(CalibrationError::Cancelled) => {
            return Err(Interrupted("the calibration stopped before the end; nothing was printed".into()).into());
        }
        r => r.map_err(|e| anyhow::anyhow!("{source}: {e}"))?,
    };
    Ok((report, missing))
}

/// The data file `data/calibration/deu.toml`.
pub fn calibration_toml(
    report: &CalibrationReport,
    data: (&str, &str),
    weights: (&str, &str),
    seed: u64,
) -> anyhow::Result<String> {
    let provenance = Provenance {
        command: REGENERATE.to_string(),
        data_file: data.0.to_string(),
        data_fingerprint: fingerprint(data.1),
        weights_file: weights.0.to_string(),
        weights_fingerprint: fingerprint(weights.1),
        cases: report.cases,
        folds: report.config.folds,
        seed,
        models: members()
            .iter()
            .filter(|m| report.members.iter().any(|s| s.name == m.name))
            .map(|m| format!("{} = {}", m.name, m.deu_candidate))
            .collect(),
        headline_coverage: report
            .headline
            .coverage
            .iter()
            .map(|c| (c.nominal, c.covered))
            .collect(),
    };
    Ok(to_toml(&calibration_file(report, provenance))?)
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
        "headline": report.headline,
        "models": report.members,
        "models_not_run": missing,
    });
    (json!(coverage), detail)
}

fn coverage_cells(s: &PredictiveScores) -> Vec<String> {
    s.coverage
        .iter()
        .map(|c| format!("{:.1}% ({:.1})", 100.0 * c.covered, c.mean_width))
        .collect()
}

/// The calibration in the terminal.
pub fn text_calibration(report: &CalibrationReport, missing: &[String]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nCalibration (nested {}-fold CV by proposal, seed {}): coverage of central intervals (mean width), CRPS, Brier of P(Y ≥ t), t ∈ {:?}",
        report.config.folds, report.config.seed, report.config.thresholds
    );
    let _ = writeln!(
        out,
        "{:<12} {:>6} {:>8} {:>16} {:>16} {:>16} {:>7} {:>7}",
        "model", "weight", "n", "50%", "80%", "90%", "CRPS", "Brier"
    );
    let rows = std::iter::once((&report.headline, 1.0)).chain(
        report
            .members
            .iter()
            .zip(report.error_model.members.iter().map(|m| m.weight)),
    );
    for (s, w) in rows {
        let c = coverage_cells(s);
        let _ = writeln!(
            out,
            "{:<12} {:>6.2} {:>8} {:>16} {:>16} {:>16} {:>7.2} {:>7.3}",
            s.name, w, s.n, c[0], c[1], c[2], s.crps, s.brier
        );
    }
    if !missing.is_empty() {
        let _ = writeln!(out, "not in the ensemble: {}", missing.join("; "));
    }
    out
}

/// The calibration section of `docs/validation.md`.
pub fn markdown_calibration(report: &CalibrationReport, missing: &[String]) -> String {
    let mut md = String::new();
    let w = &mut md;
    let _ = writeln!(w, "## Calibration: predictive intervals and probabilities\n");
    let sizes: Vec<String> = report.group_sizes.iter().map(|(g, n)| format!("{g} {n}")).collect();
    let _ = writeln!(
        w,
        "Every forecast carries the model's error learned here (method, equations and the coverage argument: \
         `docs/models/calibration.md`). A model's predictive distribution for an issue is its forecast plus the \
         residuals (outcome − forecast) of the issues decided under the same Council voting rule ({}; a group \
         with fewer than {} residuals uses all of them), as a split-conformal distribution clipped to the 0–100 \
         scale. The **headline** is a mixture of the validated models with stacking weights that minimise the \
         out-of-fold CRPS. Everything below is **nested** {}-fold cross-validation by proposal (seed {}): the \
         residuals and the weights used for an issue never come from its own proposal's fold.\n",
        sizes.join(", "),
        report.config.min_group,
        report.config.folds,
        report.config.seed
    );
    let _ = writeln!(
        w,
        "| model | stacking weight | issues | 50% interval covers (mean width) | 80% | 90% | CRPS | Brier of P(Y ≥ t) |"
    );
    let _ = writeln!(w, "|---|---|---|---|---|---|---|---|");
    let rows = std::iter::once((&report.headline, None)).chain(
        report
            .members
            .iter()
            .zip(report.error_model.members.iter().map(|m| Some(m.weight))),
    );
    for (s, weight) in rows {
        let c = coverage_cells(s);
        let name = members()
            .iter()
            .find(|m| m.name == s.name)
            .map(|m| format!("`{}` — {} (`{}`)", m.name, m.title, m.deu_candidate))
            .unwrap_or_else(|| "**headline** (stacked ensemble)".to_string());
        let _ = writeln!(
            w,
            "| {name} | {} | {} | {} | {} | {} | {:.2} | {:.3} |",
            weight.map_or("–".to_string(), |x| format!("{x:.2}")),
            s.n,
            c[0],
            c[1],
            c[2],
            s.crps,
            s.brier
        );
    }
    let h = &report.headline;
    let cov = |nominal: f64| {
        h.coverage
            .iter()
            .find(|c| (c.nominal - nominal).abs() < 1e-9)
            .map_or(f64::NAN, |c| c.covered)
    };
    let _ = writeln!(
        w,
        "\nAcceptance (issue 9): the headline's 90% intervals cover {:.1}% (target 85–95%), its 50% intervals \
         {:.1}% (target 45–55%). Lower CRPS and Brier are better. The weights were chosen per outer fold as: {}.\n",
        100.0 * cov(0.9),
        100.0 * cov(0.5),
        report
            .fold_weights
            .iter()
            .map(|f| format!(
                "({})",
                f.iter().map(|x| format!("{x:.2}")).collect::<Vec<_>>().join(", ")
            ))
            .collect::<Vec<_>>()
            .join(" ")
    );
    if !missing.is_empty() {
        let _ = writeln!(w, "Not in the ensemble of this run: {}.\n", missing.join("; "));
    }
    let _ = writeln!(
        w,
        "Models that cannot forecast an issue (the consensus rule without a reference point, SMP where it is \
         degenerate) have no residual there; on such an issue the headline renormalises the weights of the \
         others.\n"
    );
    let _ = writeln!(
        w,
        "**Reliability diagram** of the headline: the events *outcome at or above t* for t ∈ {{{}}} on every \
         issue, grouped by the forecast probability. A calibrated forecast has observed frequencies close to the \
         mean forecast in every row.\n",
        report
            .config
            .thresholds
            .iter()
            .map(|t| format!("{t}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(w, "| forecast P | events | mean forecast | observed frequency |");
    let _ = writeln!(w, "|---|---|---|---|");
    for b in &h.reliability {
        let _ = writeln!(
            w,
            "| {:.1}–{:.1} | {} | {:.2} | {:.2} |",
            b.from, b.to, b.n, b.mean_forecast, b.observed
        );
    }
    let _ = writeln!(
        w,
        "\nThe forecasts read the residuals and weights learned on all issues (with weights from one level of \
         cross-validation) from `data/calibration/deu.toml`, written by `{REGENERATE}`.\n"
    );
    md
}
