//! `accord model list issues|actors|levers|stances`: what the bargaining
//! model holds, with each stance's provenance (article, source, inference).

use std::collections::BTreeMap;
use std::path::PathBuf;

use accord_core::{
    Citation, Record,
    model::{Estimate, Evidence, Model},
};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;

use crate::output::{parse_choice, print_json, table};

/// Arguments of `accord model`.
#[derive(Debug, Args)]
pub struct ModelArgs {
    /// Read record and model from this data folder instead of the embedded SCO data.
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
    /// List the model's issues, actors, levers or stances.
    List {
        /// What to list.
        what: What,
        /// Stances only: those with this provenance (article, source, inference).
        #[arg(long, value_parser = |s: &str| parse_choice(s, &Evidence::IN_FILES, Evidence::as_str))]
        provenance: Option<Evidence>,
        /// Stances and levers only: those of this actor (e.g. KAZ).
        #[arg(long)]
        actor: Option<String>,
        /// Stances only: those on this issue (e.g. gas-opec).
        #[arg(long)]
        issue: Option<String>,
    },
}

/// The parts of the model `accord model list` can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum What {
    /// Contested questions, with status quo and threshold.
    Issues,
    /// Actors with a capability: status on the model's date, capability, stances.
    Actors,
    /// Named moves and how many changes each makes.
    Levers,
    /// Each actor's position and salience on each issue, with its provenance.
    Stances,
}

/// Loads the embedded SCO record and model, or a data folder (as `accord
/// check` takes it).
fn load(data: Option<&std::path::Path>) -> anyhow::Result<(Record, Model)> {
    crate::data::record_and_model(data)
}

/// Runs `accord model`.
pub fn run(args: ModelArgs) -> anyhow::Result<()> {
    let (record, model) = load(args.data.as_deref())?;
    let Query::List {
        what,
        provenance,
        actor,
        issue,
    } = args.query;
    if provenance.is_some() && what != What::Stances {
        anyhow::bail!("--provenance filters stances: use `accord model list stances --provenance …`");
    }
    if issue.is_some() && what != What::Stances {
        anyhow::bail!("--issue filters stances: use `accord model list stances --issue …`");
    }
    if let Some(a) = &actor
        && !model.capabilities.iter().any(|c| c.actor.as_str() == a)
    {
        let known: Vec<_> = model.capabilities.iter().map(|c| c.actor.as_str()).collect();
        let hint = crate::output::suggestion(a, known.iter().copied());
        anyhow::bail!("`{a}` is not an actor of the model{hint}: it has {}", known.join(", "));
    }
    if let Some(i) = &issue
        && !model.issues.iter().any(|x| x.id.as_str() == i)
    {
        let hint = crate::output::suggestion(i, model.issues.iter().map(|x| x.id.as_str()));
        anyhow::bail!("`{i}` is not an issue of the model{hint} (try `accord model list issues`)");
    }
    match what {
        What::Issues => issues(&model, args.json),
        What::Actors => actors(&record, &model, args.json),
        What::Levers => levers(&model, actor.as_deref(), args.json),
        What::Stances => stances(&model, provenance, actor.as_deref(), issue.as_deref(), args.json),
    }
}

fn issues(model: &Model, json: bool) -> anyhow::Result<()> {
    if json {
        return print_json(&model.issues);
    }
    let mut t = table(&["id", "sphere", "status quo", "threshold", "stances", "name"]);
    for i in &model.issues {
        let n = model.stances.iter().filter(|s| s.issue == i.id).count();
        t.add_row(vec![
            i.id.to_string(),
            i.sphere.as_str().to_owned(),
            i.status_quo.to_string(),
            i.threshold.to_string(),
            n.to_string(),
            i.name.clone(),
        ]);
    }
    outln!("{} — {} issues\n{t}", model.meta.title, model.issues.len());
    Ok(())
}

/// One actor of the model, as `accord model list actors --json` prints it.
#[derive(Debug, Serialize)]
struct ActorRow<'a> {
    actor: &'a str,
    name: &'a str,
    /// Status in the deciding organization on the model's date, if any.
    status: Option<&'static str>,
    votes: bool,
    capability: Estimate,
    stances: usize,
    /// Stances by provenance.
    provenance: BTreeMap<&'static str, usize>,
}

fn actors(record: &Record, model: &Model, json: bool) -> anyhow::Result<()> {
    let day = model.meta.date.first_day();
    let holdings = accord_core::query::status_on(record, model.meta.org.as_str(), day);
    let rows: Vec<ActorRow> = model
        .capabilities
        .iter()
        .map(|c| {
            let held = holdings.iter().find(|h| h.actor == c.actor.as_str());
            let own: Vec<_> = model.stances.iter().filter(|s| s.actor == c.actor).collect();
            ActorRow {
                actor: c.actor.as_str(),
                name: record
                    .actors
                    .iter()
                    .find(|a| a.id == c.actor)
                    .map_or("", |a| a.name.en.as_str()),
                status: held.map(|h| h.status.as_str()),
                votes: held.is_some_and(|h| h.votes),
                capability: c.estimate,
                stances: own.len(),
                provenance: by_provenance(own.iter().map(|s| s.evidence)),
            }
        })
        .collect();
    if json {
        return print_json(&rows);
    }
    let mut t = table(&[
        "actor",
        "name",
        "status",
        "votes",
        "capability",
        "stances",
        "article",
        "source",
        "inference",
    ]);
    for r in &rows {
        let count = |e: Evidence| r.provenance.get(e.as_str()).copied().unwrap_or(0).to_string();
        t.add_row(vec![
            r.actor.to_owned(),
            r.name.to_owned(),
            r.status.unwrap_or("—").to_owned(),
            if r.votes { "yes" } else { "no" }.to_owned(),
            format!("{:.5}", r.capability.value),
            r.stances.to_string(),
            count(Evidence::Article),
            count(Evidence::Source),
            count(Evidence::Inference),
        ]);
    }
    outln!(
        "{} — {} actors, statuses on {}\n{t}",
        model.meta.title,
        rows.len(),
        model.meta.date
    );
    Ok(())
}

fn levers(model: &Model, actor: Option<&str>, json: bool) -> anyhow::Result<()> {
    let chosen: Vec<_> = model
        .levers
        .iter()
        .filter(|l| actor.is_none_or(|a| l.actor.as_str() == a))
        .collect();
    if json {
        return print_json(&chosen);
    }
    let mut t = table(&["id", "actor", "effects", "issues", "name"]);
    for l in &chosen {
        let mut touched: Vec<String> = l
            .effects
            .iter()
            .filter_map(|e| match e {
                accord_core::model::Effect::Position { issue, .. }
                | accord_core::model::Effect::Salience { issue, .. } => Some(issue.to_string()),
                accord_core::model::Effect::Capability { issue, sphere, .. } => issue
                    .as_ref()
                    .map(|i| i.to_string())
                    .or_else(|| sphere.map(|s| format!("({})", s.as_str()))),
            })
            .collect();
        touched.sort();
        touched.dedup();
        t.add_row(vec![
            l.id.to_string(),
            l.actor.to_string(),
            l.effects.len().to_string(),
            touched.join(", "),
            l.name.clone(),
        ]);
    }
    outln!("{} levers\n{t}", chosen.len());
    Ok(())
}

fn stances(
    model: &Model,
    provenance: Option<Evidence>,
    actor: Option<&str>,
    issue: Option<&str>,
    json: bool,
) -> anyhow::Result<()> {
    let chosen: Vec<_> = model
        .stances
        .iter()
        .filter(|s| provenance.is_none_or(|p| s.evidence == p))
        .filter(|s| actor.is_none_or(|a| s.actor.as_str() == a))
        .filter(|s| issue.is_none_or(|i| s.issue.as_str() == i))
        .collect();
    if json {
        return print_json(&chosen);
    }
    let range = |e: &Estimate| format!("{} ({}–{})", e.value, e.low, e.high);
    let mut t = table(&["actor", "issue", "position", "salience", "provenance", "sources"]);
    for s in &chosen {
        let cites: Vec<String> = s.provenance.sources.iter().map(Citation::to_string).collect();
        t.add_row(vec![
            s.actor.to_string(),
            s.issue.to_string(),
            range(&s.position),
            range(&s.salience),
            s.evidence.as_str().to_owned(),
            cites.join(", "),
        ]);
    }
    let counts = by_provenance(chosen.iter().map(|s| s.evidence));
    let summary: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
    outln!("{t}\n{} stances: {}", chosen.len(), summary.join(", "));
    Ok(())
}

/// Counts by provenance name.
fn by_provenance(items: impl Iterator<Item = Evidence>) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for e in items {
        *counts.entry(e.as_str()).or_insert(0) += 1;
    }
    counts
}
