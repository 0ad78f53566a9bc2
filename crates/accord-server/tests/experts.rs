//! The experts' sheet import and the focal actors over real HTTP on loopback.

use std::time::Duration;

use accord_server::{AppState, Config, Limits};
use accord_store::Store;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Server {
    addr: std::net::SocketAddr,
    db: std::path::PathBuf,
    _dir: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("api.db");
    let config = Config {
        db: db.clone(),
        data: None,
        private: false,
        limits: Limits::default(),
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
        _stop: tx,
    }
}

/// One request on its own connection; the answer's status and JSON body.
async fn request(server: &Server, method: &str, path: &str, token: Option<&str>, body: &str) -> (u16, Value) {
    let mut s = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    if let Some(t) = token {
        head.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    if method != "GET" {
        head.push_str(&format!("Content-Type: text/csv\r\nContent-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(body.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), s.read_to_end(&mut raw))
        .await
        .unwrap()
        .unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let headers = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = headers.split(' ').nth(1).unwrap().parse().unwrap();
    assert!(!headers.to_ascii_lowercase().contains("chunked"), "{headers}");
    (status, serde_json::from_slice(&raw[split + 4..]).unwrap())
}

const SHEET: &str = "expert,actor,issue,position,salience,note\n\
    A,RUS,admit-iran,20,40,\"cautious\"\n\
    B,RUS,admit-iran,30,60,\n\
    C,RUS,admit-iran,40,50,\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_experts_sheet_becomes_stances_with_ranges_and_nothing_is_written() {
    let server = start().await;
    let (status, _) = request(&server, "POST", "/api/import/experts", None, SHEET).await;
    assert_eq!(status, 401, "an import is a POST: it needs a token like every write");
    let tok = Store::open(&server.db).unwrap().create_token("t").unwrap();
    let (status, v) = request(&server, "POST", "/api/import/experts", Some(&tok), SHEET).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["answers"], 3);
    assert_eq!(v["experts"], serde_json::json!(["A", "B", "C"]));
    let s = &v["stances"][0];
    assert_eq!(
        (
            s["position"].as_f64(),
            s["position_low"].as_f64(),
            s["position_high"].as_f64()
        ),
        (Some(30.0), Some(20.0), Some(40.0))
    );
    assert_eq!(
        (
            s["salience"].as_f64(),
            s["salience_low"].as_f64(),
            s["salience_high"].as_f64()
        ),
        (Some(50.0), Some(40.0), Some(60.0))
    );
    assert!(
        s["basis"]
            .as_str()
            .unwrap()
            .contains("A (position 20, salience 40: cautious)")
    );
    // The fragment, pasted into a scenario, is a valid scenario.
    let text = format!(
        "[scenario]\nid = \"experts\"\ntitle = \"t\"\n\n{}",
        v["toml"].as_str().unwrap()
    );
    let sc = accord_io::scenario::parse_scenario("x.toml", &text).unwrap();
    let (record, model) = accord_io::embedded::sco_record_and_model().unwrap();
    accord_analysis::compile(&record, &model, &sc).unwrap();
    assert!(Store::open(&server.db).unwrap().scenarios().unwrap().is_empty());

    // Errors: located, naming what is valid.
    let bad = "expert,actor,issue,position,salience\nA,RUZ,admit-iran,20,40\n";
    let (status, v) = request(&server, "POST", "/api/import/experts", Some(&tok), bad).await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(
        (v["problems"][0]["line"].as_u64(), v["problems"][0]["column"].as_u64()),
        (Some(2), Some(3))
    );
    assert!(v["error"].as_str().unwrap().contains("RUS"), "{v}");
    // Issues a scenario adds are accepted when named.
    let new = "expert,actor,issue,position,salience\nA,RUS,new-q,20,40\n";
    let (status, _) = request(&server, "POST", "/api/import/experts", Some(&tok), new).await;
    assert_eq!(status, 422);
    let (status, v) = request(&server, "POST", "/api/import/experts?add_issues=new-q", Some(&tok), new).await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = request(&server, "POST", "/api/import/experts?issue=x", Some(&tok), new).await;
    assert_eq!((status, v["field"].as_str()), (400, Some("issue")));
    let (status, v) = request(&server, "POST", "/api/import/experts", Some(&tok), "\u{0}\u{ff}").await;
    assert_eq!(status, 422, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn focal_actors_are_those_with_levers() {
    let server = start().await;
    let (status, v) = request(&server, "GET", "/api/model/focal-actors", None, "").await;
    assert_eq!(status, 200);
    let (_, model) = accord_io::embedded::sco_record_and_model().unwrap();
    let ids: Vec<&str> = v["actors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    let mut expected: Vec<&str> = Vec::new();
    for l in &model.levers {
        if !expected.contains(&l.actor.as_str()) {
            expected.push(l.actor.as_str());
        }
    }
    assert_eq!(ids, expected);
    assert!(ids.contains(&"RUS") && ids.contains(&"CHN"));
    let rus = &v["actors"][0];
    assert_eq!(
        rus["levers"].as_array().unwrap().len(),
        model.levers.iter().filter(|l| l.actor.as_str() == "RUS").count()
    );
    assert_eq!(v["default"], "RUS");
}
