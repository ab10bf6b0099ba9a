//! The seed plans under `plans/` check with no error and no warning; what the
//! checker made of each is a snapshot of its summary.

use crate::relative;
use mutual::diagnostic::{Format, render};
use mutual::source::Sources;
use mutual::summary::summarize;

#[test]
fn seed_plans_check_cleanly() {
    insta::glob!("../../plans", "*.plan", |path| {
        let rel = relative(path);
        let mut sources = Sources::new();
        let loaded = mutual::load_plan(&rel, &mut sources);
        let items = &loaded.diagnostics.items;
        assert!(
            !loaded.diagnostics.has_errors(),
            "{}",
            render(&sources, items, Format::Plain, false)
        );
        let plan = loaded.plan.as_ref().expect("a seed plan checks");
        insta::assert_snapshot!("summary", summarize(plan));

        let warnings = render(&sources, items, Format::Plain, false);
        assert_eq!(warnings, "", "a seed plan has no warning");
        let warnings = if warnings.is_empty() {
            "(no warnings)".to_string()
        } else {
            warnings
        };
        insta::assert_snapshot!("warnings", warnings);
    });
}
