//! Setting the 2010 forecasts beside what happened (method: `docs/backtest.md`).
//!
//! Every yes/no question the record answers is scored; a model issue is left
//! out only with a written reason (`[[left_out]]` in `data/sco/backtest.toml`),
//! shown beside the scores. Scoring runs over a list of named probability
//! sets, one of them flagged `headline`, against three baselines (coin flip,
//! in-sample base rate, nothing changes), each with a bootstrap interval
//! over questions.
//!
//! Two kinds of question: "does the outcome reach the threshold by 2025"
//! (the issue's own question, `by` absent) and "is it decided by `by`" — a
//! dated question answered with the hazard model of [`crate::hazard`]
//! (eq. H3 with a fractional number of years).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{hazard::Rates, run::ForecastReport};

/// What became of one question (from `data/sco/backtest.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// The issue whose question it answers.
    pub issue: String,
    /// For a dated question, the day by which the threshold must be reached
    /// (`YYYY-MM-DD`); absent for the issue's own question (by 2025).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// Whether the outcome reached the threshold (by `by`, if given) — "yes".
    pub answer: bool,
    /// When the answer was known.
    pub date: String,
    /// What happened, in words.
    pub basis: String,
    /// Source ids in the record.
    pub sources: Vec<String>,
}

impl Outcome {
    /// The question's id: the issue, or `issue@by` for a dated question.
    pub fn id(&self) -> String {
        match &self.by {
            None => self.issue.clone(),
            Some(by) => format!("{}@{by}", self.issue),
        }
    }
}

/// A model issue the backtest does not score, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeftOut {
    /// The issue.
    pub issue: String,
    /// Why the record cannot answer it.
    pub reason: String,
}

/// The outcomes file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcomes {
    /// One per answered question.
    pub outcome: Vec<Outcome>,
    /// The issues left out, each with its reason.
    #[serde(default)]
    pub left_out: Vec<LeftOut>,
}

/// Probabilities below this or above 1 − this are clipped before the log
/// score, so that one confident miss costs at most −ln(0.01) ≈ 4.6.
pub const LOG_CLIP: f64 = 0.01;

/// Bootstrap resamples of the questions.
pub const BOOTSTRAP_RESAMPLES: usize = 2000;

/// Seed of the bootstrap (fixed: the intervals are part of the output).
pub const BOOTSTRAP_SEED: u64 = 20_100_601;

/// A model's probability of "yes" for one question: the issue's P(reach the
/// threshold) for an undated question (the calibrated headline's when the
/// report carries one); for a dated one, P(decided by `by`)
/// from the hazard model (H3), or P itself when the status quo is already
/// at the threshold. `None` when the forecast lacks the issue or `by` is not
/// a date.
pub fn probability(report: &ForecastReport, rates: &Rates, o: &Outcome) -> Option<f64> {
    let f = report.issues.iter().find(|i| i.id == o.issue)?;
    // The calibrated headline where the report carries it (model error included).
    let p = f
        .predictive
        .as_ref()
        .map_or(f.summary.p_above, |x| x.headline.p_at_or_above);
    let Some(by) = &o.by else { return Some(p) };
    let by = NaiveDate::parse_from_str(by, "%Y-%m-%d").ok()?;
    if f.status_quo >= f.summary.threshold {
        return Some(p);
    }
    let years = ((by - rates.cutoff).num_days().max(0) as f64) / 365.25;
    let h = rates.of(f.sphere).decision.annual_hazard;
    Some(p * (1.0 - (1.0 - h).powf(years)))
}

/// "Nothing changes": yes exactly when the status quo on the model's date
/// already reaches the threshold.
pub fn nothing_changes(report: &ForecastReport, o: &Outcome) -> Option<f64> {
    let f = report.issues.iter().find(|i| i.id == o.issue)?;
    Some(if f.status_quo >= f.summary.threshold { 1.0 } else { 0.0 })
}

/// One model's probabilities, one per question in question order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbabilitySet {
    /// The model's name.
    pub name: String,
    /// Whether it is the headline forecast (exactly one set is).
    pub headline: bool,
    /// P(yes) per question.
    pub p: Vec<f64>,
}

/// A question as scored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionRow {
    /// `issue` or `issue@by`.
    pub id: String,
    /// The issue.
    pub issue: String,
    /// The day of a dated question.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// What happened.
    pub outcome: bool,
    /// P(yes) by model name.
    pub p: BTreeMap<String, f64>,
    /// The baselines' P(yes): coin flip, base rate, nothing changes.
    pub baseline_p: BTreeMap<String, f64>,
}

/// Mean scores with their 95 % bootstrap intervals (lower is better).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Score {
    /// Mean Brier score, (p − y)².
    pub brier: f64,
    /// 2.5 % and 97.5 % bootstrap quantiles of the mean Brier score.
    pub brier_interval: (f64, f64),
    /// Mean log score, −ln p(observed) with p clipped to [`LOG_CLIP`].
    pub log_score: f64,
    /// Its bootstrap interval.
    pub log_score_interval: (f64, f64),
}

/// A model's scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelScore {
    /// The model's name.
    pub name: String,
    /// Whether it is the headline.
    pub headline: bool,
    /// Mean Brier score.
    pub brier: f64,
    /// Mean log score.
    pub log_score: f64,
    /// Both with their intervals.
    pub score: Score,
    /// Brier of this model minus Brier of the coin flip, with a paired
    /// bootstrap interval (negative: better than a coin flip).
    pub brier_minus_coin_flip: (f64, f64, f64),
    /// Brier minus "nothing changes", likewise.
    pub brier_minus_nothing_changes: (f64, f64, f64),
}

/// One bin of the calibration plot.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CalibrationBin {
    /// Lower end of the forecast range (inclusive).
    pub from: f64,
    /// Upper end (exclusive, except the last bin).
    pub to: f64,
    /// Questions in the bin.
    pub n: usize,
    /// Their mean forecast.
    pub mean_p: f64,
    /// The share that happened.
    pub observed: f64,
}

/// The backtest: questions, models, baselines, what is left out and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Backtest {
    /// Every scored question.
    pub questions: Vec<QuestionRow>,
    /// Every model, the headline flagged.
    pub models: Vec<ModelScore>,
    /// Coin flip (0.5), base rate (the share of yes among these questions:
    /// in-sample) and nothing changes.
    pub baselines: BTreeMap<String, Score>,
    /// The in-sample base rate.
    pub base_rate: f64,
    /// The issues left out, with their reasons.
    pub left_out: Vec<LeftOut>,
    /// The headline's calibration (five bins of width 0.2).
    pub calibration: Vec<CalibrationBin>,
    /// Log-score clipping.
    pub log_clip: f64,
    /// Bootstrap resamples and seed.
    pub bootstrap: (usize, u64),
    /// The conclusion in plain words.
    pub conclusion: String,
    /// The headline's bargaining table and capability measure (the shipped
    /// baseline's), stated in every output; `None` until the caller that ran
    /// the forecasts sets it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<crate::compile::Table>,
}

impl Backtest {
    /// The models numbered as the question-by-question tables show them:
    /// "1 = name; 2 = name; …".
    pub fn model_legend(&self) -> String {
        self.models
            .iter()
            .enumerate()
            .map(|(i, m)| format!("{} = {}", i + 1, m.name))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// What can go wrong when scoring.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BacktestError {
    /// Not exactly one set is flagged headline.
    #[error("exactly one probability set must be the headline; {0} are")]
    Headline(usize),
    /// A set's length differs from the questions'.
    #[error("probability set `{name}` has {got} probabilities for {want} questions")]
    Length {
        /// The set.
        name: String,
        /// Its length.
        got: usize,
        /// The number of questions.
        want: usize,
    },
    /// Nothing to score.
    #[error("no question to score")]
    Empty,
}

fn brier(p: f64, y: bool) -> f64 {
    let y = if y { 1.0 } else { 0.0 };
    (p - y) * (p - y)
}

fn log_score(p: f64, y: bool) -> f64 {
    let p = p.clamp(LOG_CLIP, 1.0 - LOG_CLIP);
    -(if y { p } else { 1.0 - p }).ln()
}

/// SplitMix64: a small, fixed, portable generator for the bootstrap indices.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The 2.5 % and 97.5 % quantiles (nearest rank) of `xs`.
fn interval(mut xs: Vec<f64>) -> (f64, f64) {
    xs.sort_by(f64::total_cmp);
    let at = |q: f64| xs[((q * (xs.len() - 1) as f64).round() as usize).min(xs.len() - 1)];
    (at(0.025), at(0.975))
}

/// Scores the probability sets (and the baselines) on the questions.
/// `outcomes[i]` is question i; `nothing_changes[i]` its "nothing changes"
/// forecast.
pub fn score(
    outcomes: &[Outcome],
    nothing_changes: &[f64],
    sets: &[ProbabilitySet],
    left_out: &[LeftOut],
) -> Result<Backtest, BacktestError> {
    let n = outcomes.len();
    if n == 0 {
        return Err(BacktestError::Empty);
    }
    let headlines = sets.iter().filter(|s| s.headline).count();
    if headlines != 1 {
        return Err(BacktestError::Headline(headlines));
    }
    for (name, got) in sets
        .iter()
        .map(|s| (s.name.as_str(), s.p.len()))
        .chain([("nothing changes", nothing_changes.len())])
    {
        if got != n {
            return Err(BacktestError::Length {
                name: name.to_owned(),
                got,
                want: n,
            });
        }
    }
    let y: Vec<bool> = outcomes.iter().map(|o| o.answer).collect();
    let base_rate = y.iter().filter(|&&v| v).count() as f64 / n as f64;
    // Every forecast as a vector: models first, then the baselines.
    let baseline_names = ["coin_flip", "base_rate", "nothing_changes"];
    let mut all: Vec<Vec<f64>> = sets.iter().map(|s| s.p.clone()).collect();
    all.push(vec![0.5; n]);
    all.push(vec![base_rate; n]);
    all.push(nothing_changes.to_vec());
    let per_q =
        |ps: &[f64], f: fn(f64, bool) -> f64| -> Vec<f64> { ps.iter().zip(&y).map(|(&p, &v)| f(p, v)).collect() };
    let briers: Vec<Vec<f64>> = all.iter().map(|ps| per_q(ps, brier)).collect();
    let logs: Vec<Vec<f64>> = all.iter().map(|ps| per_q(ps, log_score)).collect();
    let mean_of = |v: &[f64], idx: &[usize]| idx.iter().map(|&i| v[i]).sum::<f64>() / idx.len() as f64;
    // Bootstrap: the same resamples for every forecast, so differences are paired.
    let mut rng = SplitMix(BOOTSTRAP_SEED);
    let resamples: Vec<Vec<usize>> = (0..BOOTSTRAP_RESAMPLES)
        .map(|_| (0..n).map(|_| rng.below(n)).collect())
        .collect();
    let everyone: Vec<usize> = (0..n).collect();
    let boot = |v: &[f64]| interval(resamples.iter().map(|idx| mean_of(v, idx)).collect());
    let score_of = |k: usize| Score {
        brier: mean_of(&briers[k], &everyone),
        brier_interval: boot(&briers[k]),
        log_score: mean_of(&logs[k], &everyone),
        log_score_interval: boot(&logs[k]),
    };
    let (coin, nc) = (sets.len(), sets.len() + 2);
    let diff = |k: usize, base: usize| {
        let d: Vec<f64> = briers[k].iter().zip(&briers[base]).map(|(a, b)| a - b).collect();
        let (lo, hi) = boot(&d);
        (mean_of(&d, &everyone), lo, hi)
    };
    let models: Vec<ModelScore> = sets
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let score = score_of(k);
            ModelScore {
                name: s.name.clone(),
                headline: s.headline,
                brier: score.brier,
                log_score: score.log_score,
                score,
                brier_minus_coin_flip: diff(k, coin),
                brier_minus_nothing_changes: diff(k, nc),
            }
        })
        .collect();
    let baselines: BTreeMap<String, Score> = baseline_names
        .iter()
        .enumerate()
        .map(|(j, name)| ((*name).to_owned(), score_of(sets.len() + j)))
        .collect();
    let questions = outcomes
        .iter()
        .enumerate()
        .map(|(i, o)| QuestionRow {
            id: o.id(),
            issue: o.issue.clone(),
            by: o.by.clone(),
            outcome: o.answer,
            p: sets.iter().map(|s| (s.name.clone(), s.p[i])).collect(),
            baseline_p: baseline_names
                .iter()
                .enumerate()
                .map(|(j, name)| ((*name).to_owned(), all[sets.len() + j][i]))
                .collect(),
        })
        .collect();
    let head = sets
        .iter()
        .position(|s| s.headline)
        .expect("one headline, checked above");
    let calibration = calibration(&sets[head].p, &y);
    let conclusion = conclusion(&models[head], &baselines, n, left_out.len());
    Ok(Backtest {
        questions,
        models,
        baselines,
        base_rate,
        left_out: left_out.to_vec(),
        calibration,
        log_clip: LOG_CLIP,
        bootstrap: (BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED),
        conclusion,
        table: None,
    })
}

/// Five bins of width 0.2 (the last includes 1); empty bins are kept with n = 0.
pub fn calibration(p: &[f64], y: &[bool]) -> Vec<CalibrationBin> {
    (0..5)
        .map(|b| {
            let (from, to) = (b as f64 * 0.2, (b + 1) as f64 * 0.2);
            let inside: Vec<(f64, bool)> = p
                .iter()
                .zip(y)
                .filter(|&(&p, _)| p >= from && (p < to || (b == 4 && p <= 1.0)))
                .map(|(&p, &y)| (p, y))
                .collect();
            let k = inside.len();
            CalibrationBin {
                from,
                to,
                n: k,
                mean_p: if k > 0 {
                    inside.iter().map(|x| x.0).sum::<f64>() / k as f64
                } else {
                    f64::NAN
                },
                observed: if k > 0 {
                    inside.iter().filter(|x| x.1).count() as f64 / k as f64
                } else {
                    f64::NAN
                },
            }
        })
        .collect()
}

fn conclusion(head: &ModelScore, baselines: &BTreeMap<String, Score>, n: usize, left: usize) -> String {
    let coin = baselines["coin_flip"].brier;
    let nc = baselines["nothing_changes"].brier;
    let verdict = |d: (f64, f64, f64), what: &str| {
        if d.2 < 0.0 {
            format!(
                "better than {what} (difference {:+.3}, 95 % interval {:+.3} to {:+.3})",
                d.0, d.1, d.2
            )
        } else if d.1 > 0.0 {
            format!(
                "worse than {what} (difference {:+.3}, 95 % interval {:+.3} to {:+.3})",
                d.0, d.1, d.2
            )
        } else if d.0 < 0.0 {
            format!(
                "better than {what} on these questions, but not clearly (difference {:+.3}, 95 % interval {:+.3} to {:+.3})",
                d.0, d.1, d.2
            )
        } else {
            format!(
                "no better than {what} (difference {:+.3}, 95 % interval {:+.3} to {:+.3})",
                d.0, d.1, d.2
            )
        }
    };
    let beats_both = head.brier < coin && head.brier < nc;
    format!(
        "On {n} questions ({left} issues left out, each with its reason), the headline model \"{}\" scores a Brier of {:.3} \
         against {coin:.3} for a coin flip and {nc:.3} for \"nothing changes\" (lower is better). It is {}, and {}. {}",
        head.name,
        head.brier,
        verdict(head.brier_minus_coin_flip, "a coin flip"),
        verdict(head.brier_minus_nothing_changes, "\"nothing changes\""),
        if beats_both {
            "It beats both naive forecasts on these questions."
        } else {
            "It does not beat both naive forecasts: on this record, the model's 2010 forecasts are not better than \
             naive ones, and should not be read as more than a structured account of the article's arguments."
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(issue: &str, answer: bool) -> Outcome {
        Outcome {
            issue: issue.into(),
            by: None,
            answer,
            date: "2020".into(),
            basis: "b".into(),
            sources: vec!["s".into()],
        }
    }

    fn set(name: &str, headline: bool, p: &[f64]) -> ProbabilitySet {
        ProbabilitySet {
            name: name.into(),
            headline,
            p: p.to_vec(),
        }
    }

    #[test]
    fn scores_by_hand() {
        let o = [
            outcome("a", true),
            outcome("b", false),
            outcome("c", false),
            outcome("d", true),
        ];
        let nc = [0.0, 0.0, 0.0, 1.0];
        let b = score(&o, &nc, &[set("m", true, &[0.9, 0.2, 0.0, 0.5])], &[]).unwrap();
        let m = &b.models[0];
        assert!((m.brier - (0.01 + 0.04 + 0.0 + 0.25) / 4.0).abs() < 1e-12);
        let log = (-(0.9f64).ln() - (0.8f64).ln() - (0.99f64).ln() - (0.5f64).ln()) / 4.0;
        assert!((m.log_score - log).abs() < 1e-12, "clipped at 0.01");
        assert_eq!(b.baselines["coin_flip"].brier, 0.25);
        assert!((b.baselines["coin_flip"].log_score - 2f64.ln()).abs() < 1e-12);
        assert_eq!(b.base_rate, 0.5);
        assert!((b.baselines["nothing_changes"].brier - 0.25).abs() < 1e-12);
        let (lo, hi) = m.score.brier_interval;
        assert!(lo <= m.brier && m.brier <= hi && lo < hi);
        assert_eq!(b.questions[0].p["m"], 0.9);
        assert_eq!(b.questions[3].baseline_p["nothing_changes"], 1.0);
        // The coin flip's Brier is 0.25 on every resample: its interval is a point.
        assert_eq!(b.baselines["coin_flip"].brier_interval, (0.25, 0.25));
    }

    #[test]
    fn exactly_one_headline_and_matching_lengths() {
        let o = [outcome("a", true)];
        assert_eq!(
            score(&o, &[0.0], &[set("m", false, &[0.5])], &[]).unwrap_err(),
            BacktestError::Headline(0)
        );
        assert_eq!(
            score(&o, &[0.0], &[set("m", true, &[0.5]), set("n", true, &[0.5])], &[]).unwrap_err(),
            BacktestError::Headline(2)
        );
        assert!(matches!(
            score(&o, &[0.0], &[set("m", true, &[0.5, 0.1])], &[]),
            Err(BacktestError::Length { .. })
        ));
        assert_eq!(
            score(&[], &[], &[set("m", true, &[])], &[]).unwrap_err(),
            BacktestError::Empty
        );
    }

    #[test]
    fn the_conclusion_says_when_the_headline_loses() {
        let o: Vec<Outcome> = (0..10).map(|i| outcome(&format!("q{i}"), i % 2 == 0)).collect();
        let wrong: Vec<f64> = (0..10).map(|i| if i % 2 == 0 { 0.0 } else { 1.0 }).collect();
        let b = score(&o, &[0.0; 10], &[set("bad", true, &wrong)], &[]).unwrap();
        assert!(b.conclusion.contains("does not beat"), "{}", b.conclusion);
        assert!(b.models[0].brier_minus_coin_flip.1 > 0.0);
        let right: Vec<f64> = wrong.iter().map(|p| 1.0 - p).collect();
        let b = score(&o, &[0.0; 10], &[set("good", true, &right)], &[]).unwrap();
        assert!(b.conclusion.contains("beats both"), "{}", b.conclusion);
    }

    #[test]
    fn calibration_bins_cover_0_to_1() {
        let bins = calibration(&[0.0, 0.1, 0.5, 1.0, 1.0], &[false, true, true, true, false]);
        assert_eq!(bins.iter().map(|b| b.n).sum::<usize>(), 5);
        assert_eq!(bins[0].n, 2);
        assert_eq!(bins[0].observed, 0.5);
        assert_eq!(bins[4].n, 2);
        assert!(bins[1].mean_p.is_nan());
    }

    /// `accord backtest --json` prints this structure: the fields issue 9 asks for.
    #[test]
    fn json_has_the_promised_shape() {
        let o = [outcome("a", true), outcome("b", false)];
        let b = score(
            &o,
            &[0.0, 0.0],
            &[set("m1", false, &[0.6, 0.3]), set("m2", true, &[0.9, 0.1])],
            &[LeftOut {
                issue: "c".into(),
                reason: "r".into(),
            }],
        )
        .unwrap();
        let v = serde_json::to_value(&b).unwrap();
        let q = &v["questions"][0];
        assert_eq!(q["id"], "a");
        assert_eq!(q["outcome"], true);
        assert_eq!(q["p"]["m2"], 0.9);
        let m = &v["models"][1];
        assert_eq!(m["name"], "m2");
        assert_eq!(m["headline"], true);
        assert!(m["brier"].is_f64() && m["log_score"].is_f64());
        for k in ["coin_flip", "base_rate", "nothing_changes"] {
            assert!(v["baselines"][k]["brier"].is_f64(), "{k}");
        }
        assert_eq!(v["left_out"][0]["reason"], "r");
    }

    #[test]
    fn dated_questions_have_their_own_ids() {
        let mut o = outcome("admit-iran", false);
        assert_eq!(o.id(), "admit-iran");
        o.by = Some("2017-12-01".into());
        assert_eq!(o.id(), "admit-iran@2017-12-01");
    }
}
