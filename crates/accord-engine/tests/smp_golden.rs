//! Golden tests: SMP with default settings against KTAB's own outputs
//! (`tests/data/ktab/expected`, spec §15).

mod smp_common;

use accord_engine::StopReason;
use accord_engine::smp::{self, SmpSettings, SmpTrace};
use smp_common::{expected_rows, idx, load_issue, num};

/// Runs a data set listed in `summary.csv` and compares every printed
/// output with KTAB's.
fn check_dataset(dataset: &str) {
    let summary = expected_rows("summary.csv");
    let row = summary
        .iter()
        .find(|r| r[0] == dataset)
        .expect("data set in summary.csv");
    let issue = load_issue(&row[1]);
    assert_eq!(issue.stances.len(), idx(&row[2]));
    assert_eq!(issue.dimensions, idx(&row[3]));
    let run = smp::run(&issue, &SmpSettings::default(), 15455440707583219804).unwrap();
    let states = idx(&row[4]);
    assert_eq!(run.history.positions.len(), states, "{dataset}: number of states");
    assert_eq!(run.history.stop, StopReason::Converged);

    let mut count = 0;
    for r in expected_rows(&format!("{dataset}.positions.csv")) {
        let (t, a, d, p) = (idx(&r[0]), idx(&r[1]), idx(&r[2]), num(&r[3]));
        let got = run.history.positions[t][a][d];
        assert!(
            (got - p).abs() < 0.005,
            "{dataset} turn {t} actor {a} dim {d}: {got} vs {p}"
        );
        count += 1;
    }
    assert_eq!(count, states * issue.stances.len() * issue.dimensions);

    for r in expected_rows(&format!("{dataset}.probs.csv")) {
        let (t, a, p) = (idx(&r[0]), idx(&r[1]), num(&r[2]));
        let got = run.probabilities[t][a];
        assert!(
            (got - p).abs() < 6e-5,
            "{dataset} prob turn {t} actor {a}: {got} vs {p}"
        );
    }
    for r in expected_rows(&format!("{dataset}.risk.csv")) {
        let (t, a, v) = (idx(&r[0]), idx(&r[1]), num(&r[2]));
        let got = run.risk[t][a];
        assert!(
            (got - v).abs() < 6e-4,
            "{dataset} risk turn {t} actor {a}: {got} vs {v}"
        );
    }
    let stops = expected_rows(&format!("{dataset}.stop.csv"));
    assert_eq!(stops.len(), run.stop_ratios.len());
    for r in stops {
        let (it, v) = (idx(&r[0]), num(&r[1]));
        let got = run.stop_ratios[it - 1];
        assert!((got - v).abs() < 6e-5, "{dataset} stop ratio {it}: {got} vs {v}");
    }
}

#[test]
fn dummy_data_3dim_matches_ktab() {
    check_dataset("dummyData_3Dim");
}

#[test]
fn soe_pol_comp_matches_ktab() {
    check_dataset("SOE-Pol-Comp");
}

#[test]
fn dummy_data_a040_matches_ktab() {
    check_dataset("dummyData-a040");
}

fn traced_3dim() -> SmpTrace {
    let issue = load_issue("dummyData_3Dim.csv");
    smp::run_traced(&issue, &SmpSettings::default(), 0).unwrap().1
}

const FULL: f64 = 1e-12;

#[test]
fn dummy_data_3dim_utilities_full_precision() {
    let trace = traced_3dim();
    let rows = expected_rows("dummyData_3Dim.utils.csv");
    assert_eq!(rows.len(), trace.states.len() * 7 * 7 * 7);
    for r in rows {
        let (t, h, i, j, u) = (idx(&r[0]), idx(&r[1]), idx(&r[2]), idx(&r[3]), num(&r[4]));
        let got = trace.states[t].utilities[h][i][j];
        assert!((got - u).abs() < FULL, "U turn {t} h {h} [{i}][{j}]: {got:e} vs {u:e}");
    }
}

#[test]
fn dummy_data_3dim_challenges_full_precision() {
    let trace = traced_3dim();
    let rows = expected_rows("dummyData_3Dim.challenges.csv");
    let mut seen = 0;
    for r in &rows {
        let (t, i, j, p, e) = (idx(&r[0]), idx(&r[1]), idx(&r[2]), num(&r[3]), num(&r[4]));
        let c = trace.states[t]
            .challenges
            .iter()
            .find(|c| c.initiator == i && c.target == j)
            .unwrap_or_else(|| panic!("challenge {i}->{j} at turn {t}"));
        assert!(
            (c.probability - p).abs() < FULL,
            "P turn {t} {i}->{j}: {} vs {p}",
            c.probability
        );
        assert!((c.value - e).abs() < FULL, "EU turn {t} {i}->{j}: {} vs {e}", c.value);
        seen += 1;
    }
    let total: usize = trace.states.iter().map(|s| s.challenges.len()).sum();
    assert_eq!(seen, total);
}

#[test]
fn dummy_data_3dim_risk_full_precision() {
    let trace = traced_3dim();
    for r in expected_rows("dummyData_3Dim.risk_full.csv") {
        let (t, a, v) = (idx(&r[0]), idx(&r[1]), num(&r[2]));
        let got = trace.states[t].risk[a];
        assert!((got - v).abs() < FULL, "r turn {t} actor {a}: {got:e} vs {v:e}");
    }
}

#[test]
fn dummy_data_3dim_bargains_full_precision() {
    let trace = traced_3dim();
    let rows = expected_rows("dummyData_3Dim.bargains.csv");
    let parse_pos = |s: &str| -> Vec<f64> { s.split(';').map(num).collect() };
    let mut seen = 0;
    for r in &rows {
        let (t, i, j) = (idx(&r[0]), idx(&r[1]), idx(&r[2]));
        let st = &trace.states[t];
        let b = st
            .bargains
            .iter()
            .position(|b| b.initiator == i && b.receiver == j)
            .unwrap_or_else(|| panic!("bargain {i}:{j} at turn {t}"));
        let bt = &st.bargains[b];
        assert!((bt.value - num(&r[3])).abs() < FULL, "value of {i}:{j} at {t}");
        let in_queue = |k: usize| -> (f64, bool) {
            let m = st.queues[k].iter().position(|&q| q == b).expect("bargain in queue");
            (st.queue_probabilities[k][m], st.chosen[k] == m)
        };
        let (p, sel) = in_queue(i);
        assert!((p - num(&r[4])).abs() < FULL, "P of {i}:{j} in {i}'s queue at {t}: {p}");
        assert_eq!(sel, r[5] == "1", "choice of {i} at {t}");
        if i != j {
            let (p, sel) = in_queue(j);
            assert!((p - num(&r[6])).abs() < FULL, "P of {i}:{j} in {j}'s queue at {t}: {p}");
            assert_eq!(sel, r[7] == "1", "choice of {j} at {t}");
            for (got, want) in [(&bt.initiator_position, &r[8]), (&bt.receiver_position, &r[9])] {
                for (g, w) in got.iter().zip(parse_pos(want)) {
                    assert!((g - w).abs() < 0.005, "position of {i}:{j} at {t}: {g} vs {w}");
                }
            }
        }
        seen += 1;
    }
    let total: usize = trace.states.iter().map(|s| s.bargains.len()).sum();
    assert_eq!(seen, total, "every bargain is listed");
}

/// State counts of the data sets whose histories are kept back (spec §15).
#[test]
fn dummy_data_6dim_and_a080_state_counts() {
    for (file, states) in [("dummyData_6Dim.csv", 30), ("dummyData-a080.csv", 18)] {
        let issue = load_issue(file);
        let t = std::time::Instant::now();
        let run = smp::run(&issue, &SmpSettings::default(), 0).unwrap();
        eprintln!("{file}: {} states in {:?}", run.history.positions.len(), t.elapsed());
        assert_eq!(run.history.positions.len(), states, "{file}");
    }
}
