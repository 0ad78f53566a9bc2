//! Setting the 2010 forecasts beside what happened: for each yes/no question
//! the record answers, the forecast probability, the outcome and the Brier
//! score, against two naive forecasts (nothing changes; a coin flip).

use serde::{Deserialize, Serialize};

use crate::run::ForecastReport;

/// What became of one question (from `data/sco/backtest.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// The issue whose question it answers.
    pub issue: String,
    /// Whether the outcome crossed the threshold ("yes").
    pub answer: bool,
    /// When the answer was known.
    pub date: String,
    /// What happened, in words.
    pub basis: String,
    /// Source ids in the record.
    pub sources: Vec<String>,
}

/// The outcomes file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcomes {
    /// One per answered question.
    pub outcome: Vec<Outcome>,
}

/// One question scored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// The issue.
    pub issue: String,
    /// The question.
    pub question: String,
    /// Forecast probability of "yes".
    pub p: f64,
    /// What happened.
    pub answer: bool,
    /// (p − answer)².
    pub brier: f64,
    /// The "nothing changes" forecast: 1 if the status quo is already at or above the threshold, else 0.
    pub persistence: f64,
}

/// A model's backtest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Backtest {
    /// The questions scored.
    pub rows: Vec<Row>,
    /// Mean Brier score of the model.
    pub brier: f64,
    /// Mean Brier score of "nothing changes".
    pub brier_persistence: f64,
    /// Mean Brier score of a coin flip (always 0.25).
    pub brier_coin: f64,
}

/// Scores a forecast against the outcomes (questions the forecast lacks are skipped).
pub fn score(report: &ForecastReport, outcomes: &[Outcome]) -> Backtest {
    let rows: Vec<Row> = outcomes
        .iter()
        .filter_map(|o| {
            let f = report.issues.iter().find(|i| i.id == o.issue)?;
            let y = if o.answer { 1.0 } else { 0.0 };
            let p = f.summary.p_above;
            Some(Row {
                issue: o.issue.clone(),
                question: f.question.clone(),
                p,
                answer: o.answer,
                brier: (p - y) * (p - y),
                persistence: if f.status_quo >= f.summary.threshold { 1.0 } else { 0.0 },
            })
        })
        .collect();
    let n = rows.len().max(1) as f64;
    let persistence = |r: &Row| {
        let y = if r.answer { 1.0 } else { 0.0 };
        (r.persistence - y) * (r.persistence - y)
    };
    Backtest {
        brier: rows.iter().map(|r| r.brier).sum::<f64>() / n,
        brier_persistence: rows.iter().map(persistence).sum::<f64>() / n,
        brier_coin: 0.25,
        rows,
    }
}
