//! `accord check [DIR]`: validate a data folder, reporting every problem.

use std::path::{Path, PathBuf};

use clap::Args;

/// Arguments of `accord check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A data folder (`data/sco`, holding `record/`) or a record folder itself.
    /// Without it, the embedded SCO data are checked.
    dir: Option<PathBuf>,
}

/// Runs `accord check`; fails (exit code 2) when any problem is found.
pub fn run(args: CheckArgs) -> anyhow::Result<()> {
    let result = match &args.dir {
        None => accord_io::embedded::sco_record().map_err(accord_io::record::LoadError::Invalid),
        Some(dir) => accord_io::record::load_record_dir(&record_dir(dir)),
    };
    match result {
        Ok(record) => {
            println!(
                "ok: {} sources, {} actors, {} organizations, {} memberships, {} bodies, {} instruments, {} events",
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
        Err(accord_io::record::LoadError::Invalid(diags)) => {
            for d in &diags {
                println!("{d}");
            }
            anyhow::bail!("{} problem(s) found", diags.len())
        }
        Err(e) => Err(e.into()),
    }
}

fn record_dir(dir: &Path) -> PathBuf {
    let sub = dir.join("record");
    if sub.is_dir() { sub } else { dir.to_path_buf() }
}
