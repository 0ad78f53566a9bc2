//! Reading the record from TOML files, with every error located by file,
//! line and column (see `docs/formats/record.md` for the format).
//!
//! Reading happens in three steps: each file is parsed into "raw" tables that
//! keep the byte span of every field (`toml::Spanned`); the raw tables are
//! converted into the domain types of `accord-core`, collecting every
//! malformed value; then the record's rules ([`accord_core::check::check`])
//! run on the whole record, and their problems are mapped back to the spans.

use std::{collections::HashMap, collections::HashSet, fmt, ops::Range, path::Path};

use accord_core::{
    check::{self, EntryKind, Locus},
    *,
};
use serde::Deserialize;
use toml::Spanned;

/// A problem in a data file, located for a person to fix.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// The file, as the caller named it.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong and what would be valid.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)
    }
}

/// Why a record folder could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The folder or a file could not be read.
    // The cause is part of the message and not a `source()`, so that it is
    // printed once, not again as "Caused by".
    #[error("cannot read {path}: {cause}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        cause: std::io::Error,
    },
    /// The folder holds no `*.toml` file.
    #[error("{0} holds no .toml file: a record folder holds sources.toml, actors.toml, … (see docs/formats/record.md)")]
    Empty(String),
    /// A file is too large or cannot be read (no line to point at).
    #[error("{0}")]
    File(crate::text::TextError),
    /// The files were read but are not a valid record.
    #[error("{} problem(s) in the data files:\n{}", .0.len(), .0.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Diagnostic>),
}

/// One file of a record: its display name and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// How errors name the file.
    pub name: String,
    /// Its contents.
    pub text: String,
}

/// Reads every `*.toml` file of a folder (in file-name order) as one record.
pub fn load_record_dir(dir: &Path) -> Result<Record, LoadError> {
    load_record(&read_dir(dir)?).map_err(LoadError::Invalid)
}

/// Reads a data folder that holds `record/` and `model/` (e.g. `data/sco`).
pub fn load_data_dir(dir: &Path) -> Result<(Record, accord_core::model::Model), LoadError> {
    let record = read_dir(&dir.join("record"))?;
    let model = read_dir(&dir.join("model"))?;
    load_record_and_model(&record, &model).map_err(LoadError::Invalid)
}

/// Every `*.toml` file of a folder, in file-name order (invalid UTF-8 is
/// reported at its line and column).
pub fn read_dir(dir: &Path) -> Result<Vec<SourceFile>, LoadError> {
    let io = |cause| LoadError::Io {
        path: dir.display().to_string(),
        cause,
    };
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    names.sort();
    if names.is_empty() {
        return Err(LoadError::Empty(dir.display().to_string()));
    }
    let mut files = Vec::new();
    let mut located = Vec::new();
    for path in names {
        match crate::text::read_text_file(&path) {
            Ok(text) => files.push(SourceFile {
                name: path.display().to_string(),
                text,
            }),
            // Invalid UTF-8: reported once, at its line and column, with any
            // other file's.
            Err(e) if e.line.is_some() => located.push(Diagnostic {
                file: e.file,
                line: e.line.unwrap_or(1),
                column: e.column.unwrap_or(1),
                message: e.message,
            }),
            Err(e) => return Err(LoadError::File(e)),
        }
    }
    if !located.is_empty() {
        return Err(LoadError::Invalid(located));
    }
    Ok(files)
}

/// Reads a record from files already in memory. Returns every problem found,
/// in file order, or the record when there is none.
pub fn load_record(files: &[SourceFile]) -> Result<Record, Vec<Diagnostic>> {
    let mut b = Builder::default();
    for (f, file) in files.iter().enumerate() {
        match toml::from_str::<RawFile>(&file.text) {
            Ok(raw) => b.add_file(f, raw),
            Err(e) => {
                let (span, message) = toml_error(&file.text, &e);
                b.diag_at(f, span, message);
            }
        }
    }
    let problems = check::check(&b.record);
    for p in problems {
        if p.refers_to.as_ref().is_some_and(|id| b.unreadable_ids.contains(id)) {
            continue; // follow-on error of an entry already reported
        }
        let (f, span) = b.locate(&p.locus);
        b.diag_at(f, span, p.message);
    }
    if b.errors.is_empty() {
        return Ok(b.record);
    }
    Err(diagnostics(b.errors, &files.iter().collect::<Vec<_>>()))
}

/// Reads a record and the model that refers to it (`docs/formats/model.md`).
/// Problems in either are reported together, each located in its file.
pub fn load_record_and_model(
    record_files: &[SourceFile],
    model_files: &[SourceFile],
) -> Result<(Record, accord_core::model::Model), Vec<Diagnostic>> {
    let mut b = Builder::default();
    for (f, file) in record_files.iter().enumerate() {
        match toml::from_str::<RawFile>(&file.text) {
            Ok(raw) => b.add_file(f, raw),
            Err(e) => {
                let (span, message) = toml_error(&file.text, &e);
                b.diag_at(f, span, message);
            }
        }
    }
    let offset = record_files.len();
    let mut unparsed_model_file = false;
    for (f, file) in model_files.iter().enumerate() {
        match toml::from_str::<RawModelFile>(&file.text) {
            Ok(raw) => b.add_model_file(offset + f, raw),
            Err(e) => {
                unparsed_model_file = true;
                let (span, message) = toml_error(&file.text, &e);
                b.diag_at(offset + f, span, message);
            }
        }
    }
    let files: Vec<&SourceFile> = record_files.iter().chain(model_files).collect();
    let meta = match b.model.meta.take() {
        Some(meta) => Some(meta),
        // A file that could not be parsed may hold the [meta] table: its
        // error is already reported, so the missing table is not.
        None if unparsed_model_file => None,
        None => {
            let f = offset.min(files.len().saturating_sub(1));
            b.diag_at(
                f,
                0..0,
                "the model has no [meta] table (org, date, title): add it to meta.toml".into(),
            );
            None
        }
    };
    let mut problems = check::check(&b.record);
    let model = meta.map(|meta| accord_core::model::Model {
        meta,
        sources: std::mem::take(&mut b.model.sources),
        issues: std::mem::take(&mut b.model.issues),
        capabilities: std::mem::take(&mut b.model.capabilities),
        stances: std::mem::take(&mut b.model.stances),
        levers: std::mem::take(&mut b.model.levers),
        links: std::mem::take(&mut b.model.links),
    });
    if let Some(model) = &model {
        problems.extend(check::check_model(model, &b.record));
    }
    for p in problems {
        if p.refers_to.as_ref().is_some_and(|id| b.unreadable_ids.contains(id)) {
            continue;
        }
        if p.locus.kind == EntryKind::Issue
            && p.locus.field == "stance"
            && (unparsed_model_file
                || p.refers_to
                    .as_ref()
                    .is_some_and(|id| b.issues_with_unread_stances.contains(id)))
        {
            continue;
        }
        let (f, span) = b.locate(&p.locus);
        b.diag_at(f, span, p.message);
    }
    match model {
        Some(model) if b.errors.is_empty() => Ok((b.record, model)),
        _ => Err(diagnostics(b.errors, &files)),
    }
}

/// What a fragment of a data file is: part of the record or of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FragmentKind {
    /// Record tables (`[[source]]`, `[[actor]]`, …).
    Record,
    /// Model tables (`[meta]`, `[[issue]]`, `[[stance]]`, …).
    Model,
}

/// Reads a fragment of a record or model file on its own: its syntax, table
/// and field names, types and values (ids, dates, citations), without the
/// rules that need the whole record (references, duplicates). Returns every
/// problem found; used to test the examples of the format documents.
pub fn read_fragment(kind: FragmentKind, file: &SourceFile) -> Vec<Diagnostic> {
    let mut b = Builder::default();
    let parsed = match kind {
        FragmentKind::Record => toml::from_str::<RawFile>(&file.text).map(|raw| b.add_file(0, raw)),
        FragmentKind::Model => toml::from_str::<RawModelFile>(&file.text).map(|raw| b.add_model_file(0, raw)),
    };
    if let Err(e) = parsed {
        let (span, message) = toml_error(&file.text, &e);
        b.diag_at(0, span, message);
    }
    diagnostics(b.errors, &[file])
}

fn diagnostics(errors: Vec<(usize, Range<usize>, String)>, files: &[&SourceFile]) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = errors
        .into_iter()
        .map(|(f, span, message)| {
            let (line, column) = line_column(&files[f].text, span.start);
            Diagnostic {
                file: files[f].name.clone(),
                line,
                column,
                message,
            }
        })
        .collect();
    out.sort_by(|a, b| (a.file.as_str(), a.line, a.column).cmp(&(b.file.as_str(), b.line, b.column)));
    out.dedup();
    out
}

/// The span and message of a TOML parse or type error, with a hint where
/// the parser's words would puzzle: a date written without quotes (TOML
/// reads it as a datetime, Accord's files want a string, since sources often
/// give only a year or a month).
pub fn toml_error(text: &str, e: &toml::de::Error) -> (Range<usize>, String) {
    let span = e.span().unwrap_or(0..0);
    let message = e.message().trim().to_owned();
    let at = text.get(span.clone()).unwrap_or("").trim();
    let bare_date = at.len() >= 4
        && at.as_bytes()[0].is_ascii_digit()
        && at.contains('-')
        && at.bytes().all(|b| b.is_ascii_digit() || b"-:T .Z+".contains(&b));
    if bare_date && !at.starts_with('"') {
        return (
            span,
            format!(
                "the date {at} must be quoted: write \"{at}\" (dates are strings such as \"2009-06-16\", \"2006-03\" or \"2006\")"
            ),
        );
    }
    // A top-level key written after a [table] belongs to that table (TOML's
    // rule): say so, since the key itself is right.
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some((key, _)) = rest.split_once('`')
        && ["remove_actor"].contains(&key)
    {
        return (
            span,
            format!(
                "{message}: `{key}` is a top-level key, and a key written after a [table] header belongs \
                 to that table; move it above the first [table] of the file"
            ),
        );
    }
    (span, message)
}

/// 1-based line and character column of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

// ---------------------------------------------------------------- raw tables

type S<T> = Spanned<T>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    source: Vec<RawSource>,
    #[serde(default)]
    actor: Vec<RawActor>,
    #[serde(default)]
    organization: Vec<RawOrganization>,
    #[serde(default)]
    membership: Vec<RawMembership>,
    #[serde(default)]
    body: Vec<RawBody>,
    #[serde(default)]
    instrument: Vec<RawInstrument>,
    #[serde(default)]
    event: Vec<RawEvent>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNames {
    en: String,
    ru: Option<String>,
    zh: Option<String>,
}

/// The provenance fields every entry shares (spelled out in each table:
/// `serde(flatten)` would lose the spans).
macro_rules! raw_entry {
    ($(#[$m:meta])* struct $name:ident { $($field:ident : $ty:ty,)* }) => {
        $(#[$m])*
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct $name {
            $($field: $ty,)*
            #[serde(default)]
            sources: Option<S<Vec<S<String>>>>,
            #[serde(default)]
            certainty: Option<Certainty>,
            caveat: Option<String>,
            note: Option<String>,
        }
    };
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    id: S<String>,
    publisher: String,
    title: String,
    date: Option<S<String>>,
    address: Option<S<String>>,
    reference: Option<String>,
    note: Option<String>,
}

raw_entry!(
    struct RawActor {
        id: S<String>,
        kind: ActorKind,
        name: S<RawNames>,
        verified: Option<S<Vec<S<String>>>>,
    }
);
raw_entry!(
    struct RawStatusKind {
        kind: Status,
        vote: bool,
        speak: bool,
        attend: bool,
        bargain: Option<bool>,
        since: S<String>,
        until: Option<S<String>>,
    }
);
raw_entry!(
    struct RawOrganization {
        id: S<String>,
        founded: S<String>,
        seat: Option<String>,
        decision_rule: OrgDecisionRule,
        decision_note: Option<String>,
        status: Vec<RawStatusKind>,
        verified: Option<S<Vec<S<String>>>>,
    }
);
raw_entry!(
    struct RawMembership {
        actor: S<String>,
        org: S<String>,
        status: S<Status>,
        from: S<String>,
        to: Option<S<String>>,
        verified: Option<S<Vec<S<String>>>>,
    }
);
raw_entry!(
    struct RawBodyChange {
        date: S<String>,
        status: BodyStatus,
    }
);
raw_entry!(
    struct RawBody {
        id: S<String>,
        org: S<String>,
        name: S<RawNames>,
        kind: BodyKind,
        sphere: Sphere,
        seat: Option<String>,
        proposer: Option<S<String>>,
        life: S<Vec<RawBodyChange>>,
        verified: Option<S<Vec<S<String>>>>,
    }
);
raw_entry!(
    struct RawInstrumentChange {
        date: S<String>,
        status: InstrumentStatus,
    }
);
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAmount {
    value: S<f64>,
    currency: S<String>,
    what: Option<String>,
}
raw_entry!(
    struct RawInstrument {
        id: S<String>,
        kind: InstrumentKind,
        org: Option<S<String>>,
        name: S<RawNames>,
        sphere: Sphere,
        parties: Option<Vec<S<String>>>,
        proposer: Option<S<String>>,
        count: Option<S<u32>>,
        amount: Option<Vec<RawAmount>>,
        life: S<Vec<RawInstrumentChange>>,
        verified: Option<S<Vec<S<String>>>>,
    }
);
raw_entry!(
    struct RawEvent {
        id: S<String>,
        kind: EventKind,
        org: S<String>,
        date: S<String>,
        end: Option<S<String>>,
        city: String,
        host: Option<S<String>>,
        attendance: Option<Vec<RawAttendance>>,
        verified: Option<S<Vec<S<String>>>>,
    }
);
raw_entry!(
    struct RawAttendance {
        actor: S<String>,
        capacity: Status,
    }
);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModelFile {
    meta: Option<RawMeta>,
    #[serde(default)]
    source: Vec<RawSource>,
    #[serde(default)]
    issue: Vec<RawIssue>,
    #[serde(default)]
    capability: Vec<RawCapability>,
    #[serde(default)]
    stance: Vec<RawStance>,
    #[serde(default)]
    lever: Vec<RawLever>,
    #[serde(default)]
    link: Vec<RawLink>,
}

raw_entry!(
    struct RawLink {
        id: S<String>,
        issues: S<Vec<S<String>>>,
        basis: S<String>,
    }
);

raw_entry!(
    struct RawLever {
        id: S<String>,
        actor: S<String>,
        name: String,
        basis: S<String>,
        effect: S<Vec<RawEffect>>,
    }
);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEffect {
    kind: S<String>,
    actor: S<String>,
    issue: Option<S<String>>,
    sphere: Option<Sphere>,
    shift: Option<S<f64>>,
    factor: Option<S<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    org: S<String>,
    date: S<String>,
    title: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScalePoint {
    at: S<f64>,
    means: String,
}

raw_entry!(
    struct RawIssue {
        id: S<String>,
        name: String,
        sphere: Sphere,
        status_quo: S<f64>,
        status_quo_basis: S<String>,
        threshold: S<f64>,
        question: String,
        scale: S<Vec<RawScalePoint>>,
    }
);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCapability {
    actor: S<String>,
    value: S<f64>,
    low: S<f64>,
    high: S<f64>,
    indicator: S<String>,
    basis: S<String>,
}

raw_entry!(
    struct RawStance {
        actor: S<String>,
        issue: S<String>,
        position: S<f64>,
        position_low: S<f64>,
        position_high: S<f64>,
        salience: S<f64>,
        salience_low: S<f64>,
        salience_high: S<f64>,
        capability_factor: Option<S<f64>>,
        basis: S<String>,
        provenance: Option<S<String>>,
    }
);

/// The parts of a model read so far.
#[derive(Default)]
struct ModelParts {
    meta: Option<accord_core::model::ModelMeta>,
    sources: Vec<Source>,
    issues: Vec<accord_core::model::IssueDef>,
    capabilities: Vec<accord_core::model::Capability>,
    stances: Vec<accord_core::model::StanceDef>,
    levers: Vec<accord_core::model::Lever>,
    links: Vec<accord_core::model::Link>,
}

// ---------------------------------------------------------------- conversion

#[derive(Default)]
struct Builder {
    record: Record,
    model: ModelParts,
    spans: HashMap<Locus, (usize, Range<usize>)>,
    errors: Vec<(usize, Range<usize>, String)>,
    /// Ids of entries that could not be read (their references are not re-reported).
    unreadable_ids: HashSet<String>,
    /// Issues with a stance that could not be read (no "issue without
    /// stances" follow-on error for them).
    issues_with_unread_stances: HashSet<String>,
}

/// Converts one raw entry; on the first malformed field the entry is dropped
/// (its error is recorded), so every entry that reaches the record is whole.
struct Entry<'b> {
    b: &'b mut Builder,
    file: usize,
    kind: EntryKind,
    index: usize,
    spans: Vec<(String, Range<usize>)>,
    ok: bool,
}

impl Entry<'_> {
    fn span(&mut self, field: impl Into<String>, span: Range<usize>) {
        self.spans.push((field.into(), span));
    }

    fn fail(&mut self, span: Range<usize>, message: String) {
        self.b.errors.push((self.file, span, message));
        self.ok = false;
    }

    fn actor(&mut self, field: &str, v: &S<String>) -> ActorId {
        self.span(field, v.span());
        ActorId::new(v.get_ref()).unwrap_or_else(|m| {
            self.fail(v.span(), m);
            ActorId::new("XX").expect("valid placeholder")
        })
    }

    fn entry_id(&mut self, v: &S<String>) -> EntryId {
        self.entry_ref("id", v)
    }

    /// An entry id in `field` (the entry's own id, or a reference to another).
    fn entry_ref(&mut self, field: &str, v: &S<String>) -> EntryId {
        self.span(field, v.span());
        EntryId::new(v.get_ref()).unwrap_or_else(|m| {
            self.fail(v.span(), m);
            EntryId::new("x").expect("valid placeholder")
        })
    }

    fn date(&mut self, field: &str, v: &S<String>) -> PartialDate {
        self.span(field, v.span());
        v.get_ref().parse().unwrap_or_else(|m| {
            self.fail(v.span(), m);
            PartialDate::day(NaiveDate::MIN)
        })
    }

    fn opt_date(&mut self, field: &str, v: &Option<S<String>>) -> Option<PartialDate> {
        v.as_ref().map(|v| self.date(field, v))
    }

    fn names(&mut self, v: S<RawNames>) -> Names {
        self.span("name", v.span());
        let n = v.into_inner();
        Names {
            en: n.en,
            ru: n.ru,
            zh: n.zh,
        }
    }

    fn provenance(
        &mut self,
        prefix: &str,
        fallback: Range<usize>,
        sources: Option<S<Vec<S<String>>>>,
        certainty: Option<Certainty>,
        caveat: Option<String>,
        note: Option<String>,
    ) -> Provenance {
        let mut cites = Vec::new();
        match sources {
            Some(list) => {
                self.span(format!("{prefix}sources"), list.span());
                self.span(format!("{prefix}certainty"), list.span());
                for (i, s) in list.into_inner().into_iter().enumerate() {
                    self.span(format!("{prefix}sources[{i}]"), s.span());
                    match Citation::parse(s.get_ref()) {
                        Ok(c) => cites.push(c),
                        Err(m) => self.fail(s.span(), m),
                    }
                }
            }
            None => {
                self.span(format!("{prefix}sources"), fallback.clone());
                self.span(format!("{prefix}certainty"), fallback);
            }
        }
        Provenance {
            sources: cites,
            verified: Vec::new(),
            certainty: certainty.unwrap_or_default(),
            caveat,
            note,
        }
    }

    /// Reads `verified = [...]` (citations that confirm the entry).
    fn verified(&mut self, v: Option<S<Vec<S<String>>>>) -> Vec<Citation> {
        let mut cites = Vec::new();
        if let Some(list) = v {
            self.span("verified", list.span());
            for (i, s) in list.into_inner().into_iter().enumerate() {
                self.span(format!("verified[{i}]"), s.span());
                match Citation::parse(s.get_ref()) {
                    Ok(c) => cites.push(c),
                    Err(m) => self.fail(s.span(), m),
                }
            }
        }
        cites
    }

    /// Registers the spans if the entry is whole; returns whether it is.
    fn finish(self, raw_id: &str) -> bool {
        if self.ok {
            for (field, span) in self.spans {
                self.b.spans.insert(
                    Locus {
                        kind: self.kind,
                        index: self.index,
                        field,
                    },
                    (self.file, span),
                );
            }
        } else {
            self.b.unreadable_ids.insert(raw_id.to_owned());
        }
        self.ok
    }
}

impl Builder {
    fn add_model_file(&mut self, f: usize, raw: RawModelFile) {
        use accord_core::model::{Capability, Estimate, Evidence, IssueDef, ModelMeta, ScalePoint, StanceDef};
        if let Some(m) = raw.meta {
            if self.model.meta.is_some() {
                self.diag_at(f, m.org.span(), "a second [meta] table: a model has one".into());
            } else {
                let mut e = self.entry(f, EntryKind::Meta, 0);
                let org = e.actor("org", &m.org);
                let date = e.date("date", &m.date);
                if e.finish("") {
                    self.model.meta = Some(ModelMeta {
                        org,
                        date,
                        title: m.title,
                    });
                }
            }
        }
        for s in raw.source {
            // Model sources are numbered after the record's, so their loci never collide.
            let index = self.record.sources.len() + self.model.sources.len();
            if let Some(source) = self.source(f, index, s) {
                self.model.sources.push(source);
            }
        }
        for i in raw.issue {
            let index = self.model.issues.len();
            let mut e = self.entry(f, EntryKind::Issue, index);
            let id = e.entry_id(&i.id);
            e.span("status_quo", i.status_quo.span());
            e.span("status_quo_basis", i.status_quo_basis.span());
            e.span("threshold", i.threshold.span());
            e.span("scale", i.scale.span());
            let scale = i
                .scale
                .into_inner()
                .into_iter()
                .enumerate()
                .map(|(j, p)| {
                    e.span(format!("scale[{j}].at"), p.at.span());
                    ScalePoint {
                        at: p.at.into_inner(),
                        means: p.means,
                    }
                })
                .collect();
            let provenance = e.provenance("", i.id.span(), i.sources, i.certainty, i.caveat, i.note);
            let issue = IssueDef {
                id,
                name: i.name,
                sphere: i.sphere,
                status_quo: i.status_quo.into_inner(),
                status_quo_basis: i.status_quo_basis.into_inner(),
                threshold: i.threshold.into_inner(),
                question: i.question,
                scale,
                provenance,
            };
            if e.finish(i.id.get_ref()) {
                self.model.issues.push(issue);
            }
        }
        for c in raw.capability {
            let index = self.model.capabilities.len();
            let mut e = self.entry(f, EntryKind::Capability, index);
            let actor = e.actor("actor", &c.actor);
            e.span("value", c.value.span());
            e.span("low", c.low.span());
            e.span("basis", c.basis.span());
            let indicator = e.entry_ref("indicator", &c.indicator);
            let estimate = Estimate {
                value: *c.value.get_ref(),
                low: *c.low.get_ref(),
                high: *c.high.get_ref(),
            };
            let cap = Capability {
                actor,
                estimate,
                indicator,
                basis: c.basis.into_inner(),
            };
            if e.finish("") {
                self.model.capabilities.push(cap);
            }
        }
        for s in raw.stance {
            let index = self.model.stances.len();
            let mut e = self.entry(f, EntryKind::Stance, index);
            let actor = e.actor("actor", &s.actor);
            let issue = e.entry_ref("issue", &s.issue);
            e.span("position", s.position.span());
            e.span("salience", s.salience.span());
            e.span("basis", s.basis.span());
            if let Some(cf) = &s.capability_factor {
                e.span("capability_factor", cf.span());
            }
            let position = Estimate {
                value: *s.position.get_ref(),
                low: *s.position_low.get_ref(),
                high: *s.position_high.get_ref(),
            };
            let salience = Estimate {
                value: *s.salience.get_ref(),
                low: *s.salience_low.get_ref(),
                high: *s.salience_high.get_ref(),
            };
            let evidence = match &s.provenance {
                Some(p) => {
                    e.span("provenance", p.span());
                    Evidence::parse_in_file(p.get_ref()).unwrap_or_else(|m| {
                        e.fail(p.span(), m);
                        Evidence::Inference
                    })
                }
                None => {
                    e.fail(
                        s.actor.span(),
                        "this stance has no `provenance`: say what carries it — \"article\" (the article states it), \"source\" (a dated outside [[source]]) or \"inference\" (reasoned, with a wider range)".to_owned(),
                    );
                    Evidence::Inference
                }
            };
            let provenance = e.provenance("", s.actor.span(), s.sources, s.certainty, s.caveat, s.note);
            let stance = StanceDef {
                actor,
                issue,
                position,
                salience,
                capability_factor: s.capability_factor.map(|c| c.into_inner()),
                basis: s.basis.into_inner(),
                evidence,
                provenance,
            };
            let issue_id = s.issue.get_ref().clone();
            if e.finish("") {
                self.model.stances.push(stance);
            } else {
                // Its issue is not "without stances": the stance is reported.
                self.issues_with_unread_stances.insert(issue_id);
            }
        }
        self.add_links(f, raw.link);
        for l in raw.lever {
            use accord_core::model::{Effect, Lever};
            let index = self.model.levers.len();
            let mut e = self.entry(f, EntryKind::Lever, index);
            let id = e.entry_id(&l.id);
            let actor = e.actor("actor", &l.actor);
            e.span("basis", l.basis.span());
            e.span("effect", l.effect.span());
            let mut effects = Vec::new();
            for (j, x) in l.effect.into_inner().into_iter().enumerate() {
                e.span(format!("effect[{j}].kind"), x.kind.span());
                let who = e.actor(&format!("effect[{j}].actor"), &x.actor);
                let issue = x.issue.as_ref().map(|i| e.entry_ref(&format!("effect[{j}].issue"), i));
                let number = |e: &mut Entry, name: &str, v: &Option<S<f64>>| match v {
                    Some(v) => {
                        e.span(format!("effect[{j}].{name}"), v.span());
                        Some(*v.get_ref())
                    }
                    None => None,
                };
                let shift = number(&mut e, "shift", &x.shift);
                let factor = number(&mut e, "factor", &x.factor);
                let kind = x.kind.get_ref().as_str();
                let effect = match (kind, issue, shift, factor) {
                    ("position", Some(issue), Some(shift), None) if x.sphere.is_none() => Some(Effect::Position {
                        actor: who,
                        issue,
                        shift,
                    }),
                    ("salience", Some(issue), Some(shift), None) if x.sphere.is_none() => Some(Effect::Salience {
                        actor: who,
                        issue,
                        shift,
                    }),
                    ("capability", issue, None, Some(factor)) => Some(Effect::Capability {
                        actor: who,
                        issue,
                        sphere: x.sphere,
                        factor,
                    }),
                    _ => None,
                };
                match effect {
                    Some(effect) => effects.push(effect),
                    None => e.fail(
                        x.kind.span(),
                        "an effect is `kind = \"position\"` or `\"salience\"` with `issue` and `shift`, or \
                         `kind = \"capability\"` with `factor` and either `issue` or `sphere`"
                            .into(),
                    ),
                }
            }
            let provenance = e.provenance("", l.id.span(), l.sources, l.certainty, l.caveat, l.note);
            let lever = Lever {
                id,
                actor,
                name: l.name,
                basis: l.basis.into_inner(),
                effects,
                provenance,
            };
            if e.finish(l.id.get_ref()) {
                self.model.levers.push(lever);
            }
        }
    }

    /// Converts the `[[link]]` tables of a model file. An issue may be
    /// written `ORG:issue`; the organization is checked against the model's.
    fn add_links(&mut self, f: usize, links: Vec<RawLink>) {
        use accord_core::model::{Link, LinkedIssue};
        for l in links {
            let index = self.model.links.len();
            let mut e = self.entry(f, EntryKind::Link, index);
            let id = e.entry_id(&l.id);
            e.span("basis", l.basis.span());
            e.span("issues", l.issues.span());
            let mut issues = Vec::new();
            for (j, r) in l.issues.get_ref().iter().enumerate() {
                let field = format!("issues[{j}]");
                let (org, issue) = match r.get_ref().split_once(':') {
                    Some((org, issue)) => {
                        let org = S::new(r.span(), org.to_owned());
                        let issue = S::new(r.span(), issue.to_owned());
                        (Some(e.actor(&field, &org)), e.entry_ref(&field, &issue))
                    }
                    None => (None, e.entry_ref(&field, r)),
                };
                issues.push(LinkedIssue { org, issue });
            }
            let provenance = e.provenance("", l.id.span(), l.sources, l.certainty, l.caveat, l.note);
            let link = Link {
                id,
                issues,
                basis: l.basis.into_inner(),
                provenance,
            };
            if e.finish(l.id.get_ref()) {
                self.model.links.push(link);
            }
        }
    }

    fn diag_at(&mut self, file: usize, span: Range<usize>, message: String) {
        self.errors.push((file, span, message));
    }

    fn entry(&mut self, file: usize, kind: EntryKind, index: usize) -> Entry<'_> {
        Entry {
            b: self,
            file,
            kind,
            index,
            spans: Vec::new(),
            ok: true,
        }
    }

    /// The span of a problem's field, falling back to the entry's first
    /// registered span (its id) when the field has none.
    fn locate(&self, locus: &Locus) -> (usize, Range<usize>) {
        if let Some(s) = self.spans.get(locus) {
            return s.clone();
        }
        for field in ["id", "actor"] {
            let key = Locus {
                kind: locus.kind,
                index: locus.index,
                field: field.into(),
            };
            if let Some(s) = self.spans.get(&key) {
                return s.clone();
            }
        }
        (0, 0..0)
    }

    /// Converts one `[[source]]`; `None` when it is malformed (already reported).
    fn source(&mut self, f: usize, index: usize, s: RawSource) -> Option<Source> {
        let mut e = self.entry(f, EntryKind::Source, index);
        let id = e.entry_id(&s.id);
        let date = e.opt_date("date", &s.date);
        if let Some(a) = &s.address {
            e.span("address", a.span());
        }
        let source = Source {
            id,
            publisher: s.publisher,
            title: s.title,
            date,
            address: s.address.map(S::into_inner),
            reference: s.reference,
            note: s.note,
        };
        e.finish(s.id.get_ref()).then_some(source)
    }

    fn add_file(&mut self, f: usize, raw: RawFile) {
        for s in raw.source {
            let index = self.record.sources.len();
            if let Some(source) = self.source(f, index, s) {
                self.record.sources.push(source);
            }
        }
        for a in raw.actor {
            let index = self.record.actors.len();
            let mut e = self.entry(f, EntryKind::Actor, index);
            let id = e.actor("id", &a.id);
            let name = e.names(a.name);
            let mut provenance = e.provenance("", a.id.span(), a.sources, a.certainty, a.caveat, a.note);
            provenance.verified = e.verified(a.verified);
            if e.finish(a.id.get_ref()) {
                self.record.actors.push(Actor {
                    id,
                    kind: a.kind,
                    name,
                    provenance,
                });
            }
        }
        for o in raw.organization {
            let index = self.record.organizations.len();
            let mut e = self.entry(f, EntryKind::Organization, index);
            let id = e.actor("id", &o.id);
            let founded = e.date("founded", &o.founded);
            let mut statuses = Vec::new();
            for (j, s) in o.status.into_iter().enumerate() {
                e.span(format!("status[{j}].kind"), s.since.span());
                let since = e.date(&format!("status[{j}].since"), &s.since);
                let until = e.opt_date(&format!("status[{j}].until"), &s.until);
                let provenance = e.provenance(
                    &format!("status[{j}]."),
                    s.since.span(),
                    s.sources,
                    s.certainty,
                    s.caveat,
                    s.note,
                );
                statuses.push(StatusKind {
                    kind: s.kind,
                    vote: s.vote,
                    speak: s.speak,
                    attend: s.attend,
                    bargain: s.bargain.unwrap_or(s.vote),
                    since,
                    until,
                    provenance,
                });
            }
            let mut provenance = e.provenance("", o.id.span(), o.sources, o.certainty, o.caveat, o.note);
            provenance.verified = e.verified(o.verified);
            let org = Organization {
                id,
                founded,
                seat: o.seat,
                decision_rule: o.decision_rule,
                decision_note: o.decision_note,
                statuses,
                provenance,
            };
            if e.finish(o.id.get_ref()) {
                self.record.organizations.push(org);
            }
        }
        for m in raw.membership {
            let index = self.record.memberships.len();
            let mut e = self.entry(f, EntryKind::Membership, index);
            let actor = e.actor("actor", &m.actor);
            let org = e.actor("org", &m.org);
            e.span("status", m.status.span());
            let from = e.date("from", &m.from);
            let to = e.opt_date("to", &m.to);
            let mut provenance = e.provenance("", m.actor.span(), m.sources, m.certainty, m.caveat, m.note);
            provenance.verified = e.verified(m.verified);
            let membership = Membership {
                actor,
                org,
                status: m.status.into_inner(),
                from,
                to,
                provenance,
            };
            if e.finish("") {
                self.record.memberships.push(membership);
            }
        }
        for b in raw.body {
            let index = self.record.bodies.len();
            let mut e = self.entry(f, EntryKind::Body, index);
            let id = e.entry_id(&b.id);
            let org = e.actor("org", &b.org);
            let name = e.names(b.name);
            let proposer = b.proposer.as_ref().map(|p| e.actor("proposer", p));
            e.span("life", b.life.span());
            let mut life = Vec::new();
            for (j, c) in b.life.into_inner().into_iter().enumerate() {
                let date = e.date(&format!("life[{j}].date"), &c.date);
                let provenance = e.provenance(
                    &format!("life[{j}]."),
                    c.date.span(),
                    c.sources,
                    c.certainty,
                    c.caveat,
                    c.note,
                );
                life.push(BodyChange {
                    date,
                    status: c.status,
                    provenance,
                });
            }
            let mut provenance = e.provenance("", b.id.span(), b.sources, b.certainty, b.caveat, b.note);
            provenance.verified = e.verified(b.verified);
            let body = Body {
                id,
                org,
                name,
                kind: b.kind,
                sphere: b.sphere,
                seat: b.seat,
                proposer,
                life,
                provenance,
            };
            if e.finish(b.id.get_ref()) {
                self.record.bodies.push(body);
            }
        }
        for i in raw.instrument {
            let index = self.record.instruments.len();
            let mut e = self.entry(f, EntryKind::Instrument, index);
            let id = e.entry_id(&i.id);
            let org = i.org.as_ref().map(|o| e.actor("org", o));
            let name = e.names(i.name);
            let parties = i
                .parties
                .iter()
                .flatten()
                .enumerate()
                .map(|(j, p)| e.actor(&format!("parties[{j}]"), p))
                .collect();
            let proposer = i.proposer.as_ref().map(|p| e.actor("proposer", p));
            let count = match &i.count {
                Some(c) => {
                    e.span("count", c.span());
                    *c.get_ref()
                }
                None => 1,
            };
            let mut amounts = Vec::new();
            for (j, a) in i.amount.into_iter().flatten().enumerate() {
                e.span(format!("amount[{j}].value"), a.value.span());
                e.span(format!("amount[{j}].currency"), a.currency.span());
                amounts.push(Amount {
                    value: *a.value.get_ref(),
                    currency: a.currency.into_inner(),
                    what: a.what,
                });
            }
            e.span("life", i.life.span());
            let mut life = Vec::new();
            for (j, c) in i.life.into_inner().into_iter().enumerate() {
                let date = e.date(&format!("life[{j}].date"), &c.date);
                let provenance = e.provenance(
                    &format!("life[{j}]."),
                    c.date.span(),
                    c.sources,
                    c.certainty,
                    c.caveat,
                    c.note,
                );
                life.push(InstrumentChange {
                    date,
                    status: c.status,
                    provenance,
                });
            }
            let mut provenance = e.provenance("", i.id.span(), i.sources, i.certainty, i.caveat, i.note);
            provenance.verified = e.verified(i.verified);
            let instrument = Instrument {
                id,
                kind: i.kind,
                org,
                name,
                sphere: i.sphere,
                parties,
                proposer,
                count,
                amounts,
                life,
                provenance,
            };
            if e.finish(i.id.get_ref()) {
                self.record.instruments.push(instrument);
            }
        }
        for v in raw.event {
            let index = self.record.events.len();
            let mut e = self.entry(f, EntryKind::Event, index);
            let id = e.entry_id(&v.id);
            let org = e.actor("org", &v.org);
            let date = e.date("date", &v.date);
            let end = e.opt_date("end", &v.end);
            let host = v.host.as_ref().map(|h| e.actor("host", h));
            let mut attendance = Vec::new();
            for (j, a) in v.attendance.into_iter().flatten().enumerate() {
                let actor = e.actor(&format!("attendance[{j}].actor"), &a.actor);
                e.span(format!("attendance[{j}].capacity"), a.actor.span());
                let provenance = e.provenance(
                    &format!("attendance[{j}]."),
                    a.actor.span(),
                    a.sources,
                    a.certainty,
                    a.caveat,
                    a.note,
                );
                attendance.push(Attendance {
                    actor,
                    capacity: a.capacity,
                    provenance,
                });
            }
            let mut provenance = e.provenance("", v.id.span(), v.sources, v.certainty, v.caveat, v.note);
            provenance.verified = e.verified(v.verified);
            let event = Event {
                id,
                kind: v.kind,
                org,
                date,
                end,
                city: v.city,
                host,
                attendance,
                provenance,
            };
            if e.finish(v.id.get_ref()) {
                self.record.events.push(event);
            }
        }
    }
}
