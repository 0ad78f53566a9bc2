//! Scoring, the proposal bootstrap and cross-validated selection on
//! synthetic cases whose answers are known.

use accord_engine::validation::{
    Candidate, Case, Predictor, Selection, ValidationConfig, bootstrap_mae_interval, group_bootstrap_plan, metrics,
    predict_all, validate,
};
use accord_engine::{DecisionRule, Dynamics, Issue, Stance};

fn stance(actor: &str, position: f64, salience: f64) -> Stance {
    Stance {
        actor: actor.into(),
        capability: 1.0,
        position: vec![position],
        salience: vec![salience],
    }
}

/// `n` cases in groups of three; outcome 40 + case index mod 7; actor `a`
/// sits near the outcome, `b` far from it.
fn cases(n: usize) -> Vec<Case> {
    (0..n)
        .map(|k| {
            let outcome = 40.0 + (k % 7) as f64;
            let issue = Issue {
                id: format!("i{k}"),
                dimensions: 1,
                status_quo: (k % 2 == 0).then(|| vec![0.0]),
                stances: vec![stance("a", outcome + 1.0, 0.5), stance("b", 100.0, 0.5)],
                procedure: None,
            };
            Case {
                id: issue.id.clone(),
                group: format!("p{}", k / 3),
                outcome,
                strata: vec![("parity".into(), if k % 2 == 0 { "even" } else { "odd" }.into())],
                inputs: vec![issue],
            }
        })
        .collect()
}

fn baseline(name: &str, predictor: Predictor, selectable: bool) -> Candidate {
    Candidate {
        name: name.into(),
        predictor,
        input: 0,
        input_label: "-".into(),
        selectable,
    }
}

fn config(pool: Vec<usize>) -> ValidationConfig {
    ValidationConfig {
        seed: 3,
        resamples: 300,
        level: 0.95,
        folds: 5,
        repeats: 3,
        reference: Some(0),
        recommend_from: Selection {
            name: "pool".into(),
            candidates: pool,
        },
        families: vec![],
    }
}

fn candidates() -> Vec<Candidate> {
    vec![
        baseline("a", Predictor::ActorPosition { actor: "a".into() }, true),
        baseline("fifty", Predictor::Constant { value: 50.0 }, true),
        baseline("sq", Predictor::ReferencePoint, true),
        baseline("b", Predictor::ActorPosition { actor: "b".into() }, true),
    ]
}

#[test]
fn known_errors_and_counts() {
    let cs = cases(30);
    let r = validate(&cs, &candidates(), &config(vec![0, 1, 2, 3]));
    let a = r.candidate("a").unwrap();
    assert!((a.metrics.unwrap().mae - 1.0).abs() < 1e-12);
    assert_eq!(a.mae_interval, Some((1.0, 1.0)));
    let sq = r.candidate("sq").unwrap();
    assert_eq!(sq.metrics.unwrap().n, 15);
    assert_eq!(sq.unscored, 15);
    assert_eq!(sq.unscored_by_reason.get("not_applicable"), Some(&15));
    let paired = sq.paired.unwrap();
    assert_eq!(paired.n, 15);
    assert!((paired.reference_mae - 1.0).abs() < 1e-12);
    assert_eq!(
        r.candidate("fifty").unwrap().breakdown["parity"]
            .values()
            .map(|s| s.n)
            .sum::<usize>(),
        30
    );
}

#[test]
fn selection_picks_the_best_and_skips_incomplete_candidates() {
    let cs = cases(30);
    let r = validate(&cs, &candidates(), &config(vec![3, 2, 1, 0]));
    assert_eq!(r.recommendation.chosen.as_deref(), Some("a"));
    assert_eq!(r.recommendation.excluded, vec!["sq".to_string()]);
    let cv = r.recommendation.cv_mae.unwrap();
    assert!((cv - 1.0).abs() < 1e-12, "a is best in every fold: {cv}");
    assert_eq!(r.recommendation.picks.get("a"), Some(&15));
    assert!(r.candidate("a").unwrap().recommended);
    assert_eq!(r.candidates.iter().filter(|c| c.recommended).count(), 1);
}

#[test]
fn unselectable_candidates_are_never_recommended() {
    let cs = cases(12);
    let mut cands = candidates();
    cands[0].selectable = false;
    let r = validate(&cs, &cands, &config(vec![0, 1]));
    assert_eq!(r.recommendation.chosen.as_deref(), Some("fifty"));
}

#[test]
fn static_fallback_decides_on_given_positions() {
    // Every actor at one point: SMP cannot infer risk attitudes and reports
    // the issue degenerate; with the fallback the rule sees the given positions.
    let mut cs = cases(2);
    for c in &mut cs {
        for s in &mut c.inputs[0].stances {
            s.position = vec![50.0];
        }
    }
    let model = |fallback| Predictor::Model {
        dynamics: Dynamics::Smp(Default::default()),
        rule: DecisionRule::WeightedMean,
        static_fallback: fallback,
    };
    let cands = vec![
        baseline("plain", model(false), true),
        baseline("fallback", model(true), true),
    ];
    let p = predict_all(&cs, &cands, 1);
    assert!(
        p.values[0]
            .iter()
            .all(|v| v.as_ref().is_err_and(|u| u.reason == "degenerate")),
        "{:?}",
        p.values[0]
    );
    assert_eq!(p.fallbacks, vec![0, 2]);
    assert!(
        p.values[1]
            .iter()
            .all(|v| v.as_ref().is_ok_and(|&x| (x - 50.0).abs() < 1e-12))
    );
}

#[test]
fn bootstrap_is_seeded_and_resamples_groups() {
    let a = group_bootstrap_plan(10, 50, 9);
    assert_eq!(a, group_bootstrap_plan(10, 50, 9));
    assert!(a.iter().all(|r| r.iter().sum::<u32>() == 10));
    // One group with all the error: intervals span from 0 upwards.
    let mut sums = vec![(0.0, 2usize); 10];
    sums[0] = (20.0, 2);
    let (lo, hi) = bootstrap_mae_interval(&sums, &group_bootstrap_plan(10, 2000, 1), 0.95).unwrap();
    assert_eq!(lo, 0.0);
    assert!(hi > 1.0);
    assert!(metrics(&[3.0]).is_some());
}

#[test]
fn reports_do_not_depend_on_the_thread_count() {
    let cs = cases(40);
    let run = |t| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .unwrap()
            .install(|| validate(&cs, &candidates(), &config(vec![0, 1, 3])))
    };
    assert_eq!(run(1), run(4));
}
