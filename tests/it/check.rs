//! `mutual check` on the corpus of broken plans: each file holds one mistake,
//! named by its file name and by the codes on its `# expect:` line.

use crate::{expected_codes, plans_in, relative};
use mutual::diagnostic::{Format, Severity, render};
use mutual::source::Sources;

/// Every code the checker emits, each of which a broken plan must trigger.
const CODES: &[&str] = &[
    "E100", "E101", "E102", "E103", "E104", "E105", "E106", "E107", "E108", "E110", "E111", "E112",
    "E113", "E114", "E200", "E201", "E202", "E203", "E204", "E205", "E206", "E207", "E208", "E209",
    "E210", "E300", "E301", "E302", "E303", "E304", "E305", "E306", "E307", "E310", "E400", "E401",
    "E402", "E507", "W202", "W500", "W501",
];

/// `file:line:column: ` at the start of a plain diagnostic, with the numbers parsed.
fn location(plain: &str) -> Option<(&str, usize, usize)> {
    let first = plain.lines().next()?;
    let (loc, _) = first.split_once(": ")?;
    let mut parts = loc.rsplitn(3, ':');
    let column = parts.next()?.parse().ok()?;
    let line = parts.next()?.parse().ok()?;
    let file = parts.next()?;
    Some((file, line, column))
}

#[test]
fn broken_plans() {
    insta::glob!("../plans/broken", "*.plan", |path| {
        let rel = relative(path);
        let text = std::fs::read_to_string(path).expect("a broken plan is readable");
        let expect = expected_codes(&text);
        assert!(!expect.is_empty(), "{}: no `# expect:` line", rel.display());

        let mut sources = Sources::new();
        let loaded = mutual::load_plan(&rel, &mut sources);
        let items = &loaded.diagnostics.items;
        assert!(!items.is_empty(), "{}: no diagnostic", rel.display());
        if expect.iter().all(|c| c.starts_with('W')) {
            assert!(
                !loaded.diagnostics.has_errors(),
                "{}: an error where only a warning was expected",
                rel.display()
            );
            assert!(items.iter().any(|d| d.severity == Severity::Warning));
            assert!(loaded.plan.is_some(), "warnings alone do not stop the plan");
        } else {
            assert!(
                loaded.diagnostics.has_errors(),
                "{}: no error",
                rel.display()
            );
            assert!(loaded.plan.is_none(), "a plan with errors is not built");
        }
        for code in &expect {
            assert!(
                items.iter().any(|d| d.code == code),
                "{}: expected {code}, got {:?}",
                rel.display(),
                items.iter().map(|d| d.code).collect::<Vec<_>>()
            );
        }

        // Plain format: each diagnostic starts `file:line:column:` at its span.
        for d in items {
            let plain = render(&sources, std::slice::from_ref(d), Format::Plain, false);
            let (file, line, column) =
                location(&plain).unwrap_or_else(|| panic!("not `file:line:column:`: {plain}"));
            assert!(
                file.starts_with("tests/plans/broken/") && file.ends_with(".plan"),
                "unstable file name: {plain}"
            );
            let source = sources.get(d.span.file);
            assert_eq!(source.name, file);
            assert_eq!(
                source.line_col(d.span.start as usize),
                (line, column),
                "{plain}"
            );
            assert!(line >= 1 && column >= 1, "{plain}");
        }

        let human = render(&sources, items, Format::Human, false);
        for d in items {
            let name = &sources.get(d.span.file).name;
            assert!(
                human.contains(&format!("[{name}:")),
                "the report names {name}: {human}"
            );
        }
        insta::assert_snapshot!(human);
    });
}

#[test]
fn every_code_has_a_broken_plan() {
    let mut covered = Vec::new();
    for path in plans_in("tests/plans/broken") {
        let text = std::fs::read_to_string(&path).expect("readable");
        covered.extend(expected_codes(&text));
    }
    let missing: Vec<&&str> = CODES
        .iter()
        .filter(|c| !covered.iter().any(|x| x == **c))
        .collect();
    assert!(missing.is_empty(), "no broken plan triggers {missing:?}");
    assert!(plans_in("tests/plans/broken").len() >= 30);
}

#[test]
fn two_problems_are_both_reported() {
    let mut sources = Sources::new();
    let path = std::path::Path::new("tests/plans/broken/two-problems-on-different-lines.plan");
    let loaded = mutual::load_plan(path, &mut sources);
    let errors: Vec<(usize, &str)> = loaded
        .diagnostics
        .items
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            (
                sources.get(d.span.file).line_col(d.span.start as usize).0,
                d.code,
            )
        })
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_ne!(errors[0].0, errors[1].0, "on different lines: {errors:?}");
}
