//! The rules that keep a record consistent. [`check`] finds every breach;
//! each [`Problem`] names the entry and field so that the reader of the files
//! can point at the line and column.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::{Certainty, Citation, EntryId, Names, PartialDate, Provenance, Record};

/// The kinds of entries, as they appear in files (`[[actor]]` …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// `[[source]]`
    Source,
    /// `[[actor]]`
    Actor,
    /// `[[organization]]`
    Organization,
    /// `[[membership]]`
    Membership,
    /// `[[body]]`
    Body,
    /// `[[instrument]]`
    Instrument,
    /// `[[event]]`
    Event,
    /// `[meta]` of a model
    Meta,
    /// `[[issue]]` of a model
    Issue,
    /// `[[capability]]` of a model
    Capability,
    /// `[[stance]]` of a model
    Stance,
    /// `[[lever]]` of a model
    Lever,
    /// `[[link]]` of a model
    Link,
}

impl EntryKind {
    /// The table name in files.
    pub fn table(self) -> &'static str {
        match self {
            Self::Source => "source",
            Self::Actor => "actor",
            Self::Organization => "organization",
            Self::Membership => "membership",
            Self::Body => "body",
            Self::Instrument => "instrument",
            Self::Event => "event",
            Self::Meta => "meta",
            Self::Issue => "issue",
            Self::Capability => "capability",
            Self::Stance => "stance",
            Self::Lever => "lever",
            Self::Link => "link",
        }
    }
}

/// Where in the record a problem lies: the `index`-th entry of a kind (in
/// load order) and a field path such as `from`, `sources[1]` or `life[0].date`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Locus {
    /// The entry kind.
    pub kind: EntryKind,
    /// Position among the entries of that kind.
    pub index: usize,
    /// Field path inside the entry.
    pub field: String,
}

/// One breach of the record's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Where.
    pub locus: Locus,
    /// What is wrong and what would be valid.
    pub message: String,
    /// The id the problem is about, when it is an unknown reference (lets a
    /// reader drop follow-on errors about an entry it could not read).
    pub refers_to: Option<String>,
}

/// The largest capability a model may give: 1e15. It leaves room for any
/// real indicator (GDP in dollars is about 3e13 for the largest economy;
/// CINC shares are below 1) while keeping the engine's sums and products of
/// capabilities, saliences (≤ 1) and positions (≤ 100) over thousands of
/// actors — and squares of capabilities — far below the largest finite
/// `f64` (≈ 1.8e308). A capability of 1e308 would overflow them to infinity
/// and silently change forecasts.
pub const MAX_CAPABILITY: f64 = 1e15;

/// The largest capability factor (of a stance, a scenario's stance or a
/// lever): 1,000. A factor says how much more an actor weighs on one issue
/// than its indicator says; three orders of magnitude is already more than
/// any argued case, and the bound keeps products with [`MAX_CAPABILITY`]
/// finite.
pub const MAX_CAPABILITY_FACTOR: f64 = 1e3;

/// Whether `f` is a valid capability factor: finite, > 0 and at most
/// [`MAX_CAPABILITY_FACTOR`].
pub fn valid_capability_factor(f: f64) -> bool {
    f.is_finite() && f > 0.0 && f <= MAX_CAPABILITY_FACTOR
}

/// What a capability factor must be, for messages.
pub const CAPABILITY_FACTOR_RULE: &str = "a capability factor must be a number > 0 and at most 1000";

/// The most like documents one `[[instrument]]` entry may group (`count`):
/// 10,000. The SCO record's largest group is a few dozen agreements signed
/// at one summit; the bound keeps the declared-versus-carried-out tallies
/// meaningful.
pub const MAX_INSTRUMENT_COUNT: u32 = 10_000;

struct Checker<'r> {
    record: &'r Record,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn report(&mut self, kind: EntryKind, index: usize, field: impl Into<String>, message: impl Into<String>) {
        let locus = Locus {
            kind,
            index,
            field: field.into(),
        };
        self.problems.push(Problem {
            locus,
            message: message.into(),
            refers_to: None,
        });
    }

    fn report_ref(&mut self, kind: EntryKind, index: usize, field: impl Into<String>, id: &str, message: String) {
        self.report(kind, index, field, message);
        if let Some(p) = self.problems.last_mut() {
            p.refers_to = Some(id.to_owned());
        }
    }

    fn provenance(&mut self, kind: EntryKind, index: usize, prefix: &str, p: &Provenance, sources: &HashSet<&str>) {
        if p.sources.is_empty() {
            self.report(
                kind,
                index,
                format!("{prefix}sources"),
                "no source: cite the article (`seed:SECTION`, `seed:fnN`) or the id of a [[source]]",
            );
        }
        for (i, c) in p.sources.iter().enumerate() {
            if let Citation::Source { id } = c
                && !sources.contains(id.as_str())
            {
                self.report_ref(
                    kind,
                    index,
                    format!("{prefix}sources[{i}]"),
                    id.as_str(),
                    format!(
                        "unknown source `{id}`{}: define it as a [[source]] or cite the article as `seed:SECTION`",
                        crate::suggest::did_you_mean(id.as_str(), sources.iter().copied())
                    ),
                );
            }
        }
        if matches!(p.certainty, Certainty::Disputed | Certainty::Unconfirmed) && p.caveat.is_none() {
            self.report(
                kind,
                index,
                format!("{prefix}certainty"),
                "a disputed or unconfirmed entry needs a `caveat` saying what is uncertain",
            );
        }
    }

    /// The audit rule of a record entry: it names the citations that confirm
    /// it (`verified`), each a known source, or says in a `caveat` why it
    /// could not be confirmed.
    fn audited(&mut self, kind: EntryKind, index: usize, p: &Provenance, sources: &HashSet<&str>) {
        if p.verified.is_empty() && p.caveat.is_none() {
            self.report(
                kind,
                index,
                "verified",
                "not verified: list the sources that confirm the entry (`verified = [\"source-id\", …]`) or say in a `caveat` why it cannot be confirmed",
            );
        }
        for (i, c) in p.verified.iter().enumerate() {
            if let Citation::Source { id } = c
                && !sources.contains(id.as_str())
            {
                self.report_ref(
                    kind,
                    index,
                    format!("verified[{i}]"),
                    id.as_str(),
                    format!("unknown source `{id}`: define it as a [[source]] or cite the article as `seed:SECTION`"),
                );
            }
        }
    }

    /// What a stance's `provenance` demands: an article stance cites the
    /// article and does not call itself unstated; a source stance cites a
    /// [[source]] dated on or before the model's date; an inferred stance has
    /// the wider ranges of [`Evidence`].
    fn stance_evidence(
        &mut self,
        i: usize,
        s: &crate::model::StanceDef,
        model_date: &PartialDate,
        dated: &HashMap<&str, Option<PartialDate>>,
    ) {
        use crate::model::{Evidence, is_wide};
        let k = EntryKind::Stance;
        match s.evidence {
            Evidence::Article => {
                if !s
                    .provenance
                    .sources
                    .iter()
                    .any(|c| !matches!(c, Citation::Source { .. }))
                {
                    self.report(
                        k,
                        i,
                        "provenance",
                        "provenance = \"article\" needs a citation of the article (`seed:SECTION` or `seed:fnN`)",
                    );
                }
                if s.basis.contains("Not stated in the article") {
                    self.report(
                        k,
                        i,
                        "provenance",
                        "the basis says the article does not state this stance: mark it \"inference\" (with a wider range) or cite a \"source\"",
                    );
                }
            }
            Evidence::Source => {
                let before = |id: &EntryId| matches!(dated.get(id.as_str()), Some(Some(d)) if d <= model_date);
                let ok = s
                    .provenance
                    .sources
                    .iter()
                    .any(|c| matches!(c, Citation::Source { id } if before(id)));
                if !ok {
                    self.report(
                        k,
                        i,
                        "provenance",
                        format!(
                            "provenance = \"source\" needs a cited [[source]] with a `date` on or before the model's date ({model_date})"
                        ),
                    );
                }
            }
            Evidence::Inference => {
                for (field, e, half) in [
                    ("position", s.position, Evidence::INFERENCE_POSITION_HALF_WIDTH),
                    ("salience", s.salience, Evidence::INFERENCE_SALIENCE_HALF_WIDTH),
                ] {
                    if !is_wide(&e, half) {
                        self.report(
                            k,
                            i,
                            field,
                            format!(
                                "an inferred stance needs a wider range: {field}_low ≤ {} and {field}_high ≥ {} (±{half} points, or to the scale's end)",
                                (e.value - half).max(0.0),
                                (e.value + half).min(100.0)
                            ),
                        );
                    }
                }
            }
            Evidence::Scenario => {}
        }
    }

    fn actor_ref(&mut self, kind: EntryKind, index: usize, field: String, id: &str, actors: &HashSet<&str>) {
        if !actors.contains(id) {
            self.report_ref(
                kind,
                index,
                field,
                id,
                format!(
                    "unknown actor `{id}`{}: define it as an [[actor]] first",
                    crate::suggest::did_you_mean(id, actors.iter().copied())
                ),
            );
        }
    }

    fn org_ref(&mut self, kind: EntryKind, index: usize, field: &str, id: &str, orgs: &HashSet<&str>) {
        if !orgs.contains(id) {
            self.report_ref(
                kind,
                index,
                field,
                id,
                format!(
                    "unknown organization `{id}`{}: define it as an [[organization]]",
                    crate::suggest::did_you_mean(id, orgs.iter().copied())
                ),
            );
        }
    }

    fn names(&mut self, kind: EntryKind, index: usize, names: &Names, all_three: bool) {
        if names.en.trim().is_empty() {
            self.report(kind, index, "name", "the English name is empty");
        }
        if all_three && (names.ru.is_none() || names.zh.is_none()) {
            self.report(
                kind,
                index,
                "name",
                "an actor needs names in English, Russian and Chinese (`en`, `ru`, `zh`)",
            );
        }
    }

    fn chronological<T>(&mut self, kind: EntryKind, index: usize, life: &[T], date: impl Fn(&T) -> PartialDate) {
        if life.is_empty() {
            self.report(
                kind,
                index,
                "life",
                "no life entry: give at least one dated status ([[…life]])",
            );
        }
        for i in 1..life.len() {
            if date(&life[i]) < date(&life[i - 1]) {
                self.report(
                    kind,
                    index,
                    format!("life[{i}].date"),
                    "life entries must be in chronological order, oldest first",
                );
            }
        }
    }
}

/// Checks every rule of the record and returns every breach (empty when the
/// record is consistent): duplicate ids, unknown references, missing or
/// unknown sources, impossible dates, overlapping statuses, malformed amounts.
pub fn check(record: &Record) -> Vec<Problem> {
    use EntryKind as K;
    let mut c = Checker {
        record,
        problems: Vec::new(),
    };
    let r = c.record;

    // Duplicate ids, in one namespace.
    let mut seen: HashMap<String, ()> = HashMap::new();
    let ids = r
        .sources
        .iter()
        .map(|e| (K::Source, e.id.as_str()))
        .chain(r.actors.iter().map(|e| (K::Actor, e.id.as_str())))
        .chain(r.bodies.iter().map(|e| (K::Body, e.id.as_str())))
        .chain(r.instruments.iter().map(|e| (K::Instrument, e.id.as_str())))
        .chain(r.events.iter().map(|e| (K::Event, e.id.as_str())));
    let mut counters: HashMap<EntryKind, usize> = HashMap::new();
    for (kind, id) in ids {
        let index = counters.entry(kind).or_default();
        if seen.insert(id.to_ascii_lowercase(), ()).is_some() {
            c.report(
                kind,
                *index,
                "id",
                format!("duplicate id `{id}`: ids must be unique across the record"),
            );
        }
        *index += 1;
    }
    let mut org_seen = HashSet::new();
    for (i, o) in r.organizations.iter().enumerate() {
        if !org_seen.insert(o.id.as_str()) {
            c.report(
                K::Organization,
                i,
                "id",
                format!("organization `{}` is defined twice", o.id),
            );
        }
    }

    let sources: HashSet<&str> = r.sources.iter().map(|s| s.id.as_str()).collect();
    let actors: HashSet<&str> = r.actors.iter().map(|a| a.id.as_str()).collect();
    let orgs: HashSet<&str> = r.organizations.iter().map(|o| o.id.as_str()).collect();

    for (i, a) in r.actors.iter().enumerate() {
        c.names(K::Actor, i, &a.name, true);
        c.provenance(K::Actor, i, "", &a.provenance, &sources);
        c.audited(K::Actor, i, &a.provenance, &sources);
    }
    for (i, s) in r.sources.iter().enumerate() {
        if s.publisher.trim().is_empty() || s.title.trim().is_empty() {
            c.report(K::Source, i, "title", "a source needs a `publisher` and a `title`");
        }
        let reference = s.reference.as_deref().is_some_and(|r| !r.trim().is_empty());
        match s.address.as_deref() {
            Some(a) if !is_full_address(a) => c.report(
                K::Source,
                i,
                "address",
                format!(
                    "`{a}` is not a full address: give the host and the path of the page (e.g. `tass.com/world/950697`), without spaces"
                ),
            ),
            None if !reference => c.report(
                K::Source,
                i,
                "address",
                "a source needs a full `address` (host and path) or a full bibliographic `reference`",
            ),
            _ => {}
        }
    }

    for (i, o) in r.organizations.iter().enumerate() {
        match r.actors.iter().find(|a| a.id == o.id) {
            None => c.report(
                K::Organization,
                i,
                "id",
                format!("organization `{}` must also be an [[actor]] of kind organization", o.id),
            ),
            Some(a) if a.kind != crate::ActorKind::Organization => c.report(
                K::Organization,
                i,
                "id",
                format!("actor `{}` is not of kind `organization`", o.id),
            ),
            Some(_) => {}
        }
        c.provenance(K::Organization, i, "", &o.provenance, &sources);
        c.audited(K::Organization, i, &o.provenance, &sources);
        let mut kinds = HashSet::new();
        for (j, s) in o.statuses.iter().enumerate() {
            if !kinds.insert(s.kind) {
                c.report(
                    K::Organization,
                    i,
                    format!("status[{j}].kind"),
                    format!("status `{}` is defined twice", s.kind.as_str()),
                );
            }
            if s.since < o.founded {
                c.report(
                    K::Organization,
                    i,
                    format!("status[{j}].since"),
                    format!(
                        "status created {} before the organization was founded ({})",
                        s.since, o.founded
                    ),
                );
            }
            if let Some(until) = s.until
                && until <= s.since
            {
                c.report(
                    K::Organization,
                    i,
                    format!("status[{j}].until"),
                    format!("`until` ({until}) must come after `since` ({})", s.since),
                );
            }
            c.provenance(K::Organization, i, &format!("status[{j}]."), &s.provenance, &sources);
        }
    }

    for (i, m) in r.memberships.iter().enumerate() {
        c.actor_ref(K::Membership, i, "actor".into(), m.actor.as_str(), &actors);
        c.org_ref(K::Membership, i, "org", m.org.as_str(), &orgs);
        c.provenance(K::Membership, i, "", &m.provenance, &sources);
        c.audited(K::Membership, i, &m.provenance, &sources);
        if let Some(to) = m.to
            && to <= m.from
        {
            c.report(
                K::Membership,
                i,
                "to",
                format!("the period ends ({to}) on or before it starts ({})", m.from),
            );
        }
        if let Some(org) = r.organizations.iter().find(|o| o.id == m.org) {
            if m.from < org.founded {
                c.report(
                    K::Membership,
                    i,
                    "from",
                    format!("{} did not exist before {}", org.id, org.founded),
                );
            }
            match org.status_kind(m.status) {
                None => {
                    let granted: Vec<_> = org.statuses.iter().map(|s| s.kind.as_str()).collect();
                    c.report(
                        K::Membership,
                        i,
                        "status",
                        format!(
                            "{} grants no status `{}`; it grants {}",
                            org.id,
                            m.status.as_str(),
                            granted.join(", ")
                        ),
                    )
                }
                Some(kind) => {
                    if m.from < kind.since {
                        c.report(
                            K::Membership,
                            i,
                            "from",
                            format!(
                                "{}'s status `{}` was created on {}, after {}",
                                org.id,
                                m.status.as_str(),
                                kind.since,
                                m.from
                            ),
                        );
                    }
                    if let Some(until) = kind.until
                        && m.to.is_none_or(|to| to > until)
                    {
                        c.report(
                            K::Membership,
                            i,
                            "to",
                            format!(
                                "{}'s status `{}` ended on {}: the period must end by then",
                                org.id,
                                m.status.as_str(),
                                until
                            ),
                        );
                    }
                }
            }
        }
    }
    // A guest period starts at a meeting the actor attended as a guest.
    for (i, m) in r.memberships.iter().enumerate() {
        if m.status == crate::Status::Guest
            && !r.events.iter().any(|e| {
                e.org == m.org
                    && e.date == m.from
                    && e.attendance
                        .iter()
                        .any(|a| a.actor == m.actor && a.capacity == crate::Status::Guest)
            })
        {
            c.report(
                K::Membership,
                i,
                "from",
                format!(
                    "a `guest` period starts on the day of a meeting of {} that {} attended as a guest; no [[event]] on {} lists it in its `attendance` with capacity `guest`",
                    m.org, m.actor, m.from
                ),
            );
        }
    }

    // Overlaps of one actor in one organization.
    let mut by_pair: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (i, m) in r.memberships.iter().enumerate() {
        by_pair.entry((m.actor.as_str(), m.org.as_str())).or_default().push(i);
    }
    let mut pairs: Vec<_> = by_pair.into_iter().collect();
    pairs.sort();
    for (_, mut idx) in pairs {
        idx.sort_by_key(|&i| (r.memberships[i].from, i));
        for w in idx.windows(2) {
            let (a, b) = (&r.memberships[w[0]], &r.memberships[w[1]]);
            if a.to.is_none_or(|to| to > b.from) {
                c.report(
                    K::Membership,
                    w[1],
                    "from",
                    format!(
                        "{} already holds `{}` in {} from {} {}: one actor holds one status at a time (end the earlier period with `to`)",
                        b.actor,
                        a.status.as_str(),
                        b.org,
                        a.from,
                        a.to.map_or("with no end".to_owned(), |t| format!("to {t}"))
                    ),
                );
            }
        }
    }

    for (i, b) in r.bodies.iter().enumerate() {
        c.names(K::Body, i, &b.name, false);
        c.org_ref(K::Body, i, "org", b.org.as_str(), &orgs);
        if let Some(p) = &b.proposer {
            c.actor_ref(K::Body, i, "proposer".into(), p.as_str(), &actors);
        }
        c.provenance(K::Body, i, "", &b.provenance, &sources);
        c.audited(K::Body, i, &b.provenance, &sources);
        c.chronological(K::Body, i, &b.life, |x| x.date);
        for (j, ch) in b.life.iter().enumerate() {
            c.provenance(K::Body, i, &format!("life[{j}]."), &ch.provenance, &sources);
        }
    }

    for (i, ins) in r.instruments.iter().enumerate() {
        c.names(K::Instrument, i, &ins.name, false);
        if let Some(o) = &ins.org {
            c.org_ref(K::Instrument, i, "org", o.as_str(), &orgs);
        }
        for (j, p) in ins.parties.iter().enumerate() {
            c.actor_ref(K::Instrument, i, format!("parties[{j}]"), p.as_str(), &actors);
        }
        if let Some(p) = &ins.proposer {
            c.actor_ref(K::Instrument, i, "proposer".into(), p.as_str(), &actors);
        }
        if ins.count == 0 || ins.count > MAX_INSTRUMENT_COUNT {
            c.report(
                K::Instrument,
                i,
                "count",
                format!(
                    "`count` = {}: an entry groups 1 to {MAX_INSTRUMENT_COUNT} like documents",
                    ins.count
                ),
            );
        }
        for (j, a) in ins.amounts.iter().enumerate() {
            if !(a.value.is_finite() && a.value >= 0.0) {
                c.report(
                    K::Instrument,
                    i,
                    format!("amount[{j}].value"),
                    "an amount must be a finite number ≥ 0",
                );
            }
            if !(a.currency.len() == 3 && a.currency.bytes().all(|b| b.is_ascii_uppercase())) {
                c.report(
                    K::Instrument,
                    i,
                    format!("amount[{j}].currency"),
                    format!(
                        "`{}` is not an ISO 4217 code: use three capital letters, e.g. USD",
                        a.currency
                    ),
                );
            }
        }
        c.provenance(K::Instrument, i, "", &ins.provenance, &sources);
        c.audited(K::Instrument, i, &ins.provenance, &sources);
        c.chronological(K::Instrument, i, &ins.life, |x| x.date);
        for (j, ch) in ins.life.iter().enumerate() {
            c.provenance(K::Instrument, i, &format!("life[{j}]."), &ch.provenance, &sources);
        }
    }

    for (i, e) in r.events.iter().enumerate() {
        c.org_ref(K::Event, i, "org", e.org.as_str(), &orgs);
        if let Some(h) = &e.host {
            c.actor_ref(K::Event, i, "host".into(), h.as_str(), &actors);
        }
        if let Some(end) = e.end
            && end < e.date
        {
            c.report(
                K::Event,
                i,
                "end",
                format!("the event ends ({end}) before it starts ({})", e.date),
            );
        }
        if let Some(org) = r.organizations.iter().find(|o| o.id == e.org)
            && e.date < org.founded
        {
            c.report(
                K::Event,
                i,
                "date",
                format!("{} did not exist before {}", org.id, org.founded),
            );
        }
        c.provenance(K::Event, i, "", &e.provenance, &sources);
        c.audited(K::Event, i, &e.provenance, &sources);
        let mut attended = HashSet::new();
        for (j, a) in e.attendance.iter().enumerate() {
            c.actor_ref(K::Event, i, format!("attendance[{j}].actor"), a.actor.as_str(), &actors);
            c.provenance(K::Event, i, &format!("attendance[{j}]."), &a.provenance, &sources);
            if !attended.insert(a.actor.as_str()) {
                c.report(
                    K::Event,
                    i,
                    format!("attendance[{j}].actor"),
                    format!("`{}` is listed twice in the attendance", a.actor),
                );
            }
            // A capacity other than `guest` is a status, which the memberships
            // must show on the event's first day.
            let held = r
                .memberships
                .iter()
                .find(|m| m.actor == a.actor && m.org == e.org && m.holds_on(e.date.first_day()))
                .map(|m| m.status);
            if a.capacity != crate::Status::Guest && held != Some(a.capacity) {
                c.report(
                    K::Event,
                    i,
                    format!("attendance[{j}].capacity"),
                    format!(
                        "`{}` attended as `{}`, but on {} its status in {} was {}: use its status, or `guest`",
                        a.actor,
                        a.capacity.as_str(),
                        e.date,
                        e.org,
                        held.map_or("none".to_owned(), |s| format!("`{}`", s.as_str()))
                    ),
                );
            }
        }
    }

    c.problems
}

/// Checks a model against the record it refers to: unknown actors, issues
/// or sources; ranges that do not hold their value; positions, saliences and
/// thresholds off the 0–100 scale; stances without a basis; duplicate
/// stances; actors with a stance but no capability.
pub fn check_model(model: &crate::model::Model, record: &Record) -> Vec<Problem> {
    use EntryKind as K;
    let mut c = Checker {
        record,
        problems: Vec::new(),
    };
    let actors: HashSet<&str> = record.actors.iter().map(|a| a.id.as_str()).collect();
    let orgs: HashSet<&str> = record.organizations.iter().map(|o| o.id.as_str()).collect();
    let sources: HashSet<&str> = record
        .sources
        .iter()
        .chain(&model.sources)
        .map(|s| s.id.as_str())
        .collect();
    // Sources by id with their dates: a stance resting on a source needs one
    // published on or before the model's date.
    let dated: HashMap<&str, Option<PartialDate>> = record
        .sources
        .iter()
        .chain(&model.sources)
        .map(|s| (s.id.as_str(), s.date))
        .collect();
    c.org_ref(K::Meta, 0, "org", model.meta.org.as_str(), &orgs);
    if let Some(org) = record.organizations.iter().find(|o| o.id == model.meta.org)
        && model.meta.date < org.founded
    {
        c.report(
            K::Meta,
            0,
            "date",
            format!(
                "the model's date {} is before {} was founded ({}): no one could decide its issues then",
                model.meta.date, org.id, org.founded
            ),
        );
    }
    let on_scale = |v: f64| (0.0..=100.0).contains(&v);

    let mut issue_ids = HashSet::new();
    for (i, issue) in model.issues.iter().enumerate() {
        if !issue_ids.insert(issue.id.as_str())
            || actors.contains(issue.id.as_str())
            || sources.contains(issue.id.as_str())
        {
            c.report(K::Issue, i, "id", format!("duplicate id `{}`", issue.id));
        }
        if !on_scale(issue.status_quo) {
            c.report(K::Issue, i, "status_quo", "the status quo must lie on the 0–100 scale");
        }
        if !on_scale(issue.threshold) {
            c.report(K::Issue, i, "threshold", "the threshold must lie on the 0–100 scale");
        }
        if issue.status_quo_basis.trim().is_empty() {
            c.report(
                K::Issue,
                i,
                "status_quo_basis",
                "say why the status quo is placed there",
            );
        }
        for end in [0.0, 50.0, 100.0] {
            if !issue.scale.iter().any(|p| p.at == end) {
                c.report(
                    K::Issue,
                    i,
                    "scale",
                    format!("describe what {end} means on the scale ([[issue.scale]] at = {end})"),
                );
            }
        }
        for (j, p) in issue.scale.iter().enumerate() {
            if !on_scale(p.at) {
                c.report(K::Issue, i, format!("scale[{j}].at"), "scale points lie on 0–100");
            }
        }
        c.provenance(K::Issue, i, "", &issue.provenance, &sources);
    }

    let mut capable = HashSet::new();
    for (i, cap) in model.capabilities.iter().enumerate() {
        c.actor_ref(K::Capability, i, "actor".into(), cap.actor.as_str(), &actors);
        if !capable.insert(cap.actor.as_str()) {
            c.report(
                K::Capability,
                i,
                "actor",
                format!("a second capability for `{}`", cap.actor),
            );
        }
        let e = cap.estimate;
        if !e.is_consistent() {
            c.report(
                K::Capability,
                i,
                "value",
                format!("the range [{}, {}] must hold the value {}", e.low, e.high, e.value),
            );
        }
        if !(e.low > 0.0 && e.high.is_finite()) {
            c.report(K::Capability, i, "low", "capabilities must be positive and finite");
        } else if e.high > MAX_CAPABILITY || e.value > MAX_CAPABILITY {
            c.report(
                K::Capability,
                i,
                "value",
                format!(
                    "capability {:e} is above {MAX_CAPABILITY:e}, the largest the engine's sums carry \
                     (see docs/reliability.md): rescale the indicator (e.g. to billions)",
                    e.high.max(e.value)
                ),
            );
        }
        if !sources.contains(cap.indicator.as_str()) {
            c.report_ref(
                K::Capability,
                i,
                "indicator",
                cap.indicator.as_str(),
                format!(
                    "unknown source `{}`{}: the indicator must be a [[source]]",
                    cap.indicator,
                    crate::suggest::did_you_mean(cap.indicator.as_str(), sources.iter().copied())
                ),
            );
        }
        if cap.basis.trim().is_empty() {
            c.report(K::Capability, i, "basis", "say how the value was obtained");
        }
        for m in &cap.measures {
            let key = m.measure.key();
            let e = m.estimate;
            if !e.is_consistent() {
                c.report(
                    K::Capability,
                    i,
                    format!("{key}.value"),
                    format!("the range [{}, {}] must hold the value {}", e.low, e.high, e.value),
                );
            }
            if !(e.low > 0.0 && e.high.is_finite()) || e.high > MAX_CAPABILITY || e.value > MAX_CAPABILITY {
                c.report(
                    K::Capability,
                    i,
                    format!("{key}.low"),
                    format!("{key} figures must be positive, finite and at most {MAX_CAPABILITY:e}"),
                );
            }
            if !sources.contains(m.source.as_str()) {
                c.report_ref(
                    K::Capability,
                    i,
                    format!("{key}.source"),
                    m.source.as_str(),
                    format!(
                        "unknown source `{}`{}: a {key} figure must cite a [[source]]",
                        m.source,
                        crate::suggest::did_you_mean(m.source.as_str(), sources.iter().copied())
                    ),
                );
            }
            if m.basis.trim().is_empty() {
                c.report(
                    K::Capability,
                    i,
                    format!("{key}.basis"),
                    "say how the figure was obtained",
                );
            }
        }
    }

    let mut pairs = HashSet::new();
    for (i, s) in model.stances.iter().enumerate() {
        c.actor_ref(K::Stance, i, "actor".into(), s.actor.as_str(), &actors);
        if !issue_ids.contains(s.issue.as_str()) {
            c.report_ref(
                K::Stance,
                i,
                "issue",
                s.issue.as_str(),
                format!(
                    "unknown issue `{}`{}: define it as an [[issue]]",
                    s.issue,
                    crate::suggest::did_you_mean(s.issue.as_str(), issue_ids.iter().copied())
                ),
            );
        }
        if !pairs.insert((s.actor.as_str(), s.issue.as_str())) {
            c.report(
                K::Stance,
                i,
                "actor",
                format!("a second stance of `{}` on `{}`", s.actor, s.issue),
            );
        }
        if actors.contains(s.actor.as_str()) && !capable.contains(s.actor.as_str()) {
            c.report(
                K::Stance,
                i,
                "actor",
                format!("`{}` has a stance but no [[capability]]", s.actor),
            );
        }
        for (field, e) in [("position", s.position), ("salience", s.salience)] {
            if !on_scale(e.value) {
                c.report(K::Stance, i, field, format!("{field} {} is outside 0–100", e.value));
                continue;
            }
            if !e.is_consistent() {
                c.report(
                    K::Stance,
                    i,
                    field,
                    format!("the range [{}, {}] must hold the value {}", e.low, e.high, e.value),
                );
            }
            if !(on_scale(e.low) && on_scale(e.high)) {
                c.report(
                    K::Stance,
                    i,
                    field,
                    format!("{field} and its range must lie on the 0–100 scale"),
                );
            }
        }
        if let Some(f) = s.capability_factor
            && !valid_capability_factor(f)
        {
            c.report(
                K::Stance,
                i,
                "capability_factor",
                format!("{CAPABILITY_FACTOR_RULE}, not {f}"),
            );
        }
        if s.basis.trim().is_empty() {
            c.report(
                K::Stance,
                i,
                "basis",
                "every stance needs a basis: quote or cite the passage it rests on",
            );
        }
        c.provenance(K::Stance, i, "", &s.provenance, &sources);
        c.stance_evidence(i, s, &model.meta.date, &dated);
    }

    check_links(&mut c, model, &issue_ids, &sources);

    // An issue nobody takes a stance on has nothing to forecast.
    for (i, issue) in model.issues.iter().enumerate() {
        if !model.stances.iter().any(|s| s.issue == issue.id) {
            // Field `stance` (located at the id) so that a reader can tell
            // this problem apart; it refers to the issue's id.
            c.report_ref(
                K::Issue,
                i,
                "stance",
                issue.id.as_str(),
                format!(
                    "issue `{}` has no [[stance]]: nothing to forecast; give the stances of the actors \
                     with a stake, or remove the issue",
                    issue.id
                ),
            );
        }
    }

    let mut lever_ids = HashSet::new();
    for (i, l) in model.levers.iter().enumerate() {
        if !lever_ids.insert(l.id.as_str()) || issue_ids.contains(l.id.as_str()) {
            c.report(K::Lever, i, "id", format!("duplicate id `{}`", l.id));
        }
        c.actor_ref(K::Lever, i, "actor".into(), l.actor.as_str(), &actors);
        if l.basis.trim().is_empty() {
            c.report(
                K::Lever,
                i,
                "basis",
                "every lever needs a basis: cite the passage that proposes it",
            );
        }
        if l.effects.is_empty() {
            c.report(K::Lever, i, "effect", "a lever needs at least one [[lever.effect]]");
        }
        for (j, e) in l.effects.iter().enumerate() {
            c.actor_ref(K::Lever, i, format!("effect[{j}].actor"), e.actor().as_str(), &actors);
            if !capable.contains(e.actor().as_str()) {
                c.report(
                    K::Lever,
                    i,
                    format!("effect[{j}].actor"),
                    format!("`{}` has no capability in the model", e.actor()),
                );
            }
            use crate::model::Effect as E;
            match e {
                E::Position { issue, shift, .. } | E::Salience { issue, shift, .. } => {
                    if !issue_ids.contains(issue.as_str()) {
                        c.report_ref(
                            K::Lever,
                            i,
                            format!("effect[{j}].issue"),
                            issue.as_str(),
                            format!("unknown issue `{issue}`"),
                        );
                    }
                    if !(shift.is_finite() && shift.abs() <= 100.0) {
                        c.report(
                            K::Lever,
                            i,
                            format!("effect[{j}].shift"),
                            "a shift lies between −100 and 100 points",
                        );
                    }
                }
                E::Capability {
                    issue, sphere, factor, ..
                } => {
                    match (issue, sphere) {
                        (Some(id), None) if !issue_ids.contains(id.as_str()) => c.report_ref(
                            K::Lever,
                            i,
                            format!("effect[{j}].issue"),
                            id.as_str(),
                            format!("unknown issue `{id}`"),
                        ),
                        (Some(_), None) | (None, Some(_)) => {}
                        _ => c.report(
                            K::Lever,
                            i,
                            format!("effect[{j}].kind"),
                            "a capability effect names either an issue or a sphere",
                        ),
                    }
                    if !valid_capability_factor(*factor) {
                        c.report(
                            K::Lever,
                            i,
                            format!("effect[{j}].factor"),
                            format!("{CAPABILITY_FACTOR_RULE}, not {factor}"),
                        );
                    }
                }
            }
        }
        c.provenance(K::Lever, i, "", &l.provenance, &sources);
    }
    c.problems
}

/// Whether an address names a page: a host with a dot, then a path or a
/// query, with no spaces and no ellipsis standing for a cut part
/// (`tass.com/world/950697`, not `unterm.un.org`,
/// `thehindu.com article27381151` or `uzdaily.com/en/sco-members…`).
pub fn is_full_address(address: &str) -> bool {
    let a = address.trim();
    let a = a
        .strip_prefix("https://")
        .or_else(|| a.strip_prefix("http://"))
        .unwrap_or(a);
    if a.is_empty() || a.chars().any(|c| c.is_whitespace() || c == '…') {
        return false;
    }
    match a.split_once(['/', '?']) {
        Some((host, rest)) => host.contains('.') && !rest.trim_matches('/').is_empty(),
        None => false,
    }
}

/// The number of independent sources that confirm an entry: its distinct
/// `verified` citations, with every part of the article counted once.
pub fn independent_sources(p: &Provenance) -> usize {
    let mut seen = HashSet::new();
    for c in &p.verified {
        seen.insert(match c {
            Citation::Source { id } => id.as_str(),
            Citation::ArticleSection { .. } | Citation::ArticleFootnote { .. } => "seed",
        });
    }
    seen.len()
}

/// Warnings (not errors): the record entries a forecast depends on that are
/// confirmed by fewer than two independent sources. A forecast depends on
/// every membership and every organization (they decide who votes and who
/// bargains at the forecast's date), and on every body, instrument or event
/// whose id the model names (in an issue, stance or lever).
pub fn single_source_warnings(record: &Record, model: Option<&crate::model::Model>) -> Vec<Problem> {
    use EntryKind as K;
    let mut c = Checker {
        record,
        problems: Vec::new(),
    };
    let mut texts: Vec<String> = Vec::new();
    if let Some(m) = model {
        for issue in &m.issues {
            texts.push(format!("{} {} {}", issue.status_quo_basis, issue.question, issue.name));
            texts.extend(issue.scale.iter().map(|p| p.means.clone()));
            texts.extend(issue.provenance.note.clone());
        }
        texts.extend(m.stances.iter().map(|s| s.basis.clone()));
        texts.extend(m.levers.iter().map(|l| l.basis.clone()));
    }
    let named = |id: &str| {
        texts.iter().any(|t| {
            t.match_indices(id).any(|(at, _)| {
                let before = t[..at].chars().next_back();
                let after = t[at + id.len()..].chars().next();
                let word = |ch: Option<char>| ch.is_some_and(|ch| ch.is_ascii_alphanumeric() || ch == '-');
                !word(before) && !word(after)
            })
        })
    };
    let warn = |c: &mut Checker, kind: K, i: usize, what: String, p: &Provenance| {
        let n = independent_sources(p);
        if n < 2 {
            c.report(
                kind,
                i,
                "verified",
                format!(
                    "{what}: a forecast depends on it and it rests on {} confirming source{} (give a second, independent one)",
                    if n == 0 { "no".to_owned() } else { n.to_string() },
                    if n == 1 { "" } else { "s" }
                ),
            );
        }
    };
    for (i, o) in record.organizations.iter().enumerate() {
        warn(
            &mut c,
            K::Organization,
            i,
            format!("organization {}", o.id),
            &o.provenance,
        );
    }
    for (i, m) in record.memberships.iter().enumerate() {
        let what = format!("{} {} of {} from {}", m.actor, m.status.as_str(), m.org, m.from);
        warn(&mut c, K::Membership, i, what, &m.provenance);
    }
    for (i, b) in record.bodies.iter().enumerate() {
        if named(b.id.as_str()) {
            warn(&mut c, K::Body, i, format!("body {}", b.id), &b.provenance);
        }
    }
    for (i, ins) in record.instruments.iter().enumerate() {
        if named(ins.id.as_str()) {
            warn(
                &mut c,
                K::Instrument,
                i,
                format!("instrument {}", ins.id),
                &ins.provenance,
            );
        }
    }
    for (i, e) in record.events.iter().enumerate() {
        if named(e.id.as_str()) {
            warn(&mut c, K::Event, i, format!("event {}", e.id), &e.provenance);
        }
    }
    c.problems
}

/// The rules of `[[link]]`: known issues of the model's organization, at
/// least two distinct issues, no issue linked to itself, and no cycle (a link
/// whose issues are already joined through other links: declare a package
/// once, with all its issues).
fn check_links(c: &mut Checker, model: &crate::model::Model, issue_ids: &HashSet<&str>, sources: &HashSet<&str>) {
    use EntryKind as K;
    let index_of = |id: &str| model.issues.iter().position(|i| i.id.as_str() == id);
    let mut parent: Vec<usize> = (0..model.issues.len()).collect();
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    // Which link joined two groups, to name it in a cycle's message.
    let mut joined_by: Vec<Option<usize>> = vec![None; model.issues.len()];
    let mut link_ids = HashSet::new();
    for (i, link) in model.links.iter().enumerate() {
        if !link_ids.insert(link.id.as_str()) || issue_ids.contains(link.id.as_str()) {
            c.report(K::Link, i, "id", format!("duplicate id `{}`", link.id));
        }
        if link.basis.trim().is_empty() {
            c.report(
                K::Link,
                i,
                "basis",
                "every link needs a basis: cite why these issues are negotiated together",
            );
        }
        let mut members: Vec<usize> = Vec::new();
        for (j, r) in link.issues.iter().enumerate() {
            let field = format!("issues[{j}]");
            if let Some(org) = &r.org
                && *org != model.meta.org
            {
                c.report(
                    K::Link,
                    i,
                    field,
                    format!(
                        "a link across organizations: `{}:{}` is not an issue of {}; a link joins issues of the model's organization only",
                        org, r.issue, model.meta.org
                    ),
                );
                continue;
            }
            let Some(k) = index_of(r.issue.as_str()) else {
                c.report_ref(
                    K::Link,
                    i,
                    field,
                    r.issue.as_str(),
                    format!("unknown issue `{}`: a link names issues defined as [[issue]]", r.issue),
                );
                continue;
            };
            if members.contains(&k) {
                c.report(
                    K::Link,
                    i,
                    field,
                    format!("issue `{}` is linked to itself: name each issue once", r.issue),
                );
                continue;
            }
            members.push(k);
        }
        if link.issues.len() < 2 {
            c.report(K::Link, i, "issues", "a link joins at least two different issues");
        }
        for (j, &k) in members.iter().enumerate().skip(1) {
            let (a, b) = (root(&mut parent, members[0]), root(&mut parent, k));
            if a == b {
                let through = joined_by[a]
                    .map(|l| format!(" (through link `{}`)", model.links[l].id))
                    .unwrap_or_default();
                c.report(
                    K::Link,
                    i,
                    format!("issues[{}]", link.issues.iter().position(|r| index_of(r.issue.as_str()) == Some(k)).unwrap_or(j)),
                    format!(
                        "a cycle of links: `{}` and `{}` are already linked{through}; declare the package once with all its issues",
                        model.issues[members[0]].id, model.issues[k].id
                    ),
                );
                continue;
            }
            let (lo, hi) = (a.min(b), a.max(b));
            parent[hi] = lo;
            joined_by[lo] = Some(i);
        }
        c.provenance(K::Link, i, "", &link.provenance, sources);
    }
}
