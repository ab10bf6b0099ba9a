//! Reading a plan file from disk, whoever wrote it: only a regular file, and
//! at most `MAX_PLAN_BYTES` of it, so that a pipe never blocks, a device
//! such as `/dev/zero` never fills the memory, and a huge file costs nothing.

use std::io::Read;
use std::path::Path;

/// The largest plan file (or included file) `mutual` reads: 1 MiB.
pub const MAX_PLAN_BYTES: u64 = 1 << 20;

/// `MAX_PLAN_BYTES` in words, for messages.
pub const MAX_PLAN_SIZE: &str = "1 MiB (1,048,576 bytes)";

/// Why a file could not be read as plan text.
#[derive(Debug)]
pub enum ReadProblem {
    /// The file cannot be opened or read.
    Io(std::io::Error),
    /// A folder, a pipe, a device or a socket: what it is, in words.
    NotAFile(&'static str),
    /// Larger than `MAX_PLAN_BYTES`.
    TooLarge,
    /// Not UTF-8: the text before the first byte that is not.
    NotUtf8(String),
}

impl ReadProblem {
    /// Why, in the designer's words.
    pub fn reason(&self) -> String {
        match self {
            ReadProblem::Io(e) => format!("cannot read the file: {}", crate::io_reason(e)),
            ReadProblem::NotAFile(what) => format!("it is {what}, not a file"),
            ReadProblem::TooLarge => {
                format!("the file is larger than {MAX_PLAN_SIZE}, the most a plan file may be")
            }
            ReadProblem::NotUtf8(_) => "the file is not UTF-8 text".to_string(),
        }
    }
}

/// What a path that is not a regular file is, looked up without opening it.
pub fn not_a_file(path: &Path) -> Result<Option<&'static str>, std::io::Error> {
    let kind = std::fs::metadata(path)?.file_type();
    Ok(if kind.is_file() {
        None
    } else if kind.is_dir() {
        Some("a folder")
    } else {
        Some("a device, a pipe or a socket")
    })
}

/// The text of a plan file: a regular file of at most `MAX_PLAN_BYTES` of UTF-8.
pub fn plan_text(path: &Path) -> Result<String, ReadProblem> {
    if let Some(what) = not_a_file(path).map_err(ReadProblem::Io)? {
        return Err(ReadProblem::NotAFile(what));
    }
    let file = std::fs::File::open(path).map_err(ReadProblem::Io)?;
    let mut bytes = Vec::new();
    file.take(MAX_PLAN_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadProblem::Io)?;
    if bytes.len() as u64 > MAX_PLAN_BYTES {
        return Err(ReadProblem::TooLarge);
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let mut bytes = e.into_bytes();
        bytes.truncate(valid);
        ReadProblem::NotUtf8(String::from_utf8(bytes).unwrap_or_default())
    })
}

/// The texts of files open in an editor, which may differ from what is saved:
/// read instead of the disk. Each is held to the same limit as a file.
#[derive(Debug, Default)]
pub struct OpenTexts {
    texts: std::collections::HashMap<std::path::PathBuf, String>,
}

impl OpenTexts {
    pub fn new() -> OpenTexts {
        OpenTexts::default()
    }

    /// Records the text of the file at `path` (an absolute path).
    pub fn insert(&mut self, path: std::path::PathBuf, text: String) {
        self.texts.insert(path, text);
    }

    pub fn remove(&mut self, path: &Path) {
        self.texts.remove(path);
    }

    pub fn get(&self, path: &Path) -> Option<&str> {
        self.texts.get(path).map(String::as_str)
    }

    /// The text of a plan file: the open text if there is one, else the file's.
    pub fn plan_text(&self, path: &Path) -> Result<String, ReadProblem> {
        let open = self.texts.get(path).or_else(|| {
            let canonical = path.canonicalize().ok()?;
            self.texts.get(&canonical)
        });
        match open {
            Some(t) if t.len() as u64 > MAX_PLAN_BYTES => Err(ReadProblem::TooLarge),
            Some(t) => Ok(t.clone()),
            None => plan_text(path),
        }
    }
}
