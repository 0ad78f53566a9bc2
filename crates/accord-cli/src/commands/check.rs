//! `accord check [DIR]`: validate a data folder, reporting every problem.

use std::path::PathBuf;

use accord_io::record::LoadError;
use clap::Args;

/// Arguments of `accord check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A data folder holding `record/` and `model/` (e.g. `data/sco`), a
    /// folder holding only `record/`, or a record folder itself. Without it,
    /// the embedded SCO data are checked.
    dir: Option<PathBuf>,
    /// Print JSON: `{"ok", "record": counts, "model": counts or null,
    /// "problems": [{file, line, column, message}], "warnings": [{table,
    /// entry, message}]}` (exit code 2 still when a problem is found).
    #[arg(long)]
    json: bool,
}

/// Runs `accord check`; fails (exit code 2) when any problem is found.
pub fn run(args: CheckArgs) -> anyhow::Result<()> {
    let result = match &args.dir {
        None => accord_io::embedded::sco_record_and_model()
            .map(|(r, m)| (r, Some(m)))
            .map_err(LoadError::Invalid),
        Some(dir) => {
            let folder = crate::data::DataFolder::resolve(dir)?;
            match &folder.model {
                Some(_) => accord_io::record::load_data_dir(&folder.dir).map(|(r, m)| (r, Some(m))),
                None => accord_io::record::load_record_dir(&folder.record).map(|r| (r, None)),
            }
        }
    };
    if args.json {
        return print_json_result(&result);
    }
    match result {
        Ok((record, None)) => {
            print_counts(&record)?;
            print_warnings(&record, None)
        }
        Ok((record, Some(model))) => {
            print_counts(&record)?;
            outln!(
                "ok: model `{}` — {} issues, {} capabilities, {} stances, {} links ({} groups of linked issues)",
                model.meta.title,
                model.issues.len(),
                model.capabilities.len(),
                model.stances.len(),
                model.links.len(),
                model.link_groups().len()
            );
            print_warnings(&record, Some(&model))
        }
        Err(LoadError::Invalid(diags)) => {
            for d in &diags {
                outln!("{d}");
            }
            anyhow::bail!("{} problem(s) found", diags.len())
        }
        Err(e) => Err(e.into()),
    }
}

/// The JSON of `accord check --json`.
fn print_json_result(
    result: &Result<(accord_core::Record, Option<accord_core::model::Model>), LoadError>,
) -> anyhow::Result<()> {
    use serde_json::json;
    let (problems, value) = match result {
        Ok((record, model)) => {
            let warnings: Vec<_> = accord_core::check::single_source_warnings(record, model.as_ref())
                .iter()
                .map(|w| json!({"table": w.locus.kind.table(), "entry": w.locus.index + 1, "message": w.message}))
                .collect();
            (
                0,
                json!({
                    "ok": true,
                    "record": {
                        "sources": record.sources.len(),
                        "actors": record.actors.len(),
                        "organizations": record.organizations.len(),
                        "memberships": record.memberships.len(),
                        "bodies": record.bodies.len(),
                        "instruments": record.instruments.len(),
                        "events": record.events.len(),
                    },
                    "model": model.as_ref().map(|m| json!({
                        "title": m.meta.title,
                        "issues": m.issues.len(),
                        "capabilities": m.capabilities.len(),
                        "stances": m.stances.len(),
                        "links": m.links.len(),
                        "link_groups": m.link_groups().len(),
                    })),
                    "problems": [],
                    "warnings": warnings,
                }),
            )
        }
        Err(LoadError::Invalid(diags)) => (
            diags.len(),
            json!({"ok": false, "record": null, "model": null, "problems": diags, "warnings": []}),
        ),
        // Not a data problem (an unreadable folder): the error as usual.
        Err(e) => anyhow::bail!("{e}"),
    };
    crate::output::print_json(&value)?;
    if problems > 0 {
        anyhow::bail!("{problems} problem(s) found");
    }
    Ok(())
}

fn print_counts(record: &accord_core::Record) -> anyhow::Result<()> {
    outln!(
        "ok: record — {} sources, {} actors, {} organizations, {} memberships, {} bodies, {} instruments, {} events",
        record.sources.len(),
        record.actors.len(),
        record.organizations.len(),
        record.memberships.len(),
        record.bodies.len(),
        record.instruments.len(),
        record.events.len()
    );
    Ok(())
}

/// Prints the entries a forecast depends on that rest on a single source
/// (warnings: they do not fail the check).
fn print_warnings(record: &accord_core::Record, model: Option<&accord_core::model::Model>) -> anyhow::Result<()> {
    let warnings = accord_core::check::single_source_warnings(record, model);
    for w in &warnings {
        outln!(
            "warning: [[{}]] #{}: {}",
            w.locus.kind.table(),
            w.locus.index + 1,
            w.message
        );
    }
    if !warnings.is_empty() {
        outln!(
            "{} entr{} a forecast depends on rest on fewer than two confirming sources",
            warnings.len(),
            if warnings.len() == 1 { "y" } else { "ies" }
        );
    }
    Ok(())
}
