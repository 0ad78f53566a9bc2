//! The tables people read: snapshots of the narrow output (golden files in
//! `tests/tables/`, rewritten with `ACCORD_UPDATE_GOLDEN=1`), every table
//! line within 100 columns, issue names beside slugs, units in a footer
//! line, and `--wide` lifting the limit.

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_accord");

fn accord(args: &[&str]) -> String {
    let out = Command::new(BIN).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "accord {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Columns a line takes on a terminal (CJK characters take two).
fn width(line: &str) -> usize {
    line.chars()
        .map(|c| {
            if matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFF60) {
                2
            } else {
                1
            }
        })
        .sum()
}

/// The lines of every table (from its top rule to its bottom rule).
fn table_lines(text: &str) -> Vec<&str> {
    let mut inside = false;
    let mut lines = Vec::new();
    for line in text.lines() {
        let rule = line.starts_with('─');
        if rule || inside {
            lines.push(line);
        }
        if rule {
            // A table opens with a rule and closes with one after its header's '═' rule.
            inside = !inside || !lines.iter().rev().skip(1).any(|l| l.starts_with('═'));
            if !inside {
                lines.push("");
            }
        }
    }
    lines
}

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tables").join(name)
}

/// Compares `text` with the golden file, or rewrites it.
fn snapshot(name: &str, text: &str) {
    let path = golden(name);
    if std::env::var_os("ACCORD_UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with ACCORD_UPDATE_GOLDEN=1 to write it", path.display()));
    if want != text {
        let first = want
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(want.lines().count().min(text.lines().count()));
        panic!(
            "{name} differs from {} at line {}:\nwant: {:?}\ngot:  {:?}\n(rerun with ACCORD_UPDATE_GOLDEN=1 if the change is intended)",
            path.display(),
            first + 1,
            want.lines().nth(first),
            text.lines().nth(first)
        );
    }
}

const CASES: [(&str, &[&str]); 6] = [
    (
        "record-status.txt",
        &["record", "status", "--org", "SCO", "--at", "2009-06-16"],
    ),
    ("model-issues.txt", &["model", "list", "issues"]),
    ("forecast.txt", &["forecast", "--samples", "40", "--input-only"]),
    ("influence.txt", &["influence", "--permutations", "20"]),
    (
        "influence-by-issue.txt",
        &["influence", "--by", "issue", "--permutations", "20"],
    ),
    (
        "opportunities.txt",
        &["opportunities", "--samples", "10", "--max-levers", "3", "--for", "CHN"],
    ),
];

#[test]
fn narrow_tables_match_their_snapshots_and_fit_100_columns() {
    for (name, args) in CASES {
        let text = accord(args);
        let lines = table_lines(&text);
        assert!(!lines.is_empty(), "{name}: no table");
        for line in lines {
            assert!(
                width(line) <= 100,
                "{name}: a table line of {} columns: {line}",
                width(line)
            );
        }
        snapshot(name, &text);
    }
}

#[test]
fn tables_name_issues_and_explain_their_units() {
    let forecast = accord(&["forecast", "--samples", "20", "--input-only"]);
    // The slug, and the issue's name on the line below.
    assert!(forecast.contains(" admit-iran "), "no slug");
    assert!(
        forecast.contains(" Admitting Iran as a full"),
        "no issue name beside the slug"
    );
    assert!(forecast.contains("points on each\nissue's 0–100 scale") || forecast.contains("points on each issue's"));
    let opp = accord(&["opportunities", "--samples", "10", "--max-levers", "3"]);
    assert!(
        opp.contains("Single levers:") && opp.contains("Best pairs (top 5):") && opp.contains("Best triples (top 5):")
    );
    assert!(opp.contains("ΔU: change of RUS's expected utility"));
    let influence = accord(&["influence", "--permutations", "20"]);
    assert!(influence.contains("Shares: an actor's Shapley values"));
}

#[test]
fn wide_lifts_the_limit() {
    let narrow = accord(&["model", "list", "stances", "--issue", "gas-opec"]);
    let wide = accord(&["--wide", "model", "list", "stances", "--issue", "gas-opec"]);
    assert!(table_lines(&narrow).iter().all(|l| width(l) <= 100));
    assert!(
        table_lines(&wide).iter().any(|l| width(l) > 100),
        "--wide kept the table narrow"
    );
}

#[test]
fn an_unknown_focal_actor_lists_those_with_levers() {
    let out = Command::new(BIN)
        .args(["opportunities", "--for", "XYZ", "--samples", "5"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("actors with levers: ") && err.contains("CHN") && err.contains("RUS"),
        "{err}"
    );
}
