//! `forecast_outcome` (the Monte Carlo's entry point: EUM final positions
//! without per-round records) returns `forecast(...).outcome` bit for bit.

use accord_engine::eum::{EumProfile, EumSettings, TRule};
use accord_engine::rules::DecisionRule;
use accord_engine::{Dynamics, Issue, ModelSettings, Stance, forecast, forecast::forecast_outcome};
use proptest::prelude::*;

fn issue() -> impl Strategy<Value = Issue> {
    (1usize..16, 1usize..3).prop_flat_map(|(n, dims)| {
        let pos = prop_oneof![(0u32..=4).prop_map(|v| f64::from(v) * 25.0), -50.0..150.0f64];
        let unit = prop_oneof![Just(0.0), Just(1.0), 0.0..=1.0f64];
        let stance = (
            prop_oneof![Just(0.0), Just(1.0), 0.0..=10.0f64],
            prop::collection::vec(pos, dims),
            prop::collection::vec(unit, dims),
        );
        (
            prop::collection::vec(stance, n),
            prop::collection::vec(0.0..100.0f64, dims),
        )
            .prop_map(move |(stances, sq)| Issue {
                id: "prop".into(),
                dimensions: dims,
                status_quo: Some(sq),
                stances: stances
                    .into_iter()
                    .enumerate()
                    .map(|(i, (capability, position, salience))| Stance {
                        actor: format!("A{i}"),
                        capability,
                        position,
                        salience,
                    })
                    .collect(),
                procedure: None,
            })
    })
}

fn settings() -> impl Strategy<Value = EumSettings> {
    (
        prop_oneof![Just(EumProfile::Replication), Just(EumProfile::Paper)],
        prop_oneof![Just(1.0), Just(1.0), Just(0.5), 0.0..=1.0f64],
        prop_oneof![Just(TRule::MedianCloser), Just(TRule::Better), Just(TRule::Worse)],
        prop_oneof![0usize..4, Just(10), Just(40)],
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(profile, q, t_rule, rounds, capitulation, exact)| EumSettings {
            profile,
            q,
            t_rule,
            rounds,
            range: None,
            capitulation: Some(capitulation),
            exact,
        })
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn outcome_matches_forecast_bit_for_bit(
        issue in issue(),
        eum in settings(),
        rule in prop_oneof![Just(DecisionRule::WeightedMean), Just(DecisionRule::WeightedMedian), Just(DecisionRule::Nash)],
    ) {
        let model = ModelSettings { dynamics: Dynamics::Eum(eum), rule };
        let full = forecast(&issue, &model, 7);
        let fast = forecast_outcome(&issue, &model, 7);
        match (full, fast) {
            (Ok(f), Ok(o)) => prop_assert_eq!(bits(&f.outcome), bits(&o)),
            (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
            (a, b) => prop_assert!(false, "forecast {:?} vs forecast_outcome {:?}", a.map(|f| f.outcome), b),
        }
    }
}

#[test]
fn invalid_input_gives_the_same_error() {
    let model = ModelSettings {
        dynamics: Dynamics::Eum(EumSettings {
            q: 2.0,
            ..EumSettings::replication()
        }),
        rule: DecisionRule::WeightedMean,
    };
    let issue = Issue {
        id: "bad".into(),
        dimensions: 1,
        status_quo: None,
        stances: vec![Stance {
            actor: "A".into(),
            capability: 1.0,
            position: vec![0.0],
            salience: vec![1.0],
        }],
        procedure: None,
    };
    let a = forecast(&issue, &model, 0).unwrap_err().to_string();
    let b = forecast_outcome(&issue, &model, 0).unwrap_err().to_string();
    assert_eq!(a, b);
}
