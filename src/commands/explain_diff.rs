//! `mutual explain NEW --diff OLD`: why one claim's outcome or one member's
//! charge changed between two versions of a plan: both explanations, step
//! by step, side by side, the steps that differ marked.

use super::data::read_data;
use super::explain::{Subject, explanation};
use super::{EXIT_INVALID, load_checked_with_sources, shown_path};
use crate::cli::{DataArgs, ExplainFormat};
use crate::explain::compared::{Compared, render_compared};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// Explains `subject` by the old and the new plan and prints both, compared.
pub fn explain_diff(
    old_path: &Path,
    new_path: &Path,
    data: &DataArgs,
    subject: &Subject,
    format: ExplainFormat,
) -> ExitCode {
    let (old, new) = (
        load_checked_with_sources(old_path),
        load_checked_with_sources(new_path),
    );
    let (Some((old, old_sources)), Some((new, new_sources))) = (old, new) else {
        return ExitCode::from(EXIT_INVALID);
    };
    let Some(mut read) = read_data(&new, data, subject.member()) else {
        return ExitCode::from(EXIT_INVALID);
    };
    let new_e = explanation(&new, &new_sources, &mut read, data, subject);
    // The members are read again only where the plans' joining requirements differ.
    if old.requirements() != new.requirements() {
        match read_data(&old, data, subject.member()) {
            Some(r) => read = r,
            None => return ExitCode::from(EXIT_INVALID),
        }
    }
    let old_e = explanation(&old, &old_sources, &mut read, data, subject);
    let (old_e, new_e) = match (old_e, new_e) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let compared = Compared::new(shown_path(old_path), shown_path(new_path), old_e, new_e);
    let text = match format {
        ExplainFormat::Human => render_compared(&compared),
        ExplainFormat::Json => {
            let mut s = serde_json::to_string_pretty(&compared).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    ExitCode::SUCCESS
}
