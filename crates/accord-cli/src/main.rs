//! `accord`: the command-line front end. A thin layer over the libraries:
//! it parses arguments, calls them, and prints.

mod commands;

use clap::{Parser, Subcommand};

/// Accord: forecasts and records for multilateral organizations.
#[derive(Debug, Parser)]
#[command(name = "accord", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run KTAB's Spatial Model of Politics on a KTAB CSV or XML scenario.
    Ktab(commands::ktab::KtabArgs),
    /// Score every model on recorded decisions (DEU III).
    Validate(commands::validate::ValidateArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Ktab(args) => commands::ktab::run(args),
        Command::Validate(args) => commands::validate::run(args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::from(2)
        }
    }
}
