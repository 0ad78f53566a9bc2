//! `accord forecast` and `accord compare`: Monte Carlo forecasts of the SCO
//! model under a scenario, and the difference two scenarios make.

use std::path::{Path, PathBuf};

use accord_analysis::{Scenario, compile::Compiled, hazard, run, sensitivity};
use clap::Args;

use crate::{
    data::diagnostics,
    limits,
    output::{Interrupted, Progress, cancel_flag, cancelled, print_json, table},
};

/// Loads the record and model (embedded, or from `data`, a data folder as
/// `accord check` takes it), then a scenario (embedded baseline when `file`
/// is `None`), and compiles it.
pub fn load_scenario(data: Option<&Path>, file: Option<&Path>) -> anyhow::Result<Compiled> {
    let (record, model) = crate::data::record_and_model(data)?;
    let (name, text) = match file {
        None => {
            let (name, text) = accord_io::embedded::SCO_SCENARIOS[0];
            (name.to_owned(), text.to_owned())
        }
        Some(path) => (path.display().to_string(), read_scenario_file(path)?),
    };
    compile_text(&record, &model, &name, &text)
}

/// Reads a scenario file; when it does not exist, names the scenario files
/// beside it, suggesting the closest.
pub fn read_scenario_file(path: &Path) -> anyhow::Result<String> {
    // Read through the bounded reader (size limit, UTF-8 located by line and column).
    match std::fs::metadata(path) {
        Ok(_) => Ok(accord_io::text::read_text_file(path)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let dir = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let mut known: Vec<String> = std::fs::read_dir(dir)
                .into_iter()
                .flatten()
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .collect();
            known.sort();
            let typed = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let hint = crate::output::did_you_mean(&typed, known.iter().map(String::as_str))
                .map(|m| format!(" — did you mean {}?", dir.join(m).display()))
                .unwrap_or_default();
            anyhow::bail!("cannot read {}: no such file{hint}", path.display())
        }
        Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
    }
}

/// Parses and compiles a scenario's text, locating every problem in it.
pub fn compile_text(
    record: &accord_core::Record,
    model: &accord_core::model::Model,
    name: &str,
    text: &str,
) -> anyhow::Result<Compiled> {
    let scenario: Scenario =
        accord_io::scenario::parse_scenario(name, text).map_err(|d| diagnostics("invalid scenario", &d))?;
    let compiled = accord_analysis::compile(record, model, &scenario).map_err(|problems| {
        diagnostics(
            "invalid scenario",
            &accord_io::scenario::locate_problems(name, text, &problems),
        )
    })?;
    crate::output::remember_issue_names(compiled.issues.iter().map(|i| (i.id.as_str(), i.name.as_str())));
    Ok(compiled)
}

/// Arguments of `accord forecast`.
#[derive(Debug, Args)]
pub struct ForecastArgs {
    /// A scenario file (default: the embedded baseline).
    scenario: Option<PathBuf>,
    /// One validated model instead of the stacked ensemble as the headline:
    /// compromise, consensus, eum or smp.
    #[arg(long, value_name = "NAME")]
    model: Option<String>,
    /// Skip the calibrated forecasts: only the scenario's own model with its
    /// input uncertainty (faster; no model error, no ensemble).
    #[arg(long, conflicts_with = "model")]
    input_only: bool,
    /// Also run the sensitivity analysis: each input of each actor at the
    /// table moved across its range (docs/models/sensitivity.md). Adds the
    /// JSON field `sensitivity`; the table shows the inputs that move P most.
    #[arg(long)]
    sensitivity: bool,
    /// Inputs shown per issue in the sensitivity table (the JSON has all).
    #[arg(long, default_value_t = 3, value_name = "N")]
    top: usize,
    #[command(flatten)]
    run: RunArgs,
    /// Years ahead for "decided by" and "carried out by" (1–100).
    #[arg(long, default_value_t = hazard::DEFAULT_HORIZON, value_name = "YEARS")]
    horizon: u32,
}

/// The options every Monte Carlo command shares.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Number of Monte Carlo samples, at least 1 (default: the scenario's;
    /// at most 1,000,000 without --no-limit).
    #[arg(long, value_parser = limits::positive_samples)]
    samples: Option<u64>,
    /// Seed of the draws (default: the scenario's).
    #[arg(long)]
    seed: Option<u64>,
    /// Read record and model from this data folder (holding record/ and
    /// model/, as `accord check` takes it) instead of the embedded SCO data.
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Allow more samples than the limit (see docs/reliability.md).
    #[arg(long)]
    no_limit: bool,
    /// Print the wall-clock time of the Monte Carlo run to stderr.
    #[arg(long)]
    timing: bool,
}

/// Runs `accord forecast`.
pub fn forecast(args: ForecastArgs) -> anyhow::Result<()> {
    if let Some(name) = &args.model {
        let valid: Vec<&str> = accord_analysis::ensemble::members().iter().map(|m| m.name).collect();
        anyhow::ensure!(
            valid.contains(&name.as_str()),
            "--model {name:?} is not a validated model{}; valid: {}",
            crate::output::suggestion(name, valid.iter().copied()),
            valid.join(", ")
        );
    }
    let horizon = hazard::Horizon::new(args.horizon).map_err(|e| anyhow::anyhow!("--horizon: {e}"))?;
    let mut c = load_scenario(args.run.data.as_deref(), args.scenario.as_deref())?;
    override_run(
        &mut c,
        args.run.samples,
        args.run.seed,
        args.run.no_limit,
        limits::MAX_SAMPLES,
    )?;
    let (record, model) = crate::data::record_and_model(args.run.data.as_deref())?;
    let rates = hazard::rates_for(&record, &model);
    let bar = Progress::new(c.settings.samples, "samples", &c.scenario.scenario.id);
    let started = std::time::Instant::now();
    let mut report = run::forecast_scenario(&c, cancel_flag(), &|done| bar.set_position(done))?;
    bar.finish();
    if args.run.timing {
        timing("forecast", report.run.samples_done, started);
    }
    if !args.input_only && !report.run.partial {
        attach_calibrated(&mut report, &c, args.model.as_deref())?;
    }
    let implementation = hazard::implementation(&report, &rates, horizon);
    let sens = if args.sensitivity {
        Some(sensitivity::sensitivity(&c, c.settings.samples, cancel_flag())?)
    } else {
        None
    };
    if args.run.json {
        let mut v = hazard::forecast_json(&report, &rates, &implementation, horizon)?;
        if let (Some(s), Some(o)) = (&sens, v.as_object_mut()) {
            o.insert("sensitivity".into(), serde_json::to_value(s)?);
        }
        print_json(&v)?;
    } else {
        print_forecast(&report)?;
        print_calibrated(&report)?;
        print_implementation(&implementation, &rates, horizon)?;
        if let Some(s) = &sens {
            print_sensitivity(s, args.top)?;
        }
    }
    stopped_check(report.run.partial, report.run.samples_done, report.run.settings.samples)
}

/// Prints the wall-clock time of a run (`--timing`) to standard error.
fn timing(what: &str, samples: u64, started: std::time::Instant) {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let threads = std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(threads);
    crate::output::note(format_args!(
        "{what}: {samples} samples in {:.3} s on {threads} threads (running the models only, not reading the files)",
        started.elapsed().as_secs_f64()
    ));
}

fn print_sensitivity(s: &[sensitivity::IssueSensitivity], top: usize) -> anyhow::Result<()> {
    outln!(
        "sensitivity: each input moved from the low to the high end of its range, the others drawn (same draws); \
         ΔP = change in P(at or above the threshold)"
    );
    let mut t = table(&["issue", "input", "range", "P low → high", "ΔP", "median low → high"]);
    for i in s {
        if i.entries.is_empty() {
            t.add_row(vec![
                crate::output::issue_cell(&i.id),
                "no input has a range".into(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
        for (n, e) in i.entries.iter().take(top).enumerate() {
            t.add_row(vec![
                if n == 0 {
                    crate::output::issue_cell(&i.id)
                } else {
                    String::new()
                },
                format!("{} {}", e.actor, e.input.as_str()),
                format!("{}–{}", sig(e.range.0), sig(e.range.1)),
                format!("{:.2} → {:.2}", e.p.0, e.p.1),
                format!("{:+.2}", e.p_effect),
                format!("{:.1} → {:.1}", e.median.0, e.median.1),
            ]);
        }
    }
    outln!("{t}");
    Ok(())
}

/// Three significant digits (capabilities are small fractions).
fn sig(x: f64) -> String {
    if x == 0.0 || x.abs() >= 1.0 {
        format!("{x:.0}")
    } else {
        let digits = (2 - x.abs().log10().floor() as i32).max(0) as usize;
        format!("{x:.digits$}")
    }
}

/// The issue's id, marked when it is a given of the scenario.
fn issue_label(id: &str, given: bool) -> String {
    issue_tagged(id, given.then_some("given"))
}

/// The issue's cell (slug, name below) with a tag after the slug.
fn issue_tagged(id: &str, tag: Option<&str>) -> String {
    let cell = crate::output::issue_cell(id);
    match (tag, cell.split_once('\n')) {
        (None, _) => cell,
        (Some(tag), Some((slug, name))) => format!("{slug} ({tag})\n{name}"),
        (Some(tag), None) => format!("{cell} ({tag})"),
    }
}

/// The scenario's givens with their reasons, one line each.
fn print_givens<'a>(givens: impl Iterator<Item = (&'a str, &'a str)>) -> anyhow::Result<()> {
    for (id, why) in givens {
        outln!("given: {id}: {why} — its result replays the scenario's input and is not a finding");
    }
    Ok(())
}

/// Runs every validated model on the scenario's draws with its model error
/// learned on DEU (`data/calibration/deu.toml`, embedded) and puts the
/// headline and the per-model forecasts into the report.
pub fn attach_calibrated(report: &mut run::ForecastReport, c: &Compiled, only: Option<&str>) -> anyhow::Result<()> {
    let n = accord_analysis::ensemble::members().len() as u64;
    let bar = Progress::new(c.settings.samples, "samples", &format!("{n} models"));
    accord_io::calibration::attach_calibrated(report, c, only, cancel_flag(), &|done| bar.set_position(done))?;
    bar.finish();
    Ok(())
}

/// The headline and every model beside it, with where they disagree.
fn print_calibrated(r: &run::ForecastReport) -> anyhow::Result<()> {
    let Some(used) = &r.calibration else { return Ok(()) };
    outln!();
    match &used.only {
        Some(m) => outln!("headline: the {m} model alone (--model), with its error learned on DEU"),
        None => outln!(
            "headline: stacked ensemble ({}), weights and model error learned on DEU ({}){}",
            used.weights_text(),
            used.file,
            if used.partial { " — PARTIAL" } else { "" }
        ),
    };
    outln!(
        "predictive = input uncertainty ({} draws) + model error; P is of the outcome at or above the threshold",
        used.samples
    );
    let Some(first) = r.issues.iter().find_map(|i| i.predictive.as_ref()) else {
        return Ok(());
    };
    let mut header = vec![
        "issue".to_string(),
        "threshold".into(),
        "P headline".into(),
        "predictive 5 %–95 %".into(),
    ];
    header.extend(first.models.iter().map(|m| format!("P {}", m.model)));
    header.push("models disagree".into());
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut t = table(&header);
    let mut notes = Vec::new();
    for i in &r.issues {
        let Some(p) = &i.predictive else { continue };
        let h = &p.headline;
        let mut row = vec![
            i.id.clone(),
            format!("≥ {:.0}", h.threshold),
            format!("{:.2}", h.p_at_or_above),
            format!("{:.0}–{:.0}", h.quantiles[0], h.quantiles[4]),
        ];
        for m in &p.models {
            row.push(if m.ran {
                format!("{:.2}", m.p_at_or_above)
            } else {
                "–".into()
            });
            if let Some(e) = &m.error {
                notes.push(format!(
                    "{}: {} {}: {e}",
                    i.id,
                    m.model,
                    if m.ran {
                        format!("failed in {} of {} draws", m.failures, m.failures + m.samples)
                    } else {
                        "cannot run".to_string()
                    }
                ));
            }
        }
        let d = &p.disagreement;
        row.push(format!(
            "{:.2} ({}) – {:.2} ({}){}",
            d.p_range.0.1,
            d.p_range.0.0,
            d.p_range.1.1,
            d.p_range.1.0,
            if d.split { ", split" } else { "" }
        ));
        t.add_row(row);
    }
    outln!("{t}");
    for n in notes {
        outln!("note: {n}");
    }
    Ok(())
}

fn print_implementation(
    imp: &[hazard::IssueImplementation],
    rates: &hazard::Rates,
    horizon: hazard::Horizon,
) -> anyhow::Result<()> {
    let h = horizon.years();
    let mid = (h / 2).max(1);
    let at = |i: &hazard::IssueImplementation, t: u32| i.years.get(t as usize - 1).copied();
    let year_of = |t: u32| rates.cutoff.format("%Y").to_string().parse::<i32>().unwrap_or(0) + t as i32;
    outln!(
        "decided / carried out by year (rates of {} before {}, docs/models/implementation.md):",
        rates.org,
        rates.cutoff
    );
    let mut t = table(&[
        "issue",
        "P(outcome)",
        &format!("decided {}", year_of(mid)),
        &format!("decided {} (90 %)", year_of(h)),
        &format!("carried out {}", year_of(mid)),
        &format!("carried out {}", year_of(h)),
        "carried out | decided",
    ]);
    for i in imp {
        let (m, e) = (at(i, mid), at(i, h));
        t.add_row(vec![
            issue_tagged(&i.id, i.already_in_place.then_some("in place")),
            format!("{:.2}", i.p_outcome),
            m.map_or("–".into(), |y| format!("{:.2}", y.decided)),
            match (e, i.decided_by_horizon_90) {
                (Some(y), Some((lo, hi))) if hi > lo => format!("{:.2} ({lo:.2}–{hi:.2})", y.decided),
                (Some(y), _) => format!("{:.2}", y.decided),
                (None, _) => "–".into(),
            },
            m.map_or("–".into(), |y| format!("{:.2}", y.carried_out)),
            e.map_or("–".into(), |y| format!("{:.2}", y.carried_out)),
            i.carried_out_given_decided.map_or("–".into(), |g| format!("{g:.2}")),
        ]);
    }
    outln!("{t}");
    Ok(())
}

/// After printing partial results: fails with [`Interrupted`] when Ctrl-C
/// stopped the run.
pub fn stopped_check(partial: bool, done: u64, asked: u64) -> anyhow::Result<()> {
    if partial || cancelled() {
        return Err(Interrupted(format!(
            "stopped by Ctrl-C after {done} of {asked} samples; what is printed above covers those samples only"
        ))
        .into());
    }
    Ok(())
}

/// Applies `--samples` and `--seed`, then checks the sample count (from the
/// flag or the scenario) against `limit`: at least 1, at most `limit` unless
/// `no_limit`.
pub fn override_run(
    c: &mut Compiled,
    samples: Option<u64>,
    seed: Option<u64>,
    no_limit: bool,
    limit: u64,
) -> anyhow::Result<()> {
    if let Some(n) = samples {
        c.settings.samples = n;
    }
    if let Some(s) = seed {
        c.settings.seed = s;
    }
    let from = if samples.is_some() {
        "--samples".to_owned()
    } else {
        format!("`samples` of scenario `{}`", c.scenario.scenario.id)
    };
    limits::check_samples(&from, c.settings.samples, limit, no_limit)
}

fn print_forecast(r: &run::ForecastReport) -> anyhow::Result<()> {
    outln!("{} — {} on {}", r.title, r.org, r.date);
    outln!(
        "model: {} | {} samples of {} (seed {}, {:?} draws){}",
        describe_model(&r.run.settings.model),
        r.run.samples_done,
        r.run.settings.samples,
        r.run.settings.seed,
        r.run.settings.distribution,
        if r.run.partial {
            " — PARTIAL: stopped before the end"
        } else {
            ""
        }
    );
    outln!("voting: {}", r.voters.join(" "));
    outln!("{}", r.table.description);
    if let Some(w) = &r.table.widened {
        outln!("table widened: {w}");
    }
    let mut t = table(&[
        "issue",
        "status quo",
        "mean ± se",
        "median",
        "5 %–95 %",
        "threshold",
        "P(≥ threshold) ± se",
    ]);
    for i in &r.issues {
        let s = &i.summary;
        t.add_row(vec![
            issue_label(&i.id, i.given),
            format!("{:.0}", i.status_quo),
            format!("{:.1} ± {:.2}", s.mean, s.std_error),
            format!("{:.1}", s.quantiles[2]),
            format!("{:.1}–{:.1}", s.quantiles[0], s.quantiles[4]),
            format!("{:.0}", s.threshold),
            format!("{:.2} ± {:.3}", s.p_above, s.p_above_se),
        ]);
    }
    outln!("{t}");
    crate::output::footer(
        "Status quo, mean, median, 5 %–95 % (the central 90 % of the draws) and threshold: points on each \
         issue's 0–100 scale (`accord model list issues` says what 0 and 100 mean). ± se: Monte Carlo standard \
         error. P: share of draws at or above the threshold.",
    )?;
    print_givens(
        r.issues
            .iter()
            .filter_map(|i| i.given_reason.as_deref().map(|w| (i.id.as_str(), w))),
    )?;
    if let Some(p) = &r.packages {
        print_packages(p)?;
    }
    for i in r.issues.iter().filter(|i| i.summary.failures > 0) {
        outln!(
            "note: {} failed in {} samples: {}",
            i.id,
            i.summary.failures,
            i.summary.error.as_deref().unwrap_or("unknown error")
        );
    }
    Ok(())
}

/// The model settings in a few words.
pub fn describe_model(m: &accord_engine::ModelSettings) -> String {
    let dynamics = match &m.dynamics {
        accord_engine::Dynamics::None => "no dynamics".to_owned(),
        accord_engine::Dynamics::Smp(_) => "SMP (KTAB defaults)".to_owned(),
        accord_engine::Dynamics::Eum(e) => format!("EUM ({:?}, {} rounds)", e.profile, e.rounds),
        accord_engine::Dynamics::Exchange(x) => format!("exchange model ({:?} rate, {} round(s))", x.rate, x.rounds),
    };
    format!("{dynamics} → {}", describe_rule(&m.rule))
}

fn describe_rule(r: &accord_engine::DecisionRule) -> String {
    use accord_engine::DecisionRule as R;
    match r {
        R::WeightedMean => "weighted mean".into(),
        R::WeightedMedian => "weighted median".into(),
        R::Nash => "Nash bargaining".into(),
        R::Procedural { bargain } => format!("{} within consensus of the members", describe_rule(bargain)),
    }
}

/// Arguments of `accord compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The reference scenario.
    a: PathBuf,
    /// The scenario compared with it (run with A's seed and sample count).
    b: PathBuf,
    /// Compare the input-only P of the scenarios' own model instead of the
    /// calibrated headline (faster; no model error, no ensemble).
    #[arg(long)]
    input_only: bool,
    #[command(flatten)]
    run: RunArgs,
}

/// Runs `accord compare`.
pub fn compare(args: CompareArgs) -> anyhow::Result<()> {
    let mut a = load_scenario(args.run.data.as_deref(), Some(&args.a))?;
    let b = load_scenario(args.run.data.as_deref(), Some(&args.b))?;
    override_run(
        &mut a,
        args.run.samples,
        args.run.seed,
        args.run.no_limit,
        limits::MAX_SAMPLES,
    )?;
    // One pass over the samples: the count is the samples of the comparison.
    let bar = Progress::new(a.settings.samples, "samples", "comparing");
    let started = std::time::Instant::now();
    let mut cmp = run::compare(&a, &b, cancel_flag(), &|n| bar.set_position(n))?;
    bar.finish();
    if args.run.timing {
        timing("compare", cmp.a.run.samples_done, started);
    }
    // The headline P, as `forecast` reports it: the same ensemble on the
    // same draws for A and for B (B with A's seed and sample count).
    if !args.input_only {
        let n = accord_analysis::ensemble::members().len() as u64;
        let bar = Progress::new(
            a.settings.samples.saturating_mul(2),
            "samples",
            &format!("{n} models, A then B"),
        );
        let offset = std::sync::atomic::AtomicU64::new(0);
        let last = std::sync::atomic::AtomicU64::new(0);
        accord_io::calibration::attach_calibrated_comparison(&mut cmp, &a, &b, cancel_flag(), &|n| {
            // Each side counts from 0: carry A's count over into B's.
            if n < last.swap(n, std::sync::atomic::Ordering::Relaxed) {
                offset.fetch_add(a.settings.samples, std::sync::atomic::Ordering::Relaxed);
            }
            bar.set_position(offset.load(std::sync::atomic::Ordering::Relaxed) + n);
        })?;
        bar.finish();
    }
    if args.run.json {
        print_json(&cmp)?;
    } else {
        print_comparison(&cmp)?;
    }
    stopped_check(cmp.a.run.partial, cmp.a.run.samples_done, cmp.a.run.settings.samples)
}

fn print_comparison(cmp: &run::Comparison) -> anyhow::Result<()> {
    outln!("{}  →  {}", cmp.a.title, cmp.b.title);
    outln!(
        "{} samples, seed {}, common random numbers{}",
        cmp.a.run.samples_done,
        cmp.a.run.settings.seed,
        if cmp.a.run.partial || cmp.b.run.partial {
            " — PARTIAL"
        } else {
            ""
        }
    );
    outln!("A: {}", cmp.a.table.description);
    outln!("B: {}", cmp.b.table.description);
    if let Some(w) = &cmp.b.table.widened {
        outln!("B's table widened: {w}");
    }
    match (cmp.calibrated, &cmp.a.calibration) {
        (true, Some(used)) => outln!(
            "P is the calibrated headline (input uncertainty and model error; weights {}; {} draws per model on \
             A's seed); \"input-only P\" is the scenarios' own model with input uncertainty alone",
            used.weights_text(),
            used.samples
        ),
        _ => {
            outln!("P is the input-only P of the scenarios' own model (no model error: --input-only or a stopped run)")
        }
    }
    let mut header = vec![
        "issue",
        "median A → B",
        "paired shift ± se",
        "shift 5 %–95 %",
        "P(≥ threshold) A → B",
        "ΔP ± se",
    ];
    if cmp.calibrated {
        header.push("input-only P A → B");
    }
    let mut t = table(&header);
    for s in &cmp.issues {
        let mut row = vec![
            issue_label(&s.id, s.given),
            format!("{:.1} → {:.1}", s.median.0, s.median.1),
            format!("{:+.1} ± {:.2}", s.mean_shift, s.mean_shift_se),
            format!("{:+.1} … {:+.1}", s.shift_90.0, s.shift_90.1),
            format!("{:.2} → {:.2}", s.p_above.0, s.p_above.1),
            format!("{:+.2} ± {:.3}", s.p_shift, s.p_shift_se),
        ];
        if cmp.calibrated {
            row.push(format!("{:.2} → {:.2}", s.p_above_input_only.0, s.p_above_input_only.1));
        }
        t.add_row(row);
    }
    outln!("{t}");
    print_givens(
        cmp.issues
            .iter()
            .filter_map(|i| i.given_reason.as_deref().map(|w| (i.id.as_str(), w))),
    )?;
    // Package deals of B (the scenario compared), when the model links issues.
    if let Some(p) = &cmp.b.packages {
        outln!("B: {}", cmp.b.title);
        print_packages(p)?;
    }
    Ok(())
}

/// The package deals: exchanges across linked issues at the point values,
/// and what they change against the one-issue-at-a-time outcome.
pub fn print_packages(p: &accord_analysis::packages::PackageReport) -> anyhow::Result<()> {
    outln!(
        "package deals (exchange model, {:?} rate, {} round(s), point values):",
        p.settings.rate,
        p.settings.rounds
    );
    let mut t = table(&["#", "actor", "moves on", "from → to", "outcome moves", "gain"]);
    let mut n = 0;
    for deal in &p.deals {
        for x in &deal.exchanges {
            n += 1;
            for (side, shift) in x.shifts.iter().enumerate() {
                t.add_row(vec![
                    if side == 0 { n.to_string() } else { String::new() },
                    shift.actor.clone(),
                    shift.issue.clone(),
                    format!("{:.1} → {:.1}", shift.from, shift.to),
                    format!("{:.1} → {:.1}", shift.outcome_before, shift.outcome_after),
                    format!("{:.4}", x.gains[side]),
                ]);
            }
        }
    }
    if n == 0 {
        outln!("no exchange is profitable to both sides on the linked issues");
    } else {
        outln!("{t}");
    }
    let mut c = table(&["linked issue", "one at a time", "with exchanges", "change"]);
    for ch in &p.changes {
        let f = |x: Option<f64>| x.map_or("—".to_owned(), |v| format!("{v:.1}"));
        let d = match (ch.alone, ch.with_exchanges) {
            (Some(a), Some(w)) => format!("{:+.1}", w - a),
            _ => ch.error.clone().unwrap_or_default(),
        };
        c.add_row(vec![ch.id.clone(), f(ch.alone), f(ch.with_exchanges), d]);
    }
    outln!("{c}");
    Ok(())
}
