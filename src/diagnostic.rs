//! Diagnostics: what `check` says about a plan, and how it is rendered.
//!
//! Every diagnostic has a stable code, a severity, a message in the
//! designer's words, a label on the exact span, and usually help that says
//! how to fix it. Rendering happens here and nowhere else: human (miette's
//! graphical report), plain (`file:line:column: ...`), or JSON.

use crate::source::{Sources, Span};
use crate::terminal_text::{escape_lines, hidden_in_lines, visible};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    pub label: String,
    pub help: Option<String>,
    /// Further places that explain the problem (the first definition of a duplicate, say).
    pub related: Vec<(Span, String)>,
    /// An edit that fixes the problem, when there is exactly one to offer
    /// (an editor shows it as a quick fix).
    pub fix: Option<Fix>,
}

/// Replace the text at `span` with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub span: Span,
    pub replacement: String,
    /// How an editor names the fix: "Replace with `accident`".
    pub title: String,
}

impl Diagnostic {
    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            span,
            label: String::new(),
            help: None,
            related: Vec::new(),
            fix: None,
        }
    }

    pub fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, span, message)
        }
    }

    pub fn label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = label.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn related(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.related.push((span, label.into()));
        self
    }

    /// Offers an edit that fixes the problem: `replacement` written at `span`.
    pub fn fix(self, span: Span, replacement: impl Into<String>) -> Diagnostic {
        let replacement = replacement.into();
        let title = format!("Replace with `{replacement}`");
        self.fix_titled(span, replacement, title)
    }

    /// `fix`, named as the help names it ("Start this band at 40 years").
    pub fn fix_titled(
        mut self,
        span: Span,
        replacement: impl Into<String>,
        title: impl Into<String>,
    ) -> Diagnostic {
        self.fix = Some(Fix {
            span,
            replacement: replacement.into(),
            title: title.into(),
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// All diagnostics of a command, kept in source order.
#[derive(Debug, Default)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    /// Sort by file and position; a stable order for output and snapshots.
    pub fn sort(&mut self) {
        self.items
            .sort_by_key(|d| (d.span.file, d.span.start, d.span.end, d.code));
        self.items.dedup_by(|a, b| {
            a.code == b.code && a.span.same_place(b.span) && a.message == b.message
        });
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }
}

/// How diagnostics are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The source lines with the problem marked under them, and help (on stderr).
    Human,
    /// One `file:line:column: severity[code]: message` line each, with help indented.
    Plain,
    /// A JSON array of objects.
    Json,
}

/// At most this many diagnostics are shown, in every format; the rest are
/// counted in one last line (in JSON, a last object `{"omitted": N}`).
pub const MAX_SHOWN: usize = 100;

/// Renders diagnostics, at most `MAX_SHOWN` of them. `color` applies to the
/// human format only. Text from plans is shown with its control characters
/// written visibly (`\u{1b}`), except in JSON, which escapes them itself.
pub fn render(sources: &Sources, diags: &[Diagnostic], format: Format, color: bool) -> String {
    let shown = &diags[..diags.len().min(MAX_SHOWN)];
    let omitted = diags.len() - shown.len();
    match format {
        Format::Human => {
            let mut out: String = shown
                .iter()
                .map(|d| render_human(sources, d, color))
                .collect();
            out.push_str(&omitted_line(omitted));
            out
        }
        Format::Plain => {
            let mut out: String = shown.iter().map(|d| render_plain(sources, d)).collect();
            out.push_str(&omitted_line(omitted));
            out
        }
        Format::Json => render_json(sources, shown, omitted),
    }
}

/// The line that counts the diagnostics not shown, if any.
fn omitted_line(omitted: usize) -> String {
    match omitted {
        0 => String::new(),
        1 => "… and 1 more problem not shown\n".to_string(),
        n => format!("… and {n} more problems not shown\n"),
    }
}

/// A JSON array of the diagnostics shown, then `{"omitted": N}` if some are not.
fn render_json(sources: &Sources, shown: &[Diagnostic], omitted: usize) -> String {
    let mut items: Vec<serde_json::Value> = shown
        .iter()
        .map(|d| serde_json::to_value(to_json(sources, d)).unwrap_or_default())
        .collect();
    if omitted > 0 {
        items.push(serde_json::json!({ "omitted": omitted }));
    }
    let mut s = serde_json::to_string_pretty(&items).unwrap_or_default();
    s.push('\n');
    s
}

/// Lines longer than this are not drawn: the diagnostic is shown in the plain format.
const MAX_DRAWN_LINE: usize = 400;

/// The lines of a file around a diagnostic's labels, with their place in the
/// file: miette reads only these, so drawing a diagnostic costs the same in a
/// large file as in a small one. Control characters are shown written
/// visibly; `shown` maps a place in the file to the place in the text shown.
struct Window {
    name: String,
    /// The lines shown, control characters written visibly.
    text: String,
    /// Byte offset and 0-based line of the window's first byte in the file.
    offset: usize,
    first_line: usize,
    /// For each character written visibly: where it ends in the file's
    /// lines (from `offset`) and in `text`.
    shifts: Vec<(usize, usize)>,
}

impl Window {
    fn new(file: &crate::source::SourceFile, spans: &[Span]) -> Window {
        let first = spans
            .iter()
            .map(|s| file.line_col(s.start as usize).0)
            .min()
            .unwrap_or(1);
        let last = spans
            .iter()
            .map(|s| file.line_col(s.end as usize).0)
            .max()
            .unwrap_or(1);
        let (from, to) = (first.saturating_sub(3).max(1), last + 3);
        let offset = file.line_offset(from);
        let end = file.line_offset(to + 1);
        let (text, shifts) = shown_text(&file.text[offset..end]);
        Window {
            name: file.name.clone(),
            text,
            offset,
            first_line: from - 1,
            shifts,
        }
    }

    /// The place, in the text shown, of the byte `at` of the file.
    fn shown(&self, at: usize) -> usize {
        let local = at.saturating_sub(self.offset);
        let k = self.shifts.partition_point(|&(orig, _)| orig <= local);
        let extra = k
            .checked_sub(1)
            .map_or(0, |k| self.shifts[k].1 - self.shifts[k].0);
        self.offset + local + extra
    }

    /// The byte of the lines in the file at the place `local` of the text shown.
    fn original(&self, local: usize) -> usize {
        let k = self.shifts.partition_point(|&(_, shown)| shown <= local);
        let extra = k
            .checked_sub(1)
            .map_or(0, |k| self.shifts[k].1 - self.shifts[k].0);
        local.saturating_sub(extra)
    }

    /// A span of the file as miette must see it: a place in the text shown.
    fn label(&self, span: Span) -> (usize, usize) {
        let start = self.shown(span.start as usize);
        (start, self.shown(span.end as usize) - start)
    }

    /// The column (0-based, in bytes of the file) of the place `local` of the text shown.
    fn column(&self, local: usize) -> usize {
        let local = local.min(self.text.len());
        let line_start = self.text[..local].rfind('\n').map_or(0, |i| i + 1);
        self.original(local) - self.original(line_start)
    }
}

/// Text with its control characters written visibly, and where each ends in
/// the text and in what is shown.
fn shown_text(text: &str) -> (String, Vec<(usize, usize)>) {
    let mut out = String::with_capacity(text.len());
    let mut shifts = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if hidden_in_lines(c, chars.peek().map(|&(_, n)| n)) {
            out.push_str(&visible(c));
            shifts.push((i + c.len_utf8(), out.len()));
        } else {
            out.push(c);
        }
    }
    (out, shifts)
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let local = SourceSpan::new(span.offset().saturating_sub(self.offset).into(), span.len());
        let inner = self.text.read_span(&local, before, after)?;
        let outer = SourceSpan::new(
            (inner.span().offset() + self.offset).into(),
            inner.span().len(),
        );
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            outer,
            inner.line() + self.first_line,
            self.column(inner.span().offset()),
            inner.line_count(),
        )))
    }
}

/// A related place more than this many lines from the problem is named in the
/// help rather than drawn.
const MAX_DRAWN_DISTANCE: usize = 12;

fn render_human(sources: &Sources, d: &Diagnostic, color: bool) -> String {
    let file = sources.get(d.span.file);
    let (line, _) = file.line_col(d.span.start as usize);
    let (end_line, _) = file.line_col(d.span.end as usize);
    // A file that could not be read has no line to draw: it is reported in
    // one line, as a data file that cannot be read is.
    let unread = file.text.is_empty() && d.code == "E001";
    if unread || (line..=end_line.min(line + 3)).any(|l| file.line_text(l).len() > MAX_DRAWN_LINE) {
        return render_plain(sources, d);
    }
    let near = |span: &Span| {
        span.file == d.span.file
            && file.line_col(span.start as usize).0.abs_diff(line) <= MAX_DRAWN_DISTANCE
    };
    let mut spans = vec![d.span];
    spans.extend(d.related.iter().filter(|(s, _)| near(s)).map(|(s, _)| *s));
    let window = Window::new(file, &spans);
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        (!d.label.is_empty()).then(|| escape_lines(&d.label).into_owned()),
        window.label(d.span),
    )];
    for (span, label) in d.related.iter().filter(|(s, _)| near(s)) {
        labels.push(LabeledSpan::new_with_span(
            Some(escape_lines(label).into_owned()),
            window.label(*span),
        ));
    }
    let mut help = d.help.clone().unwrap_or_default();
    for (span, label) in d.related.iter().filter(|(s, _)| !near(s)) {
        if !help.is_empty() {
            help.push('\n');
        }
        help.push_str(&format!("{}: {}", sources.locate(*span), label));
    }
    draw(d, labels, &help, window, color).unwrap_or_else(|| render_plain(sources, d))
}

/// miette's drawing of a diagnostic with its labels over a window of its file.
fn draw(
    d: &Diagnostic,
    labels: Vec<LabeledSpan>,
    help: &str,
    window: Window,
    color: bool,
) -> Option<String> {
    let mut m = MietteDiagnostic::new(escape_lines(&d.message))
        .with_code(d.code)
        .with_severity(match d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
        .with_labels(labels);
    if !help.is_empty() {
        m = m.with_help(escape_lines(help));
    }
    let report = miette::Report::new(m).with_source_code(window);
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    handler.render_report(&mut out, report.as_ref()).ok()?;
    out.push('\n');
    Some(out)
}

fn render_plain(sources: &Sources, d: &Diagnostic) -> String {
    let severity = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut out = format!(
        "{}: {}[{}]: {}\n",
        sources.locate(d.span),
        severity,
        d.code,
        escape_lines(&d.message)
    );
    for (span, label) in &d.related {
        out.push_str(&format!(
            "  {}: {}\n",
            sources.locate(*span),
            escape_lines(label)
        ));
    }
    if let Some(help) = &d.help {
        for (i, line) in escape_lines(help).lines().enumerate() {
            let lead = if i == 0 { "  help: " } else { "        " };
            out.push_str(lead);
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[derive(Serialize)]
struct JsonDiagnostic {
    code: &'static str,
    severity: Severity,
    message: String,
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    label: String,
    help: Option<String>,
}

fn to_json(sources: &Sources, d: &Diagnostic) -> JsonDiagnostic {
    let file = sources.get(d.span.file);
    let (line, column) = file.line_col(d.span.start as usize);
    let (end_line, end_column) = file.line_col(d.span.end as usize);
    JsonDiagnostic {
        code: d.code,
        severity: d.severity,
        message: d.message.clone(),
        file: file.name.clone(),
        line,
        column,
        end_line,
        end_column,
        label: d.label.clone(),
        help: d.help.clone(),
    }
}

/// Words longer than this (in characters) are not compared for a suggestion.
const MAX_SUGGESTED_LEN: usize = 64;

/// At most this many candidates are compared for one suggestion: a plan of
/// any size costs a bounded time to check.
const MAX_CANDIDATES: usize = 50;

/// The closest of `candidates` (the first `MAX_CANDIDATES` of them) to
/// `name`, when close enough to suggest.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let len = name.chars().count();
    if len > MAX_SUGGESTED_LEN {
        return None;
    }
    let within = |d: usize, c: &str| d <= (c.len().max(name.len()) / 3).max(1);
    candidates
        .into_iter()
        .take(MAX_CANDIDATES)
        .filter(|c| within(c.chars().count().abs_diff(len), c))
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|(d, c)| within(*d, c))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggestions_are_bounded() {
        assert_eq!(
            did_you_mean("critcal", ["critical", "minor"]),
            Some("critical")
        );
        let long = "a".repeat(100_000);
        assert_eq!(did_you_mean(&long, [long.as_str()]), None);
        let mut many: Vec<String> = (0..1_000).map(|k| format!("list{k}")).collect();
        many.push("critical".to_string());
        assert_eq!(
            did_you_mean("critcal", many.iter().map(String::as_str)),
            None
        );
    }
}
