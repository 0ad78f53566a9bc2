//! `accord backtest`: the 2010 forecasts beside what happened by 2025.

use accord_io::backtest::{self as shared, BacktestRunError};
use clap::Args;

use crate::{
    limits,
    output::{Interrupted, Progress, cancel_flag, print_json, table},
};

pub use accord_io::backtest::Computed;

/// Arguments of `accord backtest`.
#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// Monte Carlo samples per model (at least 1; at most 1,000,000 without --no-limit).
    #[arg(long, default_value_t = 1000, value_parser = limits::positive_samples)]
    samples: u64,
    /// Allow more samples than the limit (see docs/reliability.md).
    #[arg(long)]
    no_limit: bool,
    /// Print the Markdown document (`docs/backtest.md`) instead of tables.
    #[arg(long, conflicts_with = "json")]
    markdown: bool,
    /// Print JSON: questions, models (the headline flagged), baselines.
    #[arg(long)]
    json: bool,
}

/// Runs every model on the embedded SCO data and scores them
/// (`accord_io::backtest::compute`, which the server's backtest runs call too).
pub fn compute(samples: u64, show_progress: bool) -> anyhow::Result<Computed> {
    let (record, model) = accord_io::embedded::sco_record_and_model()
        .map_err(|_| anyhow::anyhow!("the embedded SCO data are invalid (run `accord check`)"))?;
    let base = shared::sco_baseline(&record, &model, Some(samples), None)
        .map_err(|d| crate::data::diagnostics("invalid scenario", &d))?;
    let outcomes = shared::sco_outcomes(&record, &model)?;
    let bar = Progress::new(
        if show_progress { samples * shared::PASSES } else { 0 },
        "samples",
        &format!("{} passes", shared::PASSES),
    );
    let result = shared::compute(&record, &model, &base, outcomes, cancel_flag(), &|n| {
        bar.set_position(n)
    });
    bar.finish();
    match result {
        // A backtest on some of the samples is not printed: Brier scores of a
        // partial run would pass for the real ones.
        Err(BacktestRunError::Stopped { done, asked }) => Err(Interrupted(format!(
            "stopped by Ctrl-C after {done} of {asked} samples of a pass; no scores are printed"
        ))
        .into()),
        r => Ok(r?),
    }
}

fn interval(x: f64, (lo, hi): (f64, f64)) -> String {
    format!("{x:.3} [{lo:.3}, {hi:.3}]")
}

fn diff((d, lo, hi): (f64, f64, f64)) -> String {
    format!("{d:+.3} [{lo:+.3}, {hi:+.3}]")
}

/// Runs `accord backtest`.
pub fn run(args: BacktestArgs) -> anyhow::Result<()> {
    limits::check_samples("--samples", args.samples, limits::MAX_SAMPLES, args.no_limit)?;
    let c = compute(args.samples, !args.json)?;
    if args.json {
        return print_json(&c.backtest);
    }
    if args.markdown {
        out!("{}", markdown(&c));
        return Ok(());
    }
    let b = &c.backtest;
    outln!(
        "Backtest: {} questions scored, {} issues left out. Lower is better for both scores; \
         [95 % bootstrap interval over questions].",
        b.questions.len(),
        b.left_out.len()
    );
    let mut t = table(&[
        "forecast",
        "Brier",
        "log score",
        "Brier − coin flip",
        "Brier − nothing changes",
    ]);
    for m in &b.models {
        t.add_row(vec![
            format!("{}{}", m.name, if m.headline { " (headline)" } else { "" }),
            interval(m.brier, m.score.brier_interval),
            interval(m.log_score, m.score.log_score_interval),
            diff(m.brier_minus_coin_flip),
            diff(m.brier_minus_nothing_changes),
        ]);
    }
    for (name, s) in &b.baselines {
        t.add_row(vec![
            baseline_label(name, b.base_rate),
            interval(s.brier, s.brier_interval),
            interval(s.log_score, s.log_score_interval),
            String::new(),
            String::new(),
        ]);
    }
    outln!("{t}");
    outln!("{}", b.conclusion);
    let mut t = table(&["question", "happened", "P(yes) by model (1–4)", "nothing changes"]);
    for q in &b.questions {
        let ps: Vec<String> = b.models.iter().map(|m| format!("{:.2}", q.p[&m.name])).collect();
        t.add_row(vec![
            q.id.clone(),
            if q.outcome { "yes" } else { "no" }.into(),
            ps.join("  "),
            format!("{:.0}", q.baseline_p["nothing_changes"]),
        ]);
    }
    outln!("{t}");
    outln!("Left out (not scored), with the reasons in data/sco/backtest.toml:");
    for l in &b.left_out {
        outln!("- {}: {}", l.issue, l.reason);
    }
    Ok(())
}

/// A baseline's name as shown.
pub fn baseline_label(name: &str, base_rate: f64) -> String {
    match name {
        "coin_flip" => "coin flip (P = 0.5)".to_owned(),
        "base_rate" => format!("base rate (P = {base_rate:.2}, the share of yes here: in-sample)"),
        "nothing_changes" => "nothing changes (P = 1 iff the 2010 status quo reaches the threshold)".to_owned(),
        other => other.to_owned(),
    }
}

/// The Markdown of `docs/backtest.md`.
pub fn markdown(c: &Computed) -> String {
    use std::fmt::Write;
    let b = &c.backtest;
    let mut s = String::new();
    let _ = writeln!(s, "# Backtest: the 2010 forecasts against what happened by 2025\n");
    let _ = writeln!(
        s,
        "Produced by `cargo run --release -- backtest --markdown > docs/backtest.md` ({} Monte Carlo samples per model, \
         seed {}; bootstrap {} resamples, seed {}). `accord backtest --json` prints the same numbers. The forecasts use \
         only the model of {} (`data/sco/model/`) and, for dated questions, rates estimated from the record strictly \
         before that day (`docs/models/implementation.md`); the outcomes come from the record (`data/sco/record/`) \
         through `data/sco/backtest.toml`, each with its sources.\n",
        c.samples, c.seed, b.bootstrap.0, b.bootstrap.1, c.model_date
    );
    let _ = writeln!(s, "## Conclusion\n\n{}\n", b.conclusion);
    let _ = writeln!(s, "## Scores\n");
    let _ = writeln!(
        s,
        "**Lower is better** for both scores. Brier score: mean of (P(yes) − outcome)²; 0 is perfect, 0.25 is a coin \
         flip. Log score: mean of −ln P(what happened), with P clipped to [{c0}, {c1}] so that one confident miss costs \
         at most {m:.2}; a coin flip scores ln 2 = 0.693. Brackets: 95 % bootstrap intervals over questions \
         ({r} resamples of the {n} questions; the same resamples for every forecast, so differences are paired). The \
         base rate is the share of yes among these same questions — in-sample, so it has seen the answers. \"Nothing \
         changes\" says yes exactly when the 2010 status quo already reaches the question's threshold.\n",
        c0 = b.log_clip,
        c1 = 1.0 - b.log_clip,
        m = -(b.log_clip.ln()),
        r = b.bootstrap.0,
        n = b.questions.len()
    );
    let _ = writeln!(
        s,
        "| forecast | Brier | log score | Brier − coin flip | Brier − nothing changes |\n|---|---|---|---|---|"
    );
    for m in &b.models {
        let _ = writeln!(
            s,
            "| {}{} | {} | {} | {} | {} |",
            m.name,
            if m.headline { " **(headline)**" } else { "" },
            interval(m.brier, m.score.brier_interval),
            interval(m.log_score, m.score.log_score_interval),
            diff(m.brier_minus_coin_flip),
            diff(m.brier_minus_nothing_changes)
        );
    }
    for (name, sc) in &b.baselines {
        let _ = writeln!(
            s,
            "| {} | {} | {} | | |",
            baseline_label(name, b.base_rate),
            interval(sc.brier, sc.brier_interval),
            interval(sc.log_score, sc.log_score_interval)
        );
    }
    let _ = writeln!(
        s,
        "\nThe headline is the calibrated ensemble that `accord forecast` headlines: every validated model on the \
         baseline's draws, each with its model error learned on DEU, stacked by out-of-sample CRPS \
         (`docs/models/calibration.md`). The four models above it are the input-only forecasts of each model \
         (no model error), shown for comparison.\n"
    );
    let _ = writeln!(s, "## Calibration of the headline\n");
    let _ = writeln!(
        s,
        "Questions grouped by the headline's P(yes); a calibrated forecast has \"happened\" close to \"mean P\" in \
         every bin. With {} questions most bins hold a handful: read it as a coarse check.\n",
        b.questions.len()
    );
    let _ = writeln!(s, "| P(yes) | questions | mean P | happened |\n|---|---|---|---|");
    for bin in &b.calibration {
        let f = |x: f64| if x.is_finite() { format!("{x:.2}") } else { "–".into() };
        let _ = writeln!(
            s,
            "| {:.1}–{:.1} | {} | {} | {} |",
            bin.from,
            bin.to,
            bin.n,
            f(bin.mean_p),
            f(bin.observed)
        );
    }
    let _ = writeln!(s, "\n## Question by question\n");
    let header: Vec<String> = (1..=b.models.len()).map(|i| format!("model {i}")).collect();
    let _ = writeln!(
        s,
        "| question | happened | {} | nothing changes |\n|---|---|{}---|",
        header.join(" | "),
        "---|".repeat(b.models.len())
    );
    for (q, o) in b.questions.iter().zip(&c.outcomes.outcome) {
        let ps: Vec<String> = b.models.iter().map(|m| format!("{:.2}", q.p[&m.name])).collect();
        let _ = writeln!(
            s,
            "| **{}** | {} ({}) | {} | {:.0} |",
            q.id,
            if q.outcome { "yes" } else { "no" },
            o.date,
            ps.join(" | "),
            q.baseline_p["nothing_changes"]
        );
    }
    let _ = writeln!(s, "\nModels: {}.\n", b.model_legend());
    let _ = writeln!(s, "## Which questions, and why\n");
    let _ = writeln!(
        s,
        "- **Every issue of the model is either scored or left out with a written reason** (`[[left_out]]` in \
         `data/sco/backtest.toml`); the reader of that file refuses one that is neither. No question was dropped for \
         its score.\n\
         - **Undated questions** (`issue`): did the outcome reach the threshold by 2025? The models answer with \
         P(outcome reaches the threshold).\n\
         - **Dated questions** (`issue@2017-12-01`): had it reached the threshold by 1 December 2017, half of the \
         default 15-year horizon after the model's date? One for every answered issue, whatever its answer, added \
         because the model has too few issues the record answers to reach 20 questions otherwise. The models answer \
         with P(decided by then) from the hazard model (eq. H3 of `docs/models/implementation.md`, with 7.5 years), \
         whose rates come from the record before 2010-06-01 only. A dated question is not independent of its \
         undated twin: an issue that never crossed did not cross by 2017 either, so the {} questions carry less \
         information than {} independent ones, and the bootstrap intervals are too narrow by that much.\n",
        b.questions.len(),
        b.questions.len()
    );
    let _ = writeln!(s, "## What happened, with sources\n");
    for o in &c.outcomes.outcome {
        let _ = writeln!(
            s,
            "- **{}** ({}): {} [{}]",
            o.id(),
            o.date,
            o.basis,
            o.sources.join(", ")
        );
    }
    let _ = writeln!(s, "\n## Left out, with reasons\n");
    for l in &b.left_out {
        let _ = writeln!(s, "- **{}**: {}", l.issue, l.reason);
    }
    let _ = writeln!(s, "\n## What this shows, and what it does not\n");
    let _ = writeln!(
        s,
        "- {n} questions from one organization, decided over fifteen years by events no 2010 model describes (the \
         Taliban's return, the war in Ukraine, Iran's turn east). One question moves a mean Brier score by up to \
         1/{n}; the intervals above say how little separates the forecasts.\n\
         - The questions were written in 2026 with the answers known; their thresholds were set with the 2010 \
         scales, but the choice of questions is not blind. The rule for dated questions was fixed for all issues at \
         once.\n\
         - Most answers are \"no\", so a forecast that says no to everything does well; \"nothing changes\" is close \
         to that here. Beating it needs a model that foresees the few changes that came.\n\
         - The model comparison that carries weight is the validation on hundreds of EU decisions \
         (`docs/validation.md`); this backtest is a plausibility check of the SCO model itself.",
        n = b.questions.len()
    );
    s
}
