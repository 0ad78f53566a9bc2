//! `accord backtest`: the 2010 forecasts beside what happened by 2025.

use accord_analysis::{
    backtest::{Backtest, score},
    run::forecast_scenario,
    scenario::{BargainChoice, DynamicsChoice},
};
use clap::Args;

use crate::{
    commands::forecast::stopped_check,
    limits,
    output::{Progress, cancel_flag, table},
};

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
    #[arg(long)]
    markdown: bool,
}

const MODELS: [(&str, DynamicsChoice, bool); 4] = [
    (
        "compromise (no dynamics, weighted mean, no procedure)",
        DynamicsChoice::None,
        false,
    ),
    ("compromise within consensus of the members", DynamicsChoice::None, true),
    ("EUM, then weighted mean within consensus", DynamicsChoice::Eum, true),
    ("SMP, then weighted mean within consensus", DynamicsChoice::Smp, true),
];

/// Runs `accord backtest`.
pub fn run(args: BacktestArgs) -> anyhow::Result<()> {
    limits::check_samples("--samples", args.samples, limits::MAX_SAMPLES, args.no_limit)?;
    let (record, model) = accord_io::embedded::sco_record_and_model()
        .map_err(|_| anyhow::anyhow!("the embedded SCO data are invalid (run `accord check`)"))?;
    let (file, text) = accord_io::embedded::SCO_BACKTEST;
    let outcomes = accord_io::scenario::parse_outcomes(file, text, &record, &model)
        .map_err(|d| anyhow::anyhow!("{}", d.iter().map(|x| x.to_string()).collect::<Vec<_>>().join("\n")))?;
    let (name, base) = accord_io::embedded::SCO_SCENARIOS[0];
    let mut results: Vec<(&str, Backtest, u64)> = Vec::new();
    for (label, dynamics, procedural) in MODELS {
        let mut compiled = super::forecast::compile_text(&record, &model, name, base)?;
        let mut scenario = compiled.scenario.clone();
        scenario.settings.dynamics = dynamics;
        scenario.settings.bargain = BargainChoice::Mean;
        scenario.settings.procedural = procedural;
        scenario.settings.samples = args.samples;
        compiled = accord_analysis::compile(&record, &model, &scenario).map_err(|p| anyhow::anyhow!("{p:?}"))?;
        let bar = Progress::new(args.samples, "samples", label);
        let report = forecast_scenario(&compiled, cancel_flag(), &|n| bar.set_position(n))?;
        bar.finish();
        // A backtest on some of the samples is not printed: Brier scores of a
        // partial run would pass for the real ones.
        stopped_check(report.run.partial, report.run.samples_done, args.samples)?;
        results.push((label, score(&report, &outcomes), compiled.settings.seed));
    }
    if args.markdown {
        return print_markdown(&results, &outcomes, args.samples, &model);
    }
    let mut t = table(&["model", "questions", "Brier", "nothing changes", "coin flip"]);
    for (label, b, _) in &results {
        t.add_row(vec![
            (*label).to_owned(),
            b.rows.len().to_string(),
            format!("{:.3}", b.brier),
            format!("{:.3}", b.brier_persistence),
            format!("{:.3}", b.brier_coin),
        ]);
    }
    outln!("{t}");
    let mut t = table(&["question", "happened", "P(yes) by model"]);
    for (i, row) in results[0].1.rows.iter().enumerate() {
        let ps: Vec<String> = results.iter().map(|(_, b, _)| format!("{:.2}", b.rows[i].p)).collect();
        t.add_row(vec![
            row.issue.clone(),
            if row.answer { "yes" } else { "no" }.into(),
            ps.join("  "),
        ]);
    }
    outln!("{t}");
    Ok(())
}

fn print_markdown(
    results: &[(&str, Backtest, u64)],
    outcomes: &[accord_analysis::backtest::Outcome],
    samples: u64,
    model: &accord_core::model::Model,
) -> anyhow::Result<()> {
    outln!("# Backtest: the 2010 forecasts against what happened by 2025\n");
    outln!(
        "Produced by `cargo run --release -- backtest --markdown > docs/backtest.md` ({samples} Monte Carlo samples per model, seed {}). \
         The forecasts use only the model of {} (data/sco/model/), which knows nothing after that day; the outcomes come from \
         the record (data/sco/record/) through `data/sco/backtest.toml`, each with its source.\n",
        results.first().map_or(0, |r| r.2),
        model.meta.date
    );
    outln!("## Scores\n");
    outln!(
        "Brier score: mean of (P(yes) − outcome)², 0 is perfect, 0.25 is a coin flip. \"Nothing changes\" forecasts yes exactly when the 2010 status quo is already past the question's threshold.\n"
    );
    outln!("| model | questions | Brier | nothing changes | coin flip |\n|---|---|---|---|---|");
    for (label, b, _) in results {
        outln!(
            "| {label} | {} | {:.3} | {:.3} | {:.3} |",
            b.rows.len(),
            b.brier,
            b.brier_persistence,
            b.brier_coin
        );
    }
    outln!("\n## Question by question\n");
    let header: Vec<String> = results
        .iter()
        .enumerate()
        .map(|(i, _)| format!("P(yes), model {}", i + 1))
        .collect();
    outln!(
        "| question | happened | {} |\n|---|---|{}",
        header.join(" | "),
        "---|".repeat(results.len())
    );
    for (i, row) in results[0].1.rows.iter().enumerate() {
        let o = outcomes
            .iter()
            .find(|o| o.issue == row.issue)
            .expect("scored outcomes exist");
        let ps: Vec<String> = results.iter().map(|(_, b, _)| format!("{:.2}", b.rows[i].p)).collect();
        outln!(
            "| **{}** — {} | {} ({}) | {} |",
            row.issue,
            row.question,
            if row.answer { "yes" } else { "no" },
            o.date,
            ps.join(" | ")
        );
    }
    outln!(
        "\nModels: {}.\n",
        results
            .iter()
            .enumerate()
            .map(|(i, (l, _, _))| format!("{} = {l}", i + 1))
            .collect::<Vec<_>>()
            .join("; ")
    );
    outln!("## What happened, with sources\n");
    for o in outcomes {
        outln!("- **{}** ({}): {} [{}]", o.issue, o.date, o.basis, o.sources.join(", "));
    }
    let answered: Vec<&str> = outcomes.iter().map(|o| o.issue.as_str()).collect();
    let left: Vec<&str> = model
        .issues
        .iter()
        .map(|i| i.id.as_str())
        .filter(|i| !answered.contains(i))
        .collect();
    outln!(
        "\nLeft out, because the record does not answer them clearly: {}.\n",
        left.join(", ")
    );
    outln!("## What this shows, and what it does not\n");
    outln!(
        "- It is {} questions from one organization, decided over fifteen years by events no 2010 model describes \
         (the Taliban's return, the war in Ukraine, Iran's turn east). A Brier score over so few questions has a \
         wide margin: one question changes it by up to 1/{}. It can show a gross failure, not a fine ranking of models.\n\
         - The questions were written in 2026 with the answers known; their thresholds were set with the 2010 scales, \
         but the choice of questions is not blind. The outcomes file lists only questions the record answers.\n\
         - \"Yes\" here means the outcome crossed the threshold at any time by 2025; the models forecast a decision \
         without a date. A model that says \"yes\" to a change that came in 2023 was right about direction, not timing.\n\
         - The model comparison that carries weight is the validation on hundreds of EU decisions (`docs/validation.md`); \
         this backtest is a plausibility check of the SCO model itself.",
        results[0].1.rows.len(),
        results[0].1.rows.len()
    );
    Ok(())
}
