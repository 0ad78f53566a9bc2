//! `accord opportunities --for ACTOR`: rank the actor's levers and their
//! combinations by the change in its expected utility.

use std::path::PathBuf;

use accord_analysis::opportunities::{Loss, SearchReport, SearchSettings, package_levers, search};
use clap::{Args, ValueEnum};

use crate::output::{cancel_flag, print_json, progress_bar, table};

/// Arguments of `accord opportunities`.
#[derive(Debug, Args)]
pub struct OpportunitiesArgs {
    /// The actor whose moves are searched (e.g. RUS, CHN).
    #[arg(long = "for", value_name = "ACTOR", default_value = "RUS")]
    focal: String,
    /// A scenario file (default: the embedded baseline).
    scenario: Option<PathBuf>,
    /// Largest number of levers combined.
    #[arg(long, default_value_t = 3)]
    max_levers: usize,
    /// Combinations kept per size when the search is a beam search.
    #[arg(long, default_value_t = 10)]
    beam_width: usize,
    /// Monte Carlo samples per candidate (default: the scenario's).
    #[arg(long)]
    samples: Option<u64>,
    /// Seed (default: the scenario's).
    #[arg(long)]
    seed: Option<u64>,
    /// Loss function of the utility.
    #[arg(long, value_enum, default_value_t = LossArg::Linear)]
    loss: LossArg,
    /// Read record and model from this data folder.
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LossArg {
    Linear,
    Quadratic,
}

/// Runs the search for one actor (also used by `accord report`).
pub fn run_search(
    data: Option<&std::path::Path>,
    scenario: Option<&std::path::Path>,
    settings: &SearchSettings,
    samples: Option<u64>,
    seed: Option<u64>,
) -> anyhow::Result<SearchReport> {
    let mut compiled = super::forecast::load_scenario(data, scenario)?;
    super::forecast::override_run(&mut compiled, samples, seed);
    let model = match data {
        None => {
            accord_io::embedded::sco_record_and_model()
                .map_err(|_| anyhow::anyhow!("embedded data invalid"))?
                .1
        }
        Some(dir) => accord_io::record::load_data_dir(dir)?.1,
    };
    let bar = progress_bar(compiled.settings.samples, &format!("levers of {}", settings.focal));
    // The model's levers, and the packages the actor can offer across linked issues.
    let mut levers = model.levers.clone();
    levers.extend(package_levers(&compiled, &model.links, &settings.focal));
    let report = search(&compiled, &levers, settings, cancel_flag(), &|n| bar.set_position(n))?;
    bar.finish_and_clear();
    Ok(report)
}

/// Runs `accord opportunities`.
pub fn run(args: OpportunitiesArgs) -> anyhow::Result<()> {
    let settings = SearchSettings {
        focal: args.focal.clone(),
        max_levers: args.max_levers,
        beam_width: args.beam_width,
        loss: match args.loss {
            LossArg::Linear => Loss::Linear,
            LossArg::Quadratic => Loss::Quadratic,
        },
    };
    let report = run_search(
        args.data.as_deref(),
        args.scenario.as_deref(),
        &settings,
        args.samples,
        args.seed,
    )?;
    if args.json {
        return print_json(&report);
    }
    println!(
        "Opportunities for {} in `{}` — {} ({} combinations, {} model runs), {} samples per candidate, seed {}{}",
        report.settings.focal,
        report.scenario,
        report.method,
        report.evaluated,
        report.model_runs,
        report.run.samples,
        report.run.seed,
        if report.partial { " — PARTIAL" } else { "" }
    );
    println!(
        "ΔU: change of {}'s expected utility (0 = no change; the whole scale is its total salience/100)",
        report.settings.focal
    );
    let rival = if report.settings.focal == "CHN" { "RUS" } else { "CHN" };
    let mut t = table(&[
        "levers",
        "ΔU (95 % interval)",
        "issues moved (mean shift)",
        &format!("ΔU of {rival}"),
    ]);
    for c in report.singles.iter().chain(report.combinations.iter().take(10)) {
        let rival_delta = c
            .others
            .iter()
            .find(|o| o.actor == rival)
            .map_or("—".into(), |o| format!("{:+.4}", o.delta_utility));
        t.add_row(vec![
            c.levers.join(" + "),
            format!("{:+.4} ({:+.4} … {:+.4})", c.delta_utility, c.interval.0, c.interval.1),
            c.issues
                .iter()
                .take(3)
                .map(|m| format!("{} {:+.1}", m.issue, m.mean_shift))
                .collect::<Vec<_>>()
                .join(", "),
            rival_delta,
        ]);
    }
    println!("{t}");
    if let Some(best) = report.combinations.first().or(report.singles.first()) {
        println!("Best: {} — why:", best.levers.join(" + "));
        for s in &best.shifts {
            println!("  {s}");
        }
        let gainers: Vec<String> = best
            .others
            .iter()
            .take(3)
            .map(|o| format!("{} {:+.4}", o.actor, o.delta_utility))
            .collect();
        let losers: Vec<String> = best
            .others
            .iter()
            .rev()
            .take(3)
            .map(|o| format!("{} {:+.4}", o.actor, o.delta_utility))
            .collect();
        println!(
            "  others gaining most: {}; losing most: {}",
            gainers.join(", "),
            losers.join(", ")
        );
    }
    Ok(())
}
