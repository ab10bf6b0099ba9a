//! `mutual lsp`: a language server over stdin and stdout, for editors.
//!
//! It is built on `lsp-server` and `lsp-types`, the synchronous protocol
//! crates that rust-analyzer itself runs on: the checker, the formatter and
//! the engine are synchronous and quick, so an async runtime would add a
//! dependency and nothing else. Every feature reuses the library: the
//! diagnostics are `mutual check`'s, formatting is `mutual fmt`'s, the
//! lenses run `mutual test`'s examples, and hover quotes the language
//! reference (`grammar/README.md`, built in).

mod actions;
mod analysis;
mod completion;
mod diagnostics;
mod hover;
mod lens;
mod navigate;
mod position;
mod reference;
#[cfg(test)]
mod robustness;
mod server;
mod symbols;

use lsp_server::Connection;
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CodeLensOptions,
    CompletionOptions, HoverProviderCapability, OneOf, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind,
};

/// Serves one editor over stdin and stdout until it says `exit`.
pub fn serve() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let (connection, io_threads) = Connection::stdio();
    serve_on(&connection)?;
    drop(connection);
    io_threads.join()?;
    Ok(())
}

/// Serves one editor on `connection` until it says `exit`.
pub fn serve_on(connection: &Connection) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let result = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": ServerInfo {
            name: "mutual".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        },
    });
    let (id, params) = connection.initialize_start()?;
    let params: lsp_types::InitializeParams = serde_json::from_value(params)?;
    connection.initialize_finish(id, result)?;
    server::Server::new(connection.sender.clone(), &params).run(&connection.receiver, connection)
}

/// What the server does, as told to the editor.
fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(
            TextDocumentSyncKind::INCREMENTAL,
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into(), "=".into(), "[".into()]),
            ..Default::default()
        }),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..Default::default()
        })),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        ..Default::default()
    }
}
