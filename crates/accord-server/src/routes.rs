//! The routes: parse, call the library, answer JSON. No analysis here.

use std::collections::HashMap;

use accord_core::query::{self, InstrumentFilter};
use accord_core::{InstrumentStatus, Sphere};
use accord_store::{NewRun, RunId, RunKind, ScenarioId, TokenCheck};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use axum::{Json, Router};
use chrono::NaiveDate;
use serde_json::{Map, Value, json};

use crate::AppState;
use crate::error::ApiError;
use crate::jobs::{self, RunSettings, ScenarioSource};
use crate::scenario::ScenarioText;

/// Every route: its path and methods. The router is built from this list
/// and `openapi.json` must describe exactly these (a test checks it).
pub const ROUTES: &[(&str, &[&str])] = &[
    ("/api/health", &["GET"]),
    ("/api/openapi.json", &["GET"]),
    ("/api/record/status", &["GET"]),
    ("/api/record/timeline", &["GET"]),
    ("/api/record/bodies", &["GET"]),
    ("/api/record/instruments", &["GET"]),
    ("/api/record/gap", &["GET"]),
    ("/api/record/show", &["GET"]),
    ("/api/record/search", &["GET"]),
    ("/api/model", &["GET"]),
    ("/api/model/focal-actors", &["GET"]),
    ("/api/import/experts", &["POST"]),
    ("/api/scenarios", &["GET", "POST"]),
    ("/api/scenarios/{id}", &["GET", "PUT", "DELETE"]),
    ("/api/runs", &["GET", "POST"]),
    ("/api/runs/{id}", &["GET", "DELETE"]),
    ("/api/runs/{id}/rerun", &["POST"]),
];

fn method_router(path: &str) -> MethodRouter<AppState> {
    match path {
        "/api/health" => get(health),
        "/api/openapi.json" => get(openapi),
        "/api/record/status" => get(record_status),
        "/api/record/timeline" => get(record_timeline),
        "/api/record/bodies" => get(record_bodies),
        "/api/record/instruments" => get(record_instruments),
        "/api/record/gap" => get(record_gap),
        "/api/record/show" => get(record_show),
        "/api/record/search" => get(record_search),
        "/api/model" => get(model),
        "/api/model/focal-actors" => get(focal_actors),
        "/api/import/experts" => axum::routing::post(import_experts),
        "/api/scenarios" => get(list_scenarios).post(create_scenario),
        "/api/scenarios/{id}" => get(get_scenario).put(update_scenario).delete(delete_scenario),
        "/api/runs" => get(list_runs).post(create_run),
        "/api/runs/{id}" => get(get_run).delete(cancel_run),
        "/api/runs/{id}/rerun" => axum::routing::post(rerun),
        other => unreachable!("ROUTES lists {other} without a handler"),
    }
}

/// The router of [`ROUTES`], with the token rules, limits and JSON errors.
pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for (path, _) in ROUTES {
        router = router.route(path, method_router(path));
    }
    // The interface's files: not API routes (so not in ROUTES or openapi.json).
    router = router
        .route("/", get(crate::assets::index))
        .route("/ui/{*path}", get(crate::assets::file));
    router
        .fallback(|| async { ApiError::not_found("no such route: see GET /api/openapi.json for the routes") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "this route does not take that method: see GET /api/openapi.json",
            )
        })
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .layer(DefaultBodyLimit::max(state.limits.max_body_bytes))
        .layer(middleware::map_response(|mut resp: Response| async move {
            crate::assets::secure(&mut resp);
            resp
        }))
        .with_state(state)
}

/// Token rules and the request timeout. Reads are open unless the server is
/// private (health and the OpenAPI document stay open); writes need a live
/// bearer token.
async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    // The interface's files are open even on a private server: the page is
    // where a person types the token the API then needs.
    let open_path = path == "/api/health" || path == "/api/openapi.json" || path == "/" || path.starts_with("/ui/");
    let read = matches!(*req.method(), Method::GET | Method::HEAD);
    if !open_path && (!read || state.private) {
        let bearer = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let what = if read { "reading this private server" } else { "a write" };
        let Some(token) = bearer else {
            return unauthorized(format!(
                "{what} needs a token: send `Authorization: Bearer TOKEN` (create one with `accord token create NAME --db FILE`)"
            ));
        };
        let store = state.store.clone();
        let token = token.to_owned();
        let check = tokio::task::spawn_blocking(move || store.check_token(&token)).await;
        match check {
            Ok(Ok(TokenCheck::Valid(_))) => {}
            Ok(Ok(TokenCheck::Revoked(name))) => {
                return ApiError::new(
                    StatusCode::FORBIDDEN,
                    format!("the token {name:?} was revoked: ask for a new one"),
                )
                .into_response();
            }
            Ok(Ok(TokenCheck::Unknown)) => return unauthorized("the token is not known to this server".into()),
            Ok(Err(e)) => return ApiError::from(e).into_response(),
            Err(e) => return ApiError::internal(e).into_response(),
        }
    }
    match tokio::time::timeout(state.limits.request_timeout, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the request took longer than {} s; try again, or ask for less",
                state.limits.request_timeout.as_secs()
            ),
        )
        .into_response(),
    }
}

fn unauthorized(message: String) -> Response {
    let mut resp = ApiError::new(StatusCode::UNAUTHORIZED, message).into_response();
    resp.headers_mut()
        .insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
    resp
}

type Params = Result<Query<HashMap<String, String>>, QueryRejection>;

/// Query parameters, refusing unknown ones (a typo would silently be ignored).
fn params(q: Params, allowed: &[&str]) -> Result<HashMap<String, String>, ApiError> {
    let Query(map) = q.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, format!("bad query string: {e}")))?;
    for k in map.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(ApiError::field(
                k,
                format!("unknown parameter {k:?}: this route takes {}", list(allowed)),
            ));
        }
    }
    Ok(map)
}

fn list(items: &[&str]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

fn day(map: &HashMap<String, String>, key: &str) -> Result<Option<NaiveDate>, ApiError> {
    map.get(key)
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| ApiError::field(key, format!("{s:?} is not a date: write YYYY-MM-DD, e.g. 2009-06-16")))
        })
        .transpose()
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn required<'a>(map: &'a HashMap<String, String>, key: &str) -> Result<&'a str, ApiError> {
    map.get(key)
        .map(String::as_str)
        .ok_or_else(|| ApiError::field(key, format!("missing parameter {key:?}")))
}

fn known_org(state: &AppState, org: &str) -> Result<(), ApiError> {
    if state.data.record.organizations.iter().any(|o| o.id.as_str() == org) {
        return Ok(());
    }
    let known: Vec<_> = state.data.record.organizations.iter().map(|o| o.id.as_str()).collect();
    Err(ApiError::field(
        "org",
        format!("unknown organization {org:?}: the record tracks {}", known.join(", ")),
    ))
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<Json<Value>, ApiError> {
    serde_json::to_value(v).map(Json).map_err(ApiError::internal)
}

async fn health(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "private": state.private,
        "runs_pending": state.runner.pending(),
    }))
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], crate::OPENAPI).into_response()
}

async fn record_status(State(state): State<AppState>, q: Params) -> Result<Json<Value>, ApiError> {
    let p = params(q, &["org", "at"])?;
    let org = p.get("org").map_or("SCO", String::as_str);
    known_org(&state, org)?;
    let at = day(&p, "at")?.unwrap_or_else(today);
    to_json(&query::status_on(&state.data.record, org, at))
}

async fn record_timeline(State(state): State<AppState>, q: Params) -> Result<Json<Value>, ApiError> {
    let p = params(q, &["actor", "org"])?;
    let record = &state.data.record;
    let org = p.get("org").map(String::as_str);
    if let Some(org) = org {
        known_org(&state, org)?;
    }
    let Some(actor) = p.get("actor").map(String::as_str) else {
        let org = org.ok_or_else(|| {
            ApiError::field(
                "actor",
                "missing parameter \"actor\" (or \"org\" for every actor in an organization)",
            )
        })?;
        return to_json(&query::memberships_in(record, org));
    };
    if record.index().actor(record, actor).is_none() {
        return Err(ApiError::field(
            "actor",
            format!("unknown actor {actor:?} (find codes with /api/record/search?text=…)"),
        ));
    }
    let mut list = query::timeline(record, actor);
    if let Some(org) = org {
        list.retain(|m| m.org.as_str() == org);
    }
    to_json(&list)
}

async fn record_bodies(State(state): State<AppState>, q: Params) -> Result<Json<Value>, ApiError> {
    let p = params(q, &["org", "at"])?;
    let org = p.get("org").map_or("SCO", String::as_str);
    known_org(&state, org)?;
    let at = day(&p, "at")?.unwrap_or_else(today);
    to_json(&query::bodies_on(&state.data.record, org, at))
}

fn choice<T: Copy>(
    p: &HashMap<String, String>,
    key: &str,
    all: &[T],
    name: fn(T) -> &'static str,
) -> Result<Option<T>, ApiError> {
    p.get(key)
        .map(|s| {
            all.iter().copied().find(|&v| name(v) == s).ok_or_else(|| {
                let names: Vec<_> = all.iter().map(|&v| name(v)).collect();
                ApiError::field(key, format!("{s:?} is not one of: {}", names.join(", ")))
            })
        })
        .transpose()
}

async fn record_instruments(State(state): State<AppState>, q: Params) -> Result<Json<Value>, ApiError> {
    let p = params(q, &["status", "sphere", "from", "to", "at"])?;
    let filter = InstrumentFilter {
        status: choice(&p, "status", &InstrumentStatus::ALL, InstrumentStatus::as_str)?,
        sphere: choice(&p, "sphere", &Sphere::ALL, Sphere::as_str)?,
        from: day(&p, "from")?,
        to: day(&p, "to")?,
        on: day(&p, "at")?,
    };
    to_json(&query::instruments(&state.data.record, &filter))
}

async fn record_gap(State(state): State<AppState>, q: Params) -> Result<Json<Value>, ApiError> {
    let p = params(q, &["org", "at"])?;
    let org = p.get("org").map_or("SCO", String::as_str);
    known_org(&state, org)?;
    let at = day(&p, "at")?.unwrap_or_else(today);
    to_json(&query::gap(&state.data.record, org, at))
}

async fn record_show(State(state): State<AppState>, q: Params) -> Result<Json<Value>, ApiError> {
    let p = params(q, &["id"])?;
    let id = required(&p, "id")?;
    let record = &state.data.record;
    let index = record.index();
    let entry = index
        .entry(record, id)
        .ok_or_else(|| ApiError::not_found(format!("no entry {id:?} (try /api/record/search?text={id})")))?;
    to_json(&entry)
}

async fn record_search(State(state): State<AppState>, q: Params) -> Result<Json<Value>, ApiError> {
    let p = params(q, &["text"])?;
    let text = required(&p, "text")?;
    to_json(&query::search(&state.data.record, text))
}

/// A JSON answer already serialized.
fn json_bytes(body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn model(State(state): State<AppState>) -> Result<Response, ApiError> {
    // The data never change while the server runs: built once (crate::cache).
    let body = state.cache.model(|| {
        let Json(v) = model_json(&state)?;
        serde_json::to_vec(&v).map(Bytes::from).map_err(ApiError::internal)
    })?;
    Ok(json_bytes(body))
}

fn model_json(state: &AppState) -> Result<Json<Value>, ApiError> {
    let m = &state.data.model;
    let record = &state.data.record;
    let index = record.index();
    // The actors taking part: those with a stance, in order of first stance.
    let mut seen = std::collections::HashSet::new();
    let actors: Vec<Value> = m
        .stances
        .iter()
        .filter(|s| seen.insert(s.actor.as_str().to_owned()))
        .map(|s| {
            let a = index.actor(record, s.actor.as_str());
            json!({
                "id": s.actor.as_str(),
                "name": a.map(|a| serde_json::to_value(&a.name).unwrap_or(Value::Null)),
                "levers": m.levers.iter().filter(|l| l.actor == s.actor).count(),
            })
        })
        .collect();
    Ok(Json(json!({
        "meta": m.meta,
        "issues": m.issues,
        "actors": actors,
        "capabilities": m.capabilities,
        "stances": m.stances,
        "levers": m.levers,
    })))
}

/// The actors an opportunity search can be run for: those the model offers
/// levers to, with their names and levers (the list the `focal` field of an
/// `opportunities` run takes).
async fn focal_actors(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let m = &state.data.model;
    let record = &state.data.record;
    let index = record.index();
    let mut order: Vec<&str> = Vec::new();
    for l in &m.levers {
        if !order.contains(&l.actor.as_str()) {
            order.push(l.actor.as_str());
        }
    }
    let actors: Vec<Value> = order
        .iter()
        .map(|&id| {
            let a = index.actor(record, id);
            let levers: Vec<Value> = m
                .levers
                .iter()
                .filter(|l| l.actor.as_str() == id)
                .map(|l| json!({"id": l.id.as_str(), "name": l.name}))
                .collect();
            json!({
                "id": id,
                "name": a.map(|a| serde_json::to_value(&a.name).unwrap_or(Value::Null)),
                "levers": levers,
            })
        })
        .collect();
    Ok(Json(json!({ "actors": actors, "default": jobs::DEFAULT_FOCAL })))
}

/// Turns an experts' sheet (the CSV body) into scenario stances, writing
/// nothing: `accord_io::expert_csv` reads it and checks it against the
/// model's actors and issues (plus those named in `add_issues`, the issues a
/// scenario being written adds). Problems come back as 422 with their line
/// and column, as for a scenario's text.
async fn import_experts(
    State(state): State<AppState>,
    q: Params,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let p = params(q, &["add_issues"])?;
    let bytes = body.map_err(|e| ApiError::new(e.status(), format!("cannot read the request body: {e}")))?;
    let text = accord_io::text::utf8(bytes.to_vec(), "experts.csv").map_err(|e| ApiError {
        problems: vec![crate::Problem {
            field: None,
            line: e.line,
            column: e.column,
            message: e.message.clone(),
        }],
        ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string())
    })?;
    let added: Vec<String> = p
        .get("add_issues")
        .map(|s| {
            s.split(',')
                .map(|x| x.trim().to_owned())
                .filter(|x| !x.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let m = &state.data.model;
    let actors: Vec<&str> = m.capabilities.iter().map(|c| c.actor.as_str()).collect();
    let mut issues: Vec<&str> = m.issues.iter().map(|i| i.id.as_str()).collect();
    issues.extend(added.iter().map(String::as_str));
    let result = accord_io::expert_csv::read_experts(&text, "experts.csv").and_then(|sheet| {
        accord_io::expert_csv::to_stances(&sheet, &text, "experts.csv", &actors, &issues).map(|s| (sheet, s))
    });
    match result {
        Ok((sheet, stances)) => {
            let mut experts: Vec<&str> = Vec::new();
            for a in &sheet.answers {
                if !experts.contains(&a.expert.as_str()) {
                    experts.push(a.expert.as_str());
                }
            }
            Ok(Json(json!({
                "answers": sheet.answers.len(),
                "experts": experts,
                "stances": stances,
                "toml": accord_io::expert_csv::fragment(&stances),
            })))
        }
        Err(diags) => {
            let problems: Vec<crate::Problem> = diags
                .into_iter()
                .map(|d| crate::Problem {
                    field: None,
                    line: Some(d.line),
                    column: Some(d.column),
                    message: d.message,
                })
                .collect();
            Err(ApiError {
                error: format!(
                    "invalid experts' sheet: line {}: {}",
                    problems[0].line.unwrap_or(1),
                    problems[0].message
                ),
                problems,
                ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "")
            })
        }
    }
}

/// The request body as a JSON object, with body-limit and syntax errors as
/// JSON answers.
fn object(body: Result<Bytes, BytesRejection>) -> Result<Map<String, Value>, ApiError> {
    let bytes = body.map_err(|e| {
        let status = e.status();
        let msg = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "the request body is larger than this server accepts (see `limits` in docs/server.md)".to_owned()
        } else {
            format!("cannot read the request body: {e}")
        };
        ApiError::new(status, msg)
    })?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::new(StatusCode::BAD_REQUEST, "the body must be a JSON object")),
        Err(e) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("the body is not valid JSON: {e}"),
        )),
    }
}

fn only_fields(obj: &Map<String, Value>, allowed: &[&str]) -> Result<(), ApiError> {
    for k in obj.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(ApiError::field(
                k,
                format!("unknown field {k:?}: this request takes {}", list(allowed)),
            ));
        }
    }
    Ok(())
}

fn opt_str<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, ApiError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::field(key, format!("{key:?} must be a string"))),
    }
}

fn opt_u64(obj: &Map<String, Value>, key: &str) -> Result<Option<u64>, ApiError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .map(Some)
            .ok_or_else(|| ApiError::field(key, format!("{key:?} must be a whole number ≥ 0"))),
    }
}

fn scenario_json(s: &accord_store::Scenario, history: &[accord_store::Revision]) -> Value {
    json!({
        "id": s.id.0,
        "name": s.name,
        "revision": s.revision,
        "format": s.format.as_str(),
        "body": s.body,
        "basis": s.basis,
        "created_at": s.created_at,
        "updated_at": s.updated_at,
        "history": history.iter().map(|r| json!({
            "revision": r.revision,
            "format": r.format.as_str(),
            "basis": r.basis,
            "created_at": r.created_at,
        })).collect::<Vec<_>>(),
    })
}

/// Runs blocking store work off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, ApiError> + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(ApiError::internal)?
}

async fn list_scenarios(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let list = blocking(move || Ok(state.store.scenarios()?)).await?;
    Ok(Json(Value::Array(
        list.iter()
            .map(|s| {
                json!({"id": s.id.0, "name": s.name, "revision": s.revision,
                       "created_at": s.created_at, "updated_at": s.updated_at})
            })
            .collect(),
    )))
}

fn parse_scenario_id(id: &str) -> Result<ScenarioId, ApiError> {
    id.parse()
        .map(ScenarioId)
        .map_err(|_| ApiError::field("id", format!("{id:?} is not a scenario id (a whole number)")))
}

async fn create_scenario(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let obj = object(body)?;
    only_fields(&obj, &["name", "toml", "scenario", "basis"])?;
    let name = opt_str(&obj, "name")?
        .ok_or_else(|| ApiError::field("name", "missing \"name\": every saved scenario has a name"))?
        .to_owned();
    let basis = opt_str(&obj, "basis")?.map(str::to_owned);
    let text = ScenarioText::from_request(&obj, "")?;
    let v = blocking(move || {
        crate::scenario::compile(&state.data, &name, &text)?;
        let s = state
            .store
            .create_scenario(&name, text.format, &text.body, basis.as_deref())?;
        let h = state.store.scenario_history(s.id)?;
        Ok(scenario_json(&s, &h))
    })
    .await?;
    Ok((StatusCode::CREATED, Json(v)))
}

async fn get_scenario(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let id = parse_scenario_id(&id)?;
    blocking(move || {
        let s = state.store.scenario(id)?;
        let h = state.store.scenario_history(id)?;
        Ok(Json(scenario_json(&s, &h)))
    })
    .await
}

async fn update_scenario(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_scenario_id(&id)?;
    let obj = object(body)?;
    only_fields(&obj, &["name", "toml", "scenario", "basis"])?;
    let name = opt_str(&obj, "name")?.map(str::to_owned);
    let basis = opt_str(&obj, "basis")?.map(str::to_owned);
    let text = ScenarioText::from_request(&obj, "")?;
    blocking(move || {
        let current = state.store.scenario(id)?;
        crate::scenario::compile(&state.data, name.as_deref().unwrap_or(&current.name), &text)?;
        let s = state
            .store
            .update_scenario(id, name.as_deref(), text.format, &text.body, basis.as_deref())?;
        let h = state.store.scenario_history(id)?;
        Ok(Json(scenario_json(&s, &h)))
    })
    .await
}

async fn delete_scenario(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let id = parse_scenario_id(&id)?;
    blocking(move || {
        state.store.delete_scenario(id)?;
        Ok(Json(json!({"deleted": id.0})))
    })
    .await
}

fn run_json(r: &accord_store::Run, with_result: bool) -> Value {
    let mut v = json!({
        "id": r.id.0,
        "kind": r.kind.as_str(),
        "status": r.status.as_str(),
        "progress": r.progress,
        "seed": r.seed,
        "samples": r.samples,
        "settings": r.settings,
        "scenario": r.scenario.map(|(id, rev)| json!({"id": id.0, "revision": rev})),
        "error": r.error,
        "rerun_of": r.rerun_of.map(|x| x.0),
        "created_at": r.created_at,
        "started_at": r.started_at,
        "finished_at": r.finished_at,
    });
    if with_result {
        v["result"] = r.result.clone().unwrap_or(Value::Null);
    }
    v
}

fn parse_run_id(id: &str) -> Result<RunId, ApiError> {
    id.parse()
        .map(RunId)
        .map_err(|_| ApiError::field("id", format!("{id:?} is not a run id (a whole number)")))
}

async fn list_runs(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let runs = blocking(move || Ok(state.store.runs(100)?)).await?;
    Ok(Json(Value::Array(runs.iter().map(|r| run_json(r, false)).collect())))
}

async fn get_run(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let id = parse_run_id(&id)?;
    if let Some(body) = state.cache.run(id) {
        return Ok(json_bytes(body));
    }
    blocking(move || {
        let run = state.store.run(id)?;
        let body = Bytes::from(serde_json::to_vec(&run_json(&run, true)).map_err(ApiError::internal)?);
        // A done run never changes again (crate::cache).
        if run.status == accord_store::RunStatus::Done {
            state.cache.keep_run(id, body.clone());
        }
        Ok(json_bytes(body))
    })
    .await
}

async fn cancel_run(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let id = parse_run_id(&id)?;
    blocking(move || {
        let status = state.store.request_cancel(id)?;
        state.runner.cancel(id);
        Ok(Json(json!({"id": id.0, "status": status.as_str()})))
    })
    .await
}

/// A scenario reference in a run request: absent → the baseline, a number →
/// a saved scenario at its latest revision, a string → TOML text, an
/// object → a JSON scenario.
fn source(state: &AppState, v: Option<&Value>, field: &str) -> Result<ScenarioSource, ApiError> {
    match v {
        None | Some(Value::Null) => Ok(ScenarioSource::Baseline),
        Some(Value::Number(n)) => {
            let id = n
                .as_i64()
                .ok_or_else(|| ApiError::field(field, "a saved scenario's id is a whole number"))?;
            let s = state.store.scenario(ScenarioId(id))?;
            Ok(ScenarioSource::Saved {
                id,
                revision: s.revision,
            })
        }
        Some(Value::String(t)) => Ok(ScenarioSource::Inline {
            format: "toml".into(),
            body: t.clone(),
        }),
        Some(o @ Value::Object(_)) => Ok(ScenarioSource::Inline {
            format: "json".into(),
            body: serde_json::to_string_pretty(o).map_err(ApiError::internal)?,
        }),
        Some(_) => Err(ApiError::field(
            field,
            format!("{field:?} is a saved scenario's id, a scenario file's TOML text, or a JSON scenario object"),
        )),
    }
}

const RUN_FIELDS: &[&str] = &[
    "kind",
    "scenario",
    "b",
    "samples",
    "seed",
    "focal",
    "max_levers",
    "beam_width",
    "loss",
    "permutations",
];

async fn create_run(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let obj = object(body)?;
    only_fields(&obj, RUN_FIELDS)?;
    let kind: RunKind = opt_str(&obj, "kind")?
        .ok_or_else(|| {
            ApiError::field(
                "kind",
                "missing \"kind\": forecast, compare, opportunities, influence or backtest",
            )
        })?
        .parse()
        .map_err(|e: String| ApiError::field("kind", e))?;
    if state.runner.pending() >= state.limits.max_pending_runs {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "{} runs are already queued or running, the server's limit: wait for one to end",
                state.limits.max_pending_runs
            ),
        ));
    }
    let st = state.clone();
    let (new, settings) = blocking(move || {
        let state = st;
        let scenario = source(&state, obj.get("scenario"), "scenario")?;
        let b = match (kind, obj.get("b")) {
            (RunKind::Compare, None | Some(Value::Null)) => {
                return Err(ApiError::field(
                    "b",
                    "a compare run needs \"b\": the scenario compared with \"scenario\"",
                ));
            }
            (RunKind::Compare, v) => Some(source(&state, v, "b")?),
            (_, None | Some(Value::Null)) => None,
            (_, Some(_)) => return Err(ApiError::field("b", "\"b\" is only for compare runs")),
        };
        let settings = RunSettings {
            scenario,
            b,
            samples: opt_u64(&obj, "samples")?,
            seed: opt_u64(&obj, "seed")?,
            focal: opt_str(&obj, "focal")?.map(str::to_owned),
            max_levers: opt_u64(&obj, "max_levers")?.map(|n| n as usize),
            beam_width: opt_u64(&obj, "beam_width")?.map(|n| n as usize),
            loss: opt_str(&obj, "loss")?.map(str::to_owned),
            permutations: opt_u64(&obj, "permutations")?,
        };
        // Validate now, so a bad request is answered at once, not as a failed run.
        let mut compiled = jobs::compile_source(&state.data, &state.store, &settings.scenario, "scenario")?;
        if let Some(b) = &settings.b {
            jobs::compile_source(&state.data, &state.store, b, "b")?;
        }
        jobs::override_run(&mut compiled, settings.samples, settings.seed);
        check_run_limits(&state, kind, &settings, compiled.settings.samples)?;
        let new = NewRun {
            kind,
            scenario: match settings.scenario {
                ScenarioSource::Saved { id, revision } => Some((ScenarioId(id), revision)),
                _ => None,
            },
            settings: serde_json::to_value(&settings).map_err(ApiError::internal)?,
            seed: compiled.settings.seed,
            samples: compiled.settings.samples,
        };
        Ok((new, settings))
    })
    .await?;
    let store = state.store.clone();
    let new2 = new.clone();
    let id = blocking(move || Ok(store.create_run(&new2)?)).await?;
    state
        .runner
        .submit(state.data.clone(), state.store.clone(), id, kind, settings);
    Ok((StatusCode::ACCEPTED, Json(json!({"id": id.0, "status": "queued"}))))
}

fn check_run_limits(state: &AppState, kind: RunKind, s: &RunSettings, samples: u64) -> Result<(), ApiError> {
    let l = &state.limits;
    if kind != RunKind::Influence && samples > l.max_samples {
        return Err(ApiError::field(
            "samples",
            format!(
                "{samples} samples is more than this server allows per run ({})",
                l.max_samples
            ),
        ));
    }
    if kind != RunKind::Influence && samples == 0 {
        return Err(ApiError::field("samples", "a run needs at least 1 sample"));
    }
    if let Some(p) = s.permutations
        && (p < 2 || p > l.max_permutations)
    {
        // Sampled Shapley values come with a standard error: at least 2.
        return Err(ApiError::field(
            "permutations",
            format!("permutations must be 2–{}", l.max_permutations),
        ));
    }
    if kind == RunKind::Opportunities {
        let focal = s.focal.as_deref().unwrap_or("RUS");
        let model = &state.data.model;
        if !model.levers.iter().any(|l| l.actor.as_str() == focal) {
            let mut with: Vec<&str> = model.levers.iter().map(|l| l.actor.as_str()).collect();
            with.sort_unstable();
            with.dedup();
            return Err(ApiError::field(
                "focal",
                format!(
                    "{focal:?} has no levers in the model; actors with levers: {}",
                    with.join(", ")
                ),
            ));
        }
        if let Some(k) = s.max_levers
            && !(1..=5).contains(&k)
        {
            return Err(ApiError::field("max_levers", "max_levers must be 1–5"));
        }
        if let Some(w) = s.beam_width
            && !(1..=100).contains(&w)
        {
            return Err(ApiError::field("beam_width", "beam_width must be 1–100"));
        }
        jobs::parse_loss(s.loss.as_deref())?;
    } else {
        for f in ["focal", "max_levers", "beam_width", "loss"] {
            let set = match f {
                "focal" => s.focal.is_some(),
                "max_levers" => s.max_levers.is_some(),
                "beam_width" => s.beam_width.is_some(),
                _ => s.loss.is_some(),
            };
            if set {
                return Err(ApiError::field(f, format!("{f:?} is only for opportunities runs")));
            }
        }
    }
    if kind != RunKind::Influence && s.permutations.is_some() {
        return Err(ApiError::field(
            "permutations",
            "\"permutations\" is only for influence runs",
        ));
    }
    Ok(())
}

async fn rerun(State(state): State<AppState>, Path(id): Path<String>) -> Result<(StatusCode, Json<Value>), ApiError> {
    let id = parse_run_id(&id)?;
    if state.runner.pending() >= state.limits.max_pending_runs {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too many runs are queued or running: wait for one to end",
        ));
    }
    let st = state.clone();
    let (new_id, kind, settings) = blocking(move || {
        let old = st.store.run(id)?;
        let settings: RunSettings = serde_json::from_value(old.settings.clone())
            .map_err(|e| ApiError::internal(format!("run {id} has unreadable settings: {e}")))?;
        let new_id = st.store.rerun(id)?;
        Ok((new_id, old.kind, settings))
    })
    .await?;
    state
        .runner
        .submit(state.data.clone(), state.store.clone(), new_id, kind, settings);
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"id": new_id.0, "status": "queued", "rerun_of": id.0})),
    ))
}
