//! Errors as JSON a person can act on: what is wrong, where (a field path,
//! and a line and column for scenario text), never a stack trace.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// One located problem in a request (a scenario's field, a query parameter).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Problem {
    /// The field path, e.g. `change[0].position` or `samples`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// 1-based line in the scenario text, when it came as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column, in characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// What is wrong and what would be valid (the CLI's message).
    pub message: String,
}

/// An error answer: `{"error": …, "field": …, "problems": […]}`.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// One sentence: what went wrong and what to do.
    pub error: String,
    /// The request field at fault, if one.
    pub field: Option<String>,
    /// Every problem found, when there are several (scenario validation).
    pub problems: Vec<Problem>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    #[serde(skip_serializing_if = "<[Problem]>::is_empty")]
    problems: &'a [Problem],
}

impl ApiError {
    /// An error with a status and a message.
    pub fn new(status: StatusCode, error: impl Into<String>) -> Self {
        ApiError {
            status,
            error: error.into(),
            field: None,
            problems: Vec::new(),
        }
    }

    /// 400 about one field.
    pub fn field(field: &str, error: impl Into<String>) -> Self {
        ApiError {
            field: Some(field.to_owned()),
            ..ApiError::new(StatusCode::BAD_REQUEST, error)
        }
    }

    /// 404.
    pub fn not_found(error: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, error)
    }

    /// 500 for a failure of the server's own (the database…), with its
    /// message but no trace.
    pub fn internal(error: impl std::fmt::Display) -> Self {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("the server failed: {error}"))
    }
}

impl From<accord_store::StoreError> for ApiError {
    fn from(e: accord_store::StoreError) -> Self {
        use accord_store::StoreError as E;
        match &e {
            E::NotFound { .. } => ApiError::not_found(e.to_string()),
            E::NameTaken { .. } => ApiError {
                field: Some("name".into()),
                ..ApiError::new(StatusCode::CONFLICT, e.to_string())
            },
            E::Invalid { field, .. } => ApiError::field(field, e.to_string()),
            E::WrongStatus { .. } => ApiError::new(StatusCode::CONFLICT, e.to_string()),
            _ => ApiError::internal(e),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: &self.error,
            field: self.field.as_deref(),
            problems: &self.problems,
        };
        (self.status, Json(body)).into_response()
    }
}
