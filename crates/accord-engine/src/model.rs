//! The engine's view of a contested issue: dimensions, a status quo, the
//! actors' stances, and the procedure that decides it.
//!
//! Scales: positions are in the issue's own units (0–100 by convention in
//! Accord; any real numbers are accepted), saliences are shares in `[0, 1]`
//! (KTAB's and DEU's 0–100 figures are divided by 100.0 when read),
//! capabilities are non-negative reals on any scale (only ratios matter).

use serde::{Deserialize, Serialize};

use crate::EngineError;

/// One actor's stance on an issue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stance {
    /// The actor's identifier (e.g. `RUS`, `com`).
    pub actor: String,
    /// Capability (power, influence), ≥ 0.
    pub capability: f64,
    /// Position per dimension, in the issue's units.
    pub position: Vec<f64>,
    /// Salience per dimension, each in `[0, 1]`.
    pub salience: Vec<f64>,
}

impl Stance {
    /// Total salience over dimensions, summed in dimension order.
    pub fn total_salience(&self) -> f64 {
        self.salience.iter().sum()
    }
}

/// A contested issue as the engine sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Issue {
    /// Identifier of the issue (for reports and errors).
    pub id: String,
    /// Number of dimensions (≥ 1). Every stance has this many coordinates.
    pub dimensions: usize,
    /// The reference point: what happens without agreement, per dimension.
    pub status_quo: Option<Vec<f64>>,
    /// The actors' stances, in input order (order breaks ties in the models).
    pub stances: Vec<Stance>,
    /// Who decides and how; `None` when only the bargaining rules apply.
    pub procedure: Option<Procedure>,
}

impl Issue {
    /// Checks the preconditions every model relies on: at least one actor,
    /// coordinates and saliences of the right length, finite numbers,
    /// saliences in `[0, 1]`, capabilities ≥ 0, voters that exist.
    pub fn validate(&self) -> Result<(), EngineError> {
        let bad = |m: String| Err(EngineError::InvalidInput(format!("issue {}: {m}", self.id)));
        if self.dimensions == 0 {
            return bad("an issue needs at least one dimension".into());
        }
        if self.stances.is_empty() {
            return bad("an issue needs at least one actor".into());
        }
        match &self.status_quo {
            Some(sq) if sq.len() != self.dimensions || sq.iter().any(|v| !v.is_finite()) => {
                return bad(format!("status quo must have {} finite coordinates", self.dimensions));
            }
            _ => {}
        }
        for s in &self.stances {
            if s.position.len() != self.dimensions || s.salience.len() != self.dimensions {
                return bad(format!(
                    "actor {} must have {} coordinates and {} saliences",
                    s.actor, self.dimensions, self.dimensions
                ));
            }
            if s.position.iter().any(|v| !v.is_finite()) {
                return bad(format!("actor {}: positions must be finite numbers", s.actor));
            }
            if s.salience.iter().any(|v| !(0.0..=1.0).contains(v)) {
                return bad(format!("actor {}: saliences must lie in [0, 1]", s.actor));
            }
            if !(s.capability.is_finite() && s.capability >= 0.0) {
                return bad(format!("actor {}: capability must be a finite number ≥ 0", s.actor));
            }
        }
        if let Some(p) = &self.procedure {
            for chamber in &p.chambers {
                for v in &chamber.voters {
                    if v.actor >= self.stances.len() {
                        return bad(format!(
                            "chamber {}: voter index {} has no stance",
                            chamber.name, v.actor
                        ));
                    }
                    if !(v.weight.is_finite() && v.weight >= 0.0) {
                        return bad(format!("chamber {}: vote weights must be ≥ 0", chamber.name));
                    }
                }
            }
        }
        Ok(())
    }
}

/// The procedure that turns positions into a binding decision: every chamber
/// must accept the outcome (co-decision has two chambers, consultation one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Procedure {
    /// The chambers whose approval the decision needs.
    pub chambers: Vec<Chamber>,
}

/// A body that votes on a proposal under one rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chamber {
    /// Name for reports (e.g. `Council`, `Parliament`, `Council of Heads of State`).
    pub name: String,
    /// Who votes, with which weight. Actors not listed may bargain but not vote.
    pub voters: Vec<Voter>,
    /// How the votes are counted.
    pub rule: VotingRule,
}

/// A voting member of a chamber.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Voter {
    /// Index of the voter's stance in [`Issue::stances`].
    pub actor: usize,
    /// Vote weight (1 for one member one vote).
    pub weight: f64,
    /// Population, for double-majority rules (any unit; only shares matter).
    pub population: f64,
}

/// How a chamber counts votes. A proposal passes when every condition holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VotingRule {
    /// Every voter must accept (consensus).
    Unanimity,
    /// More than half of the voters (by count).
    SimpleMajority,
    /// Qualified majority: weighted votes at or above `weight_threshold`
    /// (in the voters' weight units), and where given, at least
    /// `min_members` voters and at least `population_share` of the population.
    Qualified {
        /// Minimum sum of weights of the voters in favour.
        weight_threshold: f64,
        /// Minimum number of voters in favour, if the rule has one.
        min_members: Option<usize>,
        /// Minimum share of the voters' population in favour, in `[0, 1]`.
        population_share: Option<f64>,
    },
}

/// Why a dynamic model stopped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// No dynamics: the input is the final state.
    Static,
    /// The model's convergence rule fired (e.g. SMP's 2 % movement rule).
    Converged,
    /// The iteration limit was reached.
    IterationLimit,
    /// The fixed number of rounds was played (EUM).
    RoundsCompleted,
}

/// The positions of every actor in every state of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// `positions[turn][actor][dimension]`; turn 0 is the input.
    pub positions: Vec<Vec<Vec<f64>>>,
    /// Why the run stopped.
    pub stop: StopReason,
}

impl History {
    /// A one-state history: the input positions unchanged.
    pub fn static_of(issue: &Issue) -> Self {
        History {
            positions: vec![issue.stances.iter().map(|s| s.position.clone()).collect()],
            stop: StopReason::Static,
        }
    }

    /// The last state's positions, `[actor][dimension]`.
    pub fn final_positions(&self) -> &[Vec<f64>] {
        self.positions.last().map(Vec::as_slice).unwrap_or(&[])
    }

    /// Number of turns played (states − 1).
    pub fn turns(&self) -> usize {
        self.positions.len().saturating_sub(1)
    }
}
