//! Diagnostics: what `check` says about a plan, and how it is rendered.
//!
//! Every diagnostic has a stable code, a severity, a message in the
//! designer's words, a label on the exact span, and usually help that says
//! how to fix it. Rendering happens here and nowhere else: human (miette's
//! graphical report), plain (`file:line:column: ...`), or JSON.

use crate::source::{Sources, Span};
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
    /// miette's graphical report, with the source line and a label.
    Human,
    /// One `file:line:column: severity[code]: message` line each, with help indented.
    Plain,
    /// A JSON array of objects.
    Json,
}

/// Renders diagnostics. `color` applies to the human format only.
pub fn render(sources: &Sources, diags: &[Diagnostic], format: Format, color: bool) -> String {
    match format {
        Format::Human => {
            let mut out: String = diags
                .iter()
                .take(MAX_DRAWN)
                .map(|d| render_human(sources, d, color))
                .collect();
            if diags.len() > MAX_DRAWN {
                out.push_str(&format!(
                    "… and {} more problems not drawn (`--format plain` lists every one)\n",
                    diags.len() - MAX_DRAWN
                ));
            }
            out
        }
        Format::Plain => diags.iter().map(|d| render_plain(sources, d)).collect(),
        Format::Json => {
            let items: Vec<JsonDiagnostic> = diags.iter().map(|d| to_json(sources, d)).collect();
            let mut s = serde_json::to_string_pretty(&items).unwrap_or_default();
            s.push('\n');
            s
        }
    }
}

/// At most this many diagnostics are drawn; the rest are counted.
const MAX_DRAWN: usize = 200;

/// Lines longer than this are not drawn: the diagnostic is shown in the plain format.
const MAX_DRAWN_LINE: usize = 400;

/// The lines of a file around a diagnostic's labels, with their place in the
/// file: miette reads only these, so drawing a diagnostic costs the same in a
/// large file as in a small one.
struct Window {
    name: String,
    text: String,
    /// Byte offset and 0-based line of the window's first byte in the file.
    offset: usize,
    first_line: usize,
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
        Window {
            name: file.name.clone(),
            text: file.text[offset..end].to_string(),
            offset,
            first_line: from - 1,
        }
    }
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
            inner.column(),
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
    if (line..=end_line.min(line + 3)).any(|l| file.line_text(l).len() > MAX_DRAWN_LINE) {
        return render_plain(sources, d);
    }
    let near = |span: &Span| {
        span.file == d.span.file
            && file.line_col(span.start as usize).0.abs_diff(line) <= MAX_DRAWN_DISTANCE
    };
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        (!d.label.is_empty()).then(|| d.label.clone()),
        (d.span.start as usize, d.span.len()),
    )];
    for (span, label) in &d.related {
        if near(span) {
            labels.push(LabeledSpan::new_with_span(
                Some(label.clone()),
                (span.start as usize, span.len()),
            ));
        }
    }
    let mut m = MietteDiagnostic::new(d.message.clone())
        .with_code(d.code)
        .with_severity(match d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
        .with_labels(labels);
    let mut help = d.help.clone().unwrap_or_default();
    for (span, label) in &d.related {
        if !near(span) {
            if !help.is_empty() {
                help.push('\n');
            }
            help.push_str(&format!("{}: {}", sources.locate(*span), label));
        }
    }
    if !help.is_empty() {
        m = m.with_help(help);
    }
    let mut spans = vec![d.span];
    spans.extend(d.related.iter().filter(|(s, _)| near(s)).map(|(s, _)| *s));
    let report = miette::Report::new(m).with_source_code(Window::new(file, &spans));
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, report.as_ref()).is_err() {
        return render_plain(sources, d);
    }
    out.push('\n');
    out
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
        d.message
    );
    for (span, label) in &d.related {
        out.push_str(&format!("  {}: {}\n", sources.locate(*span), label));
    }
    if let Some(help) = &d.help {
        for (i, line) in help.lines().enumerate() {
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

/// The closest of `candidates` to `name`, when close enough to suggest.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|(d, c)| *d <= (c.len().max(name.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}
