//! The bargaining engine: turns actors' stances on an issue into a forecast.
//!
//! A forecast is computed in two orthogonal steps, so that any dynamics can be
//! combined with any decision rule:
//!
//! 1. [`Dynamics`] — how positions move before the decision (none, KTAB's
//!    Spatial Model of Politics in [`smp`], Bueno de Mesquita's expected utility
//!    model in [`eum`], Stokman and Van Oosten's exchange model across
//!    linked issues in [`exchange`]);
//! 2. [`DecisionRule`] — how the final positions become an outcome ([`rules`]).
//!
//! The engine is pure: no files, no clock, no global state. Every function is
//! a deterministic function of its inputs and, where randomness is involved,
//! of an explicit seed. Inputs and outputs are plain data that serialize.

pub mod calibration;
pub mod error;
pub mod eum;
pub mod exchange;
pub mod forecast;
pub mod influence;
pub mod model;
pub mod montecarlo;
pub mod rules;
pub mod smp;
pub mod validation;

pub use error::EngineError;
pub use forecast::{
    Dynamics, Forecast, GroupDynamics, GroupForecast, ModelSettings, forecast, forecast_group, forecast_group_outcomes,
    run_dynamics, run_dynamics_group,
};
pub use model::{Chamber, History, Issue, Procedure, Stance, StopReason, Voter, VotingRule};
pub use rules::{DecisionRule, decide};
