//! `mutual lsp`: serves an editor over stdin and stdout (see `crate::lsp`).

use super::EXIT_INVALID;
use std::process::ExitCode;

/// Serves until the editor says `exit`; a broken connection is an error.
pub fn lsp() -> ExitCode {
    match crate::lsp::serve() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: the language server stopped: {e}");
            ExitCode::from(EXIT_INVALID)
        }
    }
}
