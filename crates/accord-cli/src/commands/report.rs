//! `accord report`: the main job. Runs the embedded SCO model's baseline and
//! every shipped scenario against it, and writes a self-contained HTML report
//! and a Markdown report (with its charts as SVG files) into a folder, with
//! the opportunities of Russia and China (lever search) and their influence
//! by sphere and the members' voting power in the baseline and the
//! enlargement scenarios.

use std::{
    path::{Path, PathBuf},
    sync::{Mutex, atomic::Ordering},
    time::Instant,
};

use accord_analysis::{
    influence::influence,
    opportunities::{Loss, SearchSettings, search},
};

use accord_report::{
    Extensions,
    build::{self, ScenarioInput},
    compute,
};
use clap::Args;

use crate::{
    commands::forecast::{compile_text, override_run},
    limits,
    output::{Interrupted, Progress, cancel_flag, cancelled},
    report_folder::Staging,
};

/// Samples of each scenario comparison, unless `--samples` says otherwise,
/// when the model has bargaining dynamics: with EUM, eight scenarios at the
/// baseline's 2000 samples take over a minute on two busy cores; at 1000 the
/// whole report takes about half a minute. Without dynamics a sample costs
/// microseconds, and the comparisons use all of the baseline's samples.
pub const SCENARIO_SAMPLES_WITH_DYNAMICS: u64 = 1_000;

/// Samples per candidate of the lever searches, unless `--samples` says
/// otherwise: Russia's 22 levers make 1793 combinations, about 13 s at 500
/// samples on two cores (a minute at the baseline's 2000).
pub const OPPORTUNITY_SAMPLES: u64 = 500;

/// Samples per model of the backtest section, unless `--samples` says
/// otherwise: four models (two with dynamics) at 500 samples keep the
/// report's time in bounds; `docs/backtest.md` uses 1000.
pub const BACKTEST_SAMPLES: u64 = 500;

/// The focal actors of the opportunities section, each with its rival.
const FOCAL: [(&str, &str); 2] = [("RUS", "CHN"), ("CHN", "RUS")];

/// The scenarios whose influence is shown beside the baseline's.
const ENLARGEMENT: [&str; 2] = ["india-pakistan-admitted", "iran-admitted"];

fn default_scenario_samples(baseline: &accord_analysis::Compiled) -> u64 {
    match baseline.settings.model.dynamics {
        accord_engine::Dynamics::None => baseline.settings.samples,
        _ => SCENARIO_SAMPLES_WITH_DYNAMICS,
    }
}

/// Arguments of `accord report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A scenario file to report on: it comes first among the scenarios, the report's subject, compared against the baseline (default: the shipped scenarios only).
    scenario: Option<PathBuf>,
    /// Read record, model and scenarios from this data folder (holding record/, model/ and scenarios/ with a baseline.toml, e.g. data/sco; a backtest.toml there adds the track record) instead of the embedded SCO data.
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Folder to write report.html, report.md and charts/ into: a new folder (created), an empty one, or one an earlier `accord report` wrote (replaced whole). Any other folder is refused: its files are never touched.
    #[arg(long, value_name = "DIR", default_value = "accord-report")]
    out: PathBuf,
    /// Monte Carlo samples of every run, at least 1 [default: the baseline's own (2000); 1000 for each scenario comparison when the model has bargaining dynamics; 500 per lever-search candidate; at most 20,000 without --no-limit].
    #[arg(long, value_parser = limits::positive_samples)]
    samples: Option<u64>,
    /// Seed of the draws [default: the baseline's].
    #[arg(long)]
    seed: Option<u64>,
    /// Allow more samples than the limit (see docs/reliability.md).
    #[arg(long)]
    no_limit: bool,
    /// Print what was written as JSON (title, the summary's lines, issues, scenarios compared, the files) instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs `accord report`.
pub fn run(args: ReportArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    // The lever searches run every sample for each of about 1,800
    // combinations: the search's cap bounds --samples.
    if let Some(n) = args.samples {
        limits::check_samples("--samples", n, limits::MAX_SEARCH_SAMPLES, args.no_limit)?;
    }
    // Before any computation: may the folder be written, and replaced?
    let mut staging = Staging::prepare(&args.out)?;
    let sources = Sources::load(args.data.as_deref(), args.scenario.as_deref())?;
    let (record, model) = (&sources.record, &sources.model);
    // Each scenario compiled; one given on the command line replaces a
    // shipped one of the same id.
    let mut files: Vec<(&str, &str)> = Vec::new();
    let mut compiled: Vec<accord_analysis::Compiled> = Vec::new();
    for (k, (path, text)) in sources.scenarios.iter().enumerate() {
        let c = compile_text(record, model, path, text)?;
        let subject_id = match compiled.get(1) {
            Some(s) if sources.subject && k > 1 => Some(&s.scenario.scenario.id),
            _ => None,
        };
        if subject_id == Some(&c.scenario.scenario.id) {
            continue;
        }
        files.push((path, text));
        compiled.push(c);
    }
    let Some((baseline, scenarios)) = compiled.split_first_mut() else {
        anyhow::bail!("no embedded scenario");
    };
    override_run(baseline, args.samples, args.seed, args.no_limit, limits::MAX_SAMPLES)?;
    let scenario_samples = args
        .samples
        .unwrap_or_else(|| default_scenario_samples(baseline))
        .min(baseline.settings.samples);

    let total = compute::total_samples(baseline, scenarios.len(), scenario_samples);
    let bar = Progress::new(total, "samples", "baseline");
    let stage = Mutex::new(String::new());
    let runs = compute::run_all(baseline, scenarios, scenario_samples, cancel_flag(), &|name, done| {
        if let Ok(mut s) = stage.lock()
            && *s != name
        {
            name.clone_into(&mut s);
            bar.set_message(name);
        }
        bar.set_position(done);
    })?;
    bar.finish();
    not_interrupted(&args.out)?;

    let inputs: Vec<ScenarioInput<'_>> = files
        .iter()
        .zip(compiled.iter())
        .map(|(&(path, text), c)| ScenarioInput {
            path,
            text,
            compiled: c,
        })
        .collect();
    let mut report = build::assemble(record, model, inputs[0], &inputs[1..], runs, env!("CARGO_PKG_VERSION"));
    if report.scenario_samples < report.baseline.run.settings.samples && args.samples.is_none() {
        report.notes.push(format!(
            "With bargaining dynamics, `accord report` runs each scenario comparison on {} samples by default, to \
             finish in under a minute on a small machine; `accord report --samples {}` runs everything on {} samples.",
            report.scenario_samples, report.baseline.run.settings.samples, report.baseline.run.settings.samples
        ));
    }

    if sources.subject
        && let Some(subject) = compiled.get(1)
    {
        report.notes.push(format!(
            "Subject of this report: scenario `{}` ({}), given on the command line, listed first and compared \
             against the baseline `{}`.",
            subject.scenario.scenario.id, files[1].0, compiled[0].scenario.scenario.id
        ));
    }
    report.data_files = sources
        .data_files
        .iter()
        .map(|(path, text)| build::data_file(path, text))
        .collect();

    let models = models_section(&mut report, baseline_of(&compiled), args.samples)?;
    calibrate_comparisons(&mut report, &compiled)?;
    let ext = Extensions {
        models: Some(models),
        opportunities: Some(accord_report::opportunities::section(
            &report,
            &searches(baseline_of(&compiled), model, args.samples, report.stopped),
        )),
        influence: Some(accord_report::influence::section(
            &report,
            ["RUS", "CHN"],
            &influences(&compiled),
        )),
        packages: accord_analysis::packages::packages(baseline_of(&compiled))
            .map(|p| accord_report::packages::section(&report, &p, &model.links)),
        implementation: Some(implementation_section(&report, record, model)),
        backtest: backtest_section(&sources, baseline_of(&compiled), args.samples, report.stopped),
    };
    not_interrupted(&args.out)?;
    let html = accord_report::render_html(&report, &ext);
    let md = accord_report::render_markdown(&report, &ext);
    for (rel, svg) in &md.charts {
        staging.write(rel, svg.as_bytes())?;
    }
    staging.write("report.md", md.markdown.as_bytes())?;
    staging.write("report.html", html.as_bytes())?;
    not_interrupted(&args.out)?;
    staging.commit()?;

    if args.json {
        return crate::output::print_json(&serde_json::json!({
            "title": report.title,
            "org": report.org,
            "decision_date": report.decision_date.to_string(),
            "summary": accord_report::summary_lines(&report),
            "issues": report.issues.len(),
            "scenarios": report.scenarios.len(),
            "scenarios_compared": report.scenarios.iter().filter(|s| s.comparison.is_some()).count(),
            "subject": sources.subject.then(|| compiled[1].scenario.scenario.id.clone()),
            "html": args.out.join("report.html"),
            "markdown": args.out.join("report.md"),
            "charts": args.out.join("charts"),
        }));
    }
    outln!("{} — {} on {}", report.title, report.org, report.decision_date);
    for line in accord_report::summary_lines(&report) {
        outln!("• {line}");
    }
    outln!(
        "{} issues, {} of {} scenarios, in {:.1} s. Report: {}",
        report.issues.len(),
        report.scenarios.iter().filter(|s| s.comparison.is_some()).count(),
        report.scenarios.len(),
        started.elapsed().as_secs_f64(),
        args.out.join("report.html").display()
    );
    outln!(
        "Markdown: {} (charts in {})",
        args.out.join("report.md").display(),
        args.out.join("charts").display()
    );
    Ok(())
}

/// Draws per model of the calibrated forecasts in the report by default:
/// the model error (≈ 22 points) dominates the spread, and 1,000 draws give
/// a Monte Carlo error of P under 0.016 while keeping the report under a
/// minute with SMP and EUM in the ensemble.
const ENSEMBLE_SAMPLES: u64 = 1000;

/// Runs every validated model on the baseline with its model error, attaches
/// the calibrated forecasts to the report's baseline, and builds the section.
fn models_section(
    report: &mut accord_report::data::Report,
    baseline: &accord_analysis::Compiled,
    samples: Option<u64>,
) -> anyhow::Result<accord_report::doc::Section> {
    let mut c = baseline.clone();
    c.settings.samples = samples.unwrap_or(ENSEMBLE_SAMPLES).min(baseline.settings.samples);
    c.settings.seed = report.baseline.run.settings.seed;
    crate::commands::forecast::attach_calibrated(&mut report.baseline, &c, None)?;
    let file =
        accord_io::calibration::embedded().map_err(|d| anyhow::anyhow!("the embedded calibration is invalid:\n{d}"))?;
    let summary = accord_report::models::CalibrationSummary {
        file: accord_io::calibration::DEU_CALIBRATION_NAME.to_string(),
        data_file: file.provenance.data_file.clone(),
        cases: file.provenance.cases,
        coverage: file.provenance.headline_coverage.clone(),
        command: file.provenance.command.clone(),
    };
    Ok(accord_report::models::section(&report.baseline, &summary))
}

/// Makes every scenario comparison's P the calibrated headline's, as
/// `accord compare` does: A's calibrated forecasts are the baseline's (run
/// by [`models_section`]); each scenario runs the same ensemble on the same
/// draws (the baseline's seed and draw count). Not when the baseline's
/// calibrated run was stopped: the comparisons then keep the input-only P
/// and say so.
fn calibrate_comparisons(
    report: &mut accord_report::data::Report,
    compiled: &[accord_analysis::Compiled],
) -> anyhow::Result<()> {
    let Some(used) = report.baseline.calibration.clone() else {
        return Ok(());
    };
    if used.partial {
        return Ok(());
    }
    let settings = accord_engine::montecarlo::MonteCarloSettings {
        samples: used.samples,
        ..report.baseline.run.settings.clone()
    };
    for scenario in &mut report.scenarios {
        if cancel_flag().load(Ordering::Relaxed) {
            break;
        }
        let Some(cmp) = scenario.comparison.as_mut() else {
            continue;
        };
        let Some(c) = compiled
            .iter()
            .skip(1)
            .find(|c| c.scenario.scenario.id == cmp.b.scenario)
        else {
            continue;
        };
        cmp.a.calibration = Some(used.clone());
        for f in &mut cmp.a.issues {
            f.predictive = report
                .baseline
                .issues
                .iter()
                .find(|b| b.id == f.id)
                .and_then(|b| b.predictive.clone());
        }
        crate::commands::forecast::attach_calibrated(
            &mut cmp.b,
            &accord_analysis::run::as_compared(&settings, c),
            None,
        )?;
        if cmp.b.calibration.as_ref().is_some_and(|u| !u.partial) {
            accord_analysis::run::calibrate_comparison(cmp)?;
        }
    }
    Ok(())
}

/// P(decided / carried out by year Y) for the baseline, at the default horizon.
fn implementation_section(
    report: &accord_report::Report,
    record: &accord_core::Record,
    model: &accord_core::model::Model,
) -> accord_report::doc::Section {
    let rates = accord_analysis::hazard::rates_for(record, model);
    let horizon = accord_analysis::hazard::Horizon::default();
    let imp = accord_analysis::hazard::implementation(&report.baseline, &rates, horizon);
    accord_report::implementation::section(report, &rates, &imp, horizon)
}

/// The backtest on the baseline's draws, `samples` or [`BACKTEST_SAMPLES`]
/// per model (`accord_io::backtest::compute`, as `accord backtest`); not
/// when the report was stopped, and a note when the data have no outcomes.
fn backtest_section(
    sources: &Sources,
    baseline: &accord_analysis::Compiled,
    samples: Option<u64>,
    stopped: bool,
) -> Option<accord_report::doc::Section> {
    if stopped || cancel_flag().load(Ordering::Relaxed) {
        return None;
    }
    let samples = samples.unwrap_or(BACKTEST_SAMPLES);
    let computed = match &sources.outcomes {
        None => Err("the data folder has no backtest.toml of recorded outcomes".to_owned()),
        Some((file, text)) => accord_io::scenario::parse_outcomes(file, text, &sources.record, &sources.model)
            .map_err(|d| crate::data::diagnostics("invalid outcomes", &d).to_string())
            .and_then(|outcomes| {
                let mut base = baseline.clone();
                base.settings.samples = samples;
                let bar = Progress::new(samples * accord_io::backtest::PASSES, "samples", "backtest");
                let r = accord_io::backtest::compute(
                    &sources.record,
                    &sources.model,
                    &base,
                    outcomes,
                    cancel_flag(),
                    &|n| bar.set_position(n),
                );
                bar.finish();
                r.map_err(|e| e.to_string())
            }),
    };
    let section = match computed {
        Ok(c) => accord_report::backtest::section(&accord_report::backtest::BacktestRun {
            backtest: c.backtest,
            samples,
            seed: c.seed,
        }),
        Err(e) => {
            let mut s = accord_report::doc::Section::new("backtest", "Track record");
            s.push(accord_report::doc::Block::Note(format!(
                "The backtest did not run: {e}"
            )));
            s
        }
    };
    Some(section)
}

/// What a report is made of: record, model, the scenarios (the baseline
/// first, then the subject when one was given, then the shipped ones), the
/// data files it rests on, and the outcomes of the backtest.
struct Sources {
    record: accord_core::Record,
    model: accord_core::model::Model,
    /// (file name, text) of each scenario, the baseline first.
    scenarios: Vec<(String, String)>,
    /// A scenario file was given: it is `scenarios[1]`.
    subject: bool,
    /// (file name, text) of every record and model file.
    data_files: Vec<(String, String)>,
    /// (file name, text) of the recorded outcomes, if any.
    outcomes: Option<(String, String)>,
}

impl Sources {
    /// The embedded SCO data, or those of `--data DIR`; with `subject`, that
    /// scenario file second, after the baseline.
    fn load(data: Option<&Path>, subject: Option<&Path>) -> anyhow::Result<Sources> {
        let owned = |(a, b): &(&str, &str)| ((*a).to_owned(), (*b).to_owned());
        let mut sources = match data {
            None => {
                let (record, model) = accord_io::embedded::sco_record_and_model()
                    .map_err(|d| crate::data::diagnostics("the embedded SCO data are invalid", &d))?;
                Sources {
                    record,
                    model,
                    scenarios: accord_io::embedded::SCO_SCENARIOS.iter().map(owned).collect(),
                    subject: false,
                    data_files: accord_io::embedded::SCO_RECORD_FILES
                        .iter()
                        .chain(accord_io::embedded::SCO_MODEL_FILES.iter())
                        .map(owned)
                        .collect(),
                    outcomes: Some(owned(&accord_io::embedded::SCO_BACKTEST)),
                }
            }
            Some(dir) => {
                let folder = crate::data::DataFolder::resolve(dir)?;
                let (record, model, files) = folder.load_with_files()?;
                Sources {
                    record,
                    model,
                    scenarios: folder_scenarios(dir)?,
                    subject: false,
                    data_files: files.into_iter().map(|f| (f.name, f.text)).collect(),
                    outcomes: {
                        let path = dir.join("backtest.toml");
                        if path.is_file() {
                            Some((path.display().to_string(), accord_io::text::read_text_file(&path)?))
                        } else {
                            None
                        }
                    },
                }
            }
        };
        if let Some(path) = subject {
            let text = crate::commands::forecast::read_scenario_file(path)?;
            sources.scenarios.insert(1, (path.display().to_string(), text));
            sources.subject = true;
        }
        Ok(sources)
    }
}

/// The scenarios of a data folder, `DIR/scenarios/*.toml`: `baseline.toml`
/// first (required), then the others by file name.
fn folder_scenarios(dir: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let folder = dir.join("scenarios");
    let baseline = folder.join("baseline.toml");
    if !baseline.is_file() {
        anyhow::bail!(
            "{} is missing: `accord report --data DIR` needs DIR/scenarios/ holding baseline.toml (the reference \
             every scenario is compared against) and any other scenarios, as data/sco has",
            baseline.display()
        );
    }
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&folder)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", folder.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && *p != baseline)
        .collect();
    paths.sort();
    std::iter::once(baseline)
        .chain(paths)
        .map(|p| Ok((p.display().to_string(), accord_io::text::read_text_file(&p)?)))
        .collect()
}

fn baseline_of(compiled: &[accord_analysis::Compiled]) -> &accord_analysis::Compiled {
    &compiled[0]
}

/// Runs the lever search of each focal actor on the baseline (its seed, and
/// `samples` or [`OPPORTUNITY_SAMPLES`] per candidate); not when the report
/// was stopped.
fn searches(
    baseline: &accord_analysis::Compiled,
    model: &accord_core::model::Model,
    samples: Option<u64>,
    stopped: bool,
) -> Vec<accord_report::opportunities::ActorSearch> {
    let mut c = baseline.clone();
    c.settings.samples = samples.unwrap_or(OPPORTUNITY_SAMPLES.min(baseline.settings.samples));
    FOCAL
        .iter()
        .map(|&(focal, rival)| {
            let result = if stopped || cancel_flag().load(Ordering::Relaxed) {
                Err("the report was stopped before the search".to_owned())
            } else {
                let settings = SearchSettings {
                    focal: focal.to_owned(),
                    max_levers: 3,
                    beam_width: 10,
                    loss: Loss::Linear,
                };
                let bar = Progress::new(c.settings.samples, "samples", &format!("levers of {focal}"));
                let mut levers = model.levers.clone();
                levers.extend(accord_analysis::opportunities::package_levers(&c, &model.links, focal));
                let r = search(&c, &levers, &settings, cancel_flag(), &|n| bar.set_position(n));
                bar.finish();
                r.map_err(|e| e.to_string())
            };
            accord_report::opportunities::ActorSearch {
                focal: focal.to_owned(),
                rival: rival.to_owned(),
                result,
            }
        })
        .collect()
}

/// Influence by sphere and voting power in the baseline and the enlargement
/// scenarios (each on the baseline's seed).
fn influences(compiled: &[accord_analysis::Compiled]) -> Vec<accord_report::influence::ScenarioInfluence> {
    let seed = compiled[0].settings.seed;
    compiled
        .iter()
        .enumerate()
        .filter(|(k, c)| *k == 0 || ENLARGEMENT.contains(&c.scenario.scenario.id.as_str()))
        .map(|(_, c)| {
            let mut c = c.clone();
            c.settings.seed = seed;
            accord_report::influence::ScenarioInfluence {
                id: c.scenario.scenario.id.clone(),
                title: c.scenario.scenario.title.clone(),
                result: influence(&c, None).map_err(|e| e.to_string()),
            }
        })
        .collect()
}

/// Fails with [`Interrupted`] after Ctrl-C: a partial report is never
/// written, and the folder keeps what it held.
fn not_interrupted(out: &Path) -> anyhow::Result<()> {
    if cancelled() {
        return Err(Interrupted(format!(
            "stopped by Ctrl-C; no report was written and {} is as it was",
            out.display()
        ))
        .into());
    }
    Ok(())
}
