//! `mutual test`: run the examples written in plans, as text, JSON or JUnit.

use super::EXIT_INVALID;
use crate::cli::TestFormat;
use crate::testing::report::{PlanOutcome, TestRun};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Tests the plan files in `paths` (folders: the .plan files in them).
pub fn test(paths: &[PathBuf], format: TestFormat) -> ExitCode {
    let files = plan_files(paths);
    if files.is_empty() {
        eprintln!("error: no .plan file found");
        return ExitCode::from(EXIT_INVALID);
    }
    let mut run = TestRun::default();
    for path in &files {
        run.test_file(path);
    }
    let text = match format {
        TestFormat::Text => {
            // A plan that does not check shows its errors, as `check` would.
            let mut err = std::io::stderr().lock();
            for p in &run.plans {
                if let PlanOutcome::DoesNotCheck(errors) = &p.outcome {
                    let _ = err.write_all(errors.as_bytes());
                }
            }
            crate::testing::render_text(&run)
        }
        TestFormat::Json => crate::testing::json::render(&run),
        TestFormat::Junit => crate::testing::junit::render(&run),
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    if run.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_INVALID)
    }
}

/// The plan files named, with folders replaced by the .plan files in them.
fn plan_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let default = [PathBuf::from("plans")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map(|rd| {
                    rd.filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|f| f.extension().is_some_and(|x| x == "plan"))
                        .collect()
                })
                .unwrap_or_default();
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    out
}
