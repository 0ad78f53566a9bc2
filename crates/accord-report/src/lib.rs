//! Accord's reports: one self-contained HTML page and a Markdown document
//! with SVG charts, built from the baseline forecast, every scenario against
//! it, the representative bargaining runs and the record's membership
//! history — with the provenance that makes every number reproducible.
//!
//! # Flow
//!
//! 1. [`compute::run_all`] runs the baseline and the scenarios (paired with
//!    the baseline on common random numbers, as `accord compare` does, but
//!    running each model once per sample) and the point-value runs.
//! 2. [`build::assemble`] gathers a [`Report`] — plain, serializable data —
//!    from the record, the model, the scenario files and the runs.
//! 3. [`render_html`] and [`render_markdown`] build one [`doc::Document`]
//!    from the report (plus any [`Extensions`]) and write it out.
//!
//! Like the core and the engine, this crate does no I/O: functions return
//! strings, and the caller (`accord report`) writes the files. Nothing in
//! the output depends on the clock, so the same inputs give the same bytes.
//!
//! # Why hand-written SVG rather than `plotters`
//!
//! The charts are few and simple — dots, lines, boxes, bars and labels — and
//! what makes them useful is their layout: labelled rows of actors, the
//! status quo and threshold marked on the scale, end labels pushed apart,
//! legends that say what each mark means, and a tooltip with the exact
//! numbers on every mark. Writing the elements directly ([`svg`], ~200 lines)
//! gives full control of that, emits small and stable markup (golden tests
//! stay meaningful, diffs readable), relies only on the reader's system
//! fonts, and adds no dependency. `plotters` would bring its own layout
//! model, font handling and a larger output for little gain here.
//!
//! # Markdown and charts
//!
//! The Markdown refers to its charts as separate files, `charts/NAME.svg`
//! beside it (see [`markdown`] for why); the HTML embeds them inline.
//!
//! # Extension points
//!
//! The "opportunities", "influence" and "package deals" analyses add their
//! own sections through [`Extensions`]: each is an optional [`doc::Section`]
//! placed after the scenarios. [`opportunities::section`],
//! [`influence::section`] and [`packages::section`] build them from the
//! analyses' results (the caller runs the analyses), as do
//! [`implementation::section`] (P(decided / carried out by year Y)) and
//! [`backtest::section`] (the track record).

pub mod backtest;
pub mod build;
pub mod charts;
pub mod compute;
pub mod data;
pub mod doc;
pub mod html;
pub mod implementation;
pub mod influence;
pub mod markdown;
pub mod models;
pub mod opportunities;
pub mod packages;
pub mod svg;
pub mod validation;

pub use data::Report;
pub use doc::Extensions;
pub use markdown::MarkdownReport;

fn footer(report: &Report) -> String {
    format!(
        "Made by Accord {} from the {} model of {}. Every number can be reproduced from the scenario files, \
         model settings and seeds listed under Provenance.",
        report.accord_version, report.org, report.data_date
    )
}

/// The report as one self-contained HTML page (inline CSS and SVG, no
/// JavaScript, no outside resources). `ext` adds contributed sections.
pub fn render_html(report: &Report, ext: &Extensions) -> String {
    html::render(&doc::document(report, ext), &footer(report))
}

/// The report as Markdown, with its charts as separate SVG files to write
/// beside it at the paths given. `ext` adds contributed sections.
pub fn render_markdown(report: &Report, ext: &Extensions) -> MarkdownReport {
    markdown::render(&doc::document(report, ext), &footer(report))
}

/// A few lines for a terminal: the headline findings.
pub fn summary_lines(report: &Report) -> Vec<String> {
    doc::headlines(report)
}
