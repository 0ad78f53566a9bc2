//! Reading an input file as text, with the bounds every reader shares:
//! a size limit checked before the file is read, and invalid UTF-8 reported
//! once, with the line and column of the first bad byte.

use std::fmt;
use std::path::Path;

/// The largest input file any reader accepts: 64 MiB. The largest real
/// input (the DEU III development file) is 54 KB and the SCO record under
/// 1 MB; a file a thousand times larger is a mistake or an attack, and
/// refusing it before reading keeps memory bounded.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Why a file could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextError {
    /// The file, as the caller named it.
    pub file: String,
    /// 1-based line of the problem, when it has one.
    pub line: Option<usize>,
    /// 1-based column (in characters) of the problem, when it has one.
    pub column: Option<usize>,
    /// What is wrong and what would be valid.
    pub message: String,
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{l}:{c}: {}", self.file, self.message),
            (Some(l), None) => write!(f, "{}:{l}: {}", self.file, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for TextError {}

/// Reads a file of at most [`MAX_FILE_BYTES`] as UTF-8 text.
pub fn read_text_file(path: &Path) -> Result<String, TextError> {
    let file = path.display().to_string();
    let fail = |message: String| TextError {
        file: file.clone(),
        line: None,
        column: None,
        message,
    };
    let meta = std::fs::metadata(path).map_err(|e| fail(format!("cannot read the file: {e}")))?;
    if meta.is_dir() {
        return Err(fail("is a folder, not a file".into()));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(fail(format!(
            "the file has {} bytes; input files are limited to {MAX_FILE_BYTES} bytes (64 MiB)",
            meta.len()
        )));
    }
    let bytes = read_bounded(path).map_err(|e| fail(format!("cannot read the file: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(fail(format!(
            "the file has more than {MAX_FILE_BYTES} bytes (64 MiB), the limit for input files"
        )));
    }
    utf8(bytes, &file)
}

/// Reads at most one byte more than [`MAX_FILE_BYTES`] (a file may grow
/// between the size check and the read, or be a pipe).
fn read_bounded(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut out)?;
    Ok(out)
}

/// Bytes as UTF-8 text, or an error at the line and column of the first
/// invalid byte.
pub fn utf8(bytes: Vec<u8>, file: &str) -> Result<String, TextError> {
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        let (line, column) = position(bytes, at);
        TextError {
            file: file.to_owned(),
            line: Some(line),
            column: Some(column),
            message: format!(
                "invalid UTF-8 (byte 0x{:02x} at offset {at}): the file must be UTF-8 text; save it as UTF-8",
                bytes.get(at).copied().unwrap_or(0)
            ),
        }
    })
}

/// 1-based line and character column of byte `at` in `bytes`, whose
/// prefix `bytes[..at]` is valid UTF-8.
pub fn position(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = &bytes[..at.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let column = std::str::from_utf8(&before[start..]).map_or(at - start, |s| s.chars().count()) + 1;
    (line, column)
}

/// 1-based character column of field `k` (after its leading blanks) of the
/// CSV record starting at `raw`, found by walking the text the way the `csv`
/// crate splits it: a comma outside double quotes ends a field. Used only to
/// place messages.
pub(crate) fn csv_field_column(raw: &str, k: usize) -> usize {
    let mut field = 0;
    let mut quoted = false;
    let mut start_of_field = true;
    let mut column = 1;
    for ch in raw.chars() {
        if field == k && start_of_field && ch != ' ' && ch != '\t' {
            return column;
        }
        match ch {
            '\n' if !quoted => break,
            '"' => {
                quoted = !quoted;
                start_of_field = false;
            }
            ',' if !quoted => {
                field += 1;
                start_of_field = true;
            }
            ' ' | '\t' => {}
            _ => start_of_field = false,
        }
        column += 1;
    }
    column
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_past_the_bound_are_refused_before_reading() {
        let path = std::env::temp_dir().join(format!("accord-text-bound-{}", std::process::id()));
        let f = std::fs::File::create(&path).unwrap();
        // Sparse: no 64 MiB is written or read.
        f.set_len(MAX_FILE_BYTES + 1).unwrap();
        let e = read_text_file(&path).unwrap_err();
        let _ = std::fs::remove_file(&path);
        assert!(e.message.contains("limited to 67108864 bytes"), "{e}");
        let e = read_text_file(Path::new("/nonexistent/accord")).unwrap_err();
        assert_eq!(e.to_string().matches("No such file").count(), 1, "{e}");
    }

    #[test]
    fn invalid_utf8_is_located_once() {
        let e = utf8(b"ab\ncd\xffe".to_vec(), "f.toml").unwrap_err();
        assert_eq!((e.line, e.column), (Some(2), Some(3)));
        assert!(e.to_string().starts_with("f.toml:2:3: invalid UTF-8"));
        let e = utf8("é\u{0}".bytes().chain([0xc3]).collect(), "x").unwrap_err();
        assert_eq!((e.line, e.column), (Some(1), Some(3)));
    }
}
