//! The output folder of `accord report`, written so that nothing a user owns
//! is lost and a failed or interrupted run leaves the previous report whole.
//!
//! - The report is built in a new folder beside the target
//!   (`.NAME.accord-tmp-PID`) and moved into place by renames at the end;
//!   until then the target is not touched. A failed write (a full disk, an
//!   unwritable folder) or Ctrl-C removes the new folder and leaves the
//!   target as it was.
//! - A folder Accord wrote holds a marker file, [`MARKER`], listing every
//!   file the report wrote. Only such a folder, holding nothing but those
//!   files, or an empty folder, is replaced; anything else (a folder of the
//!   user's, a report folder where files were added, a symbolic link, a
//!   file) is refused before any computation, with the reason, and the user
//!   chooses another `--out`. There is no `--force`: replacing it would mean
//!   deleting files Accord did not write.
//! - Replacing removes exactly the files the marker lists (regular files
//!   only, never through a symbolic link), then the emptied folders.

use std::{
    collections::BTreeSet,
    ffi::OsString,
    fs,
    io::Write,
    path::{Component, Path, PathBuf},
};

use anyhow::Context;

/// The marker file of a folder written by `accord report`.
pub const MARKER: &str = ".accord-report";

/// First line of the marker (what identifies it).
const MARKER_HEAD: &str = "# Written by `accord report`; a later `accord report --out` may replace this folder.";

/// What the target folder holds now.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// Nothing there yet.
    Missing,
    /// An empty folder.
    Empty,
    /// A report folder of Accord's holding only these files (relative paths).
    Ours(Vec<PathBuf>),
}

/// A report being written: the new folder beside the target.
#[derive(Debug)]
pub struct Staging {
    target: PathBuf,
    staging: PathBuf,
    previous: Target,
    written: Vec<PathBuf>,
    done: bool,
}

impl Staging {
    /// Checks the target (see the module's documentation) and creates the
    /// new folder beside it; fails, before any computation, when the target
    /// may not be replaced or the folder beside it cannot be written.
    pub fn prepare(target: &Path) -> anyhow::Result<Staging> {
        let previous = inspect(target)?;
        let name = target
            .file_name()
            .with_context(|| format!("--out {}: name a folder", target.display()))?;
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).with_context(|| format!("cannot create {}", parent.display()))?;
        let staging = parent.join(hidden(name, "tmp"));
        fs::create_dir(&staging).with_context(|| {
            format!(
                "cannot create the report's temporary folder {} beside {}",
                staging.display(),
                target.display()
            )
        })?;
        Ok(Staging {
            target: target.to_owned(),
            staging,
            previous,
            written: Vec::new(),
            done: false,
        })
    }

    /// Writes one file of the report (`rel` relative to the report folder),
    /// with `write` (`fs::write` but for tests that inject failures).
    pub fn write_with(
        &mut self,
        rel: &str,
        bytes: &[u8],
        write: &dyn Fn(&Path, &[u8]) -> std::io::Result<()>,
    ) -> anyhow::Result<()> {
        let rel = plain_relative(rel)?;
        let path = self.staging.join(&rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        self.written.push(rel);
        Ok(())
    }

    /// Writes one file of the report.
    pub fn write(&mut self, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
        self.write_with(rel, bytes, &write_synced)
    }

    /// Writes the marker and moves the new report into place, then removes
    /// the previous one (the files its marker lists).
    pub fn commit(mut self) -> anyhow::Result<()> {
        let mut marker = format!("{MARKER_HEAD}\n# Files of this report (anything else here stops the next run):\n");
        for rel in &self.written {
            marker.push_str(&rel.to_string_lossy());
            marker.push('\n');
        }
        self.write(MARKER, marker.as_bytes())?;
        // The target may have changed while the report was computed.
        let now = inspect(&self.target)?;
        if now != self.previous {
            anyhow::bail!(
                "{} changed while the report was computed; it was left as it is now",
                self.target.display()
            );
        }
        match &self.previous {
            Target::Missing => rename(&self.staging, &self.target)?,
            Target::Empty => {
                fs::remove_dir(&self.target).with_context(|| format!("cannot replace {}", self.target.display()))?;
                rename(&self.staging, &self.target)?;
            }
            Target::Ours(files) => {
                let parent = self.staging.parent().unwrap_or(Path::new(".")).to_owned();
                let name = self.target.file_name().unwrap_or_default().to_owned();
                let old = parent.join(hidden(&name, "old"));
                rename(&self.target, &old)?;
                if let Err(e) = rename(&self.staging, &self.target) {
                    // Put the previous report back.
                    let _ = fs::rename(&old, &self.target);
                    return Err(e);
                }
                remove_listed(&old, files);
            }
        }
        self.done = true;
        Ok(())
    }
}

impl Drop for Staging {
    /// A report not committed (an error, Ctrl-C) leaves no temporary folder.
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// Replaces the file `path` with `bytes` atomically: the new text is
/// written and synced to a hidden file beside it, then renamed over it, so a
/// failed write (a full disk) or a crash leaves the previous file whole. A
/// symbolic link is refused rather than replaced by a file.
pub fn replace_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        anyhow::bail!(
            "{} is a symbolic link: Accord does not write through links; give the file itself",
            path.display()
        );
    }
    let name = path
        .file_name()
        .with_context(|| format!("{}: name a file", path.display()))?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let staging = parent.join(hidden(name, "new"));
    if let Err(e) = write_synced(&staging, bytes) {
        let _ = fs::remove_file(&staging);
        return Err(e).with_context(|| format!("cannot write {}", staging.display()));
    }
    if let Err(e) = rename(&staging, path) {
        let _ = fs::remove_file(&staging);
        return Err(e);
    }
    Ok(())
}

/// `.NAME.accord-KIND-PID`, hidden beside the target.
fn hidden(name: &std::ffi::OsStr, kind: &str) -> OsString {
    let mut s = OsString::from(".");
    s.push(name);
    s.push(format!(".accord-{kind}-{}", std::process::id()));
    s
}

fn rename(from: &Path, to: &Path) -> anyhow::Result<()> {
    fs::rename(from, to).with_context(|| format!("cannot move {} to {}", from.display(), to.display()))
}

/// Writes a file and makes sure its bytes reached the disk, so that a full
/// disk is an error here and not a truncated file later.
fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// A path of normal components only (no `..`, no root).
fn plain_relative(rel: &str) -> anyhow::Result<PathBuf> {
    let p = PathBuf::from(rel);
    if p.as_os_str().is_empty() || !p.components().all(|c| matches!(c, Component::Normal(_))) {
        anyhow::bail!("`{rel}` is not a plain relative path inside the report folder");
    }
    Ok(p)
}

/// What `target` is, or why it may not be replaced.
fn inspect(target: &Path) -> anyhow::Result<Target> {
    let shown = target.display();
    let meta = match fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Target::Missing),
        Err(e) => return Err(anyhow::anyhow!("cannot read {shown}: {e}")),
    };
    if meta.file_type().is_symlink() {
        anyhow::bail!(
            "--out {shown} is a symbolic link: the report is not written through links; give the folder itself or a new one"
        );
    }
    if !meta.is_dir() {
        anyhow::bail!(
            "--out {shown} is a file, not a folder: give a new folder (it will be created) or a report folder"
        );
    }
    let entries = list(target, Path::new(""))?;
    if entries.is_empty() {
        return Ok(Target::Empty);
    }
    let marker = target.join(MARKER);
    let listed = match fs::symlink_metadata(&marker) {
        Ok(m) if m.is_file() => fs::read_to_string(&marker).ok().and_then(|t| parse_marker(&t)),
        _ => None,
    };
    let Some(listed) = listed else {
        anyhow::bail!(
            "--out {shown} is a folder Accord did not write (it has no {MARKER} file) and is not empty: its files are \
             left alone; give a new folder, or an empty one"
        );
    };
    let mut allowed: BTreeSet<PathBuf> = listed.iter().cloned().collect();
    allowed.insert(PathBuf::from(MARKER));
    for rel in &listed {
        for dir in rel.ancestors().skip(1).filter(|d| !d.as_os_str().is_empty()) {
            allowed.insert(dir.to_owned());
        }
    }
    let foreign: Vec<String> = entries
        .iter()
        .filter(|(rel, _)| !allowed.contains(rel))
        .map(|(rel, _)| rel.display().to_string())
        .collect();
    if !foreign.is_empty() {
        anyhow::bail!(
            "--out {shown} holds files the last report did not write ({}{}): they are left alone; move them out or \
             give another folder",
            foreign.iter().take(5).cloned().collect::<Vec<_>>().join(", "),
            if foreign.len() > 5 { ", …" } else { "" }
        );
    }
    let links: Vec<String> = entries
        .iter()
        .filter(|(_, kind)| *kind == Kind::Other)
        .map(|(rel, _)| rel.display().to_string())
        .collect();
    if !links.is_empty() {
        anyhow::bail!(
            "--out {shown} holds symbolic links or special files where the report wrote files ({}): they are left \
             alone, and so is what they point to; give another folder",
            links.join(", ")
        );
    }
    Ok(Target::Ours(listed))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    File,
    Dir,
    Other,
}

/// Every entry under `dir` (relative to the report folder), not following
/// symbolic links.
fn list(root: &Path, rel: &Path) -> anyhow::Result<Vec<(PathBuf, Kind)>> {
    let dir = root.join(rel);
    let mut out = Vec::new();
    let read = fs::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))?;
    for entry in read {
        let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
        let rel_path = rel.join(entry.file_name());
        let ft = entry
            .file_type()
            .with_context(|| format!("cannot read {}", entry.path().display()))?;
        let kind = if ft.is_dir() {
            Kind::Dir
        } else if ft.is_file() {
            Kind::File
        } else {
            Kind::Other
        };
        out.push((rel_path.clone(), kind));
        if kind == Kind::Dir {
            out.extend(list(root, &rel_path)?);
        }
    }
    Ok(out)
}

/// The files a marker lists, or `None` when it is not Accord's marker.
fn parse_marker(text: &str) -> Option<Vec<PathBuf>> {
    if text.lines().next() != Some(MARKER_HEAD) {
        return None;
    }
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| plain_relative(l).ok())
        .collect()
}

/// Removes the listed files of an old report (regular files only), then
/// the folders they emptied and the old folder. What cannot be removed is
/// left in place.
fn remove_listed(old: &Path, files: &[PathBuf]) {
    let mut dirs = BTreeSet::new();
    for rel in files.iter().chain(std::iter::once(&PathBuf::from(MARKER))) {
        let path = old.join(rel);
        if fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
            let _ = fs::remove_file(&path);
        }
        for dir in rel.ancestors().skip(1).filter(|d| !d.as_os_str().is_empty()) {
            dirs.insert(dir.to_owned());
        }
    }
    // Deepest first; `remove_dir` removes only empty folders.
    for dir in dirs.iter().rev() {
        let _ = fs::remove_dir(old.join(dir));
    }
    let _ = fs::remove_dir(old);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh folder for one test.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("accord-report-folder-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("temp folder");
        dir
    }

    fn write_report(target: &Path, html: &str) -> anyhow::Result<()> {
        let mut s = Staging::prepare(target)?;
        s.write("report.html", html.as_bytes())?;
        s.write("report.md", b"# md")?;
        s.write("charts/a.svg", b"<svg/>")?;
        s.commit()
    }

    fn siblings(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_new_folder_is_written_and_an_own_report_replaced() {
        let root = scratch("replace");
        let out = root.join("out");
        write_report(&out, "first").unwrap();
        assert_eq!(fs::read_to_string(out.join("report.html")).unwrap(), "first");
        assert!(out.join(MARKER).is_file());
        write_report(&out, "second").unwrap();
        assert_eq!(fs::read_to_string(out.join("report.html")).unwrap(), "second");
        assert_eq!(fs::read_to_string(out.join("charts/a.svg")).unwrap(), "<svg/>");
        // No temporary or old folder is left beside it.
        assert_eq!(siblings(&root), vec!["out"]);
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn unrelated_files_are_never_touched() {
        let root = scratch("unrelated");
        // A folder of the user's, with an SVG where the report puts charts.
        let mine = root.join("mine");
        fs::create_dir_all(mine.join("charts")).unwrap();
        fs::write(mine.join("charts/logo.svg"), "logo").unwrap();
        fs::write(mine.join("report.html"), "my page").unwrap();
        let e = write_report(&mine, "new").unwrap_err().to_string();
        assert!(e.contains("did not write"), "{e}");
        assert_eq!(fs::read_to_string(mine.join("charts/logo.svg")).unwrap(), "logo");
        assert_eq!(fs::read_to_string(mine.join("report.html")).unwrap(), "my page");
        // A report folder where the user added a file.
        let out = root.join("out");
        write_report(&out, "first").unwrap();
        fs::write(out.join("charts/notes.svg"), "notes").unwrap();
        let e = write_report(&out, "second").unwrap_err().to_string();
        assert!(e.contains("charts/notes.svg"), "{e}");
        assert_eq!(fs::read_to_string(out.join("report.html")).unwrap(), "first");
        assert_eq!(fs::read_to_string(out.join("charts/notes.svg")).unwrap(), "notes");
        // A file given as --out.
        let file = root.join("file.txt");
        fs::write(&file, "text").unwrap();
        assert!(write_report(&file, "x").unwrap_err().to_string().contains("is a file"));
        assert_eq!(fs::read_to_string(&file).unwrap(), "text");
        assert_eq!(siblings(&root), vec!["file.txt", "mine", "out"]);
        let _ = fs::remove_dir_all(&root);
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_are_not_followed_and_their_targets_stay() {
        use std::os::unix::fs::symlink;
        let root = scratch("links");
        let elsewhere = root.join("elsewhere");
        fs::create_dir_all(&elsewhere).unwrap();
        fs::write(elsewhere.join("logo.svg"), "logo").unwrap();
        fs::write(elsewhere.join("page.html"), "page").unwrap();
        // A report folder whose report.html became a link to a file elsewhere.
        let out = root.join("out");
        write_report(&out, "first").unwrap();
        fs::remove_file(out.join("report.html")).unwrap();
        symlink(elsewhere.join("page.html"), out.join("report.html")).unwrap();
        let e = write_report(&out, "second").unwrap_err().to_string();
        assert!(e.contains("symbolic links"), "{e}");
        // A charts folder that is a link to another folder.
        let out2 = root.join("out2");
        write_report(&out2, "first").unwrap();
        fs::remove_dir_all(out2.join("charts")).unwrap();
        symlink(&elsewhere, out2.join("charts")).unwrap();
        assert!(write_report(&out2, "second").is_err());
        // --out itself a link.
        let link = root.join("link");
        symlink(&elsewhere, &link).unwrap();
        assert!(
            write_report(&link, "x")
                .unwrap_err()
                .to_string()
                .contains("symbolic link")
        );
        assert_eq!(fs::read_to_string(elsewhere.join("logo.svg")).unwrap(), "logo");
        assert_eq!(fs::read_to_string(elsewhere.join("page.html")).unwrap(), "page");
        assert_eq!(siblings(&elsewhere), vec!["logo.svg", "page.html"]);
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn a_failed_write_leaves_the_previous_report_whole() {
        let root = scratch("fail");
        let out = root.join("out");
        write_report(&out, "complete").unwrap();
        let before: Vec<(String, String)> = ["report.html", "report.md", "charts/a.svg", MARKER]
            .iter()
            .map(|f| ((*f).to_owned(), fs::read_to_string(out.join(f)).unwrap()))
            .collect();
        // The disk fills up while the charts are written.
        let full = |_: &Path, _: &[u8]| -> std::io::Result<()> {
            Err(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                "No space left on device",
            ))
        };
        let result = (|| -> anyhow::Result<()> {
            let mut s = Staging::prepare(&out)?;
            s.write("report.html", b"new")?;
            s.write_with("charts/a.svg", b"<svg/>", &full)?;
            s.commit()
        })();
        let e = format!("{:#}", result.unwrap_err());
        assert!(e.contains("No space left"), "{e}");
        for (f, text) in &before {
            assert_eq!(&fs::read_to_string(out.join(f)).unwrap(), text, "{f}");
        }
        // Dropped without commit (an error or Ctrl-C): no temporary folder stays.
        let s = Staging::prepare(&out).unwrap();
        drop(s);
        assert_eq!(siblings(&root), vec!["out"]);
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn an_empty_folder_is_used_and_a_forged_marker_does_not_delete_outside() {
        let root = scratch("empty");
        let out = root.join("out");
        fs::create_dir_all(&out).unwrap();
        write_report(&out, "x").unwrap();
        assert!(out.join("report.html").is_file());
        // A marker listing a path out of the folder is not Accord's marker.
        let forged = root.join("forged");
        fs::create_dir_all(&forged).unwrap();
        fs::write(forged.join(MARKER), format!("{MARKER_HEAD}\n../out/report.html\n")).unwrap();
        assert!(write_report(&forged, "y").is_err());
        assert!(out.join("report.html").is_file());
        let _ = fs::remove_dir_all(&root);
    }
}
