//! `accord new DIR`: a data folder for another organization, from the
//! template compiled into the binary (`accord_io::template`, the files of
//! `data/template/`). Every entry is an example to replace; the folder
//! passes `accord check DIR` and `accord forecast --data DIR` runs on it.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

/// Arguments of `accord new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The folder to create (it must not exist, or be empty).
    dir: PathBuf,
}

/// Runs `accord new`: refuses a folder that holds anything, then writes the
/// template's files into it.
pub fn run(args: NewArgs) -> anyhow::Result<()> {
    let dir = &args.dir;
    let shown = dir.display();
    match std::fs::symlink_metadata(dir) {
        Ok(m) if m.is_dir() => {
            let mut entries = std::fs::read_dir(dir).with_context(|| format!("cannot read {shown}"))?;
            if entries.next().is_some() {
                anyhow::bail!(
                    "{shown} is not empty: `accord new` writes only into a new or empty folder, so that no file of yours is replaced; give another folder"
                );
            }
        }
        Ok(_) => anyhow::bail!("{shown} exists and is not a folder: give a new folder's path"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {shown}"))?;
        }
        Err(e) => return Err(e).with_context(|| format!("cannot read {shown}")),
    }
    for (rel, text) in accord_io::template::FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        // create_new: a file that appeared meanwhile is never overwritten.
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        std::io::Write::write_all(&mut f, text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    outln!(
        "created {shown}: a data folder for another organization, every entry an example to replace (see {shown}/README.md)"
    );
    outln!("next: accord check {shown}; accord forecast --data {shown} {shown}/scenarios/baseline.toml");
    Ok(())
}
