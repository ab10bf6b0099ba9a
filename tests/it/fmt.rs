//! `mutual fmt`: idempotent, keeps comments, and never changes what a plan means.

use crate::{plans_in, relative, root};
use mutual::source::{SourceFile, Sources};
use mutual::summary::summarize;
use std::path::Path;

/// The canonical form of `text`, or None when it does not parse.
fn format(name: &str, text: &str) -> Option<String> {
    let mut sources = Sources::new();
    let id = sources.add(SourceFile::new(name, name, text.to_string()));
    let (file, diags) = mutual::syntax::parse_file(id, sources.get(id));
    // As `mutual fmt` does: any problem found while parsing stops formatting.
    if diags.has_errors() {
        return None;
    }
    Some(mutual::fmt::format(&file, sources.get(id)))
}

fn seed_plans() -> Vec<std::path::PathBuf> {
    let mut v = plans_in("plans");
    v.extend(plans_in("plans/common"));
    v
}

#[test]
fn formatting_is_idempotent() {
    let mut formatted = 0;
    let broken = plans_in("tests/plans/broken");
    for path in seed_plans().iter().chain(&broken) {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).expect("readable");
        let Some(once) = format(&name, &text) else {
            assert!(
                !path.starts_with("plans"),
                "{name}: a seed plan has a syntax error"
            );
            continue;
        };
        let twice = format(&name, &once)
            .unwrap_or_else(|| panic!("{name}: the formatted text does not parse:\n{once}"));
        assert_eq!(twice, once, "{name}: fmt(fmt(p)) != fmt(p)");
        formatted += 1;
    }
    // Most broken plans parse: their mistakes are found by the checker.
    assert!(
        formatted >= broken.len() / 2 + 4,
        "only {formatted} formatted"
    );
}

/// Copies `plans/common` next to a formatted plan, so its include resolves.
fn with_common(dir: &Path) {
    let common = dir.join("common");
    std::fs::create_dir_all(&common).expect("mkdir");
    std::fs::copy(
        root().join("plans/common/diseases.plan"),
        common.join("diseases.plan"),
    )
    .expect("copy the disease lists");
}

fn load(path: &Path) -> mutual::plan::Plan {
    let mut sources = Sources::new();
    let loaded = mutual::load_plan(path, &mut sources);
    assert!(
        !loaded.diagnostics.has_errors(),
        "{}",
        mutual::diagnostic::render(
            &sources,
            &loaded.diagnostics.items,
            mutual::diagnostic::Format::Plain,
            false
        )
    );
    loaded.plan.expect("the plan checks")
}

#[test]
fn formatted_seed_plans_mean_the_same() {
    let dir = tempfile::tempdir().expect("a temp dir");
    with_common(dir.path());
    for path in plans_in("plans") {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).expect("readable");
        let formatted = format(&name, &text).expect("a seed plan parses");
        let out = dir.path().join(path.file_name().expect("a file name"));
        std::fs::write(&out, &formatted).expect("write");
        assert_eq!(load(&out), load(&relative(&path)), "{name}");
    }
}

/// A seed plan with its layout spoilt: odd indentation, tabs, runs of blank
/// lines, wide gaps before trailing comments, trailing spaces.
fn spoil(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let code = line.trim_start();
        let indent = line.len() - code.len();
        if code.is_empty() {
            out.push_str("\n \n\t\n");
            continue;
        }
        let code = code.replacen("  #", "      #", 1);
        match indent {
            0 => out.push_str(&code),
            2 => {
                out.push('\t');
                out.push_str(&code);
            }
            _ => {
                out.push_str(&" ".repeat(indent + 3));
                out.push_str(&code);
            }
        }
        out.push_str("   \n");
    }
    out
}

#[test]
fn formatting_restores_a_spoilt_seed_plan() {
    let dir = tempfile::tempdir().expect("a temp dir");
    with_common(dir.path());
    for path in plans_in("plans") {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).expect("readable");
        let spoilt = spoil(&text);
        assert_ne!(spoilt, text);
        // The layout does not change what the plan means. (Compared by summary:
        // `Plan`'s `==` also compares spans, which the layout moves.)
        let messy = dir.path().join(format!(
            "spoilt-{}",
            path.display().to_string().replace('/', "-")
        ));
        std::fs::write(&messy, &spoilt).expect("write");
        assert_eq!(
            summarize(&load(&messy)),
            summarize(&load(&relative(&path))),
            "{name}"
        );
        let formatted = format(&name, &spoilt).expect("a spoilt seed plan still parses");
        // The seed plans are in canonical form, so formatting gives them back.
        assert_eq!(formatted, text, "{name}");
        let out = dir.path().join(path.file_name().expect("a file name"));
        std::fs::write(&out, &formatted).expect("write");
        assert_eq!(load(&out), load(&relative(&path)), "{name}");
    }
}

#[test]
fn comments_are_kept_and_blank_lines_collapsed() {
    let text = "\
# A small plan.
# Two lines of heading comment.


plan small   # the id
    title \"小\"
  currency   CNY
  launched 2019-01-01



membership
  # who may join
  join ages 30 days to 59 years


  # a comment between statements



  requires score >= 1
      # an indented comment at the end of a section stays with it


# a comment at the start of a line before a header belongs to the header
benefit critical
  covers CI001
  payout by age at diagnosis  # the table
        30 days to 39 years: 300_000 CNY   # young
  40 years to 59 years:100_000 CNY
sharing
  fee 10% of payouts

# A closing comment.


";
    let expected = "\
# A small plan.
# Two lines of heading comment.

plan small  # the id
  title \"小\"
  currency CNY
  launched 2019-01-01

membership
  # who may join
  join ages 30 days to 59 years

  # a comment between statements

  requires score >= 1
  # an indented comment at the end of a section stays with it

# a comment at the start of a line before a header belongs to the header
benefit critical
  covers CI001
  payout by age at diagnosis  # the table
    30 days to 39 years: 300_000 CNY  # young
    40 years to 59 years: 100_000 CNY

sharing
  fee 10% of payouts

# A closing comment.
";
    let formatted = format("small.plan", text).expect("the plan parses");
    assert_eq!(formatted, expected);
    assert_eq!(format("small.plan", &formatted).as_deref(), Some(expected));
}

/// The lines of `text` that hold code (not blank, not only a comment).
fn code_lines(text: &str) -> usize {
    text.lines()
        .filter(|l| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with('#')
        })
        .count()
}

/// `mutual fmt` formats a file unless parsing found a problem; it must then
/// keep every line of code (a statement before any section is such a problem:
/// it has no place in the syntax tree, so formatting would lose it).
#[test]
fn formatting_keeps_every_line_of_code() {
    let mut lost = Vec::new();
    for path in seed_plans().iter().chain(&plans_in("tests/plans/broken")) {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).expect("readable");
        if let Some(formatted) = format(&name, &text)
            && code_lines(&formatted) != code_lines(&text)
        {
            lost.push(name);
        }
    }
    assert!(lost.is_empty(), "formatting drops lines of {lost:?}");
}
