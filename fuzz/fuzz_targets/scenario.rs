//! The scenario reader on arbitrary bytes: parsed, then applied to the
//! shipped record and model; every problem must be located in the text.
#![no_main]

use std::sync::OnceLock;

use accord_core::{Record, model::Model};
use libfuzzer_sys::fuzz_target;

fn base() -> &'static (Record, Model) {
    static BASE: OnceLock<(Record, Model)> = OnceLock::new();
    BASE.get_or_init(|| accord_io::embedded::sco_record_and_model().expect("the shipped data are valid"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(scenario) = accord_io::scenario::parse_scenario("fuzz.toml", text) else {
        return;
    };
    let (record, model) = base();
    match accord_analysis::compile(record, model, &scenario) {
        Ok(compiled) => {
            for issue in &compiled.model.issues {
                assert!(
                    issue.stances.iter().any(|s| s.active),
                    "an issue with no actor compiled"
                );
            }
        }
        Err(problems) => {
            assert!(!problems.is_empty());
            let diags = accord_io::scenario::locate_problems("fuzz.toml", text, &problems);
            assert_eq!(diags.len(), problems.len());
        }
    }
});
