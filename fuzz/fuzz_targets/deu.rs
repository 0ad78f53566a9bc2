//! The DEU TSV reader on arbitrary bytes, with the shipped Council weights.
#![no_main]

use std::sync::OnceLock;

use accord_io::deu::{CouncilWeights, read_deu};
use libfuzzer_sys::fuzz_target;

fn weights() -> &'static CouncilWeights {
    static W: OnceLock<CouncilWeights> = OnceLock::new();
    W.get_or_init(|| CouncilWeights::embedded().expect("the shipped weights are valid"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(d) = read_deu(text, "fuzz.tsv", weights()) {
        assert!(!d.issues.is_empty());
        for i in &d.issues {
            i.issue.validate().expect("an accepted issue is valid");
        }
    }
});
