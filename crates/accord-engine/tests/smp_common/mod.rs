//! Shared helpers of the SMP tests and benchmark: a minimal reader of KTAB's
//! CSV scenarios (the full reader with error reporting lives in `accord-io`,
//! which depends on this crate) and of the expected-output tables.

#![allow(dead_code)]

use std::path::PathBuf;

use accord_engine::{Issue, Stance};

/// `tests/data/ktab` of this crate.
pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/ktab")
}

fn field(s: &str) -> &str {
    s.trim().trim_matches('"').trim()
}

/// Reads a KTAB CSV scenario (spec §2) from `inputs/`.
pub fn load_issue(name: &str) -> Issue {
    let path = data_dir().join("inputs").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let n: usize = field(head[2]).parse().unwrap();
    let dims: usize = field(head[3]).parse().unwrap();
    lines.next();
    let stances = (0..n)
        .map(|_| {
            let f: Vec<&str> = lines.next().unwrap().split(',').collect();
            let num = |k: usize| -> f64 { field(f[k]).parse().unwrap() };
            Stance {
                actor: field(f[0]).to_string(),
                capability: num(2),
                position: (0..dims).map(|d| num(3 + 2 * d)).collect(),
                salience: (0..dims).map(|d| num(4 + 2 * d) / 100.0).collect(),
            }
        })
        .collect();
    Issue {
        id: name.into(),
        dimensions: dims,
        status_quo: None,
        stances,
        procedure: None,
    }
}

/// Rows of an expected-output CSV in `expected/` (header dropped), split on
/// commas.
pub fn expected_rows(name: &str) -> Vec<Vec<String>> {
    let path = data_dir().join("expected").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|s| s.trim().to_string()).collect())
        .collect()
}

/// Parses a field as f64.
pub fn num(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

/// Parses a field as usize.
pub fn idx(s: &str) -> usize {
    s.parse().unwrap_or_else(|_| panic!("not an index: {s:?}"))
}
