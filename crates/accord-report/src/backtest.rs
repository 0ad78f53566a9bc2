//! The "track record" section: the 2010 forecasts scored against what
//! happened by 2025 ([`accord_analysis::backtest`]): a plain conclusion, a
//! table of scores (lower is better) with the naive baselines, a calibration
//! plot of the headline, and the questions left out with their reasons.

use accord_analysis::backtest::{Backtest, CalibrationBin};

use crate::{
    doc::{Block, Cell, Chart, Section, Table},
    svg::{Anchor, Svg, TextStyle},
};

/// How the backtest was run, for the section's text.
#[derive(Debug, Clone)]
pub struct BacktestRun {
    /// The scores.
    pub backtest: Backtest,
    /// Monte Carlo samples per model.
    pub samples: u64,
    /// Seed of the draws.
    pub seed: u64,
}

fn baseline_label(name: &str, base_rate: f64) -> String {
    match name {
        "coin_flip" => "coin flip (P = 0.5)".to_owned(),
        "base_rate" => format!("base rate (P = {base_rate:.2}; in-sample)"),
        "nothing_changes" => "nothing changes".to_owned(),
        other => other.to_owned(),
    }
}

fn interval(x: f64, (lo, hi): (f64, f64)) -> String {
    format!("{x:.3} [{lo:.3}, {hi:.3}]")
}

/// A reliability diagram: each bin's mean forecast against the share that
/// happened, dot area by the number of questions; the diagonal is perfect
/// calibration.
pub fn calibration_chart(bins: &[CalibrationBin], model: &str) -> String {
    let (w, h) = (360.0, 340.0);
    let (left, top, size) = (52.0, 16.0, 260.0);
    let x = |p: f64| left + size * p;
    let y = |p: f64| top + size * (1.0 - p);
    let mut s = Svg::new(
        w,
        h,
        "Calibration of the headline forecast",
        &format!("Mean forecast P(yes) against the share that happened, per bin of forecasts, for {model}."),
    );
    for k in 0..=5 {
        let t = k as f64 * 0.2;
        s.line((x(t), y(0.0)), (x(t), y(1.0)), "#eee", 1.0, None);
        s.line((x(0.0), y(t)), (x(1.0), y(t)), "#eee", 1.0, None);
        s.text(
            x(t),
            y(0.0) + 14.0,
            &format!("{t:.1}"),
            TextStyle::PLAIN.anchor(Anchor::Middle).size(10.0),
        );
        s.text(
            x(0.0) - 6.0,
            y(t) + 4.0,
            &format!("{t:.1}"),
            TextStyle::PLAIN.anchor(Anchor::End).size(10.0),
        );
    }
    s.line((x(0.0), y(0.0)), (x(1.0), y(1.0)), "#888", 1.0, Some("4 3"));
    s.line((x(0.0), y(0.0)), (x(1.0), y(0.0)), "#666", 1.0, None);
    s.line((x(0.0), y(0.0)), (x(0.0), y(1.0)), "#666", 1.0, None);
    for b in bins.iter().filter(|b| b.n > 0) {
        let r = 3.0 + 2.5 * (b.n as f64).sqrt();
        let tip = format!(
            "forecasts {:.1}–{:.1}: {} questions, mean P {:.2}, happened {:.2}",
            b.from, b.to, b.n, b.mean_p, b.observed
        );
        s.circle(x(b.mean_p), y(b.observed), r, "#1f77b4", "#fff", 1.0, Some(&tip));
        s.text(
            x(b.mean_p) + r + 3.0,
            y(b.observed) + 4.0,
            &format!("n = {}", b.n),
            TextStyle::PLAIN.size(10.0).halo(),
        );
    }
    s.text(
        left + size / 2.0,
        h - 22.0,
        "forecast P(yes), bin mean",
        TextStyle::PLAIN.anchor(Anchor::Middle).size(10.0),
    );
    s.text_rotated(
        14.0,
        top + size / 2.0,
        -90.0,
        "share that happened",
        TextStyle::PLAIN.anchor(Anchor::Middle).size(10.0),
    );
    s.finish()
}

/// The section.
pub fn section(run: &BacktestRun) -> Section {
    let b = &run.backtest;
    let mut s = Section::new("backtest", "Track record: the 2010 forecasts against what happened");
    s.push(Block::Paragraph(format!(
        "Every question of the model that the record answers is scored: {} questions ({} issues' own questions by \
         2025 and one dated question per answered issue, \"reached by 2017-12-01\", answered through the hazard \
         model); {} issues are left out, each with its reason below. Each model ran on the 2010 model only \
         ({} samples, seed {}). Brier score: mean of (P − outcome)²; log score: mean of −ln P(what happened), P \
         clipped to [{}, {}]. Brackets: 95 % bootstrap intervals over questions. Full account: docs/backtest.md.",
        b.questions.len(),
        b.questions.iter().filter(|q| q.by.is_none()).count(),
        b.left_out.len(),
        run.samples,
        run.seed,
        b.log_clip,
        1.0 - b.log_clip
    )));
    if let Some(t) = &b.table {
        s.push(Block::Paragraph(format!("The headline's {}.", t.description)));
    }
    let head = b.models.iter().find(|m| m.headline);
    let beats = head.is_some_and(|m| {
        m.brier < b.baselines.get("coin_flip").map_or(f64::INFINITY, |x| x.brier)
            && m.brier < b.baselines.get("nothing_changes").map_or(f64::INFINITY, |x| x.brier)
    });
    if beats {
        s.push(Block::Paragraph(b.conclusion.clone()));
    } else {
        s.push(Block::Note(b.conclusion.clone()));
    }
    let mut rows: Vec<Vec<Cell>> = b
        .models
        .iter()
        .map(|m| {
            let name = if m.headline {
                Cell::strong(format!("{} (headline)", m.name))
            } else {
                Cell::text(m.name.clone())
            };
            vec![
                name,
                Cell::text(interval(m.brier, m.score.brier_interval)),
                Cell::text(interval(m.log_score, m.score.log_score_interval)),
            ]
        })
        .collect();
    for (name, sc) in &b.baselines {
        rows.push(vec![
            Cell::text(baseline_label(name, b.base_rate)),
            Cell::text(interval(sc.brier, sc.brier_interval)),
            Cell::text(interval(sc.log_score, sc.log_score_interval)),
        ]);
    }
    s.push(Block::Table(Table {
        caption: format!(
            "Scores on {} questions — lower is better for both (0 is perfect; a coin flip scores 0.25 and 0.693). The \
             base rate is the share of yes among these questions, so it has seen the answers.",
            b.questions.len()
        ),
        header: vec![
            "forecast".into(),
            "Brier (lower is better)".into(),
            "log score (lower is better)".into(),
        ],
        numeric: vec![false, true, true],
        rows,
    }));
    if let Some(m) = head {
        s.push(Block::Charts(vec![Chart {
            name: "backtest-calibration".into(),
            caption: format!(
                "Calibration of the headline ({}): questions grouped by forecast; dots on the dashed diagonal would be \
                 perfectly calibrated. With {} questions, a coarse check.",
                m.name,
                b.questions.len()
            ),
            svg: calibration_chart(&b.calibration, &m.name),
        }]));
    }
    let rows = b
        .questions
        .iter()
        .map(|q| {
            let mut r = vec![
                Cell::text(q.id.clone()),
                Cell::text(if q.outcome { "yes" } else { "no" }),
            ];
            r.extend(b.models.iter().map(|m| Cell::text(format!("{:.2}", q.p[&m.name]))));
            r.push(Cell::text(format!("{:.0}", q.baseline_p["nothing_changes"])));
            r
        })
        .collect();
    let mut header = vec!["question".to_owned(), "happened".to_owned()];
    header.extend((1..=b.models.len()).map(|i| format!("model {i}")));
    header.push("nothing changes".into());
    s.push(Block::Table(Table {
        caption: format!("P(yes) question by question. Models: {}.", b.model_legend()),
        numeric: std::iter::repeat_n(false, 2)
            .chain(std::iter::repeat_n(true, b.models.len() + 1))
            .collect(),
        header,
        rows,
    }));
    s.push(Block::Definitions(
        b.left_out
            .iter()
            .map(|l| (format!("left out: {}", l.issue), l.reason.clone()))
            .collect(),
    ));
    s
}
