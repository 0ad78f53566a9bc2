//! The exchange model over every DEU issue of the shipped file: the issues of
//! each proposal negotiated together (as `accord validate deu` runs it),
//! once per capability set. `cargo bench -p accord-io --bench exchange`.

use std::hint::black_box;

use accord_engine::Issue;
use accord_engine::exchange::{self, ExchangeSettings};
use accord_io::deu::{CapabilitySet, DeuData};
use criterion::{Criterion, criterion_group, criterion_main};

/// The issues of each proposal, in file order, under one capability set.
fn proposals(data: &DeuData, set: CapabilitySet) -> Vec<Vec<Issue>> {
    let mut groups: Vec<(String, Vec<Issue>)> = Vec::new();
    for i in &data.issues {
        let issue = i.issue_with(set, 1.0);
        match groups.iter_mut().find(|(p, _)| *p == i.proposal) {
            Some((_, g)) => g.push(issue),
            None => groups.push((i.proposal.clone(), vec![issue])),
        }
    }
    groups.into_iter().map(|(_, g)| g).collect()
}

fn every_issue(c: &mut Criterion) {
    let data = DeuData::embedded().expect("shipped data");
    let settings = ExchangeSettings::default();
    let mut group = c.benchmark_group("exchange_deu");
    group.sample_size(10);
    for set in [CapabilitySet::VoteWeight, CapabilitySet::Equal] {
        let groups = proposals(&data, set);
        let issues: usize = groups.iter().map(Vec::len).sum();
        group.bench_function(format!("{issues}_issues/{}", set.name()), |b| {
            b.iter(|| {
                let mut exchanges = 0;
                for g in &groups {
                    let refs: Vec<&Issue> = g.iter().collect();
                    exchanges += exchange::run(black_box(&refs), &settings)
                        .expect("valid issues")
                        .exchanges
                        .len();
                }
                exchanges
            })
        });
    }
    group.finish();
}

criterion_group!(benches, every_issue);
criterion_main!(benches);
