//! DEU III reader: EU legislative issues with recorded outcomes, in the
//! engine's terms.
//!
//! The DEU III data set (Arregui & Perarnaud 2022; DEU I: Thomson et al.
//! 2006; DEU II: Thomson et al. 2012) records, for each contested issue of a
//! legislative proposal, the positions and saliences of the Commission, the
//! Parliament and the member states, a reference point and the outcome. This
//! module turns each issue (one line of the TSV, see `data/deu3/README.md`)
//! into an [`accord_engine::Issue`] plus the facts needed to score forecasts:
//! the outcome, the proposal (for resampling and cross-validation by
//! proposal), the procedure and the Council's voting rule.
//!
//! # Choices this reader makes (and documents)
//!
//! * **Actors.** The Commission (`com`), the Parliament (`ep`) and every
//!   member state with a position on the issue, in the file's column order.
//!   An empty position means the actor takes no part in the issue.
//! * **Saliences** are divided by 100. A salience that is *missing where a
//!   position exists* (31 cases in the development part) is read as **0**:
//!   the actor keeps its position, which counts in unweighted rules (and in
//!   procedural votes), but it carries no weight in salience-weighted rules.
//!   This is the convention behind the published figures the data README
//!   quotes (salience-weighted mean 22.49, unweighted mean 22.44); every such
//!   actor is listed in [`DeuIssue::missing_salience`] and counted in reports.
//!   A salience given without a position is ignored.
//! * **Dates.** `intro` comes as `dd-mm-yy`, `dd-mm-yyyy`, or — in this copy —
//!   `yyyy-mm-yy` where a spreadsheet read `dd-mm-yy` as `yy-mm-dd` and
//!   prefixed the day with a century (`2014-07-04` is 14 July 2004). A
//!   four-digit first field is read as an ISO date only when its year matches
//!   the proposal id's year digits (`d05007` → 2005), otherwise as the
//!   spreadsheet quirk. Two-digit years 50–99 are 19xx, 00–49 are 20xx.
//! * **Council periods** by date of introduction: EU-9 weights from 1973,
//!   EU-10 from 1981, EU-12 from 1986, EU-15 from 1995, the transitional
//!   EU-25 weights (`eu25_bv`) from 1 May 2004, the Nice weights (`eu25_av`)
//!   from 1 November 2004, the Lisbon double majority from 1 November 2014.
//!   A state counts as a Council member when the period's column of the
//!   weights file gives it a weight. The file's Nice column already includes
//!   Bulgaria and Romania (members from 2007; accession treaty signed in
//!   2005), so their positions on proposals of 2005–06 count as members';
//!   this is the convention behind the published compromise figure (22.39;
//!   counting them as outsiders gives 22.37). Accession states with a position on a proposal of the EU-15
//!   period (one 2003 proposal) have no weight: they bargain with
//!   capability 0 under vote weights and do not vote.
//! * **Procedure.** Consultation (`CNS`): one chamber, the Council. Co-decision
//!   (`COD`): the Council and the Parliament must both accept. The Commission
//!   proposes but votes in neither. A co-decision issue on which the
//!   Parliament has no position gets the Council chamber only (an actor
//!   without a position cannot reject), and is flagged in
//!   [`DeuIssue::parliament_without_position`].
//! * **Council voting rule** (`counvte`). `Unan`: unanimity of the member
//!   states present. `QMV`: the period's qualified majority. `QMV(10)`: the
//!   treaty's qualified majority for acts *not* adopted on a Commission
//!   proposal — "62 votes cast by at least 10 members" in the EU-15 (Art.
//!   205(2) TEC): in every period before Lisbon the weighted threshold plus
//!   two thirds of the members; under Lisbon the reinforced majority (72 % of
//!   the members, 65 % of the population). The development part has no
//!   `QMV(10)` issue. Thresholds are applied to the member states **present** on
//!   the issue (those with a position), as shares of their weights, members
//!   and population: a state without a position is taken as not opposing,
//!   rather than as a vote against.
//!
//!   | period | weighted share | members | population |
//!   |---|---|---|---|
//!   | EU-9 / EU-10 / EU-12 / EU-15 | 41/58, 45/63, 54/76, 62/87 | — | — |
//!   | May–Oct 2004 | 88/124 | majority | — |
//!   | Nice, EU-25 / 27 / 28 | 232/321, 255/345, 260/352 | majority | 62 % |
//!   | Lisbon | 55 % of members (weight 1 each) | — | 65 % |
//!
//! * **Capability sets** ([`CapabilitySet`]). `equal`: 1 for every actor.
//!   `vote_weight`: the period's Council weight (under Lisbon, which has no
//!   weights, the Nice weights stand in as the capability proxy); a state
//!   without a weight in the period has 0. `population`: the `eu25_ap`
//!   population. `gdp`: the GDP on the file's second line. Under every set except
//!   `equal`, the Commission and the Parliament each get the **mean
//!   capability of the member states present on the issue**: they are
//!   counted as one average member state. (The file's own GDP line gives them
//!   the maximum instead; it is not used.) This reproduces the published
//!   compromise-model figure (22.39); how much weight the institutions
//!   deserve is a question the validation answers by cross-validation, see
//!   [`DeuIssue::issue_with`].
//!
//! Errors name the file, the line, the column and what would have been
//! valid; the reader never panics.

use std::collections::{HashMap, HashSet};
use std::fmt;

use accord_engine::eum::EumSettings;
use accord_engine::exchange::ExchangeSettings;
use accord_engine::smp::SmpSettings;
use accord_engine::validation::{Candidate, Case, Predictor, Selection, ValidationConfig};
use accord_engine::{Chamber, DecisionRule, Dynamics, Issue, Procedure, Stance, Voter, VotingRule};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// The development part of DEU III shipped with Accord (`data/deu3/`).
pub const DEU3_DEV_TSV: &str = include_str!("../../../data/deu3/deu3-dev.tsv");
/// The name under which errors and reports refer to [`DEU3_DEV_TSV`].
pub const DEU3_DEV_NAME: &str = "data/deu3/deu3-dev.tsv";
/// The Council weights shipped with Accord (`data/eu-council-weights/`).
pub const COUNCIL_WEIGHTS_CSV: &str = include_str!("../../../data/eu-council-weights/eucouncil_weights.csv");
/// The name under which errors and reports refer to [`COUNCIL_WEIGHTS_CSV`].
pub const COUNCIL_WEIGHTS_NAME: &str = "data/eu-council-weights/eucouncil_weights.csv";

/// Identifier of the Commission's actor column.
pub const COMMISSION: &str = "com";
/// Identifier of the Parliament's actor column.
pub const PARLIAMENT: &str = "ep";

/// The 28 member states DEU III covers: DEU code and name in the weights file.
const STATES: [(&str, &str); 28] = [
    ("at", "Austria"),
    ("be", "Belgium"),
    ("bu", "Bulgaria"),
    ("cr", "Croatia"),
    ("cy", "Cyprus"),
    ("cz", "Czech Republic"),
    ("dk", "Denmark"),
    ("ee", "Estonia"),
    ("fi", "Finland"),
    ("fr", "France"),
    ("de", "Germany"),
    ("el", "Greece"),
    ("hu", "Hungary"),
    ("ie", "Ireland"),
    ("it", "Italy"),
    ("lv", "Latvia"),
    ("lt", "Lithuania"),
    ("lu", "Luxembourg"),
    ("mt", "Malta"),
    ("nl", "Netherlands"),
    ("pl", "Poland"),
    ("pt", "Portugal"),
    ("ro", "Romania"),
    ("si", "Slovenia"),
    ("sk", "Slovakia"),
    ("es", "Spain"),
    ("se", "Sweden"),
    ("uk", "United Kingdom"),
];

fn ymd((y, m, d): (i32, u32, u32)) -> NaiveDate {
    // Only called with valid constant dates; the fallback is never taken.
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn state_index(code: &str) -> Option<usize> {
    STATES.iter().position(|s| s.0 == code)
}

/// A located problem in a DEU or weights file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct DeuError {
    /// The file's name as given to the reader.
    pub file: String,
    /// 1-based line number.
    pub line: usize,
    /// The column (field name), when the problem is in one field.
    pub column: Option<String>,
    /// What is wrong and what would be valid.
    pub message: String,
}

impl fmt::Display for DeuError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(c) => write!(f, "{}:{}: column `{}`: {}", self.file, self.line, c, self.message),
            None => write!(f, "{}:{}: {}", self.file, self.line, self.message),
        }
    }
}

/// The most issues a DEU file may hold: 5,000. DEU III, the largest
/// release, has 364 issues. The validation keeps about 55 KB per issue
/// (measured: 27 MB for the 241 shipped issues, 145 MB for 2,410), so the
/// bound caps it near 300 MB, and a wrong or hostile file is refused at the
/// first line past it instead of exhausting memory.
pub const MAX_DEU_ISSUES: usize = 5_000;

/// The largest GDP, weight or population a file may give: 1e12. Real values
/// are below 10^4 (GDP in € trillions, weights ≤ 29, population ×100,000);
/// the reader sums them over the states present and the engine multiplies
/// them by saliences and positions, and 1e12 keeps every such sum far below
/// the largest finite `f64` (≈ 1.8e308), where it would become infinite.
pub const MAX_RESOURCE: f64 = 1e12;

/// The non-blank records of a delimited file read by the `csv` crate
/// (fields trimmed, no quoting: DEU's fields hold no delimiter), each with
/// its 1-based line.
fn delimited_rows<'t>(
    text: &'t str,
    delimiter: u8,
    file: &str,
) -> impl Iterator<Item = Result<(usize, csv::StringRecord), DeuError>> + 't {
    let file = file.to_string();
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .quoting(false)
        .trim(csv::Trim::All)
        .delimiter(delimiter)
        .from_reader(text.as_bytes())
        .into_records()
        .filter_map(move |r| match r {
            Ok(rec) if rec.iter().all(str::is_empty) => None,
            Ok(rec) => Some(Ok((rec.position().map_or(0, |p| p.line() as usize), rec))),
            Err(e) => Some(Err(DeuError {
                file: file.clone(),
                line: e.position().map_or(0, |p| p.line() as usize),
                column: None,
                message: format!("unreadable line: {e}"),
            })),
        })
}

/// An alternative measure of the actors' capabilities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CapabilitySet {
    /// Every actor 1.
    Equal,
    /// Council vote weights of the period (the Commission and the Parliament:
    /// the mean of the member states present).
    VoteWeight,
    /// Population (`eu25_ap`, ×100,000); institutions as for vote weights.
    Population,
    /// GDP from the file's second line; institutions as for vote weights.
    Gdp,
}

impl CapabilitySet {
    /// Every set, in report order.
    pub const ALL: [CapabilitySet; 4] = [
        CapabilitySet::Equal,
        CapabilitySet::VoteWeight,
        CapabilitySet::Population,
        CapabilitySet::Gdp,
    ];

    /// The set's name in reports and JSON (`equal`, `vote_weight`, …).
    pub fn name(self) -> &'static str {
        match self {
            CapabilitySet::Equal => "equal",
            CapabilitySet::VoteWeight => "vote_weight",
            CapabilitySet::Population => "population",
            CapabilitySet::Gdp => "gdp",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The legislative procedure of a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum LegislativeProcedure {
    /// `COD`: the Council and the Parliament must both accept.
    CoDecision,
    /// `CNS`: the Council decides after consulting the Parliament.
    Consultation,
}

impl LegislativeProcedure {
    /// The code used in the file (`COD`, `CNS`).
    pub fn code(self) -> &'static str {
        match self {
            LegislativeProcedure::CoDecision => "COD",
            LegislativeProcedure::Consultation => "CNS",
        }
    }
}

/// The Council's voting rule on a proposal (`counvte`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum CouncilVoting {
    /// `QMV`: the period's qualified majority.
    Qmv,
    /// `QMV(10)`: qualified majority for acts not proposed by the Commission
    /// (weighted threshold plus two thirds of the members; Lisbon: 72 % of
    /// the members and 65 % of the population).
    Qmv10,
    /// `Unan`: unanimity.
    Unanimity,
}

impl CouncilVoting {
    /// The code used in the file (`QMV`, `QMV(10)`, `Unan`).
    pub fn code(self) -> &'static str {
        match self {
            CouncilVoting::Qmv => "QMV",
            CouncilVoting::Qmv10 => "QMV(10)",
            CouncilVoting::Unanimity => "Unan",
        }
    }
}

/// The Council's weighting regime, by date of introduction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CouncilPeriod {
    /// 1973–1980, nine members (`eu9`).
    Eu9,
    /// 1981–1985 (`eu10`).
    Eu10,
    /// 1986–1994 (`eu12`).
    Eu12,
    /// January 1995 – April 2004 (`eu15`).
    Eu15,
    /// May–October 2004 (`eu25_bv`).
    Eu25Transitional,
    /// November 2004 – October 2014: Nice weights (`eu25_av`).
    Nice,
    /// From November 2014: Lisbon double majority.
    Lisbon,
}

impl CouncilPeriod {
    /// The period that applies on `date`, or `None` before 1973.
    pub fn on(date: NaiveDate) -> Option<CouncilPeriod> {
        let before = |y, m, d| date < ymd((y, m, d));
        Some(if before(1973, 1, 1) {
            return None;
        } else if before(1981, 1, 1) {
            CouncilPeriod::Eu9
        } else if before(1986, 1, 1) {
            CouncilPeriod::Eu10
        } else if before(1995, 1, 1) {
            CouncilPeriod::Eu12
        } else if before(2004, 5, 1) {
            CouncilPeriod::Eu15
        } else if before(2004, 11, 1) {
            CouncilPeriod::Eu25Transitional
        } else if before(2014, 11, 1) {
            CouncilPeriod::Nice
        } else {
            CouncilPeriod::Lisbon
        })
    }

    /// The weights column of the period (Lisbon: the Nice weights, used as a
    /// capability proxy only).
    pub fn weights_column(self) -> &'static str {
        match self {
            CouncilPeriod::Eu9 => "eu9",
            CouncilPeriod::Eu10 => "eu10",
            CouncilPeriod::Eu12 => "eu12",
            CouncilPeriod::Eu15 => "eu15",
            CouncilPeriod::Eu25Transitional => "eu25_bv",
            CouncilPeriod::Nice | CouncilPeriod::Lisbon => "eu25_av",
        }
    }
}

/// One state's row of the weights file.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct StateWeights {
    /// Weights by column index in [`WEIGHT_COLUMNS`].
    weights: [Option<f64>; 6],
    population: Option<f64>,
}

const WEIGHT_COLUMNS: [&str; 6] = ["eu9", "eu10", "eu12", "eu15", "eu25_bv", "eu25_av"];

/// Council vote weights and populations per member state
/// (`data/eu-council-weights/eucouncil_weights.csv`).
#[derive(Debug, Clone, PartialEq)]
pub struct CouncilWeights {
    /// Indexed like `STATES`.
    states: Vec<StateWeights>,
}

impl CouncilWeights {
    /// The weights shipped with Accord.
    pub fn embedded() -> Result<CouncilWeights, DeuError> {
        parse_council_weights(COUNCIL_WEIGHTS_CSV, COUNCIL_WEIGHTS_NAME)
    }

    fn weight(&self, state: usize, period: CouncilPeriod) -> Option<f64> {
        let col = WEIGHT_COLUMNS.iter().position(|c| *c == period.weights_column())?;
        self.states[state].weights[col]
    }

    fn population(&self, state: usize) -> Option<f64> {
        self.states[state].population
    }
}

/// Parses the Council weights CSV (header `id,name,eu9,…,eu25_ap`; `NA` for
/// "not a member"). Every one of the 28 states must have one row.
pub fn parse_council_weights(text: &str, file: &str) -> Result<CouncilWeights, DeuError> {
    let err = |line: usize, column: Option<&str>, message: String| DeuError {
        file: file.to_string(),
        line,
        column: column.map(str::to_string),
        message,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = delimited_rows(text, b',', file);
    let Some(first) = rows.next() else {
        return Err(err(
            1,
            None,
            "the file is empty; expected a header `id,name,eu9,…,eu25_ap`".into(),
        ));
    };
    let (header_line, header) = first?;
    let cols: Vec<&str> = header.iter().collect();
    let find = |name: &str| {
        cols.iter().position(|c| *c == name).ok_or_else(|| {
            err(
                header_line,
                Some(name),
                format!("missing column `{name}`; the header must name {name}"),
            )
        })
    };
    let name_col = find("name")?;
    let weight_cols = WEIGHT_COLUMNS.iter().map(|c| find(c)).collect::<Result<Vec<_>, _>>()?;
    let pop_col = find("eu25_ap")?;
    let mut states: Vec<Option<StateWeights>> = vec![None; STATES.len()];
    let mut rows_read = 0usize;
    for row in rows {
        let (line, fields) = row?;
        rows_read += 1;
        if fields.len() != cols.len() {
            return Err(err(
                line,
                None,
                format!(
                    "expected {} comma-separated fields (as the header), found {}",
                    cols.len(),
                    fields.len()
                ),
            ));
        }
        let name = &fields[name_col];
        let Some(state) = STATES.iter().position(|s| s.1 == name) else {
            let valid: Vec<&str> = STATES.iter().map(|s| s.1).collect();
            return Err(err(
                line,
                Some("name"),
                format!(
                    "unknown state `{name}`{}; expected one of {}",
                    accord_core::suggest::did_you_mean(name, valid.iter().copied()),
                    valid.join(", ")
                ),
            ));
        };
        if states[state].is_some() {
            return Err(err(
                line,
                Some("name"),
                format!("{name} appears twice; each state needs exactly one row"),
            ));
        }
        let value = |col: usize| -> Result<Option<f64>, DeuError> {
            let f = &fields[col];
            if f == "NA" || f.is_empty() {
                return Ok(None);
            }
            match f.parse::<f64>() {
                Ok(v) if v.is_finite() && (0.0..=MAX_RESOURCE).contains(&v) => Ok(Some(v)),
                _ => Err(err(
                    line,
                    Some(cols[col]),
                    format!("expected a number from 0 to {MAX_RESOURCE:e} or `NA`, found `{f}`"),
                )),
            }
        };
        let mut w = StateWeights::default();
        for (k, &c) in weight_cols.iter().enumerate() {
            w.weights[k] = value(c)?;
        }
        w.population = value(pop_col)?;
        states[state] = Some(w);
    }
    let _ = rows_read;
    let mut out = Vec::with_capacity(STATES.len());
    for (i, s) in states.into_iter().enumerate() {
        match s {
            Some(s) => out.push(s),
            None => {
                return Err(err(
                    header_line,
                    Some("name"),
                    format!("no row for {}; the file must list all 28 member states", STATES[i].1),
                ));
            }
        }
    }
    Ok(CouncilWeights { states: out })
}

/// One DEU issue, ready for the engine.
#[derive(Debug, Clone, PartialEq)]
pub struct DeuIssue {
    /// 1-based line of the issue in the file.
    pub line: usize,
    /// Proposal id (`prnr`): issues of one proposal are not independent.
    pub proposal: String,
    /// Short name of the proposal (`prname`).
    pub proposal_name: String,
    /// Legislative procedure (`proc`).
    pub procedure: LegislativeProcedure,
    /// The Council's voting rule (`counvte`).
    pub council_voting: CouncilVoting,
    /// Date of introduction (`intro`).
    pub introduced: NaiveDate,
    /// The Council's weighting regime on that date.
    pub period: CouncilPeriod,
    /// The recorded outcome (`out`), 0–100; `None` when the file has none.
    pub outcome: Option<f64>,
    /// The issue with [`CapabilitySet::VoteWeight`] capabilities, the
    /// reference point as status quo, and the procedure.
    pub issue: Issue,
    /// Actors whose salience was missing where a position exists (read as 0).
    pub missing_salience: Vec<String>,
    /// States with a position but no Council weight in the period.
    pub non_members: Vec<String>,
    /// A co-decision issue on which the Parliament has no position (its
    /// chamber is left out of the procedure).
    pub parliament_without_position: bool,
    /// Capabilities per set, indexed by `CapabilitySet as usize`, one per stance.
    capabilities: [Vec<f64>; 4],
}

impl DeuIssue {
    /// The issue's id (`isnr`).
    pub fn id(&self) -> &str {
        &self.issue.id
    }

    /// The capabilities of the stances under `set`, in stance order.
    pub fn capabilities(&self, set: CapabilitySet) -> &[f64] {
        &self.capabilities[set.index()]
    }

    /// The issue with capabilities from `set`, the Commission's and the
    /// Parliament's multiplied by `institution_weight` (1.0: one average
    /// member state each, the default documented above).
    pub fn issue_with(&self, set: CapabilitySet, institution_weight: f64) -> Issue {
        let mut issue = self.issue.clone();
        for (stance, &c) in issue.stances.iter_mut().zip(self.capabilities(set)) {
            let institution = stance.actor == COMMISSION || stance.actor == PARLIAMENT;
            stance.capability = if institution { c * institution_weight } else { c };
        }
        issue
    }
}

/// A DEU file, read.
#[derive(Debug, Clone, PartialEq)]
pub struct DeuData {
    /// The file's name as given to the reader.
    pub file: String,
    /// The issues in file order.
    pub issues: Vec<DeuIssue>,
}

impl DeuData {
    /// The development part shipped with Accord, with the shipped weights.
    pub fn embedded() -> Result<DeuData, DeuError> {
        read_deu(DEU3_DEV_TSV, DEU3_DEV_NAME, &CouncilWeights::embedded()?)
    }

    /// Number of issues with a recorded outcome.
    pub fn with_outcome(&self) -> usize {
        self.issues.iter().filter(|i| i.outcome.is_some()).count()
    }

    /// Number of distinct proposals.
    pub fn proposals(&self) -> usize {
        self.issues
            .iter()
            .map(|i| i.proposal.as_str())
            .collect::<HashSet<_>>()
            .len()
    }
}

/// Header columns this reader needs besides the actors' `p…`/`s…` pairs.
const REQUIRED: [&str; 7] = ["prnr", "isnr", "proc", "counvte", "intro", "rp", "out"];

struct Columns {
    count: usize,
    names: Vec<String>,
    prnr: usize,
    prname: Option<usize>,
    isnr: usize,
    proc_: usize,
    counvte: usize,
    intro: usize,
    rp: usize,
    out: usize,
    /// (actor code, position column, salience column), in header order.
    actors: Vec<(String, usize, Option<usize>)>,
}

impl Columns {
    fn parse(
        header: &csv::StringRecord,
        err: &dyn Fn(usize, Option<&str>, String) -> DeuError,
    ) -> Result<Columns, DeuError> {
        let names: Vec<String> = header.iter().map(str::to_string).collect();
        // A set, not a scan of the earlier names: a header may have very many columns.
        let mut seen = HashSet::with_capacity(names.len());
        for n in &names {
            if !n.is_empty() && !seen.insert(n.as_str()) {
                return Err(err(
                    1,
                    Some(n),
                    format!("column `{n}` appears twice; each column name must be unique"),
                ));
            }
        }
        let find = |n: &str| names.iter().position(|c| c == n);
        let req = |n: &str| {
            find(n).ok_or_else(|| {
                err(
                    1,
                    Some(n),
                    format!("missing column `{n}`; a DEU header needs {}", REQUIRED.join(", ")),
                )
            })
        };
        let (prnr, isnr, proc_, counvte) = (req("prnr")?, req("isnr")?, req("proc")?, req("counvte")?);
        let (intro, rp, out) = (req("intro")?, req("rp")?, req("out")?);
        let mut actors = Vec::new();
        for (i, n) in names.iter().enumerate() {
            let Some(code) = n.strip_prefix('p') else { continue };
            if code == COMMISSION || code == PARLIAMENT || state_index(code).is_some() {
                actors.push((code.to_string(), i, find(&format!("s{code}"))));
            }
        }
        for must in [COMMISSION, PARLIAMENT] {
            if !actors.iter().any(|(c, _, _)| c == must) {
                return Err(err(1, Some(&format!("p{must}")), format!("missing column `p{must}`")));
            }
        }
        Ok(Columns {
            count: names.len(),
            prnr,
            prname: find("prname"),
            isnr,
            proc_,
            counvte,
            intro,
            rp,
            out,
            actors,
            names,
        })
    }
}

/// Reads a DEU TSV (header, GDP line, one issue a line) into engine issues,
/// with the `csv` crate (tab-delimited, no quoting). `file` names the file
/// in errors. Blank lines are skipped; unknown columns are ignored. A file
/// with no issue line is an error, and so is one with more than
/// [`MAX_DEU_ISSUES`] issues (refused at the first line past the bound).
pub fn read_deu(text: &str, file: &str, weights: &CouncilWeights) -> Result<DeuData, DeuError> {
    let err = |line: usize, column: Option<&str>, message: String| DeuError {
        file: file.to_string(),
        line,
        column: column.map(str::to_string),
        message,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = delimited_rows(text, b'\t', file);
    let Some(first) = rows.next() else {
        return Err(err(
            1,
            None,
            "the file is empty; expected a tab-separated header line".into(),
        ));
    };
    let (_, header) = first?;
    let cols = Columns::parse(&header, &err)?;
    let Some(gdp_row) = rows.next() else {
        return Err(err(
            2,
            None,
            "expected the GDP line (empty id columns, GDP per actor) after the header".into(),
        ));
    };
    let (gdp_line, gdp_fields) = gdp_row?;
    check_width(&gdp_fields, &cols, gdp_line, &err)?;
    if !gdp_fields[cols.isnr].is_empty() {
        return Err(err(
            gdp_line,
            Some("isnr"),
            "expected the GDP line here: empty id columns and each actor's GDP in its `p…` column".into(),
        ));
    }
    let mut gdp = HashMap::new();
    for (code, pcol, _) in &cols.actors {
        if let Some(i) = state_index(code) {
            let v = number(&gdp_fields[*pcol], MAX_RESOURCE)
                .map_err(|m| err(gdp_line, Some(&cols.names[*pcol]), format!("GDP: {m}")))?
                .ok_or_else(|| {
                    err(
                        gdp_line,
                        Some(&cols.names[*pcol]),
                        "GDP: expected a number ≥ 0, found an empty field".into(),
                    )
                })?;
            gdp.insert(i, v);
        }
    }
    let mut issues = Vec::new();
    let mut seen = HashMap::new();
    for row in rows {
        let (line, record) = row?;
        if issues.len() == MAX_DEU_ISSUES {
            return Err(err(
                line,
                None,
                format!(
                    "more than {MAX_DEU_ISSUES} issues: the reader's limit (DEU III, the largest \
                     release, has 364; see docs/reliability.md); split the file"
                ),
            ));
        }
        check_width(&record, &cols, line, &err)?;
        let fields: Vec<&str> = record.iter().collect();
        let issue = read_issue(&fields, &cols, line, weights, &gdp, &err)?;
        if let Some(first) = seen.insert(issue.issue.id.clone(), line) {
            return Err(err(
                line,
                Some("isnr"),
                format!("issue `{}` already appears on line {first}", issue.issue.id),
            ));
        }
        issues.push(issue);
    }
    if issues.is_empty() {
        return Err(err(
            gdp_line,
            None,
            "the file has a header and a GDP line but no issue: expected one issue a line after the GDP line".into(),
        ));
    }
    Ok(DeuData {
        file: file.to_string(),
        issues,
    })
}

fn check_width(
    fields: &csv::StringRecord,
    cols: &Columns,
    line: usize,
    err: &dyn Fn(usize, Option<&str>, String) -> DeuError,
) -> Result<(), DeuError> {
    if fields.len() != cols.count {
        return Err(err(
            line,
            None,
            format!(
                "expected {} tab-separated fields (as the header), found {}",
                cols.count,
                fields.len()
            ),
        ));
    }
    Ok(())
}

/// An empty field, or a finite number in `[0, max]`.
fn number(field: &str, max: f64) -> Result<Option<f64>, String> {
    if field.is_empty() {
        return Ok(None);
    }
    let max_text = if max >= 1e6 {
        format!("{max:e}")
    } else {
        max.to_string()
    };
    match field.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=max).contains(&v) => Ok(Some(v)),
        Ok(v) if !v.is_nan() => Err(format!("{field} is outside 0–{max_text}")),
        _ => Err(format!(
            "expected a number from 0 to {max_text} or an empty field, found `{field}`"
        )),
    }
}

fn read_issue(
    f: &[&str],
    cols: &Columns,
    line: usize,
    weights: &CouncilWeights,
    gdp: &HashMap<usize, f64>,
    err: &dyn Fn(usize, Option<&str>, String) -> DeuError,
) -> Result<DeuIssue, DeuError> {
    let at = |c: usize, m: String| err(line, Some(&cols.names[c]), m);
    let id = f[cols.isnr];
    if id.is_empty() {
        return Err(at(cols.isnr, "expected an issue id, found an empty field".into()));
    }
    let proposal = f[cols.prnr];
    if proposal.is_empty() {
        return Err(at(cols.prnr, "expected a proposal id, found an empty field".into()));
    }
    let procedure = match f[cols.proc_] {
        "COD" => LegislativeProcedure::CoDecision,
        "CNS" => LegislativeProcedure::Consultation,
        other => return Err(at(cols.proc_, format!("expected `COD` or `CNS`, found `{other}`"))),
    };
    let council_voting = match f[cols.counvte] {
        "QMV" => CouncilVoting::Qmv,
        "QMV(10)" => CouncilVoting::Qmv10,
        "Unan" => CouncilVoting::Unanimity,
        other => {
            return Err(at(
                cols.counvte,
                format!("expected `QMV`, `QMV(10)` or `Unan`, found `{other}`"),
            ));
        }
    };
    let introduced = parse_intro(f[cols.intro], proposal).ok_or_else(|| {
        at(
            cols.intro,
            format!(
                "expected a date of introduction as dd-mm-yy, dd-mm-yyyy or yyyy-mm-yy (1973 or later), found `{}`",
                f[cols.intro]
            ),
        )
    })?;
    let period = CouncilPeriod::on(introduced).ok_or_else(|| {
        at(
            cols.intro,
            format!("the date {introduced} is before 1973, when the Council's weights in the file begin"),
        )
    })?;
    let rp = number(f[cols.rp], 100.0).map_err(|m| at(cols.rp, m))?;
    let outcome = number(f[cols.out], 100.0).map_err(|m| at(cols.out, m))?;

    // Stances with raw resources; capabilities are filled in after.
    struct Raw {
        actor: String,
        state: Option<usize>,
        position: f64,
        salience: f64,
    }
    let mut raw = Vec::new();
    let mut missing_salience = Vec::new();
    for (code, pcol, scol) in &cols.actors {
        let Some(position) = number(f[*pcol], 100.0).map_err(|m| at(*pcol, format!("position: {m}")))? else {
            continue;
        };
        let salience = match scol {
            Some(s) => number(f[*s], 100.0).map_err(|m| at(*s, format!("salience: {m}")))?,
            None => None,
        };
        if salience.is_none() {
            missing_salience.push(code.clone());
        }
        raw.push(Raw {
            actor: code.clone(),
            state: state_index(code),
            position,
            salience: salience.unwrap_or(0.0) / 100.0,
        });
    }
    if raw.is_empty() {
        return Err(err(
            line,
            None,
            "no actor has a position on this issue; expected at least one `p…` value".into(),
        ));
    }

    // A Council member, for this reader, is a state with a weight in the
    // period's column of the weights file (see the module docs).
    let member = |s: usize| weights.weight(s, period).is_some();
    let non_members: Vec<String> = raw
        .iter()
        .filter(|r| r.state.is_some_and(|s| !member(s)))
        .map(|r| r.actor.clone())
        .collect();
    let mut caps: [Vec<f64>; 4] = Default::default();
    for set in CapabilitySet::ALL {
        let mut state_values = Vec::new();
        let mut values = Vec::with_capacity(raw.len());
        for r in &raw {
            let v = match (set, r.state) {
                (CapabilitySet::Equal, _) => Some(1.0),
                (_, None) => None,
                (CapabilitySet::VoteWeight, Some(s)) => Some(weights.weight(s, period).unwrap_or(0.0)),
                (CapabilitySet::Population, Some(s)) => Some(weights.population(s).unwrap_or(0.0)),
                (CapabilitySet::Gdp, Some(s)) => Some(gdp.get(&s).copied().unwrap_or(0.0)),
            };
            if let (Some(v), Some(_)) = (v, r.state) {
                state_values.push(v);
            }
            values.push(v);
        }
        let institution = if state_values.is_empty() {
            1.0
        } else {
            state_values.iter().sum::<f64>() / state_values.len() as f64
        };
        caps[set.index()] = values.into_iter().map(|v| v.unwrap_or(institution)).collect();
    }

    let stances: Vec<Stance> = raw
        .iter()
        .zip(&caps[CapabilitySet::VoteWeight.index()])
        .map(|(r, &c)| Stance {
            actor: r.actor.clone(),
            capability: c,
            position: vec![r.position],
            salience: vec![r.salience],
        })
        .collect();

    // The Council: member states present.
    let council_voters: Vec<(usize, usize)> = raw
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.state.filter(|&s| member(s)).map(|s| (i, s)))
        .collect();
    let ep_index = raw.iter().position(|r| r.actor == PARLIAMENT);
    let parliament_without_position = procedure == LegislativeProcedure::CoDecision && ep_index.is_none();
    let procedure_spec = if council_voters.is_empty() {
        None
    } else {
        let lisbon = period == CouncilPeriod::Lisbon;
        let voters: Vec<Voter> = council_voters
            .iter()
            .map(|&(i, s)| Voter {
                actor: i,
                weight: if lisbon {
                    1.0
                } else {
                    caps[CapabilitySet::VoteWeight.index()][i]
                },
                population: weights.population(s).unwrap_or(0.0),
            })
            .collect();
        let rule = council_rule(period, introduced, council_voting, &voters);
        let mut chambers = vec![Chamber {
            name: "Council".into(),
            voters,
            rule,
        }];
        if let (LegislativeProcedure::CoDecision, Some(ep)) = (procedure, ep_index) {
            chambers.push(Chamber {
                name: "Parliament".into(),
                voters: vec![Voter {
                    actor: ep,
                    weight: 1.0,
                    population: 0.0,
                }],
                rule: VotingRule::SimpleMajority,
            });
        }
        Some(Procedure { chambers })
    };

    let issue = Issue {
        id: id.to_string(),
        dimensions: 1,
        status_quo: rp.map(|v| vec![v]),
        stances,
        procedure: procedure_spec,
    };
    issue.validate().map_err(|e| err(line, None, e.to_string()))?;
    Ok(DeuIssue {
        line,
        proposal: proposal.to_string(),
        proposal_name: cols.prname.map(|c| f[c].to_string()).unwrap_or_default(),
        procedure,
        council_voting,
        introduced,
        period,
        outcome,
        issue,
        missing_salience,
        non_members,
        parliament_without_position,
        capabilities: caps,
    })
}

/// The Council's voting rule for the voters present (see the module docs).
fn council_rule(period: CouncilPeriod, date: NaiveDate, voting: CouncilVoting, voters: &[Voter]) -> VotingRule {
    if voting == CouncilVoting::Unanimity {
        return VotingRule::Unanimity;
    }
    let n = voters.len();
    let total: f64 = voters.iter().map(|v| v.weight).sum();
    let two_thirds = (2 * n).div_ceil(3);
    let majority = n / 2 + 1;
    let reinforced = voting == CouncilVoting::Qmv10;
    let (share, members, population) = match period {
        CouncilPeriod::Eu9 => (41.0 / 58.0, None, None),
        CouncilPeriod::Eu10 => (45.0 / 63.0, None, None),
        CouncilPeriod::Eu12 => (54.0 / 76.0, None, None),
        CouncilPeriod::Eu15 => (62.0 / 87.0, None, None),
        CouncilPeriod::Eu25Transitional => (88.0 / 124.0, Some(majority), None),
        CouncilPeriod::Nice => {
            let share = if date < ymd((2007, 1, 1)) {
                232.0 / 321.0
            } else if date < ymd((2013, 7, 1)) {
                255.0 / 345.0
            } else {
                260.0 / 352.0
            };
            (share, Some(majority), Some(0.62))
        }
        CouncilPeriod::Lisbon => (if reinforced { 0.72 } else { 0.55 }, None, Some(0.65)),
    };
    let members = if reinforced && period != CouncilPeriod::Lisbon {
        Some(two_thirds)
    } else {
        members
    };
    VotingRule::Qualified {
        weight_threshold: share * total,
        min_members: members,
        population_share: population,
    }
}

/// Parses `intro` (see the module docs for the three forms). `proposal`'s
/// year digits (`d05007` → 05) decide between an ISO date and the
/// spreadsheet quirk when the first field has four digits.
fn parse_intro(text: &str, proposal: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = text.split('-').collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let num = |s: &str| s.parse::<u32>().ok();
    let (a, b, c) = (num(parts[0])?, num(parts[1])?, num(parts[2])?);
    let two_digit_year = |y: u32| if y >= 50 { 1900 + y } else { 2000 + y };
    let date = |y: u32, m: u32, d: u32| NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d);
    match (parts[0].len(), parts[1].len(), parts[2].len()) {
        (1..=2, 1..=2, 2) => date(two_digit_year(c), b, a),
        (1..=2, 1..=2, 4) => date(c, b, a),
        (4, 1..=2, 1..=2) => {
            let quirk = if parts[2].len() == 2 {
                date(two_digit_year(c), b, a % 100)
            } else {
                None
            };
            let iso = date(a, b, c);
            let proposal_year = proposal.get(1..3).and_then(num);
            match (quirk, iso) {
                (Some(q), Some(i)) => {
                    let iso_matches = proposal_year.is_some_and(|y| i.year() % 100 == y as i32);
                    let quirk_matches = proposal_year.is_some_and(|y| q.year() % 100 == y as i32);
                    Some(if iso_matches && !quirk_matches { i } else { q })
                }
                (q, i) => q.or(i),
            }
        }
        _ => None,
    }
}

/// The institution weights tried by the tuned compromise family
/// (`docs/models/validation-models.md`): the Commission's and the
/// Parliament's capability as a multiple of the mean member state's.
pub const INSTITUTION_WEIGHTS: [f64; 6] = [0.0, 0.5, 1.0, 2.0, 3.0, 4.0];

/// One input variant of the validation: a capability set and an institution weight.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct InputVariant {
    /// The capability set.
    pub set: CapabilitySet,
    /// The Commission's and the Parliament's capability relative to the mean
    /// member state (1.0 by default).
    pub institution_weight: f64,
}

impl InputVariant {
    /// Label in reports: `vote_weight`, or `vote_weight(inst=2)` when the
    /// institution weight is not 1.
    pub fn label(&self) -> String {
        if self.institution_weight == 1.0 {
            self.set.name().to_string()
        } else {
            format!("{}(inst={})", self.set.name(), self.institution_weight)
        }
    }
}

/// Settings of [`validation_plan`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlanSettings {
    /// Seed of the models, the bootstrap and the folds.
    pub seed: u64,
    /// Bootstrap resamples.
    pub resamples: usize,
    /// Folds of the cross-validation over proposals.
    pub folds: usize,
    /// Repetitions of the cross-validation.
    pub repeats: usize,
    /// Whether to include the dynamic models (SMP, EUM); without them the
    /// validation takes milliseconds.
    pub dynamics: bool,
}

impl Default for PlanSettings {
    fn default() -> Self {
        PlanSettings {
            seed: 20_220_101,
            resamples: 2000,
            folds: 10,
            repeats: 10,
            dynamics: true,
        }
    }
}

/// Everything [`accord_engine::validation::validate`] needs to score the
/// models on a DEU file.
#[derive(Debug, Clone, PartialEq)]
pub struct DeuPlan {
    /// One case per issue with an outcome; grouped by proposal; strata
    /// `procedure` (COD/CNS) and `voting rule` (QMV/QMV(10)/Unan).
    pub cases: Vec<Case>,
    /// The input variants, indexed like [`Case::inputs`].
    pub inputs: Vec<InputVariant>,
    /// Every model combination, then the tuned family, then the baselines.
    pub candidates: Vec<Candidate>,
    /// Bootstrap, folds and the pools to select from.
    pub config: ValidationConfig,
    /// Issues left out because the file records no outcome.
    pub without_outcome: Vec<String>,
}

/// The dynamics every combination is tried with: none, SMP and EUM with
/// their default (reference) settings, and SMP with a static fallback —
/// `smp_or_static` decides on the positions as given wherever SMP cannot run
/// (issues where every distance is 0 or 1, actors with zero salience), so
/// that it forecasts every issue and can be compared and selected — and
/// Stokman and Van Oosten's exchange model with its default settings, which
/// negotiates the issues of one proposal together (a case's group). The
/// third field is that fallback flag.
pub fn plan_dynamics() -> Vec<(&'static str, Dynamics, bool)> {
    vec![
        ("none", Dynamics::None, false),
        ("smp", Dynamics::Smp(SmpSettings::default()), false),
        ("smp_or_static", Dynamics::Smp(SmpSettings::default()), true),
        ("eum", Dynamics::Eum(EumSettings::default()), false),
        ("exchange", Dynamics::Exchange(ExchangeSettings::default()), false),
    ]
}

/// The decision rules every combination is tried with.
pub fn plan_rules() -> Vec<(&'static str, DecisionRule)> {
    vec![
        ("weighted_mean", DecisionRule::WeightedMean),
        ("weighted_median", DecisionRule::WeightedMedian),
        ("nash", DecisionRule::Nash),
        (
            "procedural",
            DecisionRule::Procedural {
                bargain: Box::new(DecisionRule::WeightedMean),
            },
        ),
    ]
}

/// Builds the validation of every dynamics × decision rule × capability set,
/// the compromise model with a tuned institution weight, and the baselines
/// (always 50, the reference point, the Commission's position, the
/// unweighted mean of positions).
pub fn validation_plan(data: &DeuData, settings: &PlanSettings) -> DeuPlan {
    let mut inputs: Vec<InputVariant> = CapabilitySet::ALL
        .iter()
        .map(|&set| InputVariant {
            set,
            institution_weight: 1.0,
        })
        .collect();
    for &w in INSTITUTION_WEIGHTS.iter().filter(|&&w| w != 1.0) {
        inputs.push(InputVariant {
            set: CapabilitySet::VoteWeight,
            institution_weight: w,
        });
    }
    let (with, without): (Vec<&DeuIssue>, Vec<&DeuIssue>) = data.issues.iter().partition(|i| i.outcome.is_some());
    let cases = with
        .iter()
        .map(|i| Case {
            id: i.id().to_string(),
            group: i.proposal.clone(),
            outcome: i.outcome.unwrap_or(f64::NAN),
            strata: vec![
                ("procedure".into(), i.procedure.code().into()),
                ("voting rule".into(), i.council_voting.code().into()),
            ],
            inputs: inputs
                .iter()
                .map(|v| i.issue_with(v.set, v.institution_weight))
                .collect(),
        })
        .collect();

    let mut candidates = Vec::new();
    let mut models = Vec::new();
    let dynamics_list = plan_dynamics()
        .into_iter()
        .filter(|d| settings.dynamics || d.1 == Dynamics::None);
    for (dname, dynamics, static_fallback) in dynamics_list {
        for (rname, rule) in plan_rules() {
            for (k, set) in CapabilitySet::ALL.iter().enumerate() {
                models.push(candidates.len());
                candidates.push(Candidate {
                    name: format!("{dname}/{rname}/{}", set.name()),
                    predictor: Predictor::Model {
                        dynamics: dynamics.clone(),
                        rule: rule.clone(),
                        static_fallback,
                    },
                    input: k,
                    input_label: inputs[k].label(),
                    selectable: true,
                });
            }
        }
    }
    let compromise = candidates
        .iter()
        .position(|c| c.name == "none/weighted_mean/vote_weight")
        .unwrap_or(0);
    let mut family = Vec::new();
    for (k, v) in inputs.iter().enumerate() {
        if v.set != CapabilitySet::VoteWeight {
            continue;
        }
        if v.institution_weight == 1.0 {
            family.push(compromise);
            continue;
        }
        family.push(candidates.len());
        models.push(candidates.len());
        candidates.push(Candidate {
            name: format!("none/weighted_mean/{}", v.label()),
            predictor: Predictor::Model {
                dynamics: Dynamics::None,
                rule: DecisionRule::WeightedMean,
                static_fallback: false,
            },
            input: k,
            input_label: v.label(),
            selectable: true,
        });
    }
    family.sort_by(|a, b| {
        let w = |c: usize| inputs[candidates[c].input].institution_weight;
        w(*a).total_cmp(&w(*b))
    });
    let commission = Predictor::ActorPosition {
        actor: COMMISSION.into(),
    };
    let baselines = [
        ("baseline/always_50", Predictor::Constant { value: 50.0 }, "-"),
        ("baseline/reference_point", Predictor::ReferencePoint, "-"),
        ("baseline/commission", commission, "-"),
        ("baseline/unweighted_mean", Predictor::UnweightedMean, "-"),
        (
            "baseline/lower_weighted_median",
            Predictor::LowerWeightedMedian,
            "equal",
        ),
    ];
    for (name, predictor, label) in baselines {
        candidates.push(Candidate {
            name: name.into(),
            predictor,
            input: CapabilitySet::Equal.index(),
            input_label: label.into(),
            selectable: false,
        });
    }
    let config = ValidationConfig {
        seed: settings.seed,
        resamples: settings.resamples,
        level: 0.95,
        folds: settings.folds,
        repeats: settings.repeats,
        reference: Some(compromise),
        recommend_from: Selection {
            name: "every model combination".into(),
            candidates: models,
        },
        families: vec![Selection {
            name: "compromise, institution weight tuned".into(),
            candidates: family,
        }],
    };
    DeuPlan {
        cases,
        inputs,
        candidates,
        config,
        without_outcome: without.iter().map(|i| i.id().to_string()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issues_are_bounded() {
        let mut lines = DEU3_DEV_TSV.lines();
        let (header, gdp, row) = (lines.next().unwrap(), lines.next().unwrap(), lines.next().unwrap());
        let isnr = header.split('\t').position(|c| c == "isnr").unwrap();
        let mut text = format!("{header}\n{gdp}\n");
        for k in 0..=MAX_DEU_ISSUES {
            let mut f: Vec<String> = row.split('\t').map(str::to_string).collect();
            f[isnr] = format!("i{k}");
            text.push_str(&f.join("\t"));
            text.push('\n');
        }
        let weights = CouncilWeights::embedded().unwrap();
        let e = read_deu(&text, "big.tsv", &weights).unwrap_err();
        assert_eq!(e.line, MAX_DEU_ISSUES + 3, "{e}");
        assert!(e.message.contains("more than 5000 issues"), "{e}");
        let end = text.trim_end().rfind('\n').unwrap();
        assert_eq!(
            read_deu(&text[..end], "ok.tsv", &weights).unwrap().issues.len(),
            MAX_DEU_ISSUES
        );
    }

    #[test]
    fn dates_in_three_forms() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd);
        assert_eq!(parse_intro("26-01-00", "d00032"), d(2000, 1, 26));
        assert_eq!(parse_intro("13-03-96", "d96085"), d(1996, 3, 13));
        assert_eq!(parse_intro("26-09-2012", "d120266"), d(2012, 9, 26));
        assert_eq!(parse_intro("2014-07-04", "a04163"), d(2004, 7, 14));
        assert_eq!(parse_intro("1930-06-05", "n05124"), d(2005, 6, 30));
        assert_eq!(parse_intro("2016-02-05", "d16005"), d(2016, 2, 5));
        assert_eq!(parse_intro("31-02-00", "x"), None);
        assert_eq!(parse_intro("", "x"), None);
        assert_eq!(parse_intro("1-2", "x"), None);
    }

    #[test]
    fn periods_by_date() {
        let p = |y, m, d| CouncilPeriod::on(ymd((y, m, d)));
        assert_eq!(p(1972, 12, 31), None);
        assert_eq!(p(2004, 4, 30), Some(CouncilPeriod::Eu15));
        assert_eq!(p(2004, 5, 1), Some(CouncilPeriod::Eu25Transitional));
        assert_eq!(p(2004, 11, 1), Some(CouncilPeriod::Nice));
        assert_eq!(p(2014, 10, 31), Some(CouncilPeriod::Nice));
        assert_eq!(p(2014, 11, 1), Some(CouncilPeriod::Lisbon));
    }

    #[test]
    fn qmv10_needs_two_thirds_of_members() {
        let voters: Vec<Voter> = (0..15)
            .map(|i| Voter {
                actor: i,
                weight: 1.0 + (i % 3) as f64,
                population: 1.0,
            })
            .collect();
        let rule = council_rule(CouncilPeriod::Eu15, ymd((2000, 1, 1)), CouncilVoting::Qmv10, &voters);
        match rule {
            VotingRule::Qualified {
                min_members,
                weight_threshold,
                ..
            } => {
                assert_eq!(min_members, Some(10));
                let total: f64 = voters.iter().map(|v| v.weight).sum();
                assert!((weight_threshold - total * 62.0 / 87.0).abs() < 1e-12);
            }
            other => panic!("unexpected rule {other:?}"),
        }
    }
}
