//! What `--data DIR` means, for every command: a data folder as `accord
//! check` takes it — a folder holding `record/` and `model/` (such as
//! `data/sco`), a folder holding only `record/`, or a record folder itself.
//! Commands that need the model (forecasts, the search, influence) need the
//! first kind; commands on the record (`accord record …`) take any.

use std::path::{Path, PathBuf};

use accord_core::{Record, model::Model};
use accord_io::record::{Diagnostic, LoadError};

/// The folders a `--data DIR` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataFolder {
    /// The folder as typed.
    pub dir: PathBuf,
    /// The record's folder: `DIR/record` when it exists, else `DIR`.
    pub record: PathBuf,
    /// The model's folder, `DIR/model`, when it exists.
    pub model: Option<PathBuf>,
}

impl DataFolder {
    /// Resolves `dir`; fails when it is not a folder.
    pub fn resolve(dir: &Path) -> anyhow::Result<Self> {
        if !dir.is_dir() {
            anyhow::bail!(
                "{}: {}; --data takes a data folder holding record/ and model/ (e.g. data/sco), as `accord check` does",
                dir.display(),
                if dir.exists() { "not a folder" } else { "no such folder" }
            );
        }
        let sub = dir.join("record");
        let model = dir.join("model");
        Ok(DataFolder {
            dir: dir.to_owned(),
            record: if sub.is_dir() { sub } else { dir.to_owned() },
            model: model.is_dir().then_some(model),
        })
    }

    /// Loads the record only.
    pub fn load_record(&self) -> anyhow::Result<Record> {
        accord_io::record::load_record_dir(&self.record).map_err(|e| self.explain(e))
    }

    /// Loads record and model; fails when the folder has no `model/`.
    pub fn load_record_and_model(&self) -> anyhow::Result<(Record, Model)> {
        if self.model.is_none() {
            anyhow::bail!(
                "{} holds no model/ folder: this command needs a data folder holding record/ and model/ (e.g. data/sco)",
                self.dir.display()
            );
        }
        accord_io::record::load_data_dir(&self.dir).map_err(|e| self.explain(e))
    }

    /// Loads record and model, and gives the files read (record's, then
    /// model's) with their text, for a list of what a report rests on.
    pub fn load_with_files(&self) -> anyhow::Result<(Record, Model, Vec<accord_io::record::SourceFile>)> {
        let Some(model_dir) = &self.model else {
            return self.load_record_and_model().map(|(r, m)| (r, m, Vec::new()));
        };
        let record = accord_io::record::read_dir(&self.record).map_err(|e| self.explain(e))?;
        let model = accord_io::record::read_dir(model_dir).map_err(|e| self.explain(e))?;
        let (r, m) = accord_io::record::load_record_and_model(&record, &model)
            .map_err(|d| self.explain(LoadError::Invalid(d)))?;
        Ok((r, m, record.into_iter().chain(model).collect()))
    }

    /// Says which problems are in the record and which in the model.
    fn explain(&self, e: LoadError) -> anyhow::Error {
        let LoadError::Invalid(diags) = e else {
            return e.into();
        };
        let in_model = |d: &Diagnostic| self.model.as_ref().is_some_and(|m| Path::new(&d.file).starts_with(m));
        let (model, record): (Vec<&Diagnostic>, Vec<&Diagnostic>) = diags.iter().partition(|d| in_model(d));
        let mut parts = Vec::new();
        for (what, list) in [("record", &record), ("model", &model)] {
            if !list.is_empty() {
                let lines: Vec<String> = list.iter().map(|d| d.to_string()).collect();
                parts.push(format!(
                    "{} problem(s) in the {what}:\n{}",
                    list.len(),
                    lines.join("\n")
                ));
            }
        }
        anyhow::anyhow!("{}", parts.join("\n"))
    }
}

/// Record and model: embedded, or from `--data DIR`.
pub fn record_and_model(data: Option<&Path>) -> anyhow::Result<(Record, Model)> {
    match data {
        None => accord_io::embedded::sco_record_and_model()
            .map_err(|d| diagnostics("the embedded SCO data are invalid", &d)),
        Some(dir) => DataFolder::resolve(dir)?.load_record_and_model(),
    }
}

/// The record: embedded, or from `--data DIR`.
pub fn record(data: Option<&Path>) -> anyhow::Result<Record> {
    match data {
        None => accord_io::embedded::sco_record().map_err(|d| diagnostics("the embedded SCO record is invalid", &d)),
        Some(dir) => DataFolder::resolve(dir)?.load_record(),
    }
}

/// An error listing diagnostics under a heading.
pub fn diagnostics(what: &str, diags: &[Diagnostic]) -> anyhow::Error {
    let lines: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
    anyhow::anyhow!("{what}:\n{}", lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_data_folder_a_record_holder_and_a_record_folder_resolve_alike() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sco");
        let full = DataFolder::resolve(&root).expect("data/sco is a folder");
        assert_eq!(full.record, root.join("record"));
        assert_eq!(full.model, Some(root.join("model")));
        let rec = DataFolder::resolve(&root.join("record")).expect("a record folder");
        assert_eq!(rec.record, root.join("record"));
        assert_eq!(rec.model, None);
        assert_eq!(
            full.load_record().expect("valid").actors.len(),
            rec.load_record().expect("valid").actors.len()
        );
        assert!(rec.load_record_and_model().is_err());
        assert!(DataFolder::resolve(&root.join("no-such-folder")).is_err());
    }

    #[test]
    fn problems_are_said_to_be_in_the_record_or_in_the_model() {
        let folder = DataFolder {
            dir: PathBuf::from("d"),
            record: PathBuf::from("d/record"),
            model: Some(PathBuf::from("d/model")),
        };
        let diag = |file: &str| Diagnostic {
            file: file.into(),
            line: 3,
            column: 1,
            message: "bad".into(),
        };
        let e = folder
            .explain(LoadError::Invalid(vec![
                diag("d/model/stances.toml"),
                diag("d/model/issues.toml"),
            ]))
            .to_string();
        assert!(e.starts_with("2 problem(s) in the model:"), "{e}");
        assert!(!e.contains("in the record"), "{e}");
        let e = folder
            .explain(LoadError::Invalid(vec![
                diag("d/record/actors.toml"),
                diag("d/model/issues.toml"),
            ]))
            .to_string();
        assert!(
            e.contains("1 problem(s) in the record:\nd/record/actors.toml:3:1: bad"),
            "{e}"
        );
        assert!(
            e.contains("1 problem(s) in the model:\nd/model/issues.toml:3:1: bad"),
            "{e}"
        );
    }
}
