//! Which kind of data file a file is, from its header: a members, claims or
//! payments file. Used to say so when files are given to the wrong option
//! (`--members claims.csv --claims members.csv`).

use std::io::Read;
use std::path::Path;

/// The kinds of data file, with the option that takes each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Members,
    Claims,
    Payments,
}

impl Kind {
    pub fn option(self) -> &'static str {
        match self {
            Kind::Members => "--members",
            Kind::Claims => "--claims",
            Kind::Payments => "--payments",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Kind::Members => "a members file",
            Kind::Claims => "a claims file",
            Kind::Payments => "a payments file",
        }
    }
}

/// The kind of file whose header is `header`, by the columns only that kind
/// has; `None` where it is none or more than one.
pub fn of_header(header: &str) -> Option<Kind> {
    let columns: Vec<&str> = header
        .trim_start_matches('\u{feff}')
        .trim_end()
        .split(',')
        .map(|c| c.trim().trim_matches('"'))
        .collect();
    let has = |c: &str| columns.contains(&c);
    let kinds = [
        (Kind::Members, has("birth_date") && has("join_date")),
        (Kind::Claims, has("member_id") && has("diagnosed_on")),
        (
            Kind::Payments,
            has("member_id") && has("amount") && !has("diagnosed_on"),
        ),
    ];
    let mut found = kinds.iter().filter(|(_, yes)| *yes).map(|(k, _)| *k);
    match (found.next(), found.next()) {
        (Some(k), None) => Some(k),
        _ => None,
    }
}

/// The kind of the regular file at `path`, read from its first line (at most
/// 64 KiB); `None` for standard input, a file that cannot be read, or a
/// header of no single kind.
pub fn of_file(path: &Path) -> Option<Kind> {
    if path == Path::new(super::STDIN) || !path.is_file() {
        return None;
    }
    let mut head = Vec::new();
    let file = std::fs::File::open(path).ok()?;
    file.take(64 * 1024).read_to_end(&mut head).ok()?;
    let text = String::from_utf8_lossy(&head);
    of_header(text.lines().next()?)
}

/// Where a file was given to an option that takes another kind of file, a
/// message that says so and how to fix it; `None` where every file is of its
/// option's kind (or cannot be told).
pub fn swapped_files(files: &[(&str, &Path)]) -> Option<String> {
    let wrong: Vec<(&str, &Path, Kind)> = files
        .iter()
        .filter_map(|&(option, path)| {
            let kind = of_file(path)?;
            (kind.option() != option).then_some((option, path, kind))
        })
        .collect();
    if wrong.is_empty() {
        return None;
    }
    let shown = |p: &Path| crate::terminal_text::escape(&p.display().to_string()).into_owned();
    let mut lines: Vec<String> = wrong
        .iter()
        .map(|(option, path, kind)| {
            format!(
                "error: {} (given to {option}) is {}",
                shown(path),
                kind.noun()
            )
        })
        .collect();
    let swap =
        wrong.len() == 2 && wrong[0].2.option() == wrong[1].0 && wrong[1].2.option() == wrong[0].0;
    lines.push(if swap {
        format!(
            "  help: swap the files of {} and {}",
            wrong[0].0, wrong[1].0
        )
    } else {
        let fixes: Vec<String> = wrong
            .iter()
            .map(|(_, path, kind)| format!("{} {}", kind.option(), shown(path)))
            .collect();
        format!("  help: give each file to its option: {}", fixes.join(", "))
    });
    Some(lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_tell_the_kind() {
        assert_eq!(
            of_header("id,birth_date,join_date,left_date"),
            Some(Kind::Members)
        );
        assert_eq!(
            of_header("\u{feff}id,member_id,disease,diagnosed_on\r"),
            Some(Kind::Claims)
        );
        assert_eq!(of_header("member_id,date,amount"), Some(Kind::Payments));
        assert_eq!(of_header("id,name"), None);
    }
}
