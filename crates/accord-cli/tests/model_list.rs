//! `accord model list …` against the real binary: the stances listed by
//! provenance agree with the embedded model, JSON is well formed, and wrong
//! filters are refused with a message that says what is valid.

use std::process::{Command, Output};

fn accord(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .output()
        .expect("the accord binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn stances_by_provenance_match_the_model() {
    let (_, model) = accord_io::embedded::sco_record_and_model().unwrap();
    for p in ["article", "source", "inference"] {
        let out = accord(&["model", "list", "stances", "--provenance", p, "--json"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("JSON");
        let expected = model.stances.iter().filter(|s| s.evidence.as_str() == p).count();
        assert_eq!(rows.len(), expected, "{p}");
        assert!(
            rows.iter()
                .all(|r| r["provenance"] == p && r["basis"].as_str().is_some_and(|b| !b.is_empty()))
        );
    }
    let table = stdout(&accord(&["model", "list", "stances", "--actor", "UZB"]));
    let last = table.lines().last().unwrap_or_default();
    let n = model.stances.iter().filter(|s| s.actor.as_str() == "UZB").count();
    assert!(last.starts_with(&format!("{n} stances:")), "{last}");
}

#[test]
fn issues_actors_and_levers_are_listed() {
    let issues = stdout(&accord(&["model", "list", "issues"]));
    assert!(issues.contains("sco-csto-division") && issues.contains("mongolia-status"));
    let actors = stdout(&accord(&["model", "list", "actors"]));
    assert!(actors.contains("CSTO") && actors.contains("member"));
    let levers = stdout(&accord(&["model", "list", "levers", "--actor", "CSTO"]));
    assert!(levers.contains("csto-joint-programmes"));
}

#[test]
fn wrong_filters_are_refused_with_what_is_valid() {
    let out = accord(&["model", "list", "stances", "--provenance", "hearsay"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("article, source, inference"));
    let out = accord(&["model", "list", "issues", "--provenance", "article"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--provenance filters stances"));
    let out = accord(&["model", "list", "stances", "--actor", "ZZZ"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an actor of the model"));
    let out = accord(&["model", "list", "stances", "--issue", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("accord model list issues"));
}
