//! Printing helpers shared by the commands: tables for people, JSON for
//! machines, parsers for the values users type, progress on standard error,
//! and the errors that choose the exit code.
//!
//! Everything a command prints on standard output goes through [`out!`] and
//! [`outln!`] (or [`print_json`]): they return an error instead of panicking
//! when the output cannot be written (a full disk, `/dev/full`, a closed
//! file), so every command ends with a clear message and a non-zero exit.

use std::{
    fmt,
    io::{IsTerminal, Write},
    sync::{
        Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use chrono::NaiveDate;
use comfy_table::{Table, TableStyle, presets::UTF8_HORIZONTAL_ONLY};
use serde::Serialize;

/// Exit code of a run stopped by Ctrl-C (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: u8 = 130;

/// Exit code of every other failure: bad input, a refused parameter, an
/// output that could not be written, a problem found by `accord check`.
pub const EXIT_ERROR: u8 = 2;

/// Writes formatted text to standard output; `?`-propagates a write error.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::write_stdout(format_args!($($arg)*))?
    };
}

/// Writes a line to standard output; `?`-propagates a write error.
macro_rules! outln {
    () => {
        $crate::output::write_stdout(format_args!("\n"))?
    };
    ($($arg:tt)*) => {
        $crate::output::write_stdout(format_args!("{}\n", format_args!($($arg)*)))?
    };
}

/// Standard output could not be written.
#[derive(Debug)]
pub struct WriteError(pub std::io::Error);

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot write to standard output: {}", self.0)
    }
}

impl std::error::Error for WriteError {}

/// A run stopped by Ctrl-C; `main` exits with [`EXIT_INTERRUPTED`].
#[derive(Debug)]
pub struct Interrupted(pub String);

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "interrupted: {}", self.0)
    }
}

impl std::error::Error for Interrupted {}

/// Writes to standard output (the target of [`out!`] and [`outln!`]).
pub fn write_stdout(args: fmt::Arguments<'_>) -> Result<(), WriteError> {
    std::io::stdout().lock().write_fmt(args).map_err(WriteError)
}

/// Flushes standard output, so that a write error of the last, buffered
/// bytes is reported too.
pub fn flush_stdout() -> Result<(), WriteError> {
    std::io::stdout().lock().flush().map_err(WriteError)
}

/// Writes a line to standard error, ignoring failure (there is nowhere left
/// to report it).
pub fn note(args: fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr().lock(), "{args}");
}

/// The width every table fits in unless `--wide` is given: a terminal of
/// 100 columns, whatever the real terminal (so output is the same piped or
/// not, and snapshot tests are stable).
pub const TABLE_WIDTH: u16 = 100;

static WIDE: AtomicBool = AtomicBool::new(false);

/// `--wide`: tables take the width their cells need instead of wrapping
/// cells to [`TABLE_WIDTH`] columns.
pub fn set_wide(wide: bool) {
    WIDE.store(wide, Ordering::Relaxed);
}

/// Whether `--wide` was given.
pub fn wide() -> bool {
    WIDE.load(Ordering::Relaxed)
}

/// A table with a header row, in the house style: fitted to
/// [`TABLE_WIDTH`] columns by wrapping cells at spaces (unless `--wide`).
pub fn table(header: &[&str]) -> FitTable {
    let mut t = Table::new();
    // Rules above and below the header and at the bottom; no rule between rows.
    let style: TableStyle = UTF8_HORIZONTAL_ONLY.row_separator(comfy_table::LineStyle::none());
    t.load_style(style).set_header(header.to_vec());
    if !wide() {
        t.set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
            .set_width(TABLE_WIDTH);
    }
    FitTable(t)
}

/// A [`Table`] that, when printed, keeps words (ids such as issue slugs)
/// whole where the width allows: each column is given at least the width of
/// its longest word, shrunk from the widest down when they do not all fit in
/// [`TABLE_WIDTH`] columns; cells then wrap at spaces.
pub struct FitTable(Table);

impl std::ops::Deref for FitTable {
    type Target = Table;
    fn deref(&self) -> &Table {
        &self.0
    }
}

impl std::ops::DerefMut for FitTable {
    fn deref_mut(&mut self) -> &mut Table {
        &mut self.0
    }
}

impl fmt::Display for FitTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if wide() {
            return write!(f, "{}", self.0);
        }
        let mut t = self.0.clone();
        let n = t.column_count();
        let mut longest = vec![0u16; n];
        for row in t.header().into_iter().chain(t.row_iter()) {
            for (j, cell) in row.cell_iter().enumerate().take(n) {
                let word = cell
                    .content()
                    .split_whitespace()
                    .map(|w| w.chars().count())
                    .max()
                    .unwrap_or(0);
                longest[j] = longest[j].max(u16::try_from(word).unwrap_or(u16::MAX));
            }
        }
        // Each column has one space of padding on either side.
        let room = TABLE_WIDTH.saturating_sub(3 * n as u16);
        while longest.iter().map(|&w| u32::from(w)).sum::<u32>() > u32::from(room) {
            let Some(widest) = longest.iter_mut().max() else { break };
            if *widest <= 4 {
                break;
            }
            *widest -= 1;
        }
        for (j, w) in longest.into_iter().enumerate() {
            if let Some(column) = t.column_mut(j) {
                // The constraint counts the padding too.
                column.set_constraint(comfy_table::ColumnConstraint::LowerBoundary(comfy_table::Width::Fixed(
                    w + 2,
                )));
            }
        }
        write!(f, "{t}")
    }
}

static ISSUE_NAMES: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

/// Remembers the issues' names (from the compiled model) so that tables can
/// show each name beside its slug.
pub fn remember_issue_names<'a>(issues: impl IntoIterator<Item = (&'a str, &'a str)>) {
    if let Ok(mut names) = ISSUE_NAMES.lock() {
        for (id, name) in issues {
            if !names.iter().any(|(i, _)| i == id) {
                names.push((id.to_owned(), name.to_owned()));
            }
        }
    }
}

/// A table cell naming an issue: its slug, and its name on the next line
/// when known.
pub fn issue_cell(id: &str) -> String {
    let name = ISSUE_NAMES
        .lock()
        .ok()
        .and_then(|names| names.iter().find(|(i, _)| i == id).map(|(_, n)| n.clone()));
    match name {
        Some(n) if n != id => format!("{id}\n{n}"),
        _ => id.to_owned(),
    }
}

/// Prints a footer line under a table (units, what was left out), wrapped
/// to [`TABLE_WIDTH`] columns unless `--wide`.
pub fn footer(text: &str) -> anyhow::Result<()> {
    if wide() {
        outln!("{text}");
    } else {
        out!("{}", accord_report::validation::wrap(text, usize::from(TABLE_WIDTH)));
    }
    Ok(())
}

/// Prints a value as pretty JSON on standard output.
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let write = |out: &mut std::io::StdoutLock<'_>| -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, value).map_err(std::io::Error::other)?;
        writeln!(out)
    };
    write(&mut out).map_err(WriteError)?;
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
        let hint = did_you_mean(s, names.iter().copied()).map_or(String::new(), |m| format!(" (did you mean `{m}`?)"));
        format!("`{s}` is not one of: {}{hint}", names.join(", "))
    })
}

/// The known name closest to `typed`, when it is close enough to be a
/// misspelling (Jaro–Winkler similarity ≥ 0.8, or the same letters in
/// another case).
pub fn did_you_mean<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let typed_lower = typed.to_lowercase();
    known
        .into_iter()
        .map(|k| {
            let score = if k.to_lowercase() == typed_lower {
                2.0
            } else {
                strsim::jaro_winkler(&typed_lower, &k.to_lowercase())
            };
            (k, score)
        })
        .filter(|&(k, score)| score >= 0.8 && k != typed)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(k, _)| k)
}

/// " (did you mean `X`?)" or nothing.
pub fn suggestion<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(typed, known).map_or(String::new(), |m| format!(" (did you mean `{m}`?)"))
}

/// Today's date (the default for "at DATE" queries).
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// The flag Ctrl-C sets: long runs poll it and stop with partial results,
/// and the command then exits with [`EXIT_INTERRUPTED`].
pub fn cancel_flag() -> &'static AtomicBool {
    static FLAG: std::sync::OnceLock<&'static AtomicBool> = std::sync::OnceLock::new();
    FLAG.get_or_init(|| {
        let flag: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
        // If a handler cannot be installed, Ctrl-C simply ends the process.
        let _ = ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed));
        flag
    })
}

/// Whether Ctrl-C was pressed.
pub fn cancelled() -> bool {
    cancel_flag().load(Ordering::Relaxed)
}

/// How often a plain progress line is printed when standard error is not a
/// terminal.
const PLAIN_EVERY: Duration = Duration::from_secs(5);

/// Progress of a long run on standard error: a bar on a terminal; otherwise
/// (a log file, a pipe) a plain line every few seconds with the count, the
/// time spent and an estimate of the time left. Nothing goes to standard
/// output, so piping results never mixes them with progress.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    plain: Mutex<Plain>,
    total: AtomicU64,
    unit: &'static str,
}

struct Plain {
    what: String,
    started: Instant,
    last: Instant,
}

impl Progress {
    /// A progress display counting to `total` `unit`s (e.g. "samples").
    pub fn new(total: u64, unit: &'static str, what: &str) -> Self {
        let now = Instant::now();
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(total);
            let template = format!("{{msg}} [{{bar:40}}] {{pos}}/{{len}} {unit} ({{eta}} left)");
            let style = indicatif::ProgressStyle::with_template(&template)
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> ");
            bar.set_style(style);
            bar.set_message(what.to_owned());
            bar
        });
        Progress {
            bar,
            plain: Mutex::new(Plain {
                what: what.to_owned(),
                started: now,
                last: now,
            }),
            total: AtomicU64::new(total),
            unit,
        }
    }

    /// Sets the count done and the total, for library calls that report
    /// both (`progress(done, total)`); the total may grow as work is found.
    pub fn set_done_of(&self, done: u64, total: u64) {
        if self.total.swap(total, Ordering::Relaxed) != total
            && let Some(bar) = &self.bar
        {
            bar.set_length(total);
        }
        self.set_position(done);
    }

    /// Sets what is being done (shown before the count).
    pub fn set_message(&self, what: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(what.to_owned());
        }
        if let Ok(mut p) = self.plain.lock() {
            what.clone_into(&mut p.what);
        }
    }

    /// Sets the count done so far.
    pub fn set_position(&self, done: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(done);
            return;
        }
        let Ok(mut p) = self.plain.lock() else { return };
        let now = Instant::now();
        let total = self.total.load(Ordering::Relaxed);
        if now.duration_since(p.last) < PLAIN_EVERY || done >= total {
            return;
        }
        p.last = now;
        let spent = now.duration_since(p.started).as_secs_f64();
        let left = if done > 0 {
            format!(
                ", about {} left",
                human_seconds(spent * (total - done) as f64 / done as f64)
            )
        } else {
            String::new()
        };
        note(format_args!(
            "{}: {done}/{} {} in {}{left}",
            p.what,
            total,
            self.unit,
            human_seconds(spent)
        ));
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// "4 s", "3 min 20 s", "2 h 05 min".
pub fn human_seconds(s: f64) -> String {
    let s = s.max(0.0).round() as u64;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min {:02} s", s / 60, s % 60),
        _ => format!("{} h {:02} min", s / 3600, (s % 3600) / 60),
    }
}
