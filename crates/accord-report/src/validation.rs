//! The DEU validation's tables, JSON and Markdown page (`accord validate
//! deu`, `docs/validation.md`): plain functions from the scored results to
//! text and JSON, with no I/O, so that the CLI, a server or the report can
//! give the same output. The calibration's own section is built by the
//! caller and passed in.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use accord_engine::validation::{CandidateReport, Predictor, SelectionReport, ValidationReport};
use accord_io::deu::{DeuData, DeuPlan};
use chrono::Datelike;
use serde_json::{Value, json};

/// The published figures the report sets the results beside: (model, MAE, where).
const PUBLISHED: [(&str, &str, &str); 3] = [
    (
        "Compromise model (capability × salience weighted mean)",
        "≈ 23",
        "DEU I–III literature (Thomson et al. 2006; Thomson et al. 2012; Arregui & Perarnaud 2022), as summarised in `data/deu3/README.md`",
    ),
    (
        "Reconstructions of Bueno de Mesquita's expected utility model",
        "≈ 27–28",
        "same literature and summary",
    ),
    (
        "Exchange model (Stokman & Van Oosten 1994), then the compromise model",
        "not quoted",
        "Arregui, Stokman & Thomson (2004) and Thomson et al. (2006) test it on DEU I and place it with the compromise \
         model among the more accurate models, ahead of the procedural models (as recalled; the texts were not \
         re-read in this session, so no figure is quoted; `docs/models/exchange.md`)",
    ),
];

/// The references the report cites.
const REFERENCES: [&str; 5] = [
    "Thomson, R., Stokman, F. N., Achen, C. H. & König, T. (eds.) (2006). *The European Union Decides*. \
     Cambridge University Press. (DEU I; the model comparison that made the compromise model the benchmark.)",
    "Thomson, R., Arregui, J., Leuffen, D., Costello, R., Cross, J., Hertz, R. & Jensen, T. (2012). A new dataset \
     on decision-making in the European Union before and after the 2004 and 2007 enlargements (DEUII). \
     *Journal of European Public Policy* 19(4).",
    "Arregui, J. & Perarnaud, C. (2022). A new dataset on legislative decision-making in the European Union: the \
     DEU III dataset. *Journal of European Public Policy* 29(1). Data: doi:10.34810/data53 (CC BY 4.0).",
    "Stokman, F. N. & Van Oosten, R. (1994). The exchange of voting positions: an object-oriented model of policy \
     networks. In Bueno de Mesquita, B. & Stokman, F. N. (eds.), *European Community Decision Making*, Yale \
     University Press, 105–127.",
    "Arregui, J., Stokman, F. N. & Thomson, R. (2004). Bargaining in the European Union and shifts in actors' \
     policy positions. *European Union Politics* 5(1), 47–72.",
];

/// The data README's reference figures on the development part.
const README_FIGURES: [(&str, &str, f64); 5] = [
    (
        "compromise, Council vote weights",
        "none/weighted_mean/vote_weight",
        22.39,
    ),
    (
        "salience-weighted mean, equal capabilities",
        "none/weighted_mean/equal",
        22.49,
    ),
    ("unweighted mean", "baseline/unweighted_mean", 22.44),
    (
        "salience-weighted median (lower median on an even split)",
        "baseline/lower_weighted_median",
        27.24,
    ),
    ("always 50", "baseline/always_50", 26.69),
];

/// The compromise model's candidate name: the reference every other combination is paired with.
pub const COMPROMISE: &str = "none/weighted_mean/vote_weight";

fn kind(v: &impl serde::Serialize) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.get("kind").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| "-".into())
}

/// (dynamics, rule) names of a candidate; baselines give ("-", its kind).
fn model_parts(c: &CandidateReport) -> (String, String) {
    match &c.candidate.predictor {
        Predictor::Model {
            dynamics,
            rule,
            static_fallback,
        } => {
            let d = kind(dynamics);
            (
                if *static_fallback { format!("{d}_or_static") } else { d },
                rule_name(rule),
            )
        }
        p => ("-".into(), kind(p)),
    }
}

/// A rule's name; the procedural rule names its bargaining rule.
fn rule_name(rule: &accord_engine::DecisionRule) -> String {
    match rule {
        accord_engine::DecisionRule::Procedural { bargain } => format!("procedural({})", kind(bargain.as_ref())),
        r => kind(r),
    }
}

fn f2(v: f64) -> String {
    format!("{v:.2}")
}

fn opt2(v: Option<f64>) -> String {
    v.map(f2).unwrap_or_else(|| "–".into())
}

fn ci(c: &CandidateReport) -> String {
    c.mae_interval
        .map(|(lo, hi)| format!("{lo:.2}–{hi:.2}"))
        .unwrap_or_else(|| "–".into())
}

fn stratum(c: &CandidateReport, key: &str, value: &str) -> String {
    c.breakdown
        .get(key)
        .and_then(|m| m.get(value))
        .map(|s| format!("{:.2} ({})", s.mae, s.n))
        .unwrap_or_else(|| "–".into())
}

/// "own vs compromise (n)" on the issues both forecast, when they differ from all issues.
fn paired(c: &CandidateReport) -> String {
    match c.paired {
        Some(p) if c.unscored > 0 => format!("{:.2} vs {:.2} ({})", p.mae, p.reference_mae, p.n),
        Some(_) => "same".into(),
        None => "–".into(),
    }
}

fn unscored(c: &CandidateReport) -> String {
    if c.fallbacks > 0 {
        return format!("0 ({} static)", c.fallbacks);
    }
    if c.unscored == 0 {
        return "0".into();
    }
    let reasons: Vec<String> = c.unscored_by_reason.iter().map(|(r, n)| format!("{n} {r}")).collect();
    reasons.join(", ")
}

/// Stratum values present in the data, per key, in a stable order.
fn strata_values(plan: &DeuPlan) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for case in &plan.cases {
        for (k, v) in &case.strata {
            let vals = out.entry(k.clone()).or_default();
            if !vals.contains(v) {
                vals.push(v.clone());
            }
        }
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}

struct DataSummary {
    issues: usize,
    scored: usize,
    proposals: usize,
    missing_salience: usize,
    non_members: usize,
    cod_without_parliament: usize,
}

fn summary(data: &DeuData) -> DataSummary {
    DataSummary {
        issues: data.issues.len(),
        scored: data.with_outcome(),
        proposals: data.proposals(),
        missing_salience: data.issues.iter().map(|i| i.missing_salience.len()).sum(),
        non_members: data.issues.iter().map(|i| i.non_members.len()).sum(),
        cod_without_parliament: data.issues.iter().filter(|i| i.parliament_without_position).count(),
    }
}

fn json_candidate(c: &CandidateReport, plan: &DeuPlan) -> Value {
    let m = c.metrics;
    let by = |key: &str| json!(c.breakdown.get(key).cloned().unwrap_or_default());
    let mut v = json!({
        "n": m.map_or(0, |m| m.n),
        "unscored": c.unscored,
        "unscored_by_reason": c.unscored_by_reason,
        "unscored_examples": c.unscored_examples,
        "mae": m.map(|m| m.mae),
        "rmse": m.map(|m| m.rmse),
        "median_abs_error": m.map(|m| m.median_abs),
        "mae_ci95": c.mae_interval.map(|(lo, hi)| [lo, hi]),
        "by_procedure": by("procedure"),
        "by_voting_rule": by("voting rule"),
        "recommended": c.recommended,
        "same_issues_as_compromise": c.paired.map(|p| json!({"n": p.n, "mae": p.mae, "compromise_mae": p.reference_mae})),
    });
    if let Predictor::Model {
        dynamics,
        rule,
        static_fallback,
    } = &c.candidate.predictor
    {
        let input = plan.inputs.get(c.candidate.input);
        v["dynamics"] = json!(dynamics);
        v["static_fallback"] = json!(static_fallback);
        v["issues_decided_on_static_positions"] = json!(c.fallbacks);
        v["rule"] = json!(rule);
        v["capabilities"] = json!(input.map(|i| i.set.name()));
        v["institution_weight"] = json!(input.map(|i| i.institution_weight));
    } else {
        v["baseline"] = json!(c.candidate.predictor);
    }
    v
}

fn json_selection(s: &SelectionReport) -> Value {
    json!({
        "pool": s.name,
        "chosen": s.chosen,
        "cv_mae": s.cv_mae,
        "cv_mae_by_repeat": s.cv_mae_by_repeat,
        "chosen_in_sample_mae": s.chosen_in_sample_mae,
        "picks_over_folds": s.picks,
        "eligible": s.eligible.len(),
        "excluded_for_missing_issues": s.excluded,
    })
}

/// The JSON of `accord validate deu --json`: the data, the settings, every
/// combination and baseline with its errors, the recommendation, and the
/// calibration (`calibration`: its coverage summary and its detail, as the
/// caller's calibration builder gives them).
pub fn json_report(data: &DeuData, plan: &DeuPlan, report: &ValidationReport, calibration: (Value, Value)) -> Value {
    let s = summary(data);
    let (coverage, calibration_detail) = calibration;
    let mut combinations = serde_json::Map::new();
    let mut baselines = serde_json::Map::new();
    for c in &report.candidates {
        let target = if matches!(c.candidate.predictor, Predictor::Model { .. }) {
            &mut combinations
        } else {
            &mut baselines
        };
        target.insert(c.candidate.name.clone(), json_candidate(c, plan));
    }
    json!({
        "data": {
            "file": data.file,
            "issues": s.issues,
            "issues_with_outcome": s.scored,
            "issues_without_outcome": plan.without_outcome,
            "proposals": s.proposals,
            "missing_saliences_read_as_zero": s.missing_salience,
            "positions_of_non_members": s.non_members,
            "codecision_without_parliament_position": s.cod_without_parliament,
        },
        "settings": {
            "seed": plan.config.seed,
            "bootstrap_resamples": plan.config.resamples,
            "interval_level": plan.config.level,
            "cv_folds": plan.config.folds,
            "cv_repeats": plan.config.repeats,
            "cv_groups": "proposal",
        },
        "combinations": combinations,
        "baselines": baselines,
        "recommendation": json_selection(&report.recommendation),
        "families": report.families.iter().map(json_selection).collect::<Vec<_>>(),
        "calibration": coverage,
        "calibration_detail": calibration_detail,
    })
}

/// Text wrapped at spaces to lines of at most `width` characters (a word
/// longer than that keeps its own line); each line ends with a newline.
pub fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
    out
}

/// The terminal text of `accord validate deu`: the data read, every
/// combination and baseline, the breakdowns and the recommendation. With
/// `width`, prose is wrapped to it and the table keeps the columns that fit
/// (the breakdowns by procedure and voting rule are dropped first, then the
/// right-most scores), naming the dropped ones in a footer line; `None`
/// prints every column.
pub fn text_report(data: &DeuData, plan: &DeuPlan, report: &ValidationReport, width: Option<usize>) -> String {
    let s = summary(data);
    let strata = strata_values(plan);
    let mut out = String::new();
    let prose = |text: String| match width {
        Some(w) => wrap(&text, w),
        None => text + "\n",
    };
    out.push_str(&prose(format!(
        "{}: {} issues, {} with an outcome, {} proposals; {} missing saliences read as 0, {} positions of non-members, {} co-decision issues without a Parliament position",
        data.file, s.issues, s.scored, s.proposals, s.missing_salience, s.non_members, s.cod_without_parliament
    )));
    out.push_str(&prose(format!(
        "MAE (mean absolute error) on the 0–100 scale; 95% interval: {} bootstrap resamples of proposals; CV: {}-fold by proposal × {} repeats; seed {}",
        plan.config.resamples, plan.config.folds, plan.config.repeats, plan.config.seed
    )));
    out.push('\n');
    let mut header = vec![
        "combination".to_string(),
        "n".into(),
        "unscored".into(),
        "MAE".into(),
        "95% CI".into(),
        "RMSE".into(),
        "MedAE".into(),
        "vs compromise".into(),
    ];
    for (k, vals) in &strata {
        for v in vals {
            header.push(format!("{}={v}", if k == "procedure" { "proc" } else { "vote" }));
        }
    }
    let mut rows = vec![header];
    for c in &report.candidates {
        let m = c.metrics;
        let mut row = vec![
            format!("{}{}", c.candidate.name, if c.recommended { " *" } else { "" }),
            m.map_or(0, |m| m.n).to_string(),
            unscored(c),
            opt2(m.map(|m| m.mae)),
            ci(c),
            opt2(m.map(|m| m.rmse)),
            opt2(m.map(|m| m.median_abs)),
            paired(c),
        ];
        for (k, vals) in &strata {
            for v in vals {
                row.push(stratum(c, k, v));
            }
        }
        rows.push(row);
    }
    let mut widths: Vec<usize> = (0..rows[0].len())
        .map(|j| rows.iter().map(|r| r[j].chars().count()).max().unwrap_or(0))
        .collect();
    // Columns are dropped from the right until the table fits (2 spaces between columns).
    let mut dropped = Vec::new();
    if let Some(w) = width {
        while widths.len() > 2 && widths.iter().sum::<usize>() + 2 * (widths.len() - 1) > w {
            widths.pop();
            let mut it = rows.iter_mut();
            if let Some(name) = it.next().and_then(Vec::pop) {
                dropped.push(name);
            }
            for row in it {
                row.pop();
            }
        }
    }
    dropped.reverse();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(j, (cell, w))| {
                let pad = w - cell.chars().count();
                if j == 0 {
                    format!("{cell}{}", " ".repeat(pad))
                } else {
                    format!("{}{cell}", " ".repeat(pad))
                }
            })
            .collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
    }
    out.push('\n');
    if let (false, Some(w)) = (dropped.is_empty(), width) {
        out.push_str(&prose(format!(
            "Columns not shown, to fit {w} columns (--wide shows them): {}.",
            dropped.join(", ")
        )));
    }
    out.push_str(&prose(
        "* recommended. n: issues scored; MAE, RMSE (root mean squared error), MedAE (median absolute error) and \
         the breakdowns (MAE (n) per procedure and voting rule) in points of the 0–100 scale."
            .to_owned(),
    ));
    for sel in std::iter::once(&report.recommendation).chain(&report.families) {
        out.push_str(&prose(format!(
            "{}: picks {} (in-sample MAE {}); cross-validated MAE of the choice {} (repeats: {}); {} eligible, {} excluded for missing issues",
            sel.name,
            sel.chosen.as_deref().unwrap_or("nothing"),
            opt2(sel.chosen_in_sample_mae),
            opt2(sel.cv_mae),
            sel.cv_mae_by_repeat
                .iter()
                .map(|v| f2(*v))
                .collect::<Vec<_>>()
                .join(", "),
            sel.eligible.len(),
            sel.excluded.len()
        )));
    }
    out
}

/// The page `docs/validation.md` (`accord validate deu --markdown`);
/// `calibration` is the calibration section's Markdown, set in its place.
pub fn markdown_report(data: &DeuData, plan: &DeuPlan, report: &ValidationReport, calibration: &str) -> String {
    let s = summary(data);
    let strata = strata_values(plan);
    let mut md = String::new();
    let w = &mut md;
    let _ = writeln!(w, "# Validation on EU legislative decisions (DEU III)\n");
    let _ = writeln!(
        w,
        "<!-- Generated: do not edit. Rerun `cargo run --release -p accord-cli -- validate deu --markdown > docs/validation.md` \
         (the `accord validate deu --markdown` command) to reproduce every number on this page. -->\n"
    );
    let _ = writeln!(
        w,
        "This page is produced by `accord validate deu --markdown > docs/validation.md`. Every number below is \
         recomputed by that command from the data shipped in `data/deu3/` and `data/eu-council-weights/`; \
         with the default seed ({}) the output is identical on every machine and thread count.\n",
        plan.config.seed
    );
    let _ = writeln!(w, "## Data\n");
    let _ = writeln!(
        w,
        "`{}`: {} contested issues of {} legislative proposals (introduced {}–{}) from the development part of DEU III; \
         {} have a recorded outcome and are scored ({} have none: {}). A further part of DEU III is held back for \
         independent evaluation: nothing here was fitted to it, and nothing was fitted to particular issues.\n",
        data.file,
        s.issues,
        s.proposals,
        data.issues.iter().map(|i| i.introduced.year()).min().unwrap_or(0),
        data.issues.iter().map(|i| i.introduced.year()).max().unwrap_or(0),
        s.scored,
        plan.without_outcome.len(),
        plan.without_outcome.join(", ")
    );
    let _ = writeln!(
        w,
        "How the file becomes engine input is documented in `crates/accord-io/src/deu.rs`: actors are the \
         Commission, the Parliament and the member states with a position; saliences are divided by 100, and a \
         salience missing where a position exists is read as 0 ({} such positions); the reference point is the \
         status quo; consultation is decided by the Council alone, co-decision by the Council and the Parliament \
         ({} co-decision issues have no Parliament position and are decided by the Council alone); the Council's \
         weights and thresholds follow the date of introduction (EU-15 before May 2004, the transitional EU-25 \
         weights until October 2004, Nice until October 2014, Lisbon double majority after), applied to the \
         member states present on the issue ({} positions of states without a Council weight in the period bargain but do not \
         vote). Under every capability set except `equal`, the Commission and the Parliament each count as one \
         average member state present.\n",
        s.missing_salience, s.cod_without_parliament, s.non_members
    );
    let _ = writeln!(
        w,
        "Errors are absolute differences between forecast and recorded outcome on the issue's 0–100 scale. The 95% \
         interval of the MAE is a percentile bootstrap over **proposals** ({} resamples): issues of one proposal are \
         decided together and are not independent, so whole proposals are resampled. Cross-validation is {}-fold \
         **by proposal**, repeated {} times with different seeded fold assignments.\n",
        plan.config.resamples, plan.config.folds, plan.config.repeats
    );

    // Recommendation.
    let rec = report.recommended();
    let compromise = report.candidate(COMPROMISE);
    let _ = writeln!(w, "## Recommended combination\n");
    let _ = writeln!(
        w,
        "The recommendation is chosen by a fixed procedure: among the {} model combinations that forecast every \
         scored issue, take the one with the lowest MAE. That procedure was cross-validated: in each fold it chose \
         on the training proposals only and was scored on the held-out proposals. Its cross-validated error is the \
         honest estimate of how the recommendation will do on new proposals; the compromise model has no free \
         parameter, so its cross-validated error equals its error on all issues.\n",
        report.recommendation.eligible.len()
    );
    let _ = writeln!(
        w,
        "| | combination | MAE (all issues) | 95% interval | cross-validated MAE |"
    );
    let _ = writeln!(w, "|---|---|---|---|---|");
    if let Some(r) = rec {
        let _ = writeln!(
            w,
            "| **recommended** | `{}` | {} | {} | **{}** |",
            r.candidate.name,
            opt2(r.metrics.map(|m| m.mae)),
            ci(r),
            opt2(report.recommendation.cv_mae)
        );
    }
    if let Some(c) = compromise {
        let mae = c.metrics.map(|m| m.mae);
        let _ = writeln!(
            w,
            "| compromise model | `{}` | {} | {} | {} |",
            c.candidate.name,
            opt2(mae),
            ci(c),
            opt2(mae)
        );
    }
    for fam in &report.families {
        let _ = writeln!(
            w,
            "| {} | picks `{}` | {} | – | {} |",
            fam.name,
            fam.chosen.as_deref().unwrap_or("–"),
            opt2(fam.chosen_in_sample_mae),
            opt2(fam.cv_mae)
        );
    }
    let _ = writeln!(w);
    let picks: Vec<String> = report
        .recommendation
        .picks
        .iter()
        .map(|(n, k)| format!("`{n}` {k}×"))
        .collect();
    let _ = writeln!(
        w,
        "Choices over the {} folds × {} repeats: {}. Cross-validated MAE per repeat: {}.\n",
        plan.config.folds,
        plan.config.repeats,
        picks.join(", "),
        report
            .recommendation
            .cv_mae_by_repeat
            .iter()
            .map(|v| f2(*v))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !report.recommendation.excluded.is_empty() {
        let _ = writeln!(
            w,
            "Not eligible because they cannot forecast every scored issue: {}.\n",
            compact_names(
                &report
                    .recommendation
                    .excluded
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
            )
        );
    }

    // Meaning.
    let _ = write!(w, "{calibration}");
    let _ = writeln!(w, "## What the numbers mean for choosing a model\n");
    for line in interpretation(report) {
        let _ = writeln!(w, "- {line}");
    }
    let _ = writeln!(w);

    // Full table.
    let _ = writeln!(w, "## Every combination\n");
    let _ = writeln!(
        w,
        "Dynamics × decision rule × capability set, then the compromise model with a tuned institution weight \
         (`inst=`, see `docs/models/validation-models.md`), then the baselines. *n*: issues scored; *not scored*: \
         issues the combination cannot forecast, by reason. Breakdown cells give MAE (issues).\n"
    );
    let mut head = vec![
        "combination",
        "dynamics",
        "rule",
        "capabilities",
        "n",
        "not scored",
        "MAE",
        "95% interval",
        "RMSE",
        "median AE",
        "same issues: MAE vs compromise (n)",
    ]
    .into_iter()
    .map(str::to_string)
    .collect::<Vec<_>>();
    for (k, vals) in &strata {
        for v in vals {
            head.push(format!("{k} {v}"));
        }
    }
    let _ = writeln!(w, "| {} |", head.join(" | "));
    let _ = writeln!(w, "|{}|", vec!["---"; head.len()].join("|"));
    for c in &report.candidates {
        let (dynamics, rule) = model_parts(c);
        let m = c.metrics;
        let name = if c.recommended {
            format!("**`{}`** (recommended)", c.candidate.name)
        } else {
            format!("`{}`", c.candidate.name)
        };
        let mut row = vec![
            name,
            dynamics,
            rule,
            c.candidate.input_label.clone(),
            m.map_or(0, |m| m.n).to_string(),
            unscored(c),
            opt2(m.map(|m| m.mae)),
            ci(c),
            opt2(m.map(|m| m.rmse)),
            opt2(m.map(|m| m.median_abs)),
            paired(c),
        ];
        for (k, vals) in &strata {
            for v in vals {
                row.push(stratum(c, k, v));
            }
        }
        let _ = writeln!(w, "| {} |", row.join(" | "));
    }
    let _ = writeln!(w);
    // Unscored issues, by reason: an example message and who is affected.
    let mut reasons: BTreeMap<&str, (BTreeMap<usize, Vec<&str>>, &str)> = BTreeMap::new();
    for c in &report.candidates {
        for (r, n) in &c.unscored_by_reason {
            let e = reasons.entry(r.as_str()).or_insert((BTreeMap::new(), ""));
            e.0.entry(*n).or_default().push(&c.candidate.name);
            if e.1.is_empty() {
                e.1 = c.unscored_examples.get(r).map(String::as_str).unwrap_or("");
            }
        }
    }
    if !reasons.is_empty() {
        let _ = writeln!(w, "Issues not scored, by reason (with one of the engine's messages):\n");
        for (reason, (by_count, example)) in &reasons {
            let who: Vec<String> = by_count
                .iter()
                .rev()
                .map(|(n, names)| format!("{n} issues for {}", compact_names(names)))
                .collect();
            let _ = writeln!(w, "- **{reason}** (e.g. \"{example}\"): {}.", who.join("; "));
        }
        let _ = writeln!(w);
    }

    // Reference figures.
    let _ = writeln!(w, "## Reference figures of the data README\n");
    let _ = writeln!(
        w,
        "A test (`crates/accord-io/tests/deu_reference.rs`) pins these to within 0.01.\n"
    );
    let _ = writeln!(w, "| model | README | this command |");
    let _ = writeln!(w, "|---|---|---|");
    for (label, name, value) in README_FIGURES {
        let got = report.candidate(name).and_then(|c| c.metrics).map(|m| m.mae);
        let _ = writeln!(w, "| {label} (`{name}`) | {value:.2} | {} |", opt2(got));
    }
    let _ = writeln!(w);

    // Published.
    let _ = writeln!(w, "## Published figures, for context\n");
    let _ = writeln!(
        w,
        "Published MAEs are on all of DEU I/II/III, not on this development part, and differ in details (which \
         actors, how capabilities are measured); they set the scale, not a target.\n"
    );
    let _ = writeln!(w, "| model | MAE | source |");
    let _ = writeln!(w, "|---|---|---|");
    for (model, mae, src) in PUBLISHED {
        let _ = writeln!(w, "| {model} | {mae} | {src} |");
    }
    let _ = writeln!(
        w,
        "\nOn this development part: compromise model {}, best EUM combination {}.\n",
        opt2(report.candidate(COMPROMISE).and_then(|c| c.metrics).map(|m| m.mae)),
        opt2(
            report
                .candidates
                .iter()
                .filter(|c| c.candidate.name.starts_with("eum/") && c.unscored == 0)
                .filter_map(|c| c.metrics.map(|m| m.mae))
                .min_by(f64::total_cmp)
        )
    );
    let _ = writeln!(w, "References:\n");
    for r in REFERENCES {
        let _ = writeln!(w, "- {r}");
    }
    let _ = writeln!(w, "\n## Rerunning\n");
    let _ = writeln!(
        w,
        "- `accord validate deu` prints this table in the terminal; `--json` gives the same numbers with a field per \
         combination and its settings (`\"recommended\": true` on the recommended one); `--markdown` writes this page.\n\
         - `accord validate deu FILE` scores another DEU-format file (e.g. the held-back part, when released) with \
         the same models and the same pre-registered selection procedure; `--weights` replaces the Council weights.\n\
         - `--seed`, `--resamples`, `--folds`, `--repeats` change the bootstrap and the cross-validation; \
         `--no-dynamics` leaves SMP and EUM out; `--timing` prints the wall-clock time (see `docs/performance.md`).\n\
         - The models added for this validation (the tuned institution weight, the static fallback of SMP, the lower \
         weighted median) are documented in `docs/models/validation-models.md`."
    );
    md
}

/// Names grouped by everything before their last `/`:
/// `a/b/x`, `a/b/y` → `` `a/b/{x,y}` ``.
fn compact_names(names: &[&str]) -> String {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for name in names {
        let (prefix, last) = name.rsplit_once('/').unwrap_or(("", name));
        match groups.iter_mut().find(|(p, _)| *p == prefix) {
            Some((_, v)) => v.push(last),
            None => groups.push((prefix, vec![last])),
        }
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(p, v)| match (p.is_empty(), v.len()) {
            (true, _) => format!("`{}`", v.join("`, `")),
            (false, 1) => format!("`{p}/{}`", v[0]),
            (false, _) => format!("`{p}/{{{}}}`", v.join(",")),
        })
        .collect();
    parts.join(", ")
}

/// Plain statements derived from the numbers (never from a fixed script).
fn interpretation(report: &ValidationReport) -> Vec<String> {
    let mut out = Vec::new();
    let get = |name: &str| report.candidate(name);
    let mae = |name: &str| get(name).and_then(|c| c.metrics).map(|m| m.mae);
    let Some(cm) = mae(COMPROMISE) else {
        return vec!["The compromise model scored no issue; see the table.".into()];
    };
    let half_width = get(COMPROMISE).and_then(|c| c.mae_interval).map(|(lo, hi)| {
        out.push(format!(
            "The compromise model errs by {cm:.2} points on average; resampling proposals, that figure could as \
             well be anywhere from {lo:.2} to {hi:.2}. Differences between models smaller than about {:.1} points \
             are within that uncertainty (there are only {} proposals).",
            (hi - lo) / 2.0,
            report.groups
        ));
        (hi - lo) / 2.0
    });
    if let Some(cv) = report.recommendation.cv_mae {
        let chosen = report.recommendation.chosen.as_deref().unwrap_or("–");
        let in_sample = report.recommendation.chosen_in_sample_mae.unwrap_or(f64::NAN);
        if chosen == COMPROMISE {
            out.push("Cross-validation over proposals recommends the compromise model itself.".into());
        } else if cv < cm {
            out.push(format!(
                "The recommended combination `{chosen}` errs by {in_sample:.2} on all issues; cross-validated, the \
                 procedure that chose it errs by {cv:.2}, {:.2} points better than the compromise model ({cm:.2}). \
                 {}",
                cm - cv,
                if half_width.is_some_and(|h| cm - cv < h) {
                    "The gain is far smaller than the uncertainty above: prefer the compromise model when a simple, \
                     published model is wanted; the recommendation when the last fraction of a point matters."
                } else {
                    "The gain exceeds the uncertainty above."
                }
            ));
        } else {
            out.push(format!(
                "The recommended combination `{chosen}` looks better on all issues ({in_sample:.2}), but the \
                 procedure that chose it does **not** beat the compromise model once cross-validated ({cv:.2} vs \
                 {cm:.2}): its in-sample advantage is selection noise. Nothing here reliably improves on the \
                 compromise model; either is a sound choice, and the compromise model is the simpler one."
            ));
        }
    }
    let sets: Vec<f64> = report
        .candidates
        .iter()
        .filter(|c| c.candidate.name.starts_with("none/weighted_mean/") && !c.candidate.input_label.contains('('))
        .filter_map(|c| c.metrics.map(|m| m.mae))
        .collect();
    if sets.len() > 1 {
        let (lo, hi) = sets
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
        out.push(format!(
            "Which capabilities the compromise model uses matters {}: equal, vote-weight, population and GDP \
             capabilities give MAEs from {lo:.2} to {hi:.2}.",
            if half_width.is_some_and(|h| hi - lo < h) {
                "less than the uncertainty"
            } else {
                "noticeably"
            }
        ));
    }
    let best = |prefix: &str, complete: bool| {
        report
            .candidates
            .iter()
            .filter(|c| c.candidate.name.starts_with(prefix) && (!complete || c.unscored == 0))
            .filter_map(|c| c.metrics.map(|m| (m.mae, c)))
            .min_by(|a, b| a.0.total_cmp(&b.0))
    };
    if let Some((m, c)) = best("smp/", false) {
        let reasons: Vec<String> = c.unscored_by_reason.iter().map(|(r, n)| format!("{n} {r}")).collect();
        let paired = c.paired.map(|p| {
            format!(
                " (the compromise model errs by {:.2} on the same issues)",
                p.reference_mae
            )
        });
        out.push(format!(
            "KTAB's SMP runs on {} of {} issues (not on {}: it reports an issue degenerate when its risk inference \
             is undefined — typically every position at the two ends of the scale — and rejects actors with zero \
             salience). There, its best combination `{}` errs by {m:.2}{}.",
            c.metrics.map_or(0, |m| m.n),
            report.cases,
            reasons.join(", "),
            c.candidate.name,
            paired.unwrap_or_default()
        ));
    }
    if let Some((m, c)) = best("smp_or_static/", true) {
        out.push(format!(
            "With positions left as they are where SMP cannot run, the best SMP combination on every issue is `{}` \
             at {m:.2} ({:+.2} against the compromise model).",
            c.candidate.name,
            m - cm
        ));
    }
    if let Some((m, c)) = best("eum/", true) {
        out.push(format!(
            "With the expected utility model (EUM) as dynamics the best combination is `{}` at {m:.2} ({:+.2} \
             against the compromise model), in line with the published 27–28 for reconstructions of Bueno de \
             Mesquita's model being worse than the compromise model.",
            c.candidate.name,
            m - cm
        ));
    }
    if let Some((m, c)) = best("exchange/", true) {
        out.push(format!(
            "With the exchange model as dynamics (the issues of one proposal negotiated together, `docs/models/\
             exchange.md`) the best combination on every issue is `{}` at {m:.2} ({:+.2} against the compromise \
             model).",
            c.candidate.name,
            m - cm
        ));
    }
    for (rule, label) in [("nash", "Nash bargaining solution"), ("procedural", "procedural rule")] {
        let scored = best(&format!("none/{rule}/"), false).and_then(|(m, c)| c.paired.map(|p| (m, c, p)));
        if let Some((m, c, p)) = scored {
            out.push(format!(
                "The {label} needs a reference point, so it scores {} issues; there its best form `{}` errs by \
                 {m:.2} against the compromise model's {:.2}.",
                p.n, c.candidate.name, p.reference_mae
            ));
        }
    }
    if let (Some(b50), Some(rp), Some(com)) = (
        mae("baseline/always_50"),
        mae("baseline/reference_point"),
        mae("baseline/commission"),
    ) {
        out.push(format!(
            "Baselines: always forecasting the middle of the scale errs by {b50:.2} (the compromise model is {:.0}% \
             better); the reference point (no change) by {rp:.2}; the Commission's proposal by {com:.2}.",
            100.0 * (b50 - cm) / b50
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrapping_keeps_every_word_and_the_width() {
        let text = "one two three four five six seven eight nine ten eleven twelve";
        let w = wrap(text, 14);
        assert!(w.lines().all(|l| l.chars().count() <= 14), "{w}");
        assert_eq!(w.split_whitespace().collect::<Vec<_>>().join(" "), text);
        // A word longer than the width keeps its own line.
        assert_eq!(wrap("a abcdefghij b", 4), "a\nabcdefghij\nb\n");
    }
}
