//! A member's attributes, read again from the members file for the one
//! member an explanation is about: the reader keeps only whether each
//! member met the requirement, not every value.

use std::path::Path;

/// The values of `names` in the row of member `id` of the members CSV at
/// `path`, as (name, value); `None` where the file cannot be read again
/// (standard input), or has no such row.
pub fn attributes_of(path: &Path, id: &str, names: &[&str]) -> Option<Vec<(String, String)>> {
    if path == Path::new(super::STDIN) || !path.is_file() {
        return None;
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .ok()?;
    let headers = reader.headers().ok()?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}').trim() == name)
    };
    let id_column = column("id")?;
    let columns: Vec<Option<usize>> = names.iter().map(|n| column(n)).collect();
    for row in reader.records() {
        let Ok(row) = row else { continue };
        if row.get(id_column).map(str::trim) != Some(id) {
            continue;
        }
        let values = names
            .iter()
            .zip(&columns)
            .map(|(n, c)| {
                let v = c.and_then(|c| row.get(c)).unwrap_or("").trim();
                (n.to_string(), v.to_string())
            })
            .collect();
        return Some(values);
    }
    None
}
