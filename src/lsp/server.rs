//! The server's state (the open files and what the checker made of them)
//! and the dispatch of each message to the feature that answers it.

use super::analysis::{Analysis, document_path};
use super::position::LineIndex;
use super::{actions, completion, diagnostics, hover, lens::Lenses, navigate};
use crate::read::OpenTexts;
use crate::source::{FileId, SourceFile, Sources, Span};
use crossbeam_channel::{Receiver, Sender};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{self as note, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{Location, Position, Range, TextEdit, Uri};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

type Error = Box<dyn std::error::Error + Send + Sync>;

pub struct Server {
    sender: Sender<Message>,
    open: OpenTexts,
    /// The open plans, each with what the checker made of it.
    analyses: HashMap<PathBuf, Analysis>,
    lenses: Lenses,
    /// Whether the editor may be asked to show new lenses.
    refresh_lenses: bool,
    requests_sent: Arc<AtomicU64>,
}

impl Server {
    pub fn new(sender: Sender<Message>, params: &lsp_types::InitializeParams) -> Server {
        let refresh_lenses = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.code_lens.as_ref())
            .and_then(|c| c.refresh_support)
            .unwrap_or(false);
        Server {
            sender,
            open: OpenTexts::new(),
            analyses: HashMap::new(),
            lenses: Lenses::default(),
            refresh_lenses,
            requests_sent: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Answers messages until the editor asks the server to shut down.
    pub fn run(
        mut self,
        receiver: &Receiver<Message>,
        connection: &Connection,
    ) -> Result<(), Error> {
        for message in receiver {
            match message {
                Message::Request(r) => {
                    if connection.handle_shutdown(&r)? {
                        return Ok(());
                    }
                    let response = self.request(r);
                    self.sender.send(Message::Response(response))?;
                }
                Message::Notification(n) => self.notification(n)?,
                Message::Response(_) => {}
            }
        }
        Ok(())
    }

    fn notification(&mut self, n: Notification) -> Result<(), Error> {
        match n.method.as_str() {
            note::DidOpenTextDocument::METHOD => {
                let p: lsp_types::DidOpenTextDocumentParams = serde_json::from_value(n.params)?;
                self.changed(&p.text_document.uri, Some(p.text_document.text))
            }
            note::DidChangeTextDocument::METHOD => {
                let p: lsp_types::DidChangeTextDocumentParams = serde_json::from_value(n.params)?;
                let path = document_path(&p.text_document.uri);
                let mut text = self.open.get(&path).unwrap_or_default().to_string();
                for change in p.content_changes {
                    edit(&mut text, change);
                }
                self.changed(&p.text_document.uri, Some(text))
            }
            note::DidCloseTextDocument::METHOD => {
                let p: lsp_types::DidCloseTextDocumentParams = serde_json::from_value(n.params)?;
                self.changed(&p.text_document.uri, None)
            }
            _ => Ok(()),
        }
    }

    /// A file was opened or edited (`Some` text) or closed: every open plan
    /// that is or includes it is checked again, and its diagnostics sent.
    fn changed(&mut self, uri: &Uri, text: Option<String>) -> Result<(), Error> {
        let path = document_path(uri);
        let closed = text.is_none();
        match text {
            Some(t) => self.open.insert(path.clone(), t),
            None => {
                self.open.remove(&path);
                self.analyses.remove(&path);
                self.publish(uri.clone(), Vec::new())?;
            }
        }
        let mut again: Vec<PathBuf> = self
            .analyses
            .iter()
            .filter(|(_, a)| a.file(&path).is_some())
            .map(|(p, _)| p.clone())
            .collect();
        if !closed && !again.contains(&path) {
            again.push(path);
        }
        for p in again {
            let known = self.analyses.get(&p).map(|a| a.uri.clone());
            let analysis = Analysis::of(&p, known.unwrap_or_else(|| uri.clone()), &self.open);
            for (uri, items) in diagnostics::by_file(&analysis) {
                self.publish(uri, items)?;
            }
            self.analyses.insert(p, analysis);
        }
        Ok(())
    }

    fn publish(&self, uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>) -> Result<(), Error> {
        let params = lsp_types::PublishDiagnosticsParams::new(uri, diagnostics, None);
        let n = Notification::new(note::PublishDiagnostics::METHOD.to_string(), params);
        self.sender.send(Message::Notification(n))?;
        Ok(())
    }

    fn request(&mut self, r: Request) -> Response {
        let id = r.id.clone();
        let result = match r.method.as_str() {
            req::HoverRequest::METHOD => self.answer(r, Self::hover),
            req::GotoDefinition::METHOD => self.answer(r, Self::definition),
            req::References::METHOD => self.answer(r, Self::references),
            req::Formatting::METHOD => self.answer(r, Self::formatting),
            req::Completion::METHOD => self.answer(r, Self::completion),
            req::CodeActionRequest::METHOD => self.answer(r, Self::code_actions),
            req::CodeLensRequest::METHOD => self.answer(r, Self::code_lenses),
            _ => {
                let message = format!("`mutual lsp` does not answer `{}`", r.method);
                return Response::new_err(id, ErrorCode::MethodNotFound as i32, message);
            }
        };
        match result {
            Ok(value) => Response::new_ok(id, value),
            Err(e) => Response::new_err(id, ErrorCode::InvalidParams as i32, e.to_string()),
        }
    }

    /// Reads a request's parameters, answers with `f`, and writes its result.
    fn answer<P: serde::de::DeserializeOwned, R: serde::Serialize>(
        &mut self,
        r: Request,
        f: fn(&mut Self, P) -> R,
    ) -> Result<Value, serde_json::Error> {
        let params: P = serde_json::from_value(r.params)?;
        serde_json::to_value(f(self, params))
    }

    /// The analysis that knows most about a file: a plan that includes it,
    /// else the file's own; and the file's id in it.
    fn analysis_of(&self, uri: &Uri) -> Option<(&Analysis, FileId)> {
        let path = document_path(uri);
        let including = self
            .analyses
            .iter()
            .filter(|(p, _)| **p != path)
            .find_map(|(_, a)| a.file(&path).map(|id| (a, id)));
        including.or_else(|| {
            let a = self.analyses.get(&path)?;
            Some((a, a.file(&path)?))
        })
    }

    /// The analysis, file and byte offset of a position.
    fn at(&self, uri: &Uri, position: Position) -> Option<(&Analysis, FileId, u32)> {
        let (a, id) = self.analysis_of(uri)?;
        let offset = LineIndex::new(&a.source(id).text).offset(position);
        Some((a, id, offset as u32))
    }

    fn location(a: &Analysis, span: Span) -> Option<Location> {
        let range = diagnostics::range(a, span.file, span.start, span.end);
        Some(Location::new(a.uri(span.file)?, range))
    }

    fn hover(&mut self, p: lsp_types::HoverParams) -> Option<lsp_types::Hover> {
        let at = &p.text_document_position_params;
        let (a, id, offset) = self.at(&at.text_document.uri, at.position)?;
        let (text, span) = hover::hover(a, id, offset)?;
        Some(lsp_types::Hover {
            contents: lsp_types::HoverContents::Markup(lsp_types::MarkupContent {
                kind: lsp_types::MarkupKind::Markdown,
                value: text,
            }),
            range: Some(diagnostics::range(a, span.file, span.start, span.end)),
        })
    }

    fn definition(
        &mut self,
        p: lsp_types::GotoDefinitionParams,
    ) -> Option<lsp_types::GotoDefinitionResponse> {
        let at = &p.text_document_position_params;
        let (a, id, offset) = self.at(&at.text_document.uri, at.position)?;
        let span = navigate::definition(a, id, offset)?;
        Some(lsp_types::GotoDefinitionResponse::Scalar(Self::location(
            a, span,
        )?))
    }

    fn references(&mut self, p: lsp_types::ReferenceParams) -> Option<Vec<Location>> {
        let at = &p.text_document_position;
        let (a, id, offset) = self.at(&at.text_document.uri, at.position)?;
        let spans = navigate::references(a, id, offset, p.context.include_declaration);
        Some(
            spans
                .into_iter()
                .filter_map(|s| Self::location(a, s))
                .collect(),
        )
    }

    fn completion(
        &mut self,
        p: lsp_types::CompletionParams,
    ) -> Option<lsp_types::CompletionResponse> {
        let at = &p.text_document_position;
        let (a, id, offset) = self.at(&at.text_document.uri, at.position)?;
        Some(lsp_types::CompletionResponse::Array(completion::complete(
            a, id, offset,
        )))
    }

    fn code_actions(
        &mut self,
        p: lsp_types::CodeActionParams,
    ) -> Option<lsp_types::CodeActionResponse> {
        let (a, id) = self.analysis_of(&p.text_document.uri)?;
        let index = LineIndex::new(&a.source(id).text);
        let (start, end) = (index.offset(p.range.start), index.offset(p.range.end));
        let fixes = actions::quick_fixes(a, id, start as u32, end as u32);
        Some(
            fixes
                .into_iter()
                .map(lsp_types::CodeActionOrCommand::CodeAction)
                .collect(),
        )
    }

    fn code_lenses(&mut self, p: lsp_types::CodeLensParams) -> Option<Vec<lsp_types::CodeLens>> {
        let path = document_path(&p.text_document.uri);
        let a = self.analyses.get(&path)?;
        let (sender, refresh, sent) = (
            self.sender.clone(),
            self.refresh_lenses,
            self.requests_sent.clone(),
        );
        let done = move || {
            if refresh {
                let id = format!("mutual-refresh-{}", sent.fetch_add(1, Ordering::Relaxed));
                let r = Request::new(id.into(), req::CodeLensRefresh::METHOD.to_string(), ());
                let _ = sender.send(Message::Request(r));
            }
        };
        Some(self.lenses.lenses(a, done))
    }

    /// The whole file in `mutual fmt`'s canonical form, as one edit; none
    /// when it is already canonical or does not parse.
    fn formatting(&mut self, p: lsp_types::DocumentFormattingParams) -> Option<Vec<TextEdit>> {
        let path = document_path(&p.text_document.uri);
        let text = self.open.plan_text(&path).ok()?;
        formatted(&path, text)
    }
}

/// Applies one change of a document: a range replaced, or the whole text.
fn edit(text: &mut String, change: lsp_types::TextDocumentContentChangeEvent) {
    match change.range {
        Some(range) => {
            let index = LineIndex::new(text);
            let (start, end) = (index.offset(range.start), index.offset(range.end));
            text.replace_range(start..end.max(start), &change.text);
        }
        None => *text = change.text,
    }
}

/// The edits that bring `text` to its canonical form.
fn formatted(path: &Path, text: String) -> Option<Vec<TextEdit>> {
    let mut sources = Sources::new();
    let id = sources.add(SourceFile::new(path.display().to_string(), path, text));
    let (file, diags) = crate::syntax::parse_file(id, sources.get(id));
    if diags.has_errors() {
        return None;
    }
    let source = sources.get(id);
    let canonical = crate::fmt::format(&file, source);
    if canonical == source.text {
        return Some(Vec::new());
    }
    let index = LineIndex::new(&source.text);
    let whole = Range::new(Position::new(0, 0), index.position(source.text.len()));
    Some(vec![TextEdit::new(whole, canonical)])
}
