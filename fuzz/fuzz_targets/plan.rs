//! Any bytes as a plan file: parsing, checking and rendering the diagnostics
//! never panic, and a file that parses formats idempotently into a text that
//! parses again to the same AST (spans aside).

#![no_main]

use libfuzzer_sys::fuzz_target;
use mutual::ast::Header;
use mutual::diagnostic::{Format, render};
use mutual::source::{SourceFile, Sources};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = Sources::new();
    let id = sources.add(SourceFile::new("fuzz.plan", "fuzz.plan", text.to_string()));
    let (file, parse_diags) = mutual::syntax::parse_file(id, sources.get(id));
    let (plan, check_diags) = mutual::check::check(std::slice::from_ref(&file));
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
    }
    // No plan and no error only for a file of disease lists (an included file).
    let lists_only = !file.sections.is_empty()
        && file.sections.iter().all(|s| {
            matches!(
                s.header.node,
                Header::Diseases { .. } | Header::Include { .. }
            )
        });
    if plan.is_none() && !lists_only {
        assert!(all.iter().any(|d| d.is_error()), "no plan and no error");
    }
    let _ = render(&sources, &all, Format::Plain, false);
    let _ = render(&sources, &all, Format::Human, false);
    if parse_diags.has_errors() {
        return;
    }
    let once = mutual::fmt::format(&file, sources.get(id));
    let id2 = sources.add(SourceFile::new(
        "formatted.plan",
        "formatted.plan",
        once.clone(),
    ));
    let (file2, d2) = mutual::syntax::parse_file(id2, sources.get(id2));
    assert!(
        !d2.has_errors(),
        "the formatted text does not parse: {:?}\n{once}",
        d2.items
    );
    assert!(
        file2.sections == file.sections,
        "formatting changed the meaning:\n{once}"
    );
    let twice = mutual::fmt::format(&file2, sources.get(id2));
    assert_eq!(twice, once, "fmt is not idempotent");
});
