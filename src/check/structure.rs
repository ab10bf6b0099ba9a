//! What goes in which section, and what may be written only once.

use super::Checker;
use crate::ast::{CapBasis, Header, StatementKind};

use crate::diagnostic::Diagnostic;
use crate::source::Span;
use std::collections::HashMap;

/// The section a statement belongs in.
fn home(kind: &StatementKind) -> &'static str {
    use StatementKind::*;
    match kind {
        Title(_) | Operator(_) | Currency(_) | Launched(_) | PlanCloses { .. } => "plan",
        Join(_) | Requires(_) | Pays(_) | EndsAtAge(_) | EndsOnPayout(_) | Term { .. } => {
            "membership"
        }
        Covers(_) | Waiting { .. } | Payout(_) | Limit(_) | OnlyFor(_) | WaitingRefund => "benefit",
        Closes(_) | Fee(_) | Split(_) | Cap(_) | Excess(_) | Rounding { .. } => "sharing",
        MinimumBalance(_) | Resumes { .. } | AccountFee { .. } => "account",
        Minimum(_) => "viability",
        AsOf(_)
        | Member { .. }
        | Members { .. }
        | Claim { .. }
        | Claims { .. }
        | Payment { .. }
        | Expect { .. } => "example",
    }
}

/// A key under which a statement may appear once per section (None: repeatable).
pub(super) fn once_key(kind: &StatementKind) -> Option<&'static str> {
    use StatementKind::*;
    Some(match kind {
        EndsOnPayout(_)
        | Member { .. }
        | Members { .. }
        | Claim { .. }
        | Claims { .. }
        | Payment { .. }
        | Expect { .. }
        | Covers(_) => {
            return None;
        }
        Cap(crate::ast::Cap::Fixed { basis, .. }) => match basis.node {
            CapBasis::Case => "cap per case",
            CapBasis::Charge => "cap per charge",
            CapBasis::Year => "cap per year",
            CapBasis::CalendarYear => "cap per calendar year",
        },
        Cap(crate::ast::Cap::PerYearByAge { .. }) => "cap per year",
        other => other.keyword(),
    })
}

impl Checker<'_> {
    pub(super) fn structure(&mut self) {
        let mut seen_sections: HashMap<String, Span> = HashMap::new();
        for (file_index, file) in self.files.iter().enumerate() {
            for section in &file.sections {
                let header = &section.header;
                let kw = header.node.keyword();
                if file_index > 0 && !matches!(header.node, Header::Diseases { .. }) {
                    self.push(
                        Diagnostic::error(
                            "E106",
                            header.span,
                            format!("an included file may hold only disease lists, not `{kw}`"),
                        )
                        .label("not a disease list")
                        .help("move this section into the plan itself"),
                    );
                    continue;
                }
                let key = match &header.node {
                    Header::Benefit { name, .. } => Some(format!("benefit {}", name.node)),
                    Header::Diseases { name, .. } => Some(format!("diseases {}", name.node)),
                    Header::Example { .. } | Header::Include { .. } => None,
                    _ => Some(kw.to_string()),
                };
                if let Some(key) = key {
                    if let Some(first) = seen_sections.get(&key) {
                        let (code, what) = match &header.node {
                            Header::Benefit { name, .. } => {
                                ("E201", format!("benefit `{}` is declared twice", name.node))
                            }
                            Header::Diseases { name, .. } => (
                                "E203",
                                format!("disease list `{}` is declared twice", name.node),
                            ),
                            _ => ("E105", format!("the plan has two `{kw}` sections")),
                        };
                        let help = if code == "E105" {
                            "merge the two into one section"
                        } else {
                            "merge the two, or give the second another name"
                        };
                        self.push(
                            Diagnostic::error(code, header.span, what)
                                .label("declared again here")
                                .related(*first, "first declared here")
                                .help(help),
                        );
                    } else {
                        seen_sections.insert(key, header.span);
                    }
                }
                let mut once: HashMap<&'static str, Span> = HashMap::new();
                for stmt in &section.statements {
                    let want = home(&stmt.kind);
                    if want != kw {
                        let help = if want == "plan" {
                            format!("`{}` belongs under the `plan` header", stmt.kind.keyword())
                        } else {
                            format!("move it under `{want}`")
                        };
                        let mut d = Diagnostic::error(
                            "E102",
                            stmt.span,
                            format!(
                                "`{}` does not belong in a `{kw}` section",
                                stmt.kind.keyword()
                            ),
                        )
                        .label(format!("a `{want}` statement"))
                        .help(help);
                        if matches!(header.node, Header::Diseases { .. }) {
                            d = d.help(format!("a disease list holds only rows such as `CI001 \"恶性肿瘤——重度\"`; `{}` belongs under `{want}`", stmt.kind.keyword()));
                        }
                        self.push(d);
                        continue;
                    }
                    // Dated versions of one rule are checked by `versions`.
                    if let Some(key) = once_key(&stmt.kind).filter(|_| stmt.in_force.is_none()) {
                        if let Some(first) = once.get(key) {
                            self.push(
                                Diagnostic::error(
                                    "E105",
                                    stmt.span,
                                    format!("`{key}` is written twice in this section"),
                                )
                                .label("written again here")
                                .related(*first, "first written here")
                                .help("keep one of the two lines"),
                            );
                        } else {
                            once.insert(key, stmt.span);
                        }
                    }
                    if stmt.kind.takes_rows() && stmt.rows.is_empty() {
                        self.push(
                            Diagnostic::error("E402", stmt.span, format!("the table of `{}` has no rows", stmt.kind.keyword()))
                                .label("no rows under this line")
                                .help("write one row per age band under it, such as `30 days to 39 years: 300_000 CNY`"),
                        );
                    }
                }
            }
        }
    }
}
