//! The shipped backtest outcomes and the hazard rates on the embedded SCO data.

use accord_analysis::hazard;
use accord_io::embedded;

fn outcomes() -> accord_analysis::backtest::Outcomes {
    let (record, model) = embedded::sco_record_and_model().unwrap();
    let (file, text) = embedded::SCO_BACKTEST;
    accord_io::scenario::parse_outcomes(file, text, &record, &model).unwrap()
}

#[test]
fn every_issue_is_scored_or_left_out_with_a_reason_and_at_least_20_are_scored() {
    let (_, model) = embedded::sco_record_and_model().unwrap();
    let o = outcomes();
    assert!(o.outcome.len() >= 20, "{} questions scored", o.outcome.len());
    for issue in &model.issues {
        let id = issue.id.as_str();
        let answered = o.outcome.iter().any(|q| q.issue == id && q.by.is_none());
        let left = o.left_out.iter().any(|l| l.issue == id && !l.reason.trim().is_empty());
        assert!(answered ^ left, "{id}: answered {answered}, left out {left}");
    }
    // The issues the record answers (issue 9) are in.
    for id in ["contact-group-outsiders", "sco-university", "energy-club-turkmenistan"] {
        assert!(o.outcome.iter().any(|q| q.issue == id), "{id} is not scored");
    }
    // The dated-question rule: one per answered issue, all on the same day.
    let answered: Vec<&str> = o
        .outcome
        .iter()
        .filter(|q| q.by.is_none())
        .map(|q| q.issue.as_str())
        .collect();
    let dated: Vec<&str> = o
        .outcome
        .iter()
        .filter(|q| q.by.is_some())
        .map(|q| q.issue.as_str())
        .collect();
    assert_eq!(answered.len(), dated.len());
    assert!(answered.iter().all(|a| dated.contains(a)));
    assert!(
        o.outcome
            .iter()
            .filter_map(|q| q.by.as_deref())
            .all(|b| b == "2017-12-01")
    );
}

#[test]
fn an_issue_neither_answered_nor_left_out_is_refused_with_its_location() {
    let (record, model) = embedded::sco_record_and_model().unwrap();
    let (file, text) = embedded::SCO_BACKTEST;
    let cut = text.replace(
        "[[left_out]]\nissue = \"us-bases\"",
        "[[left_out]]\nissue = \"us-status\"",
    );
    let err = accord_io::scenario::parse_outcomes(file, &cut, &record, &model).unwrap_err();
    let msgs: Vec<String> = err.iter().map(|d| d.to_string()).collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains("us-bases") && m.contains("neither answered")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter().any(|m| m.contains("both answered and left out")),
        "{msgs:?}"
    );
    let bad = text.replacen("by = \"2017-12-01\"", "by = \"2017-13-01\"", 1);
    let err = accord_io::scenario::parse_outcomes(file, &bad, &record, &model).unwrap_err();
    assert!(
        err.iter().any(|d| d.to_string().contains("not a date") && d.line > 0),
        "{err:?}"
    );
}

/// Nothing dated on or after the model's date enters the rates: the rates
/// from the embedded record equal those from the record with every change
/// that may fall on or after 2010-06-01 removed.
#[test]
fn the_rates_ignore_everything_on_or_after_the_model_date() {
    let (record, model) = embedded::sco_record_and_model().unwrap();
    let cutoff = model.meta.date.first_day();
    let rates = hazard::rates_for(&record, &model);
    assert_eq!(rates.cutoff, cutoff);
    let mut before = record.clone();
    for ins in &mut before.instruments {
        ins.life.retain(|c| {
            // The first day of the next period must not be after the cut-off.
            let first = c.date.first_day();
            let next = match c.date.precision() {
                accord_core::date::Precision::Day => first.succ_opt().unwrap(),
                accord_core::date::Precision::Month => first.checked_add_months(chrono::Months::new(1)).unwrap(),
                accord_core::date::Precision::Year => first.checked_add_months(chrono::Months::new(12)).unwrap(),
            };
            next <= cutoff
        });
    }
    assert_eq!(hazard::rates_for(&before, &model), rates);
    // And something did enter.
    assert!(rates.all.decision.exposure_years > 0.0 && rates.all.implementation.exposure_years > 0.0);
}

mod properties {
    use proptest::prelude::*;

    use super::embedded;

    fn wrong_value() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("\"\"".to_owned()),
            Just("-5".to_owned()),
            Just("[]".to_owned()),
            Just("\"2017-02-30\"".to_owned()),
            Just("true".to_owned()),
            Just("{ a = 1 }".to_owned()),
            "\"[a-z0-9@:-]{0,12}\"",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// The outcomes file with one line changed is read or refused with
        /// located errors, never a panic.
        #[test]
        fn outcomes_with_a_wrong_line_never_panic(line in 0usize..400, value in wrong_value(), rename: bool) {
            let (record, model) = embedded::sco_record_and_model().unwrap();
            let (file, text) = embedded::SCO_BACKTEST;
            let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
            let i = line % lines.len();
            if let Some((key, _)) = lines[i].split_once(" = ") {
                lines[i] = format!("{} = {value}", if rename { "bogus" } else { key });
            }
            if let Err(errs) = accord_io::scenario::parse_outcomes(file, &lines.join("\n"), &record, &model) {
                prop_assert!(!errs.is_empty());
                for e in errs {
                    prop_assert!(!e.to_string().is_empty());
                }
            }
        }

        /// Arbitrary bytes never panic the reader.
        #[test]
        fn arbitrary_outcome_files_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let (record, model) = embedded::sco_record_and_model().unwrap();
            let _ = accord_io::scenario::parse_outcomes("b.toml", &String::from_utf8_lossy(&bytes), &record, &model);
        }
    }
}
