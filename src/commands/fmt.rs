//! `mutual fmt`: plans in canonical form: printed, checked, or written in place.

use super::{EXIT_INVALID, shown_path, stderr_color};
use crate::diagnostic::{self, Format};
use crate::source::Sources;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What `fmt` does with the canonical form of each file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Print it on stdout; with several files, each under a `==> FILE <==` line.
    Print,
    /// Exit 1 naming the first line of each file that differs from it.
    Check,
    /// Replace each file that differs by it, atomically.
    Write,
}

impl Mode {
    pub fn new(check: bool, write: bool) -> Mode {
        match (check, write) {
            (true, _) => Mode::Check,
            (false, true) => Mode::Write,
            (false, false) => Mode::Print,
        }
    }
}

/// Formats `plans` as `mode` says.
pub fn fmt(plans: &[PathBuf], mode: Mode) -> ExitCode {
    let mut sources = Sources::new();
    let mut failed = false;
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    for (n, path) in plans.iter().enumerate() {
        let Some((text, formatted)) = canonical(path, &mut sources) else {
            failed = true;
            continue;
        };
        match mode {
            Mode::Print => {
                if plans.len() > 1 {
                    let gap = if n == 0 { "" } else { "\n" };
                    let _ = writeln!(out, "{gap}==> {} <==", shown_path(path));
                }
                let _ = out.write_all(formatted.as_bytes());
            }
            Mode::Check if formatted != text => {
                let name = shown_path(path);
                let _ = writeln!(err, "{}", first_difference(&name, &text, &formatted));
                failed = true;
            }
            Mode::Write if formatted != text => {
                if let Err(e) = replace(path, &formatted) {
                    let _ = writeln!(err, "error: {}: cannot write: {e}", shown_path(path));
                    failed = true;
                } else {
                    let _ = writeln!(err, "formatted {}", shown_path(path));
                }
            }
            Mode::Check | Mode::Write => {}
        }
    }
    if failed {
        ExitCode::from(EXIT_INVALID)
    } else {
        ExitCode::SUCCESS
    }
}

/// A file's text and its canonical form. Only a file that parses completely
/// is formatted: a line that did not make it into the syntax tree would be
/// lost. Otherwise the errors are printed and `None` given.
fn canonical(path: &Path, sources: &mut Sources) -> Option<(String, String)> {
    let (file, diags) = crate::parse_path(path, sources);
    match file {
        Some(file) if !diags.has_errors() => {
            let source = sources.get(file.file);
            let formatted = crate::fmt::format(&file, source);
            Some((source.text.to_string(), formatted))
        }
        _ => {
            let text = diagnostic::render(sources, &diags.items, Format::Human, stderr_color());
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(text.as_bytes());
            let _ = writeln!(
                err,
                "{}: not formatted: fix the errors above first",
                shown_path(path)
            );
            None
        }
    }
}

/// Replaces the file at `path` by `text`: written beside it, then renamed
/// over it, so that the file is never half-written. Its permissions are kept.
fn replace(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let permissions = std::fs::metadata(path)?.permissions();
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    temp.write_all(text.as_bytes())?;
    temp.as_file().sync_all()?;
    temp.as_file().set_permissions(permissions)?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Where a file first differs from its canonical form, as a message:
/// `plan.plan:12: not in canonical form: `…` should read `…``.
fn first_difference(name: &str, text: &str, formatted: &str) -> String {
    let shown = |l: Option<&str>| match l {
        Some(l) => format!("`{}`", crate::terminal_text::escape(l)),
        None => "(no line)".to_string(),
    };
    let (mut a, mut b) = (text.lines(), formatted.lines());
    let mut line = 1;
    loop {
        match (a.next(), b.next()) {
            (x, y) if x == y && x.is_some() => line += 1,
            (None, None) => {
                return format!(
                    "{name}:{line}: not in canonical form: its line breaks differ (the canonical form ends each line with LF, and the file with one) (run `mutual fmt --write` to fix it)"
                );
            }
            (x, y) => {
                return format!(
                    "{name}:{line}: not in canonical form: {} should read {} (run `mutual fmt --write` to fix it)",
                    shown(x),
                    shown(y)
                );
            }
        }
    }
}
