//! SMP model parameters (spec §16; KTAB's `ModelParameters`, smpSchema.xsd).
//!
//! Every option KTAB's `smpc` offers is an enum here. `Default` gives the
//! parameter set `smpc --csv` uses. Each enum serializes in snake_case and also
//! accepts KTAB's own spelling (e.g. `prop_cbc` or `PropCbc`); `from_ktab_name`
//! and `ktab_name` convert to and from the names used in KTAB's XML files.

use serde::{Deserialize, Serialize};

macro_rules! ktab_names {
    ($ty:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every variant, in KTAB's order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The name KTAB uses for this value (XML `ModelParameters`).
            pub fn ktab_name(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }

            /// Parses KTAB's name, or the snake_case serde name, ignoring
            /// ASCII case and `_`/`-` separators. `None` if unknown.
            pub fn from_ktab_name(s: &str) -> Option<Self> {
                let norm = |t: &str| -> String {
                    t.chars()
                        .filter(|c| *c != '_' && *c != '-' && !c.is_whitespace())
                        .map(|c| c.to_ascii_lowercase())
                        .collect()
                };
                let want = norm(s);
                Self::ALL.iter().copied().find(|v| norm(v.ktab_name()) == want)
            }

            /// KTAB's names of all values, for error messages.
            pub fn ktab_names() -> String {
                Self::ALL.iter().map(|v| v.ktab_name()).collect::<Vec<_>>().join(", ")
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.ktab_name())
            }
        }
    };
}

/// How coalition strengths become the probability that one option beats
/// another (KTAB `VPModel`, spec §4 step 3 and §16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VictoryProbModel {
    /// `P = C_ab / (C_ab + C_ba)`.
    #[default]
    #[serde(alias = "Linear")]
    Linear,
    /// Strengths squared before normalising.
    #[serde(alias = "Square")]
    Square,
    /// Strengths to the 4th power.
    #[serde(alias = "Quartic")]
    Quartic,
    /// Strengths to the 8th power.
    #[serde(alias = "Octic")]
    Octic,
    /// Certain victory at a 10 % advantage, linear in between.
    #[serde(alias = "Binary")]
    Binary,
}
ktab_names!(VictoryProbModel { Linear => "Linear", Square => "Square", Quartic => "Quartic", Octic => "Octic", Binary => "Binary" });

/// How pairwise victory probabilities become one distribution over options
/// (KTAB `PCEModel`, spec §4 step 4 and §16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PceModel {
    /// Product over opponents, normalised.
    #[default]
    #[serde(alias = "Conditional")]
    Conditional,
    /// Stationary distribution of a Markov chain whose challenges are made
    /// in proportion to the incentive to challenge.
    #[serde(alias = "MarkovIncentive")]
    MarkovIncentive,
    /// Stationary distribution of a Markov chain with uniform challenges.
    #[serde(alias = "MarkovUniform")]
    MarkovUniform,
}
ktab_names!(PceModel { Conditional => "Conditional", MarkovIncentive => "MarkovIncentive", MarkovUniform => "MarkovUniform" });

/// How an actor picks among the bargains in its queue (spec §8.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateTransitions {
    /// The most probable bargain (first one on ties).
    #[default]
    #[serde(alias = "Deterministic")]
    Deterministic,
    /// A bargain drawn from the PCE distribution with the run's seeded
    /// ChaCha8 generator.
    #[serde(alias = "Stochastic")]
    Stochastic,
}
ktab_names!(StateTransitions { Deterministic => "Deterministic", Stochastic => "Stochastic" });

/// How a voter's utility difference becomes a vote (KTAB `VotingRule`,
/// spec §4 step 1 and §16). With weight `w` and `Δu = u_a − u_b`:
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmpVotingRule {
    /// `w · clip(Δu / 1e-8, −1, 1)`.
    #[serde(alias = "Binary")]
    Binary,
    /// `w · (0.8 Δu + 0.2 binary)`.
    #[serde(alias = "PropBin")]
    PropBin,
    /// `w · Δu`.
    #[default]
    #[serde(alias = "Proportional", alias = "prop")]
    Proportional,
    /// `w · (0.5 Δu + 0.5 Δu³)`.
    #[serde(alias = "PropCbc")]
    PropCbc,
    /// `w · Δu³`.
    #[serde(alias = "Cubic")]
    Cubic,
    /// Losses at full weight, gains at two thirds.
    #[serde(alias = "ASymProsp", alias = "a_sym_prosp")]
    AsymProsp,
}
ktab_names!(SmpVotingRule { Binary => "Binary", PropBin => "PropBin", Proportional => "Proportional", PropCbc => "PropCbc", Cubic => "Cubic", AsymProsp => "ASymProsp" });

/// How actor h estimates actor i's risk attitude (KTAB `BigRAdjust`, §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BigRAdjust {
    /// `r^h_i = r_i`.
    #[serde(alias = "Full")]
    Full,
    /// `r^h_i = (r_h + 2 r_i) / 3`.
    #[serde(alias = "TwoThirds")]
    TwoThirds,
    /// `r^h_i = (r_h + r_i) / 2`.
    #[serde(alias = "Half")]
    Half,
    /// `r^h_i = (2 r_h + r_i) / 3`.
    #[default]
    #[serde(alias = "OneThird")]
    OneThird,
    /// `r^h_i = r_h` (h projects its own attitude).
    #[serde(alias = "No", alias = "none")]
    No,
}
ktab_names!(BigRAdjust { Full => "Full", TwoThirds => "TwoThirds", Half => "Half", OneThird => "OneThird", No => "No" });

/// The interval the inferred risk attitudes are mapped onto (KTAB
/// `BigRRange`, spec §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BigRRange {
    /// `[0, 1]`.
    #[serde(alias = "Min")]
    Min,
    /// `[−½, 1]`.
    #[default]
    #[serde(alias = "Mid")]
    Mid,
    /// `[−1, 1]`.
    #[serde(alias = "Max")]
    Max,
}
ktab_names!(BigRRange { Min => "Min", Mid => "Mid", Max => "Max" });

/// What a third party expects to happen to its own position when it joins a
/// side of a challenge (KTAB `ThirdPartyCommit`, spec §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThirdPartyCommit {
    /// It keeps its position whoever wins.
    #[serde(alias = "NoCommit", alias = "no")]
    NoCommit,
    /// It keeps its position if its side wins, adopts the winner's if not.
    #[default]
    #[serde(alias = "SemiCommit", alias = "semi")]
    SemiCommit,
    /// It adopts the winner's position in every case.
    #[serde(alias = "FullCommit", alias = "full")]
    FullCommit,
}
ktab_names!(ThirdPartyCommit { NoCommit => "NoCommit", SemiCommit => "SemiCommit", FullCommit => "FullCommit" });

/// How the two positions of a bargain are interpolated (KTAB
/// `InterVecBrgn`, spec §8.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum InterVecBrgn {
    /// Weights salience × probability.
    #[serde(rename = "s1p1", alias = "S1P1")]
    S1P1,
    /// Weights salience² × probability².
    #[default]
    #[serde(rename = "s2p2", alias = "S2P2")]
    S2P2,
    /// Salience² weights, and only the less likely side concedes, by the
    /// difference of the probabilities.
    #[serde(rename = "s2pmax", alias = "S2PMax", alias = "s2_p_max")]
    S2PMax,
}
ktab_names!(InterVecBrgn { S1P1 => "S1P1", S2P2 => "S2P2", S2PMax => "S2PMax" });

/// Which bargains a challenge puts into the queues (KTAB `SMPBargnModel`,
/// spec §8 and §16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BargainModel {
    /// Only the bargain interpolated from the initiator's view.
    #[default]
    #[serde(alias = "InitOnlyInterp")]
    InitOnlyInterp,
    /// The initiator's and the target's interpolated bargains.
    #[serde(alias = "InitRcvrInterp")]
    InitRcvrInterp,
    /// A capability×salience weighted compromise of the two.
    #[serde(alias = "PWCompInterp", alias = "pw_comp_interp")]
    PwCompInterp,
}
ktab_names!(BargainModel { InitOnlyInterp => "InitOnlyInterp", InitRcvrInterp => "InitRcvrInterp", PwCompInterp => "PWCompInterp" });

/// Parameters of an SMP run. `Default` is KTAB's `smpc --csv` parameter
/// set (spec, table at the top) with its stopping rule (§10).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmpSettings {
    /// Victory probability model (default `linear`).
    pub victory_prob_model: VictoryProbModel,
    /// Probabilistic Condorcet election model (default `conditional`).
    pub pce_model: PceModel,
    /// State transitions (default `deterministic`).
    pub state_transitions: StateTransitions,
    /// Voting rule of coalitions and bargain elections (default `proportional`).
    pub voting_rule: SmpVotingRule,
    /// Risk-attitude estimation rule (default `one_third`).
    pub big_r_adjust: BigRAdjust,
    /// Risk-attitude range (default `mid`).
    pub big_r_range: BigRRange,
    /// Third-party commitment (default `semi_commit`).
    pub third_party_commit: ThirdPartyCommit,
    /// Bargain interpolation (default `s2p2`).
    pub inter_vec_brgn: InterVecBrgn,
    /// Bargain model (default `init_only_interp`).
    pub bargain_model: BargainModel,
    /// Hard limit on iterations (KTAB: 100).
    pub max_iterations: usize,
    /// Iterations before the convergence test may stop the run (KTAB: 2).
    pub min_iterations: usize,
    /// Stop when the last step moved less than this fraction of the first
    /// step (KTAB: 0.02, "2 %").
    pub min_delta_ratio: f64,
    /// Added to the first step's movement to avoid 0/0 (KTAB: 1e-4).
    pub min_sig_delta: f64,
    /// Ideal-adjustment ("accommodation") matrix `A[i][j]` (spec §9): how
    /// far actor i's ideal moves toward actor j's new position each turn.
    /// Entries in `[0, 1]`, rows summing to at most 1. `None` is the
    /// identity (ideals equal positions, KTAB's CSV behaviour).
    pub accommodation: Option<Vec<Vec<f64>>>,
}

impl Default for SmpSettings {
    fn default() -> Self {
        SmpSettings {
            victory_prob_model: VictoryProbModel::Linear,
            pce_model: PceModel::Conditional,
            state_transitions: StateTransitions::Deterministic,
            voting_rule: SmpVotingRule::Proportional,
            big_r_adjust: BigRAdjust::OneThird,
            big_r_range: BigRRange::Mid,
            third_party_commit: ThirdPartyCommit::SemiCommit,
            inter_vec_brgn: InterVecBrgn::S2P2,
            bargain_model: BargainModel::InitOnlyInterp,
            max_iterations: 100,
            min_iterations: 2,
            min_delta_ratio: 0.02,
            min_sig_delta: 1e-4,
            accommodation: None,
        }
    }
}
