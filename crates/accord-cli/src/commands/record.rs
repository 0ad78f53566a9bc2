//! `accord record …`: questions asked of the dated record.

use std::path::PathBuf;

use accord_core::{
    Citation, EntryRef, InstrumentStatus, Provenance, Record, Sphere,
    query::{self, InstrumentFilter},
};
use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Subcommand};

use crate::output::{parse_choice, parse_day, print_json, suggestion, table, today};

/// Arguments of `accord record`.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// Read the record from this data folder instead of the embedded SCO
    /// record: a folder holding record/ (such as data/sco), or a record
    /// folder itself, as `accord check` takes it.
    #[arg(long, global = true, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    query: Query,
}

#[derive(Debug, Subcommand)]
enum Query {
    /// Who held which status in an organization on a day.
    Status {
        /// The organization.
        #[arg(long, default_value = "SCO")]
        org: String,
        /// The day (YYYY-MM-DD; default today).
        #[arg(long, value_parser = parse_day)]
        at: Option<NaiveDate>,
    },
    /// An actor's statuses in every organization.
    Timeline {
        /// The actor's code, e.g. RUS.
        actor: String,
    },
    /// The bodies of an organization and their status on a day.
    Bodies {
        /// The organization.
        #[arg(long, default_value = "SCO")]
        org: String,
        /// The day (YYYY-MM-DD; default today).
        #[arg(long, value_parser = parse_day)]
        at: Option<NaiveDate>,
    },
    /// Instruments (charters, agreements, programs, proposals …), filtered.
    Instruments {
        /// Only those with this status (on --at, or their last recorded status).
        #[arg(long, value_parser = |s: &str| parse_choice(s, &InstrumentStatus::ALL, InstrumentStatus::as_str))]
        status: Option<InstrumentStatus>,
        /// Only this sphere.
        #[arg(long, value_parser = |s: &str| parse_choice(s, &Sphere::ALL, Sphere::as_str))]
        sphere: Option<Sphere>,
        /// Only those first recorded on or after this day.
        #[arg(long, value_parser = parse_day)]
        from: Option<NaiveDate>,
        /// Only those first recorded on or before this day.
        #[arg(long, value_parser = parse_day)]
        to: Option<NaiveDate>,
        /// Read statuses on this day instead of the last recorded one.
        #[arg(long, value_parser = parse_day)]
        at: Option<NaiveDate>,
    },
    /// Declared versus carried out, per sphere.
    Gap {
        /// The organization.
        #[arg(long, default_value = "SCO")]
        org: String,
        /// The day (YYYY-MM-DD; default today).
        #[arg(long, value_parser = parse_day)]
        at: Option<NaiveDate>,
    },
    /// One entry with its full citations.
    Show {
        /// An actor code (RUS) or an entry id (rats).
        id: String,
    },
    /// Find entries by name in English, Russian or Chinese.
    Search {
        /// Text to look for.
        text: String,
    },
}

/// Loads the embedded SCO record or the record of a data folder.
pub fn load(data: Option<&std::path::Path>) -> anyhow::Result<Record> {
    crate::data::record(data)
}

/// Runs `accord record`.
pub fn run(args: RecordArgs) -> anyhow::Result<()> {
    let record = load(args.data.as_deref())?;
    let json = args.json;
    match args.query {
        Query::Status { org, at } => status(&record, &org, at.unwrap_or_else(today), json),
        Query::Timeline { actor } => timeline(&record, &actor, json),
        Query::Bodies { org, at } => bodies(&record, &org, at.unwrap_or_else(today), json),
        Query::Instruments {
            status,
            sphere,
            from,
            to,
            at,
        } => instruments(
            &record,
            &InstrumentFilter {
                status,
                sphere,
                from,
                to,
                on: at,
            },
            json,
        ),
        Query::Gap { org, at } => gap(&record, &org, at.unwrap_or_else(today), json),
        Query::Show { id } => show(&record, &id, json),
        Query::Search { text } => search(&record, &text, json),
    }
}

fn known_org(record: &Record, org: &str) -> anyhow::Result<()> {
    if record.organizations.iter().any(|o| o.id.as_str() == org) {
        return Ok(());
    }
    let known: Vec<_> = record.organizations.iter().map(|o| o.id.as_str()).collect();
    let hint = suggestion(org, known.iter().copied());
    anyhow::bail!(
        "unknown organization `{org}`{hint}: the record tracks {}",
        known.join(", ")
    )
}

/// [`known_org`], and `at` not before the organization was founded: before
/// it there is nothing to show, and an empty table would pass for an answer.
fn existing_org(record: &Record, org: &str, at: NaiveDate) -> anyhow::Result<()> {
    known_org(record, org)?;
    if let Some(o) = record.organizations.iter().find(|o| o.id.as_str() == org)
        && at < o.founded.first_day()
    {
        anyhow::bail!(
            "{org} was founded on {}; on {at} it had no members, bodies or instruments: give a date from {} on",
            o.founded,
            o.founded.first_day()
        );
    }
    Ok(())
}

fn status(record: &Record, org: &str, at: NaiveDate, json: bool) -> anyhow::Result<()> {
    existing_org(record, org, at)?;
    let rows = query::status_on(record, org, at);
    if json {
        return print_json(&rows);
    }
    let mut t = table(&["actor", "name", "status", "since", "votes"]);
    for r in &rows {
        t.add_row(vec![
            r.actor,
            r.name,
            r.status.as_str(),
            &r.since.to_string(),
            if r.votes { "yes" } else { "no" },
        ]);
    }
    outln!("{org} on {at}\n{t}");
    for s in accord_core::Status::ALL {
        let n = rows.iter().filter(|r| r.status == s).count();
        if n > 0 {
            out!("{n} {}  ", s.as_str());
        }
    }
    outln!();
    Ok(())
}

fn timeline(record: &Record, actor: &str, json: bool) -> anyhow::Result<()> {
    let index = record.index();
    let a = index.actor(record, actor).with_context(|| {
        let hint = suggestion(actor, record.actors.iter().map(|a| a.id.as_str()));
        format!("unknown actor `{actor}`{hint} (try `accord record search`)")
    })?;
    let rows = query::timeline(record, actor);
    if json {
        return print_json(&rows);
    }
    let mut t = table(&["organization", "status", "from", "to", "sources"]);
    for m in &rows {
        t.add_row(vec![
            m.org.to_string(),
            m.status.as_str().to_owned(),
            m.from.to_string(),
            m.to.map_or("—".into(), |d| d.to_string()),
            cites(&m.provenance),
        ]);
    }
    outln!("{} ({})\n{t}", a.name.en, a.id);
    Ok(())
}

fn bodies(record: &Record, org: &str, at: NaiveDate, json: bool) -> anyhow::Result<()> {
    existing_org(record, org, at)?;
    let rows = query::bodies_on(record, org, at);
    if json {
        return print_json(&rows);
    }
    let mut t = table(&["id", "name", "sphere", "seat", "status", "since"]);
    for r in &rows {
        t.add_row(vec![
            r.body.id.to_string(),
            r.body.name.en.clone(),
            r.body.sphere.as_str().to_owned(),
            r.body.seat.clone().unwrap_or_default(),
            serde_json::to_value(r.status)?.as_str().unwrap_or_default().to_owned(),
            r.since.to_string(),
        ]);
    }
    outln!("Bodies of {org} on {at}\n{t}");
    Ok(())
}

fn instruments(record: &Record, filter: &InstrumentFilter, json: bool) -> anyhow::Result<()> {
    // Filters that can match nothing would print an empty table that
    // passes for an answer.
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && from > to
    {
        anyhow::bail!("--from {from} is after --to {to}: no day is in that range; swap them");
    }
    if let Some(first) = record.organizations.iter().map(|o| o.founded.first_day()).min() {
        for (flag, day) in [("--to", filter.to), ("--at", filter.on)] {
            if let Some(day) = day
                && day < first
            {
                anyhow::bail!(
                    "{flag} {day} is before the first organization of the record was founded ({first}):                      no instrument existed yet; give a date from {first} on"
                );
            }
        }
    }
    let rows = query::instruments(record, filter);
    if json {
        return print_json(&rows);
    }
    let mut t = table(&[
        "id", "kind", "name", "sphere", "status", "proposed", "signed", "in force",
    ]);
    for r in &rows {
        let i = r.instrument;
        let date = |s| i.date_of(s).map_or(String::new(), |d| d.to_string());
        t.add_row(vec![
            i.id.to_string(),
            serde_json::to_value(i.kind)?.as_str().unwrap_or_default().to_owned(),
            if i.count > 1 {
                format!("{} (×{})", i.name.en, i.count)
            } else {
                i.name.en.clone()
            },
            i.sphere.as_str().to_owned(),
            r.status.map_or("—".into(), |s| s.as_str().to_owned()),
            date(InstrumentStatus::Proposed),
            date(InstrumentStatus::Signed),
            date(InstrumentStatus::InForce),
        ]);
    }
    outln!("{t}\n{} entries", rows.len());
    Ok(())
}

fn gap(record: &Record, org: &str, at: NaiveDate, json: bool) -> anyhow::Result<()> {
    existing_org(record, org, at)?;
    let rows = query::gap(record, org, at);
    if json {
        return print_json(&rows);
    }
    let mut t = table(&[
        "sphere",
        "entries",
        "proposed",
        "signed/adopted",
        "in force",
        "carried out",
        "stalled",
        "rejected",
    ]);
    for r in &rows {
        t.add_row(vec![
            r.sphere.map_or("all spheres".into(), |s| s.as_str().to_owned()),
            r.entries.to_string(),
            r.proposed.to_string(),
            r.signed.to_string(),
            r.in_force.to_string(),
            r.carried_out.to_string(),
            r.stalled.to_string(),
            r.rejected.to_string(),
        ]);
    }
    outln!("{org}: declared versus carried out, as of {at} (instruments; an entry may stand for several)\n{t}");
    Ok(())
}

fn cites(p: &Provenance) -> String {
    p.sources.iter().map(Citation::to_string).collect::<Vec<_>>().join(", ")
}

fn show(record: &Record, id: &str, json: bool) -> anyhow::Result<()> {
    let index = record.index();
    let entry = index.entry(record, id).with_context(|| {
        let ids = record
            .actors
            .iter()
            .map(|a| a.id.as_str())
            .chain(record.bodies.iter().map(|b| b.id.as_str()))
            .chain(record.instruments.iter().map(|i| i.id.as_str()))
            .chain(record.events.iter().map(|e| e.id.as_str()))
            .chain(record.sources.iter().map(|s| s.id.as_str()));
        let hint = suggestion(id, ids);
        format!("no entry `{id}`{hint} (try `accord record search {id}`)")
    })?;
    if json {
        return print_json(&entry);
    }
    // A person reads the entry as TOML-like text, then every citation resolved.
    let mut value = serde_json::to_value(entry)?;
    // An event's attendance reads better as one line per attendee.
    let attendance = value.as_object_mut().and_then(|m| m.remove("attendance"));
    print_value(&value, 0)?;
    if let (EntryRef::Event(e), Some(_)) = (entry, &attendance) {
        outln!("attendance:");
        for a in &e.attendance {
            let name = index.actor(record, a.actor.as_str()).map_or("", |x| x.name.en.as_str());
            outln!(
                "  {:<6} {:<28} {:<17} [{}]{}",
                a.actor.as_str(),
                name,
                a.capacity.as_str(),
                cites(&a.provenance),
                a.provenance.note.as_ref().map_or(String::new(), |n| format!("  {n}"))
            );
        }
    }
    let mut provenance_sources = collect_citations(&value);
    if let Some(att) = &attendance {
        for c in collect_citations(att) {
            if !provenance_sources.contains(&c) {
                provenance_sources.push(c);
            }
        }
    }
    if !provenance_sources.is_empty() {
        outln!("\ncitations:");
        for c in provenance_sources {
            outln!("  {}", describe_citation(record, &index, &c));
        }
    }
    if let EntryRef::Actor(a) = entry {
        let memberships = query::timeline(record, a.id.as_str());
        if !memberships.is_empty() {
            outln!("\nstatuses:");
            for m in memberships {
                let to = m.to.map_or("".into(), |d| d.to_string());
                outln!(
                    "  {} {} {} – {}  [{}]",
                    m.org,
                    m.status.as_str(),
                    m.from,
                    to,
                    cites(&m.provenance)
                );
            }
        }
    }
    Ok(())
}

fn print_value(v: &serde_json::Value, depth: usize) -> anyhow::Result<()> {
    let pad = "  ".repeat(depth);
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match v {
                    serde_json::Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
                        outln!("{pad}{k}: {}", items.iter().map(scalar).collect::<Vec<_>>().join(", "));
                    }
                    serde_json::Value::Object(_) | serde_json::Value::Array(_) => {
                        outln!("{pad}{k}:");
                        print_value(v, depth + 1)?;
                    }
                    _ => {
                        outln!("{pad}{k}: {}", scalar(v));
                    }
                }
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                match item {
                    serde_json::Value::Object(_) => {
                        outln!("{pad}-");
                        print_value(item, depth + 1)?;
                    }
                    _ => {
                        outln!("{pad}- {}", scalar(item));
                    }
                }
            }
        }
        _ => {
            outln!("{pad}{}", scalar(v));
        }
    }
    Ok(())
}

fn scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn collect_citations(v: &serde_json::Value) -> Vec<Citation> {
    fn walk(v: &serde_json::Value, out: &mut Vec<Citation>) {
        match v {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::Array(list)) = map.get("sources") {
                    for c in list
                        .iter()
                        .filter_map(|c| c.as_str())
                        .filter_map(|c| Citation::parse(c).ok())
                    {
                        if !out.contains(&c) {
                            out.push(c);
                        }
                    }
                }
                map.values().for_each(|v| walk(v, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut out);
    out
}

fn describe_citation(record: &Record, index: &accord_core::record::Index, c: &Citation) -> String {
    const ARTICLE: &str = "M. Starchak, \"The Shanghai Cooperation Organization: Opportunities for Russia\" (2010)";
    match c {
        Citation::ArticleSection { section } => format!("{c}  {ARTICLE}, section \"{}\"", section.heading()),
        Citation::ArticleFootnote { number } => format!("{c}  {ARTICLE}, footnote {number}"),
        Citation::Source { id } => match index.entry(record, id.as_str()) {
            Some(EntryRef::Source(s)) => format!(
                "{c}  {}, \"{}\"{}{}",
                s.publisher,
                s.title,
                s.date.map_or(String::new(), |d| format!(", {d}")),
                s.address
                    .as_ref()
                    .or(s.reference.as_ref())
                    .map_or(String::new(), |a| format!(", {a}"))
            ),
            _ => format!("{c}  (unknown source)"),
        },
    }
}

fn search(record: &Record, text: &str, json: bool) -> anyhow::Result<()> {
    if text.trim().is_empty() {
        anyhow::bail!("the text to search for is empty: give a word of a name, e.g. `accord record search Tashkent`");
    }
    let hits = query::search(record, text);
    if json {
        return print_json(&hits);
    }
    let mut t = table(&["id", "entry", "name"]);
    for h in &hits {
        let (id, kind, name) = match h {
            EntryRef::Actor(a) => (a.id.to_string(), "actor", a.name.all().collect::<Vec<_>>().join(" / ")),
            EntryRef::Body(b) => (b.id.to_string(), "body", b.name.all().collect::<Vec<_>>().join(" / ")),
            EntryRef::Instrument(i) => (
                i.id.to_string(),
                "instrument",
                i.name.all().collect::<Vec<_>>().join(" / "),
            ),
            EntryRef::Event(e) => (e.id.to_string(), "event", format!("{} {}", e.city, e.date)),
            EntryRef::Source(s) => (s.id.to_string(), "source", format!("{}: {}", s.publisher, s.title)),
        };
        t.add_row(vec![id, kind.to_owned(), name]);
    }
    outln!("{t}\n{} found", hits.len());
    Ok(())
}
