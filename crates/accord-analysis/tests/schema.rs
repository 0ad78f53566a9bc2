//! The committed JSON Schema of the scenario format is the one the types
//! generate (regenerate with `cargo run -- schema scenario > docs/formats/scenario.schema.json`).

#[test]
fn committed_scenario_schema_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/formats/scenario.schema.json");
    let committed: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let generated = serde_json::to_value(accord_analysis::scenario::json_schema()).unwrap();
    assert_eq!(committed, generated, "regenerate docs/formats/scenario.schema.json");
}
