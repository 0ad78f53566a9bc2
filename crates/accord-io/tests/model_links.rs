//! `[[link]]` in the model format: the shipped links load, and every bad
//! link is an error with file, line and column — a link to an unknown issue,
//! across organizations, an issue linked to itself, a cycle of links.

use accord_io::{
    embedded::{SCO_MODEL_FILES, SCO_RECORD_FILES},
    record::{Diagnostic, SourceFile, load_record_and_model},
};

fn files(list: &[(&str, &str)]) -> Vec<SourceFile> {
    list.iter()
        .map(|(n, t)| SourceFile {
            name: (*n).into(),
            text: (*t).into(),
        })
        .collect()
}

/// Loads the shipped record and model with `links.toml` replaced by `text`.
fn with_links(text: &str) -> Result<accord_core::model::Model, Vec<Diagnostic>> {
    let record = files(&SCO_RECORD_FILES);
    let mut model = files(&SCO_MODEL_FILES);
    let links = model
        .iter_mut()
        .find(|f| f.name.ends_with("/links.toml"))
        .expect("links.toml is shipped");
    links.text = text.to_owned();
    load_record_and_model(&record, &model).map(|(_, m)| m)
}

fn link(issues: &str) -> String {
    format!("[[link]]\nid = \"l1\"\nissues = {issues}\nbasis = \"why\"\nsources = [\"seed:enlargement\"]\n")
}

fn only_error(text: &str) -> Diagnostic {
    let errs = with_links(text).expect_err("the link is refused");
    assert_eq!(errs.len(), 1, "{errs:#?}");
    errs.into_iter().next().unwrap()
}

#[test]
fn shipped_links_load_and_group_the_articles_packages() {
    let (_, model) = accord_io::embedded::sco_record_and_model().unwrap();
    assert!(model.links.len() >= 3);
    let groups = model.link_groups();
    let group_of = |id: &str| {
        let k = model.issues.iter().position(|i| i.id.as_str() == id).unwrap();
        groups.iter().position(|g| g.contains(&k))
    };
    assert!(group_of("admit-iran").is_some());
    assert_eq!(group_of("admit-iran"), group_of("iran-nuclear-responsibility"));
    assert_eq!(group_of("admit-india-pakistan"), group_of("energy-club-turkmenistan"));
    assert_eq!(group_of("admit-india-pakistan"), group_of("security-belts"));
    assert_eq!(group_of("admit-india-pakistan"), group_of("conflict-mediation-scope"));
    assert_eq!(group_of("sco-university"), None);
    for l in &model.links {
        assert!(!l.basis.is_empty() && !l.provenance.sources.is_empty(), "{}", l.id);
    }
}

#[test]
fn a_link_to_an_unknown_issue() {
    let d = only_error(&link("[\"admit-iran\", \"admit-mars\"]"));
    assert!(d.file.ends_with("links.toml"), "{}", d.file);
    assert_eq!((d.line, d.column), (3, 25), "{d:?}");
    assert!(d.message.contains("unknown issue `admit-mars`"), "{}", d.message);
}

#[test]
fn a_link_across_organizations() {
    let d = only_error(&link("[\"admit-iran\", \"CSTO:collective-forces\"]"));
    assert_eq!((d.line, d.column), (3, 25), "{d:?}");
    assert!(d.message.contains("across organizations"), "{}", d.message);
    // Qualifying with the model's own organization is accepted.
    with_links(&link("[\"SCO:admit-iran\", \"iran-nuclear-responsibility\"]")).expect("same organization");
}

#[test]
fn an_issue_linked_to_itself() {
    let d = only_error(&link("[\"admit-iran\", \"admit-iran\"]"));
    assert_eq!((d.line, d.column), (3, 25), "{d:?}");
    assert!(d.message.contains("linked to itself"), "{}", d.message);
    let d = only_error(&link("[\"admit-iran\"]"));
    assert_eq!((d.line, d.column), (3, 10), "{d:?}");
    assert!(d.message.contains("at least two"), "{}", d.message);
}

#[test]
fn a_cycle_of_links() {
    let text = "\
[[link]]
id = \"a\"
issues = [\"admit-iran\", \"iran-nuclear-responsibility\"]
basis = \"why\"
sources = [\"seed:enlargement\"]

[[link]]
id = \"b\"
issues = [\"iran-nuclear-responsibility\", \"security-belts\"]
basis = \"why\"
sources = [\"seed:enlargement\"]

[[link]]
id = \"c\"
issues = [\"security-belts\", \"admit-iran\"]
basis = \"why\"
sources = [\"seed:enlargement\"]
";
    let d = only_error(text);
    assert_eq!((d.line, d.column), (15, 29), "{d:?}");
    assert!(d.message.contains("cycle of links"), "{}", d.message);
}

#[test]
fn a_link_without_basis_or_source() {
    let text = "[[link]]\nid = \"l1\"\nissues = [\"admit-iran\", \"iran-nuclear-responsibility\"]\nbasis = \" \"\n";
    let errs = with_links(text).expect_err("refused");
    assert!(
        errs.iter().any(|d| d.message.contains("basis") && d.line == 4),
        "{errs:#?}"
    );
    assert!(errs.iter().any(|d| d.message.contains("no source")), "{errs:#?}");
}
