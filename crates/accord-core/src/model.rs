//! The bargaining model of an organization: contested issues on 0–100
//! scales, the actors' capabilities and their stances, each estimate a point
//! value with a range and the basis that justifies it
//! (format: `docs/formats/model.md`).

use serde::Serialize;

use crate::{ActorId, EntryId, PartialDate, Provenance, Source, Sphere};

/// A point estimate with a range for uncertainty (`low ≤ value ≤ high`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// The point value.
    pub value: f64,
    /// Lower end of the range.
    pub low: f64,
    /// Upper end of the range.
    pub high: f64,
}

impl Estimate {
    /// A certain value (zero-width range).
    pub fn exact(value: f64) -> Self {
        Estimate {
            value,
            low: value,
            high: value,
        }
    }

    /// Whether the range is ordered and holds the value.
    pub fn is_consistent(&self) -> bool {
        self.low <= self.value && self.value <= self.high
    }
}

/// What the model is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelMeta {
    /// The organization that decides the issues.
    pub org: ActorId,
    /// The estimates know nothing after this day.
    pub date: PartialDate,
    /// A title for reports.
    pub title: String,
}

/// What a point of an issue's scale means.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScalePoint {
    /// The point, 0–100.
    pub at: f64,
    /// What it means, in words.
    pub means: String,
}

/// A contested question on a 0–100 scale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IssueDef {
    /// Its id.
    pub id: EntryId,
    /// Its name.
    pub name: String,
    /// Its sphere.
    pub sphere: Sphere,
    /// Where things stand on the model's date, 0–100.
    pub status_quo: f64,
    /// Why the status quo is placed there.
    pub status_quo_basis: String,
    /// Forecasts report the probability that the outcome exceeds this.
    pub threshold: f64,
    /// The yes/no question the threshold answers.
    pub question: String,
    /// What points of the scale mean.
    pub scale: Vec<ScalePoint>,
    /// Where it comes from.
    #[serde(flatten)]
    pub provenance: Provenance,
}

/// An actor's capability, from a named indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Capability {
    /// Whose.
    pub actor: ActorId,
    /// The indicator's value with its range.
    pub estimate: Estimate,
    /// The source naming the indicator, its publisher and year.
    pub indicator: EntryId,
    /// How the value was obtained.
    pub basis: String,
    /// The actor's figures on the other capability measures (GDP,
    /// population), each with its source; a measure without a figure is
    /// unavailable for this actor (`docs/models/table.md`).
    pub measures: Vec<MeasureFigure>,
}

impl Capability {
    /// The actor's figure on `measure`, if the model has a sourced one.
    pub fn figure(&self, measure: Measure) -> Option<&MeasureFigure> {
        self.measures.iter().find(|m| m.measure == measure)
    }
}

/// A capability measure besides the indicator of [`Capability::estimate`]
/// (the CINC for the SCO model).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Gross domestic product, current US$, in billions.
    Gdp,
    /// Total population, in millions.
    Population,
}

impl Measure {
    /// Every measure, in file order.
    pub const ALL: [Measure; 2] = [Measure::Gdp, Measure::Population];

    /// The field name in the model files (`gdp`, `population`).
    pub fn key(self) -> &'static str {
        match self {
            Measure::Gdp => "gdp",
            Measure::Population => "population",
        }
    }
}

/// One actor's figure on a [`Measure`], with its range and source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasureFigure {
    /// Which measure.
    pub measure: Measure,
    /// The value with its range (GDP in billions of current US$,
    /// population in millions).
    pub estimate: Estimate,
    /// The `[[source]]` it comes from.
    pub source: EntryId,
    /// How the value was obtained (the raw figure, the years of the range).
    pub basis: String,
}

/// What a stance's estimate rests on (`provenance` in the model files).
///
/// An inferred stance carries a wider range than one the evidence states
/// (at least [`Evidence::INFERENCE_POSITION_HALF_WIDTH`] points either side
/// of its position and [`Evidence::INFERENCE_SALIENCE_HALF_WIDTH`] of its
/// salience, or up to the scale's end), so that the Monte Carlo carries the
/// extra doubt; `docs/formats/model.md` gives the reasons for the widths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    /// The article states the actor's position (or that of a group it names
    /// which includes the actor); the basis quotes it and cites `seed:…`.
    Article,
    /// A dated outside source from before the model's date (an official
    /// statement, a vote, a signed document, a documented policy) states it;
    /// the basis cites the `[[source]]`.
    Source,
    /// Neither states it: the estimate is reasoned from what they do state,
    /// and its range is wider.
    Inference,
    /// Set by a scenario file: a hypothesis, not an estimate of the model's date.
    Scenario,
}

impl Evidence {
    /// The values a model file may give (a scenario's stances are marked by the engine).
    pub const IN_FILES: [Evidence; 3] = [Evidence::Article, Evidence::Source, Evidence::Inference];
    /// Every value.
    pub const ALL: [Evidence; 4] = [
        Evidence::Article,
        Evidence::Source,
        Evidence::Inference,
        Evidence::Scenario,
    ];
    /// Least half-width of an inferred position's range, in scale points.
    pub const INFERENCE_POSITION_HALF_WIDTH: f64 = 20.0;
    /// Least half-width of an inferred salience's range, in scale points.
    pub const INFERENCE_SALIENCE_HALF_WIDTH: f64 = 10.0;

    /// Its name in the files.
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::Article => "article",
            Evidence::Source => "source",
            Evidence::Inference => "inference",
            Evidence::Scenario => "scenario",
        }
    }

    /// Parses a name as written in a model file.
    pub fn parse_in_file(s: &str) -> Result<Self, String> {
        Self::IN_FILES
            .into_iter()
            .find(|e| e.as_str() == s)
            .ok_or_else(|| format!("`{s}` is not a provenance: write \"article\", \"source\" or \"inference\""))
    }
}

/// Whether a range is at least `half` wide on each side of its value, or
/// reaches the end of the 0–100 scale on that side.
pub fn is_wide(e: &Estimate, half: f64) -> bool {
    (e.low <= e.value - half || e.low <= 0.0) && (e.high >= e.value + half || e.high >= 100.0)
}

/// One actor's stance on one issue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StanceDef {
    /// Whose.
    pub actor: ActorId,
    /// On which issue.
    pub issue: EntryId,
    /// Position on the issue's 0–100 scale.
    pub position: Estimate,
    /// Salience, 0–100 (share of attention).
    pub salience: Estimate,
    /// Issue-specific multiplier of the actor's capability, where argued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capability_factor: Option<f64>,
    /// The passage or argument the estimate rests on.
    pub basis: String,
    /// Whether the article, an outside source or an inference carries it.
    #[serde(rename = "provenance")]
    pub evidence: Evidence,
    /// Where it comes from.
    #[serde(flatten)]
    pub provenance: Provenance,
}

/// A whole model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Model {
    /// What it is about.
    pub meta: ModelMeta,
    /// Sources cited by the model (beside the record's).
    pub sources: Vec<Source>,
    /// The issues.
    pub issues: Vec<IssueDef>,
    /// The capabilities.
    pub capabilities: Vec<Capability>,
    /// The stances.
    pub stances: Vec<StanceDef>,
    /// The levers actors can pull.
    pub levers: Vec<Lever>,
    /// Issues negotiated together (`[[link]]`).
    pub links: Vec<Link>,
}

impl Model {
    /// The groups of linked issues: the issues joined by links, directly or
    /// through a shared issue (connected components of the links), each as
    /// indices into [`Model::issues`] in ascending order, groups ordered by
    /// their first issue. Issues in no link are left out; references to
    /// unknown issues are ignored (the checks report them).
    pub fn link_groups(&self) -> Vec<Vec<usize>> {
        let n = self.issues.len();
        let mut parent: Vec<usize> = (0..n).collect();
        fn root(parent: &mut [usize], mut x: usize) -> usize {
            while parent[x] != x {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            x
        }
        let mut linked = vec![false; n];
        for link in &self.links {
            let members: Vec<usize> = link
                .issues
                .iter()
                .filter_map(|r| self.issues.iter().position(|i| i.id == r.issue))
                .collect();
            for &m in &members {
                linked[m] = true;
            }
            for w in members.windows(2) {
                let (a, b) = (root(&mut parent, w[0]), root(&mut parent, w[1]));
                parent[a.max(b)] = a.min(b);
            }
        }
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for i in (0..n).filter(|&i| linked[i]) {
            let r = root(&mut parent, i);
            match groups.iter_mut().find(|g| root(&mut parent, g[0]) == r) {
                Some(g) => g.push(i),
                None => groups.push(vec![i]),
            }
        }
        groups.retain(|g| g.len() > 1);
        groups
    }
}

/// An issue named by a link, optionally qualified by its organization
/// (`SCO:admit-iran`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkedIssue {
    /// The organization written before `:`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<ActorId>,
    /// The issue's id.
    pub issue: EntryId,
}

/// Issues negotiated together: the exchange model lets actors trade
/// position shifts across them (`docs/models/exchange.md`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    /// Its id.
    pub id: EntryId,
    /// The issues it joins (two or more, all of the model's organization).
    pub issues: Vec<LinkedIssue>,
    /// Why these issues are negotiated together.
    pub basis: String,
    /// Where it comes from.
    #[serde(flatten)]
    pub provenance: Provenance,
}

/// What a lever changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Effect {
    /// Moves an actor's position on an issue by `shift` points (clamped to 0–100).
    Position {
        /// Whose position.
        actor: ActorId,
        /// On which issue.
        issue: EntryId,
        /// Points on the 0–100 scale, + or −.
        shift: f64,
    },
    /// Changes an actor's salience on an issue by `shift` points (clamped to 0–100).
    Salience {
        /// Whose salience.
        actor: ActorId,
        /// On which issue.
        issue: EntryId,
        /// Points on the 0–100 scale, + or −.
        shift: f64,
    },
    /// Multiplies an actor's capability on one issue or on every issue of a sphere.
    Capability {
        /// Whose capability.
        actor: ActorId,
        /// On which issue (or `None` with a sphere).
        issue: Option<EntryId>,
        /// On every issue of this sphere (or `None` with an issue).
        sphere: Option<Sphere>,
        /// The multiplier (> 0).
        factor: f64,
    },
}

impl Effect {
    /// The actor the effect changes.
    pub fn actor(&self) -> &ActorId {
        match self {
            Effect::Position { actor, .. } | Effect::Salience { actor, .. } | Effect::Capability { actor, .. } => actor,
        }
    }

    /// Whether the effect touches an issue (given the issue's sphere).
    pub fn touches(&self, issue: &IssueDef) -> bool {
        match self {
            Effect::Position { issue: i, .. } | Effect::Salience { issue: i, .. } => *i == issue.id,
            Effect::Capability { issue: i, sphere, .. } => {
                i.as_ref() == Some(&issue.id) || *sphere == Some(issue.sphere)
            }
        }
    }
}

/// A named move an actor can make: a set of changes to the model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lever {
    /// Its id.
    pub id: EntryId,
    /// Who makes the move.
    pub actor: ActorId,
    /// Its name.
    pub name: String,
    /// The argument for its effects.
    pub basis: String,
    /// What it changes.
    pub effects: Vec<Effect>,
    /// Where it comes from.
    #[serde(flatten)]
    pub provenance: Provenance,
}
