//! The record's TOML reader on arbitrary bytes: one file alone, then beside
//! the shipped organizations and actors (so that references resolve and the
//! cross-entry rules run; the whole record would slow the fuzzer a
//! hundredfold).
#![no_main]

use accord_io::{embedded::SCO_RECORD_FILES, record::SourceFile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = accord_io::text::utf8(data.to_vec(), "fuzz.toml") else {
        return;
    };
    let file = SourceFile {
        name: "fuzz.toml".into(),
        text,
    };
    if let Err(diags) = accord_io::record::load_record(std::slice::from_ref(&file)) {
        assert!(!diags.is_empty());
    }
    let mut files: Vec<SourceFile> = SCO_RECORD_FILES[1..3]
        .iter()
        .map(|(name, text)| SourceFile {
            name: (*name).into(),
            text: (*text).into(),
        })
        .collect();
    files.push(file);
    if let Err(diags) = accord_io::record::load_record(&files) {
        assert!(!diags.is_empty());
    }
});
