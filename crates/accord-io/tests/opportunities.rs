//! The strategy search on the SCO model: a lever with no effect ranks at zero
//! within its interval; a lever that moves every issue toward the focal
//! actor's positions ranks above it; the search is reproducible.

use std::sync::atomic::AtomicBool;

use accord_analysis::opportunities::{Loss, SearchSettings, search};
use accord_core::{
    ActorId, EntryId,
    model::{Effect, Lever},
};

fn compiled(samples: u64) -> (accord_analysis::Compiled, accord_core::model::Model) {
    let (record, model) = accord_io::embedded::sco_record_and_model().expect("embedded data");
    let (_, text) = accord_io::embedded::SCO_SCENARIOS[0];
    let mut scenario = accord_io::scenario::parse_scenario("baseline", text).expect("baseline parses");
    // No dynamics keeps the test fast; the search itself is what is tested.
    scenario.settings.dynamics = accord_analysis::scenario::DynamicsChoice::None;
    scenario.settings.samples = samples;
    (
        accord_analysis::compile(&record, &model, &scenario).expect("baseline compiles"),
        model,
    )
}

fn lever(id: &str, effects: Vec<Effect>) -> Lever {
    Lever {
        id: EntryId::new(id).unwrap(),
        actor: ActorId::new("RUS").unwrap(),
        name: id.into(),
        basis: "test".into(),
        effects,
        provenance: Default::default(),
    }
}

#[test]
fn null_lever_scores_zero_and_a_favourable_lever_ranks_above_it() {
    let (c, model) = compiled(64);
    let rus: Vec<(String, f64)> = model
        .stances
        .iter()
        .filter(|s| s.actor.as_str() == "RUS")
        .map(|s| (s.issue.to_string(), s.position.value))
        .collect();
    // Every other stance on every issue RUS cares about moves 15 points toward RUS.
    let toward: Vec<Effect> = model
        .stances
        .iter()
        .filter(|s| s.actor.as_str() != "RUS")
        .filter_map(|s| {
            let target = rus.iter().find(|(i, _)| *i == s.issue.as_str())?.1;
            let shift = (target - s.position.value).clamp(-15.0, 15.0);
            Some(Effect::Position {
                actor: s.actor.clone(),
                issue: s.issue.clone(),
                shift,
            })
        })
        .collect();
    let null = vec![Effect::Position {
        actor: ActorId::new("RUS").unwrap(),
        issue: EntryId::new(&rus[0].0).unwrap(),
        shift: 0.0,
    }];
    let levers = vec![lever("null", null), lever("toward", toward)];
    let settings = SearchSettings {
        focal: "RUS".into(),
        max_levers: 2,
        beam_width: 5,
        loss: Loss::Linear,
    };
    let report = search(&c, &levers, &settings, &AtomicBool::new(false), &|_| {}).unwrap();
    assert_eq!(report.method, "exhaustive");
    let get = |id: &str| report.singles.iter().find(|c| c.levers == [id]).unwrap();
    let (n, t) = (get("null"), get("toward"));
    assert!(n.interval.0 <= 0.0 && 0.0 <= n.interval.1, "{n:?}");
    assert_eq!(n.delta_utility, 0.0);
    assert!(t.delta_utility > 0.0 && t.interval.0 > n.interval.1, "{t:?}");
    assert_eq!(report.singles[0].levers, ["toward"]);
    assert_eq!(report.combinations.len(), 1);
    // The same seed gives the same ranking and figures, whatever the thread count.
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let again = pool.install(|| search(&c, &levers, &settings, &AtomicBool::new(false), &|_| {}).unwrap());
        assert_eq!(report, again, "{threads} thread(s)");
    }
}
