//! The calibration part of `accord validate deu`: every validated model's
//! error learned on the DEU cases, the stacked headline, their coverage and
//! reliability by nested cross-validation, and the data file the forecasts
//! read (`--calibration-toml`). Method: `docs/models/calibration.md`.

use std::fmt::Write as _;
use std::sync::atomic::AtomicBool;

use accord_analysis::ensemble::members;
use accord_engine::calibration::{CalibrationReport, PredictiveScores};
use accord_engine::validation::Predictions;
pub use accord_io::calibration::json_calibration;
use accord_io::calibration::{CalibratePlanError, Provenance, REGENERATE, calibration_file, fingerprint, to_toml};
use accord_io::deu::DeuPlan;

use crate::output::Interrupted;

/// Calibrates the ensemble's models on a validation plan's predictions
/// ([`accord_io::calibration::calibrate_plan`]); a cancelled run returns
/// [`Interrupted`].
pub fn calibrate_plan(
    plan: &DeuPlan,
    predictions: &Predictions,
    source: &str,
    folds: usize,
    seed: u64,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> anyhow::Result<(CalibrationReport, Vec<String>)> {
    match accord_io::calibration::calibrate_plan(plan, predictions, source, folds, seed, cancel, progress) {
        Err(CalibratePlanError::Cancelled) => {
            Err(Interrupted("the calibration stopped before the end; nothing was printed".into()).into())
        }
        r => Ok(r?),
    }
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
    let h = &report.headline_pooled_weights;
    let c = coverage_cells(h);
    let _ = writeln!(
        out,
        "{:<12} {:>6} {:>8} {:>16} {:>16} {:>16} {:>7.2} {:>7.3}   (the headline with pooled weights, for comparison)",
        "pooled-w", "", h.n, c[0], c[1], c[2], h.crps, h.brier
    );
    let _ = writeln!(
        out,
        "CRPS of the headline with group weights minus with pooled weights, paired over decisions: {:+.2} ± {:.2} (se)",
        report.group_minus_pooled_crps.0, report.group_minus_pooled_crps.1
    );
    let _ = writeln!(out, "{}", stacking_lines(report).join("\n"));
    if !missing.is_empty() {
        let _ = writeln!(out, "not in the ensemble: {}", missing.join("; "));
    }
    out
}

/// The stacking weights per Council voting rule (eq. C7), one line per
/// group, with the headline's out-of-fold CRPS on the group's decisions
/// under its own weights and under the pooled ones.
fn stacking_lines(report: &CalibrationReport) -> Vec<String> {
    report
        .error_model
        .stacking
        .iter()
        .map(|g| {
            let weights: Vec<String> = report
                .error_model
                .members
                .iter()
                .map(|m| format!("{} {:.2}", m.name, g.weights.get(&m.name).copied().unwrap_or(0.0)))
                .collect();
            let scores = report
                .headline_by_group
                .iter()
                .find(|(name, _, _)| *name == g.group)
                .map(|(_, own, pooled)| {
                    format!(
                        "; nested CV on its {} decisions: CRPS {:.2} with the group's own weights, {:.2} with the \
                         pooled ones; 90% intervals cover {:.1}% with its own",
                        own.n,
                        own.crps,
                        pooled.crps,
                        100.0
                            * own
                                .coverage
                                .iter()
                                .find(|c| (c.nominal - 0.9).abs() < 1e-9)
                                .map_or(f64::NAN, |c| c.covered)
                    )
                })
                .unwrap_or_default();
            format!(
                "weights for {} ({}): {}{}",
                g.group,
                g.reason,
                weights.join(", "),
                scores
            )
        })
        .collect()
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
    let hp = &report.headline_pooled_weights;
    let (diff, se) = report.group_minus_pooled_crps;
    if report.error_model.stacking.iter().any(|g| g.own) {
        let _ = writeln!(
            w,
            "Stacking weights per Council voting rule (eq. C7): a group with at least {} decisions gets weights \
             of its own, chosen by the out-of-fold CRPS of its decisions alone; the others use the pooled weights. \
             The headline above uses them (an SCO issue decided by consensus gets the unanimity weights). With one \
             set of pooled weights for every decision instead, the nested headline's CRPS is {:.2} and its \
             50/80/90% intervals cover {} / {} / {}; the paired difference of the CRPS (group weights − pooled \
             weights) is {diff:+.2} ± {se:.2} (standard error over decisions).\n",
            report.config.min_group,
            hp.crps,
            coverage_cells(hp)[0],
            coverage_cells(hp)[1],
            coverage_cells(hp)[2],
        );
    } else {
        let _ = writeln!(
            w,
            "Stacking weights per Council voting rule (eq. C7) were learned too (a group with at least {} \
             decisions, by the out-of-fold CRPS of its decisions alone) and scored by the same nested \
             cross-validation: the paired difference of the CRPS (group weights − pooled weights) is \
             {diff:+.2} ± {se:.2} (standard error over decisions), so they are not used and the headline above \
             uses the pooled weights for every decision, an SCO issue decided by consensus included \
             (`docs/models/calibration.md`, C7).\n",
            report.config.min_group,
        );
    }
    for line in stacking_lines(report) {
        let _ = writeln!(w, "- {line}.");
    }
    let _ = writeln!(w);
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
