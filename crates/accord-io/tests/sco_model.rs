//! The shipped SCO model: every stance has a basis and a provenance, the
//! counts by provenance are pinned, the issues and levers added for the
//! article's missing proposals load and forecast, and `accord check` rejects
//! a stance whose provenance its citations or ranges do not bear out.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;

use accord_core::model::{Evidence, is_wide};
use accord_io::{
    embedded::{SCO_MODEL_FILES, SCO_RECORD_FILES, SCO_SCENARIOS, sco_record_and_model},
    record::{Diagnostic, SourceFile, load_record_and_model},
};

const MEMBERS: [&str; 6] = ["CHN", "KAZ", "KGZ", "RUS", "TJK", "UZB"];
const CENTRAL_ASIA: [&str; 4] = ["KAZ", "KGZ", "TJK", "UZB"];
/// The issues added in issue 14 for the article's proposals that had none.
const NEW_ISSUES: [&str; 7] = [
    "sco-csto-division",
    "china-nonproliferation",
    "caspian-sco-lever",
    "gas-opec",
    "eurasian-energy-market",
    "xinjiang-separatism",
    "mongolia-status",
];
const NEW_LEVERS: [&str; 7] = [
    "propose-sco-csto-division",
    "csto-joint-programmes",
    "draw-china-into-nonproliferation",
    "caspian-lever",
    "gas-opec-with-iran",
    "india-energy-link",
    "chn-xinjiang-separatism",
];

fn files(list: &[(&str, &str)]) -> Vec<SourceFile> {
    list.iter()
        .map(|(n, t)| SourceFile {
            name: (*n).into(),
            text: (*t).into(),
        })
        .collect()
}

fn counts<'a>(items: impl Iterator<Item = &'a accord_core::model::StanceDef>) -> BTreeMap<&'static str, usize> {
    let mut out = BTreeMap::new();
    for s in items {
        *out.entry(s.evidence.as_str()).or_insert(0) += 1;
    }
    out
}

#[test]
fn every_stance_has_a_basis_and_a_provenance() {
    let (_, model) = sco_record_and_model().expect("the embedded data pass accord check");
    for s in &model.stances {
        let at = format!("{} on {}", s.actor, s.issue);
        assert!(!s.basis.trim().is_empty(), "{at}: no basis");
        assert!(Evidence::IN_FILES.contains(&s.evidence), "{at}: {:?}", s.evidence);
        assert!(!s.provenance.sources.is_empty(), "{at}: no citation");
        if s.evidence == Evidence::Inference {
            assert!(
                is_wide(&s.position, Evidence::INFERENCE_POSITION_HALF_WIDTH)
                    && is_wide(&s.salience, Evidence::INFERENCE_SALIENCE_HALF_WIDTH),
                "{at}: an inference with a narrow range"
            );
        }
        if s.evidence == Evidence::Article {
            assert!(!s.basis.contains("Not stated in the article"), "{at}");
        }
    }
}

#[test]
fn counts_by_provenance_are_pinned() {
    let (_, model) = sco_record_and_model().unwrap();
    let all = counts(model.stances.iter());
    assert_eq!(
        all,
        BTreeMap::from([("article", 50), ("source", 70), ("inference", 137)]),
        "update docs/model-audit.md with the counts when they change"
    );
    let central_asian = counts(
        model
            .stances
            .iter()
            .filter(|s| CENTRAL_ASIA.contains(&s.actor.as_str())),
    );
    assert_eq!(
        central_asian,
        BTreeMap::from([("article", 1), ("source", 52), ("inference", 55)])
    );
    // The 20 issues of the model before issue 14: 80 Central Asian stances.
    let old: Vec<_> = model
        .stances
        .iter()
        .filter(|s| CENTRAL_ASIA.contains(&s.actor.as_str()) && !NEW_ISSUES.contains(&s.issue.as_str()))
        .collect();
    assert_eq!(old.len(), 80);
    assert_eq!(
        counts(old.into_iter()),
        BTreeMap::from([("article", 1), ("source", 39), ("inference", 40)])
    );
}

#[test]
fn source_stances_cite_a_dated_source_from_before_the_model_date() {
    let (record, model) = sco_record_and_model().unwrap();
    let date = |id: &str| {
        record
            .sources
            .iter()
            .chain(&model.sources)
            .find(|s| s.id.as_str() == id)
            .and_then(|s| s.date)
    };
    for s in model.stances.iter().filter(|s| s.evidence == Evidence::Source) {
        let dated = s.provenance.sources.iter().any(|c| match c {
            accord_core::Citation::Source { id } => date(id.as_str()).is_some_and(|d| d <= model.meta.date),
            _ => false,
        });
        assert!(dated, "{} on {}", s.actor, s.issue);
    }
    // Every model source has a full address or a dated reference.
    for src in &model.sources {
        let address = src.address.as_deref().unwrap_or("");
        assert!(address.contains('/') && address.contains('.'), "{}: {address}", src.id);
    }
}

#[test]
fn the_new_issues_and_levers_load() {
    let (_, model) = sco_record_and_model().unwrap();
    for id in NEW_ISSUES {
        let issue = model
            .issues
            .iter()
            .find(|i| i.id.as_str() == id)
            .unwrap_or_else(|| panic!("{id}"));
        assert!(!issue.status_quo_basis.is_empty() && !issue.question.is_empty());
        assert!(
            issue
                .provenance
                .sources
                .iter()
                .any(|c| c.to_string().starts_with("seed:")),
            "{id} cites the article's proposal"
        );
        for m in MEMBERS {
            assert!(
                model
                    .stances
                    .iter()
                    .any(|s| s.actor.as_str() == m && s.issue == issue.id),
                "{m} has no stance on {id}"
            );
        }
    }
    for id in NEW_LEVERS {
        let lever = model
            .levers
            .iter()
            .find(|l| l.id.as_str() == id)
            .unwrap_or_else(|| panic!("{id}"));
        assert!(!lever.effects.is_empty() && !lever.basis.is_empty());
    }
    let csto = model
        .capabilities
        .iter()
        .find(|c| c.actor.as_str() == "CSTO")
        .expect("CSTO capability");
    assert!(csto.estimate.is_consistent());
    // The corrected status quos (the Moscow conference of 27 March 2009).
    for id in ["us-status", "sco-nato-channel"] {
        let issue = model.issues.iter().find(|i| i.id.as_str() == id).unwrap();
        assert_eq!(issue.status_quo, 25.0, "{id}");
        assert!(issue.status_quo_basis.contains("27 March 2009"));
    }
    let ncs = model
        .issues
        .iter()
        .find(|i| i.id.as_str() == "national-currency-settlements")
        .unwrap();
    assert!(ncs.status_quo_basis.contains("heads of government"));
    let afg = model
        .issues
        .iter()
        .find(|i| i.id.as_str() == "afghanistan-role")
        .unwrap();
    assert!(afg.status_quo_basis.contains("inactive since 2009"));
}

#[test]
fn the_new_issues_forecast_sensibly() {
    let (record, model) = sco_record_and_model().unwrap();
    let (_, text) = SCO_SCENARIOS[0];
    let mut scenario = accord_io::scenario::parse_scenario("baseline", text).unwrap();
    scenario.settings.samples = 200;
    scenario.settings.seed = 14;
    let compiled = accord_analysis::compile(&record, &model, &scenario).unwrap();
    let report = accord_analysis::run::forecast_scenario(&compiled, &AtomicBool::new(false), &|_| {}).unwrap();
    let get = |id: &str| report.issues.iter().find(|i| i.id == id).unwrap();
    for id in NEW_ISSUES {
        let s = &get(id).summary;
        assert_eq!(s.failures, 0, "{id}");
        assert!((0.0..=100.0).contains(&s.mean), "{id}: {}", s.mean);
    }
    // China, the buyer, sits below the status quo of a gas cartel: under
    // consensus the members cannot move past it.
    assert_eq!(get("gas-opec").summary.p_above, 0.0);
    // Every member backed the July 2009 statement: no draw falls below it.
    assert!(get("xinjiang-separatism").summary.quantiles[0] >= 50.0 - 1e-9);
    // Mongolia does not want membership and no member presses for it.
    assert!(get("mongolia-status").summary.p_above < 0.05);
}

fn diagnostics_with(stances: impl Fn(&str) -> String, sources: impl Fn(&str) -> String) -> Vec<Diagnostic> {
    let record = files(&SCO_RECORD_FILES);
    let mut model = files(&SCO_MODEL_FILES);
    for f in &mut model {
        if f.name.ends_with("stances.toml") {
            f.text = stances(&f.text);
        } else if f.name.ends_with("sources.toml") {
            f.text = sources(&f.text);
        }
    }
    load_record_and_model(&record, &model).expect_err("the change must be rejected")
}

/// The first stance of the file (RUS on admit-india-pakistan, an article stance).
fn first_stance(text: &str, from: &str, to: &str) -> String {
    let at = text.find(from).expect("the text to replace");
    format!("{}{}{}", &text[..at], to, &text[at + from.len()..])
}

fn same(t: &str) -> String {
    t.to_owned()
}

#[test]
fn a_stance_without_a_provenance_is_located() {
    let errs = diagnostics_with(|t| first_stance(t, "provenance = \"article\"\n", ""), same);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].file.ends_with("stances.toml"));
    assert!(errs[0].message.contains("no `provenance`"), "{}", errs[0].message);
    assert!(errs[0].message.contains("inference"));
    let errs = diagnostics_with(
        |t| first_stance(t, "provenance = \"article\"", "provenance = \"hearsay\""),
        same,
    );
    assert!(
        errs[0].message.contains("`hearsay` is not a provenance"),
        "{}",
        errs[0].message
    );
}

#[test]
fn accord_check_holds_each_provenance_to_its_evidence() {
    // An article stance must cite the article.
    let errs = diagnostics_with(
        |t| {
            first_stance(
                t,
                "sources = [\"seed:enlargement\", \"seed:conclusion\"]",
                "sources = [\"cow-nmc-6-0-cinc\"]",
            )
        },
        same,
    );
    assert!(
        errs.iter()
            .any(|e| e.message.contains("needs a citation of the article")),
        "{errs:?}"
    );
    // A source stance must cite a source dated on or before the model date:
    // the CINC data set (2021) does not qualify.
    let errs = diagnostics_with(
        |t| {
            first_stance(t, "provenance = \"article\"", "provenance = \"source\"").replacen(
                "sources = [\"seed:enlargement\", \"seed:conclusion\"]",
                "sources = [\"cow-nmc-6-0-cinc\"]",
                1,
            )
        },
        same,
    );
    assert!(
        errs.iter()
            .any(|e| e.message.contains("on or before the model's date (2010-06-01)")),
        "{errs:?}"
    );
    // An inference must carry the wider range: RUS on admit-india-pakistan is 70 (55–85).
    let errs = diagnostics_with(
        |t| first_stance(t, "provenance = \"article\"", "provenance = \"inference\""),
        same,
    );
    assert!(
        errs.iter()
            .any(|e| e.message.contains("position_low ≤ 50 and position_high ≥ 90")),
        "{errs:?}"
    );
    // A basis that says the article is silent cannot be an article stance.
    let errs = diagnostics_with(
        |t| first_stance(t, "basis = \"Russia", "basis = \"Not stated in the article; Russia"),
        same,
    );
    assert!(
        errs.iter().any(|e| e.message.contains("mark it \"inference\"")),
        "{errs:?}"
    );
    // A source dated after the model date does not carry a stance.
    let errs = diagnostics_with(
        |t| {
            first_stance(t, "provenance = \"article\"", "provenance = \"source\"").replacen(
                "sources = [\"seed:enlargement\", \"seed:conclusion\"]",
                "sources = [\"later-news\"]",
                1,
            )
        },
        |t| {
            format!(
                "{t}\n[[source]]\nid = \"later-news\"\npublisher = \"P\"\ntitle = \"T\"\ndate = \"2010-06-02\"\naddress = \"example.org/a\"\n"
            )
        },
    );
    assert!(
        errs.iter().any(|e| e.message.contains("on or before the model's date")),
        "{errs:?}"
    );
}
