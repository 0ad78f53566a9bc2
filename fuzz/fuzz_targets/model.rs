//! The model's TOML reader on arbitrary bytes, as a model file beside the
//! shipped organizations and actors (alone, and after the shipped
//! `meta.toml`). The whole record and model would slow the fuzzer a
//! hundredfold; the scenario target runs against them.
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
    let record = files(&SCO_RECORD_FILES[1..3]);
    let fuzz = SourceFile {
        name: "fuzz.toml".into(),
        text,
    };
    let check = |model: &[SourceFile]| match accord_io::record::load_record_and_model(&record, model) {
        Ok((_, model)) => {
            for cap in &model.capabilities {
                assert!(cap.estimate.high <= accord_core::check::MAX_CAPABILITY);
            }
        }
        Err(diags) => assert!(!diags.is_empty()),
    };
    check(std::slice::from_ref(&fuzz));
    let mut model = files(&SCO_MODEL_FILES[..1]);
    model.push(fuzz);
    check(&model);
});
