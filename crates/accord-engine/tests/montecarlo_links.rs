//! Linked issues in the Monte Carlo: a link group is one unit of work, common
//! random numbers are kept, unlinked issues are unchanged bit for bit, and
//! the thread count changes nothing.

use std::sync::atomic::AtomicBool;

use accord_engine::exchange::ExchangeSettings;
use accord_engine::montecarlo::{
    self, Bounds, Distribution, MonteCarloResult, MonteCarloSettings, UncertainActor, UncertainIssue, UncertainModel,
    UncertainStance,
};
use accord_engine::{DecisionRule, Dynamics, ModelSettings};

fn b(value: f64, spread: f64) -> Bounds {
    Bounds {
        value,
        low: (value - spread).max(0.0),
        high: (value + spread).min(100.0),
    }
}

/// Three actors, four issues; A cares about p, B about q (a profitable
/// trade), r and t unrelated.
fn model(links: Vec<Vec<usize>>) -> UncertainModel {
    let actors = ["A", "B", "C"]
        .iter()
        .map(|id| UncertainActor {
            id: (*id).into(),
            capability: b(1.0, 0.3),
        })
        .collect();
    let issue = |id: &str, rows: [(f64, f64); 3]| UncertainIssue {
        id: id.into(),
        dimensions: 1,
        status_quo: Some(vec![50.0]),
        stances: rows
            .iter()
            .enumerate()
            .map(|(k, &(x, s))| UncertainStance {
                actor: k,
                position: vec![b(x, 5.0)],
                salience: vec![Bounds {
                    value: s,
                    low: (s - 0.05).max(0.0),
                    high: (s + 0.05).min(1.0),
                }],
                capability_factor: 1.0,
                active: true,
            })
            .collect(),
        procedure: None,
        threshold: 50.0,
        scale: (0.0, 100.0),
    };
    UncertainModel {
        actors,
        issues: vec![
            issue("p", [(10.0, 0.8), (90.0, 0.2), (50.0, 0.5)]),
            issue("r", [(20.0, 0.5), (70.0, 0.5), (40.0, 0.5)]),
            issue("q", [(10.0, 0.2), (90.0, 0.8), (50.0, 0.5)]),
            issue("t", [(60.0, 0.3), (30.0, 0.6), (80.0, 0.4)]),
        ],
        links,
    }
}

fn settings(dynamics: Dynamics) -> MonteCarloSettings {
    MonteCarloSettings {
        samples: 300,
        seed: 11,
        distribution: Distribution::Pert,
        model: ModelSettings {
            dynamics,
            rule: DecisionRule::WeightedMean,
        },
    }
}

fn run(m: &UncertainModel, s: &MonteCarloSettings, threads: usize) -> MonteCarloResult {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| montecarlo::run(m, s, &AtomicBool::new(false), &|_| {}).unwrap())
}

fn exchange() -> Dynamics {
    Dynamics::Exchange(ExchangeSettings::default())
}

#[test]
fn units_group_linked_issues() {
    let m = model(vec![vec![2, 0]]);
    assert_eq!(m.units(), vec![vec![0, 2], vec![1], vec![3]]);
    assert_eq!(m.unit_of(2), vec![0, 2]);
    assert_eq!(model(vec![]).units(), vec![vec![0], vec![1], vec![2], vec![3]]);
}

#[test]
fn unlinked_issues_are_unchanged_and_linked_ones_trade() {
    let s = settings(exchange());
    let alone = run(&model(vec![]), &s, 2);
    let linked = run(&model(vec![vec![0, 2]]), &s, 2);
    // r and t are in no group: identical figures.
    assert_eq!(alone.issues[1], linked.issues[1]);
    assert_eq!(alone.issues[3], linked.issues[3]);
    // p and q trade: A gives way on q, B on p, so both outcomes move toward
    // the actor that cares most.
    assert!(
        linked.issues[0].mean < alone.issues[0].mean - 1.0,
        "{:?}",
        (alone.issues[0].mean, linked.issues[0].mean)
    );
    assert!(linked.issues[2].mean > alone.issues[2].mean + 1.0);
    // Without the exchange model, links change nothing at all.
    let none = settings(Dynamics::None);
    assert_eq!(
        run(&model(vec![]), &none, 2).issues,
        run(&model(vec![vec![0, 2]]), &none, 2).issues
    );
}

#[test]
fn linked_runs_do_not_depend_on_the_thread_count() {
    let s = settings(exchange());
    let m = model(vec![vec![0, 2, 3]]);
    assert_eq!(run(&m, &s, 1), run(&m, &s, 2));
}

#[test]
fn issue_outcome_runs_the_group() {
    let m = model(vec![vec![0, 2]]);
    let s = settings(exchange());
    let sample = m.draw(s.seed, 5, s.distribution);
    let refs: Vec<&accord_engine::Issue> = [0, 2].iter().map(|&i| &sample.issues[i]).collect();
    let group = accord_engine::forecast_group(&refs, &s.model, 0);
    let x = montecarlo::issue_outcome(&m, &sample, 2, &s.model, 0).unwrap();
    assert_eq!(x, group.forecasts[1].as_ref().unwrap().outcome[0]);
    assert!(!group.exchanges.is_empty());
}
