//! `mutual`: a rules language and interpreter for mutual-aid plans.
//!
//! The pipeline, each arrow a function from one type to the next:
//!
//! ```text
//! .plan text ─ syntax::parse_file ─▶ ast::PlanFile ─ check::check ─▶ plan::Plan
//!      ─ engine::compile ─▶ engine::Engine ─ Engine::run(members, claims) ─▶ engine::Ledger
//! ```
//!
//! ```
//! let mut sources = mutual::source::Sources::new();
//! let loaded = mutual::load_plan(std::path::Path::new("plans/xianghubao.plan"), &mut sources);
//! let plan = loaded.plan.expect("the seed plan checks");
//! assert_eq!(plan.id, "xianghubao");
//! ```

pub mod age;
pub mod ast;
pub mod check;
pub mod cli;
pub mod diagnostic;
pub mod engine;
pub mod explain;
pub mod fmt;
pub mod input;
pub mod invariants;
pub mod money;
pub mod output;
pub mod period;
pub mod plan;
pub mod progress;
pub mod source;
pub mod summary;
pub mod syntax;
pub mod testing;

use ast::{Header, PlanFile};
use diagnostic::{Diagnostic, Diagnostics};
use source::{FileId, SourceFile, Sources, Span};
use std::path::Path;

/// A plan file read from disk with the files it includes, and what `check` made of it.
pub struct Loaded {
    /// The plan file first, then its includes.
    pub files: Vec<PlanFile>,
    pub plan: Option<plan::Plan>,
    pub diagnostics: Diagnostics,
}

/// Reads a file as UTF-8, or says why it cannot, located in the file.
fn read_source(path: &Path, sources: &mut Sources) -> Result<FileId, Box<Diagnostic>> {
    let name = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            let id = sources.add(SourceFile::new(name, path, String::new()));
            return Err(Box::new(
                Diagnostic::error(
                    "E001",
                    Span::new(id, 0, 0),
                    format!("cannot read the file: {}", io_reason(&e)),
                )
                .help("check the path; a plan is a text file ending in .plan"),
            ));
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => Ok(sources.add(SourceFile::new(name, path, text))),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let text = String::from_utf8_lossy(&bytes[..valid]).into_owned();
            let id = sources.add(SourceFile::new(name, path, text));
            Err(Box::new(
                Diagnostic::error(
                    "E001",
                    Span::new(id, valid, valid),
                    "the file is not UTF-8 text",
                )
                .label("invalid byte here")
                .help("save the plan as UTF-8"),
            ))
        }
    }
}

/// A short reason for an I/O error, without the OS error number.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::IsADirectory => "it is a directory".to_string(),
        std::io::ErrorKind::AlreadyExists => "it exists and is not a folder".to_string(),
        std::io::ErrorKind::NotADirectory => {
            "a part of the path is a file, not a folder".to_string()
        }
        _ => {
            let s = e.to_string();
            let s = s.split(" (os error").next().unwrap_or(&s);
            let mut c = s.chars();
            match c.next() {
                Some(first) => first.to_lowercase().chain(c).collect(),
                None => String::new(),
            }
        }
    }
}

/// Reads and parses one file, without checking it or reading what it includes.
/// The file is `None` only when it cannot be read.
pub fn parse_path(path: &Path, sources: &mut Sources) -> (Option<PlanFile>, Diagnostics) {
    match read_source(path, sources) {
        Ok(id) => {
            let (file, diags) = syntax::parse_file(id, sources.get(id));
            (Some(file), diags)
        }
        Err(d) => (None, Diagnostics { items: vec![*d] }),
    }
}

/// Reads, parses and checks a plan and the files it includes.
///
/// A file that cannot be read at all is an `Err` with its message.
pub fn load_plan(path: &Path, sources: &mut Sources) -> Loaded {
    let (main, mut diagnostics) = parse_path(path, sources);
    let Some(main) = main else {
        return Loaded {
            files: Vec::new(),
            plan: None,
            diagnostics,
        };
    };
    let mut files = vec![main];
    let includes: Vec<(String, Span)> = files[0]
        .sections
        .iter()
        .filter_map(|s| match &s.header.node {
            Header::Include { path } => Some((path.node.clone(), path.span)),
            _ => None,
        })
        .collect();
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut included: Vec<std::path::PathBuf> = Vec::new();
    for (rel, span) in includes {
        let inc = dir.join(&rel);
        if included.contains(&inc) {
            diagnostics.push(
                Diagnostic::error("E106", span, format!("`{rel}` is included twice"))
                    .label("included again")
                    .help("include each file once"),
            );
            continue;
        }
        included.push(inc.clone());
        match read_source(&inc, sources) {
            Ok(inc_id) => {
                let (f, d) = syntax::parse_file(inc_id, sources.get(inc_id));
                diagnostics.extend(d);
                files.push(f);
            }
            Err(d) => diagnostics.push(
                Diagnostic::error(
                    "E106",
                    span,
                    format!("cannot include `{rel}`: {}", d.message),
                )
                .label("cannot be read")
                .help("the path is relative to the plan's folder, such as `common/diseases.plan`"),
            ),
        }
    }
    let syntax_ok = !diagnostics.has_errors();
    let (plan, diags) = check::check(&files);
    diagnostics.extend(diags);
    diagnostics.sort();
    Loaded {
        files,
        plan: if syntax_ok { plan } else { None },
        diagnostics,
    }
}
