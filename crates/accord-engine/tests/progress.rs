//! Progress and cancellation of the long computations (`smp::run_with`,
//! `influence::shapley_with`, `validation::predict_all_with` and
//! `score_with`, `calibration::calibrate_with`): the results are identical
//! with and without a progress callback and on one or two threads, the
//! reported counts rise to the announced total, and a set cancellation flag
//! stops the run with a `Cancelled` error.

use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

use accord_engine::calibration::{
    CalibrationCase, CalibrationConfig, CalibrationError, MemberForecasts, calibrate, calibrate_with,
};
use accord_engine::eum::EumSettings;
use accord_engine::influence::{ShapleyMethod, shapley, shapley_evaluations, shapley_with};
use accord_engine::smp::{self, SmpSettings};
use accord_engine::validation::{
    Candidate, Case, Predictor, Selection, ValidationConfig, predict_all, predict_all_with, score, score_with,
};
use accord_engine::{DecisionRule, Dynamics, EngineError, Issue, ModelSettings, Stance};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `n` actors on `dims` dimensions with positions, saliences (summing to at
/// most 1 per actor, as SMP needs), capabilities and a status quo drawn from
/// `seed`.
fn random_issue(n: usize, dims: usize, seed: u64) -> Issue {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let stances = (0..n)
        .map(|i| Stance {
            actor: format!("A{i:02}"),
            capability: rng.random_range(1.0..100.0),
            position: (0..dims).map(|_| rng.random_range(0.0..100.0)).collect(),
            salience: (0..dims).map(|_| rng.random_range(0.05..=1.0) / dims as f64).collect(),
        })
        .collect();
    Issue {
        id: format!("random-{n}-{dims}-{seed}"),
        dimensions: dims,
        status_quo: Some((0..dims).map(|_| rng.random_range(0.0..100.0)).collect()),
        stances,
        procedure: None,
    }
}

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool")
        .install(f)
}

/// Every `(done, total)` a run reported.
#[derive(Default)]
struct Calls(Mutex<Vec<(u64, u64)>>);

impl Calls {
    fn record(&self, done: u64, total: u64) {
        self.0.lock().expect("not poisoned").push((done, total));
    }

    /// Checks the calls rise to `total` with the same total throughout, and
    /// returns how many there were.
    fn check_rising_to(&self, total: u64) -> usize {
        let calls = self.0.lock().expect("not poisoned");
        assert!(!calls.is_empty(), "no progress reported");
        assert!(calls.iter().all(|&(_, t)| t == total), "{calls:?}");
        assert!(calls.windows(2).all(|w| w[0].0 <= w[1].0), "{calls:?}");
        assert_eq!(calls.last().map(|c| c.0), Some(total), "{calls:?}");
        calls.len()
    }
}

fn no() -> AtomicBool {
    AtomicBool::new(false)
}

fn yes() -> AtomicBool {
    AtomicBool::new(true)
}

#[test]
fn smp_with_progress_gives_the_same_run_and_counts_iterations() {
    let issue = random_issue(12, 3, 5);
    let settings = SmpSettings {
        max_iterations: 40,
        min_delta_ratio: 0.0,
        ..SmpSettings::default()
    };
    let plain = smp::run(&issue, &settings, 7).expect("SMP runs");
    for threads in [1, 2] {
        let calls = Calls::default();
        let watched = in_pool(threads, || {
            smp::run_with(&issue, &settings, 7, &no(), &|d, t| calls.record(d, t)).expect("SMP runs")
        });
        assert_eq!(watched, plain, "{threads} threads");
        let n = calls.check_rising_to(40);
        assert_eq!(n as u64, plain.history.turns() as u64);
    }
    assert_eq!(
        smp::run_with(&issue, &settings, 7, &yes(), &|_, _| {}),
        Err(EngineError::Cancelled)
    );
}

#[test]
fn shapley_with_progress_gives_the_same_values_and_counts_evaluations() {
    let issue = random_issue(9, 1, 11);
    let eum = ModelSettings {
        dynamics: Dynamics::Eum(EumSettings::default()),
        rule: DecisionRule::WeightedMean,
    };
    let compromise = ModelSettings {
        dynamics: Dynamics::None,
        rule: DecisionRule::WeightedMean,
    };
    // Several batches each: 2^9 = 512 coalitions in 2 chunks, and 3,000
    // permutations in 188 blocks of 16 (3 batches of 64).
    for (settings, method) in [
        (&eum, ShapleyMethod::Exact),
        (&eum, ShapleyMethod::Sampled { permutations: 3000 }),
        (&compromise, ShapleyMethod::Sampled { permutations: 3000 }),
        (&compromise, ShapleyMethod::Auto),
    ] {
        let plain = shapley(&issue, settings, 3, method).expect("attribution");
        let total = shapley_evaluations(&issue, settings, method).expect("a method");
        assert_eq!(total, plain.evaluations, "{method:?}");
        for threads in [1, 2] {
            let calls = Calls::default();
            let watched = in_pool(threads, || {
                shapley_with(&issue, settings, 3, method, &no(), &|d, t| calls.record(d, t)).expect("attribution")
            });
            assert_eq!(watched, plain, "{method:?} on {threads} threads");
            calls.check_rising_to(total);
        }
        assert_eq!(
            shapley_with(&issue, settings, 3, method, &yes(), &|_, _| {}).map(|_| ()),
            if matches!(method, ShapleyMethod::Auto) {
                // The compromise model's exact path is one quick pass: there
                // is nothing to cancel.
                Ok(())
            } else {
                Err(EngineError::Cancelled)
            },
            "{method:?}"
        );
    }
}

/// `n` cases in groups of three, each issue of 5 actors.
fn cases(n: usize) -> Vec<Case> {
    (0..n)
        .map(|k| {
            let issue = random_issue(5, 1, 100 + k as u64);
            Case {
                id: issue.id.clone(),
                group: format!("p{}", k / 3),
                outcome: (k * 37 % 101) as f64,
                strata: vec![("parity".into(), if k % 2 == 0 { "even" } else { "odd" }.into())],
                inputs: vec![issue],
            }
        })
        .collect()
}

fn candidates() -> Vec<Candidate> {
    let model = |name: &str, dynamics: Dynamics, static_fallback: bool| Candidate {
        name: name.into(),
        predictor: Predictor::Model {
            dynamics,
            rule: DecisionRule::WeightedMean,
            static_fallback,
        },
        input: 0,
        input_label: "-".into(),
        selectable: true,
    };
    vec![
        model("none", Dynamics::None, false),
        model("eum", Dynamics::Eum(EumSettings::default()), false),
        model("smp", Dynamics::Smp(SmpSettings::default()), true),
        Candidate {
            name: "fifty".into(),
            predictor: Predictor::Constant { value: 50.0 },
            input: 0,
            input_label: "-".into(),
            selectable: true,
        },
    ]
}

fn config() -> ValidationConfig {
    ValidationConfig {
        seed: 3,
        resamples: 200,
        level: 0.95,
        folds: 5,
        repeats: 2,
        reference: Some(0),
        recommend_from: Selection {
            name: "pool".into(),
            candidates: vec![0, 1, 2, 3],
        },
        families: vec![],
    }
}

#[test]
fn validation_with_progress_gives_the_same_predictions_and_scores() {
    let cs = cases(120);
    let cands = candidates();
    let plain = predict_all(&cs, &cands, 9);
    let report = score(&cs, &cands, &plain, &config());
    for threads in [1, 2] {
        let runs = Calls::default();
        let scored = Calls::default();
        let (watched, watched_report) = in_pool(threads, || {
            let p = predict_all_with(&cs, &cands, 9, &no(), &|d, t| runs.record(d, t)).expect("not cancelled");
            let r = score_with(&cs, &cands, &p, &config(), &no(), &|d, t| scored.record(d, t)).expect("not cancelled");
            (p, r)
        });
        assert_eq!(watched, plain, "{threads} threads");
        assert_eq!(watched_report, report, "{threads} threads");
        // One run per (dynamics, input) job and case: 3 models × 120 cases,
        // in batches of 256.
        assert_eq!(runs.check_rising_to(360), 2);
        scored.check_rising_to(4);
    }
    assert_eq!(
        predict_all_with(&cs, &cands, 9, &yes(), &|_, _| {}),
        Err(EngineError::Cancelled)
    );
    assert_eq!(
        score_with(&cs, &cands, &plain, &config(), &yes(), &|_, _| {}).map(|_| ()),
        Err(EngineError::Cancelled)
    );
}

#[test]
fn calibration_with_progress_gives_the_same_report() {
    let n = 240;
    let cases: Vec<CalibrationCase> = (0..n)
        .map(|k| CalibrationCase {
            id: format!("c{k}"),
            fold_group: format!("p{}", k / 4),
            rule_group: if k % 3 == 0 { "unanimity" } else { "qmv" }.into(),
            outcome: (k * 37 % 101) as f64,
        })
        .collect();
    let members: Vec<MemberForecasts> = [(13, 0.0), (29, 10.0)]
        .iter()
        .map(|&(step, shift)| MemberForecasts {
            name: format!("m{step}"),
            forecasts: (0..n)
                .map(|k| (k % 11 != 0).then(|| ((k * step % 101) as f64 + shift).min(100.0)))
                .collect(),
        })
        .collect();
    let config = CalibrationConfig {
        folds: 10,
        ..CalibrationConfig::default()
    };
    let plain = calibrate("synthetic", &cases, &members, &config).expect("calibrates");
    for threads in [1, 2] {
        let calls = Calls::default();
        let watched = in_pool(threads, || {
            calibrate_with("synthetic", &cases, &members, &config, &no(), &|d, t| {
                calls.record(d, t)
            })
            .expect("calibrates")
        });
        assert_eq!(watched, plain, "{threads} threads");
        // 10 outer folds in batches of 4, then the shipped weights.
        assert_eq!(calls.check_rising_to(11), 4);
    }
    assert!(matches!(
        calibrate_with("synthetic", &cases, &members, &config, &yes(), &|_, _| {}),
        Err(CalibrationError::Cancelled)
    ));
}
