//! Issues a scenario adds (`[[new_issue]]`, docs/formats/scenario.md):
//! compiled and forecast like the model's, validated with located errors.

use std::sync::atomic::AtomicBool;

const ADDED: &str = r#"
[scenario]
id = "water"
title = "A water-sharing question"

[[new_issue]]
id = "water-sharing"
name = "A binding water-sharing mechanism for Central Asia"
sphere = "economy"
question = "Will the SCO adopt a binding water-sharing mechanism?"
status_quo = 10
threshold = 50
basis = "Example question for the test."

[[new_issue.scale]]
at = 0
means = "No mechanism"

[[new_issue.scale]]
at = 50
means = "A consultative body"

[[new_issue.scale]]
at = 100
means = "A binding mechanism"

[[stance]]
actor = "KAZ"
issue = "water-sharing"
position = 80
position_low = 60
position_high = 90
salience = 70
basis = "test"

[[stance]]
actor = "RUS"
issue = "water-sharing"
position = 30
salience = 30
basis = "test"

[[stance]]
actor = "CHN"
issue = "water-sharing"
position = 20
salience = 40
basis = "test"
"#;

fn compile(text: &str) -> Result<accord_analysis::Compiled, Vec<accord_io::record::Diagnostic>> {
    let (record, model) = accord_io::embedded::sco_record_and_model().unwrap();
    let s = accord_io::scenario::parse_scenario("s.toml", text)?;
    accord_analysis::compile(&record, &model, &s).map_err(|p| accord_io::scenario::locate_problems("s.toml", text, &p))
}

#[test]
fn an_added_issue_is_forecast_after_the_models_own_and_is_not_a_given() {
    let (_, model) = accord_io::embedded::sco_record_and_model().unwrap();
    let c = compile(ADDED).unwrap();
    assert_eq!(c.issues.len(), model.issues.len() + 1);
    let added = c.issues.last().unwrap();
    assert_eq!(added.id, "water-sharing");
    assert_eq!((added.status_quo, added.threshold), (10.0, 50.0));
    assert_eq!(added.given, None, "its stances are its estimates, not a change");
    // The model's own issues are unchanged, in place.
    let base = compile("[scenario]\nid = \"b\"\ntitle = \"b\"\n").unwrap();
    assert_eq!(&c.model.issues[..model.issues.len()], &base.model.issues[..]);
    let mut c = c;
    c.settings.samples = 200;
    let f = accord_analysis::run::forecast_scenario(&c, &AtomicBool::new(false), &|_| {}).unwrap();
    let j = serde_json::to_value(&f).unwrap();
    let last = j["issues"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["id"], "water-sharing", "{last}");
}

#[test]
fn a_bad_added_issue_is_refused_at_its_fields() {
    let bad = ADDED
        .replace("sphere = \"economy\"", "sphere = \"water\"")
        .replace("threshold = 50", "threshold = 150")
        .replace("at = 50\n", "at = 40\n");
    let e = compile(&bad).unwrap_err();
    let text: Vec<String> = e.iter().map(|d| d.to_string()).collect();
    assert!(
        text.iter()
            .any(|m| m.contains("new_issue[0].sphere") && m.contains("external_relations")),
        "{text:?}"
    );
    assert!(text.iter().any(|m| m.contains("new_issue[0].threshold")), "{text:?}");
    assert!(text.iter().any(|m| m.contains("describe what 50 means")), "{text:?}");
    let line = e.iter().find(|d| d.message.contains("sphere")).unwrap().line;
    assert_eq!(line, 9, "located at the sphere's line");
    // An id the model has, and an issue with no stances.
    let dup = ADDED.replace("id = \"water-sharing\"", "id = \"admit-iran\"");
    assert!(
        compile(&dup)
            .unwrap_err()
            .iter()
            .any(|d| d.message.contains("already exists"))
    );
    let bare = ADDED.split("[[stance]]").next().unwrap().to_owned();
    let e = compile(&bare).unwrap_err();
    assert!(
        e.iter()
            .any(|d| d.message.contains("nothing to forecast on the new issue")),
        "{e:?}"
    );
}
