//! The model's TOML reader on arbitrary bytes, as one more model file beside
//! the shipped record and model.
#![no_main]

use accord_io::{
    embedded::{SCO_MODEL_FILES, SCO_RECORD_FILES},
    record::SourceFile,
};
use libfuzzer_sys::fuzz_target;

fn files(list: &[(&str, &str)]) -> Vec<SourceFile> {
    list.iter()
        .map(|(name, text)| SourceFile {
            name: (*name).into(),
            text: (*text).into(),
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = accord_io::text::utf8(data.to_vec(), "fuzz.toml") else {
        return;
    };
    let record = files(&SCO_RECORD_FILES);
    let fuzz = SourceFile {
        name: "fuzz.toml".into(),
        text,
    };
    // Alone (the fuzz file must bring its own [meta]) and beside the shipped model.
    let _ = accord_io::record::load_record_and_model(&record, std::slice::from_ref(&fuzz));
    let mut model = files(&SCO_MODEL_FILES);
    model.push(fuzz);
    if let Ok((record, model)) = accord_io::record::load_record_and_model(&record, &model) {
        for cap in &model.capabilities {
            assert!(cap.estimate.high <= accord_core::check::MAX_CAPABILITY);
        }
        let _ = record;
    }
});
