//! `accord import experts FILE.csv [--into SCENARIO.toml]`: stances from a
//! sheet several experts filled in (`docs/experts.md`), as a scenario
//! fragment. The reading and the combining are `accord_io::expert_csv`'s,
//! the same the server's `POST /api/import/experts` calls.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Subcommand};

/// Arguments of `accord import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    what: What,
}

#[derive(Debug, Subcommand)]
enum What {
    /// Stances from an experts' CSV (expert,actor,issue,position,salience[,capability_factor][,note]):
    /// the range is their disagreement, the point value their median, each expert kept in the basis.
    Experts(ExpertsArgs),
}

/// Arguments of `accord import experts`.
#[derive(Debug, Args)]
struct ExpertsArgs {
    /// The experts' sheet (CSV, UTF-8; format in docs/experts.md).
    file: PathBuf,
    /// Append the stances to this scenario file (replaced atomically, only if
    /// the result is a valid scenario). Without it the fragment is printed
    /// and no file is written.
    #[arg(long, value_name = "SCENARIO.toml")]
    into: Option<PathBuf>,
    /// A data folder holding record/ and model/ (default: the embedded SCO data).
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Print the stances as JSON instead of a TOML fragment.
    #[arg(long, conflicts_with = "into")]
    json: bool,
}

/// Runs `accord import`.
pub fn run(args: ImportArgs) -> anyhow::Result<()> {
    match args.what {
        What::Experts(a) => experts(a),
    }
}

fn experts(args: ExpertsArgs) -> anyhow::Result<()> {
    let (record, model) = crate::data::record_and_model(args.data.as_deref())?;
    let shown = args.file.display().to_string();
    let text = accord_io::text::read_text_file(&args.file)?;
    // The scenario written into may add issues of its own.
    let target = match &args.into {
        Some(path) => Some(read_scenario(path)?),
        None => None,
    };
    let actors: Vec<&str> = model.capabilities.iter().map(|c| c.actor.as_str()).collect();
    let mut issues: Vec<&str> = model.issues.iter().map(|i| i.id.as_str()).collect();
    if let Some((_, s)) = &target {
        issues.extend(s.new_issue.iter().map(|n| n.id.as_str()));
    }
    let stances = accord_io::expert_csv::read_experts(&text, &shown)
        .and_then(|sheet| accord_io::expert_csv::to_stances(&sheet, &text, &shown, &actors, &issues))
        .map_err(|d| crate::data::diagnostics(&format!("{shown} is not a valid experts' sheet"), &d))?;
    let fragment = accord_io::expert_csv::fragment(&stances);
    let (Some(path), Some((old, _))) = (&args.into, target) else {
        if args.json {
            return crate::output::print_json(&stances);
        }
        out!("{fragment}");
        return Ok(());
    };
    let mut new = old;
    if !new.ends_with('\n') {
        new.push('\n');
    }
    new.push('\n');
    new.push_str(&fragment);
    let scenario_name = path.display().to_string();
    let scenario = accord_io::scenario::parse_scenario(&scenario_name, &new)
        .map_err(|d| crate::data::diagnostics("the scenario with the experts' stances would not read", &d))?;
    accord_analysis::compile(&record, &model, &scenario).map_err(|p| {
        crate::data::diagnostics(
            &format!("{scenario_name} was left as it was: with the experts' stances it would be invalid"),
            &accord_io::scenario::locate_problems(&scenario_name, &new, &p),
        )
    })?;
    crate::report_folder::replace_file(path, new.as_bytes())?;
    outln!("{} stance(s) from {shown} appended to {scenario_name}", stances.len());
    Ok(())
}

/// The scenario file's text and what it reads as.
fn read_scenario(path: &Path) -> anyhow::Result<(String, accord_analysis::Scenario)> {
    let text = accord_io::text::read_text_file(path).with_context(|| "--into names the scenario file to append to")?;
    let name = path.display().to_string();
    let s = accord_io::scenario::parse_scenario(&name, &text)
        .map_err(|d| crate::data::diagnostics(&format!("{name} is not a valid scenario"), &d))?;
    Ok((text, s))
}
