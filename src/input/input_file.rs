//! An input file that can be read as many times as the readers need.
//!
//! The readers read a regular file more than once (its size, then its blocks,
//! then, for a file with quotes, record by record; and again to locate a
//! problem's line). A pipe, a FIFO, standard input (`-`) or a device can be
//! read only once: such an input is copied whole, in one pass, into an
//! anonymous temporary file, and the readers read that copy. Problems are
//! still reported under the name the user gave.

use super::csvfile::{InputError, InputErrors};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The name under which standard input is read, and reported.
pub const STDIN: &str = "-";

/// An input that the readers may open again and again.
pub struct InputFile {
    name: String,
    path: PathBuf,
    /// The copy of an input that could be read only once; removed on drop.
    _copy: Option<tempfile::TempPath>,
}

impl InputFile {
    /// Opens `path` for reading: a regular file as it is; standard input
    /// (`-`), a pipe, a FIFO or a device copied once into a temporary file.
    pub fn open(path: &Path) -> Result<InputFile, InputErrors> {
        let name = if path == Path::new(STDIN) {
            "<stdin>".to_string()
        } else {
            crate::terminal_text::escape(&path.display().to_string()).into_owned()
        };
        let fail = |reason: String| one_error(&name, format!("cannot read the file: {reason}"));
        if path == Path::new(STDIN) {
            return copy_of(name.clone(), std::io::stdin().lock()).map_err(fail);
        }
        let meta = std::fs::metadata(path).map_err(|e| fail(crate::io_reason(&e)))?;
        if meta.is_dir() {
            return Err(fail("it is a directory".to_string()));
        }
        if meta.is_file() {
            return Ok(InputFile {
                name,
                path: path.to_path_buf(),
                _copy: None,
            });
        }
        let source = std::fs::File::open(path).map_err(|e| fail(crate::io_reason(&e)))?;
        copy_of(name.clone(), source).map_err(fail)
    }

    /// The name problems are reported under: the path as the user gave it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A regular file holding the input's bytes.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Copies everything `source` gives into a temporary file, in one pass.
fn copy_of(name: String, mut source: impl Read) -> Result<InputFile, String> {
    let reason = |e: std::io::Error| crate::io_reason(&e);
    let mut copy = tempfile::NamedTempFile::new()
        .map_err(|e| format!("cannot make a temporary copy: {}", reason(e)))?;
    std::io::copy(&mut source, copy.as_file_mut()).map_err(reason)?;
    Ok(InputFile {
        name,
        path: copy.path().to_path_buf(),
        _copy: Some(copy.into_temp_path()),
    })
}

fn one_error(file: &str, message: String) -> InputErrors {
    InputErrors {
        errors: vec![InputError {
            file: file.to_string(),
            line: 1,
            column: 1,
            message,
        }],
        more: Vec::new(),
    }
}
