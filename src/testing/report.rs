//! The results of `mutual test` over several plan files, as data: what the
//! text, JSON and JUnit renderings are made from.

use super::{Coverage, ExampleResult};
use crate::source::Sources;
use serde::Serialize;
use std::path::Path;

/// What became of one plan file.
pub enum PlanOutcome {
    /// The plan has errors: its examples were not run. The errors, rendered.
    DoesNotCheck(String),
    /// A file of disease lists only, or a plan without examples.
    NoExamples,
    /// Its examples ran.
    Ran {
        results: Vec<ExampleResult>,
        coverage: Box<Coverage>,
        plan: Box<crate::plan::Plan>,
    },
}

/// One plan file tested.
pub struct PlanTest {
    /// The path, as the terminal may show it.
    pub file: String,
    pub outcome: PlanOutcome,
    /// The plan's sources, to cite lines from.
    pub sources: Sources,
}

/// Every plan file tested, in order.
#[derive(Default)]
pub struct TestRun {
    pub plans: Vec<PlanTest>,
}

/// The counts a run ends with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub passed: usize,
    pub failed: usize,
    /// Plan files that do not check.
    pub broken: usize,
}

impl TestRun {
    /// Tests one plan file: checks it, then runs each of its examples.
    pub fn test_file(&mut self, path: &Path) {
        let mut sources = Sources::new();
        let loaded = crate::load_plan(path, &mut sources);
        let file = crate::terminal_text::escape(&path.display().to_string()).into_owned();
        let outcome = if loaded.diagnostics.has_errors() {
            let errors: Vec<_> = loaded
                .diagnostics
                .items
                .into_iter()
                .filter(|d| d.is_error())
                .collect();
            let format = crate::diagnostic::Format::Plain;
            PlanOutcome::DoesNotCheck(crate::diagnostic::render(&sources, &errors, format, false))
        } else {
            match loaded.plan {
                Some(plan) if !plan.examples.is_empty() => {
                    let mut coverage = Coverage::default();
                    let results = (plan.examples.iter())
                        .map(|ex| super::run_example(&plan, ex, &mut coverage))
                        .collect();
                    PlanOutcome::Ran {
                        results,
                        coverage: Box::new(coverage),
                        plan: Box::new(plan),
                    }
                }
                _ => PlanOutcome::NoExamples,
            }
        };
        self.plans.push(PlanTest {
            file,
            outcome,
            sources,
        });
    }

    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for p in &self.plans {
            match &p.outcome {
                PlanOutcome::DoesNotCheck(_) => t.broken += 1,
                PlanOutcome::NoExamples => {}
                PlanOutcome::Ran { results, .. } => {
                    let passed = results.iter().filter(|r| r.passed()).count();
                    t.passed += passed;
                    t.failed += results.len() - passed;
                }
            }
        }
        t
    }

    /// Whether every plan checked and every example passed.
    pub fn ok(&self) -> bool {
        let t = self.totals();
        t.failed == 0 && t.broken == 0
    }
}

/// `file:line` of a span, and the text of that line, trimmed.
pub fn line_of(sources: &Sources, span: crate::source::Span) -> (String, usize, String) {
    let file = sources.get(span.file);
    let (line, _) = file.line_col(span.start as usize);
    (
        file.name.clone(),
        line,
        file.line_text(line).trim().to_string(),
    )
}
