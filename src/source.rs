//! Plan texts and the spans that point into them.

use std::path::{Path, PathBuf};

/// Which loaded file a span points into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one loaded file. Small and `Copy`; carried on every AST node.
///
/// Spans are left out of equality: two nodes written at different places
/// compare equal when they say the same thing (so a reformatted plan equals
/// the original). `same_place` compares the places themselves.
#[derive(Clone, Copy, Debug)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl PartialEq for Span {
    fn eq(&self, _: &Span) -> bool {
        true
    }
}

impl Eq for Span {}

impl std::hash::Hash for Span {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

impl Span {
    /// Whether two spans point at the same bytes of the same file.
    pub fn same_place(self, other: Span) -> bool {
        (self.file, self.start, self.end) == (other.file, other.start, other.end)
    }

    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }

    /// The span that covers both `self` and `other` (same file).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.end == self.start
    }
}

/// One loaded file: its name as the user gave it, and its text.
#[derive(Debug)]
pub struct SourceFile {
    /// The name as given, with any control character written visibly
    /// (`\u{1b}`): it is printed as it is.
    pub name: String,
    pub path: PathBuf,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, path: impl Into<PathBuf>, text: String) -> SourceFile {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let name: String = name.into();
        SourceFile {
            name: crate::terminal_text::escape(&name).into_owned(),
            path: path.into(),
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let column = self.text[start..offset].chars().count() + 1;
        (line + 1, column)
    }

    /// The byte offset where the 1-based line `line` starts (the end of the text past the last line).
    pub fn line_offset(&self, line: usize) -> usize {
        self.line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len())
    }

    /// The text of the 1-based line `line`, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self.line_starts[line - 1];
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    pub fn slice(&self, span: Span) -> &str {
        &self.text[span.start as usize..span.end as usize]
    }
}

/// Every file loaded for one command: plans and the files they include.
#[derive(Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    pub fn new() -> Sources {
        Sources::default()
    }

    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId(self.files.len() as u32 - 1)
    }

    /// Forgets the text of a file that is not a plan, so that no diagnostic
    /// ever shows a line of it; its name stays.
    pub fn hide(&mut self, id: FileId) {
        let file = &mut self.files[id.0 as usize];
        *file = SourceFile::new(
            std::mem::take(&mut file.name),
            std::mem::take(&mut file.path),
            String::new(),
        );
    }

    /// Every file, with its id, in the order loaded.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn find(&self, path: &Path) -> Option<FileId> {
        self.files
            .iter()
            .position(|f| f.path == path)
            .map(|i| FileId(i as u32))
    }

    /// `file:line` of a span, as cited in explanations.
    pub fn cite(&self, span: Span) -> String {
        let file = self.get(span.file);
        let (line, _) = file.line_col(span.start as usize);
        format!("{}:{}", file.name, line)
    }

    /// `file:line:column` of a span.
    pub fn locate(&self, span: Span) -> String {
        let file = self.get(span.file);
        let (line, column) = file.line_col(span.start as usize);
        format!("{}:{}:{}", file.name, line, column)
    }
}
