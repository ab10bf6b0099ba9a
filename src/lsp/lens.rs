//! Example results inline: a code lens over each `example` that says
//! whether it passed. Examples may take seconds (millions of members), so
//! they run on a worker thread: the first request shows "running", and the
//! editor is asked to refresh the lenses when the results are in.

use super::analysis::Analysis;
use super::diagnostics;
use crate::plan::Plan;
use crate::testing::{Coverage, ExampleResult, run_example};
use lsp_types::{CodeLens, Command};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The examples of one plan: the results for the texts last run, and the
/// texts waiting to be run.
#[derive(Default)]
struct Slot {
    done: Option<(u64, Vec<String>)>,
    wanted: Option<(u64, Box<Plan>)>,
    running: bool,
}

/// Example results by plan file, shared with the worker threads.
#[derive(Clone, Default)]
pub struct Lenses {
    slots: Arc<Mutex<HashMap<PathBuf, Slot>>>,
}

impl Lenses {
    /// A lens over each example of the plan: its result if the plan's texts
    /// were run, else "running" (and a run is started; `done` is called
    /// when its results are in).
    pub fn lenses(&self, analysis: &Analysis, done: impl Fn() + Send + 'static) -> Vec<CodeLens> {
        let Some(plan) = &analysis.loaded.plan else {
            return Vec::new();
        };
        let key = texts_key(analysis);
        let titles = self.titles(analysis, plan, key, done);
        plan.examples
            .iter()
            .enumerate()
            .filter(|(_, ex)| ex.span.file == plan.span.file)
            .map(|(i, ex)| {
                let title = titles
                    .as_ref()
                    .and_then(|t| t.get(i).cloned())
                    .unwrap_or_else(|| "running the example…".to_string());
                CodeLens {
                    range: diagnostics::range(analysis, ex.span.file, ex.span.start, ex.span.start),
                    command: Some(Command::new(title, String::new(), None)),
                    data: None,
                }
            })
            .collect()
    }

    /// The results for `key`, or none after asking the worker for them.
    fn titles(
        &self,
        analysis: &Analysis,
        plan: &Plan,
        key: u64,
        done: impl Fn() + Send + 'static,
    ) -> Option<Vec<String>> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let slot = slots.entry(analysis.path.clone()).or_default();
        if let Some((k, titles)) = &slot.done
            && *k == key
        {
            return Some(titles.clone());
        }
        if slot.wanted.as_ref().is_none_or(|(k, _)| *k != key) {
            slot.wanted = Some((key, Box::new(plan.clone())));
        }
        if !slot.running {
            slot.running = true;
            let (lenses, path) = (self.clone(), analysis.path.clone());
            std::thread::spawn(move || lenses.work(path, done));
        }
        None
    }

    /// Runs the plan last wanted, until none is waiting.
    fn work(&self, path: PathBuf, done: impl Fn()) {
        loop {
            let job = {
                let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
                let slot = slots.entry(path.clone()).or_default();
                match slot.wanted.take() {
                    Some(job) => job,
                    None => {
                        slot.running = false;
                        return;
                    }
                }
            };
            let (key, plan) = job;
            let titles = plan
                .examples
                .iter()
                .map(|ex| title(&run_example(&plan, ex, &mut Coverage::default())))
                .collect();
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            slots.entry(path.clone()).or_default().done = Some((key, titles));
            drop(slots);
            done();
        }
    }
}

/// What a lens says of one result.
pub fn title(r: &ExampleResult) -> String {
    if let Some(e) = &r.error {
        return format!("✗ could not run: {e}");
    }
    match r.failures.first() {
        None => format!(
            "✓ passed ({})",
            crate::words::count(r.expectations as u64, "expectation")
        ),
        Some(f) => format!(
            "✗ failed: {} expected {}, got {}{}",
            f.target,
            f.expected,
            f.actual,
            match r.failures.len() {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            }
        ),
    }
}

/// A hash of every text the plan was read from: results hold while it holds.
fn texts_key(analysis: &Analysis) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for (_, f) in analysis.sources.iter() {
        f.text.hash(&mut h);
    }
    h.finish()
}
