//! Printing helpers shared by the commands: tables for people, JSON for
//! machines, and parsers for the values users type.

use std::io::Write;

use chrono::NaiveDate;
use comfy_table::{Table, TableStyle, presets::UTF8_HORIZONTAL_ONLY};
use serde::Serialize;

/// A table with a header row, in the house style.
pub fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    // Rules above and below the header and at the bottom; no rule between rows.
    let style: TableStyle = UTF8_HORIZONTAL_ONLY.row_separator(comfy_table::LineStyle::none());
    t.load_style(style).set_header(header.to_vec());
    t
}

/// Prints a value as pretty JSON on standard output.
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// Parses a `YYYY-MM-DD` date typed on the command line.
pub fn parse_day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date: write YYYY-MM-DD, e.g. 2009-06-16"))
}

/// Parses one of an enum's snake_case names, listing the valid ones on error.
pub fn parse_choice<T: Copy>(s: &str, all: &[T], name: fn(T) -> &'static str) -> Result<T, String> {
    all.iter().copied().find(|&v| name(v) == s).ok_or_else(|| {
        let names: Vec<_> = all.iter().map(|&v| name(v)).collect();
        format!("`{s}` is not one of: {}", names.join(", "))
    })
}

/// Today's date (the default for "at DATE" queries).
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// The flag Ctrl-C sets: long runs poll it and stop with partial results.
pub fn cancel_flag() -> &'static std::sync::atomic::AtomicBool {
    static FLAG: std::sync::OnceLock<&'static std::sync::atomic::AtomicBool> = std::sync::OnceLock::new();
    FLAG.get_or_init(|| {
        let flag: &'static std::sync::atomic::AtomicBool =
            Box::leak(Box::new(std::sync::atomic::AtomicBool::new(false)));
        // If a handler cannot be installed, Ctrl-C simply ends the process.
        let _ = ctrlc::set_handler(move || flag.store(true, std::sync::atomic::Ordering::Relaxed));
        flag
    })
}

/// A progress bar on standard error, drawn only when it is a terminal.
pub fn progress_bar(total: u64, what: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    let style = indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} samples ({eta} left)")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(what.to_owned());
    bar
}
