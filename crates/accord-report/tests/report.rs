//! The report's structure (golden files), the well-formedness of its markup,
//! and its completeness on the shipped SCO model.
//!
//! Golden files live in `tests/golden/`; after an intended change, refresh
//! them with `UPDATE_GOLDEN=1 cargo test -p accord-report --test report`.

use std::{path::PathBuf, sync::atomic::AtomicBool};

use accord_analysis::run::{Comparison, ForecastReport, IssueForecast, IssueShift};
use accord_core::Sphere;
use accord_engine::{
    DecisionRule, Dynamics, ModelSettings,
    montecarlo::{Distribution, IssueSummary, MonteCarloResult, MonteCarloSettings},
};
use accord_report::{
    Extensions,
    build::{self, ScenarioInput},
    compute,
    data::{
        ActorInfo, IssueInfo, Range, Report, ScalePoint, ScenarioResult, ScenarioSource, Span, StanceInfo, Timeline,
        TimelineRow, Trajectory,
    },
    doc::{Block, Section},
};

fn range(value: f64, low: f64, high: f64) -> Range {
    Range { value, low, high }
}

fn summary(id: &str, q: [f64; 5], threshold: f64, p: f64) -> IssueSummary {
    IssueSummary {
        id: id.into(),
        samples: 100,
        failures: 0,
        error: None,
        mean: q[2] + 0.5,
        std_dev: 10.0,
        std_error: 1.0,
        quantiles: q,
        threshold,
        p_above: p,
        p_above_se: (p * (1.0 - p) / 100.0).sqrt(),
    }
}

fn forecast_report(id: &str, title: &str, issues: Vec<IssueSummary>) -> ForecastReport {
    let settings = MonteCarloSettings {
        samples: 100,
        seed: 7,
        distribution: Distribution::Pert,
        model: ModelSettings {
            dynamics: Dynamics::None,
            rule: DecisionRule::WeightedMean,
        },
    };
    ForecastReport {
        scenario: id.into(),
        title: title.into(),
        org: "ORG".into(),
        date: "2010-06-01".into(),
        voters: vec!["AAA".into(), "BBB".into()],
        table: accord_analysis::compile::Table {
            statuses: vec!["member".into()],
            bargainers: vec!["AAA".into(), "BBB".into()],
            widened: None,
            capabilities: accord_analysis::scenario::CapabilityChoice::Cinc,
            overrides: Vec::new(),
            description: "bargaining table: member (AAA, BBB); capabilities: CINC".into(),
        },
        run: MonteCarloResult {
            settings,
            samples_done: 100,
            partial: false,
            issues: issues.clone(),
        },
        issues: issues
            .into_iter()
            .map(|s| IssueForecast {
                id: s.id.clone(),
                name: format!("Issue {}", s.id),
                sphere: Sphere::Security,
                status_quo: 20.0,
                question: format!("Will {} pass?", s.id),
                given: false,
                given_reason: None,
                not_at_table: vec![],
                summary: s,
                predictive: None,
            })
            .collect(),
        packages: None,
        calibration: None,
    }
}

fn source(id: &str, title: &str) -> ScenarioSource {
    ScenarioSource {
        path: format!("scenarios/{id}.toml"),
        id: id.into(),
        title: title.into(),
        description: format!("What {id} is <and> why & how."),
        fingerprint: "0123456789abcdef".into(),
        changes: if id == "base" {
            vec![]
        } else {
            vec!["CCC: member on the decision date".into()]
        },
    }
}

/// A small, fixed report: two issues, three actors, one scenario.
fn fixture() -> Report {
    let actors = vec![
        ActorInfo {
            code: "AAA".into(),
            name: "Alpha".into(),
            status: Some("member".into()),
            votes: true,
            capability: range(0.3, 0.25, 0.35),
        },
        ActorInfo {
            code: "BBB".into(),
            name: "Beta".into(),
            status: Some("member".into()),
            votes: true,
            capability: range(0.1, 0.08, 0.12),
        },
        ActorInfo {
            code: "CCC".into(),
            name: "Gamma".into(),
            status: Some("observer".into()),
            votes: false,
            capability: range(0.05, 0.04, 0.06),
        },
    ];
    let stances = |p: [f64; 3]| {
        actors
            .iter()
            .zip(p)
            .map(|(a, p)| StanceInfo {
                actor: a.code.clone(),
                position: range(p, (p - 10.0).max(0.0), (p + 10.0).min(100.0)),
                salience: range(60.0, 50.0, 70.0),
                capability: a.capability.value,
                votes: a.votes,
            })
            .collect::<Vec<_>>()
    };
    let issue = |id: &str, p: [f64; 3], trajectory: bool| IssueInfo {
        id: id.into(),
        name: format!("Issue {id}"),
        sphere: "security".into(),
        question: format!("Will {id} pass?"),
        status_quo: 20.0,
        status_quo_basis: "Where it stood (test-source-1, seed:fn7).".into(),
        threshold: 50.0,
        scale: vec![
            ScalePoint {
                at: 0.0,
                means: "Nothing at all".into(),
            },
            ScalePoint {
                at: 50.0,
                means: "Half".into(),
            },
            ScalePoint {
                at: 100.0,
                means: "Everything, at once & for good".into(),
            },
        ],
        stances: stances(p),
        outside: vec![accord_report::data::OutsideStance {
            actor: "DDD".into(),
            position: 15.0,
            salience: 40.0,
            status: "none".into(),
        }],
        trajectory: trajectory.then(|| Trajectory {
            actors: vec!["AAA".into(), "BBB".into(), "CCC".into()],
            positions: vec![p.to_vec(), vec![p[0] + 5.0, p[1] - 5.0, p[2]], vec![40.0, 45.0, p[2]]],
            outcome: 42.0,
            stop: "rounds completed".into(),
            seed: 7,
        }),
        trajectory_error: (!trajectory).then(|| "the model could not run".to_owned()),
    };
    let base_issues = vec![
        summary("one", [20.0, 30.0, 40.0, 50.0, 60.0], 50.0, 0.3),
        summary("two", [50.0, 60.0, 70.0, 80.0, 90.0], 50.0, 0.9),
    ];
    let scen_issues = vec![
        summary("one", [30.0, 40.0, 50.0, 60.0, 70.0], 50.0, 0.5),
        summary("two", [50.0, 60.0, 70.0, 80.0, 90.0], 50.0, 0.9),
    ];
    let comparison = Comparison {
        a: forecast_report("base", "Baseline", base_issues.clone()),
        b: forecast_report("admit", "Admit Gamma", scen_issues),
        issues: vec![
            IssueShift {
                id: "one".into(),
                given: false,
                given_reason: None,
                median: (40.0, 50.0),
                mean_shift: 10.0,
                mean_shift_se: 0.5,
                shift_90: (2.0, 18.0),
                p_above: (0.3, 0.5),
                p_shift: 0.2,
                p_shift_se: 0.04,
                p_above_input_only: (0.3, 0.5),
                p_shift_input_only: 0.2,
                p_shift_input_only_se: 0.04,
            },
            IssueShift {
                id: "two".into(),
                given: false,
                given_reason: None,
                median: (70.0, 70.0),
                mean_shift: 0.0,
                mean_shift_se: 0.0,
                shift_90: (0.0, 0.0),
                p_above: (0.9, 0.9),
                p_shift: 0.0,
                p_shift_se: 0.0,
                p_above_input_only: (0.9, 0.9),
                p_shift_input_only: 0.0,
                p_shift_input_only_se: 0.0,
            },
        ],
        calibrated: false,
    };
    Report {
        title: "A test organization in 2010".into(),
        org: "ORG".into(),
        org_name: "Test Organization".into(),
        data_date: "2010-06-01".into(),
        decision_date: "2010-06-01".into(),
        accord_version: "0.0.0-test".into(),
        model_description: "no dynamics → weighted mean".into(),
        issues: vec![
            issue("one", [30.0, 60.0, 90.0], true),
            issue("two", [70.0, 80.0, 10.0], false),
        ],
        actors: actors.clone(),
        baseline_source: source("base", "Baseline"),
        baseline: forecast_report("base", "Baseline", base_issues),
        sensitivity: vec![accord_analysis::sensitivity::IssueSensitivity {
            id: "one".into(),
            threshold: 50.0,
            samples: 100,
            failures: 0,
            base_p: 0.3,
            base_median: 40.0,
            entries: vec![accord_analysis::sensitivity::SensitivityEntry {
                actor: "AAA".into(),
                input: accord_analysis::sensitivity::Input::Position,
                range: (20.0, 40.0),
                p: (0.1, 0.6),
                median: (35.0, 52.0),
                p_effect: 0.5,
                median_effect: 17.0,
            }],
        }],
        scenario_samples: 100,
        scenarios: vec![
            ScenarioResult {
                source: source("admit", "Admit Gamma"),
                comparison: Some(comparison),
            },
            ScenarioResult {
                source: source("late", "Stopped before it ran"),
                comparison: None,
            },
        ],
        timeline: Timeline {
            org: "ORG".into(),
            first_year: 2001,
            last_year: 2012,
            rows: vec![
                TimelineRow {
                    actor: "AAA".into(),
                    name: "Alpha".into(),
                    spans: vec![Span {
                        status: "member".into(),
                        from: "2001-06-15".into(),
                        to: None,
                        from_year: 2001.45,
                        to_year: None,
                    }],
                },
                TimelineRow {
                    actor: "CCC".into(),
                    name: "Gamma".into(),
                    spans: vec![
                        Span {
                            status: "observer".into(),
                            from: "2005".into(),
                            to: Some("2011-07".into()),
                            from_year: 2005.0,
                            to_year: Some(2011.5),
                        },
                        Span {
                            status: "member".into(),
                            from: "2011-07".into(),
                            to: None,
                            from_year: 2011.5,
                            to_year: None,
                        },
                    ],
                },
            ],
        },
        stopped: true,
        notes: vec!["A note with `code`.".into()],
        data_files: vec![accord_report::build::data_file("data/record.toml", "x = 1\n")],
        sources: vec![
            accord_report::data::SourceEntry {
                id: "test-source-1".into(),
                label: "A Publisher, \u{201c}A title\u{201d}, 2010-06-01".into(),
                address: Some("127.0.0.1/sources/1".into()),
                reference: None,
            },
            accord_report::data::SourceEntry {
                id: "never-cited".into(),
                label: "Another".into(),
                address: None,
                reference: Some("A. Author, A Book, Publisher, 2009.".into()),
            },
        ],
    }
}

fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing {}: run with UPDATE_GOLDEN=1", path.display()));
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(e, a)| e != a)
            .unwrap_or(0);
        panic!(
            "{name} differs from the golden file at line {}:\nexpected: {:?}\nactual:   {:?}\n(UPDATE_GOLDEN=1 refreshes it)",
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

/// Parses the HTML page as XML (it is written to be well-formed).
fn parse_html(html: &str) -> roxmltree::Document<'_> {
    let body = html.strip_prefix("<!DOCTYPE html>\n").expect("doctype first");
    roxmltree::Document::parse(body).unwrap_or_else(|e| panic!("the HTML is not well-formed: {e}"))
}

/// The page's outline: headings, tables (header and row count), figures
/// (id and the SVG's title), notes and the banner, in document order.
fn html_outline(html: &str) -> String {
    let body = html.strip_prefix("<!DOCTYPE html>\n").expect("doctype first");
    let doc = roxmltree::Document::parse(body).expect("well-formed");
    let mut out = String::new();
    for node in doc.descendants().filter(|n| n.is_element()) {
        let text = || {
            node.descendants()
                .filter(|d| d.is_text())
                .filter_map(|d| d.text())
                .collect::<String>()
        };
        match node.tag_name().name() {
            h @ ("h1" | "h2" | "h3" | "h4") => out.push_str(&format!("{h} {}\n", text())),
            "section" => out.push_str(&format!("section #{}\n", node.attribute("id").unwrap_or("?"))),
            "table" => {
                let header: Vec<String> = node
                    .descendants()
                    .filter(|d| d.has_tag_name("th"))
                    .map(|d| {
                        d.descendants()
                            .filter(|t| t.is_text())
                            .filter_map(|t| t.text())
                            .collect()
                    })
                    .collect();
                let rows = node.descendants().filter(|d| d.has_tag_name("tr")).count() - 1;
                out.push_str(&format!("  table [{}] × {rows}\n", header.join(" | ")));
            }
            "figure" => {
                let title = node
                    .descendants()
                    .find(|d| d.has_tag_name("title"))
                    .and_then(|t| t.text())
                    .unwrap_or("?")
                    .to_owned();
                out.push_str(&format!(
                    "  figure #{} «{title}»\n",
                    node.attribute("id").unwrap_or("?")
                ));
            }
            "p" if node.attribute("class") == Some("note") => out.push_str(&format!("  note: {}\n", text())),
            "div" if node.attribute("class") == Some("banner") => out.push_str(&format!("banner: {}\n", text())),
            "ul" => out.push_str(&format!(
                "  list × {}\n",
                node.children().filter(|c| c.is_element()).count()
            )),
            "dl" => out.push_str(&format!(
                "  scale × {}\n",
                node.children().filter(|c| c.has_tag_name("dt")).count()
            )),
            _ => {}
        }
    }
    out
}

#[test]
fn html_structure_matches_the_golden_outline() {
    let html = accord_report::render_html(&fixture(), &Extensions::default());
    golden("fixture.outline.txt", &html_outline(&html));
}

#[test]
fn markdown_matches_the_golden_file() {
    let md = accord_report::render_markdown(&fixture(), &Extensions::default());
    golden("fixture.md", &md.markdown);
    let paths: Vec<&str> = md.charts.iter().map(|(p, _)| p.as_str()).collect();
    golden("fixture.charts.txt", &(paths.join("\n") + "\n"));
}

#[test]
fn every_chart_and_the_page_are_well_formed_xml() {
    let report = fixture();
    let html = accord_report::render_html(&report, &Extensions::default());
    parse_html(&html);
    let md = accord_report::render_markdown(&report, &Extensions::default());
    assert_eq!(
        md.charts.len(),
        7,
        "positions ×2, trajectory ×1 (one failed), tornado ×1, overview, one comparison, timeline"
    );
    for (path, svg) in &md.charts {
        let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(doc.root_element().tag_name().name(), "svg", "{path}");
        assert!(doc.root_element().attribute("viewBox").is_some(), "{path}");
        assert!(html.contains(svg.as_str()), "{path} is inline in the HTML");
    }
    assert!(!html.contains("<script"), "no JavaScript");
    // Nothing is loaded from outside the page; the only outside links are the
    // source addresses in the Sources list, for a reader to follow.
    let (before, rest) = html.split_once("<ol class=\"sources\">").expect("a Sources list");
    let (_, after) = rest.split_once("</ol>").expect("the Sources list ends");
    for needle in ["https://", "src=", "href=\"http", "@import", "url("] {
        assert!(
            !before.contains(needle) && !after.contains(needle),
            "the page refers outside itself: {needle}"
        );
    }
    for needle in ["src=", "@import", "url("] {
        assert!(!rest.contains(needle), "the page loads something: {needle}");
    }
}

#[test]
fn citations_link_to_the_sources_section_and_sources_to_their_addresses() {
    let html = accord_report::render_html(&fixture(), &Extensions::default());
    // The citation in an issue's basis links to its entry …
    assert!(
        html.contains("<a href=\"#src-test-source-1\">test-source-1</a>"),
        "citation not linked"
    );
    assert!(
        html.contains("<a href=\"#src-seed-fn7\">seed:fn7</a>"),
        "article citation not linked"
    );
    // … and the entry links to the source's address.
    assert!(html.contains(
        "<li id=\"src-test-source-1\"><code>test-source-1</code> A Publisher, \u{201c}A title\u{201d}, 2010-06-01, \
         <a href=\"https://127.0.0.1/sources/1\">127.0.0.1/sources/1</a></li>"
    ));
    assert!(html.contains("<li id=\"src-seed-fn7\"><code>seed:fn7</code>"));
    // A source nothing cites is not listed.
    assert!(!html.contains("never-cited"));
    let md = accord_report::render_markdown(&fixture(), &Extensions::default());
    assert!(
        md.markdown
            .contains("[127.0.0.1/sources/1](https://127.0.0.1/sources/1)"),
        "{}",
        md.markdown
    );
}

#[test]
fn extension_sections_appear_between_scenarios_and_membership() {
    let mut influence = Section::new("influence", "Influence");
    influence.push(Block::Paragraph("Who moved whom.".into()));
    let ext = Extensions {
        influence: Some(influence),
        packages: None,
        ..Extensions::default()
    };
    let html = accord_report::render_html(&fixture(), &ext);
    let (s, i, m) = (
        html.find("id=\"scenarios\"").unwrap(),
        html.find("id=\"influence\"").unwrap(),
        html.find("id=\"membership\"").unwrap(),
    );
    assert!(s < i && i < m);
    assert!(
        accord_report::render_markdown(&fixture(), &ext)
            .markdown
            .contains("Who moved whom.")
    );
}

/// The shipped SCO model, baseline and every scenario, on a few samples.
fn sco_report(samples: u64) -> (Report, Vec<accord_analysis::Compiled>) {
    let (record, model) = accord_io::embedded::sco_record_and_model().expect("embedded data are valid");
    let compiled: Vec<accord_analysis::Compiled> = accord_io::embedded::SCO_SCENARIOS
        .iter()
        .map(|(path, text)| {
            let scenario = accord_io::scenario::parse_scenario(path, text).expect("shipped scenario parses");
            let mut c = accord_analysis::compile(&record, &model, &scenario).expect("shipped scenario compiles");
            c.settings.samples = samples;
            c
        })
        .collect();
    let runs = compute::run_all(
        &compiled[0],
        &compiled[1..],
        samples,
        &AtomicBool::new(false),
        &|_, _| {},
    )
    .unwrap();
    let inputs: Vec<ScenarioInput<'_>> = accord_io::embedded::SCO_SCENARIOS
        .iter()
        .zip(&compiled)
        .map(|(&(path, text), c)| ScenarioInput {
            path,
            text,
            compiled: c,
        })
        .collect();
    let report = build::assemble(&record, &model, inputs[0], &inputs[1..], runs, "test");
    (report, compiled)
}

#[test]
fn the_sco_report_has_every_issue_and_every_scenario() {
    let (report, compiled) = sco_report(16);
    assert!(compiled.len() > 1, "the shipped scenarios are embedded");
    let html = accord_report::render_html(&report, &Extensions::default());
    let md = accord_report::render_markdown(&report, &Extensions::default());
    parse_html(&html);
    for (path, svg) in &md.charts {
        roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{path}: {e}"));
    }
    let (_, model) = accord_io::embedded::sco_record_and_model().unwrap();
    assert_eq!(report.issues.len(), model.issues.len());
    for issue in &model.issues {
        let id = issue.id.as_str();
        assert!(html.contains(&format!("id=\"issue-{id}\"")), "HTML lacks issue {id}");
        assert!(
            md.markdown.contains(&format!("<a id=\"issue-{id}\"></a>")),
            "Markdown lacks issue {id}"
        );
        assert!(
            md.charts
                .iter()
                .any(|(p, _)| p == &format!("charts/issue-{id}-positions.svg")),
            "{id} positions chart"
        );
        let info = report.issues.iter().find(|i| i.id == id).expect("issue in the report");
        let moves = info.trajectory.as_ref().expect("point-value run").positions.len() > 1;
        let chart = md
            .charts
            .iter()
            .any(|(p, _)| p == &format!("charts/issue-{id}-trajectory.svg"));
        assert_eq!(
            chart, moves,
            "{id}: a trajectory chart exactly when the model has dynamics"
        );
    }
    if report
        .issues
        .iter()
        .all(|i| i.trajectory.as_ref().is_some_and(|t| t.positions.len() == 1))
    {
        assert!(html.contains("no bargaining dynamics"));
    }
    for c in &compiled[1..] {
        let id = &c.scenario.scenario.id;
        assert!(
            html.contains(&format!("id=\"scenario-{id}\"")),
            "HTML lacks scenario {id}"
        );
        assert!(
            md.markdown.contains(&format!("<a id=\"scenario-{id}\"></a>")),
            "Markdown lacks scenario {id}"
        );
        assert!(
            md.charts
                .iter()
                .any(|(p, _)| p == &format!("charts/scenario-{id}-comparison.svg")),
            "{id} chart"
        );
    }
    // The membership timeline covers the record from the founding on.
    assert_eq!(report.timeline.first_year, 2001);
    assert!(report.timeline.last_year >= 2024);
    assert!(
        report
            .timeline
            .rows
            .iter()
            .any(|r| r.actor == "IND" && r.spans.len() == 2)
    );
}

#[test]
fn no_finding_headline_or_largest_shift_is_a_given() {
    let (report, _) = sco_report(64);
    let heads = accord_report::doc::headlines(&report).join("\n");
    let mut givens = Vec::new();
    for r in &report.scenarios {
        let c = r.comparison.as_ref().expect("every scenario ran");
        for i in c.issues.iter().filter(|i| i.given) {
            assert!(i.given_reason.is_some(), "{} {}: a given says why", r.source.id, i.id);
            let claim = format!("{} moves {} ", r.source.id, i.id);
            assert!(!heads.contains(&claim), "headline replays a given: {claim}\n{heads}");
            givens.push(format!("{}/{}", r.source.id, i.id));
        }
        // The scenario's forecast marks the same issues as givens.
        for f in &c.b.issues {
            let shift = c.issues.iter().find(|i| i.id == f.id).expect("issue compared");
            assert_eq!(f.given, shift.given, "{} {}", r.source.id, f.id);
        }
    }
    // The scenarios that set an issue's status quo (a status granted, a
    // council created, settlements realised) have it as a given.
    for expected in [
        "iran-admitted/admit-iran",
        "india-pakistan-admitted/admit-india-pakistan",
        "us-observer/us-status",
        "sco-nato-council/sco-nato-channel",
        "national-currency-settlements/national-currency-settlements",
        "national-currency-settlements/multilateral-project-base",
    ] {
        assert!(
            givens.iter().any(|g| g == expected),
            "{expected} is a given: {givens:?}"
        );
    }
    // Every baseline issue has a tornado chart.
    let md = accord_report::render_markdown(&report, &Extensions::default());
    for i in &report.issues {
        let name = format!("charts/issue-{}-tornado.svg", i.id);
        assert!(md.charts.iter().any(|(p, _)| *p == name), "{name}");
    }
}

#[test]
fn report_comparisons_equal_accord_compare() {
    let (report, compiled) = sco_report(24);
    let a = &compiled[0];
    for (k, b) in compiled[1..].iter().enumerate().take(2) {
        let slow = accord_analysis::run::compare(a, b, &AtomicBool::new(false), &|_| {}).unwrap();
        assert_eq!(
            report.scenarios[k].comparison.as_ref(),
            Some(&slow),
            "scenario {}",
            b.scenario.scenario.id
        );
    }
    let plain = accord_analysis::run::forecast_scenario(a, &AtomicBool::new(false), &|_| {}).unwrap();
    assert_eq!(report.baseline, plain);
}

#[test]
fn a_cancelled_run_is_partial_and_says_so() {
    let (record, model) = accord_io::embedded::sco_record_and_model().unwrap();
    let compiled: Vec<accord_analysis::Compiled> = accord_io::embedded::SCO_SCENARIOS
        .iter()
        .take(2)
        .map(|(path, text)| {
            let s = accord_io::scenario::parse_scenario(path, text).unwrap();
            accord_analysis::compile(&record, &model, &s).unwrap()
        })
        .collect();
    let runs = compute::run_all(&compiled[0], &compiled[1..], 100, &AtomicBool::new(true), &|_, _| {}).unwrap();
    assert!(runs.stopped && runs.baseline.run.partial);
    assert_eq!(runs.comparisons, vec![None]);
    let inputs: Vec<ScenarioInput<'_>> = accord_io::embedded::SCO_SCENARIOS
        .iter()
        .zip(&compiled)
        .map(|(&(path, text), c)| ScenarioInput {
            path,
            text,
            compiled: c,
        })
        .collect();
    let report = build::assemble(&record, &model, inputs[0], &inputs[1..], runs, "test");
    let html = accord_report::render_html(&report, &Extensions::default());
    assert!(html.contains("PARTIAL REPORT"));
    assert!(html.contains("Not run"));
}

#[test]
fn representative_runs_follow_the_dynamics() {
    let (record, model) = accord_io::embedded::sco_record_and_model().unwrap();
    let (path, text) = accord_io::embedded::SCO_SCENARIOS[0];
    let mut scenario = accord_io::scenario::parse_scenario(path, text).unwrap();
    scenario.settings.dynamics = accord_analysis::scenario::DynamicsChoice::Eum;
    let mut c = accord_analysis::compile(&record, &model, &scenario).unwrap();
    c.settings.samples = 4;
    let runs = compute::run_all(&c, &[], 4, &AtomicBool::new(false), &|_, _| {}).unwrap();
    assert_eq!(runs.trajectories.len(), c.issues.len());
    for (t, issue) in runs.trajectories.iter().zip(&c.issues) {
        let t = t.as_ref().expect("the point-value run succeeds");
        assert!(t.positions.len() > 1, "{}: EUM plays rounds", issue.id);
        assert!(t.positions.iter().all(|turn| turn.len() == issue.actors.len()));
        assert!((0.0..=100.0).contains(&t.outcome));
    }
}

/// The opportunities and influence sections as `accord report` builds them,
/// on the shipped SCO model with few samples.
fn sco_extensions(report: &Report, compiled: &[accord_analysis::Compiled]) -> Extensions {
    use accord_analysis::opportunities::{Loss, SearchSettings, search};
    let (_, model) = accord_io::embedded::sco_record_and_model().unwrap();
    let searches: Vec<accord_report::opportunities::ActorSearch> = [("RUS", "CHN"), ("CHN", "RUS")]
        .iter()
        .map(|&(focal, rival)| {
            let settings = SearchSettings {
                focal: focal.into(),
                max_levers: 3,
                beam_width: 10,
                loss: Loss::Linear,
            };
            accord_report::opportunities::ActorSearch {
                focal: focal.into(),
                rival: rival.into(),
                result: search(&compiled[0], &model.levers, &settings, &AtomicBool::new(false), &|_| {})
                    .map_err(|e| e.to_string()),
            }
        })
        .collect();
    let influences: Vec<accord_report::influence::ScenarioInfluence> = compiled
        .iter()
        .filter(|c| {
            let id = c.scenario.scenario.id.as_str();
            id == "baseline" || id == "india-pakistan-admitted" || id == "iran-admitted"
        })
        .map(|c| accord_report::influence::ScenarioInfluence {
            id: c.scenario.scenario.id.clone(),
            title: c.scenario.scenario.title.clone(),
            result: accord_analysis::influence::influence(c, None).map_err(|e| e.to_string()),
        })
        .collect();
    assert_eq!(
        influences.len(),
        3,
        "baseline and both enlargement scenarios are shipped"
    );
    let (_, model) = accord_io::embedded::sco_record_and_model().expect("embedded data are valid");
    Extensions {
        models: None,
        opportunities: Some(accord_report::opportunities::section(report, &searches)),
        influence: Some(accord_report::influence::section(report, ["RUS", "CHN"], &influences)),
        packages: accord_analysis::packages::packages(&compiled[0])
            .map(|p| accord_report::packages::section(report, &p, &model.links)),
        ..Extensions::default()
    }
}

#[test]
fn the_sco_report_says_what_the_package_deals_changed() {
    let (report, compiled) = sco_report(8);
    let (_, model) = accord_io::embedded::sco_record_and_model().expect("embedded data are valid");
    let packages = accord_analysis::packages::packages(&compiled[0]).expect("the SCO model links issues");
    assert!(!model.links.is_empty());
    // The links the article draws are there.
    let linked = |a: &str, b: &str| {
        model.link_groups().iter().any(|g| {
            let ids: Vec<&str> = g.iter().map(|&i| model.issues[i].id.as_str()).collect();
            ids.contains(&a) && ids.contains(&b)
        })
    };
    assert!(linked("admit-iran", "iran-nuclear-responsibility"));
    assert!(linked("admit-india-pakistan", "energy-club-turkmenistan"));
    assert!(linked("admit-india-pakistan", "security-belts"));
    assert!(
        packages.deals.iter().any(|d| !d.exchanges.is_empty()),
        "some exchange happens"
    );
    let section = accord_report::packages::section(&report, &packages, &model.links);
    let ext = Extensions {
        packages: Some(section),
        ..Extensions::default()
    };
    let html = accord_report::render_html(&report, &ext);
    parse_html(&html);
    assert!(html.contains("id=\"packages\""));
    assert!(html.contains("Against the one-issue-at-a-time forecast"));
    // Every exchange's movers appear in the table.
    for deal in &packages.deals {
        for x in &deal.exchanges {
            for shift in &x.shifts {
                assert!(html.contains(&shift.issue), "{}", shift.issue);
            }
        }
    }
    let at = |id: &str| html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id}"));
    assert!(at("scenarios") < at("packages") && at("packages") < at("membership"));
}

#[test]
fn the_sco_report_has_opportunities_and_influence_for_russia_and_china() {
    let (report, compiled) = sco_report(8);
    let ext = sco_extensions(&report, &compiled);
    let html = accord_report::render_html(&report, &ext);
    let md = accord_report::render_markdown(&report, &ext);
    parse_html(&html);
    for (path, svg) in &md.charts {
        let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(doc.root_element().tag_name().name(), "svg", "{path}");
    }
    // Placed between the scenarios and the membership timeline.
    let at = |id: &str| html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id}"));
    assert!(at("scenarios") < at("opportunities"));
    assert!(at("opportunities") < at("influence"));
    assert!(at("influence") < at("membership"));
    // Opportunities: one sub-section, chart and table per actor, with the rival's ΔU.
    let opportunities = ext.opportunities.as_ref().unwrap();
    for (focal, rival) in [("RUS", "CHN"), ("CHN", "RUS")] {
        let lower = focal.to_ascii_lowercase();
        assert!(at(&format!("opportunities-{lower}")) > at("opportunities"));
        let chart = md
            .charts
            .iter()
            .find(|(p, _)| p == &format!("charts/opportunities-{lower}.svg"))
            .unwrap_or_else(|| panic!("{focal} chart"));
        let sub = opportunities
            .subsections
            .iter()
            .find(|s| s.id == format!("opportunities-{lower}"))
            .unwrap();
        let table = sub
            .blocks
            .iter()
            .find_map(|b| match b {
                Block::Table(t) => Some(t),
                _ => None,
            })
            .expect("a table of levers");
        assert_eq!(table.header[3], format!("ΔU of {rival}"));
        let singles = model_levers(focal);
        assert!(!singles.is_empty());
        for lever in &singles {
            assert!(
                table.rows.iter().any(|r| r[0].text == *lever),
                "{focal}: lever {lever} in the table"
            );
            assert!(chart.1.contains(lever.as_str()), "{focal}: lever {lever} in the chart");
        }
        let combos = table.rows.iter().filter(|r| r[0].text.contains(" + ")).count();
        assert_eq!(
            combos,
            accord_report::opportunities::COMBINATIONS_SHOWN,
            "{focal}: best combinations"
        );
        assert!(
            sub.blocks
                .iter()
                .any(|b| matches!(b, Block::Paragraph(p) if p.starts_with("Why "))),
            "{focal}: why the best candidate works"
        );
        assert!(html.contains("8 samples per candidate"));
    }
    // Influence: every sphere, RUS and CHN, three scenarios; voting power 6 → 8 → 7.
    let chart = &md
        .charts
        .iter()
        .find(|(p, _)| p == "charts/influence-spheres.svg")
        .expect("influence chart")
        .1;
    let influence = ext.influence.as_ref().unwrap();
    let table = influence
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .unwrap();
    assert_eq!(&table.header[3..5], ["RUS", "CHN"]);
    for sphere in Sphere::ALL {
        let label = sphere.as_str().replace('_', " ");
        assert!(chart.contains(&format!(">{label}<")), "{label} in the chart");
        for scenario in ["baseline", "india-pakistan-admitted", "iran-admitted"] {
            assert!(
                table.rows.iter().any(|r| r[0].text == label && r[1].text == scenario),
                "{label} × {scenario} in the table"
            );
        }
    }
    let power = &influence.subsections[0];
    let table = power
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .unwrap();
    let voters = |scenario: &str| {
        table
            .rows
            .iter()
            .find(|r| r[0].text == scenario)
            .map(|r| r[1].text.split(' ').next().unwrap().to_owned())
    };
    assert_eq!(voters("baseline").as_deref(), Some("6"));
    assert_eq!(voters("india-pakistan-admitted").as_deref(), Some("8"));
    assert_eq!(voters("iran-admitted").as_deref(), Some("7"));
    assert!(md.markdown.contains("1 in 64 with 6 members"));
    assert!(md.markdown.contains("holds a veto"));
}

fn model_levers(actor: &str) -> Vec<String> {
    let (_, model) = accord_io::embedded::sco_record_and_model().unwrap();
    model
        .levers
        .iter()
        .filter(|l| l.actor.as_str() == actor)
        .map(|l| l.id.to_string())
        .collect()
}

/// The models section sets every model beside the headline, names the input
/// uncertainty as such, and lists disagreements largest first.
#[test]
fn models_section_shows_each_model_beside_the_headline() {
    use accord_analysis::ensemble::{CalibrationUsed, Disagreement, IssuePredictive, PredictiveIssue};
    let mut report = fixture();
    let predictive = |model: &str, p: f64, ran: bool| PredictiveIssue {
        id: "x".into(),
        model: model.into(),
        ran,
        error: (!ran).then(|| "degenerate".to_string()),
        samples: 100,
        failures: 0,
        threshold: 50.0,
        p_at_or_above: p,
        p_se: 0.01,
        quantiles: [5.0, 20.0, 40.0, 60.0, 90.0],
        input_quantiles: None,
        residual_group: "unanimity".into(),
        residuals: 49,
        weight: 0.5,
        stacking_group: "unanimity".into(),
    };
    for (k, issue) in report.baseline.issues.iter_mut().enumerate() {
        let eum = 0.3 + 0.4 * k as f64;
        issue.predictive = Some(IssuePredictive {
            headline: predictive("headline", 0.4, true),
            models: vec![
                predictive("compromise", 0.3, true),
                predictive("eum", eum, true),
                predictive("smp", 0.0, false),
            ],
            disagreement: Disagreement {
                id: issue.id.clone(),
                p_range: (("compromise".into(), 0.3), ("eum".into(), eum)),
                median_range: (("compromise".into(), 35.0), ("eum".into(), 55.0)),
                split: eum > 0.5,
            },
        });
    }
    report.baseline.calibration = Some(CalibrationUsed {
        file: "data/calibration/deu.toml".into(),
        data_fingerprint: "fnv1a64:0".into(),
        weights: vec![("compromise".into(), 0.5), ("eum".into(), 0.3), ("smp".into(), 0.2)],
        stacking: vec![accord_engine::calibration::GroupStacking {
            group: "unanimity".into(),
            cases: 49,
            own: true,
            reason: "49 decisions".into(),
            weights: [
                ("compromise".to_string(), 0.25),
                ("eum".to_string(), 0.0),
                ("smp".to_string(), 0.75),
            ]
            .into_iter()
            .collect(),
        }],
        only: None,
        partial: false,
        samples: 100,
    });
    let summary = accord_report::models::CalibrationSummary {
        file: "data/calibration/deu.toml".into(),
        data_file: "data/deu3/deu3-dev.tsv".into(),
        cases: 237,
        coverage: vec![(0.5, 0.49), (0.9, 0.92)],
        command: "accord validate deu --calibration-toml".into(),
    };
    let section = accord_report::models::section(&report.baseline, &summary);
    let ext = Extensions {
        models: Some(section),
        ..Extensions::default()
    };
    let md = accord_report::render_markdown(&report, &ext).markdown;
    for needle in [
        "P compromise",
        "P eum",
        "headline P",
        "input uncertainty",
        "90 % intervals covered 92.0 %",
        "smp on",
        "unanimity and consensus: compromise 0.25, eum 0.00, smp 0.75; other issues: compromise 0.50",
    ] {
        assert!(md.contains(needle), "missing {needle:?}");
    }
    // Only the issues whose spread is at least 0.2 or that straddle even chance are listed.
    let listed = md.lines().filter(|l| l.contains("eum gives")).count();
    let expected = report.baseline.issues.len() - 1;
    assert_eq!(listed, expected);
    let html = accord_report::render_html(&report, &ext);
    assert!(html.contains("id=\"models\""));
}

#[test]
fn the_sco_report_has_implementation_and_backtest_sections() {
    use accord_analysis::{backtest, hazard};
    let (report, _) = sco_report(8);
    let (record, model) = accord_io::embedded::sco_record_and_model().unwrap();
    let rates = hazard::rates_for(&record, &model);
    let horizon = hazard::Horizon::default();
    let imp = hazard::implementation(&report.baseline, &rates, horizon);
    assert_eq!(imp.len(), report.issues.len());
    // A small backtest whose headline loses: the section must say so in a note.
    let outcomes: Vec<backtest::Outcome> = ["a", "b", "c", "d"]
        .iter()
        .enumerate()
        .map(|(k, id)| backtest::Outcome {
            issue: (*id).into(),
            by: None,
            answer: k % 2 == 0,
            date: "2020".into(),
            basis: "b".into(),
            sources: vec!["s".into()],
        })
        .collect();
    let sets = [backtest::ProbabilitySet {
        name: "default".into(),
        headline: true,
        p: vec![0.1, 0.9, 0.2, 0.8],
    }];
    let left = [backtest::LeftOut {
        issue: "e".into(),
        reason: "the record is silent".into(),
    }];
    let bt = backtest::score(&outcomes, &[0.0; 4], &sets, &left).unwrap();
    let ext = Extensions {
        implementation: Some(accord_report::implementation::section(&report, &rates, &imp, horizon)),
        backtest: Some(accord_report::backtest::section(
            &accord_report::backtest::BacktestRun {
                backtest: bt,
                samples: 8,
                seed: 1,
            },
        )),
        ..Extensions::default()
    };
    let html = accord_report::render_html(&report, &ext);
    let md = accord_report::render_markdown(&report, &ext);
    parse_html(&html);
    let at = |id: &str| html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id}"));
    assert!(at("scenarios") < at("implementation"));
    assert!(at("implementation") < at("backtest"));
    assert!(at("backtest") < at("membership"));
    for chart in ["charts/implementation.svg", "charts/backtest-calibration.svg"] {
        let (_, svg) = md
            .charts
            .iter()
            .find(|(p, _)| p == chart)
            .unwrap_or_else(|| panic!("{chart}"));
        roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{chart}: {e}"));
    }
    assert!(md.markdown.contains("lower is better"));
    assert!(md.markdown.contains("does not beat both naive forecasts"));
    assert!(md.markdown.contains("the record is silent"));
    assert!(html.contains("carried out | decided"));
    // Every issue has a row in the implementation table.
    for i in &report.issues {
        assert!(md.markdown.contains(&format!("| {}", i.id)), "{}", i.id);
    }
}
