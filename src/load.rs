//! Reading a plan file and the files it includes, then checking them.
//!
//! Any file may be named: every read is bounded (`read`), an include stays
//! inside the plan's folder (`include`), and a file that does not read as a
//! plan gets one diagnostic with none of its lines shown (`syntax::shape`).

use crate::ast::{Header, PlanFile};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::include::{Folder, Refusal};
use crate::read::{MAX_PLAN_SIZE, OpenTexts, ReadProblem};
use crate::source::{FileId, SourceFile, Sources, Span};
use crate::{check, plan, syntax};
use std::path::{Path, PathBuf};

/// A plan file read from disk with the files it includes, and what `check` made of it.
pub struct Loaded {
    /// The plan file first, then its includes.
    pub files: Vec<PlanFile>,
    pub plan: Option<plan::Plan>,
    pub diagnostics: Diagnostics,
}

/// Codes that only repeat, in the plan, that an include could not be read:
/// left out when one could not.
const AFTER_A_FAILED_INCLUDE: [&str; 2] = ["E202", "E207"];

/// Reads a plan file named by the user, or says why it cannot, located in it.
/// The text of a file that cannot be read as a plan is never kept.
fn read_top(
    path: &Path,
    sources: &mut Sources,
    open: &OpenTexts,
) -> Result<FileId, Box<Diagnostic>> {
    let name = path.display().to_string();
    let problem = match open.plan_text(path) {
        Ok(text) => return Ok(sources.add(SourceFile::new(name, path, text))),
        Err(p) => p,
    };
    if let ReadProblem::NotUtf8(prefix) = &problem
        && syntax::first_line_foreign(prefix).is_none()
    {
        let at = prefix.len();
        let id = sources.add(SourceFile::new(name, path, prefix.clone()));
        return Err(Box::new(
            Diagnostic::error("E001", Span::new(id, at, at), problem.reason())
                .label("invalid byte here")
                .help("save the plan as UTF-8"),
        ));
    }
    let id = sources.add(SourceFile::new(name, path, String::new()));
    Err(Box::new(top_problem(Span::new(id, 0, 0), &problem)))
}

/// A problem reading the plan file itself.
fn top_problem(span: Span, problem: &ReadProblem) -> Diagnostic {
    match problem {
        ReadProblem::TooLarge => Diagnostic::error("E002", span, problem.reason())
            .label("too large")
            .help("a plan is a page of rules: check that this is the plan file you meant"),
        ReadProblem::NotUtf8(_) => Diagnostic::error("E001", span, problem.reason())
            .label("not UTF-8")
            .help("save the plan as UTF-8"),
        ReadProblem::NotAFile(what) => {
            Diagnostic::error("E001", span, format!("cannot read the file: it is {what}"))
                .label("not a file")
                .help("name a plan file, a text file ending in .plan")
        }
        ReadProblem::Io(_) => Diagnostic::error("E001", span, problem.reason())
            .label("cannot be read")
            .help("check the path; a plan is a text file ending in .plan"),
    }
}

/// Parses a file read into `sources`; forgets its text if it is not a plan.
fn parse_in(id: FileId, sources: &mut Sources) -> (PlanFile, Diagnostics) {
    let (file, diags) = syntax::parse_file(id, sources.get(id));
    if syntax::is_not_a_plan(&diags) {
        sources.hide(id);
    }
    (file, diags)
}

/// Reads and parses one file, without checking it or reading what it includes.
/// The file is `None` only when it cannot be read.
pub fn parse_path(path: &Path, sources: &mut Sources) -> (Option<PlanFile>, Diagnostics) {
    parse_path_with(path, sources, &OpenTexts::new())
}

fn parse_path_with(
    path: &Path,
    sources: &mut Sources,
    open: &OpenTexts,
) -> (Option<PlanFile>, Diagnostics) {
    match read_top(path, sources, open) {
        Ok(id) => {
            let (file, diags) = parse_in(id, sources);
            (Some(file), diags)
        }
        Err(d) => (None, Diagnostics { items: vec![*d] }),
    }
}

/// Reads, parses and checks a plan and the files it includes.
pub fn load_plan(path: &Path, sources: &mut Sources) -> Loaded {
    load_plan_with(path, sources, &OpenTexts::new())
}

/// `load_plan`, reading the files open in an editor from their open texts.
pub fn load_plan_with(path: &Path, sources: &mut Sources, open: &OpenTexts) -> Loaded {
    let (main, mut diagnostics) = parse_path_with(path, sources, open);
    let main = main.filter(|_| !syntax::is_not_a_plan(&diagnostics));
    let Some(main) = main else {
        return Loaded {
            files: Vec::new(),
            plan: None,
            diagnostics,
        };
    };
    let mut files = vec![main];
    let failed = read_includes(path, &mut files, &mut diagnostics, sources, open);
    let syntax_ok = !diagnostics.has_errors();
    let (plan, mut diags) = check::check(&files);
    if failed {
        diags
            .items
            .retain(|d| !AFTER_A_FAILED_INCLUDE.contains(&d.code));
    }
    diagnostics.extend(diags);
    diagnostics.sort();
    Loaded {
        files,
        plan: if syntax_ok { plan } else { None },
        diagnostics,
    }
}

/// What one `include` line gave.
enum Included {
    File(PlanFile, Diagnostics),
    /// The same file again: reported, but its lists are there.
    Twice(Diagnostic),
    Failed(Diagnostic),
}

/// Reads the files `files[0]` includes; true when one of them could not be.
fn read_includes(
    path: &Path,
    files: &mut Vec<PlanFile>,
    diagnostics: &mut Diagnostics,
    sources: &mut Sources,
    open: &OpenTexts,
) -> bool {
    let includes: Vec<(String, Span)> = files[0]
        .sections
        .iter()
        .filter_map(|s| match &s.header.node {
            Header::Include { path } => Some((path.node.clone(), path.span)),
            _ => None,
        })
        .collect();
    let folder = match Folder::of(path) {
        Ok(f) => f,
        Err(e) => {
            for (rel, span) in &includes {
                diagnostics.push(refused(&Refusal::Unreadable(e.kind().into()), rel, *span));
            }
            return !includes.is_empty();
        }
    };
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut failed = false;
    for (rel, span) in includes {
        match include_one(&folder, &rel, span, &mut seen, sources, open) {
            Included::File(f, d) => {
                diagnostics.extend(d);
                files.push(f);
            }
            Included::Twice(d) => diagnostics.push(d),
            Included::Failed(d) => {
                diagnostics.push(d);
                failed = true;
            }
        }
    }
    failed
}

fn include_one(
    folder: &Folder,
    rel: &str,
    span: Span,
    seen: &mut Vec<PathBuf>,
    sources: &mut Sources,
    open: &OpenTexts,
) -> Included {
    let path = match folder.resolve(rel) {
        Ok(p) => p,
        Err(r) => return Included::Failed(refused(&r, rel, span)),
    };
    if seen.contains(&path) {
        return Included::Twice(
            Diagnostic::error("E106", span, format!("`{rel}` is included twice"))
                .label("included again")
                .help("include each file once"),
        );
    }
    seen.push(path.clone());
    let text = match open.plan_text(&path) {
        Ok(t) => t,
        Err(p) => return Included::Failed(unreadable(&p, rel, span)),
    };
    let name = folder.display_name(rel);
    let id = sources.add(SourceFile::new(name, path.clone(), text));
    let (file, diags) = parse_in(id, sources);
    if let Some(d) = diags.items.iter().find(|d| d.code == syntax::NOT_A_PLAN) {
        return Included::Failed(
            Diagnostic::error(
                syntax::NOT_A_PLAN,
                span,
                format!("cannot include `{rel}`: {}", d.message),
            )
            .label("not a plan file")
            .help(INCLUDE_HELP),
        );
    }
    Included::File(file, diags)
}

const INCLUDE_HELP: &str = "includes are plan files inside the plan's folder (or a folder under \
     it), named relative to the plan, such as `common/diseases.plan`";

/// An include refused for where it leads.
fn refused(r: &Refusal, rel: &str, span: Span) -> Diagnostic {
    let (code, message, label) = match r {
        Refusal::Absolute => (
            "E108",
            format!(
                "`{rel}` is an absolute path: an include names a file inside the plan's folder"
            ),
            "absolute path",
        ),
        Refusal::LeavesFolder => (
            "E108",
            format!("`{rel}` leads outside the plan's folder"),
            "outside the plan's folder",
        ),
        Refusal::LinksOutside => (
            "E108",
            format!("`{rel}` is a link to a file outside the plan's folder"),
            "links outside the plan's folder",
        ),
        Refusal::NotAFile(what) => (
            "E108",
            format!("`{rel}` is {what}, not a file"),
            "not a file",
        ),
        Refusal::ItsOwnPlan => (
            "E106",
            "a plan cannot include itself".to_string(),
            "the plan itself",
        ),
        Refusal::Unreadable(e) => (
            "E106",
            format!(
                "cannot include `{rel}`: cannot read the file: {}",
                crate::io_reason(e)
            ),
            "cannot be read",
        ),
    };
    Diagnostic::error(code, span, message)
        .label(label)
        .help(INCLUDE_HELP)
}

/// An included file that is there but cannot be read as plan text.
fn unreadable(p: &ReadProblem, rel: &str, span: Span) -> Diagnostic {
    let message = format!("cannot include `{rel}`: {}", p.reason());
    match p {
        ReadProblem::TooLarge => Diagnostic::error("E002", span, message)
            .label("too large")
            .help(format!(
                "a plan file, or a file it includes, holds at most {MAX_PLAN_SIZE}"
            )),
        ReadProblem::NotAFile(_) => Diagnostic::error("E108", span, message)
            .label("not a file")
            .help(INCLUDE_HELP),
        _ => Diagnostic::error("E106", span, message)
            .label("cannot be read")
            .help(INCLUDE_HELP),
    }
}
