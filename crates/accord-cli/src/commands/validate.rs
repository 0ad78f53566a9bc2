//! `accord validate …`: score every model on recorded decisions.
//!
//! `accord validate deu [FILE] [--json | --markdown] [--timing]` reads a DEU
//! III file (default: the development part shipped in `data/deu3/`), runs
//! every dynamics × decision rule × capability set and the baselines on every
//! issue, and reports their errors, a bootstrap interval that resamples
//! proposals, breakdowns by procedure and voting rule, and the combination
//! recommended by cross-validation over proposals. `--markdown` writes the
//! page `docs/validation.md` is generated from.

use std::path::PathBuf;
use std::time::Instant;

use crate::commands::calibration::{
    calibrate_plan, calibration_toml, json_calibration, markdown_calibration, text_calibration,
};
use crate::output::{Interrupted, Progress, cancel_flag};
use accord_engine::EngineError;
use accord_engine::calibration::CalibrationReport;
use accord_engine::validation::{ValidationReport, predict_all_with, score_with};
use accord_io::deu::{
    COUNCIL_WEIGHTS_CSV, COUNCIL_WEIGHTS_NAME, DEU3_DEV_NAME, DEU3_DEV_TSV, DeuPlan, PlanSettings,
    parse_council_weights, read_deu, validation_plan,
};
use accord_report::validation::{json_report, markdown_report, text_report};
use clap::{Args, Subcommand};

/// Arguments of `accord validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The data set to validate on.
    #[command(subcommand)]
    pub command: ValidateCommand,
}

/// The data sets `accord validate` knows.
#[derive(Debug, Subcommand)]
pub enum ValidateCommand {
    /// Score every model on DEU III issues (EU legislation with recorded outcomes).
    Deu(DeuArgs),
}

/// Arguments of `accord validate deu`.
#[derive(Debug, Args)]
pub struct DeuArgs {
    /// DEU TSV file; default: the development part shipped in data/deu3/.
    pub file: Option<PathBuf>,
    /// Council weights CSV; default: the one shipped in data/eu-council-weights/.
    #[arg(long)]
    pub weights: Option<PathBuf>,
    /// Print the report as JSON (a field per model combination).
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,
    /// Print the report as the Markdown page docs/validation.md.
    #[arg(long)]
    pub markdown: bool,
    /// Leave out the dynamic models (SMP, EUM): static decision rules and baselines only.
    #[arg(long)]
    pub no_dynamics: bool,
    /// Print the wall-clock time of the validation to stderr.
    #[arg(long)]
    pub timing: bool,
    /// Seed of the models, the bootstrap and the folds.
    #[arg(long, default_value_t = PlanSettings::default().seed)]
    pub seed: u64,
    /// Bootstrap resamples (of proposals) for the MAE interval (at least 1;
    /// at most 100,000 without --no-limit).
    #[arg(long, default_value_t = PlanSettings::default().resamples, value_parser = crate::limits::at_least_one)]
    pub resamples: usize,
    /// Folds of the cross-validation over proposals: from 2 to the number of
    /// proposals.
    #[arg(long, default_value_t = PlanSettings::default().folds)]
    pub folds: usize,
    /// Repetitions of the cross-validation with different fold assignments
    /// (at least 1; at most 1,000 without --no-limit).
    #[arg(long, default_value_t = PlanSettings::default().repeats, value_parser = crate::limits::at_least_one)]
    pub repeats: usize,
    /// Allow more resamples and repeats than the limits (see docs/reliability.md).
    #[arg(long)]
    pub no_limit: bool,
    /// Print the learned model error and stacking weights as the TOML data
    /// file the forecasts read (`data/calibration/deu.toml`).
    #[arg(long, conflicts_with_all = ["json", "markdown"])]
    pub calibration_toml: bool,
}

/// Runs `accord validate`.
pub fn run(args: ValidateArgs) -> anyhow::Result<()> {
    match args.command {
        ValidateCommand::Deu(args) => run_deu(args),
    }
}

fn run_deu(args: DeuArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.folds >= 2, "--folds must be at least 2, got {}", args.folds);
    anyhow::ensure!(args.repeats >= 1, "--repeats must be at least 1, got {}", args.repeats);
    crate::limits::check(
        "--resamples",
        args.resamples as u64,
        crate::limits::MAX_RESAMPLES as u64,
        args.no_limit,
    )?;
    crate::limits::check(
        "--repeats",
        args.repeats as u64,
        crate::limits::MAX_REPEATS as u64,
        args.no_limit,
    )?;
    let start = Instant::now();
    let (weights_text, weights_name) = match &args.weights {
        Some(p) => (accord_io::text::read_text_file(p)?, p.display().to_string()),
        None => (COUNCIL_WEIGHTS_CSV.to_string(), COUNCIL_WEIGHTS_NAME.to_string()),
    };
    let weights = parse_council_weights(&weights_text, &weights_name)?;
    let (data_text, data_name) = match &args.file {
        Some(p) => (accord_io::text::read_text_file(p)?, p.display().to_string()),
        None => (DEU3_DEV_TSV.to_string(), DEU3_DEV_NAME.to_string()),
    };
    let data = read_deu(&data_text, &data_name, &weights)?;
    let settings = PlanSettings {
        seed: args.seed,
        resamples: args.resamples,
        folds: args.folds,
        repeats: args.repeats,
        dynamics: !args.no_dynamics,
    };
    let plan = validation_plan(&data, &settings);
    if plan.cases.is_empty() {
        anyhow::bail!(
            "{data_name}: no issue has a recorded outcome (column `out`), so nothing can be scored or calibrated; \
             {} issues were read, all without one",
            plan.without_outcome.len()
        );
    }
    // Cross-validation groups issues by proposal: each fold needs one.
    anyhow::ensure!(
        args.folds <= data.proposals(),
        "--folds {} is more than the {} proposals of {}: give from 2 to {}",
        args.folds,
        data.proposals(),
        data.file,
        data.proposals()
    );
    let (report, (calibration, missing)) = run_with_progress(&plan, &data_name, args.folds, args.seed)?;
    let elapsed = start.elapsed();
    let output = if args.calibration_toml {
        calibration_toml(
            &calibration,
            (&data_name, &data_text),
            (&weights_name, &weights_text),
            args.seed,
        )?
    } else if args.json {
        serde_json::to_string_pretty(&json_report(
            &data,
            &plan,
            &report,
            json_calibration(&calibration, &missing),
        ))? + "\n"
    } else if args.markdown {
        markdown_report(&data, &plan, &report, &markdown_calibration(&calibration, &missing))
    } else {
        text_report(
            &data,
            &plan,
            &report,
            (!crate::output::wide()).then_some(usize::from(crate::output::TABLE_WIDTH)),
        ) + &text_calibration(&calibration, &missing)
    };
    out!("{output}");
    if args.timing {
        eprintln!(
            "validation: {} candidates × {} issues (reading, every run, bootstrap, cross-validation) in {:.3} s on {} threads",
            plan.candidates.len(),
            plan.cases.len(),
            elapsed.as_secs_f64(),
            rayon_threads()
        );
    }
    Ok(())
}

/// Every model's predictions, their scores and the calibration, each phase
/// with its progress on standard error; Ctrl-C stops the run with
/// [`Interrupted`].
fn run_with_progress(
    plan: &DeuPlan,
    data_name: &str,
    folds: usize,
    seed: u64,
) -> anyhow::Result<(ValidationReport, (CalibrationReport, Vec<String>))> {
    let stopped = |what: &str| Interrupted(format!("{what} stopped before the end; nothing was printed"));
    let bar = Progress::new(0, "model runs", "running the models");
    let predictions = predict_all_with(
        &plan.cases,
        &plan.candidates,
        plan.config.seed,
        cancel_flag(),
        &|d, t| bar.set_done_of(d, t),
    );
    bar.finish();
    let predictions = match predictions {
        Err(EngineError::Cancelled) => return Err(stopped("the models' runs").into()),
        r => r?,
    };
    let bar = Progress::new(0, "candidates", "scoring (bootstrap, selection)");
    let report = score_with(
        &plan.cases,
        &plan.candidates,
        &predictions,
        &plan.config,
        cancel_flag(),
        &|d, t| bar.set_done_of(d, t),
    );
    bar.finish();
    let report = match report {
        Err(EngineError::Cancelled) => return Err(stopped("the scoring").into()),
        r => r?,
    };
    let bar = Progress::new(0, "folds", "calibration (nested cross-validation)");
    let calibration = calibrate_plan(plan, &predictions, data_name, folds, seed, cancel_flag(), &|d, t| {
        bar.set_done_of(d, t)
    });
    bar.finish();
    Ok((report, calibration?))
}

fn rayon_threads() -> usize {
    std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_io::deu::DeuData;
    use accord_report::validation::COMPROMISE;
    use serde_json::json;

    fn static_run() -> (DeuData, DeuPlan, ValidationReport, CalibrationReport, Vec<String>) {
        let data = DeuData::embedded().expect("shipped data");
        let settings = PlanSettings {
            dynamics: false,
            resamples: 200,
            repeats: 2,
            ..PlanSettings::default()
        };
        let plan = validation_plan(&data, &settings);
        let predictions = accord_engine::validation::predict_all(&plan.cases, &plan.candidates, plan.config.seed);
        let report = accord_engine::validation::score(&plan.cases, &plan.candidates, &predictions, &plan.config);
        let no = std::sync::atomic::AtomicBool::new(false);
        let (calibration, missing) =
            calibrate_plan(&plan, &predictions, "test", 10, plan.config.seed, &no, &|_, _| {}).unwrap();
        (data, plan, report, calibration, missing)
    }

    #[test]
    fn the_narrow_table_fits_100_columns_and_names_what_it_drops() {
        let (data, plan, report, _, _) = static_run();
        let narrow = accord_report::validation::text_report(&data, &plan, &report, Some(100));
        assert!(narrow.lines().all(|l| l.chars().count() <= 100), "{narrow}");
        assert!(narrow.contains("Columns not shown, to fit 100 columns (--wide shows them):"));
        assert!(narrow.contains("proc=CNS") && !narrow.lines().any(|l| l.starts_with("none/") && l.contains("(101)")));
        let wide = accord_report::validation::text_report(&data, &plan, &report, None);
        assert!(wide.lines().any(|l| l.contains("proc=COD")) && !wide.contains("Columns not shown"));
    }

    #[test]
    fn json_marks_exactly_one_recommended_combination() {
        let (data, plan, report, calibration, missing) = static_run();
        let v = json_report(&data, &plan, &report, json_calibration(&calibration, &missing));
        let cal = v["calibration"].as_array().expect("calibration array");
        assert_eq!(cal.len(), 3);
        assert_eq!(cal[2]["nominal"], json!(0.9));
        assert_eq!(cal[2]["n"], json!(plan.cases.len()));
        assert!(cal[2]["covered"].as_f64().unwrap() > 0.8);
        let combos = v["combinations"].as_object().expect("combinations object");
        let recommended: Vec<&String> = combos
            .iter()
            .filter(|(_, c)| c["recommended"] == json!(true))
            .map(|(k, _)| k)
            .collect();
        assert_eq!(recommended.len(), 1);
        assert_eq!(v["recommendation"]["chosen"], json!(recommended[0]));
        let compromise = &combos[COMPROMISE];
        assert_eq!(compromise["capabilities"], json!("vote_weight"));
        assert_eq!(compromise["rule"]["kind"], json!("weighted_mean"));
        assert!((compromise["mae"].as_f64().unwrap() - 22.39).abs() < 0.01);
        assert!(
            v["baselines"]["baseline/always_50"]["by_procedure"]["COD"]["n"]
                .as_u64()
                .unwrap()
                > 0
        );
    }

    #[test]
    fn markdown_states_how_to_regenerate_it() {
        let (data, plan, report, calibration, missing) = static_run();
        let md = markdown_report(&data, &plan, &report, &markdown_calibration(&calibration, &missing));
        assert!(md.contains("Reliability diagram"));
        assert!(
            md.lines()
                .take(5)
                .any(|l| l.contains("accord validate deu --markdown > docs/validation.md"))
        );
        assert!(md.contains("**recommended**"));
        assert!(md.contains("Arregui & Perarnaud"));
    }
}
