//! `--json` on every command that prints results: each runs with it (small
//! sample counts) and its standard output parses as one JSON document
//! holding the fields its help promises.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_accord");

fn repo(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
        .display()
        .to_string()
}

/// Runs `accord ARGS`, expects exit code 0, parses stdout as JSON.
fn json(args: &[&str]) -> Value {
    let out = Command::new(BIN).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "accord {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "accord {}: not JSON ({e}): {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

#[test]
fn every_record_and_model_query_prints_json() {
    let v = json(&["check", "--json"]);
    assert_eq!(v["ok"], true);
    assert!(v["record"]["actors"].as_u64().unwrap() > 0 && v["model"]["issues"].as_u64().unwrap() > 0);
    assert!(v["problems"].as_array().unwrap().is_empty());
    let v = json(&["check", &repo("data/sco"), "--json"]);
    assert_eq!(v["ok"], true);
    for args in [
        ["record", "--json", "status", "--org", "SCO", "--at", "2009-06-16"].as_slice(),
        &["record", "--json", "timeline", "RUS"],
        &["record", "--json", "bodies", "--org", "SCO", "--at", "2010-06-01"],
        &["record", "--json", "instruments", "--sphere", "economy"],
        &["record", "--json", "gap", "--org", "SCO", "--at", "2010-06-01"],
        &["record", "--json", "show", "rats"],
        &["record", "--json", "search", "上海"],
        &["model", "list", "issues", "--json"],
        &["model", "list", "actors", "--json"],
        &["model", "list", "levers", "--json"],
        &["model", "list", "stances", "--json"],
        &["schema", "scenario"],
    ] {
        let v = json(args);
        assert!(v.is_object() || v.as_array().is_some_and(|a| !a.is_empty()), "{args:?}");
    }
}

#[test]
fn check_json_lists_every_problem_with_its_place_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("actors.toml"), "[[actor]]\nid = 3\n").unwrap();
    let out = Command::new(BIN)
        .args(["check", "--json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    let p = &v["problems"][0];
    assert!(p["file"].as_str().unwrap().ends_with("actors.toml"));
    assert!(p["line"].as_u64().unwrap() >= 1 && p["column"].as_u64().unwrap() >= 1);
}

#[test]
fn every_forecasting_command_prints_json() {
    let v = json(&["forecast", "--json", "--samples", "20", "--input-only"]);
    assert!(v["issues"].as_array().is_some_and(|a| !a.is_empty()));
    let v = json(&[
        "compare",
        &repo("data/sco/scenarios/baseline.toml"),
        &repo("data/sco/scenarios/iran-admitted.toml"),
        "--samples",
        "10",
        "--json",
    ]);
    assert!(v.is_object());
    let v = json(&["opportunities", "--json", "--samples", "10", "--max-levers", "2"]);
    assert!(v["combinations"].as_array().is_some_and(|c| !c.is_empty()));
    let v = json(&["influence", "--json", "--permutations", "20"]);
    assert!(v.is_object());
    let v = json(&["backtest", "--json", "--samples", "5"]);
    assert!(v["questions"].as_array().is_some_and(|q| !q.is_empty()));
    let v = json(&[
        "validate",
        "deu",
        "--json",
        "--resamples",
        "50",
        "--repeats",
        "1",
        "--no-dynamics",
    ]);
    assert!(v["combinations"].is_object() && v["calibration"].is_array());
    let v = json(&[
        "ktab",
        "run",
        &repo("crates/accord-engine/tests/data/ktab/inputs/dummyData_3Dim.csv"),
        "--json",
    ]);
    assert!(v.is_object());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let out = Command::new(BIN)
        .args(["token", "create", "ana", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(out.status.success());
    let v = json(&["token", "list", "--json", "--db", db.to_str().unwrap()]);
    assert_eq!(v[0]["name"], "ana");
}

#[test]
fn report_with_a_scenario_puts_it_first_and_prints_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    // A scenario of its own (not shipped), from a data folder.
    let text = std::fs::read_to_string(repo("data/sco/scenarios/us-observer.toml"))
        .unwrap()
        .replacen("id = \"us-observer\"", "id = \"my-subject\"", 1);
    assert!(text.contains("my-subject"));
    let file = dir.path().join("mine.toml");
    std::fs::write(&file, text).unwrap();
    let v = json(&[
        "report",
        file.to_str().unwrap(),
        "--data",
        &repo("data/sco"),
        "--samples",
        "10",
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(v["subject"], "my-subject");
    assert_eq!(v["scenarios"], 9);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    let first = md.find("id=\"scenario-").unwrap();
    assert!(
        md[first..].starts_with("id=\"scenario-my-subject\""),
        "the subject is not first"
    );
    assert!(md.contains("Subject of this report: scenario `my-subject`"));
}
