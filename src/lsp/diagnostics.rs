//! The checker's diagnostics as the editor shows them: per file, with the
//! code, the exact range, the help and the related places.

use super::analysis::Analysis;
use super::position::LineIndex;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::FileId;
use lsp_types::{DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Uri};

/// Every file of the analysis with its diagnostics (an empty list clears a
/// file's old ones).
pub fn by_file(analysis: &Analysis) -> Vec<(Uri, Vec<lsp_types::Diagnostic>)> {
    analysis
        .sources
        .iter()
        .filter_map(|(id, _)| {
            let uri = analysis.uri(id)?;
            let items = analysis
                .loaded
                .diagnostics
                .items
                .iter()
                .filter(|d| d.span.file == id)
                .map(|d| convert(analysis, d))
                .collect();
            Some((uri, items))
        })
        .collect()
}

/// The range of a span in its file.
pub fn range(analysis: &Analysis, file: FileId, start: u32, end: u32) -> lsp_types::Range {
    let text = &analysis.source(file).text;
    LineIndex::new(text).range(start as usize, end as usize)
}

pub fn convert(analysis: &Analysis, d: &Diagnostic) -> lsp_types::Diagnostic {
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .related
        .iter()
        .filter_map(|(span, label)| {
            Some(DiagnosticRelatedInformation {
                location: Location::new(
                    analysis.uri(span.file)?,
                    range(analysis, span.file, span.start, span.end),
                ),
                message: label.clone(),
            })
        })
        .collect();
    lsp_types::Diagnostic {
        range: range(analysis, d.span.file, d.span.start, d.span.end),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.to_string())),
        source: Some("mutual".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
}
