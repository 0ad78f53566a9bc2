//! Analyses of an organization's model: scenarios applied to the record and
//! the model, compiled into the engine's uncertain issues, run by Monte
//! Carlo, and compared.
//!
//! This crate is the glue between the domain (`accord-core`: record, model)
//! and the models (`accord-engine`). Like both, it does no I/O: scenario files
//! are read by `accord-io`, results are printed or written by the callers.

pub mod backtest;
pub mod compile;
pub mod ensemble;
pub mod exhaustive;
pub mod hazard;
pub mod influence;
pub mod opportunities;
pub mod packages;
pub mod run;
pub mod scenario;
pub mod sensitivity;

pub use compile::{Compiled, CompiledIssue, compile};
pub use scenario::Scenario;
