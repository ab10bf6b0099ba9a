//! Code actions: the quick fixes that diagnostics carry ("did you mean
//! `accident`?", "start this band at 40 years").

use super::analysis::Analysis;
use super::diagnostics;
use crate::source::FileId;
use lsp_types::{CodeAction, CodeActionKind, TextEdit, Uri, WorkspaceEdit};
use std::collections::HashMap;

/// The fixes of the diagnostics in `file` that touch bytes `start..=end`.
pub fn quick_fixes(analysis: &Analysis, file: FileId, start: u32, end: u32) -> Vec<CodeAction> {
    analysis
        .loaded
        .diagnostics
        .items
        .iter()
        .filter(|d| d.span.file == file && d.span.start <= end && start <= d.span.end)
        .filter_map(|d| {
            let fix = d.fix.as_ref()?;
            let uri: Uri = analysis.uri(fix.span.file)?;
            let edit = TextEdit::new(
                diagnostics::range(analysis, fix.span.file, fix.span.start, fix.span.end),
                fix.replacement.clone(),
            );
            Some(CodeAction {
                title: fix.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostics::convert(analysis, d)]),
                edit: Some(WorkspaceEdit {
                    changes: Some(HashMap::from([(uri, vec![edit])])),
                    ..Default::default()
                }),
                is_preferred: Some(true),
                ..Default::default()
            })
        })
        .collect()
}
