//! Every ```` ```toml ```` block of the format documents (`docs/formats/*.md`)
//! is an example, marked with its kind (`example=record`, `example=model`,
//! `example=scenario`), and runs here: record and model fragments are read
//! on their own (syntax, fields, types, ids, dates); a scenario is read and
//! compiled against the shipped SCO record and model.

use std::path::Path;

use accord_io::record::{FragmentKind, SourceFile, read_fragment};

/// (document, first line, kind, text) of every ```toml block.
fn examples() -> Vec<(String, usize, String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/formats");
    let mut docs: Vec<_> = std::fs::read_dir(&dir)
        .expect("docs/formats exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    let mut out = Vec::new();
    for doc in docs {
        let text = std::fs::read_to_string(&doc).expect("readable doc");
        let name = doc.file_name().unwrap_or_default().to_string_lossy().into_owned();
        let mut current: Option<(usize, String, String)> = None;
        for (i, line) in text.lines().enumerate() {
            match (&mut current, line.trim_end()) {
                (None, l) if l.starts_with("```toml") => {
                    let kind = l
                        .split_whitespace()
                        .find_map(|w| w.strip_prefix("example="))
                        .unwrap_or_else(|| panic!("{name}:{}: a ```toml block needs `example=KIND`", i + 1))
                        .to_owned();
                    current = Some((i + 2, kind, String::new()));
                }
                (Some(_), "```") => {
                    let (line, kind, body) = current.take().expect("inside a block");
                    out.push((name.clone(), line, kind, body));
                }
                (Some((_, _, body)), l) => {
                    body.push_str(l);
                    body.push('\n');
                }
                (None, _) => {}
            }
        }
        assert!(current.is_none(), "{name}: an unclosed ```toml block");
    }
    out
}

#[test]
fn every_format_example_loads() {
    let all = examples();
    assert!(all.len() >= 12, "the format documents hold {} examples", all.len());
    let (record, model) = accord_io::embedded::sco_record_and_model().expect("shipped data");
    let mut failures = Vec::new();
    for (doc, line, kind, body) in &all {
        let file = SourceFile {
            name: format!("{doc}:{line}"),
            text: body.clone(),
        };
        let problems: Vec<String> = match kind.as_str() {
            "record" => read_fragment(FragmentKind::Record, &file)
                .iter()
                .map(|d| d.to_string())
                .collect(),
            "model" => read_fragment(FragmentKind::Model, &file)
                .iter()
                .map(|d| d.to_string())
                .collect(),
            "scenario" => match accord_io::scenario::parse_scenario(&file.name, body) {
                Err(d) => d.iter().map(|d| d.to_string()).collect(),
                Ok(s) => match accord_analysis::compile(&record, &model, &s) {
                    Ok(_) => Vec::new(),
                    Err(p) => accord_io::scenario::locate_problems(&file.name, body, &p)
                        .iter()
                        .map(|d| d.to_string())
                        .collect(),
                },
            },
            other => vec![format!("unknown example kind `{other}`")],
        };
        if !problems.is_empty() {
            failures.push(format!("{doc}, block at line {line}:\n  {}", problems.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_misplaced_top_level_key_fails_the_example_test() {
    // The mistake issue 12 found in scenario.md: `remove_actor` after a table.
    let text = "[scenario]\nid = \"x\"\ntitle = \"t\"\n\n[[issue]]\nid = \"us-status\"\nstatus_quo = 50\nbasis = \"b\"\n\nremove_actor = [\"NATO\"]\n";
    let e = accord_io::scenario::parse_scenario("s.toml", text).unwrap_err();
    assert_eq!(e[0].line, 10, "{}", e[0]);
    assert!(e[0].message.contains("move it above the first [table]"), "{}", e[0]);
}
