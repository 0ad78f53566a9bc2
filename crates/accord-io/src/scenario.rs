//! Reading scenario files (`docs/formats/scenario.md`) with located errors.
//!
//! Syntax and type errors come from the TOML parser with their spans; the
//! problems found when the scenario is applied to the model (an unknown
//! actor, an issue that does not exist) name a field path such as
//! `stance[2].issue`, which [`locate`] maps back to a line and column.

use std::ops::Range;

use accord_analysis::Scenario;
use toml::de::{DeTable, DeValue};

use crate::record::{Diagnostic, line_column};

/// Parses a scenario file.
pub fn parse_scenario(file: &str, text: &str) -> Result<Scenario, Vec<Diagnostic>> {
    parse_toml(file, text)
}

/// Deserializes a TOML text, locating a syntax or type error.
fn parse_toml<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, Vec<Diagnostic>> {
    toml::from_str::<T>(text).map_err(|e| {
        let (span, message) = crate::record::toml_error(text, &e);
        let (line, column) = line_column(text, span.start);
        vec![Diagnostic {
            file: file.to_owned(),
            line,
            column,
            message,
        }]
    })
}

/// Turns problems found by [`accord_analysis::compile`] into diagnostics
/// located in the scenario's text.
pub fn locate_problems(
    file: &str,
    text: &str,
    problems: &[accord_analysis::compile::ScenarioProblem],
) -> Vec<Diagnostic> {
    problems
        .iter()
        .map(|p| {
            let (line, column) = line_column(text, locate(text, &p.path).map_or(0, |s| s.start));
            Diagnostic {
                file: file.to_owned(),
                line,
                column,
                message: format!("{}: {}", p.path, p.message),
            }
        })
        .collect()
}

/// The span of the value at a field path (`a.b[2].c`) in a TOML text, or of
/// the deepest part of the path that exists.
pub fn locate(text: &str, path: &str) -> Option<Range<usize>> {
    let root = DeTable::parse(text).ok()?;
    let mut span = None;
    let mut table: Option<&DeTable> = Some(root.get_ref());
    let mut value: Option<&DeValue> = None;
    for part in path.split('.') {
        let (key, index) = match part.split_once('[') {
            Some((k, rest)) => (k, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        let t = match (table, value) {
            (Some(t), _) => t,
            (None, Some(DeValue::Table(t))) => t,
            _ => break,
        };
        let Some((_, v)) = t.iter().find(|(k, _)| k.get_ref().as_ref() == key) else {
            break;
        };
        span = Some(v.span());
        table = None;
        value = Some(v.get_ref());
        if let (Some(i), Some(DeValue::Array(items))) = (index, value) {
            let Some(item) = items.get(i) else { break };
            span = Some(item.span());
            value = Some(item.get_ref());
        }
    }
    span
}

/// Parses a backtest outcomes file and checks it against the model and the
/// record: every issue exists, every source is in the record, every `by` is
/// a date, no question is answered twice, and every model issue is either
/// answered or left out with a written reason.
pub fn parse_outcomes(
    file: &str,
    text: &str,
    record: &accord_core::Record,
    model: &accord_core::model::Model,
) -> Result<accord_analysis::backtest::Outcomes, Vec<Diagnostic>> {
    use accord_analysis::compile::ScenarioProblem;
    let parsed: accord_analysis::backtest::Outcomes = parse_toml(file, text)?;
    let mut problems = Vec::new();
    let known = |issue: &str| model.issues.iter().any(|x| x.id.as_str() == issue);
    let mut ids = std::collections::HashSet::new();
    for (i, o) in parsed.outcome.iter().enumerate() {
        if !known(&o.issue) {
            problems.push(ScenarioProblem {
                path: format!("outcome[{i}].issue"),
                message: format!("unknown issue `{}`", o.issue),
            });
        }
        if let Some(by) = &o.by
            && chrono_day(by).is_none()
        {
            problems.push(ScenarioProblem {
                path: format!("outcome[{i}].by"),
                message: format!("`{by}` is not a date: write YYYY-MM-DD (the day by which the threshold is reached)"),
            });
        }
        if !ids.insert(o.id()) {
            problems.push(ScenarioProblem {
                path: format!("outcome[{i}].issue"),
                message: format!("question `{}` is answered twice", o.id()),
            });
        }
        if o.sources.is_empty() {
            problems.push(ScenarioProblem {
                path: format!("outcome[{i}].sources"),
                message: "an outcome needs a source in the record".into(),
            });
        }
        for (j, s) in o.sources.iter().enumerate() {
            if !record.sources.iter().any(|x| x.id.as_str() == s) {
                problems.push(ScenarioProblem {
                    path: format!("outcome[{i}].sources[{j}]"),
                    message: format!("unknown source `{s}`: outcomes cite the record's [[source]] ids"),
                });
            }
        }
    }
    for (i, l) in parsed.left_out.iter().enumerate() {
        if !known(&l.issue) {
            problems.push(ScenarioProblem {
                path: format!("left_out[{i}].issue"),
                message: format!("unknown issue `{}`", l.issue),
            });
        }
        if l.reason.trim().is_empty() {
            problems.push(ScenarioProblem {
                path: format!("left_out[{i}].reason"),
                message: "a left-out issue needs a written reason".into(),
            });
        }
        if parsed.outcome.iter().any(|o| o.issue == l.issue) {
            problems.push(ScenarioProblem {
                path: format!("left_out[{i}].issue"),
                message: format!("issue `{}` is both answered and left out", l.issue),
            });
        }
    }
    // Every issue is either answered or left out with a reason.
    for issue in &model.issues {
        let id = issue.id.as_str();
        if !parsed.outcome.iter().any(|o| o.issue == id) && !parsed.left_out.iter().any(|l| l.issue == id) {
            problems.push(ScenarioProblem {
                path: "outcome".into(),
                message: format!(
                    "issue `{id}` is neither answered ([[outcome]]) nor left out with a reason ([[left_out]])"
                ),
            });
        }
    }
    if problems.is_empty() {
        Ok(parsed)
    } else {
        Err(locate_problems(file, text, &problems))
    }
}

fn chrono_day(s: &str) -> Option<accord_core::NaiveDate> {
    accord_core::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "[scenario]\nid = \"x\"\ntitle = \"t\"\n\n[[stance]]\nactor = \"RUS\"\nissue = \"a\"\nbasis = \"b\"\n\n[[stance]]\nactor = \"CHN\"\nissue = \"nope\"\nbasis = \"b\"\n";

    #[test]
    fn paths_find_their_values() {
        let span = locate(TEXT, "stance[1].issue").unwrap();
        assert_eq!(&TEXT[span.clone()], "\"nope\"");
        assert_eq!(line_column(TEXT, span.start), (12, 9));
        let span = locate(TEXT, "scenario.id").unwrap();
        assert_eq!(&TEXT[span], "\"x\"");
        assert!(locate(TEXT, "nothing").is_none());
    }

    #[test]
    fn type_errors_are_located() {
        let errs = parse_scenario("s.toml", "[scenario]\nid = \"x\"\ntitle = 3\n").unwrap_err();
        assert_eq!((errs[0].line, errs[0].column), (3, 9));
        let errs = parse_scenario("s.toml", "[scenario]\nid = \"x\"\ntitle = \"t\"\nbogus = 1\n").unwrap_err();
        assert_eq!(errs[0].line, 4);
    }
}
