//! Decision rules: final positions → outcome. (Being implemented.)

use serde::{Deserialize, Serialize};

use crate::{EngineError, Issue};

/// How final positions become an outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DecisionRule {
    /// Capability × salience weighted mean (the compromise model).
    WeightedMean,
}

/// Applies a decision rule to final positions `[actor][dimension]`.
pub fn decide(issue: &Issue, positions: &[Vec<f64>], rule: &DecisionRule) -> Result<Vec<f64>, EngineError> {
    let _ = (issue, positions, rule);
    Err(EngineError::NotApplicable("decision rules are not implemented yet".into()))
}
