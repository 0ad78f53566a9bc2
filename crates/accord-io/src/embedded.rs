//! The SCO data embedded in the binary, so that no file is needed at run time.

use accord_core::Record;

use crate::record::{Diagnostic, SourceFile, load_record};

macro_rules! record_file {
    ($name:literal) => {
        (
            concat!("data/sco/record/", $name),
            include_str!(concat!("../../../data/sco/record/", $name)),
        )
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
    load_record(&source_files(&SCO_RECORD_FILES))
}

macro_rules! model_file {
    ($name:literal) => {
        (
            concat!("data/sco/model/", $name),
            include_str!(concat!("../../../data/sco/model/", $name)),
        )
    };
}

/// The files of the SCO bargaining model (issues, capabilities, stances).
pub const SCO_MODEL_FILES: [(&str, &str); 7] = [
    model_file!("meta.toml"),
    model_file!("sources.toml"),
    model_file!("issues.toml"),
    model_file!("capabilities.toml"),
    model_file!("stances.toml"),
    model_file!("levers.toml"),
    model_file!("links.toml"),
];

fn source_files(files: &[(&str, &str)]) -> Vec<SourceFile> {
    files
        .iter()
        .map(|(name, text)| SourceFile {
            name: (*name).to_owned(),
            text: (*text).to_owned(),
        })
        .collect()
}

/// The SCO record and its bargaining model as shipped.
pub fn sco_record_and_model() -> Result<(Record, accord_core::model::Model), Vec<Diagnostic>> {
    crate::record::load_record_and_model(&source_files(&SCO_RECORD_FILES), &source_files(&SCO_MODEL_FILES))
}

/// The shipped SCO scenarios, baseline first: (file path, text).
pub const SCO_SCENARIOS: &[(&str, &str)] = &[
    (
        "data/sco/scenarios/baseline.toml",
        include_str!("../../../data/sco/scenarios/baseline.toml"),
    ),
    (
        "data/sco/scenarios/india-pakistan-admitted.toml",
        include_str!("../../../data/sco/scenarios/india-pakistan-admitted.toml"),
    ),
    (
        "data/sco/scenarios/iran-admitted.toml",
        include_str!("../../../data/sco/scenarios/iran-admitted.toml"),
    ),
    (
        "data/sco/scenarios/us-observer.toml",
        include_str!("../../../data/sco/scenarios/us-observer.toml"),
    ),
    (
        "data/sco/scenarios/sco-nato-council.toml",
        include_str!("../../../data/sco/scenarios/sco-nato-council.toml"),
    ),
    (
        "data/sco/scenarios/development-fund.toml",
        include_str!("../../../data/sco/scenarios/development-fund.toml"),
    ),
    (
        "data/sco/scenarios/national-currency-settlements.toml",
        include_str!("../../../data/sco/scenarios/national-currency-settlements.toml"),
    ),
    (
        "data/sco/scenarios/energy-club-turkmenistan.toml",
        include_str!("../../../data/sco/scenarios/energy-club-turkmenistan.toml"),
    ),
    (
        "data/sco/scenarios/university-youth-council.toml",
        include_str!("../../../data/sco/scenarios/university-youth-council.toml"),
    ),
];

/// What became of the SCO model's yes/no questions by 2025 (`accord backtest`).
pub const SCO_BACKTEST: (&str, &str) = (
    "data/sco/backtest.toml",
    include_str!("../../../data/sco/backtest.toml"),
);
