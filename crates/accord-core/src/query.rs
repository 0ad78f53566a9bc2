//! The questions users ask of the record, answered from a loaded [`Record`].
//! The record is small (hundreds of entries): linear scans answer in
//! microseconds; ids are looked up through [`crate::record::Index`].

use chrono::NaiveDate;
use serde::Serialize;

use crate::{Body, BodyStatus, EntryRef, Instrument, InstrumentStatus, Membership, Record, Sphere, Status};

/// Who held which status in an organization on one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusHolding<'a> {
    /// The actor's code.
    pub actor: &'a str,
    /// The actor's English name.
    pub name: &'a str,
    /// Its status that day.
    pub status: Status,
    /// Since when it held that status without interruption.
    pub since: crate::PartialDate,
    /// Whether the status votes in the organization.
    pub votes: bool,
    /// The membership entry.
    #[serde(skip)]
    pub membership: &'a Membership,
}

/// Every actor with a status in `org` on `day`, most involved status first,
/// then by actor code.
pub fn status_on<'a>(record: &'a Record, org: &str, day: NaiveDate) -> Vec<StatusHolding<'a>> {
    let organization = record.organizations.iter().find(|o| o.id.as_str() == org);
    let mut out: Vec<StatusHolding<'a>> = record
        .memberships
        .iter()
        .filter(|m| m.org.as_str() == org && m.holds_on(day))
        .map(|m| StatusHolding {
            actor: m.actor.as_str(),
            name: record
                .actors
                .iter()
                .find(|a| a.id == m.actor)
                .map_or("", |a| a.name.en.as_str()),
            status: m.status,
            since: continuous_since(record, m),
            votes: organization
                .and_then(|o| o.status_kind(m.status))
                .is_some_and(|k| k.vote),
            membership: m,
        })
        .collect();
    out.sort_by(|a, b| (a.status, a.actor).cmp(&(b.status, b.actor)));
    out
}

/// Start of an unbroken run of the same status (periods that abut are joined).
fn continuous_since(record: &Record, m: &Membership) -> crate::PartialDate {
    let mut since = m.from;
    loop {
        let before = record
            .memberships
            .iter()
            .find(|p| p.actor == m.actor && p.org == m.org && p.status == m.status && p.to == Some(since));
        match before {
            Some(p) => since = p.from,
            None => return since,
        }
    }
}

/// Every status an actor held in any organization, by organization then date.
pub fn timeline<'a>(record: &'a Record, actor: &str) -> Vec<&'a Membership> {
    let mut out: Vec<&Membership> = record
        .memberships
        .iter()
        .filter(|m| m.actor.as_str() == actor)
        .collect();
    out.sort_by(|a, b| (a.org.as_str(), a.from).cmp(&(b.org.as_str(), b.from)));
    out
}

/// Every status any actor held in `org`, sorted by actor, then start: the
/// organization's membership timeline.
pub fn memberships_in<'a>(record: &'a Record, org: &str) -> Vec<&'a Membership> {
    let mut out: Vec<&Membership> = record.memberships.iter().filter(|m| m.org.as_str() == org).collect();
    out.sort_by(|a, b| (a.actor.as_str(), a.from).cmp(&(b.actor.as_str(), b.from)));
    out
}

/// A body with its status on the day asked about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BodyOnDay<'a> {
    /// The body.
    pub body: &'a Body,
    /// Its status that day.
    pub status: BodyStatus,
    /// Since when.
    pub since: crate::PartialDate,
}

/// The bodies of `org` that had a recorded status on `day`.
pub fn bodies_on<'a>(record: &'a Record, org: &str, day: NaiveDate) -> Vec<BodyOnDay<'a>> {
    record
        .bodies
        .iter()
        .filter(|b| b.org.as_str() == org)
        .filter_map(|b| {
            b.status_on(day).map(|c| BodyOnDay {
                body: b,
                status: c.status,
                since: c.date,
            })
        })
        .collect()
}

/// Filters for [`instruments`].
#[derive(Debug, Clone, Default)]
pub struct InstrumentFilter {
    /// Only instruments with this status on `on`.
    pub status: Option<InstrumentStatus>,
    /// Only this sphere.
    pub sphere: Option<Sphere>,
    /// Only instruments whose first recorded date is on or after this day.
    pub from: Option<NaiveDate>,
    /// Only instruments whose first recorded date is on or before this day.
    pub to: Option<NaiveDate>,
    /// The day on which the status is read (default: the last recorded status).
    pub on: Option<NaiveDate>,
}

/// An instrument with its status on the day asked about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstrumentOnDay<'a> {
    /// The instrument.
    pub instrument: &'a Instrument,
    /// Its status that day (`None` before its first recorded step).
    pub status: Option<InstrumentStatus>,
}

/// The instruments that pass the filter, in record order.
pub fn instruments<'a>(record: &'a Record, filter: &InstrumentFilter) -> Vec<InstrumentOnDay<'a>> {
    record
        .instruments
        .iter()
        .filter_map(|ins| {
            let first = ins.life.first().map(|c| c.date.first_day());
            if let (Some(from), Some(first)) = (filter.from, first)
                && first < from
            {
                return None;
            }
            if let (Some(to), Some(first)) = (filter.to, first)
                && first > to
            {
                return None;
            }
            if filter.sphere.is_some_and(|s| s != ins.sphere) {
                return None;
            }
            let status = match filter.on {
                Some(day) => ins.status_on(day).map(|c| c.status),
                None => ins.life.last().map(|c| c.status),
            };
            if filter.status.is_some() && filter.status != status {
                return None;
            }
            Some(InstrumentOnDay {
                instrument: ins,
                status,
            })
        })
        .collect()
}

/// One row of the declared-versus-carried-out table.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct GapRow {
    /// The sphere.
    pub sphere: Option<Sphere>,
    /// Entries counted (an entry may stand for several instruments).
    pub entries: u32,
    /// Instruments proposed by the day (every instrument begins as a
    /// proposal, whether or not the record dates the proposal).
    pub proposed: u32,
    /// Instruments adopted or signed by the day.
    pub signed: u32,
    /// Instruments that entered into force by the day.
    pub in_force: u32,
    /// Instruments carried out by the day.
    pub carried_out: u32,
    /// Instruments stalled on the day.
    pub stalled: u32,
    /// Instruments rejected or expired on the day.
    pub rejected: u32,
}

/// Declared versus carried out, per sphere and in total (last row), for the
/// instruments made within `org` that existed on `day`. Counts are
/// cumulative stages ("how many got at least this far") except `stalled`
/// and `rejected`, which are the status on the day. Entries that stand for
/// several instruments (e.g. 120 programs) count with their `count`.
pub fn gap(record: &Record, org: &str, day: NaiveDate) -> Vec<GapRow> {
    let mut rows: Vec<GapRow> = Sphere::ALL
        .iter()
        .map(|&s| GapRow {
            sphere: Some(s),
            ..GapRow::default()
        })
        .collect();
    let mut total = GapRow::default();
    for ins in record
        .instruments
        .iter()
        .filter(|i| i.org.as_ref().is_some_and(|o| o.as_str() == org))
    {
        let Some(now) = ins.status_on(day) else { continue };
        let n = ins.count;
        let row = rows
            .iter_mut()
            .find(|r| r.sphere == Some(ins.sphere))
            .expect("every sphere has a row");
        for r in [row, &mut total] {
            // Saturating: counts come from files (each bounded by `check`).
            r.entries = r.entries.saturating_add(1);
            r.proposed = r.proposed.saturating_add(n);
            if ins.reached_by(InstrumentStatus::Adopted, day) || ins.reached_by(InstrumentStatus::Signed, day) {
                r.signed = r.signed.saturating_add(n);
            }
            if ins.reached_by(InstrumentStatus::InForce, day) {
                r.in_force = r.in_force.saturating_add(n);
            }
            if ins.reached_by(InstrumentStatus::CarriedOut, day) {
                r.carried_out = r.carried_out.saturating_add(n);
            }
            match now.status {
                InstrumentStatus::Stalled => r.stalled += n,
                InstrumentStatus::Rejected | InstrumentStatus::Expired => r.rejected += n,
                _ => {}
            }
        }
    }
    rows.retain(|r| r.entries > 0);
    rows.push(total);
    rows
}

/// Entries whose id or any name (English, Russian, Chinese) contains `text`,
/// case-insensitively.
pub fn search<'a>(record: &'a Record, text: &str) -> Vec<EntryRef<'a>> {
    let needle = text.to_lowercase();
    let hit = |id: &str, names: Vec<&str>| {
        id.to_lowercase().contains(&needle) || names.iter().any(|n| n.to_lowercase().contains(&needle))
    };
    let mut out = Vec::new();
    out.extend(
        record
            .actors
            .iter()
            .filter(|a| hit(a.id.as_str(), a.name.all().collect()))
            .map(EntryRef::Actor),
    );
    out.extend(
        record
            .bodies
            .iter()
            .filter(|b| hit(b.id.as_str(), b.name.all().collect()))
            .map(EntryRef::Body),
    );
    out.extend(
        record
            .instruments
            .iter()
            .filter(|i| hit(i.id.as_str(), i.name.all().collect()))
            .map(EntryRef::Instrument),
    );
    out.extend(
        record
            .events
            .iter()
            .filter(|e| hit(e.id.as_str(), vec![e.city.as_str()]))
            .map(EntryRef::Event),
    );
    out.extend(
        record
            .sources
            .iter()
            .filter(|s| hit(s.id.as_str(), vec![s.title.as_str(), s.publisher.as_str()]))
            .map(EntryRef::Source),
    );
    out
}
