//! The exhaustive strategy search on the SCO model: the same numbers as the
//! beam search for every combination both evaluate, the same report for any
//! split into candidate ranges and any thread count, and clear errors for
//! ranges and parts that do not fit the plan.

use std::sync::atomic::AtomicBool;

use accord_analysis::{
    Compiled,
    exhaustive::{self, Part, Plan, evaluate, reduce},
    opportunities::{Loss, SearchSettings, package_levers, search},
    scenario::DynamicsChoice,
};
use accord_core::model::Lever;

fn compiled(samples: u64, dynamics: DynamicsChoice) -> (Compiled, Vec<Lever>) {
    let (record, model) = accord_io::embedded::sco_record_and_model().expect("embedded data");
    let (_, text) = accord_io::embedded::SCO_SCENARIOS[0];
    let mut scenario = accord_io::scenario::parse_scenario("baseline", text).expect("baseline parses");
    scenario.settings.dynamics = dynamics;
    scenario.settings.samples = samples;
    let c = accord_analysis::compile(&record, &model, &scenario).expect("baseline compiles");
    // The model's levers and the packages, as `accord opportunities` searches them.
    let mut levers = model.levers.clone();
    for focal in ["RUS", "CHN"] {
        levers.extend(package_levers(&c, &model.links, focal));
    }
    (c, levers)
}

fn settings(focal: &str, k: usize) -> SearchSettings {
    SearchSettings {
        focal: focal.into(),
        max_levers: k,
        beam_width: 10,
        loss: Loss::Linear,
    }
}

fn no() -> AtomicBool {
    AtomicBool::new(false)
}

/// Where `search` enumerates every combination itself (at most 5,000), the
/// two reports are equal in every field.
#[test]
fn equals_the_search_where_it_is_exhaustive_too() {
    for (dynamics, loss) in [
        (DynamicsChoice::None, Loss::Linear),
        (DynamicsChoice::Exchange, Loss::Quadratic),
    ] {
        let (c, levers) = compiled(12, dynamics);
        let s = SearchSettings {
            loss,
            ..settings("RUS", 2)
        };
        let old = search(&c, &levers, &s, &no(), &|_| {}).unwrap();
        assert_eq!(old.method, "exhaustive", "K = 2 is under the beam's limit");
        let new = exhaustive::search(&c, &levers, &s, &no(), &|_| {}).unwrap();
        assert_eq!(old, new, "{dynamics:?}");
        assert!(new.combinations.len() == accord_analysis::opportunities::KEPT_OVERALL);
    }
}

/// Every candidate the beam search reports (K = 3: a beam, 18,000-odd
/// combinations) has identical numbers in the exhaustive search; and the
/// exhaustive search's best combination is at least as good as the beam's.
#[test]
fn identical_to_the_beam_on_the_beams_candidates() {
    let (c, levers) = compiled(16, DynamicsChoice::None);
    let s = settings("RUS", 3);
    let beam = search(&c, &levers, &s, &no(), &|_| {}).unwrap();
    assert!(beam.method.starts_with("beam"), "{}", beam.method);
    let plan = Plan::new(&c, &levers, &s).unwrap();
    assert!(plan.len() > 5_000);
    for cand in beam.singles.iter().chain(&beam.combinations) {
        let ids: Vec<&str> = cand.levers.iter().map(String::as_str).collect();
        let i = plan.index_of(&ids).expect("a candidate of the plan");
        assert_eq!(plan.combination(i).unwrap(), cand.levers);
        let part = evaluate(&plan, i..i + 1, &no(), &|_| {}).unwrap();
        let mine = part.singles.first().or(part.combinations.first()).unwrap();
        assert_eq!(mine, cand, "{ids:?}");
    }
    let all = reduce(&plan, &[evaluate(&plan, 0..plan.len(), &no(), &|_| {}).unwrap()]).unwrap();
    assert_eq!(all.evaluated as u64, plan.len());
    assert!(all.combinations[0].delta_utility >= beam.combinations[0].delta_utility);
    assert_eq!(all.singles, beam.singles, "both evaluate every single lever");
}

/// Any split into ranges, through JSON, and any thread count give the
/// identical report.
#[test]
fn any_split_and_any_thread_count_give_the_same_report() {
    let (c, levers) = compiled(12, DynamicsChoice::None);
    let s = settings("CHN", 3);
    let plan = Plan::new(&c, &levers, &s).unwrap();
    let n = plan.len();
    let whole = reduce(&plan, &[evaluate(&plan, 0..n, &no(), &|_| {}).unwrap()]).unwrap();
    assert_eq!(whole.evaluated as u64, n);
    for cuts in [vec![1], vec![7, 300, 301, n - 1], vec![n / 3, 2 * n / 3], vec![0, n]] {
        let mut bounds = vec![0];
        bounds.extend(cuts);
        bounds.push(n);
        let parts: Vec<Part> = bounds
            .windows(2)
            .map(|w| {
                let part = evaluate(&plan, w[0]..w[1], &no(), &|_| {}).unwrap();
                // As the Python side ships them.
                serde_json::from_str(&serde_json::to_string(&part).unwrap()).unwrap()
            })
            .collect();
        assert_eq!(reduce(&plan, &parts).unwrap(), whole, "{bounds:?}");
    }
    for workers in [1, 2, 5] {
        let ranges = plan.ranges(workers);
        assert_eq!(ranges.len() as u64, workers);
        let parts: Vec<Part> = ranges
            .into_iter()
            .map(|r| evaluate(&plan, r, &no(), &|_| {}).unwrap())
            .collect();
        assert_eq!(reduce(&plan, &parts).unwrap(), whole, "{workers} ranges");
    }
    for threads in [1, 3] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let again = pool.install(|| exhaustive::search(&c, &levers, &s, &no(), &|_| {}).unwrap());
        assert_eq!(again, whole, "{threads} thread(s)");
    }
}

#[test]
fn indices_number_every_combination_once() {
    let (c, levers) = compiled(1, DynamicsChoice::None);
    let plan = Plan::new(&c, &levers, &settings("CHN", 3)).unwrap();
    let n_levers = levers.iter().filter(|l| l.actor.as_str() == "CHN").count();
    assert_eq!(plan.len(), exhaustive::combinations(n_levers, 3));
    let mut seen = std::collections::BTreeSet::new();
    for i in 0..plan.len() {
        let combo = plan.combination(i).unwrap();
        let ids: Vec<&str> = combo.iter().map(String::as_str).collect();
        assert_eq!(plan.index_of(&ids), Some(i));
        assert!(seen.insert(combo));
    }
    assert_eq!(plan.combination(plan.len()), None);
    assert_eq!(plan.index_of(&["no-such-lever"]), None);
}

#[test]
fn ranges_and_parts_that_do_not_fit_are_refused() {
    let (c, levers) = compiled(4, DynamicsChoice::None);
    let plan = Plan::new(&c, &levers, &settings("CHN", 2)).unwrap();
    let n = plan.len();
    let err = evaluate(&plan, 0..n + 1, &no(), &|_| {}).unwrap_err().to_string();
    assert!(err.contains(&format!("0..{n}")), "{err}");
    let a = evaluate(&plan, 0..3, &no(), &|_| {}).unwrap();
    let b = evaluate(&plan, 3..n, &no(), &|_| {}).unwrap();
    let gap = evaluate(&plan, 4..n, &no(), &|_| {}).unwrap();
    assert!(reduce(&plan, &[a.clone(), b.clone()]).is_ok());
    let err = reduce(&plan, &[b.clone(), a.clone()]).unwrap_err().to_string();
    assert!(err.contains("part 0 covers candidates 3.."), "{err}");
    let err = reduce(&plan, &[a.clone(), gap]).unwrap_err().to_string();
    assert!(err.contains("should start at 3"), "{err}");
    let err = reduce(&plan, std::slice::from_ref(&a)).unwrap_err().to_string();
    assert!(err.contains("not all of"), "{err}");
    let other = Plan::new(&c, &levers, &settings("CHN", 1)).unwrap();
    let err = reduce(&other, &[a, b]).unwrap_err().to_string();
    assert!(err.contains("another plan"), "{err}");
    let err = Plan::new(&c, &levers, &settings("XYZ", 2)).err().unwrap().to_string();
    assert!(err.contains("no lever"), "{err}");
    let err = Plan::new(&c, &levers, &settings("CHN", 9)).err().unwrap().to_string();
    assert!(err.contains("at most"), "{err}");
}
