//! The record: every entry kind, with its provenance.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::{ActorId, EntryId, PartialDate};

/// A section of the article the SCO model is built on (`seed:SECTION`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArticleSection {
    /// "Introduction"
    Introduction,
    /// "Security Problems — Opportunities for Russia"
    Security,
    /// "Enlargement of the SCO — Opportunities for Russia"
    Enlargement,
    /// "SCO-NATO Rivalry"
    ScoNato,
    /// "Economic Cooperation Opportunities in the SCO"
    Economy,
    /// "Opportunities in the Humanitarian Sphere"
    Humanitarian,
    /// "Conclusion"
    Conclusion,
}

impl ArticleSection {
    /// Every section, in the article's order.
    pub const ALL: [ArticleSection; 7] = [
        Self::Introduction,
        Self::Security,
        Self::Enlargement,
        Self::ScoNato,
        Self::Economy,
        Self::Humanitarian,
        Self::Conclusion,
    ];

    /// The slug used in citations (`seed:<slug>`).
    pub fn slug(self) -> &'static str {
        match self {
            Self::Introduction => "introduction",
            Self::Security => "security",
            Self::Enlargement => "enlargement",
            Self::ScoNato => "sco-nato",
            Self::Economy => "economy",
            Self::Humanitarian => "humanitarian",
            Self::Conclusion => "conclusion",
        }
    }

    /// The section's heading in the article.
    pub fn heading(self) -> &'static str {
        match self {
            Self::Introduction => "Introduction",
            Self::Security => "Security Problems — Opportunities for Russia",
            Self::Enlargement => "Enlargement of the SCO — Opportunities for Russia",
            Self::ScoNato => "SCO-NATO Rivalry",
            Self::Economy => "Economic Cooperation Opportunities in the SCO",
            Self::Humanitarian => "Opportunities in the Humanitarian Sphere",
            Self::Conclusion => "Conclusion",
        }
    }
}

/// Number of footnotes in the article (`seed:fn1` … `seed:fn17`).
pub const ARTICLE_FOOTNOTES: u8 = 17;

/// Where a fact comes from. Serializes as it is written in files
/// (`seed:security`, `seed:fn5`, or a source id).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Citation {
    /// A section of the article.
    ArticleSection {
        /// The section.
        section: ArticleSection,
    },
    /// A footnote of the article.
    ArticleFootnote {
        /// Footnote number, 1–17.
        number: u8,
    },
    /// An outside source, by its id in the record.
    Source {
        /// The source's id.
        id: EntryId,
    },
}

impl Citation {
    /// Parses `seed:SECTION`, `seed:fnN` or a source id. Whether a source id
    /// exists is checked later, against the whole record.
    pub fn parse(s: &str) -> Result<Citation, String> {
        if let Some(rest) = s.strip_prefix("seed:") {
            if let Some(n) = rest.strip_prefix("fn") {
                return match n.parse::<u8>() {
                    Ok(number) if (1..=ARTICLE_FOOTNOTES).contains(&number) => Ok(Citation::ArticleFootnote { number }),
                    _ => Err(format!(
                        "`{s}`: the article's footnotes are seed:fn1 … seed:fn{ARTICLE_FOOTNOTES}"
                    )),
                };
            }
            return ArticleSection::ALL
                .into_iter()
                .find(|sec| sec.slug() == rest)
                .map(|section| Citation::ArticleSection { section })
                .ok_or_else(|| {
                    let slugs: Vec<_> = ArticleSection::ALL.iter().map(|s| s.slug()).collect();
                    format!("`{s}`: the article's sections are seed:{}", slugs.join(", seed:"))
                });
        }
        EntryId::new(s).map(|id| Citation::Source { id })
    }
}

impl Serialize for Citation {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl std::fmt::Display for Citation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Citation::ArticleSection { section } => write!(f, "seed:{}", section.slug()),
            Citation::ArticleFootnote { number } => write!(f, "seed:fn{number}"),
            Citation::Source { id } => write!(f, "{id}"),
        }
    }
}

/// How sure the record is of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Certainty {
    /// Confirmed by the cited sources.
    #[default]
    Confirmed,
    /// Only one secondary source was found.
    SingleSource,
    /// Not confirmed by a source (the caveat says what is missing).
    Unconfirmed,
    /// Sources disagree (the caveat says how).
    Disputed,
}

/// Where an entry comes from and how sure we are of it.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Provenance {
    /// The citations, at least one.
    pub sources: Vec<Citation>,
    /// The citations an audit checked the entry against and found to confirm
    /// it (`verified = [...]`); empty when the entry was not verified, in which
    /// case a record entry needs a `caveat` saying why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub verified: Vec<Citation>,
    /// How sure the record is.
    pub certainty: Certainty,
    /// What is uncertain, or how sources disagree.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caveat: Option<String>,
    /// Free text for a reader.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A name in English, Russian and Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Names {
    /// English.
    pub en: String,
    /// Russian.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ru: Option<String>,
    /// Chinese.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zh: Option<String>,
}

impl Names {
    /// All the names that are given.
    pub fn all(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.en.as_str())
            .chain(self.ru.as_deref())
            .chain(self.zh.as_deref())
    }
}

/// An outside source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Source {
    /// Its id, cited by entries.
    pub id: EntryId,
    /// Who published it.
    pub publisher: String,
    /// Its title (or a description of the piece).
    pub title: String,
    /// Publication date, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<PartialDate>,
    /// Where to find it (without scheme): a host and a path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// A full bibliographic reference, for a source without a web address
    /// (authors, title, publisher, place, year, pages or volume).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Free text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What kind of actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// A state.
    State,
    /// An international organization.
    Organization,
}

/// A state or organization that takes part in politics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Actor {
    /// Its code.
    pub id: ActorId,
    /// State or organization.
    pub kind: ActorKind,
    /// Names in three languages.
    pub name: Names,
    /// Where it comes from.
    #[serde(flatten)]
    pub provenance: Provenance,
}

/// A status an organization grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Full member.
    Member,
    /// Observer.
    Observer,
    /// Dialogue partner.
    DialoguePartner,
    /// Partner (e.g. the SCO's merged status from 2025).
    Partner,
    /// Guest attendance.
    Guest,
}

impl Status {
    /// Every status, most involved first.
    pub const ALL: [Status; 5] = [
        Self::Member,
        Self::Observer,
        Self::DialoguePartner,
        Self::Partner,
        Self::Guest,
    ];

    /// The snake_case name used in files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Observer => "observer",
            Self::DialoguePartner => "dialogue_partner",
            Self::Partner => "partner",
            Self::Guest => "guest",
        }
    }
}

/// How an organization takes decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgDecisionRule {
    /// Consensus of the voting members (no formal vote against).
    Consensus,
    /// Unanimous vote of the voting members.
    Unanimity,
    /// Qualified majority.
    QualifiedMajority,
    /// Simple majority.
    SimpleMajority,
}

/// One status kind of an organization and what its holders may do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusKind {
    /// The status.
    pub kind: Status,
    /// Holders vote on decisions.
    pub vote: bool,
    /// Holders may speak at meetings.
    pub speak: bool,
    /// Holders attend meetings.
    pub attend: bool,
    /// Holders bargain on the organization's issues (have weight at the
    /// bargaining table). Written `bargain` in the record; when left out it
    /// follows `vote`: voters bargain, everyone else has no weight unless a
    /// scenario widens the table (`docs/models/table.md`).
    pub bargain: bool,
    /// When the status was created.
    pub since: PartialDate,
    /// When it was abolished or merged, if it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<PartialDate>,
    /// Where it comes from.
    #[serde(flatten)]
    pub provenance: Provenance,
}

/// An organization whose membership the record tracks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Organization {
    /// Its code (also an actor).
    pub id: ActorId,
    /// When it was founded.
    pub founded: PartialDate,
    /// Where its secretariat sits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seat: Option<String>,
    /// How it decides.
    pub decision_rule: OrgDecisionRule,
    /// The rule in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision_note: Option<String>,
    /// The statuses it grants.
    pub statuses: Vec<StatusKind>,
    /// Where it comes from.
    #[serde(flatten)]
    pub provenance: Provenance,
}

impl Organization {
    /// The definition of a status kind, if the organization grants it.
    pub fn status_kind(&self, status: Status) -> Option<&StatusKind> {
        self.statuses.iter().find(|s| s.kind == status)
    }
}

/// One actor's status in one organization over a half-open period `[from, to)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Membership {
    /// Who.
    pub actor: ActorId,
    /// In which organization.
    pub org: ActorId,
    /// With what status.
    pub status: Status,
    /// First day held.
    pub from: PartialDate,
    /// First day no longer held; `None` while it lasts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<PartialDate>,
    /// Where it comes from.
    #[serde(flatten)]
    pub provenance: Provenance,
}

impl Membership {
    /// Whether the status was held on `day`.
    pub fn holds_on(&self, day: chrono::NaiveDate) -> bool {
        self.from.first_day() <= day && self.to.is_none_or(|to| day < to.first_day())
    }
}

/// The policy sphere an entry belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sphere {
    /// Security, terrorism, drugs, military.
    Security,
    /// Economy, trade, finance.
    Economy,
    /// Energy.
    Energy,
    /// Education, health, culture, youth, migration, disasters, media.
    Humanitarian,
    /// Enlargement and statuses.
    Enlargement,
    /// Relations with outsiders.
    ExternalRelations,
}

impl Sphere {
    /// Every sphere.
    pub const ALL: [Sphere; 6] = [
        Self::Security,
        Self::Economy,
        Self::Energy,
        Self::Humanitarian,
        Self::Enlargement,
        Self::ExternalRelations,
    ];

    /// The snake_case name used in files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Security => "security",
            Self::Economy => "economy",
            Self::Energy => "energy",
            Self::Humanitarian => "humanitarian",
            Self::Enlargement => "enlargement",
            Self::ExternalRelations => "external_relations",
        }
    }
}

/// What kind of body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyKind {
    /// A permanent organ (secretariat, RATS).
    Organ,
    /// A council of officials.
    Council,
    /// A forum or club.
    Forum,
    /// An association of non-governmental members.
    Association,
    /// A fund.
    Fund,
    /// A centre.
    Center,
    /// A working or expert group.
    Group,
    /// A network (e.g. a university network).
    Network,
    /// An educational body.
    Education,
    /// A separate organization.
    Organization,
}

/// A body's status at some date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyStatus {
    /// Proposed, not created.
    Proposed,
    /// Working.
    Active,
    /// Exists but does not work.
    Inactive,
    /// Creation blocked.
    Blocked,
    /// Dissolved.
    Dissolved,
    /// Merged into another body.
    Merged,
}

/// A dated change of a body's status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BodyChange {
    /// When.
    pub date: PartialDate,
    /// The status from that date.
    pub status: BodyStatus,
    /// Where it comes from.
    #[serde(flatten)]
    pub provenance: Provenance,
}

/// A body of an organization.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Body {
    /// Its id.
    pub id: EntryId,
    /// The organization it belongs to.
    pub org: ActorId,
    /// Its names.
    pub name: Names,
    /// What kind of body.
    pub kind: BodyKind,
    /// Its sphere.
    pub sphere: Sphere,
    /// Where it sits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seat: Option<String>,
    /// Who proposed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposer: Option<ActorId>,
    /// Its life, oldest first.
    pub life: Vec<BodyChange>,
    /// Where it comes from.
    #[serde(flatten)]
    pub provenance: Provenance,
}

impl Body {
    /// Its status on `day`, or `None` before its first recorded change.
    pub fn status_on(&self, day: chrono::NaiveDate) -> Option<&BodyChange> {
        self.life.iter().rev().find(|c| c.date.first_day() <= day)
    }

    /// When it started working (first `active` change).
    pub fn founded(&self) -> Option<PartialDate> {
        self.life
            .iter()
            .find(|c| c.status == BodyStatus::Active)
            .map(|c| c.date)
    }

    /// When it was dissolved or merged.
    pub fn dissolved(&self) -> Option<PartialDate> {
        self.life
            .iter()
            .find(|c| matches!(c.status, BodyStatus::Dissolved | BodyStatus::Merged))
            .map(|c| c.date)
    }
}

/// What kind of instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstrumentKind {
    /// A founding charter.
    Charter,
    /// A convention.
    Convention,
    /// An agreement.
    Agreement,
    /// A protocol.
    Protocol,
    /// A declaration.
    Declaration,
    /// A program.
    Program,
    /// A project.
    Project,
    /// A proposal.
    Proposal,
    /// A decision.
    Decision,
}

/// Where an instrument stands in its life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstrumentStatus {
    /// Put forward.
    Proposed,
    /// Adopted by a body.
    Adopted,
    /// Signed.
    Signed,
    /// In force.
    InForce,
    /// Carried out.
    CarriedOut,
    /// Stalled: declared but not carried out.
    Stalled,
    /// Rejected.
    Rejected,
    /// Expired.
    Expired,
}

impl InstrumentStatus {
    /// Every status, in life-cycle order.
    pub const ALL: [InstrumentStatus; 8] = [
        Self::Proposed,
        Self::Adopted,
        Self::Signed,
        Self::InForce,
        Self::CarriedOut,
        Self::Stalled,
        Self::Rejected,
        Self::Expired,
    ];

    /// The snake_case name used in files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Adopted => "adopted",
            Self::Signed => "signed",
            Self::InForce => "in_force",
            Self::CarriedOut => "carried_out",
            Self::Stalled => "stalled",
            Self::Rejected => "rejected",
            Self::Expired => "expired",
        }
    }
}

/// A sum of money with its ISO 4217 currency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Amount {
    /// The value in units of the currency.
    pub value: f64,
    /// ISO 4217 code (`USD`, `CNY`, `RUB`).
    pub currency: String,
    /// What the money is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub what: Option<String>,
}

/// A dated step in an instrument's life.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstrumentChange {
    /// When.
    pub date: PartialDate,
    /// The status from that date.
    pub status: InstrumentStatus,
    /// Where it comes from.
    #[serde(flatten)]
    pub provenance: Provenance,
}

/// A charter, convention, agreement, program, proposal …
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Instrument {
    /// Its id.
    pub id: EntryId,
    /// What kind.
    pub kind: InstrumentKind,
    /// The organization within which it was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<ActorId>,
    /// Its names.
    pub name: Names,
    /// Its sphere.
    pub sphere: Sphere,
    /// Actors bound by it.
    pub parties: Vec<ActorId>,
    /// Who put it forward.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposer: Option<ActorId>,
    /// How many instruments the entry stands for (e.g. 120 programs).
    pub count: u32,
    /// Money involved.
    pub amounts: Vec<Amount>,
    /// Its life cycle, oldest first.
    pub life: Vec<InstrumentChange>,
    /// Where it comes from.
    #[serde(flatten)]
    pub provenance: Provenance,
}

impl Instrument {
    /// Its status on `day`, or `None` before its first recorded step.
    pub fn status_on(&self, day: chrono::NaiveDate) -> Option<&InstrumentChange> {
        self.life.iter().rev().find(|c| c.date.first_day() <= day)
    }

    /// The date it first reached `status`, if it did.
    pub fn date_of(&self, status: InstrumentStatus) -> Option<PartialDate> {
        self.life.iter().find(|c| c.status == status).map(|c| c.date)
    }

    /// Whether it reached `status` on or before `day`.
    pub fn reached_by(&self, status: InstrumentStatus, day: chrono::NaiveDate) -> bool {
        self.life
            .iter()
            .any(|c| c.status == status && c.date.first_day() <= day)
    }
}

/// What kind of event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Council of Heads of State.
    Summit,
    /// Council of Heads of Government.
    HeadsOfGovernment,
    /// A meeting of ministers.
    Ministerial,
    /// A conference.
    Conference,
}

/// Who attended an event, and in what capacity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attendance {
    /// The state or organization that attended (by its head of state or
    /// government, or another named delegate).
    pub actor: ActorId,
    /// In what capacity: the status it held in the organization, or `guest`
    /// when it came at the invitation of the host or the chair.
    pub capacity: Status,
    /// Where it comes from.
    #[serde(flatten)]
    pub provenance: Provenance,
}

/// A summit or other meeting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// Its id.
    pub id: EntryId,
    /// What kind.
    pub kind: EventKind,
    /// The organization that met.
    pub org: ActorId,
    /// First day.
    pub date: PartialDate,
    /// Last day, if it lasted more than one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<PartialDate>,
    /// Where.
    pub city: String,
    /// The host state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<ActorId>,
    /// Who attended, in what capacity (empty when not recorded).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attendance: Vec<Attendance>,
    /// Where it comes from.
    #[serde(flatten)]
    pub provenance: Provenance,
}

/// The whole record.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Record {
    /// Outside sources.
    pub sources: Vec<Source>,
    /// Actors.
    pub actors: Vec<Actor>,
    /// Organizations whose memberships are tracked.
    pub organizations: Vec<Organization>,
    /// Memberships.
    pub memberships: Vec<Membership>,
    /// Bodies.
    pub bodies: Vec<Body>,
    /// Instruments.
    pub instruments: Vec<Instrument>,
    /// Events.
    pub events: Vec<Event>,
}

/// Any entry of the record, by reference.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "entry", rename_all = "snake_case")]
pub enum EntryRef<'a> {
    /// An outside source.
    Source(&'a Source),
    /// An actor.
    Actor(&'a Actor),
    /// A body.
    Body(&'a Body),
    /// An instrument.
    Instrument(&'a Instrument),
    /// An event.
    Event(&'a Event),
}

/// Lookup tables over a record, built once.
#[derive(Debug, Default)]
pub struct Index {
    actors: HashMap<String, usize>,
    organizations: HashMap<String, usize>,
    sources: HashMap<String, usize>,
    bodies: HashMap<String, usize>,
    instruments: HashMap<String, usize>,
    events: HashMap<String, usize>,
}

impl Record {
    /// Builds the lookup tables. With duplicate ids the first entry wins
    /// (the checker reports the duplicates).
    pub fn index(&self) -> Index {
        fn map<'a>(ids: impl Iterator<Item = &'a str>) -> HashMap<String, usize> {
            let mut m = HashMap::new();
            for (i, id) in ids.enumerate() {
                m.entry(id.to_owned()).or_insert(i);
            }
            m
        }
        Index {
            actors: map(self.actors.iter().map(|a| a.id.as_str())),
            organizations: map(self.organizations.iter().map(|o| o.id.as_str())),
            sources: map(self.sources.iter().map(|s| s.id.as_str())),
            bodies: map(self.bodies.iter().map(|b| b.id.as_str())),
            instruments: map(self.instruments.iter().map(|i| i.id.as_str())),
            events: map(self.events.iter().map(|e| e.id.as_str())),
        }
    }
}

impl Index {
    /// The actor with this code.
    pub fn actor<'a>(&self, record: &'a Record, id: &str) -> Option<&'a Actor> {
        self.actors.get(id).map(|&i| &record.actors[i])
    }

    /// The organization with this code.
    pub fn organization<'a>(&self, record: &'a Record, id: &str) -> Option<&'a Organization> {
        self.organizations.get(id).map(|&i| &record.organizations[i])
    }

    /// Whether a source with this id exists.
    pub fn has_source(&self, id: &str) -> bool {
        self.sources.contains_key(id)
    }

    /// Any entry by id (actor codes and entry ids share one namespace).
    pub fn entry<'a>(&self, record: &'a Record, id: &str) -> Option<EntryRef<'a>> {
        if let Some(&i) = self.actors.get(id) {
            return Some(EntryRef::Actor(&record.actors[i]));
        }
        let lower = id.to_ascii_lowercase();
        let id = lower.as_str();
        None.or_else(|| self.sources.get(id).map(|&i| EntryRef::Source(&record.sources[i])))
            .or_else(|| self.bodies.get(id).map(|&i| EntryRef::Body(&record.bodies[i])))
            .or_else(|| {
                self.instruments
                    .get(id)
                    .map(|&i| EntryRef::Instrument(&record.instruments[i]))
            })
            .or_else(|| self.events.get(id).map(|&i| EntryRef::Event(&record.events[i])))
    }
}
