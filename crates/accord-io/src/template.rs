//! The template of a new data folder (`accord new DIR`): `data/template/`,
//! compiled into the binary. Every entry in it is an example to replace; a
//! test checks that it passes `accord check` and that its baseline runs.

/// The template's files: (path relative to the new folder, text).
pub const FILES: [(&str, &str); 13] = [
    ("README.md", include_str!("../../../data/template/README.md")),
    (
        "record/sources.toml",
        include_str!("../../../data/template/record/sources.toml"),
    ),
    (
        "record/actors.toml",
        include_str!("../../../data/template/record/actors.toml"),
    ),
    (
        "record/organizations.toml",
        include_str!("../../../data/template/record/organizations.toml"),
    ),
    (
        "record/memberships.toml",
        include_str!("../../../data/template/record/memberships.toml"),
    ),
    (
        "model/meta.toml",
        include_str!("../../../data/template/model/meta.toml"),
    ),
    (
        "model/sources.toml",
        include_str!("../../../data/template/model/sources.toml"),
    ),
    (
        "model/issues.toml",
        include_str!("../../../data/template/model/issues.toml"),
    ),
    (
        "model/capabilities.toml",
        include_str!("../../../data/template/model/capabilities.toml"),
    ),
    (
        "model/stances.toml",
        include_str!("../../../data/template/model/stances.toml"),
    ),
    (
        "model/levers.toml",
        include_str!("../../../data/template/model/levers.toml"),
    ),
    (
        "model/links.toml",
        include_str!("../../../data/template/model/links.toml"),
    ),
    (
        "scenarios/baseline.toml",
        include_str!("../../../data/template/scenarios/baseline.toml"),
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_loads_and_its_baseline_compiles() {
        let files = |dir: &str| -> Vec<crate::record::SourceFile> {
            FILES
                .iter()
                .filter(|(p, _)| p.starts_with(dir))
                .map(|(p, t)| crate::record::SourceFile {
                    name: p.to_string(),
                    text: t.to_string(),
                })
                .collect()
        };
        let (record, model) = crate::record::load_record_and_model(&files("record/"), &files("model/"))
            .unwrap_or_else(|d| panic!("{}", d.iter().map(|x| x.to_string()).collect::<Vec<_>>().join("\n")));
        let text = FILES.iter().find(|(p, _)| *p == "scenarios/baseline.toml").unwrap().1;
        let s = crate::scenario::parse_scenario("baseline.toml", text).unwrap();
        let c = accord_analysis::compile(&record, &model, &s).unwrap();
        assert_eq!(c.issues.len(), 2);
        // Every entry says it is an example.
        for (path, text) in FILES.iter().filter(|(p, _)| p.ends_with(".toml")) {
            assert!(text.contains("EXAMPLE"), "{path} does not say it is an example");
        }
    }
}
