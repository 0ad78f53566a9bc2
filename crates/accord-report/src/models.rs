//! The "models and headline" section: every validated model beside the
//! stacked headline on each baseline issue, with where they disagree and by
//! how much, and how well calibrated the headline was on DEU. Built from the
//! calibrated forecasts [`accord_analysis::ensemble::attach`] puts into the
//! baseline's [`accord_analysis::run::ForecastReport`].

use accord_analysis::run::ForecastReport;

use crate::doc::{Block, Cell, Section, Table};

/// The calibration behind the headline, as its data file records it.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationSummary {
    /// The data file (e.g. `data/calibration/deu.toml`).
    pub file: String,
    /// The DEU file the error was learned on.
    pub data_file: String,
    /// Decisions with an outcome in it.
    pub cases: usize,
    /// Nested cross-validated coverage of the headline: (nominal, observed).
    pub coverage: Vec<(f64, f64)>,
    /// The command that regenerates the data file.
    pub command: String,
}

/// A spread of probabilities this large (or one across even chance) is
/// called a disagreement.
const DISAGREE: f64 = 0.2;

/// The section; `None`-like (a note) when the baseline carries no calibrated forecasts.
pub fn section(baseline: &ForecastReport, calibration: &CalibrationSummary) -> Section {
    let mut s = Section::new("models", "Several models, one headline");
    let Some(used) = &baseline.calibration else {
        s.blocks.push(Block::Note(
            "The calibrated forecasts were not run, so only the scenario's own model is shown elsewhere.".into(),
        ));
        return s;
    };
    let coverage: Vec<String> = calibration
        .coverage
        .iter()
        .map(|(n, c)| format!("{:.0} % intervals covered {:.1} %", 100.0 * n, 100.0 * c))
        .collect();
    s.blocks.push(Block::Paragraph(format!(
        "The headline is a stacked ensemble of the validated models (weights by decision rule — {}), with \
         weights chosen by cross-validation over proposals on {} decisions of {} (the lowest out-of-fold CRPS, \
         learned separately for the decisions under each Council voting rule that has at least 30 of them; an \
         SCO issue decided by consensus uses the unanimity weights). Each model's \
         forecast is a predictive distribution: the spread of the inputs (Monte Carlo, {} draws on the \
         baseline's seed {}) plus the model's own error, learned as its residuals on those decisions under \
         unanimity (all its residuals where it has fewer than 30 of them) — the SCO's consensus gives every \
         member a veto, as unanimity does in the EU Council. \
         Tested the same way on DEU (nested cross-validation), the headline's {}. Method: \
         docs/models/calibration.md; the learned numbers: {}.",
        used.weights_text(),
        calibration.cases,
        calibration.data_file,
        used.samples,
        baseline.run.settings.seed,
        coverage.join(", "),
        calibration.file,
    )));
    s.blocks.push(Block::Paragraph(
        "The spreads elsewhere in this report (positions, scenario charts) are the input uncertainty of the \
         scenario's own model only: how much its answer moves when the inputs move within their ranges. They \
         leave out how wrong the model is, which on EU decisions is about 22 points on the 0–100 scale; the \
         predictive 5–95 % band below includes it."
            .into(),
    ));
    let Some(first) = baseline.issues.iter().find_map(|i| i.predictive.as_ref()) else {
        return s;
    };
    let mut header = vec![
        "issue".to_string(),
        "question".into(),
        "headline P".into(),
        "predictive 5–95 %".into(),
        "input uncertainty 5–95 %".into(),
    ];
    header.extend(first.models.iter().map(|m| format!("P {}", m.model)));
    header.push("spread of P".into());
    let numeric = header.iter().enumerate().map(|(k, _)| k >= 2).collect();
    let mut rows = Vec::new();
    let mut disagreements = Vec::new();
    let mut not_run = Vec::new();
    for i in &baseline.issues {
        let Some(p) = &i.predictive else { continue };
        let h = &p.headline;
        let q = &i.summary.quantiles;
        let mut row = vec![
            Cell::text(&i.id),
            Cell::text(format!("at or above {:.0}", h.threshold)),
            Cell::strong(format!("{:.2}", h.p_at_or_above)),
            Cell::text(format!("{:.0}–{:.0}", h.quantiles[0], h.quantiles[4])),
            Cell::text(format!("{:.0}–{:.0}", q[0], q[4])),
        ];
        for m in &p.models {
            row.push(Cell::text(if m.ran {
                format!("{:.2}", m.p_at_or_above)
            } else {
                "–".into()
            }));
            if !m.ran {
                not_run.push(format!(
                    "{} on {}: {}",
                    m.model,
                    i.id,
                    m.error.as_deref().unwrap_or("no forecast")
                ));
            }
        }
        let d = &p.disagreement;
        let spread = d.p_range.1.1 - d.p_range.0.1;
        row.push(Cell::text(format!("{spread:.2}")));
        rows.push(row);
        if spread >= DISAGREE || d.split {
            disagreements.push((
                spread,
                format!(
                    "{}: {} gives {:.2}, {} {:.2} (a spread of {:.2}){}; medians from {:.0} ({}) to {:.0} ({}). \
                     Headline {:.2}.",
                    i.id,
                    d.p_range.1.0,
                    d.p_range.1.1,
                    d.p_range.0.0,
                    d.p_range.0.1,
                    spread,
                    if d.split {
                        "; the models fall on both sides of even chance"
                    } else {
                        ""
                    },
                    d.median_range.0.1,
                    d.median_range.0.0,
                    d.median_range.1.1,
                    d.median_range.1.0,
                    h.p_at_or_above
                ),
            ));
        }
    }
    s.blocks.push(Block::Table(Table {
        caption: format!(
            "Baseline: P(outcome at or above the threshold) of the headline and of each model (predictive: input \
             uncertainty and model error); the scenario's own model's input-uncertainty band for comparison. \
             Seed {}, {} draws per model.",
            baseline.run.settings.seed, used.samples
        ),
        header,
        numeric,
        rows,
    }));
    disagreements.sort_by(|a, b| b.0.total_cmp(&a.0));
    if disagreements.is_empty() {
        s.blocks.push(Block::Paragraph(format!(
            "The models agree: on no issue do their probabilities differ by {DISAGREE} or more."
        )));
    } else {
        s.blocks.push(Block::Paragraph(format!(
            "Where the models disagree (probabilities {DISAGREE} or more apart, or on both sides of even chance), \
             largest spread first — here the choice of model matters as much as the inputs:"
        )));
        s.blocks
            .push(Block::List(disagreements.into_iter().map(|(_, t)| t).collect()));
    }
    if !not_run.is_empty() {
        s.blocks.push(Block::Note(format!(
            "Models that could not run on an issue are left out of its headline (the others' weights renormalised): {}.",
            not_run.join("; ")
        )));
    }
    s.blocks.push(Block::Code(calibration.command.clone()));
    s
}
