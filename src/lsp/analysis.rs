//! One plan as the editor sees it: read (open texts first), parsed and
//! checked, with the files it includes.

use crate::ast::PlanFile;
use crate::load::{Loaded, load_plan_with};
use crate::read::OpenTexts;
use crate::source::{FileId, SourceFile, Sources, Span};
use lsp_types::Uri;
use std::path::{Path, PathBuf};

/// What `mutual check` makes of the plan at `path`, kept for the requests
/// that follow until the plan or a file it includes changes.
pub struct Analysis {
    /// The plan file (absolute, with links resolved), or the address itself
    /// of a document that is not a file.
    pub path: PathBuf,
    /// The plan's address, as the editor gave it.
    pub uri: Uri,
    pub sources: Sources,
    pub loaded: Loaded,
}

impl Analysis {
    pub fn of(path: &Path, uri: Uri, open: &OpenTexts) -> Analysis {
        let mut sources = Sources::new();
        let loaded = load_plan_with(path, &mut sources, open);
        Analysis {
            path: path.to_path_buf(),
            uri,
            sources,
            loaded,
        }
    }

    /// The loaded file at `path`, if the plan is that file or includes it.
    pub fn file(&self, path: &Path) -> Option<FileId> {
        self.sources
            .iter()
            .find(|(_, f)| f.path == path)
            .map(|(id, _)| id)
    }

    /// The parsed file with this id (none for a file that could not be read as a plan).
    pub fn ast(&self, id: FileId) -> Option<&PlanFile> {
        self.loaded.files.iter().find(|f| f.file == id)
    }

    pub fn source(&self, id: FileId) -> &SourceFile {
        self.sources.get(id)
    }

    /// The text a span covers.
    pub fn text(&self, span: Span) -> &str {
        self.sources.get(span.file).slice(span)
    }

    /// `common/diseases.plan:7`: a span's file, named from the plan's
    /// folder, and line, as hovers cite rules.
    pub fn cite(&self, span: Span) -> String {
        let file = self.sources.get(span.file);
        let folder = self.path.parent().unwrap_or(Path::new(""));
        let name = file.path.strip_prefix(folder).unwrap_or(&file.path);
        let (line, _) = file.line_col(span.start as usize);
        format!("{}:{line}", name.display())
    }

    /// The address of a loaded file.
    pub fn uri(&self, id: FileId) -> Option<Uri> {
        let path = &self.sources.get(id).path;
        if *path == self.path {
            return Some(self.uri.clone());
        }
        path_uri(path)
    }

    /// The file that `include "rel"` in the plan loads.
    pub fn included(&self, rel: &str) -> Option<FileId> {
        let folder = crate::include::Folder::of(&self.path).ok()?;
        let path = folder.resolve(rel).ok()?;
        self.file(&path)
    }
}

/// The path a document is known by: its file's, or for a document that is
/// not a file (a new, unsaved one), its address.
pub fn document_path(uri: &Uri) -> PathBuf {
    uri_path(uri).unwrap_or_else(|| PathBuf::from(uri.as_str()))
}

/// The local path of a `file:` address.
pub fn uri_path(uri: &Uri) -> Option<PathBuf> {
    let url = url::Url::parse(uri.as_str()).ok()?;
    let path = url.to_file_path().ok()?;
    Some(path.canonicalize().unwrap_or(path))
}

/// The `file:` address of a local path.
pub fn path_uri(path: &Path) -> Option<Uri> {
    let url = url::Url::from_file_path(path).ok()?;
    url.as_str().parse().ok()
}
