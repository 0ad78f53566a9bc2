//! `accord ktab …`: run KTAB scenarios.
//!
//! `accord ktab run FILE [--json | --csv]` reads a KTAB CSV or XML scenario,
//! runs KTAB's Spatial Model of Politics and prints the final positions with
//! the number of turns and why the run stopped (default), the whole history in
//! long format (`--csv`: `turn,actor,dimension,position`, 0-based indices in
//! input order), or everything as
//! JSON (`--json`: history, final positions, risk attitudes, winning
//! probabilities, stop ratios, settings and stop reason). Flags override the
//! scenario's model parameters.

use std::fmt::Write as _;
use std::path::PathBuf;

use accord_engine::StopReason;
use accord_engine::smp::{
    self, BargainModel, BigRAdjust, BigRRange, InterVecBrgn, PceModel, SmpSettings, SmpVotingRule, StateTransitions,
    ThirdPartyCommit, VictoryProbModel,
};
use accord_io::ktab::{KtabScenario, read_file};
use anyhow::Context;
use clap::{Args, Subcommand};

use crate::output::{Interrupted, Progress, cancel_flag};

/// Arguments of `accord ktab`.
#[derive(Debug, Args)]
pub struct KtabArgs {
    /// What to do with the scenario.
    #[command(subcommand)]
    pub command: KtabCommand,
}

/// The `accord ktab` subcommands.
#[derive(Debug, Subcommand)]
pub enum KtabCommand {
    /// Run the Spatial Model of Politics on a KTAB CSV or XML scenario.
    Run(RunArgs),
}

/// Arguments of `accord ktab run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// KTAB scenario: CSV (name, description, actors, dimensions; header; one
    /// actor a line) or XML (smpSchema.xsd).
    pub file: PathBuf,
    /// Print the whole run as JSON.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print the position history as CSV: turn,actor,dimension,position, with
    /// 0-based actor and dimension indices in input order (as KTAB's tables).
    #[arg(long)]
    pub csv: bool,
    /// Seed of the stochastic state transitions (default: the XML's
    /// prngSeed, else 0).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Maximum number of iterations, at least 1 (KTAB: 100; at most 10,000
    /// without --no-limit).
    #[arg(long, value_parser = crate::limits::at_least_one)]
    pub max_iterations: Option<usize>,
    /// Stop when a step moves less than this fraction of the first: a number
    /// from 0 to 1 (KTAB: 0.02).
    #[arg(long, value_parser = parse_ratio)]
    pub min_delta_ratio: Option<f64>,
    /// Allow more iterations than the limit (see docs/reliability.md).
    #[arg(long)]
    pub no_limit: bool,
    /// Victory probability model: Linear, Square, Quartic, Octic, Binary.
    #[arg(long, value_parser = parse_enum::<VictoryProbModel>)]
    pub victory_prob_model: Option<VictoryProbModel>,
    /// PCE model: Conditional, MarkovIncentive, MarkovUniform.
    #[arg(long, value_parser = parse_enum::<PceModel>)]
    pub pce_model: Option<PceModel>,
    /// State transitions: Deterministic, Stochastic.
    #[arg(long, value_parser = parse_enum::<StateTransitions>)]
    pub state_transitions: Option<StateTransitions>,
    /// Voting rule: Binary, PropBin, Proportional, PropCbc, Cubic, ASymProsp.
    #[arg(long, value_parser = parse_enum::<SmpVotingRule>)]
    pub voting_rule: Option<SmpVotingRule>,
    /// Risk estimation: Full, TwoThirds, Half, OneThird, No.
    #[arg(long, value_parser = parse_enum::<BigRAdjust>)]
    pub big_r_adjust: Option<BigRAdjust>,
    /// Risk range: Min, Mid, Max.
    #[arg(long, value_parser = parse_enum::<BigRRange>)]
    pub big_r_range: Option<BigRRange>,
    /// Third-party commitment: NoCommit, SemiCommit, FullCommit.
    #[arg(long, value_parser = parse_enum::<ThirdPartyCommit>)]
    pub third_party_commit: Option<ThirdPartyCommit>,
    /// Bargain interpolation: S1P1, S2P2, S2PMax.
    #[arg(long, value_parser = parse_enum::<InterVecBrgn>)]
    pub inter_vec_brgn: Option<InterVecBrgn>,
    /// Bargain model: InitOnlyInterp, InitRcvrInterp, PWCompInterp.
    #[arg(long, value_parser = parse_enum::<BargainModel>)]
    pub bargain_model: Option<BargainModel>,
    /// Ignore the XML's ideal-adjustment matrix (ideals equal positions).
    #[arg(long)]
    pub no_accommodation: bool,
}

/// Parsing of KTAB's parameter names for clap.
trait KtabName: Sized {
    fn parse(s: &str) -> Option<Self>;
    fn names() -> String;
}

macro_rules! ktab_name {
    ($($t:ty),*) => {$(
        impl KtabName for $t {
            fn parse(s: &str) -> Option<Self> {
                <$t>::from_ktab_name(s)
            }
            fn names() -> String {
                <$t>::ktab_names()
            }
        }
    )*};
}
ktab_name!(
    VictoryProbModel,
    PceModel,
    StateTransitions,
    SmpVotingRule,
    BigRAdjust,
    BigRRange,
    ThirdPartyCommit,
    InterVecBrgn,
    BargainModel
);

fn parse_enum<T: KtabName>(s: &str) -> Result<T, String> {
    T::parse(s).ok_or_else(|| format!("unknown value `{s}`; valid: {}", T::names()))
}

/// Parses `--min-delta-ratio`: a finite number in [0, 1].
fn parse_ratio(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        Ok(_) => Err(format!(
            "{s} is outside 0 to 1: the ratio compares a step with the first step"
        )),
        Err(_) => Err(format!("`{s}` is not a number (from 0 to 1)")),
    }
}

/// Runs `accord ktab`.
pub fn run(args: KtabArgs) -> anyhow::Result<()> {
    match args.command {
        KtabCommand::Run(a) => run_smp(a),
    }
}

fn settings_of(a: &RunArgs, scenario: &KtabScenario) -> SmpSettings {
    let mut s = scenario.settings.clone();
    macro_rules! set {
        ($($f:ident),*) => {$( if let Some(v) = a.$f { s.$f = v; } )*};
    }
    set!(
        max_iterations,
        min_delta_ratio,
        victory_prob_model,
        pce_model,
        state_transitions,
        voting_rule,
        big_r_adjust,
        big_r_range,
        third_party_commit,
        inter_vec_brgn,
        bargain_model
    );
    if a.no_accommodation {
        s.accommodation = None;
    }
    s
}

fn stop_text(stop: &StopReason) -> &'static str {
    match stop {
        StopReason::Converged => "converged: the last step moved less than the threshold fraction of the first",
        StopReason::IterationLimit => "reached the iteration limit",
        StopReason::Static => "no dynamics",
        StopReason::RoundsCompleted => "all rounds played",
    }
}

fn run_smp(a: RunArgs) -> anyhow::Result<()> {
    let scenario = read_file(&a.file)?;
    let settings = settings_of(&a, &scenario);
    let from = if a.max_iterations.is_some() {
        "--max-iterations"
    } else {
        "the scenario's maximum number of iterations"
    };
    // The history keeps every position of every iteration: the cap on
    // iterations shrinks for large scenarios so that it stays in memory.
    let positions = (scenario.issue.stances.len() * scenario.issue.dimensions).max(1) as u64;
    let limit = (crate::limits::MAX_HISTORY_POSITIONS / positions).clamp(1, crate::limits::MAX_ITERATIONS as u64);
    crate::limits::check(from, settings.max_iterations as u64, limit, a.no_limit)?;
    let seed = a.seed.or(scenario.seed).unwrap_or(0);
    let bar = Progress::new(settings.max_iterations as u64, "iterations", "SMP");
    let result = smp::run_with(&scenario.issue, &settings, seed, cancel_flag(), &|done, total| {
        bar.set_done_of(done, total);
    });
    bar.finish();
    let result = match result {
        Err(accord_engine::EngineError::Cancelled) => {
            return Err(Interrupted("SMP stopped before the end; nothing was printed".into()).into());
        }
        r => r.with_context(|| format!("running SMP on {}", a.file.display()))?,
    };
    let names: Vec<&str> = scenario.issue.stances.iter().map(|s| s.actor.as_str()).collect();
    let hist = &result.history;
    let mut out = String::new();
    if a.csv {
        out.push_str("turn,actor,dimension,position\n");
        for (t, state) in hist.positions.iter().enumerate() {
            for (i, pos) in state.iter().enumerate() {
                for (k, v) in pos.iter().enumerate() {
                    writeln!(out, "{t},{i},{k},{v}")?;
                }
            }
        }
    } else if a.json {
        let v = accord_io::ktab::run_json(&scenario, &a.file.display().to_string(), &settings, seed, &result);
        out = serde_json::to_string_pretty(&v)?;
        out.push('\n');
    } else {
        writeln!(
            out,
            "Scenario: {} ({} actors, {} dimensions)",
            scenario.name,
            names.len(),
            scenario.issue.dimensions
        )?;
        writeln!(
            out,
            "{} turns ({} states); stopped: {}",
            hist.turns(),
            hist.positions.len(),
            stop_text(&hist.stop)
        )?;
        writeln!(out)?;
        let w = names.iter().map(|n| n.chars().count()).max().unwrap_or(5).max(5);
        write!(out, "{:<w$}", "actor")?;
        for d in &scenario.dimension_names {
            let dw = d.chars().count().max(8);
            write!(out, "  {d:>dw$}")?;
        }
        writeln!(out, "  {:>8}", "P(win)")?;
        let last = result.probabilities.last();
        for (i, pos) in hist.final_positions().iter().enumerate() {
            write!(out, "{:<w$}", names[i])?;
            for (k, v) in pos.iter().enumerate() {
                let dw = scenario.dimension_names[k].chars().count().max(8);
                write!(out, "  {v:>dw$.2}")?;
            }
            let p = last.map(|p| p[i]).unwrap_or(f64::NAN);
            writeln!(out, "  {p:>8.4}")?;
        }
    }
    out!("{out}");
    Ok(())
}
