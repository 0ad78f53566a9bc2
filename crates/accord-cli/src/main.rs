//! `accord`: the command-line front end. A thin layer over the libraries:
//! it parses arguments, calls them, and prints.

#[macro_use]
mod output;
mod commands;
mod data;
mod limits;
mod report_folder;

use clap::{Parser, Subcommand};

/// Accord: forecasts and records for multilateral organizations.
#[derive(Debug, Parser)]
#[command(name = "accord", version, about)]
struct Cli {
    /// Tables as wide as their cells need (default: wrapped to fit 100 columns).
    #[arg(long, global = true)]
    wide: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The main job: an HTML and Markdown report of the SCO model (forecasts, scenarios, RUS/CHN levers, influence).
    Report(commands::report::ReportArgs),
    /// Forecast the SCO model under a scenario (default: the embedded baseline) by Monte Carlo.
    Forecast(commands::forecast::ForecastArgs),
    /// Compare two scenarios issue by issue, with common random numbers.
    Compare(commands::forecast::CompareArgs),
    /// Rank an actor's levers and their combinations by its expected gain.
    Opportunities(commands::opportunities::OpportunitiesArgs),
    /// Who accounts for each outcome (Shapley), and the members' voting power.
    Influence(commands::influence::InfluenceArgs),
    /// Set the 2010 forecasts beside what happened by 2025 (Brier scores).
    Backtest(commands::backtest::BacktestArgs),
    /// Print the JSON Schema of a file format.
    Schema(commands::schema::SchemaArgs),
    /// Ask the dated record: statuses, timelines, bodies, instruments, the gap.
    Record(commands::record::RecordArgs),
    /// List the bargaining model: issues, actors, levers, stances (by provenance).
    Model(commands::model::ModelArgs),
    /// Validate a data folder and report every problem with file, line and column.
    Check(commands::check::CheckArgs),
    /// Start a data folder for another organization from a template that `accord check` passes.
    New(commands::new::NewArgs),
    /// Import stances from outside: `accord import experts FILE.csv [--into SCENARIO.toml]`.
    Import(commands::import::ImportArgs),
    /// Run KTAB's Spatial Model of Politics on a KTAB CSV or XML scenario.
    Ktab(commands::ktab::KtabArgs),
    /// Score every model on recorded decisions (DEU III).
    Validate(commands::validate::ValidateArgs),
    /// Create, revoke and list the access tokens of `accord serve`.
    Token(commands::token::TokenArgs),
    /// Serve the JSON API (scenarios, runs, the record and the model) over HTTP.
    Serve(commands::serve::ServeArgs),
}

fn main() -> std::process::ExitCode {
    // Die quietly when the reader of our output goes away (`accord … | head`),
    // as command-line tools do, instead of failing on a broken pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help, the version, or a usage error; printing them may fail too.
        Err(e) => {
            return match e.print() {
                Ok(()) => std::process::ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(output::EXIT_ERROR)),
                Err(w) => {
                    output::note(format_args!("error: {}", output::WriteError(w)));
                    std::process::ExitCode::from(output::EXIT_ERROR)
                }
            };
        }
    };
    output::set_wide(cli.wide);
    // Commands that stop cleanly on Ctrl-C take it over from the start, so
    // that an early Ctrl-C, too, ends them with exit code 130 and their
    // files untouched; the others end at once as the signal's default.
    if matches!(
        cli.command,
        Command::Report(_)
            | Command::Forecast(_)
            | Command::Compare(_)
            | Command::Opportunities(_)
            | Command::Backtest(_)
            | Command::Influence(_)
            | Command::Ktab(_)
            | Command::Validate(_)
    ) {
        output::cancel_flag();
    }
    let result = match cli.command {
        Command::Report(args) => commands::report::run(args),
        Command::Forecast(args) => commands::forecast::forecast(args),
        Command::Compare(args) => commands::forecast::compare(args),
        Command::Opportunities(args) => commands::opportunities::run(args),
        Command::Influence(args) => commands::influence::run(args),
        Command::Backtest(args) => commands::backtest::run(args),
        Command::Schema(args) => commands::schema::run(args),
        Command::Record(args) => commands::record::run(args),
        Command::Model(args) => commands::model::run(args),
        Command::Check(args) => commands::check::run(args),
        Command::New(args) => commands::new::run(args),
        Command::Import(args) => commands::import::run(args),
        Command::Ktab(args) => commands::ktab::run(args),
        Command::Validate(args) => commands::validate::run(args),
        Command::Token(args) => commands::token::run(args),
        Command::Serve(args) => commands::serve::run(args),
    }
    .and_then(|()| Ok(output::flush_stdout()?));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            output::note(format_args!("error: {}", describe(&err)));
            if err.downcast_ref::<output::Interrupted>().is_some() {
                std::process::ExitCode::from(output::EXIT_INTERRUPTED)
            } else {
                std::process::ExitCode::from(output::EXIT_ERROR)
            }
        }
    }
}

/// The error and its causes on one line, each said once: a cause whose text
/// the message before it already contains (an OS error that a "cannot read
/// FILE: …" message quotes) is not repeated.
fn describe(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let part = cause.to_string();
        if text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}
