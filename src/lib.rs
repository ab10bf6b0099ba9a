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
pub mod commands;
pub mod diagnostic;
pub mod diff;
pub mod engine;
pub mod explain;
pub mod fmt;
pub mod i18n;
pub mod include;
pub mod input;
pub mod invariants;
pub mod load;
pub mod lsp;
pub mod money;
pub mod output;
pub mod period;
pub mod plan;
pub mod progress;
pub mod read;
pub mod report;
pub mod source;
pub mod summary;
pub mod syntax;
pub mod terminal_text;
pub mod testing;
pub mod words;

pub use load::{Loaded, load_plan, parse_path};

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
