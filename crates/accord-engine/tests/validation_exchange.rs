//! The exchange model in the validation: the cases of one group (a DEU
//! proposal) are negotiated together, every case is scored, and the thread
//! count changes nothing.

use accord_engine::exchange::ExchangeSettings;
use accord_engine::validation::{Candidate, Case, Predictor, predict_all};
use accord_engine::{DecisionRule, Dynamics, Issue, ModelSettings, Stance, forecast_group};

/// Cases in pairs: on the first of a pair `a` cares most, on the second `b`.
fn cases(n: usize) -> Vec<Case> {
    (0..n)
        .map(|k| {
            let first = k % 2 == 0;
            let (sa, sb) = if first { (0.8, 0.2) } else { (0.2, 0.8) };
            let stance = |actor: &str, x: f64, s: f64| Stance {
                actor: actor.into(),
                capability: 1.0 + (k % 3) as f64,
                position: vec![x],
                salience: vec![s],
            };
            let issue = Issue {
                id: format!("i{k}"),
                dimensions: 1,
                status_quo: None,
                stances: vec![
                    stance("a", 10.0 + k as f64, sa),
                    stance("b", 90.0 - k as f64, sb),
                    stance("c", 50.0, 0.5),
                ],
                procedure: None,
            };
            Case {
                id: issue.id.clone(),
                group: format!("p{}", k / 2),
                outcome: 50.0,
                strata: Vec::new(),
                inputs: vec![issue],
            }
        })
        .collect()
}

fn exchange_candidate() -> Candidate {
    Candidate {
        name: "exchange/weighted_mean/x".into(),
        predictor: Predictor::Model {
            dynamics: Dynamics::Exchange(ExchangeSettings::default()),
            rule: DecisionRule::WeightedMean,
            static_fallback: false,
        },
        input: 0,
        input_label: "x".into(),
        selectable: true,
    }
}

#[test]
fn cases_of_a_group_are_negotiated_together() {
    let cs = cases(10);
    let p = predict_all(&cs, &[exchange_candidate()], 7);
    let settings = ModelSettings {
        dynamics: Dynamics::Exchange(ExchangeSettings::default()),
        rule: DecisionRule::WeightedMean,
    };
    let mut moved = 0;
    for pair in cs.chunks(2) {
        let issues: Vec<&Issue> = pair.iter().map(|c| &c.inputs[0]).collect();
        let group = forecast_group(&issues, &settings, 0);
        moved += group.exchanges.len();
        for (c, f) in pair.iter().zip(&group.forecasts) {
            let k: usize = c.id[1..].parse().unwrap();
            assert_eq!(
                p.values[0][k].as_ref().unwrap(),
                &f.as_ref().unwrap().outcome[0],
                "{}",
                c.id
            );
        }
    }
    assert!(moved >= 5, "every pair trades");
}

#[test]
fn the_thread_count_changes_nothing() {
    let cs = cases(24);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| predict_all(&cs, &[exchange_candidate()], 7))
    };
    assert_eq!(run(1), run(2));
}
