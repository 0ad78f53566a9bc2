//! The API over real HTTP on loopback: the server runs in-process on
//! 127.0.0.1 port 0; requests are plain HTTP/1.1 over a TCP socket.

use std::time::Duration;

use accord_server::{AppState, Config, Limits};
use accord_store::Store;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Server {
    addr: std::net::SocketAddr,
    db: std::path::PathBuf,
    _dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

async fn start(private: bool, limits: Limits) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("api.db");
    let config = Config {
        db: db.clone(),
        data: None,
        private,
        limits,
    };
    let state = AppState::open(&config).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(accord_server::serve(listener, state, async move {
        let _ = rx.await;
    }));
    Server {
        addr,
        db,
        _dir: dir,
        stop: Some(tx),
    }
}

struct Reply {
    status: u16,
    headers: String,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

/// One request on its own connection (`Connection: close`).
async fn request(server: &Server, method: &str, path: &str, token: Option<&str>, body: Option<&[u8]>) -> Reply {
    let mut s = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    if let Some(t) = token {
        head.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    let body = body.unwrap_or(b"");
    if !body.is_empty() || matches!(method, "POST" | "PUT") {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).await.unwrap();
    // A refused large body may close the socket before it is all sent.
    let _ = s.write_all(body).await;
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), s.read_to_end(&mut raw))
        .await
        .expect("the server answers within 60 s")
        .unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a header block");
    let headers = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = headers.split(' ').nth(1).unwrap().parse().unwrap();
    let mut body = raw[split + 4..].to_vec();
    if headers.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    Reply { status, headers, body }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let eol = b.windows(2).position(|w| w == b"\r\n").unwrap();
        let n = usize::from_str_radix(std::str::from_utf8(&b[..eol]).unwrap().trim(), 16).unwrap();
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + n]);
        b = &b[eol + 2 + n + 2..];
    }
}

async fn get(server: &Server, path: &str) -> Reply {
    request(server, "GET", path, None, None).await
}

async fn send(server: &Server, method: &str, path: &str, token: Option<&str>, body: &Value) -> Reply {
    request(server, method, path, token, Some(body.to_string().as_bytes())).await
}

fn token(server: &Server, name: &str) -> String {
    Store::open(&server.db).unwrap().create_token(name).unwrap()
}

async fn wait_for_run(server: &Server, id: i64) -> Value {
    for _ in 0..1200 {
        let r = get(server, &format!("/api/runs/{id}")).await.json();
        if !matches!(r["status"].as_str(), Some("queued" | "running")) {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("run {id} did not end in 120 s");
}

fn replace_path_params(path: &str) -> String {
    path.replace("{id}", "1")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_is_documented_and_every_documented_route_answers() {
    let server = start(false, Limits::default()).await;
    let doc = get(&server, "/api/openapi.json").await.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];
    let mut documented = std::collections::BTreeSet::new();
    for (path, item) in paths {
        for m in METHODS {
            if item.get(m).is_some() {
                documented.insert((path.clone(), m.to_uppercase()));
            }
        }
    }
    let routed: std::collections::BTreeSet<(String, String)> = accord_server::ROUTES
        .iter()
        .flat_map(|(p, ms)| ms.iter().map(|m| (p.to_string(), m.to_string())))
        .collect();
    assert_eq!(documented, routed, "openapi.json and ROUTES differ");
    let tok = token(&server, "probe");
    for (path, item) in paths {
        for m in METHODS {
            let method = m.to_uppercase();
            let body: Option<&[u8]> = matches!(m, "post" | "put" | "patch").then_some(b"{}");
            let r = request(&server, &method, &replace_path_params(path), Some(&tok), body).await;
            if item.get(m).is_some() {
                // Answered by its handler (a 404 here would be the fallback's
                // "no such route", not "no such scenario").
                assert_ne!(r.status, 405, "{method} {path}");
                if r.status == 404 {
                    let e = r.json();
                    assert!(
                        !e["error"].as_str().unwrap().contains("no such route"),
                        "{method} {path}"
                    );
                }
            } else {
                assert_eq!(r.status, 405, "{method} {path} answers but is not documented");
                assert!(r.json()["error"].is_string());
            }
        }
    }
    let r = get(&server, "/api/nothing-here").await;
    assert_eq!(r.status, 404);
    assert!(r.json()["error"].as_str().unwrap().contains("openapi"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_and_model_queries_answer_the_library_json() {
    let server = start(false, Limits::default()).await;
    let health = get(&server, "/api/health").await.json();
    assert_eq!(health["status"], "ok");

    let (record, model) = accord_io::embedded::sco_record_and_model().unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2009, 6, 16).unwrap();
    let r = get(&server, "/api/record/status?org=SCO&at=2009-06-16").await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        serde_json::to_value(accord_core::query::status_on(&record, "SCO", day)).unwrap()
    );
    let r = get(&server, "/api/record/timeline?actor=IND").await;
    assert_eq!(
        r.json(),
        serde_json::to_value(accord_core::query::timeline(&record, "IND")).unwrap()
    );
    let r = get(&server, "/api/record/gap?at=2009-06-16").await;
    assert_eq!(
        r.json(),
        serde_json::to_value(accord_core::query::gap(&record, "SCO", day)).unwrap()
    );
    for path in [
        "/api/record/bodies?at=2010-06-01",
        "/api/record/instruments?sphere=security",
        "/api/record/show?id=RUS",
        "/api/record/search?text=%D0%A0%D0%BE%D1%81%D1%81%D0%B8%D1%8F",
    ] {
        let r = get(&server, path).await;
        assert_eq!(r.status, 200, "{path}: {}", String::from_utf8_lossy(&r.body));
    }
    let hits = get(&server, "/api/record/search?text=India").await.json();
    assert!(!hits.as_array().unwrap().is_empty());

    let m = get(&server, "/api/model").await.json();
    assert_eq!(m["issues"].as_array().unwrap().len(), model.issues.len());
    assert_eq!(m["stances"].as_array().unwrap().len(), model.stances.len());
    assert_eq!(m["levers"].as_array().unwrap().len(), model.levers.len());
    assert!(m["actors"].as_array().unwrap().iter().any(|a| a["id"] == "RUS"));

    // Errors say which parameter and what is valid.
    let e = get(&server, "/api/record/status?at=2009-13-01").await;
    assert_eq!(e.status, 400);
    let e = e.json();
    assert_eq!(e["field"], "at");
    assert!(e["error"].as_str().unwrap().contains("YYYY-MM-DD"));
    let e = get(&server, "/api/record/status?org=NATO").await.json();
    assert_eq!(e["field"], "org");
    assert!(e["error"].as_str().unwrap().contains("SCO"));
    let e = get(&server, "/api/record/status?orgg=SCO").await.json();
    assert_eq!(e["field"], "orgg");
    let e = get(&server, "/api/record/instruments?sphere=space").await.json();
    assert!(e["error"].as_str().unwrap().contains("security"));
    assert_eq!(get(&server, "/api/record/show?id=nothing").await.status, 404);
    assert_eq!(get(&server, "/api/record/timeline").await.json()["field"], "actor");
}

const BASIS: &str = "test edit";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_need_a_live_token_and_scenarios_keep_their_history() {
    let server = start(false, Limits::default()).await;
    let (_, baseline) = accord_io::embedded::SCO_SCENARIOS[0];
    let body = json!({"name": "mine", "toml": baseline});
    // 401 without a token or with an unknown one, 403 with a revoked one.
    let r = send(&server, "POST", "/api/scenarios", None, &body).await;
    assert_eq!(r.status, 401);
    assert!(r.headers.to_ascii_lowercase().contains("www-authenticate: bearer"));
    assert!(r.json()["error"].as_str().unwrap().contains("accord token create"));
    assert_eq!(
        send(&server, "POST", "/api/scenarios", Some("accord_nope"), &body)
            .await
            .status,
        401
    );
    let old = token(&server, "old");
    Store::open(&server.db).unwrap().revoke_token("old").unwrap();
    let r = send(&server, "POST", "/api/scenarios", Some(&old), &body).await;
    assert_eq!(r.status, 403);
    assert!(r.json()["error"].as_str().unwrap().contains("revoked"));
    assert_eq!(request(&server, "DELETE", "/api/runs/1", None, None).await.status, 401);

    let tok = token(&server, "analyst");
    let r = send(&server, "POST", "/api/scenarios", Some(&tok), &body).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let s = r.json();
    let id = s["id"].as_i64().unwrap();
    assert_eq!(s["revision"], 1);
    // The same name again: 409 on the name.
    let r = send(&server, "POST", "/api/scenarios", Some(&tok), &body).await;
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["field"], "name");

    // A new revision with its basis, as a JSON object this time.
    let scenario: Value = {
        let parsed = accord_io::scenario::parse_scenario("b", baseline).unwrap();
        serde_json::to_value(parsed).unwrap()
    };
    let r = send(
        &server,
        "PUT",
        &format!("/api/scenarios/{id}"),
        Some(&tok),
        &json!({"scenario": scenario, "basis": BASIS}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let s = get(&server, &format!("/api/scenarios/{id}")).await.json();
    assert_eq!(s["revision"], 2);
    assert_eq!(s["format"], "json");
    assert_eq!(s["basis"], BASIS);
    assert_eq!(s["history"].as_array().unwrap().len(), 2);
    assert_eq!(get(&server, "/api/scenarios").await.json().as_array().unwrap().len(), 1);

    // An invalid edit is refused and leaves revision 2.
    let bad = baseline.replace("base = \"sco\"", "base = 7");
    let r = send(
        &server,
        "PUT",
        &format!("/api/scenarios/{id}"),
        Some(&tok),
        &json!({"toml": bad}),
    )
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        get(&server, &format!("/api/scenarios/{id}")).await.json()["revision"],
        2
    );

    let r = request(&server, "DELETE", &format!("/api/scenarios/{id}"), Some(&tok), None).await;
    assert_eq!(r.status, 200);
    assert_eq!(get(&server, &format!("/api/scenarios/{id}")).await.status, 404);
    assert_eq!(get(&server, "/api/scenarios/abc").await.json()["field"], "id");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_errors_carry_the_readers_messages_and_places() {
    let server = start(false, Limits::default()).await;
    let tok = token(&server, "a");
    let (_, baseline) = accord_io::embedded::SCO_SCENARIOS[0];

    // A syntax/type error: the TOML reader's message, line and column.
    let bad = baseline.replace("base = \"sco\"", "base = 7");
    let expected = accord_io::scenario::parse_scenario("x", &bad).unwrap_err();
    let r = send(
        &server,
        "POST",
        "/api/scenarios",
        Some(&tok),
        &json!({"name": "x", "toml": bad}),
    )
    .await;
    assert_eq!(r.status, 422);
    let e = r.json();
    assert_eq!(e["problems"][0]["message"], expected[0].message.as_str());
    assert_eq!(e["problems"][0]["line"], expected[0].line);
    assert_eq!(e["problems"][0]["column"], expected[0].column);

    // A semantic error: compile's message and field path.
    let (record, model) = accord_io::embedded::sco_record_and_model().unwrap();
    let unknown = format!("{baseline}\n[[membership]]\nactor = \"ZZZ\"\nstatus = \"member\"\n");
    let scenario = accord_io::scenario::parse_scenario("x", &unknown).unwrap();
    let problems = accord_analysis::compile(&record, &model, &scenario).unwrap_err();
    let r = send(
        &server,
        "POST",
        "/api/scenarios",
        Some(&tok),
        &json!({"name": "x", "toml": unknown}),
    )
    .await;
    assert_eq!(r.status, 422);
    let e = r.json();
    assert_eq!(e["problems"][0]["field"], problems[0].path.as_str());
    assert_eq!(e["problems"][0]["message"], problems[0].message.as_str());
    assert!(e["problems"][0]["line"].as_u64().unwrap() > 1);

    // The request's own shape.
    let e = send(
        &server,
        "POST",
        "/api/scenarios",
        Some(&tok),
        &json!({"toml": baseline}),
    )
    .await
    .json();
    assert_eq!(e["field"], "name");
    let e = send(&server, "POST", "/api/scenarios", Some(&tok), &json!({"name": "n"}))
        .await
        .json();
    assert!(e["error"].as_str().unwrap().contains("toml"));
    let e = send(
        &server,
        "POST",
        "/api/scenarios",
        Some(&tok),
        &json!({"name": "n", "tolm": "x"}),
    )
    .await
    .json();
    assert_eq!(e["field"], "tolm");
    let r = request(&server, "POST", "/api/scenarios", Some(&tok), Some(b"{not json")).await;
    assert_eq!(r.status, 400);
    assert!(r.json()["error"].as_str().unwrap().contains("not valid JSON"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_are_enforced_with_json_errors() {
    let limits = Limits {
        max_body_bytes: 4096,
        max_samples: 500,
        max_pending_runs: 1,
        max_concurrent_runs: 1,
        ..Limits::default()
    };
    let server = start(false, limits).await;
    let tok = token(&server, "a");
    let big = json!({"name": "big", "toml": "#".repeat(10_000)});
    let r = send(&server, "POST", "/api/scenarios", Some(&tok), &big).await;
    assert_eq!(r.status, 413);
    assert!(r.json()["error"].as_str().unwrap().contains("larger"));

    let r = send(
        &server,
        "POST",
        "/api/runs",
        Some(&tok),
        &json!({"kind": "forecast", "samples": 501}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["field"], "samples");
    // Nothing to compute is refused at once too (issue 12, item 5), and so
    // is an influence run with one permutation (no standard error).
    for body in [
        json!({"kind": "forecast", "samples": 0}),
        json!({"kind": "influence", "permutations": 1}),
        json!({"kind": "influence", "permutations": 0}),
    ] {
        let r = send(&server, "POST", "/api/runs", Some(&tok), &body).await;
        assert_eq!(r.status, 400, "{body}");
        let field = if body["kind"] == "forecast" {
            "samples"
        } else {
            "permutations"
        };
        assert_eq!(r.json()["field"], field, "{body}");
    }
    let e = send(&server, "POST", "/api/runs", Some(&tok), &json!({"kind": "forcast"}))
        .await
        .json();
    assert_eq!(e["field"], "kind");
    assert!(e["error"].as_str().unwrap().contains("forecast"));
    let e = send(
        &server,
        "POST",
        "/api/runs",
        Some(&tok),
        &json!({"kind": "opportunities", "focal": "MNG", "samples": 10}),
    )
    .await
    .json();
    assert_eq!(e["field"], "focal");
    assert!(e["error"].as_str().unwrap().contains("RUS"));
    let e = send(
        &server,
        "POST",
        "/api/runs",
        Some(&tok),
        &json!({"kind": "compare", "samples": 10}),
    )
    .await
    .json();
    assert_eq!(e["field"], "b");
    let e = send(
        &server,
        "POST",
        "/api/runs",
        Some(&tok),
        &json!({"kind": "forecast", "scenario": 99}),
    )
    .await;
    assert_eq!(e.status, 404);

    // One pending run at most: the second is refused while the first lasts.
    let first = send(
        &server,
        "POST",
        "/api/runs",
        Some(&tok),
        &json!({"kind": "forecast", "samples": 500}),
    )
    .await;
    assert_eq!(first.status, 202);
    let id = first.json()["id"].as_i64().unwrap();
    let second = send(
        &server,
        "POST",
        "/api/runs",
        Some(&tok),
        &json!({"kind": "forecast", "samples": 10}),
    )
    .await;
    let status = get(&server, &format!("/api/runs/{id}")).await.json()["status"].clone();
    if status == "queued" || status == "running" {
        assert_eq!(second.status, 429, "{}", String::from_utf8_lossy(&second.body));
    }
    // Cancel it; it ends cancelled (or done, if it finished first).
    let c = request(&server, "DELETE", &format!("/api/runs/{id}"), Some(&tok), None).await;
    assert_eq!(c.status, 200);
    let end = wait_for_run(&server, id).await;
    assert!(matches!(end["status"].as_str(), Some("cancelled" | "done")), "{end}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_gives_the_library_result_and_a_private_server_needs_tokens() {
    let server = start(true, Limits::default()).await;
    // Private: reads need a token too, health and the document stay open.
    assert_eq!(get(&server, "/api/model").await.status, 401);
    assert_eq!(get(&server, "/api/health").await.status, 200);
    assert_eq!(get(&server, "/api/openapi.json").await.status, 200);
    let tok = token(&server, "a");
    let r = request(&server, "GET", "/api/model", Some(&tok), None).await;
    assert_eq!(r.status, 200);

    let r = send(
        &server,
        "POST",
        "/api/runs",
        Some(&tok),
        &json!({"kind": "influence", "permutations": 200}),
    )
    .await;
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
    let id = r.json()["id"].as_i64().unwrap();
    let run = {
        let mut out = Value::Null;
        for _ in 0..600 {
            let v = request(&server, "GET", &format!("/api/runs/{id}"), Some(&tok), None)
                .await
                .json();
            if !matches!(v["status"].as_str(), Some("queued" | "running")) {
                out = v;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        out
    };
    assert_eq!(run["status"], "done", "{run}");
    assert_eq!(run["progress"], 1.0);
    // The same function `accord influence --json` calls, on the same scenario.
    let (record, model) = accord_io::embedded::sco_record_and_model().unwrap();
    let (name, text) = accord_io::embedded::SCO_SCENARIOS[0];
    let scenario = accord_io::scenario::parse_scenario(name, text).unwrap();
    let compiled = accord_analysis::compile(&record, &model, &scenario).unwrap();
    let expected = accord_analysis::influence::influence(&compiled, Some(200)).unwrap();
    assert!(
        run["result"] == serde_json::to_value(expected).unwrap(),
        "the run's result differs from influence()'s"
    );

    // Rerun: a new run with the same settings and the same result.
    let r = request(&server, "POST", &format!("/api/runs/{id}/rerun"), Some(&tok), None).await;
    assert_eq!(r.status, 202);
    let again = r.json()["id"].as_i64().unwrap();
    let mut last = Value::Null;
    for _ in 0..600 {
        last = request(&server, "GET", &format!("/api/runs/{again}"), Some(&tok), None)
            .await
            .json();
        if last["status"] == "done" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(last["result"], run["result"]);
    assert_eq!(last["rerun_of"], id);
    let list = request(&server, "GET", "/api/runs", Some(&tok), None).await.json();
    assert_eq!(list.as_array().unwrap().len(), 2);
}

/// Values a fuzzed request field takes: of every JSON type, some close to
/// valid (kinds, scenario ids, TOML fragments).
fn fuzz_value() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        prop_oneof![
            Just("forecast"),
            Just("compare"),
            Just("opportunities"),
            Just("influence"),
            Just("backtest"),
            Just("[scenario]\nid = 1"),
            Just("RUS"),
            Just("quadratic"),
        ]
        .prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
        prop::collection::vec(any::<u8>(), 0..8).prop_map(|v| json!(v)),
    ]
}

#[test]
fn arbitrary_requests_get_json_errors_and_never_a_server_failure() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config as PtConfig, TestRunner};
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // Few samples allowed, so a request that happens to be valid stays cheap.
    let limits = Limits {
        max_samples: 3,
        ..Limits::default()
    };
    let server = rt.block_on(start(false, limits));
    let tok = token(&server, "fuzz");
    let keys = prop_oneof![
        Just("kind"),
        Just("scenario"),
        Just("b"),
        Just("samples"),
        Just("seed"),
        Just("focal"),
        Just("max_levers"),
        Just("beam_width"),
        Just("loss"),
        Just("permutations"),
        Just("name"),
        Just("toml"),
        Just("basis"),
        Just("other"),
    ];
    let object = prop::collection::btree_map(keys, fuzz_value(), 0..6).prop_map(|m| serde_json::to_vec(&m).unwrap());
    let bytes = prop::collection::vec(any::<u8>(), 0..300);
    let route = prop_oneof![
        Just(("POST", "/api/runs")),
        Just(("POST", "/api/scenarios")),
        Just(("PUT", "/api/scenarios/1")),
        Just(("POST", "/api/runs/1/rerun")),
    ];
    let mut runner = TestRunner::new(PtConfig {
        cases: 96,
        failure_persistence: None,
        ..PtConfig::default()
    });
    runner
        .run(&(route, prop_oneof![object, bytes]), |((method, path), body)| {
            let r = rt.block_on(request(&server, method, path, Some(&tok), Some(&body)));
            prop_assert!(
                r.status < 500,
                "{method} {path} {:?} → {}",
                String::from_utf8_lossy(&body),
                r.status
            );
            if r.status >= 400 {
                let v: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
                prop_assert!(
                    v["error"].is_string(),
                    "not a JSON error: {}",
                    String::from_utf8_lossy(&r.body)
                );
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(Store::open(&server.db).unwrap().integrity_check().unwrap(), Ok(()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_interface_is_served_with_its_types_and_a_strict_policy() {
    // Private: the interface's files stay open, as the page is where the token is typed.
    let server = start(true, Limits::default()).await;
    let mut paths: Vec<(String, &str)> = accord_server::assets::ASSETS
        .iter()
        .map(|(p, ty, _)| (format!("/ui/{p}"), *ty))
        .collect();
    paths.push(("/".into(), "text/html; charset=utf-8"));
    for (path, ty) in &paths {
        let r = get(&server, path).await;
        assert_eq!(r.status, 200, "{path}");
        let h = r.headers.to_ascii_lowercase();
        assert!(h.contains(&format!("content-type: {ty}")), "{path}: {h}");
        assert!(
            h.contains("content-security-policy: default-src 'self';"),
            "{path}: {h}"
        );
        assert!(h.contains("x-content-type-options: nosniff"), "{path}");
        assert!(!r.body.is_empty(), "{path}");
    }
    let index = get(&server, "/").await;
    assert_eq!(index.body, get(&server, "/ui/index.html").await.body);
    // Every script the page loads is served.
    let html = String::from_utf8(index.body).unwrap();
    assert!(html.contains("src=\"/ui/app.js\""));
    // The API's answers carry the policy too; the API stays private.
    let r = get(&server, "/api/model").await;
    assert_eq!(r.status, 401);
    assert!(r.headers.to_ascii_lowercase().contains("content-security-policy"));
    for missing in [
        "/ui/nope.js",
        "/ui/",
        "/ui/../Cargo.toml",
        "/ui/pages/",
        "/ui/lib/api.js.map",
    ] {
        let r = get(&server, missing).await;
        assert_eq!(r.status, 404, "{missing}");
        assert!(r.json()["error"].is_string(), "{missing}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_membership_timeline_of_an_organization_lists_every_actor() {
    let server = start(false, Limits::default()).await;
    let all = get(&server, "/api/record/timeline?org=SCO").await.json();
    let list = all.as_array().unwrap();
    assert!(list.iter().all(|m| m["org"] == "SCO"));
    let actors: std::collections::BTreeSet<&str> = list.iter().map(|m| m["actor"].as_str().unwrap()).collect();
    for a in ["CHN", "RUS", "IND", "IRN", "MNG", "TKM"] {
        assert!(actors.contains(a), "{a} missing");
    }
    // Sorted by actor, then start.
    let keys: Vec<(String, String)> = list
        .iter()
        .map(|m| {
            (
                m["actor"].as_str().unwrap().to_owned(),
                m["from"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    // actor + org narrows one actor's timeline; neither is an error naming both.
    let ind = get(&server, "/api/record/timeline?actor=IND&org=SCO").await.json();
    assert_eq!(ind.as_array().unwrap().len(), 2);
    let r = get(&server, "/api/record/timeline").await;
    assert_eq!(r.status, 400);
    assert!(r.json()["error"].as_str().unwrap().contains("org"));
    assert_eq!(get(&server, "/api/record/timeline?org=NOPE").await.status, 400);
}
