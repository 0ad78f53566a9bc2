//! Errors the engine reports instead of panicking.

use thiserror::Error;

/// Why the engine could not produce a result for an issue.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum EngineError {
    /// The data break a precondition of the model (e.g. no actors,
    /// a salience outside [0, 1], a position vector of the wrong length).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The model is undefined on this input (e.g. all actors at one point,
    /// where KTAB's risk inference divides by zero).
    #[error("model undefined on this input: {0}")]
    Degenerate(String),
    /// The decision rule needs something the issue does not have (e.g. the
    /// Nash solution without a reference point).
    #[error("not applicable: {0}")]
    NotApplicable(String),
    /// The caller asked the computation to stop (its cancellation flag was
    /// set, e.g. by Ctrl-C) before it finished; nothing partial is returned.
    #[error("cancelled before the end")]
    Cancelled,
}
