//! `accord report`: the main job. For now it prints the record's summary of
//! the SCO (membership today and in 2010, bodies, the declared-versus-carried-
//! out gap); the forecasts join it when the SCO model lands.

use clap::Args;

use crate::output::{table, today};

/// Arguments of `accord report`.
#[derive(Debug, Args)]
pub struct ReportArgs {}

/// Runs `accord report`.
pub fn run(_args: ReportArgs) -> anyhow::Result<()> {
    let record = crate::commands::record::load(None)?;
    let sco = record.index().organization(&record, "SCO").cloned().ok_or_else(|| anyhow::anyhow!("no SCO in the record"))?;
    println!("The Shanghai Cooperation Organization — summary of the record");
    println!(
        "founded {}, secretariat in {}, decides by {:?}",
        sco.founded,
        sco.seat.as_deref().unwrap_or("?"),
        sco.decision_rule
    );
    if let Some(note) = &sco.decision_note {
        println!("{note}");
    }
    let article_day = chrono::NaiveDate::from_ymd_opt(2010, 6, 1).expect("valid date");
    for day in [article_day, today()] {
        let holders = accord_core::query::status_on(&record, "SCO", day);
        let mut t = table(&["status", "count", "actors"]);
        for s in accord_core::Status::ALL {
            let ids: Vec<&str> = holders.iter().filter(|h| h.status == s).map(|h| h.actor).collect();
            if !ids.is_empty() {
                t.add_row(vec![s.as_str().to_owned(), ids.len().to_string(), ids.join(" ")]);
            }
        }
        println!("\nStatuses on {day}\n{t}");
    }
    let gap = accord_core::query::gap(&record, "SCO", article_day);
    let mut t = table(&["sphere", "proposed", "signed/adopted", "in force", "carried out", "stalled"]);
    for r in &gap {
        t.add_row(vec![
            r.sphere.map_or("all spheres".into(), |s| s.as_str().to_owned()),
            r.proposed.to_string(),
            r.signed.to_string(),
            r.in_force.to_string(),
            r.carried_out.to_string(),
            r.stalled.to_string(),
        ]);
    }
    println!("\nDeclared versus carried out, as of {article_day} (the article's complaint)\n{t}");
    let summits = record.events.iter().filter(|e| e.org.as_str() == "SCO" && e.kind == accord_core::EventKind::Summit);
    println!("\n{} summits recorded; {} bodies; {} instruments; {} sources.", summits.count(), record.bodies.len(), record.instruments.len(), record.sources.len());
    println!("Ask more with `accord record --help`.");
    Ok(())
}
