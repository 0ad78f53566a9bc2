//! KTAB's Spatial Model of Politics. (Being implemented: see docs/models/smp.md.)

use serde::{Deserialize, Serialize};

use crate::{EngineError, History, Issue};

/// SMP model settings (KTAB's defaults by `Default`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SmpSettings {}

/// The full result of an SMP run.
#[derive(Debug, Clone, PartialEq)]
pub struct SmpRun {
    /// Positions per turn.
    pub history: History,
}

/// Runs SMP on an issue.
pub fn run(_issue: &Issue, _settings: &SmpSettings, _seed: u64) -> Result<SmpRun, EngineError> {
    Err(EngineError::NotApplicable("SMP is not implemented yet".into()))
}
