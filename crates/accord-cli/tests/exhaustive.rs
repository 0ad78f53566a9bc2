//! `accord opportunities --exhaustive` against the real binary: the same
//! JSON as the search where that one enumerates every combination too, a
//! line saying it was exhaustive, and a refused `--max-levers` past 4.

use std::process::{Command, Output};

fn accord(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .output()
        .expect("the accord binary runs")
}

#[test]
fn same_json_as_the_search_when_both_enumerate_everything() {
    let args = [
        "opportunities",
        "--for",
        "CHN",
        "--max-levers",
        "2",
        "--samples",
        "16",
        "--json",
    ];
    let plain = accord(&args);
    assert!(plain.status.success(), "{}", String::from_utf8_lossy(&plain.stderr));
    let exhaustive = accord(&[&args[..], &["--exhaustive"]].concat());
    assert!(
        exhaustive.status.success(),
        "{}",
        String::from_utf8_lossy(&exhaustive.stderr)
    );
    let (a, b): (serde_json::Value, serde_json::Value) = (
        serde_json::from_slice(&plain.stdout).unwrap(),
        serde_json::from_slice(&exhaustive.stdout).unwrap(),
    );
    assert_eq!(a["method"], "exhaustive");
    assert_eq!(a, b);
}

#[test]
fn says_it_was_exhaustive_and_how_many_combinations() {
    let out = accord(&["opportunities", "--for", "RUS", "--exhaustive", "--samples", "8"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("Exhaustive: every combination of 1 to 3 of RUS's"))
        .unwrap_or_else(|| panic!("{text}"));
    // n levers give n + C(n, 2) + C(n, 3) combinations.
    let n: u64 = line
        .split("RUS's ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let count = n + n * (n - 1) / 2 + n * (n - 1) * (n - 2) / 6;
    assert!(line.contains(&format!("({count} combinations;")), "{line}");
}

#[test]
fn more_than_four_levers_are_refused() {
    let out = accord(&["opportunities", "--exhaustive", "--max-levers", "5"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--max-levers 5 with --exhaustive: at most 4"), "{err}");
}
