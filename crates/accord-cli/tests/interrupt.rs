//! Ctrl-C: the long-running commands stop with exit code 130, say so, and
//! `accord report` leaves its folder as it was.

#![cfg(unix)]

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

/// Runs `accord ARGS`, sends SIGINT after `after`, and returns the exit
/// code and standard error.
fn interrupted(args: &[&str], after: Duration) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("accord starts");
    std::thread::sleep(after);
    let pid = i32::try_from(child.id()).expect("a pid fits an i32");
    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(pid, libc::SIGINT);
    }
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("{args:?} did not stop within 60 s of Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("accord-interrupt-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp folder");
    dir
}

#[test]
fn forecast_compare_and_opportunities_exit_130() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sco/scenarios");
    let (a, b) = (data.join("baseline.toml"), data.join("iran-admitted.toml"));
    let runs: [Vec<&str>; 3] = [
        vec!["forecast", "--samples", "1000000"],
        vec![
            "compare",
            a.to_str().expect("utf-8 path"),
            b.to_str().expect("utf-8 path"),
            "--samples",
            "1000000",
        ],
        vec!["opportunities", "--samples", "20000"],
    ];
    for args in runs {
        let (code, stderr) = interrupted(&args, Duration::from_millis(1500));
        assert_eq!(code, Some(130), "{args:?}: {stderr}");
        assert!(stderr.contains("interrupted"), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn an_interrupted_report_leaves_the_previous_one_whole() {
    let root = scratch("report");
    let out = root.join("out");
    std::fs::create_dir_all(out.join("charts")).expect("folder");
    let files = [
        (
            ".accord-report",
            "# Written by `accord report`; a later `accord report --out` may replace this folder.\nreport.html\nreport.md\ncharts/a.svg\n",
        ),
        ("report.html", "<html>complete</html>"),
        ("report.md", "# complete"),
        ("charts/a.svg", "<svg/>"),
    ];
    for (rel, text) in files {
        std::fs::write(out.join(rel), text).expect("write");
    }
    let (code, stderr) = interrupted(
        &["report", "--out", out.to_str().expect("utf-8 path")],
        Duration::from_millis(1500),
    );
    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains("no report was written"), "{stderr}");
    for (rel, text) in files {
        assert_eq!(
            std::fs::read_to_string(out.join(rel)).expect("still there"),
            text,
            "{rel}"
        );
    }
    // Nothing else beside it: the temporary folder is gone.
    let names: Vec<_> = std::fs::read_dir(&root)
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("out")]);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn influence_ktab_validate_and_backtest_exit_130_with_a_message() {
    let ktab = Path::new(env!("CARGO_MANIFEST_DIR")).join("../accord-engine/tests/data/ktab/inputs/dummyData-a160.csv");
    let runs: [Vec<&str>; 4] = [
        vec!["influence", "--permutations", "100000"],
        vec![
            "ktab",
            "run",
            ktab.to_str().expect("utf-8 path"),
            "--max-iterations",
            "10000",
            "--min-delta-ratio",
            "0",
        ],
        vec!["validate", "deu"],
        vec!["backtest", "--samples", "1000000"],
    ];
    for args in runs {
        let (code, stderr) = interrupted(&args, Duration::from_millis(1500));
        // Before they took Ctrl-C over, the first three ended on the signal
        // itself (no exit code, no message).
        assert_eq!(code, Some(130), "{args:?}: {stderr}");
        assert!(stderr.contains("interrupted"), "{args:?}: {stderr}");
        if args[0] != "backtest" {
            assert!(stderr.contains("nothing was printed"), "{args:?}: {stderr}");
        }
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
