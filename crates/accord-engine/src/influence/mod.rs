//! Influence measures (`docs/models/influence.md`).
//!
//! Two questions, two tools:
//!
//! * *Who moved this outcome?* — [`shapley`] attributes a forecast's
//!   displacement from the status quo to the actors by their Shapley (1953)
//!   values in the game `v(S) = outcome(S) − status quo`, where `outcome(S)`
//!   is the forecast when only the actors in `S` take part.
//! * *Who holds the votes?* — [`power_indices`] computes the a-priori voting
//!   power of a chamber's voters under its rule: the Shapley–Shubik (1954)
//!   index and the Banzhaf (1965) index, normalized and absolute.
//!
//! Both are pure and deterministic: the same inputs (and seed, where one is
//! taken) give the same numbers whatever the number of threads.

mod attribution;
mod power;

pub use attribution::{
    Attribution, DEFAULT_PERMUTATIONS, MAX_EXACT_ACTORS, ShapleyMethod, shapley, shapley_evaluations, shapley_with,
};
pub use power::{
    DEFAULT_POWER_SAMPLES, MAX_ENUMERATION_VOTERS, PowerAlgorithm, PowerErrors, PowerIndices, PowerMethod,
    power_indices, power_indices_by,
};
