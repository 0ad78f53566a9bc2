//! Stances several experts filled in, from a CSV sheet (`docs/experts.md`).
//!
//! One row per expert, actor and issue:
//!
//! ```text
//! expert,actor,issue,position,salience,capability_factor,note
//! A. Analyst,RUS,admit-iran,25,40,,"keeps Iran waiting"
//! B. Analyst,RUS,admit-iran,35,50,1.1,
//! ```
//!
//! The header names the columns, in any order; `expert`, `actor`, `issue`,
//! `position` and `salience` are required, `capability_factor` and `note`
//! optional (an empty cell is "not given"). Lines starting with `#` are
//! comments. [`read_experts`] reads and bounds the sheet; [`to_stances`]
//! checks the actors and issues against the model and turns the experts'
//! answers into scenario stances: the range is their disagreement (lowest to
//! highest answer), the point value their median, and every expert's answer
//! is kept in the stance's `basis`.

use std::collections::{HashMap, HashSet};

use accord_analysis::scenario::StanceChange;

use crate::record::Diagnostic;

/// The most data rows a sheet may hold: 20,000 (e.g. 20 experts × 50
/// actors × 20 issues). A larger sheet is a mistake, and the bound keeps the
/// memory of a request bounded.
pub const MAX_ROWS: usize = 20_000;

/// The most characters of an expert's name.
pub const MAX_EXPERT_LEN: usize = 100;

/// The most characters of a note.
pub const MAX_NOTE_LEN: usize = 2_000;

/// The columns a sheet may have, in the order they are documented.
pub const COLUMNS: [&str; 7] = [
    "expert",
    "actor",
    "issue",
    "position",
    "salience",
    "capability_factor",
    "note",
];

/// The columns a sheet must have.
pub const REQUIRED: [&str; 5] = ["expert", "actor", "issue", "position", "salience"];

/// One expert's answer for one actor on one issue.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExpertAnswer {
    /// The line of the sheet it was read from (1-based).
    pub line: usize,
    /// Who answered.
    pub expert: String,
    /// The actor's code.
    pub actor: String,
    /// The issue's id.
    pub issue: String,
    /// Position on the issue's 0–100 scale.
    pub position: f64,
    /// Salience, 0–100.
    pub salience: f64,
    /// Issue-specific capability multiplier, if the expert gave one.
    pub capability_factor: Option<f64>,
    /// The expert's note, if any.
    pub note: Option<String>,
}

/// A sheet as read: its answers in the order of the file.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExpertSheet {
    /// Every answer.
    pub answers: Vec<ExpertAnswer>,
}

/// Where each column is in the sheet.
struct Layout {
    index: [Option<usize>; 7],
}

impl Layout {
    fn get<'r>(&self, col: usize, record: &'r csv::StringRecord) -> &'r str {
        self.index[col].and_then(|k| record.get(k)).unwrap_or("")
    }
}

/// Reads an experts' sheet. Every problem is reported with its line and
/// column and what would be valid; nothing panics on any input.
pub fn read_experts(text: &str, file: &str) -> Result<ExpertSheet, Vec<Diagnostic>> {
    let diag = |line: usize, column: usize, message: String| Diagnostic {
        file: file.to_owned(),
        line,
        column,
        message,
    };
    let mut records = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes())
        .into_records();
    let mut problems = Vec::new();
    let mut layout: Option<Layout> = None;
    let mut answers = Vec::new();
    let mut seen: HashSet<(String, String, String)> = HashSet::new();
    for rec in records.by_ref() {
        let record = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(1, |p| p.line() as usize);
                problems.push(diag(line, 1, format!("unreadable CSV: {e}")));
                break;
            }
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        let (line, byte) = record
            .position()
            .map_or((1, 0), |p| (p.line() as usize, p.byte() as usize));
        let raw = text.get(byte..).unwrap_or("");
        let column = |k: usize| crate::text::csv_field_column(raw, k);
        let Some(l) = &layout else {
            // The header.
            let mut index = [None; 7];
            for (k, name) in record.iter().enumerate() {
                let name = name.to_ascii_lowercase();
                match COLUMNS.iter().position(|c| *c == name) {
                    Some(c) if index[c].is_some() => {
                        problems.push(diag(line, column(k), format!("column `{name}` is named twice")))
                    }
                    Some(c) => index[c] = Some(k),
                    None => problems.push(diag(
                        line,
                        column(k),
                        format!(
                            "unknown column `{name}`: the columns are {} (the first {} required)",
                            COLUMNS.join(", "),
                            REQUIRED.len()
                        ),
                    )),
                }
            }
            for (c, name) in COLUMNS.iter().enumerate().take(REQUIRED.len()) {
                if index[c].is_none() {
                    problems.push(diag(
                        line,
                        1,
                        format!(
                            "the header has no `{name}` column: the first line names the columns, {} required",
                            REQUIRED.join(", ")
                        ),
                    ));
                }
            }
            if !problems.is_empty() {
                return Err(problems);
            }
            layout = Some(Layout { index });
            continue;
        };
        if answers.len() >= MAX_ROWS {
            problems.push(diag(
                line,
                1,
                format!("more than {MAX_ROWS} answers: split the sheet (docs/experts.md gives the limit's reason)"),
            ));
            break;
        }
        let at = |c: usize| l.index[c].map_or(1, column);
        let mut ok = true;
        let mut text_cell = |c: usize, max: usize, required: bool| -> Option<String> {
            let v = l.get(c, &record);
            if v.is_empty() {
                if required {
                    problems.push(diag(
                        line,
                        at(c),
                        format!("`{}` is empty: every row needs it", COLUMNS[c]),
                    ));
                    ok = false;
                }
                return None;
            }
            if v.chars().count() > max {
                problems.push(diag(
                    line,
                    at(c),
                    format!("`{}` has more than {max} characters", COLUMNS[c]),
                ));
                ok = false;
                return None;
            }
            Some(v.to_owned())
        };
        let expert = text_cell(0, MAX_EXPERT_LEN, true);
        let actor = text_cell(1, 64, true);
        let issue = text_cell(2, 128, true);
        let note = text_cell(6, MAX_NOTE_LEN, false);
        let mut number = |c: usize, required: bool, valid: fn(f64) -> bool, rule: &str| -> Option<f64> {
            let v = l.get(c, &record);
            if v.is_empty() {
                if required {
                    problems.push(diag(line, at(c), format!("`{}` is empty: give {rule}", COLUMNS[c])));
                    ok = false;
                }
                return None;
            }
            match v.parse::<f64>() {
                Ok(x) if valid(x) => Some(x),
                _ => {
                    problems.push(diag(
                        line,
                        at(c),
                        format!("`{v}` is not valid for `{}`: give {rule}", COLUMNS[c]),
                    ));
                    ok = false;
                    None
                }
            }
        };
        let on_scale = |x: f64| x.is_finite() && (0.0..=100.0).contains(&x);
        let position = number(3, true, on_scale, "a number from 0 to 100");
        let salience = number(4, true, on_scale, "a number from 0 to 100");
        let capability_factor = number(
            5,
            false,
            accord_core::check::valid_capability_factor,
            accord_core::check::CAPABILITY_FACTOR_RULE,
        );
        if let (Some(expert), Some(actor), Some(issue), Some(position), Some(salience), true) =
            (expert, actor, issue, position, salience, ok)
        {
            if !seen.insert((expert.clone(), actor.clone(), issue.clone())) {
                problems.push(diag(
                    line,
                    at(0),
                    format!("{expert} answers for {actor} on {issue} twice: keep one row per expert, actor and issue"),
                ));
                continue;
            }
            answers.push(ExpertAnswer {
                line,
                expert,
                actor,
                issue,
                position,
                salience,
                capability_factor,
                note,
            });
        }
    }
    if layout.is_none() && problems.is_empty() {
        problems.push(diag(
            1,
            1,
            format!(
                "the sheet is empty: the first line names the columns ({}), then one row per expert, actor and issue",
                COLUMNS.join(", ")
            ),
        ));
    }
    if answers.is_empty() && problems.is_empty() {
        problems.push(diag(1, 1, "the sheet has a header but no answers".into()));
    }
    if problems.is_empty() {
        Ok(ExpertSheet { answers })
    } else {
        Err(problems)
    }
}

/// The median of a non-empty list: the middle value, or the mean of the two
/// middle values of an even count.
pub fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Checks a sheet's actors and issues against those a scenario may give
/// stances to, and turns the answers into one `[[stance]]` per actor and
/// issue, in the order each pair first appears:
///
/// - `position` and `salience` are the median of the experts' answers,
///   `position_low`/`position_high` and `salience_low`/`salience_high` the
///   lowest and highest answer (one expert gives a zero-width range);
/// - `capability_factor` is the median of the factors given, if any;
/// - `basis` lists every expert with their answer and note.
///
/// `actors` are the codes with a capability in the model (a stance needs
/// one), `issues` the model's issues and any the scenario adds. An unknown
/// actor or issue is an error at its line and column naming the valid ones.
pub fn to_stances<'a>(
    sheet: &'a ExpertSheet,
    text: &str,
    file: &str,
    actors: &[&str],
    issues: &[&str],
) -> Result<Vec<StanceChange>, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let column_of = |a: &ExpertAnswer, value: &str| {
        // The cell's column on its line (the first occurrence of its text).
        let line = text.lines().nth(a.line.saturating_sub(1)).unwrap_or("");
        line.find(value).map_or(1, |b| line[..b].chars().count() + 1)
    };
    // An unknown actor or issue is reported once, at its first line, with
    // the number of other lines naming it (a misspelt id on every row of a
    // large sheet is one mistake, not thousands).
    let mut unknown: Vec<(bool, &str, &ExpertAnswer, usize)> = Vec::new();
    let mut note_unknown = |is_actor: bool, value: &'a str, a: &'a ExpertAnswer| match unknown
        .iter_mut()
        .find(|(k, v, _, _)| *k == is_actor && *v == value)
    {
        Some(u) => u.3 += 1,
        None => unknown.push((is_actor, value, a, 0)),
    };
    let mut groups: Vec<(&str, &str, Vec<&ExpertAnswer>)> = Vec::new();
    let mut index: HashMap<(&str, &str), usize> = HashMap::new();
    for a in &sheet.answers {
        let known_actor = actors.contains(&a.actor.as_str());
        let known_issue = issues.contains(&a.issue.as_str());
        if !known_actor {
            note_unknown(true, &a.actor, a);
        }
        if !known_issue {
            note_unknown(false, &a.issue, a);
        }
        if !(known_actor && known_issue) {
            continue;
        }
        let key = (a.actor.as_str(), a.issue.as_str());
        let k = *index.entry(key).or_insert_with(|| {
            groups.push((key.0, key.1, Vec::new()));
            groups.len() - 1
        });
        groups[k].2.push(a);
    }
    for (is_actor, value, a, more) in unknown {
        let also = match more {
            0 => String::new(),
            n => format!(" (and on {n} more line(s))"),
        };
        let message = if is_actor {
            format!(
                "unknown actor `{value}`{}{also}: the actors with a capability in the model are {}",
                accord_core::suggest::did_you_mean(value, actors.iter().copied()),
                actors.join(", ")
            )
        } else {
            format!(
                "unknown issue `{value}`{}{also}: the issues are {}",
                accord_core::suggest::did_you_mean(value, issues.iter().copied()),
                issues.join(", ")
            )
        };
        problems.push(Diagnostic {
            file: file.to_owned(),
            line: a.line,
            column: column_of(a, value),
            message,
        });
    }
    problems.sort_by_key(|d| (d.line, d.column));
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(groups
        .into_iter()
        .map(|(actor, issue, answers)| combine(actor, issue, &answers))
        .collect())
}

/// One stance from the answers of several experts (see [`to_stances`]).
fn combine(actor: &str, issue: &str, answers: &[&ExpertAnswer]) -> StanceChange {
    let positions: Vec<f64> = answers.iter().map(|a| a.position).collect();
    let saliences: Vec<f64> = answers.iter().map(|a| a.salience).collect();
    let factors: Vec<f64> = answers.iter().filter_map(|a| a.capability_factor).collect();
    let lo = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let each: Vec<String> = answers
        .iter()
        .map(|a| {
            let mut s = format!("{} (position {}, salience {}", a.expert, a.position, a.salience);
            if let Some(f) = a.capability_factor {
                s.push_str(&format!(", capability factor {f}"));
            }
            if let Some(n) = &a.note {
                s.push_str(&format!(": {n}"));
            }
            s.push(')');
            s
        })
        .collect();
    StanceChange {
        actor: actor.to_owned(),
        issue: issue.to_owned(),
        position: Some(median(&positions)),
        position_low: Some(lo(&positions)),
        position_high: Some(hi(&positions)),
        salience: Some(median(&saliences)),
        salience_low: Some(lo(&saliences)),
        salience_high: Some(hi(&saliences)),
        capability_factor: (!factors.is_empty()).then(|| median(&factors)),
        basis: format!(
            "experts ({}; point value the median, range from lowest to highest answer): {}",
            answers.len(),
            each.join("; ")
        ),
    }
}

/// The stances as a scenario fragment: `[[stance]]` tables to paste into
/// (or append to) a scenario file.
pub fn fragment(stances: &[StanceChange]) -> String {
    #[derive(serde::Serialize)]
    struct Fragment<'a> {
        stance: &'a [StanceChange],
    }
    let body = toml::to_string(&Fragment { stance: stances }).unwrap_or_default();
    format!("# Stances from an experts' sheet (accord import experts; docs/experts.md).\n\n{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHEET: &str = "expert,actor,issue,position,salience,capability_factor,note\n\
        A,RUS,admit-iran,20,40,,\"cautious, per talks\"\n\
        B,RUS,admit-iran,35,50,1.2,\n\
        # a comment\n\
        C,RUS,admit-iran,30,60,,\n\
        A,CHN,admit-iran,10,30,,\n";

    fn stances(text: &str) -> Result<Vec<StanceChange>, Vec<Diagnostic>> {
        let sheet = read_experts(text, "e.csv")?;
        to_stances(&sheet, text, "e.csv", &["RUS", "CHN"], &["admit-iran", "sco-nato"])
    }

    #[test]
    fn disagreement_becomes_the_range_and_the_median_the_value() {
        let s = stances(SHEET).unwrap();
        assert_eq!(s.len(), 2);
        let rus = &s[0];
        assert_eq!((rus.actor.as_str(), rus.issue.as_str()), ("RUS", "admit-iran"));
        assert_eq!(
            (rus.position, rus.position_low, rus.position_high),
            (Some(30.0), Some(20.0), Some(35.0))
        );
        assert_eq!(
            (rus.salience, rus.salience_low, rus.salience_high),
            (Some(50.0), Some(40.0), Some(60.0))
        );
        assert_eq!(rus.capability_factor, Some(1.2));
        assert!(
            rus.basis.contains("A (position 20, salience 40: cautious, per talks)"),
            "{}",
            rus.basis
        );
        assert!(
            rus.basis
                .contains("B (position 35, salience 50, capability factor 1.2)")
        );
        assert_eq!(s[1].position_low, s[1].position_high);
        assert_eq!(s[1].capability_factor, None);
        // The fragment reads back as scenario stances.
        let frag = fragment(&s);
        let parsed: toml::Table = toml::from_str(&frag).unwrap();
        assert_eq!(parsed["stance"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn medians_of_even_counts_are_the_mean_of_the_middle_two() {
        assert_eq!(median(&[10.0, 40.0, 20.0, 30.0]), 25.0);
        assert_eq!(median(&[7.0]), 7.0);
    }

    #[test]
    fn errors_name_line_column_and_what_is_valid() {
        let e = stances("expert,actor,issue,position,salience\nA,RUS,admit-iran,120,40\n").unwrap_err();
        assert_eq!((e[0].line, e[0].column), (2, 18), "{e:?}");
        assert!(e[0].message.contains("0 to 100"));
        let e = stances("expert,actor,issue,position,salience\nA,RUZ,admit-iran,20,40\n").unwrap_err();
        assert_eq!((e[0].line, e[0].column), (2, 3));
        assert!(e[0].message.contains("did you mean `RUS`"), "{}", e[0].message);
        assert!(e[0].message.contains("RUS, CHN"));
        let e = stances("expert,actor,issue,position,salience\nA,RUZ,admit-iran,20,40\nB,RUZ,admit-iran,30,40\n")
            .unwrap_err();
        assert_eq!(e.len(), 1, "one misspelt id is one problem: {e:?}");
        assert!(e[0].message.contains("(and on 1 more line(s))"), "{}", e[0].message);
        let e = stances("expert,actor,issue,position,salience\nA,RUS,admit-irn,20,40\n").unwrap_err();
        assert!(
            e[0].message.contains("the issues are admit-iran, sco-nato"),
            "{}",
            e[0].message
        );
        let e = stances("expert,actor,issue,posn,salience\n").unwrap_err();
        assert_eq!((e[0].line, e[0].column), (1, 20));
        assert!(e.iter().any(|d| d.message.contains("no `position` column")));
        let e = stances("expert,actor,issue,position,salience\nA,RUS,admit-iran,20,40\nA,RUS,admit-iran,25,40\n")
            .unwrap_err();
        assert!(e[0].message.contains("twice"));
        let e =
            stances("expert,actor,issue,position,salience,capability_factor\nA,RUS,admit-iran,20,40,-1\n").unwrap_err();
        assert!(e[0].message.contains("capability factor"));
        assert!(stances("").unwrap_err()[0].message.contains("empty"));
        assert!(
            stances("expert,actor,issue,position,salience\n").unwrap_err()[0]
                .message
                .contains("no answers")
        );
    }

    mod fuzz {
        use super::*;
        use proptest::prelude::*;

        fn token() -> impl Strategy<Value = String> {
            prop_oneof![
                Just(String::new()),
                Just("RUS".to_string()),
                Just("admit-iran".to_string()),
                Just("\"q,uoted\"".to_string()),
                Just("\"".to_string()),
                Just("#".to_string()),
                Just("-1".to_string()),
                Just("NaN".to_string()),
                Just("1e309".to_string()),
                (0.0f64..120.0).prop_map(|v| format!("{v:.2}")),
                "[ -~]{0,12}",
                "\\PC{0,6}",
            ]
        }

        proptest! {
            #[test]
            fn any_sheet_reads_or_fails_with_located_errors(
                header in proptest::collection::vec(prop_oneof![
                    Just("expert".to_string()), Just("actor".to_string()), Just("issue".to_string()),
                    Just("position".to_string()), Just("salience".to_string()),
                    Just("capability_factor".to_string()), Just("note".to_string()), token()], 0..9),
                rows in proptest::collection::vec(proptest::collection::vec(token(), 0..9), 0..8),
            ) {
                let mut text = header.join(",");
                for r in &rows {
                    text.push('\n');
                    text.push_str(&r.join(","));
                }
                let lines = text.lines().count().max(1);
                match stances(&text) {
                    Ok(s) => {
                        for st in s {
                            let (p, lo, hi) = (st.position.unwrap(), st.position_low.unwrap(), st.position_high.unwrap());
                            prop_assert!(lo <= p && p <= hi && (0.0..=100.0).contains(&lo) && hi <= 100.0);
                        }
                    }
                    Err(e) => {
                        prop_assert!(!e.is_empty());
                        for d in e {
                            prop_assert!(d.line >= 1 && d.line <= lines + 1 && d.column >= 1, "{d}");
                        }
                    }
                }
            }
        }
    }
}
