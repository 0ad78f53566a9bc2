//! The bargaining table of the shipped SCO model: who has weight in the
//! bargain (`docs/models/table.md`).

use accord_core::{Status, query};

fn compiled(text: &str) -> accord_analysis::Compiled {
    let (record, model) = accord_io::embedded::sco_record_and_model().expect("embedded data");
    let scenario = accord_io::scenario::parse_scenario("test.toml", text).expect("scenario parses");
    accord_analysis::compile(&record, &model, &scenario).expect("scenario compiles")
}

/// Codes of the actors with weight (active stances) on each issue.
fn at_table(c: &accord_analysis::Compiled) -> Vec<(String, Vec<String>)> {
    c.model
        .issues
        .iter()
        .map(|i| {
            let actors = i
                .stances
                .iter()
                .filter(|s| s.active)
                .map(|s| c.model.actors[s.actor].id.clone())
                .collect();
            (i.id.clone(), actors)
        })
        .collect()
}

#[test]
fn non_members_have_no_weight_in_the_default_bargaining_of_any_shipped_issue() {
    let (record, _) = accord_io::embedded::sco_record_and_model().unwrap();
    for (path, text) in accord_io::embedded::SCO_SCENARIOS {
        let c = compiled(text);
        if c.scenario.table.is_some() {
            continue; // a scenario that widens the table says so (tested below)
        }
        // Members on the date, after the scenario's own status changes.
        let mut members: Vec<String> = query::status_on(&record, "SCO", c.date)
            .into_iter()
            .filter(|h| h.status == Status::Member)
            .map(|h| h.actor.to_owned())
            .collect();
        for m in &c.scenario.membership {
            members.retain(|a| *a != m.actor);
            if m.status == "member" {
                members.push(m.actor.clone());
            }
        }
        for (issue, actors) in at_table(&c) {
            assert!(!actors.is_empty(), "{path}: nobody bargains on {issue}");
            for a in &actors {
                assert!(members.contains(a), "{path}: non-member {a} has weight on {issue}");
            }
            // Everyone else with a stance is shown as not at the table.
            let ci = c.issues.iter().find(|x| x.id == issue).unwrap();
            for (code, ..) in &ci.outside {
                assert!(!members.contains(code), "{path}: member {code} left out of {issue}");
            }
        }
        assert!(c.table.widened.is_none());
        assert!(c.table.description.contains("CINC"), "{}", c.table.description);
    }
    // The baseline's outsiders are visible: the US has stances, none at the table.
    let base = compiled(accord_io::embedded::SCO_SCENARIOS[0].1);
    assert!(base.issues.iter().any(|i| {
        i.outside
            .iter()
            .any(|(code, .., status)| code == "USA" && status == "none")
    }));
    assert_eq!(base.table.bargainers, ["CHN", "KAZ", "KGZ", "RUS", "TJK", "UZB"]);
}

#[test]
fn a_scenario_can_widen_the_table_and_says_so() {
    let base = compiled(accord_io::embedded::SCO_SCENARIOS[0].1);
    let wide = compiled(
        r#"
[scenario]
id = "wide"
title = "Observers and the US bargain"

[table]
statuses = ["observer"]
actors = ["USA"]
basis = "a test"
"#,
    );
    let b = at_table(&base);
    let w = at_table(&wide);
    for ((issue, narrow), (_, widened)) in b.iter().zip(&w) {
        assert!(narrow.iter().all(|a| widened.contains(a)), "{issue}");
    }
    assert!(w.iter().any(|(_, a)| a.iter().any(|x| x == "IND")), "observers bargain");
    assert!(w.iter().any(|(_, a)| a.iter().any(|x| x == "USA")), "the US is seated");
    assert!(!w.iter().any(|(_, a)| a.iter().any(|x| x == "NATO")), "NATO is not");
    assert!(wide.table.widened.as_deref().is_some_and(|s| s.contains("USA")));
    // Voting does not change: only members vote.
    assert_eq!(base.voters, wide.voters);
}

#[test]
fn equal_capabilities_are_a_choice_shown_in_the_table() {
    let eq = compiled(
        r#"
[scenario]
id = "equal"
title = "Equal capabilities"

[settings]
capabilities = "equal"
"#,
    );
    assert!(
        eq.model
            .actors
            .iter()
            .all(|a| a.capability.value == 1.0 && a.capability.low == 1.0)
    );
    assert!(eq.table.description.contains("equal"), "{}", eq.table.description);
}

/// Each stance's point capability on issue `id`, by actor code.
fn capabilities_on(c: &accord_analysis::Compiled, id: &str) -> Vec<(String, f64)> {
    let issue = c.model.issues.iter().find(|i| i.id == id).expect("issue");
    issue
        .stances
        .iter()
        .filter(|s| s.active)
        .map(|s| {
            let a = &c.model.actors[s.actor];
            (a.id.clone(), a.capability.value * s.capability_factor)
        })
        .collect()
}

/// GDP and population are sourced measures: choosing one changes the
/// weights to the ratios of the figures, for every issue or for one (with a
/// basis), and the measure is stated in the table line every output prints.
#[test]
fn gdp_and_population_are_measures_for_all_issues_or_one() {
    let (_, model) = accord_io::embedded::sco_record_and_model().unwrap();
    let figure = |actor: &str, m: accord_core::model::Measure| {
        let cap = model.capabilities.iter().find(|c| c.actor.as_str() == actor).unwrap();
        cap.figure(m).expect("a sourced figure").estimate.value
    };
    let cinc = compiled("[scenario]\nid = \"c\"\ntitle = \"c\"\n");
    for (key, m) in [
        ("gdp", accord_core::model::Measure::Gdp),
        ("population", accord_core::model::Measure::Population),
    ] {
        let c = compiled(&format!(
            "[scenario]\nid = \"m\"\ntitle = \"m\"\n\n[settings]\ncapabilities = \"{key}\"\n"
        ));
        assert!(
            c.table.description.contains("World Bank WDI"),
            "{}",
            c.table.description
        );
        let caps = capabilities_on(&c, "development-fund");
        let of = |a: &str| caps.iter().find(|x| x.0 == a).unwrap().1;
        // The ratio of two members' weights is the ratio of their figures
        // (times their stances' capability factors, the same under CINC).
        let base = capabilities_on(&cinc, "development-fund");
        let factor = |a: &str| {
            let k = model
                .capabilities
                .iter()
                .find(|c| c.actor.as_str() == a)
                .unwrap()
                .estimate
                .value;
            base.iter().find(|x| x.0 == a).unwrap().1 / k
        };
        let expected = figure("RUS", m) * factor("RUS") / (figure("CHN", m) * factor("CHN"));
        assert!((of("RUS") / of("CHN") - expected).abs() < 1e-9, "{key}");
        let cinc_ratio = base.iter().find(|x| x.0 == "RUS").unwrap().1 / base.iter().find(|x| x.0 == "CHN").unwrap().1;
        assert!(
            (of("RUS") / of("CHN") - cinc_ratio).abs() > 1e-3,
            "{key} changes the weights"
        );
    }

    // One issue weighed by GDP: its stances change, the others keep CINC,
    // and the draws of the other issues are those of the plain scenario.
    let one = compiled(
        r#"
[scenario]
id = "fund-by-gdp"
title = "The fund weighed by GDP"

[[capability_override]]
issue = "development-fund"
measure = "gdp"
basis = "a fund's weight follows who can pay into it"
"#,
    );
    assert!(
        one.table.description.contains("on development-fund: GDP 2009")
            && one.table.description.contains("who can pay"),
        "{}",
        one.table.description
    );
    assert_eq!(one.table.overrides.len(), 1);
    let fund = capabilities_on(&one, "development-fund");
    let rus = fund.iter().find(|x| x.0 == "RUS").unwrap().1;
    // GDP in billions of US$ (about 1,200 for Russia) against a CINC below 0.05.
    assert!(rus > 100.0, "{rus}");
    for issue in cinc.model.issues.iter().filter(|i| i.id != "development-fund") {
        assert_eq!(
            capabilities_on(&one, &issue.id),
            capabilities_on(&cinc, &issue.id),
            "{}",
            issue.id
        );
    }
    let (a, b) = (
        cinc.model.draw(7, 3, cinc.settings.distribution),
        one.model.draw(7, 3, one.settings.distribution),
    );
    assert_eq!(a.capabilities[..], b.capabilities[..a.capabilities.len()]);
}

/// A measure without a sourced figure for an actor at the table is a clear
/// error naming the actor; an override needs a known issue and a basis.
#[test]
fn a_measure_without_figures_is_unavailable_and_overrides_are_checked() {
    let (record, mut model) = accord_io::embedded::sco_record_and_model().unwrap();
    for c in model.capabilities.iter_mut().filter(|c| c.actor.as_str() == "KGZ") {
        c.measures
            .retain(|m| m.measure != accord_core::model::Measure::Population);
    }
    let text = "[scenario]\nid = \"p\"\ntitle = \"p\"\n\n[settings]\ncapabilities = \"population\"\n";
    let scenario = accord_io::scenario::parse_scenario("p.toml", text).unwrap();
    let problems = accord_analysis::compile(&record, &model, &scenario).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].path, "settings.capabilities");
    assert!(
        problems[0].message.contains("KGZ") && problems[0].message.contains("unavailable"),
        "{}",
        problems[0].message
    );
    // GDP is still available: every actor at the table has a figure.
    let text = text.replace("population", "gdp");
    let scenario = accord_io::scenario::parse_scenario("g.toml", &text).unwrap();
    assert!(accord_analysis::compile(&record, &model, &scenario).is_ok());

    let text = r#"
[scenario]
id = "bad"
title = "Bad overrides"

[[capability_override]]
issue = "development-fund"
measure = "population"
basis = "heads"

[[capability_override]]
issue = "no-such-issue"
measure = "gdp"
basis = ""
"#;
    let scenario = accord_io::scenario::parse_scenario("bad.toml", text).unwrap();
    let problems = accord_analysis::compile(&record, &model, &scenario).unwrap_err();
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "capability_override[1].issue",
            "capability_override[1].basis",
            "capability_override[0].measure"
        ],
        "{problems:?}"
    );
}

#[test]
fn a_widened_table_needs_known_actors_statuses_and_a_basis() {
    let (record, model) = accord_io::embedded::sco_record_and_model().unwrap();
    let text = r#"
[scenario]
id = "bad"
title = "Bad table"

[table]
statuses = ["emperor"]
actors = ["XXX"]
basis = ""
"#;
    let scenario = accord_io::scenario::parse_scenario("bad.toml", text).unwrap();
    let problems = accord_analysis::compile(&record, &model, &scenario).unwrap_err();
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["table.statuses[0]", "table.actors[0]", "table.basis"]);
}

/// The givens of a scenario text, by issue id.
fn givens(text: &str) -> Vec<(String, String)> {
    compiled(text)
        .issues
        .into_iter()
        .filter_map(|i| i.given.map(|g| (i.id, g)))
        .collect()
}

#[test]
fn an_issue_is_a_given_when_its_status_quo_or_its_decisive_positions_are_set() {
    let head = "[scenario]\nid = \"t\"\ntitle = \"t\"\n";
    // The status quo set to another value: a given.
    let g = givens(&format!(
        "{head}[[issue]]\nid = \"us-status\"\nstatus_quo = 50\nbasis = \"test\"\n"
    ));
    assert_eq!(g.len(), 1);
    assert_eq!(g[0].0, "us-status");
    assert!(g[0].1.contains("status quo"), "{}", g[0].1);
    // … to the model's own value: not a given.
    assert!(
        givens(&format!(
            "{head}[[issue]]\nid = \"us-status\"\nstatus_quo = 25\nbasis = \"test\"\n"
        ))
        .is_empty()
    );
    // China holds most of the weight among the members (CINC 0.208 of about
    // 0.256): setting its position decides the issue.
    let g = givens(&format!(
        "{head}[[stance]]\nactor = \"CHN\"\nissue = \"sco-university\"\nposition = 90\nbasis = \"test\"\n"
    ));
    assert_eq!(g.len(), 1, "{g:?}");
    assert!(g[0].1.contains("CHN") && g[0].1.contains("weight"), "{}", g[0].1);
    // Under consensus Kyrgyzstan holds a veto: setting its position sets the
    // bound the outcome must respect, so the issue is a given too …
    let g = givens(&format!(
        "{head}[[stance]]\nactor = \"KGZ\"\nissue = \"sco-university\"\nposition = 90\nbasis = \"test\"\n"
    ));
    assert_eq!(g.len(), 1, "{g:?}");
    assert!(g[0].1.contains("KGZ") && g[0].1.contains("veto"), "{}", g[0].1);
    // … but without the consensus rule its position alone does not decide;
    // nor does China's salience.
    assert!(
        givens(&format!(
            "{head}[settings]\nprocedural = false\n[[stance]]\nactor = \"KGZ\"\nissue = \"sco-university\"\nposition = 90\nbasis = \"test\"\n"
        ))
        .is_empty()
    );
    assert!(
        givens(&format!(
            "{head}[[stance]]\nactor = \"CHN\"\nissue = \"sco-university\"\nsalience = 90\nbasis = \"test\"\n"
        ))
        .is_empty()
    );
    // An outsider's position has no weight, so it never decides.
    assert!(
        givens(&format!(
            "{head}[[stance]]\nactor = \"USA\"\nissue = \"us-bases\"\nposition = 100\nbasis = \"test\"\n"
        ))
        .is_empty()
    );
}

#[test]
fn sensitivity_is_thread_independent_sorted_and_at_the_table_only() {
    let mut c = compiled(accord_io::embedded::SCO_SCENARIOS[0].1);
    c.settings.samples = 128;
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            accord_analysis::sensitivity::sensitivity(&c, 128, &std::sync::atomic::AtomicBool::new(false)).unwrap()
        })
    };
    let one = run(1);
    assert_eq!(one, run(2), "the thread count changed a figure");
    assert_eq!(one.len(), c.model.issues.len());
    for (s, ci) in one.iter().zip(&c.issues) {
        assert!(
            s.entries.windows(2).all(|w| w[0].p_effect.abs() >= w[1].p_effect.abs()),
            "{}: sorted by |ΔP|",
            s.id
        );
        for e in &s.entries {
            assert!(
                ci.actors.iter().any(|(code, ..)| *code == e.actor),
                "{}: {} not at the table",
                s.id,
                e.actor
            );
            assert!(e.range.0 < e.range.1);
            assert!((e.p_effect - (e.p.1 - e.p.0)).abs() < 1e-12);
        }
    }
    // On the Contact Group question China's position decides (its range 10–40
    // spans the threshold's reach): the largest effect, and a large one.
    let cg = one.iter().find(|s| s.id == "contact-group-outsiders").unwrap();
    let top = &cg.entries[0];
    assert_eq!(
        (top.actor.as_str(), top.input),
        ("CHN", accord_analysis::sensitivity::Input::Position)
    );
    assert!(top.p_effect > 0.5, "{top:?}");
}
