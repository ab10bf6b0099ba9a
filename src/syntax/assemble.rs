//! Parses a whole file line by line and groups the lines into sections and tables.

use super::lower::{LineItem, Lowerer};
use super::messages::syntax_error;
use super::{PlanParser, Rule, shape};
use crate::ast::{Header, PlanFile, Row, Section};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::source::{FileId, SourceFile, Span};
use pest::Parser;

/// Conditions nest at most this deep; deeper input is refused before parsing.
const MAX_NESTING: usize = 32;

/// The lines of a text with their byte offsets, without line breaks.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split_inclusive('\n').map(move |raw| {
        let start = offset;
        offset += raw.len();
        (start, raw.trim_end_matches('\n').trim_end_matches('\r'))
    })
}

/// The byte offset where a line's comment starts, if it has one.
pub fn comment_start(line: &str) -> Option<usize> {
    let mut in_text = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => in_text = !in_text,
            '#' if !in_text => return Some(i),
            _ => {}
        }
    }
    None
}

/// Parses one file. Every broken line gets a diagnostic; the rest still parse.
/// A text that does not read as a plan (see `shape`) gets one diagnostic
/// and no sections.
pub fn parse_file(file_id: FileId, file: &SourceFile) -> (PlanFile, Diagnostics) {
    pest::set_error_detail(true);
    let text = file.text.strip_prefix('\u{feff}').unwrap_or(&file.text);
    let bom = file.text.len() - text.len();
    if let Some(line) = shape::first_line_foreign(text) {
        return not_a_plan(file_id, shape::foreign_first_line(line));
    }
    let mut a = Assembler {
        file: PlanFile {
            file: file_id,
            sections: Vec::new(),
            broken: Vec::new(),
        },
        diags: Diagnostics::default(),
    };
    let (mut broken, mut first_broken) = (0, 0);
    for (number, (offset, line)) in lines(text).enumerate() {
        if a.line(offset + bom, line) {
            continue;
        }
        broken += 1;
        if first_broken == 0 {
            first_broken = number + 1;
        }
        if broken > shape::MAX_BROKEN_LINES {
            return not_a_plan(file_id, shape::too_many_broken(first_broken));
        }
    }
    (a.file, a.diags)
}

/// A file with no sections and the one diagnostic saying it is not a plan.
fn not_a_plan(file_id: FileId, why: String) -> (PlanFile, Diagnostics) {
    let file = PlanFile {
        file: file_id,
        sections: Vec::new(),
        broken: Vec::new(),
    };
    let diags = Diagnostics {
        items: vec![shape::not_a_plan(file_id, why)],
    };
    (file, diags)
}

/// A file being assembled from its lines.
struct Assembler {
    file: PlanFile,
    diags: Diagnostics,
}

impl Assembler {
    /// Adds one line (at byte `offset`) to the file; false when it does not parse.
    fn line(&mut self, offset: usize, line: &str) -> bool {
        let file_id = self.file.file;
        let code = &line[..comment_start(line).unwrap_or(line.len())];
        if code.trim().is_empty() {
            return true;
        }
        if let Some(at) = too_deep(code) {
            self.diags.push(
                Diagnostic::error(
                    "E110",
                    Span::new(file_id, offset + at, offset + at + 1),
                    format!("conditions nest more than {MAX_NESTING} parentheses deep"),
                )
                .label("too deep")
                .help("write the requirement as a flat list joined by `and` / `or`"),
            );
            return false;
        }
        let pair = match PlanParser::parse(Rule::line, line) {
            Ok(pairs) => pairs.into_iter().next(),
            Err(e) => {
                self.diags.push(syntax_error(file_id, offset, line, &e));
                if let Some(word) = code.split_whitespace().next() {
                    self.file.broken.push(word.to_string());
                }
                return false;
            }
        };
        let lowerer = Lowerer {
            file: file_id,
            base: offset,
        };
        match pair.map(|p| lowerer.line(p)) {
            Some(Ok(Some(item))) => self.place(item),
            Some(Err(d)) => self.diags.push(*d),
            _ => {}
        }
        true
    }

    fn place(&mut self, item: LineItem) {
        let sections = &mut self.file.sections;
        match item {
            LineItem::Header(header) => sections.push(Section {
                header,
                statements: Vec::new(),
                rows: Vec::new(),
            }),
            LineItem::Statement(stmt) => match sections.last_mut() {
                Some(section) => section.statements.push(stmt),
                None => self.diags.push(
                    Diagnostic::error("E102", stmt.span, format!("`{}` comes before any section", stmt.kind.keyword()))
                        .label("outside a section")
                        .help("a plan starts with `plan NAME`; put this line under the section it belongs to"),
                ),
            },
            LineItem::Row(row) => place_row(sections, row, &mut self.diags),
        }
    }
}

fn place_row(sections: &mut [Section], row: Row, diags: &mut Diagnostics) {
    let span = row.span();
    let Some(section) = sections.last_mut() else {
        diags.push(
            Diagnostic::error("E103", span, "a table row comes before any section")
                .label("row without a table")
                .help("put rows under a line that starts a table, such as `payout by age at diagnosis`"),
        );
        return;
    };
    let is_disease = matches!(row, Row::Disease { .. });
    if matches!(section.header.node, Header::Diseases { .. }) && section.statements.is_empty() {
        if is_disease {
            section.rows.push(row);
        } else {
            diags.push(
                Diagnostic::error(
                    "E103",
                    span,
                    "a disease list holds disease codes, not age bands",
                )
                .label("age band in a disease list")
                .help("a disease row reads like `CI001 \"恶性肿瘤——重度\"`"),
            );
        }
        return;
    }
    match section.statements.last_mut() {
        Some(stmt) if stmt.kind.takes_rows() && !is_disease => stmt.rows.push(row),
        Some(stmt) if stmt.kind.takes_rows() => diags.push(
            Diagnostic::error("E103", span, format!("a disease code cannot be a row of `{}`", stmt.kind.keyword()))
                .label("disease row in an age table")
                .help("diseases are listed under `diseases NAME`; a benefit names them with `covers`"),
        ),
        _ => diags.push(
            Diagnostic::error("E103", span, "this row does not follow a line that starts a table")
                .label("row without a table")
                .help(if is_disease {
                    "disease rows go under a `diseases NAME` header"
                } else {
                    "age bands go right under `payout by age at ...`, `pays at join by age at join` or `cap per year by age at ...`"
                }),
        ),
    }
}

/// The offset of the first parenthesis nested deeper than allowed.
fn too_deep(code: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_text = false;
    for (i, c) in code.char_indices() {
        match c {
            '"' => in_text = !in_text,
            '(' if !in_text => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i);
                }
            }
            ')' if !in_text => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}
