//! Scenarios: what a user changes about the base model, and how to run it.
//! The TOML format is documented in `docs/formats/scenario.md`; its JSON
//! Schema is generated from these types (`accord schema scenario`).

use accord_engine::{
    Dynamics, ModelSettings, eum::EumSettings, exchange::ExchangeSettings, montecarlo::Distribution,
    rules::DecisionRule, smp::SmpSettings,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A scenario file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// What the scenario is.
    pub scenario: ScenarioMeta,
    /// How to run it.
    #[serde(default)]
    pub settings: Settings,
    /// Status changes applied on top of the record on the decision date.
    #[serde(default)]
    pub membership: Vec<MembershipChange>,
    /// Stance changes: overrides of existing stances, or new stances.
    #[serde(default)]
    pub stance: Vec<StanceChange>,
    /// Actors taken out of the model altogether.
    #[serde(default)]
    pub remove_actor: Vec<String>,
    /// Changes of an issue's status quo (e.g. a status already granted).
    #[serde(default)]
    pub issue: Vec<IssueChange>,
    /// Who else bargains: the scenario widens the bargaining table beyond
    /// the statuses the record lets bargain (`docs/models/table.md`).
    #[serde(default)]
    pub table: Option<TableChange>,
    /// Issues weighed by another capability measure than the scenario's
    /// (`settings.capabilities`), each with its basis.
    #[serde(default)]
    pub capability_override: Vec<CapabilityOverride>,
    /// Issues the scenario adds to the model (`[[new_issue]]`); their
    /// stances are `[[stance]]` entries with a position and a salience.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub new_issue: Vec<NewIssue>,
}

/// One issue weighed by its own capability measure. Every output says so.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CapabilityOverride {
    /// The issue's id.
    pub issue: String,
    /// The measure for this issue.
    pub measure: CapabilityChoice,
    /// Why this issue is weighed so (required).
    pub basis: String,
}

/// An issue a scenario adds to the base model: a question on a 0–100 scale
/// with its status quo and threshold, decided like the model's issues.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIssue {
    /// Its id (lower-case letters, digits and '-'), different from the
    /// model's issues.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its sphere: `security`, `economy`, `energy`, `humanitarian`,
    /// `enlargement` or `external_relations`.
    pub sphere: String,
    /// The yes/no question the threshold answers.
    pub question: String,
    /// Where things stand on the decision date, 0–100.
    pub status_quo: f64,
    /// Forecasts give the probability of an outcome at or above it, 0–100.
    pub threshold: f64,
    /// What points of the scale mean (optional; when given it must describe
    /// 0, 50 and 100, as a model issue's scale does).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scale: Vec<ScaleLabel>,
    /// Why the issue is asked and the status quo placed there.
    pub basis: String,
}

/// A labelled point of an added issue's scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScaleLabel {
    /// The point, 0–100.
    pub at: f64,
    /// What it means, in words.
    pub means: String,
}

/// A scenario's widening of the bargaining table. Every output says so.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TableChange {
    /// Statuses whose holders bargain in this scenario besides those the
    /// record lets bargain (e.g. `observer`, `dialogue_partner`).
    #[serde(default)]
    pub statuses: Vec<String>,
    /// Actors seated at the table whatever their status (e.g. `USA`).
    #[serde(default)]
    pub actors: Vec<String>,
    /// Why they bargain in this scenario (required).
    pub basis: String,
}

/// Which measure gives the actors' capabilities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CapabilityChoice {
    /// The model's capabilities (`data/sco/model/capabilities.toml`: the
    /// Correlates of War CINC of 2009, with the 2007–2010 range).
    #[default]
    Cinc,
    /// Every actor the same capability (1): only salience and the
    /// stance's capability factor weigh.
    Equal,
    /// GDP of 2009 in current US$ (World Bank WDI), where the model has a
    /// sourced figure for every actor at the table.
    Gdp,
    /// Total population of 2009 (World Bank WDI), likewise.
    Population,
}

impl CapabilityChoice {
    /// One line saying what the measure is, for headers.
    pub fn describe(self) -> &'static str {
        match self {
            CapabilityChoice::Cinc => "CINC 2009 (Correlates of War NMC 6.0)",
            CapabilityChoice::Equal => "equal (every actor 1)",
            CapabilityChoice::Gdp => "GDP 2009, current US$ (World Bank WDI)",
            CapabilityChoice::Population => "population 2009 (World Bank WDI)",
        }
    }

    /// The model's measure behind the choice: `None` for the indicator of
    /// the model's capabilities (CINC) and for equal capabilities.
    pub fn measure(self) -> Option<accord_core::model::Measure> {
        match self {
            CapabilityChoice::Gdp => Some(accord_core::model::Measure::Gdp),
            CapabilityChoice::Population => Some(accord_core::model::Measure::Population),
            CapabilityChoice::Cinc | CapabilityChoice::Equal => None,
        }
    }

    /// The name in scenario files.
    pub fn key(self) -> &'static str {
        match self {
            CapabilityChoice::Cinc => "cinc",
            CapabilityChoice::Equal => "equal",
            CapabilityChoice::Gdp => "gdp",
            CapabilityChoice::Population => "population",
        }
    }
}

/// A change of an issue's status quo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueChange {
    /// The issue's id.
    pub id: String,
    /// The new status quo (0–100).
    pub status_quo: f64,
    /// Why.
    pub basis: String,
}

/// What the scenario is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioMeta {
    /// Short id (lower-case, digits, '-').
    pub id: String,
    /// Title for reports.
    pub title: String,
    /// What it changes and why.
    #[serde(default)]
    pub description: String,
    /// The base model: `sco` (the embedded SCO model of mid-2010).
    #[serde(default = "default_base")]
    pub base: String,
    /// The decision date (YYYY-MM-DD): statuses are read from the record on
    /// this day. Default: the model's date.
    #[serde(default)]
    pub date: Option<String>,
    /// Where the scenario comes from (e.g. the article's passage).
    #[serde(default)]
    pub basis: String,
    /// Citations: `seed:SECTION`, `seed:fnN` or a source id.
    #[serde(default)]
    pub sources: Vec<String>,
}

fn default_base() -> String {
    "sco".into()
}

/// The dynamics a scenario runs. The default is none: on the EU's recorded
/// decisions (`docs/validation.md`) neither SMP nor EUM improves on the
/// compromise model, and EUM does worse by about three points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DynamicsChoice {
    /// No dynamics: the decision rule sees the stances as given.
    #[default]
    None,
    /// KTAB's Spatial Model of Politics, default settings.
    Smp,
    /// Bueno de Mesquita's expected utility model (Scholz replication profile).
    Eum,
    /// Stokman and Van Oosten's exchange model over the model's linked
    /// issues (equal-gain rate, one round), then the decision rule per issue.
    Exchange,
}

/// The bargaining rule (before the procedure is applied).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BargainChoice {
    /// Capability × salience weighted mean (the compromise model).
    #[default]
    Mean,
    /// Capability × salience weighted median.
    Median,
    /// Nash bargaining solution relative to the status quo.
    Nash,
}

/// How uncertain inputs are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DistributionChoice {
    /// Uniform over the range.
    Uniform,
    /// Triangular, peaking at the point value.
    Triangular,
    /// Beta-PERT (λ = 4), peaking at the point value.
    #[default]
    Pert,
}

/// How to run a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// How positions move before the decision.
    #[serde(default)]
    pub dynamics: DynamicsChoice,
    /// How final positions become an outcome among all actors.
    #[serde(default)]
    pub bargain: BargainChoice,
    /// Whether the organization's decision rule confines the bargain (for
    /// the SCO: consensus of the member states, so no member is made worse
    /// off than by the status quo). Default true.
    #[serde(default = "yes")]
    pub procedural: bool,
    /// Rounds of the expected utility model.
    #[serde(default = "default_rounds")]
    pub eum_rounds: u32,
    /// Seed of the random draws.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Number of Monte Carlo samples.
    #[serde(default = "default_samples")]
    pub samples: u64,
    /// How ranges are drawn.
    #[serde(default)]
    pub distribution: DistributionChoice,
    /// Which measure gives the actors' capabilities. Default `cinc`.
    #[serde(default)]
    pub capabilities: CapabilityChoice,
}

fn yes() -> bool {
    true
}
fn default_rounds() -> u32 {
    10
}
fn default_seed() -> u64 {
    20_100_601
}
fn default_samples() -> u64 {
    2_000
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            dynamics: DynamicsChoice::default(),
            bargain: BargainChoice::default(),
            procedural: true,
            eum_rounds: default_rounds(),
            seed: default_seed(),
            samples: default_samples(),
            distribution: DistributionChoice::default(),
            capabilities: CapabilityChoice::default(),
        }
    }
}

impl Settings {
    /// The engine's model settings.
    pub fn model(&self) -> ModelSettings {
        let dynamics = match self.dynamics {
            DynamicsChoice::None => Dynamics::None,
            DynamicsChoice::Smp => Dynamics::Smp(SmpSettings::default()),
            DynamicsChoice::Eum => Dynamics::Eum(EumSettings {
                rounds: self.eum_rounds as usize,
                ..EumSettings::default()
            }),
            DynamicsChoice::Exchange => Dynamics::Exchange(ExchangeSettings::default()),
        };
        let bargain = match self.bargain {
            BargainChoice::Mean => DecisionRule::WeightedMean,
            BargainChoice::Median => DecisionRule::WeightedMedian,
            BargainChoice::Nash => DecisionRule::Nash,
        };
        let rule = if self.procedural {
            DecisionRule::Procedural {
                bargain: Box::new(bargain),
            }
        } else {
            bargain
        };
        ModelSettings { dynamics, rule }
    }

    /// The engine's distribution.
    pub fn distribution(&self) -> Distribution {
        match self.distribution {
            DistributionChoice::Uniform => Distribution::Uniform,
            DistributionChoice::Triangular => Distribution::Triangular,
            DistributionChoice::Pert => Distribution::Pert,
        }
    }
}

/// A status change on the decision date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MembershipChange {
    /// The actor's code.
    pub actor: String,
    /// Its new status: `member`, `observer`, `dialogue_partner`, `partner`,
    /// `guest`, or `none` (no status).
    pub status: String,
}

/// A change of one actor's stance on one issue. Fields left out keep the
/// base model's values; a stance the base model lacks needs every field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StanceChange {
    /// The actor's code.
    pub actor: String,
    /// The issue's id.
    pub issue: String,
    /// New position (0–100).
    pub position: Option<f64>,
    /// New lower end of the position's range.
    pub position_low: Option<f64>,
    /// New upper end of the position's range.
    pub position_high: Option<f64>,
    /// New salience (0–100).
    pub salience: Option<f64>,
    /// New lower end of the salience's range.
    pub salience_low: Option<f64>,
    /// New upper end of the salience's range.
    pub salience_high: Option<f64>,
    /// New issue-specific capability multiplier.
    pub capability_factor: Option<f64>,
    /// Why.
    pub basis: String,
}

/// The JSON Schema of the scenario format.
pub fn json_schema() -> schemars::Schema {
    schemars::schema_for!(Scenario)
}
