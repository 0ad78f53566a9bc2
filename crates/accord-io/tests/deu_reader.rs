//! The DEU III reader: the shipped file's facts, an independent oracle for the
//! published figures, located errors, and fuzzing (no panics; every error
//! points at the line and column that is wrong).

use accord_engine::VotingRule;
use accord_io::deu::{
    CapabilitySet, CouncilPeriod, CouncilVoting, CouncilWeights, DEU3_DEV_TSV, DeuData, DeuError, LegislativeProcedure,
    read_deu,
};
use proptest::prelude::*;

fn weights() -> CouncilWeights {
    CouncilWeights::embedded().expect("shipped weights read")
}

fn read(text: &str) -> Result<DeuData, DeuError> {
    read_deu(text, "test.tsv", &weights())
}

#[test]
fn shipped_file_facts() {
    let data = DeuData::embedded().expect("shipped file reads");
    assert_eq!(data.issues.len(), 241);
    assert_eq!(data.with_outcome(), 237);
    assert_eq!(data.proposals(), 94);
    let missing: usize = data.issues.iter().map(|i| i.missing_salience.len()).sum();
    assert_eq!(missing, 31);
    let non_members: usize = data.issues.iter().map(|i| i.non_members.len()).sum();
    assert_eq!(non_members, 5, "accession states on the 2003 hake proposal");
    let first = &data.issues[0];
    assert_eq!(first.line, 3);
    assert_eq!(first.id(), "d00032i1");
    assert_eq!(first.procedure, LegislativeProcedure::CoDecision);
    assert_eq!(first.council_voting, CouncilVoting::Qmv);
    assert_eq!(first.period, CouncilPeriod::Eu15);
    assert_eq!(first.outcome, Some(100.0));
    assert_eq!(first.issue.status_quo, Some(vec![0.0]));
    let chambers = &first.issue.procedure.as_ref().expect("procedure").chambers;
    assert_eq!(chambers.len(), 2, "co-decision: Council and Parliament");
    assert!(matches!(chambers[0].rule, VotingRule::Qualified { .. }));
    // The Commission proposes but does not vote.
    let com = first.issue.stances.iter().position(|s| s.actor == "com").expect("com");
    assert!(chambers.iter().all(|c| c.voters.iter().all(|v| v.actor != com)));
}

#[test]
fn corrupted_dates_are_read_back() {
    let data = DeuData::embedded().unwrap();
    let erdf = data.issues.iter().find(|i| i.proposal == "a04163").unwrap();
    assert_eq!(erdf.introduced.to_string(), "2004-07-14");
    assert_eq!(erdf.period, CouncilPeriod::Eu25Transitional);
    let hake = data.issues.iter().find(|i| i.proposal == "n03318").unwrap();
    assert_eq!(hake.introduced.to_string(), "2003-12-23");
    assert_eq!(hake.period, CouncilPeriod::Eu15);
    let lisbon = data.issues.iter().filter(|i| i.period == CouncilPeriod::Lisbon).count();
    assert_eq!(lisbon, 16);
}

#[test]
fn capability_sets_and_institutions() {
    let data = DeuData::embedded().unwrap();
    for i in &data.issues {
        let states: Vec<usize> = (0..i.issue.stances.len())
            .filter(|&k| !["com", "ep"].contains(&i.issue.stances[k].actor.as_str()))
            .collect();
        for set in CapabilitySet::ALL {
            let caps = i.capabilities(set);
            assert_eq!(caps.len(), i.issue.stances.len());
            let mean = if states.is_empty() {
                1.0
            } else {
                states.iter().map(|&k| caps[k]).sum::<f64>() / states.len() as f64
            };
            for (k, s) in i.issue.stances.iter().enumerate() {
                if set == CapabilitySet::Equal {
                    assert_eq!(caps[k], 1.0);
                } else if s.actor == "com" || s.actor == "ep" {
                    assert!(
                        (caps[k] - mean).abs() < 1e-12,
                        "{}: institutions = mean member state",
                        i.id()
                    );
                }
            }
        }
        let doubled = i.issue_with(CapabilitySet::VoteWeight, 2.0);
        for (a, b) in doubled.stances.iter().zip(&i.issue.stances) {
            let factor = if a.actor == "com" || a.actor == "ep" { 2.0 } else { 1.0 };
            assert!((a.capability - factor * b.capability).abs() < 1e-12);
        }
    }
}

/// An oracle independent of the engine's rules: the published figures
/// follow from the reader's conventions alone.
#[test]
fn reader_conventions_reproduce_the_published_figures() {
    let data = DeuData::embedded().unwrap();
    let scored: Vec<_> = data.issues.iter().filter(|i| i.outcome.is_some()).collect();
    let mae = |f: &dyn Fn(&accord_io::deu::DeuIssue) -> f64| {
        scored.iter().map(|i| (f(i) - i.outcome.unwrap()).abs()).sum::<f64>() / scored.len() as f64
    };
    let wmean = |set: CapabilitySet| {
        move |i: &accord_io::deu::DeuIssue| {
            let issue = i.issue_with(set, 1.0);
            let (mut n, mut d) = (0.0, 0.0);
            for s in &issue.stances {
                n += s.capability * s.salience[0] * s.position[0];
                d += s.capability * s.salience[0];
            }
            n / d
        }
    };
    let unweighted = |i: &accord_io::deu::DeuIssue| {
        i.issue.stances.iter().map(|s| s.position[0]).sum::<f64>() / i.issue.stances.len() as f64
    };
    let close = |got: f64, want: f64| assert!((got - want).abs() < 0.01, "got {got:.4}, want {want}");
    close(mae(&wmean(CapabilitySet::VoteWeight)), 22.39);
    close(mae(&wmean(CapabilitySet::Equal)), 22.49);
    close(mae(&unweighted), 22.44);
    close(mae(&|_| 50.0), 26.69);
}

fn header_and_gdp() -> String {
    DEU3_DEV_TSV.lines().take(2).collect::<Vec<_>>().join("\n")
}

/// The shipped file with field `column` of data line `line` (1-based file
/// line) replaced by `value`.
fn mutate(line: usize, column: &str, value: &str) -> String {
    let header: Vec<&str> = DEU3_DEV_TSV.lines().next().unwrap().split('\t').collect();
    let col = header.iter().position(|c| *c == column).unwrap();
    DEU3_DEV_TSV
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i + 1 == line {
                let mut f: Vec<&str> = l.split('\t').collect();
                f[col] = value;
                f.join("\t")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn errors_name_file_line_column_and_what_is_valid() {
    let e = read(&mutate(5, "proc", "COM")).unwrap_err();
    assert_eq!((e.line, e.column.as_deref()), (5, Some("proc")));
    assert!(
        e.to_string()
            .starts_with("test.tsv:5: column `proc`: expected `COD` or `CNS`"),
        "{e}"
    );

    let e = read(&mutate(7, "counvte", "QMV(11)")).unwrap_err();
    assert_eq!((e.line, e.column.as_deref()), (7, Some("counvte")));
    assert!(e.message.contains("`QMV`, `QMV(10)` or `Unan`"));

    let e = read(&mutate(9, "pfr", "120")).unwrap_err();
    assert_eq!((e.line, e.column.as_deref()), (9, Some("pfr")));
    assert!(e.message.contains("120 is outside 0–100"), "{e}");

    let e = read(&mutate(3, "sde", "x")).unwrap_err();
    assert_eq!((e.line, e.column.as_deref()), (3, Some("sde")));

    let e = read(&mutate(4, "intro", "31-02-00")).unwrap_err();
    assert_eq!((e.line, e.column.as_deref()), (4, Some("intro")));
    assert!(e.message.contains("dd-mm-yy"));

    let e = read(&mutate(4, "intro", "01-01-60")).unwrap_err();
    assert!(e.message.contains("before 1973"), "{e}");

    let e = read(&mutate(6, "out", "NaN")).unwrap_err();
    assert_eq!((e.line, e.column.as_deref()), (6, Some("out")));

    let e = read(&mutate(6, "isnr", "d00032i1")).unwrap_err();
    assert_eq!((e.line, e.column.as_deref()), (6, Some("isnr")));
    assert!(e.message.contains("already appears on line 3"));

    let short = DEU3_DEV_TSV.lines().take(3).collect::<Vec<_>>().join("\n") + "\td00032";
    let e = read(&short).unwrap_err();
    assert_eq!((e.line, e.column.as_deref()), (3, None));
    assert!(e.message.contains("tab-separated fields"));

    let e = read("").unwrap_err();
    assert_eq!(e.line, 1);
    let e = read("prnr\tisnr\n").unwrap_err();
    assert_eq!((e.line, e.column.as_deref()), (1, Some("proc")));
    let e = read(DEU3_DEV_TSV.lines().next().unwrap()).unwrap_err();
    assert_eq!(e.line, 2, "the GDP line is required");
}

#[test]
fn an_issue_without_positions_is_an_error() {
    let header: Vec<&str> = DEU3_DEV_TSV.lines().next().unwrap().split('\t').collect();
    let row: Vec<&str> = DEU3_DEV_TSV.lines().nth(2).unwrap().split('\t').collect();
    let blank: Vec<&str> = header
        .iter()
        .zip(&row)
        .map(|(h, v)| {
            if h.len() == 3 && h.starts_with('p') || *h == "pcom" {
                ""
            } else {
                v
            }
        })
        .collect();
    let text = format!("{}\n{}", header_and_gdp(), blank.join("\t"));
    let e = read(&text).unwrap_err();
    assert_eq!((e.line, e.column.as_deref()), (3, None));
    assert!(e.message.contains("no actor has a position"));
}

#[test]
fn missing_salience_is_zero_and_listed() {
    let text = mutate(3, "sfr", "");
    let data = read(&text).unwrap();
    let i = &data.issues[0];
    assert!(i.missing_salience.contains(&"fr".to_string()));
    let fr = i.issue.stances.iter().find(|s| s.actor == "fr").unwrap();
    assert_eq!(fr.salience, vec![0.0]);
}

#[test]
fn voting_rules_by_code_and_period() {
    let unan = read(&mutate(3, "counvte", "Unan")).unwrap();
    let chambers = &unan.issues[0].issue.procedure.as_ref().unwrap().chambers;
    assert_eq!(chambers[0].rule, VotingRule::Unanimity);
    let q10 = read(&mutate(3, "counvte", "QMV(10)")).unwrap();
    let council = &q10.issues[0].issue.procedure.as_ref().unwrap().chambers[0];
    let n = council.voters.len();
    match &council.rule {
        VotingRule::Qualified { min_members, .. } => assert_eq!(*min_members, Some((2 * n).div_ceil(3))),
        r => panic!("{r:?}"),
    }
    let cns = read(&mutate(3, "proc", "CNS")).unwrap();
    assert_eq!(cns.issues[0].issue.procedure.as_ref().unwrap().chambers.len(), 1);
    let lisbon = read(&mutate(3, "intro", "01-12-2015")).unwrap();
    let council = &lisbon.issues[0].issue.procedure.as_ref().unwrap().chambers[0];
    assert!(council.voters.iter().all(|v| v.weight == 1.0));
    match &council.rule {
        VotingRule::Qualified { population_share, .. } => assert_eq!(*population_share, Some(0.65)),
        r => panic!("{r:?}"),
    }
}

#[test]
fn weights_file_errors_are_located() {
    let bad = accord_io::deu::COUNCIL_WEIGHTS_CSV.replace("44,United Kingdom,10", "44,United Kingdom,ten");
    let e = accord_io::deu::parse_council_weights(&bad, "w.csv").unwrap_err();
    assert_eq!(e.column.as_deref(), Some("eu9"));
    assert!(e.to_string().starts_with("w.csv:"));
    let missing: String = accord_io::deu::COUNCIL_WEIGHTS_CSV
        .lines()
        .filter(|l| !l.contains("Malta"))
        .map(|l| format!("{l}\n"))
        .collect();
    let e = accord_io::deu::parse_council_weights(&missing, "w.csv").unwrap_err();
    assert!(e.message.contains("Malta"));
    let e = accord_io::deu::parse_council_weights("id,name\n", "w.csv").unwrap_err();
    assert_eq!(e.column.as_deref(), Some("eu9"));
}

const VALUES: [&str; 16] = [
    "",
    "abc",
    "-5",
    "101",
    "NaN",
    "inf",
    "1e400",
    "50",
    "0",
    "COD",
    "CNS",
    "QMV(10)",
    "Unan",
    "99-99-99",
    "2014-07-04",
    "\u{fffd}",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = read(&text);
        let _ = accord_io::deu::parse_council_weights(&text, "w.csv");
    }

    #[test]
    fn arbitrary_text_after_a_valid_header_never_panics(tail in "[0-9a-zA-Z\\t\\n\\-\\.()]{0,600}") {
        let _ = read(&format!("{}\n{tail}", header_and_gdp()));
    }

    /// One wrong field in a well-formed file: either still valid, or an error
    /// at exactly that line (and that column, when the error names one).
    #[test]
    fn a_wrong_field_is_reported_where_it_is(line in 3usize..=243, col in 2usize..75, value in 0usize..VALUES.len()) {
        let header: Vec<&str> = DEU3_DEV_TSV.lines().next().unwrap().split('\t').collect();
        let column = header[col];
        match read(&mutate(line, column, VALUES[value])) {
            Ok(data) => prop_assert_eq!(data.issues.len(), 241),
            Err(e) => {
                prop_assert_eq!(e.line, line, "{}", e);
                if let Some(c) = &e.column {
                    prop_assert_eq!(c.as_str(), column, "{}", e);
                }
                let prefix = format!("test.tsv:{}:", line);
                prop_assert!(e.to_string().starts_with(&prefix), "{}", e);
            }
        }
    }
}
