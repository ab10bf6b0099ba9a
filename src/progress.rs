//! A progress bar on stderr for long runs: rows read, then periods shared.
//! It appears only after about a second, only on a terminal, and never with
//! `--quiet`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Show nothing for runs shorter than this.
const DELAY: Duration = Duration::from_secs(1);

pub struct Progress {
    bar: ProgressBar,
    start: Instant,
    enabled: bool,
    shown: AtomicBool,
}

impl Progress {
    /// A progress bar that shows itself when the run gets long, unless `quiet`
    /// or stderr is not a terminal.
    pub fn new(quiet: bool) -> Progress {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        Progress {
            bar,
            start: Instant::now(),
            enabled: !quiet && std::io::stderr().is_terminal(),
            shown: AtomicBool::new(false),
        }
    }

    /// A progress bar that never shows.
    pub fn hidden() -> Progress {
        let mut p = Progress::new(true);
        p.enabled = false;
        p
    }

    fn maybe_show(&self) {
        if self.enabled && !self.shown.load(Ordering::Relaxed) && self.start.elapsed() >= DELAY {
            self.shown.store(true, Ordering::Relaxed);
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// Starts a stage: `what` with `total` steps of `unit`.
    pub fn stage(&self, what: &str, total: u64, unit: &str) {
        let template = format!("{{msg:>16}} [{{bar:40}}] {{pos}}/{{len}} {unit} ({{elapsed}})");
        if let Ok(style) = ProgressStyle::with_template(&template) {
            self.bar.set_style(style.progress_chars("=> "));
        }
        self.bar.set_message(what.to_string());
        self.bar.set_length(total);
        self.bar.set_position(0);
        self.maybe_show();
    }

    pub fn set_total(&self, total: u64) {
        self.bar.set_length(total);
    }

    pub fn set(&self, pos: u64) {
        self.bar.set_position(pos);
        self.maybe_show();
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
