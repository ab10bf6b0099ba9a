//! The names a plan defines and uses: disease lists, disease codes,
//! benefits and included files, each occurrence with its place.

use crate::ast::{Amount, CoverItem, Field, Header, PlanFile, Row, StatementKind, Value};
use crate::source::Span;

/// What a name refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Symbol {
    /// `diseases NAME`
    List(String),
    /// A disease code: `CI001`.
    Disease(String),
    /// `benefit NAME`
    Benefit(String),
    /// `include "PATH"`, as written.
    Include(String),
}

/// One place a symbol is written.
#[derive(Clone, Debug)]
pub struct Occurrence {
    pub symbol: Symbol,
    pub span: Span,
    /// Where the symbol is declared (a list's, a code's or a benefit's own line).
    pub defines: bool,
}

/// Every occurrence in the files, in file order.
pub fn occurrences(files: &[PlanFile]) -> Vec<Occurrence> {
    let mut out = Vec::new();
    for file in files {
        for section in &file.sections {
            header(&section.header.node, &mut out);
            for row in &section.rows {
                if let Row::Disease { code, .. } = row {
                    out.push(define(Symbol::Disease(code.node.clone()), code.span));
                }
            }
            for stmt in &section.statements {
                statement(&stmt.kind, &mut out);
            }
        }
    }
    out
}

/// The occurrence written at byte `offset` of the file of `file`.
pub fn at(all: &[Occurrence], file: crate::source::FileId, offset: u32) -> Option<&Occurrence> {
    all.iter()
        .find(|o| o.span.file == file && o.span.start <= offset && offset <= o.span.end)
}

fn define(symbol: Symbol, span: Span) -> Occurrence {
    Occurrence {
        symbol,
        span,
        defines: true,
    }
}

fn uses(symbol: Symbol, span: Span) -> Occurrence {
    Occurrence {
        symbol,
        span,
        defines: false,
    }
}

fn header(h: &Header, out: &mut Vec<Occurrence>) {
    match h {
        Header::Diseases { name, .. } => {
            out.push(define(Symbol::List(name.node.clone()), name.span))
        }
        Header::Benefit { name, .. } => {
            out.push(define(Symbol::Benefit(name.node.clone()), name.span))
        }
        Header::Include { path } => out.push(uses(Symbol::Include(path.node.clone()), path.span)),
        _ => {}
    }
}

fn statement(kind: &StatementKind, out: &mut Vec<Occurrence>) {
    match kind {
        StatementKind::Covers(items) => {
            for item in items {
                match item {
                    CoverItem::List(n) => out.push(uses(Symbol::List(n.node.clone()), n.span)),
                    CoverItem::Code(n) => out.push(uses(Symbol::Disease(n.node.clone()), n.span)),
                    CoverItem::Range { from, to } => {
                        out.push(uses(Symbol::Disease(from.node.clone()), from.span));
                        out.push(uses(Symbol::Disease(to.node.clone()), to.span));
                    }
                }
            }
        }
        StatementKind::EndsOnPayout(n) => out.push(uses(Symbol::Benefit(n.node.clone()), n.span)),
        StatementKind::Payout(Amount::ShareOf { of, .. })
        | StatementKind::Pays(Amount::ShareOf { of, .. }) => {
            out.push(uses(Symbol::Benefit(of.node.clone()), of.span))
        }
        StatementKind::Claim { fields, .. } | StatementKind::Claims { fields, .. } => {
            fields.iter().filter_map(field).for_each(|o| out.push(o));
        }
        _ => {}
    }
}

/// `disease=CI001` or `benefit=critical` in an example's claim.
fn field(f: &Field) -> Option<Occurrence> {
    let Value::Word(w) = &f.value.node else {
        return None;
    };
    let symbol = match f.name.node.as_str() {
        "disease" => Symbol::Disease(w.clone()),
        "benefit" => Symbol::Benefit(w.clone()),
        _ => return None,
    };
    Some(uses(symbol, f.value.span))
}
