//! A process killed with SIGKILL in the middle of writes leaves a database
//! that passes `PRAGMA integrity_check`, with every revision whole: each
//! committed save is there complete and the one in flight is not there at all.
//!
//! The test re-runs its own binary as the writer (selected by an environment
//! variable), waits until it has committed some revisions, and kills it.

#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use accord_store::{ScenarioFormat, Store};

const CHILD_ENV: &str = "ACCORD_STORE_CRASH_CHILD";

/// The body of revision `n`: large (so a write takes time and spans many
/// pages) and checkable.
fn body(n: i64) -> String {
    format!("# revision {n}\n{}", format!("line {n}\n").repeat(20_000))
}

/// The writer: saves revisions of one scenario as fast as it can, printing
/// the number of each after its commit. Does nothing in a normal test run.
#[test]
fn crash_child_writer() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let store = Store::open(std::path::Path::new(&path)).unwrap();
    let s = store
        .create_scenario("crash", ScenarioFormat::Toml, &body(1), Some("rev 1"))
        .unwrap();
    println!("committed 1");
    for n in 2.. {
        store
            .update_scenario(s.id, None, ScenarioFormat::Toml, &body(n), Some(&format!("rev {n}")))
            .unwrap();
        // Writes go on in a transaction while the parent reads this line.
        println!("committed {n}");
    }
}

#[test]
fn sigkill_mid_write_leaves_an_intact_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_child_writer", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut last_seen = 0;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(n) = line.strip_prefix("committed ") {
            last_seen = n.trim().parse().unwrap();
            if last_seen >= 15 {
                break;
            }
        }
    }
    assert!(last_seen >= 15, "the writer stopped early");
    // SIGKILL: no destructor, no rollback, no checkpoint.
    child.kill().unwrap();
    child.wait().unwrap();

    let store = Store::open(&path).unwrap();
    assert_eq!(store.integrity_check().unwrap(), Ok(()));
    let scenarios = store.scenarios().unwrap();
    assert_eq!(scenarios.len(), 1);
    let history = store.scenario_history(scenarios[0].id).unwrap();
    // At least every revision the writer reported, maybe one more committed
    // after the last line read; each whole and in order.
    assert!(history.len() as i64 >= last_seen, "{} < {last_seen}", history.len());
    for (i, rev) in history.iter().enumerate() {
        let n = i as i64 + 1;
        assert_eq!(rev.revision, n);
        assert!(rev.body == body(n), "revision {n} is not whole");
        assert_eq!(rev.basis.as_deref(), Some(format!("rev {n}").as_str()));
    }
    // The store still takes writes.
    store
        .update_scenario(scenarios[0].id, None, ScenarioFormat::Toml, "after = 1", None)
        .unwrap();
}
