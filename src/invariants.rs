//! What holds for any plan text, whatever bytes it is made of: parsing and
//! checking never panic, every diagnostic points inside the file, a file with
//! no plan has an error (unless it only lists diseases), diagnostics render,
//! and a file that parses formats idempotently into text that parses to the
//! same syntax tree. Used by the fuzzers and the tests; panics with what broke.

use crate::ast::Header;
use crate::diagnostic::{Format, render};
use crate::source::{SourceFile, Sources};

/// Checks every invariant on one plan text; panics when one does not hold.
pub fn plan_text(text: &str) {
    let mut sources = Sources::new();
    let id = sources.add(SourceFile::new("fuzz.plan", "fuzz.plan", text.to_string()));
    let (file, parse_diags) = crate::syntax::parse_file(id, sources.get(id));
    let (plan, check_diags) = crate::check::check(std::slice::from_ref(&file));
    let all: Vec<_> = parse_diags
        .items
        .iter()
        .chain(&check_diags.items)
        .cloned()
        .collect();
    for d in &all {
        assert!(
            d.span.start <= d.span.end && d.span.end as usize <= text.len(),
            "a span outside the file: {d:?}"
        );
        assert!(
            !d.message.is_empty(),
            "a diagnostic without a message: {d:?}"
        );
        assert!(d.code != "E000", "an internal error: {d:?}");
    }
    // No plan and no error only for a file of disease lists (an included file).
    let lists_only = file.sections.iter().all(|s| {
        matches!(
            s.header.node,
            Header::Diseases { .. } | Header::Include { .. }
        )
    });
    if plan.is_none() && !lists_only {
        assert!(
            all.iter().any(|d| d.is_error()),
            "no plan and no error:\n{text}"
        );
    }
    let plain = render(&sources, &all, Format::Plain, false);
    assert!(
        all.is_empty() || plain.starts_with("fuzz.plan:"),
        "a diagnostic without a location: {plain}"
    );
    let _ = render(&sources, &all, Format::Human, false);
    if parse_diags.has_errors() {
        return;
    }
    let once = crate::fmt::format(&file, sources.get(id));
    let id2 = sources.add(SourceFile::new(
        "formatted.plan",
        "formatted.plan",
        once.clone(),
    ));
    let (file2, d2) = crate::syntax::parse_file(id2, sources.get(id2));
    assert!(
        !d2.has_errors(),
        "the formatted text does not parse: {:?}\n{once}",
        d2.items
    );
    assert!(
        file2.sections == file.sections,
        "formatting changed the meaning:\n{once}"
    );
    let twice = crate::fmt::format(&file2, sources.get(id2));
    assert_eq!(twice, once, "fmt is not idempotent");
}
