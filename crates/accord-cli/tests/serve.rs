//! `accord serve` and `accord token` as a person runs them: the real binary,
//! a server subprocess on 127.0.0.1 port 0, plain HTTP/1.1 on loopback.
//!
//! - a run's `result` equals what `accord forecast --json` prints for the
//!   same scenario, samples and seed (both from the binary);
//! - a server killed with SIGKILL during a run restarts with the database
//!   intact (`PRAGMA integrity_check`), the run `interrupted` and rerunnable,
//!   and the saved scenario whole.

#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_accord");

struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(db: &Path) -> Server {
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--max-samples",
            "10000000",
            "--no-limit",
            "--db",
        ])
        .arg(db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .parse()
        .unwrap();
    Server { child, addr }
}

fn http(server: &Server, method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> (u16, Value) {
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    if let Some(t) = token {
        req.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    if !body.is_empty() {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    req.push_str("\r\n");
    req.push_str(&body);
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

fn accord(args: &[&str]) -> std::process::Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn token(db: &Path, name: &str) -> String {
    let out = accord(&["token", "create", name, "--db", db.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn wait(server: &Server, id: i64, until: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        let (_, run) = http(server, "GET", &format!("/api/runs/{id}"), None, None);
        if until(&run) {
            return run;
        }
        assert!(start.elapsed() < Duration::from_secs(300), "run {id}: {run}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn tokens_are_created_listed_and_revoked_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let db_s = db.to_str().unwrap();
    let secret = token(&db, "alice");
    assert!(secret.starts_with("accord_") && secret.len() == 71, "{secret}");
    let out = accord(&["token", "list", "--db", db_s, "--json"]);
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list[0]["name"], "alice");
    assert_eq!(list[0]["revoked"], false);
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&secret[7..]));
    assert!(accord(&["token", "revoke", "alice", "--db", db_s]).status.success());
    let list: Value = serde_json::from_slice(&accord(&["token", "list", "--db", db_s, "--json"]).stdout).unwrap();
    assert_eq!(list[0]["revoked"], true);
    // Mistakes: clear messages, exit code 2.
    let out = accord(&["token", "revoke", "bob", "--db", db_s]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no token named \"bob\""));
    let out = accord(&["token", "create", "alice", "--db", db_s]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    let out = accord(&["token", "create", "a b", "--db", db_s]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("letters, digits"));
}

#[test]
fn a_forecast_run_returns_what_the_cli_prints() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let tok = token(&db, "analyst");
    let server = serve(&db);
    // The scenario file the CLI reads, sent as text to the API.
    let file = env!("CARGO_MANIFEST_DIR").to_owned() + "/../../data/sco/scenarios/india-pakistan-admitted.toml";
    let text = std::fs::read_to_string(&file).unwrap();
    let (status, created) = http(
        &server,
        "POST",
        "/api/runs",
        Some(&tok),
        Some(&json!({"kind": "forecast", "scenario": text, "samples": 40, "seed": 11})),
    );
    assert_eq!(status, 202, "{created}");
    let id = created["id"].as_i64().unwrap();
    let run = wait(&server, id, |r| r["status"] != "queued" && r["status"] != "running");
    assert_eq!(run["status"], "done", "{run}");
    assert_eq!((run["seed"].as_u64(), run["samples"].as_u64()), (Some(11), Some(40)));

    let out = accord(&["forecast", &file, "--samples", "40", "--seed", "11", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        run["result"] == cli,
        "the API's result differs from `accord forecast --json`"
    );
}

#[test]
fn a_backtest_run_scores_the_same_questions_as_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("b.db");
    let tok = token(&db, "analyst");
    let server = serve(&db);
    // No scenario: the embedded baseline, as `accord backtest` scores.
    let (status, created) = http(
        &server,
        "POST",
        "/api/runs",
        Some(&tok),
        Some(&json!({"kind": "backtest", "samples": 20})),
    );
    assert_eq!(status, 202, "{created}");
    let id = created["id"].as_i64().unwrap();
    let run = wait(&server, id, |r| r["status"] != "queued" && r["status"] != "running");
    assert_eq!(run["status"], "done", "{run}");
    let out = accord(&["backtest", "--samples", "20", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Every question and model the CLI scores, with the same numbers.
    assert!(cli["questions"].as_array().is_some_and(|q| q.len() >= 20), "{cli}");
    assert_eq!(cli["models"].as_array().map(Vec::len), Some(5));
    assert!(
        run["result"] == cli,
        "the API's backtest differs from `accord backtest --json`"
    );
}

#[test]
fn a_server_killed_during_a_run_restarts_intact_with_the_run_interrupted() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let tok = token(&db, "analyst");
    let (_, baseline) = accord_io::embedded::SCO_SCENARIOS[0];
    let (scenario_id, run_id);
    {
        let server = serve(&db);
        let (status, s) = http(
            &server,
            "POST",
            "/api/scenarios",
            Some(&tok),
            Some(&json!({"name": "kept", "toml": baseline, "basis": "before the kill"})),
        );
        assert_eq!(status, 201, "{s}");
        scenario_id = s["id"].as_i64().unwrap();
        // Far more samples than can finish before the kill.
        let (status, r) = http(
            &server,
            "POST",
            "/api/runs",
            Some(&tok),
            Some(&json!({"kind": "forecast", "scenario": scenario_id, "samples": 5_000_000})),
        );
        assert_eq!(status, 202, "{r}");
        run_id = r["id"].as_i64().unwrap();
        wait(&server, run_id, |r| r["status"] == "running");
        // Drop sends SIGKILL (Child::kill) and reaps the process.
    }
    let store = accord_store::Store::open(&db).unwrap();
    assert_eq!(store.integrity_check().unwrap(), Ok(()));
    drop(store);

    let server = serve(&db);
    let (_, run) = http(&server, "GET", &format!("/api/runs/{run_id}"), None, None);
    assert_eq!(run["status"], "interrupted", "{run}");
    assert!(run["error"].as_str().unwrap().contains("run it again"));
    let (_, s) = http(&server, "GET", &format!("/api/scenarios/{scenario_id}"), None, None);
    assert_eq!(s["body"], baseline);
    assert_eq!(s["basis"], "before the kill");
    // Rerunnable: a new run with the same settings, which we then cancel.
    let (status, again) = http(&server, "POST", &format!("/api/runs/{run_id}/rerun"), Some(&tok), None);
    assert_eq!(status, 202, "{again}");
    let again = again["id"].as_i64().unwrap();
    let (_, r) = http(&server, "GET", &format!("/api/runs/{again}"), None, None);
    assert_eq!(r["samples"], 5_000_000);
    assert_eq!(r["rerun_of"], run_id);
    let (status, _) = http(&server, "DELETE", &format!("/api/runs/{again}"), Some(&tok), None);
    assert_eq!(status, 200);
    let end = wait(&server, again, |r| r["status"] != "queued" && r["status"] != "running");
    assert_eq!(end["status"], "cancelled");
}
