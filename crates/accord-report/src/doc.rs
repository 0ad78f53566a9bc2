//! The report as a document: sections of paragraphs, lists, tables and
//! charts, built once from a [`Report`] and rendered by both the HTML and
//! the Markdown writers, so that the two always say the same thing.

use std::fmt::Write;

use accord_engine::montecarlo::Distribution;
use serde::Serialize;

use crate::{
    charts::{self, signed},
    data::{IssueInfo, Report, ScenarioResult},
};

/// A whole document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    /// The title (h1).
    pub title: String,
    /// One line under the title.
    pub subtitle: String,
    /// A warning shown above everything (e.g. a stopped run).
    pub banner: Option<String>,
    /// The sections, in reading order.
    pub sections: Vec<Section>,
}

/// A section with an anchor id; sub-sections render one level deeper.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    /// Anchor id (unique in the document; `a-z`, `0-9`, `-`).
    pub id: String,
    /// Heading.
    pub title: String,
    /// Content, before the sub-sections.
    pub blocks: Vec<Block>,
    /// Sub-sections.
    pub subsections: Vec<Section>,
}

impl Section {
    /// An empty section.
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> Self {
        Section {
            id: id.into(),
            title: title.into(),
            blocks: Vec::new(),
            subsections: Vec::new(),
        }
    }

    /// Adds a block.
    pub fn push(&mut self, block: Block) -> &mut Self {
        self.blocks.push(block);
        self
    }
}

/// A piece of content.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Block {
    /// A paragraph of plain text.
    Paragraph(String),
    /// A highlighted remark (warnings, partial results).
    Note(String),
    /// A bulleted list of plain-text items.
    List(Vec<String>),
    /// Terms and their meanings.
    Definitions(Vec<(String, String)>),
    /// A table.
    Table(Table),
    /// Charts, side by side where the page is wide enough.
    Charts(Vec<Chart>),
    /// Shell commands, verbatim.
    Code(String),
    /// The sources the document cites, each with an anchor that citations
    /// link to and, where it has one, the address a reader can follow.
    Sources(Vec<SourceItem>),
}

/// One entry of the Sources section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceItem {
    /// The citation as the text writes it (`tass-950697`, `seed:fn7`).
    pub citation: String,
    /// The anchor citations link to ([`citation_anchor`]).
    pub anchor: String,
    /// Publisher, title and date, or the article's section.
    pub label: String,
    /// The web address to follow (with its scheme), if the source has one.
    pub href: Option<String>,
    /// A full bibliographic reference, for a source without an address.
    pub reference: Option<String>,
}

/// The anchor of a citation's entry in the Sources section
/// (`seed:fn7` → `src-seed-fn7`).
pub fn citation_anchor(citation: &str) -> String {
    format!("src-{}", citation.replace(':', "-"))
}

/// The citations a piece of text makes: the words that are a known source id
/// or an article citation (`seed:SECTION`, `seed:fnN`), in order of first
/// appearance. A word is a run of `a-z`, `0-9`, `-` and `:`.
pub fn citations_in<'a>(text: &'a str, known: &dyn Fn(&str) -> bool) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for word in text.split(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == ':')) {
        let word = word.trim_matches(|c| c == '-' || c == ':');
        if !word.is_empty() && known(word) && !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

/// Whether `word` is a citation of the article (`seed:security`, `seed:fn7`).
fn is_article_citation(word: &str) -> bool {
    word.starts_with("seed:") && accord_core::Citation::parse(word).is_ok()
}

/// Every text a reader sees in a section, for finding its citations.
fn section_texts<'a>(s: &'a Section, out: &mut Vec<&'a str>) {
    for b in &s.blocks {
        match b {
            Block::Paragraph(t) | Block::Note(t) => out.push(t),
            Block::List(items) => out.extend(items.iter().map(String::as_str)),
            Block::Definitions(items) => {
                for (t, m) in items {
                    out.push(t);
                    out.push(m);
                }
            }
            Block::Table(t) => {
                out.push(&t.caption);
                for row in &t.rows {
                    out.extend(row.iter().map(|c| c.text.as_str()));
                }
            }
            Block::Charts(_) | Block::Code(_) | Block::Sources(_) => {}
        }
    }
    for sub in &s.subsections {
        section_texts(sub, out);
    }
}

/// The Sources section: every source the other sections cite, linked from
/// the citations (HTML) and to the source's address; `None` when nothing is
/// cited.
fn sources_section(report: &Report, sections: &[Section]) -> Option<Section> {
    let mut texts = Vec::new();
    for s in sections {
        section_texts(s, &mut texts);
    }
    let by_id: std::collections::HashMap<&str, &crate::data::SourceEntry> =
        report.sources.iter().map(|e| (e.id.as_str(), e)).collect();
    let known = |w: &str| by_id.contains_key(w) || is_article_citation(w);
    let mut cited: Vec<&str> = Vec::new();
    for t in &texts {
        for c in citations_in(t, &known) {
            if !cited.contains(&c) {
                cited.push(c);
            }
        }
    }
    if cited.is_empty() {
        return None;
    }
    cited.sort_unstable();
    const ARTICLE: &str =
        "M. Starchak, \u{201c}The Shanghai Cooperation Organization: Opportunities for Russia\u{201d} (2010)";
    let items = cited
        .into_iter()
        .map(|c| {
            let (label, href, reference) = match accord_core::Citation::parse(c) {
                Ok(accord_core::Citation::ArticleSection { section }) => (
                    format!("{ARTICLE}, section \u{201c}{}\u{201d}", section.heading()),
                    None,
                    None,
                ),
                Ok(accord_core::Citation::ArticleFootnote { number }) => {
                    (format!("{ARTICLE}, footnote {number}"), None, None)
                }
                _ => {
                    let e = by_id[c];
                    let href = e.address.as_ref().map(|a| {
                        if a.starts_with("http://") || a.starts_with("https://") {
                            a.clone()
                        } else {
                            format!("https://{a}")
                        }
                    });
                    (e.label.clone(), href, e.reference.clone())
                }
            };
            SourceItem {
                citation: c.to_owned(),
                anchor: citation_anchor(c),
                label,
                href,
                reference,
            }
        })
        .collect();
    let mut s = Section::new("sources", "Sources");
    s.push(Block::Paragraph(
        "Every source the report cites, with the address to follow or, for a source without one, its full reference. \
         The article's sections and footnotes (seed:…) are those of the paper the model is built on."
            .to_owned(),
    ));
    s.push(Block::Sources(items));
    Some(s)
}

/// A table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// What the table shows and where its numbers come from.
    pub caption: String,
    /// Column headings.
    pub header: Vec<String>,
    /// Which columns hold numbers (right-aligned).
    pub numeric: Vec<bool>,
    /// The rows.
    pub rows: Vec<Vec<Cell>>,
}

/// A table cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    /// Its text.
    pub text: String,
    /// An anchor in the document it links to.
    pub link: Option<String>,
    /// Whether it stands out (bold).
    pub strong: bool,
}

impl Cell {
    /// A plain cell.
    pub fn text(s: impl Into<String>) -> Self {
        Cell {
            text: s.into(),
            link: None,
            strong: false,
        }
    }

    /// A cell linking to an anchor.
    pub fn link(s: impl Into<String>, anchor: impl Into<String>) -> Self {
        Cell {
            text: s.into(),
            link: Some(anchor.into()),
            strong: false,
        }
    }

    /// A bold cell.
    pub fn strong(s: impl Into<String>) -> Self {
        Cell {
            text: s.into(),
            link: None,
            strong: true,
        }
    }
}

/// A chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    /// File stem when written apart (`charts/<name>.svg` beside the Markdown).
    pub name: String,
    /// Caption: what it shows, from which run.
    pub caption: String,
    /// The SVG document.
    pub svg: String,
}

/// Sections that other analyses contribute. Each is `None` until its
/// analysis exists; a `Some` section is placed after the scenarios, before
/// the membership timeline.
///
/// EXTENSION POINT: the "opportunities" (ranked levers for a focal actor)
/// and "influence" (Shapley attribution, voting power) analyses build their
/// [`Section`] from their own results — with [`Block`]s and, for charts, the
/// helpers in [`crate::svg`] — and pass it here; nothing else in this crate
/// needs to change.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Extensions {
    /// Several models, one headline: each validated model beside the
    /// calibrated ensemble ([`crate::models::section`]).
    pub models: Option<Section>,
    /// Opportunities: the moves that serve a focal actor best.
    pub opportunities: Option<Section>,
    /// Influence: who accounts for each outcome, and voting power.
    pub influence: Option<Section>,
    /// Package deals: the exchanges across linked issues and what they
    /// change against the one-issue-at-a-time forecast.
    pub packages: Option<Section>,
    /// From decision to implementation: P(decided / carried out by year Y).
    pub implementation: Option<Section>,
    /// Track record: the backtest against what happened.
    pub backtest: Option<Section>,
}

/// Three significant digits (capabilities are shares of a world total).
fn sig3(x: f64) -> String {
    if !x.is_finite() {
        return "–".to_owned();
    }
    if x == 0.0 {
        return "0".to_owned();
    }
    let digits = (2 - x.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{x:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

fn f1(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.1}")
    } else {
        "–".to_owned()
    }
}

fn f2(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.2}")
    } else {
        "–".to_owned()
    }
}

fn pm(x: f64, se: f64, digits: usize) -> String {
    if x.is_finite() {
        format!("{x:.digits$} ± {se:.prec$}", prec = digits + 1)
    } else {
        "–".to_owned()
    }
}

/// Anchor id of an issue's section.
pub fn issue_anchor(id: &str) -> String {
    format!("issue-{}", slug(id))
}

/// Anchor id of a scenario's section.
pub fn scenario_anchor(id: &str) -> String {
    format!("scenario-{}", slug(id))
}

fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

fn distribution(d: Distribution) -> &'static str {
    match d {
        Distribution::Uniform => "uniform",
        Distribution::Triangular => "triangular",
        Distribution::Pert => "PERT",
    }
}

fn samples_note(done: u64, asked: u64, partial: bool) -> String {
    if partial || done < asked {
        format!("{done} of {asked} (PARTIAL)")
    } else {
        done.to_string()
    }
}

/// The headline findings, one sentence each: the issues most likely to
/// reach their thresholds (at or above) in the baseline, and the largest
/// scenario shifts. An issue that is a *given* of its scenario (the scenario
/// sets its status quo or its decisive positions) is never among them.
/// (The terminal summary of `accord report` prints these.)
pub fn headlines(report: &Report) -> Vec<String> {
    let mut out = Vec::new();
    // The calibrated headline (every validated model with its error learned on
    // DEU) where the report carries it; else the scenario model's input-only P.
    struct Line<'a> {
        id: &'a str,
        p: f64,
        se: f64,
        median: f64,
    }
    let calibrated = report.baseline.issues.iter().any(|f| f.predictive.is_some());
    let mut by_p: Vec<Line> = report
        .baseline
        .run
        .issues
        .iter()
        .zip(&report.baseline.issues)
        .filter(|(s, f)| s.samples > 0 && s.p_above.is_finite() && !f.given)
        .map(|(s, f)| match &f.predictive {
            Some(x) => Line {
                id: &s.id,
                p: x.headline.p_at_or_above,
                se: x.headline.p_se,
                median: x.headline.quantiles[2],
            },
            None => Line {
                id: &s.id,
                p: s.p_above,
                se: s.p_above_se,
                median: s.quantiles[2],
            },
        })
        .collect();
    by_p.sort_by(|a, b| b.p.total_cmp(&a.p));
    let what = if calibrated {
        "by the calibrated headline (every validated model with its error learned on EU decisions)"
    } else {
        "by the scenario's model (input uncertainty only)"
    };
    let passing = by_p.iter().filter(|s| s.p > 0.5).count();
    let surest: Vec<String> = by_p
        .iter()
        .filter(|s| s.p > 0.5)
        .take(3)
        .map(|s| format!("{} (P = {:.2} ± {:.3}, median {})", s.id, s.p, s.se, f1(s.median)))
        .collect();
    if surest.is_empty() {
        out.push(format!(
            "Baseline, {what}: no issue is more likely than not to reach its threshold (at or above)."
        ));
    } else {
        out.push(format!(
            "Baseline, {what}: {passing} of {} issues are more likely than not to reach their thresholds (at or above); the surest: {}.",
            report.baseline.run.issues.len(),
            surest.join("; ")
        ));
    }
    let unlikely: Vec<String> = by_p
        .iter()
        .rev()
        .take(3)
        .filter(|s| s.p < 0.5)
        .map(|s| format!("{} (P = {:.2}, median {})", s.id, s.p, f1(s.median)))
        .collect();
    if !unlikely.is_empty() {
        out.push(format!("Least likely: {}.", unlikely.join("; ")));
    }
    let mut shifts: Vec<(&ScenarioResult, &accord_analysis::run::IssueShift)> = report
        .scenarios
        .iter()
        .filter_map(|s| s.comparison.as_ref().map(|c| (s, c)))
        .flat_map(|(s, c)| c.issues.iter().map(move |i| (s, i)))
        .filter(|(_, i)| {
            !i.given
                && i.mean_shift.is_finite()
                && i.mean_shift.abs() > 2.0 * i.mean_shift_se
                && i.mean_shift.abs() >= 1.0
        })
        .collect();
    shifts.sort_by(|a, b| b.1.mean_shift.abs().total_cmp(&a.1.mean_shift.abs()));
    let top: Vec<String> = shifts
        .iter()
        .take(4)
        .map(|(s, i)| {
            format!(
                "{} moves {} by {} (median {} → {}, P {:.2} → {:.2})",
                s.source.id,
                i.id,
                signed(i.mean_shift, 1),
                f1(i.median.0),
                f1(i.median.1),
                i.p_above.0,
                i.p_above.1
            )
        })
        .collect();
    if !report.scenarios.is_empty() {
        if top.is_empty() {
            out.push("No scenario moves any outcome by a point or more.".to_owned());
        } else {
            out.push(format!(
                "Largest scenario shifts (issues a scenario sets are left out as its givens): {}.",
                top.join("; ")
            ));
        }
    }
    out
}

/// The report as a document. `ext` holds the sections other analyses add.
pub fn document(report: &Report, ext: &Extensions) -> Document {
    let b = &report.baseline;
    let stopped_scenarios: Vec<&str> = report
        .scenarios
        .iter()
        .filter(|s| s.comparison.is_none())
        .map(|s| s.source.id.as_str())
        .collect();
    let banner = report.stopped.then(|| {
        let mut s = "PARTIAL REPORT: the runs were stopped by the user".to_owned();
        if b.run.partial {
            let _ = write!(
                s,
                "; the baseline rests on {} of {} samples",
                b.run.samples_done, b.run.settings.samples
            );
        }
        if !stopped_scenarios.is_empty() {
            let _ = write!(s, "; not run: {}", stopped_scenarios.join(", "));
        }
        s.push('.');
        s
    });
    let subtitle = format!(
        "Accord {} report · data of {} · decision date {} · {} · baseline: {} samples, seed {}",
        report.org,
        report.data_date,
        report.decision_date,
        report.model_description,
        samples_note(b.run.samples_done, b.run.settings.samples, b.run.partial),
        b.run.settings.seed
    );
    let mut sections = vec![
        summary_section(report),
        forecast_section(report),
        issues_section(report),
    ];
    if !report.scenarios.is_empty() {
        sections.push(scenarios_section(report));
    }
    // EXTENSION POINT: contributed sections go here (see `Extensions`).
    sections.extend(ext.models.clone());
    sections.extend(ext.opportunities.clone());
    sections.extend(ext.influence.clone());
    sections.extend(ext.packages.clone());
    sections.extend(ext.implementation.clone());
    sections.extend(ext.backtest.clone());
    sections.push(membership_section(report));
    sections.push(provenance_section(report));
    sections.extend(sources_section(report, &sections));
    Document {
        title: format!("{}: forecasts and scenarios", report.title),
        subtitle,
        banner,
        sections,
    }
}

fn summary_section(report: &Report) -> Section {
    let mut s = Section::new("summary", "Key findings");
    s.push(Block::List(headlines(report)));
    s.push(Block::Paragraph(format!(
        "How to read this report: each contested question of the {org} is an issue on a 0–100 scale whose labelled \
         points are given with its charts; the status quo is where it stands on {date}. The model lets the actors \
         bargain ({model}) and forecasts where the {org} ends up. Inputs are uncertain (each position and salience is \
         a range), so every forecast is a distribution over {samples} Monte Carlo draws: the median and the 5–95 % \
         interval, and the probability P that the outcome is at or above the issue's threshold (a status quo at the \
         threshold counts as reaching it), with its standard error (± se). Scenarios change the inputs; their effects \
         are paired differences on the same draws, so even small shifts are measured, not noise. An issue whose \
         status quo or decisive positions a scenario sets is a given of that scenario: it is marked as such and is \
         never a finding. The {table}.",
        org = report.org,
        date = report.decision_date,
        model = report.model_description,
        samples = report.baseline.run.samples_done,
        table = report.baseline.table.description
    )));
    for note in &report.notes {
        s.push(Block::Note(note.clone()));
    }
    s
}

fn forecast_section(report: &Report) -> Section {
    let b = &report.baseline;
    let mut s = Section::new("forecast", "Baseline forecast");
    s.push(Block::Paragraph(format!(
        "{} — {} on {}. Model: {}. {} samples of {} (seed {}, {} draws){}. Voting: {}.",
        b.title,
        b.org,
        b.date,
        report.model_description,
        b.run.samples_done,
        b.run.settings.samples,
        b.run.settings.seed,
        distribution(b.run.settings.distribution),
        if b.run.partial {
            " — PARTIAL: stopped before the end"
        } else {
            ""
        },
        b.voters.join(" ")
    )));
    s.push(Block::Paragraph(format!(
        "On {}, the {}. Observers, partners and outsiders with a stance are shown beside each issue \
         as not at the table; they have no weight in the bargain and act only through what they do to the members' \
         positions (levers).",
        b.date, b.table.description
    )));
    if let Some(w) = &b.table.widened {
        s.push(Block::Note(format!("The table is widened: {w}.")));
    }
    s.push(Block::Table(forecast_table(report)));
    if let Some(t) = deciding_inputs_table(report) {
        s.push(Block::Table(t));
    }
    let failures: Vec<String> = b
        .issues
        .iter()
        .filter(|i| i.summary.failures > 0)
        .map(|i| {
            format!(
                "{} failed in {} samples: {}",
                i.id,
                i.summary.failures,
                i.summary.error.as_deref().unwrap_or("unknown error")
            )
        })
        .collect();
    if !failures.is_empty() {
        s.push(Block::Note(format!("Model failures: {}.", failures.join("; "))));
    }
    s
}

/// Per issue, the input whose range moves the forecast most (the first
/// entry of the sensitivity analysis), as `accord forecast --sensitivity
/// --top 1` prints it; `None` when the analysis did not run.
fn deciding_inputs_table(report: &Report) -> Option<Table> {
    let first = report.sensitivity.first()?;
    let rows = report
        .sensitivity
        .iter()
        .map(|s| match s.entries.first() {
            Some(e) => vec![
                Cell::link(s.id.clone(), issue_anchor(&s.id)),
                Cell::text(format!("{} {}", e.actor, e.input.as_str())),
                Cell::text(format!("{} → {}", f2(e.p.0), f2(e.p.1))),
                Cell {
                    strong: e.p_effect.abs() >= 0.1,
                    ..Cell::text(signed(e.p_effect, 2))
                },
                Cell::text(format!("{} → {}", f1(e.median.0), f1(e.median.1))),
            ],
            None => vec![
                Cell::link(s.id.clone(), issue_anchor(&s.id)),
                Cell::text("no input has a range"),
                Cell::text("—"),
                Cell::text("—"),
                Cell::text("—"),
            ],
        })
        .collect();
    Some(Table {
        caption: format!(
            "Which input decides: per issue, the actor's input that changes P(at or above the threshold) most when \
             moved from the low to the high end of its range, the others drawn ({} samples, common random numbers; \
             bold: |ΔP| ≥ 0.10). The tornado chart of each issue shows the next ones.",
            first.samples
        ),
        header: ["issue", "input", "P low → high", "ΔP", "median low → high"]
            .map(String::from)
            .to_vec(),
        numeric: vec![false, false, true, true, true],
        rows,
    })
}

/// The forecast table, with the columns `accord forecast` prints.
pub fn forecast_table(report: &Report) -> Table {
    let b = &report.baseline;
    let rows = b
        .issues
        .iter()
        .map(|i| {
            let s = &i.summary;
            vec![
                Cell::link(i.id.clone(), issue_anchor(&i.id)),
                Cell::text(format!("{:.0}", i.status_quo)),
                Cell::text(pm(s.mean, s.std_error, 1)),
                Cell::strong(f1(s.quantiles[2])),
                Cell::text(format!("{}–{}", f1(s.quantiles[0]), f1(s.quantiles[4]))),
                Cell::text(format!("{:.0}", s.threshold)),
                Cell {
                    strong: s.p_above > 0.5,
                    ..Cell::text(pm(s.p_above, s.p_above_se, 2))
                },
            ]
        })
        .collect();
    Table {
        caption: format!(
            "Baseline forecast ({}, {} samples, seed {}).",
            report.baseline_source.path,
            samples_note(b.run.samples_done, b.run.settings.samples, b.run.partial),
            b.run.settings.seed
        ),
        header: [
            "issue",
            "status quo",
            "mean ± se",
            "median",
            "5 %–95 %",
            "threshold",
            "P(≥ threshold) ± se",
        ]
        .map(String::from)
        .to_vec(),
        numeric: vec![false, true, true, true, true, true, true],
        rows,
    }
}

fn issues_section(report: &Report) -> Section {
    let mut s = Section::new("issues", "Issues, positions and bargaining");
    s.push(Block::Paragraph(format!(
        "For each issue: the actors' positions in the baseline (with their ranges), the baseline forecast, and how \
         the actors move in the representative run — one run of the model with every input at its point value \
         (seed {}). The forecast box summarises all the draws; the representative run shows the mechanics.",
        report.baseline.run.settings.seed
    )));
    let rows = report
        .actors
        .iter()
        .map(|a| {
            vec![
                if a.votes {
                    Cell::strong(a.code.clone())
                } else {
                    Cell::text(a.code.clone())
                },
                Cell::text(a.name.clone()),
                Cell::text(
                    a.status
                        .as_deref()
                        .map_or_else(|| "—".to_owned(), |s| s.replace('_', " ")),
                ),
                Cell::text(if a.votes { "yes" } else { "no" }),
                Cell::text(format!(
                    "{} ({}–{})",
                    sig3(a.capability.value),
                    sig3(a.capability.low),
                    sig3(a.capability.high)
                )),
            ]
        })
        .collect();
    s.push(Block::Table(Table {
        caption: format!(
            "The actors (codes used in the charts), their status in the {} on {} and their capability (range).",
            report.org, report.decision_date
        ),
        header: ["code", "name", "status", "votes", "capability"]
            .map(String::from)
            .to_vec(),
        numeric: vec![false, false, false, false, true],
        rows,
    }));
    for issue in &report.issues {
        s.subsections.push(issue_section(report, issue));
    }
    s
}

fn issue_section(report: &Report, issue: &IssueInfo) -> Section {
    let mut s = Section::new(issue_anchor(&issue.id), format!("{} ({})", issue.name, issue.id));
    let summary = report.baseline.run.issues.iter().find(|x| x.id == issue.id);
    let mut intro = format!("{} Sphere: {}.", issue.question, issue.sphere.replace('_', " "));
    if let Some(f) = summary.filter(|f| f.samples > 0) {
        let _ = write!(
            intro,
            " Baseline forecast: median {} (5–95 %: {}–{}); P(outcome at or above {}) = {} ± {}.",
            f1(f.quantiles[2]),
            f1(f.quantiles[0]),
            f1(f.quantiles[4]),
            format_args!("{:.0}", issue.threshold),
            f2(f.p_above),
            format_args!("{:.3}", f.p_above_se)
        );
    }
    s.push(Block::Paragraph(intro));
    if !issue.status_quo_basis.is_empty() {
        s.push(Block::Paragraph(format!(
            "Status quo {}: {}",
            format_args!("{:.0}", issue.status_quo),
            issue.status_quo_basis
        )));
    }
    let mut charts_row = vec![Chart {
        name: format!("{}-positions", issue_anchor(&issue.id)),
        caption: format!(
            "Positions on {} in the baseline and the forecast distribution ({} samples, seed {}).",
            issue.id, report.baseline.run.samples_done, report.baseline.run.settings.seed
        ),
        svg: charts::positions_chart(issue, summary, issue.trajectory.as_ref().map(|t| t.outcome)),
    }];
    match (&issue.trajectory, &issue.trajectory_error) {
        (Some(t), _) if t.positions.len() <= 1 => {
            s.push(Block::Note(format!(
                "The model has no bargaining dynamics ({}): positions stay as given, so there is no trajectory to \
                 draw; the decision rule applied to the point values gives {} (the diamond on the forecast row).",
                report.model_description,
                f1(t.outcome)
            )));
        }
        (Some(t), _) => charts_row.push(Chart {
            name: format!("{}-trajectory", issue_anchor(&issue.id)),
            caption: format!(
                "Representative run on {}: all inputs at their point values; {} turns ({}); outcome {}.",
                issue.id,
                t.positions.len().saturating_sub(1),
                t.stop,
                f1(t.outcome)
            ),
            svg: charts::trajectory_chart(issue, t, &report.actors),
        }),
        (None, Some(e)) => {
            s.push(Block::Note(format!("The representative run failed: {e}")));
        }
        (None, None) => {}
    }
    s.push(Block::Charts(charts_row));
    if !issue.outside.is_empty() {
        let list: Vec<String> = issue
            .outside
            .iter()
            .map(|o| {
                format!(
                    "{} at {} (salience {:.0}; status: {})",
                    o.actor,
                    f1(o.position),
                    o.salience,
                    o.status.replace('_', " ")
                )
            })
            .collect();
        s.push(Block::Paragraph(format!(
            "Not at the table (stances shown, no weight in the bargain): {}.",
            list.join("; ")
        )));
    }
    if let Some(sens) = report.sensitivity.iter().find(|x| x.id == issue.id) {
        const TOP: usize = 8;
        s.push(Block::Charts(vec![Chart {
            name: format!("{}-tornado", issue_anchor(&issue.id)),
            caption: format!(
                "Which input decides {}: the {} input(s) with the largest effect, each moved across its range with the \
                 others drawn ({} samples, seed {}, common random numbers; docs/models/sensitivity.md).",
                issue.id,
                sens.entries.len().min(TOP),
                sens.samples,
                report.baseline.run.settings.seed
            ),
            svg: charts::tornado_chart(issue, sens, TOP),
        }]));
    }
    if !issue.scale.is_empty() {
        s.push(Block::Definitions(
            issue
                .scale
                .iter()
                .map(|p| (format!("{:.0}", p.at), p.means.clone()))
                .collect(),
        ));
    }
    s
}

fn scenarios_section(report: &Report) -> Section {
    let b = &report.baseline;
    let mut s = Section::new("scenarios", "Scenarios against the baseline");
    s.push(Block::Paragraph(format!(
        "Each scenario changes the baseline's inputs (statuses, stances, status quos) and is run on the same draws \
         as the baseline: the first {} samples of seed {}, as `accord compare` does. A shift is the scenario's \
         outcome minus the baseline's in the same draw, averaged (± its standard error); ΔP is the paired change \
         in the probability of an outcome at or above the threshold. An issue whose status quo a scenario sets, or \
         whose positions it sets for actors holding at least half of the weight at the table, is a given of that \
         scenario: marked \u{201c}given\u{201d}, it replays the input and is never a finding.",
        report.scenario_samples, b.run.settings.seed
    )));
    let runs = report.scenarios.iter().filter(|s| s.comparison.is_some()).count();
    if runs > 0 {
        s.push(Block::Charts(vec![Chart {
            name: "scenarios-overview".to_owned(),
            caption: format!(
                "Mean paired shift of each issue's outcome under each scenario ({} samples, seed {}).",
                report.scenario_samples, b.run.settings.seed
            ),
            svg: charts::overview_chart(&report.scenarios, &report.issues),
        }]));
    }
    for r in &report.scenarios {
        s.subsections.push(scenario_section(report, r));
    }
    s
}

fn scenario_section(report: &Report, r: &ScenarioResult) -> Section {
    let mut s = Section::new(scenario_anchor(&r.source.id), r.source.title.clone());
    if !r.source.description.is_empty() {
        s.push(Block::Paragraph(r.source.description.clone()));
    }
    if !r.source.changes.is_empty() {
        s.push(Block::Paragraph(format!(
            "What {} changes ({}):",
            r.source.id, r.source.path
        )));
        s.push(Block::List(r.source.changes.clone()));
    }
    let Some(c) = &r.comparison else {
        s.push(Block::Note(
            "Not run: the report was stopped (Ctrl-C) before this scenario finished.".to_owned(),
        ));
        return s;
    };
    if let Some(w) = &c.b.table.widened {
        s.push(Block::Note(format!("This scenario widens the bargaining table: {w}.")));
    }
    let partial = c.a.run.partial || c.b.run.partial;
    if partial {
        s.push(Block::Note(format!(
            "PARTIAL: this comparison rests on {} of {} samples.",
            c.b.run.samples_done, c.b.run.settings.samples
        )));
    }
    s.push(Block::Charts(vec![Chart {
        name: format!("{}-comparison", scenario_anchor(&r.source.id)),
        caption: format!(
            "{} against the baseline ({} samples, seed {}, common random numbers).",
            r.source.id, c.b.run.samples_done, c.a.run.settings.seed
        ),
        svg: charts::scenario_chart(r, &report.issues),
    }]));
    let rows = c
        .issues
        .iter()
        .map(|i| {
            let significant = charts::p_significant(i) && !i.given;
            let moved = !i.given && i.mean_shift.abs() > 2.0 * i.mean_shift_se && i.mean_shift.abs() >= 0.05;
            vec![
                Cell::link(
                    if i.given {
                        format!("{} (given)", i.id)
                    } else {
                        i.id.clone()
                    },
                    issue_anchor(&i.id),
                ),
                Cell::text(format!("{} → {}", f1(i.median.0), f1(i.median.1))),
                Cell {
                    strong: moved,
                    ..Cell::text(format!("{} ± {:.2}", signed(i.mean_shift, 1), i.mean_shift_se))
                },
                Cell::text(format!("{} … {}", signed(i.shift_90.0, 1), signed(i.shift_90.1, 1))),
                Cell::text(format!("{} → {}", f2(i.p_above.0), f2(i.p_above.1))),
                Cell {
                    strong: significant,
                    ..Cell::text(format!("{} ± {:.3}", signed(i.p_shift, 2), i.p_shift_se))
                },
            ]
        })
        .collect();
    s.push(Block::Table(Table {
        caption: format!(
            "{} against {} ({} samples, seed {}): as `accord compare` prints it. {} Bold: more than two standard \
             errors from 0.",
            r.source.id,
            report.baseline_source.id,
            samples_note(c.b.run.samples_done, c.b.run.settings.samples, partial),
            c.a.run.settings.seed,
            match (c.calibrated, &c.a.calibration) {
                (true, Some(u)) => format!(
                    "P is the calibrated headline (input uncertainty and model error, {} draws per model on the same \
                     seed; the input-only P of the scenario's own model is in `compare --json` as p_above_input_only).",
                    u.samples
                ),
                _ => "P is the input-only P of the scenario's own model (the calibrated forecasts did not run)."
                    .to_string(),
            }
        ),
        header: [
            "issue",
            "median A → B",
            "paired shift ± se",
            "shift 5 %–95 %",
            "P(≥ threshold) A → B",
            "ΔP ± se",
        ]
        .map(String::from)
        .to_vec(),
        numeric: vec![false, true, true, true, true, true],
        rows,
    }));
    let givens: Vec<String> = c
        .issues
        .iter()
        .filter_map(|i| i.given_reason.as_ref().map(|w| format!("{}: {w}", i.id)))
        .collect();
    if !givens.is_empty() {
        s.push(Block::Note(format!(
            "Givens of this scenario (their results replay its input and are not findings): {}.",
            givens.join("; ")
        )));
    }
    s
}

fn membership_section(report: &Report) -> Section {
    let tl = &report.timeline;
    let mut s = Section::new(
        "membership",
        format!("Membership of the {}, {}–{}", tl.org, tl.first_year, tl.last_year),
    );
    s.push(Block::Paragraph(format!(
        "Who held which status in the {} ({}) according to the record, from its founding to the last dated \
         change. The model's date ({}) is marked: the forecasts above use the statuses of that day; the record \
         runs on past it.",
        report.org_name, tl.org, report.data_date
    )));
    let marker = report.timeline.rows.first().map(|_| {
        let day = report.data_date.as_str();
        let mut parts = day.split('-').map(|p| p.parse::<f64>().unwrap_or(1.0));
        let year = parts.next().unwrap_or(2000.0);
        let month = parts.next().unwrap_or(1.0);
        (year + (month - 1.0) / 12.0, format!("model date {day}"))
    });
    s.push(Block::Charts(vec![Chart {
        name: "membership-timeline".to_owned(),
        caption: format!("Statuses in the {} over time, from the record.", tl.org),
        svg: charts::timeline_chart(tl, marker.as_ref().map(|(y, l)| (*y, l.as_str()))),
    }]));
    s
}

fn provenance_section(report: &Report) -> Section {
    let b = &report.baseline;
    let mut s = Section::new("provenance", "Provenance and reproduction");
    s.push(Block::Paragraph(format!(
        "Every number above is a pure function of (scenario file, model settings, seed): the same inputs give the \
         same numbers on any machine and with any number of threads. Data: the {} model of {} ({}), the record as \
         compiled into Accord {}. Model: {}.",
        report.org, report.data_date, report.title, report.accord_version, report.model_description
    )));
    let mut rows = vec![vec![
        Cell::link(report.baseline_source.id.clone(), "forecast"),
        Cell::text(report.baseline_source.path.clone()),
        Cell::text(report.baseline_source.fingerprint.clone()),
        Cell::text(samples_note(b.run.samples_done, b.run.settings.samples, b.run.partial)),
        Cell::text(b.run.settings.seed.to_string()),
        Cell::text(distribution(b.run.settings.distribution)),
    ]];
    for r in &report.scenarios {
        let (samples, seed, dist) = match &r.comparison {
            Some(c) => (
                samples_note(c.b.run.samples_done, c.b.run.settings.samples, c.b.run.partial),
                c.b.run.settings.seed.to_string(),
                distribution(c.b.run.settings.distribution),
            ),
            None => ("not run".to_owned(), "—".to_owned(), "—"),
        };
        rows.push(vec![
            Cell::link(r.source.id.clone(), scenario_anchor(&r.source.id)),
            Cell::text(r.source.path.clone()),
            Cell::text(r.source.fingerprint.clone()),
            Cell::text(samples),
            Cell::text(seed),
            Cell::text(dist),
        ]);
    }
    s.push(Block::Table(Table {
        caption: "The runs: scenario files (fingerprint: FNV-1a 64 of the file's text), samples, seeds and draws. \
                  Scenarios run with the baseline's seed and distribution."
            .to_owned(),
        header: ["scenario", "file", "fingerprint", "samples", "seed", "draws"]
            .map(String::from)
            .to_vec(),
        numeric: vec![false, false, false, true, true, false],
        rows,
    }));
    if !report.data_files.is_empty() {
        s.push(Block::Table(Table {
            caption: "The record and model files the numbers rest on (fingerprint: FNV-1a 64 of the file's text)."
                .to_owned(),
            header: ["data file", "fingerprint"].map(String::from).to_vec(),
            numeric: vec![false, false],
            rows: report
                .data_files
                .iter()
                .map(|f| vec![Cell::text(f.path.clone()), Cell::text(f.fingerprint.clone())])
                .collect(),
        }));
    }
    let mut code = format!(
        "accord forecast {} --samples {} --seed {}\n",
        report.baseline_source.path, b.run.settings.samples, b.run.settings.seed
    );
    for r in &report.scenarios {
        let _ = writeln!(
            code,
            "accord compare {} {} --samples {} --seed {}",
            report.baseline_source.path, r.source.path, report.scenario_samples, b.run.settings.seed
        );
    }
    s.push(Block::Paragraph(
        "To reproduce the tables from the repository's root:".to_owned(),
    ));
    s.push(Block::Code(code));
    s
}
