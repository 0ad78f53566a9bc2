//! The HTML writer: one self-contained file — inline CSS, inline SVG, no
//! JavaScript, nothing loaded from outside the file. Citations link to their
//! entries in the Sources section, and each entry links to its source's
//! address for a reader to follow (the page's only outside links). The markup is also
//! well-formed XML (every element closed, only XML's own entities), so tests
//! can parse the whole page.

use std::{collections::HashMap, fmt::Write};

use crate::{
    doc::{Block, Document, Section, Table, citations_in},
    svg::esc,
};

/// The citations the document's Sources section lists, each with its anchor:
/// text that names one links to its entry.
struct Cites(HashMap<String, String>);

impl Cites {
    fn of(doc: &Document) -> Cites {
        fn walk(s: &Section, map: &mut HashMap<String, String>) {
            for b in &s.blocks {
                if let Block::Sources(items) = b {
                    for i in items {
                        map.insert(i.citation.clone(), i.anchor.clone());
                    }
                }
            }
            for sub in &s.subsections {
                walk(sub, map);
            }
        }
        let mut map = HashMap::new();
        for s in &doc.sections {
            walk(s, &mut map);
        }
        Cites(map)
    }

    /// Escapes plain text and links every citation in it to its entry.
    fn link(&self, text: &str) -> String {
        let known = |w: &str| self.0.contains_key(w);
        let found = citations_in(text, &known);
        if found.is_empty() {
            return esc(text);
        }
        // Walk the text word by word so a citation inside a longer word is
        // left alone.
        let mut out = String::new();
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut String| {
            let w = word.trim_matches(|c| c == '-' || c == ':');
            match self.0.get(w) {
                Some(anchor) if !w.is_empty() => {
                    let start = word.find(w).unwrap_or(0);
                    out.push_str(&esc(&word[..start]));
                    let _ = write!(out, "<a href=\"#{}\">{}</a>", esc(anchor), esc(w));
                    out.push_str(&esc(&word[start + w.len()..]));
                }
                _ => out.push_str(&esc(word)),
            }
            word.clear();
        };
        for c in text.chars() {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == ':' {
                word.push(c);
            } else {
                flush(&mut word, &mut out);
                out.push_str(&esc(c.encode_utf8(&mut [0; 4])));
            }
        }
        flush(&mut word, &mut out);
        out
    }
}

const CSS: &str = r#"
:root { --ink: #1f2933; --muted: #5f6b7a; --rule: #d8dde3; --accent: #1f4e79; --warn: #9a3412; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header, main, footer, nav { max-width: 1260px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; border-bottom: 3px solid var(--accent); padding-bottom: 12px; }
h1 { font-size: 1.7em; margin: 0 0 6px; line-height: 1.2; }
h2 { font-size: 1.35em; margin: 2.2em 0 0.6em; padding-bottom: 4px; border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.1em; margin: 2em 0 0.4em; }
.sub { color: var(--muted); margin: 0; font-size: 0.92em; }
.banner { max-width: 1212px; margin: 16px auto; padding: 10px 14px; background: #fff4e5;
  border: 2px solid var(--warn); color: var(--warn); font-weight: 600; }
.note { background: #f3f6f9; border-left: 4px solid var(--accent); padding: 8px 12px; margin: 12px 0; }
nav { margin-top: 14px; font-size: 0.92em; }
nav ol { columns: 2; margin: 4px 0; padding-left: 20px; }
nav h2 { border: 0; margin: 0; font-size: 1em; }
p, ul { max-width: 900px; }
table { border-collapse: collapse; margin: 10px 0 6px; font-size: 0.9em; font-variant-numeric: tabular-nums; }
caption { caption-side: bottom; text-align: left; color: var(--muted); font-size: 0.9em; padding-top: 4px; }
th, td { padding: 3px 10px; border-bottom: 1px solid var(--rule); vertical-align: top; }
th { text-align: left; border-bottom: 2px solid #9aa5b1; background: #f7f8fa; }
td.num, th.num { text-align: right; white-space: nowrap; }
tbody tr:nth-child(even) { background: #fafbfc; }
a { color: var(--accent); }
.charts { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
figure { margin: 8px 0; flex: 1 1 560px; max-width: 100%; }
figure svg { display: block; max-width: 100%; height: auto; border: 1px solid #eef0f3; }
figcaption { color: var(--muted); font-size: 0.88em; margin-top: 4px; }
dl.scale { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; font-size: 0.9em; max-width: 900px; }
dl.scale dt { font-weight: 600; text-align: right; font-variant-numeric: tabular-nums; }
dl.scale dd { margin: 0; }
ol.sources { font-size: 0.9em; max-width: 1000px; }
ol.sources li { margin: 2px 0; word-break: break-word; }
code { font-size: 0.92em; background: #f1f3f5; padding: 0 3px; border-radius: 3px; }
pre code { background: none; padding: 0; font-size: 1em; }
pre { background: #f6f8fa; padding: 10px 12px; overflow-x: auto; font-size: 0.85em; }
footer { color: var(--muted); font-size: 0.85em; margin-top: 3em; padding-bottom: 2em; border-top: 1px solid var(--rule); }
@media print { figure, table { break-inside: avoid; } nav { display: none; } }
"#;

/// Renders a document as one self-contained HTML page.
pub fn render(doc: &Document, footer: &str) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        esc(&doc.title)
    );
    let _ = writeln!(
        out,
        "<header>\n<h1>{}</h1>\n<p class=\"sub\">{}</p>\n</header>",
        esc(&doc.title),
        esc(&doc.subtitle)
    );
    if let Some(b) = &doc.banner {
        let _ = writeln!(out, "<div class=\"banner\" role=\"alert\">{}</div>", esc(b));
    }
    out.push_str("<nav>\n<h2>Contents</h2>\n<ol>\n");
    for s in &doc.sections {
        let _ = writeln!(out, "<li><a href=\"#{}\">{}</a></li>", esc(&s.id), esc(&s.title));
    }
    out.push_str("</ol>\n</nav>\n<main>\n");
    let cites = Cites::of(doc);
    for s in &doc.sections {
        section(&mut out, &cites, s, 2);
    }
    let _ = write!(
        out,
        "</main>\n<footer>\n<p>{}</p>\n</footer>\n</body>\n</html>\n",
        esc(footer)
    );
    out
}

/// Escapes text, turning `…` spans into `<code>` and linking citations.
fn inline(cites: &Cites, s: &str) -> String {
    let mut out = String::new();
    for (k, part) in s.split('`').enumerate() {
        if k % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", esc(part));
        } else {
            out.push_str(&cites.link(part));
        }
    }
    out
}

fn section(out: &mut String, cites: &Cites, s: &Section, level: usize) {
    let _ = writeln!(
        out,
        "<section id=\"{}\">\n<h{level}>{}</h{level}>",
        esc(&s.id),
        esc(&s.title)
    );
    for b in &s.blocks {
        block(out, cites, b);
    }
    for sub in &s.subsections {
        section(out, cites, sub, (level + 1).min(6));
    }
    out.push_str("</section>\n");
}

fn block(out: &mut String, cites: &Cites, b: &Block) {
    match b {
        Block::Paragraph(t) => {
            let _ = writeln!(out, "<p>{}</p>", inline(cites, t));
        }
        Block::Note(t) => {
            let _ = writeln!(out, "<p class=\"note\">{}</p>", inline(cites, t));
        }
        Block::List(items) => {
            out.push_str("<ul>\n");
            for i in items {
                let _ = writeln!(out, "<li>{}</li>", inline(cites, i));
            }
            out.push_str("</ul>\n");
        }
        Block::Definitions(items) => {
            out.push_str("<dl class=\"scale\">\n");
            for (term, meaning) in items {
                let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", esc(term), cites.link(meaning));
            }
            out.push_str("</dl>\n");
        }
        Block::Table(t) => table(out, cites, t),
        Block::Charts(charts) => {
            out.push_str("<div class=\"charts\">\n");
            for c in charts {
                let _ = writeln!(
                    out,
                    "<figure id=\"fig-{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>",
                    esc(&c.name),
                    c.svg,
                    esc(&c.caption)
                );
            }
            out.push_str("</div>\n");
        }
        Block::Code(code) => {
            let _ = writeln!(out, "<pre><code>{}</code></pre>", esc(code.trim_end()));
        }
        Block::Sources(items) => {
            out.push_str("<ol class=\"sources\">\n");
            for i in items {
                let _ = write!(
                    out,
                    "<li id=\"{}\"><code>{}</code> {}",
                    esc(&i.anchor),
                    esc(&i.citation),
                    esc(&i.label)
                );
                if let Some(href) = &i.href {
                    let shown = href.trim_start_matches("https://").trim_start_matches("http://");
                    let _ = write!(out, ", <a href=\"{}\">{}</a>", esc(href), esc(shown));
                } else if let Some(r) = &i.reference {
                    let _ = write!(out, ". {}", esc(r));
                }
                out.push_str("</li>\n");
            }
            out.push_str("</ol>\n");
        }
    }
}

fn table(out: &mut String, cites: &Cites, t: &Table) {
    let class = |k: usize| {
        if t.numeric.get(k).copied().unwrap_or(false) {
            " class=\"num\""
        } else {
            ""
        }
    };
    let _ = write!(
        out,
        "<table>\n<caption>{}</caption>\n<thead><tr>",
        inline(cites, &t.caption)
    );
    for (k, h) in t.header.iter().enumerate() {
        let _ = write!(out, "<th scope=\"col\"{}>{}</th>", class(k), esc(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        out.push_str("<tr>");
        for (k, c) in row.iter().enumerate() {
            let mut text = if c.link.is_some() {
                esc(&c.text)
            } else {
                cites.link(&c.text)
            };
            if let Some(anchor) = &c.link {
                text = format!("<a href=\"#{}\">{text}</a>", esc(anchor));
            }
            if c.strong {
                text = format!("<strong>{text}</strong>");
            }
            let _ = write!(out, "<td{}>{text}</td>", class(k));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}
