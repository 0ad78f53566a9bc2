//! The model and scenario readers never panic: arbitrary bytes, and the
//! shipped files with one line replaced by a plausible but wrong assignment.
//! Every error they return is located inside the file.

use accord_io::{
    embedded::{SCO_MODEL_FILES, SCO_RECORD_FILES, SCO_SCENARIOS},
    record::{SourceFile, load_record_and_model},
    scenario::{locate_problems, parse_scenario},
};
use proptest::prelude::*;

fn files(list: &[(&str, &str)]) -> Vec<SourceFile> {
    list.iter()
        .map(|(n, t)| SourceFile {
            name: (*n).into(),
            text: (*t).into(),
        })
        .collect()
}

fn mutate(text: &str, line: usize, value: &str, rename: bool) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let i = line % lines.len().max(1);
    if let Some(l) = lines.get_mut(i)
        && let Some((key, _)) = l.split_once(" = ")
    {
        *l = format!("{} = {value}", if rename { "bogus" } else { key });
    }
    lines.join("\n")
}

fn wrong_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("\"\"".to_owned()),
        Just("-5".to_owned()),
        Just("1e400".to_owned()),
        Just("[]".to_owned()),
        Just("\"XX\"".to_owned()),
        Just("\"2010-02-30\"".to_owned()),
        Just("101".to_owned()),
        Just("{ a = 1 }".to_owned()),
        "\"[a-z0-9:-]{0,10}\"",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn model_files_with_a_wrong_line_never_panic(file in 0usize..7, line in 0usize..4000, value in wrong_value(), rename: bool) {
        let record = files(&SCO_RECORD_FILES);
        let mut model = files(&SCO_MODEL_FILES);
        let f = file % model.len();
        model[f].text = mutate(&model[f].text, line, &value, rename);
        if let Err(errs) = load_record_and_model(&record, &model) {
            for e in errs {
                prop_assert!(e.line >= 1 && !e.message.is_empty());
            }
        }
    }

    #[test]
    fn scenarios_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let _ = parse_scenario("s.toml", &text);
    }

    #[test]
    fn shipped_scenarios_with_a_wrong_line_never_panic(which in 0usize..9, line in 0usize..60, value in wrong_value(), rename: bool) {
        let (record, model) = accord_io::embedded::sco_record_and_model().unwrap();
        let (name, text) = SCO_SCENARIOS[which % SCO_SCENARIOS.len()];
        let text = mutate(text, line, &value, rename);
        if let Ok(s) = parse_scenario(name, &text)
            && let Err(problems) = accord_analysis::compile(&record, &model, &s) {
                for d in locate_problems(name, &text, &problems) {
                    prop_assert!(d.line >= 1 && d.line <= text.lines().count() + 1);
                }
            }
    }
}

#[test]
fn every_shipped_scenario_compiles() {
    let (record, model) = accord_io::embedded::sco_record_and_model().unwrap();
    for (name, text) in SCO_SCENARIOS {
        let s = parse_scenario(name, text).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        accord_analysis::compile(&record, &model, &s).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    }
}

#[test]
fn scenario_errors_point_at_the_field() {
    let (record, model) = accord_io::embedded::sco_record_and_model().unwrap();
    let text = "[scenario]\nid = \"x\"\ntitle = \"t\"\n\n[[membership]]\nactor = \"ZZZ\"\nstatus = \"member\"\n";
    let s = parse_scenario("x.toml", text).unwrap();
    let problems = accord_analysis::compile(&record, &model, &s).unwrap_err();
    let d = locate_problems("x.toml", text, &problems);
    assert_eq!((d[0].line, d[0].column), (6, 9), "{d:?}");
    assert!(d[0].message.contains("unknown actor `ZZZ`"));
}
