//! Scenario text from a request, validated exactly as `accord forecast FILE`
//! validates a file: `accord_io::scenario::parse_scenario` for TOML (or
//! serde for a JSON object), then `accord_analysis::compile`, with every
//! problem reported by field path (and line and column for TOML).

use accord_analysis::Scenario;
use accord_analysis::compile::Compiled;
use accord_store::ScenarioFormat;
use axum::http::StatusCode;

use crate::Data;
use crate::error::{ApiError, Problem};

/// A scenario body as it came: TOML text (the file format) or a JSON object.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioText {
    /// Its format.
    pub format: ScenarioFormat,
    /// The text as kept in the store.
    pub body: String,
}

impl ScenarioText {
    /// Reads `{"toml": "…"}` or `{"scenario": {…}}` from a request object;
    /// `field` names where it sits in the request (for errors).
    pub fn from_request(obj: &serde_json::Map<String, serde_json::Value>, field: &str) -> Result<Self, ApiError> {
        match (obj.get("toml"), obj.get("scenario")) {
            (Some(serde_json::Value::String(t)), None) => Ok(ScenarioText {
                format: ScenarioFormat::Toml,
                body: t.clone(),
            }),
            (None, Some(v @ serde_json::Value::Object(_))) => Ok(ScenarioText {
                format: ScenarioFormat::Json,
                body: serde_json::to_string_pretty(v).map_err(ApiError::internal)?,
            }),
            (Some(_), Some(_)) => Err(ApiError::field(
                field,
                "give the scenario either as \"toml\" (the file's text) or as \"scenario\" (a JSON object), not both",
            )),
            (Some(_), None) => Err(ApiError::field(
                &join(field, "toml"),
                "\"toml\" must be a string holding the scenario file's text",
            )),
            (None, Some(_)) => Err(ApiError::field(
                &join(field, "scenario"),
                "\"scenario\" must be a JSON object with the fields of a scenario file",
            )),
            (None, None) => Err(ApiError::field(
                field,
                "missing scenario: give \"toml\" (the file's text) or \"scenario\" (a JSON object)",
            )),
        }
    }
}

fn join(a: &str, b: &str) -> String {
    if a.is_empty() { b.to_owned() } else { format!("{a}.{b}") }
}

/// The embedded baseline scenario (what the CLI runs without a file).
pub fn baseline() -> ScenarioText {
    let (_, text) = accord_io::embedded::SCO_SCENARIOS[0];
    ScenarioText {
        format: ScenarioFormat::Toml,
        body: text.to_owned(),
    }
}

/// Parses and compiles a scenario against the served record and model;
/// `name` stands for the file name in messages.
pub fn compile(data: &Data, name: &str, text: &ScenarioText) -> Result<Compiled, ApiError> {
    let scenario: Scenario = match text.format {
        ScenarioFormat::Toml => accord_io::scenario::parse_scenario(name, &text.body).map_err(|diags| {
            invalid(
                diags
                    .into_iter()
                    .map(|d| Problem {
                        field: None,
                        line: Some(d.line),
                        column: Some(d.column),
                        message: d.message,
                    })
                    .collect(),
            )
        })?,
        ScenarioFormat::Json => serde_json::from_str(&text.body).map_err(|e| {
            invalid(vec![Problem {
                field: None,
                line: None,
                column: None,
                message: e.to_string(),
            }])
        })?,
    };
    accord_analysis::compile(&data.record, &data.model, &scenario).map_err(|problems| {
        let located = match text.format {
            ScenarioFormat::Toml => accord_io::scenario::locate_problems(name, &text.body, &problems)
                .into_iter()
                .map(|d| (Some(d.line), Some(d.column)))
                .collect(),
            ScenarioFormat::Json => vec![(None, None); problems.len()],
        };
        invalid(
            problems
                .into_iter()
                .zip(located)
                .map(|(p, (line, column))| Problem {
                    field: Some(p.path),
                    line,
                    column,
                    message: p.message,
                })
                .collect(),
        )
    })
}

fn invalid(problems: Vec<Problem>) -> ApiError {
    let first = problems
        .first()
        .map(|p| match &p.field {
            Some(f) => format!("{f}: {}", p.message),
            None => p.message.clone(),
        })
        .unwrap_or_default();
    ApiError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        error: format!("invalid scenario: {first}"),
        field: problems.first().and_then(|p| p.field.clone()),
        problems,
    }
}
