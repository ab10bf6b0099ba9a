//! Integration tests of `mutual`, one binary (`cargo test --test it`):
//!
//! - `check`: every plan under `tests/plans/broken/` fails with the code its
//!   `# expect:` line names; the rendered diagnostics are snapshots.
//! - `seed_plans`: the seed plans under `plans/` check cleanly; their
//!   summaries are snapshots.
//! - `fmt`: `mutual fmt` is idempotent, keeps comments and preserves meaning.
//! - `cli`: exit codes and output formats of the `mutual` binary.

mod accounts;
mod check;
mod cli;
mod commands;
mod designer_messages;
mod diff;
mod examples;
mod fmt;
mod highlighting;
mod input_errors;
mod lsp;
mod member_view;
mod mutations;
mod over_time;
mod properties;
mod report;
mod robustness;
mod run;
mod scenarios;
mod seed_plans;
mod trust;
mod untrusted_plans;

use std::path::{Path, PathBuf};

/// The rows of a CSV file as maps from column to value.
pub fn csv_rows(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).expect("a CSV file");
    let headers = r.headers().expect("a header").clone();
    r.records()
        .map(|row| {
            let row = row.expect("a row");
            headers
                .iter()
                .zip(row.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// The crate root: the current directory when cargo runs the tests.
pub fn root() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    dir.canonicalize().unwrap_or(dir)
}

/// `path` relative to the crate root (`tests/plans/broken/x.plan`), so that
/// file names in rendered diagnostics do not depend on where the crate lives.
pub fn relative(path: &Path) -> PathBuf {
    let abs = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    abs.strip_prefix(root())
        .map(Path::to_path_buf)
        .unwrap_or(abs)
}

/// A temporary folder holding `common/diseases.plan`, as `plans/` does: a
/// copy of a seed plan written into it includes its disease lists.
pub fn plan_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::create_dir(dir.path().join("common")).expect("common/");
    std::fs::copy(
        root().join("plans/common/diseases.plan"),
        dir.path().join("common/diseases.plan"),
    )
    .expect("copy the disease lists");
    dir
}

/// The `.plan` files directly in `dir` (relative to the crate root), sorted.
pub fn plans_in(dir: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap_or_else(|e| panic!("cannot list {dir}: {e}"))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "plan"))
        .map(|p| relative(&p))
        .collect();
    out.sort();
    out
}

/// The codes a broken plan's `# expect: E300 E301` line names.
pub fn expected_codes(text: &str) -> Vec<String> {
    text.lines()
        .find_map(|l| l.strip_prefix("# expect:"))
        .map(|codes| codes.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}
