//! The SCO data embedded in the binary, so that no file is needed at run time.

use accord_core::Record;

use crate::record::{load_record, Diagnostic, SourceFile};

macro_rules! record_file {
    ($name:literal) => {
        (concat!("data/sco/record/", $name), include_str!(concat!("../../../data/sco/record/", $name)))
    };
}

/// The files of the SCO record, by their path in the repository.
pub const SCO_RECORD_FILES: [(&str, &str); 7] = [
    record_file!("sources.toml"),
    record_file!("actors.toml"),
    record_file!("organizations.toml"),
    record_file!("memberships.toml"),
    record_file!("bodies.toml"),
    record_file!("instruments.toml"),
    record_file!("events.toml"),
];

/// The SCO record as shipped. The embedded files pass `accord check` (a test
/// pins it), so an error here means a broken build, reported, not a panic.
pub fn sco_record() -> Result<Record, Vec<Diagnostic>> {
    let files: Vec<SourceFile> = SCO_RECORD_FILES
        .iter()
        .map(|(name, text)| SourceFile { name: (*name).to_owned(), text: (*text).to_owned() })
        .collect();
    load_record(&files)
}
