//! Go to definition and find references: disease lists, disease codes,
//! benefits, and included files.

use super::analysis::Analysis;
use super::symbols::{self, Symbol};
use crate::source::{FileId, Span};

/// Where the name at `offset` is declared: a span, or an included file's start.
pub fn definition(analysis: &Analysis, file: FileId, offset: u32) -> Option<Span> {
    let all = symbols::occurrences(&analysis.loaded.files);
    let at = symbols::at(&all, file, offset)?;
    if let Symbol::Include(rel) = &at.symbol {
        let id = analysis.included(rel)?;
        return Some(Span::new(id, 0, 0));
    }
    all.iter()
        .find(|o| o.defines && o.symbol == at.symbol)
        .map(|o| o.span)
}

/// Every place the name at `offset` is written, the declaration first when asked for.
pub fn references(
    analysis: &Analysis,
    file: FileId,
    offset: u32,
    with_declaration: bool,
) -> Vec<Span> {
    let all = symbols::occurrences(&analysis.loaded.files);
    let Some(at) = symbols::at(&all, file, offset) else {
        return Vec::new();
    };
    let symbol = at.symbol.clone();
    let mut spans: Vec<Span> = all
        .iter()
        .filter(|o| o.symbol == symbol && (with_declaration || !o.defines))
        .map(|o| o.span)
        .collect();
    spans.sort_by_key(|s| (s.file, s.start));
    spans
}
