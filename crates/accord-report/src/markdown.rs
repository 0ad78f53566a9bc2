//! The Markdown writer. Charts are written as separate SVG files under
//! `charts/` beside the Markdown and referenced by relative path: every
//! Markdown viewer (GitHub, GitLab, editors, pandoc) shows an image link,
//! diffs of the text stay readable, and the SVGs can be reused as they are.
//! (Inline `data:` images were rejected: many viewers block them, and they
//! bury the text under base64.)

use std::fmt::Write;

use serde::Serialize;

use crate::doc::{Block, Document, Section, Table};

/// The Markdown text and the chart files it references.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarkdownReport {
    /// The Markdown document.
    pub markdown: String,
    /// Chart files: (path relative to the Markdown file, SVG text).
    pub charts: Vec<(String, String)>,
}

/// The folder, beside the Markdown file, that holds its charts.
pub const CHARTS_DIR: &str = "charts";

/// Escapes the characters Markdown would read as markup; `…` spans are
/// kept as code.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (k, part) in s.split('`').enumerate() {
        if k % 2 == 1 {
            out.push('`');
            out.push_str(part);
            out.push('`');
        } else {
            out.push_str(&esc_text(part));
        }
    }
    out
}

fn esc_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '*' | '_' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Renders a document as Markdown with its charts as separate files.
pub fn render(doc: &Document, footer: &str) -> MarkdownReport {
    let mut out = String::new();
    let mut charts = Vec::new();
    let _ = writeln!(out, "# {}\n\n{}\n", esc(&doc.title), esc(&doc.subtitle));
    if let Some(b) = &doc.banner {
        let _ = writeln!(out, "> **{}**\n", esc(b));
    }
    out.push_str("Contents:\n\n");
    for (k, s) in doc.sections.iter().enumerate() {
        let _ = writeln!(out, "{}. [{}](#{})", k + 1, esc(&s.title), s.id);
    }
    out.push('\n');
    for s in &doc.sections {
        section(&mut out, &mut charts, s, 2);
    }
    let _ = writeln!(out, "---\n\n{}", esc(footer));
    MarkdownReport { markdown: out, charts }
}

fn section(out: &mut String, charts: &mut Vec<(String, String)>, s: &Section, level: usize) {
    let _ = writeln!(
        out,
        "<a id=\"{}\"></a>\n\n{} {}\n",
        s.id,
        "#".repeat(level),
        esc(&s.title)
    );
    for b in &s.blocks {
        block(out, charts, b);
    }
    for sub in &s.subsections {
        section(out, charts, sub, (level + 1).min(6));
    }
}

fn block(out: &mut String, charts: &mut Vec<(String, String)>, b: &Block) {
    match b {
        Block::Paragraph(t) => {
            let _ = writeln!(out, "{}\n", esc(t));
        }
        Block::Note(t) => {
            let _ = writeln!(out, "> **Note:** {}\n", esc(t));
        }
        Block::List(items) => {
            for i in items {
                let _ = writeln!(out, "- {}", esc(i));
            }
            out.push('\n');
        }
        Block::Definitions(items) => {
            for (term, meaning) in items {
                let _ = writeln!(out, "- **{}** — {}", esc(term), esc(meaning));
            }
            out.push('\n');
        }
        Block::Table(t) => table(out, t),
        Block::Charts(list) => {
            for c in list {
                let path = format!("{CHARTS_DIR}/{}.svg", c.name);
                let _ = writeln!(out, "![{}]({path})\n\n*{}*\n", esc(&c.caption), esc(&c.caption));
                charts.push((path, c.svg.clone()));
            }
        }
        Block::Code(code) => {
            let _ = writeln!(out, "```sh\n{}\n```\n", code.trim_end());
        }
        Block::Sources(items) => {
            for i in items {
                let _ = write!(out, "- <a id=\"{}\"></a>`{}` {}", i.anchor, i.citation, esc(&i.label));
                if let Some(href) = &i.href {
                    let shown = href.trim_start_matches("https://").trim_start_matches("http://");
                    let _ = write!(out, ", [{}]({href})", esc(shown));
                } else if let Some(r) = &i.reference {
                    let _ = write!(out, ". {}", esc(r));
                }
                out.push('\n');
            }
            out.push('\n');
        }
    }
}

fn table(out: &mut String, t: &Table) {
    let cell = |s: &str| esc(s).replace('|', "\\|");
    let _ = writeln!(
        out,
        "| {} |",
        t.header.iter().map(|h| cell(h)).collect::<Vec<_>>().join(" | ")
    );
    let rule: Vec<&str> = (0..t.header.len())
        .map(|k| {
            if t.numeric.get(k).copied().unwrap_or(false) {
                "---:"
            } else {
                "---"
            }
        })
        .collect();
    let _ = writeln!(out, "| {} |", rule.join(" | "));
    for row in &t.rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| {
                let mut text = cell(&c.text);
                if let Some(anchor) = &c.link {
                    text = format!("[{text}](#{anchor})");
                }
                if c.strong {
                    text = format!("**{text}**");
                }
                text
            })
            .collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    let _ = writeln!(out, "\n*{}*\n", esc(&t.caption));
}
