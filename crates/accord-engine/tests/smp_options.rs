//! SMP options, determinism and degenerate inputs.

mod smp_common;

use accord_engine::smp::{self, *};
use accord_engine::{EngineError, Issue};
use smp_common::load_issue;

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

fn bits(run: &SmpRun) -> Vec<u64> {
    let mut v = Vec::new();
    for s in &run.history.positions {
        v.extend(s.iter().flatten().map(|x| x.to_bits()));
    }
    for s in run.risk.iter().chain(&run.probabilities) {
        v.extend(s.iter().map(|x| x.to_bits()));
    }
    v.extend(run.stop_ratios.iter().map(|x| x.to_bits()));
    v
}

#[test]
fn same_result_with_one_and_two_threads() {
    let stochastic = SmpSettings {
        state_transitions: StateTransitions::Stochastic,
        bargain_model: BargainModel::InitRcvrInterp,
        ..SmpSettings::default()
    };
    for (file, settings) in [
        ("dummyData-a040.csv", SmpSettings::default()),
        ("dummyData_6Dim.csv", SmpSettings::default()),
        ("SOE-Pol-Comp.csv", stochastic),
    ] {
        let issue = load_issue(file);
        let one = in_pool(1, || smp::run(&issue, &settings, 42).unwrap());
        let two = in_pool(2, || smp::run(&issue, &settings, 42).unwrap());
        assert_eq!(bits(&one), bits(&two), "{file}");
        assert_eq!(one, two, "{file}");
    }
}

#[test]
fn stochastic_runs_repeat_with_a_seed() {
    let issue = load_issue("dummyData_3Dim.csv");
    let s = SmpSettings {
        state_transitions: StateTransitions::Stochastic,
        ..SmpSettings::default()
    };
    let a = smp::run(&issue, &s, 7).unwrap();
    let b = smp::run(&issue, &s, 7).unwrap();
    assert_eq!(bits(&a), bits(&b));
    let differ = (8..20).any(|seed| bits(&smp::run(&issue, &s, seed).unwrap()) != bits(&a));
    assert!(differ, "different seeds should give different stochastic runs");
    // the deterministic default ignores the seed
    let d = SmpSettings::default();
    assert_eq!(
        bits(&smp::run(&issue, &d, 1).unwrap()),
        bits(&smp::run(&issue, &d, 2).unwrap())
    );
}

fn check_sane(issue: &Issue, s: &SmpSettings, what: &str) {
    let run = match smp::run(issue, s, 3) {
        Ok(r) => r,
        Err(e) => panic!("{what}: {e}"),
    };
    assert!(run.history.positions.len() >= 2, "{what}");
    for v in run.history.positions.iter().flatten().flatten() {
        assert!(v.is_finite(), "{what}: position {v}");
    }
    for v in run.risk.iter().chain(&run.probabilities).flatten() {
        assert!(v.is_finite(), "{what}: {v}");
    }
    let (lo, hi) = match s.big_r_range {
        BigRRange::Min => (0.0, 1.0),
        BigRRange::Mid => (-0.5, 1.0),
        BigRRange::Max => (-1.0, 1.0),
    };
    for r in run.risk.iter().flatten() {
        assert!(*r >= lo - 1e-12 && *r <= hi + 1e-12, "{what}: risk {r}");
    }
}

#[test]
fn every_option_runs() {
    let issues = [load_issue("dummyData_3Dim.csv"), load_issue("SOE-Pol-Comp.csv")];
    let base = SmpSettings::default();
    let mut variants: Vec<(String, SmpSettings)> = Vec::new();
    for v in VictoryProbModel::ALL {
        variants.push((
            format!("{v}"),
            SmpSettings {
                victory_prob_model: *v,
                ..base.clone()
            },
        ));
    }
    for v in PceModel::ALL {
        variants.push((
            format!("{v}"),
            SmpSettings {
                pce_model: *v,
                ..base.clone()
            },
        ));
    }
    for v in StateTransitions::ALL {
        variants.push((
            format!("{v}"),
            SmpSettings {
                state_transitions: *v,
                ..base.clone()
            },
        ));
    }
    for v in SmpVotingRule::ALL {
        variants.push((
            format!("{v}"),
            SmpSettings {
                voting_rule: *v,
                ..base.clone()
            },
        ));
    }
    for v in BigRAdjust::ALL {
        variants.push((
            format!("{v}"),
            SmpSettings {
                big_r_adjust: *v,
                ..base.clone()
            },
        ));
    }
    for v in BigRRange::ALL {
        variants.push((
            format!("{v}"),
            SmpSettings {
                big_r_range: *v,
                ..base.clone()
            },
        ));
    }
    for v in ThirdPartyCommit::ALL {
        variants.push((
            format!("{v}"),
            SmpSettings {
                third_party_commit: *v,
                ..base.clone()
            },
        ));
    }
    for v in InterVecBrgn::ALL {
        for b in BargainModel::ALL {
            variants.push((
                format!("{v}+{b}"),
                SmpSettings {
                    inter_vec_brgn: *v,
                    bargain_model: *b,
                    ..base.clone()
                },
            ));
        }
    }
    // the parameters of KTAB's smpExample.xml, and a few mixtures
    variants.push((
        "smpExample".into(),
        SmpSettings {
            pce_model: PceModel::MarkovIncentive,
            state_transitions: StateTransitions::Stochastic,
            voting_rule: SmpVotingRule::PropCbc,
            ..base.clone()
        },
    ));
    variants.push((
        "mix1".into(),
        SmpSettings {
            victory_prob_model: VictoryProbModel::Quartic,
            pce_model: PceModel::MarkovUniform,
            voting_rule: SmpVotingRule::AsymProsp,
            big_r_adjust: BigRAdjust::Half,
            big_r_range: BigRRange::Max,
            third_party_commit: ThirdPartyCommit::FullCommit,
            bargain_model: BargainModel::PwCompInterp,
            ..base.clone()
        },
    ));
    variants.push((
        "mix2".into(),
        SmpSettings {
            victory_prob_model: VictoryProbModel::Binary,
            voting_rule: SmpVotingRule::PropBin,
            third_party_commit: ThirdPartyCommit::NoCommit,
            inter_vec_brgn: InterVecBrgn::S1P1,
            bargain_model: BargainModel::InitRcvrInterp,
            state_transitions: StateTransitions::Stochastic,
            ..base.clone()
        },
    ));
    for issue in &issues {
        for (what, s) in &variants {
            check_sane(issue, s, &format!("{} {what}", issue.id));
        }
    }
}

#[test]
fn options_change_the_outcome() {
    let issue = load_issue("dummyData_3Dim.csv");
    let base = bits(&smp::run(&issue, &SmpSettings::default(), 0).unwrap());
    let changed = [
        SmpSettings {
            voting_rule: SmpVotingRule::Cubic,
            ..SmpSettings::default()
        },
        SmpSettings {
            pce_model: PceModel::MarkovUniform,
            ..SmpSettings::default()
        },
        SmpSettings {
            big_r_range: BigRRange::Min,
            ..SmpSettings::default()
        },
        SmpSettings {
            third_party_commit: ThirdPartyCommit::FullCommit,
            ..SmpSettings::default()
        },
        SmpSettings {
            inter_vec_brgn: InterVecBrgn::S1P1,
            ..SmpSettings::default()
        },
        SmpSettings {
            bargain_model: BargainModel::PwCompInterp,
            ..SmpSettings::default()
        },
    ];
    for s in changed {
        assert_ne!(bits(&smp::run(&issue, &s, 0).unwrap()), base, "{s:?}");
    }
}

#[test]
fn limits_and_threshold_are_honoured() {
    let issue = load_issue("dummyData_3Dim.csv");
    let s = SmpSettings {
        max_iterations: 3,
        ..SmpSettings::default()
    };
    let r = smp::run(&issue, &s, 0).unwrap();
    assert_eq!(r.history.positions.len(), 4);
    assert_eq!(r.history.stop, accord_engine::StopReason::IterationLimit);
    let s = SmpSettings {
        min_delta_ratio: 0.5,
        ..SmpSettings::default()
    };
    let r = smp::run(&issue, &s, 0).unwrap();
    assert_eq!(
        r.history.positions.len(),
        4,
        "ratio 0.1780 at iteration 3 is the first below 0.5"
    );
}

#[test]
fn accommodation_matrix() {
    let issue = load_issue("dummyData_3Dim.csv");
    let n = issue.stances.len();
    let identity: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect();
    let plain = smp::run(&issue, &SmpSettings::default(), 0).unwrap();
    let ident = smp::run(
        &issue,
        &SmpSettings {
            accommodation: Some(identity.clone()),
            ..SmpSettings::default()
        },
        0,
    )
    .unwrap();
    assert_eq!(bits(&plain), bits(&ident), "the identity matrix is the CSV model");

    // zero matrix: ideals never move
    let zero = vec![vec![0.0; n]; n];
    let r = smp::run(
        &issue,
        &SmpSettings {
            accommodation: Some(zero),
            ..SmpSettings::default()
        },
        0,
    )
    .unwrap();
    for st in &r.ideals {
        for (a, b) in st.iter().flatten().zip(r.ideals[0].iter().flatten()) {
            assert!((a - b).abs() < 1e-12);
        }
    }

    // partial adjustment, as in KTAB's smpExample.xml
    let mut acc = identity;
    acc[0][0] = 0.87;
    acc[1][1] = 0.75;
    acc[1][0] = 0.07;
    acc[2][2] = 0.65;
    acc[2][3] = 0.13;
    let r = smp::run(
        &issue,
        &SmpSettings {
            accommodation: Some(acc.clone()),
            ..SmpSettings::default()
        },
        0,
    )
    .unwrap();
    let (x1, y0, y1) = (&r.history.positions[1], &r.ideals[0], &r.ideals[1]);
    for k in 0..3 {
        let want = 0.87 * (x1[0][k] / 100.0) + 0.13 * (y0[0][k] / 100.0);
        assert!((y1[0][k] / 100.0 - want).abs() < 1e-12);
        let want = 0.07 * (x1[0][k] / 100.0) + 0.75 * (x1[1][k] / 100.0) + 0.18 * (y0[1][k] / 100.0);
        assert!((y1[1][k] / 100.0 - want).abs() < 1e-12);
    }
    assert_eq!(y1[3], x1[3], "an identity row reports the position itself");

    acc[0][1] = 0.5;
    let bad = smp::run(
        &issue,
        &SmpSettings {
            accommodation: Some(acc),
            ..SmpSettings::default()
        },
        0,
    );
    assert!(matches!(bad, Err(EngineError::InvalidInput(_))));
}

#[test]
fn degenerate_inputs_do_not_panic() {
    let mut issue = load_issue("dummyData_3Dim.csv");
    for s in &mut issue.stances {
        s.position = vec![50.0, 50.0, 50.0];
    }
    for pcem in PceModel::ALL {
        let s = SmpSettings {
            pce_model: *pcem,
            ..SmpSettings::default()
        };
        assert!(
            matches!(smp::run(&issue, &s, 0), Err(EngineError::Degenerate(_))),
            "{pcem}"
        );
    }
    // two camps at opposite corners: every distance is 0 or 1
    let mut issue = load_issue("dummyData_3Dim.csv");
    for (i, s) in issue.stances.iter_mut().enumerate() {
        let p = if i % 2 == 0 { 0.0 } else { 100.0 };
        s.position = vec![p, p, p];
    }
    assert!(smp::run(&issue, &SmpSettings::default(), 0).is_err());
}

#[test]
fn ktab_names() {
    assert_eq!(
        SmpVotingRule::from_ktab_name("ASymProsp"),
        Some(SmpVotingRule::AsymProsp)
    );
    assert_eq!(
        SmpVotingRule::from_ktab_name("asym_prosp"),
        Some(SmpVotingRule::AsymProsp)
    );
    assert_eq!(
        BargainModel::from_ktab_name("PWCompInterp"),
        Some(BargainModel::PwCompInterp)
    );
    assert_eq!(InterVecBrgn::from_ktab_name("s2pmax"), Some(InterVecBrgn::S2PMax));
    assert_eq!(BigRAdjust::from_ktab_name("nope"), None);
    for v in PceModel::ALL {
        assert_eq!(PceModel::from_ktab_name(v.ktab_name()), Some(*v));
    }
}

#[test]
fn consensus_reached_mid_run_stops_the_run() {
    let issue = load_issue("dummyData_3Dim.csv");
    let s = SmpSettings {
        victory_prob_model: VictoryProbModel::Binary,
        voting_rule: SmpVotingRule::PropBin,
        third_party_commit: ThirdPartyCommit::NoCommit,
        inter_vec_brgn: InterVecBrgn::S1P1,
        bargain_model: BargainModel::InitRcvrInterp,
        state_transitions: StateTransitions::Stochastic,
        ..SmpSettings::default()
    };
    let r = smp::run(&issue, &s, 3).unwrap();
    let last = r.history.final_positions();
    assert!(last.iter().all(|p| p == &last[0]), "this seed reaches full consensus");
    assert_eq!(r.history.stop, accord_engine::StopReason::Converged);
    assert_eq!(r.probabilities.last().unwrap(), &vec![1.0; 7]);
    assert_eq!(r.risk.last().unwrap(), &vec![0.0; 7]);
}
