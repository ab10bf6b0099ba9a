//! Parses a whole file line by line and groups the lines into sections and tables.

use super::lower::{LineItem, Lowerer};
use super::messages::syntax_error;
use super::{PlanParser, Rule};
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
pub(crate) fn comment_start(line: &str) -> Option<usize> {
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
pub fn parse_file(file_id: FileId, file: &SourceFile) -> (PlanFile, Diagnostics) {
    pest::set_error_detail(true);
    let mut diags = Diagnostics::default();
    let mut sections: Vec<Section> = Vec::new();
    let mut broken: Vec<String> = Vec::new();
    let text = file.text.strip_prefix('\u{feff}').unwrap_or(&file.text);
    let bom = file.text.len() - text.len();
    for (offset, line) in lines(text) {
        let offset = offset + bom;
        let code = &line[..comment_start(line).unwrap_or(line.len())];
        if code.trim().is_empty() {
            continue;
        }
        if let Some(at) = too_deep(code) {
            diags.push(
                Diagnostic::error(
                    "E110",
                    Span::new(file_id, offset + at, offset + at + 1),
                    format!("conditions nest more than {MAX_NESTING} parentheses deep"),
                )
                .label("too deep")
                .help("write the requirement as a flat list joined by `and` / `or`"),
            );
            continue;
        }
        let pairs = match PlanParser::parse(Rule::line, line) {
            Ok(p) => p,
            Err(e) => {
                diags.push(syntax_error(file_id, offset, line, &e));
                if let Some(word) = code.split_whitespace().next() {
                    broken.push(word.to_string());
                }
                continue;
            }
        };
        let lowerer = Lowerer {
            file: file_id,
            base: offset,
        };
        let Some(pair) = pairs.into_iter().next() else {
            continue;
        };
        let item = match lowerer.line(pair) {
            Ok(Some(item)) => item,
            Ok(None) => continue,
            Err(d) => {
                diags.push(*d);
                continue;
            }
        };
        match item {
            LineItem::Header(header) => sections.push(Section {
                header,
                statements: Vec::new(),
                rows: Vec::new(),
            }),
            LineItem::Statement(stmt) => match sections.last_mut() {
                Some(section) => section.statements.push(stmt),
                None => diags.push(
                    Diagnostic::error("E102", stmt.span, format!("`{}` comes before any section", stmt.kind.keyword()))
                        .label("outside a section")
                        .help("a plan starts with `plan NAME`; put this line under the section it belongs to"),
                ),
            },
            LineItem::Row(row) => place_row(&mut sections, row, &mut diags),
        }
    }
    (
        PlanFile {
            file: file_id,
            sections,
            broken,
        },
        diags,
    )
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
