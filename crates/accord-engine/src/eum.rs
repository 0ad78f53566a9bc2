//! Bueno de Mesquita's expected utility model. (Being implemented: see docs/models/eum.md.)

use serde::{Deserialize, Serialize};

use crate::{EngineError, History, Issue};

/// EUM settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct EumSettings {}

/// The full result of an EUM run.
#[derive(Debug, Clone, PartialEq)]
pub struct EumRun {
    /// Positions per round.
    pub history: History,
}

/// Runs EUM on an issue.
pub fn run(_issue: &Issue, _settings: &EumSettings) -> Result<EumRun, EngineError> {
    Err(EngineError::NotApplicable("EUM is not implemented yet".into()))
}
