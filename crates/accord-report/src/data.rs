//! What a report shows: plain data, gathered once from the record, the model
//! and the runs, then rendered twice (HTML and Markdown) by the same
//! document builder. Everything here serializes, so a report can also be
//! checked or re-rendered from JSON.

use accord_analysis::run::{Comparison, ForecastReport};
use serde::Serialize;

/// A scenario file as the report cites it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioSource {
    /// Its path (in the repository, for the shipped scenarios).
    pub path: String,
    /// The scenario's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// What it changes and why, in its author's words.
    pub description: String,
    /// FNV-1a 64-bit hash of the file's text, in hex: which version of the
    /// file the numbers come from.
    pub fingerprint: String,
    /// What it changes against the base model, one line per change.
    pub changes: Vec<String>,
}

/// A data file the report rests on, with its fingerprint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataFile {
    /// Its path (in the repository, for embedded files).
    pub path: String,
    /// FNV-1a 64-bit hash of its text, in hex.
    pub fingerprint: String,
}

/// A point value with its range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Range {
    /// The point value.
    pub value: f64,
    /// Lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

/// An actor of the model, with its status on the decision date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActorInfo {
    /// Its code.
    pub code: String,
    /// Its English name (the code when the record has none).
    pub name: String,
    /// Its status in the organization on the decision date (after the
    /// baseline's changes), or `None` for an outsider.
    pub status: Option<String>,
    /// Whether it votes.
    pub votes: bool,
    /// Its capability (the model's indicator).
    pub capability: Range,
}

/// One actor's stance on an issue, as the baseline holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StanceInfo {
    /// The actor's code.
    pub actor: String,
    /// Position on the 0–100 scale.
    pub position: Range,
    /// Salience, 0–100.
    pub salience: Range,
    /// Capability on this issue (indicator × the stance's factor), point value.
    pub capability: f64,
    /// Whether the actor votes on this issue.
    pub votes: bool,
}

/// An actor with a stance on an issue who is not at the bargaining table
/// (no weight in the bargain): its stance is shown, not counted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutsideStance {
    /// The actor's code.
    pub actor: String,
    /// Its position (point value).
    pub position: f64,
    /// Its salience (point value, 0–100).
    pub salience: f64,
    /// Its status on the decision date, or `none`.
    pub status: String,
}

impl StanceInfo {
    /// Capability × salience at point values: the actor's weight in the bargain.
    pub fn weight(&self) -> f64 {
        self.capability * self.salience.value / 100.0
    }
}

/// A labelled point of an issue's scale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScalePoint {
    /// Where on the 0–100 scale.
    pub at: f64,
    /// What it means.
    pub means: String,
}

/// The bargaining of the representative run: the model at its point values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trajectory {
    /// The actors, in the order of `positions`' inner vectors.
    pub actors: Vec<String>,
    /// `positions[turn][actor]`; turn 0 is the input.
    pub positions: Vec<Vec<f64>>,
    /// The outcome the decision rule gives on the final positions.
    pub outcome: f64,
    /// Why the dynamics stopped.
    pub stop: String,
    /// The seed passed to the dynamics (only stochastic dynamics use it).
    pub seed: u64,
}

/// An issue with what the report shows of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IssueInfo {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its sphere.
    pub sphere: String,
    /// The yes/no question its threshold answers.
    pub question: String,
    /// The status quo on the decision date.
    pub status_quo: f64,
    /// Why the status quo is where it is.
    pub status_quo_basis: String,
    /// The threshold of the yes/no question (answered yes at or above it).
    pub threshold: f64,
    /// The scale's labelled points, lowest first.
    pub scale: Vec<ScalePoint>,
    /// The stances taking part in the baseline.
    pub stances: Vec<StanceInfo>,
    /// Stances of actors not at the bargaining table (shown, no weight).
    pub outside: Vec<OutsideStance>,
    /// The representative run, if the model could run it.
    pub trajectory: Option<Trajectory>,
    /// Why there is no representative run.
    pub trajectory_error: Option<String>,
}

/// A scenario against the baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioResult {
    /// The scenario file.
    pub source: ScenarioSource,
    /// The paired comparison, baseline = A, scenario = B; `None` when the run
    /// was stopped before this scenario finished.
    pub comparison: Option<Comparison>,
}

/// One status an actor held for a while.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Span {
    /// The status (`member`, `observer`, …).
    pub status: String,
    /// First day held, as the source gives it.
    pub from: String,
    /// First day no longer held, as the source gives it; `None` while it lasts.
    pub to: Option<String>,
    /// `from` as a decimal year (for drawing).
    pub from_year: f64,
    /// `to` as a decimal year (for drawing).
    pub to_year: Option<f64>,
}

/// One actor's row in the membership timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineRow {
    /// The actor's code.
    pub actor: String,
    /// Its English name.
    pub name: String,
    /// Its statuses, earliest first.
    pub spans: Vec<Span>,
}

/// Who held which status in the organization over a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    /// The organization.
    pub org: String,
    /// First year shown.
    pub first_year: i32,
    /// Last year shown (inclusive).
    pub last_year: i32,
    /// One row per actor, earliest involvement first.
    pub rows: Vec<TimelineRow>,
}

/// Everything a report shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The model's title.
    pub title: String,
    /// The deciding organization's code.
    pub org: String,
    /// Its English name.
    pub org_name: String,
    /// The date of the data (the model's date).
    pub data_date: String,
    /// The decision date of the baseline.
    pub decision_date: String,
    /// The version of Accord that made the report.
    pub accord_version: String,
    /// The model settings in words.
    pub model_description: String,
    /// The actors, in the model's order.
    pub actors: Vec<ActorInfo>,
    /// The issues, in the model's order.
    pub issues: Vec<IssueInfo>,
    /// The baseline scenario file.
    pub baseline_source: ScenarioSource,
    /// The baseline forecast.
    pub baseline: ForecastReport,
    /// Samples of each scenario comparison (the first samples of the
    /// baseline's stream).
    pub scenario_samples: u64,
    /// Every other scenario against the baseline.
    pub scenarios: Vec<ScenarioResult>,
    /// The organization's membership over time.
    pub timeline: Timeline,
    /// Whether the user stopped the runs (Ctrl-C): some numbers rest on fewer
    /// samples than asked, and some scenarios may be missing.
    pub stopped: bool,
    /// Notes on how the report was made (e.g. reduced sample counts).
    pub notes: Vec<String>,
    /// The record and model files behind the report (empty when unknown;
    /// the caller that read them fills it in).
    pub data_files: Vec<DataFile>,
    /// The outside sources of the record and the model, which the report's
    /// citations name; the Sources section lists those it cites.
    pub sources: Vec<SourceEntry>,
    /// Which input decides each baseline issue (empty when not run).
    pub sensitivity: Vec<accord_analysis::sensitivity::IssueSensitivity>,
}

/// An outside source a citation in the report may name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceEntry {
    /// Its id, as citations write it.
    pub id: String,
    /// Publisher, title and date, for a reader.
    pub label: String,
    /// Where to find it: a web address without scheme (`tass.com/world/1`).
    pub address: Option<String>,
    /// A full bibliographic reference, for a source without an address.
    pub reference: Option<String>,
}
