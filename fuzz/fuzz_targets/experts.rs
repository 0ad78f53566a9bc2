//! The experts' sheet reader on arbitrary bytes, checked against the
//! shipped model: every problem is located, every stance's range holds its
//! point value on the 0–100 scale.
#![no_main]

use std::sync::OnceLock;

use accord_core::model::Model;
use libfuzzer_sys::fuzz_target;

fn model() -> &'static Model {
    static BASE: OnceLock<Model> = OnceLock::new();
    BASE.get_or_init(|| {
        accord_io::embedded::sco_record_and_model()
            .expect("the shipped data are valid")
            .1
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines = text.lines().count().max(1) + 1;
    let model = model();
    let actors: Vec<&str> = model.capabilities.iter().map(|c| c.actor.as_str()).collect();
    let issues: Vec<&str> = model.issues.iter().map(|i| i.id.as_str()).collect();
    let result = accord_io::expert_csv::read_experts(text, "fuzz.csv")
        .and_then(|sheet| accord_io::expert_csv::to_stances(&sheet, text, "fuzz.csv", &actors, &issues));
    match result {
        Ok(stances) => {
            for s in stances {
                for (v, lo, hi) in [
                    (s.position, s.position_low, s.position_high),
                    (s.salience, s.salience_low, s.salience_high),
                ] {
                    let (v, lo, hi) = (v.unwrap(), lo.unwrap(), hi.unwrap());
                    assert!(0.0 <= lo && lo <= v && v <= hi && hi <= 100.0);
                }
            }
        }
        Err(problems) => {
            assert!(!problems.is_empty());
            for p in problems {
                assert!(p.line >= 1 && p.line <= lines && p.column >= 1, "{p}");
            }
        }
    }
});
