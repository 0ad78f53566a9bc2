//! `accord schema scenario`: the JSON Schema of a file format, generated from
//! the Rust types that read it (so it cannot drift from the reader).

use clap::{Args, ValueEnum};

use crate::output::print_json;

/// Arguments of `accord schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The format.
    #[arg(value_enum)]
    format: Format,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// Scenario files (`docs/formats/scenario.md`).
    Scenario,
}

/// Runs `accord schema`.
pub fn run(args: SchemaArgs) -> anyhow::Result<()> {
    match args.format {
        Format::Scenario => print_json(&accord_analysis::scenario::json_schema()),
    }
}
