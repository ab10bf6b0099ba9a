//! Whether a text reads as a plan at all. A file that does not (a key, a
//! list of passwords, a binary) gets one diagnostic, and none of its lines is
//! quoted: they are not the designer's, and may be secret.
//!
//! A text does not read as a plan when its first line (blank lines and
//! comments aside) does not start with a word of the language or a close
//! misspelling of a section header, or when more than `MAX_BROKEN_LINES` of
//! its lines do not parse.

use super::assemble::{comment_start, lines};
use super::messages::{SHAPES, first_word};
use crate::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use crate::source::{FileId, Span};

/// The code of the one diagnostic a text that does not read as a plan gets.
pub const NOT_A_PLAN: &str = "E107";

/// More lines than this that do not parse, and the file is not a plan.
pub const MAX_BROKEN_LINES: usize = 100;

const SECTION_WORDS: [&str; 8] = [
    "plan",
    "membership",
    "benefit",
    "diseases",
    "sharing",
    "viability",
    "example",
    "include",
];

/// The 1-based number of the first line when it starts like no plan line.
pub(crate) fn first_line_foreign(text: &str) -> Option<usize> {
    let (number, code) = lines(text).enumerate().find_map(|(i, (_, line))| {
        let code = &line[..comment_start(line).unwrap_or(line.len())];
        (!code.trim().is_empty()).then_some((i + 1, code))
    })?;
    let (word, _, _) = first_word(code);
    let known = SHAPES.iter().any(|(k, _)| *k == word)
        || (word.chars().count() >= 3 && did_you_mean(word, SECTION_WORDS).is_some());
    (!known).then_some(number)
}

/// The one diagnostic of a text that does not read as a plan, at its start.
pub(crate) fn not_a_plan(file: FileId, why: String) -> Diagnostic {
    Diagnostic::error(
        NOT_A_PLAN,
        Span::new(file, 0, 0),
        format!("the file does not read as a plan: {why}"),
    )
    .label("not a plan")
    .help(
        "a plan starts with `plan NAME`, a file of disease lists with `diseases NAME`; \
         the file's lines are not shown, as it may be a file of another kind",
    )
}

/// Why a first line is not a plan's.
pub(crate) fn foreign_first_line(line: usize) -> String {
    format!("its first line of text (line {line}) starts no section or statement")
}

/// Why a text with too many broken lines is not a plan.
pub(crate) fn too_many_broken(first: usize) -> String {
    format!(
        "more than {MAX_BROKEN_LINES} of its lines are not lines of a plan (the first is line {first})"
    )
}

/// Whether these diagnostics say the text is not a plan.
pub fn is_not_a_plan(diags: &Diagnostics) -> bool {
    diags.items.iter().any(|d| d.code == NOT_A_PLAN)
}

#[cfg(test)]
mod tests {
    use super::first_line_foreign;

    #[test]
    fn a_plan_starts_with_a_word_of_the_language() {
        assert_eq!(first_line_foreign("# a comment\n\nplan x\n"), None);
        assert_eq!(first_line_foreign("paln x\n"), None);
        assert_eq!(first_line_foreign("  currency CNY\n"), None);
        assert_eq!(first_line_foreign(""), None);
    }

    #[test]
    fn other_files_do_not() {
        assert_eq!(
            first_line_foreign("root:x:0:0:root:/root:/bin/bash\n"),
            Some(1)
        );
        assert_eq!(first_line_foreign("# x\n[core]\n\ttoken = a\n"), Some(2));
        assert_eq!(first_line_foreign("-----BEGIN KEY-----\n"), Some(1));
        assert_eq!(first_line_foreign("as\n"), None);
        assert_eq!(first_line_foreign("a\n"), Some(1));
    }
}
