//! `accord influence`: who accounts for each outcome, by sphere or issue, and
//! the members' voting power under the organization's rule and alternatives.

use std::path::PathBuf;

use accord_analysis::influence::{InfluenceReport, influence_with};
use accord_engine::EngineError;
use clap::{Args, ValueEnum};

use crate::{
    limits,
    output::{Interrupted, Progress, cancel_flag, print_json, table},
};

/// Arguments of `accord influence`.
#[derive(Debug, Args)]
pub struct InfluenceArgs {
    /// A scenario file (default: the embedded baseline).
    scenario: Option<PathBuf>,
    /// Aggregate by sphere or show every issue.
    #[arg(long, value_enum, default_value_t = By::Sphere)]
    by: By,
    /// Sample this many permutations instead of the automatic choice (exact
    /// for the compromise model up to 20 actors; sampled with dynamics).
    /// At least 2; at most 100,000 without --no-limit.
    #[arg(long, value_parser = limits::permutations)]
    permutations: Option<u64>,
    /// Read record and model from this data folder (holding record/ and
    /// model/, as `accord check` takes it).
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Allow more permutations than the limit (see docs/reliability.md).
    #[arg(long)]
    no_limit: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum By {
    Sphere,
    Issue,
}

/// Computes the influence report of a scenario.
pub fn compute(
    data: Option<&std::path::Path>,
    scenario: Option<&std::path::Path>,
    permutations: Option<u64>,
) -> anyhow::Result<InfluenceReport> {
    let compiled = super::forecast::load_scenario(data, scenario)?;
    let bar = Progress::new(0, "coalition evaluations", "influence");
    let report = influence_with(&compiled, permutations, cancel_flag(), &|done, total| {
        bar.set_done_of(done, total);
    });
    bar.finish();
    match report {
        Err(EngineError::Cancelled) => {
            Err(Interrupted("influence stopped before the end; nothing was printed".into()).into())
        }
        r => Ok(r?),
    }
}

/// Runs `accord influence`.
pub fn run(args: InfluenceArgs) -> anyhow::Result<()> {
    if let Some(p) = args.permutations {
        limits::check("--permutations", p, limits::MAX_PERMUTATIONS, args.no_limit)?;
    }
    let report = compute(args.data.as_deref(), args.scenario.as_deref(), args.permutations)?;
    if args.json {
        return print_json(&report);
    }
    outln!(
        "Influence in `{}`: each actor's Shapley share of the outcomes' displacement from the status quo",
        report.scenario
    );
    outln!("{}", report.table.description);
    if let Some(w) = &report.table.widened {
        outln!("table widened: {w}");
    }
    match args.by {
        By::Sphere => {
            let mut t = table(&["sphere", "total displacement", "RUS", "CHN", "largest shares"]);
            for s in &report.spheres {
                let of = |a: &str| {
                    s.shares
                        .iter()
                        .find(|(x, _)| x == a)
                        .map_or("—".into(), |(_, v)| format!("{:+.1} %", v * 100.0))
                };
                t.add_row(vec![
                    s.sphere.as_str().to_owned(),
                    format!("{:.1}", s.displacement),
                    of("RUS"),
                    of("CHN"),
                    s.shares
                        .iter()
                        .take(4)
                        .map(|(a, v)| format!("{a} {:.0} %", v * 100.0))
                        .collect::<Vec<_>>()
                        .join(", "),
                ]);
            }
            outln!("{t}");
            crate::output::footer(
                "Shares: an actor's Shapley values (signed by the direction each issue moved) summed over the sphere's issues, as a percentage of the sphere's \
                 total displacement (the sum over its issues of |outcome − status quo|, in points of the issues' \
                 0–100 scales); positive: it pushed the outcomes where they went; negative: it held them back; \
                 every sphere's shares sum to 100 %.",
            )?;
        }
        By::Issue => {
            let mut t = table(&[
                "issue",
                "status quo → outcome",
                "method",
                "largest contributions (points)",
            ]);
            for i in &report.issues {
                let a = &i.attribution;
                let mut pairs: Vec<(&String, f64)> = a.actors.iter().zip(a.values.iter().map(|v| v[0])).collect();
                pairs.sort_by(|x, y| y.1.abs().total_cmp(&x.1.abs()));
                t.add_row(vec![
                    crate::output::issue_cell(&i.issue),
                    format!("{:.1} → {:.1}", a.status_quo[0], a.status_quo[0] + a.displacement[0]),
                    if a.exact {
                        "exact".into()
                    } else {
                        format!("{} permutations", a.permutations.unwrap_or(0))
                    },
                    pairs
                        .iter()
                        .take(4)
                        .map(|(x, v)| format!("{x} {v:+.1}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                ]);
            }
            outln!("{t}");
            crate::output::footer(
                "Contributions: each actor's Shapley value, in points of the issue's 0–100 scale; an issue's \
                 contributions sum to its displacement (outcome − status quo).",
            )?;
        }
    }
    outln!(
        "\nVoting power of the voting members ({}):",
        report.power.first().map_or(String::new(), |p| p.voters.join(" "))
    );
    let mut t = table(&[
        "rule",
        "Shapley–Shubik (each)",
        "Banzhaf, absolute (each)",
        "share of coalitions that win",
    ]);
    for p in &report.power {
        t.add_row(vec![
            p.rule.clone(),
            format!("{:.3}", p.indices.shapley_shubik.first().copied().unwrap_or(f64::NAN)),
            format!("{:.4}", p.indices.banzhaf_absolute.first().copied().unwrap_or(f64::NAN)),
            format!("{:.3}", p.passage),
        ]);
    }
    outln!("{t}");
    outln!(
        "Under consensus every member holds a veto; the body can act on only one coalition in {:.0}.",
        1.0 / report.power[0].passage
    );
    Ok(())
}
