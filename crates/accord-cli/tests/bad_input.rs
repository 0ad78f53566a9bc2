//! The bad-input suite: every case in `tests/bad-input/*.toml` runs the real
//! `accord` binary on a file or a command line that must be refused, and
//! checks its exit code and the words its message must contain.
//!
//! A case:
//!
//! ```toml
//! [[case]]
//! name = "ktab-billion-dimensions"        # unique across manifests
//! covers = "issue 12, item 3"             # what promise it checks
//! args = ["ktab", "run", "{files}/ktab/billion-dims.csv"]
//! exit = 2                                 # expected exit code
//! contains = ["line 1", "dimensions"]      # in stderr (or stdout), case-insensitive
//! lacks = ["panicked"]                     # optional: words that must not appear
//! once = ["os error 2"]                    # optional: words that must appear exactly once
//! stdout = "dev-full"                      # optional: "pipe" (default) or "dev-full"
//! timeout_secs = 60                        # optional: a case that runs longer fails
//! [case.write]                             # optional: files written into {tmp} first
//! "data/meta.toml" = "..."
//! [case.copy]                              # optional: folders copied into {tmp} first
//! "data/record" = "{data}/sco/record"
//! ```
//!
//! Placeholders in `args`: `{files}` is `tests/bad-input/files`, `{tmp}` a
//! fresh, empty folder for the case, `{data}` the repository's `data/` folder,
//! `{repo}` the repository's root.

use std::{
    collections::{BTreeMap, HashSet},
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    covers: String,
    args: Vec<String>,
    exit: i32,
    #[serde(default)]
    contains: Vec<String>,
    #[serde(default)]
    lacks: Vec<String>,
    #[serde(default)]
    once: Vec<String>,
    #[serde(default)]
    stdout: StdoutTo,
    #[serde(default = "default_timeout")]
    timeout_secs: u64,
    #[serde(default)]
    write: BTreeMap<String, String>,
    #[serde(default)]
    copy: BTreeMap<String, String>,
}

/// Copies a folder's files (recursively) to `to`.
fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

#[derive(Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
enum StdoutTo {
    #[default]
    Pipe,
    DevFull,
}

fn default_timeout() -> u64 {
    60
}

fn suite_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad-input")
}

fn manifests() -> Vec<(PathBuf, Manifest)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(suite_dir())
        .expect("tests/bad-input exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("readable manifest");
            let m: Manifest = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, m)
        })
        .collect()
}

/// Runs one case; returns what went wrong, if anything.
fn run_case(case: &Case) -> Result<(), String> {
    let tmp = std::env::temp_dir().join(format!("accord-bad-input-{}-{}", std::process::id(), case.name));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
    let files = suite_dir().join("files");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let data = repo.join("data");
    let expand = |a: &str| {
        a.replace("{files}", &files.to_string_lossy())
            .replace("{tmp}", &tmp.to_string_lossy())
            .replace("{data}", &data.to_string_lossy())
            .replace("{repo}", &repo.to_string_lossy())
    };
    for (rel, from) in &case.copy {
        copy_dir(Path::new(&expand(from)), &tmp.join(rel)).map_err(|e| format!("cannot copy {from}: {e}"))?;
    }
    for (rel, contents) in &case.write {
        let path = tmp.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::write(&path, contents).map_err(|e| e.to_string())?;
    }

    let args: Vec<String> = case.args.iter().map(|a| expand(a)).collect();
    let stdout = match case.stdout {
        StdoutTo::Pipe => Stdio::piped(),
        StdoutTo::DevFull => Stdio::from(
            std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .map_err(|e| format!("/dev/full: {e}"))?,
        ),
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(&args)
        .current_dir(&tmp)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start accord: {e}"))?;
    // Read the pipes on threads so that a chatty child cannot block on a full pipe.
    let out_pipe = child.stdout.take();
    let err_pipe = child.stderr.take();
    let read = |p: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut s = Vec::new();
            if let Some(mut p) = p {
                let _ = p.read_to_end(&mut s);
            }
            String::from_utf8_lossy(&s).into_owned()
        })
    };
    let out_t = read(out_pipe.map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
    let err_t = read(err_pipe.map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().map_err(|e| e.to_string())? {
            break s;
        }
        if start.elapsed() > Duration::from_secs(case.timeout_secs) {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("still running after {} s: {args:?}", case.timeout_secs));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = out_t.join().unwrap_or_default();
    let stderr = err_t.join().unwrap_or_default();
    let _ = std::fs::remove_dir_all(&tmp);
    let code = status.code();
    let mut errs = Vec::new();
    if code != Some(case.exit) {
        errs.push(format!("exit code {code:?}, expected {}", case.exit));
    }
    if stderr.contains("panicked") || stderr.contains("RUST_BACKTRACE") {
        errs.push("the process panicked".to_owned());
    }
    let all = format!("{stderr}\n{stdout}").to_lowercase();
    for word in &case.contains {
        if !all.contains(&word.to_lowercase()) {
            errs.push(format!("message lacks `{word}`"));
        }
    }
    for word in &case.lacks {
        if all.contains(&word.to_lowercase()) {
            errs.push(format!("message has `{word}`, which it must not"));
        }
    }
    for word in &case.once {
        let n = all.matches(&word.to_lowercase()).count();
        if n != 1 {
            errs.push(format!("message has `{word}` {n} times, not once"));
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}\n  args: {args:?}\n  stderr: {}\n  stdout: {}",
            errs.join("; "),
            stderr.trim(),
            stdout.chars().take(400).collect::<String>().trim()
        ))
    }
}

#[test]
fn every_bad_input_gets_its_error() {
    let mut names = HashSet::new();
    let mut failures = Vec::new();
    let mut count = 0;
    for (path, m) in manifests() {
        for case in &m.case {
            assert!(names.insert(case.name.clone()), "duplicate case name {}", case.name);
            assert!(!case.covers.is_empty(), "{}: say what the case covers", case.name);
            count += 1;
            if let Err(e) = run_case(case) {
                failures.push(format!("{} ({}): {e}", case.name, path.display()));
            }
        }
    }
    assert!(count > 0, "the suite has no case");
    assert!(
        failures.is_empty(),
        "{} of {count} bad-input cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
