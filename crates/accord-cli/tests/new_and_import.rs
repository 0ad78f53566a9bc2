//! `accord new DIR` and `accord import experts` against the real binary: the
//! template passes `accord check` and forecasts; a non-empty folder is
//! refused; an experts' sheet becomes a fragment, and `--into` appends it
//! only when the result is a valid scenario.

use std::process::{Command, Output};

fn accord(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .output()
        .expect("the accord binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn a_new_folder_passes_check_and_forecasts_and_a_full_one_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("org");
    let d = dir.to_str().unwrap();
    let out = accord(&["new", d]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(dir.join("README.md").is_file() && dir.join("model/stances.toml").is_file());
    let out = accord(&["check", d]);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("2 issues"), "{}", text(&out.stdout));
    let baseline = dir.join("scenarios/baseline.toml");
    let out = accord(&[
        "forecast",
        "--data",
        d,
        baseline.to_str().unwrap(),
        "--samples",
        "100",
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(j.to_string().contains("example-common-fund"));
    let out = accord(&["forecast", "--data", d, "--samples", "100"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // A folder holding anything is refused, and left as it was.
    let before = std::fs::read_to_string(&baseline).unwrap();
    let out = accord(&["new", d]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("is not empty"), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&baseline).unwrap(), before);
}

#[test]
fn an_experts_sheet_is_printed_or_appended_atomically() {
    let tmp = tempfile::tempdir().unwrap();
    let sheet = tmp.path().join("experts.csv");
    std::fs::write(
        &sheet,
        "expert,actor,issue,position,salience,note\nA,RUS,admit-iran,20,40,cautious\nB,RUS,admit-iran,30,60,\n",
    )
    .unwrap();
    let s = sheet.to_str().unwrap();
    let out = accord(&["import", "experts", s]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let frag = text(&out.stdout);
    assert!(
        frag.contains("position = 25.0") && frag.contains("position_low = 20.0"),
        "{frag}"
    );
    let scenario = tmp.path().join("s.toml");
    std::fs::write(&scenario, "[scenario]\nid = \"s\"\ntitle = \"t\"\n").unwrap();
    let sc = scenario.to_str().unwrap();
    let out = accord(&["import", "experts", s, "--into", sc]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(&scenario).unwrap();
    assert!(
        written.starts_with("[scenario]") && written.contains("experts (2"),
        "{written}"
    );
    let out = accord(&["forecast", sc, "--samples", "50"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // A second import would give RUS two stances on one issue: refused, file untouched.
    let out = accord(&["import", "experts", s, "--into", sc]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("left as it was"), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&scenario).unwrap(), written);
    let names: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "no temporary file left: {names:?}");
    // Errors name line and column.
    std::fs::write(&sheet, "expert,actor,issue,position,salience\nA,RUZ,admit-iran,20,40\n").unwrap();
    let out = accord(&["import", "experts", s]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("experts.csv:2:3: unknown actor `RUZ`"),
        "{}",
        text(&out.stderr)
    );
}
