//! `accord opportunities --for ACTOR`: rank the actor's levers and their
//! combinations by the change in its expected utility.

use std::path::PathBuf;

use accord_analysis::opportunities::{Candidate, Loss, SearchReport, SearchSettings, package_levers, search};
use clap::{Args, ValueEnum};

use crate::{
    commands::forecast::stopped_check,
    limits,
    output::{Progress, cancel_flag, print_json, suggestion, table},
};

/// Arguments of `accord opportunities`.
#[derive(Debug, Args)]
pub struct OpportunitiesArgs {
    /// The actor whose moves are searched (e.g. RUS, CHN).
    #[arg(long = "for", value_name = "ACTOR", default_value = "RUS")]
    focal: String,
    /// A scenario file (default: the embedded baseline).
    scenario: Option<PathBuf>,
    /// Largest number of levers combined (at least 1).
    #[arg(long, default_value_t = 3, value_parser = limits::at_least_one)]
    max_levers: usize,
    /// Combinations kept per size when the search is a beam search (at least 1).
    #[arg(long, default_value_t = 10, value_parser = limits::at_least_one)]
    beam_width: usize,
    /// Monte Carlo samples per candidate, at least 1 (default: the
    /// scenario's; at most 20,000 without --no-limit).
    #[arg(long, value_parser = limits::positive_samples)]
    samples: Option<u64>,
    /// Seed (default: the scenario's).
    #[arg(long)]
    seed: Option<u64>,
    /// Loss function of the utility.
    #[arg(long, value_enum, default_value_t = LossArg::Linear)]
    loss: LossArg,
    /// Read record and model from this data folder (holding record/ and
    /// model/, as `accord check` takes it).
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Evaluate every combination of up to --max-levers levers (at most
    /// 4) instead of a beam search.
    #[arg(long)]
    exhaustive: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Allow more samples than the limit (see docs/reliability.md).
    #[arg(long)]
    no_limit: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LossArg {
    Linear,
    Quadratic,
}

/// Runs the search for one actor.
fn run_search(args: &OpportunitiesArgs, settings: &SearchSettings) -> anyhow::Result<SearchReport> {
    let (record, model) = crate::data::record_and_model(args.data.as_deref())?;
    let (name, text) = match &args.scenario {
        None => {
            let (name, text) = accord_io::embedded::SCO_SCENARIOS[0];
            (name.to_owned(), text.to_owned())
        }
        Some(path) => (path.display().to_string(), super::forecast::read_scenario_file(path)?),
    };
    let mut compiled = super::forecast::compile_text(&record, &model, &name, &text)?;
    super::forecast::override_run(
        &mut compiled,
        args.samples,
        args.seed,
        args.no_limit,
        limits::MAX_SEARCH_SAMPLES,
    )?;
    if !model.levers.iter().any(|l| l.actor.as_str() == settings.focal) {
        let mut with_levers: Vec<&str> = model.levers.iter().map(|l| l.actor.as_str()).collect();
        with_levers.sort_unstable();
        with_levers.dedup();
        let known = record.actors.iter().any(|a| a.id.as_str() == settings.focal);
        let hint = suggestion(&settings.focal, with_levers.iter().copied());
        anyhow::bail!(
            "--for {}: {}{hint}; actors with levers: {}",
            settings.focal,
            if known {
                "this actor has no lever in the model"
            } else {
                "no such actor in the record"
            },
            with_levers.join(", ")
        );
    }
    let bar = Progress::new(
        compiled.settings.samples,
        "samples",
        &format!("levers of {}", settings.focal),
    );
    // The model's levers, and the packages the actor can offer across linked issues.
    let mut levers = model.levers.clone();
    levers.extend(package_levers(&compiled, &model.links, &settings.focal));
    let report = if args.exhaustive {
        let mine = levers.iter().filter(|l| l.actor.as_str() == settings.focal).count();
        let count = accord_analysis::exhaustive::combinations(mine, settings.max_levers);
        if let Err(e) = limits::check(
            &format!(
                "--exhaustive --max-levers {}: the number of combinations of {}'s {mine} levers",
                settings.max_levers, settings.focal
            ),
            count,
            limits::MAX_EXHAUSTIVE_COMBINATIONS,
            args.no_limit,
        ) {
            bar.finish();
            return Err(e);
        }
        accord_analysis::exhaustive::search(&compiled, &levers, settings, cancel_flag(), &|n| bar.set_position(n))
    } else {
        search(&compiled, &levers, settings, cancel_flag(), &|n| bar.set_position(n))
    };
    bar.finish();
    if crate::output::cancelled() && report.is_err() {
        stopped_check(true, 0, compiled.settings.samples)?;
    }
    Ok(report?)
}

/// Runs `accord opportunities`.
pub fn run(args: OpportunitiesArgs) -> anyhow::Result<()> {
    if args.exhaustive && args.max_levers > limits::MAX_EXHAUSTIVE_LEVERS {
        anyhow::bail!(
            "--max-levers {} with --exhaustive: at most {} levers are combined exhaustively \
             (the combinations grow as C(levers, K)); use the beam search (without --exhaustive) for more",
            args.max_levers,
            limits::MAX_EXHAUSTIVE_LEVERS
        );
    }
    let settings = SearchSettings {
        focal: args.focal.clone(),
        max_levers: args.max_levers,
        beam_width: args.beam_width,
        loss: match args.loss {
            LossArg::Linear => Loss::Linear,
            LossArg::Quadratic => Loss::Quadratic,
        },
    };
    let report = run_search(&args, &settings)?;
    if args.json {
        print_json(&report)?;
    } else {
        print_report(&report)?;
    }
    if report.partial || crate::output::cancelled() {
        return Err(crate::output::Interrupted(
            "stopped by Ctrl-C; the ranking above covers only the samples done before it (marked PARTIAL)".into(),
        )
        .into());
    }
    Ok(())
}

/// Combinations shown per size (pairs, triples, …) in the table; the JSON has all.
const BEST_PER_SIZE: usize = 5;

fn print_report(report: &SearchReport) -> anyhow::Result<()> {
    outln!(
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
    outln!("{}", report.table.description);
    if let Some(w) = &report.table.widened {
        outln!("table widened: {w}");
    }
    if report.method == "exhaustive" {
        outln!(
            "Exhaustive: every combination of 1 to {} of {}'s {} levers was evaluated ({} combinations; the {} best of 2 or more, and the {} best of each size, are kept)",
            report.settings.max_levers.min(report.singles.len()),
            report.settings.focal,
            report.singles.len(),
            report.evaluated,
            accord_analysis::opportunities::KEPT_OVERALL,
            accord_analysis::opportunities::KEPT_PER_SIZE
        );
    }
    let rival = if report.settings.focal == "CHN" { "RUS" } else { "CHN" };
    // Every single lever, then the best combinations of each size (pairs,
    // triples, …), so that the best pair is never hidden behind triples.
    let largest = report.combinations.iter().map(|c| c.levers.len()).max().unwrap_or(1);
    let mut groups: Vec<(String, Vec<&Candidate>)> =
        vec![("Single levers".to_owned(), report.singles.iter().collect())];
    for size in 2..=largest {
        let best: Vec<&Candidate> = report
            .combinations
            .iter()
            .filter(|c| c.levers.len() == size)
            .take(BEST_PER_SIZE)
            .collect();
        let name = match size {
            2 => "pairs".to_owned(),
            3 => "triples".to_owned(),
            n => format!("combinations of {n} levers"),
        };
        groups.push((format!("Best {name} (top {})", best.len()), best));
    }
    for (title, candidates) in groups {
        if candidates.is_empty() {
            continue;
        }
        outln!("{title}:");
        let mut t = table(&[
            "levers",
            "ΔU (95 % interval)",
            "issues moved (mean shift)",
            &format!("ΔU of {rival}"),
        ]);
        for c in candidates {
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
        outln!("{t}");
    }
    crate::output::footer(&format!(
        "ΔU: change of {f}'s expected utility U = −Σ (salience/100)·loss(distance/100) over its issues; +0.01 is \
         one issue of salience 100 ending 1 point closer to {f}'s position (linear loss); 0 = no change; the \
         interval is 95 % from paired standard errors. Mean shift: points on the issue's 0–100 scale.",
        f = report.settings.focal
    ))?;
    if let Some(best) = report.combinations.first().or(report.singles.first()) {
        outln!("Best: {} — why:", best.levers.join(" + "));
        for s in &best.shifts {
            outln!("  {s}");
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
        outln!(
            "  others gaining most: {}; losing most: {}",
            gainers.join(", "),
            losers.join(", ")
        );
    }

    Ok(())
}
