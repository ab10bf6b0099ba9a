//! `mutual check`: every problem of every plan at once.

use super::{EXIT_INVALID, shown_path, stderr_color};
use crate::diagnostic::{self, Format};
use crate::source::Sources;
use crate::words::count;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Checks `plans`. Human and plain diagnostics go to stderr, with the rules
/// that change over time and a closing count; JSON goes to stdout, alone, so
/// that it can be piped.
pub fn check(plans: &[PathBuf], format: Format) -> ExitCode {
    let mut failed = false;
    let mut all = Vec::new();
    let mut sources = Sources::new();
    let mut versions = String::new();
    for path in plans {
        let loaded = crate::load_plan(path, &mut sources);
        failed |= loaded.diagnostics.has_errors();
        all.extend(loaded.diagnostics.items);
        if let Some(plan) = loaded.plan.filter(|p| p.changes() || p.closure.is_some()) {
            versions.push_str(&format!(
                "{}: the rules change over time\n",
                shown_path(path)
            ));
            versions.push_str(&crate::summary::changes(&plan));
        }
    }
    if format == Format::Json {
        let text = diagnostic::render(&sources, &all, format, false);
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
    } else {
        let text = diagnostic::render(&sources, &all, format, stderr_color());
        let errors = all.iter().filter(|d| d.is_error()).count() as u64;
        let warnings = all.len() as u64 - errors;
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
        let _ = err.write_all(versions.as_bytes());
        let _ = writeln!(
            err,
            "checked {}: {}, {}",
            count(plans.len() as u64, "plan"),
            count(errors, "error"),
            count(warnings, "warning")
        );
    }
    if failed {
        ExitCode::from(EXIT_INVALID)
    } else {
        ExitCode::SUCCESS
    }
}
