//! Readers of KTAB's Spatial Model of Politics scenarios: the CSV format
//! (SMP specification §2) and the XML format (`smpSchema.xsd`, with model
//! parameters and the ideal-adjustment matrix), into an
//! [`accord_engine::Issue`] plus [`SmpSettings`].
//!
//! Both readers apply KTAB's own checks (`smpread.cpp`) and the implicit ones
//! KTAB only fails on later (capability > 0, at least one positive salience).
//! Every error names the file, the line (and column or field where there is
//! one), what is wrong and what would be valid. No input makes them panic.
//!
//! Positions stay on KTAB's 0–100 scale; saliences are divided by 100.0
//! (a true division, as KTAB does).
//!
//! XML is parsed with [`roxmltree`]: a small, dependency-free, read-only DOM
//! parser that is widely used and fuzzed, gives the line and column of every
//! node for error messages, and rejects DTDs (so no entity-expansion attacks).
//! A read-only tree is all these small files need.

use std::fmt;
use std::path::Path;

use accord_engine::smp::{
    BargainModel, BigRAdjust, BigRRange, InterVecBrgn, PceModel, SmpSettings, SmpVotingRule, StateTransitions,
    ThirdPartyCommit, VictoryProbModel,
};
use accord_engine::{Issue, Stance};

/// KTAB's bounds on the number of actors (`Model::minNumActor`, `maxNumActor`).
pub const MIN_ACTORS: usize = 3;
/// See [`MIN_ACTORS`].
pub const MAX_ACTORS: usize = 250;
/// KTAB's longest actor name (`Model::maxActNameLen`).
pub const MAX_NAME_LEN: usize = 25;
/// KTAB's longest actor description (`Model::maxActDescLen`).
pub const MAX_DESC_LEN: usize = 256;
/// KTAB's capability limit in CSV files (`aCap < 1E8`).
pub const MAX_CSV_CAPABILITY: f64 = 1e8;
/// The capability limit of `smpSchema.xsd`.
pub const MAX_XML_CAPABILITY: f64 = 1000.0;

/// Which KTAB format a scenario was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KtabFormat {
    /// Comma-separated, one actor a line.
    Csv,
    /// XML following `smpSchema.xsd`.
    Xml,
}

/// A KTAB scenario: the issue SMP runs on, and how to run it.
#[derive(Debug, Clone, PartialEq)]
pub struct KtabScenario {
    /// Scenario name (CSV field 1 of line 1, XML `<name>`).
    pub name: String,
    /// Scenario description.
    pub description: String,
    /// One name per dimension (from the CSV header or XML `<Dimensions>`).
    pub dimension_names: Vec<String>,
    /// One description per actor, in input order.
    pub actor_descriptions: Vec<String>,
    /// Actors' names, capabilities, positions (0–100) and saliences (0–1).
    pub issue: Issue,
    /// Model parameters: KTAB's defaults for CSV; for XML those of
    /// `<ModelParameters>` (defaults when absent) and the accommodation
    /// matrix of `<IdealAdjustment>`.
    pub settings: SmpSettings,
    /// The XML `<prngSeed>`, if any.
    pub seed: Option<u64>,
    /// The format read.
    pub format: KtabFormat,
}

/// Why a KTAB file could not be read: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct KtabError {
    /// The file (as given by the caller).
    pub file: String,
    /// 1-based line, when the problem has one.
    pub line: Option<usize>,
    /// 1-based column (in characters), when known.
    pub column: Option<usize>,
    /// The CSV field (1-based number and header name) or XML element.
    pub field: Option<String>,
    /// What is wrong and what would be valid.
    pub message: String,
}

impl fmt::Display for KtabError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        write!(f, ": ")?;
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// A number as a person would write it: `1e308`, not 309 digits.
fn short(v: f64) -> String {
    if v != 0.0 && !(1e-4..1e9).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        v.to_string()
    }
}

/// Reads a KTAB scenario file, CSV or XML: a `.xml` file is read as XML,
/// any other by content (XML starts with `<`). Files larger than
/// [`crate::text::MAX_FILE_BYTES`] are refused before they are read.
pub fn read_file(path: &Path) -> Result<KtabScenario, KtabError> {
    let file = path.display().to_string();
    let text = crate::text::read_text_file(path).map_err(|e| KtabError {
        file: file.clone(),
        line: e.line,
        column: e.column,
        field: None,
        message: e.message,
    })?;
    if path.extension().is_some_and(|x| x.eq_ignore_ascii_case("xml")) {
        return read_xml(&text, &file);
    }
    read_text(&text, &file)
}

/// Reads a KTAB scenario from bytes, CSV or XML (decided by content). `file`
/// names the source in error messages.
pub fn read_bytes(bytes: &[u8], file: &str) -> Result<KtabScenario, KtabError> {
    let text = crate::text::utf8(bytes.to_vec(), file).map_err(|e| KtabError {
        file: file.into(),
        line: e.line,
        column: e.column,
        field: None,
        message: e.message,
    })?;
    read_text(&text, file)
}

/// CSV or XML, decided by content.
fn read_text(text: &str, file: &str) -> Result<KtabScenario, KtabError> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    if body.trim_start().starts_with('<') {
        read_xml(text, file)
    } else {
        read_csv(text, file)
    }
}

// ------------------------------------------------------------------------
// CSV

/// KTAB's CSV has no dimension limit of its own. Accord's: 100. SMP's cost
/// per iteration grows with actors² × dimensions (250 actors × 2,000
/// dimensions ran 75 s and 889 MB); KTAB's own samples have at most 6
/// dimensions, so 100 leaves room for any real scenario while keeping the
/// largest allowed run (250 actors × 100 dimensions) to seconds and tens of MB.
pub const MAX_DIMENSIONS: usize = 100;

/// One record of a CSV file as the `csv` crate read it, with what is needed
/// to point at its fields.
struct Row<'t> {
    /// 1-based line where the record starts.
    line: usize,
    /// Its fields, trimmed and unquoted.
    record: csv::StringRecord,
    /// The raw text from the record's start, to locate a field's column.
    raw: &'t str,
}

impl Row<'_> {
    fn len(&self) -> usize {
        self.record.len()
    }

    fn get(&self, k: usize) -> &str {
        self.record.get(k).unwrap_or("")
    }

    /// 1-based character column of field `k` (after its leading blanks), found
    /// by walking the raw line the way the `csv` crate splits it: a comma
    /// outside double quotes ends a field. Used only to place messages.
    fn column(&self, k: usize) -> usize {
        crate::text::csv_field_column(self.raw, k)
    }
}

/// The non-blank records of a KTAB CSV, read by the `csv` crate (RFC 4180
/// quoting: a field that starts with `"` may hold commas and line breaks,
/// `""` is a quote; fields are trimmed; rows may differ in length).
struct Rows<'t> {
    text: &'t str,
    records: csv::StringRecordsIntoIter<&'t [u8]>,
    file: &'t str,
}

impl<'t> Rows<'t> {
    fn new(text: &'t str, file: &'t str) -> Rows<'t> {
        let records = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes())
            .into_records();
        Rows { text, records, file }
    }

    /// The next record with a non-empty field.
    fn next_row(&mut self) -> Result<Option<Row<'t>>, KtabError> {
        for rec in self.records.by_ref() {
            let record = rec.map_err(|e| {
                let line = e.position().map(|p| p.line() as usize);
                KtabError {
                    file: self.file.into(),
                    line,
                    column: None,
                    field: None,
                    message: format!("unreadable CSV: {e}"),
                }
            })?;
            if record.iter().all(str::is_empty) {
                continue;
            }
            let (line, byte) = record
                .position()
                .map_or((0, 0), |p| (p.line() as usize, p.byte() as usize));
            let raw = self.text.get(byte..).unwrap_or("");
            return Ok(Some(Row { line, record, raw }));
        }
        Ok(None)
    }
}

struct CsvCtx<'a> {
    file: &'a str,
}

impl CsvCtx<'_> {
    fn err(&self, line: usize, column: Option<usize>, field: Option<String>, message: String) -> KtabError {
        KtabError {
            file: self.file.into(),
            line: Some(line),
            column,
            field,
            message,
        }
    }
}

/// The number of fields of a row once its trailing empty fields (KTAB's
/// files often end lines with a comma) are dropped.
fn filled_len(row: &Row) -> usize {
    (0..row.len())
        .rev()
        .find(|&k| !row.get(k).is_empty())
        .map_or(0, |k| k + 1)
}

/// Reads KTAB's CSV scenario format (SMP specification §2), parsed with the
/// `csv` crate.
///
/// Line 1: `name, description, number of actors, number of dimensions`;
/// line 2: a header naming the columns (a position and a salience per
/// dimension); then one line per actor: `name, description, capability,
/// position_1, salience_1, …`. Blank lines are skipped; trailing empty
/// fields are ignored. Every count is checked before anything is allocated
/// for it ([`MIN_ACTORS`]–[`MAX_ACTORS`] actors, 1–[`MAX_DIMENSIONS`]
/// dimensions). A count of actor lines, or of values in a row or in the
/// header, that differs from line 1 is an error, and so is an actor name
/// given twice.
pub fn read_csv(text: &str, file: &str) -> Result<KtabScenario, KtabError> {
    let ctx = CsvCtx { file };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Rows::new(text, file);

    // line 1
    let first = rows.next_row()?.ok_or_else(|| KtabError {
        file: file.into(),
        line: None,
        column: None,
        field: None,
        message: "the file is empty; a KTAB CSV starts with `name, description, actors, dimensions`".into(),
    })?;
    let l1 = first.line;
    if first.len() < 4 {
        return Err(ctx.err(
            l1,
            None,
            None,
            format!(
                "line 1 has {} field(s); it needs 4: scenario name, description, number of actors, \
                 number of dimensions",
                first.len()
            ),
        ));
    }
    let count = |k: usize, what: &str| -> Result<usize, KtabError> {
        let t = first.get(k);
        t.parse::<usize>().map_err(|_| {
            ctx.err(
                l1,
                Some(first.column(k)),
                Some(format!("field {} ({what})", k + 1)),
                format!("`{t}` is not a whole number ≥ 0"),
            )
        })
    };
    let n = count(2, "number of actors")?;
    let dims = count(3, "number of dimensions")?;
    if !(MIN_ACTORS..=MAX_ACTORS).contains(&n) {
        return Err(ctx.err(
            l1,
            Some(first.column(2)),
            Some("field 3 (number of actors)".into()),
            format!("{n} actors: KTAB accepts {MIN_ACTORS} to {MAX_ACTORS}"),
        ));
    }
    if !(1..=MAX_DIMENSIONS).contains(&dims) {
        return Err(ctx.err(
            l1,
            Some(first.column(3)),
            Some("field 4 (number of dimensions)".into()),
            format!(
                "{dims} dimensions: Accord accepts 1 to {MAX_DIMENSIONS} (SMP's cost grows with the \
                 dimensions; see docs/reliability.md)"
            ),
        ));
    }
    // Both counts are bounded, so this cannot overflow.
    let needed = 3 + 2 * dims;

    // line 2: header
    let header = rows.next_row()?.ok_or_else(|| {
        ctx.err(
            l1,
            None,
            None,
            "the header line (line 2) and the actor lines are missing".into(),
        )
    })?;
    let filled = filled_len(&header);
    if filled != needed {
        let named = filled.saturating_sub(3) as f64 / 2.0;
        return Err(ctx.err(
            header.line,
            Some(header.column(filled.min(needed).saturating_sub(1))),
            None,
            format!(
                "the header names {filled} column(s), {needed} expected: name, description, \
                 capability, then a position and a salience for each of the {dims} dimension(s) \
                 line 1 declares (this header names {named} dimension(s))"
            ),
        ));
    }
    let col_name = |k: usize| -> String {
        match header.record.get(k).filter(|t| !t.is_empty()) {
            Some(h) => format!("field {} ({h})", k + 1),
            None => format!("field {}", k + 1),
        }
    };
    let dimension_names = (0..dims)
        .map(|d| {
            Some(header.get(3 + 2 * d))
                .filter(|t| !t.is_empty())
                .map_or_else(|| format!("Dim{d}"), str::to_string)
        })
        .collect();

    let mut stances: Vec<Stance> = Vec::with_capacity(n);
    let mut descriptions = Vec::with_capacity(n);
    let mut first_line_of: std::collections::HashMap<String, usize> = std::collections::HashMap::with_capacity(n);
    let mut last_line = header.line;
    for a in 0..n {
        let f = rows.next_row()?.ok_or_else(|| {
            ctx.err(
                last_line,
                None,
                None,
                format!(
                    "line 1 declares {n} actors but the file has only {a} actor line(s) after the \
                     header"
                ),
            )
        })?;
        let ln = f.line;
        last_line = ln;
        if f.len() < needed {
            return Err(ctx.err(
                ln,
                None,
                None,
                format!(
                    "too few fields: {} found, {needed} needed (name, description, capability, then \
                     position and salience for each of the {dims} dimension(s))",
                    f.len()
                ),
            ));
        }
        if filled_len(&f) > needed {
            return Err(ctx.err(
                ln,
                Some(f.column(needed)),
                Some(col_name(needed)),
                format!(
                    "too many values: {} found, {needed} expected; line 1 declares {dims} dimension(s) \
                     (a position and a salience each) and the extra values would be dropped",
                    filled_len(&f)
                ),
            ));
        }
        let name = f.get(0);
        let nchars = name.chars().count();
        if nchars == 0 || nchars > MAX_NAME_LEN {
            return Err(ctx.err(
                ln,
                Some(f.column(0)),
                Some(col_name(0)),
                format!("actor name `{name}` has {nchars} characters; KTAB needs 1 to {MAX_NAME_LEN}"),
            ));
        }
        if let Some(earlier) = first_line_of.get(name) {
            return Err(ctx.err(
                ln,
                Some(f.column(0)),
                Some(col_name(0)),
                format!("a second actor named `{name}` (the first is on line {earlier}); names must be unique"),
            ));
        }
        first_line_of.insert(name.to_string(), ln);
        let desc = f.get(1);
        if desc.chars().count() > MAX_DESC_LEN {
            return Err(ctx.err(
                ln,
                Some(f.column(1)),
                Some(col_name(1)),
                format!("description longer than {MAX_DESC_LEN} characters"),
            ));
        }
        let number = |k: usize| -> Result<f64, KtabError> {
            let t = f.get(k);
            match t.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(v),
                _ => Err(ctx.err(
                    ln,
                    Some(f.column(k)),
                    Some(col_name(k)),
                    format!("`{t}` is not a number"),
                )),
            }
        };
        let cap = number(2)?;
        if cap < 0.0 {
            return Err(ctx.err(
                ln,
                Some(f.column(2)),
                Some(col_name(2)),
                format!(
                    "negative capability {}; it must be > 0 and below {MAX_CSV_CAPABILITY:e}",
                    short(cap)
                ),
            ));
        }
        if cap == 0.0 || cap >= MAX_CSV_CAPABILITY {
            return Err(ctx.err(
                ln,
                Some(f.column(2)),
                Some(col_name(2)),
                format!(
                    "capability {}; it must be > 0 (it is a voting weight) and below \
                     {MAX_CSV_CAPABILITY:e}",
                    short(cap)
                ),
            ));
        }
        let mut position = Vec::with_capacity(dims);
        let mut salience = Vec::with_capacity(dims);
        let mut total = 0.0;
        for d in 0..dims {
            let (kp, ks) = (3 + 2 * d, 4 + 2 * d);
            let p = number(kp)?;
            if !(0.0..=100.0).contains(&p) {
                return Err(ctx.err(
                    ln,
                    Some(f.column(kp)),
                    Some(col_name(kp)),
                    format!("position {p} is outside 0–100"),
                ));
            }
            let s = number(ks)?;
            if !(0.0..=100.0).contains(&s) {
                return Err(ctx.err(
                    ln,
                    Some(f.column(ks)),
                    Some(col_name(ks)),
                    format!("salience {s} is outside 0–100"),
                ));
            }
            total += s;
            if total > 100.0 {
                return Err(ctx.err(
                    ln,
                    Some(f.column(ks)),
                    Some(col_name(ks)),
                    format!(
                        "actor {name}'s saliences sum to {total} by dimension {}, above 100: an actor \
                         cannot give more than 100 % of its attention",
                        d + 1
                    ),
                ));
            }
            position.push(p);
            salience.push(s / 100.0);
        }
        if total <= 0.0 {
            return Err(ctx.err(
                ln,
                None,
                None,
                format!("actor {name} has no positive salience; at least one must be > 0"),
            ));
        }
        stances.push(Stance {
            actor: name.to_string(),
            capability: cap,
            position,
            salience,
        });
        descriptions.push(desc.to_string());
    }
    if let Some(extra) = rows.next_row()? {
        return Err(ctx.err(
            extra.line,
            None,
            None,
            format!(
                "line 1 declares {n} actors but there are more actor lines; correct the count or \
                 remove this line"
            ),
        ));
    }
    let name = first.get(0).to_string();
    Ok(KtabScenario {
        issue: Issue {
            id: if name.is_empty() {
                file.to_string()
            } else {
                name.clone()
            },
            dimensions: dims,
            status_quo: None,
            stances,
            procedure: None,
        },
        name,
        description: first.get(1).to_string(),
        dimension_names,
        actor_descriptions: descriptions,
        settings: SmpSettings::default(),
        seed: None,
        format: KtabFormat::Csv,
    })
}

// ------------------------------------------------------------------------
// XML

struct XmlCtx<'a, 'input> {
    file: &'a str,
    doc: &'a roxmltree::Document<'input>,
}

type XNode<'a, 'input> = roxmltree::Node<'a, 'input>;

impl<'a, 'input> XmlCtx<'a, 'input> {
    fn err(&self, node: XNode, message: String) -> KtabError {
        let pos = self.doc.text_pos_at(node.range().start);
        let field = node.is_element().then(|| format!("<{}>", node.tag_name().name()));
        KtabError {
            file: self.file.into(),
            line: Some(pos.row as usize),
            column: Some(pos.col as usize),
            field,
            message,
        }
    }

    fn elements(&self, node: XNode<'a, 'input>) -> impl Iterator<Item = XNode<'a, 'input>> {
        node.children().filter(|c| c.is_element())
    }

    fn child(&self, node: XNode<'a, 'input>, name: &str) -> Result<XNode<'a, 'input>, KtabError> {
        self.elements(node)
            .find(|c| c.tag_name().name() == name)
            .ok_or_else(|| self.err(node, format!("the required element <{name}> is missing")))
    }

    fn opt_child(&self, node: XNode<'a, 'input>, name: &str) -> Option<XNode<'a, 'input>> {
        self.elements(node).find(|c| c.tag_name().name() == name)
    }

    fn text(&self, node: XNode<'a, 'input>) -> String {
        node.children()
            .filter_map(|c| c.text())
            .collect::<String>()
            .trim()
            .to_string()
    }

    fn number(&self, node: XNode<'a, 'input>, range: (f64, f64), what: &str) -> Result<f64, KtabError> {
        let t = self.text(node);
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= range.0 && v <= range.1 => Ok(v),
            Ok(v) if v.is_finite() => {
                Err(self.err(node, format!("{what} {} is outside {}–{}", short(v), range.0, range.1)))
            }
            _ => Err(self.err(node, format!("{what} `{t}` is not a number"))),
        }
    }

    fn only(&self, node: XNode<'a, 'input>, allowed: &[&str]) -> Result<(), KtabError> {
        for c in self.elements(node) {
            if !allowed.contains(&c.tag_name().name()) {
                return Err(self.err(
                    c,
                    format!(
                        "unexpected element inside <{}>; allowed: {}",
                        node.tag_name().name(),
                        allowed.iter().map(|a| format!("<{a}>")).collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }
}

fn parse_param<T>(
    ctx: &XmlCtx,
    params: XNode,
    name: &str,
    parse: fn(&str) -> Option<T>,
    names: fn() -> String,
) -> Result<T, KtabError> {
    let node = ctx.child(params, name)?;
    let t = ctx.text(node);
    parse(&t).ok_or_else(|| ctx.err(node, format!("unknown value `{t}`; valid: {}", names())))
}

/// Reads KTAB's XML scenario format (`smpSchema.xsd`): scenario name,
/// description and seed, optional model parameters, dimensions, actors and
/// an optional ideal-adjustment matrix.
///
/// As in KTAB, the ideal-adjustment matrix starts as the identity and each
/// `<iaPair>` sets one entry (row = adjusting actor, column = reference
/// actor); rows must then sum to at most 1.
pub fn read_xml(text: &str, file: &str) -> Result<KtabScenario, KtabError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(KtabError {
            file: file.into(),
            line: None,
            column: None,
            field: None,
            message: "the file is empty; a KTAB XML scenario is a <Scenario> element (smpSchema.xsd)".into(),
        });
    }
    let doc = roxmltree::Document::parse(text).map_err(|e| {
        let pos = e.pos();
        KtabError {
            file: file.into(),
            line: Some(pos.row as usize),
            column: Some(pos.col as usize),
            field: None,
            message: format!("not well-formed XML: {e}"),
        }
    })?;
    let ctx = XmlCtx { file, doc: &doc };
    let root = doc.root_element();
    if root.tag_name().name() != "Scenario" {
        return Err(ctx.err(root, "the root element must be <Scenario>".into()));
    }
    ctx.only(
        root,
        &[
            "name",
            "desc",
            "prngSeed",
            "ModelParameters",
            "Dimensions",
            "Actors",
            "IdealAdjustment",
        ],
    )?;
    let name = ctx.text(ctx.child(root, "name")?);
    let description = ctx.text(ctx.child(root, "desc")?);
    let seed_node = ctx.child(root, "prngSeed")?;
    let seed_text = ctx.text(seed_node);
    let seed = seed_text.parse::<u64>().map_err(|_| {
        ctx.err(
            seed_node,
            format!("`{seed_text}` is not a whole number from 0 to 18446744073709551615"),
        )
    })?;

    let mut settings = SmpSettings::default();
    if let Some(p) = ctx.opt_child(root, "ModelParameters") {
        settings.victory_prob_model = parse_param(
            &ctx,
            p,
            "VictoryProbModel",
            VictoryProbModel::from_ktab_name,
            VictoryProbModel::ktab_names,
        )?;
        settings.pce_model = parse_param(&ctx, p, "PCEModel", PceModel::from_ktab_name, PceModel::ktab_names)?;
        settings.state_transitions = parse_param(
            &ctx,
            p,
            "StateTransitions",
            StateTransitions::from_ktab_name,
            StateTransitions::ktab_names,
        )?;
        settings.voting_rule = parse_param(
            &ctx,
            p,
            "VotingRule",
            SmpVotingRule::from_ktab_name,
            SmpVotingRule::ktab_names,
        )?;
        settings.big_r_adjust = parse_param(
            &ctx,
            p,
            "BigRAdjust",
            BigRAdjust::from_ktab_name,
            BigRAdjust::ktab_names,
        )?;
        settings.big_r_range = parse_param(&ctx, p, "BigRRange", BigRRange::from_ktab_name, BigRRange::ktab_names)?;
        settings.third_party_commit = parse_param(
            &ctx,
            p,
            "ThirdPartyCommit",
            ThirdPartyCommit::from_ktab_name,
            ThirdPartyCommit::ktab_names,
        )?;
        settings.inter_vec_brgn = parse_param(
            &ctx,
            p,
            "InterVecBrgn",
            InterVecBrgn::from_ktab_name,
            InterVecBrgn::ktab_names,
        )?;
        settings.bargain_model = parse_param(
            &ctx,
            p,
            "BargnModel",
            BargainModel::from_ktab_name,
            BargainModel::ktab_names,
        )?;
    }

    let dim_names: Option<Vec<String>> = match ctx.opt_child(root, "Dimensions") {
        Some(dn) => {
            ctx.only(dn, &["dName"])?;
            let names: Vec<String> = ctx.elements(dn).map(|d| ctx.text(d)).collect();
            if names.is_empty() {
                return Err(ctx.err(dn, "<Dimensions> needs at least one <dName>".into()));
            }
            Some(names)
        }
        None => None,
    };

    let actors_node = ctx.child(root, "Actors")?;
    ctx.only(actors_node, &["Actor"])?;
    let actor_nodes: Vec<XNode> = ctx.elements(actors_node).collect();
    if !(MIN_ACTORS..=MAX_ACTORS).contains(&actor_nodes.len()) {
        return Err(ctx.err(
            actors_node,
            format!(
                "{} <Actor> element(s); KTAB accepts {MIN_ACTORS} to {MAX_ACTORS}",
                actor_nodes.len()
            ),
        ));
    }
    let mut dims = dim_names.as_ref().map(Vec::len);
    let mut stances: Vec<Stance> = Vec::with_capacity(actor_nodes.len());
    let mut descriptions = Vec::with_capacity(actor_nodes.len());
    for an in &actor_nodes {
        ctx.only(*an, &["name", "description", "capability", "Position", "Salience"])?;
        let name_node = ctx.child(*an, "name")?;
        let aname = ctx.text(name_node);
        if aname.is_empty() {
            return Err(ctx.err(name_node, "an actor needs a non-empty name".into()));
        }
        if stances.iter().any(|s| s.actor == aname) {
            return Err(ctx.err(
                name_node,
                format!("a second actor named `{aname}`; names must be unique"),
            ));
        }
        let desc = ctx.text(ctx.child(*an, "description")?);
        let cap_node = ctx.child(*an, "capability")?;
        let cap = ctx.number(cap_node, (0.0, MAX_XML_CAPABILITY), "capability")?;
        if cap <= 0.0 {
            return Err(ctx.err(cap_node, "capability must be > 0 (it is a voting weight)".into()));
        }
        let pos_node = ctx.child(*an, "Position")?;
        ctx.only(pos_node, &["dCoord"])?;
        let position = ctx
            .elements(pos_node)
            .map(|c| ctx.number(c, (0.0, 100.0), "position"))
            .collect::<Result<Vec<f64>, _>>()?;
        let sal_node = ctx.child(*an, "Salience")?;
        ctx.only(sal_node, &["dSal"])?;
        let mut total = 0.0;
        let mut salience = Vec::new();
        for c in ctx.elements(sal_node) {
            let s = ctx.number(c, (0.0, 100.0), "salience")?;
            total += s;
            if total > 100.0 {
                return Err(ctx.err(c, format!("actor {aname}'s saliences sum to {total}, above 100")));
            }
            salience.push(s / 100.0);
        }
        let nd = *dims.get_or_insert(position.len());
        if nd == 0 {
            return Err(ctx.err(pos_node, "a position needs at least one <dCoord>".into()));
        }
        if nd > MAX_DIMENSIONS {
            return Err(ctx.err(
                pos_node,
                format!("{nd} dimensions: Accord accepts 1 to {MAX_DIMENSIONS} (see docs/reliability.md)"),
            ));
        }
        if position.len() != nd {
            return Err(ctx.err(
                pos_node,
                format!("{} <dCoord> found, {nd} expected (one per dimension)", position.len()),
            ));
        }
        if salience.len() != nd {
            return Err(ctx.err(
                sal_node,
                format!("{} <dSal> found, {nd} expected (one per dimension)", salience.len()),
            ));
        }
        if total <= 0.0 {
            return Err(ctx.err(sal_node, format!("actor {aname} has no positive salience")));
        }
        stances.push(Stance {
            actor: aname,
            capability: cap,
            position,
            salience,
        });
        descriptions.push(desc);
    }
    let dims = dims.unwrap_or(0);
    let n = stances.len();

    if let Some(ia) = ctx.opt_child(root, "IdealAdjustment") {
        ctx.only(ia, &["iaPair"])?;
        let mut acc: Vec<Vec<f64>> = (0..n)
            .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
            .collect();
        let find = |node: XNode| -> Result<usize, KtabError> {
            let t = ctx.text(node);
            stances
                .iter()
                .position(|s| s.actor == t)
                .ok_or_else(|| ctx.err(node, format!("no actor is named `{t}`")))
        };
        for pair in ctx.elements(ia) {
            ctx.only(pair, &["adjustingIdeal", "referencePos", "adjust"])?;
            let i = find(ctx.child(pair, "adjustingIdeal")?)?;
            let j = find(ctx.child(pair, "referencePos")?)?;
            acc[i][j] = ctx.number(ctx.child(pair, "adjust")?, (0.0, 1.0), "adjustment")?;
        }
        for (i, row) in acc.iter().enumerate() {
            let sum = row.iter().fold(0.0, |a, b| a + b);
            if sum > 1.0 + 1e-10 {
                return Err(ctx.err(
                    ia,
                    format!(
                        "actor {}'s adjustments sum to {sum} (the diagonal is 1 unless an <iaPair> \
                         sets it); a row may sum to at most 1",
                        stances[i].actor
                    ),
                ));
            }
        }
        settings.accommodation = Some(acc);
    }

    Ok(KtabScenario {
        issue: Issue {
            id: if name.is_empty() {
                file.to_string()
            } else {
                name.clone()
            },
            dimensions: dims,
            status_quo: None,
            stances,
            procedure: None,
        },
        name,
        description,
        dimension_names: dim_names.unwrap_or_else(|| (0..dims).map(|d| format!("Dim{d}")).collect()),
        actor_descriptions: descriptions,
        settings,
        seed: Some(seed),
        format: KtabFormat::Xml,
    })
}

/// `accord ktab run --json`: `result`, the SMP run of a scenario read from
/// `file` with `settings` and `seed`, as JSON (history, final positions,
/// risk attitudes, winning probabilities, stop ratios, settings, stop
/// reason). The CLI and the Python package both print it.
pub fn run_json(
    scenario: &KtabScenario,
    file: &str,
    settings: &SmpSettings,
    seed: u64,
    result: &accord_engine::smp::SmpRun,
) -> serde_json::Value {
    let names: Vec<&str> = scenario.issue.stances.iter().map(|s| s.actor.as_str()).collect();
    let hist = &result.history;
    let finals: Vec<_> = names
        .iter()
        .zip(hist.final_positions())
        .map(|(n, p)| serde_json::json!({ "actor": n, "position": p }))
        .collect();
    serde_json::json!({
        "scenario": scenario.name,
        "description": scenario.description,
        "file": file,
        "actors": names,
        "dimensions": scenario.dimension_names,
        "seed": seed,
        "settings": settings,
        "states": hist.positions.len(),
        "turns": hist.turns(),
        "stop_reason": hist.stop,
        "final_positions": finals,
        "history": hist.positions,
        "ideals": result.ideals,
        "risk": result.risk,
        "probabilities": result.probabilities,
        "stop_ratios": result.stop_ratios,
        "targets": result.targets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV3: &str = "S,\"a, quoted desc\",3,2,\nActor,Desc,Power,P1,S1,P2,S2\n\
                        A,d,10,20,30,40,50\nB,d,5,60,10,0,10\nC,d,1,100,0,50,100\n";

    #[test]
    fn reads_a_small_csv() {
        let s = read_csv(CSV3, "t.csv").unwrap();
        assert_eq!(s.description, "a, quoted desc");
        assert_eq!(s.issue.stances.len(), 3);
        assert_eq!(s.dimension_names, vec!["P1", "P2"]);
        assert_eq!(s.issue.stances[0].salience, vec![30.0 / 100.0, 50.0 / 100.0]);
        assert_eq!(s.issue.stances[2].position, vec![100.0, 50.0]);
    }

    fn csv_err(text: &str) -> KtabError {
        read_csv(text, "t.csv").unwrap_err()
    }

    #[test]
    fn csv_errors_say_where_and_what() {
        let e = csv_err("S,d,4,2\nA,D,C,P1,S1,P2,S2\nA,d,10,20,30,40,50\nB,d,5,60,10,0,10\nC,d,1,100,0,50,100\n");
        assert!(e.message.contains("declares 4 actors"), "{e}");
        let e = csv_err("S,d,2,2\nh\nA,d,10,20,30,40,50\nB,d,5,60,10,0,10\nC,d,1,100,0,50,100\n");
        assert!(e.message.contains("KTAB accepts 3 to 250"), "{e}");
        let e = csv_err(&CSV3.replace("A,d,10,20,30,40,50", "A,d,10,20,60,40,50"));
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("above 100"), "{e}");
        assert!(e.to_string().starts_with("t.csv:3:"), "{e}");
        let e = csv_err(&CSV3.replace("B,d,5,", "B,d,-5,"));
        assert!(e.message.contains("negative capability"), "{e}");
        assert_eq!((e.line, e.column), (Some(4), Some(5)));
        let e = csv_err(&CSV3.replace("B,d,5,60", "B,d,5,6x0"));
        assert!(
            e.message.contains("not a number") && e.field.as_deref() == Some("field 4 (P1)"),
            "{e}"
        );
        let e = csv_err(&CSV3.replace("C,d,1,100,0,50,100", "C,d,1,100,0,50"));
        assert!(e.message.contains("too few fields: 6 found, 7 needed"), "{e}");
        let e = csv_err(&format!("{CSV3}D,d,1,1,1,1,1\n"));
        assert!(e.message.contains("more actor lines") && e.line == Some(6), "{e}");
        let e = csv_err("S,d,x,2\n");
        assert!(e.message.contains("not a whole number"), "{e}");
    }

    #[test]
    fn csv_counts_are_bounded_before_allocation() {
        let e = csv_err("S,d,3,1000000000\n");
        assert!(e.message.contains("1 to 100"), "{e}");
        assert_eq!((e.line, e.column), (Some(1), Some(7)));
        let e = csv_err("S,d,3,18446744073709551615\n");
        assert!(e.message.contains("dimensions"), "{e}");
        let e = csv_err("S,d,1000000000,1\n");
        assert!(e.message.contains("KTAB accepts 3 to 250"), "{e}");
    }

    #[test]
    fn csv_duplicates_and_miscounts_are_errors() {
        let e = csv_err(&CSV3.replace("B,d,5,", "A,d,5,"));
        assert!(
            e.message.contains("second actor named `A`") && e.message.contains("line 3"),
            "{e}"
        );
        assert_eq!((e.line, e.column), (Some(4), Some(1)));
        // a row holding a third dimension that line 1 does not declare
        let e = csv_err(&CSV3.replace("B,d,5,60,10,0,10", "B,d,5,60,10,0,10,7,7"));
        assert!(e.message.contains("too many values: 9 found, 7 expected"), "{e}");
        assert_eq!((e.line, e.column), (Some(4), Some(18)));
        // the header names one dimension, line 1 declares two
        let e = csv_err(&CSV3.replace("Actor,Desc,Power,P1,S1,P2,S2", "Actor,Desc,Power,P1,S1"));
        assert!(e.message.contains("header names 5 column(s), 7 expected"), "{e}");
        assert_eq!(e.line, Some(2));
        let e = csv_err(&CSV3.replace("Actor,Desc,Power,P1,S1,P2,S2", "Actor,Desc,Power,P1,S1,P2,S2,P3,S3"));
        assert!(e.message.contains("header names 9"), "{e}");
        // trailing empty fields are not values
        assert!(read_csv(&CSV3.replace("B,d,5,60,10,0,10", "B,d,5,60,10,0,10,,"), "t").is_ok());
    }

    #[test]
    fn csv_columns_count_quoted_commas() {
        let e = csv_err(&CSV3.replace("B,d,5,60", "B,\"x, y\",5,6x0"));
        assert_eq!((e.line, e.column), (Some(4), Some(12)), "{e}");
    }

    #[test]
    fn xml_errors_say_where_and_what() {
        let xml = "<Scenario><name>n</name><desc>d</desc><prngSeed>12</prngSeed>\n<Actors>\n\
                   <Actor><name>A</name><description/><capability>5</capability>\
                   <Position><dCoord>10</dCoord></Position><Salience><dSal>50</dSal></Salience></Actor>\n\
                   <Actor><name>B</name><description/><capability>5</capability>\
                   <Position><dCoord>20</dCoord></Position><Salience><dSal>50</dSal></Salience></Actor>\n\
                   <Actor><name>C</name><description/><capability>5</capability>\
                   <Position><dCoord>90</dCoord></Position><Salience><dSal>50</dSal></Salience></Actor>\n\
                   </Actors></Scenario>";
        let s = read_xml(xml, "t.xml").unwrap();
        assert_eq!(s.seed, Some(12));
        assert_eq!(s.issue.dimensions, 1);
        let e = read_xml(&xml.replace("<dCoord>20</dCoord>", "<dCoord>200</dCoord>"), "t.xml").unwrap_err();
        assert_eq!(e.line, Some(4));
        assert!(e.message.contains("position 200 is outside 0–100"), "{e}");
        let e = read_xml(&xml.replace("<prngSeed>12", "<prngSeed>x"), "t.xml").unwrap_err();
        assert!(e.message.contains("not a whole number"), "{e}");
        let e = read_xml(&xml.replace("</Actors>", "</Actors><IdealAdjustment><iaPair><adjustingIdeal>A</adjustingIdeal><referencePos>B</referencePos><adjust>0.5</adjust></iaPair></IdealAdjustment>"), "t.xml").unwrap_err();
        assert!(e.message.contains("at most 1"), "{e}");
    }

    macro_rules! sample {
        ($f:literal) => {
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../accord-engine/tests/data/ktab/inputs/",
                $f
            ))
        };
    }

    #[test]
    fn reads_every_ktab_sample() {
        for (name, text) in [
            ("dummyData_3Dim.csv", sample!("dummyData_3Dim.csv")),
            ("dummyData_6Dim.csv", sample!("dummyData_6Dim.csv")),
            ("dummyData-a040.csv", sample!("dummyData-a040.csv")),
            ("dummyData-a080.csv", sample!("dummyData-a080.csv")),
            ("dummyData-a160.csv", sample!("dummyData-a160.csv")),
            ("SOE-Policy.csv", sample!("SOE-Policy.csv")),
            ("SOE-Competitive.csv", sample!("SOE-Competitive.csv")),
            ("SOE-Pol-Comp.csv", sample!("SOE-Pol-Comp.csv")),
            ("dummyData_3Dim.xml", sample!("dummyData_3Dim.xml")),
            ("smpExample.xml", sample!("smpExample.xml")),
            ("smpExample-deterministic.xml", sample!("smpExample-deterministic.xml")),
        ] {
            let s = read_bytes(text.as_bytes(), name).unwrap_or_else(|e| panic!("{e}"));
            s.issue.validate().unwrap();
        }
        let s = read_csv(sample!("dummyData_6Dim.csv"), "6").unwrap();
        assert_eq!((s.issue.stances.len(), s.issue.dimensions), (27, 6));
    }

    #[test]
    fn csv_and_xml_of_3dim_agree() {
        let c = read_csv(sample!("dummyData_3Dim.csv"), "c").unwrap();
        let x = read_xml(sample!("dummyData_3Dim.xml"), "x").unwrap();
        assert_eq!(c.issue.stances, x.issue.stances);
        assert_eq!(c.dimension_names, x.dimension_names);
        assert_eq!(x.settings, SmpSettings::default());
        assert_eq!(c.format, KtabFormat::Csv);
        assert_eq!(x.format, KtabFormat::Xml);
    }

    #[test]
    fn smp_example_parameters_and_accommodation() {
        let s = read_xml(sample!("smpExample.xml"), "x").unwrap();
        assert_eq!(s.seed, Some(3507583219545544127));
        let st = &s.settings;
        assert_eq!(st.pce_model, PceModel::MarkovIncentive);
        assert_eq!(st.state_transitions, StateTransitions::Stochastic);
        assert_eq!(st.voting_rule, SmpVotingRule::PropCbc);
        let acc = st.accommodation.as_ref().unwrap();
        assert_eq!(acc[0], vec![0.87, 0.0, 0.0, 0.0, 0.0]);
        assert_eq!(acc[1], vec![0.07, 0.75, 0.0, 0.0, 0.0]);
        assert_eq!(acc[2], vec![0.0, 0.0, 0.65, 0.13, 0.0]);
        assert_eq!(acc[4], vec![0.0, 0.0, 0.0, 0.0, 1.0]);
        assert_eq!(s.issue.stances[0].position, vec![52.8, 39.8, 39.6]);
        let d = read_xml(sample!("smpExample-deterministic.xml"), "d").unwrap();
        assert_eq!(d.settings.state_transitions, StateTransitions::Deterministic);
    }

    #[test]
    fn settings_json_uses_snake_case() {
        let j = serde_json::to_value(SmpSettings::default()).unwrap();
        assert_eq!(j["voting_rule"], "proportional");
        assert_eq!(j["big_r_adjust"], "one_third");
        assert_eq!(j["inter_vec_brgn"], "s2p2");
        assert_eq!(j["bargain_model"], "init_only_interp");
        assert_eq!(j["max_iterations"], 100);
        let back: SmpSettings = serde_json::from_value(j).unwrap();
        assert_eq!(back, SmpSettings::default());
        let k: SmpSettings =
            serde_json::from_str(r#"{"voting_rule": "PropCbc", "pce_model": "MarkovIncentive"}"#).unwrap();
        assert_eq!(k.voting_rule, SmpVotingRule::PropCbc);
        assert_eq!(k.pce_model, PceModel::MarkovIncentive);
    }

    mod fuzz {
        use super::super::*;
        use proptest::prelude::*;

        fn token() -> impl Strategy<Value = String> {
            prop_oneof![
                Just(String::new()),
                Just("x".to_string()),
                Just("\"q,uoted\"".to_string()),
                Just("\"".to_string()),
                Just("-1".to_string()),
                Just("0".to_string()),
                Just("3".to_string()),
                Just("100".to_string()),
                Just("100.0001".to_string()),
                Just("1e300".to_string()),
                Just("NaN".to_string()),
                Just("inf".to_string()),
                Just("18446744073709551616".to_string()),
                (0.0f64..120.0).prop_map(|v| format!("{v:.2}")),
                (0u32..300).prop_map(|v| v.to_string()),
                "[ -~]{0,12}",
            ]
        }

        fn csv_doc() -> impl Strategy<Value = String> {
            proptest::collection::vec(proptest::collection::vec(token(), 0..12), 0..9)
                .prop_map(|lines| lines.iter().map(|f| f.join(",")).collect::<Vec<_>>().join("\n"))
        }

        /// A valid scenario with one field replaced, a line dropped or added.
        fn mutated_csv() -> impl Strategy<Value = String> {
            let base = "S,d,3,2\nA,D,C,P1,S1,P2,S2\na,x,10,20,30,40,50\nb,x,5,60,10,0,10\nc,x,1,100,0,50,100";
            (0usize..5, 0usize..8, token(), 0u8..3).prop_map(move |(line, field, tok, op)| {
                let mut lines: Vec<Vec<String>> =
                    base.lines().map(|l| l.split(',').map(String::from).collect()).collect();
                match op {
                    0 => {
                        let l = &mut lines[line];
                        let k = field.min(l.len() - 1);
                        l[k] = tok;
                    }
                    1 => {
                        lines.remove(line);
                    }
                    _ => lines.insert(line, vec![tok; field]),
                }
                lines.iter().map(|l| l.join(",")).collect::<Vec<_>>().join("\n")
            })
        }

        fn xml_doc() -> impl Strategy<Value = String> {
            let actor = (
                token(),
                token(),
                token(),
                token(),
                proptest::collection::vec(token(), 0..3),
            )
                .prop_map(|(n, c, p, s, extra)| {
                    let ex: String = extra.iter().map(|e| format!("<dCoord>{e}</dCoord>")).collect();
                    format!(
                        "<Actor><name>{n}</name><description>d</description><capability>{c}</capability>\
                         <Position><dCoord>{p}</dCoord>{ex}</Position><Salience><dSal>{s}</dSal></Salience></Actor>"
                    )
                });
            (
                token(),
                proptest::collection::vec(actor, 0..5),
                proptest::option::of((token(), token(), token())),
                proptest::option::of(token()),
            )
                .prop_map(|(seed, actors, ia, param)| {
                    let ia = ia
                        .map(|(a, b, v)| {
                            format!(
                                "<IdealAdjustment><iaPair><adjustingIdeal>{a}</adjustingIdeal>\
                                 <referencePos>{b}</referencePos><adjust>{v}</adjust></iaPair></IdealAdjustment>"
                            )
                        })
                        .unwrap_or_default();
                    let params = param
                        .map(|p| {
                            format!(
                                "<ModelParameters><VictoryProbModel>Linear</VictoryProbModel><PCEModel>{p}</PCEModel>\
                                 <StateTransitions>Deterministic</StateTransitions><VotingRule>Proportional</VotingRule>\
                                 <BigRAdjust>Half</BigRAdjust><BigRRange>Mid</BigRRange>\
                                 <ThirdPartyCommit>SemiCommit</ThirdPartyCommit><InterVecBrgn>S2P2</InterVecBrgn>\
                                 <BargnModel>InitOnlyInterp</BargnModel></ModelParameters>"
                            )
                        })
                        .unwrap_or_default();
                    format!(
                        "<Scenario>\n<name>n</name><desc>d</desc><prngSeed>{seed}</prngSeed>{params}\n<Actors>\n{}\n</Actors>{ia}</Scenario>",
                        actors.join("\n")
                    )
                })
        }

        fn check(r: Result<KtabScenario, KtabError>) {
            match r {
                Ok(s) => {
                    s.issue.validate().unwrap();
                    assert!(s.issue.stances.len() >= MIN_ACTORS);
                    for st in &s.issue.stances {
                        assert!(st.capability > 0.0);
                        assert!(st.position.iter().all(|p| (0.0..=100.0).contains(p)));
                        assert!(st.salience.iter().sum::<f64>() <= 1.0 + 1e-12);
                    }
                }
                Err(e) => {
                    assert!(!e.message.is_empty());
                    let _ = e.to_string();
                }
            }
        }

        proptest! {
            #[test]
            fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
                check(read_bytes(&bytes, "fuzz"));
            }

            #[test]
            fn arbitrary_csv_never_panics(doc in csv_doc()) {
                check(read_csv(&doc, "fuzz.csv"));
            }

            #[test]
            fn mutated_csv_errors_have_a_line(doc in mutated_csv()) {
                let r = read_csv(&doc, "fuzz.csv");
                if let Err(e) = &r {
                    prop_assert!(e.line.is_some() || e.message.contains("empty"), "{}", e);
                }
                check(r);
            }

            #[test]
            fn wrong_xml_documents_never_panic(doc in xml_doc()) {
                let r = read_xml(&doc, "fuzz.xml");
                if let Err(e) = &r {
                    prop_assert!(e.line.is_some(), "{}", e);
                }
                check(r);
            }

            #[test]
            fn arbitrary_text_as_xml_never_panics(doc in "<[ -~]{0,200}") {
                check(read_bytes(doc.as_bytes(), "fuzz.xml"));
            }
        }
    }
}
